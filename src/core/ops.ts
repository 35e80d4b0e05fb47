// The numpy-like op library, built only from primitives (no rules here): conversion of JS
// values, dtype promotion with JAX's weak typing for JS numbers, elementwise math,
// reductions, shapes and linear algebra, and the Tensor methods that chain them.
import { dtypeOfArray, isDType, isFloat, promote, type DType, type TypedArray } from "./dtype.js";
import { AxisError, DTypeError, ShapeError, ValueError, fail } from "./errors.js";
import { broadcastShapes, fmtShape, isPermutation, normAxes, normAxis, shapeEq, sizeOf } from "./shape.js";
import { Tensor, copyOfArray, emptyTensor, fromData, installTensorOps, isTensorConvertible, scalarTensor, toTensorSymbol, type ArrayLike, type IndexSpec } from "./tensor.js";
import { bind1, toConcrete } from "./trace.js";
import { formatTensor } from "./format.js";
import * as ew from "./primitives/elementwise.js";
import * as bin from "./primitives/binary.js";
import * as red from "./primitives/reduce.js";
import * as st from "./primitives/structural.js";
import { dotGeneralP } from "./primitives/dot.js";
import type { Primitive } from "./primitive.js";

type Axis = number | readonly number[] | null | undefined;
export interface DTypeOpt {
  dtype?: DType;
}
export interface KeepDims {
  keepdims?: boolean;
}

// ------------------------------------------------------------------ conversion

function checkDType(api: string, dtype: unknown): asserts dtype is DType | undefined {
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
function coerce(xs: readonly ArrayLike[]): Tensor[] {
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
    return t.dtype === target && t._weak === 0 ? t : bind1(ew.convertP, [t], { dtype: target! });
  });
}

/** A tensor argument; a weak scalar (a JS number passed to jit) becomes float32, as the number would. */
function tensor(x: ArrayLike): Tensor {
  if (x instanceof Tensor) return x._weak === 0 ? x : bind1(ew.convertP, [x], { dtype: "float32" });
  return array(x);
}

/** Float operand for transcendental ops: ints and bools become float32 (as in JAX). */
function floaty(x: ArrayLike): Tensor {
  const t = tensor(x);
  return isFloat(t.dtype) ? t : astype(t, "float32");
}

export function astype(x: ArrayLike, dtype: DType): Tensor {
  checkDType("astype", dtype);
  const t = x instanceof Tensor ? x : array(x);
  return t.dtype === dtype && t._weak === 0 ? t : bind1(ew.convertP, [t], { dtype });
}

// ------------------------------------------------------------------ creation

function checkShape(api: string, shape: readonly number[] | number): number[] {
  const s = typeof shape === "number" ? [shape] : [...shape];
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) throw fail(ShapeError, `${api}: invalid shape ${fmtShape(s)}; dimensions must be non-negative integers.`);
  }
  return s;
}

export function full(shape: readonly number[] | number, value: number | boolean, opts: DTypeOpt = {}): Tensor {
  checkDType("full", opts.dtype);
  const s = checkShape("full", shape);
  const dtype = opts.dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  const t = emptyTensor(s, dtype);
  t._data.fill(Number(value));
  return t;
}
export const zeros = (shape: readonly number[] | number, opts: DTypeOpt = {}) => full(shape, 0, opts);
export const ones = (shape: readonly number[] | number, opts: DTypeOpt = {}) => full(shape, 1, opts);
export const fullLike = (x: ArrayLike, value: number, opts: DTypeOpt = {}) => {
  const t = tensor(x);
  return full(t.shape, value, { dtype: opts.dtype ?? t.dtype });
};
export const zerosLike = (x: ArrayLike, opts: DTypeOpt = {}) => fullLike(x, 0, opts);
export const onesLike = (x: ArrayLike, opts: DTypeOpt = {}) => fullLike(x, 1, opts);

