// The public lax functions beyond control flow (`import { lax } from "tapir"`): thin, typed
// entry points over the primitives with JAX's argument conventions (axis defaults, reverse,
// clamped dynamic starts), coercing JS values and naming `lax.<fn>` in errors.
import { DTypeError, ShapeError, ValueError, fail } from "./errors.js";
import { fmtShape, normAxis } from "./shape.js";
import type { Tensor, ArrayLike } from "./tensor.js";
import * as L from "./lax.js";
import { associativeScanList } from "./assoc-scan.js";
import { flatten, unflatten, map as treeMap } from "./tree.js";
import { asarray, astype, tensor } from "./numpy/convert.js";
import { checkOptions } from "./numpy/options.js";

/** An int32 scalar start index (number or integer tensor). */
function startOf(api: string, s: number | Tensor): Tensor {
  const t = typeof s === "number" ? tensor(Int32Array.of(s)).reshape([]) : s;
  if (t.ndim !== 0) throw fail(ShapeError, `${api}: each start index must be a scalar, got shape ${fmtShape(t.shape)}.`);
  if (t.dtype === "float32" || t.dtype === "float64") throw fail(DTypeError, `${api}: start indices must be integers, got ${t.dtype}; convert with astype("int32").`);
  return astype(t, "int32");
}
function startsOf(api: string, x: Tensor, starts: readonly (number | Tensor)[]): Tensor[] {
  if (starts.length !== x.ndim) throw fail(ShapeError, `${api}: ${starts.length} start indices for an operand of shape ${fmtShape(x.shape)}; pass one per axis.`);
  return starts.map((s) => startOf(api, s));
}

/**
 * pred ? onTrue : onFalse elementwise; the three have one shape (pred may be a scalar) and the
 * branches one dtype, without promotion. Mirrors jax.lax.select.
 * @example
 * ```ts
 * lax.select(np.array([true, false]), np.array([1, 2]), np.array([3, 4])); // → [1, 4]
 * ```
 */
export function select(pred: ArrayLike, onTrue: ArrayLike, onFalse: ArrayLike): Tensor {
  const [p, a, b] = [asarray(pred), asarray(onTrue), asarray(onFalse)];
  if (p.dtype !== "bool") throw fail(DTypeError, `lax.select: the predicate must be bool, got ${p.dtype}; compare first (e.g. np.greater(x, 0)).`);
  if (a.dtype !== b.dtype) throw fail(DTypeError, `lax.select: the branches must share a dtype, got ${a.dtype} and ${b.dtype}; convert one with astype.`);
  const same = (s: readonly number[], t: readonly number[]) => s.length === t.length && s.every((v, i) => v === t[i]);
  if (!same(a.shape, b.shape) || (p.ndim !== 0 && !same(p.shape, a.shape))) {
    throw fail(ShapeError, `lax.select: shapes must agree (pred may be a scalar), got pred ${fmtShape(p.shape)}, ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use np.where to broadcast.`);
  }
  return L.select(p, a, b);
}

/**
 * The window of `sizes` starting at `starts` (numbers or int32 scalars, possibly traced), each
 * start clamped into [0, n - size] as XLA does. Differentiable in x; works under jit and vmap
 * (also with batched starts). Mirrors jax.lax.dynamic_slice.
 * @example
 * ```ts
 * lax.dynamicSlice(np.arange(6), [4], [3]); // → [3, 4, 5]
 * ```
 */
export function dynamicSlice(x: ArrayLike, starts: readonly (number | Tensor)[], sizes: readonly number[]): Tensor {
  const t = asarray(x);
  const s = startsOf("lax.dynamicSlice", t, starts);
  return L.dynamicSlice(t, s, sizes);
}

/**
 * x with `update` written at `starts` (clamped so the update fits, as XLA). Differentiable in x
 * and the update. Mirrors jax.lax.dynamic_update_slice.
 * @example
 * ```ts
 * lax.dynamicUpdateSlice(np.zeros([5]), np.ones([2]), [1]); // → [0, 1, 1, 0, 0]
 * ```
 */
export function dynamicUpdateSlice(x: ArrayLike, update: ArrayLike, starts: readonly (number | Tensor)[]): Tensor {
  const t = asarray(x);
  const u = astype(asarray(update), t.dtype);
  return L.dynamicUpdateSlice(t, u, startsOf("lax.dynamicUpdateSlice", t, starts));
}

