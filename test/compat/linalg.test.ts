// tf.linalg.{inv, solve, det, cholesky, qr, svd, eigh, norm, bandPart, triangularSolve}: float64
// values and tape gradients against TensorFlow 2.21's (test/fixtures/compat-ops-more.json,
// scripts/fixtures/tf_compat_ops_more.py). Decompositions are compared through sign-free
// quantities (squares of their vectors, as the fixture's losses), plus their defining identities.
import { describe, expect, it } from "vitest";
import * as tf from "../../src/compat/index.js";
import { ValueError } from "../../src/index.js";
import { checkCase, expectNear, fx } from "./fixture-case.js";
import { thrown } from "./util.js";

const f64 = { dtype: "float64" as const };
const sq = (t: tf.Tensor) => tf.square(t);
const c64 = (v: unknown) => tf.constant(v as number[], f64);

describe("tf.linalg solvers", () => {
  it("inv (adjoint, batched), det, solve (adjoint) with gradients", () => {
    checkCase(fx.inv, (x) => tf.linalg.inv(x!), f64);
    checkCase(fx.inv_adjoint, (x) => tf.linalg.inv(x!, true), f64);
    checkCase(fx.inv_batch, (x) => tf.linalg.inv(x!), f64);
    checkCase(fx.det, (x) => tf.linalg.det(x!), f64);
    checkCase(fx.solve, (a, b) => tf.linalg.solve(a!, b!), f64);
    checkCase(fx.solve_adjoint, (a, b) => tf.linalg.solve(a!, b!, true), f64);
  });
  it("triangularSolve reads one triangle; its matrix gradient stays in that triangle", () => {
    checkCase(fx.triangular_solve_lower, (a, b) => tf.linalg.triangularSolve(a!, b!), f64);
    checkCase(fx.triangular_solve_upper, (a, b) => tf.linalg.triangularSolve(a!, b!, false), f64);
    checkCase(fx.triangular_solve_lower_adjoint, (a, b) => tf.linalg.triangularSolve(a!, b!, true, true), f64);
    checkCase(fx.triangular_solve_batch, (a, b) => tf.linalg.triangularSolve(a!, b!, false, true), f64);
  });
  it("bad shapes and dtypes raise ValueError naming the API", () => {
    const e = thrown(() => tf.linalg.inv(tf.ones([2, 3])));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("tf.linalg.inv: input must be a batch of square matrices [..., M, M], got shape (2, 3).");
    expect(thrown(() => tf.linalg.det(tf.ones([3]))).message).toMatch(/^tf\.linalg\.det: input must have rank ≥ 2/);
    expect(thrown(() => tf.linalg.solve(tf.eye(2), tf.ones([3, 1]))).message).toMatch(/^tf\.linalg\.solve: rhs \(3, 1\) must have 2 rows/);
    expect(thrown(() => tf.linalg.solve(tf.eye(2), tf.ones([2]))).message).toMatch(/^tf\.linalg\.solve: rhs must have rank ≥ 2/);
    expect(thrown(() => tf.linalg.triangularSolve(tf.eye(2), tf.ones([2, 1], "float64"))).message).toMatch(/^tf\.linalg\.triangularSolve: matrix and rhs must share a dtype/);
    expect(thrown(() => tf.linalg.cholesky(tf.constant([[1, 2]], { dtype: "int32" }))).message).toMatch(/^tf\.linalg\.cholesky: input must be float32 or float64/);
  });
});

