// Dense factorizations of one row-major matrix, in place: Cholesky, triangular solve and LU with
// partial pivoting. Each is blocked and right-looking: a narrow panel is factored by scalar loops
// and the trailing matrix is updated by the GEMM (gemm.ts), so most of the O(n³) work runs in the
// Wasm SIMD micro-kernel. The GEMM overwrites its output, so an update T = P·Q goes to scratch and
// is subtracted; operands are packed contiguous first (the GEMM takes no leading dimension).
//
// Every function computes one matrix on the calling thread in a fixed order, so a batch split
// across threads by matrices gives the same bits for any thread count.
import { gemm, type FloatArray } from "../gemm.js";

type Dtype = "float32" | "float64";

/** Panel width of the blocked algorithms (a multiple of the GEMM tiles; kc = 256 fits two). */
export const NB = 128;
/** Block of the substitutions inside a panel (the rest of a panel's solve goes to the GEMM). */
const SUB = 16;

// Grow-only scratch per dtype, one set per thread (each thread imports its own copy).
const scratch: Record<Dtype, FloatArray[]> = { float32: [], float64: [] };
function tmp(dt: Dtype, slot: number, n: number): FloatArray {
  const s = scratch[dt];
  const cur = s[slot];
  if (cur && cur.length >= n) return cur;
  const a = dt === "float32" ? new Float32Array(Math.max(n, 64)) : new Float64Array(Math.max(n, 64));
  s[slot] = a;
  return a;
}

// ------------------------------------------------------------------ Cholesky

/**
 * Lower Cholesky factor of sym(A) = (A + Aᵀ)/2 (n×n at `a[ao]`) into `w[wo]`: L with L·Lᵀ =
 * sym(A), zeros above the diagonal. A matrix that is not positive definite gives all NaN (as
 * JAX, which masks LAPACK's failure). Blocked: per panel of NB columns, (1) the diagonal block
 * by the row-oriented (Banachiewicz) loop, (2) the rows below by L21 = A21·L11⁻ᵀ, (3) the
 * trailing lower triangle A22 -= L21·L21ᵀ by the GEMM, one block column at a time.
 */
export function cholesky(dt: Dtype, a: ArrayLike<number>, ao: number, w: FloatArray, wo: number, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) w[wo + i * n + j] = 0.5 * (a[ao + i * n + j]! + a[ao + j * n + i]!);
    for (let j = i + 1; j < n; j++) w[wo + i * n + j] = 0;
  }
  for (let k0 = 0; k0 < n; k0 += NB) {
    const k1 = Math.min(n, k0 + NB);
    if (!diagonalBlock(w, wo, n, k0, k1)) {
      w.fill(NaN, wo, wo + n * n);
      return;
    }
    if (k1 < n) {
      panelBelow(dt, w, wo, n, k0, k1);
      syrkLower(dt, w, wo, n, k0, k1);
    }
  }
}

/** (1) The diagonal block, row by row: l_ij = (a_ij − Σ_{k0≤p<j} l_ip l_jp) / l_jj; false when a pivot is not positive. */
function diagonalBlock(w: FloatArray, wo: number, n: number, k0: number, k1: number): boolean {
  for (let i = k0; i < k1; i++) {
    const ri = wo + i * n;
    for (let j = k0; j <= i; j++) {
      const rj = wo + j * n;
      let s = w[ri + j]!;
      for (let p = k0; p < j; p++) s -= w[ri + p]! * w[rj + p]!;
      if (i === j) {
        if (!(s > 0)) return false;
        w[ri + i] = Math.sqrt(s);
      } else w[ri + j] = s / w[rj + j]!;
    }
  }
  return true;
}

/**
 * (2) The rows below: X·L11ᵀ = A21, solved as L11·Xᵀ = A21ᵀ on a transposed copy, so the
 * substitution runs along contiguous rows of length n − k1 (and its sub-blocks on the GEMM).
 */
function panelBelow(dt: Dtype, w: FloatArray, wo: number, n: number, k0: number, k1: number): void {
  const b = k1 - k0;
  const rows = n - k1;
  const xt = tmp(dt, 3, b * rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < b; j++) xt[j * rows + i] = w[wo + (k1 + i) * n + k0 + j]!;
  solveLeft(dt, w, wo + k0 * n + k0, n, false, true, false, xt, 0, b, rows, NB >> 1);
  for (let i = 0; i < rows; i++) for (let j = 0; j < b; j++) w[wo + (k1 + i) * n + k0 + j] = xt[j * rows + i]!;
}

