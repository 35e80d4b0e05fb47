// Windowed reductions: reduce_window_sum (linear; its transpose is a window sum over the
// stride-dilated, padded cotangent: JAX's _reduce_window_sum_transpose_rule), reduce_window_max
// and _min (their tangent is the tangent at each window's selected element:
// select_and_gather_add), and the selection pair select_and_gather_add / select_and_scatter_add
// (XLA's ops, linear in their first operand and each other's transpose). Ties select the first
// maximum (minimum) in the window, as XLA's `ge` (`le`) select.
import { batchToFront, defLinear, definePrimitive, type Prim, type TransposeArg, type UndefPrimal } from "../primitive.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { backend, type FloatArray } from "../backend/index.js";
import { fmtShape, shapeEq } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind1, type Aval } from "../trace.js";
import { moveaxis, pad, slice } from "../lax.js";
import type { WindowMode } from "../backend/kernels/window.js";
import { dilateDim, vjpLhsPadding } from "./conv.js";

export type WindowParams = {
  window: number[];
  strides: number[];
  padding: [number, number][];
  baseDilation: number[];
  windowDilation: number[];
};
export type SelectParams = WindowParams & { select: "max" | "min" };

/** Output shape of windows over `shape` (0 where the window does not fit). */
export function windowShape(name: string, x: Aval, p: WindowParams): number[] {
  const n = x.shape.length;
  const lens = [p.window, p.strides, p.padding, p.baseDilation, p.windowDilation];
  if (lens.some((a) => a.length !== n)) {
    throw fail(ShapeError, `${name}: window, strides, padding and dilations need one entry per operand axis (${n} for ${fmtShape(x.shape)}), got window ${fmtShape(p.window)}.`);
  }
  return x.shape.map((s, i) => {
    const inD = dilateDim(s, p.baseDilation[i]!) + p.padding[i]![0] + p.padding[i]![1];
    const wD = dilateDim(p.window[i]!, p.windowDilation[i]!);
    return inD < wD ? 0 : Math.floor((inD - wD) / p.strides[i]!) + 1;
  });
}

function dtypeCheck(name: string, x: Aval, floatOnly: boolean): void {
  const ok = x.dtype === "float32" || x.dtype === "float64" || (!floatOnly && x.dtype === "int32");
  if (!ok) throw fail(DTypeError, `${name}: not defined for ${x.dtype} operands; it takes float32, float64${floatOnly ? "" : " or int32"}. Convert with astype.`);
}

const geometry = (inShape: readonly number[], outShape: number[], p: WindowParams) => ({
  inShape: [...inShape], outShape, window: p.window, strides: p.strides, padLo: p.padding.map(([lo]) => lo), baseDil: p.baseDilation, winDil: p.windowDilation,
});

/** Runs the window kernel in `mode` into a new tensor of `outShape`. */
function runWindow(mode: WindowMode, a: Tensor, x: Tensor | null, xShape: readonly number[], outShape: number[], shape: number[], p: WindowParams): Tensor {
  const out = emptyTensor(shape, a.dtype);
  backend().reduceWindow(mode, geometry(xShape, outShape, p), a._data as FloatArray, x ? (x._data as FloatArray) : null, out._data as FloatArray);
  return out;
}

/** The params with a leading unit window over a new batch axis 0. */
const withBatchAxis = <P extends WindowParams>(p: P): P => ({
  ...p, window: [1, ...p.window], strides: [1, ...p.strides], padding: [[0, 0], ...p.padding], baseDilation: [1, ...p.baseDilation], windowDilation: [1, ...p.windowDilation],
});
const front = (x: Tensor, d: number | null) => (d === null ? x : moveaxis(x, d, 0));
const linAval = (x: TransposeArg) => (x as UndefPrimal).aval;

/** Zero padding that may be negative (a negative edge crops), with interior holes. */
function padOrCrop(x: Tensor, pads: [number, number][], interior: number[]): Tensor {
  const padded = pad(x, pads.map(([lo]) => Math.max(0, lo)), pads.map(([, hi]) => Math.max(0, hi)), interior);
  if (pads.every(([lo, hi]) => lo >= 0 && hi >= 0)) return padded;
  const starts = pads.map(([lo]) => Math.max(0, -lo));
  return slice(padded, starts, padded.shape.map((s, i) => s - Math.max(0, -pads[i]![1])), starts.map(() => 1));
}

// ---------------------------------------------------------------- reduce_window_sum

// out[o] = Σ_window x; linear, transposed by a window sum over the padded, stride-dilated cotangent
export const reduceWindowSumP: Prim<"reduce_window_sum", WindowParams> = defLinear<"reduce_window_sum", WindowParams, 1>({
  name: "reduce_window_sum",
  abstractEval: ([x], p) => {
    dtypeCheck("reduce_window_sum", x, false);
    return [{ shape: windowShape("reduce_window_sum", x, p), dtype: x.dtype }];
  },
  impl: ([x], p) => {
    const shape = windowShape("reduce_window_sum", x, p);
    return [runWindow("sum", x, null, x.shape, shape, shape, p)];
  },
  batch: ([x], [d], p, _n, self) => [[bind1(self, [front(x, d)], withBatchAxis(p))], [0]],
  transpose: ([ct], [x], p) => {
    const inShape = linAval(x).shape;
    const pads = vjpLhsPadding([...inShape], p.window, p.strides, [...ct.shape], p.padding, p.baseDilation, p.windowDilation);
    const padded = padOrCrop(ct, pads, p.strides.map((s) => s - 1));
    const ones = inShape.map(() => 1);
    return [bind1(reduceWindowSumP, [padded], { window: p.window, strides: p.baseDilation, padding: inShape.map(() => [0, 0] as [number, number]), baseDilation: ones, windowDilation: p.windowDilation })];
  },
});

