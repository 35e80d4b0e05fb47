// Order statistics of the numpy layer: quantile, percentile and median over a sort along the
// reduced axes, then a gather of the two neighbouring order statistics and their interpolation.
// The sort is the sort primitive (O(n log n) kernel; its derivative follows the permutation, so a
// tie sends the gradient to one element, as JAX).
import { ValueError, fail } from "../errors.js";
import { normAxes } from "../shape.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import { isTracer, toConcrete } from "../trace.js";
import { array, astype, floaty, tensor, type Axis, type KeepDims } from "./convert.js";
import { checkOptions } from "./options.js";
import { add, ceil, divide, equal, floor, greater, isnan, less, multiply, subtract } from "./math.js";
import { where } from "./logic.js";
import { any } from "./reductions-more.js";
import { reshape, transpose } from "./shape.js";
import { take } from "./indexing.js";
import { sort } from "./sorting.js";

/** Options of {@link quantile}, {@link percentile} and {@link median}. */
export interface QuantileOpts extends KeepDims {
  /** how to pick between the two neighbouring order statistics: "linear" (default), "lower", "higher", "midpoint", "nearest" */
  method?: "linear" | "lower" | "higher" | "midpoint" | "nearest";
}
const METHODS = ["linear", "lower", "higher", "midpoint", "nearest"];

function quantileAs(api: string, a: ArrayLike, q: ArrayLike, axis: Axis, opts: QuantileOpts, scale = 1): Tensor {
  checkOptions(api, opts, ["method", "keepdims"]);
  const method = opts.method ?? "linear";
  if (!METHODS.includes(method)) throw fail(ValueError, `${api}: method must be one of ${METHODS.join(", ")}, got ${JSON.stringify(method)}.`);
  const t = floaty(a, api);
  // q straight into a's dtype (a JS 0.7 through float32 would be 0.699999988)
  let qs = q instanceof Tensor ? tensor(q, api) : array(q, { dtype: t.dtype });
  qs = qs.dtype === t.dtype ? qs : astype(qs, t.dtype);
  if (!isTracer(qs)) checkUnit(api, q, qs, scale); // a traced q is taken as given (as JAX)
  if (scale !== 1) qs = divide(qs, scale);
  const axes = normAxes(api, axis, t.ndim);
  if (axes.some((x) => t.shape[x] === 0)) throw fail(ValueError, `${api}: cannot take a quantile of an empty axis (shape [${t.shape}]).`);
  // the reduced axes last, merged into one
  const keep = t.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const n = axes.reduce((p, x) => p * t.shape[x]!, 1);
  const flat = reshape(transpose(t, [...keep, ...axes]), [...keep.map((i) => t.shape[i]!), n]);
  const last = flat.ndim - 1;
  const s = sort(flat, -1); // NaNs go last; a slice holding one is NaN below (numpy)
  const pos = multiply(qs, n - 1);
  const lo = floor(pos);
  const hi = ceil(pos);
  // take gives [...kept, ...q.shape]; numpy puts q's axes first
  const qAxes = qs.shape.map((_, i) => keep.length + i);
  const at = (i: Tensor) => transpose(take(s, astype(i, "int32"), last), [...qAxes, ...keep.map((_, k) => k)]);
  const [vlo, vhi] = [at(lo), at(hi)];
  const w = reshape(subtract(pos, lo), [...qs.shape, ...keep.map(() => 1)]);
  let out: Tensor;
  switch (method) {
    case "linear":
      out = add(vlo, multiply(w, subtract(vhi, vlo)));
      break;
    case "lower":
      out = vlo;
      break;
    case "higher":
      out = vhi;
      break;
    case "midpoint":
      out = multiply(add(vlo, vhi), 0.5);
      break;
    case "nearest":
      out = at(where(lessHalf(w, lo), lo, hi)); // numpy rounds the position half to even
      break;
    default:
      throw fail(ValueError, `${api}: unknown method ${method as string}.`);
  }
  out = where(any(isnan(flat), last), NaN, out); // a NaN anywhere in the slice makes it NaN (numpy)
  if (!opts.keepdims) return out;
  return reshape(out, [...qs.shape, ...t.shape.map((d, i) => (axes.includes(i) ? 1 : d))]);
}
/** nearest: the lower neighbour below a fraction of ½, and at ½ when the lower index is even. */
const lessHalf = (w: Tensor, lo: Tensor) => {
  const even = equal(multiply(floor(divide(lo, 2)), 2), lo);
  return where(less(w, 0.5), true, where(greater(w, 0.5), false, even));
};
function checkUnit(api: string, q: ArrayLike, qs: Tensor, scale: number): void {
  const d = toConcrete(qs, api).dataSync();
  for (const v of d) if (!(v >= 0 && v <= scale)) throw fail(ValueError, `${api}: q must be in [0, ${scale}], got ${q instanceof Object && "toArray" in q ? JSON.stringify((q as Tensor).toArray()) : JSON.stringify(q)}.`);
}

/**
 * The q-th quantiles (q in [0, 1], a number or an array) of the elements along the axes (all by
 * default): the order statistic at position q·(n - 1), interpolated by `method` (numpy's
 * "linear" by default). The result has q's shape in front of the unreduced axes; NaN where a
 * slice holds a NaN. Differentiable in a (through the sort, as JAX).
 * Mirrors numpy.quantile / jax.numpy.quantile (options object for method and keepdims).
 * @throws ValueError for q outside [0, 1], an unknown method or an empty axis.
 * @example
 * ```ts
 * np.quantile([1, 2, 3, 4], 0.5).item(); // → 2.5
 * np.quantile([[1, 5, 3], [4, 2, 6]], [0, 1], 1); // → [[1, 2], [5, 6]]
 * np.quantile([1, 2, 3, 4], 0.4, null, { method: "lower" }).item(); // → 2
 * ```
 */
export const quantile = (a: ArrayLike, q: ArrayLike, axis?: Axis, opts: QuantileOpts = {}): Tensor => quantileAs("quantile", a, q, axis, opts);
/**
 * The q-th percentiles (q in [0, 100]): {@link quantile} at q / 100.
 * Mirrors numpy.percentile / jax.numpy.percentile.
 * @throws ValueError for q outside [0, 100].
 * @example
 * ```ts
 * np.percentile([1, 2, 3, 4, 5], [25, 50]); // → [2, 3]
 * ```
 */
export const percentile = (a: ArrayLike, q: ArrayLike, axis?: Axis, opts: QuantileOpts = {}): Tensor => quantileAs("percentile", a, q, axis, opts, 100);
/**
 * The median along the axes (all by default): the middle order statistic, or the mean of the
 * two middle ones; NaN where a slice holds a NaN.
 * Mirrors numpy.median / jax.numpy.median.
 * @example
 * ```ts
 * np.median([3, 1, 4, 1]).item(); // → 2
 * np.median([[3, 1, 2], [6, 5, 4]], 1); // → [2, 5]
 * ```
 */
export const median = (a: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor => quantileAs("median", a, 0.5, axis, opts);
