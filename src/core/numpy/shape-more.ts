// More shape manipulation of the numpy layer: repetition, rolling and rotation, stacking and
// splitting, insertion and deletion at concrete positions, grids and diagonals. Everything is a
// reshape, broadcast, slice, concatenate or gather (take) of the primitives, so it differentiates,
// batches and jits as they do; positions (repeats, indices to insert or delete) are JS numbers.
import { ShapeError, ValueError, fail } from "../errors.js";
import { fmtShape, normAxis } from "../shape.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import { toConcrete } from "../trace.js";
import * as lax from "../lax.js";
import type { DType } from "../dtype.js";
import { array, astype, coerce, tensor, type DTypeOpt } from "./convert.js";
import { checkOptions } from "./options.js";
import { multiply } from "./math.js";
import { broadcastTo, concatenate, flip, moveaxis, reshape, split, transpose } from "./shape.js";
import { take } from "./indexing.js";
import { diag } from "./linalg.js";

const int32 = (xs: readonly number[]) => array(Int32Array.from(xs), { dtype: "int32" });
/** Integers of a JS number or list, or of a concrete tensor, checked. */
function intList(api: string, what: string, v: number | readonly number[] | ArrayLike): number[] {
  const xs = typeof v === "number" ? [v] : Array.isArray(v) ? (v as number[]) : [...(toConcrete(tensor(v as ArrayLike), api).dataSync() as unknown as number[])].map(Number);
  if (xs.some((x) => !Number.isInteger(x))) throw fail(ValueError, `${api}: ${what} must be integers, got ${JSON.stringify(v)}.`);
  return [...xs];
}

/**
 * x with each element repeated along an axis (of the flattened x by default): `repeats` times
 * each, or repeats[i] times element i.
 * Mirrors numpy.repeat / jax.numpy.repeat (repeats must be concrete, as JAX's without
 * total_repeat_length); also `x.repeat(...)`.
 * @throws ValueError for negative repeats; ShapeError when a repeats list does not match the axis.
 * @example
 * ```ts
 * np.repeat([1, 2], 2); // → [1, 1, 2, 2]
 * np.repeat([[1, 2], [3, 4]], [1, 2], 0); // → [[1, 2], [3, 4], [3, 4]]
 * ```
 */
export function repeat(x: ArrayLike, repeats: number | readonly number[], axis?: number): Tensor {
  let t = tensor(x, repeat);
  if (axis === undefined) [t, axis] = [reshape(t, [-1]), 0];
  const a = normAxis("repeat", axis, t.ndim);
  const n = t.shape[a]!;
  const reps = intList("repeat", "repeats", repeats);
  if (reps.some((r) => r < 0)) throw fail(ValueError, `repeat: repeats must be non-negative, got ${JSON.stringify(repeats)}.`);
  if (reps.length === 1 && typeof repeats === "number") {
    const r = reps[0]!;
    const grown = broadcastTo(reshape(t, [...t.shape.slice(0, a + 1), 1, ...t.shape.slice(a + 1)]), [...t.shape.slice(0, a + 1), r, ...t.shape.slice(a + 1)]);
    return reshape(grown, [...t.shape.slice(0, a), n * r, ...t.shape.slice(a + 1)]);
  }
  if (reps.length !== n && reps.length !== 1) throw fail(ShapeError, `repeat: ${reps.length} repeats for axis ${a} of size ${n}; give one count, or one per element.`);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) for (let k = 0; k < (reps.length === 1 ? reps[0]! : reps[i]!); k++) idx.push(i);
  return take(t, int32(idx), a);
}
/**
 * x repeated `reps` times along each axis (reps and x are aligned from the right, the shorter
 * padded with 1s).
 * Mirrors numpy.tile / jax.numpy.tile.
 * @throws ValueError for negative or fractional reps.
 * @example
 * ```ts
 * np.tile([1, 2], 2); // → [1, 2, 1, 2]
 * np.tile([[1, 2]], [2, 1]); // → [[1, 2], [1, 2]]
 * ```
 */
