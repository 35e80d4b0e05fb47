// Derivative rules at their edges, where a rule that is right "almost everywhere" goes wrong:
// 0⁰ and its higher derivatives, ties in max/min, empty reductions, the dtype of a cotangent,
// and the operand order of contractions. Expected values are closed forms (JAX's conventions
// where the math leaves a choice: ½ each at a tie, d 0ʸ/dy = 0) and float64 loops written here.
import { describe, expect, it } from "vitest";
import { Tensor, grad, hessian, jacfwd, jacrev, jvp, lax, nn, numpy as np, vjp, vmap } from "../../src/index.js";
import { expectClose, toF64Array } from "../util/oracles.js";

const f64 = (x: number | number[] | number[][] | number[][][]) => np.array(x, { dtype: "float64" });
const f32 = (x: number | number[] | number[][]) => np.array(x, { dtype: "float32" });
/** n-th derivative of a scalar function by nesting grad. */
const nth = (f: (x: Tensor) => Tensor, n: number) => {
  let g = f;
  for (let i = 0; i < n; i++) g = grad(g);
  return g;
};
/** n-th derivative by nesting forward mode (jacfwd of a scalar is its derivative). */
const nthFwd = (f: (x: Tensor) => Tensor, n: number) => {
  let g = f;
  for (let i = 0; i < n; i++) g = jacfwd(g) as (x: Tensor) => Tensor;
  return g;
};

describe("pow at 0: integer literal exponents are exact at every order; tensor exponents follow JAX's rule", () => {
  // A tensor exponent runs the general pow rule; a small integer literal runs integer_pow.
  const powT = (y: number) => (x: Tensor) => np.power(x, f64(y));
  const powN = (y: number) => (x: Tensor) => np.power(x, y);
  // kth derivative of xⁿ at 0: n! when k = n, else 0 (for k ≥ 1)
  const table: [number, number, number][] = [
    [0, 1, 0], [0, 2, 0], [0, 3, 0],
    [1, 1, 1], [1, 2, 0], [1, 3, 0],
    [2, 1, 0], [2, 2, 2], [2, 3, 0],
    [3, 1, 0], [3, 2, 0], [3, 3, 6],
  ];
  // A tensor exponent runs lax.pow's rule y·x^(y-1), as JAX writes it (no case for y = 0): the
  // kth derivative of xⁿ at 0 is NaN once it reaches 0·x⁻¹ = 0·∞ (k > n), else n!/(n-k)!·0^(n-k).
  // Values from JAX 0.10.2 (jax.grad nested, and jax.jvp nested, float64), identical in both modes.
  const jaxTensor: [number, number, number][] = [
    [0, 1, NaN], [0, 2, NaN], [0, 3, NaN],
    [1, 1, 1], [1, 2, NaN], [1, 3, NaN],
    [2, 1, 0], [2, 2, 2], [2, 3, NaN],
    [3, 1, 0], [3, 2, 0], [3, 3, 6],
  ];
  it.each(jaxTensor)("x^%i, derivative %i at x = 0 is %s as in JAX (tensor exponent, reverse mode)", (n, k, want) => {
    expect(nth(powT(n), k)(f64(0)).item()).toBe(want);
  });
  it.each(jaxTensor)("x^%i, derivative %i at x = 0 is %s as in JAX (tensor exponent, forward mode)", (n, k, want) => {
    expect(nthFwd(powT(n), k)(f64(0)).item()).toBe(want);
  });
  it.each(table)("x^%i, derivative %i at x = 0 is %i (integer literal exponent)", (n, k, want) => {
    expect(nth(powN(n), k)(f64(0)).item()).toBe(want);
  });
  it("x⁰ (tensor exponent) has derivative 0·x⁻¹: NaN at ±0, ±0 elsewhere, as JAX", () => {
    const g = grad((x: Tensor) => np.power(x, f64(0)).sum());
    expect(Array.from(g(f64([0, -0, 2, -3])).dataSync())).toEqual([NaN, NaN, 0, -0]);
    // the integer literal runs integer_pow: x⁰ = 1, derivative 0 everywhere
    expectClose(grad((x: Tensor) => np.power(x, 0).sum())(f64([0, -0, 2, -3])), [0, 0, 0, 0], { atol: 0, rtol: 0 });
  });
  it("d/dy xʸ = log(x) xʸ, and 0 at x = 0 (JAX's convention), never NaN", () => {
    const dy = (x: number, y: number) => grad((y: Tensor) => np.power(f64(x), y), {})(f64(y)).item();
    expect(dy(2, 3)).toBeCloseTo(Math.log(2) * 8, 14);
    expect(dy(0, 2)).toBe(0);
    expect(dy(0, 0)).toBe(0);
    expect(dy(0, 0.5)).toBe(0);
  });
  it("non-integer exponents: d/dx x^½ at 4 = ¼, second derivative -1/32", () => {
    expect(grad(powT(0.5))(f64(4)).item()).toBeCloseTo(0.25, 15);
    expect(nth(powT(0.5), 2)(f64(4)).item()).toBeCloseTo(-1 / 32, 15);
    expect(grad(powN(-2))(f64(2)).item()).toBeCloseTo(-2 / 8, 15);
  });
});

