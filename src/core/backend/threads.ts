// The thread count the runtime uses: TAPIR_THREADS, else os.availableParallelism(), else
// whatever config.setThreads set last. Lives in the backend so the pool can read it without
// importing anything above core/backend; config.ts is its public face.
//
// TAPIR_THREADS is read and checked once, when this module loads (so a bad value never fails
// only the ops above the parallel threshold): a value that is not a positive integer ("0",
// "abc", "-1", "2.5") gives a warning and the default; a value above the available parallelism
// is capped to it with a warning (more threads than cores only make every op slower), unless
// TAPIR_THREADS_FORCE=1.
import os from "node:os";
import { ValueError, fail } from "../errors.js";

function warn(message: string): void {
  process.emitWarning(message, { code: "TAPIR_THREADS" });
}

/**
 * TAPIR_THREADS's value checked: the thread count to use (undefined: unset or empty, use the
 * default) and, when the value was not taken as given, why.
 */
export function parseThreadsEnv(v: string | undefined, force: boolean, cores: number): { threads: number | undefined; warning: string | null } {
  if (v === undefined || v.trim() === "") return { threads: undefined, warning: null };
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < 1) {
    return { threads: undefined, warning: `TAPIR_THREADS must be a positive integer, got ${JSON.stringify(v)}; using ${cores} (the available parallelism). Set e.g. TAPIR_THREADS=2, or unset it.` };
  }
  if (n > cores && !force) {
    return { threads: cores, warning: `TAPIR_THREADS=${n} is more than the ${cores} threads this machine can run in parallel; using ${cores}. Set TAPIR_THREADS_FORCE=1 to use ${n} anyway.` };
  }
  return { threads: n, warning: null };
}

/** The thread count from the environment, checked once (undefined: the default). */
function envThreads(): number | undefined {
  const { threads, warning } = parseThreadsEnv(process.env.TAPIR_THREADS, process.env.TAPIR_THREADS_FORCE === "1", os.availableParallelism());
  if (warning !== null) warn(warning);
  return threads;
}

let nThreads: number = envThreads() ?? os.availableParallelism();
const listeners: ((n: number) => void)[] = [];

/** Threads kernels use, the caller included. */
export function threadCount(): number {
  return nThreads;
}

/** Sets the thread count; listeners (the default pool) resize before the next kernel call. */
export function setThreadCount(n: number, api = "config.setThreads"): void {
  if (!Number.isSafeInteger(n) || n < 1) throw fail(ValueError, `${api}: n must be a positive integer, got ${n}. Use 1 to run every kernel on the calling thread.`);
  nThreads = n;
  for (const l of listeners) l(n);
}

export function onThreadCountChange(fn: (n: number) => void): void {
  listeners.push(fn);
}
