// Convolution (conv_general_dilated's kernel) over canonical layouts: input x [N, S₁…S_d, C]
// (channels last), weights w [g, K₁…K_d, I, Og] (one [K·I, Og] matrix per group), output
// out [g, R, Og] with R = N'·O₁…O_d rows (N' = N, or N / g for batch groups).
//
// Row r of group g is the output position (n, o); its patch is the K₁…K_d × I input values
//   x[n, s, c]  at dilated position p_i = o_i·stride_i + k_i·rhsDil_i − padLo_i, s_i = p_i / lhsDil_i
// (zero where p_i is outside the dilated input or between its lhs-dilated elements), channels
// c ∈ [g·I, (g+1)·I) for feature groups, all C channels of batch n + g·N' for batch groups.
// out[g, r, :] = patch(r) · w[g]: the patches of a tile of rows are gathered into a per-thread
// buffer (im2col) and multiplied by the GEMM of gemm.ts. Direct paths: a 1×1 window with unit
// strides and no padding/dilation multiplies x itself (no copy); depthwise (I = 1) sums
// x · w over the window in a loop (a GEMM with k = K and n = Og would be all overhead).
//
// Determinism: units are (group, tile of rows), every output row is written by one unit, and
// each element is the sum over the patch in order (window position major, channel minor), in
// the GEMM (whose bits do not depend on how rows are split: gemm.ts header) or in the direct
// loops; so results are the same for 1…N threads and any tile size.
import type { FloatArray } from "../gemm.js";
import { gemm, gemmFlush } from "../gemm.js";
import { defineKernel, tuning } from "../kernel.js";
import { MAC_NS } from "./matmul.js";

/** ns per patch element gathered into the im2col buffer. */
export const IM2COL_NS = 1;
/**
 * Single-thread work per unit (a tile of rows), in chunks of tuning.chunkNs: large enough that
 * re-packing w per tile is noise. The tile size may change with the tuning (tests shrink it to
 * run many tiles) but never with the thread count; the bits depend on neither (header).
 */
const TILE_CHUNKS = 6;
/** Fewest rows per tile: 64 at the default tuning (tests shrink chunkNs, and with it this, to run many tiles). */
const minTile = () => Math.max(8, Math.min(64, Math.floor(tuning.chunkNs / 250)));

type Dtype = "float32" | "float64";
export type ConvMode = "gemm" | "direct1x1" | "depthwise";

/** The geometry of one convolution, in canonical layouts (see the header). */
export interface ConvGeometry {
  /** total groups g (feature groups or batch groups; at most one kind is > 1) */
  groups: number;
  /** true: groups split the input channels; false: they split the batch */
  featureGroups: boolean;
  /** output batch N' */
  nOut: number;
  inSp: number[];
  C: number;
  kSp: number[];
  /** input channels per group (the weights' I) */
  I: number;
  /** output features per group */
  Og: number;
  outSp: number[];
  strides: number[];
  padLo: number[];
  lhsDil: number[];
  rhsDil: number[];
}

export interface ConvJob extends ConvGeometry {
  dtype: Dtype;
  x: FloatArray;
  w: FloatArray;
  out: FloatArray;
  mode: ConvMode;
  /**
   * config.flushSubnormals of the calling thread (workers follow it): the GEMM paths flush as
   * gemm-ftz.ts describes, the depthwise path stores a subnormal result as ±0.
   */
  flush: boolean;
  /** rows per unit, and units per group */
  tile: number;
  tiles: number;
}

const prod = (a: readonly number[]) => a.reduce((p, v) => p * v, 1);
const rowsOf = (g: ConvGeometry) => g.nOut * prod(g.outSp);

/** Which path a geometry takes. */
export function convMode(g: ConvGeometry): ConvMode {
  const unit = (a: number[]) => a.every((v) => v === 1);
  if (prod(g.kSp) === 1 && g.groups === 1 && unit(g.strides) && unit(g.lhsDil) && g.padLo.every((v) => v === 0) && g.outSp.every((o, i) => o === g.inSp[i])) return "direct1x1";
  if (g.I === 1 && g.featureGroups && g.groups > 1) return "depthwise";
  return "gemm";
}

