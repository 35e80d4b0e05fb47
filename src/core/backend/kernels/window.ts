// Windowed reductions (reduce_window sum/max/min) and the two selection ops of their
// derivatives (XLA's select-and-gather / select-and-scatter), over an operand x of shape `inShape`
// and windows of `window` elements placed every `strides` on x dilated by `baseDil`, padded by
// `padLo` (and enough high padding for `outShape`), the window's elements `winDil` apart.
//
// Window w at output position o covers dilated positions p_i = o_i·stride_i + k_i·winDil_i −
// padLo_i; p_i outside the dilated operand or between its base-dilated elements holds the
// reduction's identity (0 for sum, −∞ for max, +∞ for min). Window positions are visited in
// row-major order:
//   sum/max/min   out[o] = the reduction over the window (max/min propagate NaN);
//   gather        out[o] = t[i*], i* the window's selected element of x (its first maximum for
//                 "max": the current choice stays while it is ≥ the next, XLA's `ge` select; 0 when
//                 the choice is a padding position);
//   scatter       out[i*] += ct[o] over windows o in order (out has x's shape).
//
// Determinism: a unit is one index of the leading axes whose window is 1 with stride 1 and no
// padding or dilation (batch and, for NCHW, channel axes), so its windows read and its scatter
// writes only its own slice; every output element is computed by one unit in a fixed order.
import type { FloatArray } from "../gemm.js";
import { defineKernel } from "../kernel.js";

/** ns per window element visited. */
export const WINDOW_NS = 1.5;

export type WindowMode = "sum" | "max" | "min" | "gatherMax" | "gatherMin" | "scatterMax" | "scatterMin";

export interface WindowGeometry {
  inShape: number[];
  outShape: number[];
  window: number[];
  strides: number[];
  padLo: number[];
  baseDil: number[];
  winDil: number[];
}

export interface WindowJob extends WindowGeometry {
  mode: WindowMode;
  /** the values reduced or moved: x (sum/max/min), t (gather, x-shaped), ct (scatter, out-shaped) */
  a: FloatArray | Int32Array;
  /** the operand the selection compares (gather/scatter); unused otherwise */
  x: FloatArray;
  out: FloatArray;
  /** leading axes that are independent units */
  lead: number;
}

const prod = (a: readonly number[], from = 0) => a.slice(from).reduce((p, v) => p * v, 1);
const isScatter = (m: WindowMode) => m === "scatterMax" || m === "scatterMin";

/** Leading axes a unit may own: window 1, stride 1, no padding, no dilation, in = out. */
function leadingAxes(g: WindowGeometry): number {
  let d = 0;
  while (d < g.inShape.length && g.window[d] === 1 && g.strides[d] === 1 && g.padLo[d] === 0 && g.baseDil[d] === 1 && g.inShape[d] === g.outShape[d]) d++;
  return d;
}

type WindowArgs = [mode: WindowMode, geometry: WindowGeometry, a: FloatArray, x: FloatArray | null, out: FloatArray];

export const reduceWindow = defineKernel<WindowArgs, WindowJob>({
  name: "reduceWindow",
  cost: (_mode, g) => prod(g.outShape) * prod(g.window) * WINDOW_NS,
  plan: ([mode, g, a, x, out]) => {
    if (out.length === 0) return null;
    const lead = leadingAxes(g);
    const units = prod(g.inShape.slice(0, lead));
    const ns = prod(g.outShape) * prod(g.window) * WINDOW_NS;
    return { job: { ...g, mode, a, x: x ?? a, out, lead }, units, unitNs: ns / Math.max(1, units) };
  },
  run: (j, u0, u1) => {
    for (let u = u0; u < u1; u++) runUnit(j, u);
  },
});

/** One unit: the windows of leading index u. */
function runUnit(j: WindowJob, u: number): void {
  const { mode, a, x, out, lead } = j;
  const inner = j.inShape.slice(lead);
  const outInner = j.outShape.slice(lead);
  const win = j.window.slice(lead);
  const d = inner.length;
  const inOff = u * prod(inner);
  const outOff = u * prod(outInner);
  const nOut = prod(outInner);
  const nWin = prod(win);
  const scatter = isScatter(mode);
  if (scatter) out.fill(0, inOff, inOff + prod(inner));
  // per window position: dilated offsets; per output: the window's source indices (−1: identity)
  const kOff = new Int32Array(nWin * d);
  for (let kk = 0; kk < nWin; kk++) {
    let rem = kk;
    for (let i = d - 1; i >= 0; i--) {
      const k = rem % win[i]!;
      rem = (rem - k) / win[i]!;
      kOff[kk * d + i] = k * j.winDil[lead + i]!;
    }
  }
  const o = new Int32Array(d);
  const src = new Int32Array(nWin);
  const isMax = mode === "max" || mode === "gatherMax" || mode === "scatterMax";
  // the identity of max / min: ±∞, or int32's extremes for int32 operands
  const isInt = a instanceof Int32Array;
  const init = mode === "sum" ? 0 : isMax ? (isInt ? -(2 ** 31) : -Infinity) : isInt ? 2 ** 31 - 1 : Infinity;
  for (let r = 0; r < nOut; r++) {
    let rem = r;
    for (let i = d - 1; i >= 0; i--) {
      const v = rem % outInner[i]!;
      o[i] = v;
      rem = (rem - v) / outInner[i]!;
    }
    for (let kk = 0; kk < nWin; kk++) {
      let idx = 0;
      let ok = true;
      for (let i = 0; i < d; i++) {
        const ax = lead + i;
        const p = o[i]! * j.strides[ax]! + kOff[kk * d + i]! - j.padLo[ax]!;
        const bd = j.baseDil[ax]!;
        const s = bd === 1 ? p : p / bd;
        if (p < 0 || s >= inner[i]! || (bd !== 1 && p % bd !== 0)) {
          ok = false;
          break;
        }
        idx = idx * inner[i]! + s;
      }
      src[kk] = ok ? inOff + idx : -1;
    }
    if (mode === "sum" || mode === "max" || mode === "min") {
      let acc = init;
      for (let kk = 0; kk < nWin; kk++) {
        const v = src[kk]! < 0 ? init : a[src[kk]!]!;
        if (mode === "sum") acc += v;
        // NaN propagates: once acc is NaN no comparison replaces it
        else if (isMax ? v > acc || v !== v : v < acc || v !== v) acc = v;
      }
      out[outOff + r] = acc;
      continue;
    }
    if (nWin === 0) {
      if (!scatter) out[outOff + r] = 0;
      continue;
    }
    // selection: the first window position is the current choice, replaced while it is not ≥ (≤) the next
    let best = src[0]! < 0 ? init : x[src[0]!]!;
    let at = src[0]!;
    for (let kk = 1; kk < nWin; kk++) {
      const v = src[kk]! < 0 ? init : x[src[kk]!]!;
      if (isMax ? !(best >= v) : !(best <= v)) {
        best = v;
        at = src[kk]!;
      }
    }
    if (scatter) {
      if (at >= 0) out[at] = out[at]! + a[outOff + r]!;
    } else out[outOff + r] = at >= 0 ? a[at]! : 0;
  }
}
