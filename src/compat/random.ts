// tf.random: stateful draws from a global seed (tf.random.setSeed), over tapir's counter-based keys.
import { Tensor, random as trandom, numpy as np, type DType } from "../index.js";
import { tfPrint } from "./format.js";
import { checkOptions } from "./errors.js";
import { quiet } from "./runtime.js";

let globalSeed = 0;
let counter = 0;
const opCounters = new Map<number, number>();

/** tf.random.set_seed: the same seed gives the same sequence of draws. */
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
export function normal(shape: readonly number[], opts: NormalOptions = {}): Tensor {
  checkOptions("tf.random.normal", opts, ["mean", "stddev", "dtype", "seed"]);
  return quiet(() => {
    const z = trandom.normal(nextKey(opts.seed), shape, { dtype: opts.dtype ?? "float32" });
    const { mean = 0, stddev = 1 } = opts;
    return tfPrint(mean === 0 && stddev === 1 ? z : np.add(np.multiply(z, stddev), mean));
  });
}
/** Normal draws redrawn while more than two standard deviations from the mean (by resampling those). */
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
export function uniform(shape: readonly number[], opts: UniformOptions = {}): Tensor {
  checkOptions("tf.random.uniform", opts, ["minval", "maxval", "dtype", "seed"]);
  return quiet(() => tfPrint(trandom.uniform(nextKey(opts.seed), shape, { minval: opts.minval ?? 0, maxval: opts.maxval ?? 1, dtype: opts.dtype ?? "float32" })));
}
