// Rows of the linear-algebra primitives: inputs on a well-conditioned domain (SPD matrices for
// cholesky, dominant diagonals for triangular_solve, distinct spectra for eigh and svd) and
// float64 references from test/util/linalg-ref.ts (textbook algorithms, plain JS). The row
// checks output 0 of the multi-result primitives (lu's packed factors, qr's Q, eigh's V, svd's
// s); test/core/linalg.test.ts checks the other outputs by identities and their derivatives.
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { nd, sizeOf, type Nd } from "../util/ref.js";
import { choleskyRef, eighRef, flat, luRef, qrRef, svdValsRef, toM, triSolveRef, type M } from "../util/linalg-ref.js";
import { FLOATS, typed, type Row } from "./row.js";

/** Applies a per-matrix reference over the leading (batch) axes of x (and y, same batch). */
function perMatrix(x: Nd, outShape: number[], f: (a: M, b: M | null) => number[], y?: Nd): Nd {
  const [m, n] = x.shape.slice(-2) as [number, number];
  const batch = x.shape.slice(0, -2);
  const B = sizeOf(batch);
  const out: number[] = [];
  for (let u = 0; u < B; u++) {
    const [ym, yn] = (y?.shape.slice(-2) ?? [0, 0]) as [number, number];
    const b = y ? toM(y.data, u * ym * yn, ym, yn) : null;
    out.push(...f(toM(x.data, u * m * n, m, n), b));
  }
  return nd([...batch, ...outShape], out);
}

/** Random matrices of shape [...batch, m, n] built per matrix by `make` from normals. */
function mats(r: Rng, d: DType, batch: number[], m: number, n: number, make: (g: M) => M = (g) => g): ReturnType<typeof typed> {
  const data: number[] = [];
  for (let u = 0; u < sizeOf(batch); u++) {
    const g = Array.from({ length: m }, () => r.normals(n));
    data.push(...flat(make(g)));
  }
  return typed(data, d, [...batch, m, n]);
}
/** G·Gᵀ + n·I: symmetric positive definite, condition number O(1). */
const spd = (g: M): M => g.map((ri, i) => g.map((rj, j) => ri.reduce((s, v, p) => s + v * rj[p]!, 0) + (i === j ? g.length : 0)));
/** A dominant diagonal (|a_ii| ≥ 2): a well-conditioned triangle either way. */
const dominant = (g: M): M => g.map((r, i) => r.map((v, j) => (i === j ? Math.sign(v || 1) * (2 + Math.abs(v)) : 0.5 * v)));
/** Symmetric with eigenvalues spread out (i·3 added down the diagonal). */
const spread = (g: M): M => g.map((r, i) => r.map((v, j) => 0.5 * (v + g[j]![i]!) + (i === j ? 3 * i : 0)));

const TOL: [number, number] = [2e-4, 1e-10];
const tri = (leftSide: boolean, lower: boolean, transposeA: boolean, unitDiagonal: boolean) => ({ leftSide, lower, transposeA, unitDiagonal });

export const linalgRows = {
  cholesky: {
    dtypes: FLOATS,
    cases: () => [
      { params: {}, args: (r: Rng, d: DType) => [mats(r, d, [], 3, 3, spd)] },
      { params: {}, args: (r: Rng, d: DType) => [mats(r, d, [2], 4, 4, spd)] },
    ],
    ref: ([x]) => perMatrix(x!, x!.shape.slice(-2), (a) => flat(choleskyRef(a))),
    grad: "yes",
    tol: TOL,
  },
  triangular_solve: {
    dtypes: FLOATS,
    cases: () =>
      [
        [tri(true, true, false, false), [3, 3], [3, 2], []],
        [tri(true, false, true, false), [3, 3], [3, 1], []],
        [tri(false, true, true, true), [3, 3], [2, 3], []],
        [tri(false, false, false, false), [2, 2, 2], [2, 3, 2], [2]],
      ].map(([p, sa, sb]) => {
        const [as, bs] = [sa as number[], sb as number[]];
        return {
          params: p,
          args: (r: Rng, d: DType) => [mats(r, d, as.slice(0, -2), as.at(-2)!, as.at(-1)!, dominant), mats(r, d, bs.slice(0, -2), bs.at(-2)!, bs.at(-1)!)],
        };
      }),
    ref: ([a, b], p) => perMatrix(b!, b!.shape.slice(-2), (bm, am) => flat(triSolveRef(am!, bm, p)), a),
    grad: "yes",
    tol: TOL,
  },
  lu: {
    dtypes: FLOATS,
    cases: () => [
      { params: {}, args: (r: Rng, d: DType) => [mats(r, d, [], 3, 3)] },
      { params: {}, args: (r: Rng, d: DType) => [mats(r, d, [], 4, 3)] },
      { params: {}, args: (r: Rng, d: DType) => [mats(r, d, [2], 2, 3)] },
    ],
    ref: ([x]) => perMatrix(x!, x!.shape.slice(-2), (a) => flat(luRef(a)[0])),
    grad: "yes",
    tol: TOL,
  },
  qr: {
    dtypes: FLOATS,
    cases: () => [
      { params: { fullMatrices: false }, args: (r: Rng, d: DType) => [mats(r, d, [], 3, 3)] },
      { params: { fullMatrices: false }, args: (r: Rng, d: DType) => [mats(r, d, [2], 4, 2)] },
      // wide: Q is defined, its derivative is not (as in JAX)
      { params: { fullMatrices: false }, args: (r: Rng, d: DType) => [mats(r, d, [], 2, 3)], grad: false },
    ],
    ref: ([x]) => {
      const [m, n] = x!.shape.slice(-2) as [number, number];
      return perMatrix(x!, [m, Math.min(m, n)], (a) => flat(qrRef(a)[0]));
    },
    grad: "yes",
    tol: TOL,
  },
  eigh: {
    dtypes: FLOATS,
    cases: () => [
      { params: {}, args: (r: Rng, d: DType) => [mats(r, d, [], 3, 3, spread)] },
      { params: {}, args: (r: Rng, d: DType) => [mats(r, d, [2], 3, 3, spread)] },
    ],
    ref: ([x]) => perMatrix(x!, x!.shape.slice(-2), (a) => flat(eighRef(a)[0])),
    grad: "yes",
    tol: TOL,
  },
  svd: {
    dtypes: FLOATS,
    cases: () => [
      { params: { fullMatrices: false, computeUv: true }, args: (r: Rng, d: DType) => [mats(r, d, [], 3, 3)] },
      { params: { fullMatrices: false, computeUv: true }, args: (r: Rng, d: DType) => [mats(r, d, [2], 4, 2)] },
      { params: { fullMatrices: true, computeUv: false }, args: (r: Rng, d: DType) => [mats(r, d, [], 2, 3)] },
    ],
    ref: ([x]) => {
      const [m, n] = x!.shape.slice(-2) as [number, number];
      return perMatrix(x!, [Math.min(m, n)], (a) => svdValsRef(a));
    },
    grad: "yes",
    tol: TOL,
  },
} satisfies Partial<Record<PrimitiveName, Row>>;
