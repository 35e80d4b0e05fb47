// Windowed reductions for users: lax.reduceWindow (sum / max / min with JAX's arguments) and
// flax's pooling layers nn.maxPool / nn.avgPool, over the reduce_window primitives.
import { DTypeError, ShapeError, ValueError, fail } from "./errors.js";
import { describeValue, fmtShape } from "./shape.js";
import type { ArrayLike, Tensor } from "./tensor.js";
import * as lax from "./lax.js";
import { tensor } from "./numpy/convert.js";
import { checkOptions } from "./numpy/options.js";
import { dilateDim, intList, padPairs, type Padding } from "./conv.js";

/** Options of {@link reduceWindow}. */
export interface ReduceWindowOptions {
  /** Holes between operand elements per axis (their value is `init`); default 1. */
  baseDilation?: readonly number[];
  /** Holes between window elements per axis; default 1. */
  windowDilation?: readonly number[];
}

/** The reduce_window params, checked with `api`'s name. */
function windowParams(api: string, x: Tensor, windowDimensions: unknown, windowStrides: unknown, padding: unknown, opts: ReduceWindowOptions): lax.WindowParams {
  checkOptions(api, opts, ["baseDilation", "windowDilation"]);
  const n = x.ndim;
  const window = intList(api, "windowDimensions", windowDimensions, n, 0);
  const strides = intList(api, "windowStrides", windowStrides, n, 1, 1);
  const baseDilation = intList(api, "baseDilation", opts.baseDilation, n, 1, 1);
  const windowDilation = intList(api, "windowDilation", opts.windowDilation, n, 1, 1);
  const pads = padPairs(api, padding, [...x.shape], window.map((w, i) => dilateDim(w, windowDilation[i]!)), strides);
  return { window, strides, padding: pads, baseDilation, windowDilation };
}

/**
 * Reduces each window of x with "sum", "max" or "min", starting from `init`: out[o] = init ⊕ the
 * window's elements (padding and base-dilation holes add nothing: what JAX computes). With init
 * 0 for sum, −∞ for max or +∞ for min it is a plain windowed sum / max / min; the gradient of
 * max / min goes to each window's first maximum / minimum, as in JAX.
 * Mirrors jax.lax.reduce_window with computation lax.add / lax.max / lax.min.
 * @param x - any rank; float32, float64 or int32.
 * @param init - the starting value (a number).
 * @param op - "sum" | "max" | "min".
 * @param windowDimensions - the window's size per axis of x.
 * @param windowStrides - per axis; default 1.
 * @param padding - "SAME", "SAME_LOWER", "VALID" (default) or [lo, hi] pairs per axis of x.
 * @param opts - baseDilation, windowDilation.
 * @returns a tensor of x's dtype with one element per window.
 * @throws ValueError for an unknown op, a non-number init, or windows/strides/padding that do not give one entry per axis.
 * @example
 * ```ts
 * const x = np.arange(6);
 * lax.reduceWindow(x, 0, "sum", [2]); // → [1, 3, 5, 7, 9]
 * lax.reduceWindow(x, -Infinity, "max", [3], [3]); // → [2, 5]
 * lax.reduceWindow(x.reshape([2, 3]), Infinity, "min", [1, 2], [1, 1], "SAME"); // → [[0, 1, 2], [3, 4, 5]]
 * ```
 */
export function reduceWindow(x: ArrayLike, init: number, op: "sum" | "max" | "min", windowDimensions: readonly number[], windowStrides?: readonly number[], padding: Padding = "VALID", opts: ReduceWindowOptions = {}): Tensor {
  const api = "lax.reduceWindow";
  const t = tensor(x, api);
  if (t.dtype === "bool") throw fail(DTypeError, `${api}: not defined for bool operands; convert with astype("int32") or astype("float32").`);
  if (typeof init !== "number") throw fail(ValueError, `${api}: init must be a number (e.g. 0 for "sum", -Infinity for "max"), got ${describeValue(init)}.`);
  if (op !== "sum" && op !== "max" && op !== "min") throw fail(ValueError, `${api}: op must be "sum", "max" or "min", got ${describeValue(op)}.`);
  const p = windowParams(api, t, windowDimensions, windowStrides, padding, opts ?? {});
  const c = lax.full([], init, t.dtype);
  if (op === "max") {
    const y = lax.reduceWindowMax(t, p);
    return init === -Infinity ? y : lax.max(y, c);
  }
  if (op === "min") {
    const y = lax.reduceWindowMin(t, p);
    return init === Infinity ? y : lax.min(y, c);
  }
  const y = lax.reduceWindowSum(t, p);
  return init === 0 ? y : lax.add(y, c);
}

