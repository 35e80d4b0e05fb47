// TF-named ops (values and TensorFlow's argument conventions) and TensorFlow-style printing.
import { describe, expect, it } from "vitest";
import { numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose } from "./util.js";

const m = tf.constant([[1, -2, 3], [-4, 5, -6]]);

describe("TF-named ops", () => {
  it("elementwise math", () => {
    const x = tf.constant([0.5, 2]);
    expectClose(tf.add(x, 1), [1.5, 3]);
    expectClose(tf.subtract(x, 1), [-0.5, 1]);
    expectClose(tf.multiply(x, x), [0.25, 4]);
    expectClose(tf.divide(x, 2), [0.25, 1]);
    expectClose(tf.pow(x, 3), [0.125, 8]);
    expectClose(tf.square(x), [0.25, 4]);
    expectClose(tf.sqrt(x), [Math.SQRT1_2, Math.SQRT2]);
    expectClose(tf.rsqrt(x), [Math.SQRT2, Math.SQRT1_2]);
    expectClose(tf.exp(x), [Math.exp(0.5), Math.exp(2)]);
    expectClose(tf.log(x), [Math.log(0.5), Math.log(2)]);
    expectClose(tf.tanh(x), [Math.tanh(0.5), Math.tanh(2)]);
    expectClose(tf.sigmoid(x), [1 / (1 + Math.exp(-0.5)), 1 / (1 + Math.exp(-2))]);
    expectClose(tf.sin(x), [Math.sin(0.5), Math.sin(2)]);
    expectClose(tf.cos(x), [Math.cos(0.5), Math.cos(2)]);
    expectClose(tf.abs(m), [[1, 2, 3], [4, 5, 6]]);
    expectClose(tf.negative(x), [-0.5, -2]);
    expectClose(tf.maximum(m, 0), [[1, 0, 3], [0, 5, 0]]);
    expectClose(tf.minimum(m, 0), [[0, -2, 0], [-4, 0, -6]]);
    expectClose(tf.squaredDifference(x, 1), [0.25, 1]);
    expectClose(tf.addN([x, x, x]), [1.5, 6]);
    expectClose(tf.clipByValue(m, -1, 2), [[1, -1, 2], [-1, 2, -1]]);
    expectClose(tf.math.reduceSum(x), 2.5);
  });

  it("matmul with transposeA / transposeB", () => {
    const a = tf.constant([[1, 2], [3, 4]]);
    const b = tf.constant([[5, 6], [7, 8]]);
    expectClose(tf.matmul(a, b), [[19, 22], [43, 50]]);
    expectClose(tf.matmul(a, b, { transposeA: true }), [[26, 30], [38, 44]]);
    expectClose(tf.matmul(a, b, { transposeB: true }), [[17, 23], [39, 53]]);
    expectClose(tf.linalg.matmul(a, b), [[19, 22], [43, 50]]);
  });

  it("reductions take (x, axis, keepdims) as TensorFlow's", () => {
    expectClose(tf.reduceSum(m), -3);
    expectClose(tf.reduceSum(m, 0), [-3, 3, -3]);
    expectClose(tf.reduceSum(m, 1, true), [[2], [-5]], { shape: [2, 1] });
    expectClose(tf.reduceMean(m, 1), [2 / 3, -5 / 3]);
    expectClose(tf.reduceMax(m, 1), [3, 5]);
    expectClose(tf.reduceMin(m), -6);
    expectClose(tf.reduceProd(tf.constant([1, 2, 3])), 6);
    expectClose(tf.reduceLogsumexp(tf.constant([0, 0])), Math.log(2));
    expectClose(tf.argmax(m), [0, 1, 0]); // axis 0 by default
    expectClose(tf.argmax(m, 1), [2, 1]);
  });

  it("shape ops", () => {
    expectClose(tf.reshape(m, [3, 2]), [1, -2, 3, -4, 5, -6], { shape: [3, 2] });
    expectClose(tf.transpose(m), [[1, -4], [-2, 5], [3, -6]], { shape: [3, 2] });
    expectClose(tf.concat([m, m], 0), [...m.dataSync(), ...m.dataSync()], { shape: [4, 3] });
    expectClose(tf.stack([m, m], 1), [1, -2, 3, 1, -2, 3, -4, 5, -6, -4, 5, -6], { shape: [2, 2, 3] });
    expect(tf.unstack(m).map((r) => r.toArray())).toEqual([[1, -2, 3], [-4, 5, -6]]);
    expect(tf.split(m, [1, 2], 1).map((r) => [...r.shape])).toEqual([[2, 1], [2, 2]]);
    expectClose(tf.expandDims(tf.constant([1, 2]), 0), [[1, 2]], { shape: [1, 2] });
    expectClose(tf.squeeze(tf.constant([[1], [2]])), [1, 2], { shape: [2] });
    expectClose(tf.tile(tf.constant([[1, 2]]), [2, 2]), [[1, 2, 1, 2], [1, 2, 1, 2]], { shape: [2, 4] });
    expectClose(tf.gather(m, tf.constant([1, 0], { dtype: "int32" })), [[-4, 5, -6], [1, -2, 3]]);
    expectClose(tf.slice(m, [0, 1], [2, -1]), [[-2, 3], [5, -6]], { shape: [2, 2] });
    expect(tf.shape(m).toArray()).toEqual([2, 3]);
  });

  it("where, cast, oneHot, comparisons", () => {
    expectClose(tf.where(tf.greater(m, 0), m, tf.zerosLike(m)), [[1, 0, 3], [0, 5, 0]]);
    expect(tf.cast(tf.constant([1.7, -1.2]), "int32").toArray()).toEqual([1, -1]);
    expectClose(tf.oneHot(tf.constant([0, 2], { dtype: "int32" }), 3), [[1, 0, 0], [0, 0, 1]]);
    expectClose(tf.oneHot(tf.constant([1], { dtype: "int32" }), 2, { onValue: 5, offValue: -1 }), [[-1, 5]]);
    expect(tf.equal(tf.constant([1, 2]), tf.constant([1, 3])).toArray()).toEqual([true, false]);
  });

  it("creation", () => {
    expectClose(tf.zeros([2, 2]), [0, 0, 0, 0], { shape: [2, 2] });
    expect(tf.ones([2], "float64").dtype).toBe("float64");
    expectClose(tf.fill([3], 7), [7, 7, 7]);
    expectClose(tf.eye(2), [[1, 0], [0, 1]]);
    expect(tf.range(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(tf.range(4).dtype).toBe("int32");
    expectClose(tf.range(0, 1, 0.5), [0, 0.5]);
  });

  it("tf.nn activations and cross-entropies (float64 references)", () => {
    const z = tf.constant([[2, -1, 0.5]]);
    const lse = Math.log(Math.exp(2) + Math.exp(-1) + Math.exp(0.5));
    expectClose(tf.nn.relu(z), [[2, 0, 0.5]]);
    expectClose(tf.nn.softmax(z), [[2, -1, 0.5].map((v) => Math.exp(v - lse))]);
    expectClose(tf.nn.logSoftmax(z), [[2, -1, 0.5].map((v) => v - lse)]);
    expectClose(tf.nn.softplus(tf.constant(1)), Math.log1p(Math.E));
    expectClose(tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.constant([1], { dtype: "int32" }), logits: z }), [lse + 1]);
    expectClose(tf.nn.softmaxCrossEntropyWithLogits({ labels: tf.constant([[0, 0.5, 0.5]]), logits: z }), [lse - 0.5 * (-1 + 0.5)]);
    // z·(−log σ(x)) + (1 − z)·(−log(1 − σ(x))) at x = 3, z = 0.25
    const s = 1 / (1 + Math.exp(-3));
    expectClose(tf.nn.sigmoidCrossEntropyWithLogits({ labels: tf.constant(0.25), logits: tf.constant(3) }), -0.25 * Math.log(s) - 0.75 * Math.log(1 - s));
  });

  it("tf.random draws are reproducible from the global seed", () => {
    tf.random.setSeed(7);
    const a = tf.random.normal([3]);
    const b = tf.random.uniform([2], { minval: 2, maxval: 3 });
    tf.random.setSeed(7);
    expect(tf.random.normal([3]).toArray()).toEqual(a.toArray());
    expect(tf.random.uniform([2], { minval: 2, maxval: 3 }).toArray()).toEqual(b.toArray());
    expect(b.toArray().every((v: number) => v >= 2 && v < 3)).toBe(true);
    expect(tf.random.normal([3]).toArray()).not.toEqual(a.toArray()); // the next draw differs
    const big = tf.random.normal([4000], { mean: 1, stddev: 2 });
    expect(Math.abs(tf.reduceMean(big).item() - 1)).toBeLessThan(0.15);
  });
});

