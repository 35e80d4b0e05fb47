// ONNX lowerings of reductions, dot_general, shape ops, gather/scatter, iota and random bits.
import type { DType } from "../../core/dtype.js";
import { Graph, int, ints, str } from "./graph.js";
import { avalIn, avalOut, defineOnnx, dtypeOf } from "./lower.js";
import { cast } from "./rules-elementwise.js";

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const isId = (p: readonly number[]) => p.every((v, i) => v === i);
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const reshape = (g: Graph, x: string, shape: readonly number[]) => g.op1("Reshape", [x, g.i64(shape)]);
const transpose = (g: Graph, x: string, perm: readonly number[]) => (isId(perm) ? x : g.op1("Transpose", [x], { perm: ints(perm) }));

// ------------------------------------------------------------------ reductions
/** Reductions with keepdims=0 and the axes as an input (opset ≥ 18); no axes is the identity. */
function reduction(name: string, op: string, boolOp?: string): void {
  defineOnnx(name, (g, [x], e) => {
    const { axes } = e.params as { axes: number[] };
    if (axes.length === 0) return [g.op1("Identity", [x!])];
    const d = dtypeOf(e.inputs[0]!);
    if (d === "bool") {
      // bools reduce as int32 0/1: any (max, sum) or all (min, prod)
      const r = g.op1(boolOp ?? op, [cast(g, x!, "int32"), g.i64(axes)], { keepdims: int(0) });
      return [cast(g, r, "bool")];
    }
    return [g.op1(op, [x!, g.i64(axes)], { keepdims: int(0) })];
  });
}
reduction("reduce_sum", "ReduceSum", "ReduceMax");
reduction("reduce_max", "ReduceMax");
reduction("reduce_min", "ReduceMin");
reduction("reduce_prod", "ReduceProd", "ReduceMin");
/** argmax/argmin: first index of the extremum (select_last_index=0), int64 → int32. */
function argReduce(name: string, op: string): void {
  defineOnnx(name, (g, [x], e) => {
    const { axis } = e.params as { axis: number };
    const xi = dtypeOf(e.inputs[0]!) === "bool" ? cast(g, x!, "int32") : x!;
    return [cast(g, g.op1(op, [xi], { axis: int(axis), keepdims: int(0), select_last_index: int(0) }), "int32")];
  });
}
argReduce("argmax", "ArgMax");
argReduce("argmin", "ArgMin");
defineOnnx("cumsum", (g, [x], e) => {
  const { axis, reverse } = e.params as { axis: number; reverse: boolean };
  return [g.op1("CumSum", [x!, g.scalar(axis, "int64")], { reverse: int(reverse ? 1 : 0) })];
});

// ------------------------------------------------------------------ dot_general
/**
 * dot_general as one batched MatMul: lhs laid out as [B, M, K], rhs as [B, K, N] (transposes
 * only where the axes are not already in that order), the [B, M, N] result reshaped to
 * (batch…, lhs free…, rhs free…). bool contracts as "any of a∧b" through int32.
 */
defineOnnx("dot_general", (g, [l, r], e) => {
  const { contract: [lc, rc], batch: [lb, rb] } = e.params as { contract: [number[], number[]]; batch: [number[], number[]] };
  const la = avalIn(e, 0);
  const ra = avalIn(e, 1);
  const d = la.dtype;
  const lf = range(la.shape.length).filter((i) => !lc.includes(i) && !lb.includes(i));
  const rf = range(ra.shape.length).filter((i) => !rc.includes(i) && !rb.includes(i));
  const size = (s: readonly number[], axes: number[]) => prod(axes.map((a) => s[a]!));
  const B = size(la.shape, lb);
  const M = size(la.shape, lf);
  const K = size(la.shape, lc);
  const N = size(ra.shape, rf);
  let [x, y] = [l!, r!];
  if (d === "bool") [x, y] = [cast(g, x, "int32"), cast(g, y, "int32")];
  x = reshape(g, transpose(g, x, [...lb, ...lf, ...lc]), lb.length ? [B, M, K] : [M, K]);
  y = reshape(g, transpose(g, y, [...rb, ...rc, ...rf]), rb.length ? [B, K, N] : [K, N]);
  let out = reshape(g, g.op1("MatMul", [x, y]), avalOut(e).shape);
  if (d === "bool") out = g.op1("Greater", [out, g.scalar(0, "int32")]);
  return [out];
});

// ------------------------------------------------------------------ shape ops
// operand axis i → output axis dims[i]: reshape to the output rank (unit axes elsewhere), Expand
defineOnnx("broadcast_in_dim", (g, [x], e) => {
  const { shape, dims } = e.params as { shape: number[]; dims: number[] };
  const xs = avalIn(e, 0).shape;
  const order = range(dims.length).sort((a, b) => dims[a]! - dims[b]!);
  const xt = transpose(g, x!, order);
  const ranked = shape.map(() => 1);
  order.forEach((i) => (ranked[dims[i]!] = xs[i]!));
  const xr = ranked.length === xs.length && isId(order) ? xt : reshape(g, xt, ranked);
  return [ranked.every((s, i) => s === shape[i]) ? g.op1("Identity", [xr]) : g.op1("Expand", [xr, g.i64(shape)])];
});
defineOnnx("reshape", (g, [x], e) => [reshape(g, x!, (e.params as { shape: number[] }).shape)]);
defineOnnx("transpose", (g, [x], e) => [g.op1("Transpose", [x!], { perm: ints((e.params as { perm: number[] }).perm) })]);
defineOnnx("slice", (g, [x], e) => {
  const { starts, limits, strides } = e.params as { starts: number[]; limits: number[]; strides: number[] };
  if (starts.length === 0) return [g.op1("Identity", [x!])];
  return [g.op1("Slice", [x!, g.i64(starts), g.i64(limits), g.i64(range(starts.length)), g.i64(strides)])];
});
/**
 * `interior[i]` zeros between neighbouring elements along each axis (pad's interior padding,
 * a convolution's lhs dilation): on an axis of size n, an added unit axis padded to k+1, merged
 * back (n·(k+1) elements) and the trailing k cut off. pad then adds the lo/hi edges (negative:
 * cropping, which ONNX Pad also does).
 */