function costOf(dtype: Dtype, g: ConvGeometry): number {
  const rows = g.groups * rowsOf(g);
  const k = prod(g.kSp) * g.I;
  return rows * k * (g.Og * MAC_NS * (dtype === "float64" ? 2 : 1) + IM2COL_NS);
}

type ConvArgs = [dtype: Dtype, geometry: ConvGeometry, x: FloatArray, w: FloatArray, out: FloatArray];

export const conv = defineKernel<ConvArgs, ConvJob>({
  name: "conv",
  cost: (dtype, g) => costOf(dtype, g),
  plan: ([dtype, g, x, w, out]) => {
    const R = rowsOf(g);
    if (R * g.groups * g.Og === 0) return null;
    const k = prod(g.kSp) * g.I;
    const rowNs = Math.max(1, k * (g.Og * MAC_NS * (dtype === "float64" ? 2 : 1) + IM2COL_NS));
    // a multiple of 8 rows (the GEMM's register tiles), from the shapes alone
    // at least minTile() rows: each tile re-packs the group's [K, Og] weights, which costs about
    // as much as multiplying ~20 rows by them
    const tile = Math.min(R, Math.max(minTile(), Math.min(2048, Math.ceil((TILE_CHUNKS * tuning.chunkNs) / rowNs / 8) * 8)));
    const tiles = Math.ceil(R / tile);
    // Object.assign, not a spread followed by properties (V8's slow path on Node 20, ~1.7 µs)
    const job: ConvJob = Object.assign({}, g, { dtype, x, w, out, mode: convMode(g), flush: gemmFlush(), tile, tiles });
    return { job, units: g.groups * tiles, unitNs: tile * rowNs, per: 1 };
  },
  run: (j, u0, u1) => {
    for (let u = u0; u < u1; u++) {
      const grp = Math.floor(u / j.tiles);
      const r0 = (u - grp * j.tiles) * j.tile;
      const r1 = Math.min(rowsOf(j), r0 + j.tile);
      if (j.mode === "direct1x1") runDirect1x1(j, r0, r1);
      else if (j.mode === "depthwise") runDepthwise(j, grp, r0, r1);
      else runGemm(j, grp, r0, r1);
    }
  },
});

// ---------------------------------------------------------------- paths

/** 1×1 window, unit strides, no padding: x viewed as [R, C] is its own patch matrix. */
function runDirect1x1(j: ConvJob, r0: number, r1: number): void {
  const { C, Og } = j;
  if (C === 0) {
    j.out.fill(0, r0 * Og, r1 * Og);
    return;
  }
  gemm(j.dtype, j.x, r0 * C, 0, false, j.w, 0, 0, false, j.out, r0 * Og, 0, 1, r1 - r0, C, Og, 0, r1 - r0, j.flush);
}

/** Per-thread im2col buffers, grown as needed (each thread imports its own copy of this module). */
let buf32 = new Float32Array(0);
let buf64 = new Float64Array(0);
function buffer(dtype: Dtype, n: number): FloatArray {
  if (dtype === "float32") {
    if (buf32.length < n) buf32 = new Float32Array(Math.max(n, buf32.length * 2));
    return buf32;
  }
  if (buf64.length < n) buf64 = new Float64Array(Math.max(n, buf64.length * 2));
  return buf64;
}

/**
 * The window offsets: for window position kk (row-major over K₁…K_d), its dilated offset
 * k_i·rhsDil_i in each spatial dimension i, at kOff[kk·d + i].
 */
function windowOffsets(j: ConvGeometry): Int32Array {
  const d = j.kSp.length;
  const KK = prod(j.kSp);
  const kOff = new Int32Array(KK * d);
  for (let kk = 0; kk < KK; kk++) {
    let rem = kk;
    for (let i = d - 1; i >= 0; i--) {
      const k = rem % j.kSp[i]!;
      rem = (rem - k) / j.kSp[i]!;
      kOff[kk * d + i] = k * j.rhsDil[i]!;
    }
  }
  return kOff;
}

