// TensorFlow's ops under their names in camelCase, each one op on the tape: arguments keep
// TensorFlow's order (reduceSum(x, axis, keepdims), matmul(a, b, {transposeA})); JS numbers
// combine with tensors as in tapir (they take the tensor's dtype).
import { Tensor, ValueError, isTracer, numpy as np, nn as tnn, stopGradient as tStopGradient, type ArrayLike, type DType } from "../index.js";
import { checkOptions, describe, shapeText } from "./errors.js";
import { tfPrint } from "./format.js";
import { absGrad, clipGrad, maximumGrad, minimumGrad, powGrad, reciprocalGrad, rsqrtGrad, sqrtGrad } from "./grads.js";
import { binary, quiet, run, run1, unary, type Rule } from "./runtime.js";
import { Variable } from "./variable.js";

/** The axes a compat reduction takes: one, several, or null/undefined for all. */
export type ReduceAxis = number | readonly number[] | null | undefined;
/** What a compat op takes as a tensor argument: a tensor, a Variable (read), or a JS number/array. */
export type TensorLike = ArrayLike | Variable;
type Axis = ReduceAxis;
type T = TensorLike;
const axisOf = (a: Axis) => (a === null ? undefined : a);
/** dtype given positionally or as {dtype} (tf.zeros(shape, tf.float64) vs {dtype: "float64"}). */
const dtypeOf = (d: DType | { dtype?: DType } | undefined, dflt: DType = "float32"): DType => (typeof d === "string" ? d : d?.dtype ?? dflt);


// ------------------------------------------------------------------ creation

export interface ConstantOptions {
  dtype?: DType;
  shape?: readonly number[];
}
/**
 * A new tensor from `value` (JS numbers become float32, booleans bool, unless `dtype` is given); with `shape`, a single value fills it and other values are reshaped to it (a ValueError when the sizes differ). Mirrors `tf.constant`.
 *
 * @example
 * ```ts
 * tf.constant([[1, 2], [3, 4]]).shape; // → [2, 2]
 * tf.constant(7, { shape: [2, 2] }); // → [[7, 7], [7, 7]]
 * tf.constant([1, 2], { dtype: "int32" }).dtype; // → "int32"
 * ```
 */
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

/**
 * Tensors pass through, Variables are read, anything else becomes a constant; a tensor of another dtype than `dtype` is a ValueError (use tf.cast). Mirrors `tf.convert_to_tensor`.
 *
 * @example
 * ```ts
 * tf.convertToTensor([1, 2]); // → [1, 2]
 * tf.convertToTensor(new tf.Variable([3, 4])); // → [3, 4]
 * ```
 */
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

/**
 * A tensor of zeros of `shape` (float32 unless a dtype is given, positionally or as `{dtype}`). Mirrors `tf.zeros`.
 *
 * @example
 * ```ts
 * tf.zeros([2, 2]); // → [[0, 0], [0, 0]]
 * tf.zeros([2], "int32").dtype; // → "int32"
 * ```
 */
export const zeros = (shape: readonly number[], dtype?: DType | { dtype?: DType }) => tfPrint(np.zeros(shape, { dtype: dtypeOf(dtype) }));
/**
 * A tensor of ones of `shape` (float32 unless a dtype is given). Mirrors `tf.ones`.
 *
 * @example
 * ```ts
 * tf.ones([3]); // → [1, 1, 1]
 * ```
 */
export const ones = (shape: readonly number[], dtype?: DType | { dtype?: DType }) => tfPrint(np.ones(shape, { dtype: dtypeOf(dtype) }));
/**
 * A tensor of `dims` filled with `value` (float32 unless a dtype is given). Mirrors `tf.fill`.
 *
 * @example
 * ```ts
 * tf.fill([2, 2], 7); // → [[7, 7], [7, 7]]
 * ```
 */
export const fill = (dims: readonly number[], value: number, dtype?: DType | { dtype?: DType }) => tfPrint(np.full(dims, value, { dtype: dtypeOf(dtype) }));
/**
 * Zeros with the shape and dtype of `x`. Mirrors `tf.zeros_like`.
 *
 * @example
 * ```ts
 * tf.zerosLike(tf.constant([1, 2, 3])); // → [0, 0, 0]
 * ```
 */
export const zerosLike = (x: T) => run1(([a]) => np.zerosLike(a), [x], "tf.zerosLike");
/**
 * Ones with the shape and dtype of `x`. Mirrors `tf.ones_like`.
 *
 * @example
 * ```ts
 * tf.onesLike(tf.constant([[1, 2]])); // → [[1, 1]]
 * ```
 */