describe("TensorFlow-style printing", () => {
  it("scalars, vectors, matrices and other dtypes print as TensorFlow's str()", () => {
    expect(tf.constant(75).toString()).toBe("tf.Tensor(75.0, shape=(), dtype=float32)");
    expect(tf.constant(0.1).toString()).toBe("tf.Tensor(0.1, shape=(), dtype=float32)");
    expect(tf.constant([1, 2.5, 3]).toString()).toBe("tf.Tensor([1.  2.5 3. ], shape=(3,), dtype=float32)");
    expect(tf.constant([[1, 2], [3, 4]]).toString()).toBe("tf.Tensor(\n[[1. 2.]\n [3. 4.]], shape=(2, 2), dtype=float32)");
    expect(tf.constant(3, { dtype: "int32" }).toString()).toBe("tf.Tensor(3, shape=(), dtype=int32)");
    expect(tf.constant([true, false]).toString()).toBe("tf.Tensor([ True False], shape=(2,), dtype=bool)");
    expect(tf.constant([1e-5, 1]).toString()).toBe("tf.Tensor([1.e-05 1.e+00], shape=(2,), dtype=float32)");
    expect(tf.constant([NaN, 1, Infinity]).toString()).toBe("tf.Tensor([nan  1. inf], shape=(3,), dtype=float32)");
    expect(tf.constant(1 / 3, { dtype: "float64" }).toString()).toBe("tf.Tensor(0.3333333333333333, shape=(), dtype=float64)");
    expect(tf.constant([1 / 3, 2], { dtype: "float64" }).toString()).toBe("tf.Tensor([0.33333333 2.        ], shape=(2,), dtype=float64)");
  });

  it("long arrays wrap at 75 columns and summarise past 1000 elements", () => {
    const wrapped = tf.range(0, 45, 1.5, "float32").toString();
    expect(wrapped).toBe(
      "tf.Tensor(\n[ 0.   1.5  3.   4.5  6.   7.5  9.  10.5 12.  13.5 15.  16.5 18.  19.5\n 21.  22.5 24.  25.5 27.  28.5 30.  31.5 33.  34.5 36.  37.5 39.  40.5\n 42.  43.5], shape=(30,), dtype=float32)",
    );
    const big = tf.reshape(tf.range(2000), [2, 1000]).toString();
    expect(big).toBe("tf.Tensor(\n[[   0    1    2 ...  997  998  999]\n [1000 1001 1002 ... 1997 1998 1999]], shape=(2, 1000), dtype=int32)");
  });

  it("only tensors from tapir/compat print TensorFlow-style", () => {
    const a = np.array([1, 2]);
    expect(String(a)).toBe("Array([1., 2.], dtype=float32)");
    expect(String(tf.add(a, 0))).toBe("tf.Tensor([1. 2.], shape=(2,), dtype=float32)");
  });
});