export function tile(x: ArrayLike, reps: number | readonly number[]): Tensor {
  const t = tensor(x, tile);
  const r = intList("tile", "reps", reps);
  if (r.some((v) => v < 0)) throw fail(ValueError, `tile: reps must be non-negative, got ${JSON.stringify(reps)}.`);
  const d = Math.max(t.ndim, r.length);
  const s = [...Array(d - t.ndim).fill(1), ...t.shape] as number[];
  const rr = [...Array(d - r.length).fill(1), ...r] as number[];
  // [1, s0, 1, s1, …] broadcast to [r0, s0, r1, s1, …], then merged pairwise
  const inter = reshape(t, s.flatMap((v) => [1, v]));
  return reshape(broadcastTo(inter, s.flatMap((v, i) => [rr[i]!, v])), s.map((v, i) => v * rr[i]!));
}
/**
 * Rolls elements along axes: element i moves to i + shift (mod n); without an axis, of the
 * flattened x, keeping x's shape.
 * Mirrors numpy.roll / jax.numpy.roll.
 * @throws ShapeError when shift and axis lists differ in length.
 * @example
 * ```ts
 * np.roll([1, 2, 3, 4], 1); // → [4, 1, 2, 3]
 * np.roll([[1, 2], [3, 4]], [1, -1], [0, 1]); // → [[4, 3], [2, 1]]
 * ```
 */
export function roll(x: ArrayLike, shift: number | readonly number[], axis?: number | readonly number[]): Tensor {
  const t = tensor(x, roll);
  if (axis === undefined) return reshape(roll(reshape(t, [-1]), intList("roll", "shift", shift).reduce((p, q) => p + q, 0), 0), t.shape);
  const axes = typeof axis === "number" ? [axis] : [...axis];
  let shifts = intList("roll", "shift", shift);
  if (shifts.length === 1) shifts = axes.map(() => shifts[0]!);
  if (shifts.length !== axes.length) throw fail(ShapeError, `roll: ${shifts.length} shifts for ${axes.length} axes; give one shift, or one per axis.`);
  let out = t;
  axes.forEach((ax, i) => {
    const a = normAxis("roll", ax, t.ndim);
    const n = t.shape[a]!;
    const s = n === 0 ? 0 : ((shifts[i]! % n) + n) % n;
    if (s !== 0) out = lax.concatenate([lax.sliceInDim(out, a, n - s, n), lax.sliceInDim(out, a, 0, n - s)], a);
  });
  return out;
}
/**
 * x with axes a1 and a2 exchanged.
 * Mirrors numpy.swapaxes / jax.numpy.swapaxes; also `x.swapaxes(a1, a2)`.
 * @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.swapaxes(np.zeros([2, 3, 4]), 0, 2).shape; // → [4, 3, 2]
 * ```
 */
export function swapaxes(x: ArrayLike, axis1: number, axis2: number): Tensor {
  const t = tensor(x, swapaxes);
  const a = normAxis("swapaxes", axis1, t.ndim);
  const b = normAxis("swapaxes", axis2, t.ndim);
  const perm = t.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return transpose(t, perm);
}
/**
 * x rotated by 90° k times in the plane of two axes (from the first toward the second).
 * Mirrors numpy.rot90 / jax.numpy.rot90.
 * @throws ValueError when the axes are equal; AxisError when out of range.
 * @example
 * ```ts
 * np.rot90([[1, 2], [3, 4]]); // → [[2, 4], [1, 3]]
 * np.rot90([[1, 2], [3, 4]], 2); // → [[4, 3], [2, 1]]
 * ```
 */
export function rot90(m: ArrayLike, k = 1, axes: readonly [number, number] = [0, 1]): Tensor {
  const t = tensor(m, rot90);
  const [a, b] = axes.map((v) => normAxis("rot90", v, t.ndim)) as [number, number];
  if (a === b) throw fail(ValueError, `rot90: the two axes must differ, got ${JSON.stringify(axes)}.`);
  const q = ((k % 4) + 4) % 4;
  if (q === 0) return t;
  if (q === 2) return flip(t, [a, b]);
  return q === 1 ? swapaxes(flip(t, b), a, b) : flip(swapaxes(t, a, b), b);
}