export const onesLike = (x: T) => run1(([a]) => np.onesLike(a), [x], "tf.onesLike");
/**
 * The identity matrix with `numRows` rows and `numColumns` (default numRows) columns, float32 unless a dtype is given. Mirrors `tf.eye` / `tf.linalg.eye`.
 *
 * @example
 * ```ts
 * tf.linalg.eye(2); // → [[1, 0], [0, 1]]
 * tf.eye(2, 3); // → [[1, 0, 0], [0, 1, 0]]
 * ```
 */
export const eye = (numRows: number, numColumns?: number, dtype?: DType | { dtype?: DType }) => tfPrint(np.eye(numRows, numColumns ?? numRows, { dtype: dtypeOf(dtype) }));
/**
 * `tf.range(limit)` or `tf.range(start, limit, delta)`: values from start (default 0) up to but not including limit; int32 when every argument is an integer, float32 otherwise, unless a dtype is given. Mirrors `tf.range`.
 *
 * @example
 * ```ts
 * tf.range(4); // → [0, 1, 2, 3]
 * tf.range(1, 2, 0.25); // → [1, 1.25, 1.5, 1.75]
 * ```
 */
export function range(start: number, limit?: number, delta = 1, dtype?: DType | { dtype?: DType }): Tensor {
  const [lo, hi] = limit === undefined ? [0, start] : [start, limit];
  const d = dtypeOf(dtype, [lo, hi, delta].every(Number.isInteger) ? "int32" : "float32");
  return tfPrint(np.arange(lo, hi, delta, { dtype: d }));
}
/**
 * `num` evenly spaced float32 values from `start` to `stop`, both included. Mirrors `tf.linspace`.
 *
 * @example
 * ```ts
 * tf.linspace(0, 1, 5); // → [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export const linspace = (start: number, stop: number, num: number) => tfPrint(np.linspace(start, stop, num));

// ------------------------------------------------------------------ elementwise

/**
 * x + y elementwise, with broadcasting. Mirrors `tf.math.add`.
 *
 * @example
 * ```ts
 * tf.add(tf.constant([1, 2]), tf.constant([10, 20])); // → [11, 22]
 * ```
 */
export const add = binary("tf.add", np.add);
/**
 * x − y elementwise, with broadcasting. Mirrors `tf.math.subtract`.
 *
 * @example
 * ```ts
 * tf.subtract(tf.constant([5, 7]), 2); // → [3, 5]
 * ```
 */
export const subtract = binary("tf.subtract", np.subtract);
/**
 * x · y elementwise, with broadcasting. Mirrors `tf.math.multiply`.
 *
 * @example
 * ```ts
 * tf.multiply(tf.constant([[1, 2], [3, 4]]), tf.constant([10, 100])); // → [[10, 200], [30, 400]]
 * ```
 */
export const multiply = binary("tf.multiply", np.multiply);
/**
 * x / y elementwise, with broadcasting (`truediv` is the same op). Mirrors `tf.math.divide`.
 *
 * @example
 * ```ts
 * tf.divide(tf.constant([1, 3]), 2); // → [0.5, 1.5]
 * ```
 */
export const divide = binary("tf.divide", np.divide);
/**
 * x / y elementwise, with broadcasting: the same op as `tf.divide`. Mirrors `tf.math.truediv`.
 *
 * @example
 * ```ts
 * tf.truediv(tf.constant([3, 4]), 2); // → [1.5, 2]
 * ```
 */
export const truediv = divide;
/** A two-argument op whose tape gradient is TensorFlow's `rule` (see grads.ts). */
const ruled2 = (api: string, f: (a: any, b: any) => Tensor, rule: Rule) => (x: T, y: T): Tensor => run1(([a, b]) => f(a, b), [x, y], api, rule);
const ruled1 = (api: string, f: (a: Tensor) => Tensor, rule: Rule) => (x: T): Tensor => run1(([a]) => f(a), [x], api, rule);
/**
 * x^y elementwise, with broadcasting. On a tape d/dx = y·x^(y−1) (NaN at x = y = 0, as TensorFlow) and d/dy = x^y·log x where x > 0, else 0. Mirrors `tf.math.pow`.
 *
 * @example
 * ```ts
 * tf.pow(tf.constant([2, 3]), 2); // → [4, 9]
 * ```
 */
export const pow = ruled2("tf.pow", np.power, powGrad);
/**
 * max(x, y) elementwise, with broadcasting; on a tape a tie sends the whole gradient to x (TensorFlow), not half to each (JAX). Mirrors `tf.math.maximum`.
 *
 * @example
 * ```ts
 * tf.maximum(tf.constant([1, 5]), tf.constant([3, 2])); // → [3, 5]
 * ```
 */
