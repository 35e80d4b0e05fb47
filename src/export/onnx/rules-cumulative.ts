// ONNX lowerings of the cumulative primitives without an ONNX op (src/core/primitives/
// cumulative.ts: cumprod, cummax, cummin, cumlogsumexp; cumsum is ONNX CumSum): a Loop over the
// axis (moved to the front, reversed for reverse) carrying the running value, its per-step
// values stacked as the Loop's scan output after the first element.
import type { DType } from "../../core/dtype.js";
import { Graph, elemOf, graphAttr, int, ints } from "./graph.js";
import { avalIn, defineOnnx, dtypeOf } from "./lower.js";
import { cast } from "./rules-elementwise.js";

type Combine = (g: Graph, acc: string, x: string, d: DType) => string;

function cumulative(name: string, combine: Combine): void {
  defineOnnx(name, (g, [x], e) => {
    const { axis, reverse } = e.params as { axis: number; reverse: boolean };
    const shape = avalIn(e, 0).shape;
    const n = shape[axis]!;
    if (n <= 1) return [g.op1("Identity", [x!])];
    let d = dtypeOf(e.inputs[0]!);
    let xs = x!;
    const isBool = d === "bool";
    if (isBool) (xs = cast(g, xs, "int32")), (d = "int32");
    const perm = [axis, ...shape.map((_, i) => i).filter((i) => i !== axis)];
    const inv = perm.map((_, i) => perm.indexOf(i));
    const flip = (v: string) => g.op1("Slice", [v, g.i64([-1]), g.i64([-n - 1]), g.i64([0]), g.i64([-1])]);
    let xt = g.op1("Transpose", [xs], { perm: ints(perm) });
    if (reverse) xt = flip(xt);
    const rest = perm.slice(1).map((i) => shape[i]!);
    const first = g.op1("Gather", [xt, g.scalar(0, "int64")], { axis: int(0) });
    // body: acc ← combine(acc, xt[i + 1]), emitted as the scan output
    const bg = new Graph(g.model, g.model.fresh(`${name}_body`));
    const iter = g.model.fresh("iter");
    const condIn = g.model.fresh("cond");
    const accIn = g.model.fresh("acc");
    bg.inputs.push({ name: iter, dtype: "int64", shape: [] }, { name: condIn, dtype: "bool", shape: [] }, { name: accIn, dtype: elemOf(d), shape: rest });
    const xi = bg.op1("Gather", [xt, bg.op1("Add", [iter, bg.scalar(1, "int64")])], { axis: int(0) });
    const acc = combine(bg, accIn, xi, d);
    const [condOut, accOut, ys] = [g.model.fresh("cond_out"), g.model.fresh("acc_out"), g.model.fresh("ys")];
    bg.opTo("Identity", [condIn], condOut);
    bg.opTo("Identity", [acc], accOut);
    bg.opTo("Identity", [acc], ys);
    bg.outputs.push({ name: condOut, dtype: "bool", shape: [] }, { name: accOut, dtype: elemOf(d), shape: rest }, { name: ys, dtype: elemOf(d), shape: rest });
    const [, stacked] = g.op("Loop", [g.scalar(n - 1, "int64"), g.scalar(1, "bool"), first], { body: graphAttr(bg) }, 2);
    let out = g.op1("Concat", [g.op1("Unsqueeze", [first, g.i64([0])]), stacked!], { axis: int(0) });
    if (reverse) out = flip(out);
    out = g.op1("Transpose", [out], { perm: ints(inv) });
    return [isBool ? cast(g, out, "bool") : out];
  });
}
cumulative("cumprod", (g, a, x) => g.op1("Mul", [a, x]));
cumulative("cummax", (g, a, x) => g.op1("Max", [a, x]));
cumulative("cummin", (g, a, x) => g.op1("Min", [a, x]));
// log(eᵃ + eˣ) = m + log(1 + e^−|a−x|), m = max(a, x); m itself where m is ±∞ (no ∞ − ∞)
cumulative("cumlogsumexp", (g, a, x, d) => {
  const m = g.op1("Max", [a, x]);
  const t = g.op1("Add", [m, g.op1("Log", [g.op1("Add", [g.scalar(1, d), g.op1("Exp", [g.op1("Neg", [g.op1("Abs", [g.op1("Sub", [a, x])])])])])])]);
  return g.op1("Where", [g.op1("IsInf", [m]), m, t]);
});
