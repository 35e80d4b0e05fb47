// Sorting and search in the numpy layer: sort, argsort, searchsorted, unique, nonzero, argwhere,
// flatnonzero, over the sort and scatter primitives. Shapes that depend on values (unique,
// nonzero without `size`) need concrete inputs, as in JAX.
import { ConcretizationError, ValueError, fail } from "../errors.js";
import { normAxis } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { isTracer } from "../trace.js";
import * as lax from "../lax.js";
import { tensor } from "./convert.js";
import { checkOptions } from "./options.js";
import { reshape } from "./shape.js";

/** Options of sort and argsort. */
export interface SortOpts {
  /** argsort: equal elements keep their order (default true; the sort is always stable). */
  stable?: boolean;
  /** largest first (JAX: the ascending result reversed for sort; stable for argsort). */
  descending?: boolean;
}

/** x and the axis, flattened when axis is null. */
function along(api: string, x: ArrayLike, axis: number | null): [Tensor, number] {
  let t = tensor(x, api);
  if (axis === null) return [reshape(t, [-1]), 0];
  if (t.ndim === 0) t = reshape(t, [1]);
  return [t, normAxis(api, axis, t.ndim)];
}

/**
 * The sorted array along an axis (last by default; null: the flattened array). NaNs go last and
 * -0 equals +0 (numpy's and JAX's order); stable. Differentiable: the gradient flows back
 * through the permutation. Mirrors numpy.sort / jax.numpy.sort (with JAX's `descending`).
 * @param x - any shape and dtype.
 * @param axis - the axis (negative from the end), default -1; null to flatten first.
 * @param opts.descending - largest first (the ascending result reversed, as JAX).
 * @returns x's shape (1-D when flattened) and dtype.
 * @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.sort([3, 1, 2]); // → [1, 2, 3]
 * np.sort([NaN, 1]).index(-1).item(); // → NaN
 * np.sort([[3, 1], [0, 2]], 0); // → [[0, 1], [3, 2]]
 * np.sort([3, 1, 2], -1, { descending: true }); // → [3, 2, 1]
 * ```
 */
export function sort(x: ArrayLike, axis: number | null = -1, opts: SortOpts = {}): Tensor {
  checkOptions("sort", opts, ["stable", "descending"]);
  const [t, a] = along("sort", x, axis);
  const [s] = lax.sortMany([t], a);
  return opts.descending ? lax.rev(s!, [a]) : s!;
}

/**
 * The int32 indices that sort x along an axis (stable: equal elements keep their order; NaNs
 * last). Mirrors numpy.argsort / jax.numpy.argsort (kind is always a stable sort; `descending`
 * as JAX: stable too, equal elements keep their order).
 * @param x - any shape and dtype.
 * @param axis - the axis (negative from the end), default -1; null to flatten first.
 * @param opts.descending - indices of the largest first.
 * @returns int32, x's shape (1-D when flattened).
 * @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.argsort([3, 1, 2, 1]); // → [1, 3, 2, 0]
 * np.argsort([3, 1, 2, 1], -1, { descending: true }); // → [0, 2, 1, 3]
 * ```
 */
export function argsort(x: ArrayLike, axis: number | null = -1, opts: SortOpts = {}): Tensor {
  checkOptions("argsort", opts, ["stable", "descending"]);
  const [t, a] = along("argsort", x, axis);
  const iota = lax.iota([...t.shape], a, "int32");
  if (!opts.descending) return lax.sortMany([t, iota], a)[1]!;
  // descending and stable: sort the reversed array ascending, reverse, map i → n-1-i
  const [, idx] = lax.sortMany([lax.rev(t, [a]), iota], a);
  return lax.sub(lax.full([], t.shape[a]! - 1, "int32"), lax.rev(idx!, [a]));
}

/** Each element's rank in x (1-D): the stable sort's inverse permutation. */
function rank(x: Tensor): Tensor {
  const n = x.shape[0]!;
  const iota = lax.iota([n], 0, "int32");
  const [, perm] = lax.sortMany([x, iota], 0);
  return lax.scatter(lax.full([n], 0, "int32"), perm!, iota, 0, "set");
}

