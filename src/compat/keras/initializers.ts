// tf.keras.initializers: functions of (shape, dtype) drawing from tf.random's global seed.
import { numpy as np, type ArrayLike, type DType, type Tensor } from "../../index.js";
import { ValueError } from "../../index.js";
import { checkOptions } from "../errors.js";
import { normal, truncatedNormal, uniform } from "../random.js";

/** What a Keras initializer is: a way to draw (or fill) a tensor of a shape and dtype. */
export interface Initializer {
  /** A tensor of `shape` and `dtype`. */
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

/**
 * Fills with 0. Mirrors `tf.keras.initializers.Zeros`.
 *
 * @example
 * ```ts
 * new tf.keras.initializers.Zeros().apply([2], "float32"); // → [0, 0]
 * ```
 */
export class Zeros implements Initializer {
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.Zeros().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return np.zeros(shape, { dtype });
  }
}
/**
 * Fills with 1. Mirrors `tf.keras.initializers.Ones`.
 *
 * @example
 * ```ts
 * new tf.keras.initializers.Ones().apply([2], "float32"); // → [1, 1]
 * ```
 */
export class Ones implements Initializer {
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.Ones().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return np.ones(shape, { dtype });
  }
}
/**
 * Fills with `value` (default 0). Mirrors `tf.keras.initializers.Constant`.
 *
 * @example
 * ```ts
 * new tf.keras.initializers.Constant(3).apply([2], "float32"); // → [3, 3]
 * ```
 */
export class Constant implements Initializer {
  constructor(
    /**
     * The fill value.
     *
     * @example
     * ```ts
     * new tf.keras.initializers.Constant(3).value; // → 3
     * ```
     */
    readonly value = 0,
  ) {}
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.Constant(1).apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return np.full(shape, this.value, { dtype });
  }
}
/**
 * Draws from N(mean, stddev²), defaults 0 and 0.05. Mirrors `tf.keras.initializers.RandomNormal`.
 *
 * @example
 * ```ts
 * const w = new tf.keras.initializers.RandomNormal({ stddev: 1, seed: 1 }).apply([1000], "float32");
 * Math.abs(tf.reduceStd(w).item() - 1) < 0.1; // → true
 * ```
 */
export class RandomNormal implements Initializer {
  constructor(
    /**
     * The options given to the constructor.
     *
     * @example
     * ```ts
     * new tf.keras.initializers.RandomNormal({ seed: 7 }).opts.seed; // → 7
     * ```
     */
    readonly opts: { mean?: number; stddev?: number; seed?: number } = {}) {
    checkOptions("tf.keras.initializers.RandomNormal", opts, ["mean", "stddev", "seed"]);
  }
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.RandomNormal().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return normal(shape, { mean: this.opts.mean ?? 0, stddev: this.opts.stddev ?? 0.05, dtype, seed: this.opts.seed });
  }
}
/**
 * Draws from U(minval, maxval), defaults −0.05 and 0.05. Mirrors `tf.keras.initializers.RandomUniform`.
 *
 * @example
 * ```ts
 * const w = new tf.keras.initializers.RandomUniform({ minval: 2, maxval: 3 }).apply([100], "float32");
 * tf.reduceMin(w).item() >= 2; // → true
 * ```
 */
export class RandomUniform implements Initializer {
  constructor(
    /**
     * The options given to the constructor.
     *
     * @example
     * ```ts
     * new tf.keras.initializers.RandomUniform({ seed: 7 }).opts.seed; // → 7
     * ```
     */
    readonly opts: { minval?: number; maxval?: number; seed?: number } = {}) {
    checkOptions("tf.keras.initializers.RandomUniform", opts, ["minval", "maxval", "seed"]);
  }
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.RandomUniform().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return uniform(shape, { minval: this.opts.minval ?? -0.05, maxval: this.opts.maxval ?? 0.05, dtype, seed: this.opts.seed });
  }
}
/**
 * Draws from U(−l, l) with l = √(6 / (fanIn + fanOut)) (fans as Keras: the last two axes times the receptive field). Keras's default kernel initializer. Mirrors `tf.keras.initializers.GlorotUniform`.
 *
 * @example
 * ```ts
 * const w = new tf.keras.initializers.GlorotUniform({ seed: 1 }).apply([3, 3], "float32");
 * tf.reduceMax(tf.abs(w)).item() <= 1; // → true
 * ```
 */
