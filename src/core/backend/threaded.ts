// The backends, built from the kernel registry: every entry of registry.ts becomes a method of
// the inline CPU backend (the whole plan on the calling thread) and of the multithreaded
// backend (inline when small, else a job of fixed-size chunks on the pool plus the caller).
import type { DType, TypedArray } from "../dtype.js";
import { ValueError, WorkerError } from "../errors.js";
import { arena, SLAB_MAX_ALLOC, type ArenaStats } from "./storage.js";
import { tuning, type AnyKernel, type ArgsOf, type PlanContext } from "./kernel.js";
import { KERNELS, type KernelName } from "./registry.js";
import { checkJobSize, type KernelPool } from "./pool.js";
import { currentPool } from "./pool-scope.js";
import { ELEMENTWISE_NS, MATH_CALL_NS } from "./elementwise.js";
import { COPY_CONTIGUOUS_NS, COPY_NS } from "./kernels/copy.js";
import { CUMSUM_NS, REDUCE_NS } from "./kernels/reduce.js";
import { GATHER_NS } from "./kernels/gather.js";
import { BITS_NS } from "./kernels/random.js";
import { MAC_NS } from "./kernels/matmul.js";

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
 * for all but the GEMM and the long sum, where a wrong choice costs least (≤ 10–20%). On a busy
 * machine the pool's load factor raises it (pool.ts `loadFactor`).
 */
export const PARALLEL_MIN_NS = tuning.minNs;

/** The kernels' cost models in one table (bench/threshold.ts prints estimates with it). */
export const COST_NS = {
  elementwise: ELEMENTWISE_NS, mathCall: MATH_CALL_NS, copy: COPY_NS, copyContiguous: COPY_CONTIGUOUS_NS,
  reduce: REDUCE_NS, cumsum: CUMSUM_NS, gather: GATHER_NS, bits: BITS_NS, mac: MAC_NS,
} as const;

export { tuning };

/** While the load factor keeps ops off the pool, one op in PROBE_EVERY still goes to measure it again. */
const PROBE_EVERY = 16;

const isShared = (a: TypedArray): boolean => a.buffer instanceof SharedArrayBuffer;
const isArray = (v: unknown): v is TypedArray => ArrayBuffer.isView(v);
/** Read-only arrays up to this size may travel by copy in the job message (a broadcast scalar, a bias row). */
const SMALL_COPY_BYTES = SLAB_MAX_ALLOC;

/** Whether every large array the job reads is shared memory (a worker would otherwise get a copy). */
function readable(job: object): boolean {
  for (const [k, v] of Object.entries(job)) {
    if (k === "out") continue;
    if (isArray(v)) {
      if (!isShared(v) && v.byteLength > SMALL_COPY_BYTES) return false;
    } else if (Array.isArray(v)) {
      for (const a of v) if (isArray(a) && !isShared(a) && a.byteLength > SMALL_COPY_BYTES) return false;
    }
  }
  return true;
}

/**
 * Grow-only shared scratch arrays, one per use, reused by every job (jobs never overlap): the
 * partial results of split reductions, and a shared stand-in for an output that is not in
 * shared memory (the arena keeps small tensors in ordinary ArrayBuffer slabs).
 */
const scratchBuffers: SharedArrayBuffer[] = [new SharedArrayBuffer(1024), new SharedArrayBuffer(1024)];
type SharedCtor<T> = { BYTES_PER_ELEMENT: number; new (b: SharedArrayBuffer, o: number, n: number): T };
function scratchOf<T>(slot: 0 | 1, like: SharedCtor<T>, n: number): T {
  const bytes = n * like.BYTES_PER_ELEMENT;
  if (scratchBuffers[slot]!.byteLength < bytes) scratchBuffers[slot] = new SharedArrayBuffer(2 ** Math.ceil(Math.log2(bytes)));
  return new like(scratchBuffers[slot]!, 0, n);
}

const inlineCtx: PlanContext = { threads: 1, chunkNs: Infinity, scratch: (n) => new Float64Array(n) };

/**
 * The kernel's cost estimate, refused unless finite and non-negative: a NaN, negative or
 * infinite size would otherwise reach a loop bound (a NaN chunk count hung the claim loop).
 */
function costOf(name: string, k: AnyKernel, args: unknown[]): number {
  const ns = k.cost(...args);
  if (!(ns >= 0 && ns < Infinity)) {
    throw new ValueError({
      message: `tapir: the ${name} kernel was called with sizes whose estimated cost is ${ns} ns; every size must be a non-negative integer. An array with a NaN, negative or fractional dimension reached the backend: check the shapes passed to the op that built it.`,
    });
  }
  return ns;
}

/** The whole call on the calling thread. */
function runInline(name: string, k: AnyKernel, args: unknown[]): void {
  costOf(name, k, args);
  runPlanInline(name, k, args);
}

