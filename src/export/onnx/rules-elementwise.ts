// ONNX lowerings of the elementwise primitives (unary, binary, comparisons, select, convert).
// ONNX elementwise ops broadcast as numpy does, as tapir's do. Where ONNX has no op or a
// different edge rule, the comment gives the formula used.
import type { DType } from "../../core/dtype.js";
import type { Eqn } from "../../core/ir.js";
import { Graph, int } from "./graph.js";
import { avalIn, avalOut, defineOnnx, dtypeOf } from "./lower.js";

const isF = (d: DType) => d === "float32" || d === "float64";
const one = (g: Graph, d: DType) => g.scalar(1, d);

/** A unary op that is the identity on ints and bools (floor, ceil, round). */
function unary(name: string, op: string, intIdentity = false): void {
  defineOnnx(name, (g, [x], e) => [intIdentity && !isF(dtypeOf(e.inputs[0]!)) ? g.op1("Identity", [x!]) : g.op1(op, [x!])]);
}
for (const [n, op] of [
  ["sin", "Sin"],
  ["cos", "Cos"],
  ["exp", "Exp"],
  ["log", "Log"],
  ["sqrt", "Sqrt"],
  ["tanh", "Tanh"],
  ["logistic", "Sigmoid"],
  ["neg", "Neg"],
] as const) unary(n, op);
unary("floor", "Floor", true);
unary("ceil", "Ceil", true);
unary("round", "Round", true); // ONNX Round rounds half to even, as numpy

// onnxruntime's CPU kernels of Tan, Asin, Acos, Atan, Sinh and Cosh are float32 only: float64
// goes through identities over ops it has in double (Sin, Cos, Exp, Sqrt) and Cephes' atan.
/** float32: the ONNX op; float64: `f64(x)`. */
function unaryF64(name: string, op: string, f64: (g: Graph, x: string, d: DType) => string): void {
  defineOnnx(name, (g, [x], e) => {
    const d = dtypeOf(e.inputs[0]!);
    return [d === "float64" ? f64(g, x!, d) : g.op1(op, [x!])];
  });
}
const MOREBITS = 6.123233995736765886130e-17; // π/2 − fl(π/2)
const ATAN_P = [-8.750608600031904122785e-1, -1.615753718733365076637e1, -7.500855792314704667340e1, -1.228866684490136173410e2, -6.485021904942025371773e1];
const ATAN_Q = [2.485846490142306297962e1, 1.650270098316988542046e2, 4.328810604912902668951e2, 4.853903996359136964868e2, 1.945506571482613964425e2];
/**
 * atan in double (Cephes atan.c): |x| reduced to [0, 0.66] by atan x = π/2 + atan(−1/x) above
 * tan(3π/8) and π/4 + atan((x−1)/(x+1)) above 0.66, then x + x·z·P(z)/Q(z), z = x².
 */
