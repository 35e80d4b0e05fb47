// Logic and selection of the numpy layer: logical and/or/not (non-bool operands count as true
// when nonzero), where (three-argument select or one-argument indices) and clip.
import { ValueError, fail } from "../errors.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, coerce, tensor } from "./convert.js";
import { maximum, minimum } from "./math.js";
import { trueIndices } from "./true-indices.js";

function asBool(x: ArrayLike): Tensor {
  const t = tensor(x);
  return t.dtype === "bool" ? t : astype(t, "bool");
}
/**
 * a AND b, elementwise with numpy broadcasting; non-bool operands count as true when nonzero.
 * Mirrors numpy.logical_and / jax.numpy.logical_and.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.logicalAnd([true, true, false], [true, false, false]); // → [true, false, false]
 * ```
 */
export const logicalAnd = (a: ArrayLike, b: ArrayLike) => lax.and(asBool(a), asBool(b));
/**
 * a OR b, elementwise with numpy broadcasting; non-bool operands count as true when nonzero.
 * Mirrors numpy.logical_or / jax.numpy.logical_or.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.logicalOr([true, false, false], [true, true, false]); // → [true, true, false]
 * ```
 */
export const logicalOr = (a: ArrayLike, b: ArrayLike) => lax.or(asBool(a), asBool(b));
/**
 * NOT x, elementwise; a non-bool x counts as true when nonzero.
 * Mirrors numpy.logical_not / jax.numpy.logical_not.
 * @param a - any shape and dtype.
 * @returns a bool tensor of a's shape.
 * @example
 * ```ts
 * np.logicalNot([true, false]); // → [false, true]
 * np.logicalNot([0, 2]); // → [true, false]
 * ```
 */
export const logicalNot = (a: ArrayLike) => lax.not(asBool(a));

/**
 * Chooses x where cond is true and y elsewhere, elementwise; all three broadcast together. Both
 * branches are computed, so guard a NaN-producing branch's input too (the usual JAX "double where").
 * With cond alone, numpy's one-argument form: the indices of the true (nonzero) elements, one
 * int32 array per axis (it reads the values: concrete only; under jit use nonzero with a size).
 * Mirrors numpy.where / jax.numpy.where.
 * `cond` may have any shape (non-bool values count as true when nonzero); `x` gives the values
 * where cond holds, `y` those elsewhere (x and y are promoted to one dtype).
 * @returns the broadcast shape of the three, in the promoted dtype of x and y (one argument:
 *   cond.ndim int32 index arrays).
 * @throws ShapeError when the shapes do not broadcast; ValueError for x without y;
 *   ConcretizationError for the one-argument form under a trace.
 * @example
 * ```ts
 * np.where([true, false], [1, 2], [10, 20]); // → [1, 20]
 * np.where(np.greater([-1, 3], 0), [-1, 3], 0); // → [0, 3]
 * np.where([[0, 1], [2, 0]]).map((t) => t.toArray()); // → [[0, 1], [1, 0]]
 * ```
 */
export function where(cond: ArrayLike): Tensor[];
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): Tensor;
export function where(cond: ArrayLike, x?: ArrayLike, y?: ArrayLike): Tensor | Tensor[] {
  if (x === undefined && y === undefined) return trueIndices(cond);
  if (x === undefined || y === undefined) throw fail(ValueError, "where: give both x and y (the three-argument form), or neither (the indices of cond's true elements).");
  const [a, b] = coerce([x, y], "where") as [Tensor, Tensor];
  return lax.select(asBool(cond), a, b);
}
/**
 * Limits x to [lo, hi] elementwise: maximum(x, lo), then minimum with hi.
 * Mirrors numpy.clip / jax.numpy.clip (bounds positional, as numpy's a_min / a_max).
 * @param x - any shape and dtype.
 * @param lo - lower bound broadcasting with x; `null` or omitted for none.
 * @param hi - upper bound broadcasting with x; `null` or omitted for none.
 * @returns a tensor of the broadcast shape, in the promoted dtype.
 * @throws ShapeError when the bounds do not broadcast with x.
 * @example
 * ```ts
 * np.clip([-2, 0.5, 3], 0, 1); // → [0, 0.5, 1]
 * np.clip([-2, 5], null, 1); // → [-2, 1]
 * ```
 */
export function clip(x: ArrayLike, lo?: ArrayLike | null, hi?: ArrayLike | null): Tensor {
  let t = tensor(x);
  if (lo !== undefined && lo !== null) t = maximum(t, lo);
  if (hi !== undefined && hi !== null) t = minimum(t, hi);
  return t;
}
