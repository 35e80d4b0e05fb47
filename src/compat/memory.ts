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
 * const loss = tf.tidy(() => {
 *   const t = new tf.GradientTape();
 *   const l = t.record(() => mse.apply(y, model.apply(x)));
 *   opt.applyGradients(t.gradient(l, model.trainableVariables).map((g, i) => [g, model.trainableVariables[i]!]));
 *   return l;                       // everything else made in the step is freed here
 * });
 */
export function tidy<T>(fn: () => T): T {
  return coreTidy(fn);
}

/**
 * Exempts `t` from disposal by enclosing `tidy` calls (and by compat's eager freeing): it lives
 * until it is unreachable or disposed. Returns `t`.
 *
 * @example
 * let best!: tf.Tensor;
 * tf.tidy(() => {
 *   best = tf.keep(tf.reduceMax(scores));   // survives the tidy
 * });
 */
export function keep<T extends Tensor>(t: T): T {
  return coreKeep(t);
}

/**
 * Frees the storage of every tensor in `x` (a tensor, a Variable, or arrays / plain objects of
 * them) now, instead of when the GC finds it unreachable. Reading a disposed tensor throws.
 *
 * @example
 * const h = tf.matmul(x, w);
 * const y = tf.nn.relu(h);
 * tf.dispose([h, x]);   // y stays
 */
export function dispose(x: unknown): void {
  if (x instanceof Tensor) x.dispose();
  else if (x instanceof Variable) x.dispose();
  else if (Array.isArray(x)) for (const e of x) dispose(e);
  else if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) for (const e of Object.values(x)) dispose(e);
}

/** What `tf.memory()` reports. */
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
 * for (let step = 0; step < 1000; step++) {
 *   trainStep();
 *   if (step % 100 === 0) console.log(step, (tf.memory().numBytes / 2 ** 20).toFixed(1), "MiB");
 * }
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
