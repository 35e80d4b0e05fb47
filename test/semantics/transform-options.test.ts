// No option is silently ignored in the transforms either (issue 19): an unknown key is a
// ValueError naming it and the transform; the documented ones still work.
import { describe, expect, it } from "vitest";
import { ValueError, grad, jacfwd, jacrev, jit, jvp, lax, makeJaxpr, numpy as np, valueAndGrad, vjp, type Tensor } from "../../src/index.js";

const f = (x: Tensor) => np.sum(np.square(x));
const x = np.array([1, 2]);

describe("transforms reject unknown options", () => {
  it.each([
    ["grad", () => grad(f, { hasaux: true } as never)],
    ["valueAndGrad", () => valueAndGrad(f, { argnum: 0 } as never)],
    ["vjp", () => vjp(f, [x], { has_aux: true } as never)],
    ["jvp", () => jvp(f, [x], [x], { aux: true } as never)],
    ["jacfwd", () => jacfwd(f, { holomorphic: true } as never)],
    ["jacrev", () => jacrev(f, { argnum: 1 } as never)],
    ["jit", () => jit(f, { static_argnums: [0] } as never)],
    ["makeJaxpr", () => makeJaxpr(f, { optimised: true } as never)],
    ["lax.scan", () => lax.scan((c: Tensor, v: Tensor) => [c.add(v), c], np.array(0), x, { unroll: 2 } as never)],
  ])("%s", (api, call) => {
    expect(call).toThrow(ValueError);
    expect(call).toThrow(new RegExp(`^${api.replace(".", "\\.")}: unknown option`));
  });
  it("documented options still change the result", () => {
    expect(grad((a: Tensor, b: Tensor) => a.mul(b), { argnums: 1 })(np.array(2), np.array(3)).item()).toBe(2);
    expect(lax.scan((c: Tensor, v: Tensor) => [c.add(v), c], np.array(0), x, { reverse: true })[1].toArray()).toEqual([2, 0]);
    expect(jit((a: Tensor, n: number) => a.mul(n), { staticArgnums: [1] })(np.array(2), 3).item()).toBe(6);
  });
});