/** The full-rank window, strides and padding of a flax pooling call (batch axes lead, features last). */
function poolParams(api: string, x: Tensor, windowShape: unknown, strides: unknown, padding: unknown): lax.WindowParams {
  if (!Array.isArray(windowShape) || windowShape.length === 0) throw fail(ValueError, `${api}: windowShape must be an array with one size per spatial axis, got ${describeValue(windowShape)}.`);
  const nd = windowShape.length;
  const nb = x.ndim - nd - 1;
  if (nb < 0) throw fail(ShapeError, `${api}: input ${fmtShape(x.shape)} has too few axes for a ${nd}-D window: pass [batch…, spatial (${nd}), features].`);
  const win = intList(api, "windowShape", windowShape, nd, 1);
  const st = intList(api, "strides", strides, nd, 1, 1);
  const ones = (k: number) => new Array<number>(k).fill(1);
  const inSp = x.shape.slice(nb, nb + nd);
  const sp = padPairs(api, padding, [...inSp], win, st);
  return {
    window: [...ones(nb), ...win, 1],
    strides: [...ones(nb), ...st, 1],
    padding: [...ones(nb).map(() => [0, 0] as [number, number]), ...sp, [0, 0]],
    baseDilation: ones(x.ndim),
    windowDilation: ones(x.ndim),
  };
}

/**
 * Max pooling over the spatial axes of a channels-last input: each output element is the
 * largest in its window (padding never wins). The gradient flows to each window's first maximum.
 * Mirrors flax.linen.max_pool (and tf.nn.max_pool with NHWC).
 * @param x - [batch…, spatial (one per window axis), features], e.g. NHWC; floats.
 * @param windowShape - the window's size per spatial axis, e.g. [2, 2].
 * @param strides - per spatial axis; default 1.
 * @param padding - "VALID" (default), "SAME" or [lo, hi] pairs per spatial axis.
 * @returns the pooled tensor, e.g. [N, H', W', C].
 * @throws ShapeError when x has fewer than windowShape.length + 1 axes; ValueError for malformed windows, strides or padding.
 * @example
 * ```ts
 * const x = np.arange(16).reshape([1, 4, 4, 1]).astype("float32");
 * nn.maxPool(x, [2, 2], [2, 2]).reshape([2, 2]); // → [[5, 7], [13, 15]]
 * ```
 */
export function maxPool(x: ArrayLike, windowShape: readonly number[], strides?: readonly number[], padding: Padding = "VALID"): Tensor {
  const t = tensor(x, "nn.maxPool");
  return lax.reduceWindowMax(t, poolParams("nn.maxPool", t, windowShape, strides, padding));
}

/**
 * Average pooling over the spatial axes of a channels-last input: each window's sum divided by
 * the window size, or, with countIncludePad false, by the number of real (non-padding) elements.
 * Mirrors flax.linen.avg_pool.
 * @param x - [batch…, spatial (one per window axis), features], e.g. NHWC; ints become float32.
 * @param windowShape - the window's size per spatial axis.
 * @param strides - per spatial axis; default 1.
 * @param padding - "VALID" (default), "SAME" or [lo, hi] pairs per spatial axis.
 * @param countIncludePad - divide by the full window size (default true, as flax).
 * @returns the pooled tensor.
 * @throws as maxPool, naming nn.avgPool.
 * @example
 * ```ts
 * const x = np.arange(16).reshape([1, 4, 4, 1]);
 * nn.avgPool(x, [2, 2], [2, 2]).reshape([2, 2]); // → [[2.5, 4.5], [10.5, 12.5]]
 * nn.avgPool(np.ones([1, 3, 1]), [2], [1], "SAME", false).reshape([3]); // → [1, 1, 1]
 * ```
 */
export function avgPool(x: ArrayLike, windowShape: readonly number[], strides?: readonly number[], padding: Padding = "VALID", countIncludePad = true): Tensor {
  const api = "nn.avgPool";
  let t = tensor(x, api);
  if (t.dtype !== "float32" && t.dtype !== "float64") t = lax.convert(t, "float32");
  const p = poolParams(api, t, windowShape, strides, padding);
  const sums = lax.reduceWindowSum(t, p);
  if (countIncludePad) return lax.div(sums, lax.full([], p.window.reduce((a, b) => a * b, 1), t.dtype));
  // the number of real elements per window: the same windows over ones (shared by batch and features)
  const counts = lax.reduceWindowSum(lax.full(t.shape.map((s, i) => (p.window[i] === 1 && p.strides[i] === 1 ? 1 : s)), 1, t.dtype), p);
  return lax.div(sums, counts);
}
