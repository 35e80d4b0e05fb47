// Runtime configuration: the thread count (TAPIR_THREADS, else os.availableParallelism()) and
// the thread pool as an effect Layer for users who want its lifetime scoped.
import { setThreadCount, shutdownDefaultPool, threadCount, threadPoolLayer, ThreadPool } from "./backend/index.js";

/** The number of threads kernels use (the caller counts as one). */
export function threads(): number {
  return threadCount();
}

/** Sets the pool size; takes effect for the next kernel call (1 = everything on the calling thread). */
export function setThreads(n: number): void {
  setThreadCount(n, "config.setThreads");
}

/** @internal the runtime listens for thread-count changes */
export { onThreadCountChange } from "./backend/index.js";

/**
 * Stops the default pool's worker threads now; the next big op starts them again. Never
 * needed for the process to exit (the threads do not keep it alive).
 */
export function shutdown(): Promise<void> {
  return shutdownDefaultPool();
}

/**
 * `Effect.provide(program, config.threadPool(4))` runs tapir ops inside `program` on a pool
 * of 4 threads that is shut down when the scope closes (also on failure or interruption).
 */
export const threadPool = threadPoolLayer;
export { ThreadPool };