export const maximum = ruled2("tf.maximum", np.maximum, maximumGrad);
/**
 * min(x, y) elementwise, with broadcasting; on a tape a tie sends the whole gradient to x (TensorFlow). Mirrors `tf.math.minimum`.
 *
 * @example
 * ```ts
 * tf.minimum(tf.constant([1, 5]), tf.constant([3, 2])); // → [1, 2]
 * ```
 */
export const minimum = ruled2("tf.minimum", np.minimum, minimumGrad);
/**
 * (x − y)² elementwise, with broadcasting. Mirrors `tf.math.squared_difference`.
 *
 * @example
 * ```ts
 * tf.squaredDifference(tf.constant([1, 5]), tf.constant([3, 2])); // → [4, 9]
 * ```
 */
export const squaredDifference = binary("tf.squaredDifference", (a, b) => np.square(np.subtract(a, b)));
/**
 * The elementwise sum of a list of tensors of one shape. Mirrors `tf.math.add_n`.
 *
 * @example
 * ```ts
 * tf.addN([tf.constant([1, 2]), tf.constant([3, 4]), tf.constant([5, 6])]); // → [9, 12]
 * ```
 */
export const addN = (xs: readonly T[]): Tensor => run1((ts) => ts.reduce((a: Tensor, b: Tensor) => np.add(a, b)), xs, "tf.addN");

/**
 * −x elementwise. Mirrors `tf.math.negative`.
 *
 * @example
 * ```ts
 * tf.negative(tf.constant([1, -2])); // → [-1, 2]
 * ```
 */
export const negative = unary("tf.negative", np.negative);
/**
 * |x| elementwise; on a tape the gradient at 0 is 0 (sign(0), as TensorFlow). Mirrors `tf.math.abs`.
 *
 * @example
 * ```ts
 * tf.abs(tf.constant([-1.5, 0, 2])); // → [1.5, 0, 2]
 * ```
 */
export const abs = ruled1("tf.abs", np.abs, absGrad);
/**
 * −1, 0 or 1 by the sign of x, elementwise; not differentiable on a tape (null gradient, as TensorFlow). Mirrors `tf.math.sign`.
 *
 * @example
 * ```ts
 * tf.sign(tf.constant([-3, 0, 2])); // → [-1, 0, 1]
 * ```
 */
export const sign = unary("tf.sign", np.sign);
/**
 * x² elementwise. Mirrors `tf.math.square`.
 *
 * @example
 * ```ts
 * tf.square(tf.constant([-2, 3])); // → [4, 9]
 * ```
 */
export const square = unary("tf.square", np.square);
/**
 * √x elementwise; on a tape a zero cotangent gives a zero gradient even where 1/(2√x) is inf or NaN (TensorFlow's SqrtGrad). Mirrors `tf.math.sqrt`.
 *
 * @example
 * ```ts
 * tf.sqrt(tf.constant([4, 9])); // → [2, 3]
 * ```
 */
export const sqrt = ruled1("tf.sqrt", np.sqrt, sqrtGrad);
/**
 * 1/√x elementwise. Mirrors `tf.math.rsqrt`.
 *
 * @example
 * ```ts
 * tf.rsqrt(tf.constant([4, 0.25])); // → [0.5, 2]
 * ```
 */
export const rsqrt = ruled1("tf.rsqrt", (x) => np.reciprocal(np.sqrt(x)), rsqrtGrad);
/**
 * 1/x elementwise. Mirrors `tf.math.reciprocal`.
 *
 * @example
 * ```ts
 * tf.reciprocal(tf.constant([2, -4])); // → [0.5, -0.25]
 * ```
 */
export const reciprocal = ruled1("tf.reciprocal", np.reciprocal, reciprocalGrad);
/**
 * eˣ elementwise. Mirrors `tf.math.exp`.
 *
 * @example
 * ```ts
 * tf.exp(tf.constant([0, 1])); // → [1, 2.7182817]
 * ```
 */
export const exp = unary("tf.exp", np.exp);
/**
 * eˣ − 1 elementwise, accurate near 0. Mirrors `tf.math.expm1`.
 *
 * @example
 * ```ts
 * tf.expm1(tf.constant([0, 1e-7])); // → [0, 1e-7]
 * ```
 */
export const expm1 = unary("tf.expm1", np.expm1);
/**
 * The natural logarithm, elementwise (−inf at 0, NaN below). Mirrors `tf.math.log`.
 *
 * @example
 * ```ts
 * tf.log(tf.constant([1, Math.E])); // → [0, 1]
 * ```
 */
export const log = unary("tf.log", np.log);
/**
 * log(1 + x) elementwise, accurate near 0. Mirrors `tf.math.log1p`.
 *
 * @example
 * ```ts
 * tf.log1p(tf.constant([0, 1e-7])); // → [0, 1e-7]
 * ```
 */
