// Batched matrix multiply entry point used by dot_general. Delegates to the GEMM kernel.
import type { FloatArray } from "./gemm.js";
import { gemm } from "./gemm.js";

export type { FloatArray };

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

/** C[bi] = op(A[bi]) · op(B[bi]) written into `out` ([batch, m, n], contiguous). */
export function matmul(dtype: "float32" | "float64", args: MatmulArgs, out: FloatArray): void {
  const { a, aStride, transA, b, bStride, transB, batch, m, k, n } = args;
  if (k === 0) {
    out.fill(0);
    return;
  }
  gemm(dtype, a, 0, aStride, transA, b, 0, bStride, transB, out, 0, m * n, batch, m, k, n);
}
