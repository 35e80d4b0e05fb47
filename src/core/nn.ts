// Neural-network functions, composed from the op library.
import { checkShape, normAxis } from "./shape.js";
import type { ArrayLike, Tensor } from "./tensor.js";
import * as np from "./numpy/index.js";
import { checkOptions } from "./numpy/options.js";
import { floaty } from "./numpy/convert.js";
import { erf } from "./special.js";

/**
 * The rectified linear unit max(x, 0), elementwise, with derivative 0 at x = 0 (JAX's and
 * TensorFlow's choice: `np.maximum(x, 0)` would split the tie and give ½). NaN passes through.
 * Mirrors jax.nn.relu / tf.nn.relu.
 * @param x - any shape and dtype.
 * @returns a tensor of x's shape and dtype.
 * @example
 * ```ts
 * nn.relu([-1, 0, 2]); // → [0, 0, 2]
 * grad((x: Tensor) => nn.relu(x))(0).item(); // → 0
 * ```
 */
export const relu = (x: ArrayLike) => {
  const t = np.asarray(x);
  // derivative [x > 0] as jax.nn.relu's custom rule (0 at NaN too); the else branch is max(x, 0)
  // held constant: 0, or NaN for NaN
  return np.where(np.greater(t, 0), t, np.maximum(np.stopGradient(t), 0));
};
/**
 * The logistic sigmoid 1 / (1 + e⁻ˣ), elementwise, in (0, 1).
 * Mirrors jax.nn.sigmoid / tf.math.sigmoid.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.sigmoid([0, 2]); // → [0.5, 0.880797]
 * ```
 */
export const sigmoid = (x: ArrayLike) => np.sigmoid(x);
/**
 * log(1 + eˣ), elementwise, computed as max(x, 0) + log1p(e^−|x|), so it neither overflows nor
 * loses digits for large |x|; its derivative is σ(x) (½ at 0, as JAX's).
 * Mirrors jax.nn.softplus / tf.math.softplus.
 * @param x - any shape; float dtypes (ints are computed as float32).
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.softplus([0, 1, 100]); // → [0.693147, 1.313262, 100]
 * ```
 */
export const softplus = (x: ArrayLike) => {
  // e^−|x| ≤ 1: nothing overflows, and the derivative is σ(x) everywhere: 1 − σ(−x) for x ≥ 0
  // (at 0, as for |x|, the x ≥ 0 side: 1 − ½), σ(x) below
  const t = np.asarray(x);
  const f = t.dtype === "float32" || t.dtype === "float64" ? t : np.astype(t, "float32");
  return np.add(np.where(np.greaterEqual(f, 0), f, 0), np.log1p(np.exp(np.negative(np.abs(f)))));
};
/**
 * The SiLU (swish) activation x·σ(x), elementwise.
 * Mirrors jax.nn.silu (jax.nn.swish) / tf.nn.silu.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.silu([0, 1]); // → [0, 0.731059]
 * ```
 */
export const silu = (x: ArrayLike) => np.multiply(x, np.sigmoid(x));
/**
 * The GELU activation, elementwise: by default its tanh approximation
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), with `approximate: false` the exact x·Φ(x) =
 * x·(1 + erf(x/√2))/2.
 * Mirrors jax.nn.gelu (approximate=True by default, as JAX) / tf.nn.gelu.
 * @param x - any shape; ints and bools are computed as float32.
 * @param opts.approximate - the tanh form (true, the default) or the exact erf form (false).
 * @returns a float tensor of x's shape.
 * @throws ValueError for an unknown option.
 * @example
 * ```ts
 * nn.gelu([0, 1, -1]); // → [0, 0.841192, -0.158808]
 * nn.gelu([1, -1], { approximate: false }); // → [0.841345, -0.158655]
 * ```
 */
export function gelu(x: ArrayLike, opts: { approximate?: boolean } = {}): Tensor {
  checkOptions("nn.gelu", opts, ["approximate"]);
  const t = floaty(x, "nn.gelu");
  if (opts.approximate === false) return np.multiply(np.multiply(0.5, t), np.add(1, erf(np.multiply(t, Math.SQRT1_2))));
  const c = Math.sqrt(2 / Math.PI);
  const inner = np.multiply(c, np.add(t, np.multiply(0.044715, np.multiply(t, np.square(t)))));
  return np.multiply(np.multiply(0.5, t), np.add(1, np.tanh(inner)));
}
/**
 * log(softmax(x)) along an axis, computed stably as JAX does: s = x - max(x) (the max held
 * constant), then s - log Σ exp(s), so large inputs keep their digits and ±∞ give JAX's NaNs.
 * Mirrors jax.nn.log_softmax / tf.nn.log_softmax.
 * @param x - any shape; float dtypes.
 * @param axis - the axis normalised over, default -1 (the last).
 * @returns a float tensor of x's shape.
 * @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * nn.logSoftmax([1, 2, 3]); // → [-2.407606, -1.407606, -0.407606]
 * ```
 */
