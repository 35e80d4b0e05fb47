// numpy.linalg's decompositions: cholesky, qr, eigh, eigvalsh, svd — numpy's signatures and
// result orders over the lax.linalg primitives (ints and bools are taken as float32, as JAX does).
import { ValueError, fail } from "../core/errors.js";
import type { ArrayLike, Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import { floaty } from "../core/numpy/convert.js";
import { eighP, qrP, svdP } from "../core/primitives/linalg.js";
import { mT } from "../core/primitives/linalg-util.js";
import { cholesky as laxCholesky } from "./lax.js";
import { checkMatrix } from "./checks.js";

/** A float operand of a numpy.linalg function, checked to be a (square) matrix stack. */
export function matrixArg(api: string, x: ArrayLike, square = false): Tensor {
  const t = floaty(x, api);
  checkMatrix(api, t, square);
  return t;
}

/**
 * The Cholesky factor of a symmetric positive-definite matrix: L lower with L·Lᵀ = a (or U
 * upper with Uᵀ·U = a). Only the symmetric part (a + aᵀ)/2 is used; a matrix that is not
 * positive definite gives NaNs (as JAX), not an error. Differentiable (JAX's rule).
 * Mirrors numpy.linalg.cholesky / jax.numpy.linalg.cholesky.
 * @param a - shape [..., n, n]; ints become float32.
 * @param opts.upper - return the upper factor Lᵀ instead (default false).
 * @returns shape [..., n, n].
 * @throws ShapeError for a non-square or rank < 2 input.
 * @example
 * ```ts
 * np.linalg.cholesky([[4, 2], [2, 5]]); // → [[2, 0], [1, 2]]
 * np.isnan(np.linalg.cholesky([[1, 2], [2, 1]])); // → [[true, true], [true, true]]
 * ```
 */
export function cholesky(a: ArrayLike, opts: { upper?: boolean } = {}): Tensor {
  const L = laxCholesky(matrixArg("numpy.linalg.cholesky", a, true));
  return opts.upper ? mT(L) : L;
}

/** QR modes: "reduced" (k = min(m, n) columns of Q), "complete" (Q square), "r" (R only). */
export type QrMode = "reduced" | "complete" | "r";

/**
 * QR decomposition a = Q·R: Q with orthonormal columns, R upper triangular with a non-negative
 * diagonal (a fixed sign convention, so Q and R are unique for a full-rank a). Differentiable for
 * m ≥ n in mode "reduced" (as in JAX).
 * Mirrors numpy.linalg.qr / jax.numpy.linalg.qr (returns [Q, R] for numpy's (Q, R) tuple).
 * @param a - shape [..., m, n].
 * @param mode - "reduced" (default): Q [..., m, k], R [..., k, n]; "complete": Q [..., m, m], R [..., m, n]; "r": R [..., k, n] only.
 * @throws ShapeError for rank < 2; ValueError for an unknown mode.
 * @example
 * ```ts
 * const [q, r] = np.linalg.qr([[3, 1], [4, 2]]);
 * q; // → [[0.6, -0.8], [0.8, 0.6]]
 * np.linalg.qr([[3, 1], [4, 2]], "r"); // → [[5, 2.2], [0, 0.4]]
 * ```
 */
export function qr(a: ArrayLike, mode?: "reduced" | "complete"): [Tensor, Tensor];
export function qr(a: ArrayLike, mode: "r"): Tensor;
export function qr(a: ArrayLike, mode: QrMode = "reduced"): [Tensor, Tensor] | Tensor {
  const api = "numpy.linalg.qr";
  if (mode !== "reduced" && mode !== "complete" && mode !== "r") throw fail(ValueError, `${api}: unknown mode ${JSON.stringify(mode)}; use "reduced", "complete" or "r".`);
  const x = matrixArg(api, a);
  const [q, r] = bind(qrP, [x], { fullMatrices: mode === "complete" }) as [Tensor, Tensor];
  return mode === "r" ? r : [q, r];
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix: a = V·diag(w)·Vᵀ, w ascending, V's columns
 * orthonormal (each one's largest-magnitude entry positive). Uses (a + aᵀ)/2. The derivative
 * of V divides by eigenvalue gaps: finite only for distinct eigenvalues (as in JAX).
 * Mirrors numpy.linalg.eigh / jax.numpy.linalg.eigh (returns [w, V]; no UPLO: both triangles are averaged).
 * @param a - shape [..., n, n].
 * @returns [w [..., n], V [..., n, n]].
 * @throws ShapeError for a non-square or rank < 2 input.
 * @example
 * ```ts
 * const [w, v] = np.linalg.eigh([[2, 1], [1, 2]]);
 * w; // → [1, 3]
 * v.shape; // → [2, 2]
 * ```
 */
export function eigh(a: ArrayLike): [Tensor, Tensor] {
  const [v, w] = bind(eighP, [matrixArg("numpy.linalg.eigh", a, true)], {}) as [Tensor, Tensor];
  return [w, v];
}

/**
 * Eigenvalues of a symmetric matrix, ascending (differentiable: dw = diag(Vᵀ·da·V)).
 * Mirrors numpy.linalg.eigvalsh / jax.numpy.linalg.eigvalsh.
 * @param a - shape [..., n, n].
 * @returns shape [..., n].
 * @example
 * ```ts
 * np.linalg.eigvalsh([[2, 0], [0, -1]]); // → [-1, 2]
 * ```
 */
export function eigvalsh(a: ArrayLike): Tensor {
  return bind(eighP, [matrixArg("numpy.linalg.eigvalsh", a, true)], {})[1]!;
}

/** Options of {@link svd}. */
export interface SvdOptions {
  /** true (default): U [..., m, m] and Vᴴ [..., n, n]; false: k = min(m, n) columns / rows. */
  fullMatrices?: boolean;
  /** false: return s only (default true). */
  computeUv?: boolean;
}

/**
 * Singular value decomposition a = U·diag(s)·Vᴴ, s descending and ≥ 0, accurate to a few ulps
 * in every singular value (one-sided Jacobi). Differentiable (JAX's rule: U and Vᴴ need distinct
 * singular values, and fullMatrices=false for a non-square a).
 * Mirrors numpy.linalg.svd / jax.numpy.linalg.svd (returns [U, s, Vᴴ], or s when computeUv is false).
 * @param a - shape [..., m, n].
 * @throws ShapeError for rank < 2.
 * @example
 * ```ts
 * np.linalg.svd([[3, 0], [0, -4]], { computeUv: false }); // → [4, 3]
 * const [u, s, vh] = np.linalg.svd([[1, 1], [0, 0]]);
 * s; // → [1.4142135, 0]
 * ```
 */
export function svd(a: ArrayLike, opts: SvdOptions & { computeUv: false }): Tensor;
export function svd(a: ArrayLike, opts?: SvdOptions & { computeUv?: true }): [Tensor, Tensor, Tensor];
export function svd(a: ArrayLike, opts: SvdOptions = {}): Tensor | [Tensor, Tensor, Tensor] {
  const x = matrixArg("numpy.linalg.svd", a);
  const computeUv = opts.computeUv ?? true;
  const outs = bind(svdP, [x], { fullMatrices: opts.fullMatrices ?? true, computeUv });
  return computeUv ? [outs[1]!, outs[0]!, outs[2]!] : outs[0]!;
}
