// Binary (and ternary select) elementwise primitives with numpy broadcasting.
import { avalOf, definePrimitive, defJvp, notLinear, vectorized, zeroJvp, UndefPrimal, type Tan, type TransposeArg } from "../primitive.js";
import type { Tensor } from "../tensor.js";
import { broadcastShapes } from "../shape.js";
import { bind } from "../trace.js";
import { exprFor, mapKernel, naryShape, type ExprTable } from "./util.js";
import * as ops from "../ops.js";

function binaryImpl(name: string, table: ExprTable) {
  return ([a, b]: Tensor[]) => [mapKernel(exprFor(name, table, a!.dtype), [a!, b!], a!.dtype, name)];
}
/** Sums a cotangent to an operand's shape when that operand is the linear one. */
const ctFor = (ct: Tensor, x: TransposeArg): Tan => (x instanceof UndefPrimal ? ops.sumToShape(ct, x.aval.shape) : null);

// d(x+y) = dx + dy (linear)
export const addP = definePrimitive({
  name: "add",
  shape: naryShape("add"),
  expr: ([d]) => exprFor("add", { float: "a0 + a1", int32: "(a0 + a1) | 0", bool: "(a0 || a1) ? 1 : 0" }, d!),
  impl: binaryImpl("add", { float: "a0 + a1", int32: "(a0 + a1) | 0", bool: "(a0 || a1) ? 1 : 0" }),
  jvp: defJvp((g) => g, (g) => g),
  batch: vectorized,
  transpose: ([ct], [x, y]) => (ct ? [ctFor(ct, x!), ctFor(ct, y!)] : [null, null]),
});
// d(x-y) = dx - dy (linear)
export const subP = definePrimitive({
  name: "sub",
  shape: naryShape("sub"),
  expr: ([d]) => exprFor("sub", { float: "a0 - a1", int32: "(a0 - a1) | 0" }, d!),
  impl: binaryImpl("sub", { float: "a0 - a1", int32: "(a0 - a1) | 0" }),
  jvp: defJvp((g) => g, (g) => ops.negative(g)),
  batch: vectorized,
  transpose: ([ct], [x, y]) => (ct ? [ctFor(ct, x!), y instanceof UndefPrimal ? ctFor(ops.negative(ct), y) : null] : [null, null]),
});
// d(xy) = y dx + x dy (linear in whichever operand is the tangent)
export const mulP = definePrimitive({
  name: "mul",
  shape: naryShape("mul"),
  expr: ([d]) => exprFor("mul", { float: "a0 * a1", int32: "Math.imul(a0, a1)", bool: "(a0 && a1) ? 1 : 0" }, d!),
  impl: binaryImpl("mul", { float: "a0 * a1", int32: "Math.imul(a0, a1)", bool: "(a0 && a1) ? 1 : 0" }),
  jvp: defJvp((g, [, y]) => ops.mul(g, y!), (g, [x]) => ops.mul(x!, g)),
  batch: vectorized,
  transpose: ([ct], [x, y]) => {
    if (x instanceof UndefPrimal && y instanceof UndefPrimal) throw notLinear("mul of two values that both depend on them");
    if (!ct) return [null, null];
    return x instanceof UndefPrimal ? [ctFor(ops.mul(ct, y as Tensor), x), null] : [null, ctFor(ops.mul(x as Tensor, ct), y!)];
  },
});
// d(x/y) = dx/y - (x/y) dy/y (linear in the numerator)
export const divP = definePrimitive({
  name: "div",
  shape: naryShape("div"),
  expr: ([d]) => exprFor("div", { float: "a0 / a1", int32: "(a1 === 0 ? 0 : Math.floor(a0 / a1)) | 0" }, d!),
  impl: binaryImpl("div", { float: "a0 / a1", int32: "(a1 === 0 ? 0 : Math.floor(a0 / a1)) | 0" }),
  jvp: defJvp((g, [, y]) => ops.div(g, y!), (g, [, y], out) => ops.negative(ops.mul(g, ops.div(out, y!)))),
  batch: vectorized,
  transpose: ([ct], [x, y]) => {
    if (y instanceof UndefPrimal) throw notLinear("division by a value that depends on them");
    return [ct ? ctFor(ops.div(ct, y as Tensor), x!) : null, null];
  },
});
// d(xʸ) = y xʸ⁻¹ dx + log(x) xʸ dy  (each term 0 where it is 0·∞: y=0, or x=0). The masked
// branches are kept finite (y → 1 in the first, x → 1 under the log) so that their derivatives, which reverse mode
// multiplies by a zero cotangent, are not 0·∞ = NaN at higher orders.
const safePowCoef = (x: Tensor, y: Tensor) => {
  const y1 = ops.where(ops.equal(y, 0), 1, y);
  return ops.where(ops.equal(y, 0), 0, ops.mul(y1, ops.power(x, ops.sub(y1, 1))));
};
export const powP = definePrimitive({
  name: "pow",
  shape: naryShape("pow"),
  expr: ([d]) => exprFor("pow", { float: "Math.pow(a0, a1)", int32: "Math.pow(a0, a1) | 0" }, d!),
  impl: binaryImpl("pow", { float: "Math.pow(a0, a1)", int32: "Math.pow(a0, a1) | 0" }),
  jvp: defJvp(
    (g, [x, y]) => ops.mul(g, safePowCoef(x!, y!)),
    (g, [x], out) => ops.mul(g, ops.where(ops.equal(x!, 0), 0, ops.mul(ops.log(ops.where(ops.equal(x!, 0), 1, x!)), out))),
  ),
  batch: vectorized,
});

