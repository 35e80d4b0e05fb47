// lax: thin, strict wrappers over the primitives, the layer both the primitives' rules and the
// numpy namespace stand on. Operands must already agree in dtype (no coercion, no weak types,
// no axis normalisation beyond what a rule needs); each wrapper binds one primitive, or is a
// short composition of them. Wrappers reach the primitives through the table that
// definePrimitive fills (`register`), read when a wrapper is called, never when this module
// loads: so the rules can call lax without lax importing the rules (no import cycle).
import type { DType } from "./dtype.js";
import { ValueError, fail } from "./errors.js";
import { shapeEq } from "./shape.js";
import { emptyTensor, type Tensor } from "./tensor.js";
import { bind, bind1 } from "./trace.js";
import type { Primitive } from "./primitive.js";
import type { PRIMITIVES } from "./primitives/index.js";
import type { ConvParams } from "./primitives/conv.js";
import type { WindowParams } from "./primitives/window.js";

/** Every primitive defined so far, by name (the closed set's types come from primitives/index.ts). */
const P = {} as typeof PRIMITIVES;

/** Adds a primitive to the table lax binds through (definePrimitive calls this). */
export function register(p: Primitive): void {
  if (Object.prototype.hasOwnProperty.call(P, p.name)) {
    throw fail(ValueError, `definePrimitive: a primitive named "${p.name}" exists already; give the new one another name.`);
  }
  // defineProperty keeps the table in V8's fast-properties mode (a keyed store of ~70 names
  // would turn it into a dictionary, and every wrapper would pay a hash lookup)
  Object.defineProperty(P, p.name, { value: p, writable: true, enumerable: true, configurable: true });
}

/** Params of the parameterless primitives (one shared object: rules never mutate params). */
export const NO_PARAMS: {} = Object.freeze({});

// ---------------------------------------------------------------- constants

/** A concrete tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, dtype: DType): Tensor {
  const t = emptyTensor(shape, dtype);
  t._data.fill(value);
  return t;
}
export const zerosLike = (x: Tensor): Tensor => full(x.shape, 0, x.dtype);
/** A scalar of x's dtype (broadcasts against x in the binary primitives). */
export const scalarLike = (x: Tensor, value: number): Tensor => full([], value, x.dtype);

// ---------------------------------------------------------------- elementwise

export const neg = (x: Tensor): Tensor => bind1(P.neg, [x], NO_PARAMS);
export const sin = (x: Tensor): Tensor => bind1(P.sin, [x], NO_PARAMS);
export const cos = (x: Tensor): Tensor => bind1(P.cos, [x], NO_PARAMS);
export const tan = (x: Tensor): Tensor => bind1(P.tan, [x], NO_PARAMS);
export const exp = (x: Tensor): Tensor => bind1(P.exp, [x], NO_PARAMS);
export const log = (x: Tensor): Tensor => bind1(P.log, [x], NO_PARAMS);
export const log1p = (x: Tensor): Tensor => bind1(P.log1p, [x], NO_PARAMS);
export const expm1 = (x: Tensor): Tensor => bind1(P.expm1, [x], NO_PARAMS);
export const sqrt = (x: Tensor): Tensor => bind1(P.sqrt, [x], NO_PARAMS);
export const tanh = (x: Tensor): Tensor => bind1(P.tanh, [x], NO_PARAMS);
export const logistic = (x: Tensor): Tensor => bind1(P.logistic, [x], NO_PARAMS);
export const asin = (x: Tensor): Tensor => bind1(P.asin, [x], NO_PARAMS);
export const acos = (x: Tensor): Tensor => bind1(P.acos, [x], NO_PARAMS);
export const atan = (x: Tensor): Tensor => bind1(P.atan, [x], NO_PARAMS);
export const sinh = (x: Tensor): Tensor => bind1(P.sinh, [x], NO_PARAMS);
export const cosh = (x: Tensor): Tensor => bind1(P.cosh, [x], NO_PARAMS);
export const abs = (x: Tensor): Tensor => bind1(P.abs, [x], NO_PARAMS);
export const sign = (x: Tensor): Tensor => bind1(P.sign, [x], NO_PARAMS);
export const floor = (x: Tensor): Tensor => bind1(P.floor, [x], NO_PARAMS);
export const ceil = (x: Tensor): Tensor => bind1(P.ceil, [x], NO_PARAMS);
export const round = (x: Tensor): Tensor => bind1(P.round, [x], NO_PARAMS);
export const not = (x: Tensor): Tensor => bind1(P.not, [x], NO_PARAMS);
export const isnan = (x: Tensor): Tensor => bind1(P.isnan, [x], NO_PARAMS);
export const isfinite = (x: Tensor): Tensor => bind1(P.isfinite, [x], NO_PARAMS);
export const stopGradient = (x: Tensor): Tensor => bind1(P.stop_gradient, [x], NO_PARAMS);
/** x as `dtype` (x itself when it has that dtype already). */
export const convert = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : bind1(P.convert, [x], { dtype }));
/** 32 random bits (int32) to floats in [0, 1). */
export const randomUnit = (bits: Tensor, dtype: DType): Tensor => bind1(P.random_unit, [bits], { dtype });

