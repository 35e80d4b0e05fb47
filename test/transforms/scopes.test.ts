// Memory scopes: every public transform frees its intermediates when it returns (no user-side
// disposal, no waiting for the GC); values an enclosing transform holds survive a nested scope;
// errors raised by shared interpreters name the API the user called.
import { describe, expect, it } from "vitest";
import { Tensor, grad, jacfwd, jacrev, jvp, lax, linearize, numpy as np, tidy, vjp, vmap } from "../../src/index.js";
import { backend } from "../../src/core/backend/index.js";

describe("transform scopes free intermediates eagerly", () => {
  const x = np.linspace(-1, 1, 8192).reshape([64, 128]); // 32 KiB: large, size-classed buffers
  const w = np.multiply(np.ones([128, 8]), 0.01);
  const loss = (w: Tensor) => np.mean(np.square(np.tanh(np.matmul(x, w))));
  const calls: [string, () => unknown][] = [
    ["grad", () => grad(loss)(w)],
    ["vjp", () => vjp((w: Tensor) => np.tanh(np.matmul(x, w)), [w])[1](np.ones([64, 8]))],
    ["jvp", () => jvp(loss, [w], [w])],
    ["linearize", () => linearize(loss, [w])[1](w)],
    ["vmap", () => vmap((r: Tensor) => np.tanh(np.matmul(r, w)).sum())(x)],
    ["jacrev", () => jacrev((w: Tensor) => np.tanh(np.matmul(x, w)).sum(0))(w)],
    ["jacfwd", () => jacfwd((v: Tensor) => np.tanh(np.matmul(x, v.reshape([128, 1]))).sum())(np.ones([128]))],
  ];
  for (const [name, call] of calls) {
    it(`${name}: a loop of calls creates no large buffer after warm-up (only its results are new)`, () => {
      const run = () => {
        const out = call();
        const dispose = (v: unknown): void => {
          if (v instanceof Tensor) v.dispose();
          else if (Array.isArray(v)) v.forEach(dispose);
        };
        dispose(out);
      };
      for (let i = 0; i < 20; i++) run();
      const warm = backend().arenaStats();
      for (let i = 0; i < 200; i++) run();
      expect(backend().arenaStats().created, "large buffers created after warm-up").toBe(warm.created);
    });
  }
});

describe("what the user's function makes is the user's", () => {
  it("a constant a function caches on its first call (made inside grad, vmap, jacrev) survives for later calls", () => {
    let cache: Tensor | undefined;
    const mask = () => (cache ??= np.array([1, 0, 2]));
    const f = (x: Tensor) => x.mul(mask()).sum();
    expect((grad(f)(np.ones([3])) as Tensor).toArray()).toEqual([1, 0, 2]);
    expect((grad(f)(np.ones([3])) as Tensor).toArray()).toEqual([1, 0, 2]);
    expect((vmap(f)(np.ones([2, 3])) as Tensor).toArray()).toEqual([3, 3]);
    expect((jacrev(f)(np.ones([3])) as Tensor).toArray()).toEqual([1, 0, 2]);
    expect(cache!.toArray()).toEqual([1, 0, 2]);
  });

  it("inside tidy, tidy owns it (as in eager code): freed when tidy returns unless returned", () => {
    let made: Tensor | undefined;
    const kept = tidy(() => grad((x: Tensor) => x.mul((made = np.array([2, 2, 2]))).sum())(np.ones([3])));
    expect(made!.isDisposed).toBe(true);
    expect((kept as Tensor).toArray()).toEqual([2, 2, 2]);
  });
});

describe("nested scopes", () => {
  it("an enclosing grad's tracer met inside tidy and vmap keeps its values: d/dx Σ sin(v·x) = Σ v cos(v·x)", () => {
    const f = (x: Tensor) => tidy(() => vmap((v: Tensor) => v.mul(x).sin())(np.array([1, 2, 3], { dtype: "float64" })).sum());
    const want = [1, 2, 3].reduce((a, v) => a + v * Math.cos(v * 0.3), 0);
    expect((grad(f)(np.array(0.3, { dtype: "float64" })) as Tensor).item()).toBeCloseTo(want, 12);
  });

  it("a constant made inside a nested grad and captured by the outer one: d/dx (x · g(x)) with g(x) = d/dy x·y² at y = 2", () => {
    // inner grad: 4x (its intermediates and the constant 2 are the inner scope's); outer: d/dx 4x² = 8x
    const g = (x: Tensor) => (grad((y: Tensor) => y.mul(x).mul(y))(np.array(2)) as Tensor).mul(x);
    expect((grad(g)(np.array(3)) as Tensor).item()).toBe(24);
  });

  it("vjp's and linearize's returned functions work after the call returned, repeatedly", () => {
    const f = (x: Tensor) => np.sin(x).mul(x);
    const x = np.array([0.5, 1.5], { dtype: "float64" });
    const [, back] = vjp(f, [x]);
    const [, lin] = linearize(f, [x]);
    for (let i = 0; i < 3; i++) {
      const want = [0.5, 1.5].map((v) => Math.cos(v) * v + Math.sin(v));
      (back(np.ones([2], { dtype: "float64" }))[0] as Tensor).toArray().forEach((g: number, k: number) => expect(g).toBeCloseTo(want[k]!, 14));
      (lin(np.ones([2], { dtype: "float64" })) as Tensor).toArray().forEach((g: number, k: number) => expect(g).toBeCloseTo(want[k]!, 14));
    }
  });
});

describe("errors name the API the user called", () => {
  // the transpose pass is shared by grad, vjp and jacrev; a while loop cannot be transposed
  const loop = (x: Tensor) => lax.whileLoop((c: Tensor) => c.less(3), (c: Tensor) => c.mul(x).add(1), x);
  it.each([
    ["grad", () => grad(loop)(np.array(0.5))],
    ["vjp", () => vjp(loop, [np.array(0.5)])[1](np.array(1))],
    ["jacrev", () => jacrev(loop)(np.array(0.5))],
  ])("%s", (api, call) => {
    expect(call).toThrow(new RegExp(`^${api}: reverse-mode differentiation through lax.whileLoop is not supported`));
  });
});
