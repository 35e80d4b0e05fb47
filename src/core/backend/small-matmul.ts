// Small matrix products (matvec, m·k·n in the thousands: an RNN step's h[1,64]·W[64,64]) on the
// calling thread, with no kernel plan, pool dispatch or operand copies: the cost of such a
// product is a few µs of arithmetic, and the generic path (plan object, job, threaded runner,
// transposed copies, a broadcast kernel for outer products) cost several times that.
//
// Bits: every path keeps gemm's contract (gemm.ts header): C[i,j] is s = 0; s = s + a·b for
// p = 0..k-1, each product and sum rounded to the dtype. An outer product (k = 1) is one rounded
// product, which is what the broadcast multiply it replaces computed (flushed as it flushes, when
// config.flushSubnormals is on); everything else calls this
// thread's gemm directly with the operands' own layouts. So results equal the pooled kernel's
// for every thread count (below the threshold nothing is split).
import { gemm, gemmFlush, type FloatArray } from "./gemm.js";
import { MAC_NS } from "./kernels/matmul.js";
import { tuning } from "./kernel.js";

/**
 * Largest batch·m·k·n done here. Up to it the arithmetic is ≤ ~3 µs single-threaded (0.043 ns
 * per multiply-add), far below the pool's threshold (tuning.minNs = 100 µs), so splitting never
 * pays; the generic path's fixed cost (≈ 2-8 µs measured for 1×64×64 and 64×1×64, bench/scan.ts)
 * is what this removes.
 */
export const SMALL_MATMUL_WORK = 65536;

/** Whether a product of this size takes the direct path (also never when tests shrink the pool threshold below its cost). */
export function isSmallMatmul(dtype: "float32" | "float64", batch: number, m: number, k: number, n: number): boolean {
  const work = batch * m * k * n;
  return work <= SMALL_MATMUL_WORK && work * MAC_NS * (dtype === "float64" ? 2 : 1) < tuning.minNs;
}

/**
 * out[bi] = op(A[bi]) · op(B[bi]) for bi < batch, as the matmul kernel's layouts: A is [batch, m,
 * k] (transA: [batch, k, m]), B is [batch, k, n] (transB: [batch, n, k]), out [batch, m, n], all
 * contiguous from element 0.
 */
export function smallMatmul(
  dtype: "float32" | "float64",
  a: FloatArray, transA: boolean, b: FloatArray, transB: boolean,
  batch: number, m: number, k: number, n: number, out: FloatArray,
): void {
  if (batch * m * n === 0) return;
  if (k === 1) {
    // outer product per batch: with k = 1, [m,1] and [1,m] share one layout
    if (gemmFlush()) outerFlushed(dtype === "float32", a, b, batch, m, n, out);
    else if (dtype === "float32") outer32(a as Float32Array, b as Float32Array, batch, m, n, out as Float32Array);
    else outer64(a as Float64Array, b as Float64Array, batch, m, n, out as Float64Array);
    return;
  }
  gemm(dtype, a, 0, m * k, transA, b, 0, k * n, transB, out, 0, m * n, batch, m, k, n, 0, m, gemmFlush());
}

/** out[bi, i, j] = a[bi, i]·b[bi, j] rounded to float32 (a Float32Array store rounds the exact double product once). */
function outer32(a: Float32Array, b: Float32Array, batch: number, m: number, n: number, out: Float32Array): void {
  for (let bi = 0, o = 0; bi < batch; bi++) {
    const ab = bi * m, bb = bi * n;
    for (let i = 0; i < m; i++) {
      const x = a[ab + i]!;
      for (let j = 0; j < n; j++, o++) out[o] = x * b[bb + j]!;
    }
  }
}

/**
 * The outer product under flush-to-zero (config.flushSubnormals), as the elementwise multiply it
 * replaces flushes (ew-flush.ts, vecmath's ftz32/ftz64): subnormal operands read as ±0, a
 * subnormal product stored as ±0. The flushes are written inline: with a call per operand and
 * product, a first call over 16k elements (eager W5's x·c) ran 1.7-4 ms in the interpreter.
 */
function outerFlushed(f32: boolean, a: FloatArray, b: FloatArray, batch: number, m: number, n: number, out: FloatArray): void {
  if (f32) outerFlushed32(a as Float32Array, b as Float32Array, batch, m, n, out as Float32Array);
  else outerFlushed64(a as Float64Array, b as Float64Array, batch, m, n, out as Float64Array);
}

/** Smallest normal float32 and float64. */
const MIN32 = 2 ** -126, MIN64 = 2 ** -1022;

function outerFlushed32(a: Float32Array, b: Float32Array, batch: number, m: number, n: number, out: Float32Array): void {
  for (let bi = 0, o = 0; bi < batch; bi++) {
    const ab = bi * m, bb = bi * n;
    for (let i = 0; i < m; i++) {
      let x = a[ab + i]!;
      if (x < MIN32 && x > -MIN32) x *= 0;
      for (let j = 0; j < n; j++, o++) {
        let y = b[bb + j]!;
        if (y < MIN32 && y > -MIN32) y *= 0;
        // the exact double product rounded once to float32, then flushed
        const p = Math.fround(x * y);
        out[o] = p < MIN32 && p > -MIN32 ? p * 0 : p;
      }
    }
  }
}

function outerFlushed64(a: Float64Array, b: Float64Array, batch: number, m: number, n: number, out: Float64Array): void {
  for (let bi = 0, o = 0; bi < batch; bi++) {
    const ab = bi * m, bb = bi * n;
    for (let i = 0; i < m; i++) {
      let x = a[ab + i]!;
      if (x < MIN64 && x > -MIN64) x *= 0;
      for (let j = 0; j < n; j++, o++) {
        let y = b[bb + j]!;
        if (y < MIN64 && y > -MIN64) y *= 0;
        const p = x * y;
        out[o] = p < MIN64 && p > -MIN64 ? p * 0 : p;
      }
    }
  }
}

function outer64(a: Float64Array, b: Float64Array, batch: number, m: number, n: number, out: Float64Array): void {
  for (let bi = 0, o = 0; bi < batch; bi++) {
    const ab = bi * m, bb = bi * n;
    for (let i = 0; i < m; i++) {
      const x = a[ab + i]!;
      for (let j = 0; j < n; j++, o++) out[o] = x * b[bb + j]!;
    }
  }
}
