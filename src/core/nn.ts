// Neural-network functions, composed from the op library.
import { ValueError, fail } from "./errors.js";
import type { ArrayLike, Tensor } from "./tensor.js";
import * as np from "./numpy/index.js";
import { checkOptions } from "./numpy/options.js";
import { normAxis } from "./shape.js";

/**
 * max(x, 0), with JAX's derivative: 1 where x > 0 and 0 elsewhere, at 0 too (maximum's own rule
 * would split the tie ½/½). The else branch is max(x, 0) held constant: 0, or NaN for NaN.
 */
export const relu = (x: ArrayLike) => {
  const t = np.asarray(x);
  return np.where(np.greater(t, 0), t, np.maximum(np.stopGradient(t), 0));
};
export const sigmoid = (x: ArrayLike) => np.sigmoid(x);
/**
 * log(1 + eˣ), stable for large |x|: x + log1p(e⁻ˣ) for x ≥ 0, log1p(eˣ) below. Each branch sees
 * only its own half of the inputs (the other half is replaced by 0), so no branch overflows and
 * the derivative is σ(x) everywhere, ½ at 0, as JAX's softplus (logaddexp(x, 0)).
 */
export const softplus = (x: ArrayLike) => {
  const t = np.asarray(x);
  const f = t.dtype === "float32" || t.dtype === "float64" ? t : np.astype(t, "float32");
  const pos = np.greaterEqual(f, 0);
  const xp = np.where(pos, f, 0);
  const xn = np.where(pos, 0, f);
  return np.where(pos, np.add(xp, np.log1p(np.exp(np.negative(xp)))), np.log1p(np.exp(xn)));
};
/** x·σ(x) */
export const silu = (x: ArrayLike) => np.multiply(x, np.sigmoid(x));
/** GELU; the tanh approximation by default, as jax.nn.gelu. */
export function gelu(x: ArrayLike, opts: { approximate?: boolean } = {}): Tensor {
  checkOptions("nn.gelu", opts, ["approximate"]);
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
/** Options of oneHot: the result dtype (float32) and the axis of the classes in the result (-1). */
export interface OneHotOpts extends np.DTypeOpt {
  axis?: number;
}
/**
 * oneHot(labels, numClasses): float32 one-hot vectors (labels out of range give all zeros),
 * the classes along `axis` of the result (the last by default), as jax.nn.one_hot.
 * @example
 * ```ts
 * nn.oneHot([0, 2], 3); // → [[1, 0, 0], [0, 0, 1]]
 * nn.oneHot([0, 2], 3, { axis: 0 }); // → [[1, 0], [0, 0], [0, 1]]
 * ```
 */
export function oneHot(x: ArrayLike, numClasses: number, opts: OneHotOpts = {}): Tensor {
  checkOptions("nn.oneHot", opts, ["dtype", "axis"]);
  const t = np.asarray(x);
  const axis = normAxis("nn.oneHot", opts.axis ?? -1, t.ndim + 1);
  const classes = np.arange(numClasses, { dtype: t.dtype === "bool" ? "int32" : t.dtype });
  const hot = np.astype(np.equal(np.expandDims(t, -1), classes), opts.dtype ?? "float32");
  return axis === t.ndim ? hot : np.moveaxis(hot, -1, axis);
}