/** A22 −= P·Pᵀ on the lower block triangle of rows/cols [k1, n), P = columns [k0, k1) of those rows. */
function syrkLower(dt: Dtype, w: FloatArray, wo: number, n: number, k0: number, k1: number): void {
  const b = k1 - k0;
  const m = n - k1;
  const p = tmp(dt, 0, m * b);
  for (let i = 0; i < m; i++) for (let j = 0; j < b; j++) p[i * b + j] = w[wo + (k1 + i) * n + k0 + j]!;
  const cw = 2 * NB;
  const t = tmp(dt, 1, m * cw);
  for (let c0 = 0; c0 < m; c0 += cw) {
    const c1 = Math.min(m, c0 + cw);
    const rows = m - c0;
    const cols = c1 - c0;
    // T = P[c0:m] · P[c0:c1]ᵀ (the block column below and on the diagonal)
    gemm(dt, p, c0 * b, 0, false, p, c0 * b, 0, true, t, 0, 0, 1, rows, b, cols);
    for (let i = 0; i < rows; i++) {
      const r = wo + (k1 + c0 + i) * n + k1 + c0;
      const jmax = Math.min(cols, i + 1);
      for (let j = 0; j < jmax; j++) w[r + j] = w[r + j]! - t[i * cols + j]!;
    }
  }
}

// ------------------------------------------------------------------ triangular solve

/** How the triangular matrix is read: element (i, j) of op(A) and which triangle op(A) has. */
export interface TriOpts {
  leftSide: boolean;
  lower: boolean;
  transposeA: boolean;
  unitDiagonal: boolean;
}

/**
 * X with op(A)·X = B (leftSide) or X·op(A) = B, A triangular (only its `lower` triangle read;
 * `unitDiagonal`: its diagonal taken as 1), op(A) = Aᵀ when transposeA. B is m×n; A is m×m
 * (left) or n×n (right). X goes to `x[xo]`. The right-side case is the left one transposed:
 * op(A)ᵀ·Xᵀ = Bᵀ.
 */
export function triangularSolve(dt: Dtype, a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, x: FloatArray, xo: number, m: number, n: number, o: TriOpts): void {
  if (o.leftSide) {
    for (let i = 0; i < m * n; i++) x[xo + i] = b[bo + i]!;
    solveLeft(dt, a, ao, m, o.transposeA, o.lower !== o.transposeA, o.unitDiagonal, x, xo, m, n, NB);
    return;
  }
  // Xᵀ (n×m) in scratch, solved against T = op(A)ᵀ
  const xt = tmp(dt, 2, m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) xt[j * m + i] = b[bo + i * n + j]!;
  const tr = !o.transposeA;
  solveLeft(dt, a, ao, n, tr, o.lower !== tr, o.unitDiagonal, xt, 0, n, m, NB);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) x[xo + i * n + j] = xt[j * m + i]!;
}

/**
 * In place X ← T⁻¹X, T (m×m, row stride lda, at a[ao]) = A or Aᵀ (`tr`), lower or upper
 * (`lo`), X m×n at x[xo]. Rows of X are solved in blocks of `nb`: a block first takes the GEMM
 * update from the rows solved before it, X_k −= T[k, done]·X[done], then is finished by
 * substitution, row by row (axpys along X's rows).
 */
function solveLeft(dt: Dtype, a: ArrayLike<number>, ao: number, lda: number, tr: boolean, lo: boolean, unit: boolean, x: FloatArray, xo: number, m: number, n: number, nb: number): void {
  const at = (i: number, j: number) => a[ao + (tr ? j * lda + i : i * lda + j)]!;
  for (let blk = 0; blk < m; blk += nb) {
    // rows [r0, r1) of this block; solved rows are [0, r0) (lower) or [r1, m) (upper)
    const r0 = lo ? blk : Math.max(0, m - blk - nb);
    const r1 = lo ? Math.min(m, blk + nb) : m - blk;
    const b = r1 - r0;
    const d0 = lo ? 0 : r1;
    const dn = lo ? r0 : m - r1;
    if (dn > 0 && n > 0) {
      const tp = tmp(dt, 0, b * dn);
      for (let i = 0; i < b; i++) for (let j = 0; j < dn; j++) tp[i * dn + j] = at(r0 + i, d0 + j);
      const t = tmp(dt, 1, b * n);
      gemm(dt, tp, 0, 0, false, x, xo + d0 * n, 0, false, t, 0, 0, 1, b, dn, n);
      for (let i = 0; i < b * n; i++) x[xo + r0 * n + i] = x[xo + r0 * n + i]! - t[i]!;
    }
    if (b > SUB) {
      // the block's own triangle, recursively (its off-diagonal parts on the GEMM too)
      solveLeft(dt, a, ao + r0 * lda + r0, lda, tr, lo, unit, x, xo + r0 * n, b, n, Math.max(SUB, nb >> 2));
      continue;
    }
    // substitution inside the block: x_i = (x_i − Σ_j t_ij x_j) / t_ii over the block's solved rows
    for (let s = 0; s < b; s++) {
      const i = lo ? r0 + s : r1 - 1 - s;
      const ri = xo + i * n;
      const j0 = lo ? r0 : i + 1;
      const j1 = lo ? i : r1;
      for (let j = j0; j < j1; j++) {
        const tij = at(i, j);
        if (tij === 0) continue;
        const rj = xo + j * n;
        for (let c = 0; c < n; c++) x[ri + c] = x[ri + c]! - tij * x[rj + c]!;
      }
      if (!unit) {
        const d = at(i, i);
        for (let c = 0; c < n; c++) x[ri + c] = x[ri + c]! / d;
      }
    }
  }
}

