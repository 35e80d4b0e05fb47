// Flush-to-zero for the GEMM, without the FPU mode bits that Wasm and JS cannot set.
//
// XLA and TensorFlow run float32 on CPU with FTZ/DAZ: a subnormal operand counts as zero and a
// subnormal product or sum becomes zero. On x86 each subnormal operand or result otherwise takes a
// microcode assist (~100× the cost of the instruction): a 256³ float32 product of values ≈1e-20
// (every product ≈1e-40, subnormal) ran 93× slower than on ordinary values.
//
// The GEMM emulates FTZ on the panels it packs anyway (gemm.ts; the wasm packftz_* kernels of
// scripts/gemm-kernels.ts do the per-element pass), in two steps per k chunk, and a third where
// one chunk holds all of k:
//  1. DAZ: subnormal elements of the packed A and B panels become (signed) zero.
//  2. For row i of the A block, amax_i = max_p |a[i,p]| and bmax = max |b[p,j]| over the packed
//     B strip. When amax_i · bmax < MIN_NORMAL, every product a[i,p]·b[p,j] of that row is below
//     the smallest normal, i.e. zero under FTZ, so the row contributes exactly nothing: its packed
//     A row is zeroed (0·b = ±0 for finite b, and s + ±0 = s), and a block whose rows all vanish
//     skips the micro-kernels entirely. A NaN or ±Inf anywhere makes the max Infinity, so such a
//     row is never zeroed (amax·Inf is Inf, and 0·Inf is NaN: not below).
//  3. A live row whose largest product amax_i · bmax is below MIN_NORMAL · 2^26 (2^-100 for
//     float32) runs scaled by an exact power of two (scaleTinyRows, unscaleRows): its products
//     with B's normal elements are normal, not subnormal (an x86 microcode assist each, flushed
//     or not).
// The rule is per row of op(A) and per (k chunk, column block) of op(B), both fixed by the block
// sizes and never by how rows are split between threads, so results stay bit-identical for any
// thread count. What it does not reach: products that are subnormal inside a row whose largest
// product is at least MIN_NORMAL · 2^26 (or in a product whose k spans several chunks) keep IEEE gradual
// underflow (JAX would give 0 for those products), and so does a sum that cancels to a subnormal
// value; a scaled row's subnormal-sized products count at full precision (JAX: 0).

import type { FloatArray, GemmDtype } from "./gemm.js";

/** The smallest positive normal number of each dtype (2^-126, 2^-1022). */
export const MIN_NORMAL: { readonly [D in GemmDtype]: number } = { float32: 2 ** -126, float64: 2 ** -1022 };

/**
 * Flushes subnormal elements of view[off, off + len) to signed zero in place and returns the
 * largest |x| (Infinity when a NaN is present).
 */
export function flushMax(view: FloatArray, off: number, len: number, tiny: number): number {
  let mx = 0;
  for (let i = off, e = off + len; i < e; i++) {
    const x = view[i]!;
    const ax = Math.abs(x);
    if (ax >= tiny) {
      if (ax > mx) mx = ax;
    } else if (ax !== 0) {
      if (ax === ax) view[i] = x > 0 ? 0 : -0;
      else mx = Infinity;
    }
  }
  return mx;
}

/** The largest of view[off, off + len) (non-negative maxima from the packftz_* kernels), Infinity for a NaN. */
export function maxOf(view: FloatArray, off: number, len: number): number {
  let mx = 0;
  for (let i = off; i < off + len; i++) {
    const x = view[i]!;
    if (x > mx) mx = x;
    else if (x !== x) return Infinity;
  }
  return mx;
}

/**
 * After the packftz_* kernel has packed and flushed an A block (panels of mr rows, element (r, p) of
 * panel q at off + q·kLen·mr + p·mr + r) and written its row maxima to view[maxOff..]: zeroes
 * every row whose products with the packed B (largest |b| = bmax) all lie below `tiny`, and
 * returns whether any row is left that can contribute (false: all products are zero under FTZ).
 * A block with no live row is left as it is (the caller skips it), and a panel whose rows are all
 * dead is cleared with one fill: on data that underflows (W14 ×0.1) every row of every block is
 * dead, and zeroing them element by element was a cold strided loop per block, ~1.5 ms of a
 * first call.
 */
