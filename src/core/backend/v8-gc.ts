// V8's gc function for tapir's own threads, without the user starting node with --expose-gc:
// kernel workers (worker.ts) and the calling thread's arena (gc-pressure.ts) collect themselves
// when they know that V8's heuristics will not, because those never count SharedArrayBuffer memory.
import v8 from "node:v8";
import vm from "node:vm";

/**
 * V8's gc: a full collection when called without arguments, a scavenge with `{ type: "minor" }`.
 * (Call it with no argument for a full collection: Node 20's V8 runs only a scavenge for
 * `{ type: "major" }`, measured with --trace-gc.)
 */
export type GcFunction = (o?: { type: "minor" | "major" }) => void;

/**
 * The word every thread of this process holds while it flips V8's process-wide flags (exposeGc).
 * Kept on globalThis so that two copies of tapir in one process (ESM and CJS) share it; the pool
 * hands it to its workers.
 */
export function flagLock(): Int32Array {
  const key = Symbol.for("tapir.v8FlagLock");
  const g = globalThis as { [k: symbol]: Int32Array | undefined };
  return (g[key] ??= new Int32Array(new SharedArrayBuffer(4)));
}

/**
 * V8's gc function, from a context made while --expose-gc is briefly set (the flag is process-wide,
 * so it is switched off again at once, unless the process was started with it). Threads take `lock`
 * around the flip: two workers starting together would otherwise switch it off under each other's
 * context creation, leaving one without gc (measured: 1 of 80 workers started four at a time), and
 * that worker kept every job's buffers. Null where V8 refuses.
 */
export function exposeGc(lock: Int32Array = flagLock()): GcFunction | null {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === "function") return own as GcFunction; // started with --expose-gc: nothing to flip
  while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) Atomics.wait(lock, 0, 1, 5);
  try {
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("typeof gc === 'function' ? gc : null") as GcFunction | null;
  } finally {
    v8.setFlagsFromString("--no-expose-gc");
    Atomics.store(lock, 0, 0);
    Atomics.notify(lock, 0);
  }
}