/** One tensor for one argument, a list for several (numpy's atleast_* convention). */
function atleast(api: string, xs: readonly ArrayLike[], f: (t: Tensor) => Tensor): Tensor | Tensor[] {
  const out = xs.map((x) => f(tensor(x, api)));
  return out.length === 1 ? out[0]! : out;
}
/**
 * Views of the inputs with at least one axis (a scalar becomes [1]); one tensor for one input.
 * Mirrors numpy.atleast_1d / jax.numpy.atleast_1d.
 * @example
 * ```ts
 * np.atleast1d(5).shape; // → [1]
 * (np.atleast1d(1, [2, 3]) as Tensor[]).map((t) => t.shape); // → [[1], [2]]
 * ```
 */
export function atleast1d(x: ArrayLike): Tensor;
export function atleast1d(...xs: ArrayLike[]): Tensor | Tensor[];
export function atleast1d(...xs: ArrayLike[]): Tensor | Tensor[] {
  return atleast("atleast1d", xs, (t) => (t.ndim === 0 ? reshape(t, [1]) : t));
}
/**
 * Views with at least two axes: a scalar becomes [1, 1], a vector [n] becomes [1, n].
 * Mirrors numpy.atleast_2d / jax.numpy.atleast_2d.
 * @example
 * ```ts
 * np.atleast2d([1, 2]).shape; // → [1, 2]
 * ```
 */
export function atleast2d(x: ArrayLike): Tensor;
export function atleast2d(...xs: ArrayLike[]): Tensor | Tensor[];
export function atleast2d(...xs: ArrayLike[]): Tensor | Tensor[] {
  return atleast("atleast2d", xs, (t) => (t.ndim >= 2 ? t : reshape(t, [1, t.size])));
}
/**
 * Views with at least three axes: [] → [1, 1, 1], [n] → [1, n, 1], [m, n] → [m, n, 1].
 * Mirrors numpy.atleast_3d / jax.numpy.atleast_3d.
 * @example
 * ```ts
 * np.atleast3d([1, 2]).shape; // → [1, 2, 1]
 * np.atleast3d([[1, 2]]).shape; // → [1, 2, 1]
 * ```
 */
export function atleast3d(x: ArrayLike): Tensor;
export function atleast3d(...xs: ArrayLike[]): Tensor | Tensor[];
export function atleast3d(...xs: ArrayLike[]): Tensor | Tensor[] {
  return atleast("atleast3d", xs, (t) => (t.ndim >= 3 ? t : t.ndim === 2 ? reshape(t, [...t.shape, 1]) : reshape(t, [1, t.size, 1])));
}
const each = (api: string, xs: readonly ArrayLike[], f: (t: Tensor) => Tensor) => {
  if (xs.length === 0) throw fail(ValueError, `${api}: needs at least one array.`);
  return coerce(xs, api).map(f);
};
/**
 * Joins arrays column-wise: along axis 1, or axis 0 for 1-D inputs.
 * Mirrors numpy.hstack / jax.numpy.hstack.
 * @example
 * ```ts
 * np.hstack([[1, 2], [3]]); // → [1, 2, 3]
 * np.hstack([[[1], [2]], [[3], [4]]]); // → [[1, 3], [2, 4]]
 * ```
 */
export function hstack(xs: readonly ArrayLike[]): Tensor {
  const ts = each("hstack", xs, (t) => atleast1d(t));
  return concatenate(ts, ts[0]!.ndim === 1 ? 0 : 1);
}
/**
 * Joins arrays row-wise (along axis 0, 1-D inputs as rows).
 * Mirrors numpy.vstack / jax.numpy.vstack.
 * @example
 * ```ts
 * np.vstack([[1, 2], [3, 4]]); // → [[1, 2], [3, 4]]
 * ```
 */
