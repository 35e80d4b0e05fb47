// Reductions in the numpy layer: axis arguments, keepdims, bool sums as int32, and the
// compositions (mean, var, std, logsumexp) built from the reduction primitives.
import { ValueError, fail } from "../errors.js";
import { normAxes, normAxis } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, floaty, tensor, type Axis, type KeepDims } from "./convert.js";
import { add, divide, exp, isfinite, log, sqrt, square, stopGradient, subtract, where } from "./math.js";
import { expandDims, reshape } from "./shape.js";
import { checkOptions } from "./options.js";

// ------------------------------------------------------------------ reductions

const KEEP = ["keepdims"];
const KEEP_DDOF = ["keepdims", "ddof"];

function reduceWith(api: string, reduce: (x: Tensor, axes: number[]) => Tensor, x: ArrayLike, axis: Axis, opts: KeepDims): Tensor {
  checkOptions(api, opts, KEEP);
  const keepdims = opts.keepdims;
  const t = tensor(x);
  const axes = normAxes(api, axis, t.ndim);
  const r = axes.length ? reduce(t, axes) : t;
  return keepdims ? reshape(r, t.shape.map((s, i) => (axes.includes(i) ? 1 : s))) : r;
}
/** bool counts (sum) and multiplies (prod) as int32, as in JAX. */
const intIfBool = (x: ArrayLike) => {
  const t = tensor(x);
  return t.dtype === "bool" ? astype(t, "int32") : t;
};
export const sum = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("sum", lax.sum, intIfBool(x), axis, opts);
export const prod = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("prod", lax.reduceProd, intIfBool(x), axis, opts);
export const max = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("max", lax.reduceMax, x, axis, opts);
export const min = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("min", lax.reduceMin, x, axis, opts);

export function mean(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("mean", opts, KEEP);
  const t = floaty(x);
  const axes = normAxes("mean", axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  return divide(sum(t, axes, opts), count);
}

export function variance(x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}): Tensor {
  checkOptions("var", opts, KEEP_DDOF);
  const t = floaty(x);
  const axes = normAxes("var", axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  const centered = subtract(t, mean(t, axes, { keepdims: true }));
  return divide(sum(square(centered), axes, { keepdims: opts.keepdims }), count - (opts.ddof ?? 0));
}
export { variance as var };
export const std = (x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}) => (checkOptions("std", opts, KEEP_DDOF), sqrt(variance(x, axis, opts)));

/** log Σ exp x, stable: the max is factored out (and held constant for the derivative). */
export function logsumexp(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  checkOptions("logsumexp", opts, KEEP);
  const t = floaty(x);
  const axes = normAxes("logsumexp", axis, t.ndim);
  const m = stopGradient(max(t, axes, { keepdims: true }));
  const safeM = where(isfinite(m), m, 0);
  const s = log(sum(exp(subtract(t, safeM)), axes, { keepdims: true }));
  const r = add(s, safeM);
  return opts.keepdims ? r : reshape(r, t.shape.filter((_, i) => !axes.includes(i)));
}

function argReduce(api: string, reduce: (x: Tensor, axis: number) => Tensor, x: ArrayLike, axis?: number, opts: KeepDims = {}): Tensor {
  checkOptions(api, opts, KEEP);
  let t = tensor(x);
  if (axis === undefined || axis === null) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  const a = normAxis(api, axis, t.ndim);
  if (t.shape[a] === 0) throw fail(ValueError, `${api}: attempt to get ${api} of an empty sequence.`);
  const r = reduce(t, a);
  return opts.keepdims ? expandDims(r, a) : r;
}
export const argmax = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmax", lax.argmax, x, axis, opts);
export const argmin = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmin", lax.argmin, x, axis, opts);

/** Options of cumsum: `reverse` sums from the end of the axis (as jax.lax.cumsum's `reverse`). */
export interface CumsumOpts {
  reverse?: boolean;
}
/**
 * Cumulative sum along `axis` (the flattened array when omitted); bool sums as int32. With
 * `{reverse: true}` element i is the sum of elements i… to the end (jax.lax.cumsum's reverse).
 * @example
 * ```ts
 * np.cumsum([1, 2, 3]); // → [1, 3, 6]
 * np.cumsum([1, 2, 3], 0, { reverse: true }); // → [6, 5, 3]
 * ```
 */
export function cumsum(x: ArrayLike, axis?: number | null, opts: CumsumOpts = {}): Tensor {
  checkOptions("cumsum", opts, ["reverse"]);
  let t = tensor(x);
  if (t.dtype === "bool") t = astype(t, "int32");
  if (axis === undefined || axis === null) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  return lax.cumsum(t, normAxis("cumsum", axis, t.ndim), opts.reverse === true);
}

