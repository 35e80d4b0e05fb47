// tf.keras.losses: per-example losses averaged over the batch (Keras's default reduction,
// sum over batch size), applied with loss.apply(yTrue, yPred, sampleWeight?). Epsilon handling
// is Keras 3's: probabilities are clipped to [ε, 1 − ε] (ε = 1e-7) and then logged, nothing is
// added inside the log (Keras 2 added ε there: BinaryCrossentropy of [[1, 0]] vs [[0, 1]] is
// 16.03024 in Keras 3, 15.37909 with the Keras 2 form).
import { Tensor, ValueError, numpy as np, type ArrayLike } from "../../index.js";
import { checkLabels, checkOptions, named, shapeText } from "../errors.js";
import * as nn from "../nn.js";
import { cast, clipByValue, divide, log, multiply, negative, reduceMean, reduceSum, square, subtract, abs, add, squeeze, expandDims } from "../ops.js";
import { run1 } from "../runtime.js";

/** Keras's backend.epsilon(). */
export const EPSILON = 1e-7;

const shapeOf = (x: ArrayLike): readonly number[] => (x instanceof Tensor ? x.shape : np.asarray(x).shape);

/**
 * The base of the Keras losses: `call` gives the per-example losses, `apply` their batch mean
 * (weighted by `sampleWeight`). Subclass it for a custom loss. Mirrors `tf.keras.losses.Loss`.
 *
 * @example
 * ```ts
 * class Squares extends tf.keras.losses.Loss {
 *   call(yTrue: Tensor, yPred: Tensor) {
 *     return tf.reduceSum(tf.square(tf.subtract(yPred, yTrue)), -1);
 *   }
 * }
 * new Squares().apply(tf.constant([[0, 0], [1, 1]]), tf.constant([[1, 1], [1, 1]])).item(); // → 1
 * ```
 */
export abstract class Loss {
  /**
   * The batch mean of the per-example losses (weighted by `sampleWeight` when given: Σ w·loss / n,
   * Keras's sum-over-batch-size reduction).
   *
   * @example
   * ```ts
   * new tf.keras.losses.MeanSquaredError().apply([[0], [2]], [[1], [1]], [1, 0]).item(); // → 0.5
   * ```
   */
  apply(yTrue: ArrayLike, yPred: ArrayLike, sampleWeight?: ArrayLike): Tensor {
    return named(`tf.keras.losses.${this.constructor.name}.apply`, () => {
      const per = this.call(yTrue, yPred);
      if (sampleWeight === undefined) return reduceMean(per);
      const w = run1(([w, p]) => np.broadcastTo(np.astype(w, p.dtype), p.shape), [sampleWeight, per]);
      return divide(reduceSum(multiply(per, w)), per.size);
    });
  }
  /**
   * The per-example losses (the last axis reduced).
   *
   * @example
   * ```ts
   * new tf.keras.losses.MeanAbsoluteError().call([[1, 2], [0, 0]], [[1, 4], [1, 1]]); // → [1, 1]
   * ```
   */
  abstract call(yTrue: ArrayLike, yPred: ArrayLike): Tensor;
}

/**
 * yTrue in yPred's dtype, at yPred's rank as Keras's squeeze_or_expand_to_same_rank makes it
 * (a trailing axis of 1 dropped or added); other shapes must match exactly.
 */
export function matched(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
  const p = shapeOf(yPred);
  let y = cast(yTrue, np.asarray(yPred).dtype);
  if (y.ndim === p.length + 1 && y.shape[y.ndim - 1] === 1) y = squeeze(y, -1);
  else if (y.ndim + 1 === p.length && p[p.length - 1] === 1) y = expandDims(y, -1);
  if (y.ndim !== p.length || y.shape.some((d, i) => d !== p[i])) {
    throw new ValueError({ message: `yTrue of shape ${shapeText(shapeOf(yTrue))} does not match yPred of shape ${shapeText(p)}; give labels shaped like the predictions.` });
  }
  return y;
}

/**
 * mean((yPred − yTrue)²) over the last axis per example; `apply` averages over the batch. yTrue and
 * yPred must have one shape (a ValueError otherwise). Mirrors `tf.keras.losses.MeanSquaredError`.
 *
 * @example
 * ```ts
 * new tf.keras.losses.MeanSquaredError().apply([[0, 1]], [[1, 1]]).item(); // → 0.5
 * ```
 */
