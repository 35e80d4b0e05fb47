// More tf.keras.layers (Keras 3's definitions): shape layers (Flatten, Reshape), Activation,
// merges (Add, Concatenate), Dropout and BatchNormalization (which honour `training`),
// LayerNormalization and Embedding. Every computation is compat ops, so tapes record it.
import { ValueError, type ArrayLike, type Tensor } from "../../index.js";
import { checkOptions, describe } from "../errors.js";
import * as ops from "../ops.js";
import * as random from "../random.js";
import { Variable } from "../variable.js";
import { Layer, getActivation, type ActivationLike, type LayerOptions } from "./layers.js";

const BASE = ["name", "trainable", "dtype"];
/** The `training` flag of call's options (false when absent, as Keras's inference default). */
const isTraining = (o: unknown) => o !== null && typeof o === "object" && (o as { training?: unknown }).training === true;

/**
 * Flattens every axis but the batch axis: [b, d₁, …] → [b, d₁·…]. Mirrors tf.keras.layers.Flatten.
 * @example
 * ```ts
 * new tf.keras.layers.Flatten().apply(tf.zeros([2, 3, 4])).shape; // → [2, 12]
 * ```
 */
export class Flatten extends Layer {
  constructor(opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Flatten", opts, BASE);
  }
  /**
   * Flattens x to [b, −1].
   * @example
   * ```ts
   * new tf.keras.layers.Flatten().call(tf.zeros([2, 2, 2])).shape; // → [2, 4]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const t = ops.convertToTensor(x);
    return ops.reshape(t, [t.shape[0] ?? 1, t.shape.slice(1).reduce((a, b) => a * b, 1)]);
  }
}

/**
 * Reshapes each example to `targetShape` (one entry may be −1). Mirrors tf.keras.layers.Reshape.
 * @example
 * ```ts
 * new tf.keras.layers.Reshape([2, -1]).apply(tf.zeros([3, 8])).shape; // → [3, 2, 4]
 * ```
 */
export class Reshape extends Layer {
  /**
   * The per-example shape.
   * @example
   * ```ts
   * new tf.keras.layers.Reshape([4, 1]).targetShape; // → [4, 1]
   * ```
   */
  readonly targetShape: number[];
  constructor(targetShape: number[], opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Reshape", opts, BASE);
    if (!Array.isArray(targetShape) || targetShape.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
      throw new ValueError({ message: `tf.keras.layers.Reshape: targetShape must be a list of positive integers (one may be -1), got ${describe(targetShape)}.` });
    }
    this.targetShape = [...targetShape];
  }
  /**
   * Reshapes x to [b, ...targetShape].
   * @example
   * ```ts
   * new tf.keras.layers.Reshape([3]).call(tf.zeros([1, 3, 1])).shape; // → [1, 3]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const t = ops.convertToTensor(x);
    return ops.reshape(t, [t.shape[0]!, ...this.targetShape]);
  }
}

/**
 * Applies an activation (a Keras name such as "relu", or a function). Mirrors
 * tf.keras.layers.Activation.
 * @example
 * ```ts
 * new tf.keras.layers.Activation("relu").apply(tf.constant([-1, 2])); // → [0, 2]
 * ```
 */
export class Activation extends Layer {
  readonly #f: (x: Tensor) => Tensor;
  constructor(activation: ActivationLike, opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Activation", opts, BASE);
    this.#f = getActivation(activation);
  }
  /**
   * Applies the activation.
   * @example
   * ```ts
   * new tf.keras.layers.Activation("linear").call(tf.constant([-1])); // → [-1]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    return this.#f(ops.convertToTensor(x));
  }
}

/**
 * The elementwise sum of a list of inputs of one shape. Mirrors tf.keras.layers.Add.
 * @example
 * ```ts
 * new tf.keras.layers.Add().apply([tf.constant([1, 2]), tf.constant([10, 20])]); // → [11, 22]
 * ```
 */
export class Add extends Layer {
  constructor(opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Add", opts, BASE);
  }
  /**
   * Sums the inputs.
   * @example
   * ```ts
   * new tf.keras.layers.Add().call([tf.constant([1]), tf.constant([2])]); // → [3]
   * ```
   */
  override call(inputs: ArrayLike[]): Tensor {
    if (!Array.isArray(inputs) || inputs.length < 1) throw new ValueError({ message: `tf.keras.layers.Add: expects a list of at least 1 input, got ${describe(inputs)}.` });
    return ops.addN(inputs);
  }
}

/**
 * Concatenates a list of inputs along `axis` (−1 by default). Mirrors tf.keras.layers.Concatenate.
 * @example
 * ```ts
 * new tf.keras.layers.Concatenate().apply([tf.zeros([2, 1]), tf.ones([2, 3])]).shape; // → [2, 4]
 * ```
 */
export class Concatenate extends Layer {
  /**
   * The concatenation axis.
   * @example
   * ```ts
   * new tf.keras.layers.Concatenate({ axis: 1 }).axis; // → 1
   * ```
   */
  readonly axis: number;
  constructor(opts: LayerOptions & { axis?: number } = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Concatenate", opts, [...BASE, "axis"]);
    this.axis = opts.axis ?? -1;
  }
  /**
   * Concatenates the inputs.
   * @example
   * ```ts
   * new tf.keras.layers.Concatenate().call([tf.constant([[1]]), tf.constant([[2]])]); // → [[1, 2]]
   * ```
   */
  override call(inputs: ArrayLike[]): Tensor {
    if (!Array.isArray(inputs)) throw new ValueError({ message: `tf.keras.layers.Concatenate: expects a list of inputs, got ${describe(inputs)}.` });
    const ts = inputs.map((x) => ops.convertToTensor(x));
    return ops.concat(ts, this.axis < 0 ? this.axis + ts[0]!.ndim : this.axis);
  }
}

/**
 * Dropout: in training (`apply(x, { training: true })`) each element is zeroed with probability
 * `rate` and the rest scaled by 1/(1 − rate); otherwise the identity. Mirrors
 * tf.keras.layers.Dropout.
 * @example
 * ```ts
 * const d = new tf.keras.layers.Dropout(0.5, { seed: 3 });
 * d.apply(tf.ones([4])); // → [1, 1, 1, 1]
 * tf.reduceSum(tf.notEqual(d.apply(tf.ones([1000]), { training: true }), 0)).item() > 400; // → true
 * ```
 */
export class Dropout extends Layer {
  /**
   * The fraction of elements dropped in training.
   * @example
   * ```ts
   * new tf.keras.layers.Dropout(0.25).rate; // → 0.25
   * ```
   */
  readonly rate: number;
  readonly #seed: number | undefined;
  constructor(rate: number, opts: LayerOptions & { seed?: number } = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Dropout", opts, [...BASE, "seed"]);
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) throw new ValueError({ message: `Invalid value received for argument \`rate\`. Expected a float value between 0 and 1. Received: rate=${describe(rate)}` });
    this.rate = rate;
    this.#seed = opts.seed;
  }
  /**
   * Drops elements in training, the identity otherwise.
   * @example
   * ```ts
   * new tf.keras.layers.Dropout(0.9).call(tf.constant([2])); // → [2]
   * ```
   */
  override call(x: ArrayLike, opts?: { training?: boolean }): Tensor {
    const t = ops.convertToTensor(x);
    if (!isTraining(opts) || this.rate === 0) return t;
    if (this.rate === 1) return ops.zerosLike(t);
    // a seeded layer draws a fresh mask each call (seed, then the stream after it), as Keras's SeedGenerator
    const u = random.uniform(t.shape, { dtype: t.dtype, seed: this.#calls++ === 0 ? this.#seed : undefined });
    const keep = ops.cast(ops.greaterEqual(u, this.rate), t.dtype);
    return ops.multiply(t, ops.multiply(keep, 1 / (1 - this.rate)));
  }
  #calls = 0;
}

/** Normalises over the last axis: (x − mean)/√(var + ε)·γ + β, the statistics `stats` gives. */
function normalizeLast(x: Tensor, mean: Tensor, variance: Tensor, eps: number, gamma: Variable | null, beta: Variable | null): Tensor {
  let y = ops.multiply(ops.subtract(x, mean), ops.rsqrt(ops.add(variance, eps)));
  if (gamma) y = ops.multiply(y, gamma);
  if (beta) y = ops.add(y, beta);
  return y;
}

/**
 * Normalises each example over its last axis: (x − mean)/√(var + ε)·γ + β (ε 1e-3, γ ones, β
 * zeros, learned). Mirrors tf.keras.layers.LayerNormalization (axis −1).
 * @example
 * ```ts
 * new tf.keras.layers.LayerNormalization({ epsilon: 0 }).apply(tf.constant([[1, 3]])); // → [[-1, 1]]
 * ```
 */
export class LayerNormalization extends Layer {
  /**
   * The ε added to the variance.
   * @example
   * ```ts
   * new tf.keras.layers.LayerNormalization().epsilon; // → 0.001
   * ```
   */
  readonly epsilon: number;
  /**
   * The learned scale γ (null with scale: false).
   * @example
   * ```ts
   * const l = new tf.keras.layers.LayerNormalization();
   * l.apply(tf.ones([1, 2]));
   * l.gamma!.value(); // → [1, 1]
   * ```
   */
  gamma: Variable | null = null;
  /**
   * The learned offset β (null with center: false).
   * @example
   * ```ts
   * const l = new tf.keras.layers.LayerNormalization();
   * l.apply(tf.ones([1, 2]));
   * l.beta!.value(); // → [0, 0]
   * ```
   */
  beta: Variable | null = null;
  readonly #center: boolean;
  readonly #scale: boolean;
  constructor(opts: LayerOptions & { epsilon?: number; center?: boolean; scale?: boolean } = {}) {
    super(opts);
    checkOptions("tf.keras.layers.LayerNormalization", opts, [...BASE, "epsilon", "center", "scale"]);
    this.epsilon = opts.epsilon ?? 1e-3;
    this.#center = opts.center ?? true;
    this.#scale = opts.scale ?? true;
  }
  /**
   * Creates γ and β over the last axis.
   * @example
   * ```ts
   * const l = new tf.keras.layers.LayerNormalization();
   * l.build([2, 5]);
   * l.gamma!.shape; // → [5]
   * ```
   */
  override build(shape: number[]): void {
    const c = shape[shape.length - 1]!;
    if (this.#scale) this.gamma = this.addWeight("gamma", [c], { initializer: "ones" });
    if (this.#center) this.beta = this.addWeight("beta", [c], { initializer: "zeros" });
  }
  /**
   * Normalises x over its last axis.
   * @example
   * ```ts
   * new tf.keras.layers.LayerNormalization({ epsilon: 0, center: false, scale: false }).apply(tf.constant([[2, 4]])); // → [[-1, 1]]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const t = ops.convertToTensor(x);
    const mean = ops.reduceMean(t, -1, true);
    const variance = ops.reduceMean(ops.square(ops.subtract(t, mean)), -1, true);
    return normalizeLast(t, mean, variance, this.epsilon, this.gamma, this.beta);
  }
}

/**
 * Batch normalization over every axis but the last: in training, normalises with the batch's
 * mean and (biased) variance and moves the moving statistics toward them (m ← m·momentum +
 * batch·(1 − momentum)); in inference, normalises with the moving statistics. Mirrors
 * tf.keras.layers.BatchNormalization (axis −1, momentum 0.99, ε 1e-3).
 * @example
 * ```ts
 * const bn = new tf.keras.layers.BatchNormalization({ epsilon: 0, momentum: 0.5 });
 * bn.apply(tf.constant([[1], [3]]), { training: true }); // → [[-1], [1]]
 * bn.movingMean.value(); // → [1]
 * ```
 */
export class BatchNormalization extends Layer {
  /**
   * The moving statistics' decay.
   * @example
   * ```ts
   * new tf.keras.layers.BatchNormalization().momentum; // → 0.99
   * ```
   */
  readonly momentum: number;
  /**
   * The ε added to the variance.
   * @example
   * ```ts
   * new tf.keras.layers.BatchNormalization().epsilon; // → 0.001
   * ```
   */
  readonly epsilon: number;
  /**
   * The learned scale γ (null with scale: false).
   * @example
   * ```ts
   * const l = new tf.keras.layers.BatchNormalization();
   * l.apply(tf.ones([1, 2]));
   * l.gamma!.value(); // → [1, 1]
   * ```
   */
  gamma: Variable | null = null;
  /**
   * The learned offset β (null with center: false).
   * @example
   * ```ts
   * const l = new tf.keras.layers.BatchNormalization();
   * l.apply(tf.ones([1, 2]));
   * l.beta!.value(); // → [0, 0]
   * ```
   */
  beta: Variable | null = null;
  /**
   * The moving mean (non-trainable, zeros at first).
   * @example
   * ```ts
   * const bn = new tf.keras.layers.BatchNormalization();
   * bn.apply(tf.ones([1, 2]));
   * bn.movingMean.value(); // → [0, 0]
   * ```
   */
  movingMean!: Variable;
  /**
   * The moving variance (non-trainable, ones at first).
   * @example
   * ```ts
   * const bn = new tf.keras.layers.BatchNormalization();
   * bn.apply(tf.ones([1, 2]));
   * bn.movingVariance.value(); // → [1, 1]
   * ```
   */
  movingVariance!: Variable;
  readonly #center: boolean;
  readonly #scale: boolean;
  constructor(opts: LayerOptions & { momentum?: number; epsilon?: number; center?: boolean; scale?: boolean } = {}) {
    super(opts);
    checkOptions("tf.keras.layers.BatchNormalization", opts, [...BASE, "momentum", "epsilon", "center", "scale"]);
    this.momentum = opts.momentum ?? 0.99;
    this.epsilon = opts.epsilon ?? 1e-3;
    this.#center = opts.center ?? true;
    this.#scale = opts.scale ?? true;
  }
  /**
   * Creates γ, β and the moving statistics over the last axis.
   * @example
   * ```ts
   * const b = new tf.keras.layers.BatchNormalization();
   * b.build([2, 3]);
   * b.movingVariance.shape; // → [3]
   * ```
   */
  override build(shape: number[]): void {
    const c = [shape[shape.length - 1]!];
    if (this.#scale) this.gamma = this.addWeight("gamma", c, { initializer: "ones" });
    if (this.#center) this.beta = this.addWeight("beta", c, { initializer: "zeros" });
    this.movingMean = this.addWeight("moving_mean", c, { initializer: "zeros", trainable: false });
    this.movingVariance = this.addWeight("moving_variance", c, { initializer: "ones", trainable: false });
  }
  /**
   * Normalises x with the batch (training) or moving (inference) statistics.
   * @example
   * ```ts
   * const b = new tf.keras.layers.BatchNormalization({ epsilon: 0 });
   * b.apply(tf.constant([[3]])); // → [[3]]
   * ```
   */
  override call(x: ArrayLike, opts?: { training?: boolean }): Tensor {
    const t = ops.convertToTensor(x);
    if (!isTraining(opts)) return normalizeLast(t, this.movingMean.value(), this.movingVariance.value(), this.epsilon, this.gamma, this.beta);
    const axes = Array.from({ length: t.ndim - 1 }, (_, i) => i);
    const mean = ops.reduceMean(t, axes);
    const variance = ops.reduceMean(ops.square(ops.subtract(t, mean)), axes);
    const m = this.momentum;
    // the moving statistics are state, not part of the differentiated computation
    this.movingMean.assign(ops.add(ops.multiply(this.movingMean.value(), m), ops.multiply(ops.stopGradient(mean), 1 - m)));
    this.movingVariance.assign(ops.add(ops.multiply(this.movingVariance.value(), m), ops.multiply(ops.stopGradient(variance), 1 - m)));
    return normalizeLast(t, mean, variance, this.epsilon, this.gamma, this.beta);
  }
}

/**
 * Looks up rows of a learned [inputDim, outputDim] table by integer index (initialised
 * U(−0.05, 0.05)). Mirrors tf.keras.layers.Embedding.
 * @example
 * ```ts
 * const e = new tf.keras.layers.Embedding(10, 3);
 * e.apply(tf.constant([[1, 2], [3, 1]], { dtype: "int32" })).shape; // → [2, 2, 3]
 * ```
 */
export class Embedding extends Layer {
  /**
   * The table: one row of outputDim per index.
   * @example
   * ```ts
   * const e = new tf.keras.layers.Embedding(4, 2);
   * e.apply(tf.constant([0], { dtype: "int32" }));
   * e.embeddings.shape; // → [4, 2]
   * ```
   */
  embeddings!: Variable;
  readonly #inputDim: number;
  readonly #outputDim: number;
  constructor(inputDim: number, outputDim: number, opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Embedding", opts, BASE);
    for (const [k, v] of [["inputDim", inputDim], ["outputDim", outputDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ValueError({ message: `tf.keras.layers.Embedding: ${k} must be a positive integer, got ${describe(v)}.` });
    }
    this.#inputDim = inputDim;
    this.#outputDim = outputDim;
  }
  /**
   * Creates the [inputDim, outputDim] table.
   * @example
   * ```ts
   * const e = new tf.keras.layers.Embedding(3, 2);
   * e.build();
   * e.embeddings.shape; // → [3, 2]
   * ```
   */
  override build(): void {
    this.embeddings = this.addWeight("embeddings", [this.#inputDim, this.#outputDim], { initializer: "randomUniform" });
  }
  /**
   * Gathers the rows of the table at the integer inputs.
   * @example
   * ```ts
   * const e = new tf.keras.layers.Embedding(3, 2);
   * e.apply(tf.constant([2], { dtype: "int32" })).shape; // → [1, 2]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    return ops.gather(this.embeddings, ops.cast(x, "int32"));
  }
}
