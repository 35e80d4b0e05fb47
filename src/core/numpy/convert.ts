// Conversion of JS values into tensors, and the dtype rules of the numpy layer: promotion,
// JAX's weak typing for JS numbers (a number takes its partner's dtype), constant tensors.
import { dtypeOfArray, isDType, isFloat, promote, type DType, type TypedArray } from "../dtype.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { fmtShape } from "../shape.js";
import { Tensor, copyOfArray, emptyTensor, fromData, isTensorConvertible, scalarTensor, toTensorSymbol, type ArrayLike } from "../tensor.js";
import * as lax from "../lax.js";
import { checkOptions } from "./options.js";

/** An axis argument: one axis, several, or all (null / undefined). */
export type Axis = number | readonly number[] | null | undefined;
export interface DTypeOpt {
  dtype?: DType;
}
export interface KeepDims {
  keepdims?: boolean;
}
/** The keys of DTypeOpt and KeepDims, for checkOptions. */
export const DTYPE_OPT = ["dtype"] as const;
export const KEEPDIMS_OPT = ["keepdims"] as const;

// ------------------------------------------------------------------ conversion

export function checkDType(api: string, dtype: unknown): asserts dtype is DType | undefined {
  if (dtype !== undefined && !isDType(dtype)) {
    throw fail(DTypeError, `${api}: unknown dtype ${JSON.stringify(dtype)}; use "float32", "float64", "int32" or "bool".`);
  }
}

function nestedShape(api: string, x: unknown): number[] {
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function flattenNested(api: string, x: readonly unknown[], shape: number[], out: number[], depth = 0): void {
  if (x.length !== shape[depth]) {
    throw fail(ShapeError, `${api}: ragged nested array: expected ${shape[depth]} elements at depth ${depth}, found ${x.length}. Every row must have the same length.`);
  }
  for (const v of x) {
    if (depth + 1 < shape.length) {
      if (!Array.isArray(v)) throw fail(ShapeError, `${api}: ragged nested array: a number where a list was expected at depth ${depth + 1}.`);
      flattenNested(api, v, shape, out, depth + 1);
    } else {
      if (typeof v !== "number" && typeof v !== "boolean") throw fail(DTypeError, `${api}: elements must be numbers or booleans, got ${typeof v}.`);
      out.push(Number(v));
    }
  }
}

/** A tensor from any ArrayLike; JS numbers are float32 unless `dtype` says otherwise. */
export function array(x: ArrayLike, opts: DTypeOpt = {}): Tensor {
  checkOptions("array", opts, DTYPE_OPT);
  checkDType("array", opts.dtype);
  const { dtype } = opts;
  if (x instanceof Tensor) return dtype && dtype !== x.dtype ? astype(x, dtype) : x;
  if (isTensorConvertible(x)) return array(x[toTensorSymbol](), opts);
  if (typeof x === "number") return scalarTensor(x, dtype ?? "float32");
  if (typeof x === "boolean") return scalarTensor(x ? 1 : 0, dtype ?? "bool");
  if (ArrayBuffer.isView(x)) {
    const own = dtypeOfArray(x);
    if (!own && !dtype) throw fail(DTypeError, `array: unsupported typed array ${x.constructor.name}; use Float32Array, Float64Array, Int32Array or Uint8Array.`);
    const d = dtype ?? own!;
    return fromData(copyOfArray(x as TypedArray, d), [(x as TypedArray).length], d);
  }
  if (Array.isArray(x)) {
    const shape = nestedShape("array", x);
    const flat: number[] = [];
    flattenNested("array", x, shape, flat);
    let allBool = flat.length > 0;
    const check = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(check);
      else if (typeof v !== "boolean") allBool = false;
    };
    check(x);
    const d = dtype ?? (allBool ? "bool" : "float32");
    const data = copyOfArray(flat, d);
    return fromData(data, shape, d);
  }
  throw fail(DTypeError, `array: cannot make a tensor from ${x === null ? "null" : typeof x}; pass a number, nested array, typed array or Tensor.`);
}
export const asarray = array;

