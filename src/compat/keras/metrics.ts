// tf.keras.metrics: streaming metrics with Keras's updateState / result / resetState. Each keeps
// a running (weighted) total and count in float64 JS numbers and reports total / count (0 before
// any update, Keras's divide_no_nan) as a float32 scalar.
import { Tensor, ValueError, numpy as np, type ArrayLike } from "../../index.js";
import { checkOptions, describe, shapeText } from "../errors.js";
import { quiet } from "../runtime.js";
import { tfPrint } from "../format.js";

const asT = (x: ArrayLike): Tensor => (x instanceof Tensor ? x : np.asarray(x));

/**
 * The base of Keras's metrics: `updateState(...)` accumulates, `result()` reads, `resetState()`
 * starts over. Mirrors tf.keras.metrics.Metric.
 * @example
 * ```ts
 * const m: tf.keras.metrics.Metric = new tf.keras.metrics.Mean();
 * m.updateState([1, 3]);
 * m.result().item(); // → 2
 * ```
 */
export abstract class Metric {
  /**
   * The metric's name (snake_case of the class name unless given, as Keras).
   * @example
   * ```ts
   * new tf.keras.metrics.SparseCategoricalAccuracy().name; // → "sparse_categorical_accuracy"
   * ```
   */
  readonly name: string;
  protected total = 0;
  protected count = 0;
  constructor(name: string | undefined, fallback: string) {
    this.name = name ?? fallback;
  }
  /**
   * The current value: the weighted mean of what was accumulated (0 before any update).
   * @example
   * ```ts
   * new tf.keras.metrics.Mean().result().item(); // → 0
   * ```
   */
  result(): Tensor {
    return quiet(() => tfPrint(np.array(this.count === 0 ? 0 : this.total / this.count, { dtype: "float32" })));
  }
  /**
   * Forgets everything accumulated.
   * @example
   * ```ts
   * const m = new tf.keras.metrics.Mean();
   * m.updateState([5]);
   * m.resetState();
   * m.result().item(); // → 0
   * ```
   */
  resetState(): void {
    this.total = 0;
    this.count = 0;
  }
  /** Adds per-example values with optional weights (broadcast to the values' shape). */
  protected accumulate(api: string, values: Tensor, sampleWeight?: ArrayLike): void {
    quiet(() => {
      const v = np.astype(values, "float64");
      if (sampleWeight === undefined) {
        this.total += np.sum(v).item();
        this.count += v.size;
        return;
      }
      let w = np.astype(asT(sampleWeight), "float64");
      // a per-example weight of shape [b] for values [b, 1] (Keras squeezes or expands to match)
      if (w.ndim === v.ndim - 1) w = np.expandDims(w, -1);
      try {
        w = np.broadcastTo(w, v.shape);
      } catch {
        throw new ValueError({ message: `${api}: sampleWeight of shape ${shapeText(w.shape)} does not broadcast to the values' shape ${shapeText(v.shape)}.` });
      }
      this.total += np.sum(np.multiply(v, w)).item();
      this.count += np.sum(w).item();
    });
  }
}

/**
 * The weighted mean of every value passed to updateState. Mirrors tf.keras.metrics.Mean.
 * @example
 * ```ts
 * const m = new tf.keras.metrics.Mean();
 * m.updateState([1, 2, 3]);
 * m.updateState([10], [2]);
 * m.result().item(); // → 5.2
 * ```
 */
export class Mean extends Metric {
  constructor(opts: { name?: string } = {}) {
    checkOptions("tf.keras.metrics.Mean", opts, ["name"]);
    super(opts.name, "mean");
  }
  /**
   * Accumulates `values` (any shape), each weighted by `sampleWeight` (default 1).
   * @example
   * ```ts
   * const m = new tf.keras.metrics.Mean();
   * m.updateState([[1, 2], [3, 4]]);
   * m.result().item(); // → 2.5
   * ```
   */
  updateState(values: ArrayLike, sampleWeight?: ArrayLike): void {
    this.accumulate("tf.keras.metrics.Mean.updateState", asT(values), sampleWeight);
  }
}

/** A metric that is the mean of a per-example function of (yTrue, yPred) (Keras's MeanMetricWrapper). */
abstract class MeanOf extends Metric {
  protected abstract values(yTrue: Tensor, yPred: Tensor): Tensor;
  /**
   * Accumulates the per-example values of a batch of labels and predictions, optionally weighted.
   * @example
   * ```ts
   * const m = new tf.keras.metrics.Accuracy();
   * m.updateState([1, 2, 3], [1, 2, 0]);
   * m.result().item(); // → 0.6666667
   * ```
   */
  updateState(yTrue: ArrayLike, yPred: ArrayLike, sampleWeight?: ArrayLike): void {
    const api = `tf.keras.metrics.${this.constructor.name}.updateState`;
    this.accumulate(api, quiet(() => this.values(asT(yTrue), asT(yPred))), sampleWeight);
  }
}

function sameShape(api: string, a: Tensor, b: Tensor): void {
  if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ValueError({ message: `tf.keras.metrics.${api}.updateState: yTrue has shape ${shapeText(a.shape)} but yPred has shape ${shapeText(b.shape)}; give labels shaped like the predictions.` });
  }
}

/**
 * The fraction of predictions equal to their labels. Mirrors tf.keras.metrics.Accuracy.
 * @example
 * ```ts
 * const m = new tf.keras.metrics.Accuracy();
 * m.updateState([[1], [2]], [[1], [5]]);
 * m.result().item(); // → 0.5
 * ```
 */
