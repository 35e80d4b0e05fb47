// ONNX lowerings of the sorting, scatter and dynamic-slice primitives (src/core/primitives/
// sort.ts, scatter.ts, dynamic.ts): sort (one key) and top_k as TopK (ties: lower index first,
// so the sort is stable), scatters as ScatterND over [n+1, P, Q] (a dropped index writes the
// extra row, cut off after), dynamic slices with their starts clamped as tapir clamps them.
import type { DType } from "../../core/dtype.js";
import { Graph, int, ints, str } from "./graph.js";
import { avalIn, defineOnnx, dtypeOf, unsupportedCase } from "./lower.js";
import { cast } from "./rules-elementwise.js";

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const reshape = (g: Graph, x: string, shape: readonly number[]) => g.op1("Reshape", [x, g.i64(shape)]);
const to64 = (g: Graph, x: string) => g.op1("Cast", [x], { to: int(7) });

// sort by the first operand (one key): TopK ascending over the whole axis, the others gathered
defineOnnx("sort", (g, xs, e) => {
  const { dimension, numKeys } = e.params as { dimension: number; numKeys: number };
  if (numKeys !== 1) throw unsupportedCase("sort", `a lexicographic sort on ${numKeys} keys (ONNX TopK orders by one)`);
  const a = avalIn(e, 0);
  const key = a.dtype === "bool" ? cast(g, xs[0]!, "int32") : xs[0]!;
  const [vals, idx] = g.op("TopK", [key, g.i64([a.shape[dimension]!])], { axis: int(dimension), largest: int(0), sorted: int(1) }, 2);
  return xs.map((x, i) => (i === 0 ? (a.dtype === "bool" ? cast(g, vals!, "bool") : vals!) : g.op1("GatherElements", [x, idx!], { axis: int(dimension) })));
});
// the k largest along the last axis, decreasing, and their int32 indices
defineOnnx("top_k", (g, [x], e) => {
  const { k } = e.params as { k: number };
  const a = avalIn(e, 0);
  const [vals, idx] = g.op("TopK", [x!, g.i64([k])], { axis: int(a.shape.length - 1), largest: int(1), sorted: int(1) }, 2);
  return [vals!, cast(g, idx!, "int32")];
});

/**
 * out = x with the updates combined in at idx along axis (reduction none/add/mul/min/max):
 * x as [n, P, Q] plus a scratch row n that every dropped index (outside [0, n) after one wrap
 * from the end) writes to, updates as [J, P, Q], one ScatterND.
 */
function scatterNd(g: Graph, [x, idx, u]: string[], xs: readonly number[], is: readonly number[], axis: number, reduction: string, d: DType): string {
  const n = xs[axis]!;
  const P = prod(xs.slice(0, axis));
  const Q = prod(xs.slice(axis + 1));
  const J = prod(is);
  const data = g.op1("Concat", [g.op1("Transpose", [reshape(g, x!, [P, n, Q])], { perm: ints([1, 0, 2]) }), g.op1("Expand", [g.scalar(0, d), g.i64([1, P, Q])])], { axis: int(0) });
  const zero = g.scalar(0, "int32");
  const w = g.op1("Where", [g.op1("Less", [idx!, zero]), g.op1("Add", [idx!, g.scalar(n, "int32")]), idx!]);
  const ok = g.op1("And", [g.op1("GreaterOrEqual", [w, zero]), g.op1("Less", [w, g.scalar(n, "int32")])]);
  const ind = reshape(g, to64(g, g.op1("Where", [ok, w, g.scalar(n, "int32")])), [J, 1]);
  const upd = g.op1("Transpose", [reshape(g, u!, [P, J, Q])], { perm: ints([1, 0, 2]) });
  const out = g.op1("ScatterND", [data, ind, upd], { reduction: str(reduction) });
  const kept = g.op1("Slice", [out, g.i64([0]), g.i64([n]), g.i64([0])]);
  return reshape(g, g.op1("Transpose", [kept], { perm: ints([1, 0, 2]) }), xs);
}
defineOnnx("scatter", (g, ins, e) => {
  const { axis, mode } = e.params as { axis: number; mode: "set" | "add" };
  const d = dtypeOf(e.inputs[0]!);
  if (d === "bool" && mode === "add") throw unsupportedCase("scatter", "an add-scatter of bools");
  return [scatterNd(g, ins, avalIn(e, 0).shape, avalIn(e, 1).shape, axis, mode === "set" ? "none" : "add", d)];
});
defineOnnx("scatter_apply", (g, ins, e) => {
  const { axis, mode } = e.params as { axis: number; mode: "mul" | "min" | "max" };
  const d = dtypeOf(e.inputs[0]!);
  if (d === "bool") throw unsupportedCase("scatter_apply", `a ${mode}-scatter of bools`);
  return [scatterNd(g, ins, avalIn(e, 0).shape, avalIn(e, 1).shape, axis, mode, d)];
});

/** The int64 [rank] vector of starts, each clamped to [0, n − size] as tapir clamps them. */
function clampedStarts(g: Graph, starts: readonly string[], shape: readonly number[], sizes: readonly number[]): string {
  const parts = starts.map((s, i) => {
    const c = g.op1("Max", [g.op1("Min", [s, g.scalar(shape[i]! - sizes[i]!, "int32")]), g.scalar(0, "int32")]);
    return reshape(g, to64(g, c), [1]);
  });
  return parts.length === 1 ? parts[0]! : g.op1("Concat", parts, { axis: int(0) });
}
defineOnnx("dynamic_slice", (g, [x, ...starts], e) => {
  const { sizes } = e.params as { sizes: number[] };
  if (sizes.length === 0) return [g.op1("Identity", [x!])];
  const s = clampedStarts(g, starts, avalIn(e, 0).shape, sizes);
  return [g.op1("Slice", [x!, s, g.op1("Add", [s, g.i64(sizes)])])];
});
// x with u written at the clamped starts: u and a mask of ones padded out to x's shape
// (the pads computed at run time), then a Where
defineOnnx("dynamic_update_slice", (g, [x, u, ...starts], e) => {
  const xs = avalIn(e, 0).shape;
  const us = avalIn(e, 1).shape;
  if (xs.length === 0) return [g.op1("Identity", [u!])];
  const d = dtypeOf(e.inputs[0]!);
  const s = clampedStarts(g, starts, xs, us);
  const hi = g.op1("Sub", [g.i64(xs.map((n, i) => n - us[i]!)), s]);
  const pads = g.op1("Concat", [s, hi], { axis: int(0) });
  const mask = cast(g, g.op1("Pad", [g.op1("Expand", [g.scalar(1, "int32"), g.i64(us)]), pads, g.scalar(0, "int32")]), "bool");
  const uu = d === "bool" ? cast(g, u!, "int32") : u!;
  let up = g.op1("Pad", [uu, pads, g.scalar(0, d === "bool" ? "int32" : d)]);
  if (d === "bool") up = cast(g, up, "bool");
  return [g.op1("Where", [mask, up, x!])];
});
