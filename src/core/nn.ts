// Neural-network functions, composed from the op library.
import { ValueError, fail } from "./errors.js";
import { checkShape } from "./shape.js";
import type { ArrayLike, Tensor } from "./tensor.js";
import * as np from "./numpy/index.js";

// max(x, 0) with derivative 0 at x = 0 (JAX's and TensorFlow's choice; maximum would split a tie
// and give ½); written as a select so that NaN still passes through.
export const relu = (x: ArrayLike) => {
  const t = np.asarray(x);
  return np.where(np.lessEqual(t, 0), 0, t);
};
export const sigmoid = (x: ArrayLike) => np.sigmoid(x);
/** log(1 + eˣ), stable for large |x|. */
export const softplus = (x: ArrayLike) => {
  const t = np.asarray(x);
  return np.add(np.maximum(t, 0), np.log1p(np.exp(np.negative(np.abs(t)))));
};
/** x·σ(x) */
export const silu = (x: ArrayLike) => np.multiply(x, np.sigmoid(x));
/** GELU; the tanh approximation by default, as jax.nn.gelu. */
export function gelu(x: ArrayLike, opts: { approximate?: boolean } = {}): Tensor {
  const t = np.asarray(x);
  if (opts.approximate === false) {
    throw fail(ValueError, "gelu: the exact (erf) form is not available; use the default tanh approximation.");
  }
  const c = Math.sqrt(2 / Math.PI);
  const inner = np.multiply(c, np.add(t, np.multiply(0.044715, np.multiply(t, np.square(t)))));
  return np.multiply(np.multiply(0.5, t), np.add(1, np.tanh(inner)));
}
export function logSoftmax(x: ArrayLike, axis = -1): Tensor {
  const t = np.asarray(x);
  return np.subtract(t, np.logsumexp(t, axis, { keepdims: true }));
}
export function softmax(x: ArrayLike, axis = -1): Tensor {
  const t = np.asarray(x);
  const m = np.stopGradient(np.max(t, axis, { keepdims: true }));
  const e = np.exp(np.subtract(t, m));
  return np.divide(e, np.sum(e, axis, { keepdims: true }));
}
export const logsumexp = np.logsumexp;
/** oneHot(labels, numClasses): float32 one-hot rows (labels out of range give all zeros). */
export function oneHot(x: ArrayLike, numClasses: number, opts: np.DTypeOpt = {}): Tensor {
  const t = np.tensor(x, "nn.oneHot");
  checkShape("nn.oneHot", numClasses, "numClasses");
  checkShape("nn.oneHot", [...t.shape, numClasses], "output shape");
  const classes = np.arange(numClasses, { dtype: t.dtype === "bool" ? "int32" : t.dtype });
  return np.astype(np.equal(np.expandDims(t, -1), classes), opts.dtype ?? "float32");
}