/**
 * Indices where v's elements would be inserted into the sorted 1-D array a to keep it sorted:
 * "left" gives the first such place (a[i-1] < v ≤ a[i]), "right" the last (a[i-1] ≤ v < a[i]).
 * NaN sorts last. Computed by one stable sort of a and v together (JAX's method "sort").
 * Mirrors numpy.searchsorted / jax.numpy.searchsorted (no `sorter`).
 * @param a - sorted, 1-D.
 * @param v - any shape, a's dtype after promotion.
 * @param opts.side - "left" (default) or "right".
 * @returns int32, v's shape.
 * @throws ValueError for a of rank ≠ 1 or an unknown side.
 * @example
 * ```ts
 * np.searchsorted([1, 2, 2, 3], [2, 0, 5]); // → [1, 0, 4]
 * np.searchsorted([1, 2, 2, 3], 2, { side: "right" }); // → 3
 * ```
 */
export function searchsorted(a: ArrayLike, v: ArrayLike, opts: { side?: "left" | "right" } = {}): Tensor {
  checkOptions("searchsorted", opts, ["side"]);
  const side = opts.side ?? "left";
  if (side !== "left" && side !== "right") throw fail(ValueError, `searchsorted: side must be "left" or "right", got ${JSON.stringify(side)}.`);
  let s = tensor(a, "searchsorted");
  let q = tensor(v, "searchsorted");
  if (s.ndim !== 1) throw fail(ValueError, `searchsorted: a must be 1-D, got shape [${s.shape.join(", ")}].`);
  if (s.dtype !== q.dtype) {
    const d = s.dtype === "float64" || q.dtype === "float64" ? "float64" : s.dtype === "float32" || q.dtype === "float32" ? "float32" : "int32";
    (s = lax.convert(s, d)), (q = lax.convert(q, d));
  }
  const qf = reshape(q, [-1]);
  const [n, m] = [s.shape[0]!, qf.shape[0]!];
  // a query's rank among [queries, a] (left) or [a, queries] (right), minus its rank among the queries
  const r = side === "left" ? lax.sliceInDim(rank(lax.concatenate([qf, s], 0)), 0, 0, m) : lax.sliceInDim(rank(lax.concatenate([s, qf], 0)), 0, n, n + m);
  return reshape(lax.sub(r, rank(qf)), q.shape);
}

/** Options of nonzero, argwhere, flatnonzero and unique: a static result size (padding with fillValue). */
export interface SizeOpts {
  /** the number of results (truncated or padded): required under jit. */
  size?: number;
  /** padding for results beyond the count (default 0; unique: the smallest value). */
  fillValue?: number;
}

/** The count of true entries of a concrete mask, or an error naming the `size` option. */
function countOf(api: string, mask: Tensor, size: number | undefined): number {
  if (size !== undefined) {
    if (!(Number.isInteger(size) && size >= 0)) throw fail(ValueError, `${api}: size must be a non-negative integer, got ${size}.`);
    return size;
  }
  if (isTracer(mask)) {
    throw fail(ConcretizationError, `${api}: the number of results depends on the values, which are traced here (jit/vmap/grad); pass { size } for a fixed result size (extra slots get fillValue).`);
  }
  return lax.sum(lax.convert(mask, "int32"), mask.shape.map((_, i) => i)).item();
}

/** Flat positions of the first `size` true entries of a flat bool mask, then `fill`. */
function flatTrue(mask: Tensor, size: number, fill: number): Tensor {
  const m = lax.convert(mask, "int32");
  const slot = lax.sub(lax.cumsum(m, 0), lax.full([], 1, "int32"));
  const pos = lax.select(mask, slot, lax.full([], size, "int32"));
  const n = mask.shape[0]!;
  return lax.scatter(lax.full([size], fill, "int32"), pos, lax.iota([n], 0, "int32"), 0, "set");
}

