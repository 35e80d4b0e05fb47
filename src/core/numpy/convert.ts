// Conversion of JS values into tensors, and the dtype rules of the numpy layer: promotion,
// JAX's weak typing for JS numbers (a number takes its partner's dtype), constant tensors.
import { dtypeOfArray, isDType, isFloat, promote, type DType, type TypedArray } from "../dtype.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { checkShape, describeValue } from "../shape.js";
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
/** The keys of DTypeOpt, for checkOptions. */
export const DTYPE_OPT = ["dtype"] as const;

// ------------------------------------------------------------------ conversion

/**
 * The function a user called, for messages: its name, or the function itself (named by its
 * export in {@link nameApis}; resolved only when a message is written, so passing it is free).
 */
export type Api = string | ((...args: never[]) => unknown);
const API_NAMES = new WeakMap<object, string>();

/** Names the functions of a numpy-layer module by their export names (the longest alias wins: `multiply` over `mul`). */
export function nameApis(mod: Record<string, unknown>): void {
  for (const [name, f] of Object.entries(mod)) {
    if (typeof f !== "function") continue;
    const had = API_NAMES.get(f);
    if (had === undefined || had.length < name.length) API_NAMES.set(f, name);
  }
}
export const apiName = (api: Api): string => (typeof api === "string" ? api : (API_NAMES.get(api) ?? (api.name || "array")));

export function checkDType(api: string, dtype: unknown): asserts dtype is DType | undefined {
  if (dtype !== undefined && !isDType(dtype)) {
    throw fail(DTypeError, `${api}: unknown dtype ${JSON.stringify(dtype)}; use "float32", "float64", "int32" or "bool".`);
  }
}

function nestedShape(x: unknown): number[] {
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
      if (typeof v !== "number" && typeof v !== "boolean") throw fail(DTypeError, `${api}: elements of a nested array must be numbers or booleans, got ${describeValue(v)} at depth ${depth}; convert tensors with np.stack, or pass numbers.`);
      out.push(Number(v));
    }
  }
}

/**
 * Makes a tensor from data: a JS number or boolean, a nested array, a typed array, or a tensor.
 * JS numbers become float32 unless `dtype` says otherwise (JS cannot tell `1` from `1.0`); an
 * all-boolean array becomes bool; a typed array keeps its dtype (Float64Array → float64,
 * Int32Array → int32, Uint8Array → bool) and is copied. A tensor of the right dtype is returned as is.
 * Mirrors jax.numpy.array (whose default float is also float32; numpy's is float64).
 * @param x - the data; a nested array must be rectangular.
 * @param opts.dtype - "float32" | "float64" | "int32" | "bool"; default from the data as above.
 * @returns a tensor of the data's shape (a 0-d tensor for a scalar).
 * @throws ShapeError for a ragged nested array; DTypeError for an unknown dtype or a value that is
 *   not a number or boolean.
 * @example
 * ```ts
 * np.array([[1, 2], [3, 4]]).shape; // → [2, 2]
 * np.array([1, 2], { dtype: "int32" }); // → Array([1, 2], dtype=int32)
 * np.array(new Float64Array([0.5])).dtype; // → "float64"
 * ```
 */
export function array(x: ArrayLike, opts: DTypeOpt = {}): Tensor {
  checkOptions("array", opts, DTYPE_OPT);
  return arrayAs("array", x, opts);
}

/**
 * `array` for the function `api` the user called (its messages name that function); `pos`
 * (1-based) says which argument was converted, when there are several.
 */