export const add = (x: Tensor, y: Tensor): Tensor => bind1(P.add, [x, y], NO_PARAMS);
export const sub = (x: Tensor, y: Tensor): Tensor => bind1(P.sub, [x, y], NO_PARAMS);
export const mul = (x: Tensor, y: Tensor): Tensor => bind1(P.mul, [x, y], NO_PARAMS);
export const div = (x: Tensor, y: Tensor): Tensor => bind1(P.div, [x, y], NO_PARAMS);
export const pow = (x: Tensor, y: Tensor): Tensor => bind1(P.pow, [x, y], NO_PARAMS);
export const max = (x: Tensor, y: Tensor): Tensor => bind1(P.max, [x, y], NO_PARAMS);
export const min = (x: Tensor, y: Tensor): Tensor => bind1(P.min, [x, y], NO_PARAMS);
/** The angle of the point (y, x), in [-π, π]. */
export const atan2 = (x: Tensor, y: Tensor): Tensor => bind1(P.atan2, [x, y], NO_PARAMS);
export const lt = (x: Tensor, y: Tensor): Tensor => bind1(P.lt, [x, y], NO_PARAMS);
export const le = (x: Tensor, y: Tensor): Tensor => bind1(P.le, [x, y], NO_PARAMS);
export const gt = (x: Tensor, y: Tensor): Tensor => bind1(P.gt, [x, y], NO_PARAMS);
export const ge = (x: Tensor, y: Tensor): Tensor => bind1(P.ge, [x, y], NO_PARAMS);
export const eq = (x: Tensor, y: Tensor): Tensor => bind1(P.eq, [x, y], NO_PARAMS);
export const ne = (x: Tensor, y: Tensor): Tensor => bind1(P.ne, [x, y], NO_PARAMS);
export const and = (x: Tensor, y: Tensor): Tensor => bind1(P.and, [x, y], NO_PARAMS);
export const or = (x: Tensor, y: Tensor): Tensor => bind1(P.or, [x, y], NO_PARAMS);
/** pred ? onTrue : onFalse, elementwise (pred bool; the branches share a dtype; all broadcast). */
export const select = (pred: Tensor, onTrue: Tensor, onFalse: Tensor): Tensor => bind1(P.select, [pred, onTrue, onFalse], NO_PARAMS);
export const square = (x: Tensor): Tensor => mul(x, x);

// ---------------------------------------------------------------- reductions

/** Σ over `axes` (x itself when there are none). */
export const sum = (x: Tensor, axes: readonly number[]): Tensor => (axes.length ? bind1(P.reduce_sum, [x], { axes: [...axes] }) : x);
export const reduceMax = (x: Tensor, axes: number[]): Tensor => bind1(P.reduce_max, [x], { axes });
export const reduceMin = (x: Tensor, axes: number[]): Tensor => bind1(P.reduce_min, [x], { axes });
export const reduceProd = (x: Tensor, axes: number[]): Tensor => bind1(P.reduce_prod, [x], { axes });
export const argmax = (x: Tensor, axis: number): Tensor => bind1(P.argmax, [x], { axis });
export const argmin = (x: Tensor, axis: number): Tensor => bind1(P.argmin, [x], { axis });
export const cumsum = (x: Tensor, axis: number, reverse = false): Tensor => bind1(P.cumsum, [x], { axis, reverse });

// ---------------------------------------------------------------- structural

