// jacfwd / jacrev / hessian: shape out.shape ++ in.shape, both modes against closed-form
// Jacobians on non-square, N-d and pytree inputs/outputs.
import { describe, expect, it } from "vitest";
import { Tensor, hessian, jacfwd, jacrev, numpy as np } from "../../src/index.js";
import { expectClose, toF64Array } from "../util/oracles.js";
import { fromFn } from "../util/ref.js";

const f64 = (x: number | number[] | number[][] | number[][][]) => np.array(x, { dtype: "float64" });
const JACS = [
  ["jacfwd", jacfwd],
  ["jacrev", jacrev],
] as const;

describe.each(JACS)("%s", (_name, jac) => {
  it("non-square R³ → R²: f(x) = [x0·x1, sin(x2) + x0]", () => {
    const f = (x: Tensor) => np.stack([x.index(0).mul(x.index(1)), np.sin(x.index(2)).add(x.index(0))]);
    const x = [0.5, 2, 0.3];
    const J = jac(f)(f64(x)) as Tensor;
    expect(J.shape).toEqual([2, 3]); // out.shape ++ in.shape
    expectClose(J, [[x[1]!, x[0]!, 0], [1, 0, Math.cos(x[2]!)]], { rtol: 1e-14 });
  });

  it("N-d: X [2,3] ↦ X W with W [3,4]: J[i,j,k,l] = δ_ik W[l,j], shape [2,4,2,3]", () => {
    const W = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]];
    const J = jac((X: Tensor) => X.matmul(f64(W)))(f64([[1, 2, 3], [4, 5, 6]])) as Tensor;
    expect(J.shape).toEqual([2, 4, 2, 3]);
    const want = fromFn([2, 4, 2, 3], ([i, j, k, l]) => (i === k ? W[l!]![j!]! : 0));
    expectClose(J, want.data);
  });

  it("elementwise on a matrix: a diagonal 4-d Jacobian", () => {
    const X = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]];
    const J = jac((A: Tensor) => np.exp(A))(f64(X)) as Tensor;
    expect(J.shape).toEqual([3, 2, 3, 2]);
    const want = fromFn([3, 2, 3, 2], ([i, j, k, l]) => (i === k && j === l ? Math.exp(X[i!]![j!]!) : 0));
    expectClose(J, want.data, { rtol: 1e-14 });
  });

  it("scalar output: the Jacobian has the input's shape; scalar input: the output's shape", () => {
    const g = jac((A: Tensor) => A.square().sum())(f64([[1, 2], [3, 4]])) as Tensor;
    expect(g.shape).toEqual([2, 2]);
    expectClose(g, [[2, 4], [6, 8]]);
    const h = jac((t: Tensor) => np.stack([t, t.mul(t), t.mul(t).mul(t)]))(f64(2)) as Tensor;
    expect(h.shape).toEqual([3]);
    expectClose(h, [1, 4, 12]);
  });

  it("pytree input and output: nested output tree of input tree, each block out ++ in", () => {
    const f = (p: { a: Tensor; b: Tensor }) => [p.a.mul(p.b), p.a.sum().mul(p.b)];
    const a = [1, 2, 3];
    const b = 0.5;
    const J = jac(f)({ a: f64(a), b: f64(b) }) as [{ a: Tensor; b: Tensor }, { a: Tensor; b: Tensor }];
    expect(J[0].a.shape).toEqual([3, 3]);
    expect(J[0].b.shape).toEqual([3]);
    expect(J[1].a.shape).toEqual([3]);
    expect(J[1].b.shape).toEqual([]);
    expectClose(J[0].a, [[b, 0, 0], [0, b, 0], [0, 0, b]]);
    expectClose(J[0].b, a);
    expectClose(J[1].a, [b, b, b]);
    expect(J[1].b.item()).toBe(6);
  });

  it("argnums as an array gives one block per argument; hasAux passes aux through", () => {
    const f = (x: Tensor, y: Tensor) => [x.mul(y), x.sum()];
    const [J, aux] = jac(f, { argnums: [0, 1], hasAux: true })(f64([1, 2]), f64([3, 4])) as [Tensor[], Tensor];
    expectClose(J[0]!, [[3, 0], [0, 4]]);
    expectClose(J[1]!, [[1, 0], [0, 2]]);
    expect(aux.item()).toBe(3);
    const Jy = jac(f, { argnums: 1, hasAux: true })(f64([1, 2]), f64([3, 4])) as [Tensor, Tensor];
    expectClose(Jy[0], [[1, 0], [0, 2]]);
  });

  it("float32 inputs give float32 Jacobians", () => {
    const J = jac((x: Tensor) => x.mul(3))(np.array([1, 2])) as Tensor;
    expect(J.dtype).toBe("float32");
    expectClose(J, [[3, 0], [0, 3]]);
  });
});

