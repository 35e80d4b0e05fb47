// tf.keras.metrics.AUC: Keras's thresholded ROC or PR AUC. Confusion counts (weighted true/false
// positives/negatives) are accumulated in float64 at numThresholds fixed thresholds
// [−ε, 1/(n−1), …, (n−2)/(n−1), 1 + ε] (ε = 1e-7); a prediction counts as positive when it is
// above a threshold. result() is the Riemann sum over the ROC points (fpr, tpr) from the last
// threshold to the first: Σ (fprᵢ − fprᵢ₊₁)·hᵢ, hᵢ the trapezoid's mean height ("interpolation")
// or the lower / upper of tprᵢ, tprᵢ₊₁ ("minoring" / "majoring"). For curve "PR" the points are
// (recall, precision); "interpolation" there is Davis & Goadrich's: between two thresholds
// precision is interpolated along the true positives, not linearly in recall (interpolatePrAuc).
import { Tensor, ValueError, numpy as np, type ArrayLike } from "../../index.js";
import { checkOptions, describe, shapeText } from "../errors.js";
import { quiet } from "../runtime.js";
import { tfPrint } from "../format.js";
import { Metric } from "./metrics.js";

const EPS = 1e-7;
const asT = (x: ArrayLike): Tensor => (x instanceof Tensor ? x : np.asarray(x));
/** x/y, 0 when y is 0 (Keras's divide_no_nan). */
const div = (x: number, y: number) => (y === 0 ? 0 : x / y);

/** Which curve AUC integrates: "ROC" (true vs false positive rate) or "PR" (precision vs recall). */
export type AucCurve = "ROC" | "PR";
/** How AUC sums the area under its thresholded curve. */
export type AucSummation = "interpolation" | "minoring" | "majoring";

/**
 * The area under the ROC curve (or, with `curve: "PR"`, the precision–recall curve),
 * approximated at numThresholds (200) fixed thresholds with the trapezoid rule (for PR, Keras's
 * interpolation of precision between thresholds). Labels are true where nonzero; predictions must
 * lie in [0, 1]. Mirrors tf.keras.metrics.AUC.
 * @example
 * ```ts
 * const m = new tf.keras.metrics.AUC({ numThresholds: 3 });
 * m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
 * m.result().item(); // → 0.75
 * const pr = new tf.keras.metrics.AUC({ numThresholds: 3, curve: "PR" });
 * pr.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
 * pr.result().item(); // → 0.8206994
 * ```
 */