/**
 * Where row r's window reads: for each window position, the input element offset of its first
 * channel (at `cOff`), or -1 where it falls in padding or between lhs-dilated elements.
 */
function patchSources(j: ConvJob, grp: number, r: number, kOff: Int32Array, o: Int32Array, src: Int32Array): void {
  const d = j.inSp.length;
  let rem = r;
  for (let i = d - 1; i >= 0; i--) {
    const v = rem % j.outSp[i]!;
    o[i] = v;
    rem = (rem - v) / j.outSp[i]!;
  }
  const n = j.featureGroups ? rem : rem + grp * j.nOut;
  const cOff = j.featureGroups ? grp * j.I : 0;
  const KK = src.length;
  for (let kk = 0; kk < KK; kk++) {
    let idx = n;
    let ok = true;
    for (let i = 0; i < d; i++) {
      const p = o[i]! * j.strides[i]! + kOff[kk * d + i]! - j.padLo[i]!;
      const ld = j.lhsDil[i]!;
      const s = ld === 1 ? p : p / ld;
      if (p < 0 || s >= j.inSp[i]! || (ld !== 1 && p % ld !== 0)) {
        ok = false;
        break;
      }
      idx = idx * j.inSp[i]! + s;
    }
    src[kk] = ok ? idx * j.C + cOff : -1;
  }
}

/** General path: gather the tile's patches, then one GEMM with the group's weight matrix. */
function runGemm(j: ConvJob, grp: number, r0: number, r1: number): void {
  const { I, Og } = j;
  const KK = prod(j.kSp);
  const K = KK * I;
  const rows = r1 - r0;
  const outOff = (grp * rowsOf(j) + r0) * Og;
  if (K === 0) {
    j.out.fill(0, outOff, outOff + rows * Og);
    return;
  }
  const a = buffer(j.dtype, rows * K);
  const kOff = windowOffsets(j);
  const o = new Int32Array(j.inSp.length);
  const src = new Int32Array(KK);
  const x = j.x;
  for (let r = r0; r < r1; r++) {
    patchSources(j, grp, r, kOff, o, src);
    let dst = (r - r0) * K;
    for (let kk = 0; kk < KK; kk++, dst += I) {
      const s = src[kk]!;
      // plain loops: a subarray per block would allocate (and collect) one object per copy
      if (s < 0) for (let c = 0; c < I; c++) a[dst + c] = 0;
      else for (let c = 0; c < I; c++) a[dst + c] = x[s + c]!;
    }
  }
  gemm(j.dtype, a, 0, 0, false, j.w, grp * K * Og, 0, false, j.out, outOff, 0, 1, rows, K, Og, 0, rows, j.flush);
}

/** Depthwise (one input channel per group): out[g, r, m] = Σ_window x[src, g] · w[g, window, m]. */
function runDepthwise(j: ConvJob, grp: number, r0: number, r1: number): void {
  const { Og } = j;
  const KK = prod(j.kSp);
  const kOff = windowOffsets(j);
  const o = new Int32Array(j.inSp.length);
  const src = new Int32Array(KK);
  const { x, w, out } = j;
  const wOff = grp * KK * Og;
  const f32 = j.dtype === "float32";
  // flush-to-zero of the stored sums (0: IEEE); subnormal inputs are multiplied as they are
  const tiny = j.flush ? (f32 ? 2 ** -126 : 2 ** -1022) : 0;
  for (let r = r0; r < r1; r++) {
    patchSources(j, grp, r, kOff, o, src);
    const ob = (grp * rowsOf(j) + r) * Og;
    for (let m = 0; m < Og; m++) {
      let acc = 0;
      for (let kk = 0; kk < KK; kk++) {
        const s = src[kk]!;
        // the same rounding as the GEMM's float32 path: every product and sum to float32
        if (s >= 0) acc = f32 ? Math.fround(acc + Math.fround(x[s]! * w[wOff + kk * Og + m]!)) : acc + x[s]! * w[wOff + kk * Og + m]!;
      }
      out[ob + m] = acc < tiny && acc > -tiny ? acc * 0 : acc;
    }
  }
}
