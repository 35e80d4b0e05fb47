// numpy.linalg's solvers and determinants: solve, inv, det, slogdet (through the LU primitive
// and two triangular solves, so their derivatives compose from those rules, as JAX's do), and
// the SVD-based lstsq, pinv (JAX's custom derivative), matrixRank, matrixPower.
import type { DType } from "../core/dtype.js";
import { ShapeError, ValueError, fail } from "../core/errors.js";
import { fmtShape, sizeOf } from "../core/shape.js";
import { emptyTensor, type ArrayLike, type Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import * as lax from "../core/lax.js";
import { floaty } from "../core/numpy/convert.js";
import { diagonal, eye, mm, mT } from "../core/primitives/linalg-util.js";
import { svdP } from "../core/primitives/linalg.js";
import { customJvp } from "../transforms/custom.js";
import { lu, triangularSolve } from "./lax.js";
import { broadcastBatch } from "./checks.js";
import { matrixArg } from "./decompositions.js";

const EPS: Record<string, number> = { float32: 2 ** -23, float64: 2 ** -52 };
/** The two operands in one float dtype (float64 if either is). */
function sameFloat(x: Tensor, y: Tensor): [Tensor, Tensor] {
  if (x.dtype === y.dtype) return [x, y];
  return [lax.convert(x, "float64"), lax.convert(y, "float64")];
}

/** Rows of b ([..., n, k]) permuted per matrix: out[..., i, :] = b[..., perm[..., i], :]. */
function permuteRows(b: Tensor, perm: Tensor): Tensor {
  const [n, k] = b.shape.slice(-2) as [number, number];
  const B = sizeOf(b.shape.slice(0, -2));
  const offs = emptyTensor([B, n], "int32");
  for (let u = 0; u < B; u++) for (let i = 0; i < n; i++) offs._data[u * n + i] = u * n;
  const idx = lax.reshape(lax.add(lax.reshape(perm, [B, n]), offs), [B * n]);
  return lax.reshape(lax.gather(lax.reshape(b, [B * n, k]), idx, 0), b.shape);
}

/** x with a·x = b from a's LU factors: x = U⁻¹·L⁻¹·P·b. */
function luSolve(a: Tensor, b: Tensor): Tensor {
  const [f, , perm] = lu(a);
  const y = triangularSolve(f, permuteRows(b, perm), { leftSide: true, lower: true, unitDiagonal: true });
  return triangularSolve(f, y, { leftSide: true, lower: false });
}

/**
 * Solves the linear system a·x = b (LU with partial pivoting). Differentiable in a and b.
 * Mirrors numpy.linalg.solve / jax.numpy.linalg.solve (numpy 2 semantics: a 1-D b is one
 * vector; otherwise b is a stack of [n, k] matrices whose batch axes broadcast with a's).
 * A singular a gives infs or NaNs, as JAX (no error).
 * @param a - shape [..., n, n].
 * @param b - shape [n] or [..., n, k].
 * @returns x, shape [..., n] (1-D b) or [..., n, k].
 * @throws ShapeError for a non-square a, or b whose rows do not number n.
 * @example
 * ```ts
 * np.linalg.solve([[3, 1], [1, 2]], [9, 8]); // → [2, 3]
 * ```
 */
export function solve(a: ArrayLike, b: ArrayLike): Tensor {
  const api = "numpy.linalg.solve";
  const [A0, B0] = sameFloat(matrixArg(api, a, true), floaty(b, api));
  const n = A0.shape[A0.ndim - 1]!;
  const vec = B0.ndim === 1;
  if (B0.ndim === 0 || B0.shape[vec ? 0 : B0.ndim - 2] !== n) {
    throw fail(ShapeError, `${api}: b ${fmtShape(B0.shape)} does not fit a ${fmtShape(A0.shape)}: b must be [${n}] or [..., ${n}, k].`);
  }
  const B1 = vec ? lax.reshape(B0, [n, 1]) : B0;
  const batch = broadcastBatch(api, A0, B1);
  const k = B1.shape[B1.ndim - 1]!;
  const x = luSolve(lax.broadcastTo(A0, [...batch, n, n]), lax.broadcastTo(B1, [...batch, n, k]));
  return vec ? lax.reshape(x, [...batch, n]) : x;
}

/**
 * The inverse of a square matrix (solve(a, I)). Differentiable: d(a⁻¹) = −a⁻¹·da·a⁻¹.
 * Mirrors numpy.linalg.inv / jax.numpy.linalg.inv; a singular a gives infs or NaNs, as JAX.
 * @param a - shape [..., n, n].
 * @returns shape [..., n, n].
 * @throws ShapeError for a non-square or rank < 2 input.
 * @example
 * ```ts
 * np.linalg.inv([[2, 0], [0, 4]]); // → [[0.5, 0], [0, 0.25]]
 * ```
 */
export function inv(a: ArrayLike): Tensor {
  const A = matrixArg("numpy.linalg.inv", a, true);
  const n = A.shape[A.ndim - 1]!;
  return luSolve(A, lax.broadcastTo(eye(n, A.dtype), A.shape));
}

/** (diagonal of U, sign of P) of a's LU factors: det(a) = sign·Π diag. */
function luDiag(a: Tensor): [Tensor, Tensor] {
  const [f, piv] = lu(a);
  const k = piv.shape[piv.ndim - 1]!;
  const swapped = lax.ne(piv, lax.iota([k], 0, "int32"));
  const parity = lax.reduceProd(lax.select(swapped, lax.scalarLike(f, -1), lax.scalarLike(f, 1)), [piv.ndim - 1]);
  return [diagonal(f), parity];
}

/**
 * The determinant (from the LU factors: ± the product of U's diagonal). A singular matrix gives 0.
 * Differentiable through the LU rules: d det = det·tr(a⁻¹·da), so the derivative at a singular
 * matrix is NaN here, where JAX's custom rule gives the adjugate.
 * Mirrors numpy.linalg.det / jax.numpy.linalg.det.
 * @param a - shape [..., n, n].
 * @returns shape [...].
 * @throws ShapeError for a non-square or rank < 2 input.
 * @example
 * ```ts
 * np.linalg.det([[1, 2], [3, 4]]); // → -2
 * np.linalg.det([[1, 2], [2, 4]]); // → 0
 * ```
 */
export function det(a: ArrayLike): Tensor {
  const A = matrixArg("numpy.linalg.det", a, true);
  const [d, sign] = luDiag(A);
  return lax.mul(sign, lax.reduceProd(d, [d.ndim - 1]));
}

/**
 * Sign and natural log of the absolute determinant, without overflow: det = sign·exp(logabsdet).
 * A singular matrix gives sign 0 and logabsdet −∞ (as numpy and JAX).
 * Mirrors numpy.linalg.slogdet / jax.numpy.linalg.slogdet (returns [sign, logabsdet]).
 * @param a - shape [..., n, n].
 * @returns [sign [...], logabsdet [...]], a's float dtype.
 * @example
 * ```ts
 * const [sign, logdet] = np.linalg.slogdet([[-2, 0], [0, 3]]);
 * sign; // → -1
 * logdet; // → 1.7917595
 * np.linalg.slogdet([[1, 2], [2, 4]])[1].item() === -Infinity; // → true
 * ```
 */
export function slogdet(a: ArrayLike): [Tensor, Tensor] {
  const A = matrixArg("numpy.linalg.slogdet", a, true);
  const [d, parity] = luDiag(A);
  const last = [d.ndim - 1];
  const sign = lax.mul(parity, lax.reduceProd(lax.sign(d), last));
  // a zero pivot gives sign +0 (never −0), as numpy and JAX
  return [lax.select(lax.eq(sign, lax.scalarLike(sign, 0)), lax.scalarLike(sign, 0), sign), lax.sum(lax.log(lax.abs(d)), last)];
}

/** s, U, Vᵀ of the reduced SVD. */
const svdReduced = (x: Tensor) => bind(svdP, [x], { fullMatrices: false, computeUv: true }) as [Tensor, Tensor, Tensor];
/** s > cutoff·max(s) per matrix (cutoff relative), and the reciprocal of s there (0 elsewhere). */
function invertAbove(s: Tensor, rel: number): [Tensor, Tensor] {
  const smax = lax.reduceMax(s, [s.ndim - 1]);
  const keep = lax.gt(s, lax.mul(lax.expandDims(smax, s.ndim - 1), lax.scalarLike(s, rel)));
  const safe = lax.select(keep, s, lax.scalarLike(s, 1));
  return [keep, lax.select(keep, lax.div(lax.scalarLike(s, 1), safe), lax.scalarLike(s, 0))];
}

const pinvByRtol = new Map<number | undefined, (a: Tensor) => Tensor>();
/** pinv for one rtol, with JAX's derivative (Golub & Pereyra 1973), which holds across rank-preserving changes. */
function pinvFor(rtol: number | undefined): (a: Tensor) => Tensor {
  const cached = pinvByRtol.get(rtol);
  if (cached) return cached;
  const plain = (a: Tensor): Tensor => {
    const [m, n] = a.shape.slice(-2) as [number, number];
    const [s, u, vt] = svdReduced(a);
    const [, sInv] = invertAbove(s, rtol ?? 10 * Math.max(m, n) * EPS[a.dtype]!);
    return mm(lax.mul(mT(vt), lax.expandDims(sInv, sInv.ndim - 1)), mT(u));
  };
  const g: (a: Tensor) => Tensor = customJvp(plain, ([a], [da]: Tensor[]) => {
    const p = g(a!);
    const [m, n] = a!.shape.slice(-2) as [number, number];
    const dat = mT(da!);
    const pt = mT(p);
    // dp = −p·da·p + s − s·a·p + t − p·a·t, s = p·pᵀ·daᵀ, t = daᵀ·pᵀ·p (associated by shape, as JAX)
    let dp: Tensor;
    if (m >= n) {
      const s = mm(mm(p, pt), dat);
      const t = mm(mm(dat, pt), p);
      dp = lax.add(lax.sub(lax.add(lax.neg(mm(mm(p, da!), p)), s), mm(mm(s, a!), p)), lax.sub(t, mm(mm(p, a!), t)));
    } else {
      const s = mm(p, mm(pt, dat));
      const t = mm(dat, mm(pt, p));
      dp = lax.add(lax.sub(lax.add(lax.neg(mm(p, mm(da!, p))), s), mm(s, mm(a!, p))), lax.sub(t, mm(p, mm(a!, t))));
    }
    return [p, dp];
  });
  pinvByRtol.set(rtol, g);
  return g;
}

/**
 * The Moore–Penrose pseudo-inverse, from the SVD (singular values at most rtol·max(s) count as
 * zero). Differentiable with JAX's rule, valid where the rank does not change.
 * Mirrors numpy.linalg.pinv / jax.numpy.linalg.pinv.
 * @param a - shape [..., m, n].
 * @param opts.rtol - relative cutoff; default 10·max(m, n)·eps of the dtype (JAX's).
 * @returns shape [..., n, m].
 * @example
 * ```ts
 * np.linalg.pinv([[1, 0], [0, 0]]); // → [[1, 0], [0, 0]]
 * np.linalg.pinv([[1], [1]]); // → [[0.5, 0.5]]
 * ```
 */
export function pinv(a: ArrayLike, opts: { rtol?: number } = {}): Tensor {
  return pinvFor(opts.rtol)(matrixArg("numpy.linalg.pinv", a));
}

/**
 * Least-squares solution of a·x ≈ b (minimum-norm when a is rank-deficient), from the SVD.
 * Mirrors jax.numpy.linalg.lstsq (numpy's signature; like JAX, residuals are ‖b − a·x‖² per
 * column always, not only when a has full column rank).
 * @param a - shape [m, n].
 * @param b - shape [m] or [m, k].
 * @param opts.rcond - singular values ≤ rcond·max(s) count as zero; default eps·max(m, n).
 * @returns [x [n] or [n, k], residuals [1] or [k], rank (int32 scalar), s [min(m, n)]].
 * @throws ShapeError unless a is 2-D and b has m rows.
 * @example
 * ```ts
 * const [x, res, rank] = np.linalg.lstsq([[1, 0], [1, 1], [1, 2]], [1, 2, 4]);
 * x; // → [0.8333333, 1.5]
 * rank; // → 2
 * ```
 */
export function lstsq(a: ArrayLike, b: ArrayLike, opts: { rcond?: number } = {}): [Tensor, Tensor, Tensor, Tensor] {
  const api = "numpy.linalg.lstsq";
  const [A, B0] = sameFloat(matrixArg(api, a), floaty(b, api));
  const [m, n] = A.shape as [number, number];
  if (A.ndim !== 2 || (B0.ndim !== 1 && B0.ndim !== 2) || B0.shape[0] !== m) {
    throw fail(ShapeError, `${api}: expected a [m, n] and b [m] or [m, k], got a ${fmtShape(A.shape)} and b ${fmtShape(B0.shape)}.`);
  }
  const B = B0.ndim === 1 ? lax.reshape(B0, [m, 1]) : B0;
  const [s, u, vt] = svdReduced(A);
  const [keep, sInv] = invertAbove(s, opts.rcond ?? EPS[A.dtype]! * Math.max(m, n));
  const x = mm(mT(vt), lax.mul(lax.expandDims(sInv, 1), mm(mT(u), B)));
  const r = lax.sub(B, mm(A, x));
  const resid = lax.sum(lax.mul(r, r), [0]);
  const rank = lax.sum(lax.convert(keep, "int32"), [0]);
  return [B0.ndim === 1 ? lax.reshape(x, [n]) : x, resid, rank, s];
}

/**
 * The rank: how many singular values exceed rtol·max(s).
 * Mirrors numpy.linalg.matrix_rank / jax.numpy.linalg.matrix_rank (rtol as in JAX; default max(m, n)·eps).
 * @param a - shape [..., m, n].
 * @returns int32, shape [...].
 * @example
 * ```ts
 * np.linalg.matrixRank([[1, 2], [2, 4]]); // → 1
 * ```
 */
export function matrixRank(a: ArrayLike, opts: { rtol?: number } = {}): Tensor {
  const A = matrixArg("numpy.linalg.matrixRank", a);
  const [m, n] = A.shape.slice(-2) as [number, number];
  const [s] = bind(svdP, [A], { fullMatrices: false, computeUv: false }) as [Tensor];
  if (s.shape[s.ndim - 1] === 0) return lax.full(s.shape.slice(0, -1), 0, "int32");
  const [keep] = invertAbove(s, opts.rtol ?? Math.max(m, n) * EPS[A.dtype]!);
  return lax.sum(lax.convert(keep, "int32"), [s.ndim - 1]);
}

/**
 * a multiplied by itself n times (n < 0: the inverse's power; n = 0: the identity), by repeated squaring.
 * Mirrors numpy.linalg.matrix_power / jax.numpy.linalg.matrix_power.
 * @param a - shape [..., k, k].
 * @param n - an integer.
 * @returns shape [..., k, k].
 * @throws ValueError for a non-integer n; ShapeError for a non-square a.
 * @example
 * ```ts
 * np.linalg.matrixPower([[1, 1], [0, 1]], 3); // → [[1, 3], [0, 1]]
 * np.linalg.matrixPower([[2, 0], [0, 4]], -1); // → [[0.5, 0], [0, 0.25]]
 * ```
 */
export function matrixPower(a: ArrayLike, n: number): Tensor {
  const api = "numpy.linalg.matrixPower";
  if (!Number.isInteger(n)) throw fail(ValueError, `${api}: the exponent must be an integer, got ${n}.`);
  let x = matrixArg(api, a, true);
  const k = x.shape[x.ndim - 1]!;
  if (n === 0) return lax.broadcastTo(eye(k, x.dtype as DType), x.shape);
  if (n < 0) x = inv(x);
  let e = Math.abs(n);
  let acc: Tensor | null = null;
  for (;;) {
    if (e & 1) acc = acc ? mm(acc, x) : x;
    e >>>= 1;
    if (!e) break;
    x = mm(x, x);
  }
  return acc!;
}