export function atanF64(g: Graph, x: string, d: DType = "float64"): string {
  if (d !== "float64") return g.op1("Atan", [x]);
  const c = (v: number) => g.scalar(v, "float64");
  const ax = g.op1("Abs", [x]);
  const big = g.op1("Greater", [ax, c(2.414213562373095048802)]);
  const mid = g.op1("Greater", [ax, c(0.66)]);
  const rBig = g.op1("Div", [c(-1), ax]);
  const rMid = g.op1("Div", [g.op1("Sub", [ax, c(1)]), g.op1("Add", [ax, c(1)])]);
  const r = g.op1("Where", [big, rBig, g.op1("Where", [mid, rMid, ax])]);
  const y0 = g.op1("Where", [big, c(Math.PI / 2 + 0), g.op1("Where", [mid, c(Math.PI / 4), c(0)])]);
  const extra = g.op1("Where", [big, c(MOREBITS), g.op1("Where", [mid, c(0.5 * MOREBITS), c(0)])]);
  const z = g.op1("Mul", [r, r]);
  const poly = (coef: number[], lead1: boolean) => {
    let acc = lead1 ? g.op1("Add", [z, c(coef[0]!)]) : c(coef[0]!);
    for (const k of coef.slice(1)) acc = g.op1("Add", [g.op1("Mul", [acc, z]), c(k)]);
    return acc;
  };
  const t = g.op1("Div", [g.op1("Mul", [z, poly(ATAN_P, false)]), poly(ATAN_Q, true)]);
  const res = g.op1("Add", [g.op1("Add", [y0, g.op1("Add", [g.op1("Mul", [r, t]), extra])]), r]);
  // odd: the sign of x back (NaN stays NaN through the arithmetic)
  return g.op1("Where", [g.op1("Less", [x, c(0)]), g.op1("Neg", [res]), res]);
}
unaryF64("atan", "Atan", (g, x) => atanF64(g, x));
// tan = sin / cos
unaryF64("tan", "Tan", (g, x) => g.op1("Div", [g.op1("Sin", [x]), g.op1("Cos", [x])]));
// asin x = atan(x / √((1−x)(1+x))), acos x = 2·atan(√((1−x)/(1+x))) (no cancellation near ±1)
unaryF64("asin", "Asin", (g, x, d) => atanF64(g, g.op1("Div", [x, g.op1("Sqrt", [g.op1("Mul", [g.op1("Sub", [one(g, d), x]), g.op1("Add", [one(g, d), x])])])])));
unaryF64("acos", "Acos", (g, x, d) => g.op1("Mul", [g.scalar(2, d), atanF64(g, g.op1("Sqrt", [g.op1("Div", [g.op1("Sub", [one(g, d), x]), g.op1("Add", [one(g, d), x])])]))]));
// sinh = (eˣ − e⁻ˣ)/2, cosh = (eˣ + e⁻ˣ)/2
const expPair = (g: Graph, x: string): [string, string] => {
  const u = g.op1("Exp", [x]);
  return [u, g.op1("Exp", [g.op1("Neg", [x])])];
};
unaryF64("sinh", "Sinh", (g, x, d) => g.op1("Mul", [g.op1("Sub", expPair(g, x)), g.scalar(0.5, d)]));
unaryF64("cosh", "Cosh", (g, x, d) => g.op1("Mul", [g.op1("Add", expPair(g, x)), g.scalar(0.5, d)]));
defineOnnx("abs", (g, [x], e) => [dtypeOf(e.inputs[0]!) === "bool" ? g.op1("Identity", [x!]) : g.op1("Abs", [x!])]);
// sign: -1/0/1, and NaN and ±0 map to themselves for floats (x where x is 0 or NaN)
defineOnnx("sign", (g, [x], e) => {
  const d = dtypeOf(e.inputs[0]!);
  const s = g.op1("Sign", [x!]);
  if (!isF(d)) return [s];
  const keep = g.op1("Or", [g.op1("Equal", [x!, g.scalar(0, d)]), g.op1("IsNaN", [x!])]);
  return [g.op1("Where", [keep, x!, s])];
});
// log1p(x) = log(u)·x/(u−1) with u = 1+x (exact where u rounds to 1: then x itself)
defineOnnx("log1p", (g, [x], e) => {
  const d = dtypeOf(e.inputs[0]!);
  const u = g.op1("Add", [x!, one(g, d)]);
  const um1 = g.op1("Sub", [u, one(g, d)]);
  const r = g.op1("Div", [g.op1("Mul", [g.op1("Log", [u]), x!]), um1]);
  const inf = g.op1("IsInf", [x!]);
  return [g.op1("Where", [g.op1("Or", [g.op1("Equal", [u, one(g, d)]), inf]), g.op1("Where", [inf, g.op1("Log", [u]), x!]), r])];
});
// expm1(x) = (u−1)·x/log(u) with u = eˣ (Kahan); x where u rounds to 1, −1 where u−1 = −1, u at +∞
defineOnnx("expm1", (g, [x], e) => {
  const d = dtypeOf(e.inputs[0]!);
  const u = g.op1("Exp", [x!]);
  const um1 = g.op1("Sub", [u, one(g, d)]);
  const r = g.op1("Div", [g.op1("Mul", [um1, x!]), g.op1("Log", [u])]);
  const atOne = g.op1("Equal", [u, one(g, d)]);
  const atMinus = g.op1("Equal", [um1, g.scalar(-1, d)]);
  const atInf = g.op1("IsInf", [u]);
  return [g.op1("Where", [atOne, x!, g.op1("Where", [g.op1("Or", [atMinus, atInf]), um1, r])])];
});