/** arange(stop) or arange(start, stop, step); float32 unless every argument is an integer and no dtype is given → int32. */
export function arange(start: number, stop?: number | DTypeOpt, step?: number | DTypeOpt, opts: DTypeOpt = {}): Tensor {
  if (typeof stop === "object") [opts, stop] = [stop, undefined];
  if (typeof step === "object") [opts, step] = [step, undefined];
  let lo = start;
  let hi = stop as number | undefined;
  if (hi === undefined) [lo, hi] = [0, start];
  const st = (step as number | undefined) ?? 1;
  if (st === 0) throw fail(ValueError, "arange: step must not be zero.");
  const n = Math.max(0, Math.ceil((hi - lo) / st));
  const dtype = opts.dtype ?? ([lo, hi, st].every(Number.isInteger) ? "int32" : "float32");
  const idx = bind1(st_iota, [], { shape: [n], axis: 0, dtype: isFloat(dtype) ? dtype : "int32" });
  const out = lo === 0 && st === 1 ? idx : add(mul(idx, st), lo);
  return astype(out, dtype);
}
const st_iota = st.iotaP;

export function linspace(start: number, stop: number, num = 50, opts: DTypeOpt & { endpoint?: boolean } = {}): Tensor {
  const endpoint = opts.endpoint ?? true;
  const dtype = opts.dtype ?? "float32";
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const data = new Float64Array(num).map((_, i) => (endpoint && i === num - 1 && num > 1 ? stop : start + i * step));
  return array(data, { dtype });
}

export function eye(n: number, m?: number | (DTypeOpt & { k?: number }), opts: DTypeOpt & { k?: number } = {}): Tensor {
  if (typeof m === "object") [opts, m] = [m, undefined];
  const cols = (m as number | undefined) ?? n;
  const k = opts.k ?? 0;
  const r = bind1(st.iotaP, [], { shape: [n, cols], axis: 0, dtype: "int32" });
  const c = bind1(st.iotaP, [], { shape: [n, cols], axis: 1, dtype: "int32" });
  return astype(equal(add(r, k), c), opts.dtype ?? "float32");
}

// ------------------------------------------------------------------ elementwise

// primitives are read when an op is called, not when this module loads (the primitive
// modules import this one for their rules, so either may load first)
/** Params of the parameterless primitives (shared: rules never mutate params). */
const NO_PARAMS = Object.freeze({});
const un =
  (p: () => Primitive) =>
  (x: ArrayLike): Tensor =>
    bind1(p(), [floaty(x)], NO_PARAMS);
export const sin = un(() => ew.sinP);
export const cos = un(() => ew.cosP);
export const tan = un(() => ew.tanP);
export const exp = un(() => ew.expP);
export const log = un(() => ew.logP);
export const log1p = un(() => ew.log1pP);
export const expm1 = un(() => ew.expm1P);
export const sqrt = un(() => ew.sqrtP);
export const tanh = un(() => ew.tanhP);
export const arcsin = un(() => ew.asinP);
export const arccos = un(() => ew.acosP);
export const arctan = un(() => ew.atanP);
export const sinh = un(() => ew.sinhP);
export const cosh = un(() => ew.coshP);
export const sigmoid = un(() => ew.logisticP);
export const negative = (x: ArrayLike): Tensor => bind1(ew.negP, [tensor(x)], {});
export const abs = (x: ArrayLike): Tensor => bind1(ew.absP, [tensor(x)], {});
export const sign = (x: ArrayLike): Tensor => bind1(ew.signP, [tensor(x)], {});
export const floor = (x: ArrayLike): Tensor => bind1(ew.floorP, [tensor(x)], {});
export const ceil = (x: ArrayLike): Tensor => bind1(ew.ceilP, [tensor(x)], {});
export const round = (x: ArrayLike): Tensor => bind1(ew.roundP, [tensor(x)], {});
export const isnan = (x: ArrayLike): Tensor => bind1(ew.isnanP, [tensor(x)], {});
export const isfinite = (x: ArrayLike): Tensor => bind1(ew.isfiniteP, [tensor(x)], {});
export const stopGradient = (x: ArrayLike): Tensor => bind1(ew.stopGradientP, [tensor(x)], {});

const bi =
  (p: () => Primitive) =>
  (a: ArrayLike, b: ArrayLike): Tensor =>
    bind1(p(), coerce([a, b]), NO_PARAMS);
