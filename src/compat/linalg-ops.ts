// tf.linalg's solvers, decompositions, norms and band masks on numpy.linalg / lax.linalg, each one
// recorded op on a tape, with TensorFlow's argument order and conventions: cholesky and eigh read
// the lower triangle only, svd returns [s, u, v] (v, not vᴴ), qr and svd default to reduced
// factors, `adjoint` flags instead of transposed copies.
import { Tensor, ValueError, lax, numpy as np, stopGradient } from "../index.js";
import { checkOptions, describe, shapeText } from "./errors.js";
import { run, run1 } from "./runtime.js";
import type { TensorLike } from "./ops.js";

/** The last two axes swapped (the adjoint of a real matrix). */
const adj = (x: Tensor): Tensor => np.swapaxes(x, -1, -2);

/** x as a float tensor with at least two axes ([..., M, N]; square when asked), else a ValueError naming `api`. */
function matrix(api: string, xx: unknown, square = false, name = "input"): Tensor {
  const x = np.asarray(xx as Tensor);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new ValueError({ message: `${api}: ${name} must be float32 or float64, got ${describe(x)}. Cast it with tf.cast(${name}, "float32").` });
  if (x.ndim < 2) throw new ValueError({ message: `${api}: ${name} must have rank ≥ 2 (a [..., M, N] batch of matrices), got shape ${shapeText(x.shape)}.` });
  if (square && x.shape[x.ndim - 1] !== x.shape[x.ndim - 2]) throw new ValueError({ message: `${api}: ${name} must be a batch of square matrices [..., M, M], got shape ${shapeText(x.shape)}.` });
  return x;
}

/** A right-hand side for `m`: rank ≥ 2, m's dtype (JS arrays take it), as many rows as m. */
function rhsFor(api: string, m: Tensor, bb: unknown): Tensor {
  const b = bb instanceof Tensor ? bb : np.asarray(bb as number[], { dtype: m.dtype });
  matrix(api, b, false, "rhs");
  const k = m.shape[m.ndim - 1]!;
  if (b.shape[b.ndim - 2] !== k) throw new ValueError({ message: `${api}: rhs ${shapeText(b.shape)} must have ${k} rows (axis −2) to match matrix ${shapeText(m.shape)}.` });
  if (b.dtype !== m.dtype) throw new ValueError({ message: `${api}: matrix and rhs must share a dtype, got ${m.dtype} and ${b.dtype}; cast one with tf.cast.` });
  return b;
}

/** The symmetric matrix TensorFlow reads from x's lower triangle: tril(x) + tril(x, −1)ᵀ. */
const lowerSymmetric = (x: Tensor): Tensor => np.add(np.tril(x), adj(np.tril(x, -1)));

/**
 * The inverse of each square matrix of `input` ([..., M, M]); with `adjoint`, the inverse of its
 * adjoint (transpose). Differentiable: d(A⁻¹) = −A⁻¹·dA·A⁻¹. Mirrors `tf.linalg.inv`.
 *
 * @example
 * ```ts
 * tf.linalg.inv(tf.constant([[2, 0], [0, 4]])); // → [[0.5, 0], [0, 0.25]]
 * ```
 */
export function inv(input: TensorLike, adjoint = false): Tensor {
  const api = "tf.linalg.inv";
  return run1(([x]) => {
    const m = matrix(api, x, true);
    return np.linalg.inv(adjoint ? adj(m) : m);
  }, [input], api);
}

/**
 * The solution X of matrix·X = rhs (matrix [..., M, M], rhs [..., M, K]); with `adjoint`, of
 * matrixᵀ·X = rhs. Differentiable in both. Mirrors `tf.linalg.solve`.
 *
 * @example
 * ```ts
 * tf.linalg.solve(tf.constant([[2, 0], [0, 4]]), tf.constant([[2], [2]])); // → [[1], [0.5]]
 * ```
 */
export function solve(matrixIn: TensorLike, rhs: TensorLike, adjoint = false): Tensor {
  const api = "tf.linalg.solve";
  return run1(([x, b]) => {
    const m = matrix(api, x, true, "matrix");
    return np.linalg.solve(adjoint ? adj(m) : m, rhsFor(api, m, b));
  }, [matrixIn, rhs], api);
}