export function screenA(view: FloatArray, off: number, maxOff: number, rowsPad: number, kLen: number, mr: number, tiny: number, bmax: number): boolean {
  let live = false;
  for (let i = 0; i < rowsPad && !live; i++) live = !(rowMax(view, maxOff + i) * bmax < tiny);
  if (!live) return false;
  for (let q = 0; q < rowsPad; q += mr) {
    const panel = off + (q / mr) * kLen * mr;
    let dead = 0;
    for (let r = 0; r < mr; r++) if (rowMax(view, maxOff + q + r) * bmax < tiny) dead++;
    if (dead === 0) continue;
    if (dead === mr) {
      view.fill(0, panel, panel + kLen * mr);
      continue;
    }
    for (let r = 0; r < mr; r++) {
      const amax = rowMax(view, maxOff + q + r);
      if (amax * bmax < tiny && amax !== 0) for (let p = 0, j = panel + r; p < kLen; p++, j += mr) view[j] = 0;
    }
  }
  return true;
}

/**
 * Rows whose largest product (amax · bmax) lies below the smallest normal times this run scaled
 * (scaleTinyRows): 2^-100 for float32, 2^-996 for float64, products within 2^26 of the row's
 * largest then being subnormal.
 */
export const SCALE_HEADROOM = 2 ** 26;

/**
 * Step 3 (the wasm path, when one k chunk holds all of k): each live row of the packed A block
 * whose largest product amax·bmax is below tiny · SCALE_HEADROOM is multiplied by 2^e, e = −⌊log2 amax⌋, so
 * its largest element is in [1, 2): exact (a power of two, no element leaves the normal range),
 * and its products with the normal elements of B are then normal too, where unscaled many would
 * be subnormal, each an x86 microcode assist (W14 ×0.1's narrow layers ran 2.8× slower). The row's
 * results come back scaled by 2^-e (unscaleRows). Such a row's small products are kept at full
 * precision instead of going through gradual underflow (XLA's FTZ would drop them): its sums
 * differ from the unscaled ones only by those products' rounding. `scale[r]` gets 2^-e
 * for scaled rows, 0 for the rest; returns how many rows were scaled. A rule per row of op(A)
 * and per B strip, so any split of rows between threads gives the same bits.
 */
export function scaleTinyRows(view: FloatArray, off: number, maxOff: number, rowsPad: number, kLen: number, mr: number, tiny: number, bmax: number, scale: Float64Array): number {
  let count = 0;
  for (let i = 0; i < rowsPad; i++) {
    const amax = rowMax(view, maxOff + i);
    const top = amax * bmax;
    scale[i] = 0;
    if (!(top >= tiny && top < tiny * SCALE_HEADROOM)) continue;
    const e = -Math.floor(Math.log2(amax));
    const up = 2 ** e;
    scale[i] = 2 ** -e;
    count++;
    for (let p = 0, j = off + Math.floor(i / mr) * kLen * mr + (i % mr); p < kLen; p++, j += mr) view[j] = view[j]! * up;
  }
  return count;
}

/**
 * The C block's scaled rows (scale[r] ≠ 0) times scale[r], with results below the smallest normal
 * made ±0 before they are stored (storing one would itself be a subnormal conversion).
 */
export function unscaleRows(view: FloatArray, cb: number, ldc: number, rows: number, cols: number, tiny: number, scale: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const sc = scale[r]!;
    if (sc === 0) continue;
    for (let j = cb + r * ldc, e = j + cols; j < e; j++) {
      const v = view[j]! * sc;
      view[j] = v < tiny && v > -tiny ? v * 0 : v;
    }
  }
}

/** A row maximum written by the packftz_* kernel, Infinity for a NaN. */
const rowMax = (view: FloatArray, i: number): number => {
  const x = view[i]!;
  return x === x ? x : Infinity;
};

/**
 * The same rule for the plain-JS path, which must not write to its inputs: the largest |x| of
 * the rows × cols matrix src[base + r·rs + c·cs] after DAZ (Infinity for a NaN), and whether it
 * holds a subnormal.
 */
export function maxAbs(src: FloatArray, base: number, rows: number, cols: number, rs: number, cs: number, tiny: number): { max: number; sub: boolean } {
  let mx = 0;
  let sub = false;
  for (let r = 0; r < rows; r++) {
    for (let c = 0, i = base + r * rs; c < cols; c++, i += cs) {
      const ax = Math.abs(src[i]!);
      if (ax >= tiny) {
        if (ax > mx) mx = ax;
      } else if (ax !== 0) {
        if (ax === ax) sub = true;
        else mx = Infinity;
      }
    }
  }
  return { max: mx, sub };
}
