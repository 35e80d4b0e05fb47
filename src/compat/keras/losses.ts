// tf.keras.losses: per-example losses averaged over the batch (Keras's default reduction,
// sum over batch size), applied with loss.apply(yTrue, yPred, sampleWeight?).
import { Tensor, numpy as np, type ArrayLike } from "../../index.js";
import * as nn from "../nn.js";
import { cast, clipByValue, divide, log, multiply, negative, reduceMean, reduceSum, square, subtract, abs, add } from "../ops.js";
import { run1 } from "../runtime.js";

const EPSILON = 1e-7;

export abstract class Loss {
  /** The batch mean of the per-example losses (weighted by sampleWeight when given). */
  apply(yTrue: ArrayLike, yPred: ArrayLike, sampleWeight?: ArrayLike): Tensor {
    const per = this.call(yTrue, yPred);
    if (sampleWeight === undefined) return reduceMean(per);
    const w = run1(([w, p]) => np.broadcastTo(np.astype(w, p.dtype), p.shape), [sampleWeight, per]);
    return divide(reduceSum(multiply(per, w)), per.size);
  }
  /** Per-example losses (the last axis reduced). */
  abstract call(yTrue: ArrayLike, yPred: ArrayLike): Tensor;
}

const like = (yTrue: ArrayLike, yPred: ArrayLike): Tensor => cast(yTrue, np.asarray(yPred).dtype);

/** mean((yPred − yTrue)², axis = −1) */
export class MeanSquaredError extends Loss {
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    return reduceMean(square(subtract(yPred, like(yTrue, yPred))), -1);
  }
}
/** mean(|yPred − yTrue|, axis = −1) */
export class MeanAbsoluteError extends Loss {
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    return reduceMean(abs(subtract(yPred, like(yTrue, yPred))), -1);
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
    this.fromLogits = opts.fromLogits ?? false;
  }
}

/** −Σ yTrue·log p over the classes; p = softmax(yPred) with fromLogits, else yPred renormalised and clipped. */
export class CategoricalCrossentropy extends CrossentropyLoss {
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const y = like(yTrue, yPred);
    if (this.fromLogits) return nn.softmaxCrossEntropyWithLogits({ labels: y, logits: yPred });
    const p = clipByValue(divide(yPred, reduceSum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    return negative(reduceSum(multiply(y, log(p)), -1));
  }
}

/** Integer labels: −log p[label]; p = softmax(yPred) with fromLogits, else yPred clipped. */
export class SparseCategoricalCrossentropy extends CrossentropyLoss {
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const pred = np.asarray(yPred);
    let labels = cast(yTrue, "int32");
    if (labels.ndim === pred.ndim) labels = run1(([l]) => np.squeeze(l, -1), [labels]);
    const logits = this.fromLogits ? yPred : log(clipByValue(yPred, EPSILON, 1 - EPSILON));
    return nn.sparseSoftmaxCrossEntropyWithLogits({ labels, logits });
  }
}

/** −mean(y·log p + (1 − y)·log(1 − p)) over the last axis; p = σ(yPred) with fromLogits. */
export class BinaryCrossentropy extends CrossentropyLoss {
  call(yTrue: ArrayLike, yPred: ArrayLike): Tensor {
    const y = like(yTrue, yPred);
    if (this.fromLogits) return reduceMean(nn.sigmoidCrossEntropyWithLogits({ labels: y, logits: yPred }), -1);
    const p = clipByValue(yPred, EPSILON, 1 - EPSILON);
    const ll = add(multiply(y, log(add(p, EPSILON))), multiply(subtract(1, y), log(add(subtract(1, p), EPSILON))));
    return negative(reduceMean(ll, -1));
  }
}