export class GlorotUniform implements Initializer {
  constructor(
    /**
     * The options given to the constructor.
     *
     * @example
     * ```ts
     * new tf.keras.initializers.GlorotUniform({ seed: 7 }).opts.seed; // → 7
     * ```
     */
    readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.GlorotUniform", opts, ["seed"]);
  }
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.GlorotUniform().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    const [i, o] = fans(shape);
    const l = Math.sqrt(6 / (i + o));
    return uniform(shape, { minval: -l, maxval: l, dtype, seed: this.opts.seed });
  }
}
/**
 * Draws from a normal truncated at two standard deviations, with stddev √(2 / (fanIn + fanOut)) after Keras's correction for the truncation. Mirrors `tf.keras.initializers.GlorotNormal`.
 *
 * @example
 * ```ts
 * const w = new tf.keras.initializers.GlorotNormal({ seed: 1 }).apply([50, 50], "float32");
 * tf.reduceMax(tf.abs(w)).item() <= 2 * Math.sqrt(2 / 100) / 0.8796256610342398; // → true
 * ```
 */
export class GlorotNormal implements Initializer {
  constructor(
    /**
     * The options given to the constructor.
     *
     * @example
     * ```ts
     * new tf.keras.initializers.GlorotNormal({ seed: 7 }).opts.seed; // → 7
     * ```
     */
    readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.GlorotNormal", opts, ["seed"]);
  }
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.GlorotNormal().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    const [i, o] = fans(shape);
    return truncatedNormal(shape, { stddev: Math.sqrt(2 / (i + o)) / 0.8796256610342398, dtype, seed: this.opts.seed });
  }
}
/**
 * Draws from a normal truncated at two standard deviations, with stddev √(2 / fanIn) after Keras's correction (for ReLU networks). Mirrors `tf.keras.initializers.HeNormal`.
 *
 * @example
 * ```ts
 * new tf.keras.initializers.HeNormal({ seed: 1 }).apply([8, 4], "float64").dtype; // → "float64"
 * ```
 */
export class HeNormal implements Initializer {
  constructor(
    /**
     * The options given to the constructor.
     *
     * @example
     * ```ts
     * new tf.keras.initializers.HeNormal({ seed: 7 }).opts.seed; // → 7
     * ```
     */
    readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.HeNormal", opts, ["seed"]);
  }
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.HeNormal().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
  apply(shape: readonly number[], dtype: DType) {
    return truncatedNormal(shape, { stddev: Math.sqrt(2 / fans(shape)[0]) / 0.8796256610342398, dtype, seed: this.opts.seed });
  }
}
/**
 * Draws from U(−l, l) with l = √(6 / fanIn). Mirrors `tf.keras.initializers.HeUniform`.
 *
 * @example
 * ```ts
 * const w = new tf.keras.initializers.HeUniform({ seed: 1 }).apply([6, 2], "float32");
 * tf.reduceMax(tf.abs(w)).item() <= 1; // → true
 * ```
 */
export class HeUniform implements Initializer {
  constructor(
    /**
     * The options given to the constructor.
     *
     * @example
     * ```ts
     * new tf.keras.initializers.HeUniform({ seed: 7 }).opts.seed; // → 7
     * ```
     */
    readonly opts: { seed?: number } = {}) {
    checkOptions("tf.keras.initializers.HeUniform", opts, ["seed"]);
  }
  /**
   * Draws (or fills) a tensor of `shape` and `dtype`.
   *
   * @example
   * ```ts
   * new tf.keras.initializers.HeUniform().apply([2, 3], "float32").shape; // → [2, 3]
   * ```
   */
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

/**
 * An initializer as a function of (shape, dtype), from a name in camelCase or Keras's snake_case
 * ("glorot_uniform"), an Initializer, or a function (returned as is). An unknown name is a
 * ValueError listing the known ones. Mirrors `tf.keras.initializers.get`.
 *
 * @example
 * ```ts
 * tf.keras.initializers.get("ones")([2], "float32"); // → [1, 1]
 * tf.keras.initializers.get("glorot_uniform")([4, 4], "float32").shape; // → [4, 4]
 * ```
 */
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
