// Runtime configuration: the thread count (TAPIR_THREADS, else os.availableParallelism()) and
// the thread pool as an effect Layer for users who want its lifetime scoped.
import { setThreadCount, shutdownDefaultPool, threadCount, threadPoolLayer, ThreadPool } from "./backend/index.js";

/**
 * The number of threads kernels use (the calling thread counts as one): `config.setThreads(n)`'s
 * value, else the TAPIR_THREADS environment variable, else os.availableParallelism().
 * tapir-specific (JAX sets threads through XLA flags; TF has
 * tf.config.threading.get_intra_op_parallelism_threads).
 * @returns a positive integer.
 * @throws ValueError when TAPIR_THREADS is set to anything but a positive integer.
 * @example
 * ```ts
 * config.threads() >= 1; // → true
 * ```
 */
export function threads(): number {
  return threadCount();
}

/**
 * Sets the thread count for the next kernel call; 1 runs everything on the calling thread. Results
 * do not depend on it (bit-identical for the same program and input).
 * tapir-specific (TF: tf.config.threading.set_intra_op_parallelism_threads).
 * @param n - a positive integer.
 * @throws ValueError for anything else.
 * @example
 * ```ts
 * const before = config.threads();
 * config.setThreads(1);
 * config.threads(); // → 1
 * config.setThreads(before);
 * ```
 */
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