/**
 * The determinant of each square matrix of `input` ([..., M, M] → [...]). Differentiable:
 * d det A = det A · tr(A⁻¹·dA). Mirrors `tf.linalg.det`.
 *
 * @example
 * ```ts
 * tf.linalg.det(tf.constant([[1, 2], [3, 4]])).item(); // → -2
 * ```
 */
export function det(input: TensorLike): Tensor {
  const api = "tf.linalg.det";
  return run1(([x]) => np.linalg.det(matrix(api, x, true)), [input], api);
}

/**
 * The lower-triangular Cholesky factor L of each symmetric positive-definite matrix of `input`
 * (input = L·Lᵀ). As in TensorFlow only the lower triangle is read, and the gradient is
 * TensorFlow's symmetric one (it treats dA as symmetric). Mirrors `tf.linalg.cholesky`.
 *
 * @example
 * ```ts
 * tf.linalg.cholesky(tf.constant([[4, 2], [2, 5]])); // → [[2, 0], [1, 2]]
 * ```
 */
export function cholesky(input: TensorLike): Tensor {
  const api = "tf.linalg.cholesky";
  return run1(([x]) => {
    const a = matrix(api, x, true);
    // the value of the lower triangle's symmetric matrix, the derivative of (a + aᵀ)/2: TF's rule
    const sym = np.multiply(np.add(a, adj(a)), 0.5);
    return np.linalg.cholesky(np.add(sym, stopGradient(np.subtract(lowerSymmetric(a), sym))));
  }, [input], api);
}

/**
 * QR decomposition input = q·r of each [..., M, N] matrix: `[q, r]`, q with orthonormal columns
 * and r upper triangular, reduced (q [..., M, K], r [..., K, N], K = min(M, N)) unless
 * `fullMatrices` (q [..., M, M], r [..., M, N]). r's diagonal is non-negative here (TensorFlow's
 * Householder QR may flip the sign of a column of q with the matching row of r; both factor the
 * input). Differentiable in the reduced form for M ≥ N. Mirrors `tf.linalg.qr`.
 *
 * @example
 * ```ts
 * const [q, r] = tf.linalg.qr(tf.constant([[3, 0], [4, 5]]));
 * r; // → [[5, 4], [0, 3]]
 * q; // → [[0.6, -0.8], [0.8, 0.6]]
 * ```
 */
export function qr(input: TensorLike, fullMatrices = false): [Tensor, Tensor] {
  const api = "tf.linalg.qr";
  const [q, r] = run(([x]) => np.linalg.qr(matrix(api, x), fullMatrices ? "complete" : "reduced"), [input], api) as Tensor[];
  return [q!, r!];
}

/**
 * Singular value decomposition input = u·diag(s)·vᵀ of each [..., M, N] matrix: `[s, u, v]` in
 * TensorFlow's order, with v itself (not vᵀ); s descending and ≥ 0. Reduced (u [..., M, K],
 * v [..., N, K]) unless `fullMatrices`; with `computeUv` false, s alone. Singular vectors are
 * unique up to a common sign per pair (TensorFlow may pick the other). Differentiable for
 * distinct singular values. Mirrors `tf.linalg.svd`.
 *
 * @example
 * ```ts
 * const [s, u, v] = tf.linalg.svd(tf.constant([[3, 0], [0, -2]]));
 * s; // → [3, 2]
 * tf.linalg.svd(tf.constant([[0, 2], [1, 0]]), false, false); // → [2, 1]
 * ```
 */
export function svd(input: TensorLike, fullMatrices?: boolean, computeUv?: true): [Tensor, Tensor, Tensor];
export function svd(input: TensorLike, fullMatrices: boolean, computeUv: false): Tensor;
export function svd(input: TensorLike, fullMatrices = false, computeUv = true): Tensor | [Tensor, Tensor, Tensor] {
  const api = "tf.linalg.svd";
  if (!computeUv) return run1(([x]) => np.linalg.svd(matrix(api, x), { fullMatrices, computeUv: false }), [input], api);
  const [s, u, v] = run(([x]) => {
    const [uu, ss, vh] = np.linalg.svd(matrix(api, x), { fullMatrices });
    return [ss, uu, adj(vh)];
  }, [input], api) as Tensor[];
  return [s!, u!, v!];
}