describe("ties: max/min split the derivative evenly (JAX)", () => {
  it("grad of max over [1, 3, 3] is [0, ½, ½]; over three equal values ⅓ each", () => {
    expectClose(grad((x: Tensor) => np.max(x))(f64([1, 3, 3])), [0, 0.5, 0.5], { atol: 0, rtol: 0 });
    expectClose(grad((x: Tensor) => np.max(x))(f64([2, 2, 2])), [1 / 3, 1 / 3, 1 / 3], { atol: 1e-16, rtol: 0 });
    expectClose(grad((x: Tensor) => np.min(x))(f64([-1, 4, -1, 0])), [0.5, 0, 0.5, 0], { atol: 0, rtol: 0 });
  });
  it("along an axis, ties are split within each row only", () => {
    const g = grad((x: Tensor) => np.max(x, 1).mul(f64([1, 10])).sum())(f64([[1, 1, 0], [2, 5, 5]]));
    expectClose(g, [[0.5, 0.5, 0], [0, 5, 5]], { atol: 0, rtol: 0 });
  });
  it("forward mode at a tie averages the tangents of the maximisers", () => {
    const [, t] = jvp((x: Tensor) => np.max(x), [f64([1, 3, 3])], [f64([100, 2, 6])]) as Tensor[];
    expect(t!.item()).toBe(4);
  });
  it("maximum(x, y) at x = y gives ½ to each; maximum(x, x) has derivative 1", () => {
    const [gx, gy] = grad((x: Tensor, y: Tensor) => np.maximum(x, y).sum(), { argnums: [0, 1] })(f64([1, 2, 3]), f64([1, 5, 0])) as Tensor[];
    expectClose(gx!, [0.5, 0, 1], { atol: 0, rtol: 0 });
    expectClose(gy!, [0.5, 1, 0], { atol: 0, rtol: 0 });
    expectClose(grad((x: Tensor) => np.maximum(x, x).sum())(f64([1, -2])), [1, 1], { atol: 0, rtol: 0 });
    expectClose(grad((x: Tensor) => np.minimum(x, f64(0)).sum())(f64([0, 1, -1])), [0.5, 0, 1], { atol: 0, rtol: 0 });
  });
  it("the second derivative of max is 0 (the split weights are constants)", () => {
    const H = hessian((x: Tensor) => np.max(x.mul(x)))(f64([1, -1, 0.5])) as Tensor;
    // max(x²) with x₀² = x₁² tied: ½(x₀² + x₁²) locally → H = diag(1, 1, 0)
    expectClose(H, [[1, 0, 0], [0, 1, 0], [0, 0, 0]], { atol: 0, rtol: 0 });
  });
});

describe("relu at 0", () => {
  it("relu'(0) = 0 as in JAX and TensorFlow (not the ½ of a maximum tie); relu'' = 0", () => {
    expectClose(grad((x: Tensor) => nn.relu(x).sum())(f64([-1, 0, -0, 2])), [0, 0, 0, 1], { atol: 0, rtol: 0 });
    expectClose(jacfwd((x: Tensor) => nn.relu(x))(f64([0, 3])) as Tensor, [[0, 0], [0, 1]], { atol: 0, rtol: 0 });
    expect(nth((x: Tensor) => nn.relu(x), 2)(f64(0)).item()).toBe(0);
  });
  it("keeps its values: NaN passes through, dtype is kept, -0 and negatives give 0", () => {
    const y = nn.relu(np.array([NaN, -0, -3, 2.5], { dtype: "float32" }));
    expect(y.dtype).toBe("float32");
    expect(Array.from(y.dataSync())).toEqual([NaN, 0, 0, 2.5]);
    expect(Array.from(nn.relu(np.array([-2, 0, 5], { dtype: "int32" })).dataSync())).toEqual([0, 0, 5]);
  });
});