export class MeanSquaredError extends Loss {
  constructor(opts: object = {}) {
    super();
    checkOptions("tf.keras.losses.MeanSquaredError", opts, []);
  }
  /**
   * The per-example losses (the last axis reduced).
   *
   * @example
   * ```ts
   * new tf.keras.losses.MeanSquaredError().call([[0, 0]], [[1, 3]]); // → [5]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    return reduceMean(square(subtract(yPred, matched(yTrue, yPred))), -1);
  }
}
/**
 * mean(|yPred − yTrue|) over the last axis per example; `apply` averages over the batch. Mirrors
 * `tf.keras.losses.MeanAbsoluteError`.
 *
 * @example
 * ```ts
 * new tf.keras.losses.MeanAbsoluteError().apply([[0, 0]], [[1, -3]]).item(); // → 2
 * ```
 */
export class MeanAbsoluteError extends Loss {
  constructor(opts: object = {}) {
    super();
    checkOptions("tf.keras.losses.MeanAbsoluteError", opts, []);
  }
  /**
   * The per-example losses (the last axis reduced).
   *
   * @example
   * ```ts
   * new tf.keras.losses.MeanAbsoluteError().call([[0, 0]], [[1, -3]]); // → [2]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    return reduceMean(abs(subtract(yPred, matched(yTrue, yPred))), -1);
  }
}

export interface CrossentropyOptions {
  fromLogits?: boolean;
}

/** The crossentropies: `fromLogits` says whether yPred is logits or probabilities. */
abstract class CrossentropyLoss extends Loss {
  /**
   * Whether yPred holds logits (true) or probabilities (false, the default).
   *
   * @example
   * ```ts
   * new tf.keras.losses.CategoricalCrossentropy({ fromLogits: true }).fromLogits; // → true
   * ```
   */
  readonly fromLogits: boolean;
  constructor(opts: CrossentropyOptions = {}) {
    super();
    checkOptions(`tf.keras.losses.${new.target.name}`, opts, ["fromLogits"]);
    this.fromLogits = opts.fromLogits ?? false;
  }
}

/**
 * −Σ yTrue·log p over the classes, for one-hot (or probability) labels; p = softmax(yPred) with
 * `fromLogits`, else yPred renormalised and clipped to [ε, 1 − ε] (ε = 1e-7). Mirrors
 * `tf.keras.losses.CategoricalCrossentropy`.
 *
 * @example
 * ```ts
 * new tf.keras.losses.CategoricalCrossentropy().apply([[0, 1]], [[0.5, 0.5]]).item(); // → 0.6931472
 * ```
 */
export class CategoricalCrossentropy extends CrossentropyLoss {
  /**
   * The per-example losses (the class axis reduced).
   *
   * @example
   * ```ts
   * new tf.keras.losses.CategoricalCrossentropy({ fromLogits: true }).call([[0, 1]], [[0, 0]]); // → [0.6931472]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const y = matched(yTrue, yPred);
    if (this.fromLogits) return nn.softmaxCrossEntropyWithLogits({ labels: y, logits: yPred });
    const p = clipByValue(divide(yPred, reduceSum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    return negative(reduceSum(multiply(y, log(p)), -1));
  }
}

/**
 * Integer labels: −log p[label]; p = softmax(yPred) with fromLogits, else log of yPred clipped to
 * [ε, 1 − ε] (renormalised by the softmax). Labels must be integers in [0, classes): 5 of 3
 * classes, −1, 1.5 and NaN raise a ValueError (TensorFlow raises for out-of-range labels).
 * Mirrors `tf.keras.losses.SparseCategoricalCrossentropy`.
 *
 * @example
 * ```ts
 * new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }).apply([1], [[0, 0]]).item(); // → 0.6931472
 * ```
 */
export class SparseCategoricalCrossentropy extends CrossentropyLoss {
  /**
   * The per-example losses (the class axis reduced).
   *
   * @example
   * ```ts
   * new tf.keras.losses.SparseCategoricalCrossentropy().call([0, 1], [[0.5, 0.5], [0.5, 0.5]]); // → [0.6931472, 0.6931472]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const pred = shapeOf(yPred);
    let labels = yTrue instanceof Tensor ? yTrue : np.asarray(yTrue);
    if (labels.ndim === pred.length && labels.shape[labels.ndim - 1] === 1) labels = squeeze(labels, -1);
    checkLabels("labels", labels, pred[pred.length - 1]!);
    const logits = this.fromLogits ? yPred : log(clipByValue(yPred, EPSILON, 1 - EPSILON));
    return nn.sparseSoftmaxCrossEntropyWithLogits({ labels: cast(labels, "int32"), logits });
  }
}

/**
 * −mean(y·log p + (1 − y)·log(1 − p)) over the last axis; p = σ(yPred) with `fromLogits`, else
 * yPred clipped to [ε, 1 − ε] (Keras 3). Mirrors `tf.keras.losses.BinaryCrossentropy`.
 *
 * @example
 * ```ts
 * new tf.keras.losses.BinaryCrossentropy().apply([[1, 0]], [[0.5, 0.5]]).item(); // → 0.6931472
 * ```
 */
export class BinaryCrossentropy extends CrossentropyLoss {
  /**
   * The per-example losses (the last axis reduced).
   *
   * @example
   * ```ts
   * new tf.keras.losses.BinaryCrossentropy({ fromLogits: true }).call([[1]], [[0]]); // → [0.6931472]
   * ```
   */
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const y = matched(yTrue, yPred);
    if (this.fromLogits) return reduceMean(nn.sigmoidCrossEntropyWithLogits({ labels: y, logits: yPred }), -1);
    const p = clipByValue(yPred, EPSILON, 1 - EPSILON);
    const ll = add(multiply(y, log(p)), multiply(subtract(1, y), log(subtract(1, p))));
    return negative(reduceMean(ll, -1));
  }
}

