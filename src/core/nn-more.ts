// More neural-network functions (activations, glu, standardize, attention), composed from the
// op library as jax.nn defines them; published with core/nn.ts by src/nn.ts.
import { ShapeError, fail } from "./errors.js";
import { fmtShape, normAxis } from "./shape.js";
import type { ArrayLike, Tensor } from "./tensor.js";
import * as np from "./numpy/index.js";
import { floaty } from "./numpy/convert.js";
import { checkOptions } from "./numpy/options.js";
import { softmax, softplus } from "./nn.js";

const fl = (api: string, x: ArrayLike): Tensor => floaty(x, `nn.${api}`);

/**
 * min(max(x, 0), 6), elementwise, with derivative 1 strictly inside (0, 6) and 0 at both kinks
 * (jax.nn.relu6's rule).
 * Mirrors jax.nn.relu6 / tf.nn.relu6.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.relu6([-1, 3, 7]); // → [0, 3, 6]
 * ```
 */
export function relu6(x: ArrayLike): Tensor {
  const t = fl("relu6", x);
  const inside = np.logicalAnd(np.greater(t, 0), np.less(t, 6));
  // outside (0, 6) the clipped value, held constant (NaN stays NaN)
  return np.where(inside, t, np.clip(np.stopGradient(t), 0, 6));
}
/**
 * x for x ≥ 0, negativeSlope·x below, elementwise.
 * Mirrors jax.nn.leaky_relu / tf.nn.leaky_relu.
 * @param x - any shape; ints and bools are computed as float32.
 * @param negativeSlope - the slope below 0, default 0.01.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.leakyRelu([-2, 3]); // → [-0.02, 3]
 * nn.leakyRelu([-2], 0.5); // → [-1]
 * ```
 */
export function leakyRelu(x: ArrayLike, negativeSlope = 0.01): Tensor {
  const t = fl("leakyRelu", x);
  return np.where(np.greaterEqual(t, 0), t, np.multiply(t, negativeSlope));
}
/** α(eˣ − 1) on the negative half only: the positive half sees 0, so exp never overflows there. */
function expm1Negative(t: Tensor, alpha: number, pos: Tensor): Tensor {
  return np.multiply(alpha, np.expm1(np.where(pos, 0, t)));
}
/**
 * The exponential linear unit: x for x > 0, α(eˣ − 1) otherwise, elementwise.
 * Mirrors jax.nn.elu / tf.nn.elu.
 * @param x - any shape; ints and bools are computed as float32.
 * @param alpha - the negative saturation value's magnitude, default 1.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.elu([-1, 2]); // → [-0.632121, 2]
 * ```
 */
export function elu(x: ArrayLike, alpha = 1): Tensor {
  const t = fl("elu", x);
  const pos = np.greater(t, 0);
  return np.where(pos, t, expm1Negative(t, alpha, pos));
}
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/**
 * The scaled ELU λ·elu(x, α) with λ ≈ 1.0507, α ≈ 1.6733 (self-normalizing networks), elementwise.
 * Mirrors jax.nn.selu / tf.nn.selu.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.selu([-1, 1]); // → [-1.111331, 1.050701]
 * ```
 */
export const selu = (x: ArrayLike): Tensor => np.multiply(SELU_SCALE, elu(fl("selu", x), SELU_ALPHA));
/**
 * The continuously-differentiable ELU max(x, 0) + α·(e^(min(x, 0)/α) − 1), elementwise.
 * Mirrors jax.nn.celu.
 * @param x - any shape; ints and bools are computed as float32.
 * @param alpha - default 1.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.celu([-1, 2], 2); // → [-0.786939, 2]
 * ```
 */
export function celu(x: ArrayLike, alpha = 1): Tensor {
  const t = fl("celu", x);
  return np.add(np.maximum(t, 0), np.multiply(alpha, np.expm1(np.divide(np.minimum(t, 0), alpha))));
}
/**
 * The SiLU x·σ(x) under its other name; the same function as {@link silu}.
 * Mirrors jax.nn.swish.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.swish([0, 1]); // → [0, 0.731059]
 * ```
 */
export const swish = (x: ArrayLike): Tensor => {
  const t = fl("swish", x);
  return np.multiply(t, np.sigmoid(t));
};
/**
 * The mish activation x·tanh(softplus(x)), elementwise.
 * Mirrors jax.nn.mish.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.mish([0, 1]); // → [0, 0.865098]
 * ```
 */
export function mish(x: ArrayLike): Tensor {
  const t = fl("mish", x);
  return np.multiply(t, np.tanh(softplus(t)));
}
/**
 * x / (|x| + 1), elementwise.
 * Mirrors jax.nn.soft_sign / tf.nn.softsign.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape, in (−1, 1).
 * @example
 * ```ts
 * nn.softSign([-3, 1]); // → [-0.75, 0.5]
 * ```
 */
