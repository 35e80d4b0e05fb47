// Cumulative products in the numpy layer (cumsum lives with the reductions): the cumprod
// primitive along one axis, with jax.lax's `reverse`.
import type { ArrayLike, Tensor } from "../tensor.js";
import { normAxis } from "../shape.js";
import * as lax from "../lax.js";
import { astype, tensor } from "./convert.js";
import { checkOptions } from "./options.js";
import { reshape } from "./shape.js";

/**
 * The running product along an axis (of the flattened x when no axis is given; a scalar counts
 * as 1-D). Differentiable with JAX's rule (exact where entries are zero).
 * Mirrors numpy.cumprod / jax.numpy.cumprod (no `dtype`), with jax.lax.cumprod's `reverse`.
 * @param x - any shape; bool as int32.
 * @param axis - one axis (negative from the end), or none to flatten first.
 * @param opts.reverse - element i is the product of elements i… to the end; default false.
 * @returns x's shape (1-D without an axis), x's dtype.
 * @throws AxisError for an out-of-range axis.
 * @example
 * ```ts
 * np.cumprod([1, 2, 3, 4]); // → [1, 2, 6, 24]
 * np.cumprod([[1, 2], [3, 4]], 0); // → [[1, 2], [3, 8]]
 * np.cumprod([1, 2, 3], 0, { reverse: true }); // → [6, 6, 3]
 * ```
 */
export function cumprod(x: ArrayLike, axis?: number | null, opts: { reverse?: boolean } = {}): Tensor {
  checkOptions("cumprod", opts, ["reverse"]);
  let t = tensor(x, "cumprod");
  if (t.dtype === "bool") t = astype(t, "int32");
  if (axis === undefined || axis === null || t.ndim === 0) {
    t = reshape(t, [-1]);
    axis = axis === undefined || axis === null ? 0 : axis;
  }
  return lax.cumprod(t, normAxis("cumprod", axis, t.ndim), opts.reverse === true);
}
