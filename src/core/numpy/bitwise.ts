// Bitwise ops of the numpy layer (and, or, xor, invert, shifts) on int32 and bool operands;
// floats are refused with a message naming the numpy function called.
import { isFloat } from "../dtype.js";
import { DTypeError, fail } from "../errors.js";
import { fmtShape } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, coerce, tensor } from "./convert.js";

/** Operands of a bitwise op: int32 or bool, promoted together; floats are refused by name. */
function ints2(a: ArrayLike, b: ArrayLike, api: string, boolOk: boolean): [Tensor, Tensor] {
  let [x, y] = coerce([a, b], api) as [Tensor, Tensor];
  if (isFloat(x.dtype)) {
    throw fail(DTypeError, `${api}: takes int32 or bool operands, got ${x.dtype}${fmtShape(x.shape)} and ${y.dtype}${fmtShape(y.shape)}. Convert with astype("int32") first.`);
  }
  if (!boolOk && x.dtype === "bool") [x, y] = [astype(x, "int32"), astype(y, "int32")];
  return [x, y];
}
/**
 * x1 AND x2 bit by bit (logical AND for bools), elementwise with broadcasting.
 * Mirrors numpy.bitwise_and / jax.numpy.bitwise_and (int32 and bool; floats throw DTypeError).
 * @example
 * ```ts
 * np.bitwiseAnd(np.array([12, 10], { dtype: "int32" }), 6); // → [4, 2]
 * ```
 */
export const bitwiseAnd = (x1: ArrayLike, x2: ArrayLike): Tensor => lax.bitwiseAnd(...ints2(x1, x2, "bitwiseAnd", true));
/**
 * x1 OR x2 bit by bit (logical OR for bools), elementwise with broadcasting.
 * Mirrors numpy.bitwise_or / jax.numpy.bitwise_or (int32 and bool; floats throw DTypeError).
 * @example
 * ```ts
 * np.bitwiseOr(np.array([12, 10], { dtype: "int32" }), 1); // → [13, 11]
 * ```
 */
export const bitwiseOr = (x1: ArrayLike, x2: ArrayLike): Tensor => lax.bitwiseOr(...ints2(x1, x2, "bitwiseOr", true));
/**
 * x1 XOR x2 bit by bit (logical XOR for bools), elementwise with broadcasting.
 * Mirrors numpy.bitwise_xor / jax.numpy.bitwise_xor (int32 and bool; floats throw DTypeError).
 * @example
 * ```ts
 * np.bitwiseXor(np.array([12, 10], { dtype: "int32" }), 6); // → [10, 12]
 * ```
 */
export const bitwiseXor = (x1: ArrayLike, x2: ArrayLike): Tensor => lax.bitwiseXor(...ints2(x1, x2, "bitwiseXor", true));
/**
 * ~x: every bit flipped (-x - 1 for int32), NOT for bools.
 * Mirrors numpy.invert / jax.numpy.invert (int32 and bool; floats throw DTypeError).
 * @example
 * ```ts
 * np.invert(np.array([0, 5], { dtype: "int32" })); // → [-1, -6]
 * np.invert([true, false]); // → [false, true]
 * ```
 */
export function invert(x: ArrayLike): Tensor {
  const t = tensor(x, invert);
  if (isFloat(t.dtype)) throw fail(DTypeError, `invert: takes int32 or bool, got ${t.dtype}${fmtShape(t.shape)}. Convert with astype("int32") first.`);
  return lax.bitwiseNot(t);
}
/**
 * x1 << x2 on int32, elementwise with broadcasting; a count outside [0, 31] gives 0 (XLA).
 * Mirrors numpy.left_shift / jax.numpy.left_shift (bools shift as int32; floats throw DTypeError).
 * @example
 * ```ts
 * np.leftShift(np.array([1, 3], { dtype: "int32" }), 2); // → [4, 12]
 * ```
 */
export const leftShift = (x1: ArrayLike, x2: ArrayLike): Tensor => lax.shiftLeft(...ints2(x1, x2, "leftShift", false));
/**
 * x1 >> x2 on int32 with sign fill (floor(x1 / 2^x2)), elementwise with broadcasting; a count
 * outside [0, 31] leaves only the sign (0 or -1).
 * Mirrors numpy.right_shift / jax.numpy.right_shift (bools shift as int32; floats throw DTypeError).
 * @example
 * ```ts
 * np.rightShift(np.array([16, -16], { dtype: "int32" }), 2); // → [4, -4]
 * ```
 */
export const rightShift = (x1: ArrayLike, x2: ArrayLike): Tensor => lax.shiftRightArithmetic(...ints2(x1, x2, "rightShift", false));
