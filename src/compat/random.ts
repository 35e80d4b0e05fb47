// tf.random: stateful draws from a global seed (tf.random.setSeed), over tapir's counter-based keys.
import { Tensor, random as trandom, numpy as np, type DType } from "../index.js";
import { tfPrint } from "./format.js";
import { checkOptions } from "./errors.js";
import { quiet } from "./runtime.js";

let globalSeed = 0;
let counter = 0;
const opCounters = new Map<number, number>();

/**
 * Sets the global seed: after it, the same sequence of `tf.random.*` calls draws the same values (TensorFlow's global-seed semantics; an op `seed` gives an op its own sequence). Mirrors `tf.random.set_seed`.
 *
 * @example
 * ```ts
 * tf.random.setSeed(42);
 * const a = tf.random.uniform([2]).toArray();
 * tf.random.setSeed(42);
 * tf.random.uniform([2]).toArray().join() === a.join(); // → true
 * ```
 */
export function setSeed(seed: number): void {
  globalSeed = seed;
  counter = 0;
  opCounters.clear();
}

/** The key of the next draw: from the global seed and a counter, or from an op seed and its own counter. */
function nextKey(seed?: number): Tensor {
  if (seed === undefined) return trandom.key(globalSeed * 1_000_003 + counter++);
  const n = opCounters.get(seed) ?? 0;
  opCounters.set(seed, n + 1);
  return trandom.key((globalSeed * 1_000_003 + seed) * 7919 + n + 2 ** 40);
}

export interface NormalOptions {
  mean?: number;
  stddev?: number;
  dtype?: DType;
  seed?: number;
}
/**
 * Draws from the normal distribution N(mean, stddev²) (defaults 0 and 1), float32 unless a dtype is given; `seed` gives the op its own reproducible sequence. Mirrors `tf.random.normal`.
 *
 * @example
 * ```ts
 * tf.random.setSeed(1);
 * const z = tf.random.normal([1000], { mean: 5, stddev: 0.1 });
 * Math.abs(tf.reduceMean(z).item() - 5) < 0.05; // → true
 * ```
 */
export function normal(shape: readonly number[], opts: NormalOptions = {}): Tensor {
  checkOptions("tf.random.normal", opts, ["mean", "stddev", "dtype", "seed"]);
  return quiet(() => {
    const z = trandom.normal(nextKey(opts.seed), shape, { dtype: opts.dtype ?? "float32" });
    const { mean = 0, stddev = 1 } = opts;
    return tfPrint(mean === 0 && stddev === 1 ? z : np.add(np.multiply(z, stddev), mean));
  });
}
/**
 * Normal draws, each one more than two standard deviations from the mean redrawn (TensorFlow's truncation). Options as `normal`. Mirrors `tf.random.truncated_normal`.
 *
 * @example
 * ```ts
 * tf.random.setSeed(2);
 * const t = tf.random.truncatedNormal([1000], { stddev: 1 });
 * tf.reduceMax(tf.abs(t)).item() <= 2; // → true
 * ```
 */
export function truncatedNormal(shape: readonly number[], opts: NormalOptions = {}): Tensor {
  checkOptions("tf.random.truncatedNormal", opts, ["mean", "stddev", "dtype", "seed"]);
  return quiet(() => {
    const dtype = opts.dtype ?? "float32";
    let z = trandom.normal(nextKey(opts.seed), shape, { dtype });
    for (let i = 0; i < 50; i++) {
      const bad = np.greater(np.abs(z), 2);
      if (!np.sum(np.astype(bad, "int32")).item()) break;
      z = np.where(bad, trandom.normal(nextKey(opts.seed), shape, { dtype }), z);
    }
    const { mean = 0, stddev = 1 } = opts;
    return tfPrint(np.add(np.multiply(z, stddev), mean));
  });
}
export interface UniformOptions {
  minval?: number;
  maxval?: number;
  dtype?: DType;
  seed?: number;
}
/**
 * Draws uniformly from [minval, maxval) (defaults 0 and 1), float32 unless a dtype is given. Mirrors `tf.random.uniform`.
 *
 * @example
 * ```ts
 * tf.random.setSeed(3);
 * const u = tf.random.uniform([100], { minval: -1, maxval: 1 });
 * tf.reduceMin(u).item() >= -1 && tf.reduceMax(u).item() < 1; // → true
 * ```
 */
export function uniform(shape: readonly number[], opts: UniformOptions = {}): Tensor {
  checkOptions("tf.random.uniform", opts, ["minval", "maxval", "dtype", "seed"]);
  return quiet(() => tfPrint(trandom.uniform(nextKey(opts.seed), shape, { minval: opts.minval ?? 0, maxval: opts.maxval ?? 1, dtype: opts.dtype ?? "float32" })));
}
