// Regressions found in the architecture review (issue 9), each pinned by the case that showed it.
import { describe, expect, it } from "vitest";
import { Tensor, grad, jacfwd, jacrev, jit, jvp, numpy as np, valueAndGrad, vjp } from "../../src/index.js";
import { ValueError } from "../../src/core/errors.js";

describe("jit equals eager on JS-number arguments, dtype included", () => {
  // a JS number is traced by jit as a weak float64 scalar; a transform inside must see it as
  // the float32 the number becomes in eager code, or float64 reaches the (non-weak) output
  it("jit(grad(np.sin))(1) is float32 cos(1), as grad(np.sin)(1)", () => {
    const eager = grad(np.sin)(1) as Tensor;
    const jitted = jit(grad(np.sin))(1) as Tensor;
    expect(eager.dtype).toBe("float32");
    expect(jitted.dtype).toBe("float32");
    expect(jitted.item()).toBeCloseTo(Math.cos(1), 6);
  });

  it("the other transforms under jit: valueAndGrad, vjp, jvp, jacfwd, jacrev", () => {
    const cube = (x: Tensor) => x.mul(x).mul(x);
    const [v, g] = jit(valueAndGrad(cube))(2) as [Tensor, Tensor];
    expect([v.dtype, g.dtype, v.item(), g.item()]).toEqual(["float32", "float32", 8, 12]);
    const ct = jit((x: number) => vjp(cube, [x])[1](np.array(1))[0])(2) as Tensor;
    expect([ct.dtype, ct.item()]).toEqual(["float32", 12]);
    const [, t] = jit((x: number) => jvp(cube, [x], [np.array(1)]))(2) as [Tensor, Tensor];
    expect([t.dtype, t.item()]).toEqual(["float32", 12]);
    for (const jac of [jacfwd, jacrev]) {
      const d = jit(jac(cube))(2) as Tensor;
      expect([d.dtype, d.item()]).toEqual(["float32", 12]);
    }
  });

  it("a number passed through nested jits stays weak (a float64 partner keeps float64)", () => {
    const inner = jit((x: Tensor | number, y: Tensor) => y.mul(x));
    const out = jit((x: number, y: Tensor) => inner(x, y))(2, np.array([1.5], { dtype: "float64" })) as Tensor;
    expect(out.dtype).toBe("float64");
    expect(out.toArray()).toEqual([3]);
  });
});

describe("errors", () => {
  it("a disposed tensor used again is a ValueError with the fix in the message", () => {
    const t = np.ones([2]);
    t.dispose();
    expect(() => t.add(1)).toThrow(ValueError);
    expect(() => t.dataSync()).toThrow(/float32\[2\]\) was disposed.*Keep it alive/);
  });
});
