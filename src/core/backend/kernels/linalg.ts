// The linear-algebra kernel: one registry entry for every matrix decomposition, batched over
// leading axes. One unit = one matrix, computed whole by the thread that claims it (the
// algorithms are in linalg-factor.ts and linalg-eig.ts), so results are bit-identical for any
// thread count. Every output of a matrix goes to one block of `out` (outputs concatenated, in
// the order `linalgLayout` gives; integer outputs as numbers), which the primitive splits: a
// job has exactly one output array, so the threaded backend's shared stand-in covers it.
import { defineKernel } from "../kernel.js";
import type { FloatArray } from "../gemm.js";
import { MAC_NS } from "./matmul.js";
import { cholesky, lu, triangularSolve, type TriOpts } from "./linalg-factor.js";
import { eigh, qr, svd } from "./linalg-eig.js";

type Dtype = "float32" | "float64";

/** The decompositions and their flags (shapes are the per-matrix m×n of the first operand). */
export type LinalgOp =
  | { op: "cholesky" }
  | ({ op: "triangular_solve"; k: number } & TriOpts) // a is k×k; b is m×n
  | { op: "lu" }
  | { op: "qr"; complete: boolean }
  | { op: "eigh" }
  | { op: "svd"; full: boolean; uv: boolean };

export interface LinalgArgs {
  a: FloatArray;
  /** the right-hand side of triangular_solve (else unused: pass `a`) */
  b: FloatArray;
  batch: number;
  m: number;
  n: number;
}

/** Sizes (elements per matrix) of the outputs of `op` on m×n operands, in their order in `out`. */
export function linalgLayout(o: LinalgOp, m: number, n: number): number[] {
  const k = Math.min(m, n);
  switch (o.op) {
    case "cholesky":
    case "triangular_solve":
      return [m * n];
    case "lu":
      return [m * n, k, m];
    case "qr":
      return o.complete ? [m * m, m * n] : [m * k, k * n];
    case "eigh":
      return [n * n, n];
    case "svd":
      return o.uv ? [k, m * (o.full ? m : k), (o.full ? n : k) * n] : [k];
  }
}

export interface LinalgJob extends LinalgArgs {
  dtype: Dtype;
  o: LinalgOp;
  out: FloatArray;
  per: number;
  parts: number[];
}

/** Multiply-adds per matrix (leading terms), the cost model's work count. */
function macs(o: LinalgOp, m: number, n: number): number {
  const k = Math.min(m, n);
  switch (o.op) {
    case "cholesky":
      return (n * n * n) / 6;
    case "triangular_solve":
      return (o.k * o.k * (o.leftSide ? n : m)) / 2;
    case "lu":
      return m * n * k - ((m + n) * k * k) / 2 + (k * k * k) / 3;
    case "qr":
      return 2 * m * n * k + (o.complete ? 2 * m * m * k : 2 * m * k * k);
    case "eigh":
      return 6 * n * n * n;
    case "svd":
      return 12 * m * n * k;
  }
}
/** The scalar loops run slower than the GEMM: ns per multiply-add, roughly (1 GFLOP/s). */
const LOOP_MAC_NS = 10 * MAC_NS;

export const linalg = defineKernel<[dtype: Dtype, o: LinalgOp, args: LinalgArgs, out: FloatArray], LinalgJob>({
  name: "linalg",
  cost: (_dt, o, { batch, m, n }) => batch * (macs(o, m, n) + m * n) * LOOP_MAC_NS,
  plan: ([dtype, o, args, out]) => {
    if (args.batch === 0) return null;
    const parts = linalgLayout(o, args.m, args.n);
    const per = parts.reduce((s, p) => s + p, 0);
    return { job: Object.assign({}, args, { dtype, o, out, per, parts }), units: args.batch, unitNs: (macs(o, args.m, args.n) + args.m * args.n) * LOOP_MAC_NS, per: 1 };
  },
  run: (j, u0, u1) => {
    for (let u = u0; u < u1; u++) runOne(j, u);
  },
});

function runOne({ dtype, o, a, b, m, n, out, per, parts }: LinalgJob, u: number): void {
  const ao = u * m * n;
  const base = u * per;
  const at = (i: number) => base + parts.slice(0, i).reduce((s, p) => s + p, 0);
  switch (o.op) {
    case "cholesky":
      return cholesky(dtype, a, ao, out, base, n);
    case "triangular_solve":
      return triangularSolve(dtype, a, u * o.k * o.k, b, ao, out, base, m, n, o);
    case "lu":
      return lu(dtype, a, ao, out, base, m, n, out, at(1), out, at(2));
    case "qr":
      return qr(a, ao, m, n, o.complete, out, base, out, at(1));
    case "eigh":
      return eigh(a, ao, n, out, base, out, at(1));
    case "svd":
      return svd(a, ao, m, n, o.full, o.uv, out, base, out, at(1), out, at(2));
  }
}
