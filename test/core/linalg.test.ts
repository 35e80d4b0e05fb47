// numpy.linalg and lax.linalg: identities against float64 references (A·inv(A) = I, QR = A with
// orthonormal Q, U·diag(s)·Vᵀ = A, eigh residuals, L·Lᵀ = A, P·A = L·U), accuracy on
// ill-conditioned matrices, the blocked kernels at sizes past one panel, derivatives by finite
// differences (float64, well-conditioned inputs, distinct spectra), vmap and jit, 1 vs 2 threads
// bit for bit, JAX's degenerate results, and the errors.
import { describe, expect, it } from "vitest";
import { Tensor, lax, numpy as np } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import { cpuBackend, setBackend, threadedBackend } from "../../src/core/backend/index.js";
import { withPool } from "../util/pool.js";
import { checkGrads, checkVmap } from "../util/oracles.js";
import { checkJit } from "../util/jit-oracles.js";
import { rng } from "../util/rng.js";
import { T, choleskyRef, eighRef, eyeM, luRef, maxAbsDiff, mmul, toM, triSolveRef, zeros, type M } from "../util/linalg-ref.js";

const L = np.linalg;
const f64 = (a: M | number[][][]) => np.array(a as number[][], { dtype: "float64" });
const asM = (t: Tensor): M => t.toArray() as M;
const randM = (seed: number, m: number, n: number): M => {
  const r = rng(seed);
  return Array.from({ length: m }, () => r.normals(n));
};
const spdM = (seed: number, n: number): M => {
  const g = randM(seed, n, n);
  return mmul(g, T(g)).map((r, i) => r.map((v, j) => v + (i === j ? n : 0)));
};
/** Symmetric with eigenvalues spread out (distinct: eigenvector derivatives are finite). */
const spreadM = (seed: number, n: number): M => {
  const g = randM(seed, n, n);
  return g.map((r, i) => r.map((v, j) => 0.5 * (v + g[j]![i]!) + (i === j ? 3 * i : 0)));
};
const hilbert = (n: number): M => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 1 / (i + j + 1)));
const orthoErr = (q: M): number => maxAbsDiff(mmul(T(q), q), eyeM(q[0]!.length));