/** Operand axis i becomes output axis dims[i] (of size equal, or 1 to broadcast). */
export const broadcastInDim = (x: Tensor, shape: number[], dims: number[]): Tensor => bind1(P.broadcast_in_dim, [x], { shape, dims });
/** numpy broadcasting of x to `shape` (trailing axes aligned); x itself when the shapes agree. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapeEq(x.shape, shape)) return x;
  return broadcastInDim(x, [...shape], x.shape.map((_, i) => shape.length - x.ndim + i));
}
/** Same data, new shape of the same size; x itself when the shapes agree. */
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => (shapeEq(x.shape, shape) ? x : bind1(P.reshape, [x], { shape: [...shape] }));
/** Output axis i is input axis perm[i]; x itself for the identity. */
export const transpose = (x: Tensor, perm: readonly number[]): Tensor => (perm.every((p, i) => p === i) ? x : bind1(P.transpose, [x], { perm: [...perm] }));
/** Moves axis `from` to position `to` (both non-negative), the others keeping their order. */
export function moveaxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const order = x.shape.map((_, i) => i).filter((i) => i !== from);
  order.splice(to, 0, from);
  return transpose(x, order);
}
/** A unit axis inserted at `axis` (non-negative, ≤ ndim). */
export const expandDims = (x: Tensor, axis: number): Tensor => reshape(x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)]);
export const slice = (x: Tensor, starts: number[], limits: number[], strides: number[]): Tensor => bind1(P.slice, [x], { starts, limits, strides });
/** x[lo:hi] along one axis (step 1). */
export const sliceInDim = (x: Tensor, axis: number, lo: number, hi: number): Tensor =>
  slice(
    x,
    x.shape.map((_, i) => (i === axis ? lo : 0)),
    x.shape.map((s, i) => (i === axis ? hi : s)),
    x.shape.map(() => 1),
  );
/** Zero padding: lo/hi elements at each edge and `interior` between elements, per axis. */
export const pad = (x: Tensor, lo: number[], hi: number[], interior: number[]): Tensor => bind1(P.pad, [x], { lo, hi, interior });
/** Joins same-dtype operands along `axis` (the one operand itself when there is one). */
export const concatenate = (xs: readonly Tensor[], axis: number): Tensor => (xs.length === 1 ? xs[0]! : bind1(P.concatenate, [...xs], { axis }));
export const rev = (x: Tensor, axes: number[]): Tensor => bind1(P.rev, [x], { axes });
/** x[..., idx, ...] along `axis` (int32 indices, wrapped once from the end and clamped). */
export const gather = (x: Tensor, idx: Tensor, axis: number): Tensor => bind1(P.gather, [x, idx], { axis });
/** zeros with n entries along `axis`, and upd[..., j, ...] added at idx[j]. */
export const scatterAdd = (upd: Tensor, idx: Tensor, axis: number, n: number): Tensor => bind1(P.scatter_add, [upd, idx], { axis, n });
/** The index along `axis` at every position of `shape`. */
export const iota = (shape: number[], axis: number, dtype: DType): Tensor => bind1(P.iota, [], { shape, axis, dtype });

/** Sums x down to `shape`, the reverse of broadcasting `shape` up to x's shape. */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  if (shapeEq(x.shape, shape)) return x;
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  return reshape(sum(x, axes), shape);
}

// ---------------------------------------------------------------- contraction and random bits

export type DotDims = { contract: [number[], number[]]; batch: [number[], number[]] };
/** Contraction over `contract` axis pairs, batched over `batch` pairs; output (batch, lhs free, rhs free). */
export const dotGeneral = (l: Tensor, r: Tensor, dims: DotDims): Tensor => bind1(P.dot_general, [l, r], dims);
/** int32 random words of `shape` from an int32[2] key (Threefry-2x32). */
export const randomBits = (key: Tensor, shape: number[]): Tensor => bind1(P.random_bits, [key], { shape });

// ---------------------------------------------------------------- bitwise, remainder (numpy, more)

export const bitwiseAnd = (x: Tensor, y: Tensor): Tensor => bind1(P.bitwise_and, [x, y], NO_PARAMS);
export const bitwiseOr = (x: Tensor, y: Tensor): Tensor => bind1(P.bitwise_or, [x, y], NO_PARAMS);
export const bitwiseXor = (x: Tensor, y: Tensor): Tensor => bind1(P.bitwise_xor, [x, y], NO_PARAMS);
export const bitwiseNot = (x: Tensor): Tensor => bind1(P.bitwise_not, [x], NO_PARAMS);
export const shiftLeft = (x: Tensor, y: Tensor): Tensor => bind1(P.shift_left, [x, y], NO_PARAMS);
export const shiftRightArithmetic = (x: Tensor, y: Tensor): Tensor => bind1(P.shift_right_arithmetic, [x, y], NO_PARAMS);
/** The truncated remainder x - trunc(x/y)·y, with x's sign (C's fmod). */
export const rem = (x: Tensor, y: Tensor): Tensor => bind1(P.rem, [x, y], NO_PARAMS);
export const nextafter = (x: Tensor, y: Tensor): Tensor => bind1(P.nextafter, [x, y], NO_PARAMS);
export const cbrt = (x: Tensor): Tensor => bind1(P.cbrt, [x], NO_PARAMS);

