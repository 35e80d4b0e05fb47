// More random samplers over the counter-based bits (random.ts): each draw is a pure function of the
// key and the shape, so it is the same on every thread count and under vmap over a batch of keys.
// The samplers that loop (gamma, beta, dirichlet, poisson) live in src/random-loops.ts.
import type { DType } from "./dtype.js";
import { DTypeError, ShapeError, ValueError, fail } from "./errors.js";
import { checkShape, describeValue, fmtShape } from "./shape.js";
import { Tensor, type ArrayLike } from "./tensor.js";
import * as lax from "./lax.js";
import * as np from "./numpy/index.js";
import { checkOptions } from "./numpy/options.js";
import { erf, erfinv } from "./special.js";
import { normal, permutation, uniform, type Key } from "./random.js";

function keyOf(api: string, k: Key): Key {
  if (!(k instanceof Tensor) || k.dtype !== "int32" || k.ndim !== 1 || k.shape[0] !== 2) {
    throw fail(k instanceof Tensor && k.dtype !== "int32" ? DTypeError : ShapeError, `random.${api}: a key is an int32[2] tensor from random.key(seed) (or a row of random.split), got ${describeValue(k)}.`);
  }
  return k;
}
function floatDType(api: string, dtype: DType | undefined): "float32" | "float64" {
  const d = dtype ?? "float32";
  if (d !== "float32" && d !== "float64") throw fail(DTypeError, `random.${api}: draws floats; dtype must be "float32" or "float64", got ${JSON.stringify(d)}.`);
  return d;
}
/** The smallest normal float of the dtype (uniform draws start there when a log follows). */
const tiny = (d: DType) => (d === "float64" ? 2.2250738585072014e-308 : 1.1754943508222875e-38);
/** Uniform in [tiny, 1): never 0, so log(u) is finite. */
const positiveUniform = (k: Key, shape: readonly number[], d: DType) => np.maximum(uniform(k, shape, { dtype: d }), tiny(d));

/**
 * Raw random bits: int32 words holding 32 uniformly random bits each (the bit patterns of JAX's
 * uint32 draws; tapir has no unsigned dtype).
 * Mirrors jax.random.bits (always 32-bit words; the numbers differ from JAX's for the same seed).
 * @param k - an int32[2] key.
 * @param shape - the result's shape, default [].
 * @returns an int32 tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key or shape.
 * @example
 * ```ts
 * random.bits(random.key(0), [3]).dtype; // → "int32"
 * ```
 */
export const bits = (k: Key, shape: readonly number[] = []): Tensor => lax.randomBits(keyOf("bits", k), checkShape("random.bits", shape));

/**
 * A new key from a key and an integer: distinct data give independent keys (a loop index, a layer
 * number…). The key is offset by (0x243F6A88, data), wrapping, and its first two words drawn.
 * Mirrors jax.random.fold_in (its own construction: the keys differ from JAX's).
 * @param k - an int32[2] key.
 * @param data - an integer (wrapped to 32 bits), or an int32 scalar tensor (traced loop indices).
 * @returns an int32[2] key.
 * @throws ShapeError / DTypeError for a bad key or non-integer data.
 * @example
 * ```ts
 * const k = random.key(0);
 * random.foldIn(k, 1).equal(random.foldIn(k, 1)).toArray(); // → [true, true]
 * random.foldIn(k, 1).equal(random.foldIn(k, 2)).toArray(); // → [false, false]
 * ```
 */
export function foldIn(k: Key, data: number | Tensor): Key {
  keyOf("foldIn", k);
  let d: Tensor;
  if (typeof data === "number") {
    if (!Number.isInteger(data)) throw fail(ValueError, `random.foldIn: data must be an integer, got ${describeValue(data)}.`);
    d = np.array(Int32Array.of(data | 0));
  } else {
    if (!(data instanceof Tensor) || data.dtype !== "int32" || data.ndim !== 0) throw fail(DTypeError, `random.foldIn: data must be an integer or an int32 scalar tensor, got ${describeValue(data)}.`);
    d = data;
  }
  const offset = lax.concatenate([np.array(Int32Array.of(0x243f6a88)), lax.reshape(d, [1])], 0);
  return lax.randomBits(lax.add(k, offset), [2]);
}