describe("identities against float64 references", () => {
  it("inv, solve: A·inv(A) = I, A·x = b, batched with broadcasting", () => {
    const a = randM(1, 5, 5).map((r, i) => r.map((v, j) => v + (i === j ? 4 : 0)));
    expect(maxAbsDiff(mmul(a, asM(L.inv(f64(a)))), eyeM(5))).toBeLessThan(1e-14);
    const b = randM(2, 5, 3);
    expect(maxAbsDiff(mmul(a, asM(L.solve(f64(a), f64(b)))), b)).toBeLessThan(1e-13);
    const batch = np.stack([f64(a), f64(spdM(3, 5))]);
    const x = L.solve(batch, f64(b)); // b broadcasts over the batch
    expect(x.shape).toEqual([2, 5, 3]);
    expect(maxAbsDiff(mmul(spdM(3, 5), (x.toArray() as M[])[1]!), b)).toBeLessThan(1e-12);
    expect(L.solve(batch, np.ones([5], { dtype: "float64" })).shape).toEqual([2, 5]);
  });

  it("cholesky: L lower with L·Lᵀ = A (blocked past one panel: n = 150), equal to the reference", () => {
    for (const n of [4, 150]) {
      const a = spdM(4 + n, n);
      const l = asM(L.cholesky(f64(a)));
      expect(maxAbsDiff(mmul(l, T(l)), a) / n).toBeLessThan(1e-13);
      expect(maxAbsDiff(l, choleskyRef(a))).toBeLessThan(1e-11);
      expect(l.every((r, i) => r.every((v, j) => j <= i || v === 0))).toBe(true);
    }
    const u = asM(L.cholesky(f64(spdM(5, 3)), { upper: true }));
    expect(maxAbsDiff(mmul(T(u), u), spdM(5, 3))).toBeLessThan(1e-13);
  });

  it("lu: P·A = L·U with the reference's pivots (n = 150 blocked; wide and tall)", () => {
    for (const [m, n] of [[150, 150], [7, 4], [4, 7]] as const) {
      const a = randM(6 + m, m, n);
      const [lu, piv, perm] = lax.linalg.lu(f64(a));
      const [ref, refPerm] = luRef(a);
      expect(perm.toArray()).toEqual(refPerm);
      expect(piv.dtype).toBe("int32");
      expect(maxAbsDiff(asM(lu), ref)).toBeLessThan(1e-10);
    }
  });

  it("triangular_solve: every flag combination, left and right, blocked sizes, vs the reference", () => {
    for (const k of [3, 130]) {
      const a = randM(7 + k, k, k).map((r, i) => r.map((v, j) => (i === j ? 2 + Math.abs(v) : v / k)));
      for (const leftSide of [true, false]) {
        const b = leftSide ? randM(8, k, 3) : randM(8, 3, k);
        for (const lower of [true, false]) {
          for (const transposeA of [true, false]) {
            for (const unitDiagonal of [true, false]) {
              const o = { leftSide, lower, transposeA, unitDiagonal };
              const x = asM(lax.linalg.triangularSolve(f64(a), f64(b), o));
              expect(maxAbsDiff(x, triSolveRef(a, b, o)), JSON.stringify(o)).toBeLessThan(1e-11);
            }
          }
        }
      }
    }
  });

  it("qr: Q orthonormal, R upper with R_ii ≥ 0, Q·R = A, reduced and complete, tall and wide", () => {
    for (const [m, n] of [[5, 3], [3, 5], [4, 4]] as const) {
      const a = randM(9 + m, m, n);
      for (const mode of ["reduced", "complete"] as const) {
        const [q, r] = L.qr(f64(a), mode);
        const [Q, R] = [asM(q), asM(r)];
        expect(Q[0]!.length).toBe(mode === "complete" ? m : Math.min(m, n));
        expect(orthoErr(Q)).toBeLessThan(1e-14);
        expect(maxAbsDiff(mmul(Q, R), a)).toBeLessThan(1e-14);
        expect(R.every((row, i) => row.every((v, j) => j >= i || v === 0) && (i >= n || row[i]! >= 0))).toBe(true);
      }
    }
  });

  it("eigh: A·V = V·diag(w), V orthogonal, w ascending and equal to the Jacobi reference (n = 3, 60)", () => {
    for (const n of [3, 60]) {
      const a = spreadM(10 + n, n);
      const [w, v] = L.eigh(f64(a));
      const [W, V] = [w.toArray() as number[], asM(v)];
      expect(maxAbsDiff(mmul(a, V), V.map((r) => r.map((x, j) => x * W[j]!)))).toBeLessThan(1e-12 * n);
      expect(orthoErr(V)).toBeLessThan(1e-13);
      const [refV, refW] = eighRef(a);
      expect(maxAbsDiff([W], [refW])).toBeLessThan(1e-12 * n);
      if (n === 3) expect(maxAbsDiff(V, refV)).toBeLessThan(1e-12);
    }
  });

  it("svd: U·diag(s)·Vᵀ = A, U and V orthonormal, s descending; full and reduced; rank-deficient", () => {
    for (const [m, n] of [[6, 4], [4, 6], [5, 5]] as const) {
      const a = randM(11 + m, m, n);
      for (const fullMatrices of [true, false]) {
        const [u, s, vt] = L.svd(f64(a), { fullMatrices });
        const [U, S, Vt] = [asM(u), s.toArray() as number[], asM(vt)];
        const k = Math.min(m, n);
        expect(orthoErr(U)).toBeLessThan(1e-14);
        expect(orthoErr(T(Vt))).toBeLessThan(1e-14);
        const us = U.map((r) => r.slice(0, k).map((x, j) => x * S[j]!));
        expect(maxAbsDiff(mmul(us, Vt.slice(0, k)), a)).toBeLessThan(1e-14);
        expect(S.every((x, i) => i === 0 || x <= S[i - 1]!)).toBe(true);
      }
    }
    // rank 1: a zero singular value, U still completed to an orthonormal basis
    const [u, s] = L.svd(f64([[1, 2, 3], [2, 4, 6], [1, 2, 3]]));
    expect(orthoErr(asM(u))).toBeLessThan(1e-14);
    expect((s.toArray() as number[]).slice(1).every((x) => Math.abs(x) < 1e-14)).toBe(true);
  });
});

