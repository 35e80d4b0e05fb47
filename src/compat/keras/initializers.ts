// tf.keras.initializers: functions of (shape, dtype) drawing from tf.random's global seed.
import { numpy as np, type ArrayLike, type DType, type Tensor } from "../../index.js";
import { ValueError } from "../../index.js";
import { checkOptions } from "../errors.js";
import { normal, truncatedNormal, uniform } from "../random.js";

export interface Initializer {
  apply(shape: readonly number[], dtype: DType): Tensor;
}
/** A string name, an Initializer, or a function of (shape, dtype). */
export type InitializerLike = string | Initializer | ((shape: readonly number[], dtype: DType) => ArrayLike);

/** Keras's fan-in and fan-out: [in, out] for matrices, times the receptive field for convolutions. */
function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

export class Zeros implements Initializer {
  apply(shape: readonly number[], dtype: DType) {
    return np.zeros(shape, { dtype });
  }
}
export class Ones implements Initializer {
  apply(shape: readonly number[], dtype: DType) {
    return np.ones(shape, { dtype });
  }
}
export class Constant implements Initializer {
  constructor(readonly value = 0) {}
  apply(shape: readonly number[], dtype: DType) {
    return np.full(shape, this.value, { dtype });
  }
}
export class RandomNormal implements Initializer {
  constructor(readonly opts: { mean?: number; stddev?: number; seed?: number } = {}) {
    checkOptions("tf.keras.initializers.RandomNormal", opts, ["mean", "stddev", "seed"]);
  }
  apply(shape: readonly number[], dtype: DType) {
    return normal(shape, { mean: this.opts.mean ?? 0, stddev: this.opts.stddev ?? 0.05, dtype, seed: this.opts.seed });
  }
}
export class RandomUniform implements Initializer {
  constructor(readonly opts: { minval?: number; maxval?: number; seed?: number } = {}) {
    checkOptions("tf.keras.initializers.RandomUniform", opts, ["minval", "maxval", "seed"]);
  }
  apply(shape: readonly number[], dtype: DType) {
    return uniform(shape, { minval: this.opts.minval ?? -0.05, maxval: this.opts.maxval ?? 0.05, dtype, seed: this.opts.seed });
  }
}
/** U(−l, l) with l = √(6 / (fanIn + fanOut)). */
export class GlorotUniform implements Initializer {
  constructor(readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.GlorotUniform", opts, ["seed"]);
  }
  apply(shape: readonly number[], dtype: DType) {
    const [i, o] = fans(shape);
    const l = Math.sqrt(6 / (i + o));
    return uniform(shape, { minval: -l, maxval: l, dtype, seed: this.opts.seed });
  }
}
/** Truncated normal with stddev √(2 / (fanIn + fanOut)) (corrected for the truncation, as Keras). */
export class GlorotNormal implements Initializer {
  constructor(readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.GlorotNormal", opts, ["seed"]);
  }
  apply(shape: readonly number[], dtype: DType) {
    const [i, o] = fans(shape);
    return truncatedNormal(shape, { stddev: Math.sqrt(2 / (i + o)) / 0.8796256610342398, dtype, seed: this.opts.seed });
  }
}
/** Truncated normal with stddev √(2 / fanIn). */
export class HeNormal implements Initializer {
  constructor(readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.HeNormal", opts, ["seed"]);
  }
  apply(shape: readonly number[], dtype: DType) {
    return truncatedNormal(shape, { stddev: Math.sqrt(2 / fans(shape)[0]) / 0.8796256610342398, dtype, seed: this.opts.seed });
  }
}
/** U(−l, l) with l = √(6 / fanIn). */
export class HeUniform implements Initializer {
  constructor(readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.HeUniform", opts, ["seed"]);
  }
  apply(shape: readonly number[], dtype: DType) {
    const l = Math.sqrt(6 / fans(shape)[0]);
    return uniform(shape, { minval: -l, maxval: l, dtype, seed: this.opts.seed });
  }
}

/**
 * Truncated normal with stddev √(1 / fanIn), corrected for the truncation at two standard
 * deviations (SELU's initializer). Mirrors tf.keras.initializers.LecunNormal.
 * @example
 * ```ts
 * const w = new tf.keras.initializers.LecunNormal({ seed: 1 }).apply([100, 4], "float32");
 * w.shape; // → [100, 4]
 * tf.reduceMax(tf.abs(w)).item() <= 2 * Math.sqrt(1 / 100) / 0.8796256610342398; // → true
 * ```
 */
