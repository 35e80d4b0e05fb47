// Shape manipulation in the numpy layer: reshape, transpose, axes, broadcasting, joining,
// splitting, flipping and padding, each with numpy's argument checks and error messages.
import { AxisError, ShapeError, ValueError, fail } from "../errors.js";
import { broadcastShapes, checkShape, fmtShape, isPermutation, normAxes, normAxis, shapeEq, sizeOf } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { coerce, onesLike, tensor, type Axis } from "./convert.js";
import { where } from "./logic.js";
import { checkOptions } from "./options.js";

// ------------------------------------------------------------------ shapes

/**
 * Gives x a new shape with the same elements in row-major order (no copy of data is implied).
 * Mirrors numpy.reshape / jax.numpy.reshape (row-major only, no `order`); also `x.reshape(shape)`.
 * @param x - any shape and dtype.
 * @param shape - the new shape, or one integer for 1-D; one entry may be -1, inferred from the size.
 * @returns a tensor of the new shape and x's dtype.
 * @throws ShapeError when the sizes differ, more than one -1 is given, or a dimension is invalid.
 * @example
 * ```ts
 * np.reshape(np.arange(6), [2, 3]); // → [[0, 1, 2], [3, 4, 5]]
 * np.reshape(np.arange(6), [-1, 2]).shape; // → [3, 2]
 * ```
 */
export function reshape(x: ArrayLike, shape: readonly number[] | number): Tensor {
  const t = tensor(x, "reshape");
  let s = checkShape("reshape", shape, "new shape", { infer: true });
  const at = s.indexOf(-1);
  if (at >= 0) {
    const known = sizeOf(s.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0) {
      throw fail(ShapeError, `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(s)}: ${t.size} is not a multiple of ${known}.`);
    }
    s = s.map((d) => (d === -1 ? t.size / known : d));
  }
  if (sizeOf(s) !== t.size) throw fail(ShapeError, `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(s)} (${sizeOf(s)} elements); the sizes must match (use -1 for one inferred axis).`);
  if (shapeEq(s, t.shape)) return t;
  return lax.reshape(t, s);
}

/**
 * Permutes x's axes: reverses them by default (the matrix transpose for 2-D).
 * Mirrors numpy.transpose / jax.numpy.transpose; also `x.transpose(axes)` and `x.T`.
 * @param x - any shape and dtype.
 * @param axes - a permutation of 0..ndim-1 (negative entries count from the end); default reversed.
 * @returns a tensor with shape[i] = x.shape[axes[i]], x's dtype.
 * @throws AxisError when axes is not a permutation of x's axes.
 * @example
 * ```ts
 * np.transpose([[1, 2], [3, 4]]); // → [[1, 3], [2, 4]]
 * np.transpose(np.zeros([1, 2, 3]), [1, 0, 2]).shape; // → [2, 1, 3]
 * ```
 */
export function transpose(x: ArrayLike, axes?: readonly number[]): Tensor {
  const t = tensor(x, "transpose");
  const perm = axes ? axes.map((a) => normAxis("transpose", a, t.ndim)) : t.shape.map((_, i) => t.ndim - 1 - i);
  if (!isPermutation(perm, t.ndim)) throw fail(AxisError, `transpose: axes ${JSON.stringify(axes)} are not a permutation of ${t.ndim} axes.`);
  if (perm.every((p, i) => p === i)) return t;
  return lax.transpose(t, perm);
}

/**
 * Moves axes of x to new positions, keeping the order of the others: one axis, or lists of
 * sources and destinations of one length.
 * Mirrors numpy.moveaxis / jax.numpy.moveaxis.
 * @param x - any shape and dtype.
 * @param source - the axis (or axes) to move (negative counts from the end).
 * @param destination - where they end up (negative counts from the end).
 * @returns a transposed tensor of x's dtype.
 * @throws AxisError for an out-of-range or repeated axis; ValueError when the lists differ in length.
 * @example
 * ```ts
 * np.moveaxis(np.zeros([2, 3, 4]), 0, -1).shape; // → [3, 4, 2]
 * np.moveaxis(np.zeros([2, 3, 4]), [0, 1], [-1, -2]).shape; // → [4, 3, 2]
 * ```
 */