describe("accuracy on ill-conditioned matrices (float64 references)", () => {
  it("svd of the Hilbert matrix (cond ≈ 1.5e10): every singular value to 1e-7 relative; cholesky residual tiny", () => {
    const h = hilbert(8);
    const s = L.svd(f64(h), { computeUv: false }).toArray() as number[];
    // for a positive-definite matrix, two-sided Jacobi computes eigenvalues to high relative accuracy
    const ref = eighRef(h)[1].reverse();
    s.forEach((x, i) => expect(Math.abs(x - ref[i]!) / ref[i]!, `σ${i}`).toBeLessThan(1e-7));
    const l = asM(L.cholesky(f64(h)));
    expect(maxAbsDiff(mmul(l, T(l)), h)).toBeLessThan(1e-15);
    const w = L.eigvalsh(f64(h)).toArray() as number[];
    expect(Math.abs(w[7]! - ref[0]!) / ref[0]!).toBeLessThan(1e-14);
    expect(Math.abs(w[0]! - ref[7]!)).toBeLessThan(1e-15);
  });
  it("solve with a graded matrix (row scales 1 … 1e-10): normwise backward error at the unit roundoff", () => {
    const a = randM(12, 6, 6).map((r, i) => r.map((v) => v * 10 ** (-2 * i)));
    const b = randM(13, 6, 1);
    const x = asM(L.solve(f64(a), f64(b)));
    const inf = (m: M) => Math.max(...m.map((r) => r.reduce((s, v) => s + Math.abs(v), 0)));
    const r = mmul(a, x).map((row, i) => [row[0]! - b[i]![0]!]);
    expect(inf(r) / (inf(a) * inf(x) + inf(b))).toBeLessThan(6 * 2 ** -52);
  });
  it("float32 results are close to the float64 ones", () => {
    const a = spdM(14, 6);
    const l32 = L.cholesky(np.array(a, { dtype: "float32" }));
    expect(l32.dtype).toBe("float32");
    expect(maxAbsDiff(asM(l32), choleskyRef(a))).toBeLessThan(1e-5);
    const [w] = L.eigh(np.array(spreadM(15, 5), { dtype: "float32" }));
    expect(maxAbsDiff([w.toArray() as number[]], [eighRef(spreadM(15, 5))[1]])).toBeLessThan(1e-5);
  });
});

describe("degenerate cases (JAX's results)", () => {
  it("cholesky of a non-positive-definite matrix is all NaN, no throw", () => {
    expect((L.cholesky([[1, 2], [2, 1]]).toArray() as number[][]).flat().every(Number.isNaN)).toBe(true);
    expect((lax.linalg.cholesky(f64([[-1, 0], [0, 1]])).toArray() as number[][]).flat().every(Number.isNaN)).toBe(true);
  });
  it("det of a singular matrix is 0; slogdet gives sign 0 and logdet −∞; matrixRank drops the null space", () => {
    const s = f64([[1, 2], [2, 4]]);
    expect(L.det(s).item() === 0).toBe(true); // ±0, as LAPACK's product of U's diagonal gives
    const [sign, logdet] = L.slogdet(s);
    expect(sign.item()).toBe(0);
    expect(logdet.item()).toBe(-Infinity);
    expect(L.matrixRank(s).item()).toBe(1);
    expect(L.det(f64(zeros(3, 3))).item() === 0).toBe(true);
  });
  it("a NaN input gives NaN eigen and singular values, not a hang", () => {
    const x = f64([[NaN, 1], [1, 2]]);
    expect((L.eigvalsh(x).toArray() as number[]).every(Number.isNaN)).toBe(true);
    expect((L.svd(x, { computeUv: false }).toArray() as number[]).every(Number.isNaN)).toBe(true);
  });
  it("empty batches and 0×0 matrices", () => {
    expect(L.inv(np.zeros([0, 3, 3], { dtype: "float64" })).shape).toEqual([0, 3, 3]);
    expect(L.det(np.zeros([0, 0], { dtype: "float64" })).item()).toBe(1);
  });
});