export class LecunNormal implements Initializer {
  /**
   * The options given.
   * @example
   * ```ts
   * new tf.keras.initializers.LecunNormal({ seed: 4 }).opts.seed; // → 4
   * ```
   */
  readonly opts: { seed?: number };
  constructor(opts: { seed?: number } = {}) {
    this.opts = opts;
    checkOptions("tf.keras.initializers.LecunNormal", opts, ["seed"]);
  }
  /**
   * Draws a tensor of `shape`.
   * @example
   * ```ts
   * new tf.keras.initializers.LecunNormal().apply([3], "float64").dtype; // → "float64"
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return truncatedNormal(shape, { stddev: Math.sqrt(1 / fans(shape)[0]) / 0.8796256610342398, dtype, seed: this.opts.seed });
  }
}
/**
 * Normal(mean, stddev) redrawn outside two standard deviations. Mirrors
 * tf.keras.initializers.TruncatedNormal (mean 0, stddev 0.05).
 * @example
 * ```ts
 * const w = new tf.keras.initializers.TruncatedNormal({ mean: 1, stddev: 0.1, seed: 2 }).apply([50], "float32");
 * tf.reduceMin(w).item() >= 0.8 && tf.reduceMax(w).item() <= 1.2; // → true
 * ```
 */
export class TruncatedNormal implements Initializer {
  /**
   * The options given.
   * @example
   * ```ts
   * new tf.keras.initializers.TruncatedNormal({ seed: 4 }).opts.seed; // → 4
   * ```
   */
  readonly opts: { mean?: number; stddev?: number; seed?: number };
  constructor(opts: { mean?: number; stddev?: number; seed?: number } = {}) {
    this.opts = opts;
    checkOptions("tf.keras.initializers.TruncatedNormal", opts, ["mean", "stddev", "seed"]);
  }
  /**
   * Draws a tensor of `shape`.
   * @example
   * ```ts
   * new tf.keras.initializers.TruncatedNormal().apply([2, 2], "float32").shape; // → [2, 2]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return truncatedNormal(shape, { mean: this.opts.mean ?? 0, stddev: this.opts.stddev ?? 0.05, dtype, seed: this.opts.seed });
  }
}

/**
 * A (semi-)orthogonal matrix times `gain`: Q of the QR decomposition of a standard normal
 * [∏ shape[:-1], shape[-1]] matrix (of its transpose when it is wide), its columns' signs fixed
 * by diag(R) so that Q is Haar-distributed. Mirrors tf.keras.initializers.Orthogonal (gain 1).
 * @example
 * ```ts
 * const q = new tf.keras.initializers.Orthogonal({ seed: 1 }).apply([3, 3], "float64");
 * tf.reduceMax(tf.abs(tf.subtract(tf.matmul(q, q, { transposeA: true }), tf.eye(3)))).item() < 1e-12; // → true
 * ```
 */
export class Orthogonal implements Initializer {
  /**
   * The options given.
   * @example
   * ```ts
   * new tf.keras.initializers.Orthogonal({ gain: 2 }).opts.gain; // → 2
   * ```
   */
  readonly opts: { gain?: number; seed?: number };
  constructor(opts: { gain?: number; seed?: number } = {}) {
    this.opts = opts;
    checkOptions("tf.keras.initializers.Orthogonal", opts, ["gain", "seed"]);
  }
  /**
   * Draws a tensor of `shape` (rank ≥ 2) whose [∏ shape[:-1], shape[-1]] matricization has orthonormal rows or columns.
   * @example
   * ```ts
   * new tf.keras.initializers.Orthogonal().apply([2, 5], "float32").shape; // → [2, 5]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    if (shape.length < 2) throw new ValueError({ message: `tf.keras.initializers.Orthogonal: the shape must have rank ≥ 2, got [${shape.join(", ")}].` });
    const cols = shape[shape.length - 1]!;
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const wide = rows < cols;
    const a = normal(wide ? [cols, rows] : [rows, cols], { dtype: "float64", seed: this.opts.seed });
    const [q, r] = np.linalg.qr(a);
    // Q·sign(diag R): makes the decomposition unique, so Q is uniformly distributed
    let m = np.multiply(q, np.sign(np.diagonal(r)));
    if (wide) m = np.transpose(m);
    return np.astype(np.reshape(np.multiply(m, this.opts.gain ?? 1), shape), dtype);
  }
}

const byName: Record<string, () => Initializer> = {
  zeros: () => new Zeros(),
  ones: () => new Ones(),
  randomNormal: () => new RandomNormal(),
  randomUniform: () => new RandomUniform(),
  glorotUniform: () => new GlorotUniform(),
  glorotNormal: () => new GlorotNormal(),
  heNormal: () => new HeNormal(),
  heUniform: () => new HeUniform(),
  lecunNormal: () => new LecunNormal(),
  truncatedNormal: () => new TruncatedNormal(),
  orthogonal: () => new Orthogonal(),
};

/** tf.keras.initializers.get: names in camelCase or Keras's snake_case ("glorot_uniform"). */
export function get(init: InitializerLike): (shape: readonly number[], dtype: DType) => ArrayLike {
  if (typeof init === "function") return init;
  if (typeof init === "string") {
    const key = init.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    const make = byName[key];
    if (!make) throw new ValueError({ message: `Unknown initializer: '${init}'. Use one of ${Object.keys(byName).join(", ")}, an Initializer or a function (shape, dtype) => values.` });
    const i = make();
    return (s, d) => i.apply(s, d);
  }
  return (s, d) => init.apply(s, d);
}