export function dilate(g: Graph, x: string, inShape: readonly number[], interior: readonly number[], d: DType, fill = 0): [string, number[]] {
  let cur = x;
  const shape = [...inShape];
  const zero = g.scalar(fill, d);
  interior.forEach((k, ax) => {
    if (k === 0 || shape[ax]! === 0) return;
    const n = shape[ax]!;
    const split = [...shape.slice(0, ax + 1), 1, ...shape.slice(ax + 1)];
    const pads = split.map(() => 0);
    const padsHi = split.map((_, i) => (i === ax + 1 ? k : 0));
    const padded = g.op1("Pad", [reshape(g, cur, split), g.i64([...pads, ...padsHi]), zero]);
    const merged = reshape(g, padded, [...shape.slice(0, ax), n * (k + 1), ...shape.slice(ax + 1)]);
    const len = n + (n - 1) * k;
    cur = g.op1("Slice", [merged, g.i64([0]), g.i64([len]), g.i64([ax])]);
    shape[ax] = len;
  });
  return [cur, shape];
}
defineOnnx("pad", (g, [x], e) => {
  const { lo, hi, interior } = e.params as { lo: number[]; hi: number[]; interior: number[] };
  const d = dtypeOf(e.inputs[0]!);
  const [cur] = dilate(g, x!, avalIn(e, 0).shape, interior, d);
  if (lo.every((v) => v === 0) && hi.every((v) => v === 0)) return [cur === x ? g.op1("Identity", [cur]) : cur];
  return [g.op1("Pad", [cur, g.i64([...lo, ...hi]), g.scalar(0, d)])];
});
defineOnnx("concatenate", (g, xs, e) => [g.op1("Concat", xs, { axis: int((e.params as { axis: number }).axis) })]);
// reversed axes: Slice from n−1 down past 0 with step −1
defineOnnx("rev", (g, [x], e) => {
  const { axes } = e.params as { axes: number[] };
  if (axes.length === 0) return [g.op1("Identity", [x!])];
  const s = avalIn(e, 0).shape;
  return [g.op1("Slice", [x!, g.i64(axes.map((a) => s[a]! - 1)), g.i64(axes.map((a) => -s[a]! - 1)), g.i64(axes), g.i64(axes.map(() => -1))])];
});
/** tapir's index rule (wrap negatives once, then clamp to [0, n−1]); ONNX Gather would reject them. */
function normIndex(g: Graph, idx: string, n: number): string {
  const wrapped = g.op1("Where", [g.op1("Less", [idx, g.scalar(0, "int32")]), g.op1("Add", [idx, g.scalar(n, "int32")]), idx]);
  return g.op1("Min", [g.op1("Max", [wrapped, g.scalar(0, "int32")]), g.scalar(Math.max(n - 1, 0), "int32")]);
}
// out = x[..., idx, ...] along axis: ONNX Gather has the same output layout
defineOnnx("gather", (g, [x, idx], e) => {
  const { axis } = e.params as { axis: number };
  return [g.op1("Gather", [x!, normIndex(g, idx!, avalIn(e, 0).shape[axis]!)], { axis: int(axis) })];
});
/**
 * scatter_add: zeros [P, n, Q] += updates [P, J, Q] at the J (normalised) indices, as ScatterND
 * with reduction "add" over [n, P, Q] (indices [J, 1]); P, Q the sizes before and after.
 */
defineOnnx("scatter_add", (g, [u, idx], e) => {
  const { axis, n } = e.params as { axis: number; n: number };
  const us = avalIn(e, 0).shape;
  const is = avalIn(e, 1).shape;
  const d = dtypeOf(e.inputs[0]!);
  const P = prod(us.slice(0, axis));
  const J = prod(is);
  const Q = prod(us.slice(axis + is.length));
  const upd = transpose(g, reshape(g, u!, [P, J, Q]), [1, 0, 2]);
  const ind = reshape(g, cast64(g, normIndex(g, idx!, n)), [J, 1]);
  const zeros = g.op1("Expand", [g.scalar(0, d), g.i64([n, P, Q])]);
  const sc = g.op1("ScatterND", [zeros, ind, upd], { reduction: str("add") });
  return [reshape(g, transpose(g, sc, [1, 0, 2]), avalOut(e).shape)];
});
const cast64 = (g: Graph, x: string) => g.op1("Cast", [x], { to: int(7) });
// iota: Range along the axis, reshaped and expanded over the other axes
defineOnnx("iota", (g, _x, e) => {
  const { shape, axis, dtype } = e.params as { shape: number[]; axis: number; dtype: DType };
  const n = shape[axis]!;
  const r = g.op1("Range", [g.scalar(0, "int32"), g.scalar(n, "int32"), g.scalar(1, "int32")]);
  const col = reshape(g, dtype === "int32" ? r : cast(g, r, dtype), shape.map((s, i) => (i === axis ? s : 1)));
  return [g.op1("Expand", [col, g.i64(shape)])];
});
