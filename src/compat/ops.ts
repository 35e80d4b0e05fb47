// TensorFlow's ops under their names in camelCase, each one op on the tape: arguments keep
// TensorFlow's order (reduceSum(x, axis, keepdims), matmul(a, b, {transposeA})); JS numbers
// combine with tensors as in tapir (they take the tensor's dtype).
import { Tensor, ValueError, isTracer, numpy as np, nn as tnn, stopGradient as tStopGradient, type ArrayLike, type DType } from "../index.js";
import { checkOptions, describe, shapeText } from "./errors.js";
import { tfPrint } from "./format.js";
import { absGrad, clipGrad, maximumGrad, minimumGrad, powGrad, reciprocalGrad, rsqrtGrad, sqrtGrad } from "./grads.js";
import { binary, quiet, run, run1, unary, type Rule } from "./runtime.js";
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
  checkOptions("tf.constant", opts, ["dtype", "shape"]);
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
  checkOptions("tf.convertToTensor", opts, ["dtype"]);
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
export const zerosLike = (x: T) => run1(([a]) => np.zerosLike(a), [x], "tf.zerosLike");
export const onesLike = (x: T) => run1(([a]) => np.onesLike(a), [x], "tf.onesLike");
export const eye = (numRows: number, numColumns?: number, dtype?: DType | { dtype?: DType }) => tfPrint(np.eye(numRows, numColumns ?? numRows, { dtype: dtypeOf(dtype) }));
/** tf.range(limit) or tf.range(start, limit, delta); int32 for integer arguments unless a dtype is given. */
export function range(start: number, limit?: number, delta = 1, dtype?: DType | { dtype?: DType }): Tensor {
  const [lo, hi] = limit === undefined ? [0, start] : [start, limit];
  const d = dtypeOf(dtype, [lo, hi, delta].every(Number.isInteger) ? "int32" : "float32");
  return tfPrint(np.arange(lo, hi, delta, { dtype: d }));
}
export const linspace = (start: number, stop: number, num: number) => tfPrint(np.linspace(start, stop, num));

// ------------------------------------------------------------------ elementwise

export const add = binary("tf.add", np.add);
export const subtract = binary("tf.subtract", np.subtract);
export const multiply = binary("tf.multiply", np.multiply);
export const divide = binary("tf.divide", np.divide);
export const truediv = divide;
/** A two-argument op whose tape gradient is TensorFlow's `rule` (see grads.ts). */
const ruled2 = (api: string, f: (a: any, b: any) => Tensor, rule: Rule) => (x: T, y: T): Tensor => run1(([a, b]) => f(a, b), [x, y], api, rule);
const ruled1 = (api: string, f: (a: Tensor) => Tensor, rule: Rule) => (x: T): Tensor => run1(([a]) => f(a), [x], api, rule);
/** x^y; on a tape d/dx = y·x^(y−1) (NaN at x = y = 0, as TensorFlow), d/dy = x^y·log x where x > 0, else 0. */
export const pow = ruled2("tf.pow", np.power, powGrad);
/** Elementwise max; on a tape a tie sends the whole gradient to x (TensorFlow), not half to each (JAX). */
export const maximum = ruled2("tf.maximum", np.maximum, maximumGrad);
/** Elementwise min; on a tape a tie sends the whole gradient to x (TensorFlow). */
export const minimum = ruled2("tf.minimum", np.minimum, minimumGrad);
export const squaredDifference = binary("tf.squaredDifference", (a, b) => np.square(np.subtract(a, b)));
/** tf.add_n: the sum of a list of tensors. */
export const addN = (xs: readonly T[]): Tensor => run1((ts) => ts.reduce((a: Tensor, b: Tensor) => np.add(a, b)), xs, "tf.addN");

