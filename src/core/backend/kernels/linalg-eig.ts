// Orthogonal decompositions of one row-major matrix, computed in float64 whatever the dtype (a
// float32 result is the float64 one rounded once): Householder QR, the symmetric eigensystem by
// Householder tridiagonalisation + implicit QL (EISPACK tred2/tql2, as in JAMA), and the SVD by
// one-sided Jacobi (Hestenes), which is accurate to a few ulps in every singular value,
// however ill-conditioned the matrix. Each runs on one thread in a fixed order (bit-identical
// batches for any thread count).
type Out = { [i: number]: number };

const EPS = 2 ** -52;

// ------------------------------------------------------------------ QR

/**
 * A = Q·R (m×n at a[ao]) by Householder reflections; R's diagonal made ≥ 0 (flipping a row of R
 * and the column of Q with it), so Q and R are unique for a full-rank A. `complete`: Q is m×m
 * and R m×n, else Q is m×k and R k×n (k = min(m, n)). Q to q[qo], R to r[ro].
 */
export function qr(a: ArrayLike<number>, ao: number, m: number, n: number, complete: boolean, q: Out, qo: number, r: Out, ro: number): void {
  const k = Math.min(m, n);
  const w = Float64Array.from({ length: m * n }, (_, i) => a[ao + i]!);
  const vs = new Float64Array(k * m); // unit Householder vectors (zero: H = I)
  const s = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    let norm = 0;
    for (let i = j; i < m; i++) norm = Math.hypot(norm, w[i * n + j]!);
    if (norm === 0) continue;
    const x0 = w[j * n + j]!;
    const alpha = x0 > 0 ? -norm : norm; // v = x − αe₁ with α of x₀'s opposite sign: no cancellation
    const v = vs.subarray(j * m, j * m + m);
    for (let i = j; i < m; i++) v[i] = w[i * n + j]!;
    v[j] = x0 - alpha;
    let vn = 0;
    for (let i = j; i < m; i++) vn = Math.hypot(vn, v[i]!);
    for (let i = j; i < m; i++) v[i] = v[i]! / vn;
    reflect(w, n, v, j, m, j, n, s);
  }
  const kq = complete ? m : k;
  const kr = complete ? m : k;
  // Q = H₀H₁…H_{k−1}·I[:, :kq], applied right to left
  const qq = new Float64Array(m * kq);
  for (let i = 0; i < Math.min(m, kq); i++) qq[i * kq + i] = 1;
  const sq = new Float64Array(kq);
  for (let j = k - 1; j >= 0; j--) reflect(qq, kq, vs.subarray(j * m, j * m + m), j, m, 0, kq, sq);
  for (let i = 0; i < k; i++) {
    if (w[i * n + i]! >= 0) continue;
    for (let c = i; c < n; c++) w[i * n + c] = -w[i * n + c]!;
    for (let row = 0; row < m; row++) qq[row * kq + i] = -qq[row * kq + i]!;
  }
  for (let i = 0; i < m * kq; i++) q[qo + i] = qq[i]!;
  for (let i = 0; i < kr; i++) for (let c = 0; c < n; c++) r[ro + i * n + c] = c >= i && i < m ? w[i * n + c]! : 0;
}

/** X ← (I − 2vvᵀ)X on rows [r0, m) and columns [c0, c1) of X (row length ld); s: scratch ≥ c1. */
function reflect(x: Float64Array, ld: number, v: Float64Array, r0: number, m: number, c0: number, c1: number, s: Float64Array): void {
  s.fill(0, c0, c1);
  for (let i = r0; i < m; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    for (let c = c0; c < c1; c++) s[c] = s[c]! + vi * x[i * ld + c]!;
  }
  for (let i = r0; i < m; i++) {
    const vi = 2 * v[i]!;
    if (vi === 0) continue;
    for (let c = c0; c < c1; c++) x[i * ld + c] = x[i * ld + c]! - vi * s[c]!;
  }
}

// ------------------------------------------------------------------ symmetric eigensystem

/**
 * Eigenvalues (ascending, to w[wo]) and orthonormal eigenvectors (the columns of the n×n v[vo])
 * of sym(A) = (A + Aᵀ)/2. Each eigenvector's largest-magnitude entry (the first, on a tie) is
 * made positive, so the result does not depend on the algorithm's sign choices. A non-finite
 * input gives all NaN.
 */
