// Memory helpers under TensorFlow.js's names: tidy, keep, dispose, memory. A training loop does
// not need them (the tape, the optimizer, Variables and the built-in layers free what they drop
// at once: see lifetime.ts); they bound what user code makes in a step.
import { Tensor, keep as coreKeep, tidy as coreTidy } from "../index.js";
import { Variable } from "./variable.js";

/**
 * Runs fn and frees every tensor created inside that is not part of its result (tensors reachable
 * through arrays and plain objects in the returned value survive), as tf.tidy. Variables and
 * tensors passed to `keep` survive too.
 *
 * @example
 * ```ts
 * let h!: tf.Tensor;
 * const y = tf.tidy(() => {
 *   h = tf.multiply(tf.constant([1, 2]), 2);   // freed when the tidy returns
 *   return tf.add(h, 1);                       // returned: survives
 * });
 * h.isDisposed; // → true
 * y; // → [3, 5]
 * ```
 */
export function tidy<T>(fn: () => T): T {
  return coreTidy(fn);
}

/**
 * Exempts `t` from disposal by enclosing `tidy` calls (and by compat's eager freeing): it lives
 * until it is unreachable or disposed. Returns `t`.
 *
 * @example
 * ```ts
 * let best!: tf.Tensor;
 * tf.tidy(() => {
 *   best = tf.keep(tf.reduceMax(tf.constant([3, 9, 4])));   // survives the tidy
 * });
 * best.item(); // → 9
 * ```
 */
export function keep<T extends Tensor>(t: T): T {
  return coreKeep(t);
}

/**
 * Frees the storage of every tensor in `x` (a tensor, a Variable, or arrays / plain objects of
 * them) now, instead of when the GC finds it unreachable. Reading a disposed tensor throws.
 *
 * @example
 * ```ts
 * const h = tf.matmul(tf.constant([[1, -2]]), tf.constant([[1], [1]]));
 * const y = tf.nn.relu(h);
 * tf.dispose([h]);
 * h.isDisposed; // → true
 * y; // → [[0]]
 * ```
 */
export function dispose(x: unknown): void {
  if (x instanceof Tensor) x.dispose();
  else if (x instanceof Variable) x.dispose();
  else if (Array.isArray(x)) for (const e of x) dispose(e);
  else if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) for (const e of Object.values(x)) dispose(e);
}

/** What `tf.memory()` reports: array-buffer bytes and RSS of the process (tapir counts no tensors). */
export interface MemoryInfo {
  /** Bytes held in ArrayBuffers and SharedArrayBuffers by the process: tensor storage, the arena's free lists, anything else. */
  numBytes: number;
  /** The process's resident set size in bytes. */
  rssBytes: number;
  /** Always true: tapir does not count live tensors, and numBytes includes buffers kept for reuse. */
  unreliable: true;
  reasons: string[];
}

/**
 * The process's memory, as tf.memory() reports the backend's: numBytes are the bytes in array
 * buffers (tensor storage and the arena's free lists). Watch it across steps of a loop to see
 * whether it grows.
 *
 * @example
 * ```ts
 * const before = tf.memory().numBytes;
 * for (let step = 0; step < 100; step++) tf.nn.relu(tf.constant([1, -1]));
 * tf.memory().numBytes - before < 2 ** 20; // → true
 * ```
 */
export function memory(): MemoryInfo {
  const m = process.memoryUsage();
  return {
    numBytes: m.arrayBuffers,
    rssBytes: m.rss,
    unreliable: true,
    reasons: ["tapir does not count live tensors: numBytes is every ArrayBuffer byte of the process, including storage kept for reuse"],
  };
}