export const negative = unary("tf.negative", np.negative);
/** |x|; on a tape the gradient at 0 is 0 (sign(0), as TensorFlow). */
export const abs = ruled1("tf.abs", np.abs, absGrad);
export const sign = unary("tf.sign", np.sign);
export const square = unary("tf.square", np.square);
/** √x; on a tape a zero cotangent gives a zero gradient even where 1/(2√x) is inf or NaN (TensorFlow's SqrtGrad). */
export const sqrt = ruled1("tf.sqrt", np.sqrt, sqrtGrad);
export const rsqrt = ruled1("tf.rsqrt", (x) => np.reciprocal(np.sqrt(x)), rsqrtGrad);
export const reciprocal = ruled1("tf.reciprocal", np.reciprocal, reciprocalGrad);
export const exp = unary("tf.exp", np.exp);
export const expm1 = unary("tf.expm1", np.expm1);
export const log = unary("tf.log", np.log);
export const log1p = unary("tf.log1p", np.log1p);
export const sin = unary("tf.sin", np.sin);
export const cos = unary("tf.cos", np.cos);
export const tan = unary("tf.tan", np.tan);
export const asin = unary("tf.asin", np.arcsin);
export const acos = unary("tf.acos", np.arccos);
export const atan = unary("tf.atan", np.arctan);
export const sinh = unary("tf.sinh", np.sinh);
export const cosh = unary("tf.cosh", np.cosh);
export const tanh = unary("tf.tanh", np.tanh);
export const sigmoid = unary("tf.sigmoid", tnn.sigmoid);
/**
 * An op TensorFlow registers as not differentiable: on a tape its output is not connected to its
 * input (tape.gradient gives null, TF's None), where the functional core's rule gives zeros.
 */
const nondiff = (api: string, f: (x: Tensor) => Tensor) => (x: T): Tensor => quiet(() => run1(([a]) => f(a), [x], api));
export const floor = nondiff("tf.floor", np.floor);
export const ceil = nondiff("tf.ceil", np.ceil);
/** Round half to even; not differentiable on a tape (null gradient, as TensorFlow). */
export const round = nondiff("tf.round", np.round);
export const identity = unary("tf.identity", (x) => np.squeeze(np.expandDims(x, 0), 0));

export const equal = binary("tf.equal", np.equal);
export const notEqual = binary("tf.notEqual", np.notEqual);
export const less = binary("tf.less", np.less);
export const lessEqual = binary("tf.lessEqual", np.lessEqual);
export const greater = binary("tf.greater", np.greater);
export const greaterEqual = binary("tf.greaterEqual", np.greaterEqual);
export const logicalAnd = binary("tf.logicalAnd", np.logicalAnd);
export const logicalOr = binary("tf.logicalOr", np.logicalOr);
export const logicalNot = unary("tf.logicalNot", np.logicalNot);

/** tf.where(condition, x, y): elementwise choice (the one-argument form is not supported). */
export function where(condition: T, x: T, y: T): Tensor {
  if (x === undefined || y === undefined) throw new ValueError({ message: "tf.where: give both x and y (the one-argument form returning indices is not supported)." });
  return run1(([c, a, b]) => np.where(c, a, b), [condition, x, y], "tf.where");
}
/** min(max(x, lo), hi); on a tape x gets the gradient where lo ≤ x ≤ hi (1 at the bounds, as TensorFlow). */
export const clipByValue = (x: T, clipValueMin: T, clipValueMax: T) =>
  run1(([a, l, h]) => np.minimum(np.maximum(a, l), h), [x, clipValueMin, clipValueMax], "tf.clipByValue", clipGrad);
export const cast = (x: T, dtype: DType) => run1(([a]) => np.astype(a, dtype), [x], "tf.cast");
// Not recorded at all (TensorFlow's StopGradient is not differentiable): a source reached only
// through it is unconnected, so its gradient is None, not zeros.
export const stopGradient = (x: T): Tensor => quiet(() => unary("tf.stopGradient", (v) => tStopGradient(v))(x as ArrayLike));

// ------------------------------------------------------------------ linear algebra

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}
const swapLast = (x: Tensor) => {
  const t = np.asarray(x);
  return t.ndim < 2 ? t : np.moveaxis(t, -1, -2);
};
export function matmul(a: T, b: T, opts: MatmulOptions = {}): Tensor {
  checkOptions("tf.matmul", opts, ["transposeA", "transposeB"]);
  return run1(([x, y]) => np.matmul(opts.transposeA ? swapLast(x) : x, opts.transposeB ? swapLast(y) : y), [a, b], "tf.matmul");
}
export const tensordot = (a: T, b: T, axes: number) =>
  run1(([xx, yy]) => {
    const x = np.asarray(xx);
    const y = np.asarray(yy);
    const k = x.shape.slice(x.ndim - axes).reduce((p: number, q: number) => p * q, 1);
    const r = np.matmul(np.reshape(x, [-1, k]), np.reshape(y, [k, -1]));
    return np.reshape(r, [...x.shape.slice(0, x.ndim - axes), ...y.shape.slice(axes)]);
  }, [a, b], "tf.tensordot");

// ------------------------------------------------------------------ reductions