export const log1p = unary("tf.log1p", np.log1p);
/**
 * sin x elementwise (radians). Mirrors `tf.math.sin`.
 *
 * @example
 * ```ts
 * tf.sin(tf.constant([0, Math.PI / 2])); // → [0, 1]
 * ```
 */
export const sin = unary("tf.sin", np.sin);
/**
 * cos x elementwise (radians). Mirrors `tf.math.cos`.
 *
 * @example
 * ```ts
 * tf.cos(tf.constant([0, Math.PI])); // → [1, -1]
 * ```
 */
export const cos = unary("tf.cos", np.cos);
/**
 * tan x elementwise (radians). Mirrors `tf.math.tan`.
 *
 * @example
 * ```ts
 * tf.tan(tf.constant([0, Math.PI / 4])); // → [0, 1]
 * ```
 */
export const tan = unary("tf.tan", np.tan);
/**
 * arcsin x elementwise, in [−π/2, π/2] (NaN outside [−1, 1]). Mirrors `tf.math.asin`.
 *
 * @example
 * ```ts
 * tf.asin(tf.constant([0, 1])); // → [0, 1.5707964]
 * ```
 */
export const asin = unary("tf.asin", np.arcsin);
/**
 * arccos x elementwise, in [0, π] (NaN outside [−1, 1]). Mirrors `tf.math.acos`.
 *
 * @example
 * ```ts
 * tf.acos(tf.constant([1, 0])); // → [0, 1.5707964]
 * ```
 */
export const acos = unary("tf.acos", np.arccos);
/**
 * arctan x elementwise, in (−π/2, π/2). Mirrors `tf.math.atan`.
 *
 * @example
 * ```ts
 * tf.atan(tf.constant([0, 1])); // → [0, 0.7853982]
 * ```
 */
export const atan = unary("tf.atan", np.arctan);
/**
 * sinh x elementwise. Mirrors `tf.math.sinh`.
 *
 * @example
 * ```ts
 * tf.sinh(tf.constant([0, 1])); // → [0, 1.1752012]
 * ```
 */
export const sinh = unary("tf.sinh", np.sinh);
/**
 * cosh x elementwise. Mirrors `tf.math.cosh`.
 *
 * @example
 * ```ts
 * tf.cosh(tf.constant([0, 1])); // → [1, 1.5430806]
 * ```
 */
export const cosh = unary("tf.cosh", np.cosh);
/**
 * tanh x elementwise. Mirrors `tf.math.tanh`.
 *
 * @example
 * ```ts
 * tf.tanh(tf.constant([0, 1])); // → [0, 0.7615942]
 * ```
 */
export const tanh = unary("tf.tanh", np.tanh);
/**
 * 1 / (1 + e^(−x)) elementwise. Mirrors `tf.math.sigmoid`.
 *
 * @example
 * ```ts
 * tf.sigmoid(tf.constant([0, 2])); // → [0.5, 0.8807971]
 * ```
 */
export const sigmoid = unary("tf.sigmoid", tnn.sigmoid);
/**
 * An op TensorFlow registers as not differentiable: on a tape its output is not connected to its
 * input (tape.gradient gives null, TF's None), where the functional core's rule gives zeros.
 */
const nondiff = (api: string, f: (x: Tensor) => Tensor) => (x: T): Tensor => quiet(() => run1(([a]) => f(a), [x], api));
/**
 * The largest integer ≤ x, elementwise; not differentiable on a tape (null gradient, as TensorFlow). Mirrors `tf.math.floor`.
 *
 * @example
 * ```ts
 * tf.floor(tf.constant([1.7, -1.2])); // → [1, -2]
 * ```
 */
export const floor = nondiff("tf.floor", np.floor);
/**
 * The smallest integer ≥ x, elementwise; not differentiable on a tape (null gradient). Mirrors `tf.math.ceil`.
 *
 * @example
 * ```ts
 * tf.ceil(tf.constant([1.2, -1.7])); // → [2, -1]
 * ```
 */
export const ceil = nondiff("tf.ceil", np.ceil);
/**
 * x rounded to the nearest integer, halves to even; not differentiable on a tape (null gradient, as TensorFlow). Mirrors `tf.math.round`.
 *
 * @example
 * ```ts
 * tf.round(tf.constant([0.5, 1.5, 2.4, -2.5])); // → [0, 2, 2, -2]
 * ```
 */
export const round = nondiff("tf.round", np.round);
/**
 * A new tensor with x's values, recorded on the tape (its gradient passes through). Mirrors `tf.identity`.
 *
 * @example
 * ```ts
 * tf.identity(tf.constant([1, 2])); // → [1, 2]
 * ```
 */
export const identity = unary("tf.identity", (x) => np.squeeze(np.expandDims(x, 0), 0));