// predicates
defineOnnx("not", (g, [x], e) => [dtypeOf(e.inputs[0]!) === "bool" ? g.op1("Not", [x!]) : g.op1("Equal", [x!, g.scalar(0, dtypeOf(e.inputs[0]!))])]);
/** A bool tensor of the output's shape, all `v` (isnan of an int, isfinite of a bool…). */
const constBool = (g: Graph, e: Eqn, v: boolean) => g.op1("Expand", [g.scalar(v ? 1 : 0, "bool"), g.i64(avalOut(e).shape)]);
defineOnnx("isnan", (g, [x], e) => [isF(dtypeOf(e.inputs[0]!)) ? g.op1("IsNaN", [x!]) : constBool(g, e, false)]);
defineOnnx("isfinite", (g, [x], e) => [isF(dtypeOf(e.inputs[0]!)) ? g.op1("Not", [g.op1("Or", [g.op1("IsNaN", [x!]), g.op1("IsInf", [x!])])]) : constBool(g, e, true)]);

/** ONNX TensorProto codes for Cast's `to`. */
const CAST_TO: Record<DType, number> = { float32: 1, int32: 6, bool: 9, float64: 11 };
export const cast = (g: Graph, x: string, to: DType) => g.op1("Cast", [x], { to: int(CAST_TO[to]) });
// float→int32 as XLA converts: toward zero (Cast), saturating at the int32 range, NaN → 0
// (a bare Cast of an out-of-range float is undefined in C++)
defineOnnx("convert", (g, [x], e) => {
  const from = dtypeOf(e.inputs[0]!);
  const to = avalOut(e).dtype;
  if (from === to) return [g.op1("Identity", [x!])];
  const y = cast(g, x!, to);
  if (to !== "int32" || !isF(from)) return [y];
  // float32 has no 2³¹−1: x ≥ 2³¹ there is exactly x ≥ 2³¹−1
  const hi = g.op1("GreaterOrEqual", [x!, g.scalar(from === "float32" ? 2 ** 31 : 2 ** 31 - 1, from)]);
  const lo = g.op1("LessOrEqual", [x!, g.scalar(-(2 ** 31), from)]);
  const sat = g.op1("Where", [hi, g.scalar(2 ** 31 - 1, "int32"), g.op1("Where", [lo, g.scalar(-(2 ** 31), "int32"), y])]);
  return [g.op1("Where", [g.op1("IsNaN", [x!]), g.scalar(0, "int32"), sat])];
});
defineOnnx("stop_gradient", (g, [x]) => [g.op1("Identity", [x!])]);
// random_unit: float32 (bits >>> 9)·2⁻²³, float64 (bits >>> 0)·2⁻³², via uint32 bits
defineOnnx("random_unit", (g, [x], e) => {
  const d = avalOut(e).dtype;
  let u = g.op1("Cast", [x!], { to: int(12) });
  if (d === "float32") u = g.op1("BitShift", [u, g.scalar(9, "uint32")], { direction: { kind: "string", v: "RIGHT" } });
  return [g.op1("Mul", [cast(g, u, d), g.scalar(d === "float32" ? 2 ** -23 : 2 ** -32, d)])];
});

// ------------------------------------------------------------------ binary