export const vstack = (xs: readonly ArrayLike[]): Tensor => concatenate(each("vstack", xs, (t) => atleast2d(t)), 0);
/**
 * Joins arrays depth-wise (along axis 2, after {@link atleast3d}).
 * Mirrors numpy.dstack / jax.numpy.dstack.
 * @example
 * ```ts
 * np.dstack([[1, 2], [3, 4]]).shape; // → [1, 2, 2]
 * ```
 */
export const dstack = (xs: readonly ArrayLike[]): Tensor => concatenate(each("dstack", xs, (t) => atleast3d(t)), 2);
/**
 * Joins 1-D arrays as the columns of a 2-D array (2-D inputs join along axis 1).
 * Mirrors numpy.column_stack / jax.numpy.column_stack.
 * @example
 * ```ts
 * np.columnStack([[1, 2], [3, 4]]); // → [[1, 3], [2, 4]]
 * ```
 */
export const columnStack = (xs: readonly ArrayLike[]): Tensor => concatenate(each("columnStack", xs, (t) => (t.ndim < 2 ? reshape(t, [t.size, 1]) : t)), 1);
/**
 * Splits x into `sections` nearly equal parts (the first n mod sections one longer), or at indices.
 * Mirrors numpy.array_split / jax.numpy.array_split.
 * @throws ValueError for a non-positive count.
 * @example
 * ```ts
 * np.arraySplit(np.arange(5), 3).map((t) => t.toArray()); // → [[0, 1], [2, 3], [4]]
 * ```
 */
export function arraySplit(x: ArrayLike, sections: number | readonly number[], axis = 0): Tensor[] {
  const t = tensor(x, arraySplit);
  if (typeof sections !== "number") return split(t, sections, axis);
  if (!Number.isInteger(sections) || sections <= 0) throw fail(ValueError, `arraySplit: sections must be a positive integer, got ${sections}.`);
  const n = t.shape[normAxis("arraySplit", axis, t.ndim)]!;
  const [q, r] = [Math.floor(n / sections), n % sections];
  const cuts: number[] = [];
  for (let i = 1, at = 0; i < sections; i++) cuts.push((at += q + (i <= r ? 1 : 0)));
  return split(t, cuts, axis);
}
/**
 * Splits along axis 1 (axis 0 for 1-D x), equal sections or at indices.
 * Mirrors numpy.hsplit / jax.numpy.hsplit.
 * @example
 * ```ts
 * np.hsplit([[1, 2], [3, 4]], 2).map((t) => t.toArray()); // → [[[1], [3]], [[2], [4]]]
 * ```
 */
export function hsplit(x: ArrayLike, sections: number | readonly number[]): Tensor[] {
  const t = tensor(x, hsplit);
  if (t.ndim === 0) throw fail(ShapeError, "hsplit: needs at least 1-D input, got a scalar.");
  return split(t, sections, t.ndim === 1 ? 0 : 1);
}
/**
 * Splits along axis 0, equal sections or at indices; x must be at least 2-D.
 * Mirrors numpy.vsplit / jax.numpy.vsplit.
 * @example
 * ```ts
 * np.vsplit([[1, 2], [3, 4]], 2).map((t) => t.toArray()); // → [[[1, 2]], [[3, 4]]]
 * ```
 */
export function vsplit(x: ArrayLike, sections: number | readonly number[]): Tensor[] {
  const t = tensor(x, vsplit);
  if (t.ndim < 2) throw fail(ShapeError, `vsplit: needs at least 2-D input, got ${fmtShape(t.shape)}; use split for 1-D.`);
  return split(t, sections, 0);
}

/**
 * values appended after arr along an axis (both flattened when no axis is given).
 * Mirrors numpy.append / jax.numpy.append.
 * @example
 * ```ts
 * np.append([1, 2], [[3], [4]]); // → [1, 2, 3, 4]
 * np.append([[1, 2]], [[3, 4]], 0); // → [[1, 2], [3, 4]]
 * ```
 */
