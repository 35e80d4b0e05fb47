// Float64 references for the linear-algebra tests, in plain JS (textbook algorithms, written
// independently of the kernels: Cholesky–Crout, Doolittle LU with partial pivoting, modified
// Gram–Schmidt QR, cyclic two-sided Jacobi for symmetric eigenproblems). Matrices are number[][].
export type M = number[][];

export const zeros = (m: number, n: number): M => Array.from({ length: m }, () => new Array<number>(n).fill(0));
export const eyeM = (n: number): M => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
export const T = (a: M): M => (a.length ? a[0]!.map((_, j) => a.map((r) => r[j]!)) : []);
export const mmul = (a: M, b: M): M => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, p) => s + v * b[p]![j]!, 0)));
export const sym = (a: M): M => a.map((r, i) => r.map((v, j) => 0.5 * (v + a[j]![i]!)));
/** Rows of a flat row-major matrix at offset o. */
export const toM = (d: ArrayLike<number>, o: number, m: number, n: number): M => Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => d[o + i * n + j]!));
export const flat = (a: M): number[] => a.flat();
export const maxAbsDiff = (a: M, b: M): number => Math.max(0, ...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i]![j]!))));

/** Lower Cholesky factor of sym(a) (NaN matrix when not positive definite). */
export function choleskyRef(a0: M): M {
  const a = sym(a0);
  const n = a.length;
  const L = zeros(n, n);
  for (let j = 0; j < n; j++) {
    let d = a[j]![j]!;
    for (let p = 0; p < j; p++) d -= L[j]![p]! ** 2;
    if (!(d > 0)) return a.map((r) => r.map(() => NaN));
    L[j]![j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i]![j]!;
      for (let p = 0; p < j; p++) s -= L[i]![p]! * L[j]![p]!;
      L[i]![j] = s / L[j]![j]!;
    }
  }
  return L;
}

/** X solving op(A)X = B or X op(A) = B by Gaussian elimination on the explicit triangular op(A). */
export function triSolveRef(a: M, b: M, o: { leftSide: boolean; lower: boolean; transposeA: boolean; unitDiagonal: boolean }): M {
  const k = a.length;
  let t = a.map((r, i) => r.map((v, j) => (i === j ? (o.unitDiagonal ? 1 : v) : (o.lower ? j < i : j > i) ? v : 0)));
  if (o.transposeA) t = T(t);
  // left: X = t⁻¹B; right: X = B t⁻¹ = (t⁻ᵀ Bᵀ)ᵀ
  const [mat, rhs] = o.leftSide ? [t, b] : [T(t), T(b)];
  const x = rhs.map((r) => [...r]);
  const lowerNow = mat.every((r, i) => r.every((v, j) => j <= i || v === 0));
  const order = Array.from({ length: k }, (_, i) => (lowerNow ? i : k - 1 - i));
  for (const i of order) {
    for (let c = 0; c < x[0]!.length; c++) {
      let s = x[i]![c]!;
      for (let j = 0; j < k; j++) if (j !== i) s -= mat[i]![j]! * (lowerNow ? (j < i ? x[j]![c]! : 0) : j > i ? x[j]![c]! : 0);
      x[i]![c] = s / mat[i]![i]!;
    }
  }
  return o.leftSide ? x : T(x);
}

/** Doolittle LU with partial pivoting: [packed lu, perm]. */
export function luRef(a: M): [M, number[]] {
  const m = a.length;
  const n = a[0]!.length;
  const w = a.map((r) => [...r]);
  const perm = Array.from({ length: m }, (_, i) => i);
  for (let j = 0; j < Math.min(m, n); j++) {
    let p = j;
    for (let i = j + 1; i < m; i++) if (Math.abs(w[i]![j]!) > Math.abs(w[p]![j]!)) p = i;
    [w[j], w[p]] = [w[p]!, w[j]!];
    [perm[j], perm[p]] = [perm[p]!, perm[j]!];
    for (let i = j + 1; i < m; i++) {
      const l = w[i]![j]! / w[j]![j]!;
      w[i]![j] = l;
      for (let c = j + 1; c < n; c++) w[i]![c]! -= l * w[j]![c]!;
    }
  }
  return [w, perm];
}

/** Reduced QR by modified Gram–Schmidt (R's diagonal positive): [Q m×k, R k×n]. */
export function qrRef(a: M): [M, M] {
  const m = a.length;
  const n = a[0]!.length;
  const k = Math.min(m, n);
  const cols = T(a);
  const Q: number[][] = [];
  const R = zeros(k, n);
  for (let j = 0; j < n; j++) {
    const v = [...cols[j]!];
    for (let i = 0; i < Math.min(j, k); i++) {
      const r = Q[i]!.reduce((s, q, t) => s + q * v[t]!, 0);
      R[i]![j] = r;
      for (let t = 0; t < m; t++) v[t]! -= r * Q[i]![t]!;
    }
    if (j < k) {
      const nr = Math.hypot(...v);
      R[j]![j] = nr;
      Q.push(v.map((x) => x / nr));
    }
  }
  return [T(Q), R];
}

/** Eigen-decomposition of sym(a) by cyclic Jacobi: ascending w, V's columns normalised so their largest-magnitude entry is positive. */
export function eighRef(a0: M): [M, number[]] {
  const a = sym(a0);
  const n = a.length;
  const V = eyeM(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-300) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p]![q] === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k]![p]!;
          const vkq = V[k]![q]!;
          V[k]![p] = c * vkp - s * vkq;
          V[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[x]![x]! - a[y]![y]!);
  const w = order.map((i) => a[i]![i]!);
  const cols = order.map((i) => {
    const c = V.map((r) => r[i]!);
    let big = 0;
    c.forEach((v, t) => (Math.abs(v) > Math.abs(c[big]!) ? (big = t) : 0));
    return c[big]! < 0 ? c.map((v) => -v) : c;
  });
  return [T(cols), w];
}

/** Singular values (descending): square roots of the eigenvalues of the smaller Gram matrix. */
export function svdValsRef(a: M): number[] {
  const g = a.length >= a[0]!.length ? mmul(T(a), a) : mmul(a, T(a));
  return eighRef(g)[1].map((v) => Math.sqrt(Math.max(v, 0))).reverse();
}
