// tapir/compat computes what TensorFlow 2.21 / Keras 3.15 compute, where TensorFlow and JAX differ:
// ties and kinks, where/sqrt/pow at 0, reordered unstack/split lists, cumsum options, optimizer
// clipping and AMSGrad, activation strings and exact gelu, Keras 3 epsilon handling. Every expected
// value is TensorFlow's own, from test/fixtures/compat-tf-semantics.json (written offline by
// scripts/fixtures/tf_compat_semantics.py). The functional API keeps JAX's conventions: the
// "functional = JAX" cases pin the other side of each pair.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { grad, numpy as np, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/compat-tf-semantics.json", import.meta.url), "utf8"));
/** Fixture numbers ("NaN", "Infinity" strings decoded). */
const dec = (v: any): any => (Array.isArray(v) ? v.map(dec) : v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v);
/** Elementwise equal within rtol, NaN matching NaN and ±inf matching itself. */
function expectTF(actual: tf.Tensor | null, want: any, rtol = 1e-5): void {
  expect(actual).not.toBeNull();
  const got = Array.from(actual!.dataSync(), Number);
  const exp = [dec(want)].flat(Infinity) as number[];
  expect(got.length).toBe(exp.length);
  got.forEach((g, i) => {
    const e = exp[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) expect(g, `element ${i} of ${got}`).toBe(e);
    else if (!(Math.abs(g - e) <= 1e-6 + rtol * Math.abs(e))) expect.fail(`element ${i}: got ${g}, TensorFlow ${e} (all: ${got.join(", ")})`);
  });
}
/** Gradients of f(...xs) (summed) with respect to each x, on a tape. */
function tapeGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, ...vals: number[][]): (tf.Tensor | null)[] {
  const xs = vals.map((v) => tf.constant(v));
  const t = new tf.GradientTape();
  const y = t.record(() => {
    t.watch(xs);
    return f(...xs);
  });
  return t.gradient(y, xs);
}

describe("ties and kinks follow TensorFlow on a tape", () => {
  it("maximum / minimum: a tie sends the gradient to x", () => {
    const [gx, gy] = tapeGrads(tf.maximum, [1, 2, 3], [1, 1, 5]);
    expectTF(gx!, fx.maximum_tie[0]);
    expectTF(gy!, fx.maximum_tie[1]);
    const [hx, hy] = tapeGrads(tf.minimum, [1, 2, 3], [1, 1, 5]);
    expectTF(hx!, fx.minimum_tie[0]);
    expectTF(hy!, fx.minimum_tie[1]);
  });
  it("functional = JAX: grad of np.maximum at a tie splits it (0.5 each)", () => {
    expect(grad((x: tf.Tensor) => np.maximum(x, 1))(tf.constant(1)).item()).toBe(0.5);
  });
  it("relu, relu6, elu, leakyRelu, abs at their kinks", () => {
    const k = [-1, 0, 6, 7, 0.5];
    expectTF(tapeGrads(tf.nn.relu, k)[0]!, fx.relu_grad);
    expectTF(tapeGrads(tf.nn.relu6, k)[0]!, fx.relu6_grad);
    expectTF(tapeGrads(tf.nn.elu, k)[0]!, fx.elu_grad);
    expectTF(tapeGrads((x) => tf.nn.leakyRelu(x, 0.2), k)[0]!, fx.leaky_relu_grad);
    expectTF(tapeGrads(tf.abs, [-1, 0, 2])[0]!, fx.abs_grad);
  });
  it("clipByValue passes the gradient at its bounds (scalar and tensor bounds)", () => {
    const x = [-2, -1, 0, 1, 2];
    expectTF(tapeGrads((a) => tf.clipByValue(a, -1, 1), x)[0]!, fx.clip_by_value_grad);
    const g = tapeGrads((a, lo, hi) => tf.clipByValue(a, lo!, hi!), x, [-1, -1, -1, -1, -1], [1, 1, 1, 1, 1]);
    g.forEach((gi, i) => expectTF(gi!, fx.clip_by_value_tensor_bounds_grad[i]));
  });
});

