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
 * caller. A job costs the caller a post and a notify (an empty 2-chunk job: 10–15 µs median,
 * p90 20–30 µs), the helper joins only after it wakes, and the caller may wait for the last
 * chunk a helper holds; so a split pays only when the op takes several times that alone.
 *
 * Measured with `npx tsx bench/threshold.ts --reps 9` (2 threads; inline vs pool interleaved,
 * medians; "pays from" = the smallest estimated time from which every larger size ran ≥ 10%
 * faster on the pool), in estimated µs for a*b+a / exp / row sums / one long sum / transpose / GEMM:
 *   this 2-vCPU EPYC VM, load 1.3 (the second vCPU partly busy): 151 / 239 / 144 / 1153 / 655 / 738
 *   an idle 16-core Xeon VM (two runs):                  38 / 30–120 / 36 / 72 / 66–164 / 92–738
 * 100 µs sits above the idle machine's crossings for the cheap ops and below the loaded one's
 * for all but the GEMM and the long sum, where a wrong choice costs least (≤ 10–20%).
 */
export const PARALLEL_MIN_NS = 100_000;

/**
 * Single-thread cost per unit of work (ns) on this machine (bench/threshold.ts, quiet, "inline
 * ns/unit"): the estimate compared with PARALLEL_MIN_NS, and the size of a chunk.
 * Elementwise: per element plus per Math.* call in the expression.
 */
export const COST_NS = {
  elementwise: 1.6,
  mathCall: 5.5,
  /** per element of a copy whose innermost axis is strided (a transpose), resp. contiguous */
  copy: 1.7,
  copyContiguous: 0.3,
  reduce: 0.7,
  cumsum: 2,
  gather: 1,
  /** per 32-bit random word (Threefry-2x32, 20 rounds, per pair of words) */
  bits: 6,
  /** per multiply-add of a GEMM (≈ 46 GFLOP/s f32 on one core) */
  mac: 0.043,
} as const;

/**
 * The live threshold and chunking. A chunk holds about `chunkNs` of single-thread work, so a
 * worker that wakes late still finds chunks to take; chunk boundaries follow from the op's
 * shape (and expression) alone, never from the thread count. `piece`: a row reduction longer
 * than 2 × piece is cut into the leaves of its fixed summation tree (same bits as the whole
 * row). @internal tests shrink these to run small arrays through many chunks (results must
 * not change: test/backend/kernels.test.ts); benchmarks vary minNs.
 */
export const tuning = { minNs: PARALLEL_MIN_NS, chunkNs: 16_000, piece: 16_384 };

/** Units of `costNs` each per chunk (at least 1). */
const perChunk = (costNs: number): number => Math.max(1, Math.floor(tuning.chunkNs / costNs));

/** Fewest rows of op(A) per GEMM part: below this, re-packing B for every part costs more than it saves. */
export const GEMM_MIN_ROWS = 32;
/**
 * A GEMM is cut into more parts than threads when a part would take longer than this (so that
 * progress stays visible to the stall check and a late worker still finds work), but never
 * into parts under GEMM_MIN_BIG_ROWS rows: each part re-packs B (~40 rows' worth of work).
 */
const GEMM_PART_NS = 200e6;
const GEMM_MIN_BIG_ROWS = 256;

const isShared = (a: TypedArray): boolean => a.buffer instanceof SharedArrayBuffer;

/**
 * Every large array a job reads must be shared memory (a worker would otherwise get a copy of
 * it in the job message; small read-only operands, such as a broadcast scalar or a bias row in
 * the arena's ArrayBuffer slabs, may be copied). Outputs are handled by `sharedOut`.
 */
function readable(...ins: TypedArray[]): boolean {
  for (const a of ins) if (!isShared(a) && a.byteLength > SMALL_COPY_BYTES) return false;
  return true;
}
const SMALL_COPY_BYTES = 2048;

/**
 * Grow-only shared scratch arrays, one per use, reused by every job (jobs never overlap): the
 * partial results of split reductions, and a shared stand-in for an output that is not in
 * shared memory (the arena keeps small tensors in ordinary ArrayBuffer slabs).
 */
const scratch: SharedArrayBuffer[] = [new SharedArrayBuffer(1024), new SharedArrayBuffer(1024)];
function scratchOf<T extends TypedArray>(slot: 0 | 1, like: { BYTES_PER_ELEMENT: number; new (b: SharedArrayBuffer, o: number, n: number): T }, n: number): T {
  const bytes = n * like.BYTES_PER_ELEMENT;
  if (scratch[slot]!.byteLength < bytes) scratch[slot] = new SharedArrayBuffer(2 ** Math.ceil(Math.log2(bytes)));
  return new like(scratch[slot]!, 0, n);
}

