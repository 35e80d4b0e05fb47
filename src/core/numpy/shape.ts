// Shape manipulation in the numpy layer: reshape, transpose, axes, broadcasting, joining,
// splitting, flipping and padding, each with numpy's argument checks and error messages.
import { AxisError, ShapeError, ValueError, fail } from "../errors.js";
import { broadcastShapes, fmtShape, isPermutation, normAxes, normAxis, shapeEq, sizeOf } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { checkShape, coerce, onesLike, tensor, type Axis } from "./convert.js";
import { where } from "./math.js";
import { checkOptions } from "./options.js";

// ------------------------------------------------------------------ shapes

export function reshape(x: ArrayLike, shape: readonly number[] | number): Tensor {
  const t = tensor(x);
  let s = typeof shape === "number" ? [shape] : [...shape];
  const neg = s.filter((d) => d === -1).length;
  if (neg > 1) throw fail(ShapeError, `reshape: only one -1 allowed in ${fmtShape(s)}.`);
  if (neg === 1) {
    const known = sizeOf(s.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0) throw fail(ShapeError, `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(s)}.`);
    s = s.map((d) => (d === -1 ? t.size / known : d));
  }
  checkShape("reshape", s);
  if (sizeOf(s) !== t.size) throw fail(ShapeError, `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) to ${fmtShape(s)} (${sizeOf(s)} elements).`);
  if (shapeEq(s, t.shape)) return t;
  return lax.reshape(t, s);
}

export function transpose(x: ArrayLike, axes?: readonly number[]): Tensor {
  const t = tensor(x);
  const perm = axes ? axes.map((a) => normAxis("transpose", a, t.ndim)) : t.shape.map((_, i) => t.ndim - 1 - i);
  if (!isPermutation(perm, t.ndim)) throw fail(AxisError, `transpose: axes ${JSON.stringify(axes)} are not a permutation of ${t.ndim} axes.`);
  if (perm.every((p, i) => p === i)) return t;
  return lax.transpose(t, perm);
}

export function moveaxis(x: ArrayLike, source: number, destination: number): Tensor {
  const t = tensor(x);
  const s = normAxis("moveaxis", source, t.ndim);
  const d = normAxis("moveaxis", destination, t.ndim);
  if (s === d) return t;
  const order = t.shape.map((_, i) => i).filter((i) => i !== s);
  order.splice(d, 0, s);
  return transpose(t, order);
}

export function expandDims(x: ArrayLike, axis: number | readonly number[]): Tensor {
  const t = tensor(x);
  const axes = typeof axis === "number" ? [axis] : [...axis];
  const nd = t.ndim + axes.length;
  const norm = normAxes("expandDims", axes, nd);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < nd; i++) shape.push(norm.includes(i) ? 1 : t.shape[k++]!);
  return reshape(t, shape);
}

export function squeeze(x: ArrayLike, axis?: number | readonly number[]): Tensor {
  const t = tensor(x);
  const axes = axis === undefined ? t.shape.map((s, i) => (s === 1 ? i : -1)).filter((i) => i >= 0) : normAxes("squeeze", axis, t.ndim);
  for (const a of axes) {
    if (t.shape[a] !== 1) throw fail(ShapeError, `squeeze: axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, not 1.`);
  }
  return reshape(t, t.shape.filter((_, i) => !axes.includes(i)));
}

export function broadcastTo(x: ArrayLike, shape: readonly number[]): Tensor {
  const t = tensor(x);
  const s = checkShape("broadcastTo", shape);
  if (shapeEq(t.shape, s)) return t;
  const out = broadcastShapes("broadcastTo", t.shape, s);
  if (!shapeEq(out, s)) throw fail(ShapeError, `broadcastTo: cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(s)}.`);
  const dims = t.shape.map((_, i) => s.length - t.ndim + i);
  return lax.broadcastInDim(t, s, dims);
}


export function concatenate(xs: readonly ArrayLike[], axis = 0): Tensor {
  if (xs.length === 0) throw fail(ValueError, "concatenate: needs at least one array.");
  const ts = coerce(xs);
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

export function stack(xs: readonly ArrayLike[], axis = 0): Tensor {
  if (xs.length === 0) throw fail(ValueError, "stack: needs at least one array.");
  const ts = coerce(xs);
  const s = ts[0]!.shape;
  for (const t of ts) if (!shapeEq(t.shape, s)) throw fail(ShapeError, `stack: all inputs need the same shape, got ${ts.map((u) => fmtShape(u.shape)).join(", ")}.`);
  const a = normAxis("stack", axis, s.length + 1);
  return concatenate(ts.map((t) => expandDims(t, a)), a);
}

export function split(x: ArrayLike, sections: number | readonly number[], axis = 0): Tensor[] {
  const t = tensor(x);
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

export function flip(x: ArrayLike, axis?: Axis): Tensor {
  const t = tensor(x);
  const axes = normAxes("flip", axis, t.ndim);
  return axes.length ? lax.rev(t, axes) : t;
}


/** pad(x, width, {constantValues}): width is n, [before, after], or one pair per axis. */
export function pad(x: ArrayLike, width: number | readonly [number, number] | readonly (readonly [number, number])[], opts: { constantValues?: number } = {}): Tensor {
  checkOptions("pad", opts, ["constantValues"]);
  const t = tensor(x);
  let pairs: [number, number][];
  if (typeof width === "number") pairs = t.shape.map(() => [width, width]);
  else if (typeof width[0] === "number") pairs = t.shape.map(() => [width[0] as number, width[1] as number]);
  else pairs = (width as readonly (readonly [number, number])[]).map((p) => [p[0], p[1]]);
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