describe("tf.linalg decompositions", () => {
  it("cholesky: TensorFlow's factor and symmetric gradient", () => {
    checkCase(fx.cholesky, (x) => tf.linalg.cholesky(x!), f64);
  });
  it("cholesky and eigh read only the lower triangle, as TensorFlow", () => {
    const a = [[4, 100], [2, 5]];
    expectNear(tf.linalg.cholesky(c64(a)), [[2, 0], [1, 2]], 1e-12);
    expectNear(tf.linalg.eigh(c64([[2, -7], [1, 2]]))[0], [1, 3], 1e-12);
  });
  it("qr (tall and square): q², r² and gradients; q·r = x and qᵀq = I", () => {
    checkCase(fx.qr, (x) => tf.linalg.qr(x!).map(sq), f64);
    checkCase(fx.qr_square, (x) => tf.linalg.qr(x!).map(sq), f64);
    const x = c64(fx.qr.x[0]);
    const [q, r] = tf.linalg.qr(x);
    expect([q.shape, r.shape]).toEqual([[4, 3], [3, 3]]);
    expectNear(tf.matmul(q, r), fx.qr.x[0], 1e-12);
    expectNear(tf.matmul(q, q, { transposeA: true }), tf.eye(3), 1e-12);
  });
  it("qr with fullMatrices: square q, |entries| as TensorFlow's", () => {
    const [q, r] = tf.linalg.qr(c64(fx.qr_full.x), true);
    expect([q.shape, r.shape]).toEqual([[4, 4], [4, 3]]);
    expectNear(tf.abs(q), tf.abs(c64(fx.qr_full.q)), 1e-9);
    expectNear(tf.abs(r), tf.abs(c64(fx.qr_full.r)), 1e-9);
  });
  it("svd returns [s, u, v] (v, not vᵀ): s, u², v² and gradients; u·diag(s)·vᵀ = x", () => {
    checkCase(fx.svd, (x) => {
      const [s, u, v] = tf.linalg.svd(x!);
      return [s, sq(u), sq(v)];
    }, f64);
    checkCase(fx.svd_s_only, (x) => tf.linalg.svd(x!, false, false), f64);
    const [s, u, v] = tf.linalg.svd(c64(fx.svd.x[0]));
    expectNear(tf.matmul(tf.multiply(u, s), v, { transposeB: true }), fx.svd.x[0], 1e-12);
    const [sf, uf, vf] = tf.linalg.svd(c64(fx.svd_full.x), true);
    expect([uf.shape, vf.shape]).toEqual([[4, 4], [3, 3]]);
    expectNear(sf, fx.svd_full.s, 1e-12);
    expectNear(tf.abs(vf), tf.abs(c64(fx.svd_full.v)), 1e-9);
  });
  it("eigh returns [e, v]: e, v² and TensorFlow's lower-triangular gradient", () => {
    checkCase(fx.eigh, (x) => {
      const [e, v] = tf.linalg.eigh(x!);
      return [e, sq(v)];
    }, f64);
  });
});

describe("tf.linalg.norm and tf.linalg.bandPart", () => {
  it("vector and matrix norms with gradients (positional or as options)", () => {
    checkCase(fx.norm_default, (x) => tf.linalg.norm(x!), f64);
    checkCase(fx.norm_fro_axes, (x) => tf.linalg.norm(x!, "fro", [-2, -1]), f64);
    checkCase(fx.norm_1_matrix, (x) => tf.linalg.norm(x!, 1, [0, 1]), f64);
    checkCase(fx.norm_inf_matrix, (x) => tf.linalg.norm(x!, { ord: Infinity, axis: [0, 1] }), f64);
    checkCase(fx.norm_2_matrix, (x) => tf.linalg.norm(x!, 2, [0, 1]), f64);
    checkCase(fx.norm_3_axis1, (x) => tf.linalg.norm(x!, 3, 1, true), f64);
    checkCase(fx.norm_inf_vector, (x) => tf.linalg.norm(x!, Infinity, 0), f64);
  });
  it("unsupported orders and axes raise ValueError naming tf.linalg.norm", () => {
    const e = thrown(() => tf.linalg.norm(tf.ones([2, 2]), "fro", 0));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/^tf\.linalg\.norm: 'ord' must be a supported vector norm/);
    expect(thrown(() => tf.linalg.norm(tf.ones([2, 2]), 3, [0, 1])).message).toMatch(/supported matrix norm/);
    expect(thrown(() => tf.linalg.norm(tf.ones([2, 2]), 1, [0, 0])).message).toMatch(/must name two different axes/);
  });
  it("bandPart keeps the band (−1: the whole triangle) and masks the gradient", () => {
    for (const [lo, hi] of [[1, 0], [0, -1], [-1, 1], [2, 2], [-1, -1], [0, 0]] as const) {
      checkCase(fx[`band_part_${lo}_${hi}`], (x) => tf.linalg.bandPart(x!, lo, hi), f64);
    }
    expect(thrown(() => tf.linalg.bandPart(tf.ones([2, 2]), 3, 0)).message).toBe("tf.linalg.bandPart: numLower must be negative or less or equal to number of rows (2) got: 3.");
  });
});