describe("reductions over an empty axis", () => {
  it("prod of nothing is 1, sum of nothing is 0, with the reduced shape", () => {
    expect(np.prod(np.zeros([0])).item()).toBe(1);
    expect(np.sum(np.zeros([0])).item()).toBe(0);
    const p = np.prod(np.zeros([2, 0]), 1);
    expect(p.shape).toEqual([2]);
    expectClose(p, [1, 1], { atol: 0, rtol: 0 });
    expect(np.prod(np.zeros([2, 0]), 0).shape).toEqual([0]);
  });
  it("the gradient of prod over an empty axis is an empty tensor", () => {
    const g = grad((x: Tensor) => np.prod(x, 1).sum())(np.zeros([3, 0], { dtype: "float64" }));
    expect(g.shape).toEqual([3, 0]);
    expect(g.dtype).toBe("float64");
  });
  it("grad of prod with zeros: Π of the others at one zero, 0 at two", () => {
    expectClose(grad((x: Tensor) => np.prod(x))(f64([2, 0, 3])), [0, 6, 0], { atol: 0, rtol: 0 });
    expectClose(grad((x: Tensor) => np.prod(x))(f64([0, 0, 3])), [0, 0, 0], { atol: 0, rtol: 0 });
    expectClose(grad((x: Tensor) => np.prod(x))(f64([2, -1, 3, 0.5])), [-1.5, 3, -1, -6], { atol: 1e-15, rtol: 0 });
  });
});

describe("abs and sign at 0", () => {
  it("d|x|/dx at 0 and -0 is 1 (JAX's select(x ≥ 0, g, -g)); d sign = 0 everywhere", () => {
    expectClose(grad((x: Tensor) => np.abs(x).sum())(f64([0, -0, -2, 3])), [1, 1, -1, 1], { atol: 0, rtol: 0 });
    expectClose(grad((x: Tensor) => np.sign(x).sum())(f64([0, -2, 3])), [0, 0, 0], { atol: 0, rtol: 0 });
  });
});

describe("cotangents have the dtype and shape of their primal", () => {
  const fs: [string, (x: Tensor) => Tensor][] = [
    ["x · 2.5 (a weak literal)", (x) => x.mul(2.5).sum()],
    ["x ** 3", (x) => np.power(x, 3).sum()],
    ["x ** 1.5 (tensor exponent)", (x) => np.power(np.abs(x).add(1), np.array(1.5, { dtype: x.dtype })).sum()],
    ["max", (x) => np.max(x)],
    ["prod", (x) => np.prod(x)],
    ["mean over axis 0 · broadcast row", (x) => np.mean(x, 0).mul(np.arange(3)).sum()],
    ["matmul with itself transposed", (x) => np.matmul(x, np.transpose(x)).sum()],
    ["einsum ij,ij->", (x) => np.einsum("ij,ij->", x, x)],
    ["where", (x) => np.where(np.greater(x, 0), x, x.mul(x)).sum()],
    ["x + 1 broadcast from a scalar", (x) => x.add(np.ones([2, 3])).sum()],
  ];
  const x0 = [[0.5, -1, 2], [1.5, 0.25, -0.75]];
  it.each(fs)("%s: float32 in → float32 gradient; float64 in → float64", (_n, f) => {
    for (const dtype of ["float32", "float64"] as const) {
      const g = grad(f)(np.array(x0, { dtype }));
      expect(g.dtype, dtype).toBe(dtype);
      expect(g.shape).toEqual([2, 3]);
    }
  });
  it("a scalar input broadcast against a matrix gets a scalar cotangent", () => {
    const g = grad((s: Tensor) => s.mul(f32([[1, 2], [3, 4]])).sum())(f32(2));
    expect(g.shape).toEqual([]);
    expect(g.dtype).toBe("float32");
    expect(g.item()).toBe(10);
  });
  it("a float32 operand meeting a float64 one: each cotangent keeps its operand's dtype", () => {
    const [ga, gb] = grad((a: Tensor, b: Tensor) => a.astype("float64").mul(b).sum(), { argnums: [0, 1] })(f32([1, 2]), f64([3, 4])) as Tensor[];
    expect([ga!.dtype, gb!.dtype]).toEqual(["float32", "float64"]);
    expectClose(ga!, [3, 4]);
    expectClose(gb!, [1, 2]);
  });
});