export const add = bi(() => bin.addP);
export const subtract = bi(() => bin.subP);
export const multiply = bi(() => bin.mulP);
export const maximum = bi(() => bin.maxP);
export const minimum = bi(() => bin.minP);
export const equal = bi(() => bin.eqP);
export const notEqual = bi(() => bin.neP);
export const less = bi(() => bin.ltP);
export const lessEqual = bi(() => bin.leP);
export const greater = bi(() => bin.gtP);
export const greaterEqual = bi(() => bin.geP);
export const sub = subtract;
export const mul = multiply;
/** True division: integer operands give float32 (as in JAX). */
export function divide(a: ArrayLike, b: ArrayLike): Tensor {
  let [x, y] = coerce([a, b]) as [Tensor, Tensor];
  if (!isFloat(x.dtype)) [x, y] = [astype(x, "float32"), astype(y, "float32")];
  return bind1(bin.divP, [x, y], {});
}
export const div = divide;
export function power(a: ArrayLike, b: ArrayLike): Tensor {
  const [x, y] = coerce([a, b]) as [Tensor, Tensor];
  if (typeof b === "number" && Number.isInteger(b) && Math.abs(b) <= 16 && isFloat(x.dtype)) return integerPow(x, b);
  return bind1(bin.powP, [x, y], {});
}
export const pow = power;

/**
 * xⁿ for a small integer n by repeated squaring (as JAX's integer_pow): a few multiplies, whose
 * derivatives are the product rule's (d x³ = 3x² dx at every order, with no log or where).
 */
function integerPow(x: Tensor, n: number): Tensor {
  if (n === 0) return onesLike(x);
  if (n < 0) return divide(1, integerPow(x, -n));
  let acc: Tensor | null = null;
  let base = x;
  for (let k = n; k > 0; k >>= 1) {
    if (k & 1) acc = acc === null ? base : mul(acc, base);
    if (k > 1) base = mul(base, base);
  }
  return acc!;
}
export const square = (x: ArrayLike) => {
  const t = tensor(x);
  return mul(t, t);
};
export const reciprocal = (x: ArrayLike) => divide(1, floaty(x));
function asBool(x: ArrayLike): Tensor {
  const t = tensor(x);
  return t.dtype === "bool" ? t : astype(t, "bool");
}
export const logicalAnd = (a: ArrayLike, b: ArrayLike) => bind1(bin.andP, [asBool(a), asBool(b)], {});
export const logicalOr = (a: ArrayLike, b: ArrayLike) => bind1(bin.orP, [asBool(a), asBool(b)], {});
export const logicalNot = (a: ArrayLike) => bind1(ew.notP, [asBool(a)], {});

/** where(cond, x, y): x where cond is true, else y (broadcast). */
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = coerce([x, y]) as [Tensor, Tensor];
  return bind1(bin.selectP, [asBool(cond), a, b], {});
}
export function clip(x: ArrayLike, lo?: ArrayLike | null, hi?: ArrayLike | null): Tensor {
  let t = tensor(x);
  if (lo !== undefined && lo !== null) t = maximum(t, lo);
  if (hi !== undefined && hi !== null) t = minimum(t, hi);
  return t;
}

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
  return bind1(st.reshapeP, [t], { shape: s });
}

export function transpose(x: ArrayLike, axes?: readonly number[]): Tensor {
  const t = tensor(x);
  const perm = axes ? axes.map((a) => normAxis("transpose", a, t.ndim)) : t.shape.map((_, i) => t.ndim - 1 - i);
  if (!isPermutation(perm, t.ndim)) throw fail(AxisError, `transpose: axes ${JSON.stringify(axes)} are not a permutation of ${t.ndim} axes.`);
  if (perm.every((p, i) => p === i)) return t;
  return bind1(st.transposeP, [t], { perm });
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
  return bind1(st.broadcastInDimP, [t], { shape: s, dims });
}

/** Sums x down to `shape` (the reverse of broadcasting to x.shape). */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  if (shapeEq(x.shape, shape)) return x;
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? bind1(red.reduceSumP, [x], { axes }) : x;
  return reshape(s, shape);
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
  return bind1(st.concatenateP, ts, { axis: a });
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

function sliceAxis(t: Tensor, axis: number, lo: number, hi: number, step = 1): Tensor {
  return bind1(st.sliceP, [t], {
    starts: t.shape.map((_, i) => (i === axis ? lo : 0)),
    limits: t.shape.map((s, i) => (i === axis ? hi : s)),
    strides: t.shape.map((_, i) => (i === axis ? step : 1)),
  });
}

export function flip(x: ArrayLike, axis?: Axis): Tensor {
  const t = tensor(x);
  const axes = normAxes("flip", axis, t.ndim);
  return axes.length ? bind1(st.revP, [t], { axes }) : t;
}