/** An op on floats and ints, another on bools (add → Or, mul → And…). */
function binary(name: string, op: string, boolOp?: string): void {
  defineOnnx(name, (g, [a, b], e) => [g.op1(dtypeOf(e.inputs[0]!) === "bool" && boolOp ? boolOp : op, [a!, b!])]);
}
binary("add", "Add", "Or");
binary("sub", "Sub");
binary("mul", "Mul", "And");
binary("pow", "Pow"); // std::pow: C's pow, as tapir's (pow(1, NaN) = 1)
binary("max", "Max", "Or");
binary("min", "Min", "And");
// int32 division floors and gives 0 for a zero divisor: (a − mod(a, b)) / b, mod with the
// divisor's sign (ONNX Mod fmod=0); the divisor is made nonzero first (ONNX Div by 0 traps)
defineOnnx("div", (g, [a, b], e) => {
  const d = dtypeOf(e.inputs[0]!);
  if (isF(d)) return [g.op1("Div", [a!, b!])];
  const zero = g.op1("Equal", [b!, g.scalar(0, d)]);
  const safe = g.op1("Where", [zero, g.scalar(1, d), b!]);
  const q = g.op1("Div", [g.op1("Sub", [a!, g.op1("Mod", [a!, safe], { fmod: int(0) })]), safe]);
  return [g.op1("Where", [zero, g.scalar(0, d), q])];
});
// atan2(y, x) from atan(y/x) by quadrant: +π where x<0≤y, −π where x<0 and y<0; ±π/2 on x=0
defineOnnx("atan2", (g, [y, x], e) => {
  const d = dtypeOf(e.inputs[0]!);
  const zero = g.scalar(0, d);
  const base = atanF64(g, g.op1("Div", [y!, x!]), d);
  const xNeg = g.op1("Less", [x!, zero]);
  const yNeg = g.op1("Less", [y!, zero]);
  const shift = g.op1("Where", [yNeg, g.scalar(-Math.PI, d), g.scalar(Math.PI, d)]);
  const r = g.op1("Where", [xNeg, g.op1("Add", [base, shift]), base]);
  const xZero = g.op1("Equal", [x!, zero]);
  const axis = g.op1("Where", [yNeg, g.scalar(-Math.PI / 2, d), g.op1("Where", [g.op1("Equal", [y!, zero]), zero, g.scalar(Math.PI / 2, d)])]);
  return [g.op1("Where", [xZero, axis, r])];
});

/** Comparisons: bools are compared as int32 (ONNX's Less/Greater take no bool). */
function compare(name: string, op: string, negate = false): void {
  defineOnnx(name, (g, [a, b], e) => {
    let [x, y] = [a!, b!];
    if (dtypeOf(e.inputs[0]!) === "bool" && op !== "Equal") [x, y] = [cast(g, x, "int32"), cast(g, y, "int32")];
    const r = g.op1(op, [x, y]);
    return [negate ? g.op1("Not", [r]) : r];
  });
}
compare("lt", "Less");
compare("le", "LessOrEqual");
compare("gt", "Greater");
compare("ge", "GreaterOrEqual");
compare("eq", "Equal");
compare("ne", "Equal", true);
/** and/or: on int32, truthiness first. */
function logical(name: string, op: string): void {
  defineOnnx(name, (g, [a, b], e) => {
    const d = dtypeOf(e.inputs[0]!);
    const t = (x: string) => (d === "bool" ? x : g.op1("Not", [g.op1("Equal", [x, g.scalar(0, d)])]));
    return [g.op1(op, [t(a!), t(b!)])];
  });
}
logical("and", "And");
logical("or", "Or");
defineOnnx("select", (g, [p, a, b], e) => {
  const pd = avalIn(e, 0).dtype;
  const pred = pd === "bool" ? p! : g.op1("Not", [g.op1("Equal", [p!, g.scalar(0, pd)])]);
  return [g.op1("Where", [pred, a!, b!])];
});
// cbrt (wt-npsurf): sign(x)·|x|^(1/3) (within an ulp or two of the correctly rounded ∛x)
defineOnnx("cbrt", (g, [x], e) => {
  const d = dtypeOf(e.inputs[0]!);
  const r = g.op1("Pow", [g.op1("Abs", [x!]), g.scalar(1 / 3, d)]);
  return [g.op1("Where", [g.op1("Less", [x!, g.scalar(0, d)]), g.op1("Neg", [r]), r])];
});