// float64 reference: C[i][k] = Σ_j A[i][j] B[j][k]
const mm = (A: number[][], B: number[][]) => A.map((r) => B[0]!.map((_, k) => r.reduce((s, a, j) => s + a * B[j]![k]!, 0)));
const T = (A: number[][]) => A[0]!.map((_, j) => A.map((r) => r[j]!));

describe("contractions: operand and output order", () => {
  const A = [[1, 2, 3], [4, 5, 6]]; // 2×3
  const B = [[1, -1, 0, 2], [0.5, 3, -2, 1], [2, 0, 1, -1]]; // 3×4
  const G = [[1, 0, 2, -1], [0, 1, -1, 3]]; // cotangent of A·B, 2×4
  it("einsum with an implicit output sorts the free indices: einsum('ba', x) is xᵀ", () => {
    const x = f64(A);
    const y = np.einsum("ba", x);
    expect(y.shape).toEqual([3, 2]);
    expectClose(y, T(A), { atol: 0, rtol: 0 });
    expectClose(np.einsum("ab", x), A, { atol: 0, rtol: 0 });
    expectClose(np.einsum("ji,jk", f64(T(A)), f64(B)), mm(A, B), { atol: 1e-14, rtol: 0 }); // implicit 'ik'
    expectClose(np.einsum("ij,ki", f64(B), f64(A)), T(mm(A, B)), { atol: 1e-14, rtol: 0 }); // implicit 'jk' = (AB)ᵀ
  });
  it("einsum/matmul/dot vjps are G Bᵀ and Aᵀ G on non-square operands", () => {
    const want = [mm(G, T(B)), mm(T(A), G)];
    const fns: [string, (a: Tensor, b: Tensor) => Tensor][] = [
      ["einsum ij,jk->ik", (a, b) => np.einsum("ij,jk->ik", a, b)],
      ["einsum jk,ij->ik (operands swapped)", (a, b) => np.einsum("jk,ij->ik", b, a)],
      ["einsum ij,jk->ki then transposed", (a, b) => np.transpose(np.einsum("ij,jk->ki", a, b))],
      ["matmul", (a, b) => np.matmul(a, b)],
      ["dot", (a, b) => np.dot(a, b)],
    ];
    for (const [name, f] of fns) {
      const [out, back] = vjp(f, [f64(A), f64(B)]) as [Tensor, (c: Tensor) => Tensor[]];
      expectClose(out, mm(A, B), { atol: 1e-14, rtol: 0, what: `${name}: value` });
      const [ga, gb] = back(f64(G));
      expectClose(ga!, want[0]!, { atol: 1e-14, rtol: 0, what: `${name}: d/dA` });
      expectClose(gb!, want[1]!, { atol: 1e-14, rtol: 0, what: `${name}: d/dB` });
    }
  });
  it("forward mode of a contraction: d(AB) = dA B + A dB", () => {
    const dA = [[0, 1, 0], [1, 0, -1]];
    const dB = [[1, 0, 0, 0], [0, 0, 1, 0], [0, 2, 0, 0]];
    const [, t] = jvp((a: Tensor, b: Tensor) => np.einsum("ij,jk->ik", a, b), [f64(A), f64(B)], [f64(dA), f64(dB)]) as Tensor[];
    const want = mm(dA, B).map((r, i) => r.map((v, k) => v + mm(A, dB)[i]![k]!));
    expectClose(t!, want, { atol: 1e-14, rtol: 0 });
  });
  it("batched contraction bij,bjk->bik: each batch its own product and vjp", () => {
    const As = [A, A.map((r) => r.map((v) => -v / 2))];
    const Bs = [B, B.map((r) => r.map((v) => v + 1))];
    const [out, back] = vjp((a: Tensor, b: Tensor) => np.einsum("bij,bjk->bik", a, b), [f64(As), f64(Bs)]) as [Tensor, (c: Tensor) => Tensor[]];
    expectClose(out, As.map((a, i) => mm(a, Bs[i]!)), { atol: 1e-14, rtol: 0 });
    const [ga, gb] = back(f64([G, G]));
    expectClose(ga!, As.map((_, i) => mm(G, T(Bs[i]!))), { atol: 1e-14, rtol: 0 });
    expectClose(gb!, As.map((a) => mm(T(a), G)), { atol: 1e-14, rtol: 0 });
  });
  it("a vector against a matrix: v·M, M·v, and their vjps", () => {
    const v = [1, -2];
    const [out, back] = vjp((a: Tensor, m: Tensor) => np.matmul(a, m), [f64(v), f64(A)]) as [Tensor, (c: Tensor) => Tensor[]];
    expectClose(out, [1 - 8, 2 - 10, 3 - 12]);
    const [gv, gm] = back(f64([1, 0, -1]));
    expectClose(gv!, [1 - 3, 4 - 6]); // M c
    expectClose(gm!, [[1, 0, -1], [-2, 0, 2]]); // v ⊗ c
  });
  it("einsum with a repeated index is the trace: d tr(X) = I (the diagonal's strided slice transposes to a pad)", () => {
    expectClose(grad((x: Tensor) => np.einsum("ii", x))(f64([[1, 2], [3, 4]])), [[1, 0], [0, 1]], { atol: 0, rtol: 0 });
  });
  it("trace and diag: d tr(X) = I, the vjp of diag(X) at c is diag(c)", () => {
    expectClose(grad((x: Tensor) => np.trace(x))(f64([[1, 2], [3, 4]])), [[1, 0], [0, 1]], { atol: 0, rtol: 0 });
    const [, back] = vjp((x: Tensor) => np.diag(x), [f64([[1, 2], [3, 4]])]) as [Tensor, (c: Tensor) => Tensor[]];
    expectClose(back(f64([5, 7]))[0]!, [[5, 0], [0, 7]], { atol: 0, rtol: 0 });
  });
  it("jacrev and jacfwd of x ↦ xᵀ by einsum are the permutation tensor", () => {
    const J = toF64Array(jacrev((x: Tensor) => np.einsum("ba", x))(f64(A)) as Tensor);
    const Jf = toF64Array(jacfwd((x: Tensor) => np.einsum("ba", x))(f64(A)) as Tensor);
    // J[j][i][k][l] = [k = i][l = j] for out[j][i] = x[i][j], shapes [3,2,2,3]
    for (const Jx of [J, Jf]) {
      for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) for (let k = 0; k < 2; k++) for (let l = 0; l < 3; l++) {
        expect(Jx[((j * 2 + i) * 2 + k) * 3 + l]).toBe(k === i && l === j ? 1 : 0);
      }
    }
  });
});

describe("lax.cond predicates", () => {
  const branches = [(x: Tensor) => x.mul(2), (x: Tensor) => x.neg()] as const;
  it.each([
    [-1, 6], [-0.5, 6], [2, 6], [1e-30, 6], [0, -3], [-0, -3], [true, 6], [false, -3],
  ] as [number | boolean, number][])("cond(%s, …) takes the %s branch (nonzero is true)", (p, want) => {
    expect(lax.cond(p, branches[0], branches[1], f64(3)).item()).toBe(want);
    expect(lax.cond(np.array(p as number), branches[0], branches[1], f64(3)).item()).toBe(want);
  });
  it("an integer -1 predicate is true under grad and vmap", () => {
    expect(grad((x: Tensor) => lax.cond(np.array(-1, { dtype: "int32" }), branches[0], branches[1], x))(f64(3)).item()).toBe(2);
    const out = vmap((p: Tensor, x: Tensor) => lax.cond(p, branches[0], branches[1], x))(np.array([-1, 0, 3], { dtype: "int32" }), f64([1, 2, 3])) as Tensor;
    expectClose(out, [2, -2, 6], { atol: 0, rtol: 0 });
  });
});
