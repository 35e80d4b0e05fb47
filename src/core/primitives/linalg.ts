// Linear algebra: cholesky, triangular_solve, lu, qr, eigh, svd, each on the trailing two axes
// and batched over the leading ones (the kernel is backend/kernels/linalg.ts). Derivative rules
// are JAX's (jax/_src/lax/linalg.py), written in lax, so they differentiate again; the batch
// rule of every one moves the vmapped axis to the front, a batch axis like the others.
import { definePrimitive, notLinear, UndefPrimal, type Prim, type Primitive, type Tan } from "../primitive.js";
import { DTypeError, ShapeError, ValueError, fail } from "../errors.js";
import { fmtShape, shapeEq } from "../shape.js";
import { bind, bind1, type Aval } from "../trace.js";
import type { Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { constMatrix, diagonal, eye, frontBatch, keepWhere, matrixDims, mm, mT, padTo, runLinalg, sliceMatrix, symmetrize, tril, triu } from "./linalg-util.js";

const batchOf = (a: Aval) => a.shape.slice(0, -2);

// ------------------------------------------------------------------ cholesky

// L = chol(sym(A)), sym(A) = (A + Aᵀ)/2;  dL = L·Φ(L⁻¹·sym(dA)·L⁻ᵀ), Φ = lower triangle with half its diagonal
export const choleskyP: Prim<"cholesky", {}> = definePrimitive<"cholesky", {}, 1>({
  name: "cholesky",
  abstractEval: ([x]) => (matrixDims("cholesky", x, true), [x]),
  impl: ([x]) => runLinalg({ op: "cholesky" }, x, null, [x.shape.slice(-2)], [x.dtype]),
  batch: (args, dims, p, size, self) => frontBatch(args, dims, p, size, self),
  jvp: ([x], [dx], params, self) => {
    const L = bind1(self, [x], params);
    if (!dx) return [[L], [null]];
    const n = x.shape[x.ndim - 1]!;
    const lo = { leftSide: false, lower: true, transposeA: true, unitDiagonal: false };
    const tmp = bind1(triangularSolveP, [L, symmetrize(dx)], lo); // sym(dA)·L⁻ᵀ
    const inner = bind1(triangularSolveP, [L, tmp], { ...lo, leftSide: true, transposeA: false }); // L⁻¹·…
    const phi = lax.mul(inner, constMatrix(n, n, x.dtype, (i, j) => (j < i ? 1 : j === i ? 0.5 : 0)));
    return [[L], [mm(L, phi)]];
  },
});

// ------------------------------------------------------------------ triangular_solve

/** op(A)·X = B (leftSide) or X·op(A) = B; op(A) = Aᵀ when transposeA; only A's `lower` (else upper) triangle is read. */
export type TriangularSolveParams = { leftSide: boolean; lower: boolean; transposeA: boolean; unitDiagonal: boolean };

function triShape(a: Aval, b: Aval, p: TriangularSolveParams): Aval[] {
  const [k] = matrixDims("triangular_solve", a, true);
  const [m, n] = matrixDims("triangular_solve", b);
  if (a.dtype !== b.dtype) throw fail(DTypeError, `triangular_solve: a and b must share a dtype, got ${a.dtype} and ${b.dtype}; convert one with astype.`);
  if ((p.leftSide ? m : n) !== k) {
    throw fail(ShapeError, `triangular_solve: a ${fmtShape(a.shape)} does not fit b ${fmtShape(b.shape)} with leftSide=${p.leftSide}: b's ${p.leftSide ? "rows" : "columns"} must number ${k}.`);
  }
  if (!shapeEq(batchOf(a), batchOf(b))) throw fail(ShapeError, `triangular_solve: batch dimensions differ: a ${fmtShape(a.shape)}, b ${fmtShape(b.shape)}. Broadcast them to one batch shape first.`);
  return [b];
}

// X = op(A)⁻¹B is linear in B (transposed by the solve with op(A)ᵀ); dX = −op(A)⁻¹·op(dA)·X (left), −X·op(dA)·op(A)⁻¹ (right)
export const triangularSolveP: Prim<"triangular_solve", TriangularSolveParams> = definePrimitive<"triangular_solve", TriangularSolveParams, 2>({
  name: "triangular_solve",
  abstractEval: ([a, b], p) => triShape(a, b, p),
  impl: ([a, b], p) => runLinalg({ op: "triangular_solve", k: a.shape[a.ndim - 1]!, ...p }, a, b, [b.shape.slice(-2)], [b.dtype]),
  batch: (args, dims, p, size, self) => frontBatch(args, dims, p, size, self),
  linearity: "linear",
  jvp: ([a, b], [da, db], p, self) => {
    const x = bind1(self, [a, b], p);
    const tb: Tan = db ? bind1(self, [a, db], p) : null;
    if (!da) return [[x], [tb]];
    const ta = triSolveJvpA(a, da, x, p, self);
    return [[x], [tb ? lax.add(tb, ta) : ta]];
  },
  transpose: ([ct], [a, b], p) => {
    if (a instanceof UndefPrimal) throw notLinear("a triangular solve whose matrix depends on them");
    return [null, b instanceof UndefPrimal ? bind1(triangularSolveP, [a, ct], { ...p, transposeA: !p.transposeA }) : null];
  },
});

/** The tangent of X from dA (JAX's _triangular_solve_jvp_rule_a: the cheaper association). */
function triSolveJvpA(a: Tensor, da: Tensor, x: Tensor, p: TriangularSolveParams, self: Primitive<TriangularSolveParams>): Tensor {
  const k = p.unitDiagonal ? 1 : 0;
  let g = keepWhere(da, (i, j) => (p.lower ? j <= i - k : j >= i + k));
  g = lax.neg(p.transposeA ? mT(g) : g);
  const inv = (rhs: Tensor) => bind1(self, [a, rhs], p);
  const [m, n] = x.shape.slice(-2) as [number, number];
  if (p.leftSide) return m > n ? inv(mm(g, x)) : mm(inv(g), x);
  return m < n ? inv(mm(x, g)) : mm(x, inv(g));
}

// ------------------------------------------------------------------ lu

// P·A = L·U (partial pivoting); outputs lu (L below the unit diagonal, U on and above), pivots, permutation (int32).
// d(lu) = L·tril(L⁻¹·P·dA·U⁻¹, −1) + triu(L⁻¹·P·dA·U⁻¹)·U
export const luP: Prim<"lu", {}> = definePrimitive<"lu", {}>({
  name: "lu",
  multipleResults: true,
  abstractEval: ([x]) => {
    const [m, n] = matrixDims("lu", x!);
    const b = batchOf(x!);
    return [x!, { shape: [...b, Math.min(m, n)], dtype: "int32" }, { shape: [...b, m], dtype: "int32" }];
  },
  impl: ([x]) => {
    const [m, n] = x!.shape.slice(-2) as [number, number];
    return runLinalg({ op: "lu" }, x!, null, [[m, n], [Math.min(m, n)], [m]], [x!.dtype, "int32", "int32"]);
  },
  batch: frontBatch,
  jvp: ([x], [dx], params, self) => {
    const outs = bind(self, [x!], params);
    if (!dx) return [outs, [null, null, null]];
    return [outs, [luTangent(outs[0]!, outs[2]!, dx), null, null]];
  },
});

function luTangent(lu: Tensor, perm: Tensor, dx: Tensor): Tensor {
  const [m, n] = lu.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const dt = lu.dtype;
  // P·dA through the one-hot permutation matrix P[i, j] = (perm[i] = j)
  const P = lax.convert(lax.eq(lax.expandDims(perm, perm.ndim), lax.iota([m, m], 1, "int32")), dt);
  const pdx = mm(P, dx);
  const l = lax.add(padTo(tril(sliceMatrix(lu, 0, m, 0, k), -1), m, m), eye(m, dt));
  let u = padTo(triu(sliceMatrix(lu, 0, k, 0, n)), n, n);
  if (n > k) u = lax.add(u, constMatrix(n, n, dt, (i, j) => (i === j && i >= k ? 1 : 0)));
  const la = bind1(triangularSolveP, [l, pdx], { leftSide: true, lower: true, transposeA: false, unitDiagonal: true });
  const lau = bind1(triangularSolveP, [u, la], { leftSide: false, lower: false, transposeA: false, unitDiagonal: false });
  return lax.add(mm(l, tril(lau, -1)), mm(triu(lau), u));
}

// ------------------------------------------------------------------ qr

/** fullMatrices: Q is [..., m, m] and R [..., m, n]; else Q [..., m, k], R [..., k, n] (k = min(m, n)). */
export type QrParams = { fullMatrices: boolean };

// A = Q·R, R's diagonal ≥ 0. With X = Qᵀ·dA·R⁻¹ and Ω = tril(X, −1) − tril(X, −1)ᵀ: dQ = Q(Ω − X) + dA·R⁻¹, dR = (X − Ω)·R (m ≥ n)
export const qrP: Prim<"qr", QrParams> = definePrimitive<"qr", QrParams>({
  name: "qr",
  multipleResults: true,
  abstractEval: ([x], { fullMatrices }) => {
    const [m, n] = matrixDims("qr", x!);
    const k = Math.min(m, n);
    const b = batchOf(x!);
    const [kq, kr] = fullMatrices ? [m, m] : [k, k];
    return [{ shape: [...b, m, kq], dtype: x!.dtype }, { shape: [...b, kr, n], dtype: x!.dtype }];
  },
  impl: ([x], { fullMatrices }) => {
    const [m, n] = x!.shape.slice(-2) as [number, number];
    const k = Math.min(m, n);
    const [kq, kr] = fullMatrices ? [m, m] : [k, k];
    return runLinalg({ op: "qr", complete: fullMatrices }, x!, null, [[m, kq], [kr, n]], [x!.dtype, x!.dtype]);
  },
  batch: frontBatch,
  jvp: ([x], [dx], params, self) => {
    const [q, r] = bind(self, [x!], params) as [Tensor, Tensor];
    if (!dx) return [[q, r], [null, null]];
    const [m, n] = x!.shape.slice(-2) as [number, number];
    if (m < n || (params.fullMatrices && m !== n)) {
      throw fail(ValueError, `qr: the derivative is defined for m ≥ n with reduced Q (as in JAX), got ${fmtShape(x!.shape)} with fullMatrices=${params.fullMatrices}. Differentiate the reduced QR of the matrix (or of its transpose).`);
    }
    const dxRinv = bind1(triangularSolveP, [r, dx], { leftSide: false, lower: false, transposeA: false, unitDiagonal: false });
    const X = mm(mT(q), dxRinv);
    const low = tril(X, -1);
    const omega = lax.sub(low, mT(low));
    return [[q, r], [lax.add(mm(q, lax.sub(omega, X)), dxRinv), mm(lax.sub(X, omega), r)]];
  },
});

// ------------------------------------------------------------------ eigh

// sym(A) = V·diag(w)·Vᵀ, w ascending. With S = Vᵀ·sym(dA)·V: dw = diag(S), dV = V·(F ∘ S), F_ij = 1/(w_j − w_i) (i ≠ j), 0 on the diagonal
export const eighP: Prim<"eigh", {}> = definePrimitive<"eigh", {}>({
  name: "eigh",
  multipleResults: true,
  abstractEval: ([x]) => {
    const [n] = matrixDims("eigh", x!, true);
    return [x!, { shape: [...batchOf(x!), n], dtype: x!.dtype }];
  },
  impl: ([x]) => {
    const n = x!.shape[x!.ndim - 1]!;
    return runLinalg({ op: "eigh" }, x!, null, [[n, n], [n]], [x!.dtype, x!.dtype]);
  },
  batch: frontBatch,
  jvp: ([x], [dx], params, self) => {
    const [v, w] = bind(self, [x!], params) as [Tensor, Tensor];
    if (!dx) return [[v, w], [null, null]];
    const n = x!.shape[x!.ndim - 1]!;
    const I = eye(n, x!.dtype);
    const F = lax.sub(lax.div(lax.scalarLike(w, 1), lax.add(I, lax.sub(lax.expandDims(w, w.ndim - 1), lax.expandDims(w, w.ndim)))), I);
    const S = mm(mm(mT(v), symmetrize(dx)), v);
    return [[v, w], [mm(v, lax.mul(F, S)), diagonal(S)]];
  },
});

// ------------------------------------------------------------------ svd

/** fullMatrices: U [..., m, m], Vᵀ [..., n, n] (else k = min(m, n) columns / rows); computeUv false: s only. */
export type SvdParams = { fullMatrices: boolean; computeUv: boolean };

// A = U·diag(s)·Vᵀ, s descending. With dS = Uᵀ·dA·V: ds = diag(dS); dU, dV by JAX's _svd_jvp_rule (F_ij = 1/(s_j² − s_i²))
export const svdP: Prim<"svd", SvdParams> = definePrimitive<"svd", SvdParams>({
  name: "svd",
  multipleResults: true,
  abstractEval: ([x], p) => svdAvals(x!, p),
  impl: ([x], p) => {
    const avals = svdAvals(x!, p);
    return runLinalg({ op: "svd", full: p.fullMatrices, uv: p.computeUv }, x!, null, avals.map((a) => a.shape.slice(x!.ndim - 2)), avals.map(() => x!.dtype));
  },
  batch: frontBatch,
  jvp: ([x], [dx], params, self) => {
    const outs = bind(self, [x!], params);
    if (!dx) return [outs, outs.map(() => null)];
    const [m, n] = x!.shape.slice(-2) as [number, number];
    if (params.computeUv && params.fullMatrices && m !== n) {
      throw fail(ValueError, `svd: the derivative of U and Vᵀ with fullMatrices=true is not defined for a non-square matrix ${fmtShape(x!.shape)} (as in JAX). Use fullMatrices=false.`);
    }
    const [s, U, Vt] = params.computeUv ? (outs as [Tensor, Tensor, Tensor]) : (bind(self, [x!], { fullMatrices: false, computeUv: true }) as [Tensor, Tensor, Tensor]);
    return [outs, svdTangents(x!, dx, s, U, Vt, params.computeUv)];
  },
});

function svdAvals(x: Aval, { fullMatrices, computeUv }: SvdParams): Aval[] {
  const [m, n] = matrixDims("svd", x);
  const k = Math.min(m, n);
  const b = batchOf(x);
  const s = { shape: [...b, k], dtype: x.dtype };
  if (!computeUv) return [s];
  return [s, { shape: [...b, m, fullMatrices ? m : k], dtype: x.dtype }, { shape: [...b, fullMatrices ? n : k, n], dtype: x.dtype }];
}

function svdTangents(x: Tensor, dA: Tensor, s: Tensor, U: Tensor, Vt: Tensor, uv: boolean): Tan[] {
  const [m, n] = x.shape.slice(-2) as [number, number];
  const V = mT(Vt);
  const dS = mm(mm(mT(U), dA), V);
  const ds = diagonal(dS);
  if (!uv) return [ds];
  const k = Math.min(m, n);
  const sd = lax.expandDims(s, s.ndim - 1); // [..., 1, k]: s_j along columns
  const I = eye(k, x.dtype);
  const diffs = lax.mul(lax.add(sd, mT(sd)), lax.sub(sd, mT(sd))); // s_j² − s_i²
  const F = lax.sub(lax.div(lax.scalarLike(s, 1), lax.add(diffs, I)), I);
  const dSS = lax.mul(sd, dS);
  const SdS = lax.mul(mT(sd), dS);
  let dU = mm(U, lax.mul(F, lax.add(dSS, mT(dSS))));
  let dV = mm(V, lax.mul(F, lax.add(SdS, mT(SdS))));
  if (m > n) {
    const dAV = mm(dA, V);
    dU = lax.add(dU, lax.div(lax.sub(dAV, mm(U, mm(mT(U), dAV))), sd));
  }
  if (n > m) {
    const dAtU = mm(mT(dA), U);
    dV = lax.add(dV, lax.div(lax.sub(dAtU, mm(V, mm(Vt, dAtU))), sd));
  }
  return [ds, dU, mT(dV)];
}