describe("reductions at ties and ops TensorFlow does not differentiate", () => {
  it("reduceMax / reduceMin split a tie equally (TF and JAX agree)", () => {
    expectTF(tapeGrads((x) => tf.reduceMax(x), [1, 3, 3, 2])[0]!, fx.reduce_max_tie_grad);
    expectTF(tapeGrads((x) => tf.reduceMin(x), [1, 3, 1, 2])[0]!, fx.reduce_min_tie_grad);
  });
  it("floor, ceil, round give null (TF's None); sign gives zeros", () => {
    for (const [k, f] of [["floor", tf.floor], ["ceil", tf.ceil], ["round", tf.round]] as const) {
      expect(fx.none_grads[k]).toBeNull();
      expect(tapeGrads(f, [0.5, -1.5, 2])[0], k).toBeNull();
    }
    expectTF(tapeGrads(tf.sign, [0.5, -1.5, 2])[0]!, fx.none_grads.sign);
  });
  it("sqrt at 0, squaredDifference", () => {
    expectTF(tapeGrads(tf.sqrt, [0, 4])[0]!, fx.sqrt_at_zero_grad);
    const g = tapeGrads(tf.squaredDifference, [1, 2], [3, 2]);
    expectTF(g[0]!, fx.squared_difference_grad[0]);
    expectTF(g[1]!, fx.squared_difference_grad[1]);
  });
});

describe("where, sqrt and pow at 0", () => {
  it("where: the unselected branch contributes exact zeros (sqrt of a negative)", () => {
    expectTF(tapeGrads((x) => tf.where(tf.greater(x, 0), tf.sqrt(x), tf.zerosLike(x)), [-1, 4])[0]!, fx.where_sqrt_grad);
    expectTF(tapeGrads((x) => tf.where(tf.greater(x, 0), tf.log(x), x), [-1, 0, 2])[0]!, fx.where_log_grad);
    const g = tapeGrads((x, y) => tf.where(tf.greater(x, y!), tf.multiply(x, 2), tf.multiply(y!, 3)), [1, 5], [2, 1]);
    expectTF(g[0]!, fx.where_both_grad[0]);
    expectTF(g[1]!, fx.where_both_grad[1]);
  });
  it("d/dx pow(x, y) at x = y = 0 is NaN, d/dy at x ≤ 0 is 0", () => {
    const [gx, gy] = tapeGrads(tf.pow, [0, 0, 2, 0, -2], [0, 2, 3, 0.5, 2]);
    expectTF(gx!, fx.pow_grad[0]);
    expectTF(gy!, fx.pow_grad[1]);
  });
});

describe("lists from unstack and split keep each tensor's gradient link", () => {
  it("reversed unstack, popped split", () => {
    expectTF(tapeGrads((x) => {
      const p = tf.unstack(x);
      p.reverse();
      return tf.multiply(p[0]!, 10);
    }, [1, 2, 3])[0]!, fx.unstack_reversed_grad);
    expectTF(tapeGrads((x) => tf.multiply(tf.split(x, 3).pop()!, 10), [1, 2, 3])[0]!, fx.split_pop_grad);
  });
});

describe("tf.cumsum exclusive / reverse", () => {
  it("values and gradient", () => {
    const c = tf.constant([1, 2, 3]);
    expectTF(tf.cumsum(c), fx.cumsum.plain);
    expectTF(tf.cumsum(c, 0, true), fx.cumsum.exclusive);
    expectTF(tf.cumsum(c, 0, false, true), fx.cumsum.reverse);
    expectTF(tf.cumsum(c, 0, true, true), fx.cumsum.exclusive_reverse);
    expectTF(tapeGrads((x) => tf.reduceSum(tf.multiply(tf.cumsum(x, 0, true, true), tf.constant([1, 10, 100]))), [1, 2, 3])[0]!, fx.cumsum_exclusive_reverse_grad);
  });
});

