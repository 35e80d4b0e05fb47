// More of tf.nn (NHWC / NWC, TensorFlow's signatures): conv1d, conv2dTranspose (the gradient of
// conv2d with respect to its input, as a dilated convolution with the flipped kernel), the 2-D
// poolings, dropout, moments and batchNormalization. Each is one recorded op on a tape.
import { ValueError, lax, nn as tnn, numpy as np, type ArrayLike, type Tensor } from "../index.js";
import { checkOptions, describe } from "./errors.js";
import { uniform } from "./random.js";
import { run1 } from "./runtime.js";
import type { Variable } from "./variable.js";

/** TensorFlow's padding for the tf.nn convolutions and poolings. */
export type NnPadding = "VALID" | "SAME";

/** A per-spatial-axis list from an integer, a list of `n`, or TensorFlow's [1, …, 1] form. */
function spatial(api: string, what: string, v: number | readonly number[], n: number): number[] {
  const l = typeof v === "number" ? Array(n).fill(v) : v.length === n + 2 ? v.slice(1, -1) : [...v];
  if (l.length !== n || l.some((d) => !Number.isInteger(d) || d < 1)) throw new ValueError({ message: `${api}: ${what} must be a positive integer, ${n} of them, or [1, …, 1] of length ${n + 2}; got ${describe(v)}.` });
  return l;
}
function pad(api: string, p: unknown): NnPadding {
  if (p === "VALID" || p === "SAME") return p;
  throw new ValueError({ message: `${api}: padding must be "VALID" or "SAME", got ${describe(p)}.` });
}

/**
 * 1-D convolution: input [batch, width, in], filters [w, in, out]; `dilations` spreads the
 * window. Mirrors tf.nn.conv1d (NWC).
 * @example
 * ```ts
 * tf.nn.conv1d(tf.constant([[[1], [2], [3]]]), tf.ones([2, 1, 1]), 1, "VALID"); // → [[[3], [5]]]
 * ```
 */
export function conv1d(input: ArrayLike | Variable, filters: ArrayLike | Variable, stride: number | readonly number[], padding: NnPadding, dilations: number | readonly number[] = 1): Tensor {
  const api = "tf.nn.conv1d";
  const s = spatial(api, "stride", stride, 1);
  const d = spatial(api, "dilations", dilations, 1);
  const p = pad(api, padding);
  return run1(([x, k]) => lax.convGeneralDilated(x, k, s, p, { rhsDilation: d, dimensionNumbers: ["NHC", "HIO", "NHC"] }), [input, filters], api);
}

/**
 * The transposed 2-D convolution: the gradient of tf.nn.conv2d with respect to its input, so
 * out[n, y·s + i − p, x·s + j − p, o] += input[n, y, x, c]·filters[i, j, o, c] for an output of
 * `outputShape` [batch, h, w, out] (p the padding conv2d of that output would use). filters are
 * [kh, kw, out, in]. Mirrors tf.nn.conv2d_transpose (NHWC).
 * @example
 * ```ts
 * tf.nn.conv2dTranspose(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), [1, 4, 4, 1], 2, "SAME").reshape([16]).dataSync().every((v) => v === 1); // → true
 * ```
 */
export function conv2dTranspose(input: ArrayLike | Variable, filters: ArrayLike | Variable, outputShape: readonly number[], strides: number | readonly number[], padding: NnPadding = "SAME"): Tensor {
  const api = "tf.nn.conv2dTranspose";
  const s = spatial(api, "strides", strides, 2);
  const p = pad(api, padding);
  return run1(([x, k]) => {
    if (x.ndim !== 4 || k.ndim !== 4 || outputShape.length !== 4) throw new ValueError({ message: `${api}: expects input [batch, h, w, in], filters [kh, kw, out, in] and outputShape [batch, h, w, out]; got [${x.shape.join(", ")}], [${k.shape.join(", ")}] and ${describe(outputShape)}.` });
    if (k.shape[3] !== x.shape[3] || k.shape[2] !== outputShape[3] || outputShape[0] !== x.shape[0]) throw new ValueError({ message: `${api}: channels disagree: input [${x.shape.join(", ")}], filters [${k.shape.join(", ")}] (last axis = input channels, third = output channels), outputShape [${outputShape.join(", ")}].` });
    const pads = [0, 1].map((a) => {
      const o = outputShape[a + 1]!, i = x.shape[a + 1]!, kk = k.shape[a]!, st = s[a]!;
      // the forward conv2d of an `o`-long input: its output length and its leading pad
      const n = p === "SAME" ? Math.ceil(o / st) : Math.floor((o - kk) / st) + 1;
      if (n !== i) throw new ValueError({ message: `${api}: conv2d of outputShape [${outputShape.join(", ")}] with these filters, strides [${s.join(", ")}] and ${p} would give spatial size ${n} on axis ${a + 1}, not the input's ${i}; fix outputShape.` });
      const lead = p === "SAME" ? Math.floor(Math.max((i - 1) * st + kk - o, 0) / 2) : 0;
      // dilated input (i − 1)·s + 1 convolved (stride 1) with the flipped kernel back to length o
      const lo = kk - 1 - lead;
      return [lo, o + kk - 2 - (i - 1) * st - lo] as [number, number];
    });
    const kt = np.transpose(np.flip(k, [0, 1]), [0, 1, 3, 2]);
    return lax.convGeneralDilated(x, kt, [1, 1], pads, { lhsDilation: s, dimensionNumbers: ["NHWC", "HWIO", "NHWC"] });
  }, [input, filters], api);
}

