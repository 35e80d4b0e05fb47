// customJvp, customVjp, checkpoint and stopGradient: the user rule is what differentiation uses.
import { describe, expect, it } from "vitest";
import { Tensor, ValueError, checkpoint, customJvp, customVjp, grad, hessian, jacfwd, jacrev, jvp, numpy as np, stopGradient, valueAndGrad, vjp, vmap } from "../../src/index.js";
import { checkGrads, checkVmap, expectClose } from "../util/oracles.js";

const f64 = (x: number | number[] | number[][] | number[][][]) => np.array(x, { dtype: "float64" });

describe("customJvp", () => {
  // log(1 + eˣ) with the numerically safe rule σ(x)·ẋ (the naive rule gives NaN at x = 1000)
  const log1pexp = customJvp(
    (x: Tensor) => np.log(np.add(1, np.exp(x))),
    ([x], [t]) => [np.log(np.add(1, np.exp(x))), np.multiply(t, np.subtract(1, np.divide(1, np.add(1, np.exp(x)))))],
  );

  it("evaluates f and differentiates with the rule", () => {
    expect(log1pexp(f64(0)).item()).toBeCloseTo(Math.log(2), 14);
    expect(grad(log1pexp)(f64(1000)).item()).toBe(1);
    expect(grad(log1pexp)(f64(0)).item()).toBeCloseTo(0.5, 14);
  });

  it("the rule, not f, is used: a deliberately scaled rule shows up in jvp, grad and jacfwd", () => {
    const f = customJvp(
      (x: Tensor) => np.sin(x),
      ([x], [t]) => [np.sin(x), np.cos(x).mul(t).mul(2)],
    );
    const x = f64([0.2, 0.4]);
    const [, t] = jvp(f, [x], [f64([1, 1])]) as Tensor[];
    expectClose(t!, [2 * Math.cos(0.2), 2 * Math.cos(0.4)], { rtol: 1e-14 });
    expectClose(grad((v: Tensor) => f(v).sum())(x), [2 * Math.cos(0.2), 2 * Math.cos(0.4)], { rtol: 1e-14 });
    expectClose(jacfwd(f)(x) as Tensor, [[2 * Math.cos(0.2), 0], [0, 2 * Math.cos(0.4)]], { rtol: 1e-14 });
  });

  it("higher derivatives differentiate through the rule", () => {
    // rule 2·cos(x)·t ⇒ second derivative −2 sin x
    const f = customJvp(
      (x: Tensor) => np.sin(x),
      ([x], [t]) => [np.sin(x), np.cos(x).mul(t).mul(2)],
    );
    expect(grad(grad(f))(f64(0.3)).item()).toBeCloseTo(-2 * Math.sin(0.3), 14);
    checkGrads((x: Tensor) => log1pexp(x), [f64([-1, 0.5, 3])], { order: 2 });
  });

  it("several arguments and pytree outputs; works under vmap", () => {
    const f = customJvp(
      (a: Tensor, b: Tensor) => ({ p: a.mul(b) }),
      ([a, b], [ta, tb]) => [{ p: a.mul(b) }, { p: ta.mul(b).add(a.mul(tb)) }],
    );
    const [ga, gb] = grad((a: Tensor, b: Tensor) => (f(a, b) as { p: Tensor }).p.sum(), { argnums: [0, 1] })(f64([1, 2]), f64([3, 4])) as Tensor[];
    expectClose(ga!, [3, 4]);
    expectClose(gb!, [1, 2]);
    checkVmap((a: Tensor, b: Tensor) => (f(a, b) as { p: Tensor }).p, [0, null], [f64([[1, 2], [3, 4]]), f64([5, 6])]);
    const per = vmap(grad((a: Tensor) => (f(a, f64(3)) as { p: Tensor }).p))(f64([1, 2])) as Tensor;
    expectClose(per, [3, 3]);
  });
});

