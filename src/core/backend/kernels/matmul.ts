// Batched matrix multiply (dot_general's kernel): C[bi] = op(A[bi]) · op(B[bi]) into `out`
// ([batch, m, n], contiguous), by the GEMM of gemm.ts.
//
// The GEMM is the one kernel whose split follows the thread count: gemm's bits do not depend on
// how its rows are split (gemm.ts header; test/backend/gemm.test.ts and threads.test.ts check
// it), and each part re-packs B, so as many parts as threads beats finer fixed chunks.
import type { FloatArray } from "../gemm.js";
import { gemm, gemmFlush } from "../gemm.js";
import { defineKernel } from "../kernel.js";

export type { FloatArray };

/** ns per multiply-add (≈ 46 GFLOP/s float32 on one core; float64 twice that). */
export const MAC_NS = 0.043;
/** Fewest rows of op(A) per part: below this, re-packing B for every part costs more than it saves. */
export const GEMM_MIN_ROWS = 32;
/**
 * A GEMM is cut into more parts than threads when a part would take longer than this (so that
 * progress stays visible to the stall check and a late worker still finds work), but never
 * into parts under GEMM_MIN_BIG_ROWS rows: each part re-packs B (~40 rows' worth of work).
 */
const GEMM_PART_NS = 200e6;
const GEMM_MIN_BIG_ROWS = 256;

export interface MatmulArgs {
  a: FloatArray;
  aStride: number;
  transA: boolean;
  b: FloatArray;
  bStride: number;
  transB: boolean;
  batch: number;
  m: number;
  k: number;
  n: number;
}

type Dtype = "float32" | "float64";
export interface MatmulJob extends MatmulArgs {
  dtype: Dtype;
  out: FloatArray;
  /** rows per unit when < m (units = batch × row blocks), else whole matrices (units = batch) */
  rows: number;
  /** flush-to-zero (the caller's config.flushSubnormals, carried to the workers) */
  flush: boolean;
}

const costOf = (dtype: Dtype, { batch, m, k, n }: MatmulArgs): number => batch * m * k * n * MAC_NS * (dtype === "float64" ? 2 : 1);

/**
 * The job, field by field: on Node 20 an object spread followed by more properties
 * ({ ...args, out }) takes V8's slow path, ~1.7 µs, more than planning the rest of the op.
 */
function jobOf(dtype: Dtype, g: MatmulArgs, out: FloatArray, rows: number): MatmulJob {
  return {
    a: g.a, aStride: g.aStride, transA: g.transA, b: g.b, bStride: g.bStride, transB: g.transB,
    batch: g.batch, m: g.m, k: g.k, n: g.n, dtype, out, rows, flush: gemmFlush(),
  };
}

export const matmul = defineKernel<[dtype: Dtype, args: MatmulArgs, out: FloatArray], MatmulJob>({
  name: "matmul",
  cost: costOf,
  plan: ([dtype, args, out], { threads }) => {
    const { batch, m, k, n } = args;
    if (batch * m * n === 0) return null;
    const job = jobOf(dtype, args, out, m);
    const ns = costOf(dtype, args);
    // inline (or nothing to multiply): all matrices in one gemm call, which may merge them
    if (threads === 1 || k === 0) return { job, units: batch, unitNs: ns / batch, per: batch };
    const parts = Math.max(threads, Math.ceil(ns / GEMM_PART_NS));
    if (batch >= parts || m < 2 * GEMM_MIN_ROWS) return { job, units: batch, unitNs: ns / batch, per: Math.ceil(batch / parts) };
    const floor = parts > threads ? GEMM_MIN_BIG_ROWS : GEMM_MIN_ROWS;
    const rows = Math.min(m, Math.max(floor, Math.ceil(m / Math.ceil(parts / batch) / 8) * 8));
    return { job: jobOf(dtype, args, out, rows), units: batch * Math.ceil(m / rows), unitNs: (rows * ns) / (batch * m), per: 1 };
  },
  run: (j, u0, u1) => {
    const { dtype, a, aStride, transA, b, bStride, transB, out, m, k, n, rows, flush } = j;
    const cs = m * n;
    if (k === 0) {
      out.fill(0, u0 * cs, u1 * cs);
      return;
    }
    if (rows < m) {
      const per = Math.ceil(m / rows);
      for (let u = u0; u < u1; u++) {
        const bi = Math.floor(u / per), r0 = (u - bi * per) * rows;
        gemm(dtype, a, bi * aStride, aStride, transA, b, bi * bStride, bStride, transB, out, bi * cs, cs, 1, m, k, n, r0, Math.min(m, r0 + rows), flush);
      }
    } else {
      gemm(dtype, a, u0 * aStride, aStride, transA, b, u0 * bStride, bStride, transB, out, u0 * cs, cs, u1 - u0, m, k, n, 0, m, flush);
    }
  },
});