export function arrayAs(api: Api, x: ArrayLike, opts: DTypeOpt = {}, pos?: number): Tensor {
  if (opts.dtype !== undefined) checkDType(apiName(api), opts.dtype);
  const { dtype } = opts;
  if (x instanceof Tensor) return dtype && dtype !== x.dtype ? astype(x, dtype) : x;
  if (isTensorConvertible(x)) return arrayAs(api, x[toTensorSymbol](), opts, pos);
  if (typeof x === "number") return scalarTensor(x, dtype ?? "float32");
  if (typeof x === "boolean") return scalarTensor(x ? 1 : 0, dtype ?? "bool");
  if (ArrayBuffer.isView(x)) {
    const own = dtypeOfArray(x);
    if (!own && !dtype) throw fail(DTypeError, `${apiName(api)}: unsupported typed array ${x.constructor.name}; use Float32Array, Float64Array, Int32Array or Uint8Array.`);
    const d = dtype ?? own!;
    return fromData(copyOfArray(x as TypedArray, d), [(x as TypedArray).length], d);
  }
  if (Array.isArray(x)) {
    const shape = nestedShape(x);
    checkShape(apiName(api), shape, "nested-array shape");
    const flat: number[] = [];
    flattenNested(apiName(api), x, shape, flat);
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
  const which = pos === undefined ? "" : ` (argument ${pos})`;
  throw fail(DTypeError, `${apiName(api)}: cannot make a tensor from ${describeValue(x)}${which}; pass a number, boolean, nested array of numbers, typed array or Tensor.`);
}
/**
 * The same function as {@link array}: converts data to a tensor, returning a tensor of the
 * requested dtype unchanged (no copy; tensors are immutable).
 * Mirrors numpy.asarray / jax.numpy.asarray.
 * @param x - a JS number, boolean, nested array, typed array or tensor.
 * @param opts.dtype - the dtype to convert to; default from the data.
 * @returns a tensor of the data's shape.
 * @throws ShapeError for a ragged nested array; DTypeError for an unknown dtype.
 * @example
 * ```ts
 * const x = np.array([1, 2]);
 * np.asarray(x) === x; // → true
 * np.asarray([true, false]).dtype; // → "bool"
 * ```
 */
export const asarray = array;

/** The dtype a JS number takes next to a tensor of dtype `other` (JAX weak typing). */
function weakDType(v: number | boolean, other: DType): DType {
  if (typeof v === "boolean") return other;
  if (isFloat(other)) return other;
  return Number.isInteger(v) ? "int32" : "float32";
}

/** Converts operands of an n-ary op: JS scalars take the tensors' dtype, tensors promote. */
export function coerce(xs: readonly ArrayLike[], api: Api = "array"): Tensor[] {
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
      const t = arrayAs(api, x, {}, xs.indexOf(x) + 1);
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
    const t = x instanceof Tensor ? x : arrayAs(api, x);
    return t.dtype === target && t._weak === 0 ? t : lax.convert(t, target!);
  });
}

/** A tensor argument; a weak scalar (a JS number passed to jit) becomes float32, as the number would. */
export function tensor(x: ArrayLike, api: Api = "array"): Tensor {
  if (x instanceof Tensor) return x._weak === 0 ? x : lax.convert(x, "float32");
  return arrayAs(api, x);
}

/** Float operand for transcendental ops: ints and bools become float32 (as in JAX). */
export function floaty(x: ArrayLike, api: Api = "array"): Tensor {
  const t = tensor(x, api);
  return isFloat(t.dtype) ? t : astype(t, "float32");
}

/**
 * Converts x to another dtype: floats to int32 truncate toward zero, nonzero becomes true for bool,
 * bool becomes 0 / 1. Returns x itself when it already has the dtype.
 * Mirrors numpy's `x.astype(dtype)` / jax.numpy.astype; also `x.astype(dtype)`.
 * @param x - any shape and dtype.
 * @param dtype - "float32" | "float64" | "int32" | "bool".
 * @returns a tensor of x's shape with the new dtype.
 * @throws DTypeError for an unknown dtype.
 * @example
 * ```ts
 * np.astype([1.7, -1.7, 0], "int32"); // → [1, -1, 0]
 * np.astype([0, 2], "bool"); // → [false, true]
 * ```
 */
export function astype(x: ArrayLike, dtype: DType): Tensor {
  checkDType("astype", dtype);
  const t = x instanceof Tensor ? x : arrayAs("astype", x);
  return t.dtype === dtype && t._weak === 0 ? t : lax.convert(t, dtype);
}


// ------------------------------------------------------------------ constant tensors

export { checkShape };

/**
 * A tensor of the given shape filled with one value.
 * Mirrors numpy.full / jax.numpy.full.
 * @param shape - a list of non-negative integers, or one integer for 1-D.
 * @param value - the fill value.
 * @param opts.dtype - default float32 (bool for a boolean value).
 * @returns a tensor of that shape and dtype.
 * @throws ShapeError for a negative or fractional dimension; DTypeError for an unknown dtype.
 * @example
 * ```ts
 * np.full([2, 2], 7); // → [[7, 7], [7, 7]]
 * np.full(3, true); // → [true, true, true]
 * ```
 */