/**
 * Eigenvalues and eigenvectors of each symmetric matrix of `input` ([..., M, M]): `[e, v]`, e
 * ascending ([..., M]) and v's columns the orthonormal eigenvectors (each unique up to sign).
 * Only the lower triangle is read, as in TensorFlow, so the gradient is lower-triangular (its
 * off-diagonal entries carry both halves). Mirrors `tf.linalg.eigh`.
 *
 * @example
 * ```ts
 * const [e, v] = tf.linalg.eigh(tf.constant([[2, 1], [1, 2]]));
 * e; // → [1, 3]
 * ```
 */
export function eigh(input: TensorLike): [Tensor, Tensor] {
  const api = "tf.linalg.eigh";
  const [e, v] = run(([x]) => np.linalg.eigh(lowerSymmetric(matrix(api, x, true))), [input], api) as Tensor[];
  return [e!, v!];
}

/** The order of a tf.linalg.norm: "euclidean" (default), "fro", Infinity or a number > 0. */
export type LinalgNormOrd = "euclidean" | "fro" | number;

/** Options of {@link norm} (its positional arguments, by name). */
export interface LinalgNormOptions {
  /** "euclidean" (default), "fro", 1, 2, Infinity or (vector norms) any p > 0. */
  ord?: LinalgNormOrd;
  /** null (default): all of the tensor as one vector; a number: vector norms along it; a pair: matrix norms over those axes. */
  axis?: number | readonly [number, number] | null;
  /** Keep the reduced axes as size 1 (default false). */
  keepdims?: boolean;
}

/**
 * A vector or matrix norm. With `axis` null (default) the whole tensor is one vector; a number
 * gives vector norms along that axis: "euclidean" √Σx², Infinity max|x|, p > 0 (Σ|x|ᵖ)^(1/p). A
 * pair of axes gives matrix norms: "euclidean"/"fro" (Frobenius), 1 (max column sum of |x|),
 * Infinity (max row sum), 2 (largest singular value). The arguments may also be given as options
 * `{ord, axis, keepdims}`. Mirrors `tf.linalg.norm` / `tf.norm` (same arguments).
 *
 * @example
 * ```ts
 * tf.linalg.norm(tf.constant([[3, 0], [0, 4]])).item(); // → 5
 * tf.linalg.norm(tf.constant([[1, -2], [3, 4]]), 1, [0, 1]).item(); // → 6
 * tf.linalg.norm(tf.constant([[1, -2], [3, 4]]), { ord: Infinity, axis: 1 }); // → [2, 4]
 * ```
 */
