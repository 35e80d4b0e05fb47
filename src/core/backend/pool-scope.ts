// Which pool runs kernels: the innermost scoped one (a Layer's, or one a test installed), else
// the process's default pool of config.threads() threads, started lazily on the first big op.
import { Context, Effect, Layer } from "effect";
import { KernelPool } from "./pool.js";
import { onThreadCountChange, threadCount } from "./threads.js";

let defaultPool: KernelPool | null = null;
const scoped: KernelPool[] = [];

/** The pool kernels run on, or null when only the calling thread is used. Never starts threads. */
export function currentPool(): KernelPool | null {
  const top = scoped[scoped.length - 1];
  if (top) return top;
  const n = threadCount();
  if (n <= 1) return null;
  if (defaultPool === null) defaultPool = new KernelPool({ threads: n });
  return defaultPool;
}

/** Makes `pool` the current pool until the returned function is called. @internal tests and benchmarks */
export function installPool(pool: KernelPool): () => void {
  scoped.push(pool);
  return () => {
    const i = scoped.lastIndexOf(pool);
    if (i >= 0) scoped.splice(i, 1);
  };
}

onThreadCountChange((n) => {
  if (defaultPool !== null && defaultPool.threads !== n) {
    void defaultPool.shutdown();
    defaultPool = null;
  }
});

/** Stops the default pool's threads now (a later big op starts a new one). */
export async function shutdownDefaultPool(): Promise<void> {
  const p = defaultPool;
  defaultPool = null;
  await p?.shutdown();
}

/** The thread pool as an effect service: provide `threadPoolLayer(n)` to run kernels on n threads. */
export class ThreadPool extends Context.Service<ThreadPool, KernelPool>()("tapir/ThreadPool") {}

/**
 * A Layer that starts a pool of `threads` threads (default: config.threads()) for its scope:
 * tapir ops run inside the scope use it, and its threads are released when the scope closes,
 * also on failure or interruption.
 */
export function threadPoolLayer(threads?: number, options: { stallMs?: number } = {}): Layer.Layer<ThreadPool> {
  return Layer.effect(
    ThreadPool,
    Effect.acquireRelease(
      Effect.sync(() => {
        const pool = new KernelPool({ threads: threads ?? threadCount(), ...options });
        return { pool, uninstall: installPool(pool) };
      }),
      ({ pool, uninstall }) =>
        Effect.promise(() => {
          uninstall();
          return pool.shutdown();
        }),
    ).pipe(Effect.map(({ pool }) => pool)),
  );
}
