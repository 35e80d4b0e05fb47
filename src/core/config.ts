// Runtime configuration: thread count (TAPIR_THREADS or os.availableParallelism()).
import os from "node:os";
import { ValueError, fail } from "./errors.js";

function envThreads(): number | undefined {
  const v = process.env.TAPIR_THREADS;
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw fail(ValueError, `TAPIR_THREADS must be a positive integer, got ${JSON.stringify(v)}.`);
  return n;
}

let nThreads: number | undefined;
const listeners: ((n: number) => void)[] = [];

/** The number of threads kernels use (the caller counts as one). */
export function threads(): number {
  return (nThreads ??= envThreads() ?? os.availableParallelism());
}

/** Sets the pool size; takes effect for the next kernel call. */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw fail(ValueError, `config.setThreads: n must be a positive integer, got ${n}.`);
  nThreads = n;
  for (const l of listeners) l(n);
}

/** @internal the runtime listens for thread-count changes */
export function onThreadsChange(fn: (n: number) => void): void {
  listeners.push(fn);
}