export function moveaxis(x: ArrayLike, source: number | readonly number[], destination: number | readonly number[]): Tensor {
  const t = tensor(x, "moveaxis");
  const axes = (v: number | readonly number[]) => {
    const list = (typeof v === "number" ? [v] : [...v]).map((a) => normAxis("moveaxis", a, t.ndim)); // in the given order
    if (new Set(list).size !== list.length) throw fail(AxisError, `moveaxis: repeated axis in ${JSON.stringify(v)}; each axis may move once.`);
    return list;
  };
  const src = axes(source);
  const dst = axes(destination);
  if (src.length !== dst.length) throw fail(ValueError, `moveaxis: ${src.length} source axes but ${dst.length} destinations; give lists of one length.`);
  // numpy's construction: the unmoved axes in order, then each source inserted at its destination (ascending)
  const order = t.shape.map((_, i) => i).filter((i) => !src.includes(i));
  const pairs = dst.map((d, k) => [d, src[k]!] as const).sort((a, b) => a[0] - b[0]);
  for (const [d, s] of pairs) order.splice(d, 0, s);
  return transpose(t, order);
}

/**
 * Inserts axes of size 1 at the given positions of the result.
 * Mirrors numpy.expand_dims / jax.numpy.expand_dims; also `x.expandDims(axis)`.
 * @param x - any shape and dtype.
 * @param axis - a position or list of positions in the result (negative counts from its end).
 * @returns a tensor of rank x.ndim + (number of axes), x's dtype.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.expandDims([1, 2], 0); // → [[1, 2]]
 * np.expandDims([1, 2], -1).shape; // → [2, 1]
 * ```
 */
export function expandDims(x: ArrayLike, axis: number | readonly number[]): Tensor {
  const t = tensor(x, "expandDims");
  const axes = typeof axis === "number" ? [axis] : [...axis];
  const nd = t.ndim + axes.length;
  const norm = normAxes("expandDims", axes, nd);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < nd; i++) shape.push(norm.includes(i) ? 1 : t.shape[k++]!);
  return reshape(t, shape);
}

/**
 * Removes axes of size 1: the given ones, or all of them by default.
 * Mirrors numpy.squeeze / jax.numpy.squeeze; also `x.squeeze(axis)`.
 * @param x - any shape and dtype.
 * @param axis - an axis or list of axes (negative from the end) to remove; default every size-1 axis.
 * @returns a tensor without those axes, x's dtype.
 * @throws ShapeError when a named axis does not have size 1; AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.squeeze(np.zeros([1, 3, 1])).shape; // → [3]
 * np.squeeze(np.zeros([1, 3, 1]), 0).shape; // → [3, 1]
 * ```
 */