export function logSoftmax(x: ArrayLike, axis = -1): Tensor {
  const t0 = np.asarray(x);
  const t = t0.dtype === "float32" || t0.dtype === "float64" ? t0 : np.astype(t0, "float32");
  // an empty slice has no max; the result is as empty as the input
  if (t.size === 0) return t;
  const shifted = np.subtract(t, np.stopGradient(np.max(t, axis, { keepdims: true })));
  return np.subtract(shifted, np.log(np.sum(np.exp(shifted), axis, { keepdims: true })));
}
/**
 * eˣ / Σ eˣ along an axis (the max is subtracted first, so large inputs do not overflow); each
 * slice along the axis sums to 1.
 * Mirrors jax.nn.softmax / tf.nn.softmax.
 * @param x - any shape; float dtypes.
 * @param axis - the axis normalised over, default -1 (the last).
 * @returns a float tensor of x's shape.
 * @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * nn.softmax([1, 2, 3]); // → [0.090031, 0.244728, 0.665241]
 * nn.softmax([[1000, 1000]]); // → [[0.5, 0.5]]
 * nn.softmax(np.zeros([2, 0])).shape; // → [2, 0]
 * ```
 */
export function softmax(x: ArrayLike, axis = -1): Tensor {
  const t = np.asarray(x);
  // an empty slice has no max; the result is as empty as the input (the axis is still checked)
  if (t.size === 0) return (normAxis("nn.softmax", axis, t.ndim), t);
  const m = np.stopGradient(np.max(t, axis, { keepdims: true }));
  const e = np.exp(np.subtract(t, m));
  return np.divide(e, np.sum(e, axis, { keepdims: true }));
}
/**
 * log(Σ exp(x)) over the given axes, stably; the same function as {@link numpy.logsumexp}.
 * Mirrors jax.nn.logsumexp / tf.math.reduce_logsumexp.
 * @param x - any shape; float dtypes.
 * @param axis - an axis or list of axes, or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes, float.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * nn.logsumexp([[0, 0], [1000, 1000]], 1); // → [0.693147, 1000.693147]
 * ```
 */
export const logsumexp = np.logsumexp;
/**
 * One-hot encodes integer labels: out[..., c] is 1 where x == c; a label outside [0, numClasses)
 * gives a row of zeros.
 * Mirrors jax.nn.one_hot / tf.one_hot (on/off values are always 1 / 0).
 * @param x - integer labels of any shape (int32, or floats holding integers).
 * @param numClasses - the length of the new axis.
 * @param opts.dtype - default float32.
 * @param opts.axis - the axis of the classes in the result, default -1 (as jax.nn.one_hot).
 * @returns shape [...x.shape, numClasses] for the default axis; numClasses at `axis` otherwise.
 * @throws AxisError for an axis outside the result's rank; ValueError for an unknown option.
 * @example
 * ```ts
 * nn.oneHot([0, 2, -1], 3); // → [[1, 0, 0], [0, 0, 1], [0, 0, 0]]
 * nn.oneHot([0, 2], 3, { axis: 0 }); // → [[1, 0], [0, 0], [0, 1]]
 * ```
 */
export function oneHot(x: ArrayLike, numClasses: number, opts: OneHotOpts = {}): Tensor {
  checkOptions("nn.oneHot", opts, ["dtype", "axis"]);
  const t = np.tensor(x, "nn.oneHot");
  checkShape("nn.oneHot", numClasses, "numClasses");
  checkShape("nn.oneHot", [...t.shape, numClasses], "output shape");
  const axis = normAxis("nn.oneHot", opts.axis ?? -1, t.ndim + 1);
  const classes = np.arange(numClasses, { dtype: t.dtype === "bool" ? "int32" : t.dtype });
  const hot = np.astype(np.equal(np.expandDims(t, -1), classes), opts.dtype ?? "float32");
  return axis === t.ndim ? hot : np.moveaxis(hot, -1, axis);
}
/** Options of oneHot: the result dtype (float32) and the axis of the classes in the result (-1). */
export interface OneHotOpts extends np.DTypeOpt {
  axis?: number;
}

// pooling (flax's max_pool / avg_pool)
export { maxPool, avgPool } from "./window.js";
