// Unary elementwise primitives: one block each, the derivative in the comment.
import { avalOf, definePrimitive, defJvp, defLinear, zeroJvp, vectorized, type JvpRule, type Prim } from "../primitive.js";
import { bind1 } from "../trace.js";
import type { DType } from "../dtype.js";
import { DTypeError, fail } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { exprFor, mapKernel, naryShape, type ExprTable } from "./util.js";
import { add, convert, cos, cosh, div, ge, mul, neg, scalarLike, select, sin, sinh, sqrt, square, sub } from "../lax.js";

/**
 * An elementwise primitive of one operand, its scalar expression per dtype in `table`; `jvp` is
 * the derivative rule (g, x, y = f(x)) ↦ f'(x)·g, or "zero" for a piecewise-constant f.
 */
function unary<N extends string>(name: N, table: ExprTable, jvp: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | "zero"): Prim<N, {}> {
  return definePrimitive<N, {}, 1>({
    name,
    abstractEval: naryShape(name),
    expr: ([d]) => exprFor(name, table, d),
    impl: ([x]) => [mapKernel(exprFor(name, table, x.dtype), [x], x.dtype)],
    jvp: jvp === "zero" ? zeroJvp() : defJvp<{}, 1>((g, [x], y) => jvp(g, x, y)),
    batch: vectorized,
  });
}
const one = (x: Tensor) => scalarLike(x, 1);

// d(-x) = -dx (linear)
export const negP = defLinear<"neg">({
  name: "neg",
  abstractEval: naryShape("neg"),
  expr: ([d]) => exprFor("neg", { float: "-a0", int32: "(-a0)|0" }, d),
  impl: ([x]) => [mapKernel(exprFor("neg", { float: "-a0", int32: "(-a0)|0" }, x.dtype), [x], x.dtype)],
  batch: vectorized,
  transpose: ([ct]) => [neg(ct)],
});
// d sin x = cos x dx
export const sinP = unary("sin", { float: "Math.sin(a0)" }, (g, x) => mul(g, cos(x)));
// d cos x = -sin x dx
export const cosP = unary("cos", { float: "Math.cos(a0)" }, (g, x) => neg(mul(g, sin(x))));
// d tan x = (1 + tan² x) dx
export const tanP = unary("tan", { float: "Math.tan(a0)" }, (g, _x, y) => mul(g, add(one(y), square(y))));
// d eˣ = eˣ dx
export const expP = unary("exp", { float: "Math.exp(a0)" }, (g, _x, y) => mul(g, y));
// d log x = dx / x
export const logP = unary("log", { float: "Math.log(a0)" }, (g, x) => div(g, x));
// d log(1+x) = dx / (1+x)
export const log1pP = unary("log1p", { float: "Math.log1p(a0)" }, (g, x) => div(g, add(x, one(x))));
// d (eˣ-1) = eˣ dx
export const expm1P = unary("expm1", { float: "Math.expm1(a0)" }, (g, _x, y) => mul(g, add(y, one(y))));
// d √x = dx / (2√x)
export const sqrtP = unary("sqrt", { float: "Math.sqrt(a0)" }, (g, _x, y) => div(g, mul(y, scalarLike(y, 2))));
// d tanh x = (1 - tanh² x) dx
export const tanhP = unary("tanh", { float: "Math.tanh(a0)" }, (g, _x, y) => mul(g, sub(one(y), square(y))));
// σ(x) = 1/(1+e⁻ˣ); dσ = σ(1-σ) dx
export const logisticP = unary("logistic", { float: "(a0 >= 0 ? 1 / (1 + Math.exp(-a0)) : Math.exp(a0) / (1 + Math.exp(a0)))" }, (g, _x, y) =>
  mul(g, mul(y, sub(one(y), y))),
);
// d asin x = dx / √(1-x²)
export const asinP = unary("asin", { float: "Math.asin(a0)" }, (g, x) => div(g, sqrt(sub(one(x), square(x)))));
// d acos x = -dx / √(1-x²)
export const acosP = unary("acos", { float: "Math.acos(a0)" }, (g, x) => neg(div(g, sqrt(sub(one(x), square(x))))));
// d atan x = dx / (1+x²)
export const atanP = unary("atan", { float: "Math.atan(a0)" }, (g, x) => div(g, add(one(x), square(x))));
// d ∛x = dx / (3 ∛x²); its own kernel because pow(|x|, 1/3) is not exact at perfect cubes (∛1000)
export const cbrtP = unary("cbrt", { float: "Math.cbrt(a0)" }, (g, _x, y) => div(g, mul(scalarLike(y, 3), square(y))));
// d sinh x = cosh x dx
export const sinhP = unary("sinh", { float: "Math.sinh(a0)" }, (g, x) => mul(g, cosh(x)));
// d cosh x = sinh x dx
export const coshP = unary("cosh", { float: "Math.cosh(a0)" }, (g, x) => mul(g, sinh(x)));
// d|x| = dx where x ≥ 0 (at 0 and -0 too, as JAX's rule), -dx below; bool is its own |x|
export const absP = unary("abs", { float: "Math.abs(a0)", int32: "Math.abs(a0)|0", bool: "a0" }, (g, x) => select(ge(x, scalarLike(x, 0)), g, neg(g)));
// sign, floor, ceil, round: piecewise constant, zero derivative
export const signP = unary("sign", { float: "(a0 > 0 ? 1 : a0 < 0 ? -1 : a0)", int32: "(a0 > 0 ? 1 : a0 < 0 ? -1 : 0)" }, "zero");
export const floorP = unary("floor", { float: "Math.floor(a0)", int32: "a0", bool: "a0" }, "zero");
export const ceilP = unary("ceil", { float: "Math.ceil(a0)", int32: "a0", bool: "a0" }, "zero");
// round half to even, as numpy does
export const roundP = unary("round", { float: "(Math.abs(a0 % 1) === 0.5 ? 2 * Math.round(a0 / 2) : Math.round(a0))", int32: "a0" }, "zero");