/**
 * x at a (traced) index along one axis: the slice x[..., index, ...], kept as size 1 unless
 * `keepdims` is false. The index is clamped into range. Mirrors jax.lax.dynamic_index_in_dim.
 * @example
 * ```ts
 * lax.dynamicIndexInDim(np.array([[1, 2], [3, 4]]), 1, 0, false); // → [3, 4]
 * ```
 */
export function dynamicIndexInDim(x: ArrayLike, index: number | Tensor, axis = 0, keepdims = true): Tensor {
  const t = asarray(x);
  const a = normAxis("lax.dynamicIndexInDim", axis, t.ndim);
  const starts = t.shape.map((_, i) => (i === a ? startOf("lax.dynamicIndexInDim", index) : startOf("lax.dynamicIndexInDim", 0)));
  const out = L.dynamicSlice(t, starts, t.shape.map((s, i) => (i === a ? 1 : s)));
  return keepdims ? out : L.reshape(out, t.shape.filter((_, i) => i !== a));
}

/**
 * Inclusive scan by an associative `fn(a, b)` over pytrees of arrays sharing their length along
 * `axis`, as a parallel prefix (O(log n) depth). Mirrors jax.lax.associative_scan.
 * @param fn - associative, elementwise over pytrees shaped like `elems` (slices along the axis).
 * @param elems - a pytree of arrays.
 * @param opts.reverse - scan from the end; opts.axis - the axis, default 0.
 * @example
 * ```ts
 * lax.associativeScan((a: Tensor, b: Tensor) => a.add(b), np.array([1, 2, 3, 4])); // → [1, 3, 6, 10]
 * lax.associativeScan(np.maximum, np.array([1, 3, 2, 5]), { reverse: true }); // → [5, 5, 5, 5]
 * ```
 */
export function associativeScan(fn: (a: any, b: any) => unknown, elems: unknown, opts: { reverse?: boolean; axis?: number } = {}): any {
  checkOptions("lax.associativeScan", opts, ["reverse", "axis"]);
  const [leaves, def] = flatten(elems);
  const ts = leaves.map((l) => asarray(l as ArrayLike));
  if (ts.length === 0) throw fail(ValueError, "lax.associativeScan: elems has no arrays.");
  const axis = normAxis("lax.associativeScan", opts.axis ?? 0, ts[0]!.ndim);
  const n = ts[0]!.shape[axis];
  if (ts.some((t) => t.shape[axis] !== n)) throw fail(ShapeError, `lax.associativeScan: every array needs the same length along axis ${axis}, got ${ts.map((t) => fmtShape(t.shape)).join(", ")}.`);
  const combine = (a: Tensor[], b: Tensor[]) => flatten(fn(unflatten(def, a), unflatten(def, b)))[0] as Tensor[];
  return unflatten(def, associativeScanList(combine, ts, axis, opts.reverse === true));
}

/**
 * The identity whose derivative is zero, on every array of a pytree. Mirrors jax.lax.stop_gradient.
 * @example
 * ```ts
 * grad((x: Tensor) => x.mul(lax.stopGradient(x)).sum())(np.array([3])); // → [3]
 * ```
 */
export function stopGradient<T>(x: T): T {
  return treeMap((l: unknown) => L.stopGradient(asarray(l as ArrayLike)), x as never) as T;
}

/** Options of the lax cumulative ops: the axis (default 0) and whether to accumulate from the end. */
export type CumulativeOptions = { axis?: number; reverse?: boolean };
function cum(api: string, op: (x: Tensor, axis: number, reverse: boolean) => Tensor, x: ArrayLike, opts: CumulativeOptions): Tensor {
  checkOptions(api, opts, ["axis", "reverse"]);
  const t = asarray(x);
  if (t.ndim === 0) throw fail(ShapeError, `${api}: the operand must have at least one axis.`);
  return op(t, normAxis(api, opts.axis ?? 0, t.ndim), opts.reverse === true);
}
/**
 * The running sum along `axis` (default 0; `reverse` from the end). Mirrors jax.lax.cumsum.
 * @example
 * ```ts
 * lax.cumsum(np.array([1, 2, 3])); // → [1, 3, 6]
 * ```
 */
