// tf.sort, tf.argsort and tf.math.topK. TensorFlow sorts through top_k, which breaks ties by the
// lower index: both directions are stable here too (argsort with `descending` keeps equal
// elements in order), and sort gathers x at those indices, so at ties the gradient reaches the
// same element TensorFlow's does. topK is the core's top_k (same tie rule).
import { Tensor, ValueError, lax, numpy as np } from "../index.js";
import { checkOptions, describe, shapeText } from "./errors.js";
import { run, run1 } from "./runtime.js";
import type { TensorLike } from "./ops.js";

/** TensorFlow's sort direction. */
export type SortDirection = "ASCENDING" | "DESCENDING";

/** Options of {@link sort} and {@link argsort} (their positional arguments, by name). */
export interface SortOptions {
  /** The axis to sort along (default −1, the last). */
  axis?: number;
  /** "ASCENDING" (default) or "DESCENDING". */
  direction?: SortDirection;
  /** argsort: accepted for TensorFlow's signature; the sort is always stable. */
  stable?: boolean;
}

/** The axis and direction of a sort call given positionally or as options. */
function sortArgs(api: string, axisOrOpts: number | SortOptions | undefined, direction: SortDirection | undefined, known: string[]): [number, boolean] {
  const o: SortOptions = typeof axisOrOpts === "object" && axisOrOpts !== null ? axisOrOpts : { axis: axisOrOpts, direction };
  if (typeof axisOrOpts === "object" && axisOrOpts !== null) checkOptions(api, axisOrOpts, known);
  const axis = o.axis ?? -1;
  const dir = o.direction ?? "ASCENDING";
  if (!Number.isInteger(axis)) throw new ValueError({ message: `${api}: axis must be an integer, got ${describe(axis)}.` });
  if (dir !== "ASCENDING" && dir !== "DESCENDING") throw new ValueError({ message: `${api}: direction must be "ASCENDING" or "DESCENDING", got ${describe(dir)}.` });
  return [axis, dir === "DESCENDING"];
}

/** The stable sorting permutation of x along `axis` (int32), TF's tie order in both directions. */
function order(api: string, x: Tensor, axis: number, descending: boolean): [Tensor, number] {
  if (x.ndim === 0) throw new ValueError({ message: `${api}: input must have rank ≥ 1, got a scalar. Reshape it to [1] first.` });
  if (axis < -x.ndim || axis >= x.ndim) throw new ValueError({ message: `${api}: axis ${axis} is out of range for input of shape ${shapeText(x.shape)}; use an axis in [${-x.ndim}, ${x.ndim}).` });
  const ax = axis < 0 ? axis + x.ndim : axis;
  return [np.argsort(x, ax, { descending }), ax];
}

/**
 * `values` sorted along `axis` (default −1), ascending or with direction "DESCENDING"; the axis
 * and direction may also be given as options `{axis, direction}`. Differentiable: the cotangent
 * goes back through the permutation (at ties, to the element TensorFlow picks). NaN counts as
 * the largest value (last ascending, first descending; TensorFlow leaves NaN's place unspecified).
 * Mirrors `tf.sort`.
 *
 * @example
 * ```ts
 * tf.sort(tf.constant([3, 1, 2])); // → [1, 2, 3]
 * tf.sort(tf.constant([3, 1, 2]), -1, "DESCENDING"); // → [3, 2, 1]
 * tf.sort(tf.constant([[3, 1], [0, 2]]), { axis: 0 }); // → [[0, 1], [3, 2]]
 * ```
 */
export function sort(values: TensorLike, axis?: number | SortOptions, direction?: SortDirection): Tensor {
  const api = "tf.sort";
  const [a, desc] = sortArgs(api, axis, direction, ["axis", "direction"]);
  return run1(([xx]) => {
    const x = np.asarray(xx);
    const [idx, ax] = order(api, x, a, desc);
    return np.takeAlongAxis(x, idx, ax);
  }, [values], api);
}

/**
 * The int32 indices that sort `values` along `axis` (default −1), ascending or "DESCENDING";
 * stable in both directions (equal elements keep their order, as TensorFlow's `stable=True`;
 * the `stable` flag is accepted and has no effect). Not differentiable (an integer output).
 * Mirrors `tf.argsort`.
 *
 * @example
 * ```ts
 * tf.argsort(tf.constant([3, 1, 2, 1])); // → [1, 3, 2, 0]
 * tf.argsort(tf.constant([3, 1, 2, 3]), -1, "DESCENDING"); // → [0, 3, 2, 1]
 * ```
 */
export function argsort(values: TensorLike, axis?: number | SortOptions, direction?: SortDirection, stable = false): Tensor {
  const api = "tf.argsort";
  void stable;
  const [a, desc] = sortArgs(api, axis, direction, ["axis", "direction", "stable"]);
  return run1(([xx]) => order(api, np.asarray(xx), a, desc)[0], [values], api);
}

/** What {@link topK} returns (TensorFlow's TopKV2 tuple, by name as in TensorFlow.js). */
export interface TopKResult {
  /** The k largest entries of each last-axis row, largest first: shape [..., k]. */
  values: Tensor;
  /** Their int32 positions in the row (ties: the lower index first). */
  indices: Tensor;
}

/**
 * The `k` (default 1) largest entries along the last axis and their int32 indices, largest
 * first; of equal values the lower index comes first. `sorted` is accepted for TensorFlow's
 * signature (the result is always sorted, which `sorted=false` allows). Differentiable in the
 * values. Mirrors `tf.math.top_k`.
 *
 * @example
 * ```ts
 * const { values, indices } = tf.topK(tf.constant([1, 5, 3, 5]), 2);
 * values; // → [5, 5]
 * indices; // → [1, 3]
 * ```
 */
export function topK(input: TensorLike, k = 1, sorted = true): TopKResult {
  const api = "tf.math.topK";
  void sorted;
  const [values, indices] = run(([xx]) => {
    const x = np.asarray(xx);
    if (x.ndim === 0) throw new ValueError({ message: `${api}: input must have rank ≥ 1, got a scalar.` });
    const n = x.shape[x.ndim - 1]!;
    if (!(Number.isInteger(k) && k >= 0 && k <= n)) {
      throw new ValueError({ message: `${api}: input must have at least k columns. Had ${n}, needed ${k} (input ${shapeText(x.shape)}); use k in [0, ${n}].` });
    }
    return lax.topK(x, k);
  }, [input], api) as Tensor[];
  return { values: values!, indices: indices! };
}
