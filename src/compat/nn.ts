// tf.nn: activations and the cross-entropy helpers the Keras losses are built from.
import { Tensor, nn as tnn, numpy as np, type ArrayLike } from "../index.js";
import { run1, unary } from "./runtime.js";

export const relu = unary(tnn.relu);
export const relu6 = unary((x) => np.clip(x, 0, 6));
export const leakyRelu = (x: ArrayLike, alpha = 0.2) => run1(([a]) => np.where(np.greater(a, 0), a, np.multiply(a, alpha)), [x]);
export const elu = unary((x) => np.where(np.greater(x, 0), x, np.expm1(np.minimum(x, 0))));
export const sigmoid = unary(tnn.sigmoid);
export const tanh = unary(np.tanh);
export const softplus = unary(tnn.softplus);
export const silu = unary(tnn.silu);
export const swish = silu;
export const gelu = (x: ArrayLike, approximate = true) => run1(([a]) => tnn.gelu(a, { approximate }), [x]);
export const softmax = (logits: ArrayLike, axis = -1) => run1(([a]) => tnn.softmax(a, axis), [logits]);
export const logSoftmax = (logits: ArrayLike, axis = -1) => run1(([a]) => tnn.logSoftmax(a, axis), [logits]);
export const biasAdd = (value: ArrayLike, bias: ArrayLike) => run1(([v, b]) => np.add(v, b), [value, bias]);
/** sum(t²) / 2 */
export const l2Loss = unary((t) => np.multiply(np.sum(np.square(t)), 0.5));

/** max(x, 0) − x·z + log(1 + e^(−|x|)): the stable form TensorFlow uses. */
export function sigmoidCrossEntropyWithLogits(args: { labels: ArrayLike; logits: ArrayLike }): Tensor {
  return run1(([z, x]) => np.add(np.subtract(np.maximum(x, 0), np.multiply(x, z)), np.log1p(np.exp(np.negative(np.abs(x))))), [args.labels, args.logits]);
}
/** −Σ labels · log_softmax(logits) along `axis`. */
export function softmaxCrossEntropyWithLogits(args: { labels: ArrayLike; logits: ArrayLike; axis?: number }): Tensor {
  const axis = args.axis ?? -1;
  return run1(([y, x]) => np.negative(np.sum(np.multiply(y, tnn.logSoftmax(x, axis)), axis)), [args.labels, args.logits]);
}
/** −log_softmax(logits)[label] for integer labels (one fewer dimension than logits). */
export function sparseSoftmaxCrossEntropyWithLogits(args: { labels: ArrayLike; logits: ArrayLike }): Tensor {
  return run1(([y, x]) => {
    const lsm = tnn.logSoftmax(x, -1);
    return np.negative(np.sum(np.multiply(tnn.oneHot(y, x.shape[x.ndim - 1]!, { dtype: x.dtype }), lsm), -1));
  }, [args.labels, args.logits]);
}