/** take(x, indices, axis): gathers along axis (flattened x when axis is undefined); indices wrap once from the end and clamp. */
export function take(x: ArrayLike, indices: ArrayLike, axis?: number): Tensor {
  let t = tensor(x);
  const idx = astype(tensor(indices), "int32");
  if (axis === undefined) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  const a = normAxis("take", axis, t.ndim);
  return bind1(st.gatherP, [t, idx], { axis: a });
}

/** pad(x, width, {constantValues}): width is n, [before, after], or one pair per axis. */
export function pad(x: ArrayLike, width: number | readonly [number, number] | readonly (readonly [number, number])[], opts: { constantValues?: number } = {}): Tensor {
  const t = tensor(x);
  let pairs: [number, number][];
  if (typeof width === "number") pairs = t.shape.map(() => [width, width]);
  else if (typeof width[0] === "number") pairs = t.shape.map(() => [width[0] as number, width[1] as number]);
  else pairs = (width as readonly (readonly [number, number])[]).map((p) => [p[0], p[1]]);
  if (pairs.length !== t.ndim || pairs.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0)) {
    throw fail(ShapeError, `pad: width ${JSON.stringify(width)} does not fit ${fmtShape(t.shape)}; give non-negative [before, after] per axis.`);
  }
  const params = { lo: pairs.map((p) => p[0]), hi: pairs.map((p) => p[1]), interior: pairs.map(() => 0) };
  const padded = bind1(st.padP, [t], params);
  const c = opts.constantValues ?? 0;
  if (c === 0) return padded;
  const mask = bind1(st.padP, [onesLike(t, { dtype: "bool" })], params);
  return where(mask, padded, c);
}

// ------------------------------------------------------------------ basic indexing

/** x.index(...): numbers, null (new axis), "..." and [start, stop, step] ranges (numpy basic indexing). */
export function index(x: ArrayLike, ...specs: IndexSpec[]): Tensor {
  const t = tensor(x);
  const ell = specs.filter((s) => s === "...").length;
  if (ell > 1) throw fail(ShapeError, "index: at most one '...' is allowed.");
  const consumed = specs.filter((s) => s !== null && s !== "...").length;
  if (consumed > t.ndim) throw fail(ShapeError, `index: too many indices (${consumed}) for ${fmtShape(t.shape)}.`);
  const full: IndexSpec[] = [];
  for (const s of specs) {
    if (s === "...") for (let i = 0; i < t.ndim - consumed; i++) full.push([null, null, null]);
    else full.push(s);
  }
  while (full.filter((s) => s !== null).length < t.ndim) full.push([null, null, null]);
  const starts: number[] = [];
  const limits: number[] = [];
  const strides: number[] = [];
  const revAxes: number[] = [];
  const outShape: number[] = [];
  let ax = 0;
  for (const s of full) {
    if (s === null) {
      outShape.push(1);
      continue;
    }
    const n = t.shape[ax]!;
    if (typeof s === "number") {
      if (!Number.isInteger(s) || s < -n || s >= n) {
        throw fail(ShapeError, `index: index ${s} is out of bounds for axis ${ax} with size ${n}.`);
      }
      const i = s < 0 ? s + n : s;
      starts.push(i), limits.push(i + 1), strides.push(1);
    } else {
      const r = s as readonly [number | null, (number | null)?, (number | null)?];
      const step = r[2] ?? 1;
      if (step === 0) throw fail(ValueError, "index: slice step cannot be zero.");
      const norm = (v: number | null | undefined, dflt: number) => {
        if (v === null || v === undefined) return dflt;
        const w = v < 0 ? v + n : v;
        return step > 0 ? Math.min(Math.max(w, 0), n) : Math.min(Math.max(w, -1), n - 1);
      };
      const lo = norm(r[0], step > 0 ? 0 : n - 1);
      const hi = norm(r[1], step > 0 ? n : -1);
      if (step > 0) {
        starts.push(lo), limits.push(Math.max(lo, hi)), strides.push(step);
        outShape.push(Math.max(0, Math.ceil((hi - lo) / step)));
      } else {
        // x[lo:hi:-k] = rev(x)[n-1-lo : n-1-hi : k]
        revAxes.push(ax);
        const rlo = n - 1 - lo;
        const rhi = n - 1 - hi;
        starts.push(rlo), limits.push(Math.max(rlo, rhi)), strides.push(-step);
        outShape.push(Math.max(0, Math.ceil((rhi - rlo) / -step)));
      }
    }
    ax++;
  }
  let r = revAxes.length ? bind1(st.revP, [t], { axes: revAxes }) : t;
  const trivial = starts.every((v, i) => v === 0 && limits[i] === t.shape[i] && strides[i] === 1);
  if (!trivial) r = bind1(st.sliceP, [r], { starts, limits, strides });
  return reshape(r, outShape);
}