const reduction = (api: string, f: (x: Tensor, axis: any, o: { keepdims: boolean }) => Tensor) => (x: T, axis?: Axis, keepdims = false): Tensor =>
  run1(([a]) => f(a, axisOf(axis), { keepdims }), [x], api);
export const reduceSum = reduction("tf.reduceSum", np.sum);
export const reduceMean = reduction("tf.reduceMean", np.mean);
export const reduceMax = reduction("tf.reduceMax", np.max);
export const reduceMin = reduction("tf.reduceMin", np.min);
export const reduceProd = reduction("tf.reduceProd", np.prod);
export const reduceLogsumexp = reduction("tf.reduceLogsumexp", np.logsumexp);
export const reduceVariance = reduction("tf.reduceVariance", np.var);
export const reduceStd = reduction("tf.reduceStd", np.std);
/** tf.argmax along `axis` (0 by default, as in TensorFlow); int32 indices. */
export const argmax = (x: T, axis = 0) => run1(([a]) => np.argmax(a, axis), [x], "tf.argmax");
export const argmin = (x: T, axis = 0) => run1(([a]) => np.argmin(a, axis), [x], "tf.argmin");
/**
 * tf.cumsum(x, axis, exclusive, reverse): running sums along `axis`; `exclusive` leaves out each
 * element itself (starting from 0), `reverse` sums from the end. [1, 2, 3] exclusive + reverse
 * is [5, 3, 0].
 */
export function cumsum(x: T, axis = 0, exclusive = false, reverse = false): Tensor {
  return run1(([aa]) => {
    const a = np.asarray(aa);
    const ax = axis < 0 ? axis + a.ndim : axis;
    const src = reverse ? np.flip(a, ax) : a;
    let c = np.cumsum(src, ax);
    if (exclusive) {
      // shift by one along the axis: [0, c0, c1, …, c(n−2)]
      const n = a.shape[ax]!;
      if (n > 0) {
        const head = np.zerosLike(np.take(c, np.arange(0, 1, 1, { dtype: "int32" }), ax));
        c = np.concatenate([head, np.take(c, np.arange(0, n - 1, 1, { dtype: "int32" }), ax)], ax);
      }
    }
    return reverse ? np.flip(c, ax) : c;
  }, [x], "tf.cumsum");
}

// ------------------------------------------------------------------ shapes

export const reshape = (x: T, shape: readonly number[]) => run1(([a]) => np.reshape(a, shape), [x], "tf.reshape");
export const transpose = (x: T, perm?: readonly number[]) => run1(([a]) => np.transpose(a, perm), [x], "tf.transpose");
export const expandDims = (x: T, axis: number) => run1(([a]) => np.expandDims(a, axis), [x], "tf.expandDims");
export const squeeze = (x: T, axis?: number | readonly number[]) => run1(([a]) => np.squeeze(a, axis), [x], "tf.squeeze");
export const broadcastTo = (x: T, shape: readonly number[]) => run1(([a]) => np.broadcastTo(a, shape), [x], "tf.broadcastTo");
export const concat = (values: readonly T[], axis: number) => run1((ts) => np.concatenate(ts, axis), values, "tf.concat");
export const stack = (values: readonly T[], axis = 0) => run1((ts) => np.stack(ts, axis), values, "tf.stack");
export const unstack = (x: T, axis = 0): Tensor[] =>
  run(([aa]) => {
    const a = np.asarray(aa);
    const ax = axis < 0 ? axis + a.ndim : axis;
    return np.split(a, a.shape[ax]!, ax).map((p: Tensor) => np.squeeze(p, ax));
  }, [x], "tf.unstack") as Tensor[];
/** tf.split(x, numOrSizeSplits, axis): equal parts or the given sizes. */
export function split(x: T, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  return run(([a]) => {
    if (typeof numOrSizeSplits === "number") return np.split(a, numOrSizeSplits, axis);
    const cuts: number[] = [];
    let acc = 0;
    for (const s of numOrSizeSplits.slice(0, -1)) cuts.push((acc += s));
    return np.split(a, cuts, axis);
  }, [x], "tf.split") as Tensor[];
}
/** tf.tile: repeats along each axis `multiples[i]` times. */
export const tile = (x: T, multiples: readonly number[]) =>
  run1(([aa]) => {
    const a = np.asarray(aa);
    const inter = a.shape.flatMap((d: number) => [1, d]);
    const big = a.shape.flatMap((d: number, i: number) => [multiples[i]!, d]);
    return np.reshape(np.broadcastTo(np.reshape(a, inter), big), a.shape.map((d: number, i: number) => d * multiples[i]!));
  }, [x], "tf.tile");
