// Unary elementwise primitives: one block each, the derivative in the comment.
import { avalOf, definePrimitive, defJvp, linearJvp, zeroJvp, vectorized } from "../primitive.js";
import { bind, bind1 } from "../trace.js";
import type { DType } from "../dtype.js";
import { DTypeError, fail } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { exprFor, mapKernel, naryShape, type ExprTable } from "./util.js";
import * as ops from "../ops.js";

type UnaryJvp = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

/** An elementwise primitive on floats (and ints/bools where the table says). */
function unary<N extends string>(name: N, table: ExprTable, jvp: UnaryJvp | "zero") {
  return definePrimitive<N, {}>({
    name,
    shape: naryShape(name),
    expr: ([d]) => exprFor(name, table, d!),
    impl: ([x]) => [mapKernel(exprFor(name, table, x!.dtype), [x!], x!.dtype)],
    jvp: jvp === "zero" ? zeroJvp() : defJvp((g, [x], y) => jvp(g, x!, y)),
    batch: vectorized,
  });
}

// d(-x) = -dx (linear)
export const negP = definePrimitive({
  name: "neg",
  shape: naryShape("neg"),
  expr: ([d]) => exprFor("neg", { float: "-a0", int32: "(-a0)|0" }, d!),
  impl: ([x]) => [mapKernel(exprFor("neg", { float: "-a0", int32: "(-a0)|0" }, x!.dtype), [x!], x!.dtype)],
  jvp: linearJvp(),
  batch: vectorized,
  transpose: ([ct]) => [ct ? ops.negative(ct) : null],
});
// d sin x = cos x dx
export const sinP = unary("sin", { float: "Math.sin(a0)" }, (g, x) => ops.mul(g, ops.cos(x)));
// d cos x = -sin x dx
export const cosP = unary("cos", { float: "Math.cos(a0)" }, (g, x) => ops.negative(ops.mul(g, ops.sin(x))));
// d tan x = (1 + tan² x) dx
export const tanP = unary("tan", { float: "Math.tan(a0)" }, (g, _x, y) => ops.mul(g, ops.add(1, ops.square(y))));
// d eˣ = eˣ dx
export const expP = unary("exp", { float: "Math.exp(a0)" }, (g, _x, y) => ops.mul(g, y));
// d log x = dx / x
export const logP = unary("log", { float: "Math.log(a0)" }, (g, x) => ops.div(g, x));
// d log(1+x) = dx / (1+x)
export const log1pP = unary("log1p", { float: "Math.log1p(a0)" }, (g, x) => ops.div(g, ops.add(x, 1)));
// d (eˣ-1) = eˣ dx
export const expm1P = unary("expm1", { float: "Math.expm1(a0)" }, (g, _x, y) => ops.mul(g, ops.add(y, 1)));
// d √x = dx / (2√x)
export const sqrtP = unary("sqrt", { float: "Math.sqrt(a0)" }, (g, _x, y) => ops.div(g, ops.mul(y, 2)));
// d tanh x = (1 - tanh² x) dx
export const tanhP = unary("tanh", { float: "Math.tanh(a0)" }, (g, _x, y) => ops.mul(g, ops.sub(1, ops.square(y))));
// σ(x) = 1/(1+e⁻ˣ); dσ = σ(1-σ) dx
export const logisticP = unary("logistic", { float: "(a0 >= 0 ? 1 / (1 + Math.exp(-a0)) : Math.exp(a0) / (1 + Math.exp(a0)))" }, (g, _x, y) =>
  ops.mul(g, ops.mul(y, ops.sub(1, y))),
);
// d asin x = dx / √(1-x²)
export const asinP = unary("asin", { float: "Math.asin(a0)" }, (g, x) => ops.div(g, ops.sqrt(ops.sub(1, ops.square(x)))));
// d acos x = -dx / √(1-x²)
export const acosP = unary("acos", { float: "Math.acos(a0)" }, (g, x) => ops.negative(ops.div(g, ops.sqrt(ops.sub(1, ops.square(x))))));
// d atan x = dx / (1+x²)
export const atanP = unary("atan", { float: "Math.atan(a0)" }, (g, x) => ops.div(g, ops.add(1, ops.square(x))));
// d sinh x = cosh x dx
export const sinhP = unary("sinh", { float: "Math.sinh(a0)" }, (g, x) => ops.mul(g, ops.cosh(x)));
// d cosh x = sinh x dx
export const coshP = unary("cosh", { float: "Math.cosh(a0)" }, (g, x) => ops.mul(g, ops.sinh(x)));
// d|x| = sign(x) dx
export const absP = unary("abs", { float: "Math.abs(a0)", int32: "Math.abs(a0)|0" }, (g, x) => ops.mul(g, ops.sign(x)));
// sign, floor, ceil, round: piecewise constant, zero derivative
export const signP = unary("sign", { float: "(a0 > 0 ? 1 : a0 < 0 ? -1 : a0)", int32: "(a0 > 0 ? 1 : a0 < 0 ? -1 : 0)" }, "zero");
export const floorP = unary("floor", { float: "Math.floor(a0)", int32: "a0" }, "zero");
export const ceilP = unary("ceil", { float: "Math.ceil(a0)", int32: "a0" }, "zero");
// round half to even, as numpy does
export const roundP = unary("round", { float: "(Math.abs(a0 % 1) === 0.5 ? 2 * Math.round(a0 / 2) : Math.round(a0))", int32: "a0" }, "zero");