export class AUC extends Metric {
  /**
   * The number of thresholds (≥ 2).
   * @example
   * ```ts
   * new tf.keras.metrics.AUC().numThresholds; // → 200
   * ```
   */
  readonly numThresholds: number;
  /**
   * The thresholds: −ε, then i/(n − 1) for i = 1 … n − 2, then 1 + ε.
   * @example
   * ```ts
   * new tf.keras.metrics.AUC({ numThresholds: 3 }).thresholds; // → [-1e-7, 0.5, 1.0000001]
   * ```
   */
  readonly thresholds: number[];
  /**
   * How the area is summed: "interpolation" (trapezoids), "minoring" or "majoring".
   * @example
   * ```ts
   * new tf.keras.metrics.AUC().summationMethod; // → "interpolation"
   * ```
   */
  readonly summationMethod: AucSummation;
  /**
   * The curve integrated: "ROC" (default) or "PR".
   * @example
   * ```ts
   * new tf.keras.metrics.AUC({ curve: "PR" }).curve; // → "PR"
   * ```
   */
  readonly curve: AucCurve;
  #tp: Float64Array;
  #fp: Float64Array;
  #tn: Float64Array;
  #fn: Float64Array;
  constructor(opts: { name?: string; numThresholds?: number; summationMethod?: AucSummation; curve?: AucCurve } = {}) {
    const api = "tf.keras.metrics.AUC";
    checkOptions(api, opts, ["name", "numThresholds", "summationMethod", "curve"]);
    super(opts.name, "auc");
    const n = opts.numThresholds ?? 200;
    if (!Number.isInteger(n) || n < 2) throw new ValueError({ message: `${api}: numThresholds must be an integer > 1, got ${describe(n)}.` });
    const s = opts.summationMethod ?? "interpolation";
    if (s !== "interpolation" && s !== "minoring" && s !== "majoring") throw new ValueError({ message: `${api}: summationMethod must be "interpolation", "minoring" or "majoring", got ${describe(s)}.` });
    const curve = opts.curve ?? "ROC";
    if (curve !== "ROC" && curve !== "PR") throw new ValueError({ message: `${api}: curve must be "ROC" or "PR", got ${describe(curve)}.` });
    this.curve = curve;
    this.numThresholds = n;
    this.summationMethod = s;
    this.thresholds = [0 - EPS, ...Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1)), 1 + EPS];
    [this.#tp, this.#fp, this.#tn, this.#fn] = [0, 1, 2, 3].map(() => new Float64Array(n)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  }
  /**
   * Adds a batch's weighted confusion counts at every threshold (sampleWeight broadcasts to yPred's shape).
   * @example
   * ```ts
   * const m = new tf.keras.metrics.AUC();
   * m.updateState([1, 0], [0.9, 0.1]);
   * m.result().item(); // → 1
   * ```
   */
  updateState(yTrue: ArrayLike, yPred: ArrayLike, sampleWeight?: ArrayLike): void {
    const api = "tf.keras.metrics.AUC.updateState";
    quiet(() => {
      const p = np.astype(asT(yPred), "float64");
      let t = asT(yTrue);
      if (t.size !== p.size) throw new ValueError({ message: `${api}: yTrue ${shapeText(t.shape)} and yPred ${shapeText(p.shape)} must have the same number of elements.` });
      t = np.reshape(t, p.shape);
      const w = sampleWeight === undefined ? null : broadcastWeight(api, np.astype(asT(sampleWeight), "float64"), p.shape);
      const pv = p.dataSync(), tv = t.dataSync(), wv = w ? w.dataSync() : null;
      for (let i = 0; i < pv.length; i++) {
        const y = Number(pv[i]);
        if (!(y >= 0 && y <= 1)) throw new ValueError({ message: `${api}: predictions must be in [0, 1], got ${y} at flat index ${i}; apply a sigmoid to logits first.` });
      }
      for (let i = 0; i < pv.length; i++) {
        const y = Number(pv[i]), pos = Number(tv[i]) !== 0, wt = wv ? Number(wv[i]) : 1;
        for (let k = 0; k < this.numThresholds; k++) {
          const above = y > this.thresholds[k]!;
          if (pos) (above ? this.#tp : this.#fn)[k]! += wt;
          else (above ? this.#fp : this.#tn)[k]! += wt;
        }
      }
    });
  }
  /**
   * The area under the ROC curve of what was accumulated (0 before any update).
   * @example
   * ```ts
   * const m = new tf.keras.metrics.AUC();
   * m.updateState([0, 1], [0.8, 0.2]);
   * m.result().item(); // → 0
   * ```
   */
  override result(): Tensor {
    const area = this.curve === "PR" && this.summationMethod === "interpolation" ? this.#interpolatePrAuc() : this.#riemann();
    return quiet(() => tfPrint(np.array(area, { dtype: "float32" })));
  }
  /** Σ (xᵢ − xᵢ₊₁)·hᵢ over the points (fpr, tpr) for ROC, (recall, precision) for PR. */
  #riemann(): number {
    const n = this.numThresholds;
    const tp = this.#tp, fp = this.#fp, tn = this.#tn, fn = this.#fn;
    const recall = Array.from({ length: n }, (_, k) => div(tp[k]!, tp[k]! + fn[k]!));
    const [x, y] =
      this.curve === "ROC"
        ? [Array.from({ length: n }, (_, k) => div(fp[k]!, fp[k]! + tn[k]!)), recall]
        : [recall, Array.from({ length: n }, (_, k) => div(tp[k]!, tp[k]! + fp[k]!))];
    let area = 0;
    for (let k = 0; k < n - 1; k++) {
      const [a, b] = [y[k]!, y[k + 1]!];
      const h = this.summationMethod === "interpolation" ? (a + b) / 2 : this.summationMethod === "minoring" ? Math.min(a, b) : Math.max(a, b);
      area += (x[k]! - x[k + 1]!) * h;
    }
    return area;
  }
  /**
   * Keras's interpolate_pr_auc (Davis & Goadrich 2006): between thresholds k and k+1 the true
   * positives grow linearly with the predicted positives p = tp + fp, tp = slope·p + intercept,
   * so precision = slope + intercept/p, and the area over recall (tp / positives) integrates to
   * [slope·Δtp + intercept·ln(pₖ / pₖ₊₁)] / positives.
   */
  #interpolatePrAuc(): number {
    const n = this.numThresholds;
    const tp = this.#tp, fp = this.#fp, fn = this.#fn;
    let area = 0;
    for (let k = 0; k < n - 1; k++) {
      const dtp = tp[k]! - tp[k + 1]!;
      const p0 = tp[k]! + fp[k]!, p1 = tp[k + 1]! + fp[k + 1]!;
      const slope = div(dtp, Math.max(p0 - p1, 0));
      const intercept = tp[k + 1]! - slope * p1;
      const ratio = p0 > 0 && p1 > 0 ? div(p0, Math.max(p1, 0)) : 1;
      area += div(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[k + 1]! + fn[k + 1]!, 0));
    }
    return area;
  }
  /**
   * Forgets the accumulated counts.
   * @example
   * ```ts
   * const m = new tf.keras.metrics.AUC();
   * m.updateState([1, 0], [0.9, 0.1]);
   * m.resetState();
   * m.result().item(); // → 0
   * ```
   */
  override resetState(): void {
    for (const a of [this.#tp, this.#fp, this.#tn, this.#fn]) a.fill(0);
  }
}

function broadcastWeight(api: string, w: Tensor, shape: readonly number[]): Tensor {
  try {
    return np.broadcastTo(w.ndim === shape.length - 1 ? np.expandDims(w, -1) : w, shape);
  } catch {
    throw new ValueError({ message: `${api}: sampleWeight of shape ${shapeText(w.shape)} does not broadcast to yPred's shape ${shapeText(shape)}.` });
  }
}