/**
 * Uniform random integers in [minval, maxval), as floor(u·(maxval − minval)) + minval with u a
 * 32-bit uniform in float64 (bias below span/2³²); bounds broadcast with the shape.
 * Mirrors jax.random.randint (positional bounds as JAX's; int32 only).
 * @param k - an int32[2] key.
 * @param shape - the result's shape.
 * @param minval - the lowest value (inclusive), a number or int tensor.
 * @param maxval - the bound (exclusive), a number or int tensor.
 * @returns an int32 tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key or shape; ShapeError when the bounds do not broadcast.
 * @example
 * ```ts
 * const r = random.randint(random.key(0), [1000], 3, 7);
 * r.min().item(); // → 3
 * r.max().item(); // → 6
 * ```
 */
export function randint(k: Key, shape: readonly number[], minval: ArrayLike, maxval: ArrayLike): Tensor {
  const s = checkShape("random.randint", shape);
  const u = uniform(keyOf("randint", k), s, { dtype: "float64" });
  const lo = np.astype(minval, "float64");
  const hi = np.astype(maxval, "float64");
  const span = np.maximum(np.subtract(hi, lo), 0);
  return np.astype(np.add(np.floor(np.multiply(u, span)), lo), "int32");
}

/**
 * Standard Gumbel draws −log(−log u).
 * Mirrors jax.random.gumbel.
 * @param k - an int32[2] key.
 * @param shape - the result's shape, default [].
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key, shape or dtype.
 * @example
 * ```ts
 * random.gumbel(random.key(0), [2, 3]).shape; // → [2, 3]
 * ```
 */
export function gumbel(k: Key, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.gumbel", opts, ["dtype"]);
  const d = floatDType("gumbel", opts.dtype);
  return np.negative(np.log(np.negative(np.log(positiveUniform(keyOf("gumbel", k), shape, d)))));
}

/**
 * Categorical draws from unnormalized log-probabilities along `axis`, by the Gumbel-max trick
 * argmax(logits + Gumbel noise).
 * Mirrors jax.random.categorical.
 * @param k - an int32[2] key.
 * @param logits - float logits; the categories along `axis`.
 * @param opts.axis - the categories' axis, default -1; opts.shape - the result's shape (default
 *   logits' shape without the axis; it must end with that batch shape).
 * @returns an int32 tensor of category indices.
 * @throws ShapeError when `shape` does not end with the logits' batch shape; AxisError for a bad axis.
 * @example
 * ```ts
 * random.categorical(random.key(0), np.log([0, 0, 1])).item(); // → 2
 * random.categorical(random.key(0), np.zeros([4, 3]), { shape: [5, 4] }).shape; // → [5, 4]
 * ```
 */
export function categorical(k: Key, logits: ArrayLike, opts: { axis?: number; shape?: readonly number[] } = {}): Tensor {
  checkOptions("random.categorical", opts, ["axis", "shape"]);
  const l0 = np.asarray(logits);
  const l = l0.dtype === "float64" ? l0 : np.astype(l0, "float32");
  const ax = opts.axis ?? -1;
  const moved = np.moveaxis(l, ax, -1);
  const batch = moved.shape.slice(0, -1);
  const shape = opts.shape === undefined ? batch : checkShape("random.categorical", opts.shape);
  const tail = shape.slice(shape.length - batch.length);
  if (shape.length < batch.length || tail.some((n, i) => n !== batch[i])) {
    throw fail(ShapeError, `random.categorical: shape ${fmtShape(shape)} must end with the logits' batch shape ${fmtShape(batch)} (logits ${fmtShape(l.shape)} without axis ${ax}).`);
  }
  const n = moved.shape[moved.ndim - 1]!;
  const g = gumbel(keyOf("categorical", k), [...shape, n], { dtype: l.dtype });
  return np.argmax(np.add(g, moved), -1);
}