// Closed-form Jacobians (float64, written out here), each checked against both modes.
const A = [[1, -2, 0.5, 3], [0.1, 0.2, 0.3, 0.4]]; // 2×4
const X0 = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]; // 3×2
const X3 = [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]]; // 1×2×3
const P0 = { u: [0.3, 0.7], v: [[1, 2], [[1, 2], [3, 4]]] as const };
const S0 = [0.1, 1.2, -0.3, 0.5];
const softmax = (x: number[]) => {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
};

describe.each(JACS)("%s against closed-form Jacobians", (_name, jac) => {
  it("non-square matrix function: out[k] = Σᵢ tanh((X A)ᵢₖ), ∂out[k]/∂Xᵢⱼ = (1 − tanh²(X A)ᵢₖ) Aⱼₖ", () => {
    const f = (X: Tensor) => np.tanh(X.matmul(f64(A))).sum(0);
    const z = (i: number, k: number) => X0[i]![0]! * A[0]![k]! + X0[i]![1]! * A[1]![k]!;
    const want = fromFn([4, 3, 2], ([k, i, j]) => (1 - Math.tanh(z(i!, k!)) ** 2) * A[j!]![k!]!);
    const J = jac(f)(f64(X0)) as Tensor;
    expect(J.shape).toEqual([4, 3, 2]);
    expectClose(J, want.data, { rtol: 1e-13, atol: 1e-15 });
  });
  it("N-d in, N-d out: out[a][i] = Σ_{j≤i} sin(X[a][j][2]) (a cumsum, then the last column)", () => {
    const f = (X: Tensor) => np.cumsum(np.sin(X), 1).index([null, null], [null, null], -1);
    const want = fromFn([1, 2, 1, 2, 3], ([a, i, a2, j, k]) => (a === a2 && k === 2 && j! <= i! ? Math.cos(X3[a!]![j!]![2]!) : 0));
    const J = jac(f)(f64(X3)) as Tensor;
    expect(J.shape).toEqual([1, 2, 1, 2, 3]);
    expectClose(J, want.data, { rtol: 1e-14, atol: 0 });
  });
  it("pytree in and out: s = Σ u·v₀, t = v₁·u₀", () => {
    const f = (p: { u: Tensor; v: Tensor[] }) => ({ s: p.u.mul(p.v[0]!).sum(), t: p.v[1]!.mul(p.u.index(0)) });
    const J = jac(f)({ u: f64(P0.u), v: [f64([...P0.v[0]]), f64(P0.v[1].map((r) => [...r]))] }) as {
      s: { u: Tensor; v: Tensor[] };
      t: { u: Tensor; v: Tensor[] };
    };
    const [u0, v0, v1] = [P0.u[0]!, P0.v[0], P0.v[1]];
    expectClose(J.s.u, [...v0], { atol: 0, rtol: 0 });
    expectClose(J.s.v[0]!, P0.u, { atol: 0, rtol: 0 });
    expectClose(J.s.v[1]!, [[0, 0], [0, 0]], { atol: 0, rtol: 0 });
    expectClose(J.t.u, fromFn([2, 2, 2], ([i, j, k]) => (k === 0 ? v1[i!]![j!]! : 0)).data, { atol: 0, rtol: 0 });
    expect(J.t.u.shape).toEqual([2, 2, 2]);
    expectClose(J.t.v[0]!, new Float64Array(8), { atol: 0, rtol: 0 });
    expect(J.t.v[0]!.shape).toEqual([2, 2, 2]);
    expect(J.t.v[1]!.shape).toEqual([2, 2, 2, 2]);
    expectClose(J.t.v[1]!, fromFn([2, 2, 2, 2], ([i, j, k, l]) => (i === k && j === l ? u0 : 0)).data, { atol: 0, rtol: 0 });
  });
  it("softmax: J = diag(s) − s sᵀ", () => {
    const f = (x: Tensor) => np.exp(x.sub(np.logsumexp(x)));
    const sm = softmax(S0);
    const want = fromFn([4, 4], ([i, j]) => (i === j ? sm[i!]! : 0) - sm[i!]! * sm[j!]!);
    expectClose(jac(f)(f64(S0)) as Tensor, want.data, { rtol: 1e-12, atol: 1e-15 });
  });
});