export function eigh(a: ArrayLike<number>, ao: number, n: number, v: Out, vo: number, w: Out, wo: number): void {
  const V = new Float64Array(n * n);
  let finite = true;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = 0.5 * (a[ao + i * n + j]! + a[ao + j * n + i]!);
      if (!Number.isFinite(x)) finite = false;
      V[i * n + j] = x;
    }
  }
  if (!finite) {
    for (let i = 0; i < n * n; i++) v[vo + i] = NaN;
    for (let i = 0; i < n; i++) w[wo + i] = NaN;
    return;
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) tred2(V, n, d, e);
  // tql2 rotates pairs of eigenvectors: keep them as contiguous rows (Z = Vᵀ)
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Z[j * n + i] = V[i * n + j]!;
  if (n > 0) tql2(Z, n, d, e);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[x]! - d[y]! || x - y);
  order.forEach((src, col) => {
    w[wo + col] = d[src]!;
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(Z[src * n + i]!) > Math.abs(Z[src * n + big]!)) big = i;
    const sg = Z[src * n + big]! < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) v[vo + i * n + col] = sg * Z[src * n + i]!;
  });
}

/** Householder reduction of the symmetric V (n×n, row-major) to tridiagonal d (diagonal), e (sub-diagonal in e[1..]); V becomes the transformation. */
function tred2(V: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  const at = (i: number, j: number) => i * n + j;
  for (let j = 0; j < n; j++) d[j] = V[at(n - 1, j)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V[at(i - 1, j)]!;
        V[at(i, j)] = 0;
        V[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[at(j, i)] = f;
        g = e[j]! + V[at(j, j)]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V[at(k, j)]! * d[k]!;
          e[k] = e[k]! + V[at(k, j)]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) V[at(k, j)] = V[at(k, j)]! - (f * e[k]! + g * d[k]!);
        d[j] = V[at(i - 1, j)]!;
        V[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[at(n - 1, i)] = V[at(i, i)]!;
    V[at(i, i)] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[at(k, i + 1)]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[at(k, i + 1)]! * V[at(k, j)]!;
        for (let k = 0; k <= i; k++) V[at(k, j)] = V[at(k, j)]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[at(k, i + 1)] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[at(n - 1, j)]!;
    V[at(n - 1, j)] = 0;
  }
  V[at(n - 1, n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal (d, e); Z's rows (eigenvectors) rotated along. */
function tql2(Z: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && !(Math.abs(e[m]!) <= EPS * tst1)) m++;
    if (m > l) {
      for (let iter = 0; iter < 64; iter++) {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const zi = i * n;
          const zj = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = Z[zj + k]!;
            Z[zj + k] = s * Z[zi + k]! + c * hk;
            Z[zi + k] = c * Z[zi + k]! - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]!) > EPS * tst1)) break;
      }
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}

// ------------------------------------------------------------------ SVD

/**
 * A = U·diag(s)·Vᵀ (m×n at a[ao]): s (k = min(m, n), descending, ≥ 0) to sv[so]; with
 * `uv`, U (m×ku) to u[uo] and Vᵀ (kv×n) to vt[vto], ku = m and kv = n when `full`, else k.
 * One-sided Jacobi on the columns of A (of Aᵀ when m < n): plane rotations until every pair of
 * columns is orthogonal to working precision; s = the column norms, V = the rotations, U = the
 * normalised columns, completed to an orthonormal basis (zero singular values, `full`).
 */