// ---------------------------------------------------------------- convolution and windows

export type { ConvParams };
/** XLA's convolution with every parameter explicit (dimension numbers as axis indices). */
export const convGeneralDilated = (l: Tensor, r: Tensor, p: ConvParams): Tensor => bind1(P.conv_general_dilated, [l, r], p);
export type { WindowParams };
/** Σ over each window (reduce_window with add). */
export const reduceWindowSum = (x: Tensor, p: WindowParams): Tensor => bind1(P.reduce_window_sum, [x], p);
/** max over each window. */
export const reduceWindowMax = (x: Tensor, p: WindowParams): Tensor => bind1(P.reduce_window_max, [x], p);
/** min over each window. */
export const reduceWindowMin = (x: Tensor, p: WindowParams): Tensor => bind1(P.reduce_window_min, [x], p);

// ---------------------------------------------------------------- scatter, sort, scans, dynamic slices

/**
 * x with upd combined in at idx along `axis` (set/add: the linear `scatter`; mul/min/max:
 * `scatter_apply`); negative indices count from the end once, out-of-range updates are dropped.
 * upd has shape x.shape[:axis] ++ idx.shape ++ x.shape[axis+1:].
 */
export function scatter(x: Tensor, idx: Tensor, upd: Tensor, axis: number, mode: "set" | "add" | "mul" | "min" | "max", uniqueIndices = false): Tensor {
  if (mode === "set" || mode === "add") return bind1(P.scatter, [x, idx, upd], { axis, mode });
  return bind1(P.scatter_apply, [x, idx, upd], { axis, mode, uniqueIndices });
}
/** Sorts operands along `dimension` by the first `numKeys` of them (lexicographic, stable). */
export const sortMany = (xs: readonly Tensor[], dimension: number, numKeys = 1): Tensor[] => bind(P.sort, [...xs], { dimension, numKeys });
/** The k largest along the last axis, decreasing, and their int32 indices. */
export const topK = (x: Tensor, k: number): [Tensor, Tensor] => bind(P.top_k, [x], { k }) as [Tensor, Tensor];
export const cumprod = (x: Tensor, axis: number, reverse = false): Tensor => bind1(P.cumprod, [x], { axis, reverse });
export const cummax = (x: Tensor, axis: number, reverse = false): Tensor => bind1(P.cummax, [x], { axis, reverse });
export const cummin = (x: Tensor, axis: number, reverse = false): Tensor => bind1(P.cummin, [x], { axis, reverse });
export const cumlogsumexp = (x: Tensor, axis: number, reverse = false): Tensor => bind1(P.cumlogsumexp, [x], { axis, reverse });
/** x[starts[i] : starts[i] + sizes[i]] per axis, starts int32 scalars clamped into range (XLA). */
export const dynamicSlice = (x: Tensor, starts: readonly Tensor[], sizes: readonly number[]): Tensor => bind1(P.dynamic_slice, [x, ...starts], { sizes: [...sizes] });
/** x with upd written at starts (int32 scalars, clamped so upd fits, as XLA). */
export const dynamicUpdateSlice = (x: Tensor, upd: Tensor, starts: readonly Tensor[]): Tensor => bind1(P.dynamic_update_slice, [x, upd, ...starts], NO_PARAMS);
/**
 * out[..., j, ...] = x[..., idx[..., j, ...], ...] along `axis` (numpy's take_along_axis): idx has
 * x's shape but along `axis`; indices wrap once from the end, then clamp. A gather of the
 * flattened x at computed flat positions, so its gradient is gather's (a scatter-add).
 */
export function takeAlongAxis(x: Tensor, idx: Tensor, axis: number): Tensor {
  const shape = idx.shape;
  const n = x.shape[axis]!;
  let stride = 1;
  let flat: Tensor | null = null;
  for (let d = x.ndim - 1; d >= 0; d--) {
    const wrapped = d === axis ? bind1(P.select, [lt(idx, full([], 0, "int32")), add(idx, full([], n, "int32")), idx], NO_PARAMS) : null;
    const c = d === axis ? min(max(wrapped!, full([], 0, "int32")), full([], Math.max(0, n - 1), "int32")) : iota([...shape], d, "int32");
    const term = stride === 1 ? c : mul(c, full([], stride, "int32"));
    flat = flat ? add(flat, term) : term;
    stride *= x.shape[d]!;
  }
  const flatX = reshape(x, [x.size]);
  return gather(flatX, flat ?? full([], 0, "int32"), 0);
}
