// Transforms composed to depth: grad∘grad∘grad, jvp∘vjp, vmap∘grad (per-example gradients),
// vmap∘jacrev, grad of vmap, hessian-vector products — against closed forms and loops.
import { describe, expect, it } from "vitest";
import { Tensor, grad, hessian, jacfwd, jacrev, jvp, linearize, numpy as np, valueAndGrad, vjp, vmap } from "../../src/index.js";
import { checkGrads, checkVmap, expectClose } from "../util/oracles.js";
import { rng } from "../util/rng.js";

const f64 = (x: number | number[] | number[][] | number[][][]) => np.array(x, { dtype: "float64" });
const cube = (x: Tensor) => x.mul(x).mul(x);

describe("higher derivatives", () => {
  it("grad∘grad∘grad of x³ is 6; the fourth derivative is 0", () => {
    const d1 = grad(cube);
    const d2 = grad(d1);
    const d3 = grad(d2);
    expect(d1(np.array(5)).item()).toBe(75);
    expect(d2(np.array(5)).item()).toBe(30);
    expect(d3(np.array(5)).item()).toBe(6);
    expect(grad(d3)(np.array(5)).item()).toBe(0);
  });
  it("grad∘grad∘grad of sin is -cos; four times is sin again", () => {
    const s = (x: Tensor) => np.sin(x);
    const x = f64(0.7);
    expect(grad(grad(grad(s)))(x).item()).toBeCloseTo(-Math.cos(0.7), 14);
    expect(grad(grad(grad(grad(s))))(x).item()).toBeCloseTo(Math.sin(0.7), 14);
  });
  it("mixed partials: ∂²(x²y³)/∂x∂y = 6xy²", () => {
    const f = (x: Tensor, y: Tensor) => x.square().mul(cube(y));
    const dxdy = grad((x: Tensor, y: Tensor) => grad(f, { argnums: 0 })(x, y), { argnums: 1 });
    expect(dxdy(f64(2), f64(3)).item()).toBe(6 * 2 * 9);
  });
  it("jacfwd∘jacfwd, jacrev∘jacrev, jacrev∘jacfwd and hessian all equal the closed-form Hessian", () => {
    // f(x) = sin(x₀)·x₁² + e^{x₀+x₁}; with E = e^{x₀+x₁}:
    // H = [[−sin(x₀)x₁² + E, 2x₁cos(x₀) + E], [2x₁cos(x₀) + E, 2 sin(x₀) + E]]
    const f = (x: Tensor) => np.sin(x.index(0)).mul(x.index(1).square()).add(np.exp(x.sum()));
    const [a, b] = [0.4, -0.3];
    const E = Math.exp(a + b);
    const off = 2 * b * Math.cos(a) + E;
    const want = [[-Math.sin(a) * b * b + E, off], [off, 2 * Math.sin(a) + E]];
    const x = f64([a, b]);
    for (const [name, h] of [["hessian", hessian(f)], ["jacfwd∘jacfwd", jacfwd(jacfwd(f))], ["jacrev∘jacrev", jacrev(jacrev(f))], ["jacrev∘jacfwd", jacrev(jacfwd(f))]] as const) {
      const H = h(x) as Tensor;
      expect(H.shape, name).toEqual([2, 2]);
      expectClose(H, want, { rtol: 1e-14, atol: 1e-15, what: name });
    }
  });
  it("third-order: jacfwd(hessian) of Σ x⁴/12 is the diagonal tensor 2x", () => {
    const T = jacfwd(hessian((x: Tensor) => x.square().square().sum().div(12)))(f64([1, 2])) as Tensor;
    expect(T.shape).toEqual([2, 2, 2]);
    expectClose(T, [[[2, 0], [0, 0]], [[0, 0], [0, 4]]]);
  });
});

describe("forward over reverse and reverse over forward", () => {
  // f(x) = Σ sin(x)·x²; Hessian is diagonal: h(x) = -sin x·x² + 4x cos x + 2 sin x
  const f = (x: Tensor) => np.sin(x).mul(x.square()).sum();
  const h = (v: number) => -Math.sin(v) * v * v + 4 * v * Math.cos(v) + 2 * Math.sin(v);
  const xs = [0.3, -1.2, 2];
  const u = [1, 2, -1];
  const hvp = xs.map((v, i) => h(v) * u[i]!);

  it("jvp∘vjp: the jvp of x ↦ vjp(f, x)(1) is the Hessian-vector product", () => {
    const gradVia = (x: Tensor) => (vjp(f, [x])[1] as (c: Tensor) => Tensor[])(f64(1))[0]!;
    const [, t] = jvp(gradVia, [f64(xs)], [f64(u)]) as Tensor[];
    expectClose(t!, hvp, { rtol: 1e-13 });
  });
  it("vjp∘jvp: the vjp of x ↦ jvp(f, x, u) is the Hessian-vector product too", () => {
    const dir = (x: Tensor) => jvp(f, [x], [f64(u)])[1] as Tensor;
    const [, back] = vjp(dir, [f64(xs)]) as [Tensor, (c: Tensor) => Tensor[]];
    expectClose(back(f64(1))[0]!, hvp, { rtol: 1e-13 });
  });
  it("grad∘jvp and linearize∘grad", () => {
    expectClose(grad((x: Tensor) => jvp(f, [x], [f64(u)])[1] as Tensor)(f64(xs)), hvp, { rtol: 1e-13 });
    const [g, lin] = linearize(grad(f), [f64(xs)]);
    expectClose(g as Tensor, xs.map((v) => Math.cos(v) * v * v + 2 * v * Math.sin(v)), { rtol: 1e-13 });
    expectClose(lin(f64(u)), hvp, { rtol: 1e-13 });
  });
});

