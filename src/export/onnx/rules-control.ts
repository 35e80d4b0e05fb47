// ONNX lowerings of the control-flow primitives: cond → If, scan → Loop (scanned inputs
// gathered per iteration, stacked outputs as Loop's scan outputs), whileLoop → Loop with a
// computed condition. Sub-programs become subgraphs that read the outer scope's values by name.
import type { ClosedJaxpr } from "../../core/ir.js";
import type { Aval } from "../../core/trace.js";
import { Graph, elemOf, graphAttr, int } from "./graph.js";
import { avalIn, defineOnnx, lowerJaxpr, tensorConst } from "./lower.js";

/** Lowers a closed jaxpr into subgraph `g` over outer-scope (or body input) value names. */
function lowerClosed(g: Graph, cj: ClosedJaxpr, ins: readonly string[]): string[] {
  return lowerJaxpr(g, cj.jaxpr, cj.consts.map((t) => tensorConst(g.model, t)), ins);
}
/** Declares `vals` as the subgraph's outputs (through Identity: outputs must be produced inside). */
function setOutputs(g: Graph, vals: readonly string[], avals: readonly Aval[]): void {
  vals.forEach((v, i) => {
    const name = g.model.fresh(`${g.name}_out`);
    g.opTo("Identity", [v], name);
    g.outputs.push({ name, dtype: elemOf(avals[i]!.dtype), shape: avals[i]!.shape });
  });
}
/** A subgraph input of a known aval. */
function addInput(g: Graph, hint: string, aval: Aval | { dtype: "int64" | "bool"; shape: number[] }): string {
  const name = g.model.fresh(`${g.name}_${hint}`);
  g.inputs.push({ name, dtype: aval.dtype === "int64" ? "int64" : elemOf(aval.dtype), shape: aval.shape });
  return name;
}

// cond(pred, ...xs): If(pred) then branches[1] else branches[0]
defineOnnx("cond", (g, [pred, ...xs], e) => {
  const { branches } = e.params as { branches: ClosedJaxpr[] };
  const outAvals = e.outs.map((v) => v.aval);
  const sub = (b: ClosedJaxpr, name: string) => {
    const bg = new Graph(g.model, g.model.fresh(name));
    setOutputs(bg, lowerClosed(bg, b, xs), outAvals);
    return bg;
  };
  const [f, t] = [sub(branches[0]!, "else"), sub(branches[1]!, "then")];
  return g.op("If", [pred!], { then_branch: graphAttr(t), else_branch: graphAttr(f) }, outAvals.length);
});

type ScanParams = { body: ClosedJaxpr; nConsts: number; nCarry: number; length: number; reverse: boolean };
// scan(consts, carry, xs): Loop(length) with the carry loop-carried and ys as scan outputs;
// iteration i reads xs[i] (xs[length−1−i] reversed; the stacked ys are then reversed back)
defineOnnx("scan", (g, ins, e) => {
  const { body, nConsts, nCarry, length, reverse } = e.params as ScanParams;
  const consts = ins.slice(0, nConsts);
  const carry = ins.slice(nConsts, nConsts + nCarry);
  const xs = ins.slice(nConsts + nCarry);
  const bodyOut = body.jaxpr.outs.map((a) => a.aval);
  const bg = new Graph(g.model, g.model.fresh("scan_body"));
  const iter = addInput(bg, "iter", { dtype: "int64", shape: [] });
  const condIn = addInput(bg, "cond", { dtype: "bool", shape: [] });
  const carryIn = carry.map((_, i) => addInput(bg, "carry", avalIn(e, nConsts + i)));
  const at = reverse ? bg.op1("Sub", [bg.scalar(length - 1, "int64"), iter]) : iter;
  const xt = xs.map((x) => bg.op1("Gather", [x, at], { axis: int(0) }));
  const outs = lowerClosed(bg, body, [...consts, ...carryIn, ...xt]);
  setOutputs(bg, [bg.op1("Identity", [condIn]), ...outs], [{ shape: [], dtype: "bool" }, ...bodyOut]);
  const res = g.op("Loop", [g.scalar(length, "int64"), g.scalar(1, "bool"), ...carry], { body: graphAttr(bg) }, bodyOut.length);
  const ys = res.slice(nCarry).map((y) => (reverse && length > 0 ? g.op1("Slice", [y, g.i64([-1]), g.i64([-length - 1]), g.i64([0]), g.i64([-1])]) : y));
  return [...res.slice(0, nCarry), ...ys];
});

type WhileParams = { cond: ClosedJaxpr; body: ClosedJaxpr; nCondConsts: number; nBodyConsts: number };
// while(condConsts, bodyConsts, carry): the first test runs outside; the body computes the new
// carry and the next test (Loop's condition output)
defineOnnx("while", (g, ins, e) => {
  const { cond, body, nCondConsts, nBodyConsts } = e.params as WhileParams;
  const cc = ins.slice(0, nCondConsts);
  const bc = ins.slice(nCondConsts, nCondConsts + nBodyConsts);
  const carry = ins.slice(nCondConsts + nBodyConsts);
  const carryAvals = e.outs.map((v) => v.aval);
  const first = lowerClosed(g, cond, [...cc, ...carry])[0]!;
  const bg = new Graph(g.model, g.model.fresh("while_body"));
  addInput(bg, "iter", { dtype: "int64", shape: [] });
  addInput(bg, "cond", { dtype: "bool", shape: [] });
  const carryIn = carryAvals.map((a) => addInput(bg, "carry", a));
  const next = lowerClosed(bg, body, [...bc, ...carryIn]);
  const test = lowerClosed(bg, cond, [...cc, ...next])[0]!;
  setOutputs(bg, [test, ...next], [{ shape: [], dtype: "bool" }, ...carryAvals]);
  return g.op("Loop", ["", first, ...carry], { body: graphAttr(bg) }, carry.length);
});
