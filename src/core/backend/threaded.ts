// The multithreaded backend: each kernel call runs inline on the caller when it is small, and
// otherwise as a job of fixed-size chunks on the worker pool (pool.ts) plus the caller.
import type { DType, TypedArray } from "../dtype.js";
import { arena } from "./storage.js";
import { planElementwise, runElementwise, type ScalarExpr, type StridedInput } from "./elementwise.js";
import { kernels, type Job, type ReduceOp } from "./kernels.js";
import { matmul, type FloatArray, type MatmulArgs } from "./dot.js";
import { currentPool, type KernelPool } from "./pool.js";
import { threadCount } from "./threads.js";
import type { Backend } from "./index.js";
import { WorkerError } from "../errors.js";

/**
 * An op whose estimated single-thread time is below this many nanoseconds runs inline on the
 * caller. Measured with `npx tsx bench/threshold.ts` (Node 20, 2 vCPUs, 2 threads): handing a
 * job to a worker and waiting for it costs ~15–40 µs (post + wake + the last chunk's
 * imbalance), so splitting pays once an op takes ≳ 2× that alone. See the table there.
 */
export const PARALLEL_MIN_NS = 60_000;

/**
 * Single-thread cost per unit of work (ns), measured by bench/threshold.ts, used to compare
 * with PARALLEL_MIN_NS. Elementwise: per element plus per Math.* call in the expression.
 */
export const COST_NS = {
  elementwise: 1.2,
  mathCall: 5,
  copy: 1,
  reduce: 1,
  cumsum: 2,
  gather: 1,
  bits: 8,
  /** per multiply-add of a GEMM (≈ 40 GFLOP/s) */
  mac: 0.05,
} as const;

/** Units per chunk, fixed per op so that chunk boundaries never depend on the thread count. */
export const CHUNK = {
  elements: 16_384,
  /** a row reduction longer than 2 × this is cut into leaves of its fixed summation tree */
  piece: 32_768,
  bitsPairs: 4096,
} as const;

/**
 * The live threshold and chunk sizes. @internal tests shrink them to run small arrays through
 * many chunks (results must not change: see test/backend/kernels.test.ts); benchmarks vary minNs.
 */
export const tuning = { minNs: PARALLEL_MIN_NS, ...CHUNK };

/** Fewest rows of op(A) per GEMM part: below this, re-packing B for every part costs more than it saves. */
export const GEMM_MIN_ROWS = 32;

/**
 * Every array a job writes, and every large array it reads, must be shared memory. Small
 * inputs (≤ 2 KiB: the arena keeps them in ordinary ArrayBuffer slabs) are copied into the
 * job message, which is fine for read-only operands (a broadcast scalar, a bias row).
 */
function allShared(out: TypedArray, ...ins: TypedArray[]): boolean {
  if (!(out.buffer instanceof SharedArrayBuffer)) return false;
  for (const a of ins) if (!(a.buffer instanceof SharedArrayBuffer) && a.byteLength > SMALL_COPY_BYTES) return false;
  return true;
}
const SMALL_COPY_BYTES = 2048;

/** The pool for an op of `ns` estimated nanoseconds, or null to run it inline. */
function poolFor(ns: number): KernelPool | null {
  if (ns < tuning.minNs) return null;
  const p = currentPool();
  return p !== null && p.threads > 1 ? p : null;
}