export class Accuracy extends MeanOf {
  constructor(opts: { name?: string } = {}) {
    checkOptions("tf.keras.metrics.Accuracy", opts, ["name"]);
    super(opts.name, "accuracy");
  }
  protected values(yTrue: Tensor, yPred: Tensor): Tensor {
    sameShape("Accuracy", yTrue, yPred);
    return np.equal(np.astype(yTrue, yPred.dtype), yPred);
  }
}

/**
 * The fraction of predictions on the right side of `threshold` (yPred > threshold as 1).
 * Mirrors tf.keras.metrics.BinaryAccuracy (threshold 0.5).
 * @example
 * ```ts
 * const m = new tf.keras.metrics.BinaryAccuracy();
 * m.updateState([[1], [0], [1]], [[0.9], [0.6], [0.2]]);
 * m.result().item(); // → 0.3333333
 * ```
 */
export class BinaryAccuracy extends MeanOf {
  /**
   * The decision threshold on yPred.
   * @example
   * ```ts
   * new tf.keras.metrics.BinaryAccuracy({ threshold: 0.7 }).threshold; // → 0.7
   * ```
   */
  readonly threshold: number;
  constructor(opts: { name?: string; threshold?: number } = {}) {
    checkOptions("tf.keras.metrics.BinaryAccuracy", opts, ["name", "threshold"]);
    super(opts.name, "binary_accuracy");
    this.threshold = opts.threshold ?? 0.5;
    if (typeof this.threshold !== "number" || !Number.isFinite(this.threshold)) throw new ValueError({ message: `tf.keras.metrics.BinaryAccuracy: threshold must be a finite number, got ${describe(this.threshold)}.` });
  }
  protected values(yTrue: Tensor, yPred: Tensor): Tensor {
    sameShape("BinaryAccuracy", yTrue, yPred);
    return np.mean(np.equal(np.astype(yTrue, "float32"), np.astype(np.greater(yPred, this.threshold), "float32")), -1);
  }
}

/**
 * The fraction of examples whose predicted class (argmax of yPred) is the one-hot label's
 * (argmax of yTrue). Mirrors tf.keras.metrics.CategoricalAccuracy.
 * @example
 * ```ts
 * const m = new tf.keras.metrics.CategoricalAccuracy();
 * m.updateState([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]);
 * m.result().item(); // → 0.5
 * ```
 */
export class CategoricalAccuracy extends MeanOf {
  constructor(opts: { name?: string } = {}) {
    checkOptions("tf.keras.metrics.CategoricalAccuracy", opts, ["name"]);
    super(opts.name, "categorical_accuracy");
  }
  protected values(yTrue: Tensor, yPred: Tensor): Tensor {
    sameShape("CategoricalAccuracy", yTrue, yPred);
    return np.equal(np.argmax(yTrue, -1), np.argmax(yPred, -1));
  }
}

/**
 * The fraction of examples whose predicted class (argmax of yPred) equals the integer label
 * (labels of shape [b] or [b, 1]). Mirrors tf.keras.metrics.SparseCategoricalAccuracy.
 * @example
 * ```ts
 * const m = new tf.keras.metrics.SparseCategoricalAccuracy();
 * m.updateState([1, 0, 2], [[0.1, 0.9, 0], [0.6, 0.4, 0], [0.5, 0.2, 0.3]]);
 * m.result().item(); // → 0.6666667
 * ```
 */
export class SparseCategoricalAccuracy extends MeanOf {
  constructor(opts: { name?: string } = {}) {
    checkOptions("tf.keras.metrics.SparseCategoricalAccuracy", opts, ["name"]);
    super(opts.name, "sparse_categorical_accuracy");
  }
  protected values(yTrue: Tensor, yPred: Tensor): Tensor {
    let y = yTrue;
    if (y.ndim === yPred.ndim && y.shape[y.ndim - 1] === 1) y = np.squeeze(y, -1);
    if (y.ndim !== yPred.ndim - 1 || y.shape.some((d, i) => d !== yPred.shape[i])) {
      throw new ValueError({ message: `tf.keras.metrics.SparseCategoricalAccuracy.updateState: labels of shape ${shapeText(yTrue.shape)} do not fit predictions of shape ${shapeText(yPred.shape)}; give one integer label per example.` });
    }
    return np.equal(np.astype(y, "int32"), np.argmax(yPred, -1));
  }
}

/**
 * The mean over examples of mean((yPred − yTrue)², last axis). Mirrors
 * tf.keras.metrics.MeanSquaredError.
 * @example
 * ```ts
 * const m = new tf.keras.metrics.MeanSquaredError();
 * m.updateState([[0, 1], [0, 0]], [[1, 1], [0, 0]]);
 * m.result().item(); // → 0.25
 * ```
 */
export class MeanSquaredError extends MeanOf {
  constructor(opts: { name?: string } = {}) {
    checkOptions("tf.keras.metrics.MeanSquaredError", opts, ["name"]);
    super(opts.name, "mean_squared_error");
  }
  protected values(yTrue: Tensor, yPred: Tensor): Tensor {
    sameShape("MeanSquaredError", yTrue, yPred);
    return np.mean(np.square(np.subtract(yPred, np.astype(yTrue, yPred.dtype))), -1);
  }
}