/** Options of choice. */
export interface ChoiceOpts {
  /** draw with replacement (default true) */
  replace?: boolean;
  /** probabilities of the entries along `axis` (sum to 1) */
  p?: ArrayLike;
  /** the axis drawn from when `a` is a tensor, default 0 */
  axis?: number;
}
/**
 * Random entries of `a`: of the integers 0..a−1 for a number, or slices of a tensor along `axis`;
 * uniformly or with probabilities `p`, with or without replacement. Without replacement, uniform
 * draws take the head of a random permutation and weighted ones the top of log p + Gumbel noise
 * (Gumbel-top-k, one argmax per draw).
 * Mirrors jax.random.choice.
 * @param k - an int32[2] key.
 * @param a - a count n, or a tensor.
 * @param shape - the draws' shape, default [] (one draw).
 * @param opts.replace - default true; opts.p - probabilities (length n); opts.axis - default 0.
 * @returns int32 indices of `shape` for a number; for a tensor, `a` with `axis` replaced by `shape`.
 * @throws ValueError when drawing more than n without replacement, or for a p of the wrong length.
 * @example
 * ```ts
 * random.choice(random.key(0), 5, [5], { replace: false }).sum().item(); // → 10
 * random.choice(random.key(0), np.array([10, 20, 30]), [2], { p: [0, 1, 0] }).toArray(); // → [20, 20]
 * ```
 */
export function choice(k: Key, a: number | Tensor, shape: readonly number[] = [], opts: ChoiceOpts = {}): Tensor {
  checkOptions("random.choice", opts, ["replace", "p", "axis"]);
  keyOf("choice", k);
  const s = checkShape("random.choice", shape);
  const axis = opts.axis ?? 0;
  const n = typeof a === "number" ? a : a.shape.at(axis) ?? NaN;
  checkShape("random.choice", n, "population size");
  const m = s.reduce((p, q) => p * q, 1);
  const replace = opts.replace ?? true;
  if (!replace && m > n) throw fail(ValueError, `random.choice: cannot take ${m} samples from ${n} without replacement; draw at most ${n} or pass replace: true.`);
  let idx: Tensor;
  if (opts.p === undefined) {
    idx = replace ? randint(k, [m], 0, n) : np.take(permutation(k, n), np.arange(m, { dtype: "int32" }), 0);
  } else {
    const p = np.asarray(opts.p);
    if (p.ndim !== 1 || p.shape[0] !== n) throw fail(ValueError, `random.choice: p must be 1-D of length ${n} (the population), got ${fmtShape(p.shape)}.`);
    const logp = np.log(p.dtype === "float64" ? p : np.astype(p, "float32"));
    if (replace) idx = categorical(k, logp, { shape: [m] });
    else {
      // Gumbel-top-k: the m largest of log p + g, taken one argmax at a time
      let score = np.add(logp, gumbel(k, [n], { dtype: logp.dtype }));
      const picks: Tensor[] = [];
      for (let i = 0; i < m; i++) {
        const j = np.argmax(score);
        picks.push(j);
        score = np.where(np.equal(np.arange(n, { dtype: "int32" }), j), -Infinity, score);
      }
      idx = m === 0 ? np.zeros([0], { dtype: "int32" }) : np.stack(picks);
    }
  }
  if (typeof a === "number") return np.reshape(idx, s);
  const taken = np.take(a, idx, axis);
  const ax = axis < 0 ? axis + a.ndim : axis;
  return np.reshape(taken, [...a.shape.slice(0, ax), ...s, ...a.shape.slice(ax + 1)]);
}

/**
 * Standard normal draws truncated to [lower, upper], by inverting the CDF:
 * √2·erfinv(u) with u uniform in [erf(lower/√2), erf(upper/√2)) (computed in float64), clipped
 * to the bounds; bounds broadcast with the shape.
 * Mirrors jax.random.truncated_normal.
 * @param k - an int32[2] key.
 * @param lower - the lower bound (number or tensor).
 * @param upper - the upper bound.
 * @param shape - the result's shape, default the bounds' broadcast shape.
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of that shape, in [lower, upper].
 * @throws ShapeError / DTypeError for a bad key, shape or dtype.
 * @example
 * ```ts
 * const z = random.truncatedNormal(random.key(0), -1, 2, [1000]);
 * z.min().item() >= -1 && z.max().item() <= 2; // → true
 * ```
 */
