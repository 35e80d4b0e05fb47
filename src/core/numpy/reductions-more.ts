// More reductions of the numpy layer: truth tests (all, any), NaN-ignoring reductions, weighted
// averages, counts and ranges, composed from the sum / max / min primitives.
import { isFloat } from "../dtype.js";
import { ShapeError, fail } from "../errors.js";
import { fmtShape, normAxes } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, coerce, floaty, tensor, type Api, type Axis, type KeepDims } from "./convert.js";
import { checkOptions } from "./options.js";
import { divide, equal, isnan, multiply, notEqual, subtract } from "./math.js";
import { logicalNot, where } from "./logic.js";
import { max, min, sum } from "./reductions.js";
import { reshape } from "./shape.js";

const KEEP = ["keepdims"];

/** Sum over normalized axes, kept as size 1 when asked. */
function sumAxes(t: Tensor, axes: number[], keepdims: boolean | undefined): Tensor {
  const r = lax.sum(t, axes);
  return keepdims ? reshape(r, t.shape.map((s, i) => (axes.includes(i) ? 1 : s))) : r;
}
/** How many elements of t are nonzero (true) along the axes, as int32. */
function countTrue(api: Api, x: ArrayLike, axis: Axis, opts: KeepDims): Tensor {
  const t = tensor(x, api);
  const nz = t.dtype === "bool" ? t : notEqual(t, 0);
  return sumAxes(astype(nz, "int32"), normAxes(typeof api === "string" ? api : "reduction", axis, t.ndim), opts.keepdims);
}

/**
 * Whether every element is nonzero (true) along the axes (all by default); true for an empty axis.
 * Mirrors numpy.all / jax.numpy.all; also `x.all()`.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1.
 * @returns a bool tensor. @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.all([[true, false], [true, true]], 1); // → [false, true]
 * np.all([1, 2, 3]); // → true
 * ```
 */
export function all(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("all", opts, KEEP);
  const t = tensor(x, all);
  const zeros = t.dtype === "bool" ? logicalNot(t) : equal(t, 0);
  return equal(sumAxes(astype(zeros, "int32"), normAxes("all", axis, t.ndim), opts.keepdims), 0);
}
/**
 * Whether some element is nonzero (true) along the axes (all by default); false for an empty axis.
 * Mirrors numpy.any / jax.numpy.any; also `x.any()`.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1.
 * @returns a bool tensor. @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.any([[true, false], [false, false]], 1); // → [true, false]
 * np.any([0, 0]); // → false
 * ```
 */
export function any(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("any", opts, KEEP);
  return lax.gt(countTrue("any", x, axis, opts), lax.full([], 0, "int32"));
}
/**
 * How many elements are nonzero along the axes (all by default), as int32.
 * Mirrors numpy.count_nonzero / jax.numpy.count_nonzero.
 * @example
 * ```ts
 * np.countNonzero([[0, 1, 2], [0, 0, 3]]).item(); // → 3
 * np.countNonzero([[0, 1, 2], [0, 0, 3]], 1); // → [2, 1]
 * ```
 */
export function countNonzero(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("countNonzero", opts, KEEP);
  return countTrue("countNonzero", x, axis, opts);
}

/**
 * The sum ignoring NaNs (NaN counts as 0); 0 where all are NaN.
 * Mirrors numpy.nansum / jax.numpy.nansum.
 * @example
 * ```ts
 * np.nansum([1, NaN, 2]).item(); // → 3
 * ```
 */
export function nansum(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("nansum", opts, KEEP);
  const t = tensor(x, nansum);
  return sum(isFloat(t.dtype) ? where(isnan(t), 0, t) : t, axis, opts);
}
/**
 * The mean ignoring NaNs; NaN where all are NaN. Ints and bools give float32.
 * Mirrors numpy.nanmean / jax.numpy.nanmean.
 * @example
 * ```ts
 * np.nanmean([1, NaN, 3]).item(); // → 2
 * np.nanmean([[1, NaN], [NaN, NaN]], 1); // → Array([ 1., nan], dtype=float32)
 * ```
 */
