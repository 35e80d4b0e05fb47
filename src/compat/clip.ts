// tf.norm, tf.clipByNorm and tf.clipByGlobalNorm: norms and norm clipping, each one recorded op on
// a tape (differentiated through the core's rules for the composite).
import { Tensor, ValueError, numpy as np, type ArrayLike } from "../index.js";
import { describe } from "./errors.js";
import { run, run1 } from "./runtime.js";

type T = ArrayLike;

/**
 * The norm of a tensor: `ord` "euclidean" (default; "fro" too) is √Σx², 1 is Σ|x|, Infinity is
 * max|x|, any other p > 0 is (Σ|x|ᵖ)^(1/p) — over all elements, or along `axis` (a number). With
 * `axis` a pair of axes, a matrix norm over them: "euclidean"/"fro" Frobenius, 1 the largest
 * absolute column sum, Infinity the largest absolute row sum, 2 the largest singular value.
 * Mirrors tf.norm (the same function as tf.linalg.norm in TF 2).
 * @example
 * ```ts
 * tf.norm(tf.constant([3, 4])).item(); // → 5
 * tf.norm(tf.constant([[1, -2], [3, 4]]), { ord: 1, axis: 1 }); // → [3, 7]
 * tf.norm(tf.constant([[1, -2], [3, 4]]), { ord: 1, axis: [0, 1] }).item(); // → 6
 * ```
 */
export function norm(tensor: T, opts: { ord?: "euclidean" | "fro" | number; axis?: number | readonly [number, number]; keepdims?: boolean } = {}): Tensor {
  const ord = opts.ord ?? "euclidean";
  const axis = opts.axis;
  if (Array.isArray(axis)) return matrixNorm(tensor, ord, axis as readonly [number, number], opts.keepdims ?? false);
  if (!(ord === "euclidean" || ord === "fro" || (typeof ord === "number" && ord > 0))) {
    throw new ValueError({ message: `tf.norm: ord must be "euclidean", "fro", Infinity or a number > 0, got ${describe(ord)}.` });
  }
  const ax = axis as number | undefined;
  const kd = { keepdims: opts.keepdims ?? false };
  return run1(([x]) => {
    const a = np.abs(x);
    if (ord === "euclidean" || ord === "fro" || ord === 2) return np.sqrt(np.sum(np.square(x), ax, kd));
    if (ord === Infinity) return np.max(a, ax, kd);
    if (ord === 1) return np.sum(a, ax, kd);
    return np.power(np.sum(np.power(a, ord), ax, kd), 1 / ord);
  }, [tensor], "tf.norm");
}

/** tf.norm over a pair of axes: the matrix norms TF defines there (numpy.linalg.norm's). */
function matrixNorm(tensor: T, ord: "euclidean" | "fro" | number, pair: readonly [number, number], keepdims: boolean): Tensor {
  if (!(ord === "euclidean" || ord === "fro" || ord === 1 || ord === 2 || ord === Infinity)) {
    throw new ValueError({ message: `tf.norm: with a pair of axes, ord must be a matrix norm ("euclidean", "fro", 1, 2 or Infinity), got ${describe(ord)}.` });
  }
  if (pair.length !== 2 || !pair.every((a) => Number.isInteger(a))) {
    throw new ValueError({ message: `tf.norm: axis must be an integer or a pair of integers, got ${JSON.stringify(pair)}.` });
  }
  return run1(([x]) => {
    const [a, b] = pair.map((v) => (v < 0 ? v + x.ndim : v)) as [number, number];
    if (a === b || !(a >= 0 && a < x.ndim && b >= 0 && b < x.ndim)) {
      throw new ValueError({ message: `tf.norm: axis ${JSON.stringify(pair)} must name two different axes of a tensor of shape [${x.shape.join(", ")}].` });
    }
    return np.linalg.norm(x, { ord: ord === "euclidean" ? "fro" : ord, axis: [a, b], keepdims });
  }, [tensor], "tf.norm");
}

/**
 * Rescales t so that its L2 norm (over `axes`, or all elements) is at most clipNorm:
 * t·clipNorm / max(‖t‖₂, clipNorm), a zero tensor staying zero. Mirrors tf.clip_by_norm.
 * @example
 * ```ts
 * tf.clipByNorm(tf.constant([3, 4]), 1); // → [0.6, 0.8]
 * ```
 */
export function clipByNorm(t: T, clipNorm: number, axes?: number | number[]): Tensor {
  return run1(([x]) => {
    const l2sum = np.sum(np.square(x), axes, { keepdims: true });
    // TensorFlow's safe norm: the sqrt is taken where the sum is positive only (a finite gradient at 0)
    const pos = np.greater(l2sum, 0);
    const l2 = np.where(pos, np.sqrt(np.where(pos, l2sum, 1)), l2sum);
    return np.divide(np.multiply(x, clipNorm), np.maximum(l2, clipNorm));
  }, [t], "tf.clipByNorm");
}

/**
 * Scales a list of tensors together so that their global norm √Σ‖tᵢ‖² is at most clipNorm;
 * returns `[clipped, globalNorm]` (NaN everywhere when the norm is not finite, as TensorFlow).
 * Mirrors tf.clip_by_global_norm.
 * @example
 * ```ts
 * const [[a, b], n] = tf.clipByGlobalNorm([tf.constant([3]), tf.constant([4])], 1);
 * n.item(); // → 5
 * b; // → [0.8]
 * ```
 */
export function clipByGlobalNorm(tList: readonly T[], clipNorm: number, useNorm?: T): [Tensor[], Tensor] {
  if (!Array.isArray(tList)) throw new ValueError({ message: `tf.clipByGlobalNorm: tList must be a list of tensors, got ${describe(tList)}.` });
  const n = tList.length;
  const outs = run((xs: Tensor[]) => {
    const ts = xs.slice(0, n);
    const g = useNorm !== undefined ? np.astype(xs[n]!, "float32") : np.sqrt(ts.map((x) => np.sum(np.square(np.astype(x, "float32")))).reduce((a, b) => np.add(a, b), np.array(0)));
    // clip·min(1/norm, 1/clip), plus (norm − norm) to make a non-finite norm NaN
    const scale = np.add(np.multiply(np.minimum(np.reciprocal(g), 1 / clipNorm), clipNorm), np.subtract(g, g));
    return [...ts.map((x) => np.multiply(x, np.astype(scale, x.dtype))), g];
  }, useNorm === undefined ? [...tList] : [...tList, useNorm], "tf.clipByGlobalNorm") as Tensor[];
  return [outs.slice(0, n), outs[n]!];
}
