// The core Keras layers against float64 references written here (naive loops), the `training`
// flag of Dropout and BatchNormalization, and gradients through their weights on a tape.
import { describe, expect, it } from "vitest";
import { numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

const L = tf.keras.layers;
const X = [[0.5, -1, 2, 0.25], [3, 0, -0.5, 1], [-2, 1.5, 0.75, -1]];
const x64 = () => np.array(X, { dtype: "float64" });
function close(got: tf.Tensor, want: number[][], tol = 1e-12) {
  const g = Array.from(got.dataSync());
  const w = want.flat();
  expect(g.length).toBe(w.length);
  g.forEach((v, i) => expect(Math.abs(v - w[i]!), `element ${i}: ${v} vs ${w[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(w[i]!))));
}

describe("LayerNormalization and BatchNormalization (float64 references)", () => {
  const rowNorm = (r: number[], eps: number) => {
    const m = r.reduce((s, v) => s + v, 0) / r.length;
    const v = r.reduce((s, x) => s + (x - m) ** 2, 0) / r.length;
    return r.map((x) => (x - m) / Math.sqrt(v + eps));
  };
  it("LayerNormalization normalises each row", () => {
    const ln = new L.LayerNormalization({ dtype: "float64" });
    close(ln.apply(x64()), X.map((r) => rowNorm(r, 1e-3)));
    expect(ln.trainableVariables.map((v) => v.name)).toEqual([`${ln.name}/gamma:0`, `${ln.name}/beta:0`]);
  });
  it("BatchNormalization: batch statistics in training, moving ones in inference", () => {
    const bn = new L.BatchNormalization({ dtype: "float64", momentum: 0.9 });
    const cols = X[0]!.map((_, j) => X.map((r) => r[j]!));
    const normed = cols.map((c) => rowNorm(c, 1e-3));
    close(bn.apply(x64(), { training: true }), X.map((_, i) => normed.map((c) => c[i]!)));
    const mean = cols.map((c) => c.reduce((s, v) => s + v, 0) / c.length);
    const variance = cols.map((c, j) => c.reduce((s, v) => s + (v - mean[j]!) ** 2, 0) / c.length);
    close(bn.movingMean.value(), [mean.map((m) => 0.1 * m)]);
    close(bn.movingVariance.value(), [variance.map((v) => 0.9 + 0.1 * v)]);
    const inf = X.map((r) => r.map((v, j) => (v - 0.1 * mean[j]!) / Math.sqrt(0.9 + 0.1 * variance[j]! + 1e-3)));
    close(bn.apply(x64()), inf);
    close(bn.apply(x64(), { training: false }), inf);
    expect(bn.trainableVariables.length).toBe(2);
    expect(bn.nonTrainableVariables.length).toBe(2);
  });
  it("gradients reach γ and β through a tape, not the moving statistics", () => {
    const bn = new L.BatchNormalization();
    const x = tf.constant(X);
    bn.apply(x);
    const t = new tf.GradientTape();
    const loss = t.record(() => tf.reduceSum(tf.multiply(bn.apply(x, { training: true }), tf.constant([1, 2, 3, 4]))));
    const [gg, gb] = t.gradient(loss, bn.trainableVariables);
    close(gb!, [[3, 6, 9, 12]], 1e-6); // dL/dβ = Σ over the batch of the weights
    close(gg!, [[0, 0, 0, 0]], 1e-5); // Σ over the batch of a normalised column is 0
    expect(t.watchedVariables().length).toBeGreaterThanOrEqual(2);
  });
});

describe("Dropout honours training", () => {
  it("identity in inference, zeros or x/(1 − rate) in training", () => {
    const d = new L.Dropout(0.25, { seed: 7 });
    const x = tf.ones([2000]);
    expect(Array.from(d.apply(x).dataSync()).every((v) => v === 1)).toBe(true);
    const y = Array.from(d.apply(x, { training: true }).dataSync() as Float32Array);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    const kept = y.filter((v) => v !== 0).length / y.length;
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.05);
    const y2 = Array.from(d.apply(x, { training: true }).dataSync());
    expect(y2).not.toEqual(y); // a fresh mask each call
    expect(() => new L.Dropout(1.5)).toThrow(/Expected a float value between 0 and 1/);
  });
});

describe("shape, merge and lookup layers", () => {
  it("Flatten, Reshape, Add, Concatenate, Activation", () => {
    const x = tf.reshape(tf.range(0, 24, 1, "float32"), [2, 3, 4]);
    expect(new L.Flatten().apply(x).shape).toEqual([2, 12]);
    expect(new L.Reshape([4, 3]).apply(x).shape).toEqual([2, 4, 3]);
    close(new L.Add().apply([tf.constant([[1, 2]]), tf.constant([[10, 20]]), tf.constant([[100, 200]])]), [[111, 222]]);
    close(new L.Concatenate({ axis: 0 }).apply([tf.constant([[1, 2]]), tf.constant([[3, 4]])]), [[1, 2], [3, 4]]);
    close(new L.Activation("tanh").apply(tf.constant([[0.5]])), [[Math.tanh(0.5)]], 1e-6);
  });
  it("Embedding gathers rows of its table, and its gradient scatters back", () => {
    const e = new L.Embedding(5, 2);
    const idx = tf.constant([[1, 3], [1, 0]], { dtype: "int32" });
    const t = new tf.GradientTape();
    const y = t.record(() => e.apply(idx));
    const table = e.embeddings.value().toArray() as number[][];
    close(y, [table[1]!, table[3]!, table[1]!, table[0]!].flat().map((v) => [v]).flat().reduce<number[][]>((a, v, i) => (i % 2 ? a[a.length - 1]!.push(v) : a.push([v]), a), []), 1e-7);
    const g = t.gradient(y, e.embeddings);
    close(tf.convertToTensor(g), [[1, 1], [2, 2], [0, 0], [1, 1], [0, 0]]);
  });
});