// ------------------------------------------------------------------ reductions

function reduceWith(api: string, p: Primitive, x: ArrayLike, axis: Axis, keepdims: boolean | undefined): Tensor {
  const t = tensor(x);
  const axes = normAxes(api, axis, t.ndim);
  const r = axes.length ? bind1(p, [t], { axes }) : t;
  return keepdims ? reshape(r, t.shape.map((s, i) => (axes.includes(i) ? 1 : s))) : r;
}
export const sum = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => {
  const t = tensor(x);
  return reduceWith("sum", red.reduceSumP, t.dtype === "bool" ? astype(t, "int32") : t, axis, opts.keepdims);
};
export const prod = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("prod", red.reduceProdP, x, axis, opts.keepdims);
export const max = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("max", red.reduceMaxP, x, axis, opts.keepdims);
export const min = (x: ArrayLike, axis?: Axis, opts: KeepDims = {}) => reduceWith("min", red.reduceMinP, x, axis, opts.keepdims);

export function mean(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  const t = floaty(x);
  const axes = normAxes("mean", axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  return divide(sum(t, axes, opts), count);
}

export function variance(x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}): Tensor {
  const t = floaty(x);
  const axes = normAxes("var", axis, t.ndim);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  const centered = subtract(t, mean(t, axes, { keepdims: true }));
  return divide(sum(square(centered), axes, opts), count - (opts.ddof ?? 0));
}
export { variance as var };
export const std = (x: ArrayLike, axis?: Axis, opts: KeepDims & { ddof?: number } = {}) => sqrt(variance(x, axis, opts));

/** log Σ exp x, stable: the max is factored out (and held constant for the derivative). */
export function logsumexp(x: ArrayLike, axis?: Axis, opts: KeepDims = {}): Tensor {
  const t = floaty(x);
  const axes = normAxes("logsumexp", axis, t.ndim);
  const m = stopGradient(max(t, axes, { keepdims: true }));
  const safeM = where(isfinite(m), m, 0);
  const s = log(sum(exp(subtract(t, safeM)), axes, { keepdims: true }));
  const r = add(s, safeM);
  return opts.keepdims ? r : reshape(r, t.shape.filter((_, i) => !axes.includes(i)));
}

function argReduce(api: string, p: Primitive, x: ArrayLike, axis?: number, opts: KeepDims = {}): Tensor {
  let t = tensor(x);
  if (axis === undefined || axis === null) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  const a = normAxis(api, axis, t.ndim);
  if (t.shape[a] === 0) throw fail(ValueError, `${api}: attempt to get ${api} of an empty sequence.`);
  const r = bind1(p, [t], { axis: a });
  return opts.keepdims ? expandDims(r, a) : r;
}
export const argmax = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmax", red.argmaxP, x, axis, opts);
export const argmin = (x: ArrayLike, axis?: number, opts?: KeepDims) => argReduce("argmin", red.argminP, x, axis, opts);

export function cumsum(x: ArrayLike, axis?: number): Tensor {
  let t = tensor(x);
  if (t.dtype === "bool") t = astype(t, "int32");
  if (axis === undefined) {
    t = reshape(t, [-1]);
    axis = 0;
  }
  return bind1(red.cumsumP, [t], { axis: normAxis("cumsum", axis, t.ndim), reverse: false });
}

// ------------------------------------------------------------------ linear algebra

function dotGeneral(a: Tensor, b: Tensor, contract: [number[], number[]], batch: [number[], number[]] = [[], []]): Tensor {
  const [x, y] = coerce([a, b]) as [Tensor, Tensor];
  const [fx, fy] = isFloat(x.dtype) ? [x, y] : [astype(x, "float32"), astype(y, "float32")];
  return bind1(dotGeneralP, [fx, fy], { contract, batch });
}