/** The dtype a JS number takes next to a tensor of dtype `other` (JAX weak typing). */
function weakDType(v: number | boolean, other: DType): DType {
  if (typeof v === "boolean") return other;
  if (isFloat(other)) return other;
  return Number.isInteger(v) ? "int32" : "float32";
}

/** Converts operands of an n-ary op: JS scalars take the tensors' dtype, tensors promote. */
export function coerce(xs: readonly ArrayLike[]): Tensor[] {
  // fast path: two strong tensors of one dtype
  if (xs.length === 2) {
    const [a, b] = xs;
    if (a instanceof Tensor && b instanceof Tensor && a.dtype === b.dtype && a._weak === 0 && b._weak === 0) return [a, b];
  }
  const isWeak = (x: ArrayLike) => typeof x === "number" || (x instanceof Tensor && x._weak !== 0);
  let strong: DType | undefined;
  for (const x of xs) {
    if (isWeak(x)) continue;
    if (x instanceof Tensor) strong = strong ? promote(strong, x.dtype) : x.dtype;
    else if (typeof x !== "boolean") {
      const t = array(x);
      strong = strong ? promote(strong, t.dtype) : t.dtype;
    }
  }
  let target = strong;
  if (target === undefined) target = xs.some(isWeak) ? "float32" : "bool";
  else {
    // a weak tensor stands for a JS number whose value is only known to be integral or not
    for (const x of xs) if (isWeak(x)) target = promote(target, weakDType(typeof x === "number" ? x : (x as Tensor)._weak === 1 ? 1 : 0.5, strong!));
  }
  return xs.map((x) => {
    if (typeof x === "number" || typeof x === "boolean") return scalarTensor(Number(x), target!);
    const t = x instanceof Tensor ? x : array(x);
    return t.dtype === target && t._weak === 0 ? t : lax.convert(t, target!);
  });
}

/** A tensor argument; a weak scalar (a JS number passed to jit) becomes float32, as the number would. */
export function tensor(x: ArrayLike): Tensor {
  if (x instanceof Tensor) return x._weak === 0 ? x : lax.convert(x, "float32");
  return array(x);
}

/** Float operand for transcendental ops: ints and bools become float32 (as in JAX). */
export function floaty(x: ArrayLike): Tensor {
  const t = tensor(x);
  return isFloat(t.dtype) ? t : astype(t, "float32");
}

export function astype(x: ArrayLike, dtype: DType): Tensor {
  checkDType("astype", dtype);
  const t = x instanceof Tensor ? x : array(x);
  return t.dtype === dtype && t._weak === 0 ? t : lax.convert(t, dtype);
}


// ------------------------------------------------------------------ constant tensors

export function checkShape(api: string, shape: readonly number[] | number): number[] {
  const s = typeof shape === "number" ? [shape] : [...shape];
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) throw fail(ShapeError, `${api}: invalid shape ${fmtShape(s)}; dimensions must be non-negative integers.`);
  }
  return s;
}

export function full(shape: readonly number[] | number, value: number | boolean, opts: DTypeOpt = {}): Tensor {
  checkOptions("full", opts, DTYPE_OPT);
  checkDType("full", opts.dtype);
  const s = checkShape("full", shape);
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  const t = emptyTensor(s, dtype);
  t._data.fill(Number(value));
  return t;
}
export const zeros = (shape: readonly number[] | number, opts: DTypeOpt = {}) => (checkOptions("zeros", opts, DTYPE_OPT), full(shape, 0, opts));
export const ones = (shape: readonly number[] | number, opts: DTypeOpt = {}) => (checkOptions("ones", opts, DTYPE_OPT), full(shape, 1, opts));
export const fullLike = (x: ArrayLike, value: number, opts: DTypeOpt = {}) => {
  checkOptions("fullLike", opts, DTYPE_OPT);
  const t = tensor(x);
  return full(t.shape, value, { dtype: opts.dtype ?? t.dtype });
};
export const zerosLike = (x: ArrayLike, opts: DTypeOpt = {}) => (checkOptions("zerosLike", opts, DTYPE_OPT), fullLike(x, 0, opts));
export const onesLike = (x: ArrayLike, opts: DTypeOpt = {}) => (checkOptions("onesLike", opts, DTYPE_OPT), fullLike(x, 1, opts));