describe("customVjp", () => {
  // clip_gradient: identity forward, the cotangent clipped to [-1, 1] backward
  const clipGrad = customVjp(
    (x: Tensor) => x,
    (x: Tensor) => [x, null],
    (_res: null, g: Tensor) => [np.clip(g, -1, 1)],
  );

  it("the bwd rule is used: a clipped gradient", () => {
    const x = f64([0.5, -2, 3]);
    expectClose(clipGrad(x), [0.5, -2, 3]);
    expectClose(grad((v: Tensor) => clipGrad(v).mul(5).sum())(x), [1, 1, 1]);
    expectClose(grad((v: Tensor) => clipGrad(v).mul(f64([0.5, -0.2, -7])).sum())(x), [0.5, -0.2, -1]);
  });

  it("residuals flow from fwd to bwd (a pytree of tensors and plain values)", () => {
    const f = customVjp(
      (x: Tensor) => np.exp(x),
      (x: Tensor) => {
        const e = np.exp(x);
        return [e, { e, scale: 3 }];
      },
      (res: { e: Tensor; scale: number }, g: Tensor) => [res.e.mul(g).mul(res.scale)],
    );
    expectClose(grad((v: Tensor) => f(v).sum())(f64([0, 1])), [3, 3 * Math.E], { rtol: 1e-14 });
    const [out, back] = vjp(f, [f64([0, 1])]) as [Tensor, (c: Tensor) => Tensor[]];
    expectClose(out, [1, Math.E]);
    expectClose(back(f64([1, 2]))[0]!, [3, 6 * Math.E], { rtol: 1e-14 });
  });

  it("several arguments: bwd returns one cotangent per argument (null means zero)", () => {
    const f = customVjp(
      (a: Tensor, b: Tensor) => a.mul(b),
      (a: Tensor, b: Tensor) => [a.mul(b), [a, b]],
      ([a, b]: Tensor[], g: Tensor) => [g.mul(b!), null],
    );
    const [ga, gb] = grad((a: Tensor, b: Tensor) => f(a, b).sum(), { argnums: [0, 1] })(f64([1, 2]), f64([3, 4])) as Tensor[];
    expectClose(ga!, [3, 4]);
    expectClose(gb!, [0, 0]);
  });

  it("works under vmap of grad and in jacrev", () => {
    const per = vmap(grad((v: Tensor) => clipGrad(v).mul(10)))(f64([1, 2, 3])) as Tensor;
    expectClose(per, [1, 1, 1]);
    expectClose(jacrev((v: Tensor) => clipGrad(v).mul(0.5))(f64([1, 2])) as Tensor, [[0.5, 0], [0, 0.5]]);
    checkVmap((v: Tensor) => clipGrad(v).mul(2), 0, [f64([[1, 2], [3, 4]])]);
  });

  it("forward mode is an error naming the fix", () => {
    const x = f64([1, 2]);
    expect(() => jvp(clipGrad, [x], [x])).toThrow(ValueError);
    expect(() => jvp(clipGrad, [x], [x])).toThrow(/customVjp|customJvp/);
    expect(() => jacfwd(clipGrad)(x)).toThrow(ValueError);
  });

  it("forward-over-reverse (hessian) differentiates bwd through the residuals, as in JAX", () => {
    const f = customVjp(
      (x: Tensor) => np.exp(x),
      (x: Tensor) => [np.exp(x), np.exp(x)],
      (e: Tensor, g: Tensor) => [e.mul(g).mul(3)],
    );
    // grad of Σ f = 3eˣ (the rule's, not the true eˣ), so the Hessian is diag(3eˣ)
    const H = hessian((v: Tensor) => f(v).sum())(f64([0, 1])) as Tensor;
    expectClose(H, [[3, 0], [0, 3 * Math.E]], { rtol: 1e-14 });
    // the clipped gradient does not depend on x: a zero Hessian
    expectClose(hessian((v: Tensor) => clipGrad(v).sum())(f64([1, 2])) as Tensor, [[0, 0], [0, 0]]);
  });
});

