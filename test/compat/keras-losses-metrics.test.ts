// Huber, KLDivergence, CosineSimilarity, LogCosh; the metrics; tf.norm / clipByNorm /
// clipByGlobalNorm: against float64 definitions written here and Keras 3 values (fixture from
// scripts/fixtures/tf_keras_losses_metrics.py).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

const fx = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "keras-losses-metrics.json"), "utf8"));
const near = (got: number, want: number, rtol = 2e-6) => expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(rtol * (1 + Math.abs(want)));
const { yTrue: YT, yPred: YP, p: P, q: Q, w: W } = fx as { yTrue: number[][]; yPred: number[][]; p: number[][]; q: number[][]; w: number[] };
/** The batch mean of a per-row float64 function (Keras's default reduction), optionally weighted. */
const batchMean = (f: (t: number[], p: number[]) => number, a: number[][], b: number[][], w?: number[]) =>
  a.reduce((s, t, i) => s + f(t, b[i]!) * (w ? w[i]! : 1), 0) / a.length;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe("losses: float64 definitions and Keras 3", () => {
  const huber = (d: number) => (t: number[], p: number[]) => mean(t.map((ti, j) => {
    const e = Math.abs(p[j]! - ti);
    return e <= d ? 0.5 * e * e : d * e - 0.5 * d * d;
  }));
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const cases: [string, tf.Tensor, number][] = [
    ["huber", new tf.keras.losses.Huber().apply(YT, YP), batchMean(huber(1), YT, YP)],
    ["huber_delta", new tf.keras.losses.Huber({ delta: 0.5 }).apply(YT, YP), batchMean(huber(0.5), YT, YP)],
    ["huber_weighted", new tf.keras.losses.Huber().apply(YT, YP, W), batchMean(huber(1), YT, YP, W)],
    ["kld", new tf.keras.losses.KLDivergence().apply(P, Q), batchMean((t, p) => t.reduce((s, ti, j) => s + ti * Math.log(ti / p[j]!), 0), P, Q)],
    ["cosine", new tf.keras.losses.CosineSimilarity().apply(YT, YP), batchMean((t, p) => -t.reduce((s, ti, j) => s + ti * p[j]!, 0) / (norm(t) * norm(p)), YT, YP)],
    ["logcosh", new tf.keras.losses.LogCosh().apply(YT, YP), batchMean((t, p) => mean(t.map((ti, j) => Math.log(Math.cosh(p[j]! - ti)))), YT, YP)],
  ];
  for (const [name, got, want] of cases) {
    it(name, () => {
      near(got.item(), want);
      near(got.item(), fx.losses[name]);
    });
  }
  it("BinaryCrossentropy({ fromLogits }) matches Keras", () => near(new tf.keras.losses.BinaryCrossentropy({ fromLogits: true }).apply([[1, 0, 1]], [[0.3, -2, 4]]).item(), fx.losses.bce_logits));
  it("Huber is differentiable on a tape: d/dp = clip(p − t, −δ, δ)/n", () => {
    const p = tf.constant([[0.3, 2.5, -4]]);
    const t = new tf.GradientTape();
    const l = t.record(() => {
      t.watch(p);
      return new tf.keras.losses.Huber().apply([[0, 0, 0]], p);
    });
    Array.from(t.gradient(l, p).dataSync()).forEach((g, i) => near(g, [0.3 / 3, 1 / 3, -1 / 3][i]!));
  });
});