/** numpy matmul: 1-D operands promoted, batch dimensions broadcast. */
export function matmul(a: ArrayLike, b: ArrayLike): Tensor {
  let x = tensor(a);
  let y = tensor(b);
  if (x.ndim === 0 || y.ndim === 0) throw fail(ShapeError, `matmul: operands must be at least 1-D, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}; use multiply for scalars.`);
  const xv = x.ndim === 1;
  const yv = y.ndim === 1;
  if (xv) x = reshape(x, [1, x.shape[0]!]);
  if (yv) y = reshape(y, [y.shape[0]!, 1]);
  const k1 = x.shape[x.ndim - 1]!;
  const k2 = y.shape[y.ndim - 2]!;
  if (k1 !== k2) {
    throw fail(ShapeError, `matmul: shapes ${fmtShape(tensor(a).shape)} and ${fmtShape(tensor(b).shape)} do not align: ${k1} (last axis of the first) ≠ ${k2} (second-to-last of the second).`);
  }
  let r: Tensor;
  if (y.ndim === 2) {
    r = dotGeneral(x, y, [[x.ndim - 1], [0]]);
  } else {
    const bx = x.shape.slice(0, -2);
    const by = y.shape.slice(0, -2);
    const bs = broadcastShapes("matmul", bx, by);
    const xb = broadcastTo(x, [...bs, ...x.shape.slice(-2)]);
    const yb = broadcastTo(y, [...bs, ...y.shape.slice(-2)]);
    const nb = bs.length;
    const batchAxes = bs.map((_, i) => i);
    r = dotGeneral(xb, yb, [[nb + 1], [nb]], [batchAxes, batchAxes]);
  }
  if (xv) r = squeeze(r, r.ndim - 2);
  if (yv) r = squeeze(r, r.ndim - 1);
  return r;
}

/** numpy dot: sum over the last axis of a and the second-to-last of b (the only axis of a 1-D b). */
export function dot(a: ArrayLike, b: ArrayLike): Tensor {
  const x = tensor(a);
  const y = tensor(b);
  if (x.ndim === 0 || y.ndim === 0) return multiply(x, y);
  const ya = y.ndim === 1 ? 0 : y.ndim - 2;
  if (x.shape[x.ndim - 1] !== y.shape[ya]) {
    throw fail(ShapeError, `dot: shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} not aligned: ${x.shape[x.ndim - 1]} ≠ ${y.shape[ya]}.`);
  }
  return dotGeneral(x, y, [[x.ndim - 1], [ya]]);
}

export function vdot(a: ArrayLike, b: ArrayLike): Tensor {
  return dot(reshape(a, [-1]), reshape(b, [-1]));
}

export function outer(a: ArrayLike, b: ArrayLike): Tensor {
  return multiply(reshape(a, [-1, 1]), reshape(b, [1, -1]));
}

/** einsum over one or two operands ("ij,jk->ik", "bij,bjk->bik", "ii" not supported). */
export function einsum(spec: string, ...operands: ArrayLike[]): Tensor {
  const [lhs, rhsExplicit] = spec.replace(/\s+/g, "").split("->") as [string, string | undefined];
  const ins = lhs.split(",");
  if (ins.length !== operands.length) throw fail(ValueError, `einsum: "${spec}" names ${ins.length} operands but ${operands.length} were given.`);
  const ts = operands.map(tensor);
  ins.forEach((s, i) => {
    if (s.length !== ts[i]!.ndim) throw fail(ShapeError, `einsum: operand ${i} has rank ${ts[i]!.ndim} but "${s}" names ${s.length} axes.`);
    if (new Set(s).size !== s.length) throw fail(ValueError, `einsum: repeated index in "${s}" (a diagonal) is not supported; use np.diag or np.trace.`);
  });
  const sizes = new Map<string, number>();
  ins.forEach((s, i) =>
    [...s].forEach((c, k) => {
      const n = ts[i]!.shape[k]!;
      if ((sizes.get(c) ?? n) !== n) throw fail(ShapeError, `einsum: index "${c}" has size ${sizes.get(c)} in one operand and ${n} in operand ${i} (shapes ${ts.map((t) => fmtShape(t.shape)).join(", ")} for "${spec}").`);
      sizes.set(c, n);
    }),
  );
  const counts = new Map<string, number>();
  for (const s of ins) for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const out = rhsExplicit ?? [...counts.keys()].filter((c) => counts.get(c) === 1).sort().join("");
  // sum out letters that appear in one operand and not in the output
  const reduced = ts.map((t, i) => {
    const s = ins[i]!;
    const others = ins.filter((_, j) => j !== i).join("");
    const axes = [...s].map((c, k) => (!out.includes(c) && !others.includes(c) ? k : -1)).filter((k) => k >= 0);
    return [axes.length ? sum(t, axes) : t, [...s].filter((c) => !(!out.includes(c) && !others.includes(c))).join("")] as const;
  });
  let [acc, accS] = reduced[0]!;
  for (let i = 1; i < reduced.length; i++) {
    const [t, s] = reduced[i]!;
    const rest = reduced.slice(i + 1).map((r) => r[1]).join("");
    const both = [...accS].filter((c) => s.includes(c));
    const batchL = both.filter((c) => out.includes(c) || rest.includes(c));
    const contractL = both.filter((c) => !batchL.includes(c));
    acc = dotGeneral(acc, t, [contractL.map((c) => accS.indexOf(c)), contractL.map((c) => s.indexOf(c))], [batchL.map((c) => accS.indexOf(c)), batchL.map((c) => s.indexOf(c))]);
    accS = batchL.join("") + [...accS].filter((c) => !both.includes(c)).join("") + [...s].filter((c) => !both.includes(c)).join("");
  }
  const extra = [...accS].map((c, k) => (out.includes(c) ? -1 : k)).filter((k) => k >= 0);
  if (extra.length) {
    acc = sum(acc, extra);
    accS = [...accS].filter((c) => out.includes(c)).join("");
  }
  return transpose(acc, [...out].map((c) => accS.indexOf(c)));
}