/**
 * The maximum of each ksize window of each channel (NHWC). Mirrors tf.nn.max_pool2d.
 * @example
 * ```ts
 * tf.nn.maxPool2d(tf.reshape(tf.range(0, 16, 1, "float32"), [1, 4, 4, 1]), 2, 2, "VALID").reshape([4]); // → [5, 7, 13, 15]
 * ```
 */
export function maxPool2d(input: ArrayLike | Variable, ksize: number | readonly number[], strides: number | readonly number[], padding: NnPadding): Tensor {
  const api = "tf.nn.maxPool2d";
  const [k, s, p] = [spatial(api, "ksize", ksize, 2), spatial(api, "strides", strides, 2), pad(api, padding)];
  return run1(([x]) => tnn.maxPool(x, k, s, p), [input], api);
}

/**
 * The mean of each ksize window of each channel (NHWC; with "SAME" the padding is not counted).
 * Mirrors tf.nn.avg_pool2d.
 * @example
 * ```ts
 * tf.nn.avgPool2d(tf.reshape(tf.constant([1, 2, 3, 6]), [1, 2, 2, 1]), 2, 2, "VALID").reshape([1]); // → [3]
 * ```
 */
export function avgPool2d(input: ArrayLike | Variable, ksize: number | readonly number[], strides: number | readonly number[], padding: NnPadding): Tensor {
  const api = "tf.nn.avgPool2d";
  const [k, s, p] = [spatial(api, "ksize", ksize, 2), spatial(api, "strides", strides, 2), pad(api, padding)];
  return run1(([x]) => tnn.avgPool(x, k, s, p, false), [input], api);
}

/** Options of tf.nn.dropout. */
export interface DropoutOptions {
  /** The shape of the keep mask, broadcast against x (e.g. [b, 1, 1, c] to drop whole channels). */
  noiseShape?: readonly number[];
  /** An operation seed (with the global seed, a reproducible mask). */
  seed?: number;
}

/**
 * Zeroes each element with probability `rate` and scales the rest by 1/(1 − rate), always (a
 * layer's training flag is Keras's business). Mirrors tf.nn.dropout.
 * @example
 * ```ts
 * const y = tf.nn.dropout(tf.ones([1000]), 0.5, { seed: 1 });
 * tf.reduceMax(y).item(); // → 2
 * ```
 */
export function dropout(x: ArrayLike | Variable, rate: number, opts: DropoutOptions = {}): Tensor {
  const api = "tf.nn.dropout";
  checkOptions(api, opts, ["noiseShape", "seed"]);
  if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) throw new ValueError({ message: `${api}: rate must be a scalar tensor or a float in the range [0, 1), got ${describe(rate)}.` });
  const shape = opts.noiseShape ?? (x instanceof Object && "shape" in x ? (x as { shape: readonly number[] }).shape : np.asarray(x as ArrayLike).shape);
  // the mask is drawn outside the recorded op: a tape's backward pass sees the same one
  const mask = uniform(shape, { dtype: "float32", seed: opts.seed });
  return run1(([a, u]) => (rate === 0 ? a : np.multiply(a, np.multiply(np.astype(np.greaterEqual(u, rate), a.dtype), 1 / (1 - rate)))), [x, mask], api);
}

/**
 * The mean and (biased) variance of x over `axes`. Mirrors tf.nn.moments.
 * @example
 * ```ts
 * const [m, v] = tf.nn.moments(tf.constant([[1, 3], [5, 7]]), [0]);
 * m; // → [3, 5]
 * v; // → [4, 4]
 * ```
 */
export function moments(x: ArrayLike | Variable, axes: readonly number[], opts: { keepdims?: boolean } = {}): [Tensor, Tensor] {
  const api = "tf.nn.moments";
  checkOptions(api, opts, ["keepdims"]);
  const keepdims = opts.keepdims ?? false;
  const mean = run1(([a]) => np.mean(a, axes, { keepdims }), [x], api);
  const variance = run1(([a]) => np.mean(np.square(np.subtract(a, np.mean(a, axes, { keepdims: true }))), axes, { keepdims }), [x], api);
  return [mean, variance];
}

/**
 * (x − mean)·scale/√(variance + ε) + offset, broadcasting the statistics (offset and scale may
 * be null). Mirrors tf.nn.batch_normalization.
 * @example
 * ```ts
 * tf.nn.batchNormalization(tf.constant([1, 3]), 2, 1, 10, 2, 0); // → [8, 12]
 * ```
 */
export function batchNormalization(x: ArrayLike | Variable, mean: ArrayLike | Variable, variance: ArrayLike | Variable, offset: ArrayLike | Variable | null, scale: ArrayLike | Variable | null, varianceEpsilon: number): Tensor {
  const args = [x, mean, variance, offset ?? 0, scale ?? 1];
  return run1(([a, m, v, o, s]) => np.add(np.multiply(np.subtract(a, m), np.multiply(s, np.divide(1, np.sqrt(np.add(v, varianceEpsilon))))), o), args, "tf.nn.batchNormalization");
}
