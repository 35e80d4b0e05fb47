// What a backend kernel is: ONE object per kind of kernel (one entry of registry.ts) that holds
// its cost model, how a call becomes a job of chunks, and the code that runs a range of units.
// The calling thread and every pool worker import the same entries (worker.ts), so a chunk
// computes the same bits wherever it runs.
//
// A call `backend().gather(x, …)` becomes: cost(args) → (below the threshold) the whole plan
// run inline; (above) plan(args) cut into chunks of `per` units, claimed by the caller and the
// workers, then finish(). The job inside a plan is plain data (numbers, strings, typed arrays
// over SharedArrayBuffer) so it can be posted to a worker without copying tensor data.
//
// Determinism: chunk boundaries follow from the plan alone (units and per), never from the
// thread count, and every output element is computed by one chunk in the same order as the
// whole-array loop; so results are bit-identical for 1…N threads. (The GEMM is the documented
// exception in how it cuts rows, because its bits do not depend on the cut: gemm.ts header.)
import type { TypedArray } from "../dtype.js";

/**
 * The live threshold and chunking, read on the calling thread. `minNs`: a call estimated below
 * this runs inline (threaded.ts, PARALLEL_MIN_NS). `chunkNs`: single-thread work per chunk, so
 * a worker that wakes late still finds chunks to take. `piece`: a row reduction longer than
 * 2 × piece is cut into the leaves of its fixed summation tree. `adaptive`: the pool's load
 * factor may raise minNs on a busy machine, and an op runs inline when no worker would take it
 * now (pool.ts). @internal tests shrink these to run small
 * arrays through many chunks (results must not change: test/backend/kernels.test.ts) and turn
 * `adaptive` off where they assert that the pool ran a job; benchmarks vary minNs.
 */
export const tuning = { minNs: 100_000, chunkNs: 16_000, piece: 16_384, adaptive: true };

/** What `plan` may use besides the call's arguments. */
export interface PlanContext {
  /** Threads that will run the plan: 1 when it runs whole on the calling thread. */
  readonly threads: number;
  /** tuning.chunkNs: the single-thread work a chunk should hold. */
  readonly chunkNs: number;
  /** A shared float64 scratch array of `n` elements for partial results (valid until the call returns). */
  scratch(n: number): Float64Array;
}

/** A call as a job of `units` independent units. */
export interface Plan<J> {
  /** Plain, postable data: `run` receives it. An `out` field is the output (see `partialOut`). */
  readonly job: J;
  readonly units: number;
  /** Estimated single-thread nanoseconds per unit: sizes the chunks (tuning.chunkNs of work each). */
  readonly unitNs: number;
  /** Units per chunk, when the cost-based size does not fit (must not depend on the thread count but for GEMM). */
  readonly per?: number;
  /**
   * The job writes its output `out` only in part (pad, concatenate), so a shared stand-in copied
   * back afterwards would clobber the rest: a call whose `out` is not shared memory runs inline.
   */
  readonly partialOut?: boolean;
}

/**
 * A kernel kind. `A` is the argument tuple of its backend call, `J` its job data. The smallest
 * entry to copy is kernels/iota.ts: cost = elements × ns per element; plan = one unit per
 * element; run = the loop over units [u0, u1).
 */
export interface Kernel<A extends unknown[] = never[], J = unknown> {
  /** The backend op, as messages name it. */
  readonly name: string;
  /** Estimated single-thread nanoseconds of the whole call (compared with tuning.minNs). */
  cost(...args: A): number;
  /** The call as a job (null: nothing to do). */
  plan(args: A, ctx: PlanContext): Plan<J> | null;
  /** Units [u0, u1) of a job, on whichever thread claimed them. */
  run(job: J, u0: number, u1: number): void;
  /** After every chunk ran, on the calling thread (e.g. combine partial results into the output). */
  finish?(job: J, args: A): void;
}

/** Any kernel, as the registry and the pool see it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyKernel = Kernel<any[], any>;

/** The argument tuple of a kernel. */
export type ArgsOf<K> = K extends Kernel<infer A, unknown> ? A : never;

/** Identity with inference: `defineKernel<Args, Job>({...})` checks an entry against Kernel. */
export function defineKernel<A extends unknown[], J>(k: Kernel<A, J>): Kernel<A, J> {
  return k;
}

/** Product of a shape's dimensions from `from` on. */
export function sizeFrom(shape: readonly number[], from: number): number {
  let n = 1;
  for (let d = from; d < shape.length; d++) n *= shape[d]!;
  return n;
}

export type { TypedArray };
