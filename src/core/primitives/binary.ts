// Binary (and ternary select) elementwise primitives with numpy broadcasting.
import { avalOf, bilinearRules, defJvp, defLinear, definePrimitive, notLinear, vectorized, zeroJvp, UndefPrimal, type Differentiation, type JvpRule, type Prim, type Tan, type TransposeArg } from "../primitive.js";
import type { DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { broadcastShapes } from "../shape.js";
import { bind1 } from "../trace.js";
import { exprFor, mapKernel, naryShape, type ExprTable } from "./util.js";
import { add, broadcastTo, div, eq, gt, log, lt, mul, neg, pow, scalarLike, select, square, sub, sumToShape, zerosLike } from "../lax.js";

/**
 * An elementwise primitive of two operands of one dtype (broadcast as numpy does), its scalar
 * expression per dtype in `table`, its derivative rules in `rules`; `out` fixes the result dtype.
 */
export function binary<N extends string>(name: N, table: ExprTable, rules: Differentiation<{}, 2>, out?: DType): Prim<N, {}> {
  return definePrimitive<N, {}, 2>({
    name,
    abstractEval: naryShape(name, out),
    expr: ([d]) => exprFor(name, table, d),
    impl: ([a, b]) => [mapKernel(exprFor(name, table, a.dtype), [a, b], out ?? a.dtype, name)],
    batch: vectorized,
    ...rules,
  });
}
/** Sums a cotangent to an operand's shape when that operand is the linear one. */
const ctFor = (ct: Tensor, x: TransposeArg): Tan => (x instanceof UndefPrimal ? sumToShape(ct, x.aval.shape) : null);
const zero = (x: Tensor) => scalarLike(x, 0);
const one = (x: Tensor) => scalarLike(x, 1);

// d(x+y) = dx + dy (linear)
export const addP = binary(
  "add",
  { float: "a0 + a1", int32: "(a0 + a1) | 0", bool: "(a0 || a1) ? 1 : 0" },
  { linearity: "linear", jvp: defJvp((g) => g, (g) => g), transpose: ([ct], [x, y]) => [ctFor(ct, x), ctFor(ct, y)] },
);
// d(x-y) = dx - dy (linear)
export const subP = binary(
  "sub",
  { float: "a0 - a1", int32: "(a0 - a1) | 0" },
  {
    linearity: "linear",
    jvp: defJvp((g) => g, (g) => neg(g)),
    transpose: ([ct], [x, y]) => [ctFor(ct, x), y instanceof UndefPrimal ? ctFor(neg(ct), y) : null],
  },
);
// d(xy) = y dx + x dy (bilinear)
export const mulP = binary(
  "mul",
  { float: "a0 * a1", int32: "Math.imul(a0, a1)", bool: "(a0 && a1) ? 1 : 0" },
  bilinearRules<{}>("mul", (ct, y, x) => sumToShape(mul(ct, y), x.shape), (ct, x, y) => sumToShape(mul(x, ct), y.shape)),
);
// d(x/y) = dx/y - (x/y) dy/y (linear in the numerator)
export const divP = binary(
  "div",
  { float: "a0 / a1", int32: "(a1 === 0 ? 0 : Math.floor(a0 / a1)) | 0" },
  {
    linearity: "linear",
    jvp: defJvp((g, [, y]) => div(g, y), (g, [, y], out) => neg(mul(g, div(out, y)))),
    transpose: ([ct], [x, y]) => {
      if (y instanceof UndefPrimal) throw notLinear("division by a value that depends on them");
      return [ctFor(div(ct, y), x), null];
    },
  },
);
// d(xʸ) = y xʸ⁻¹ dx + log(x) xʸ dy, as JAX writes it: no case for y = 0 (d/dx x⁰ at x = 0 is
// 0·∞ = NaN), and log(x) read as log(1) = 0 where x = 0 (d/dy 0ʸ is 0 for y ≥ 0, NaN below).
//
// Values follow C's pow, which XLA implements and JS's Math.pow does not: pow(1, y) = 1 for
// every y (NaN too) and pow(-1, ±∞) = 1; Math.pow gives NaN for all three. Integers: JAX's
// binary exponentiation over the exponent's low 6 bits in wrapping int32 arithmetic, 0ʸ = 0 for
// y ≠ 0 (exact for 0 ≤ y < 64; JAX calls other exponents implementation-defined, and this is
// its definition, bit for bit).
const powFloat = "(a0 === 1 || (a0 === -1 && (a1 === Infinity || a1 === -Infinity)) ? 1 : Math.pow(a0, a1))";
const powInt = "((x, y) => { let r = x === 0 && y !== 0 ? 0 : 1; for (let k = 0; k < 6; k++, y >>>= 1) { if (y & 1) r = Math.imul(r, x); x = Math.imul(x, x); } return r; })(a0, a1)";
export const powP = binary(
  "pow",
  { float: powFloat, int32: powInt },
  {
    jvp: defJvp(
      (g, [x, y]) => mul(g, mul(y, pow(x, sub(y, one(y))))),
      (g, [x], out) => mul(g, mul(log(select(eq(x, zero(x)), one(x), x)), out)),
    ),
  },
);

/** Where x wins a max (or a min, with `less`): 1, ½ at ties, else 0, in x's dtype. */
const winMask = (x: Tensor, y: Tensor, less: boolean) =>
  select(less ? lt(x, y) : gt(x, y), one(x), select(eq(x, y), scalarLike(x, 0.5), zero(x)));
// d max(x,y) = [x>y] dx + [y>x] dy (½ each at ties, as JAX's balanced rule). NaN wins; of two
// zeros +0 wins (a0 + a1 is -0 only when both are -0), as XLA's max.
export const maxP = binary(
  "max",
  { float: "(a0 > a1 || a0 !== a0 ? a0 : a0 < a1 || a1 !== a1 ? a1 : a0 === 0 ? a0 + a1 : a0)", int32: "(a0 > a1 ? a0 : a1)", bool: "(a0 || a1) ? 1 : 0" },
  { jvp: defJvp((g, [x, y]) => mul(g, winMask(x, y, false)), (g, [x, y]) => mul(g, winMask(y, x, false))) },
);
// d min(x,y) = [x<y] dx + [y<x] dy (½ each at ties). NaN wins; of two zeros -0 wins
// (-(-a0 - a1) is +0 only when both are +0).
export const minP = binary(
  "min",
  { float: "(a0 < a1 || a0 !== a0 ? a0 : a0 > a1 || a1 !== a1 ? a1 : a0 === 0 ? -(-a0 - a1) : a0)", int32: "(a0 < a1 ? a0 : a1)", bool: "(a0 && a1) ? 1 : 0" },
  { jvp: defJvp((g, [x, y]) => mul(g, winMask(x, y, true)), (g, [x, y]) => mul(g, winMask(y, x, true))) },
);

// atan2(x, y): the angle of the point (y, x), in [-π, π]; d = (y dx - x dy) / (x² + y²)
export const atan2P = binary(
  "atan2",
  { float: "Math.atan2(a0, a1)" },
  { jvp: defJvp((g, [x, y]) => mul(g, div(y, add(square(x), square(y)))), (g, [x, y]) => mul(g, div(neg(x), add(square(x), square(y))))) },
);

/** Comparisons and logical connectives: bool output, zero derivative. */
function boolBinary<N extends string>(name: N, expr: string, types: (keyof ExprTable)[] = ["float", "int32", "bool"]): Prim<N, {}> {
  const table: ExprTable = {};
  for (const t of types) table[t] = expr;
  return binary(name, table, { jvp: zeroJvp() }, "bool");
}
export const ltP = boolBinary("lt", "(a0 < a1 ? 1 : 0)");
export const leP = boolBinary("le", "(a0 <= a1 ? 1 : 0)");
export const gtP = boolBinary("gt", "(a0 > a1 ? 1 : 0)");
export const geP = boolBinary("ge", "(a0 >= a1 ? 1 : 0)");
export const eqP = boolBinary("eq", "(a0 === a1 ? 1 : 0)");
export const neP = boolBinary("ne", "(a0 !== a1 ? 1 : 0)");
export const andP = boolBinary("and", "(a0 && a1 ? 1 : 0)", ["bool", "int32"]);
export const orP = boolBinary("or", "(a0 || a1 ? 1 : 0)", ["bool", "int32"]);

/** d select(p, a, b) = select(p, da, db), a zero standing in for a symbolic-zero branch. */
const selectJvp: JvpRule<{}, 3> = (primals, [, ta, tb], params, self) => {
  const [p, a, b] = primals;
  const out = bind1(self, primals, params);
  if (!ta && !tb) return [[out], [null]];
  return [[out], [broadcastTo(bind1(self, [p, ta ?? zerosLike(a), tb ?? zerosLike(b)], params), out.shape)]];
};
// select(p, a, b) = p ? a : b; linear in a and b
export const selectP = defLinear<"select", {}, 3>({
  name: "select",
  abstractEval: ([p, a, b]) => {
    const [o] = naryShape("where")([a, b]);
    return [{ shape: broadcastShapes("where", p.shape, o!.shape), dtype: o!.dtype }];
  },
  expr: () => "(a0 ? a1 : a2)",
  impl: ([p, a, b]) => [mapKernel("(a0 ? a1 : a2)", [p, a, b], a.dtype, "where")],
  batch: vectorized,
  jvp: selectJvp,
  transpose: ([ct], [p, a, b]) => {
    const z = zerosLike(ct);
    const pt = p as Tensor;
    return [
      null,
      a instanceof UndefPrimal ? sumToShape(select(pt, ct, z), avalOf(a).shape) : null,
      b instanceof UndefPrimal ? sumToShape(select(pt, z, ct), avalOf(b).shape) : null,
    ];
  },
});