describe("checkpoint", () => {
  const body = (w: Tensor, x: Tensor) => np.tanh(np.sin(x.matmul(w)).mul(2)).sum();
  const W = f64([[0.1, -0.2], [0.3, 0.4], [0.5, -0.6]]);
  const X = f64([[1, 2, 3], [0.5, -1, 0]]);

  it("same values and gradients as without", () => {
    const remat = checkpoint(body);
    expect(remat(W, X).item()).toBe(body(W, X).item());
    const [v1, g1] = valueAndGrad(body, { argnums: [0, 1] })(W, X) as [Tensor, Tensor[]];
    const [v2, g2] = valueAndGrad(remat, { argnums: [0, 1] })(W, X) as [Tensor, Tensor[]];
    expect(v2.item()).toBe(v1.item());
    g1.forEach((g, i) => expectClose(g2[i]!, g, { rtol: 1e-14, atol: 1e-15 }));
  });

  it("second derivatives, jvp and vmap through checkpoint", () => {
    const remat = checkpoint(body);
    expectClose(hessian(remat)(W, X) as Tensor, hessian(body)(W, X) as Tensor, { rtol: 1e-12, atol: 1e-14 });
    expectClose(grad(grad((x: Tensor) => checkpoint((v: Tensor) => np.sin(v).mul(v))(x)))(f64(0.7)), 2 * Math.cos(0.7) - 0.7 * Math.sin(0.7), { rtol: 1e-13 });
    checkGrads((w: Tensor) => remat(w, X), [W], { order: 2 });
    checkVmap((x: Tensor) => grad(remat)(W, x), 0, [f64([[[1, 2, 3]], [[0, 1, 0]]])]);
  });

  it("nested checkpoints", () => {
    const inner = checkpoint((x: Tensor) => np.exp(x).mul(x));
    const outer = checkpoint((x: Tensor) => inner(inner(x)).sum());
    const g = grad(outer)(f64([0.1, 0.2]));
    // d/dx h(h(x)) = h'(h(x))·h'(x), h = x eˣ, h' = (1 + x) eˣ
    const h = (v: number) => v * Math.exp(v);
    const dh = (v: number) => (1 + v) * Math.exp(v);
    expectClose(g, [0.1, 0.2].map((v) => dh(h(v)) * dh(v)), { rtol: 1e-13 });
  });
});

describe("stopGradient", () => {
  it("d/dx x·sg(x) = sg(x); the value is unchanged", () => {
    expect(grad((x: Tensor) => x.mul(stopGradient(x)))(f64(3)).item()).toBe(3);
    expect(stopGradient(f64(3)).item()).toBe(3);
  });
  it("over a pytree", () => {
    const f = (p: { a: Tensor; b: Tensor[] }) => {
      const s = stopGradient(p) as { a: Tensor; b: Tensor[] };
      return s.a.mul(p.a).add(s.b[0]!.mul(p.b[0]!)).sum();
    };
    const g = grad(f)({ a: f64([1, 2]), b: [f64([3, 4])] }) as { a: Tensor; b: Tensor[] };
    expectClose(g.a, [1, 2]);
    expectClose(g.b[0]!, [3, 4]);
  });
  it("blocks forward mode and higher orders too", () => {
    const [, t] = jvp((x: Tensor) => stopGradient(x.mul(x)), [f64(2)], [f64(1)]) as Tensor[];
    expect(t!.item()).toBe(0);
    expect(grad(grad((x: Tensor) => stopGradient(x).mul(x).mul(x)))(f64(2)).item()).toBe(4);
  });
});

describe("custom rules under vmap with unbatched arguments, differentiated outside", () => {
  const X = f64([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]);
  const w = f64([1, 2, 3]);
  const cj = customJvp(
    (a: Tensor, b: Tensor) => np.sin(a).mul(b),
    ([a, b], [ta, tb]) => [np.sin(a).mul(b), np.cos(a).mul(b).mul(ta).add(np.sin(a).mul(tb))],
  );
  const cv = customVjp(
    (a: Tensor, b: Tensor) => np.sin(a).mul(b),
    (a: Tensor, b: Tensor) => [np.sin(a).mul(b), [a, b]],
    ([a, b]: Tensor[], g: Tensor) => [np.cos(a!).mul(b!).mul(g), np.sin(a!).mul(g)],
  );
  // d/dw Σᵢ Σⱼ sin(Xᵢⱼ) wⱼ = Σᵢ sin(Xᵢ)
  const want = [0, 1, 2].map((j) => Math.sin(0.1 * (j + 1)) + Math.sin(0.1 * (j + 4)));
  it.each([
    ["customJvp", cj],
    ["customVjp", cv],
    ["checkpoint", checkpoint((a: Tensor, b: Tensor) => np.sin(a).mul(b))],
  ] as const)("%s: grad of a vmap that closes over the differentiated argument", (_n, f) => {
    const g = grad((b: Tensor) => (vmap((x: Tensor) => f(x, b))(X) as Tensor).sum())(w);
    expectClose(g, want, { rtol: 1e-14 });
    checkGrads((b: Tensor) => vmap((x: Tensor) => f(x, b))(X), [w], { order: 2, modes: f === cv ? ["rev"] : ["fwd", "rev"] });
    checkVmap((s: Tensor) => grad((b: Tensor) => (vmap((x: Tensor) => f(x, b.mul(s)))(X) as Tensor).sum())(w), 0, [f64([1, 2])]);
  });
});
