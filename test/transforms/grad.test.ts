// grad, valueAndGrad, vjp, jvp, linearize and linearTranspose against closed forms.
import { describe, expect, it } from "vitest";
import { Tensor, grad, hessian, jvp, linearTranspose, linearize, numpy as np, valueAndGrad, vjp } from "../../src/index.js";
import { expectClose } from "../util/oracles.js";

const f64 = (x: number | number[] | number[][] | number[][][]) => np.array(x, { dtype: "float64" });

describe("grad", () => {
  it("d/dx x³ = 3x² (float32 and float64)", () => {
    const g = grad((x: Tensor) => x.mul(x).mul(x));
    const a = g(np.array(2));
    expect(a.dtype).toBe("float32");
    expect(a.item()).toBe(12);
    const b = g(f64(1.5));
    expect(b.dtype).toBe("float64");
    expect(b.item()).toBeCloseTo(6.75, 14);
  });

  it("accepts a JS number argument (float32)", () => {
    const g = grad((x: Tensor) => np.sin(x));
    const r = g(0.5) as Tensor;
    expect(r.dtype).toBe("float32");
    expect(r.item()).toBeCloseTo(Math.cos(0.5), 6);
  });

  it("of a sum over a vector: gradient of Σ sin(x)·x is cos(x)·x + sin(x)", () => {
    const x = f64([0.1, -0.4, 2.3]);
    const g = grad((v: Tensor) => np.sin(v).mul(v).sum())(x);
    expectClose(g, [0.1, -0.4, 2.3].map((v) => Math.cos(v) * v + Math.sin(v)), { rtol: 1e-14 });
  });

  it("argnums as a number picks one argument", () => {
    // f = x y², ∂f/∂y = 2xy
    const f = (x: Tensor, y: Tensor) => x.mul(y).mul(y);
    expect(grad(f, { argnums: 1 })(np.array(3), np.array(2)).item()).toBe(12);
    expect(grad(f, { argnums: -1 })(np.array(3), np.array(2)).item()).toBe(12);
    expect(grad(f)(np.array(3), np.array(2)).item()).toBe(4);
  });

  it("argnums as an array returns a tuple, even of length one", () => {
    const f = (x: Tensor, y: Tensor) => x.mul(y).mul(y);
    const [gx, gy] = grad(f, { argnums: [0, 1] })(np.array(3), np.array(2)) as Tensor[];
    expect([gx!.item(), gy!.item()]).toEqual([4, 12]);
    const one = grad(f, { argnums: [1] })(np.array(3), np.array(2)) as Tensor[];
    expect(Array.isArray(one)).toBe(true);
    expect(one[0]!.item()).toBe(12);
  });

  it("pytree arguments: gradients mirror the structure", () => {
    const x = f64([1, 2, 3]);
    const loss = (p: { w: Tensor; b: Tensor }) => p.w.mul(x).add(p.b).sum();
    const g = grad(loss)({ w: f64([0.5, 0.5, 0.5]), b: f64(0.1) }) as { w: Tensor; b: Tensor };
    expect(Object.keys(g).sort()).toEqual(["b", "w"]);
    expectClose(g.w, [1, 2, 3]);
    expect(g.b.item()).toBe(3);
    // lists and nesting
    const g2 = grad((ps: [Tensor, { c: Tensor }]) => ps[0].mul(ps[1].c).sum())([f64([1, 2]), { c: f64([3, 4]) }]) as [Tensor, { c: Tensor }];
    expectClose(g2[0], [3, 4]);
    expectClose(g2[1].c, [1, 2]);
  });

  it("hasAux returns [grads, aux] with aux evaluated, not traced", () => {
    const [g, aux] = grad((x: Tensor) => [x.mul(x), { doubled: x.mul(2), label: "ok" }], { hasAux: true })(np.array(3)) as [Tensor, { doubled: Tensor; label: string }];
    expect(g.item()).toBe(6);
    expect(aux.doubled.item()).toBe(6);
    expect(aux.label).toBe("ok");
    expect(aux.doubled.dataSync()[0]).toBe(6); // concrete: reading it works
  });

  it("an output that does not depend on the input has a zero gradient of the input's shape", () => {
    const g = grad((x: Tensor, y: Tensor) => y.sum(), { argnums: 0 })(f64([1, 2]), f64([3]));
    expectClose(g, [0, 0]);
    expect(g.dtype).toBe("float64");
  });

  it("closed-over constants are not differentiated", () => {
    const c = f64([2, 3]);
    expectClose(grad((x: Tensor) => x.mul(c).sum())(f64([5, 7])), [2, 3]);
  });

  it("relu / abs / maximum: piecewise gradients", () => {
    const x = f64([-2, -0.5, 0.5, 2]);
    expectClose(grad((v: Tensor) => np.maximum(v, 0).sum())(x), [0, 0, 1, 1]);
    expectClose(grad((v: Tensor) => np.abs(v).sum())(x), [-1, -1, 1, 1]);
    // a tie splits the gradient evenly, as in JAX
    const [ga, gb] = grad((a: Tensor, b: Tensor) => np.maximum(a, b), { argnums: [0, 1] })(f64(1), f64(1)) as Tensor[];
    expect([ga!.item(), gb!.item()]).toEqual([0.5, 0.5]);
  });

  it("x ** y: both partials, and power at x = 0", () => {
    const [gx, gy] = grad((x: Tensor, y: Tensor) => np.power(x, y), { argnums: [0, 1] })(f64(2), f64(3)) as Tensor[];
    expect(gx!.item()).toBeCloseTo(12, 12);
    expect(gy!.item()).toBeCloseTo(8 * Math.log(2), 12);
    // d/dx x² at 0 is 0, d/dx x^1 at 0 is 1
    expect(grad((x: Tensor) => np.power(x, f64(2)))(f64(0)).item()).toBe(0);
    expect(grad((x: Tensor) => np.power(x, f64(1)))(f64(0)).item()).toBe(1);
  });

  it("prod: exact gradient and Hessian where entries are zero (no 0/0)", () => {
    expectClose(grad((x: Tensor) => x.prod())(f64([0, 2, 3])), [6, 0, 0]);
    expectClose(grad((x: Tensor) => x.prod())(f64([0, 0, 3])), [0, 0, 0]);
    expectClose(hessian((x: Tensor) => x.prod())(f64([0, 2, 3])) as Tensor, [[0, 3, 2], [3, 0, 0], [2, 0, 0]]);
    expectClose(hessian((x: Tensor) => x.prod())(f64([0, 0, 3])) as Tensor, [[0, 3, 0], [3, 0, 0], [0, 0, 0]]);
  });

  it("matmul: d/dW sum(X W) = Xᵀ 1", () => {
    const X = f64([[1, 2], [3, 4], [5, 6]]);
    const g = grad((W: Tensor) => X.matmul(W).sum())(np.ones([2, 4], { dtype: "float64" }));
    expectClose(g, [[9, 9, 9, 9], [12, 12, 12, 12]]);
  });
});

