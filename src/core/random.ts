// Counter-based PRNG as in JAX: a key is int32[2]; draws depend only on the key and the shape.
import type { DType } from "./dtype.js";
import { DTypeError, ShapeError, ValueError, fail } from "./errors.js";
import { checkShape, describeValue } from "./shape.js";
import { Tensor } from "./tensor.js";
import { isTracer } from "./trace.js";
import * as lax from "./lax.js";
import * as np from "./numpy/index.js";
import { checkOptions } from "./numpy/options.js";

export type Key = Tensor;

/**
 * A PRNG key from an integer seed: the int32[2] tensor [hi, lo] of the seed's 64 bits. Draws are a
 * pure function of the key and the shape (counter-based), so a key gives the same numbers on every
 * run and thread count; use {@link split} for independent streams rather than reusing a key.
 * Mirrors jax.random.key / jax.random.PRNGKey (a raw uint32[2]-style key; tapir's bit generator
 * is its own, so the numbers differ from JAX's for the same seed).
 * @param seed - an integer (up to 2⁵³ in magnitude).
 * @returns an int32 tensor of shape [2].
 * @throws ValueError for a seed that is not an integer.
 * @example
 * ```ts
 * random.key(42); // → Array([ 0, 42], dtype=int32)
 * ```
 */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed)) throw fail(ValueError, `random.key: seed must be a safe integer, got ${describeValue(seed)}; pass e.g. random.key(0).`);
  const hi = Math.floor(seed / 2 ** 32) | 0;
  const lo = seed >>> 0;
  return np.array(Int32Array.from([hi, lo | 0]));
}

/** Validates a key up front (the eager path runs kernels without the shape rule). */
function checkKey(api: string, k: Key): Key {
  if (!(k instanceof Tensor) || k.dtype !== "int32" || k.ndim !== 1 || k.shape[0] !== 2) {
    const got = describeValue(k);
    throw fail(k instanceof Tensor && k.dtype !== "int32" ? DTypeError : ShapeError, `random.${api}: a key is an int32[2] tensor from random.key(seed) (or a row of random.split), got ${got}.`);
  }
  return k;
}

/**
 * Splits a key into n new independent keys (the input key should not be used again).
 * Mirrors jax.random.split.
 * @param k - an int32[2] key from {@link key} (or a row of a split).
 * @param n - how many keys, default 2.
 * @returns an int32 tensor of shape [n, 2]; its rows are keys, and it destructures
 *   (`const [k1, k2] = random.split(k)`).
 * @throws ShapeError / DTypeError when k is not an int32[2] key.
 * @example
 * ```ts
 * const [k1, k2] = random.split(random.key(0));
 * k1.shape; // → [2]
 * random.uniform(k1).item() === random.uniform(k2).item(); // → false
 * random.split(random.key(0), 3).shape; // → [3, 2]
 * ```
 */
export function split(k: Key, n = 2): Tensor {
  const [m] = checkShape("random.split", n, "number of keys n") as [number];
  return lax.randomBits(checkKey("split", k), [m, 2]);
}

/** Raw bits of `shape`; the shape goes through the validator under the name of the draw. */
const bits = (api: string, k: Key, shape: readonly number[]) => {
  const s = checkShape(`random.${api}`, shape);
  return lax.randomBits(checkKey(api, k), s);
};
function unit(api: string, k: Key, shape: readonly number[], dtype: DType): Tensor {
  if (dtype !== "float32" && dtype !== "float64") {
    throw fail(DTypeError, `random.${api}: uniform and normal draw floats; dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}.`);
  }
  return lax.randomUnit(bits(api, k, shape), dtype);
}

/**
 * Uniform draws in [minval, maxval).
 * Mirrors jax.random.uniform (options object instead of keyword arguments).
 * @param k - an int32[2] key.
 * @param shape - the result's shape, default [] (a scalar).
 * @param opts.minval - default 0; opts.maxval - default 1; opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of that shape; the same key and shape give the same values.
 * @throws ShapeError / DTypeError for a bad key; DTypeError for a non-float dtype.
 * @example
 * ```ts
 * const u = random.uniform(random.key(1), [1000], { minval: 2, maxval: 3 });
 * u.min().item() >= 2 && u.max().item() < 3; // → true
 * random.uniform(random.key(1), [3]).equal(random.uniform(random.key(1), [3])); // → [true, true, true]
 * ```
 */