describe("vmap with differentiation", () => {
  // squared error of a linear model: ℓ(w; x, y) = (w·x − y)², ∇w = 2(w·x − y) x
  const loss = (w: Tensor, x: Tensor, y: Tensor) => w.dot(x).sub(y).square();
  const r = rng(11);
  const W = f64(r.normals(3));
  const Xs = f64(Array.from({ length: 5 }, () => r.normals(3)));
  const Ys = f64(r.normals(5));

  it("vmap∘grad: per-example gradients equal a loop and the closed form", () => {
    const per = vmap(grad(loss), [null, 0, 0])(W, Xs, Ys) as Tensor;
    expect(per.shape).toEqual([5, 3]);
    const w = Array.from(W.dataSync());
    const closed = Xs.toArray().map((x: number[], i: number) => {
      const e = x.reduce((s, v, k) => s + v * w[k]!, 0) - (Ys.toArray() as number[])[i]!;
      return x.map((v) => 2 * e * v);
    });
    expectClose(per, closed, { rtol: 1e-13 });
    checkVmap((x: Tensor, y: Tensor) => grad(loss)(W, x, y), [0, 0], [Xs, Ys]);
  });

  it("vmap∘valueAndGrad and vmap∘vmap∘grad", () => {
    const [v, g] = vmap(valueAndGrad(loss), [null, 0, 0])(W, Xs, Ys) as [Tensor, Tensor];
    expect(v.shape).toEqual([5]);
    expect(g.shape).toEqual([5, 3]);
    const grid = vmap(vmap(grad((a: Tensor, b: Tensor) => np.sin(a.mul(b))), [null, 0]), [0, null])(f64([0.1, 0.2]), f64([1, 2, 3])) as Tensor;
    const want = [0.1, 0.2].map((a) => [1, 2, 3].map((b) => Math.cos(a * b) * b));
    expectClose(grid, want, { rtol: 1e-14 });
  });

  it("grad of vmap: d/dw Σᵢ sin(w·xᵢ) = Σᵢ cos(w·xᵢ) xᵢ", () => {
    const g = grad((w: Tensor) => (vmap((x: Tensor) => np.sin(w.dot(x)))(Xs) as Tensor).sum())(W);
    const w = Array.from(W.dataSync());
    const want = [0, 0, 0];
    for (const x of Xs.toArray() as number[][]) {
      const c = Math.cos(x.reduce((s, v, k) => s + v * w[k]!, 0));
      x.forEach((v, k) => (want[k]! += c * v));
    }
    expectClose(g, want, { rtol: 1e-13 });
  });

  it("vmap∘jacrev and vmap∘jacfwd: per-example Jacobians of x ↦ tanh(A x)", () => {
    const A = f64([[1, 2, 0], [0, -1, 3]]);
    const f = (x: Tensor) => np.tanh(A.matmul(x));
    const Jr = vmap(jacrev(f))(Xs) as Tensor;
    const Jf = vmap(jacfwd(f))(Xs) as Tensor;
    expect(Jr.shape).toEqual([5, 2, 3]);
    const a = A.toArray() as number[][];
    const want = (Xs.toArray() as number[][]).map((x) =>
      a.map((row) => {
        const t = Math.tanh(row.reduce((s, v, k) => s + v * x[k]!, 0));
        return row.map((v) => (1 - t * t) * v);
      }),
    );
    expectClose(Jr, want, { rtol: 1e-13 });
    expectClose(Jf, want, { rtol: 1e-13 });
  });

  it("vmap of hessian equals a loop", () => {
    checkVmap((x: Tensor) => hessian((v: Tensor) => np.sin(v).prod())(x), 0, [Xs]);
  });

  it("grad inside vmap inside grad: d/dw Σᵢ ∂/∂w sin(w xᵢ) = Σᵢ −sin(w xᵢ) xᵢ²", () => {
    const xs = [0.5, -1, 2];
    const inner = (w: Tensor, x: Tensor) => grad((v: Tensor) => np.sin(v.mul(x)))(w);
    const outer = grad((w: Tensor) => (vmap((x: Tensor) => inner(w, x))(f64(xs)) as Tensor).sum());
    const w = 0.3;
    expect(outer(f64(w)).item()).toBeCloseTo(xs.reduce((s, x) => s - Math.sin(w * x) * x * x, 0), 13);
  });

  it("checkGrads through vmap (order 2)", () => {
    checkGrads((w: Tensor) => vmap((x: Tensor) => np.tanh(w.dot(x)))(Xs), [W], { order: 2 });
  });
});

describe("deep random compositions keep the dot-product identity", () => {
  it("jvp(grad(vmap(jacrev)))-style stack on a small function", () => {
    const f = (x: Tensor) => np.sin(x).mul(np.cos(x.index([null, null, -1]))).sum();
    const x = f64([0.1, 0.5, 0.9]);
    checkGrads((v: Tensor) => grad(f)(v), [x], { order: 2 });
    checkGrads((v: Tensor) => vmap(grad((s: Tensor) => np.sin(s).mul(s)))(v), [x], { order: 2 });
    checkGrads((v: Tensor) => jacrev((s: Tensor) => np.exp(s).mul(s.sum()))(v), [x], { order: 1 });
  });
});