export function nanmean(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("nanmean", opts, KEEP);
  const t = floaty(x, nanmean);
  const ok = logicalNot(isnan(t));
  const axes = normAxes("nanmean", axis, t.ndim);
  return divide(sumAxes(where(ok, t, 0), axes, opts.keepdims), sumAxes(astype(ok, t.dtype), axes, opts.keepdims));
}
/** max or min with NaNs skipped: NaNs replaced by the identity, all-NaN slices back to NaN. */
function nanExtremum(api: "nanmax" | "nanmin", x: ArrayLike, axis: Axis, opts: KeepDims): Tensor {
  checkOptions(api, opts, KEEP);
  const t = tensor(x, api);
  const reduce = api === "nanmax" ? max : min;
  if (!isFloat(t.dtype)) return reduce(t, axis, opts);
  const nan = isnan(t);
  const r = reduce(where(nan, api === "nanmax" ? -Infinity : Infinity, t), axis, opts);
  return where(all(nan, axis, opts), NaN, r);
}
/**
 * The maximum ignoring NaNs; NaN where all are NaN (numpy warns there).
 * Mirrors numpy.nanmax / jax.numpy.nanmax.
 * @throws ValueError for an empty axis (no identity).
 * @example
 * ```ts
 * np.nanmax([1, NaN, 3]).item(); // → 3
 * ```
 */
export const nanmax = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor => nanExtremum("nanmax", x, axis, opts);
/**
 * The minimum ignoring NaNs; NaN where all are NaN.
 * Mirrors numpy.nanmin / jax.numpy.nanmin.
 * @throws ValueError for an empty axis (no identity).
 * @example
 * ```ts
 * np.nanmin([[1, NaN], [NaN, NaN]], 1); // → Array([ 1., nan], dtype=float32)
 * ```
 */
export const nanmin = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor => nanExtremum("nanmin", x, axis, opts);
/**
 * The range max - min along the axes ("peak to peak").
 * Mirrors numpy.ptp / jax.numpy.ptp; also `x.ptp()`.
 * @throws ValueError for an empty axis.
 * @example
 * ```ts
 * np.ptp([[4, 9, 2], [1, 1, 1]], 1); // → [7, 0]
 * ```
 */
export function ptp(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("ptp", opts, KEEP);
  const t = tensor(x, ptp);
  return subtract(max(t, axis, opts), min(t, axis, opts));
}

/** Options of {@link average}. */
export interface AverageOpts extends KeepDims {
  /** weights of x's shape, or 1-D along a single `axis` */
  weights?: ArrayLike;
  /** also return the sum of the weights */
  returned?: boolean;
}
/**
 * The weighted mean Σ w·x / Σ w along the axes (the plain mean without weights). Ints and bools
 * give float32. With `returned`, a pair [average, sum of weights].
 * Mirrors numpy.average / jax.numpy.average (options object instead of keywords).
 * @throws ShapeError when weights fit neither x's shape nor the one axis.
 * @example
 * ```ts
 * np.average([1, 2, 3, 4], null, { weights: [4, 3, 2, 1] }).item(); // → 2
 * np.average([[1, 2], [3, 4]], 1, { weights: [1, 3] }); // → [1.75, 3.75]
 * ```
 */
export function average(x: ArrayLike, axis: Axis, opts: AverageOpts & { returned: true }): [Tensor, Tensor];
export function average(x: ArrayLike, axis?: Axis, opts?: AverageOpts): Tensor;
export function average(x: ArrayLike, axis?: Axis, opts: AverageOpts = {}): Tensor | [Tensor, Tensor] {
  checkOptions("average", opts, ["weights", "returned", "keepdims"]);
  let t = floaty(x, average);
  const axes = normAxes("average", axis, t.ndim);
  let w: Tensor;
  if (opts.weights === undefined) w = lax.full(t.shape, 1, t.dtype);
  else {
    [t, w] = coerce([t, opts.weights], average) as [Tensor, Tensor];
    if (w.ndim === 1 && t.ndim !== 1 && typeof axis === "number") {
      if (w.shape[0] !== t.shape[axes[0]!]) throw badWeights(t, w, axis);
      w = reshape(w, t.shape.map((s, i) => (i === axes[0] ? s : 1)));
    } else if (w.ndim !== t.ndim || w.shape.some((s, i) => s !== t.shape[i])) throw badWeights(t, w, axis);
    w = lax.broadcastTo(w, t.shape);
  }
  const sw = sumAxes(w, axes, opts.keepdims);
  const avg = divide(sumAxes(multiply(t, w), axes, opts.keepdims), sw);
  return opts.returned ? [avg, sw] : avg;
}
const badWeights = (t: Tensor, w: Tensor, axis: Axis) =>
  fail(ShapeError, `average: weights of shape ${fmtShape(w.shape)} do not fit x of shape ${fmtShape(t.shape)} (axis ${JSON.stringify(axis ?? null)}); give weights of x's shape, or 1-D weights of x.shape[axis] with one integer axis.`);