export function truncatedNormal(k: Key, lower: ArrayLike, upper: ArrayLike, shape?: readonly number[], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.truncatedNormal", opts, ["dtype"]);
  const d = floatDType("truncatedNormal", opts.dtype);
  const lo = np.astype(lower, "float64");
  const hi = np.astype(upper, "float64");
  const s = checkShape("random.truncatedNormal", shape ?? np.broadcastTo(lo, np.add(lo, hi).shape).shape);
  const a = erf(np.multiply(lo, Math.SQRT1_2));
  const b = erf(np.multiply(hi, Math.SQRT1_2));
  const u = np.add(a, np.multiply(uniform(keyOf("truncatedNormal", k), s, { dtype: "float64" }), np.subtract(b, a)));
  const z = np.clip(np.multiply(Math.SQRT2, erfinv(u)), lo, hi);
  return np.astype(z, d);
}

/**
 * Standard exponential draws −log(1 − u) (rate 1; divide by a rate yourself).
 * Mirrors jax.random.exponential.
 * @param k - an int32[2] key.
 * @param shape - the result's shape, default [].
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a non-negative float tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key, shape or dtype.
 * @example
 * ```ts
 * random.exponential(random.key(0), [1000]).min().item() >= 0; // → true
 * ```
 */
export function exponential(k: Key, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.exponential", opts, ["dtype"]);
  const d = floatDType("exponential", opts.dtype);
  return np.negative(np.log1p(np.negative(uniform(keyOf("exponential", k), shape, { dtype: d }))));
}

/**
 * Standard Laplace draws (density e^(−|x|)/2), as sign(u)·log(1 − |u|) with u uniform in (−1, 1).
 * Mirrors jax.random.laplace.
 * @param k - an int32[2] key.
 * @param shape - the result's shape, default [].
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key, shape or dtype.
 * @example
 * ```ts
 * random.laplace(random.key(0), [2]).shape; // → [2]
 * ```
 */
export function laplace(k: Key, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.laplace", opts, ["dtype"]);
  const d = floatDType("laplace", opts.dtype);
  const eps = d === "float64" ? 2 ** -52 : 2 ** -23;
  const u = uniform(keyOf("laplace", k), shape, { dtype: d, minval: -1 + eps, maxval: 1 });
  return np.multiply(np.sign(u), np.log1p(np.negative(np.abs(u))));
}

/**
 * Standard logistic draws log(u / (1 − u)).
 * Mirrors jax.random.logistic.
 * @param k - an int32[2] key.
 * @param shape - the result's shape, default [].
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of that shape.
 * @throws ShapeError / DTypeError for a bad key, shape or dtype.
 * @example
 * ```ts
 * random.logistic(random.key(0), [2]).shape; // → [2]
 * ```
 */
export function logistic(k: Key, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.logistic", opts, ["dtype"]);
  const d = floatDType("logistic", opts.dtype);
  const u = positiveUniform(keyOf("logistic", k), shape, d);
  return np.log(np.divide(u, np.subtract(1, u)));
}

/** The lower Cholesky factor of symmetric positive-definite [..., n, n] matrices, column by column (n steps). */
function choleskyLower(a: Tensor): Tensor {
  const n = a.shape[a.ndim - 1]!;
  const cols: Tensor[] = [];
  const rows = np.arange(n, { dtype: "int32" });
  for (let j = 0; j < n; j++) {
    // c = A[:, j] − L[:, :j]·L[j, :j]; L[j, j] = √c_j; L[:, j] = c / L[j, j] below the diagonal, 0 above
    let c = np.index(a, "...", j);
    for (let i = 0; i < j; i++) c = np.subtract(c, np.multiply(cols[i]!, np.expandDims(np.index(cols[i]!, "...", j), -1)));
    const djj = np.sqrt(np.expandDims(np.index(c, "...", j), -1));
    cols.push(np.where(np.less(rows, j), 0, np.divide(c, djj)));
  }
  return np.stack(cols, -1);
}