/**
 * x == y elementwise, with broadcasting; a bool tensor (not differentiable). Mirrors `tf.math.equal`.
 *
 * @example
 * ```ts
 * tf.equal(tf.constant([1, 2, 3]), 2); // → [false, true, false]
 * ```
 */
export const equal = binary("tf.equal", np.equal);
/**
 * x != y elementwise, with broadcasting; a bool tensor. Mirrors `tf.math.not_equal`.
 *
 * @example
 * ```ts
 * tf.notEqual(tf.constant([1, 2]), 2); // → [true, false]
 * ```
 */
export const notEqual = binary("tf.notEqual", np.notEqual);
/**
 * x < y elementwise, with broadcasting; a bool tensor. Mirrors `tf.math.less`.
 *
 * @example
 * ```ts
 * tf.less(tf.constant([1, 2, 3]), 2); // → [true, false, false]
 * ```
 */
export const less = binary("tf.less", np.less);
/**
 * x ≤ y elementwise, with broadcasting; a bool tensor. Mirrors `tf.math.less_equal`.
 *
 * @example
 * ```ts
 * tf.lessEqual(tf.constant([1, 2, 3]), 2); // → [true, true, false]
 * ```
 */
export const lessEqual = binary("tf.lessEqual", np.lessEqual);
/**
 * x > y elementwise, with broadcasting; a bool tensor. Mirrors `tf.math.greater`.
 *
 * @example
 * ```ts
 * tf.greater(tf.constant([1, 2, 3]), 2); // → [false, false, true]
 * ```
 */
export const greater = binary("tf.greater", np.greater);
/**
 * x ≥ y elementwise, with broadcasting; a bool tensor. Mirrors `tf.math.greater_equal`.
 *
 * @example
 * ```ts
 * tf.greaterEqual(tf.constant([1, 2, 3]), 2); // → [false, true, true]
 * ```
 */
export const greaterEqual = binary("tf.greaterEqual", np.greaterEqual);
/**
 * x AND y elementwise on bool tensors, with broadcasting. Mirrors `tf.math.logical_and`.
 *
 * @example
 * ```ts
 * tf.logicalAnd(tf.constant([true, true]), tf.constant([true, false])); // → [true, false]
 * ```
 */
export const logicalAnd = binary("tf.logicalAnd", np.logicalAnd);
/**
 * x OR y elementwise on bool tensors, with broadcasting. Mirrors `tf.math.logical_or`.
 *
 * @example
 * ```ts
 * tf.logicalOr(tf.constant([false, false]), tf.constant([true, false])); // → [true, false]
 * ```
 */
export const logicalOr = binary("tf.logicalOr", np.logicalOr);
/**
 * NOT x elementwise on a bool tensor. Mirrors `tf.math.logical_not`.
 *
 * @example
 * ```ts
 * tf.logicalNot(tf.constant([true, false])); // → [false, true]
 * ```
 */
export const logicalNot = unary("tf.logicalNot", np.logicalNot);

/**
 * `tf.where(condition, x, y)`: x where condition holds, else y, elementwise with broadcasting (the one-argument form returning indices is not supported: a ValueError). Mirrors `tf.where`.
 *
 * @example
 * ```ts
 * tf.where(tf.constant([true, false]), tf.constant([1, 2]), tf.constant([10, 20])); // → [1, 20]
 * ```
 */
export function where(condition: T, x: T, y: T): Tensor {
  if (x === undefined || y === undefined) throw new ValueError({ message: "tf.where: give both x and y (the one-argument form returning indices is not supported)." });
  return run1(([c, a, b]) => np.where(c, a, b), [condition, x, y], "tf.where");
}
/**
 * min(max(x, lo), hi) elementwise; on a tape x gets the gradient where lo ≤ x ≤ hi (1 at the bounds, as TensorFlow). Mirrors `tf.clip_by_value`.
 *
 * @example
 * ```ts
 * tf.clipByValue(tf.constant([-2, 0.5, 3]), 0, 1); // → [0, 0.5, 1]
 * ```
 */
export const clipByValue = (x: T, clipValueMin: T, clipValueMax: T) =>
  run1(([a, l, h]) => np.minimum(np.maximum(a, l), h), [x, clipValueMin, clipValueMax], "tf.clipByValue", clipGrad);
/**
 * x converted to `dtype` (float to int truncates toward zero). Casting to an integer dtype is not differentiable on a tape. Mirrors `tf.cast`.
 *
 * @example
 * ```ts
 * tf.cast(tf.constant([1.7, -1.7]), "int32"); // → [1, -1]
 * ```
 */