// ---------------------------------------------------------------- reduce_window_max / min

/** max or min over each window; the tangent is the tangent at the window's selected element. */
function chooser<N extends "reduce_window_max" | "reduce_window_min">(name: N, select: "max" | "min"): Prim<N, WindowParams> {
  return definePrimitive<N, WindowParams, 1>({
    name,
    abstractEval: ([x], p) => {
      dtypeCheck(name, x, false);
      return [{ shape: windowShape(name, x, p), dtype: x.dtype }];
    },
    impl: ([x], p) => {
      const shape = windowShape(name, x, p);
      return [runWindow(select, x, null, x.shape, shape, shape, p)];
    },
    batch: ([x], [d], p, _n, self) => [[bind1(self, [front(x, d)], withBatchAxis(p))], [0]],
    jvp: ([x], [t], p, self) => [[bind1(self, [x], p)], [t ? bind1(selectAndGatherAddP, [t, x], { ...p, select }) : null]],
  });
}
// out[o] = max over the window (NaN propagates); d out = t at the window's first maximum
export const reduceWindowMaxP: Prim<"reduce_window_max", WindowParams> = chooser("reduce_window_max", "max");
// out[o] = min over the window (NaN propagates); d out = t at the window's first minimum
export const reduceWindowMinP: Prim<"reduce_window_min", WindowParams> = chooser("reduce_window_min", "min");

// ---------------------------------------------------------------- selection pair

/** Both operands with the batch axis in front (an unbatched one broadcast). */
function batchPair([a, b]: [Tensor, Tensor], [da, db]: [number | null, number | null], n: number): [Tensor, Tensor] {
  return [batchToFront(a, da, n), batchToFront(b, db, n)];
}

// out[o] = t[selected element of x in window o]; linear in t (x only chooses), transposed by select_and_scatter_add
export const selectAndGatherAddP: Prim<"select_and_gather_add", SelectParams> = defLinear<"select_and_gather_add", SelectParams, 2>({
  name: "select_and_gather_add",
  abstractEval: ([t, x], p) => {
    dtypeCheck("select_and_gather_add", x, true);
    if (!shapeEq(t.shape, x.shape) || t.dtype !== x.dtype) throw fail(ShapeError, `select_and_gather_add: the tangent ${t.dtype}${fmtShape(t.shape)} must match the operand ${x.dtype}${fmtShape(x.shape)}.`);
    return [{ shape: windowShape("select_and_gather_add", x, p), dtype: x.dtype }];
  },
  impl: ([t, x], p) => {
    const shape = windowShape("select_and_gather_add", x, p);
    return [runWindow(p.select === "max" ? "gatherMax" : "gatherMin", t, x, x.shape, shape, shape, p)];
  },
  batch: (args, dims, p, n, self) => [[bind1(self, batchPair(args, dims, n), withBatchAxis(p))], [0]],
  jvp: ([t, x], [dt], p, self) => [[bind1(self, [t, x], p)], [dt ? bind1(self, [dt, x], p) : null]],
  transpose: ([ct], [, x], p) => [bind1(selectAndScatterAddP, [ct, x as Tensor], p), null],
});

// out = zeros like x, with ct[o] added at window o's selected element of x; linear in ct, transposed by select_and_gather_add
export const selectAndScatterAddP: Prim<"select_and_scatter_add", SelectParams> = defLinear<"select_and_scatter_add", SelectParams, 2>({
  name: "select_and_scatter_add",
  abstractEval: ([ct, x], p) => {
    dtypeCheck("select_and_scatter_add", x, true);
    const want = windowShape("select_and_scatter_add", x, p);
    if (!shapeEq(ct.shape, want) || ct.dtype !== x.dtype) throw fail(ShapeError, `select_and_scatter_add: the cotangent ${ct.dtype}${fmtShape(ct.shape)} must have the windows' shape ${x.dtype}${fmtShape(want)}.`);
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  impl: ([ct, x], p) => {
    const outShape = windowShape("select_and_scatter_add", x, p);
    return [runWindow(p.select === "max" ? "scatterMax" : "scatterMin", ct, x, x.shape, outShape, [...x.shape], p)];
  },
  batch: (args, dims, p, n, self) => [[bind1(self, batchPair(args, dims, n), withBatchAxis(p))], [0]],
  jvp: ([ct, x], [dct], p, self) => [[bind1(self, [ct, x], p)], [dct ? bind1(self, [dct, x], p) : null]],
  transpose: ([ct], [, x], p) => [bind1(selectAndGatherAddP, [ct, x as Tensor], p), null],
});
