// Reductions in the numpy layer: axis arguments, keepdims, bool sums as int32, and the
// compositions (mean, var, std, logsumexp) built from the reduction primitives.
import { ValueError, fail } from "../errors.js";
import { fmtShape, normAxes, normAxis } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, floaty, tensor, type Axis, type KeepDims } from "./convert.js";
import { add, divide, exp, isfinite, log, sqrt, square, stopGradient, subtract } from "./math.js";
import { where } from "./logic.js";
import { expandDims, reshape } from "./shape.js";
import { checkOptions } from "./options.js";

// ------------------------------------------------------------------ reductions

const KEEP = ["keepdims"];
const KEEP_DDOF = ["keepdims", "ddof"];

function reduceWith(api: string, reduce: (x: Tensor, axes: number[]) => Tensor, x: ArrayLike, axis: Axis, opts: KeepDims): Tensor {
  checkOptions(api, opts, KEEP);
  const keepdims = opts.keepdims;
  const t = tensor(x, api);
  const axes = normAxes(api, axis, t.ndim);
  if ((api === "max" || api === "min") && axes.some((a) => t.shape[a] === 0)) {
    // as JAX/numpy: an empty max has no value to return (sum and prod have identities 0 and 1)
    throw fail(ValueError, `${api}: zero-size array to reduction operation ${api} which has no identity (shape ${fmtShape(t.shape)}, axis ${JSON.stringify(axis ?? null)}); reduce a non-empty array, or use np.where to supply a default.`);
  }
  const r = axes.length ? reduce(t, axes) : t;
  return keepdims ? reshape(r, t.shape.map((s, i) => (axes.includes(i) ? 1 : s))) : r;
}
/**
 * The sum of x's elements over the given axes (all by default). Floats accumulate pairwise.
 * Mirrors numpy.sum / jax.numpy.sum (options object instead of keyword arguments).
 * @param x - any shape; a bool x is summed as int32 (counting the trues).
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes (a 0-d tensor for all), in x's dtype.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.sum([[1, 2], [3, 4]]); // → 10
 * np.sum([[1, 2], [3, 4]], 0); // → [4, 6]
 * np.sum([[1, 2], [3, 4]], -1, { keepdims: true }); // → [[3], [7]]
 * ```
 */
export const sum = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("sum", lax.sum, intIfBool(x, "sum"), axis, opts);
/** bool counts (sum) and multiplies (prod) as int32, as in JAX. */
function intIfBool(x: ArrayLike, api: string): Tensor {
  const t = tensor(x, api);
  return t.dtype === "bool" ? astype(t, "int32") : t;
}
/**
 * The product of x's elements over the given axes (all by default); 1 for an empty axis.
 * Mirrors numpy.prod / jax.numpy.prod.
 * @param x - any shape and dtype.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes, in x's dtype (int32 for bool, as JAX).
 * @throws AxisError for an out-of-range or repeated axis; ValueError for an unknown option.
 * @example
 * ```ts
 * np.prod([1, 2, 3, 4]); // → 24
 * np.prod([[1, 2], [3, 4]], 1); // → [2, 12]
 * ```
 */
export const prod = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("prod", lax.reduceProd, intIfBool(x, "prod"), axis, opts);
/**
 * The largest element over the given axes (all by default); NaN if any element is NaN.
 * Mirrors numpy.max / jax.numpy.max (for the elementwise maximum of two arrays see {@link maximum}).
 * @param x - any shape and dtype.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes, in x's dtype.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.max([[1, 5], [3, 2]]); // → 5
 * np.max([[1, 5], [3, 2]], 0); // → [3, 5]
 * ```
 */
export const max = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("max", lax.reduceMax, x, axis, opts);
/**
 * The smallest element over the given axes (all by default); NaN if any element is NaN.
 * Mirrors numpy.min / jax.numpy.min (for the elementwise minimum see {@link minimum}).
 * @param x - any shape and dtype.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes, in x's dtype.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.min([[1, 5], [3, 2]], 1); // → [1, 2]
 * ```
 */
export const min = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("min", lax.reduceMin, x, axis, opts);

/**
 * The arithmetic mean over the given axes (all by default); NaN for an empty axis.
 * Mirrors numpy.mean / jax.numpy.mean.
 * @param x - any shape; ints and bools are averaged as float32.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes, float (float64 for float64 x, else float32).
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.mean([[1, 2], [3, 4]]); // → 2.5
 * np.mean([[1, 2], [3, 4]], 0); // → [2, 3]
 * ```
 */
export function mean(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("mean", opts, KEEP);
  const t = floaty(x, "mean");
  const axes = normAxes("mean", axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  return divide(sum(t, axes, opts), count);
}

/**
 * The variance, mean((x - mean(x))²), over the given axes, divided by N - ddof. Exported as `var`.
 * Mirrors numpy.var / jax.numpy.var; also `x.var()`.
 * @param x - any shape; ints and bools are computed as float32.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false;
 *   opts.ddof - delta degrees of freedom, default 0 (1 gives the unbiased sample variance).
 * @returns x's shape without the reduced axes, float.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.var([1, 2, 3, 4]); // → 1.25
 * np.var([1, 2, 3, 4], null, { ddof: 1 }); // → 1.666667
 * ```
 */
export function variance(x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}): Tensor {
  checkOptions("var", opts, KEEP_DDOF);
  return varianceAs("var", x, axis, opts);
}
/** var for the function the user called (var or std), named in its messages. */
function varianceAs(api: string, x: ArrayLike, axis: Axis, opts: KeepDims & { ddof?: number }): Tensor {
  const t = floaty(x, api);
  const axes = normAxes(api, axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  const centered = subtract(t, mean(t, axes, { keepdims: true }));
  return divide(sum(square(centered), axes, { keepdims: opts.keepdims }), count - (opts.ddof ?? 0));
}
export { variance as var };
/**
 * The standard deviation, sqrt of {@link var}, over the given axes.
 * Mirrors numpy.std / jax.numpy.std.
 * @param x - any shape; ints and bools are computed as float32.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - default false; opts.ddof - delta degrees of freedom, default 0.
 * @returns x's shape without the reduced axes, float.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.std([1, 2, 3, 4]); // → 1.118034
 * ```
 */
export const std = (x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}) => (checkOptions("std", opts, KEEP_DDOF), sqrt(varianceAs("std", x, axis, opts)));

