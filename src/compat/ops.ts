// TensorFlow's ops under their names in camelCase, each one op on the tape: arguments keep
// TensorFlow's order (reduceSum(x, axis, keepdims), matmul(a, b, {transposeA})); JS numbers
// combine with tensors as in tapir (they take the tensor's dtype).
import { Tensor, ValueError, numpy as np, nn as tnn, stopGradient as tStopGradient, type ArrayLike, type DType } from "../index.js";
import { tfPrint } from "./format.js";
import { binary, quiet, run, run1, unary } from "./runtime.js";
import { Variable } from "./variable.js";

type Axis = number | readonly number[] | null | undefined;
type T = ArrayLike | Variable;
const axisOf = (a: Axis) => (a === null ? undefined : a);
/** dtype given positionally or as {dtype} (tf.zeros(shape, tf.float64) vs {dtype: "float64"}). */
const dtypeOf = (d: DType | { dtype?: DType } | undefined, dflt: DType = "float32"): DType => (typeof d === "string" ? d : d?.dtype ?? dflt);


// ------------------------------------------------------------------ creation

export interface ConstantOptions {
  dtype?: DType;
  shape?: readonly number[];
}
/** tf.constant: a new tensor (JS numbers are float32); a single value fills `shape`. */
export function constant(value: ArrayLike, opts: ConstantOptions = {}): Tensor {
  return quiet(() => {
    let t = np.asarray(value, opts.dtype ? { dtype: opts.dtype } : {});
    if (opts.shape) {
      const n = opts.shape.reduce((a, b) => a * b, 1);
      if (t.size === 1 && n !== 1) t = np.broadcastTo(np.reshape(t, []), opts.shape);
      else if (t.size !== n) {
        throw new ValueError({ message: `Eager execution of tf.constant with unsupported shape. Tried to convert a value of ${t.size} elements to a tensor of shape [${opts.shape.join(", ")}] (${n} elements).` });
      }
      t = np.reshape(t, opts.shape);
    }
    // a tensor of its own, so marking it to print like TensorFlow leaves the caller's alone
    return tfPrint(value instanceof Tensor && t === value ? np.squeeze(np.expandDims(t, 0), 0) : t);
  });
}

/** tf.convert_to_tensor: tensors pass through, variables are read, anything else becomes a constant. */
export function convertToTensor(value: T, opts: { dtype?: DType } = {}): Tensor {
  if (value instanceof Variable) value = value.value();
  if (value instanceof Tensor) {
    if (opts.dtype && opts.dtype !== value.dtype) {
      throw new ValueError({ message: `Tensor conversion requested dtype ${opts.dtype} for Tensor with dtype ${value.dtype}: ${value.toString()}. Use tf.cast to change the dtype.` });
    }
    return value;
  }
  return constant(value, opts);
}

export const zeros = (shape: readonly number[], dtype?: DType | { dtype?: DType }) => tfPrint(np.zeros(shape, { dtype: dtypeOf(dtype) }));
export const ones = (shape: readonly number[], dtype?: DType | { dtype?: DType }) => tfPrint(np.ones(shape, { dtype: dtypeOf(dtype) }));
export const fill = (dims: readonly number[], value: number, dtype?: DType | { dtype?: DType }) => tfPrint(np.full(dims, value, { dtype: dtypeOf(dtype) }));
export const zerosLike = (x: T) => run1(([a]) => np.zerosLike(a), [x]);
export const onesLike = (x: T) => run1(([a]) => np.onesLike(a), [x]);
export const eye = (numRows: number, numColumns?: number, dtype?: DType | { dtype?: DType }) => tfPrint(np.eye(numRows, numColumns ?? numRows, { dtype: dtypeOf(dtype) }));
/** tf.range(limit) or tf.range(start, limit, delta); int32 for integer arguments unless a dtype is given. */
export function range(start: number, limit?: number, delta = 1, dtype?: DType | { dtype?: DType }): Tensor {
  const [lo, hi] = limit === undefined ? [0, start] : [start, limit];
  const d = dtypeOf(dtype, [lo, hi, delta].every(Number.isInteger) ? "int32" : "float32");
  return tfPrint(np.arange(lo, hi, delta, { dtype: d }));
}
export const linspace = (start: number, stop: number, num: number) => tfPrint(np.linspace(start, stop, num));

