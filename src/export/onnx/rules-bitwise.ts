// ONNX lowerings of the bitwise and remainder primitives (src/core/primitives/bitwise.ts,
// remainder.ts). Shifts go through uint32 (ONNX BitShift is for unsigned types): an arithmetic
// right shift of a negative x is ~((~x) >>> s); a shift by 32 or more gives 0 (−1 for a negative
// x shifted right), as tapir's kernels define it.
import { Graph, int, str } from "./graph.js";
import { defineOnnx, dtypeOf } from "./lower.js";

/** int32 op / bool op. */
function bitwise(name: string, intOp: string, boolOp: string): void {
  defineOnnx(name, (g, [a, b], e) => [g.op1(dtypeOf(e.inputs[0]!) === "bool" ? boolOp : intOp, [a!, b!])]);
}
bitwise("bitwise_and", "BitwiseAnd", "And");
bitwise("bitwise_or", "BitwiseOr", "Or");
bitwise("bitwise_xor", "BitwiseXor", "Xor");
defineOnnx("bitwise_not", (g, [x], e) => [g.op1(dtypeOf(e.inputs[0]!) === "bool" ? "Not" : "BitwiseNot", [x!])]);

const u32 = (g: Graph, x: string) => g.op1("Cast", [x], { to: int(12) });
const i32 = (g: Graph, x: string) => g.op1("Cast", [x], { to: int(6) });
/** Shift amounts of 32 and more (and negative ones, read unsigned): the out-of-range mask. */
const tooFar = (g: Graph, s: string) => g.op1("Greater", [u32(g, s), g.scalar(31, "uint32")]);
/** x shifted (logically) by s mod 32, on uint32 bits. */
const shift = (g: Graph, x: string, s: string, dir: "LEFT" | "RIGHT") =>
  i32(g, g.op1("BitShift", [u32(g, x), g.op1("BitwiseAnd", [u32(g, s), g.scalar(31, "uint32")])], { direction: str(dir) }));
defineOnnx("shift_left", (g, [x, s]) => [g.op1("Where", [tooFar(g, s!), g.scalar(0, "int32"), shift(g, x!, s!, "LEFT")])]);
defineOnnx("shift_right_arithmetic", (g, [x, s]) => {
  const neg = g.op1("Less", [x!, g.scalar(0, "int32")]);
  const pos = shift(g, x!, s!, "RIGHT");
  const negShift = g.op1("BitwiseNot", [shift(g, g.op1("BitwiseNot", [x!]), s!, "RIGHT")]);
  const inRange = g.op1("Where", [neg, negShift, pos]);
  return [g.op1("Where", [tooFar(g, s!), g.op1("Where", [neg, g.scalar(-1, "int32"), g.scalar(0, "int32")]), inRange])];
});
// rem: C's fmod (the sign of x) — ONNX Mod with fmod=1; an int32 remainder by 0 is 0
defineOnnx("rem", (g, [a, b], e) => {
  const d = dtypeOf(e.inputs[0]!);
  if (d !== "int32") return [g.op1("Mod", [a!, b!], { fmod: int(1) })];
  const zero = g.op1("Equal", [b!, g.scalar(0, "int32")]);
  const r = g.op1("Mod", [a!, g.op1("Where", [zero, g.scalar(1, "int32"), b!])], { fmod: int(1) });
  return [g.op1("Where", [zero, g.scalar(0, "int32"), r])];
});