export function softSign(x: ArrayLike): Tensor {
  const t = fl("softSign", x);
  return np.divide(t, np.add(np.abs(t), 1));
}
/**
 * relu6(x + 3) / 6, the piecewise-linear sigmoid, elementwise.
 * Mirrors jax.nn.hard_sigmoid.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape, in [0, 1].
 * @example
 * ```ts
 * nn.hardSigmoid([-4, 0, 4]); // → [0, 0.5, 1]
 * ```
 */
export const hardSigmoid = (x: ArrayLike): Tensor => np.divide(relu6(np.add(fl("hardSigmoid", x), 3)), 6);
/**
 * x clipped to [−1, 1], elementwise (derivative 1 inside, 0 outside).
 * Mirrors jax.nn.hard_tanh.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.hardTanh([-2, 0.5, 2]); // → [-1, 0.5, 1]
 * ```
 */
export function hardTanh(x: ArrayLike): Tensor {
  const t = fl("hardTanh", x);
  return np.where(np.greater(t, 1), 1, np.where(np.less(t, -1), -1, t));
}
/**
 * x·hardSigmoid(x), elementwise.
 * Mirrors jax.nn.hard_swish (jax.nn.hard_silu).
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.hardSwish([-4, 1, 4]); // → [0, 0.666667, 4]
 * ```
 */
export function hardSwish(x: ArrayLike): Tensor {
  const t = fl("hardSwish", x);
  return np.multiply(t, hardSigmoid(t));
}
/**
 * log σ(x) = −softplus(−x), elementwise, stable for large |x|.
 * Mirrors jax.nn.log_sigmoid / tf.math.log_sigmoid.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape, ≤ 0.
 * @example
 * ```ts
 * nn.logSigmoid([0, -100]); // → [-0.693147, -100]
 * ```
 */
export const logSigmoid = (x: ArrayLike): Tensor => np.negative(softplus(np.negative(fl("logSigmoid", x))));
/**
 * log(1 − e⁻ˣ) for x > 0, elementwise, accurate at both ends: log(−expm1(−x)) for x ≤ log 2 and
 * log1p(−e⁻ˣ) above (each branch sees only its own inputs, so neither's derivative is 0·∞).
 * Mirrors jax.nn.log1mexp.
 * @param x - any shape, positive values (0 gives −∞, negatives NaN); ints are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * nn.log1mexp([Math.log(2), 50]); // → [-0.693147, -1.92875e-22]
 * ```
 */
export function log1mexp(x: ArrayLike): Tensor {
  const t = fl("log1mexp", x);
  const big = np.greater(t, Math.LN2);
  const hi = np.log1p(np.negative(np.exp(np.negative(np.where(big, t, 1)))));
  const lo = np.log(np.negative(np.expm1(np.negative(np.where(big, 1, t)))));
  return np.where(big, hi, lo);
}
/**
 * The gated linear unit: x split in two halves a, b along `axis`, then a·σ(b).
 * Mirrors jax.nn.glu.
 * @param x - any shape whose `axis` has even length; ints are computed as float32.
 * @param axis - the axis split, default -1.
 * @returns x's shape with `axis` halved, float.
 * @throws ShapeError when the axis' length is odd; AxisError for an out-of-range axis.
 * @example
 * ```ts
 * nn.glu([1, 2, 0, 100]); // → [0.5, 2]
 * ```
 */
export function glu(x: ArrayLike, axis = -1): Tensor {
  const t = fl("glu", x);
  const ax = normAxis("nn.glu", axis, t.ndim);
  const n = t.shape[ax]!;
  if (n % 2 !== 0) throw fail(ShapeError, `nn.glu: axis ${axis} of ${fmtShape(t.shape)} has odd length ${n}; glu splits it into two equal halves.`);
  const [a, b] = np.split(t, 2, ax) as [Tensor, Tensor];
  return np.multiply(a, np.sigmoid(b));
}

/** Options of standardize: a given mean / variance instead of the computed ones, and ε. */
export interface StandardizeOpts {
  mean?: ArrayLike;
  variance?: ArrayLike;
  epsilon?: number;
}
/**
 * (x − mean)/√(variance + ε) along `axis`, the mean and variance (E[x²] − E[x]², JAX's "fast"
 * algorithm) computed over the axis unless given.
 * Mirrors jax.nn.standardize (no `where`).
 * @param x - any shape; ints are computed as float32.
 * @param axis - an axis or list of axes, default -1.
 * @param opts.mean - a given mean (broadcasting with x); opts.variance - a given variance;
 *   opts.epsilon - default 1e-5.
 * @returns a float tensor of x's shape.
 * @throws AxisError for an out-of-range axis; ValueError for an unknown option.
 * @example
 * ```ts
 * nn.standardize([1, 2, 3], -1, { epsilon: 0 }); // → [-1.224745, 0, 1.224745]
 * ```
 */
