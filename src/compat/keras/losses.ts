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

export abstract class Loss {
  /** The batch mean of the per-example losses (weighted by sampleWeight when given). */
  apply(yTrue: ArrayLike, yPred: ArrayLike, sampleWeight?: ArrayLike): Tensor {
    return named(`tf.keras.losses.${this.constructor.name}.apply`, () => {
      const per = this.call(yTrue, yPred);
      if (sampleWeight === undefined) return reduceMean(per);
      const w = run1(([w, p]) => np.broadcastTo(np.astype(w, p.dtype), p.shape), [sampleWeight, per]);
      return divide(reduceSum(multiply(per, w)), per.size);
    });
  }
  /** Per-example losses (the last axis reduced). */
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

/** mean((yPred − yTrue)², axis = −1) */
export class MeanSquaredError extends Loss {
  constructor(opts: object = {}) {
    super();
    checkOptions("tf.keras.losses.MeanSquaredError", opts, []);
  }
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    return reduceMean(square(subtract(yPred, matched(yTrue, yPred))), -1);
  }
}
/** mean(|yPred − yTrue|, axis = −1) */
export class MeanAbsoluteError extends Loss {
  constructor(opts: object = {}) {
    super();
    checkOptions("tf.keras.losses.MeanAbsoluteError", opts, []);
  }
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    return reduceMean(abs(subtract(yPred, matched(yTrue, yPred))), -1);
  }
}

export interface CrossentropyOptions {
  fromLogits?: boolean;
}

/** The crossentropies: `fromLogits` says whether yPred is logits or probabilities. */
abstract class CrossentropyLoss extends Loss {
  readonly fromLogits: boolean;
  constructor(opts: CrossentropyOptions = {}) {
    super();
    checkOptions(`tf.keras.losses.${new.target.name}`, opts, ["fromLogits"]);
    this.fromLogits = opts.fromLogits ?? false;
  }
}

/** −Σ yTrue·log p over the classes; p = softmax(yPred) with fromLogits, else yPred renormalised and clipped to [ε, 1 − ε]. */
export class CategoricalCrossentropy extends CrossentropyLoss {
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
 */
export class SparseCategoricalCrossentropy extends CrossentropyLoss {
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const pred = shapeOf(yPred);
    let labels = yTrue instanceof Tensor ? yTrue : np.asarray(yTrue);
    if (labels.ndim === pred.length && labels.shape[labels.ndim - 1] === 1) labels = squeeze(labels, -1);
    checkLabels("labels", labels, pred[pred.length - 1]!);
    const logits = this.fromLogits ? yPred : log(clipByValue(yPred, EPSILON, 1 - EPSILON));
    return nn.sparseSoftmaxCrossEntropyWithLogits({ labels: cast(labels, "int32"), logits });
  }
}

/** −mean(y·log p + (1 − y)·log(1 − p)) over the last axis; p = σ(yPred) with fromLogits, else yPred clipped to [ε, 1 − ε] (Keras 3). */
export class BinaryCrossentropy extends CrossentropyLoss {
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const y = matched(yTrue, yPred);
    if (this.fromLogits) return reduceMean(nn.sigmoidCrossEntropyWithLogits({ labels: y, logits: yPred }), -1);
    const p = clipByValue(yPred, EPSILON, 1 - EPSILON);
    const ll = add(multiply(y, log(p)), multiply(subtract(1, y), log(subtract(1, p))));
    return negative(reduceMean(ll, -1));
  }
}