/** Where x wins a max (½ each at ties, as JAX does). */
const winMask = (x: Tensor, y: Tensor, gt: boolean) =>
  ops.where(gt ? ops.greater(x, y) : ops.less(x, y), 1, ops.where(ops.equal(x, y), 0.5, 0)).astype(x.dtype);
// d max(x,y) = [x>y] dx + [y>x] dy (½ each at ties)
export const maxP = definePrimitive({
  name: "max",
  shape: naryShape("max"),
  expr: ([d]) => exprFor("max", { float: "(a0 > a1 || a0 !== a0 ? a0 : a1)", int32: "(a0 > a1 ? a0 : a1)", bool: "(a0 || a1) ? 1 : 0" }, d!),
  impl: binaryImpl("max", { float: "(a0 > a1 || a0 !== a0 ? a0 : a1)", int32: "(a0 > a1 ? a0 : a1)", bool: "(a0 || a1) ? 1 : 0" }),
  jvp: defJvp((g, [x, y]) => ops.mul(g, winMask(x!, y!, true)), (g, [x, y]) => ops.mul(g, winMask(y!, x!, true))),
  batch: vectorized,
});
// d min(x,y) = [x<y] dx + [y<x] dy (½ each at ties)
export const minP = definePrimitive({
  name: "min",
  shape: naryShape("min"),
  expr: ([d]) => exprFor("min", { float: "(a0 < a1 || a0 !== a0 ? a0 : a1)", int32: "(a0 < a1 ? a0 : a1)", bool: "(a0 && a1) ? 1 : 0" }, d!),
  impl: binaryImpl("min", { float: "(a0 < a1 || a0 !== a0 ? a0 : a1)", int32: "(a0 < a1 ? a0 : a1)", bool: "(a0 && a1) ? 1 : 0" }),
  jvp: defJvp((g, [x, y]) => ops.mul(g, winMask(x!, y!, false)), (g, [x, y]) => ops.mul(g, winMask(y!, x!, false))),
  batch: vectorized,
});

/** Comparisons and logical connectives: bool output, zero derivative. */
function boolBinary<N extends string>(name: N, expr: string, types: (keyof ExprTable)[] = ["float", "int32", "bool"]) {
  const table: ExprTable = {};
  for (const t of types) table[t] = expr;
  return definePrimitive<N, {}>({
    name,
    shape: naryShape(name, "bool"),
    expr: ([d]) => exprFor(name, table, d!),
    impl: ([a, b]) => [mapKernel(exprFor(name, table, a!.dtype), [a!, b!], "bool", name)],
    jvp: zeroJvp(),
    batch: vectorized,
  });
}
export const ltP = boolBinary("lt", "(a0 < a1 ? 1 : 0)");
export const leP = boolBinary("le", "(a0 <= a1 ? 1 : 0)");
export const gtP = boolBinary("gt", "(a0 > a1 ? 1 : 0)");
export const geP = boolBinary("ge", "(a0 >= a1 ? 1 : 0)");
export const eqP = boolBinary("eq", "(a0 === a1 ? 1 : 0)");
export const neP = boolBinary("ne", "(a0 !== a1 ? 1 : 0)");
export const andP = boolBinary("and", "(a0 && a1 ? 1 : 0)", ["bool", "int32"]);
export const orP = boolBinary("or", "(a0 || a1 ? 1 : 0)", ["bool", "int32"]);

// select(p, a, b) = p ? a : b; linear in a and b: d = select(p, da, db)
export const selectP = definePrimitive({
  name: "select",
  shape: ([p, a, b]) => {
    const [o] = naryShape("where")([a!, b!]);
    return [{ shape: broadcastShapes("where", p!.shape, o!.shape), dtype: o!.dtype }];
  },
  expr: () => "(a0 ? a1 : a2)",
  impl: ([p, a, b]) => [mapKernel("(a0 ? a1 : a2)", [p!, a!, b!], a!.dtype, "where")],
  jvp: (primals, [, ta, tb], params, self) => {
    const [p, a, b] = primals as [Tensor, Tensor, Tensor];
    const outs = bind(self, primals, params);
    if (!ta && !tb) return [outs, [null]];
    return [outs, [ops.broadcastTo(bind(self, [p, ta ?? ops.zerosLike(a), tb ?? ops.zerosLike(b)], params)[0]!, outs[0]!.shape)]];
  },
  batch: vectorized,
  transpose: ([ct], [p, a, b]) => {
    if (!ct) return [null, null, null];
    const zero = ops.zerosLike(ct);
    const pt = p as Tensor;
    return [
      null,
      a instanceof UndefPrimal ? ops.sumToShape(ops.where(pt, ct, zero), avalOf(a).shape) : null,
      b instanceof UndefPrimal ? ops.sumToShape(ops.where(pt, zero, ct), avalOf(b).shape) : null,
    ];
  },
});