export function squeeze(x: ArrayLike, axis?: number | readonly number[]): Tensor {
  const t = tensor(x, "squeeze");
  const axes = axis === undefined ? t.shape.map((s, i) => (s === 1 ? i : -1)).filter((i) => i >= 0) : normAxes("squeeze", axis, t.ndim);
  for (const a of axes) {
    if (t.shape[a] !== 1) throw fail(ShapeError, `squeeze: axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, not 1.`);
  }
  return reshape(t, t.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * Broadcasts x to a shape by numpy's rules (size-1 axes stretch, leading axes are added).
 * Mirrors numpy.broadcast_to / jax.numpy.broadcast_to; also `x.broadcastTo(shape)`.
 * @param x - any shape and dtype.
 * @param shape - the target shape; x's shape must broadcast to exactly it.
 * @returns a tensor of that shape, x's dtype.
 * @throws ShapeError when x's shape does not broadcast to the target.
 * @example
 * ```ts
 * np.broadcastTo([1, 2], [2, 2]); // → [[1, 2], [1, 2]]
 * ```
 */
export function broadcastTo(x: ArrayLike, shape: readonly number[]): Tensor {
  const t = tensor(x, "broadcastTo");
  const s = checkShape("broadcastTo", shape);
  if (shapeEq(t.shape, s)) return t;
  const out = broadcastShapes("broadcastTo", t.shape, s);
  if (!shapeEq(out, s)) throw fail(ShapeError, `broadcastTo: cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(s)}.`);
  const dims = t.shape.map((_, i) => s.length - t.ndim + i);
  return lax.broadcastInDim(t, s, dims);
}


/**
 * Joins arrays along an existing axis; the operands are promoted to one dtype.
 * Mirrors numpy.concatenate / jax.numpy.concatenate.
 * @param xs - at least one array, all of the same rank ≥ 1 and the same sizes except along axis.
 * @param axis - the axis to join along, default 0 (negative counts from the end).
 * @returns a tensor whose size along axis is the sum of the operands', in the promoted dtype.
 * @throws ValueError for an empty list; ShapeError for 0-d operands, mixed ranks or mismatched
 *   sizes off the axis; AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.concatenate([[1, 2], [3]]); // → [1, 2, 3]
 * np.concatenate([np.ones([2, 1]), np.zeros([2, 2])], 1); // → [[1, 0, 0], [1, 0, 0]]
 * ```
 */
export function concatenate(xs: readonly ArrayLike[], axis = 0): Tensor {
  if (xs.length === 0) throw fail(ValueError, "concatenate: needs at least one array.");
  const ts = coerce(xs, "concatenate");
  const nd = ts[0]!.ndim;
  if (nd === 0) throw fail(ShapeError, "concatenate: zero-dimensional arrays cannot be concatenated; use stack.");
  for (const t of ts) if (t.ndim !== nd) throw fail(ShapeError, `concatenate: all inputs need the same rank, got ${ts.map((u) => fmtShape(u.shape)).join(", ")}.`);
  const a = normAxis("concatenate", axis, nd);
  const s0 = ts[0]!.shape;
  if (ts.some((t) => t.shape.some((d, i) => i !== a && d !== s0[i]))) {
    throw fail(ShapeError, `concatenate: shapes ${ts.map((u) => fmtShape(u.shape)).join(", ")} differ outside axis ${a}; every other axis must match.`);
  }
  if (ts.length === 1) return ts[0]!;
  return lax.concatenate(ts, a);
}

/**
 * Joins arrays of one shape along a new axis.
 * Mirrors numpy.stack / jax.numpy.stack.
 * @param xs - at least one array, all of the same shape; promoted to one dtype.
 * @param axis - where the new axis goes in the result, default 0 (negative counts from the end).
 * @returns a tensor of rank ndim + 1 with xs.length along the new axis.
 * @throws ValueError for an empty list; ShapeError when the shapes differ; AxisError for an
 *   out-of-range axis.
 * @example
 * ```ts
 * np.stack([[1, 2], [3, 4]]); // → [[1, 2], [3, 4]]
 * np.stack([[1, 2], [3, 4]], 1); // → [[1, 3], [2, 4]]
 * ```
 */
export function stack(xs: readonly ArrayLike[], axis = 0): Tensor {
  if (xs.length === 0) throw fail(ValueError, "stack: needs at least one array.");
  const ts = coerce(xs, "stack");
  const s = ts[0]!.shape;
  for (const t of ts) if (!shapeEq(t.shape, s)) throw fail(ShapeError, `stack: all inputs need the same shape, got ${ts.map((u) => fmtShape(u.shape)).join(", ")}.`);
  const a = normAxis("stack", axis, s.length + 1);
  return concatenate(ts.map((t) => expandDims(t, a)), a);
}

/**
 * Splits x along an axis into equal sections, or at the given indices.
 * Mirrors numpy.split / jax.numpy.split.
 * @param x - any shape and dtype.
 * @param sections - a count that divides the axis, or a sorted list of split indices.
 * @param axis - default 0 (negative counts from the end).
 * @returns a JS array of tensors of x's dtype (sections of size 0 are possible with indices).
 * @throws ShapeError when a count does not divide the axis; AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.split(np.arange(6), 3).map((t) => t.toArray()); // → [[0, 1], [2, 3], [4, 5]]
 * np.split(np.arange(6), [1, 4]).map((t) => t.shape[0]); // → [1, 3, 2]
 * ```
 */
export function split(x: ArrayLike, sections: number | readonly number[], axis = 0): Tensor[] {
  const t = tensor(x, "split");
  const a = normAxis("split", axis, t.ndim);
  const n = t.shape[a]!;
  let cuts: number[];
  if (typeof sections === "number") {
    if (n % sections !== 0) throw fail(ShapeError, `split: axis ${a} of size ${n} does not divide into ${sections} equal sections; pass split indices instead.`);
    cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
  } else cuts = [...sections];
  const bounds = [0, ...cuts.map((c) => Math.min(Math.max(c, 0), n)), n];
  return bounds.slice(1).map((hi, i) => sliceAxis(t, a, bounds[i]!, Math.max(hi, bounds[i]!)));
}

const sliceAxis = (t: Tensor, axis: number, lo: number, hi: number): Tensor => lax.sliceInDim(t, axis, lo, hi);

/**
 * Reverses the order of elements along the given axes (all by default).
 * Mirrors numpy.flip / jax.numpy.flip.
 * @param x - any shape and dtype.
 * @param axis - an axis or list of axes (negative from the end); default all.
 * @returns a tensor of x's shape and dtype.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * np.flip([1, 2, 3]); // → [3, 2, 1]
 * np.flip([[1, 2], [3, 4]], 1); // → [[2, 1], [4, 3]]
 * ```
 */
export function flip(x: ArrayLike, axis?: Axis): Tensor {
  const t = tensor(x, "flip");
  const axes = normAxes("flip", axis, t.ndim);
  return axes.length ? lax.rev(t, axes) : t;
}


/**
 * Pads x with a constant on each side of each axis.
 * Mirrors numpy.pad / jax.numpy.pad in mode "constant" (other modes are not supported).
 * @param x - any shape and dtype.
 * @param width - n (n on both sides of every axis), [before, after] (for every axis), or one
 *   [before, after] pair per axis; non-negative integers.
 * @param opts.constantValues - the fill value, default 0.
 * @returns a tensor with shape[i] = x.shape[i] + before + after, x's dtype.
 * @throws ShapeError when width does not fit x's rank or has a negative or fractional entry.
 * @example
 * ```ts
 * np.pad([1, 2], 1); // → [0, 1, 2, 0]
 * np.pad([1, 2], [1, 0], { constantValues: 9 }); // → [9, 1, 2]
 * np.pad([[1]], [[0, 1], [1, 0]]); // → [[0, 1], [0, 0]]
 * np.pad([[1]], [[0, 1]]); // → [[1, 0], [0, 0]]
 * ```
 */
export function pad(x: ArrayLike, width: number | readonly [number, number] | readonly (readonly [number, number])[], opts: { constantValues?: number } = {}): Tensor {
  checkOptions("pad", opts, ["constantValues"]);
  const t = tensor(x, "pad");
  let pairs: [number, number][];
  if (typeof width === "number") pairs = t.shape.map(() => [width, width]);
  else if (typeof width[0] === "number") pairs = t.shape.map(() => [width[0] as number, width[1] as number]);
  else pairs = (width as readonly (readonly [number, number])[]).map((p) => [p[0], p[1]]);
  if (pairs.length === 1 && t.ndim > 1) pairs = t.shape.map(() => [...pairs[0]!] as [number, number]); // one pair serves every axis, as numpy
  if (pairs.length !== t.ndim || pairs.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)) {
    throw fail(ShapeError, `pad: width ${JSON.stringify(width)} does not fit ${fmtShape(t.shape)}; give non-negative [before, after] per axis.`);
  }
  const [lo, hi, interior] = [pairs.map((p) => p[0]), pairs.map((p) => p[1]), pairs.map(() => 0)];
  const padded = lax.pad(t, lo, hi, interior);
  const c = opts.constantValues ?? 0;
  if (c === 0) return padded;
  const mask = lax.pad(onesLike(t, { dtype: "bool" }), lo, hi, interior);
  return where(mask, padded, c);
}