export function full(shape: readonly number[] | number, value: number | boolean, opts: DTypeOpt = {}): Tensor {
  checkOptions("full", opts, DTYPE_OPT);
  return fullAs("full", shape, value, opts);
}

/** `full` for the function `api` the user called (zeros, ones, fullLike…), named in its messages. */
export function fullAs(api: string, shape: readonly number[] | number, value: number | boolean, opts: DTypeOpt = {}): Tensor {
  checkDType(api, opts.dtype);
  const s = checkShape(api, shape);
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw fail(DTypeError, `${api}: the fill value must be a number or boolean, got ${describeValue(value)}.`);
  }
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  const t = emptyTensor(s, dtype);
  t._data.fill(Number(value));
  return t;
}
/**
 * A tensor of zeros.
 * Mirrors numpy.zeros / jax.numpy.zeros.
 * @param shape - a list of non-negative integers, or one integer for 1-D.
 * @param opts.dtype - default float32.
 * @returns a tensor of that shape and dtype.
 * @throws ShapeError for a negative or fractional dimension; DTypeError for an unknown dtype.
 * @example
 * ```ts
 * np.zeros([2, 3]).shape; // → [2, 3]
 * np.zeros(2, { dtype: "int32" }); // → Array([0, 0], dtype=int32)
 * ```
 */
export const zeros = (shape: readonly number[] | number, opts: DTypeOpt = {}) => (checkOptions("zeros", opts, DTYPE_OPT), fullAs("zeros", shape, 0, opts));
/**
 * A tensor of ones.
 * Mirrors numpy.ones / jax.numpy.ones.
 * @param shape - a list of non-negative integers, or one integer for 1-D.
 * @param opts.dtype - default float32.
 * @returns a tensor of that shape and dtype.
 * @throws ShapeError for a negative or fractional dimension; DTypeError for an unknown dtype.
 * @example
 * ```ts
 * np.ones([2, 2]); // → [[1, 1], [1, 1]]
 * ```
 */
export const ones = (shape: readonly number[] | number, opts: DTypeOpt = {}) => (checkOptions("ones", opts, DTYPE_OPT), fullAs("ones", shape, 1, opts));
/**
 * A tensor of x's shape filled with one value.
 * Mirrors numpy.full_like / jax.numpy.full_like.
 * @param x - any tensor or array; only its shape (and dtype) are read.
 * @param value - the fill value.
 * @param opts.dtype - default x's dtype.
 * @returns a tensor of x's shape.
 * @example
 * ```ts
 * np.fullLike(np.array([1, 2], { dtype: "int32" }), 5); // → Array([5, 5], dtype=int32)
 * ```
 */
export const fullLike = (x: ArrayLike, value: number, opts: DTypeOpt = {}) => (checkOptions("fullLike", opts, DTYPE_OPT), likeAs("fullLike", x, value, opts));
/**
 * A tensor of zeros with x's shape and (by default) dtype.
 * Mirrors numpy.zeros_like / jax.numpy.zeros_like.
 * @param x - any tensor or array.
 * @param opts.dtype - default x's dtype.
 * @returns a tensor of x's shape.
 * @example
 * ```ts
 * np.zerosLike([[1, 2], [3, 4]]); // → [[0, 0], [0, 0]]
 * ```
 */
export const zerosLike = (x: ArrayLike, opts: DTypeOpt = {}) => (checkOptions("zerosLike", opts, DTYPE_OPT), likeAs("zerosLike", x, 0, opts));
/**
 * A tensor of ones with x's shape and (by default) dtype.
 * Mirrors numpy.ones_like / jax.numpy.ones_like.
 * @param x - any tensor or array.
 * @param opts.dtype - default x's dtype.
 * @returns a tensor of x's shape.
 * @example
 * ```ts
 * np.onesLike([1, 2, 3]); // → [1, 1, 1]
 * ```
 */
export const onesLike = (x: ArrayLike, opts: DTypeOpt = {}) => (checkOptions("onesLike", opts, DTYPE_OPT), likeAs("onesLike", x, 1, opts));
/** The *Like functions under their own names. */
function likeAs(api: string, x: ArrayLike, value: number, opts: DTypeOpt): Tensor {
  const t = tensor(x, api);
  return fullAs(api, t.shape, value, { dtype: opts.dtype ?? t.dtype });
}