/** Predicates with bool output (zero derivative). */
function predicate<N extends string>(name: N, table: ExprTable) {
  return definePrimitive<N, {}>({
    name,
    shape: naryShape(name, "bool"),
    expr: ([d]) => exprFor(name, table, d!),
    impl: ([x]) => [mapKernel(exprFor(name, table, x!.dtype), [x!], "bool")],
    jvp: zeroJvp(),
    batch: vectorized,
  });
}
export const notP = predicate("not", { bool: "(a0 ? 0 : 1)", int32: "(a0 ? 0 : 1)" });
export const isnanP = predicate("isnan", { float: "(a0 !== a0 ? 1 : 0)", int32: "0", bool: "0" });
export const isfiniteP = predicate("isfinite", { float: "(Number.isFinite(a0) ? 1 : 0)", int32: "1", bool: "1" });

/** Conversion expressions into each dtype. */
function convertExpr(to: DType): string {
  switch (to) {
    case "float32":
    case "float64":
      return "a0";
    case "int32":
      return "(a0 | 0)";
    case "bool":
      return "(a0 !== 0 ? 1 : 0)";
    default:
      return to satisfies never;
  }
}
const isF = (d: DType) => d === "float32" || d === "float64";

// astype: linear between float dtypes, zero derivative to/from ints and bools
export const convertP = definePrimitive<"convert", { dtype: DType }>({
  name: "convert",
  shape: ([x], { dtype }) => [{ shape: x!.shape, dtype }],
  expr: (_d, { dtype }) => convertExpr(dtype),
  impl: ([x], { dtype }) => [mapKernel(convertExpr(dtype), [x!], dtype)],
  jvp: ([x], [t], params, self) => [
    bind(self, [x!], params),
    [t && isF(x!.dtype) && isF(params.dtype) ? bind1(self, [t], params) : null],
  ],
  batch: vectorized,
  transpose: ([ct], [x]) => [ct ? ops.astype(ct, avalOf(x!).dtype) : null],
});

// stop_gradient: identity whose derivative is zero
export const stopGradientP = definePrimitive({
  name: "stop_gradient",
  shape: naryShape("stop_gradient"),
  expr: () => "a0",
  impl: ([x]) => [mapKernel("a0", [x!], x!.dtype)],
  jvp: zeroJvp(),
  batch: vectorized,
});

const unitExpr = (dtype: DType) => (dtype === "float32" ? "((a0 >>> 9) * 1.1920928955078125e-7)" : "((a0 >>> 0) * 2.3283064365386963e-10)");
// random_unit: 32 random bits (int32) to a float in [0, 1)
export const randomUnitP = definePrimitive<"random_unit", { dtype: DType }>({
  name: "random_unit",
  shape: ([x], { dtype }) => {
    if (x!.dtype !== "int32") throw fail(DTypeError, `random_unit: expects int32 bits, got ${x!.dtype}`);
    return [{ shape: x!.shape, dtype }];
  },
  expr: (_d, { dtype }) => unitExpr(dtype),
  impl: ([x], { dtype }) => [mapKernel(unitExpr(dtype), [x!], dtype)],
  jvp: zeroJvp(),
  batch: vectorized,
});