describe("metrics: definitions and Keras 3", () => {
  const labels = [2, 0, 1, 1];
  const logits = [[0.1, 0.2, 0.7], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]];
  const onehot = labels.map((l) => [0, 1, 2].map((k) => (k === l ? 1 : 0)));
  it("Mean: Σ w·x / Σ w across batches", () => {
    const m = new tf.keras.metrics.Mean();
    m.updateState([1, 2, 4]);
    m.updateState([10, 20], [0.5, 0]);
    near(m.result().item(), (1 + 2 + 4 + 5) / 3.5);
    near(m.result().item(), fx.metrics.mean);
    m.resetState();
    expect(m.result().item()).toBe(0);
  });
  it("SparseCategoricalAccuracy with weights", () => {
    const m = new tf.keras.metrics.SparseCategoricalAccuracy();
    m.updateState(labels.slice(0, 2), logits.slice(0, 2));
    m.updateState(labels.slice(2), logits.slice(2), [1, 3]);
    // hits: 1, 1, 1 (argmax 2 ≠ 1: miss at 2), argmax [0.2,0.5,0.3] = 1 hit → (1 + 1 + 0 + 3) / 6
    near(m.result().item(), 5 / 6);
    near(m.result().item(), fx.metrics.sparse_categorical_accuracy);
  });
  it("CategoricalAccuracy, BinaryAccuracy, Accuracy, MeanSquaredError", () => {
    const ca = new tf.keras.metrics.CategoricalAccuracy();
    ca.updateState(onehot, logits);
    near(ca.result().item(), 3 / 4);
    near(ca.result().item(), fx.metrics.categorical_accuracy);
    const yb = [[1], [0], [1], [0]];
    const pb = [[0.7], [0.6], [0.4], [0.1]];
    const ba = new tf.keras.metrics.BinaryAccuracy();
    ba.updateState(yb, pb);
    near(ba.result().item(), fx.metrics.binary_accuracy);
    near(ba.result().item(), 2 / 4);
    const bt = new tf.keras.metrics.BinaryAccuracy({ threshold: 0.65 });
    bt.updateState(yb, pb);
    near(bt.result().item(), fx.metrics.binary_accuracy_threshold);
    const ac = new tf.keras.metrics.Accuracy();
    ac.updateState([1, 2, 3, 4], [1, 2, 0, 4]);
    near(ac.result().item(), fx.metrics.accuracy);
    const mse = new tf.keras.metrics.MeanSquaredError();
    mse.updateState(YT, YP);
    mse.updateState(YP, YT, [2, 0]);
    const rows = YT.map((t, i) => mean(t.map((ti, j) => (YP[i]![j]! - ti) ** 2)));
    near(mse.result().item(), (rows[0]! + rows[1]! + 2 * rows[0]!) / 4);
    near(mse.result().item(), fx.metrics.mean_squared_error);
    expect(new tf.keras.metrics.MeanSquaredError().name).toBe("mean_squared_error");
  });
  it("bad shapes name the metric", () => {
    expect(() => new tf.keras.metrics.CategoricalAccuracy().updateState([[1, 0]], [[1, 0, 0]])).toThrow(/CategoricalAccuracy\.updateState: yTrue has shape \(1, 2\)/);
    expect(() => new tf.keras.metrics.SparseCategoricalAccuracy().updateState([1, 2, 3], [[1, 0]])).toThrow(ValueError);
    expect(() => new tf.keras.metrics.Mean().updateState([1, 2], [1, 2, 3])).toThrow(/does not broadcast/);
  });
});

describe("tf.norm, tf.clipByNorm, tf.clipByGlobalNorm against TensorFlow", () => {
  const flat = (t: tf.Tensor) => Array.from(t.dataSync());
  const all = YP.flat();
  it("norm", () => {
    near(tf.norm(YP).item(), Math.hypot(...all));
    near(tf.norm(YP).item(), fx.ops.norm);
    flat(tf.norm(YP, { ord: 1, axis: 1 })).forEach((v, i) => near(v, fx.ops.norm_axis1_ord1[i]));
    near(tf.norm(YP, { ord: Infinity }).item(), fx.ops.norm_inf);
    near(tf.norm(YP, { ord: 3 }).item(), fx.ops.norm_3);
  });
  it("norm over a pair of axes: the matrix norms (closed forms)", () => {
    const m = tf.constant([[1, -2], [3, 4]]);
    near(tf.norm(m, { axis: [0, 1] }).item(), Math.sqrt(30)); // Frobenius
    near(tf.norm(m, { ord: 1, axis: [0, 1] }).item(), 6); // largest |column| sum
    near(tf.norm(m, { ord: Infinity, axis: [-2, -1] }).item(), 7); // largest |row| sum
    // spectral: √ of the largest eigenvalue of mᵀm = [[10, 10], [10, 20]] → 15 + √125
    near(tf.norm(m, { ord: 2, axis: [0, 1] }).item(), Math.sqrt(15 + Math.sqrt(125)));
    expect(tf.norm(tf.stack([m, tf.multiply(m, 2)]), { ord: 1, axis: [1, 2], keepdims: true }).shape).toEqual([2, 1, 1]);
    expect(() => tf.norm(m, { ord: 3, axis: [0, 1] })).toThrow(/^tf\.norm: with a pair of axes, ord must be a matrix norm/);
    expect(() => tf.norm(m, { axis: [1, 1] })).toThrow(/^tf\.norm: axis \[1,1\] must name two different axes/);
  });
  it("clipByNorm and clipByGlobalNorm", () => {
    flat(tf.clipByNorm(YP, 1)).forEach((v, i) => near(v, fx.ops.clip_by_norm.flat()[i]));
    flat(tf.clipByNorm(YP, 1, [1])).forEach((v, i) => near(v, fx.ops.clip_by_norm_axes.flat()[i]));
    const [[a, b], n] = tf.clipByGlobalNorm([tf.constant(YT), tf.constant(YP)], 2);
    near(n.item(), fx.ops.clip_by_global_norm[2]);
    flat(a!).forEach((v, i) => near(v, fx.ops.clip_by_global_norm[0].flat()[i]));
    flat(b!).forEach((v, i) => near(v, fx.ops.clip_by_global_norm[1].flat()[i]));
    expect(Array.from(tf.clipByNorm([0, 0], 1).dataSync())).toEqual([0, 0]);
  });
});