const mathCalls = new Map<string, number>();
function exprCost(expr: string): number {
  let c = mathCalls.get(expr);
  if (c === undefined) {
    c = COST_NS.elementwise + COST_NS.mathCall * (expr.match(/Math\.\w+\(/g)?.length ?? 0);
    mathCalls.set(expr, c);
  }
  return c;
}

function elementwise(expr: ScalarExpr, ins: StridedInput[], shape: readonly number[], out: TypedArray): void {
  const size = out.length;
  if (size === 0) return;
  const plan = planElementwise(expr, ins, shape, size);
  const pool = poolFor(size * exprCost(expr));
  if (pool === null || plan.units < 2 || !allShared(out, ...plan.ins)) return runElementwise(plan, out, 0, plan.units);
  pool.run({
    kind: "ew", src: plan.src, out, ins: plan.ins, strides: plan.strides, shape: plan.shape,
    total: plan.units, per: Math.max(1, Math.floor(tuning.elements / plan.inner)),
  });
}

function copyStrided(
  src: TypedArray, srcOff: number, srcStrides: readonly number[], shape: readonly number[],
  dst: TypedArray, dstOff: number, dstStrides: readonly number[],
): void {
  let size = 1;
  for (const d of shape) size *= d;
  const pool = poolFor(size * COST_NS.copy);
  if (pool === null || !allShared(dst, src)) return kernels.copyStrided(src, srcOff, srcStrides, shape, dst, dstOff, dstStrides);
  const p = kernels.copyPlan(srcStrides, shape, dstStrides);
  if (!p) return;
  const flat = p.dims.length === 1;
  const inner = p.dims[p.dims.length - 1]!;
  pool.run({
    kind: "copy", src, srcOff, dst, dstOff, dims: p.dims, ss: p.ss, ds: p.ds,
    total: flat ? inner : p.rows, per: flat ? tuning.elements : Math.max(1, Math.floor(tuning.elements / inner)),
  });
}

function reduceRows(op: ReduceOp, x: TypedArray, rows: number, len: number, out: TypedArray): void {
  const pool = poolFor(rows * len * COST_NS.reduce);
  if (pool === null || !allShared(out, x)) return kernels.reduceRows(op, x, rows, len, out);
  if (len >= 2 * tuning.piece && op !== "prod") {
    // Long rows: the leaves of each row's fixed reduction tree in parallel, combined here in
    // the tree's order, so the bits equal the whole-row loop's.
    const { leafOff, leafLen } = kernels.reduceLeaves(op, len, tuning.piece);
    const units = rows * leafOff.length;
    const partial = arena.allocShared("float64", 2 * units) as Float64Array;
    try {
      pool.run({ kind: "pieces", op, x, len, leafOff, leafLen, partial, total: units, per: 1 });
      kernels.combineLeaves(op, len, tuning.piece, rows, partial, out);
    } finally {
      arena.release(partial);
    }
    return;
  }
  pool.run({ kind: "reduce", op, x, len, out, total: rows, per: Math.max(1, Math.floor(tuning.elements / len)) });
}

function matmulThreaded(dtype: "float32" | "float64", args: MatmulArgs, out: FloatArray): void {
  const { a, aStride, transA, b, bStride, transB, batch, m, k, n } = args;
  const pool = poolFor(batch * m * k * n * COST_NS.mac);
  if (pool === null || k === 0 || !allShared(out, a, b)) return matmul(dtype, args, out);
  // GEMM is the one op whose split follows the thread count: gemm's bits do not depend on how
  // its rows are split (gemm.ts header; test/backend/gemm.test.ts and threads.test.ts check
  // it), and each part re-packs B, so as many parts as threads beats finer fixed chunks.
  const parts = pool.threads;
  const job = { kind: "gemm", dtype, a, aStride, transA, b, bStride, transB, out, batch, m, k, n } as const;
  if (batch >= parts || m < 2 * GEMM_MIN_ROWS) {
    pool.run({ ...job, rows: m, total: batch, per: Math.ceil(batch / parts) });
    return;
  }
  const rows = Math.max(GEMM_MIN_ROWS, Math.ceil(m / Math.ceil(parts / batch) / 8) * 8);
  pool.run({ ...job, rows, total: batch * Math.ceil(m / rows), per: 1 });
}

function cumsum(x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray): void {
  const pool = poolFor(outer * n * inner * COST_NS.cumsum);
  if (pool === null || !allShared(out, x)) return kernels.cumsum(x, outer, n, inner, reverse, out);
  pool.run({ kind: "cumsum", x, out, n, inner, reverse, total: outer * inner, per: Math.max(1, Math.floor(tuning.elements / n)) });
}

function gather(x: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void {
  const pool = poolFor(out.length * COST_NS.gather);
  if (pool === null || !allShared(out, x, idx)) return kernels.gather(x, outer, n, inner, idx, out);
  pool.run({ kind: "gather", x, n, inner, idx, out, total: outer * idx.length, per: Math.max(1, Math.floor(tuning.elements / inner)) });
}

function scatterAdd(upd: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void {
  const m = idx.length;
  const pool = poolFor((upd.length + out.length) * COST_NS.gather);
  if (pool === null || inner === 0 || !allShared(out, upd, idx)) return kernels.scatterAdd(upd, outer, n, inner, idx, out);
  // a unit is a block of columns of one outer slice: every output element is in exactly one
  const block = Math.min(inner, Math.max(1, Math.floor(tuning.elements / Math.max(1, n + m))));
  pool.run({ kind: "scatter", upd, n, inner, idx, out, block, total: outer * Math.ceil(inner / block), per: 1 });
}

function iota(shape: readonly number[], axis: number, out: TypedArray): void {
  const pool = poolFor(out.length * COST_NS.copy);
  if (pool === null || !allShared(out)) return kernels.iota(shape, axis, out);
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  pool.run({ kind: "iota", out, inner, n: shape[axis]!, total: out.length, per: tuning.elements });
}

function randomBits(k0: number, k1: number, out: TypedArray): void {
  const pool = poolFor(out.length * COST_NS.bits);
  if (pool === null || !allShared(out)) return kernels.randomBits(k0, k1, out);
  pool.run({ kind: "bits", k0, k1, out, total: Math.ceil(out.length / 2), per: tuning.bitsPairs });
}

/** A kernel's exception, wherever it ran, reaches the caller as a WorkerError with the cause. */
function guard<A extends unknown[]>(name: string, f: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      f(...args);
    } catch (e) {
      if (e instanceof WorkerError) throw e;
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new WorkerError({ message: `tapir: the ${name} kernel threw on the calling thread: ${msg}`, cause: e } as { message: string });
    }
  };
}

/** Kernels on the worker pool (big ops) and the caller (small ones). Starts no thread until a big op. */
export const threadedBackend: Backend = {
  name: "threaded",
  threads: () => {
    const p = currentPool();
    return p === null ? 1 : p.threads;
  },
  alloc: (dtype: DType, size: number, zero?: boolean) => arena.alloc(dtype, size, zero),
  release: (data) => arena.release(data),
  arenaStats: () => ({ ...arena.stats }),
  elementwise: guard("elementwise", elementwise),
  copyStrided: guard("copyStrided", copyStrided),
  reduceRows: guard("reduceRows", reduceRows),
  matmul: guard("matmul", matmulThreaded),
  cumsum: guard("cumsum", cumsum),
  gather: guard("gather", gather),
  scatterAdd: guard("scatterAdd", scatterAdd),
  iota: guard("iota", iota),
  randomBits: guard("randomBits", randomBits),
};

/** Runs a test job on the current pool (fault-injection tests). @internal */
export function runTestJob(action: string, chunks: number): Int32Array {
  const out = new Int32Array(new SharedArrayBuffer(4 * chunks));
  const job: Job = { kind: "test", out, action, total: chunks, per: 1 };
  const pool = currentPool();
  if (pool === null) for (let c = 0; c < chunks; c++) kernels.runChunk(job, c);
  else pool.run(job);
  return out;
}

export { threadCount };