/**
 * log(Σ exp(x)) over the given axes, computed stably (the max is factored out), so large inputs
 * do not overflow; -Infinity for an all -Infinity slice.
 * Mirrors jax.scipy.special.logsumexp / jax.nn.logsumexp (no `b` or `return_sign`).
 * @param x - any shape; ints and bools are computed as float32.
 * @param axis - an axis, a list of axes (negative from the end), or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes, float.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.logsumexp([0, 0]); // → 0.693147
 * np.logsumexp([1000, 1000]); // → 1000.693147
 * ```
 */
export function logsumexp(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("logsumexp", opts, KEEP);
  const t = floaty(x, "logsumexp");
  const axes = normAxes("logsumexp", axis, t.ndim);
  const m = stopGradient(max(t, axes, { keepdims: true }));
  const safeM = where(isfinite(m), m, 0);
  const s = log(sum(exp(subtract(t, safeM)), axes, { keepdims: true }));
  const r = add(s, safeM);
  return opts.keepdims ? r : reshape(r, t.shape.filter((_, i) => !axes.includes(i)));
}

function argReduce(api: string, reduce: (x: Tensor, axis: number) => Tensor, x: ArrayLike, axis?: number, opts: KeepDims = {}): Tensor {
  checkOptions(api, opts, KEEP);
  let t = tensor(x, api);
  if (axis === undefined || axis === null) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  const a = normAxis(api, axis, t.ndim);
  if (t.shape[a] === 0) throw fail(ValueError, `${api}: attempt to get ${api} of an empty sequence.`);
  const r = reduce(t, a);
  return opts.keepdims ? expandDims(r, a) : r;
}
/**
 * The index of the largest element along an axis (of the flattened x when no axis is given);
 * the first one on ties.
 * Mirrors numpy.argmax / jax.numpy.argmax.
 * @param x - any shape and dtype.
 * @param axis - one axis (negative from the end), or none for the flattened x.
 * @param opts.keepdims - keep the reduced axis with size 1, default false.
 * @returns int32 indices, x's shape without the axis (a 0-d tensor without an axis).
 * @throws AxisError for an out-of-range axis; ValueError for an empty axis.
 * @example
 * ```ts
 * np.argmax([1, 5, 3]); // → 1
 * np.argmax([[1, 5], [7, 2]], 1); // → [1, 0]
 * ```
 */
export const argmax = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmax", lax.argmax, x, axis, opts);
/**
 * The index of the smallest element along an axis (of the flattened x when no axis is given);
 * the first one on ties.
 * Mirrors numpy.argmin / jax.numpy.argmin.
 * @param x - any shape and dtype.
 * @param axis - one axis (negative from the end), or none for the flattened x.
 * @param opts.keepdims - keep the reduced axis with size 1, default false.
 * @returns int32 indices, x's shape without the axis.
 * @throws AxisError for an out-of-range axis; ValueError for an empty axis.
 * @example
 * ```ts
 * np.argmin([[1, 5], [7, 2]], 0); // → [0, 1]
 * ```
 */
export const argmin = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmin", lax.argmin, x, axis, opts);

/** Options of cumsum: `reverse` sums from the end of the axis (as jax.lax.cumsum's `reverse`). */
export interface CumsumOpts {
  reverse?: boolean;
}
/**
 * The running sum along an axis (of the flattened x when no axis is given).
 * Mirrors numpy.cumsum / jax.numpy.cumsum (no `dtype` argument), with jax.lax.cumsum's `reverse`.
 * @param x - any shape; a bool x is summed as int32.
 * @param axis - one axis (negative from the end), or none to flatten first.
 * @param opts.reverse - element i is the sum of elements i… to the end; default false.
 * @returns x's shape (1-D of x.size without an axis), in x's dtype.
 * @throws AxisError for an out-of-range axis; ValueError for an unknown option.
 * @example
 * ```ts
 * np.cumsum([1, 2, 3]); // → [1, 3, 6]
 * np.cumsum([[1, 2], [3, 4]], 0); // → [[1, 2], [4, 6]]
 * np.cumsum([1, 2, 3], 0, { reverse: true }); // → [6, 5, 3]
 * ```
 */
export function cumsum(x: ArrayLike, axis?: number | null, opts: CumsumOpts = {}): Tensor {
  checkOptions("cumsum", opts, ["reverse"]);
  let t = tensor(x, "cumsum");
  if (t.dtype === "bool") t = astype(t, "int32");
  if (axis === undefined || axis === null || t.ndim === 0) {
    // a scalar counts as 1-D, as in numpy (np.cumsum(5, 0) is [5])
    t = reshape(t, [-1]);
    axis ??= 0;
  }
  return lax.cumsum(t, normAxis("cumsum", axis, t.ndim), opts.reverse === true);
}