/** Rows/cols index grids for the last two axes (int32). */
function rowCol(n: number, m: number): [Tensor, Tensor] {
  return [bind1(st.iotaP, [], { shape: [n, m], axis: 0, dtype: "int32" }), bind1(st.iotaP, [], { shape: [n, m], axis: 1, dtype: "int32" })];
}
export function tril(x: ArrayLike, k = 0): Tensor {
  const t = tensor(x);
  if (t.ndim < 2) throw fail(ShapeError, `tril: needs at least 2-D input, got ${fmtShape(t.shape)}.`);
  const [r, c] = rowCol(t.shape[t.ndim - 2]!, t.shape[t.ndim - 1]!);
  return where(lessEqual(c, add(r, k)), t, 0);
}
export function triu(x: ArrayLike, k = 0): Tensor {
  const t = tensor(x);
  if (t.ndim < 2) throw fail(ShapeError, `triu: needs at least 2-D input, got ${fmtShape(t.shape)}.`);
  const [r, c] = rowCol(t.shape[t.ndim - 2]!, t.shape[t.ndim - 1]!);
  return where(greaterEqual(c, add(r, k)), t, 0);
}

/** diag(v, k): a 1-D v builds a matrix with v on diagonal k; a 2-D x returns its k-th diagonal. */
export function diag(x: ArrayLike, k = 0): Tensor {
  const t = tensor(x);
  if (t.ndim === 1) {
    const n = t.shape[0]!;
    const m = n + Math.abs(k);
    const col = reshape(pad(t, [[k >= 0 ? 0 : -k, k >= 0 ? k : 0]]), [m, 1]);
    return where(eye(m, m, { k, dtype: "bool" }), col, 0);
  }
  if (t.ndim !== 2) throw fail(ShapeError, `diag: input must be 1-D or 2-D, got ${fmtShape(t.shape)}.`);
  const [n, m] = t.shape as [number, number];
  const len = Math.max(0, Math.min(n, m - k, n + k, m));
  const rows = Math.max(0, -k);
  const cols = Math.max(0, k);
  const flat = new Int32Array(Math.max(0, Math.min(n - rows, m - cols, len)));
  for (let i = 0; i < flat.length; i++) flat[i] = (rows + i) * m + cols + i;
  return take(reshape(t, [-1]), array(flat), 0);
}
export const trace = (x: ArrayLike, k = 0) => sum(diag(x, k));

// ------------------------------------------------------------------ checks

export function allclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number } = {}): boolean {
  const x = toConcrete(tensor(a), "allclose");
  const y = toConcrete(tensor(b), "allclose");
  const shape = broadcastShapes("allclose", x.shape, y.shape);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-8;
  const xs = broadcastTo(astype(x, "float64"), shape).dataSync();
  const ys = broadcastTo(astype(y, "float64"), shape).dataSync();
  for (let i = 0; i < xs.length; i++) {
    const u = xs[i]!;
    const v = ys[i]!;
    if (u === v) continue;
    if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) return false;
  }
  return true;
}