// ------------------------------------------------------------------ elementwise

export const add = binary(np.add);
export const subtract = binary(np.subtract);
export const multiply = binary(np.multiply);
export const divide = binary(np.divide);
export const truediv = divide;
export const pow = binary(np.power);
export const maximum = binary(np.maximum);
export const minimum = binary(np.minimum);
export const squaredDifference = binary((a, b) => np.square(np.subtract(a, b)));
/** tf.add_n: the sum of a list of tensors. */
export const addN = (xs: readonly T[]): Tensor => run1((ts) => ts.reduce((a: Tensor, b: Tensor) => np.add(a, b)), xs);

export const negative = unary(np.negative);
export const abs = unary(np.abs);
export const sign = unary(np.sign);
export const square = unary(np.square);
export const sqrt = unary(np.sqrt);
export const rsqrt = unary((x) => np.reciprocal(np.sqrt(x)));
export const reciprocal = unary(np.reciprocal);
export const exp = unary(np.exp);
export const expm1 = unary(np.expm1);
export const log = unary(np.log);
export const log1p = unary(np.log1p);
export const sin = unary(np.sin);
export const cos = unary(np.cos);
export const tan = unary(np.tan);
export const asin = unary(np.arcsin);
export const acos = unary(np.arccos);
export const atan = unary(np.arctan);
export const sinh = unary(np.sinh);
export const cosh = unary(np.cosh);
export const tanh = unary(np.tanh);
export const sigmoid = unary(tnn.sigmoid);
export const floor = unary(np.floor);
export const ceil = unary(np.ceil);
export const round = unary(np.round);
export const identity = unary((x) => np.squeeze(np.expandDims(x, 0), 0));

export const equal = binary(np.equal);
export const notEqual = binary(np.notEqual);
export const less = binary(np.less);
export const lessEqual = binary(np.lessEqual);
export const greater = binary(np.greater);
export const greaterEqual = binary(np.greaterEqual);
export const logicalAnd = binary(np.logicalAnd);
export const logicalOr = binary(np.logicalOr);
export const logicalNot = unary(np.logicalNot);

/** tf.where(condition, x, y): elementwise choice (the one-argument form is not supported). */
export function where(condition: T, x: T, y: T): Tensor {
  if (x === undefined || y === undefined) throw new ValueError({ message: "tf.where: give both x and y (the one-argument form returning indices is not supported)." });
  return run1(([c, a, b]) => np.where(c, a, b), [condition, x, y]);
}
export const clipByValue = (x: T, lo: T, hi: T) => run1(([a, l, h]) => np.clip(a, l, h), [x, lo, hi]);
export const cast = (x: T, dtype: DType) => run1(([a]) => np.astype(a, dtype), [x]);
// Not recorded at all (TensorFlow's StopGradient is not differentiable): a source reached only
// through it is unconnected, so its gradient is None, not zeros.
export const stopGradient = (x: T): Tensor => quiet(() => unary((v) => tStopGradient(v))(x as ArrayLike));

// ------------------------------------------------------------------ linear algebra

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}
const swapLast = (x: Tensor) => (x.ndim < 2 ? x : np.moveaxis(x, -1, -2));
export function matmul(a: T, b: T, opts: MatmulOptions = {}): Tensor {
  return run1(([x, y]) => np.matmul(opts.transposeA ? swapLast(x) : x, opts.transposeB ? swapLast(y) : y), [a, b]);
}
export const tensordot = (a: T, b: T, axes: number) =>
  run1(([x, y]) => {
    const k = x.shape.slice(x.ndim - axes).reduce((p: number, q: number) => p * q, 1);
    const r = np.matmul(np.reshape(x, [-1, k]), np.reshape(y, [k, -1]));
    return np.reshape(r, [...x.shape.slice(0, x.ndim - axes), ...y.shape.slice(axes)]);
  }, [a, b]);

// ------------------------------------------------------------------ reductions

const reduction = (f: (x: Tensor, axis: any, o: { keepdims: boolean }) => Tensor) => (x: T, axis?: Axis, keepdims = false): Tensor =>
  run1(([a]) => f(a, axisOf(axis), { keepdims }), [x]);
