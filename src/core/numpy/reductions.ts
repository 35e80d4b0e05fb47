// Reductions in the numpy layer: axis arguments, keepdims, bool sums as int32, and the
// compositions (mean, var, std, logsumexp) built from the reduction primitives.
import { ValueError, fail } from "../errors.js";
import { fmtShape, normAxes, normAxis } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, floaty, tensor, type Axis, type KeepDims } from "./convert.js";
import { add, divide, exp, isfinite, log, sqrt, square, stopGradient, subtract, where } from "./math.js";
import { expandDims, reshape } from "./shape.js";

// ------------------------------------------------------------------ reductions

function reduceWith(api: string, reduce: (x: Tensor, axes: number[]) => Tensor, x: ArrayLike, axis: Axis, keepdims: boolean | undefined): Tensor {
  const t = tensor(x, api);
  const axes = normAxes(api, axis, t.ndim);
  if ((api === "max" || api === "min") && axes.some((a) => t.shape[a] === 0)) {
    // as JAX/numpy: an empty max has no value to return (sum and prod have identities 0 and 1)
    throw fail(ValueError, `${api}: zero-size array to reduction operation ${api} which has no identity (shape ${fmtShape(t.shape)}, axis ${JSON.stringify(axis ?? null)}); reduce a non-empty array, or use np.where to supply a default.`);
  }
  const r = axes.length ? reduce(t, axes) : t;
  return keepdims ? reshape(r, t.shape.map((s, i) => (axes.includes(i) ? 1 : s))) : r;
}
export const sum = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => {
  const t = tensor(x, "sum");
  return reduceWith("sum", lax.sum, t.dtype === "bool" ? astype(t, "int32") : t, axis, opts.keepdims);
};
export const prod = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("prod", lax.reduceProd, x, axis, opts.keepdims);
export const max = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("max", lax.reduceMax, x, axis, opts.keepdims);
export const min = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("min", lax.reduceMin, x, axis, opts.keepdims);

export function mean(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  const t = floaty(x, "mean");
  const axes = normAxes("mean", axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  return divide(sum(t, axes, opts), count);
}

export function variance(x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}): Tensor {
  return varianceAs("var", x, axis, opts);
}
/** var for the function the user called (var or std), named in its messages. */
function varianceAs(api: string, x: ArrayLike, axis: Axis, opts: KeepDims & { ddof?: number }): Tensor {
  const t = floaty(x, api);
  const axes = normAxes(api, axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  const centered = subtract(t, mean(t, axes, { keepdims: true }));
  return divide(sum(square(centered), axes, opts), count - (opts.ddof ?? 0));
}
export { variance as var };
export const std = (x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}) => sqrt(varianceAs("std", x, axis, opts));

/** log Σ exp x, stable: the max is factored out (and held constant for the derivative). */
export function logsumexp(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  const t = floaty(x, "logsumexp");
  const axes = normAxes("logsumexp", axis, t.ndim);
  const m = stopGradient(max(t, axes, { keepdims: true }));
  const safeM = where(isfinite(m), m, 0);
  const s = log(sum(exp(subtract(t, safeM)), axes, { keepdims: true }));
  const r = add(s, safeM);
  return opts.keepdims ? r : reshape(r, t.shape.filter((_, i) => !axes.includes(i)));
}

function argReduce(api: string, reduce: (x: Tensor, axis: number) => Tensor, x: ArrayLike, axis?: number, opts: KeepDims = {}): Tensor {
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
export const argmax = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmax", lax.argmax, x, axis, opts);
export const argmin = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmin", lax.argmin, x, axis, opts);

export function cumsum(x: ArrayLike, axis?: number): Tensor {
  let t = tensor(x, "cumsum");
  if (t.dtype === "bool") t = astype(t, "int32");
  if (axis === undefined) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  return lax.cumsum(t, normAxis("cumsum", axis, t.ndim));
}