describe("optimizers: clipping and AMSGrad as Keras 3", () => {
  const { SGD, Adam } = tf.keras.optimizers;
  const g3 = [[2, -0.5], [0.1, 3], [-4, 0.2]];
  const shrinking = [[3, -2], [0.1, 0.2], [0.05, -0.1], [0, 0.3]];
  function run(opt: InstanceType<typeof SGD> | InstanceType<typeof Adam>, v0: number[] | number, gs: (number[] | number)[]): tf.Tensor {
    const v = new tf.Variable(v0);
    for (const g of gs) opt.applyGradients([[tf.constant(g), v]]);
    return v.value();
  }
  function run2(opt: InstanceType<typeof SGD> | InstanceType<typeof Adam>, v0s: number[][], gss: number[][][]): tf.Tensor[] {
    const vs = v0s.map((v) => new tf.Variable(v));
    for (const gs of gss) opt.applyGradients(gs.map((g, i) => [tf.constant(g), vs[i]!] as const));
    return vs.map((v) => v.value());
  }
  const o = () => fx.optim;
  it("SGD clipvalue / clipnorm / globalClipnorm / momentum / nesterov", () => {
    expectTF(run(new SGD({ learningRate: 0.1, clipvalue: 0.3 }), 1, [2]), o().sgd_clipvalue);
    expectTF(run(new SGD({ learningRate: 0.1, clipnorm: 1 }), [1, 1], [[3, 4]]), o().sgd_clipnorm);
    const [a, b] = run2(new SGD({ learningRate: 0.1, globalClipnorm: 1 }), [[1, 1], [2]], [[[3, 0], [4]]]);
    expectTF(a!, o().sgd_global_clipnorm[0]);
    expectTF(b!, o().sgd_global_clipnorm[1]);
    expectTF(run(new SGD({ learningRate: 0.1, momentum: 0.9 }), [1, -1], g3), o().sgd_momentum);
    expectTF(run(new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }), [1, -1], g3), o().sgd_momentum_nesterov);
  });
  it("Adam, AMSGrad, clipping, betas and epsilon", () => {
    expectTF(run(new Adam({ learningRate: 0.1 }), [1, -1], g3), o().adam);
    expectTF(run(new Adam({ learningRate: 0.1, amsgrad: true }), [1, -1], g3), o().adam_amsgrad);
    expectTF(run(new Adam({ learningRate: 0.1 }), [1, -1], shrinking), o().adam_shrinking);
    expectTF(run(new Adam({ learningRate: 0.1, amsgrad: true }), [1, -1], shrinking), o().adam_amsgrad_shrinking);
    expectTF(run(new Adam({ learningRate: 0.1, clipvalue: 0.5 }), [1, -1], g3), o().adam_clipvalue);
    expectTF(run(new Adam({ learningRate: 0.1, clipnorm: 1 }), [1, -1], g3), o().adam_clipnorm);
    const [a, b] = run2(new Adam({ learningRate: 0.1, globalClipnorm: 1 }), [[1, -1], [0.5]], g3.map((g) => [g, [1.5]]));
    expectTF(a!, o().adam_global_clipnorm[0]);
    expectTF(b!, o().adam_global_clipnorm[1]);
    expectTF(run(new Adam({ learningRate: 0.05, beta1: 0.5, beta2: 0.6, epsilon: 0.1 }), [1, -1], g3), o().adam_betas_eps);
  });
  it("no option is accepted and ignored: unknown options and two clippings raise ValueError naming them", () => {
    expect(() => new SGD({ learningRate: 0.1, clipValue: 0.3 } as never)).toThrow(ValueError);
    expect(() => new SGD({ learningRate: 0.1, clipValue: 0.3 } as never)).toThrow(/'clipValue'/);
    expect(() => new Adam({ amsGrad: true } as never)).toThrow(/unknown option 'amsGrad'/);
    expect(() => new Adam({ clipnorm: 1, clipvalue: 1 })).toThrow(/only one of clipnorm, clipvalue and globalClipnorm/);
    expect(() => new SGD({ clipnorm: -1 })).toThrow(/clipnorm must be a positive finite number/);
    expect(() => new tf.keras.losses.BinaryCrossentropy({ fromLogit: true } as never)).toThrow(/'fromLogit'/);
    expect(() => new tf.keras.layers.Dense(2, { activaton: "relu" } as never)).toThrow(/'activaton'/);
    expect(() => tf.matmul([[1]], [[1]], { transposeC: true } as never)).toThrow(/'transposeC'/);
    expect(() => tf.gather([1, 2], [0], 0, 1)).toThrow(/batchDims=1 is not supported/);
  });
});

