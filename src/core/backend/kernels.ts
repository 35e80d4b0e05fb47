// The non-elementwise kernels: strided copy, reductions, cumulative sums, gather/scatter-add,
// iota and counter-based random bits. Plain loops over typed arrays, deterministic by construction.
import type { TypedArray } from "../dtype.js";
import { coalesce } from "./elementwise.js";

/**
 * dst[dstOff + Σ i_d·dstStrides_d] = src[srcOff + Σ i_d·srcStrides_d] over `shape`.
 * Covers transpose, slice with steps, flip (negative strides), broadcast (stride 0), pad and concat.
 */
export function copyStrided(
  src: TypedArray,
  srcOff: number,
  srcStrides: readonly number[],
  shape: readonly number[],
  dst: TypedArray,
  dstOff: number,
  dstStrides: readonly number[],
): void {
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) return;
  const [dims, [ss, ds]] = coalesce(shape, [srcStrides, dstStrides]) as [number[], [number[], number[]]];
  if (dims.length === 0) {
    dst[dstOff] = src[srcOff]!;
    return;
  }
  const nd = dims.length;
  const inner = dims[nd - 1]!;
  const si = ss[nd - 1]!;
  const di = ds[nd - 1]!;
  if (nd === 1) {
    if (si === 1 && di === 1) {
      dst.set(src.subarray(srcOff, srcOff + inner), dstOff);
      return;
    }
    for (let j = 0; j < inner; j++) dst[dstOff + j * di] = src[srcOff + j * si]!;
    return;
  }
  const rows = n / inner;
  const idx = new Array<number>(nd - 1).fill(0);
  let so = srcOff;
  let dOff = dstOff;
  for (let r = 0; r < rows; r++) {
    if (si === 1 && di === 1) dst.set(src.subarray(so, so + inner), dOff);
    else for (let j = 0; j < inner; j++) dst[dOff + j * di] = src[so + j * si]!;
    // odometer over the outer axes
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      so += ss[d]!;
      dOff += ds[d]!;
      if (idx[d]! < dims[d]!) break;
      so -= ss[d]! * dims[d]!;
      dOff -= ds[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}

export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin";

/** Pairwise (blocked) sum of x[off .. off+n): exact order fixed by n alone. */
function pairwiseSum(x: TypedArray, off: number, n: number): number {
  if (n <= 128) {
    let s = 0;
    for (let i = off; i < off + n; i++) s += x[i]!;
    return s;
  }
  const h = (n >> 1) & ~127 || n >> 1;
  return pairwiseSum(x, off, h) + pairwiseSum(x, off + h, n - h);
}

/** Reduces each of `rows` contiguous rows of length `len` of x into out[row]. */
export function reduceRows(op: ReduceOp, x: TypedArray, rows: number, len: number, out: TypedArray): void {
  switch (op) {
    case "sum":
      for (let r = 0; r < rows; r++) out[r] = pairwiseSum(x, r * len, len);
      return;
    case "prod":
      for (let r = 0; r < rows; r++) {
        let p = 1;
        for (let i = r * len, e = i + len; i < e; i++) p *= x[i]!;
        out[r] = p;
      }
      return;
    case "max":
    case "min": {
      const isMax = op === "max";
      for (let r = 0; r < rows; r++) {
        let m = isMax ? -Infinity : Infinity;
        for (let i = r * len, e = i + len; i < e; i++) {
          const v = x[i]!;
          if (v !== v) {
            m = NaN;
            break;
          }
          if (isMax ? v > m : v < m) m = v;
        }
        out[r] = m;
      }
      return;
    }
    case "argmax":
    case "argmin": {
      const isMax = op === "argmax";
      for (let r = 0; r < rows; r++) {
        let m = isMax ? -Infinity : Infinity;
        let best = 0;
        for (let i = 0; i < len; i++) {
          const v = x[r * len + i]!;
          if (v !== v) {
            best = i;
            break;
          }
          if (isMax ? v > m : v < m) {
            m = v;
            best = i;
          }
        }
        out[r] = best;
      }
      return;
    }
    default:
      return op satisfies never;
  }
}

/** Cumulative sum along the middle axis of x viewed as [outer, n, inner]. */
export function cumsum(x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let i = 0; i < inner; i++) {
      let s = 0;
      if (!reverse) {
        for (let j = 0; j < n; j++) {
          const p = base + j * inner + i;
          s += x[p]!;
          out[p] = s;
          s = out[p]!; // accumulate in the output dtype, as a sequential float32 scan would
        }
      } else {
        for (let j = n - 1; j >= 0; j--) {
          const p = base + j * inner + i;
          s += x[p]!;
          out[p] = s;
          s = out[p]!;
        }
      }
    }
  }
}

/** Normalises a take index: negative counts from the end, out of range clamps (JAX's traced-index rule). */
function clampIndex(i: number, n: number): number {
  if (i < 0) i += n;
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** out[o, j, i] = x[o, idx[j], i] with x viewed as [outer, n, inner]. */
export function gather(x: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const k = clampIndex(idx[j]!, n);
      const src = (o * n + k) * inner;
      const dst = (o * m + j) * inner;
      if (inner === 1) out[dst] = x[src]!;
      else out.set(x.subarray(src, src + inner), dst);
    }
  }
}

/** out (zeroed, [outer, n, inner]) [o, idx[j], i] += upd[o, j, i]: the transpose of gather. */
export function scatterAdd(upd: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void {
  const m = idx.length;
  out.fill(0);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const k = clampIndex(idx[j]!, n);
      const dst = (o * n + k) * inner;
      const src = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = out[dst + i]! + upd[src + i]!;
    }
  }
}

/** out[...] = index along `axis` of `shape` (row-major). */
export function iota(shape: readonly number[], axis: number, out: TypedArray): void {
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const n = shape[axis]!;
  for (let p = 0; p < out.length; p++) out[p] = Math.floor(p / inner) % n;
}

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

/** Threefry-2x32 (20 rounds) of the counter pair (c0, c1) under key (k0, k1); writes 2 words at out[o], out[o+1]. */
function threefry2x32(k0: number, k1: number, c0: number, c1: number, out: TypedArray, o: number, n: number): void {
  const ks = [k0 | 0, k1 | 0, (0x1bd11bda ^ k0 ^ k1) | 0];
  let x0 = (c0 + ks[0]!) | 0;
  let x1 = (c1 + ks[1]!) | 0;
  for (let blk = 0; blk < 5; blk++) {
    for (let r = 0; r < 4; r++) {
      const rot = ROT[(blk & 1) * 4 + r]!;
      x0 = (x0 + x1) | 0;
      x1 = (x1 << rot) | (x1 >>> (32 - rot));
      x1 ^= x0;
    }
    x0 = (x0 + ks[(blk + 1) % 3]!) | 0;
    x1 = (x1 + ks[(blk + 2) % 3]! + blk + 1) | 0;
  }
  out[o] = x0;
  if (o + 1 < n) out[o + 1] = x1;
}

/** `n` random 32-bit words (stored as int32) for the key (k0, k1): word i depends only on (key, i). */
export function randomBits(k0: number, k1: number, out: TypedArray): void {
  const n = out.length;
  for (let i = 0; i < n; i += 2) threefry2x32(k0, k1, 0, i >>> 1, out, i, n);
}
