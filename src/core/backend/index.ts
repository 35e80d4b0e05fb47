// The backend interface the primitives' kernels run through: the multithreaded backend (the
// default; it starts threads only on the first big op) and the single-threaded CPU backend.
// Both lay data out the same way (row-major typed arrays over SharedArrayBuffer) and run the
// same kernel entries (registry.ts), so they give the same bits.
import { cpuBackend, threadedBackend, type Backend } from "./threaded.js";

export type { Backend };
export type { ScalarExpr, StridedInput } from "./elementwise.js";
export type { ReduceOp } from "./kernels/reduce.js";
export type { ScatterMode } from "./kernels/scatter.js";
export type { CumulativeOp } from "./kernels/cumulative.js";
export type { MatmulArgs, FloatArray } from "./kernels/matmul.js";
export type { LinalgArgs, LinalgOp } from "./kernels/linalg.js";
export { linalgLayout } from "./kernels/linalg.js";
export type { ArenaStats } from "./storage.js";
export { broadcastStrides } from "./elementwise.js";
export { cpuBackend, threadedBackend };
export { KernelPool } from "./pool.js";
export { currentPool, shutdownDefaultPool, threadPoolLayer, ThreadPool } from "./pool-scope.js";
export { threadCount, setThreadCount, onThreadCountChange } from "./threads.js";

let current: Backend = threadedBackend;

export function backend(): Backend {
  return current;
}

export function setBackend(b: Backend): void {
  current = b;
}
