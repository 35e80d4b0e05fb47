// No option is accepted and ignored in tapir/compat (issue 19): every documented option of every
// constructor and op changes the result, and an unknown one raises a ValueError naming it.
import { describe, expect, it } from "vitest";
import { ValueError, numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { thrown } from "./util.js";

const K = tf.keras;
/** Calls taking an options object, each with a misspelt option added. */
const unknown: [string, (bad: Record<string, unknown>) => unknown][] = [
  ["tf.constant", (o) => tf.constant(1, o)],
  ["tf.convertToTensor", (o) => tf.convertToTensor(1, o)],
  ["tf.matmul", (o) => tf.matmul([[1]], [[1]], o)],
  ["tf.oneHot", (o) => tf.oneHot([0], 2, o)],
  ["tf.random.normal", (o) => tf.random.normal([1], o)],
  ["tf.random.truncatedNormal", (o) => tf.random.truncatedNormal([1], o)],
  ["tf.random.uniform", (o) => tf.random.uniform([1], o)],
  ["tf.GradientTape", (o) => new tf.GradientTape(o)],
  ["GradientTape.gradient", (o) => {
    const t = new tf.GradientTape();
    const x = tf.constant(1);
    const y = t.record(() => (t.watch(x), tf.square(x)));
    return t.gradient(y, x, o);
  }],
  ["GradientTape.jacobian", (o) => {
    const t = new tf.GradientTape();
    const x = tf.constant([1]);
    const y = t.record(() => (t.watch(x), tf.square(x)));
    return t.jacobian(y, x, o);
  }],
  ["tf.Variable", (o) => new tf.Variable(1, o)],
  ["tf.keras.layers.Layer", (o) => new K.layers.Layer(o)],
  ["Layer.addWeight", (o) => new K.layers.Layer().addWeight("w", [1], o)],
  ["tf.keras.layers.Dense", (o) => new K.layers.Dense(1, o)],
  ["tf.keras.Sequential", (o) => new K.Sequential([], o)],
  ["tf.keras.optimizers.SGD", (o) => new K.optimizers.SGD(o)],
  ["tf.keras.optimizers.Adam", (o) => new K.optimizers.Adam(o)],
  ["tf.keras.losses.MeanSquaredError", (o) => new K.losses.MeanSquaredError(o)],
  ["tf.keras.losses.MeanAbsoluteError", (o) => new K.losses.MeanAbsoluteError(o)],
  ["tf.keras.losses.BinaryCrossentropy", (o) => new K.losses.BinaryCrossentropy(o)],
  ["tf.keras.losses.CategoricalCrossentropy", (o) => new K.losses.CategoricalCrossentropy(o)],
  ["tf.keras.losses.SparseCategoricalCrossentropy", (o) => new K.losses.SparseCategoricalCrossentropy(o)],
  ["tf.keras.initializers.RandomNormal", (o) => new K.initializers.RandomNormal(o)],
  ["tf.keras.initializers.RandomUniform", (o) => new K.initializers.RandomUniform(o)],
  ["tf.keras.initializers.GlorotUniform", (o) => new K.initializers.GlorotUniform(o)],
  ["tf.keras.initializers.GlorotNormal", (o) => new K.initializers.GlorotNormal(o)],
  ["tf.keras.initializers.HeNormal", (o) => new K.initializers.HeNormal(o)],
  ["tf.keras.initializers.HeUniform", (o) => new K.initializers.HeUniform(o)],
];

describe("an unknown option raises a ValueError naming it", () => {
  for (const [api, call] of unknown) {
    it(api, () => {
      const e = thrown(() => call({ reduction: "sum" }));
      expect(e).toBeInstanceOf(ValueError);
      expect(e.message).toContain(api);
      expect(e.message).toContain("'reduction'");
    });
  }
});

/** Values of a tensor as a flat array. */
const vals = (t: tf.Tensor | tf.Variable) => Array.from(t instanceof tf.Variable ? t.dataSync() : t.dataSync());
const differ = (a: tf.Tensor | tf.Variable, b: tf.Tensor | tf.Variable) => JSON.stringify(vals(a)) !== JSON.stringify(vals(b));

describe("every documented option changes the result", () => {
  it("ops: constant, matmul, oneHot, cumsum, gelu, random", () => {
    expect(tf.constant(1, { dtype: "float64" }).dtype).toBe("float64");
    expect(tf.constant(2, { shape: [2, 2] }).shape).toEqual([2, 2]);
    const a = tf.constant([[1, 2], [3, 4]]);
    expect(differ(tf.matmul(a, a, { transposeA: true }), tf.matmul(a, a))).toBe(true);
    expect(differ(tf.matmul(a, a, { transposeB: true }), tf.matmul(a, a))).toBe(true);
    expect(vals(tf.oneHot([1], 2, { onValue: 5, offValue: -1 }))).toEqual([-1, 5]);
    expect(tf.oneHot([1], 2, { dtype: "int32" }).dtype).toBe("int32");
    expect(differ(tf.cumsum([1, 2], 0, true), tf.cumsum([1, 2]))).toBe(true);
    expect(differ(tf.cumsum([1, 2], 0, false, true), tf.cumsum([1, 2]))).toBe(true);
    expect(differ(tf.nn.gelu(tf.constant(1.5), true), tf.nn.gelu(tf.constant(1.5)))).toBe(true);
    expect(differ(tf.nn.leakyRelu(tf.constant(-1), 0.1), tf.nn.leakyRelu(tf.constant(-1)))).toBe(true);
    tf.random.setSeed(1);
    const n0 = tf.random.normal([3]);
    tf.random.setSeed(1);
    expect(vals(tf.random.normal([3], { mean: 10 })).map((v, i) => v - 10 - vals(n0)[i]!).every((d) => Math.abs(d) < 1e-5)).toBe(true);
    tf.random.setSeed(1);
    expect(vals(tf.random.normal([3], { stddev: 2 })).map((v, i) => v - 2 * vals(n0)[i]!).every((d) => Math.abs(d) < 1e-5)).toBe(true);
    expect(tf.random.uniform([3], { minval: 5, maxval: 6 }).dataSync().every((v) => v >= 5 && v < 6)).toBe(true);
    expect(tf.random.uniform([1], { dtype: "float64" }).dtype).toBe("float64");
    expect(differ(tf.random.uniform([3], { seed: 1 }), tf.random.uniform([3], { seed: 2 }))).toBe(true);
  });

  it("optimizers: learningRate, momentum, nesterov, betas, epsilon, amsgrad, clipping", () => {
    const step = (opt: InstanceType<typeof K.optimizers.SGD> | InstanceType<typeof K.optimizers.Adam>, gs = [[3, -2], [0.1, 0.2], [0.05, -0.1]]) => {
      const v = new tf.Variable([1, -1]);
      for (const g of gs) opt.applyGradients([[tf.constant(g), v]]);
      return v;
    };
    const S = K.optimizers.SGD;
    const A = K.optimizers.Adam;
    const base = step(new S());
    for (const o of [{ learningRate: 0.5 }, { momentum: 0.9 }, { clipnorm: 1 }, { clipvalue: 0.5 }, { globalClipnorm: 1 }]) expect(differ(step(new S(o)), base), JSON.stringify(o)).toBe(true);
    expect(differ(step(new S({ momentum: 0.9, nesterov: true })), step(new S({ momentum: 0.9 })))).toBe(true);
    const abase = step(new A());
    for (const o of [{ learningRate: 0.1 }, { beta1: 0.5 }, { beta2: 0.5 }, { epsilon: 1 }, { amsgrad: true }, { clipnorm: 1 }, { clipvalue: 0.5 }, { globalClipnorm: 1 }]) {
      expect(differ(step(new A(o)), abase), JSON.stringify(o)).toBe(true);
    }
    expect(new S({ name: "mine" }).name).toBe("mine");
  });

  it("layers, variables, losses, tapes", () => {
    const x = tf.constant([[1, -2]]);
    const plain = new K.layers.Dense(2, { kernelInitializer: "ones" });
    const ref = plain.apply(x) as tf.Tensor;
    expect(differ(new K.layers.Dense(2, { kernelInitializer: "ones", activation: "relu" }).apply(x) as tf.Tensor, ref)).toBe(true);
    expect(differ(new K.layers.Dense(2, { kernelInitializer: "ones", biasInitializer: "ones" }).apply(x) as tf.Tensor, ref)).toBe(true);
    expect(differ(new K.layers.Dense(2, { kernelInitializer: "zeros" }).apply(x) as tf.Tensor, ref)).toBe(true);
    const noBias = new K.layers.Dense(2, { useBias: false, name: "nb", trainable: false, dtype: "float64" });
    noBias.apply(np.array([[1, 2]], { dtype: "float64" }));
    expect(noBias.variables.map((v) => v.name)).toEqual(["nb/kernel:0"]);
    expect(noBias.trainableVariables).toEqual([]);
    expect(noBias.kernel.dtype).toBe("float64");
    const v = new tf.Variable(1, { trainable: false, name: "w", dtype: "float64" });
    expect([v.trainable, v.name, v.dtype]).toEqual([false, "w:0", "float64"]);
    const logits = [[2, -1]];
    expect(differ(new K.losses.BinaryCrossentropy({ fromLogits: true }).apply([[1, 0]], logits), new K.losses.BinaryCrossentropy().apply([[1, 0]], [[0.9, 0.1]]))).toBe(true);
    expect(differ(new K.losses.CategoricalCrossentropy({ fromLogits: true }).apply([[1, 0]], logits), new K.losses.CategoricalCrossentropy().apply([[1, 0]], [[0.6, 0.4]]))).toBe(true);
    expect(differ(new K.losses.SparseCategoricalCrossentropy({ fromLogits: true }).apply([0], [[0.6, 0.4]]), new K.losses.SparseCategoricalCrossentropy().apply([0], [[0.6, 0.4]]))).toBe(true);
    const w = new tf.Variable(2);
    const t = new tf.GradientTape({ watchAccessedVariables: false, persistent: true });
    const y = t.record(() => tf.square(w));
    expect(t.gradient(y, w)).toBeNull();
    expect(t.gradient(y, w, { unconnectedGradients: "zero" })!.item()).toBe(0);
  });
});