export function append(arr: ArrayLike, values: ArrayLike, axis?: number): Tensor {
  if (axis === undefined) return concatenate([reshape(arr, [-1]), reshape(values, [-1])], 0);
  return concatenate([arr, values], axis);
}
/**
 * arr with values inserted before the given index (or indices) along an axis (of the flattened
 * arr by default); values take arr's dtype and broadcast to the inserted slab.
 * Mirrors numpy.insert / jax.numpy.insert (indices must be concrete).
 * @throws ValueError for an index outside [-n, n].
 * @example
 * ```ts
 * np.insert([1, 2, 3], 1, 9); // → [1, 9, 2, 3]
 * np.insert([1, 2, 3], [0, 3], [7, 8]); // → [7, 1, 2, 3, 8]
 * np.insert([[1, 2], [3, 4]], 1, 0, 1); // → [[1, 0, 2], [3, 0, 4]]
 * ```
 */
export function insert(arr: ArrayLike, obj: number | readonly number[], values: ArrayLike, axis?: number): Tensor {
  let t = tensor(arr, insert);
  if (axis === undefined) [t, axis] = [reshape(t, [-1]), 0];
  const a = normAxis("insert", axis, t.ndim);
  const n = t.shape[a]!;
  const idx = intList("insert", "indices", obj).map((i) => {
    if (i < -n || i > n) throw fail(ValueError, `insert: index ${i} is out of bounds for axis ${a} of size ${n}; use an index in [-${n}, ${n}].`);
    return i < 0 ? i + n : i;
  });
  let v = astype(values, t.dtype);
  let k: number; // how many slabs go in
  if (idx.length === 1) {
    // numpy: values gain leading axes up to arr's rank; a scalar index takes them along the axis
    if (v.ndim < t.ndim) v = reshape(v, [...Array(t.ndim - v.ndim).fill(1), ...v.shape]);
    if (typeof obj === "number") v = moveaxis(v, 0, a);
    k = v.shape[a]!;
  } else k = idx.length;
  v = broadcastTo(v, t.shape.map((s, i) => (i === a ? k : s)));
  // the result gathers from concat([arr, values]): slab j of values sits at position n + j
  const pos = idx.length === 1 ? Array.from({ length: k }, (_, j) => idx[0]! + j) : stableShift(idx);
  const perm = new Array<number>(n + k).fill(-1);
  pos.forEach((p, j) => (perm[p] = n + j));
  for (let i = 0, src = 0; i < n + k; i++) if (perm[i] === -1) perm[i] = src++;
  return take(lax.concatenate([t, v], a), int32(perm), a);
}
/** numpy's positions for several inserts: index i's slab lands after the slabs of smaller (or equal, earlier) indices. */
function stableShift(idx: number[]): number[] {
  const order = idx.map((_, j) => j).sort((p, q) => idx[p]! - idx[q]! || p - q);
  const out = [...idx];
  order.forEach((j, r) => (out[j] = idx[j]! + r));
  return out;
}
/**
 * arr without the given index (or indices) along an axis (of the flattened arr by default).
 * Mirrors numpy.delete / jax.numpy.delete (indices must be concrete).
 * @throws ValueError for an index outside [-n, n).
 * @example
 * ```ts
 * np.delete([1, 2, 3, 4], [0, -1]); // → [2, 3]
 * np.delete([[1, 2], [3, 4]], 0, 1); // → [[2], [4]]
 * ```
 */
export function delete_(arr: ArrayLike, obj: number | readonly number[], axis?: number): Tensor {
  let t = tensor(arr, delete_);
  if (axis === undefined) [t, axis] = [reshape(t, [-1]), 0];
  const a = normAxis("delete", axis, t.ndim);
  const n = t.shape[a]!;
  const gone = new Set(
    intList("delete", "indices", obj).map((i) => {
      if (i < -n || i >= n) throw fail(ValueError, `delete: index ${i} is out of bounds for axis ${a} of size ${n}; use an index in [-${n}, ${n}).`);
      return i < 0 ? i + n : i;
    }),
  );
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !gone.has(i));
  return take(t, int32(keep), a);
}
export { delete_ as delete };