export const cast = (x: T, dtype: DType) => run1(([a]) => np.astype(a, dtype), [x], "tf.cast");
// Not recorded at all (TensorFlow's StopGradient is not differentiable): a source reached only
// through it is unconnected, so its gradient is None, not zeros.
/**
 * x's values, not recorded on the tape: a source reached only through it has a null gradient (TensorFlow's None). Mirrors `tf.stop_gradient`.
 *
 * @example
 * ```ts
 * const x = tf.constant(3);
 * const tape = new tf.GradientTape();
 * tape.watch(x);
 * const y = tape.record(() => tf.multiply(x, tf.stopGradient(x)));
 * (tape.gradient(y, x) as Tensor).item(); // → 3
 * ```
 */
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
/**
 * The matrix product a·b over the last two axes, batched over leading ones (broadcast); `transposeA`/`transposeB` transpose the operand's last two axes first. Mirrors `tf.linalg.matmul`.
 *
 * @example
 * ```ts
 * tf.matmul(tf.constant([[1, 2], [3, 4]]), tf.constant([[1], [1]])); // → [[3], [7]]
 * tf.matmul(tf.constant([[1, 2]]), tf.constant([[1, 2]]), { transposeB: true }); // → [[5]]
 * ```
 */
export function matmul(a: T, b: T, opts: MatmulOptions = {}): Tensor {
  checkOptions("tf.matmul", opts, ["transposeA", "transposeB"]);
  return run1(([x, y]) => np.matmul(opts.transposeA ? swapLast(x) : x, opts.transposeB ? swapLast(y) : y), [a, b], "tf.matmul");
}
/**
 * Contracts the last `axes` axes of a with the first `axes` axes of b. Mirrors `tf.tensordot` with an integer `axes`.
 *
 * @example
 * ```ts
 * tf.tensordot(tf.constant([[1, 2], [3, 4]]), tf.constant([1, 1]), 1); // → [3, 7]
 * ```
 */
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
/**
 * The sum over `axis` (all axes when omitted or null), dropping the reduced axes unless `keepdims`. Mirrors `tf.math.reduce_sum`.
 *
 * @example
 * ```ts
 * tf.reduceSum(tf.constant([[1, 2], [3, 4]])); // → 10
 * tf.reduceSum(tf.constant([[1, 2], [3, 4]]), 1, true); // → [[3], [7]]
 * ```
 */
export const reduceSum = reduction("tf.reduceSum", np.sum);
/**
 * The mean over `axis` (all axes by default), keepdims as reduceSum. Mirrors `tf.math.reduce_mean`.
 *
 * @example
 * ```ts
 * tf.reduceMean(tf.constant([[1, 2], [3, 4]]), 0); // → [2, 3]
 * ```
 */
export const reduceMean = reduction("tf.reduceMean", np.mean);
/**
 * The maximum over `axis` (all axes by default). Mirrors `tf.math.reduce_max`.
 *
 * @example
 * ```ts
 * tf.reduceMax(tf.constant([[1, 5], [3, 4]]), 1); // → [5, 4]
 * ```
 */
export const reduceMax = reduction("tf.reduceMax", np.max);
/**
 * The minimum over `axis` (all axes by default). Mirrors `tf.math.reduce_min`.
 *
 * @example
 * ```ts
 * tf.reduceMin(tf.constant([[1, 5], [3, 4]]), 1); // → [1, 3]
 * ```
 */
export const reduceMin = reduction("tf.reduceMin", np.min);
/**
 * The product over `axis` (all axes by default). Mirrors `tf.math.reduce_prod`.
 *
 * @example
 * ```ts
 * tf.reduceProd(tf.constant([1, 2, 3, 4])); // → 24
 * ```
 */
export const reduceProd = reduction("tf.reduceProd", np.prod);
/**
 * log Σ exp(x) over `axis` (all axes by default), computed stably. Mirrors `tf.math.reduce_logsumexp`.
 *
 * @example
 * ```ts
 * tf.reduceLogsumexp(tf.constant([0, 0])); // → 0.6931472
 * ```
 */
export const reduceLogsumexp = reduction("tf.reduceLogsumexp", np.logsumexp);
/**
 * The population variance (divisor n) over `axis` (all axes by default). Mirrors `tf.math.reduce_variance`.
 *
 * @example
 * ```ts
 * tf.reduceVariance(tf.constant([1, 2, 3, 4])); // → 1.25
 * ```
 */
export const reduceVariance = reduction("tf.reduceVariance", np.var);
/**
 * The population standard deviation (divisor n) over `axis` (all axes by default). Mirrors `tf.math.reduce_std`.
 *
 * @example
 * ```ts
 * tf.reduceStd(tf.constant([1, 3])); // → 1
 * ```
 */