/**
 * The indices of the nonzero (true) elements, one int32 array per axis, in row-major order.
 * Concrete input, or `size` for a fixed count (extra slots are `fillValue`, default 0), as JAX.
 * Mirrors numpy.nonzero / jax.numpy.nonzero.
 * @param x - any shape and dtype (nonzero = true).
 * @param opts.size - the result length (required under jit); opts.fillValue - padding, default 0.
 * @returns x.ndim int32 arrays of the count's (or size's) length.
 * @throws ConcretizationError for a traced x without size.
 * @example
 * ```ts
 * const [r, c] = np.nonzero([[0, 1], [2, 0]]);
 * r; // → [0, 1]
 * c; // → [1, 0]
 * np.nonzero([0, 3, 0, 4], { size: 3, fillValue: -1 })[0]; // → [1, 3, -1]
 * ```
 */
export function nonzero(x: ArrayLike, opts: SizeOpts = {}): Tensor[] {
  checkOptions("nonzero", opts, ["size", "fillValue"]);
  let t = tensor(x, "nonzero");
  if (t.ndim === 0) t = reshape(t, [1]);
  const mask = t.dtype === "bool" ? t : lax.ne(t, lax.scalarLike(t, 0));
  const size = countOf("nonzero", mask, opts.size);
  const fill = opts.fillValue ?? 0;
  const flat = flatTrue(reshape(mask, [-1]), size, -1);
  const valid = lax.ge(flat, lax.full([], 0, "int32"));
  let stride = t.size;
  return t.shape.map((n) => {
    stride /= n;
    const c = lax.div(flat, lax.full([], stride, "int32"));
    const coord = n === 0 ? c : lax.sub(c, lax.mul(lax.div(c, lax.full([], n, "int32")), lax.full([], n, "int32")));
    return lax.select(valid, coord, lax.full([], fill, "int32"));
  });
}

/**
 * The indices of the nonzero elements as rows [count, ndim] (int32). Concrete input, or `size`.
 * Mirrors numpy.argwhere / jax.numpy.argwhere.
 * @example
 * ```ts
 * np.argwhere([[0, 1], [2, 0]]); // → [[0, 1], [1, 0]]
 * ```
 */
export function argwhere(x: ArrayLike, opts: SizeOpts = {}): Tensor {
  checkOptions("argwhere", opts, ["size", "fillValue"]);
  const t = tensor(x, "argwhere");
  const cols = nonzero(t.ndim === 0 ? reshape(t, [1]) : t, opts);
  return lax.concatenate(cols.map((c) => reshape(c, [c.shape[0]!, 1])), 1).reshape(t.ndim === 0 ? [cols[0]!.shape[0]!, 0] : [cols[0]!.shape[0]!, t.ndim]);
}

/**
 * The flat (row-major) indices of the nonzero elements (int32). Concrete input, or `size`.
 * Mirrors numpy.flatnonzero / jax.numpy.flatnonzero.
 * @example
 * ```ts
 * np.flatnonzero([[0, 1], [2, 0]]); // → [1, 2]
 * ```
 */
export function flatnonzero(x: ArrayLike, opts: SizeOpts = {}): Tensor {
  checkOptions("flatnonzero", opts, ["size", "fillValue"]);
  return nonzero(reshape(tensor(x, "flatnonzero"), [-1]), opts)[0]!;
}

/**
 * The sorted distinct values of the flattened x (NaNs count as one value, numpy's equal_nan).
 * Concrete input, or `size` (padding with fillValue, default the smallest value), as JAX.
 * Mirrors numpy.unique / jax.numpy.unique (values only).
 * @example
 * ```ts
 * np.unique([3, 1, 3, 2, 1]); // → [1, 2, 3]
 * np.unique([3, 1, 3], { size: 4, fillValue: 0 }); // → [1, 3, 0, 0]
 * ```
 */
