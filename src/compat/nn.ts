// tf.nn: activations and the cross-entropy helpers the Keras losses are built from. Values and
// tape gradients follow TensorFlow 2: relu/relu6/elu at their kinks (grads.ts), gelu exact (erf)
// unless `approximate`, selu as TensorFlow's (scale · elu with the linear branch at 0).
import { Tensor, ValueError, nn as tnn, numpy as np, type ArrayLike } from "../index.js";
import { checkLabels, describe } from "./errors.js";
import { erf } from "./erf.js";
import { eluGrad, relu6Grad, reluGrad } from "./grads.js";
import { run1, unary, type Rule } from "./runtime.js";

/**
 * max(x, 0) elementwise; on a tape the gradient at 0 is 0 (TensorFlow). Mirrors `tf.nn.relu`.
 *
 * @example
 * ```ts
 * tf.nn.relu(tf.constant([-1, 0, 2])); // → [0, 0, 2]
 * ```
 */
export const relu = (x: ArrayLike): Tensor => run1(([a]) => np.maximum(a, 0), [x], "tf.nn.relu", reluGrad);
/**
 * min(max(x, 0), 6) elementwise; on a tape the gradient is 0 at both kinks (TensorFlow). Mirrors `tf.nn.relu6`.
 *
 * @example
 * ```ts
 * tf.nn.relu6(tf.constant([-1, 3, 8])); // → [0, 3, 6]
 * ```
 */
export const relu6 = (x: ArrayLike): Tensor => run1(([a]) => np.minimum(np.maximum(a, 0), 6), [x], "tf.nn.relu6", relu6Grad);
/**
 * x for x > 0, alpha·x otherwise (alpha 0.2 by default, as `tf.nn.leaky_relu`). Mirrors `tf.nn.leaky_relu`.
 *
 * @example
 * ```ts
 * tf.nn.leakyRelu(tf.constant([-2, 3])); // → [-0.4, 3]
 * tf.nn.leakyRelu(tf.constant([-2, 3]), 0.5); // → [-1, 3]
 * ```
 */
export const leakyRelu = (x: ArrayLike, alpha = 0.2) => run1(([a]) => np.where(np.greater(a, 0), a, np.multiply(a, alpha)), [x], "tf.nn.leakyRelu");
/**
 * x for x > 0, eˣ − 1 otherwise; on a tape the gradient at 0 is 1 (TensorFlow). Mirrors `tf.nn.elu`.
 *
 * @example
 * ```ts
 * tf.nn.elu(tf.constant([-1, 0, 2])); // → [-0.6321206, 0, 2]
 * ```
 */