export const reduceStd = reduction("tf.reduceStd", np.std);
/**
 * The int32 index of the largest value along `axis` (0 by default, as TensorFlow; the first on ties); not differentiable. Mirrors `tf.math.argmax`.
 *
 * @example
 * ```ts
 * tf.argmax(tf.constant([[1, 9], [5, 2]]), 1); // → [1, 0]
 * ```
 */
export const argmax = (x: T, axis = 0) => run1(([a]) => np.argmax(a, axis), [x], "tf.argmax");
/**
 * The int32 index of the smallest value along `axis` (0 by default; the first on ties). Mirrors `tf.math.argmin`.
 *
 * @example
 * ```ts
 * tf.argmin(tf.constant([[1, 9], [5, 2]]), 1); // → [0, 1]
 * ```
 */
export const argmin = (x: T, axis = 0) => run1(([a]) => np.argmin(a, axis), [x], "tf.argmin");
/**
 * Running sums along `axis` (default 0); `exclusive` leaves out each element itself (starting from 0), `reverse` sums from the end. Mirrors `tf.math.cumsum`.
 *
 * @example
 * ```ts
 * tf.cumsum(tf.constant([1, 2, 3])); // → [1, 3, 6]
 * tf.cumsum(tf.constant([1, 2, 3]), 0, true, true); // → [5, 3, 0]
 * ```
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

/**
 * x with a new shape of the same size (one entry may be −1, inferred). Mirrors `tf.reshape`.
 *
 * @example
 * ```ts
 * tf.reshape(tf.constant([1, 2, 3, 4]), [2, -1]); // → [[1, 2], [3, 4]]
 * ```
 */
export const reshape = (x: T, shape: readonly number[]) => run1(([a]) => np.reshape(a, shape), [x], "tf.reshape");
/**
 * x with its axes permuted by `perm` (reversed when omitted). Mirrors `tf.transpose`.
 *
 * @example
 * ```ts
 * tf.transpose(tf.constant([[1, 2, 3]])); // → [[1], [2], [3]]
 * ```
 */
export const transpose = (x: T, perm?: readonly number[]) => run1(([a]) => np.transpose(a, perm), [x], "tf.transpose");
/**
 * x with a new axis of size 1 inserted at `axis` (negative counts from the end). Mirrors `tf.expand_dims`.
 *
 * @example
 * ```ts
 * tf.expandDims(tf.constant([1, 2]), 0).shape; // → [1, 2]
 * ```
 */
export const expandDims = (x: T, axis: number) => run1(([a]) => np.expandDims(a, axis), [x], "tf.expandDims");
/**
 * x without its size-1 axes (or only those in `axis`). Mirrors `tf.squeeze`.
 *
 * @example
 * ```ts
 * tf.squeeze(tf.constant([[[1], [2]]])).shape; // → [2]
 * ```
 */
export const squeeze = (x: T, axis?: number | readonly number[]) => run1(([a]) => np.squeeze(a, axis), [x], "tf.squeeze");
/**
 * x broadcast to `shape` (numpy broadcasting rules). Mirrors `tf.broadcast_to`.
 *
 * @example
 * ```ts
 * tf.broadcastTo(tf.constant([1, 2]), [2, 2]); // → [[1, 2], [1, 2]]
 * ```
 */
export const broadcastTo = (x: T, shape: readonly number[]) => run1(([a]) => np.broadcastTo(a, shape), [x], "tf.broadcastTo");
/**
 * The tensors joined along an existing `axis`. Mirrors `tf.concat`.
 *
 * @example
 * ```ts
 * tf.concat([tf.constant([[1, 2]]), tf.constant([[3, 4]])], 0); // → [[1, 2], [3, 4]]
 * ```
 */
export const concat = (values: readonly T[], axis: number) => run1((ts) => np.concatenate(ts, axis), values, "tf.concat");
/**
 * The tensors (of one shape) stacked along a new `axis` (default 0). Mirrors `tf.stack`.
 *
 * @example
 * ```ts
 * tf.stack([tf.constant([1, 2]), tf.constant([3, 4])], 1); // → [[1, 3], [2, 4]]
 * ```
 */
export const stack = (values: readonly T[], axis = 0) => run1((ts) => np.stack(ts, axis), values, "tf.stack");
/**
 * The slices of x along `axis` (default 0), as a list with that axis removed. Mirrors `tf.unstack`.
 *
 * @example
 * ```ts
 * const [a, b] = tf.unstack(tf.constant([[1, 2], [3, 4]]));
 * b; // → [3, 4]
 * ```
 */
export const unstack = (x: T, axis = 0): Tensor[] =>
  run(([aa]) => {
    const a = np.asarray(aa);
    const ax = axis < 0 ? axis + a.ndim : axis;
    return np.split(a, a.shape[ax]!, ax).map((p: Tensor) => np.squeeze(p, ax));
  }, [x], "tf.unstack") as Tensor[];