/**
 * tf.gather(params, indices, axis = 0): slices of params at integer indices along `axis`. An
 * index outside [0, params.shape[axis]) raises, as TensorFlow does on CPU (JAX would clamp).
 */
export function gather(params: T, indices: T, axis = 0, batchDims = 0): Tensor {
  if (batchDims !== 0) throw new ValueError({ message: `tf.gather: batchDims=${batchDims} is not supported (only 0); gather per batch with tf.stack over the batch, or use vmap.` });
  return run1(([pp, i]) => {
    const p = np.asarray(pp);
    const ax = axis < 0 ? axis + p.ndim : axis;
    if (!(ax >= 0 && ax < p.ndim)) throw new ValueError({ message: `tf.gather: axis ${axis} is out of range for params of rank ${p.ndim}; use an axis in [${-p.ndim}, ${p.ndim}).` });
    const idx = i instanceof Tensor ? i : np.asarray(i, { dtype: "int32" });
    if (idx.dtype !== "int32") throw new ValueError({ message: `tf.gather: indices must be int32, got ${describe(idx)}. Cast them with tf.cast(indices, "int32").` });
    if (!isTracer(idx)) {
      const n = p.shape[ax]!;
      const d = idx.dataSync();
      for (let k = 0; k < d.length; k++) {
        if (!(d[k]! >= 0 && d[k]! < n)) throw new ValueError({ message: `tf.gather: indices[${k}] = ${d[k]} is not in [0, ${n}) (params shape ${shapeText(p.shape)}, axis ${ax}).` });
      }
    }
    return np.take(p, idx, ax);
  }, [params, indices], "tf.gather");
}
/** tf.slice(x, begin, size): size -1 means to the end. */
export const slice = (x: T, begin: readonly number[], size: readonly number[]) =>
  run1(([a]) => np.index(a, ...checkSlice(a.shape, begin, size).map(([b, n]) => [b, b + n] as const)), [x], "tf.slice");
/** tf.slice's bounds as TF checks them: begin[i] in [0, dim], size[i] in [0, dim − begin[i]] or −1 (the rest). */
function checkSlice(shape: readonly number[], begin: readonly number[], size: readonly number[]): [number, number][] {
  if (begin.length !== shape.length || size.length !== shape.length) {
    throw new ValueError({ message: `tf.slice: begin (${begin.length} entries) and size (${size.length}) must have one entry per axis of the input, shape ${shapeText(shape)}.` });
  }
  return shape.map((d, i) => {
    const b = begin[i]!;
    const n = size[i] === -1 ? d - b : size[i]!;
    if (!Number.isInteger(b) || b < 0 || b > d) throw new ValueError({ message: `tf.slice: Expected begin[${i}] in [0, ${d}], but got ${b} (input shape ${shapeText(shape)}).` });
    if (!Number.isInteger(n) || n < 0 || n > d - b) throw new ValueError({ message: `tf.slice: Expected size[${i}] in [0, ${d - b}], but got ${size[i]} (input shape ${shapeText(shape)}, begin ${begin[i]}); use -1 for the rest of the axis.` });
    return [b, n];
  });
}
export const oneHot = (indices: T, depth: number, opts: { onValue?: number; offValue?: number; dtype?: DType } = {}) =>
  run1(([i]) => {
    checkOptions("tf.oneHot", opts, ["onValue", "offValue", "dtype"]);
    const h = tnn.oneHot(i, depth, { dtype: opts.dtype ?? "float32" });
    const on = opts.onValue ?? 1;
    const off = opts.offValue ?? 0;
    return on === 1 && off === 0 ? h : np.add(np.multiply(h, on - off), off);
  }, [indices], "tf.oneHot");
/** tf.shape: the shape as an int32 tensor. */
export const shape = (x: T): Tensor => tfPrint(np.array(Int32Array.from(x instanceof Variable ? x.shape : np.asarray(x as ArrayLike).shape)));
export const rank = (x: T): Tensor => tfPrint(np.array(x instanceof Variable ? x.ndim : np.asarray(x as ArrayLike).ndim, { dtype: "int32" }));
export const size = (x: T): Tensor => tfPrint(np.array(x instanceof Variable ? x.size : np.asarray(x as ArrayLike).size, { dtype: "int32" }));