export function norm(tensor: TensorLike, ord?: LinalgNormOrd | LinalgNormOptions, axis?: number | readonly [number, number] | null, keepdims = false): Tensor {
  const api = "tf.linalg.norm";
  let o: LinalgNormOptions = { ord: ord as LinalgNormOrd, axis, keepdims };
  if (typeof ord === "object" && ord !== null) {
    checkOptions(api, ord, ["ord", "axis", "keepdims"]);
    o = ord;
  }
  const p = o.ord ?? "euclidean";
  const ax = o.axis ?? null;
  const isMatrix = Array.isArray(ax);
  if (isMatrix && (ax.length !== 2 || ax.some((a) => !Number.isInteger(a)))) throw new ValueError({ message: `${api}: axis must be an integer or a pair of integers, got ${JSON.stringify(ax)}.` });
  if (!isMatrix && ax !== null && !Number.isInteger(ax)) throw new ValueError({ message: `${api}: axis must be an integer or a pair of integers, got ${describe(ax)}.` });
  const okMatrix = p === "euclidean" || p === "fro" || p === 1 || p === 2 || p === Infinity;
  const okVector = p === "euclidean" || (typeof p === "number" && p > 0);
  if (isMatrix ? !okMatrix : !okVector) {
    throw new ValueError({ message: `${api}: 'ord' must be a supported ${isMatrix ? `matrix norm ("euclidean", "fro", 1, 2, Infinity)` : `vector norm ("euclidean", Infinity or a number > 0)`}, got ${describe(p)}.` });
  }
  return run1(([xx]) => {
    const x = np.asarray(xx);
    const kd = o.keepdims ?? false;
    if (isMatrix) {
      const pair = ax as readonly [number, number];
      const rank = Math.max(x.ndim, 2);
      const [a, b] = pair.map((v) => (v < 0 ? v + rank : v));
      if (x.ndim < 2 || a === b || !(a! >= 0 && a! < x.ndim && b! >= 0 && b! < x.ndim)) {
        throw new ValueError({ message: `${api}: axis ${JSON.stringify(pair)} must name two different axes of tensor ${shapeText(x.shape)}.` });
      }
      return np.linalg.norm(x, { ord: p === "euclidean" ? "fro" : p, axis: [a!, b!], keepdims: kd });
    }
    const vec = ax === null ? np.reshape(x, [-1]) : x;
    const along = ax === null ? 0 : (ax as number);
    if (along < -vec.ndim || along >= vec.ndim) throw new ValueError({ message: `${api}: axis ${along} is out of range for tensor ${shapeText(x.shape)}.` });
    const r = np.linalg.norm(vec, { ord: p === "euclidean" ? 2 : p, axis: along, keepdims: kd });
    return ax === null && kd ? np.reshape(r, x.shape.map(() => 1)) : r;
  }, [tensor], api);
}

/**
 * `input` with everything outside a band of each matrix (last two axes) set to zero: entry
 * (i, j) is kept when i − j ≤ numLower and j − i ≤ numUpper, a negative bound meaning the whole
 * triangle. bandPart(x, 0, −1) is the upper triangle, (−1, 0) the lower, (0, 0) the diagonal.
 * Differentiable (the cotangent masked the same way). Mirrors `tf.linalg.band_part`.
 *
 * @example
 * ```ts
 * tf.linalg.bandPart(tf.constant([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), 1, 0); // → [[1, 0, 0], [4, 5, 0], [0, 8, 9]]
 * ```
 */
export function bandPart(input: TensorLike, numLower: number, numUpper: number): Tensor {
  const api = "tf.linalg.bandPart";
  return run1(([xx]) => {
    const x = np.asarray(xx);
    if (x.ndim < 2) throw new ValueError({ message: `${api}: input must have rank ≥ 2, got shape ${shapeText(x.shape)}.` });
    const [m, n] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
    if (!Number.isInteger(numLower) || numLower > m) throw new ValueError({ message: `${api}: numLower must be negative or less or equal to number of rows (${m}) got: ${numLower}.` });
    if (!Number.isInteger(numUpper) || numUpper > n) throw new ValueError({ message: `${api}: numUpper must be negative or less or equal to number of columns (${n}) got: ${numUpper}.` });
    const mask = new Uint8Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mask[i * n + j] = Number((numLower < 0 || i - j <= numLower) && (numUpper < 0 || j - i <= numUpper));
    return np.where(np.reshape(np.astype(np.array(mask), "bool"), [m, n]), x, np.zerosLike(x));
  }, [input], api);
}

/**
 * The solution X of matrix·X = rhs for triangular `matrix` ([..., M, M], rhs [..., M, K]):
 * `lower` (default true) reads its lower triangle, false its upper (the other is ignored);
 * `adjoint` solves matrixᵀ·X = rhs. Differentiable in both (the matrix's gradient stays in the
 * triangle read). Mirrors `tf.linalg.triangular_solve`.
 *
 * @example
 * ```ts
 * tf.linalg.triangularSolve(tf.constant([[2, 0], [1, 4]]), tf.constant([[2], [9]])); // → [[1], [2]]
 * ```
 */
export function triangularSolve(matrixIn: TensorLike, rhs: TensorLike, lower = true, adjoint = false): Tensor {
  const api = "tf.linalg.triangularSolve";
  return run1(([x, b]) => {
    const m = matrix(api, x, true, "matrix");
    return lax.linalg.triangularSolve(m, rhsFor(api, m, b), { leftSide: true, lower, transposeA: adjoint });
  }, [matrixIn, rhs], api);
}