describe("activations: every Keras string, Keras 3 definitions; gelu exact by default", () => {
  const input = fx.activations_input as number[];
  const weights = [[1, 2, 3, 4, 5, 6, 7, 8]];
  for (const name of Object.keys(fx.activations)) {
    it(`'${name}' (value and tape gradient)`, () => {
      const d = new tf.keras.layers.Dense(8, { activation: name, useBias: false, kernelInitializer: (s) => np.eye(s[0]!) });
      const x = tf.constant([input]);
      const t = new tf.GradientTape();
      const y = t.record(() => {
        t.watch(x);
        return d.apply(x) as tf.Tensor;
      });
      expectTF(y, fx.activations[name].value, 2e-5);
      const s = t.gradient(tf.reduceSum(tf.multiply(y, tf.constant(weights))), x);
      expect(s).toBeNull(); // the non-persistent tape stopped recording at gradient: reduceSum was not recorded
      const t2 = new tf.GradientTape();
      const l = t2.record(() => {
        t2.watch(x);
        return tf.reduceSum(tf.multiply(d.apply(x) as tf.Tensor, tf.constant(weights)));
      });
      expectTF(t2.gradient(l, x)!, fx.activations[name].grad, 2e-5);
    });
  }
  it("tf.nn.gelu is exact by default, the tanh form with approximate", () => {
    expectTF(tf.nn.gelu(tf.constant(1.5)), fx.nn_gelu_default_1_5, 1e-6);
    expectTF(tf.nn.gelu(tf.constant(1.5), true), fx.nn_gelu_approximate_1_5, 1e-6);
  });
  it("exact gelu in float64: x/2·(1 + erf(x/√2)) against tabulated erf / erfc values", () => {
    // z, erf(z), erfc(z) (Abramowitz & Stegun / DLMF tables, 16+ digits)
    const table: [number, number, number][] = [
      [0.5, 0.5204998778130465, 0.4795001221869535],
      [1, 0.8427007929497149, 0.15729920705028513],
      [2, 0.9953222650189527, 0.004677734981047266],
      [2.5, 0.999593047982555, 4.069520174449590e-4],
      [3, 0.9999779095030014, 2.209049699858544e-5],
      [3.5, 0.9999992569016276, 7.430983723414128e-7],
      [4, 0.9999999845827421, 1.541725790028002e-8],
      [5, 0.9999999999984626, 1.537459794428035e-12],
    ];
    const xs = table.flatMap(([z]) => [z * Math.SQRT2, -z * Math.SQRT2]);
    const got = Array.from(tf.nn.gelu(np.array(xs, { dtype: "float64" })).dataSync());
    table.forEach(([z, erf, erfc], i) => {
      const x = z * Math.SQRT2;
      expect(Math.abs(got[2 * i]! - (x / 2) * (1 + erf))).toBeLessThan(1e-14 * x);
      // the negative side is −x/2·erfc(z), computed as TensorFlow does, x/2·(1 + erf(−z)): absolute accuracy
      expect(Math.abs(got[2 * i + 1]! - (-x / 2) * erfc)).toBeLessThan(1e-15 * x);
    });
  });
});

describe("losses: Keras 3 epsilon handling (clip p to [ε, 1 − ε], then log)", () => {
  const L = tf.keras.losses;
  const l = () => fx.losses;
  it("BinaryCrossentropy", () => {
    expectTF(new L.BinaryCrossentropy().apply([[1, 0]], [[0, 1]]), l().bce_saturated);
    expectTF(new L.BinaryCrossentropy().apply([[1, 0, 1]], [[0.9, 0.2, 0.4]]), l().bce_mid);
    expectTF(new L.BinaryCrossentropy().apply([[1, 0]], [[1, 0]]), l().bce_exact, 1e-4);
    expectTF(new L.BinaryCrossentropy({ fromLogits: true }).apply([[1, 0]], [[30, -2]]), l().bce_logits);
    const p = tf.constant([[0, 1, 0.5]]);
    const t = new tf.GradientTape();
    const v = t.record(() => (t.watch(p), new L.BinaryCrossentropy().apply([[1, 0, 1]], p)));
    expectTF(t.gradient(v, p)!, [l().bce_saturated_grad]);
  });
  it("CategoricalCrossentropy and SparseCategoricalCrossentropy", () => {
    expectTF(new L.CategoricalCrossentropy().apply([[0, 1, 0]], [[1, 0, 0]]), l().cce_saturated);
    expectTF(new L.CategoricalCrossentropy().apply([[0, 1, 0]], [[0.2, 0.5, 0.3]]), l().cce_mid);
    expectTF(new L.CategoricalCrossentropy().apply([[0, 1, 0]], [[0.4, 1, 0.6]]), l().cce_unnormalised);
    expectTF(new L.SparseCategoricalCrossentropy().apply([1], [[1, 0, 0]]), l().scce_saturated);
    expectTF(new L.SparseCategoricalCrossentropy().apply([1, 2], [[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]), l().scce_mid);
    expectTF(new L.SparseCategoricalCrossentropy().apply([1], [[0.4, 1, 0.6]]), l().scce_unnormalised);
    expectTF(new L.MeanSquaredError().apply([[1, 2], [3, 4]], [[1.5, 2], [2, 6]]), l().mse);
  });
});
