// Runtime configuration: the thread count (TAPIR_THREADS, else os.availableParallelism()) and
// the thread pool as an effect Layer for users who want its lifetime scoped.
import { setThreadCount, shutdownDefaultPool, threadCount, threadPoolLayer, ThreadPool } from "./backend/index.js";
import { gemmFlush, setGemmFlush } from "./backend/gemm.js";
import { ValueError, fail } from "./errors.js";

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

/**
 * Flush-to-zero, as XLA and TensorFlow run on CPU: `flushSubnormals()` says whether it is on
 * (the default), `flushSubnormals(false)` switches to IEEE gradual underflow and
 * `flushSubnormals(true)` back; returns the setting in force after the call. When on, values
 * below the smallest normal number (2^-126 float32, 2^-1022 float64) count as ±0: elementwise
 * arithmetic reads subnormal operands as zero and stores subnormal results as zero (bit
 * operations such as negative, abs and where pass them), reductions store a subnormal result as
 * zero, and a row of a matmul or convolution whose products all lie below the smallest normal
 * gives exact zeros — so tiny values cost what ordinary ones do instead of up to ~100× more
 * (x86 takes a microcode path for every subnormal operand or result, and Wasm cannot set the
 * FPU's FTZ mode).
 * See docs/semantics.md ("Subnormal numbers") for what is and is not flushed.
 * tapir-specific (JAX/XLA always flush on CPU; there is no switch).
 * @param on - true: flush-to-zero; false: IEEE subnormals; omitted: leave as is.
 * @returns whether flushing is on.
 * @example
 * ```ts
 * const a = np.full([2, 2], 1e-20), b = np.full([2, 2], 1e-20);
 * np.matmul(a, b); // → [[0, 0], [0, 0]]
 * config.flushSubnormals(false); // → false
 * np.matmul(a, b).index(0).index(0).item() > 0; // → true
 * config.flushSubnormals(true); // → true
 * np.multiply(np.array([1e-40]), 1).item(); // → 0
 * np.negative(np.array([1e-40])).item() < 0; // → true
 * ```
 */
export function flushSubnormals(on?: boolean): boolean {
  if (on !== undefined) {
    if (typeof on !== "boolean") throw fail(ValueError, `config.flushSubnormals: expected a boolean or nothing, got ${String(on)}; pass true (flush-to-zero) or false (IEEE subnormals).`);
    setGemmFlush(on);
  }
  return gemmFlush();
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
