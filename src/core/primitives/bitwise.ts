// Bitwise and shift primitives on int32 (and bools for and/or/xor/not): integer-only kernels
// with no derivative (no float input reaches them).
import { definePrimitive, zeroJvp, vectorized } from "../primitive.js";
import { exprFor, mapKernel, naryShape, type ExprTable } from "./util.js";
import { binary } from "./binary.js";

/** An integer binary op: zero derivative (its inputs are never float). */
const intBinary = <N extends string>(name: N, table: ExprTable) => binary(name, table, { jvp: zeroJvp() });

// x & y bit by bit (logical AND on bools)
export const bitwiseAndP = intBinary("bitwise_and", { int32: "(a0 & a1)", bool: "(a0 & a1)" });
// x | y bit by bit (logical OR on bools)
export const bitwiseOrP = intBinary("bitwise_or", { int32: "(a0 | a1)", bool: "(a0 | a1)" });
// x ^ y bit by bit (logical XOR on bools)
export const bitwiseXorP = intBinary("bitwise_xor", { int32: "(a0 ^ a1)", bool: "(a0 ^ a1)" });
// x << y; the shift count is read unsigned, and a count ≥ 32 shifts every bit out (XLA's
// semantics, where JS's << would take the count mod 32)
export const shiftLeftP = intBinary("shift_left", { int32: "((a1 >>> 0) > 31 ? 0 : a0 << a1)" });
// x >> y with sign fill (numpy's right_shift on signed ints); a count ≥ 32 leaves only the sign
export const shiftRightP = intBinary("shift_right_arithmetic", { int32: "((a1 >>> 0) > 31 ? (a0 < 0 ? -1 : 0) : a0 >> a1)" });

const NOT: ExprTable = { int32: "(~a0)", bool: "(a0 ? 0 : 1)" };
// ~x: every bit flipped (two's complement: ~x = -x - 1); NOT on bools
export const bitwiseNotP = definePrimitive<"bitwise_not", {}, 1>({
  name: "bitwise_not",
  abstractEval: naryShape("bitwise_not"),
  expr: ([d]) => exprFor("bitwise_not", NOT, d),
  impl: ([x]) => [mapKernel(exprFor("bitwise_not", NOT, x.dtype), [x], x.dtype, "bitwise_not")],
  jvp: zeroJvp(),
  batch: vectorized,
});
