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
    // Object.assign, not a spread followed by properties (V8's slow path on Node 20, ~1.7 µs)
    return { job: Object.assign({}, g, { mode, a, x: x ?? a, out, lead }), units, unitNs: ns / Math.max(1, units) };
  },
  run: (j, u0, u1) => {
    for (let u = u0; u < u1; u++) runUnit(j, u);
  },
});

/** Trailing axes (after the leading ones) that pass through like the leading ones: a contiguous block per window element. */
function trailingAxes(g: WindowGeometry, lead: number): number {
  let t = 0;
  for (let d = g.inShape.length - 1; d >= lead; d--, t++) {
    if (!(g.window[d] === 1 && g.strides[d] === 1 && g.padLo[d] === 0 && g.baseDil[d] === 1 && g.inShape[d] === g.outShape[d])) break;
  }
  return t;
}

/**
 * One unit: the windows of leading index u. Axes are [lead | middle | tail]: the window moves
 * over the middle axes; each window element is a contiguous block of `tail` values (the
 * channels of NHWC), so the index arithmetic is done once per block.
 */
function runUnit(j: WindowJob, u: number): void {
  const { mode, a, x, out, lead } = j;
  const nt = trailingAxes(j, lead);
  const n = j.inShape.length;
  const inner = j.inShape.slice(lead, n - nt);
  const outInner = j.outShape.slice(lead, n - nt);
  const win = j.window.slice(lead, n - nt);
  const tail = prod(j.inShape, n - nt);
  const d = inner.length;
  const inOff = u * prod(inner) * tail;
  const outOff = u * prod(outInner) * tail;
  const nOut = prod(outInner);
  const nWin = prod(win);
  const scatter = isScatter(mode);
  if (scatter) out.fill(0, inOff, inOff + prod(inner) * tail);
  // per window position: dilated offsets; per output: the window's source blocks (−1: identity)
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
      src[kk] = ok ? inOff + idx * tail : -1;
    }
    const ob = outOff + r * tail;
    if (mode === "sum") sumBlock(a, src, nWin, tail, out, ob);
    else if (mode === "max" || mode === "min") extremeBlock(a, src, nWin, tail, out, ob, isMax, init);
    else selectBlock(a, x, src, nWin, tail, out, ob, isMax, init, scatter);
  }
}

// The per-output loops, one function per kind so each inner loop stays simple for the JIT.

/** out[ob + c] = Σ over the window of a[src + c] (identity 0 where src < 0). */
function sumBlock(a: ArrayLike<number>, src: Int32Array, nWin: number, tail: number, out: FloatArray | Int32Array, ob: number): void {
  for (let c = 0; c < tail; c++) out[ob + c] = 0;
  for (let kk = 0; kk < nWin; kk++) {
    const s = src[kk]!;
    if (s >= 0) for (let c = 0; c < tail; c++) out[ob + c] = out[ob + c]! + a[s + c]!;
  }
}

/** out[ob + c] = max (min) over the window of a[src + c]; NaN propagates: once acc is NaN no comparison replaces it. */
function extremeBlock(a: ArrayLike<number>, src: Int32Array, nWin: number, tail: number, out: FloatArray | Int32Array, ob: number, isMax: boolean, init: number): void {
  for (let c = 0; c < tail; c++) {
    let acc = init;
    for (let kk = 0; kk < nWin; kk++) {
      const v = src[kk]! < 0 ? init : a[src[kk]! + c]!;
      if (isMax ? v > acc || v !== v : v < acc || v !== v) acc = v;
    }
    out[ob + c] = acc;
  }
}

/**
 * Selection: the first window position is the current choice, replaced while it is not ≥ (≤)
 * the next; gather reads a at the choice, scatter adds a's output value there.
 */
function selectBlock(a: ArrayLike<number>, x: ArrayLike<number>, src: Int32Array, nWin: number, tail: number, out: FloatArray | Int32Array, ob: number, isMax: boolean, init: number, scatter: boolean): void {
  for (let c = 0; c < tail; c++) {
    if (nWin === 0) {
      if (!scatter) out[ob + c] = 0;
      continue;
    }
    let best = src[0]! < 0 ? init : x[src[0]! + c]!;
    let at = src[0]! < 0 ? -1 : src[0]! + c;
    for (let kk = 1; kk < nWin; kk++) {
      const v = src[kk]! < 0 ? init : x[src[kk]! + c]!;
      if (isMax ? !(best >= v) : !(best <= v)) {
        best = v;
        at = src[kk]! < 0 ? -1 : src[kk]! + c;
      }
    }
    if (scatter) {
      if (at >= 0) out[at] = out[at]! + a[ob + c]!;
    } else out[ob + c] = at >= 0 ? a[at]! : 0;
  }
}