export const cumsum = (x: ArrayLike, opts: CumulativeOptions = {}): Tensor => cum("lax.cumsum", L.cumsum, x, opts);
/**
 * The running product along `axis` (default 0). Mirrors jax.lax.cumprod.
 * @example
 * ```ts
 * lax.cumprod(np.array([1, 2, 3]), { reverse: true }); // → [6, 6, 3]
 * ```
 */
export const cumprod = (x: ArrayLike, opts: CumulativeOptions = {}): Tensor => cum("lax.cumprod", L.cumprod, x, opts);
/**
 * The running maximum along `axis` (default 0; NaN propagates). Mirrors jax.lax.cummax.
 * @example
 * ```ts
 * lax.cummax(np.array([1, 3, 2, 5])); // → [1, 3, 3, 5]
 * ```
 */
export const cummax = (x: ArrayLike, opts: CumulativeOptions = {}): Tensor => cum("lax.cummax", L.cummax, x, opts);
/**
 * The running minimum along `axis` (default 0). Mirrors jax.lax.cummin.
 * @example
 * ```ts
 * lax.cummin(np.array([3, 1, 2])); // → [3, 1, 1]
 * ```
 */
export const cummin = (x: ArrayLike, opts: CumulativeOptions = {}): Tensor => cum("lax.cummin", L.cummin, x, opts);
/**
 * The running log Σ exp along `axis` (default 0), stable for large values. Mirrors jax.lax.cumlogsumexp.
 * @example
 * ```ts
 * lax.cumlogsumexp(np.array([0, 0])); // → [0, 0.6931472]
 * ```
 */
export const cumlogsumexp = (x: ArrayLike, opts: CumulativeOptions = {}): Tensor => cum("lax.cumlogsumexp", L.cumlogsumexp, x, opts);

/**
 * Sorts one array, or several of one shape by the first `numKeys` of them (lexicographic;
 * the others follow the same permutation), along `dimension` (default -1). Stable; NaNs last,
 * -0 equal to +0. Returns the same structure (array or array list). Differentiable: tangents
 * follow the permutation. Mirrors jax.lax.sort.
 * @example
 * ```ts
 * lax.sort(np.array([3, 1, 2])); // → [1, 2, 3]
 * const [k, v] = lax.sort([np.array([2, 1, 2]), np.array([10, 20, 30])]);
 * v; // → [20, 10, 30]
 * ```
 */
export function sort(operand: ArrayLike | readonly ArrayLike[], opts: { dimension?: number; isStable?: boolean; numKeys?: number } = {}): any {
  checkOptions("lax.sort", opts, ["dimension", "isStable", "numKeys"]);
  const many = Array.isArray(operand) && !(operand.length > 0 && typeof operand[0] !== "object");
  const xs = (many ? (operand as readonly ArrayLike[]) : [operand as ArrayLike]).map((o) => asarray(o));
  if (xs.length === 0) throw fail(ValueError, "lax.sort: give at least one operand.");
  if (xs[0]!.ndim === 0) throw fail(ShapeError, "lax.sort: operands must have at least one axis.");
  const dim = normAxis("lax.sort", opts.dimension ?? -1, xs[0]!.ndim);
  const numKeys = opts.numKeys ?? 1;
  if (!(Number.isInteger(numKeys) && numKeys >= 1 && numKeys <= xs.length)) throw fail(ValueError, `lax.sort: numKeys must be an integer in [1, ${xs.length}], got ${numKeys}.`);
  const outs = L.sortMany(xs, dim, numKeys);
  return many ? outs : outs[0];
}

/**
 * The k largest entries along the last axis, in decreasing order (ties: lower index first), and
 * their int32 indices. XLA's total order: +NaN above +∞, -NaN below -∞, +0 above -0.
 * Differentiable in the values (the tangent at the chosen indices). Mirrors jax.lax.top_k.
 * @param x - at least 1-D, float or int32.
 * @param k - 0 ≤ k ≤ the last axis's length.
 * @returns [values, indices], shape x.shape[:-1] ++ [k].
 * @example
 * ```ts
 * const [v, i] = lax.topK(np.array([1, 5, 3, 5]), 2);
 * v; // → [5, 5]
 * i; // → Array([1, 3], dtype=int32)
 * ```
 */
export function topK(x: ArrayLike, k: number): [Tensor, Tensor] {
  return L.topK(asarray(x), k);
}

