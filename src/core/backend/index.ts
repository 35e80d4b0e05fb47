// The backend interface the primitives' kernels run through: the multithreaded backend (the
// default; it starts threads only on the first big op) and the single-threaded CPU backend.
// Both lay data out the same way (row-major typed arrays over SharedArrayBuffer) and run the
// same kernel code, so they give the same bits.
import type { DType, TypedArray } from "../dtype.js";
import { arena, type ArenaStats } from "./storage.js";
import { elementwise, type ScalarExpr, type StridedInput } from "./elementwise.js";
import { copyStrided, cumsum, gather, iota, randomBits, reduceRows, scatterAdd, type ReduceOp } from "./kernels.js";
import { matmul, type FloatArray, type MatmulArgs } from "./dot.js";
import { threadedBackend } from "./threaded.js";

export type { ScalarExpr, StridedInput, ReduceOp, MatmulArgs, FloatArray, ArenaStats };
export { broadcastStrides } from "./elementwise.js";
export { threadedBackend };
export { currentPool, shutdownDefaultPool, threadPoolLayer, ThreadPool, KernelPool } from "./pool.js";
export { threadCount, setThreadCount, onThreadCountChange } from "./threads.js";

export interface Backend {
  readonly name: string;
  /** Number of threads kernels may use. */
  threads(): number;
  alloc(dtype: DType, size: number, zero?: boolean): TypedArray;
  /** Returns a buffer nothing reads any more to the arena. */
  release(data: TypedArray): void;
  arenaStats(): ArenaStats;
  elementwise(expr: ScalarExpr, ins: StridedInput[], shape: readonly number[], out: TypedArray): void;
  copyStrided(
    src: TypedArray,
    srcOff: number,
    srcStrides: readonly number[],
    shape: readonly number[],
    dst: TypedArray,
    dstOff: number,
    dstStrides: readonly number[],
  ): void;
  reduceRows(op: ReduceOp, x: TypedArray, rows: number, len: number, out: TypedArray): void;
  matmul(dtype: "float32" | "float64", args: MatmulArgs, out: FloatArray): void;
  cumsum(x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray): void;
  gather(x: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void;
  scatterAdd(upd: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void;
  iota(shape: readonly number[], axis: number, out: TypedArray): void;
  randomBits(k0: number, k1: number, out: TypedArray): void;
}

/** Everything on the calling thread. */
export const cpuBackend: Backend = {
  name: "cpu",
  threads: () => 1,
  alloc: (dtype, size, zero) => arena.alloc(dtype, size, zero),
  release: (data) => arena.release(data),
  arenaStats: () => ({ ...arena.stats }),
  elementwise,
  copyStrided,
  reduceRows,
  matmul,
  cumsum,
  gather,
  scatterAdd,
  iota,
  randomBits,
};

let current: Backend = threadedBackend;

export function backend(): Backend {
  return current;
}

export function setBackend(b: Backend): void {
  current = b;
}