/** Options of {@link meshgrid}. */
export interface MeshgridOpts {
  /** "xy" (default: the first two outputs are [len(y), len(x)]) or "ij" (matrix indexing) */
  indexing?: "xy" | "ij";
  /** shapes with 1s instead of broadcast copies */
  sparse?: boolean;
}
const isOpts = (v: unknown): v is MeshgridOpts =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v);
/**
 * Coordinate grids from 1-D coordinate vectors (each input is flattened); a trailing options
 * object chooses the indexing.
 * Mirrors numpy.meshgrid / jax.numpy.meshgrid.
 * @throws ValueError for an unknown indexing.
 * @example
 * ```ts
 * const [X, Y] = np.meshgrid([1, 2, 3], [4, 5]);
 * X; // → [[1, 2, 3], [1, 2, 3]]
 * Y; // → [[4, 4, 4], [5, 5, 5]]
 * np.meshgrid([1, 2], [3, 4, 5], { indexing: "ij" })[0].shape; // → [2, 3]
 * ```
 */
export function meshgrid(...args: (ArrayLike | MeshgridOpts)[]): Tensor[] {
  const opts: MeshgridOpts = args.length && isOpts(args[args.length - 1]) ? (args.pop() as MeshgridOpts) : {};
  checkOptions("meshgrid", opts, ["indexing", "sparse"]);
  const ij = (opts.indexing ?? "xy") === "ij";
  if (!ij && opts.indexing !== undefined && opts.indexing !== "xy") throw fail(ValueError, `meshgrid: indexing must be "xy" or "ij", got ${JSON.stringify(opts.indexing)}.`);
  const xs = (args as ArrayLike[]).map((x) => reshape(tensor(x, meshgrid), [-1]));
  const sizes = xs.map((x) => x.size);
  if (!ij && xs.length > 1) [sizes[0], sizes[1]] = [sizes[1]!, sizes[0]!];
  return xs.map((x, i) => {
    const at = !ij && xs.length > 1 && i < 2 ? 1 - i : i;
    const v = reshape(x, sizes.map((s, j) => (j === at ? s : 1)));
    return opts.sparse ? v : broadcastTo(v, sizes);
  });
}

/**
 * The sum of products over the last `axes` axes of a with the first of b, or over the listed
 * axis pairs: numpy's tensordot, one dot_general.
 * Mirrors numpy.tensordot / jax.numpy.tensordot.
 * @throws ShapeError when contracted sizes differ or the axis lists differ in length.
 * @example
 * ```ts
 * np.tensordot(np.ones([2, 3]), np.ones([3, 4]), 1).shape; // → [2, 4]
 * np.tensordot([[1, 2], [3, 4]], [[1, 0], [0, 1]]).item(); // → 5
 * np.tensordot(np.ones([3, 2]), np.ones([3, 5]), [[0], [0]]).shape; // → [2, 5]
 * ```
 */
export function tensordot(a: ArrayLike, b: ArrayLike, axes: number | readonly [number | readonly number[], number | readonly number[]] = 2): Tensor {
  const [x, y] = coerce([a, b], tensordot) as [Tensor, Tensor];
  let ax: number[];
  let bx: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > x.ndim || axes > y.ndim) throw fail(ShapeError, `tensordot: cannot contract ${axes} axes of ${fmtShape(x.shape)} with ${fmtShape(y.shape)}.`);
    ax = Array.from({ length: axes }, (_, i) => x.ndim - axes + i);
    bx = Array.from({ length: axes }, (_, i) => i);
  } else {
    const list = (v: number | readonly number[]) => (typeof v === "number" ? [v] : [...v]);
    ax = list(axes[0]).map((v) => normAxis("tensordot", v, x.ndim));
    bx = list(axes[1]).map((v) => normAxis("tensordot", v, y.ndim));
  }
  if (ax.length !== bx.length || ax.some((v, i) => x.shape[v] !== y.shape[bx[i]!])) {
    throw fail(ShapeError, `tensordot: axes ${JSON.stringify(ax)} of ${fmtShape(x.shape)} do not match axes ${JSON.stringify(bx)} of ${fmtShape(y.shape)}; contracted sizes must be equal.`);
  }
  return lax.dotGeneral(x, y, { contract: [ax, bx], batch: [[], []] });
}
/**
 * The Kronecker product: block (i, j, …) of the result is a[i, j, …]·b (ranks aligned from the right).
 * Mirrors numpy.kron / jax.numpy.kron.
 * @example
 * ```ts
 * np.kron([1, 10], [1, 2]); // → [1, 2, 10, 20]
 * np.kron(np.eye(2), [[1, 2]]); // → [[1, 2, 0, 0], [0, 0, 1, 2]]
 * ```
 */