export function unique(x: ArrayLike, opts: SizeOpts = {}): Tensor {
  checkOptions("unique", opts, ["size", "fillValue"]);
  const t = reshape(tensor(x, "unique"), [-1]);
  const n = t.shape[0]!;
  if (n === 0) return t;
  const [s] = lax.sortMany([t], 0) as [Tensor];
  const prev = lax.sliceInDim(s, 0, 0, n - 1);
  const next = lax.sliceInDim(s, 0, 1, n);
  const differs = s.dtype === "float32" || s.dtype === "float64" ? lax.and(lax.ne(next, prev), lax.not(lax.and(lax.isnan(next), lax.isnan(prev)))) : lax.ne(next, prev);
  const first = lax.concatenate([lax.full([1], 1, "bool"), differs], 0);
  const size = countOf("unique", first, opts.size);
  const pos = flatTrue(first, size, n);
  const vals = lax.gather(s, pos, 0);
  const fill = opts.fillValue === undefined ? lax.sliceInDim(s, 0, 0, 1) : lax.full([], opts.fillValue, s.dtype);
  return lax.select(lax.lt(pos, lax.full([], n, "int32")), vals, fill);
}

/**
 * Gathers along an axis at per-position indices (x and indices broadcast outside the axis).
 * Negative indices count from the end once; others out of range clamp (numpy raises). The
 * gradient is a scatter-add. Mirrors numpy.take_along_axis / jax.numpy.take_along_axis.
 * @param x - any shape.
 * @param indices - integers, x's rank; null axis: both flattened.
 * @param axis - the axis (negative from the end), or null.
 * @returns the broadcast shape with indices' length along the axis; x's dtype.
 * @example
 * ```ts
 * const x = np.array([[10, 30, 20], [60, 40, 50]]);
 * np.takeAlongAxis(x, np.argsort(x, 1), 1); // → [[10, 20, 30], [40, 50, 60]]
 * ```
 */
export function takeAlongAxis(x: ArrayLike, indices: ArrayLike, axis: number | null): Tensor {
  const [t, idx, a] = alongPair("takeAlongAxis", x, indices, axis);
  return lax.takeAlongAxis(t, idx, a);
}

function alongPair(api: string, x: ArrayLike, indices: ArrayLike, axis: number | null): [Tensor, Tensor, number] {
  let t = tensor(x, api);
  let idx = lax.convert(tensor(indices, api), "int32");
  if (axis === null) return [reshape(t, [-1]), reshape(idx, [-1]), 0];
  if (idx.ndim !== t.ndim) throw fail(ValueError, `${api}: indices (rank ${idx.ndim}) must have x's rank (${t.ndim}).`);
  const a = normAxis(api, axis, t.ndim);
  const shape = t.shape.map((s, d) => (d === a ? s : Math.max(s, idx.shape[d]!)));
  t = lax.broadcastTo(t, shape);
  idx = lax.broadcastTo(idx, shape.map((s, d) => (d === a ? idx.shape[a]! : s)));
  return [t, idx, a];
}

/**
 * x with `values` written at per-position indices along an axis (a new array: JAX's
 * put_along_axis with inplace=False). Indices wrap once from the end, then clamp; a repeated
 * index keeps the last value.
 * @example
 * ```ts
 * np.putAlongAxis(np.zeros([2, 3]), [[1], [2]], 5, 1); // → [[0, 5, 0], [0, 0, 5]]
 * ```
 */
export function putAlongAxis(x: ArrayLike, indices: ArrayLike, values: ArrayLike, axis: number | null): Tensor {
  const t = tensor(x, "putAlongAxis");
  const [, idx, a] = alongPair("putAlongAxis", t, indices, axis);
  const base = axis === null ? reshape(t, [-1]) : t;
  const pos = lax.takeAlongAxis(reshape(lax.iota([base.size], 0, "int32"), base.shape), idx, a);
  const v = lax.broadcastTo(lax.convert(tensor(values, "putAlongAxis"), t.dtype), pos.shape);
  const out = lax.scatter(reshape(base, [-1]), reshape(pos, [-1]), reshape(v, [-1]), 0, "set");
  return reshape(out, t.shape);
}