// ------------------------------------------------------------------ Tensor methods

declare module "./tensor.js" {
  interface Tensor {
    add(y: ArrayLike): Tensor;
    sub(y: ArrayLike): Tensor;
    mul(y: ArrayLike): Tensor;
    div(y: ArrayLike): Tensor;
    pow(y: ArrayLike): Tensor;
    neg(): Tensor;
    matmul(y: ArrayLike): Tensor;
    dot(y: ArrayLike): Tensor;
    maximum(y: ArrayLike): Tensor;
    minimum(y: ArrayLike): Tensor;
    equal(y: ArrayLike): Tensor;
    notEqual(y: ArrayLike): Tensor;
    less(y: ArrayLike): Tensor;
    lessEqual(y: ArrayLike): Tensor;
    greater(y: ArrayLike): Tensor;
    greaterEqual(y: ArrayLike): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sqrt(): Tensor;
    square(): Tensor;
    abs(): Tensor;
    sum(axis?: Axis, opts?: KeepDims): Tensor;
    mean(axis?: Axis, opts?: KeepDims): Tensor;
    prod(axis?: Axis, opts?: KeepDims): Tensor;
    max(axis?: Axis, opts?: KeepDims): Tensor;
    min(axis?: Axis, opts?: KeepDims): Tensor;
    argmax(axis?: number): Tensor;
    argmin(axis?: number): Tensor;
    var(axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor;
    std(axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor;
    cumsum(axis?: number): Tensor;
    reshape(shape: readonly number[] | number): Tensor;
    transpose(axes?: readonly number[]): Tensor;
    readonly T: Tensor;
    astype(dtype: DType): Tensor;
    index(...specs: IndexSpec[]): Tensor;
    expandDims(axis: number | readonly number[]): Tensor;
    squeeze(axis?: number | readonly number[]): Tensor;
    flatten(): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    clip(lo?: ArrayLike | null, hi?: ArrayLike | null): Tensor;
    take(indices: ArrayLike, axis?: number): Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...a: any[]) => Tensor> = {
  add(y) { return add(this, y); },
  sub(y) { return subtract(this, y); },
  mul(y) { return multiply(this, y); },
  div(y) { return divide(this, y); },
  pow(y) { return power(this, y); },
  neg() { return negative(this); },
  matmul(y) { return matmul(this, y); },
  dot(y) { return dot(this, y); },
  maximum(y) { return maximum(this, y); },
  minimum(y) { return minimum(this, y); },
  equal(y) { return equal(this, y); },
  notEqual(y) { return notEqual(this, y); },
  less(y) { return less(this, y); },
  lessEqual(y) { return lessEqual(this, y); },
  greater(y) { return greater(this, y); },
  greaterEqual(y) { return greaterEqual(this, y); },
  exp() { return exp(this); },
  log() { return log(this); },
  sin() { return sin(this); },
  cos() { return cos(this); },
  tanh() { return tanh(this); },
  sqrt() { return sqrt(this); },
  square() { return square(this); },
  abs() { return abs(this); },
  sum(a, o) { return sum(this, a, o); },
  mean(a, o) { return mean(this, a, o); },
  prod(a, o) { return prod(this, a, o); },
  max(a, o) { return max(this, a, o); },
  min(a, o) { return min(this, a, o); },
  argmax(a) { return argmax(this, a); },
  argmin(a) { return argmin(this, a); },
  var(a, o) { return variance(this, a, o); },
  std(a, o) { return std(this, a, o); },
  cumsum(a) { return cumsum(this, a); },
  reshape(s) { return reshape(this, s); },
  transpose(a) { return transpose(this, a); },
  astype(d) { return astype(this, d); },
  index(...s) { return index(this, ...s); },
  expandDims(a) { return expandDims(this, a); },
  squeeze(a) { return squeeze(this, a); },
  flatten() { return reshape(this, [-1]); },
  broadcastTo(s) { return broadcastTo(this, s); },
  clip(lo, hi) { return clip(this, lo, hi); },
  take(i, a) { return take(this, i, a); },
};
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return transpose(this);
  },
  configurable: true,
});

installTensorOps({ toConcrete, format: formatTensor });
