// More tf.keras.losses (Keras 3's definitions): Huber, KLDivergence, CosineSimilarity, LogCosh.
// Each is a per-example loss over the last axis; Loss.apply averages it over the batch.
import { ValueError, type ArrayLike, type Tensor } from "../../index.js";
import { checkOptions, describe } from "../errors.js";
import * as nn from "../nn.js";
import { abs, clipByValue, divide, log, minimum, multiply, negative, reduceMean, reduceSum, rsqrt, square, subtract, where, lessEqual, add } from "../ops.js";
import { EPSILON, Loss, matched } from "./losses.js";

/**
 * Huber loss: mean over the last axis of ½e² where |e| ≤ δ, else δ·|e| − ½δ² (e = yPred − yTrue).
 * Mirrors tf.keras.losses.Huber (delta 1).
 * @example
 * ```ts
 * new tf.keras.losses.Huber().apply([[0, 0]], [[0.5, 3]]).item(); // → 1.3125
 * ```
 */
export class Huber extends Loss {
  /**
   * The threshold δ between the quadratic and the linear part.
   * @example
   * ```ts
   * new tf.keras.losses.Huber({ delta: 2 }).delta; // → 2
   * ```
   */
  readonly delta: number;
  constructor(opts: { delta?: number } = {}) {
    super();
    checkOptions("tf.keras.losses.Huber", opts, ["delta"]);
    this.delta = opts.delta ?? 1;
    if (typeof this.delta !== "number" || !(this.delta >= 0)) throw new ValueError({ message: `tf.keras.losses.Huber: delta must be a number ≥ 0, got ${describe(this.delta)}.` });
  }
  /**
   * Per-example Huber losses.
   * @example
   * ```ts
   * new tf.keras.losses.Huber().call([[0], [0]], [[0.5], [3]]); // → [0.125, 2.5]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const e = subtract(yPred, matched(yTrue, yPred));
    const a = abs(e);
    const d = this.delta;
    return reduceMean(where(lessEqual(a, d), multiply(square(e), 0.5), subtract(multiply(a, d), 0.5 * d * d)), -1);
  }
}

/**
 * Kullback–Leibler divergence Σ y·log(y/p) over the last axis, y and p clipped to [ε, 1].
 * Mirrors tf.keras.losses.KLDivergence.
 * @example
 * ```ts
 * new tf.keras.losses.KLDivergence().apply([[0.5, 0.5]], [[0.25, 0.75]]).item(); // → 0.1438410
 * ```
 */
export class KLDivergence extends Loss {
  constructor(opts: object = {}) {
    super();
    checkOptions("tf.keras.losses.KLDivergence", opts, []);
  }
  /**
   * Per-example divergences.
   * @example
   * ```ts
   * new tf.keras.losses.KLDivergence().call([[1, 0]], [[1, 0]]); // → [0]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const y = clipByValue(matched(yTrue, yPred), EPSILON, 1);
    const p = clipByValue(yPred, EPSILON, 1);
    return reduceSum(multiply(y, log(divide(y, p))), -1);
  }
}

/** x / ‖x‖ along `axis`, the inverse norm capped at 1/ε (Keras 3's ops.normalize). */
function normalize(x: Tensor, axis: number): Tensor {
  return multiply(x, minimum(rsqrt(reduceSum(square(x), axis, true)), 1 / EPSILON));
}

/**
 * Negative cosine similarity along `axis`: −Σ ŷ·p̂ with both normalised (−1 for parallel
 * vectors). Mirrors tf.keras.losses.CosineSimilarity (axis −1).
 * @example
 * ```ts
 * new tf.keras.losses.CosineSimilarity().apply([[1, 0], [0, 1]], [[2, 0], [1, 1]]).item(); // → -0.8535534
 * ```
 */
export class CosineSimilarity extends Loss {
  /**
   * The axis along which the similarity is computed.
   * @example
   * ```ts
   * new tf.keras.losses.CosineSimilarity().axis; // → -1
   * ```
   */
  readonly axis: number;
  constructor(opts: { axis?: number } = {}) {
    super();
    checkOptions("tf.keras.losses.CosineSimilarity", opts, ["axis"]);
    this.axis = opts.axis ?? -1;
  }
  /**
   * Per-example negative cosine similarities.
   * @example
   * ```ts
   * new tf.keras.losses.CosineSimilarity().call([[1, 0]], [[-3, 0]]); // → [1]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const y = matched(yTrue, yPred);
    return negative(reduceSum(multiply(normalize(y, this.axis), normalize(yPred as Tensor, this.axis)), this.axis));
  }
}

/**
 * log(cosh(e)) averaged over the last axis (e = yPred − yTrue), computed stably as
 * e + softplus(−2e) − log 2. Mirrors tf.keras.losses.LogCosh.
 * @example
 * ```ts
 * new tf.keras.losses.LogCosh().apply([[0, 0]], [[1, -2]]).item(); // → 0.8793918
 * ```
 */
export class LogCosh extends Loss {
  constructor(opts: object = {}) {
    super();
    checkOptions("tf.keras.losses.LogCosh", opts, []);
  }
  /**
   * Per-example log-cosh losses.
   * @example
   * ```ts
   * new tf.keras.losses.LogCosh().call([[0]], [[0]]); // → [0]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const e = subtract(yPred, matched(yTrue, yPred));
    return reduceMean(subtract(add(e, nn.softplus(multiply(e, -2))), Math.LN2), -1);
  }
}