function runPlanInline(name: string, k: AnyKernel, args: unknown[]): void {
  const p = k.plan(args, inlineCtx);
  if (p === null) return;
  checkJobSize(name, p.units, 1);
  k.run(p.job, 0, p.units);
  k.finish?.(p.job, args);
}

let probe = 0;
/** The pool for an op of `ns` estimated nanoseconds, or null to run it inline. */
function poolFor(ns: number): KernelPool | null {
  if (!(ns >= tuning.minNs)) return null;
  const p = currentPool();
  if (p === null || p.threads <= 1) return null;
  if (!tuning.adaptive) return p;
  if (ns < tuning.minNs * p.loadFactor && ++probe % PROBE_EVERY !== 0) return null;
  // no worker would take it (still starting, or all behind): inline, but let the pool start them
  if (p.responsiveWorkers() === 0) {
    p.warmUp();
    return null;
  }
  return p;
}

/** A call on the pool when it is worth it, else inline; same bits either way. */
function runThreaded(name: string, k: AnyKernel, args: unknown[]): void {
  const pool = poolFor(costOf(name, k, args));
  if (pool === null) return runPlanInline(name, k, args);
  const ctx: PlanContext = { threads: pool.threads, chunkNs: tuning.chunkNs, scratch: (n) => scratchOf(0, Float64Array, n) };
  const p = k.plan(args, ctx);
  if (p === null) return;
  const job = p.job as { out?: TypedArray | null };
  const out = job.out ?? null;
  const inline = !readable(job) || (out !== null && !isShared(out) && p.partialOut === true);
  if (inline) {
    checkJobSize(name, p.units, 1);
    k.run(p.job, 0, p.units);
  } else {
    const per = p.per ?? (p.unitNs > 0 ? Math.max(1, Math.floor(tuning.chunkNs / p.unitNs)) : Math.max(1, p.units));
    const standIn = out !== null && !isShared(out);
    const o = standIn ? scratchOf(1, out.constructor as unknown as SharedCtor<TypedArray>, out.length) : out;
    pool.run({ name, kernel: k, job: standIn ? Object.assign({}, job, { out: o }) : job, total: p.units, per, chunkNs: per * p.unitNs });
    if (standIn) out.set(o as never);
  }
  k.finish?.(p.job, args);
}

/** A kernel's exception, wherever it ran, reaches the caller as a WorkerError with the cause. */
function guarded(name: string, f: (name: string, k: AnyKernel, args: unknown[]) => void, k: AnyKernel): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    try {
      f(name, k, args);
    } catch (e) {
      if (e instanceof WorkerError || e instanceof ValueError) throw e;
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new WorkerError({ message: `tapir: the ${k.name} kernel threw on the calling thread: ${msg}`, cause: e });
    }
  };
}

/** One method per registered kernel, each taking that kernel's arguments. */
export type KernelCalls = { readonly [K in KernelName]: (...args: ArgsOf<(typeof KERNELS)[K]>) => void };

export interface Backend extends KernelCalls {
  readonly name: string;
  /** Number of threads kernels may use. */
  threads(): number;
  alloc(dtype: DType, size: number, zero?: boolean): TypedArray;
  /** Returns a buffer nothing reads any more to the arena. */
  release(data: TypedArray): void;
  arenaStats(): ArenaStats;
}

function calls(f: (name: string, k: AnyKernel, args: unknown[]) => void, guard: boolean): KernelCalls {
  const out: Record<string, (...args: unknown[]) => void> = {};
  for (const [name, k] of Object.entries(KERNELS) as [string, AnyKernel][]) {
    out[name] = guard ? guarded(name, f, k) : (...args: unknown[]) => f(name, k, args);
  }
  return out as unknown as KernelCalls;
}

const storage = {
  alloc: (dtype: DType, size: number, zero?: boolean) => arena.alloc(dtype, size, zero),
  release: (data: TypedArray) => arena.release(data),
  arenaStats: () => ({ ...arena.stats }),
};

/** Everything on the calling thread. */
export const cpuBackend: Backend = { name: "cpu", threads: () => 1, ...storage, ...calls(runInline, false) };

/** Kernels on the worker pool (big ops) and the caller (small ones). Starts no thread until a big op. */
export const threadedBackend: Backend = {
  name: "threaded",
  threads: () => {
    const p = currentPool();
    return p === null ? 1 : p.threads;
  },
  ...storage,
  ...calls(runThreaded, true),
};

/**
 * Runs a kernel that is not in the built-in table (registered with `registerKernels` on this
 * thread and, through the pool's `workerModules`, on the workers) as the threaded backend would.
 * @internal tests
 */
export function runKernel(name: string, k: AnyKernel, ...args: unknown[]): void {
  guarded(name, runThreaded, k)(...args);
}