describe("derivatives: checkGrads in float64 vs finite differences", () => {
  const o2 = { dtype: "float64" as const, order: 2 as const };
  const o1 = { dtype: "float64" as const };
  const A = f64(randM(20, 3, 3).map((r, i) => r.map((v, j) => v + (i === j ? 3 : 0))));
  const S = f64(spdM(21, 3));
  const E = f64(spreadM(22, 3));
  const tall = f64(randM(23, 4, 3));
  const wide = f64(randM(24, 3, 4));
  const b = f64(randM(25, 3, 2));
  it("inv, solve, det, slogdet, matrixPower (through LU and triangular solves)", () => {
    checkGrads((a: Tensor) => L.inv(a), [A], o2);
    checkGrads((a: Tensor, y: Tensor) => L.solve(a, y), [A, b], o2);
    checkGrads((a: Tensor) => L.det(a), [A], o2);
    checkGrads((a: Tensor) => L.slogdet(a)[1], [A], o2);
    checkGrads((a: Tensor) => L.matrixPower(a, -2), [A], o1);
  });
  it("cholesky, qr (Q and R), lu (packed factors)", () => {
    checkGrads((a: Tensor) => L.cholesky(a), [S], o2);
    checkGrads((a: Tensor) => L.qr(a), [tall], o2);
    checkGrads((a: Tensor) => L.qr(a), [A], o1);
    checkGrads((a: Tensor) => lax.linalg.lu(a)[0], [A], o1);
  });
  it("eigh (w and V), eigvalsh, with distinct eigenvalues", () => {
    checkGrads((a: Tensor) => L.eigh(a), [E], o2);
    checkGrads((a: Tensor) => L.eigvalsh(a), [E], o1);
  });
  it("svd (U, s, Vᵀ reduced; square, tall, wide) and s alone", () => {
    for (const x of [A, tall, wide]) checkGrads((a: Tensor) => L.svd(a, { fullMatrices: false }), [x], o1);
    checkGrads((a: Tensor) => L.svd(a, { computeUv: false }), [wide], o2);
  });
  it("pinv (JAX's rule), lstsq, norms, cond, multiDot, trace", () => {
    checkGrads((a: Tensor) => L.pinv(a), [tall], o2);
    checkGrads((a: Tensor) => L.pinv(a), [wide], o1);
    checkGrads((a: Tensor, y: Tensor) => L.lstsq(a, y)[0], [f64(randM(26, 5, 3)), f64(randM(27, 5, 2))], o1);
    for (const ord of [undefined, "fro", "nuc", 2, -2, 1, Infinity] as const) checkGrads((a: Tensor) => L.norm(a, { ord, axis: [0, 1] }), [A], o1);
    for (const ord of [2, 1, 3, Infinity] as const) checkGrads((a: Tensor) => L.norm(a, { ord, axis: 1 }), [A], o1);
    checkGrads((a: Tensor) => L.cond(a), [A], o1);
    checkGrads((a: Tensor) => L.cond(a, 1), [A], o1);
    checkGrads((a: Tensor, y: Tensor, z: Tensor) => L.multiDot([a, y, z]), [tall, A, b], o1);
    checkGrads((a: Tensor) => L.trace(a, { offset: 1 }), [wide], o1);
  });
  it("triangularSolve in both operands, and its transpose in b (vjp)", () => {
    const o = { leftSide: true, lower: true };
    checkGrads((a: Tensor, y: Tensor) => lax.linalg.triangularSolve(a, y, o), [A, b], o2);
    checkGrads((a: Tensor, y: Tensor) => lax.linalg.triangularSolve(a, y, { transposeA: true }), [A, f64(randM(28, 2, 3))], o1);
  });
  it("the undefined derivatives raise JAX's errors (complete QR of a tall matrix; full U of a non-square SVD)", () => {
    const g = (f: (a: Tensor) => Tensor) => () => checkGrads(f, [tall], o1);
    expect(g((a) => L.qr(a, "complete")[0])).toThrow(/^qr: the derivative is defined for m ≥ n with reduced Q/);
    expect(g((a) => L.svd(a)[0])).toThrow(/^svd: the derivative of U and Vᵀ with fullMatrices=true/);
  });
});

describe("vmap and jit", () => {
  const batch = (seed: number, make: (s: number) => M) => f64([0, 1, 2].map((i) => make(seed + i)) as unknown as number[][][]);
  it("vmap equals the loop for solve, inv, slogdet, cholesky, eigh, svd, qr", () => {
    const A = batch(30, (s) => spdM(s, 3));
    const b = f64(randM(33, 3, 3));
    checkVmap((a: Tensor, y: Tensor) => L.solve(a, y), [0, 1], [A, b]);
    checkVmap((a: Tensor) => L.inv(a), 0, [A]);
    checkVmap((a: Tensor) => L.slogdet(a), 2, [A]);
    checkVmap((a: Tensor) => L.cholesky(a), 1, [A]);
    checkVmap((a: Tensor) => L.eigh(a), 0, [batch(34, (s) => spreadM(s, 3))]);
    checkVmap((a: Tensor) => L.svd(a, { fullMatrices: false }), 0, [A]);
    checkVmap((a: Tensor) => L.qr(a), 0, [A]);
    checkVmap((a: Tensor, y: Tensor) => lax.linalg.triangularSolve(a, y, { leftSide: true, lower: true }), [0, null], [A, b]);
  });
  it("jit equals eager bit for bit", () => {
    const a = f64(spdM(40, 4));
    for (const f of [(x: Tensor) => L.inv(x), (x: Tensor) => L.slogdet(x), (x: Tensor) => L.eigh(x), (x: Tensor) => L.svd(x), (x: Tensor) => L.pinv(x), (x: Tensor) => L.norm(x, { ord: "nuc" })]) checkJit(f, [a]);
  });
});

