// Counter-based PRNG as in JAX: a key is int32[2]; draws depend only on the key and the shape.
import type { DType } from "./dtype.js";
import { DTypeError, ShapeError, ValueError, fail } from "./errors.js";
import { Tensor } from "./tensor.js";
import { isTracer } from "./trace.js";
import * as lax from "./lax.js";
import * as np from "./numpy/index.js";
import { checkOptions } from "./numpy/options.js";

export type Key = Tensor;

/** key(seed): the int32[2] key [hi, lo] of a (53-bit) integer seed. */
export function key(seed: number): Key {
  if (!Number.isInteger(seed)) throw fail(ValueError, `random.key: seed must be an integer, got ${seed}.`);
  const hi = Math.floor(seed / 2 ** 32) | 0;
  const lo = seed >>> 0;
  return np.array(Int32Array.from([hi, lo | 0]));
}

/** Validates a key up front (the eager path runs kernels without the shape rule). */
function checkKey(api: string, k: Key): Key {
  if (!(k instanceof Tensor) || k.dtype !== "int32" || k.ndim !== 1 || k.shape[0] !== 2) {
    const got = k instanceof Tensor ? `${k.dtype}[${k.shape.join(",")}]` : typeof k;
    throw fail(k instanceof Tensor && k.dtype !== "int32" ? DTypeError : ShapeError, `random.${api}: a key is an int32[2] tensor from random.key(seed) (or a row of random.split), got ${got}.`);
  }
  return k;
}

/** split(key, n = 2): n new keys, as an int32[n, 2] tensor. */
export function split(k: Key, n = 2): Tensor {
  return lax.randomBits(checkKey("split", k), [n, 2]);
}

const bits = (k: Key, shape: readonly number[]) => lax.randomBits(checkKey("draw", k), [...shape]);
function unit(k: Key, shape: readonly number[], dtype: DType): Tensor {
  if (dtype !== "float32" && dtype !== "float64") {
    throw fail(DTypeError, `random: uniform and normal draw floats; dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}.`);
  }
  return lax.randomUnit(bits(k, shape), dtype);
}

export function uniform(k: Key, shape: readonly number[] = [], opts: { minval?: number; maxval?: number; dtype?: DType } = {}): Tensor {
  checkOptions("random.uniform", opts, ["minval", "maxval", "dtype"]);
  const dtype = opts.dtype ?? "float32";
  const u = unit(k, shape, dtype);
  const lo = opts.minval ?? 0;
  const hi = opts.maxval ?? 1;
  return lo === 0 && hi === 1 ? u : np.add(np.multiply(u, hi - lo), lo);
}

/** Standard normal draws (Box–Muller over two uniform blocks). */
export function normal(k: Key, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.normal", opts, ["dtype"]);
  const dtype = opts.dtype ?? "float32";
  const u = unit(k, [2, ...shape], dtype);
  const u1 = np.subtract(1, np.index(u, 0)); // (0, 1]
  const u2 = np.index(u, 1);
  return np.multiply(np.sqrt(np.multiply(-2, np.log(u1))), np.cos(np.multiply(2 * Math.PI, u2)));
}

export function bernoulli(k: Key, p: number | Tensor = 0.5, shape?: readonly number[]): Tensor {
  const s = shape ?? (p instanceof Tensor ? p.shape : []);
  return np.less(uniform(k, s), p);
}

/** A random permutation of arange(n), or of x along axis 0. */
export function permutation(k: Key, x: number | Tensor): Tensor {
  const n = typeof x === "number" ? x : x.shape[0]!;
  if (typeof x !== "number" && x.ndim === 0) throw fail(ValueError, "random.permutation: x must be at least 1-D.");
  const r = bits(k, [n]);
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