describe("jacfwd and jacrev on an integer output", () => {
  it("both give a zero block in the input's dtype", () => {
    const f = (x: Tensor) => [x.mul(2), np.argmax(x)];
    const [a, b] = [jacfwd(f)(f64([1, 2])), jacrev(f)(f64([1, 2]))] as Tensor[][];
    for (const J of [a!, b!]) {
      expectClose(J[0]!, [[2, 0], [0, 2]]);
      expect(J[1]!.dtype).toBe("float64");
      expect(J[1]!.shape).toEqual([2]);
      expectClose(J[1]!, [0, 0]);
    }
  });
});

describe("hessian", () => {
  it("of Σ x³ is diag(6x)", () => {
    const H = hessian((x: Tensor) => x.mul(x).mul(x).sum())(f64([1, 2, 3])) as Tensor;
    expectClose(H, [[6, 0, 0], [0, 12, 0], [0, 0, 18]]);
  });
  it("of x0²·x1 is [[2x1, 2x0], [2x0, 0]]", () => {
    const H = hessian((x: Tensor) => x.index(0).square().mul(x.index(1)))(f64([3, 5])) as Tensor;
    expectClose(H, [[10, 6], [6, 0]]);
  });
  it("of a matrix argument has shape in.shape ++ in.shape", () => {
    const H = hessian((A: Tensor) => A.square().sum())(f64([[1, 2], [3, 4]])) as Tensor;
    expect(H.shape).toEqual([2, 2, 2, 2]);
    const want = fromFn([2, 2, 2, 2], ([i, j, k, l]) => (i === k && j === l ? 2 : 0));
    expectClose(H, want.data);
  });
  it("of a pytree function: blocks H[a][b] for every pair of leaves", () => {
    // f(a, b) = Σ a² b, with a [2] and b scalar
    const f = (p: { a: Tensor; b: Tensor }) => p.a.square().mul(p.b).sum();
    const a = [1.5, -2];
    const b = 3;
    const H = hessian(f)({ a: f64(a), b: f64(b) }) as { a: { a: Tensor; b: Tensor }; b: { a: Tensor; b: Tensor } };
    expectClose(H.a.a, [[2 * b, 0], [0, 2 * b]]);
    expectClose(H.a.b, a.map((v) => 2 * v));
    expectClose(H.b.a, a.map((v) => 2 * v));
    expect(H.b.b.item()).toBe(0);
  });
  it("argnums array gives the nested block matrix", () => {
    const f = (x: Tensor, y: Tensor) => x.mul(y).mul(y).sum(); // Σ x y²
    const H = hessian(f, { argnums: [0, 1] })(f64(2), f64(3)) as Tensor[][];
    expect(H.map((r) => r.map((t) => t.item()))).toEqual([
      [0, 6],
      [6, 4],
    ]);
  });
  it("is symmetric for a generic smooth function", () => {
    const f = (x: Tensor) => np.sin(x.index(0).mul(x.index(1))).add(np.exp(x.index(2).mul(x.index(0))));
    const H = toF64Array(hessian(f)(f64([0.3, 0.8, -0.5])) as Tensor);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(H[i * 3 + j]).toBeCloseTo(H[j * 3 + i]!, 12);
  });
});
