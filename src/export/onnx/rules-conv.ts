// ONNX lowerings of the convolution and window primitives (src/core/primitives/conv.ts,
// window.ts): conv_general_dilated → Conv in NCHW order (lhs dilation as zeros between input
// elements, negative padding as a crop first), reduce_window_* → Conv with a ones kernel /
// MaxPool over the windowed axes, and the max-pool derivative pair through MaxPool's argmax
// Indices (the first maximum of each window, as XLA's `ge` selection).
import type { DType } from "../../core/dtype.js";
import { Graph, int, ints } from "./graph.js";
import { avalIn, avalOut, defineOnnx, dtypeOf, unsupportedCase } from "./lower.js";
import { dilate } from "./rules-structural.js";

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const isId = (p: readonly number[]) => p.every((v, i) => v === i);
const transpose = (g: Graph, x: string, perm: readonly number[]) => (isId(perm) ? x : g.op1("Transpose", [x], { perm: ints(perm) }));
const reshape = (g: Graph, x: string, shape: readonly number[]) => g.op1("Reshape", [x, g.i64(shape)]);
const invert = (perm: readonly number[]) => {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
};

type ConvParams = {
  strides: number[];
  padding: [number, number][];
  lhsDilation: number[];
  rhsDilation: number[];
  dims: { lhs: number[]; rhs: number[]; out: number[] };
  featureGroupCount: number;
  batchGroupCount: number;
};

/** Crops the spatial axes (from axis 2) where padding is negative; returns the new shape. */
function cropNegative(g: Graph, x: string, shape: number[], padding: [number, number][]): [string, number[]] {
  if (padding.every(([lo, hi]) => lo >= 0 && hi >= 0)) return [x, shape];
  const starts = padding.map(([lo]) => Math.max(0, -lo));
  const ends = padding.map(([, hi], i) => shape[i + 2]! - Math.max(0, -hi));
  const axes = padding.map((_, i) => i + 2);
  return [g.op1("Slice", [x, g.i64(starts), g.i64(ends), g.i64(axes)]), [shape[0]!, shape[1]!, ...ends.map((e, i) => e - starts[i]!)]];
}

/**
 * The strided slices of x (spatial axes from 2, already padded) that each window offset reads:
 * offset k on axis i starts at k·dilation and steps by the stride, `outSp[i]` elements. Their
 * sum is a window sum; their products with the kernel's taps sum to a convolution.
 */
function windowSlices(g: Graph, x: string, window: readonly number[], dil: readonly number[], strides: readonly number[], outSp: readonly number[]): { offset: number[]; slice: string }[] {
  const out: { offset: number[]; slice: string }[] = [];
  const axes = window.map((_, i) => i + 2);
  const rec = (i: number, offset: number[]) => {
    if (i === window.length) {
      const starts = offset.map((k, j) => k * dil[j]!);
      const ends = starts.map((s0, j) => s0 + (outSp[j]! - 1) * strides[j]! + 1);
      out.push({ offset, slice: g.op1("Slice", [x, g.i64(starts), g.i64(ends), g.i64(axes), g.i64(strides)]) });
      return;
    }
    for (let k = 0; k < window[i]!; k++) rec(i + 1, [...offset, k]);
  };
  rec(0, []);
  return out;
}
const addAll = (g: Graph, xs: string[]) => xs.reduce((a, b) => g.op1("Add", [a, b]));

/**
 * float64 convolution (onnxruntime's CPU Conv is float32 only): Σ over kernel taps of the
 * tap's strided input slice [N, C, S…] times the tap's [O, C] weights, grouped as
 * [G, N·S, C/G] @ [G, C/G, O/G] batched MatMuls.
 */
