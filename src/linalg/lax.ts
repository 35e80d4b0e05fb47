// lax.linalg: the linear-algebra primitives as functions, strict as lax is (float32/float64
// tensors of rank ≥ 2, no coercion), each on the last two axes and batched over the leading ones.
import { DTypeError, ShapeError, fail } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { bind, bind1 } from "../core/trace.js";
import * as lax from "../core/lax.js";
import { choleskyP, eighP, luP, qrP, svdP, triangularSolveP } from "../core/primitives/linalg.js";
import { broadcastBatch, checkMatrix } from "./checks.js";

/**
 * The lower Cholesky factor L of a symmetric positive-definite matrix: L·Lᵀ = (x + xᵀ)/2.
 * Mirrors jax.lax.linalg.cholesky (symmetrize_input=True): a matrix that is not positive
 * definite gives NaNs, not an error.
 * @param x - float32/float64, shape [..., n, n].
 * @returns L, shape [..., n, n], zeros above the diagonal.
 * @throws ShapeError for a non-square or rank < 2 input; DTypeError for a non-float one.
 * @example
 * ```ts
 * lax.linalg.cholesky(numpy.array([[4, 2], [2, 5]])); // → [[2, 0], [1, 2]]
 * ```
 */
export function cholesky(x: Tensor): Tensor {
  checkMatrix("lax.linalg.cholesky", x, true);
  return bind1(choleskyP, [x], {});
}

/** Options of {@link triangularSolve} (JAX's defaults: all false). */
export interface TriangularSolveOptions {
  /** true: solve op(a)·x = b; false (default): x·op(a) = b. */
  leftSide?: boolean;
  /** true: read a's lower triangle; false (default): its upper one. The other is ignored. */
  lower?: boolean;
  /** true: op(a) = aᵀ; false (default): op(a) = a. */
  transposeA?: boolean;
  /** true: take a's diagonal as ones (it is not read). */
  unitDiagonal?: boolean;
}

/**
 * Solves a triangular system: x with op(a)·x = b (leftSide) or x·op(a) = b. Linear in b (its
 * transpose is the solve with op(a)ᵀ) and differentiable in a.
 * Mirrors jax.lax.linalg.triangular_solve (same defaults; no conjugate_a: real dtypes only).
 * @param a - float, shape [..., k, k]; only the triangle named by `lower` is read.
 * @param b - same dtype and batch shape, [..., k, n] (leftSide) or [..., m, k].
 * @returns x, b's shape.
 * @throws ShapeError when the shapes do not fit; DTypeError for mixed or non-float dtypes.
 * @example
 * ```ts
 * const a = numpy.array([[2, 0], [1, 4]]);
 * lax.linalg.triangularSolve(a, numpy.array([[2], [9]]), { leftSide: true, lower: true }); // → [[1], [2]]
 * ```
 */
export function triangularSolve(a: Tensor, b: Tensor, opts: TriangularSolveOptions = {}): Tensor {
  const api = "lax.linalg.triangularSolve";
  const [k] = checkMatrix(api, a, true);
  const [m, n] = checkMatrix(api, b);
  const p = { leftSide: opts.leftSide ?? false, lower: opts.lower ?? false, transposeA: opts.transposeA ?? false, unitDiagonal: opts.unitDiagonal ?? false };
  if (a.dtype !== b.dtype) throw fail(DTypeError, `${api}: a and b must share a dtype, got ${a.dtype} and ${b.dtype}; convert one with astype.`);
  if ((p.leftSide ? m : n) !== k) throw fail(ShapeError, `${api}: a ${fmtShape(a.shape)} does not fit b ${fmtShape(b.shape)} with leftSide=${p.leftSide}: b's ${p.leftSide ? "rows (axis -2)" : "columns (axis -1)"} must number ${k}.`);
  const batch = broadcastBatch(api, a, b);
  return bind1(triangularSolveP, [lax.broadcastTo(a, [...batch, k, k]), lax.broadcastTo(b, [...batch, m, n])], p);
}