export const reduceSum = reduction(np.sum);
export const reduceMean = reduction(np.mean);
export const reduceMax = reduction(np.max);
export const reduceMin = reduction(np.min);
export const reduceProd = reduction(np.prod);
export const reduceLogsumexp = reduction(np.logsumexp);
export const reduceVariance = reduction(np.var);
export const reduceStd = reduction(np.std);
/** tf.argmax along `axis` (0 by default, as in TensorFlow); int32 indices. */
export const argmax = (x: T, axis = 0) => run1(([a]) => np.argmax(a, axis), [x]);
export const argmin = (x: T, axis = 0) => run1(([a]) => np.argmin(a, axis), [x]);
export const cumsum = (x: T, axis = 0) => run1(([a]) => np.cumsum(a, axis), [x]);

// ------------------------------------------------------------------ shapes

export const reshape = (x: T, shape: readonly number[]) => run1(([a]) => np.reshape(a, shape), [x]);
export const transpose = (x: T, perm?: readonly number[]) => run1(([a]) => np.transpose(a, perm), [x]);
export const expandDims = (x: T, axis: number) => run1(([a]) => np.expandDims(a, axis), [x]);
export const squeeze = (x: T, axis?: number | readonly number[]) => run1(([a]) => np.squeeze(a, axis), [x]);
export const broadcastTo = (x: T, shape: readonly number[]) => run1(([a]) => np.broadcastTo(a, shape), [x]);
export const concat = (values: readonly T[], axis: number) => run1((ts) => np.concatenate(ts, axis), values);
export const stack = (values: readonly T[], axis = 0) => run1((ts) => np.stack(ts, axis), values);
export const unstack = (x: T, axis = 0): Tensor[] =>
  run(([a]) => {
    const ax = axis < 0 ? axis + a.ndim : axis;
    return np.split(a, a.shape[ax], ax).map((p: Tensor) => np.squeeze(p, ax));
  }, [x]) as Tensor[];
/** tf.split(x, numOrSizeSplits, axis): equal parts or the given sizes. */
export function split(x: T, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  return run(([a]) => {
    if (typeof numOrSizeSplits === "number") return np.split(a, numOrSizeSplits, axis);
    const cuts: number[] = [];
    let acc = 0;
    for (const s of numOrSizeSplits.slice(0, -1)) cuts.push((acc += s));
    return np.split(a, cuts, axis);
  }, [x]) as Tensor[];
}
/** tf.tile: repeats along each axis `multiples[i]` times. */
export const tile = (x: T, multiples: readonly number[]) =>
  run1(([a]) => {
    const inter = a.shape.flatMap((d: number) => [1, d]);
    const big = a.shape.flatMap((d: number, i: number) => [multiples[i]!, d]);
    return np.reshape(np.broadcastTo(np.reshape(a, inter), big), a.shape.map((d: number, i: number) => d * multiples[i]!));
  }, [x]);
/** tf.gather(params, indices, axis = 0). */
export const gather = (params: T, indices: T, axis = 0) => run1(([p, i]) => np.take(p, i, axis), [params, indices]);
/** tf.slice(x, begin, size): size -1 means to the end. */
export const slice = (x: T, begin: readonly number[], size: readonly number[]) =>
  run1(([a]) => np.index(a, ...begin.map((b, i) => [b, size[i] === -1 ? null : b + size[i]!] as const)), [x]);
export const oneHot = (indices: T, depth: number, opts: { onValue?: number; offValue?: number; dtype?: DType } = {}) =>
  run1(([i]) => {
    const h = tnn.oneHot(i, depth, { dtype: opts.dtype ?? "float32" });
    const on = opts.onValue ?? 1;
    const off = opts.offValue ?? 0;
    return on === 1 && off === 0 ? h : np.add(np.multiply(h, on - off), off);
  }, [indices]);
/** tf.shape: the shape as an int32 tensor. */
export const shape = (x: T): Tensor => tfPrint(np.array(Int32Array.from(x instanceof Variable ? x.shape : np.asarray(x as ArrayLike).shape)));
export const rank = (x: T): Tensor => tfPrint(np.array(x instanceof Variable ? x.ndim : np.asarray(x as ArrayLike).ndim, { dtype: "int32" }));
export const size = (x: T): Tensor => tfPrint(np.array(x instanceof Variable ? x.size : np.asarray(x as ArrayLike).size, { dtype: "int32" }));