function convByTaps(g: Graph, x: string, xShape: readonly number[], w: string, wShape: readonly number[], p: ConvParams, outSp: readonly number[]): string {
  const N = xShape[0]!;
  const [O, I] = [wShape[0]!, wShape[1]!];
  const G = p.featureGroupCount;
  const S = prod(outSp);
  const pads = [0, 0, ...p.padding.map(([lo]) => Math.max(0, lo)), 0, 0, ...p.padding.map(([, hi]) => Math.max(0, hi))];
  const xp = pads.some((v) => v > 0) ? g.op1("Pad", [x, g.i64(pads), g.scalar(0, "float64")]) : x;
  const terms = windowSlices(g, xp, wShape.slice(2), p.rhsDilation, p.strides, outSp).map(({ offset, slice }) => {
    // slice [N, C, S…] → [G, N·S, C/G]
    const xs = reshape(g, transpose(g, reshape(g, slice, [N, G, I, S]), [1, 0, 3, 2]), [G, N * S, I]);
    // tap weights w[:, :, offset] [O, I] → [G, I, O/G]
    const tap = g.op1("Slice", [w, g.i64(offset), g.i64(offset.map((k) => k + 1)), g.i64(offset.map((_, j) => j + 2))]);
    const ws = transpose(g, reshape(g, tap, [G, O / G, I]), [0, 2, 1]);
    return g.op1("MatMul", [xs, ws]);
  });
  // [G, N·S, O/G] → [N, O, S…]
  const y = transpose(g, reshape(g, addAll(g, terms), [G, N, S, O / G]), [1, 0, 3, 2]);
  return reshape(g, y, [N, O, ...outSp]);
}

defineOnnx("conv_general_dilated", (g, [l, r], e) => {
  const p = e.params as ConvParams;
  if (p.batchGroupCount !== 1) throw unsupportedCase("conv_general_dilated", `batchGroupCount ${p.batchGroupCount} (the kernel gradient of a grouped convolution) has no ONNX Conv form`);
  const la = avalIn(e, 0);
  let x = transpose(g, l!, p.dims.lhs);
  let shape = p.dims.lhs.map((a) => la.shape[a]!);
  [x, shape] = dilate(g, x, shape, [0, 0, ...p.lhsDilation.map((k) => k - 1)], la.dtype);
  [x, shape] = cropNegative(g, x, shape, p.padding);
  const w = transpose(g, r!, p.dims.rhs);
  const pads = [...p.padding.map(([lo]) => Math.max(0, lo)), ...p.padding.map(([, hi]) => Math.max(0, hi))];
  const outSp = p.dims.out.slice(2).map((a) => avalOut(e).shape[a]!);
  const y =
    la.dtype === "float64"
      ? convByTaps(g, x, shape, w, p.dims.rhs.map((a) => avalIn(e, 1).shape[a]!), p, outSp)
      : g.op1("Conv", [x, w], { strides: ints(p.strides), pads: ints(pads), dilations: ints(p.rhsDilation), group: int(p.featureGroupCount) });
  // y is [N, O, spatial…]; output axis a holds y's axis dims.out.indexOf(a)
  return [transpose(g, y, avalOut(e).shape.map((_, a) => p.dims.out.indexOf(a)))];
});

// ------------------------------------------------------------------ windows
type WindowParams = { window: number[]; strides: number[]; padding: [number, number][]; baseDilation: number[]; windowDilation: number[] };