/**
 * LU decomposition with partial pivoting: P·x = L·U.
 * Mirrors jax.lax.linalg.lu.
 * @param x - float, shape [..., m, n].
 * @returns `[lu, pivots, permutation]`: lu [..., m, n] holds L below its unit diagonal and U on and
 *   above; pivots [..., min(m, n)] int32 (row j was swapped with row pivots[j] at step j);
 *   permutation [..., m] int32 (row i of P·x is row permutation[i] of x).
 * @throws ShapeError for rank < 2; DTypeError for non-float input.
 * @example
 * ```ts
 * const [lu, piv, perm] = lax.linalg.lu(numpy.array([[1, 2], [3, 4]]));
 * lu; // → [[3, 4], [0.3333333, 0.6666667]]
 * perm; // → [1, 0]
 * ```
 */
export function lu(x: Tensor): [Tensor, Tensor, Tensor] {
  checkMatrix("lax.linalg.lu", x);
  return bind(luP, [x], {}) as [Tensor, Tensor, Tensor];
}

/**
 * QR decomposition x = Q·R with orthonormal columns in Q and R upper triangular with a
 * non-negative diagonal (a sign convention: LAPACK's may be negative; JAX does not fix it).
 * Mirrors jax.lax.linalg.qr (full_matrices defaults to true, as in JAX).
 * @param x - float, shape [..., m, n].
 * @param opts.fullMatrices - true: Q [..., m, m], R [..., m, n]; false: Q [..., m, k], R [..., k, n], k = min(m, n).
 * @returns [Q, R]. The derivative is defined for m ≥ n with reduced Q (as in JAX).
 * @example
 * ```ts
 * const [q, r] = lax.linalg.qr(numpy.array([[3, 1], [4, 2]]));
 * r; // → [[5, 2.2], [0, 0.4]]
 * ```
 */
export function qr(x: Tensor, opts: { fullMatrices?: boolean } = {}): [Tensor, Tensor] {
  checkMatrix("lax.linalg.qr", x);
  return bind(qrP, [x], { fullMatrices: opts.fullMatrices ?? true }) as [Tensor, Tensor];
}

/**
 * Eigen-decomposition of a symmetric matrix: (x + xᵀ)/2 = V·diag(w)·Vᵀ, w ascending, V
 * orthogonal (each column's largest-magnitude entry positive). The derivative divides by the
 * eigengaps, so it is finite only for distinct eigenvalues (as in JAX).
 * Mirrors jax.lax.linalg.eigh (symmetrize_input=True; returns (v, w) in JAX's order).
 * @param x - float, shape [..., n, n].
 * @returns [v [..., n, n], w [..., n]].
 * @example
 * ```ts
 * const [v, w] = lax.linalg.eigh(numpy.array([[2, 1], [1, 2]]));
 * w; // → [1, 3]
 * ```
 */
export function eigh(x: Tensor): [Tensor, Tensor] {
  checkMatrix("lax.linalg.eigh", x, true);
  return bind(eighP, [x], {}) as [Tensor, Tensor];
}

/**
 * Singular value decomposition x = U·diag(s)·Vᵀ, s descending and ≥ 0.
 * Mirrors jax.lax.linalg.svd (defaults full_matrices=True, compute_uv=True; returns (u, s, vh)).
 * @param x - float, shape [..., m, n].
 * @param opts.fullMatrices - true: U [..., m, m], Vᵀ [..., n, n]; false: k = min(m, n) columns / rows.
 * @param opts.computeUv - false: only s.
 * @returns [U, s, Vᵀ], or s alone when computeUv is false.
 * @example
 * ```ts
 * lax.linalg.svd(numpy.array([[3, 0], [0, -4]]), { computeUv: false }); // → [4, 3]
 * ```
 */
export function svd(x: Tensor, opts: { fullMatrices?: boolean; computeUv: false }): Tensor;
export function svd(x: Tensor, opts?: { fullMatrices?: boolean; computeUv?: true }): [Tensor, Tensor, Tensor];
export function svd(x: Tensor, opts: { fullMatrices?: boolean; computeUv?: boolean } = {}): Tensor | [Tensor, Tensor, Tensor] {
  checkMatrix("lax.linalg.svd", x);
  const computeUv = opts.computeUv ?? true;
  const outs = bind(svdP, [x], { fullMatrices: opts.fullMatrices ?? true, computeUv });
  return computeUv ? [outs[1]!, outs[0]!, outs[2]!] : outs[0]!;
}