export function kron(a: ArrayLike, b: ArrayLike): Tensor {
  const [x, y] = coerce([a, b], kron) as [Tensor, Tensor];
  const d = Math.max(x.ndim, y.ndim);
  const sx = [...Array(d - x.ndim).fill(1), ...x.shape] as number[];
  const sy = [...Array(d - y.ndim).fill(1), ...y.shape] as number[];
  const prod = multiply(reshape(x, sx.flatMap((v) => [v, 1])), reshape(y, sy.flatMap((v) => [1, v])));
  return reshape(prod, sx.map((v, i) => v * sy[i]!));
}
/**
 * The diagonal at `offset` of the 2-D slices over axis1 and axis2, as a new last axis.
 * Mirrors numpy.diagonal / jax.numpy.diagonal; also `x.diagonal(...)`.
 * @throws ShapeError for input under 2-D; ValueError when the axes are equal.
 * @example
 * ```ts
 * np.diagonal([[1, 2], [3, 4]]); // → [1, 4]
 * np.diagonal([[1, 2, 3], [4, 5, 6]], 1); // → [2, 6]
 * np.diagonal(np.arange(8).reshape([2, 2, 2]), 0, 1, 2); // → [[0, 3], [4, 7]]
 * ```
 */
export function diagonal(x: ArrayLike, offset = 0, axis1 = 0, axis2 = 1): Tensor {
  const t = tensor(x, diagonal);
  if (t.ndim < 2) throw fail(ShapeError, `diagonal: needs at least 2-D input, got ${fmtShape(t.shape)}.`);
  const [a, b] = [normAxis("diagonal", axis1, t.ndim), normAxis("diagonal", axis2, t.ndim)];
  if (a === b) throw fail(ValueError, `diagonal: axis1 and axis2 must differ, got ${axis1} and ${axis2}.`);
  const rest = t.shape.map((_, i) => i).filter((i) => i !== a && i !== b);
  const [n, m] = [t.shape[a]!, t.shape[b]!];
  const moved = reshape(transpose(t, [...rest, a, b]), [...rest.map((i) => t.shape[i]!), n * m]);
  const k = Math.max(0, offset >= 0 ? Math.min(n, m - offset) : Math.min(n + offset, m));
  const idx = Array.from({ length: k }, (_, i) => (offset >= 0 ? i * m + i + offset : (i - offset) * m + i));
  return take(moved, int32(idx), moved.ndim - 1);
}
/**
 * A 2-D array with the flattened input on diagonal k.
 * Mirrors numpy.diagflat / jax.numpy.diagflat.
 * @example
 * ```ts
 * np.diagflat([[1, 2]]); // → [[1, 0], [0, 2]]
 * np.diagflat([3], 1); // → [[0, 3], [0, 0]]
 * ```
 */
export const diagflat = (v: ArrayLike, k = 0): Tensor => diag(reshape(v, [-1]), k);
/** The (row, col) pairs of an n×m matrix with j - i on the kept side of k, row-major. */
function triIndices(api: string, n: number, k: number, m: number, keep: (d: number) => boolean): [Tensor, Tensor] {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(m) || m < 0 || !Number.isInteger(k)) throw fail(ValueError, `${api}: n, m and k must be integers (n, m ≥ 0), got n=${n}, k=${k}, m=${m}.`);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) if (keep(j - i - k)) (rows.push(i), cols.push(j));
  return [int32(rows), int32(cols)];
}
/**
 * The row and column indices of the lower triangle (j ≤ i + k) of an n×m matrix, row-major, as int32.
 * Mirrors numpy.tril_indices / jax.numpy.tril_indices.
 * @example
 * ```ts
 * np.trilIndices(3).map((t) => t.toArray()); // → [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
 * ```
 */
