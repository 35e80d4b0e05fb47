// The thread count the runtime uses: TAPIR_THREADS, else os.availableParallelism(), else
// whatever config.setThreads set last. Lives in the backend so the pool can read it without
// importing anything above core/backend; config.ts is its public face.
import os from "node:os";
import { ValueError, fail } from "../errors.js";

function envThreads(): number | undefined {
  const v = process.env.TAPIR_THREADS;
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw fail(ValueError, `TAPIR_THREADS must be a positive integer, got ${JSON.stringify(v)}. Unset it to use every core, or set e.g. TAPIR_THREADS=2.`);
  return n;
}

let nThreads: number | undefined;
const listeners: ((n: number) => void)[] = [];

/** Threads kernels use, the caller included. */
export function threadCount(): number {
  return (nThreads ??= envThreads() ?? os.availableParallelism());
}

/** Sets the thread count; listeners (the default pool) resize before the next kernel call. */
export function setThreadCount(n: number, api = "config.setThreads"): void {
  if (!Number.isInteger(n) || n < 1) throw fail(ValueError, `${api}: n must be a positive integer, got ${n}. Use 1 to run every kernel on the calling thread.`);
  nThreads = n;
  for (const l of listeners) l(n);
}

export function onThreadCountChange(fn: (n: number) => void): void {
  listeners.push(fn);
}