describe("threads: 1 vs 2 bit-identical", () => {
  const pool = withPool(2, { minNs: 0, chunkNs: 16, adaptive: false });
  it("batched cholesky, lu, triangular solve, qr, eigh and svd give the same bits on the pool as inline", () => {
    const run = () => {
      const dts: DType[] = ["float32", "float64"];
      return dts.flatMap((dtype) => {
        const spd = np.array([0, 1, 2].map((i) => spdM(50 + i, 70)), { dtype });
        const g = np.array([0, 1, 2, 3].map((i) => randM(60 + i, 9, 7)), { dtype });
        const outs = [L.cholesky(spd), ...lax.linalg.lu(spd), L.solve(spd, np.ones([3, 70, 2], { dtype })), ...L.qr(g), ...L.eigh(np.array([0, 1, 2, 3].map((i) => spreadM(70 + i, 9)), { dtype })), ...L.svd(g)];
        return outs.map((t) => Array.from(t.dataSync() as ArrayLike<number>));
      });
    };
    setBackend(cpuBackend);
    const one = run();
    setBackend(threadedBackend);
    const jobs = pool().stats.jobs - pool().stats.inlineJobs;
    const two = run();
    // some of the work ran on the workers (how much depends on the load: a worker that looks stalled
    // is skipped and its job runs inline, pool.ts isResponsive); the bits must match either way
    expect(pool().stats.jobs - pool().stats.inlineJobs - jobs, "jobs ran on the pool").toBeGreaterThan(0);
    expect(two.map((o) => o.map((v) => Object.is(v, v) ? v : NaN))).toEqual(one);
  });
});

describe("errors name the function called and the shapes", () => {
  const msg = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
    throw new Error("expected an error");
  };
  it("wrong rank, non-square, mismatched shapes", () => {
    expect(msg(() => L.inv([1, 2]))).toMatch(/^ShapeError: numpy\.linalg\.inv: expected a matrix .* got shape \[2\]/);
    expect(msg(() => L.cholesky([[1, 2, 3], [4, 5, 6]]))).toMatch(/^ShapeError: numpy\.linalg\.cholesky: expected square matrices .* got shape \[2,3\]/);
    expect(msg(() => L.solve(np.eye(3), [1, 2]))).toMatch(/^ShapeError: numpy\.linalg\.solve: b \[2\] does not fit a \[3,3\]/);
    expect(msg(() => L.det(np.ones([2, 3, 4])))).toMatch(/numpy\.linalg\.det: expected square matrices.*\[2,3,4\]/);
    expect(msg(() => lax.linalg.eigh(np.ones([3, 2])))).toMatch(/^ShapeError: lax\.linalg\.eigh: expected square/);
    expect(msg(() => lax.linalg.cholesky(np.array([[1, 0], [0, 1]], { dtype: "int32" })))).toMatch(/^DTypeError: lax\.linalg\.cholesky: expected a float32 or float64 matrix, got int32\[2,2\]/);
    expect(msg(() => lax.linalg.triangularSolve(np.eye(3), np.ones([2, 2]), { leftSide: true }))).toMatch(/^ShapeError: lax\.linalg\.triangularSolve: a \[3,3\] does not fit b \[2,2\]/);
    expect(msg(() => L.norm(np.ones([2, 2, 2]), { ord: 1 }))).toMatch(/^ValueError: numpy\.linalg\.norm: an ord needs a 1-D or 2-D array/);
    expect(msg(() => L.qr(np.eye(2), "full" as "r"))).toMatch(/^ValueError: numpy\.linalg\.qr: unknown mode "full"/);
    expect(msg(() => L.multiDot([np.ones([2, 3]), np.ones([2, 3])]))).toMatch(/^ShapeError: numpy\.linalg\.multiDot: shapes do not chain/);
  });
});

// the helper used above must agree with the data layout of the tensors it reads
it("toM reads row-major data", () => expect(toM([1, 2, 3, 4, 5, 6], 0, 2, 3)).toEqual([[1, 2, 3], [4, 5, 6]]));