/** Predicates with bool output (zero derivative). */
function predicate<N extends string>(name: N, table: ExprTable): Prim<N, {}> {
  return definePrimitive<N, {}, 1>({
    name,
    abstractEval: naryShape(name, "bool"),
    expr: ([d]) => exprFor(name, table, d),
    impl: ([x]) => [mapKernel(exprFor(name, table, x.dtype), [x], "bool")],
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
      // truncation toward zero, saturating at the int32 range with NaN → 0, as XLA converts
      // (a bare `a0 | 0` wraps: 1e10 would become 1410065408)
      return "(a0 !== a0 ? 0 : a0 >= 2147483647 ? 2147483647 : a0 <= -2147483648 ? -2147483648 : a0 | 0)";
    case "bool":
      return "(a0 !== 0 ? 1 : 0)";
    default:
      return to satisfies never;
  }
}
const isF = (d: DType) => d === "float32" || d === "float64";

type ConvertParams = { dtype: DType };
/** Float-to-float conversion carries the tangent; to or from ints and bools it is zero. */
const convertJvp: JvpRule<ConvertParams, 1> = ([x], [t], params, self) => [
  [bind1(self, [x], params)],
  [t && isF(x.dtype) && isF(params.dtype) ? bind1(self, [t], params) : null],
];
// astype: linear between float dtypes, zero derivative to/from ints and bools
export const convertP = defLinear<"convert", ConvertParams>({
  name: "convert",
  abstractEval: ([x], { dtype }) => [{ shape: x.shape, dtype }],
  expr: (_d, { dtype }) => convertExpr(dtype),
  impl: ([x], { dtype }) => [mapKernel(convertExpr(dtype), [x], dtype)],
  batch: vectorized,
  jvp: convertJvp,
  transpose: ([ct], [x]) => [convert(ct, avalOf(x).dtype)],
});

// stop_gradient: identity whose derivative is zero
export const stopGradientP = definePrimitive<"stop_gradient", {}, 1>({
  name: "stop_gradient",
  abstractEval: naryShape("stop_gradient"),
  expr: () => "a0",
  impl: ([x]) => [mapKernel("a0", [x], x.dtype)],
  jvp: zeroJvp(),
  batch: vectorized,
});

type UnitParams = { dtype: DType };
const unitExpr = (dtype: DType) => (dtype === "float32" ? "((a0 >>> 9) * 1.1920928955078125e-7)" : "((a0 >>> 0) * 2.3283064365386963e-10)");
// random_unit: 32 random bits (int32) to a float in [0, 1)
export const randomUnitP = definePrimitive<"random_unit", UnitParams, 1>({
  name: "random_unit",
  abstractEval: ([x], { dtype }) => {
    if (x.dtype !== "int32") throw fail(DTypeError, `random_unit: expects int32 bits, got ${x.dtype}`);
    return [{ shape: x.shape, dtype }];
  },
  expr: (_d, { dtype }) => unitExpr(dtype),
  impl: ([x], { dtype }) => [mapKernel(unitExpr(dtype), [x], dtype)],
  jvp: zeroJvp(),
  batch: vectorized,
});