describe("valueAndGrad", () => {
  it("returns [value, grad]", () => {
    const [v, g] = valueAndGrad((x: Tensor) => np.exp(x).sum())(f64([0, 1])) as [Tensor, Tensor];
    expect(v.item()).toBeCloseTo(1 + Math.E, 14);
    expectClose(g, [1, Math.E]);
  });
  it("with hasAux returns [[value, aux], grad]; argnums array gives a tuple", () => {
    const f = (x: Tensor, y: Tensor) => [x.mul(y), x.add(y)];
    const [[v, aux], g] = valueAndGrad(f, { hasAux: true, argnums: [0, 1] })(f64(2), f64(5)) as [[Tensor, Tensor], Tensor[]];
    expect(v.item()).toBe(10);
    expect(aux.item()).toBe(7);
    expect(g.map((t) => t.item())).toEqual([5, 2]);
  });
});

describe("vjp", () => {
  it("pytree output, one cotangent per primal mirroring its structure", () => {
    const x = f64([0.5, 1.5]);
    const y = f64(2);
    const [out, back] = vjp((a: Tensor, b: Tensor) => ({ s: np.sin(a), p: a.mul(b) }), [x, y]) as [{ s: Tensor; p: Tensor }, (ct: unknown) => Tensor[]];
    expectClose(out.s, [Math.sin(0.5), Math.sin(1.5)]);
    const [gx, gy] = back({ s: f64([1, 1]), p: f64([1, 10]) });
    // ∂/∂a: cos(a)·1 + b·ct_p ; ∂/∂b: Σ a·ct_p
    expectClose(gx!, [Math.cos(0.5) + 2, Math.cos(1.5) + 20], { rtol: 1e-14 });
    expect(gy!.item()).toBeCloseTo(0.5 + 15, 13);
  });
  it("pytree primals: the cotangent of a dict mirrors the dict", () => {
    const [, back] = vjp((p: { a: Tensor; b: Tensor }) => p.a.mul(p.b), [{ a: f64([1, 2]), b: f64([3, 4]) }]) as [Tensor, (ct: Tensor) => [{ a: Tensor; b: Tensor }]];
    const [g] = back(f64([1, 1]));
    expectClose(g.a, [3, 4]);
    expectClose(g.b, [1, 2]);
  });
  it("hasAux returns [out, vjpFn, aux]", () => {
    const [out, back, aux] = vjp((x: Tensor) => [x.mul(3), x.sum()], [f64([1, 2])], { hasAux: true }) as [Tensor, (c: Tensor) => Tensor[], Tensor];
    expectClose(out, [3, 6]);
    expect(aux.item()).toBe(3);
    expectClose(back(f64([1, 2]))[0]!, [3, 6]);
  });
  it("the vjp function can be called repeatedly", () => {
    const [, back] = vjp((x: Tensor) => x.mul(x), [f64([1, 2])]) as [Tensor, (c: Tensor) => Tensor[]];
    expectClose(back(f64([1, 0]))[0]!, [2, 0]);
    expectClose(back(f64([0, 1]))[0]!, [0, 4]);
  });
});