/** The windowed axes as a pool's [B, 1, spatial…] layout: axes with a trivial window fold into B. */
interface PoolLayout {
  perm: number[];
  nTrivial: number;
  spatial: number[];
  trivialShape: number[];
  spShape: number[];
  /** negative padding as a crop of the pool-layout input: elements cut before and after */
  cropLo: number[];
  cropHi: number[];
  attrs: Record<string, ReturnType<typeof ints>>;
}
function poolLayout(name: string, shape: readonly number[], p: WindowParams, baseDilationOk: boolean): PoolLayout {
  const trivial = shape.map((_, i) => i).filter((i) => p.window[i] === 1 && p.strides[i] === 1 && p.padding[i]![0] === 0 && p.padding[i]![1] === 0 && p.baseDilation[i] === 1);
  const spatial = shape.map((_, i) => i).filter((i) => !trivial.includes(i));
  if (spatial.length > 3) throw unsupportedCase(name, `windows over ${spatial.length} axes (ONNX pooling takes 1 to 3 spatial axes)`);
  if (!baseDilationOk && spatial.some((i) => p.baseDilation[i] !== 1)) throw unsupportedCase(name, "base dilation (ONNX pooling has no input dilation)");
  return {
    perm: [...trivial, ...spatial],
    nTrivial: trivial.length,
    spatial,
    trivialShape: trivial.map((i) => shape[i]!),
    spShape: spatial.map((i) => shape[i]!),
    cropLo: spatial.map((i) => Math.max(0, -p.padding[i]![0])),
    cropHi: spatial.map((i) => Math.max(0, -p.padding[i]![1])),
    attrs: {
      kernel_shape: ints(spatial.map((i) => p.window[i]!)),
      strides: ints(spatial.map((i) => p.strides[i]!)),
      pads: ints([...spatial.map((i) => Math.max(0, p.padding[i]![0])), ...spatial.map((i) => Math.max(0, p.padding[i]![1]))]),
      dilations: ints(spatial.map((i) => p.windowDilation[i]!)),
    },
  };
}
/** x in the pool layout [B, 1, spatial…]. */
const toPool = (g: Graph, x: string, L: PoolLayout, spShape = L.spShape) => reshape(g, transpose(g, x, L.perm), [prod(L.trivialShape), 1, ...spShape]);
const cropped = (L: PoolLayout) => L.spShape.map((s, i) => s - L.cropLo[i]! - L.cropHi[i]!);
/** The pool-layout input with negative padding cut off (spatial axes from 2). */
function crop(g: Graph, x: string, L: PoolLayout): string {
  if (L.cropLo.every((c) => c === 0) && L.cropHi.every((c) => c === 0)) return x;
  const axes = L.spShape.map((_, i) => i + 2);
  return g.op1("Slice", [x, g.i64(L.cropLo), g.i64(L.spShape.map((s, i) => s - L.cropHi[i]!)), g.i64(axes)]);
}
/** A pool-layout result back to the operand's axis order (spatial sizes `outSp`). */
const fromPool = (g: Graph, y: string, L: PoolLayout, outSp: readonly number[]) => transpose(g, reshape(g, y, [...L.trivialShape, ...outSp]), invert(L.perm));
const outSpatial = (e: Parameters<Parameters<typeof defineOnnx>[1]>[2], L: PoolLayout) => L.spatial.map((i) => avalOut(e).shape[i]!);