/** Runs `job(o)` with `o` = out, or a shared stand-in copied into out afterwards. */
function sharedOut(out: TypedArray, job: (o: TypedArray) => void): void {
  if (isShared(out)) return job(out);
  const tmp = scratchOf(1, out.constructor as unknown as { BYTES_PER_ELEMENT: number; new (b: SharedArrayBuffer, o: number, n: number): TypedArray }, out.length);
  job(tmp);
  out.set(tmp as never);
}

/** The pool for an op of `ns` estimated nanoseconds, or null to run it inline. */
function poolFor(ns: number): KernelPool | null {
  if (ns < tuning.minNs) return null;
  const p = currentPool();
  return p !== null && p.threads > 1 ? p : null;
}

const exprCosts = new Map<string, number>();
/** Estimated ns per element of an elementwise expression. */
function exprCost(expr: string): number {
  let c = exprCosts.get(expr);
  if (c === undefined) {
    c = COST_NS.elementwise + COST_NS.mathCall * (expr.match(/Math\.\w+\(/g)?.length ?? 0);
    exprCosts.set(expr, c);
  }
  return c;
}

function elementwise(expr: ScalarExpr, ins: StridedInput[], shape: readonly number[], out: TypedArray): void {
  const size = out.length;
  if (size === 0) return;
  const cost = exprCost(expr);
  const pool = poolFor(size * cost);
  const plan = planElementwise(expr, ins, shape, size);
  if (pool === null || plan.units < 2 || !readable(...plan.ins)) return runElementwise(plan, out, 0, plan.units);
  const per = Math.max(1, Math.floor(perChunk(cost) / plan.inner));
  const chunkNs = per * plan.inner * cost;
  sharedOut(out, (o) => pool.run({ kind: "ew", src: plan.src, out: o, ins: plan.ins, strides: plan.strides, shape: plan.shape, total: plan.units, per, chunkNs }));
}

function copyStrided(
  src: TypedArray, srcOff: number, srcStrides: readonly number[], shape: readonly number[],
  dst: TypedArray, dstOff: number, dstStrides: readonly number[],
): void {
  let size = 1;
  for (const d of shape) size *= d;
  const last = shape.length - 1;
  const cost = last >= 0 && srcStrides[last] === 1 && dstStrides[last] === 1 ? COST_NS.copyContiguous : COST_NS.copy;
  const pool = poolFor(size * cost);
  // the destination may be written only in part (pad, concatenate): it must be the real one
  if (pool === null || !isShared(dst) || !readable(src)) return kernels.copyStrided(src, srcOff, srcStrides, shape, dst, dstOff, dstStrides);
  const p = kernels.copyPlan(srcStrides, shape, dstStrides);
  if (!p) return;
  const flat = p.dims.length === 1;
  const inner = p.dims[p.dims.length - 1]!;
  const per = flat ? perChunk(cost) : Math.max(1, Math.floor(perChunk(cost) / inner));
  pool.run({
    kind: "copy", src, srcOff, dst, dstOff, dims: p.dims, ss: p.ss, ds: p.ds,
    total: flat ? inner : p.rows, per, chunkNs: per * (flat ? 1 : inner) * cost,
  });
}

function reduceRows(op: ReduceOp, x: TypedArray, rows: number, len: number, out: TypedArray): void {
  const pool = poolFor(rows * len * COST_NS.reduce);
  if (pool === null || !readable(x)) return kernels.reduceRows(op, x, rows, len, out);
  if (len >= 2 * tuning.piece && op !== "prod") {
    // Long rows: the leaves of each row's fixed reduction tree in parallel, combined here in
    // the tree's order, so the bits equal the whole-row loop's.
    const { leafOff, leafLen } = kernels.reduceLeaves(op, len, tuning.piece);
    const units = rows * leafOff.length;
    const partial = scratchOf(0, Float64Array, 2 * units);
    pool.run({ kind: "pieces", op, x, len, leafOff, leafLen, partial, total: units, per: 1 });
    kernels.combineLeaves(op, len, tuning.piece, rows, partial, out);
    return;
  }
  const per = Math.max(1, Math.floor(perChunk(COST_NS.reduce) / len));
  sharedOut(out, (o) => pool.run({ kind: "reduce", op, x, len, out: o, total: rows, per, chunkNs: per * len * COST_NS.reduce }));
}

function matmulThreaded(dtype: "float32" | "float64", args: MatmulArgs, out: FloatArray): void {
  const { a, aStride, transA, b, bStride, transB, batch, m, k, n } = args;
  const ns = batch * m * k * n * COST_NS.mac * (dtype === "float64" ? 2 : 1);
  const pool = poolFor(ns);
  if (pool === null || k === 0 || !readable(a, b)) return matmul(dtype, args, out);
  // GEMM is the one op whose split follows the thread count: gemm's bits do not depend on how
  // its rows are split (gemm.ts header; test/backend/gemm.test.ts and threads.test.ts check
  // it), and each part re-packs B, so as many parts as threads beats finer fixed chunks.
  const parts = Math.max(pool.threads, Math.ceil(ns / GEMM_PART_NS));
  const job = { kind: "gemm", dtype, a, aStride, transA, b, bStride, transB, batch, m, k, n } as const;
  sharedOut(out, (o) => {
    if (batch >= parts || m < 2 * GEMM_MIN_ROWS) {
      const per = Math.ceil(batch / parts);
      pool.run({ ...job, out: o as FloatArray, rows: m, total: batch, per, chunkNs: (per * ns) / batch });
      return;
    }
    const floor = parts > pool.threads ? GEMM_MIN_BIG_ROWS : GEMM_MIN_ROWS;
    const rows = Math.min(m, Math.max(floor, Math.ceil(m / Math.ceil(parts / batch) / 8) * 8));
    pool.run({ ...job, out: o as FloatArray, rows, total: batch * Math.ceil(m / rows), per: 1, chunkNs: (rows * ns) / (batch * m) });
  });
}

function cumsum(x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray): void {
  const pool = poolFor(outer * n * inner * COST_NS.cumsum);
  if (pool === null || !readable(x)) return kernels.cumsum(x, outer, n, inner, reverse, out);
  const per = Math.max(1, Math.floor(perChunk(COST_NS.cumsum) / n));
  sharedOut(out, (o) => pool.run({ kind: "cumsum", x, out: o, n, inner, reverse, total: outer * inner, per, chunkNs: per * n * COST_NS.cumsum }));
}

function gather(x: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void {
  const pool = poolFor(out.length * COST_NS.gather);
  if (pool === null || !readable(x, idx)) return kernels.gather(x, outer, n, inner, idx, out);
  const per = Math.max(1, Math.floor(perChunk(COST_NS.gather) / inner));
  sharedOut(out, (o) => pool.run({ kind: "gather", x, n, inner, idx, out: o, total: outer * idx.length, per }));
}

function scatterAdd(upd: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void {
  const m = idx.length;
  const pool = poolFor((upd.length + out.length) * COST_NS.gather);
  if (pool === null || inner === 0 || !readable(upd, idx)) return kernels.scatterAdd(upd, outer, n, inner, idx, out);
  // a unit is a block of columns of one outer slice: every output element is in exactly one
  const block = Math.min(inner, Math.max(1, Math.floor(perChunk(COST_NS.gather) / Math.max(1, n + m))));
  sharedOut(out, (o) => pool.run({ kind: "scatter", upd, n, inner, idx, out: o, block, total: outer * Math.ceil(inner / block), per: 1 }));
}

function iota(shape: readonly number[], axis: number, out: TypedArray): void {
  const pool = poolFor(out.length * COST_NS.gather);
  if (pool === null) return kernels.iota(shape, axis, out);
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  sharedOut(out, (o) => pool.run({ kind: "iota", out: o, inner, n: shape[axis]!, total: out.length, per: perChunk(COST_NS.gather) }));
}

function randomBits(k0: number, k1: number, out: TypedArray): void {
  const pool = poolFor(out.length * COST_NS.bits);
  if (pool === null) return kernels.randomBits(k0, k1, out);
  sharedOut(out, (o) => pool.run({ kind: "bits", k0, k1, out: o, total: Math.ceil(out.length / 2), per: perChunk(2 * COST_NS.bits) }));
}

/** A kernel's exception, wherever it ran, reaches the caller as a WorkerError with the cause. */
function guard<A extends unknown[]>(name: string, f: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      f(...args);
    } catch (e) {
      if (e instanceof WorkerError) throw e;
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new WorkerError({ message: `tapir: the ${name} kernel threw on the calling thread: ${msg}`, cause: e });
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
  const out = new Int32Array(new SharedArrayBuffer(4 * chunks)).fill(-9);
  const job: Job = { kind: "test", out, action, total: chunks, per: 1 };
  const pool = currentPool();
  if (pool === null) for (let c = 0; c < chunks; c++) kernels.runChunk(job, c);
  else pool.run(job);
  return out;
}

export { threadCount };