export function svd(a: ArrayLike<number>, ao: number, m: number, n: number, full: boolean, uv: boolean, sv: Out, so: number, u: Out, uo: number, vt: Out, vto: number): void {
  const wide = m < n;
  const [M, N] = wide ? [n, m] : [m, n]; // the tall matrix B (M ≥ N): A, or Aᵀ when wide
  // G's rows are B's columns; R's rows are V's columns (rotations accumulated)
  const G = new Float64Array(N * M);
  let finite = true;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const x = a[ao + i * n + j]!;
      if (!Number.isFinite(x)) finite = false;
      if (wide) G[i * M + j] = x;
      else G[j * M + i] = x;
    }
  }
  const k = N;
  const ku = full ? m : k;
  const kv = full ? n : k;
  if (!finite) {
    for (let i = 0; i < k; i++) sv[so + i] = NaN;
    if (uv) {
      for (let i = 0; i < m * ku; i++) u[uo + i] = NaN;
      for (let i = 0; i < kv * n; i++) vt[vto + i] = NaN;
    }
    return;
  }
  const R = new Float64Array(N * N);
  for (let i = 0; i < N; i++) R[i * N + i] = 1;
  jacobiSweeps(G, M, N, R, uv);
  const norms = Array.from({ length: N }, (_, j) => {
    let s = 0;
    for (let i = 0; i < M; i++) s = Math.hypot(s, G[j * M + i]!);
    return s;
  });
  const order = Array.from({ length: N }, (_, j) => j).sort((x, y) => norms[y]! - norms[x]! || x - y);
  order.forEach((src, i) => (sv[so + i] = norms[src]!));
  if (!uv) return;
  // left vectors of B (M-long, as rows): normalised columns, completed to kb = M (full) or N
  const kb = full ? M : N;
  const left = new Float64Array(kb * M);
  const good: boolean[] = [];
  const tiny = (norms[order[0]!] ?? 0) * EPS * M;
  order.forEach((src, i) => {
    const s = norms[src]!;
    good[i] = s > tiny && s > 0;
    if (good[i]) for (let t = 0; t < M; t++) left[i * M + t] = G[src * M + t]! / s;
  });
  for (let i = N; i < kb; i++) good[i] = false;
  complete(left, M, kb, good);
  // right vectors of B (N-long, as rows): the accumulated rotations, in the sorted order
  const right = new Float64Array(N * N);
  order.forEach((src, i) => right.set(R.subarray(src * N, src * N + N), i * N));
  // A = B (U_B = left, V_B = right) or Aᵀ = B (U = right, Vᵀ = leftᵀ)
  const [U, ucols, Vr, vrows] = wide ? [right, N, left, kb] : [left, kb, right, N];
  const rowLen = wide ? N : M; // length of U's vectors = m
  for (let i = 0; i < m; i++) for (let c = 0; c < ku; c++) u[uo + i * ku + c] = c < ucols ? U[c * rowLen + i]! : 0;
  const vLen = wide ? M : N; // length of V's vectors = n
  for (let r = 0; r < kv; r++) for (let c = 0; c < n; c++) vt[vto + r * n + c] = r < vrows ? Vr[r * vLen + c]! : 0;
}

/** Rotates pairs of G's rows (length M) until all N are mutually orthogonal; R's rows follow when `track`. */
function jacobiSweeps(G: Float64Array, M: number, N: number, R: Float64Array, track: boolean): void {
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < N - 1; p++) {
      for (let q = p + 1; q < N; q++) {
        const gp = p * M;
        const gq = q * M;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < M; i++) {
          const x = G[gp + i]!;
          const y = G[gq + i]!;
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || !(Math.abs(gamma) > EPS * Math.sqrt(alpha * beta))) continue;
        rotated = true;
        // the rotation that zeroes the (p, q) entry of GᵀG: t = tan θ, the smaller root
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(G, gp, gq, M, c, s);
        if (track) rotate(R, p * N, q * N, N, c, s);
      }
    }
    if (!rotated) return;
  }
}

function rotate(x: Float64Array, p: number, q: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const xp = x[p + i]!;
    const xq = x[q + i]!;
    x[p + i] = c * xp - s * xq;
    x[q + i] = s * xp + c * xq;
  }
}

/**
 * Fills the rows of `vecs` (count × len, orthonormal where good[i]) that are not good with unit
 * vectors orthogonal to all the others: per missing row, the standard basis vector with the
 * largest residual after two passes of Gram–Schmidt against the rows present.
 */
function complete(vecs: Float64Array, len: number, count: number, good: boolean[]): void {
  const have = good.map((g, i) => (g ? i : -1)).filter((i) => i >= 0);
  const cand = new Float64Array(len);
  const best = new Float64Array(len);
  for (let i = 0; i < count; i++) {
    if (good[i]) continue;
    let bestNorm = -1;
    for (let e = 0; e < len; e++) {
      cand.fill(0);
      cand[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const h of have) {
          let d = 0;
          for (let t = 0; t < len; t++) d += vecs[h * len + t]! * cand[t]!;
          for (let t = 0; t < len; t++) cand[t] = cand[t]! - d * vecs[h * len + t]!;
        }
      }
      let nrm = 0;
      for (let t = 0; t < len; t++) nrm = Math.hypot(nrm, cand[t]!);
      if (nrm > bestNorm) {
        bestNorm = nrm;
        for (let t = 0; t < len; t++) best[t] = cand[t]! / nrm;
      }
    }
    vecs.set(best, i * len);
    have.push(i);
  }
}
