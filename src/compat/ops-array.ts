// tf.einsum, tf.pad and tf.math.cumprod on the numpy layer, each one recorded op on a tape.
// pad's REFLECT and SYMMETRIC modes are one take per padded axis with mirrored indices, so their
// gradient is the take's scatter-add (the mirrored cotangents summed back, TensorFlow's MirrorPadGrad).
import { Tensor, ValueError, numpy as np } from "../index.js";
import { describe, shapeText } from "./errors.js";
import { run1 } from "./runtime.js";
import type { TensorLike } from "./ops.js";

/**
 * Einstein summation: `equation` names each input's axes with letters ("ij,jk->ik"); letters
 * missing from the output (after "->", or every repeated letter when there is no arrow) are
 * summed; "..." stands for broadcast leading axes. Differentiable in every input.
 * Mirrors `tf.einsum` (also `tf.linalg.einsum`).
 *
 * @example
 * ```ts
 * tf.einsum("ij,jk->ik", tf.constant([[1, 2]]), tf.constant([[3], [4]])); // → [[11]]
 * tf.einsum("ii->", tf.constant([[1, 2], [3, 4]])).item(); // → 5
 * ```
 */
export function einsum(equation: string, ...inputs: TensorLike[]): Tensor {
  if (typeof equation !== "string") throw new ValueError({ message: `tf.einsum: the equation must be a string such as "ij,jk->ik", got ${describe(equation)}.` });
  return run1((xs) => np.einsum(equation, ...xs), inputs, "tf.einsum");
}

/** tf.pad's modes (TensorFlow accepts them in any case). */
export type PadMode = "CONSTANT" | "REFLECT" | "SYMMETRIC" | "constant" | "reflect" | "symmetric";

/**
 * Source positions of an axis of length n padded by lo before and hi after: REFLECT mirrors
 * without repeating the edge (…, x₂, x₁ | x₀, x₁, …), SYMMETRIC repeating it (…, x₁, x₀ | x₀, x₁, …).
 */
function mirrored(n: number, lo: number, hi: number, symmetric: boolean): Int32Array {
  const out = new Int32Array(lo + n + hi);
  for (let k = 0; k < out.length; k++) {
    const t = k - lo;
    out[k] = t < 0 ? (symmetric ? -t - 1 : -t) : t >= n ? (symmetric ? 2 * n - 1 - t : 2 * (n - 1) - t) : t;
  }
  return out;
}

/**
 * `tensor` padded along each axis i by paddings[i] = [before, after] entries. Mode "CONSTANT"
 * (default) fills with `constantValues` (default 0); "REFLECT" mirrors the tensor without its
 * edge (each pad at most dim − 1), "SYMMETRIC" with it (at most dim). Differentiable in tensor.
 * Mirrors `tf.pad`.
 *
 * @example
 * ```ts
 * tf.pad(tf.constant([1, 2, 3]), [[1, 2]]); // → [0, 1, 2, 3, 0, 0]
 * tf.pad(tf.constant([1, 2, 3]), [[2, 2]], "REFLECT"); // → [3, 2, 1, 2, 3, 2, 1]
 * tf.pad(tf.constant([1, 2, 3]), [[2, 2]], "SYMMETRIC"); // → [2, 1, 1, 2, 3, 3, 2]
 * ```
 */
export function pad(tensor: TensorLike, paddings: readonly (readonly [number, number])[] | Tensor, mode: PadMode = "CONSTANT", constantValues = 0): Tensor {
  const api = "tf.pad";
  const m = typeof mode === "string" ? mode.toUpperCase() : mode;
  if (m !== "CONSTANT" && m !== "REFLECT" && m !== "SYMMETRIC") throw new ValueError({ message: `${api}: mode must be "CONSTANT", "REFLECT" or "SYMMETRIC", got ${describe(mode)}.` });
  const raw = paddings instanceof Tensor ? (paddings.toArray() as number[][]) : paddings;
  return run1(([xx]) => {
    const x = np.asarray(xx);
    const pairs = Array.isArray(raw) ? raw.map((p) => (Array.isArray(p) ? [...p] : [])) : [];
    if (pairs.length !== x.ndim || pairs.some((p) => p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 0))) {
      throw new ValueError({ message: `${api}: paddings must be a [${x.ndim}, 2] array of non-negative integers (one [before, after] per axis of tensor ${shapeText(x.shape)}), got ${JSON.stringify(raw)}.` });
    }
    if (m === "CONSTANT") return np.pad(x, pairs as [number, number][], { constantValues });
    const symmetric = m === "SYMMETRIC";
    let y = x;
    pairs.forEach(([lo, hi], ax) => {
      const n = x.shape[ax]!;
      const limit = symmetric ? n : n - 1;
      if (lo! > limit || hi! > limit) {
        throw new ValueError({ message: `${api}: paddings must be no greater than the dimension size${symmetric ? "" : " minus 1"} in ${m} mode: axis ${ax} of tensor ${shapeText(x.shape)} has size ${n}, padded by [${lo}, ${hi}]; pad at most ${limit} per side.` });
      }
      if (lo! > 0 || hi! > 0) y = np.take(y, mirrored(n, lo!, hi!, symmetric), ax);
    });
    return y;
  }, [tensor], api);
}

/**
 * The running product along `axis` (default 0); `exclusive` leaves out each element itself
 * (starting from 1), `reverse` multiplies from the end. Differentiable; at an entry that is zero
 * the gradient is the exact one (TensorFlow 2.21 gives 0 there; elsewhere the two agree).
 * Mirrors `tf.math.cumprod`.
 *
 * @example
 * ```ts
 * tf.cumprod(tf.constant([1, 2, 3, 4])); // → [1, 2, 6, 24]
 * tf.cumprod(tf.constant([1, 2, 3, 4]), 0, true); // → [1, 1, 2, 6]
 * tf.cumprod(tf.constant([1, 2, 3, 4]), 0, true, true); // → [24, 12, 4, 1]
 * ```
 */
export function cumprod(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  const api = "tf.math.cumprod";
  return run1(([aa]) => {
    const a = np.asarray(aa);
    if (!(Number.isInteger(axis) && axis >= -a.ndim && axis < a.ndim)) {
      throw new ValueError({ message: `${api}: axis ${axis} is out of range for x of shape ${shapeText(a.shape)}; use an axis in [${-a.ndim}, ${a.ndim}).` });
    }
    const ax = axis < 0 ? axis + a.ndim : axis;
    let src = reverse ? np.flip(a, ax) : a;
    const n = a.shape[ax]!;
    if (exclusive && n > 0) {
      // [1, x₀, …, x_{n−2}]: the product of the elements before each one
      const head = np.onesLike(np.take(src, Int32Array.of(0), ax));
      src = np.concatenate([head, np.take(src, np.arange(0, n - 1, 1, { dtype: "int32" }), ax)], ax);
    }
    const c = np.cumprod(src, ax);
    return reverse ? np.flip(c, ax) : c;
  }, [x], api);
}