export function standardize(x: ArrayLike, axis: number | number[] = -1, opts: StandardizeOpts = {}): Tensor {
  checkOptions("nn.standardize", opts, ["mean", "variance", "epsilon"]);
  const t = fl("standardize", x);
  const mean = opts.mean ?? np.mean(t, axis, { keepdims: true });
  const variance = opts.variance ?? np.subtract(np.mean(np.square(t), axis, { keepdims: true }), np.square(mean));
  return np.multiply(np.subtract(t, mean), np.divide(1, np.sqrt(np.add(variance, opts.epsilon ?? 1e-5))));
}

/** Options of dotProductAttention. */
export interface AttentionOpts {
  /** added to the logits, broadcasting to [B, N, T, S] */
  bias?: ArrayLike;
  /** bool, broadcasting to [B, N, T, S]: false positions are left out of the softmax */
  mask?: ArrayLike;
  /** the logits' scale, default 1/√H */
  scale?: number;
  /** mask out keys after each query (key s > query t) */
  isCausal?: boolean;
}
/**
 * Scaled dot-product attention softmax(q·kᵀ·scale + bias, masked)·v over heads, with grouped-query
 * attention when k and v have fewer heads K than q's N (N a multiple of K; query head n uses key
 * head ⌊n/(N/K)⌋). Masked-out logits get the dtype's lowest value, as JAX.
 * Mirrors jax.nn.dot_product_attention (implementation "xla"; no sequence lengths or local window).
 * @param query - [B, T, N, H] (or [T, N, H]), float.
 * @param key - [B, S, K, H] (or [S, K, H]).
 * @param value - [B, S, K, H] (or [S, K, H]).
 * @returns [B, T, N, H] (or [T, N, H]), in q's dtype.
 * @throws ShapeError for ranks other than 3 or 4, mismatched batch / head sizes or H, or N not a
 *   multiple of K; ValueError for an unknown option.
 * @example
 * ```ts
 * const q = np.ones([1, 2, 1, 4]);
 * nn.dotProductAttention(q, q, np.array([[[[1, 1, 1, 1]], [[3, 3, 3, 3]]]])).shape; // → [1, 2, 1, 4]
 * nn.dotProductAttention(q, q, np.array([[[[1, 1, 1, 1]], [[3, 3, 3, 3]]]]), { isCausal: true }).index(0, 0, 0, 0).item(); // → 1
 * ```
 */
export function dotProductAttention(query: ArrayLike, key: ArrayLike, value: ArrayLike, opts: AttentionOpts = {}): Tensor {
  checkOptions("nn.dotProductAttention", opts, ["bias", "mask", "scale", "isCausal"]);
  const api = "nn.dotProductAttention";
  let [q, k, v] = np.coerce([fl("dotProductAttention", query), fl("dotProductAttention", key), fl("dotProductAttention", value)], api) as [Tensor, Tensor, Tensor];
  const unbatched = q.ndim === 3;
  if (q.ndim !== k.ndim || q.ndim !== v.ndim || (q.ndim !== 3 && q.ndim !== 4)) {
    throw fail(ShapeError, `${api}: query, key and value must all be [B, T, N, H] or all [T, N, H], got ${fmtShape(q.shape)}, ${fmtShape(k.shape)} and ${fmtShape(v.shape)}.`);
  }
  if (unbatched) [q, k, v] = [np.expandDims(q, 0), np.expandDims(k, 0), np.expandDims(v, 0)];
  const [B, T, N, H] = q.shape as [number, number, number, number];
  const [, S, K] = k.shape as [number, number, number, number];
  if (k.shape[0] !== B || v.shape[0] !== B || v.shape[1] !== S || v.shape[2] !== K || k.shape[3] !== H || v.shape[3] !== H || N % K !== 0) {
    throw fail(ShapeError, `${api}: shapes do not fit query [B, T, N, H], key and value [B, S, K, H] with N a multiple of K: got ${fmtShape(q.shape)}, ${fmtShape(k.shape)} and ${fmtShape(v.shape)}.`);
  }
  const G = N / K;
  const qg = np.reshape(q, [B, T, K, G, H]);
  let logits = np.reshape(np.einsum("btkgh,bskh->bkgts", qg, k), [B, N, T, S]);
  logits = np.multiply(logits, opts.scale ?? 1 / Math.sqrt(H));
  if (opts.bias !== undefined) logits = np.add(logits, opts.bias);
  let keep: Tensor | null = opts.mask === undefined ? null : np.astype(opts.mask, "bool");
  if (opts.isCausal) {
    const causal = np.greaterEqual(np.expandDims(np.arange(T), 1), np.expandDims(np.arange(S), 0));
    keep = keep === null ? causal : np.logicalAnd(keep, causal);
  }
  if (keep !== null) logits = np.where(keep, logits, logits.dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38);
  const probs = np.reshape(softmax(logits, -1), [B, K, G, T, S]);
  const out = np.reshape(np.einsum("bkgts,bskh->btkgh", probs, v), [B, T, N, H]);
  return unbatched ? np.squeeze(out, 0) : out;
}