/**
 * `tf.split(x, numOrSizeSplits, axis)`: x cut along `axis` (default 0) into that many equal parts, or parts of the given sizes. Mirrors `tf.split`.
 *
 * @example
 * ```ts
 * const [p, q] = tf.split(tf.constant([1, 2, 3, 4, 5]), [2, 3]);
 * p; // → [1, 2]
 * q; // → [3, 4, 5]
 * ```
 */
export function split(x: T, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  return run(([a]) => {
    if (typeof numOrSizeSplits === "number") return np.split(a, numOrSizeSplits, axis);
    const cuts: number[] = [];
    let acc = 0;
    for (const s of numOrSizeSplits.slice(0, -1)) cuts.push((acc += s));
    return np.split(a, cuts, axis);
  }, [x], "tf.split") as Tensor[];
}
/**
 * x repeated `multiples[i]` times along each axis i. Mirrors `tf.tile`.
 *
 * @example
 * ```ts
 * tf.tile(tf.constant([[1, 2]]), [2, 2]); // → [[1, 2, 1, 2], [1, 2, 1, 2]]
 * ```
 */
export const tile = (x: T, multiples: readonly number[]) =>
  run1(([aa]) => {
    const a = np.asarray(aa);
    const inter = a.shape.flatMap((d: number) => [1, d]);
    const big = a.shape.flatMap((d: number, i: number) => [multiples[i]!, d]);
    return np.reshape(np.broadcastTo(np.reshape(a, inter), big), a.shape.map((d: number, i: number) => d * multiples[i]!));
  }, [x], "tf.tile");
/**
 * `tf.gather(params, indices, axis = 0)`: the slices of params at the int32 `indices` along `axis`. An index outside [0, params.shape[axis]) raises a ValueError, as TensorFlow does on CPU (JAX would clamp); `batchDims` other than 0 is not supported. Mirrors `tf.gather`.
 *
 * @example
 * ```ts
 * tf.gather(tf.constant([10, 20, 30]), tf.constant([2, 0], { dtype: "int32" })); // → [30, 10]
 * ```
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
/**
 * `tf.slice(x, begin, size)`: the block starting at `begin` with `size` elements per axis (−1: to the end). Bounds are checked as TensorFlow does (ValueError). Mirrors `tf.slice`.
 *
 * @example
 * ```ts
 * tf.slice(tf.constant([[1, 2, 3], [4, 5, 6]]), [0, 1], [-1, 2]); // → [[2, 3], [5, 6]]
 * ```
 */
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
/**
 * One-hot vectors of length `depth` for int indices (a new last axis): `onValue` (1) at the index, `offValue` (0) elsewhere; an out-of-range index gives a row of offValue. Mirrors `tf.one_hot`.
 *
 * @example
 * ```ts
 * tf.oneHot(tf.constant([0, 2], { dtype: "int32" }), 3); // → [[1, 0, 0], [0, 0, 1]]
 * ```
 */
export const oneHot = (indices: T, depth: number, opts: { onValue?: number; offValue?: number; dtype?: DType } = {}) =>
  run1(([i]) => {
    checkOptions("tf.oneHot", opts, ["onValue", "offValue", "dtype"]);
    const h = tnn.oneHot(i, depth, { dtype: opts.dtype ?? "float32" });
    const on = opts.onValue ?? 1;
    const off = opts.offValue ?? 0;
    return on === 1 && off === 0 ? h : np.add(np.multiply(h, on - off), off);
  }, [indices], "tf.oneHot");
/**
 * The shape of x as an int32 tensor. Mirrors `tf.shape`.
 *
 * @example
 * ```ts
 * tf.shape(tf.zeros([2, 3])); // → [2, 3]
 * ```
 */
export const shape = (x: T): Tensor => tfPrint(np.array(Int32Array.from(x instanceof Variable ? x.shape : np.asarray(x as ArrayLike).shape)));
/**
 * The number of axes of x, as an int32 scalar tensor. Mirrors `tf.rank`.
 *
 * @example
 * ```ts
 * tf.rank(tf.zeros([2, 3])).item(); // → 2
 * ```
 */
export const rank = (x: T): Tensor => tfPrint(np.array(x instanceof Variable ? x.ndim : np.asarray(x as ArrayLike).ndim, { dtype: "int32" }));
/**
 * The number of elements of x, as an int32 scalar tensor. Mirrors `tf.size`.
 *
 * @example
 * ```ts
 * tf.size(tf.zeros([2, 3])).item(); // → 6
 * ```
 */
export const size = (x: T): Tensor => tfPrint(np.array(x instanceof Variable ? x.size : np.asarray(x as ArrayLike).size, { dtype: "int32" }));