export const trilIndices = (n: number, k = 0, m = n): [Tensor, Tensor] => triIndices("trilIndices", n, k, m, (d) => d <= 0);
/**
 * The row and column indices of the upper triangle (j ≥ i + k) of an n×m matrix, row-major, as int32.
 * Mirrors numpy.triu_indices / jax.numpy.triu_indices.
 * @example
 * ```ts
 * np.triuIndices(3, 1).map((t) => t.toArray()); // → [[0, 0, 1], [1, 2, 2]]
 * ```
 */
export const triuIndices = (n: number, k = 0, m = n): [Tensor, Tensor] => triIndices("triuIndices", n, k, m, (d) => d >= 0);
/**
 * x flattened to 1-D (row-major).
 * Mirrors numpy.ravel / jax.numpy.ravel; also `x.ravel()` and `x.flatten()`.
 * @example
 * ```ts
 * np.ravel([[1, 2], [3, 4]]); // → [1, 2, 3, 4]
 * ```
 */
export const ravel = (x: ArrayLike): Tensor => reshape(x, [-1]);
/**
 * Open-mesh index arrays: input k (1-D; a bool mask becomes its true positions) reshaped to
 * size 1 on every axis but k, so `x.index`-style broadcasting builds cross products.
 * Mirrors numpy.ix_ / jax.numpy.ix_ (bool masks must be concrete).
 * @throws ShapeError for an input that is not 1-D.
 * @example
 * ```ts
 * np.ix_([0, 1], [2, 3, 4]).map((t) => t.shape); // → [[2, 1], [1, 3]]
 * ```
 */
export function ix_(...seqs: ArrayLike[]): Tensor[] {
  return seqs.map((s, k) => {
    let t = tensor(s, ix_);
    if (t.ndim !== 1) throw fail(ShapeError, `ix_: every input must be 1-D, got ${fmtShape(t.shape)} at position ${k}.`);
    if (t.dtype === "bool") {
      const d = toConcrete(t, "ix_").dataSync();
      t = int32([...d.keys()].filter((i) => d[i]));
    }
    return reshape(t, seqs.map((_, j) => (j === k ? t.size : 1)));
  });
}
/**
 * The index grid of an array of the given shape: out[k][i0, i1, …] = ik, of shape
 * [ndim, ...dimensions] (int32 by default); with `sparse`, one broadcastable tensor per axis.
 * Mirrors numpy.indices / jax.numpy.indices.
 * @example
 * ```ts
 * np.indices([2, 2]); // → [[[0, 0], [1, 1]], [[0, 1], [0, 1]]]
 * ```
 */
export function indices(dimensions: readonly number[], opts: DTypeOpt & { sparse?: false }): Tensor;
export function indices(dimensions: readonly number[], opts: DTypeOpt & { sparse: true }): Tensor[];
export function indices(dimensions: readonly number[]): Tensor;
export function indices(dimensions: readonly number[], opts: DTypeOpt & { sparse?: boolean } = {}): Tensor | Tensor[] {
  checkOptions("indices", opts, ["dtype", "sparse"]);
  const dims = [...dimensions];
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw fail(ShapeError, `indices: dimensions must be non-negative integers, got ${JSON.stringify(dimensions)}.`);
  const dtype: DType = opts.dtype ?? "int32";
  const grids = dims.map((d, k) => {
    const v = lax.iota([d], 0, dtype);
    return opts.sparse ? lax.reshape(v, dims.map((s, j) => (j === k ? s : 1))) : lax.broadcastInDim(v, dims, [k]);
  });
  if (opts.sparse) return grids;
  return dims.length === 0 ? lax.full([0], 0, dtype) : lax.concatenate(grids.map((g) => lax.reshape(g, [1, ...dims])), 0);
}