describe("jvp", () => {
  it("product rule with two primals", () => {
    const [out, t] = jvp((x: Tensor, y: Tensor) => x.mul(y), [f64(3), f64(4)], [f64(1), f64(10)]) as Tensor[];
    expect(out!.item()).toBe(12);
    expect(t!.item()).toBe(4 + 30);
  });
  it("pytree in and out, hasAux", () => {
    const [out, t, aux] = jvp(
      (p: { a: Tensor }) => [[np.exp(p.a), p.a.sum()], "aux-string"],
      [{ a: f64([0, 1]) }],
      [{ a: f64([1, 2]) }],
      { hasAux: true },
    ) as [[Tensor, Tensor], [Tensor, Tensor], string];
    expectClose(out[0], [1, Math.E]);
    expectClose(t[0], [1, 2 * Math.E], { rtol: 1e-14 });
    expect(t[1].item()).toBe(3);
    expect(aux).toBe("aux-string");
  });
  it("a constant output has a zero tangent", () => {
    const [, t] = jvp((_x: Tensor) => f64([1, 2]), [f64(1)], [f64(1)]) as Tensor[];
    expectClose(t!, [0, 0]);
  });
});

describe("linearize", () => {
  it("returns f(x) and a reusable jvp function equal to the jvp", () => {
    const x = f64([0.2, 0.9]);
    const [out, lin] = linearize((v: Tensor) => np.sin(v).mul(v), [x]);
    expectClose(out as Tensor, [0.2, 0.9].map((v) => Math.sin(v) * v));
    const d = (v: number) => Math.cos(v) * v + Math.sin(v);
    expectClose(lin(f64([1, 0])), [d(0.2), 0], { rtol: 1e-14 });
    expectClose(lin(f64([2, 3])), [2 * d(0.2), 3 * d(0.9)], { rtol: 1e-14 });
  });
  it("several primals and a pytree output", () => {
    const [out, lin] = linearize((a: Tensor, b: Tensor) => ({ p: a.mul(b), s: a.add(b) }), [f64(2), f64(5)]);
    expect((out as { p: Tensor }).p.item()).toBe(10);
    const t = lin(f64(1), f64(1)) as { p: Tensor; s: Tensor };
    expect(t.p.item()).toBe(7);
    expect(t.s.item()).toBe(2);
  });
});

describe("linearTranspose", () => {
  it("of x ↦ A x is ct ↦ Aᵀ ct", () => {
    const A = f64([[1, 2, 3], [4, 5, 6]]);
    const t = linearTranspose((x: Tensor) => A.matmul(x), f64([0, 0, 0]));
    const [r] = t(f64([1, 10])) as Tensor[];
    expectClose(r!, [41, 52, 63]);
  });
  it("of (x, y) ↦ 2x + 3y returns one cotangent per primal", () => {
    const t = linearTranspose((x: Tensor, y: Tensor) => x.mul(2).add(y.mul(3)), f64([0, 0]), f64([0, 0]));
    const [a, b] = t(f64([1, 2])) as Tensor[];
    expectClose(a!, [2, 4]);
    expectClose(b!, [3, 6]);
  });
  it("handles broadcasting, reductions and pytrees", () => {
    const t = linearTranspose((p: { u: Tensor; v: Tensor }) => p.u.add(p.v).sum(0), { u: f64([[0, 0], [0, 0], [0, 0]]), v: f64([0, 0]) });
    const [g] = t(f64([1, 2])) as [{ u: Tensor; v: Tensor }];
    expectClose(g.u, [[1, 2], [1, 2], [1, 2]]);
    expectClose(g.v, [3, 6]);
  });
});