// ------------------------------------------------------------------ LU

/**
 * P·A = L·U with partial pivoting (LAPACK getrf's choice: the first entry of largest magnitude)
 * of the m×n matrix at a[ao], into w[wo] (L below the unit diagonal, U on and above it);
 * `piv[po + j]` = the row swapped with row j at step j, `perm[qo + i]` = the row of A that is row
 * i of P·A (both as numbers). A zero pivot skips its elimination (the matrix is singular; U has
 * a zero on its diagonal), as LAPACK. Blocked: per panel of NB columns, the panel by scalar
 * elimination (rows swapped whole), U12 = L11⁻¹A12, and A22 −= L21·U12 by the GEMM.
 */
export function lu(dt: Dtype, a: ArrayLike<number>, ao: number, w: FloatArray, wo: number, m: number, n: number, piv: FloatArray, po: number, perm: FloatArray, qo: number): void {
  for (let i = 0; i < m * n; i++) w[wo + i] = a[ao + i]!;
  for (let i = 0; i < m; i++) perm[qo + i] = i;
  const k = Math.min(m, n);
  for (let k0 = 0; k0 < k; k0 += NB) {
    const k1 = Math.min(k, k0 + NB);
    // the panel itself in sub-panels of SUB columns, each updating the rest of the panel by the GEMM
    for (let s0 = k0; s0 < k1; s0 += SUB) {
      const s1 = Math.min(k1, s0 + SUB);
      luColumns(w, wo, m, n, s0, s1, piv, po, perm, qo);
      if (s1 < k1) luTrailing(dt, w, wo, m, n, s0, s1, k1);
    }
    if (k1 < n) luTrailing(dt, w, wo, m, n, k0, k1, n);
  }
}

/** Unblocked elimination of columns [c0, c1) over rows [c0, m): pivot search, whole-row swap, updates inside [c0, c1) only. */
function luColumns(w: FloatArray, wo: number, m: number, n: number, c0: number, c1: number, piv: FloatArray, po: number, perm: FloatArray, qo: number): void {
  for (let j = c0; j < c1; j++) {
    let p = j;
    let best = Math.abs(w[wo + j * n + j]!);
    for (let i = j + 1; i < m; i++) {
      const v = Math.abs(w[wo + i * n + j]!);
      if (v > best) [best, p] = [v, i];
    }
    piv[po + j] = p;
    if (p !== j) {
      swapRows(w, wo + j * n, wo + p * n, n);
      const t = perm[qo + j]!;
      perm[qo + j] = perm[qo + p]!;
      perm[qo + p] = t;
    }
    const d = w[wo + j * n + j]!;
    if (d === 0) continue;
    const rj = wo + j * n;
    for (let i = j + 1; i < m; i++) {
      const ri = wo + i * n;
      const l = w[ri + j]! / d;
      w[ri + j] = l;
      for (let c = j + 1; c < c1; c++) w[ri + c] = w[ri + c]! - l * w[rj + c]!;
    }
  }
}

function swapRows(w: FloatArray, r: number, s: number, n: number): void {
  for (let c = 0; c < n; c++) {
    const t = w[r + c]!;
    w[r + c] = w[s + c]!;
    w[s + c] = t;
  }
}

/**
 * U12 = L11⁻¹·A12 (unit lower, rows [k0, k1), columns [k1, cEnd)), then A22 −= L21·U12 for rows
 * [k1, m) and the same columns: the solve on a packed copy (its sub-blocks on the GEMM), the
 * update by the GEMM.
 */
function luTrailing(dt: Dtype, w: FloatArray, wo: number, m: number, n: number, k0: number, k1: number, cEnd: number): void {
  const b = k1 - k0;
  const nc = cEnd - k1;
  const u12 = tmp(dt, 4, b * nc);
  for (let i = 0; i < b; i++) for (let c = 0; c < nc; c++) u12[i * nc + c] = w[wo + (k0 + i) * n + k1 + c]!;
  solveLeft(dt, w, wo + k0 * n + k0, n, false, true, true, u12, 0, b, nc, SUB);
  for (let i = 0; i < b; i++) for (let c = 0; c < nc; c++) w[wo + (k0 + i) * n + k1 + c] = u12[i * nc + c]!;
  const mr = m - k1;
  if (mr <= 0) return;
  const l21 = tmp(dt, 3, mr * b);
  for (let i = 0; i < mr; i++) for (let j = 0; j < b; j++) l21[i * b + j] = w[wo + (k1 + i) * n + k0 + j]!;
  const t = tmp(dt, 5, mr * nc);
  gemm(dt, l21, 0, 0, false, u12, 0, 0, false, t, 0, 0, 1, mr, b, nc);
  for (let i = 0; i < mr; i++) {
    const r = wo + (k1 + i) * n + k1;
    for (let c = 0; c < nc; c++) w[r + c] = w[r + c]! - t[i * nc + c]!;
  }
}