// window sum: Conv with a ones kernel (zeros between elements for base dilation)
defineOnnx("reduce_window_sum", (g, [x], e) => {
  const p = e.params as WindowParams;
  const xa = avalIn(e, 0);
  const L = poolLayout("reduce_window_sum", xa.shape, p, true);
  if (L.spatial.length === 0) return [g.op1("Identity", [x!])];
  // base dilation first, then the padding (a negative one crops the dilated input)
  const [dil, dilShape] = dilate(g, toPool(g, x!, L), [prod(L.trivialShape), 1, ...L.spShape], [0, 0, ...L.spatial.map((i) => p.baseDilation[i]! - 1)], xa.dtype);
  const xs = crop(g, dil, { ...L, spShape: dilShape.slice(2) });
  const outSp = outSpatial(e, L);
  const sp = L.spatial;
  if (xa.dtype !== "float32") {
    // float64 and int32 (no Conv kernel): the sum of the window offsets' strided slices
    const pads = [0, 0, ...sp.map((i) => Math.max(0, p.padding[i]![0])), 0, 0, ...sp.map((i) => Math.max(0, p.padding[i]![1]))];
    const xp = pads.some((v) => v > 0) ? g.op1("Pad", [xs, g.i64(pads), g.scalar(0, xa.dtype)]) : xs;
    const slices = windowSlices(g, xp, sp.map((i) => p.window[i]!), sp.map((i) => p.windowDilation[i]!), sp.map((i) => p.strides[i]!), outSp);
    return [fromPool(g, addAll(g, slices.map((t) => t.slice)), L, outSp)];
  }
  const ones = g.op1("Expand", [g.scalar(1, xa.dtype), g.i64([1, 1, ...sp.map((i) => p.window[i]!)])]);
  const { kernel_shape: _k, ...convAttrs } = L.attrs;
  return [fromPool(g, g.op1("Conv", [xs, ones], convAttrs), L, outSp)];
});
/** MaxPool of x (of −x for a min); int32 pools through float64 (exact). */
function maxPool(g: Graph, x: string, d: DType, L: PoolLayout, min: boolean, nOut: 1 | 2, baseDilation?: number[]): string[] {
  let xs = toPool(g, x, L);
  const fd: DType = d === "int32" ? "float64" : d;
  if (d === "int32") xs = g.op1("Cast", [xs], { to: int(11) });
  if (min) xs = g.op1("Neg", [xs]);
  let sp = L.spShape;
  // base dilation: holes hold the max's identity −∞ (XLA pads with the init value)
  if (baseDilation !== undefined) [xs, sp] = ((r) => [r[0], r[1].slice(2)])(dilate(g, xs, [prod(L.trivialShape), 1, ...sp], [0, 0, ...L.spatial.map((i) => baseDilation[i]! - 1)], fd, -Infinity));
  xs = crop(g, xs, { ...L, spShape: sp });
  return g.op("MaxPool", [xs], { ...L.attrs, ceil_mode: int(0), storage_order: int(0) }, nOut);
}
for (const [name, min] of [["reduce_window_max", false], ["reduce_window_min", true]] as const) {
  defineOnnx(name, (g, [x], e) => {
    const d = dtypeOf(e.inputs[0]!);
    const p = e.params as WindowParams;
    const L = poolLayout(name, avalIn(e, 0).shape, p, true);
    if (L.spatial.length === 0) return [g.op1("Identity", [x!])];
    let y = maxPool(g, x!, d, L, min, 1, p.baseDilation)[0]!;
    if (min) y = g.op1("Neg", [y]);
    if (d === "int32") y = g.op1("Cast", [y], { to: int(6) });
    return [fromPool(g, y, L, outSpatial(e, L))];
  });
}
/** The flat index (into the pool layout of x) of each window's selected element, as a 1-D int64. */
function selected(g: Graph, x: string, d: DType, L: PoolLayout, p: { select: "max" | "min" }, count: number): string {
  const idx = maxPool(g, x, d, L, p.select === "min", 2)[1]!;
  return reshape(g, idx, [count]);
}
// out[o] = t at window o's selected element of x
defineOnnx("select_and_gather_add", (g, [t, x], e) => {
  const p = e.params as WindowParams & { select: "max" | "min" };
  const L = poolLayout("select_and_gather_add", avalIn(e, 1).shape, p, false);
  if (L.spatial.length === 0) return [g.op1("Identity", [t!])];
  const outSp = outSpatial(e, L);
  const idx = selected(g, x!, dtypeOf(e.inputs[1]!), L, p, prod(L.trivialShape) * prod(outSp));
  const flat = reshape(g, crop(g, toPool(g, t!, L), L), [prod(L.trivialShape) * prod(cropped(L))]);
  return [fromPool(g, g.op1("Gather", [flat, idx], { axis: int(0) }), L, outSp)];
});
// out = zeros like x with ct[o] added at window o's selected element
defineOnnx("select_and_scatter_add", (g, [ct, x], e) => {
  const p = e.params as WindowParams & { select: "max" | "min" };
  const xa = avalIn(e, 1);
  const L = poolLayout("select_and_scatter_add", xa.shape, p, false);
  if (L.spatial.length === 0) return [g.op1("Identity", [ct!])];
  const outSp = L.spatial.map((i) => avalIn(e, 0).shape[i]!);
  const n = prod(L.trivialShape) * prod(outSp);
  const idx = selected(g, x!, xa.dtype, L, p, n);
  const upd = reshape(g, toPool(g, ct!, L, outSp), [n]);
  const zeros = g.op1("Expand", [g.scalar(0, xa.dtype), g.i64([prod(L.trivialShape) * prod(cropped(L))])]);
  let out = g.op1("ScatterElements", [zeros, idx, upd], { axis: int(0), reduction: { kind: "string", v: "add" } });
  if (L.cropLo.some((c) => c > 0) || L.cropHi.some((c) => c > 0)) {
    // the cropped elements get no cotangent: zeros back around the windows' part
    out = reshape(g, out, [prod(L.trivialShape), 1, ...cropped(L)]);
    out = g.op1("Pad", [out, g.i64([0, 0, ...L.cropLo, 0, 0, ...L.cropHi]), g.scalar(0, xa.dtype)]);
  }
  return [fromPool(g, out, L, L.spShape)];
});