export function uniform(k: Key, shape: readonly number[] = [], opts: { minval?: number; maxval?: number; dtype?: DType } = {}): Tensor {
  checkOptions("random.uniform", opts, ["minval", "maxval", "dtype"]);
  const dtype = opts.dtype ?? "float32";
  const u = unit("uniform", k, shape, dtype);
  const lo = opts.minval ?? 0;
  const hi = opts.maxval ?? 1;
  return lo === 0 && hi === 1 ? u : np.add(np.multiply(u, hi - lo), lo);
}

/**
 * Standard normal draws (mean 0, variance 1), by the Box–Muller transform.
 * Mirrors jax.random.normal (scale and shift it yourself: `normal(k, s).mul(sigma).add(mu)`).
 * @param k - an int32[2] key.
 * @param shape - the result's shape, default [] (a scalar).
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of that shape; the same key and shape give the same values.
 * @throws ShapeError / DTypeError for a bad key; DTypeError for a non-float dtype.
 * @example
 * ```ts
 * const z = random.normal(random.key(0), [10000]);
 * Math.abs(z.mean().item()) < 0.05 && Math.abs(z.std().item() - 1) < 0.05; // → true
 * ```
 */
export function normal(k: Key, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.normal", opts, ["dtype"]);
  const dtype = opts.dtype ?? "float32";
  const u = unit("normal", k, [2, ...checkShape("random.normal", shape)], dtype);
  const u1 = np.subtract(1, np.index(u, 0)); // (0, 1]
  const u2 = np.index(u, 1);
  return np.multiply(np.sqrt(np.multiply(-2, np.log(u1))), np.cos(np.multiply(2 * Math.PI, u2)));
}

/**
 * Random booleans, true with probability p.
 * Mirrors jax.random.bernoulli.
 * @param k - an int32[2] key.
 * @param p - the probability of true, a number or a tensor of probabilities, default 0.5.
 * @param shape - the result's shape; default p's shape (a scalar for a number).
 * @returns a bool tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key; ShapeError when p does not broadcast to shape.
 * @example
 * ```ts
 * random.bernoulli(random.key(0), 1, [3]); // → [true, true, true]
 * random.bernoulli(random.key(0), 0.5, [2, 2]).dtype; // → "bool"
 * ```
 */
export function bernoulli(k: Key, p: number | Tensor = 0.5, shape?: readonly number[]): Tensor {
  const s = checkShape("random.bernoulli", shape ?? (p instanceof Tensor ? p.shape : []));
  return np.less(unit("bernoulli", k, s, "float32"), p);
}

/**
 * A random permutation: of the integers 0..n-1 for a number n, or of a tensor's rows (axis 0).
 * Mirrors jax.random.permutation (always along axis 0, never in place).
 * @param k - an int32[2] key.
 * @param x - a count n, or a tensor of rank ≥ 1.
 * @returns an int32 tensor of shape [n], or x's rows reordered (x's shape and dtype).
 * @throws ValueError for a 0-d tensor; ShapeError / DTypeError for a bad key.
 * @example
 * ```ts
 * const p = random.permutation(random.key(0), 5);
 * p.shape; // → [5]
 * p.sum().item(); // → 10
 * random.permutation(random.key(0), np.array([[1, 1], [2, 2]])).sum(1).sum(); // → 6
 * ```
 */
export function permutation(k: Key, x: number | Tensor): Tensor {
  if (typeof x !== "number" && !(x instanceof Tensor)) throw fail(ValueError, `random.permutation: x must be a length n or a Tensor, got ${describeValue(x)}.`);
  if (typeof x !== "number" && x.ndim === 0) throw fail(ValueError, "random.permutation: x must be at least 1-D.");
  const [n] = checkShape("random.permutation", typeof x === "number" ? x : x.shape[0]!, "length n") as [number];
  const r = bits("permutation", k, [n]);
  let perm: Tensor;
  if (!isTracer(r)) {
    // concrete key: the same ranks as the traced path, by sorting (O(n log n))
    const w = r.dataSync();
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => w[a]! - w[b]! || a - b);
    const p = new Int32Array(n);
    order.forEach((i, rank) => (p[i] = rank));
    perm = np.array(p);
  } else {
    // traced key: the rank of each draw (ties broken by index) is a permutation
    const col = np.expandDims(r, 1);
    const row = np.expandDims(r, 0);
    const idx = np.arange(n, { dtype: "int32" });
    const before = np.logicalOr(np.less(row, col), np.logicalAnd(np.equal(row, col), np.less(np.expandDims(idx, 0), np.expandDims(idx, 1))));
    perm = np.sum(np.astype(before, "int32"), 1);
  }
  return typeof x === "number" ? perm : np.take(x, perm, 0);
}