/**
 * Multivariate normal draws mean + L·z with L the Cholesky factor of `cov` and z standard normal.
 * Mirrors jax.random.multivariate_normal (method "cholesky" only).
 * @param k - an int32[2] key.
 * @param mean - [..., n].
 * @param cov - [..., n, n], symmetric positive definite.
 * @param shape - the batch shape of the draws, default the broadcast batch shape of mean and cov.
 * @param opts.dtype - "float32" (default; float64 when mean or cov is) or "float64".
 * @returns a float tensor of shape [...shape, n].
 * @throws ShapeError when cov is not [..., n, n] with mean's n.
 * @example
 * ```ts
 * random.multivariateNormal(random.key(0), [1, 2], [[1, 0], [0, 1]], [5]).shape; // → [5, 2]
 * ```
 */
export function multivariateNormal(k: Key, mean: ArrayLike, cov: ArrayLike, shape?: readonly number[], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.multivariateNormal", opts, ["dtype"]);
  const m0 = np.asarray(mean);
  const c0 = np.asarray(cov);
  const d = floatDType("multivariateNormal", opts.dtype ?? (m0.dtype === "float64" || c0.dtype === "float64" ? "float64" : "float32"));
  const m = np.astype(m0, d);
  const c = np.astype(c0, d);
  const n = m.shape[m.ndim - 1];
  if (m.ndim < 1 || c.ndim < 2 || c.shape[c.ndim - 1] !== n || c.shape[c.ndim - 2] !== n) {
    throw fail(ShapeError, `random.multivariateNormal: mean must be [..., n] and cov [..., n, n], got ${fmtShape(m.shape)} and ${fmtShape(c.shape)}.`);
  }
  const batch = shape ?? np.add(np.index(c, "...", 0), m).shape.slice(0, -1);
  const s = checkShape("random.multivariateNormal", batch);
  const z = normal(keyOf("multivariateNormal", k), [...s, n!], { dtype: d });
  const l = choleskyLower(c);
  return np.add(m, np.squeeze(np.matmul(l, np.expandDims(z, -1)), -1));
}

/**
 * Random orthogonal matrices, Haar-distributed: the Q of the QR decomposition of a standard
 * normal matrix with R's diagonal made positive (here by Gram–Schmidt, which gives that Q directly).
 * Mirrors jax.random.orthogonal (square n×n; `m` not supported).
 * @param k - an int32[2] key.
 * @param n - the matrix size.
 * @param shape - leading batch shape, default [].
 * @param opts.dtype - "float32" (default) or "float64".
 * @returns a float tensor of shape [...shape, n, n] with QᵀQ = I.
 * @throws ShapeError / DTypeError for a bad key, n or dtype.
 * @example
 * ```ts
 * const q = random.orthogonal(random.key(0), 3, [], { dtype: "float64" });
 * np.allclose(np.matmul(q.transpose(), q), np.eye(3), { atol: 1e-12 }); // → true
 * ```
 */
export function orthogonal(k: Key, n: number, shape: readonly number[] = [], opts: { dtype?: DType } = {}): Tensor {
  checkOptions("random.orthogonal", opts, ["dtype"]);
  const d = floatDType("orthogonal", opts.dtype);
  const [size] = checkShape("random.orthogonal", n, "n") as [number];
  const s = checkShape("random.orthogonal", shape);
  const z = normal(keyOf("orthogonal", k), [...s, size, size], { dtype: d });
  const qs: Tensor[] = [];
  for (let j = 0; j < size; j++) {
    // modified Gram–Schmidt: remove the earlier directions one at a time, then normalize
    let v = np.index(z, "...", j);
    for (const q of qs) v = np.subtract(v, np.multiply(np.sum(np.multiply(q, v), -1, { keepdims: true }), q));
    qs.push(np.divide(v, np.sqrt(np.sum(np.square(v), -1, { keepdims: true }))));
  }
  return size === 0 ? np.zeros([...s, 0, 0], { dtype: d }) : np.stack(qs, -1);
}