export const elu = (x: ArrayLike): Tensor => run1(([a]) => np.where(np.greater(a, 0), a, np.expm1(np.minimum(a, 0))), [x], "tf.nn.elu", eluGrad);

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** d selu = scale where y ≥ 0 (the linear branch at 0), (y + scale·alpha) otherwise (TensorFlow's SeluGrad). */
const seluGrad: Rule = (_xs, y, ct) => [np.where(np.less(y, 0), np.multiply(ct, np.add(y, SELU_SCALE * SELU_ALPHA)), np.multiply(ct, SELU_SCALE))];
/**
 * scale · (x for x > 0, alpha·(eˣ − 1) otherwise), with the self-normalising constants of
 * Klambauer et al. (alpha ≈ 1.6733, scale ≈ 1.0507); on a tape the gradient at 0 is scale.
 *
 * @example
 * ```ts
 * tf.nn.selu(tf.constant([-1, 0, 2])); // → [-1.1113307, 0, 2.101402]
 * ```
 */
export const selu = (x: ArrayLike): Tensor =>
  run1(([a]) => np.multiply(np.where(np.greater(a, 0), a, np.multiply(np.expm1(np.minimum(a, 0)), SELU_ALPHA)), SELU_SCALE), [x], "tf.nn.selu", seluGrad);
/**
 * 1 / (1 + e^(−x)) elementwise. Mirrors `tf.nn.sigmoid`.
 *
 * @example
 * ```ts
 * tf.nn.sigmoid(tf.constant([0])); // → [0.5]
 * ```
 */
export const sigmoid = unary("tf.nn.sigmoid", tnn.sigmoid);
/**
 * tanh x elementwise. Mirrors `tf.nn.tanh`.
 *
 * @example
 * ```ts
 * tf.nn.tanh(tf.constant([0, 1])); // → [0, 0.7615942]
 * ```
 */
export const tanh = unary("tf.nn.tanh", np.tanh);
/**
 * log(1 + eˣ) elementwise, computed stably. Mirrors `tf.nn.softplus`.
 *
 * @example
 * ```ts
 * tf.nn.softplus(tf.constant([0, 100])); // → [0.6931472, 100]
 * ```
 */
export const softplus = unary("tf.nn.softplus", tnn.softplus);
/**
 * x / (1 + |x|).
 *
 * @example
 * ```ts
 * tf.nn.softsign(tf.constant([-3, 0, 1])); // → [-0.75, 0, 0.5]
 * ```
 */
export const softsign = unary("tf.nn.softsign", (x) => np.divide(x, np.add(np.abs(x), 1)));
/**
 * x · sigmoid(x) elementwise (`swish` is the same op). Mirrors `tf.nn.silu`.
 *
 * @example
 * ```ts
 * tf.nn.silu(tf.constant([0, 1])); // → [0, 0.7310586]
 * ```
 */
export const silu = unary("tf.nn.silu", tnn.silu);
/**
 * x · sigmoid(x): the same op as `tf.nn.silu`. Mirrors `tf.nn.swish`.
 *
 * @example
 * ```ts
 * tf.nn.swish(tf.constant([2])); // → [1.7615942]
 * ```
 */
export const swish = silu;

/** Φ(x) = (1 + erf(x/√2)) / 2, the standard normal CDF. */
const normalCdf = (x: Tensor) => np.multiply(np.add(erf(np.multiply(x, Math.SQRT1_2)), 1), 0.5);
/** d/dx x·Φ(x) = Φ(x) + x·φ(x), with φ the standard normal density. */
const geluExactGrad: Rule = ([x], _y, ct) => {
  const pdf = np.multiply(np.exp(np.multiply(np.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return [np.multiply(ct, np.add(normalCdf(x), np.multiply(x, pdf)))];
};
/**
 * GELU, x·Φ(x) with Φ the standard normal CDF: exact (erf) by default, as `tf.nn.gelu`; `approximate` uses the tanh form 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). A non-boolean `approximate` is a ValueError. Mirrors `tf.nn.gelu`.
 *
 * @example
 * ```ts
 * tf.nn.gelu(tf.constant([1.5])); // → [1.3997892]
 * tf.nn.gelu(tf.constant([1.5]), true); // → [1.3995715]
 * ```
 */
export function gelu(x: ArrayLike, approximate = false): Tensor {
  if (typeof approximate !== "boolean") throw new ValueError({ message: `tf.nn.gelu: approximate must be a boolean, got ${describe(approximate)}.` });
  if (approximate) return run1(([a]) => tnn.gelu(a, { approximate: true }), [x], "tf.nn.gelu");
  return run1(([a]) => np.multiply(a, normalCdf(np.asarray(a))), [x], "tf.nn.gelu", geluExactGrad);
}
/**
 * exp(x) / Σ exp(x) along `axis` (the last by default), computed stably. Mirrors `tf.nn.softmax`.
 *
 * @example
 * ```ts
 * tf.nn.softmax(tf.constant([0, 0, Math.log(2)])); // → [0.25, 0.25, 0.5]
 * ```
 */
export const softmax = (logits: ArrayLike, axis = -1) => run1(([a]) => tnn.softmax(a, axis), [logits], "tf.nn.softmax");
/**
 * log softmax(x) along `axis` (the last by default), computed stably. Mirrors `tf.nn.log_softmax`.
 *
 * @example
 * ```ts
 * tf.nn.logSoftmax(tf.constant([0, 0])); // → [-0.6931472, -0.6931472]
 * ```
 */
export const logSoftmax = (logits: ArrayLike, axis = -1) => run1(([a]) => tnn.logSoftmax(a, axis), [logits], "tf.nn.logSoftmax");
/**
 * value + bias, with the 1-D bias added along the last axis. Mirrors `tf.nn.bias_add` (NHWC).
 *
 * @example
 * ```ts
 * tf.nn.biasAdd(tf.constant([[1, 2], [3, 4]]), tf.constant([10, 20])); // → [[11, 22], [13, 24]]
 * ```
 */
export const biasAdd = (value: ArrayLike, bias: ArrayLike) => run1(([v, b]) => np.add(v, b), [value, bias], "tf.nn.biasAdd");
/**
 * Σ t² / 2 over all elements, a scalar. Mirrors `tf.nn.l2_loss`.
 *
 * @example
 * ```ts
 * tf.nn.l2Loss(tf.constant([1, 2, 3])).item(); // → 7
 * ```
 */
export const l2Loss = unary("tf.nn.l2Loss", (t) => np.multiply(np.sum(np.square(t)), 0.5));

/**
 * The per-element binary cross-entropy of `labels` z against `logits` x, as max(x, 0) − x·z + log(1 + e^(−|x|)) (TensorFlow's stable form). Mirrors `tf.nn.sigmoid_cross_entropy_with_logits`.
 *
 * @example
 * ```ts
 * tf.nn.sigmoidCrossEntropyWithLogits({ labels: tf.constant([1, 0]), logits: tf.constant([0, 0]) }); // → [0.6931472, 0.6931472]
 * ```
 */
export function sigmoidCrossEntropyWithLogits(args: { labels: ArrayLike; logits: ArrayLike }): Tensor {
  return run1(
    ([z, x]) => np.add(np.subtract(np.maximum(x, 0), np.multiply(x, z)), np.log1p(np.exp(np.negative(np.abs(x))))),
    [args.labels, args.logits],
    "tf.nn.sigmoidCrossEntropyWithLogits",
  );
}
/**
 * −Σ labels · log_softmax(logits) along `axis` (the last by default): one loss per row, for probability (e.g. one-hot) labels. Mirrors `tf.nn.softmax_cross_entropy_with_logits`.
 *
 * @example
 * ```ts
 * tf.nn.softmaxCrossEntropyWithLogits({ labels: tf.constant([[0, 1]]), logits: tf.constant([[0, 0]]) }); // → [0.6931472]
 * ```
 */
export function softmaxCrossEntropyWithLogits(args: { labels: ArrayLike; logits: ArrayLike; axis?: number }): Tensor {
  const axis = args.axis ?? -1;
  return run1(([y, x]) => np.negative(np.sum(np.multiply(y, tnn.logSoftmax(x, axis)), axis)), [args.labels, args.logits], "tf.nn.softmaxCrossEntropyWithLogits");
}

/**
 * −log_softmax(logits)[label] per row, for integer class labels with the logits' shape minus the class axis. A label outside [0, classes) or a shape mismatch is a ValueError (TensorFlow's CPU check). Mirrors `tf.nn.sparse_softmax_cross_entropy_with_logits`.
 *
 * @example
 * ```ts
 * tf.nn.sparseSoftmaxCrossEntropyWithLogits({ labels: tf.constant([1], { dtype: "int32" }), logits: tf.constant([[0, 0]]) }); // → [0.6931472]
 * ```
 */
export function sparseSoftmaxCrossEntropyWithLogits(args: { labels: ArrayLike; logits: ArrayLike }): Tensor {
  const api = "tf.nn.sparseSoftmaxCrossEntropyWithLogits";
  return run1(([y, x]) => {
    const logits = np.asarray(x);
    const labels = np.asarray(y);
    const classes = logits.shape[logits.ndim - 1]!;
    const want = logits.shape.slice(0, -1);
    if (labels.ndim !== want.length || labels.shape.some((d, i) => d !== want[i])) {
      throw new ValueError({ message: `${api}: labels of shape (${labels.shape.join(", ")}) do not match logits of shape (${logits.shape.join(", ")}); labels need the logits' shape without the last (class) axis.` });
    }
    checkLabels(api, labels, classes);
    const lsm = tnn.logSoftmax(logits, -1);
    return np.negative(np.sum(np.multiply(tnn.oneHot(np.astype(labels, "int32"), classes, { dtype: logits.dtype }), lsm), -1));
  }, [args.labels, args.logits], api);
}
export { conv2d } from "./conv.js";
export * from "./nn-more.js";
