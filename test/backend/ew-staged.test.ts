// Long fused programs (ew-staged.ts): a jitted chain of thousands of elementwise ops runs as
// staged loops and gives exactly the eager (op-by-op) bits, on the small-array path, the
// backend path (with a broadcast operand gathered first) and on a worker pool.
import { describe, expect, it } from "vitest";
import { grad, jit, makeJaxpr, numpy as np, type Tensor } from "../../src/index.js";
import { isLong } from "../../src/core/backend/ew-staged.js";
import { withPool } from "../util/pool.js";

/** Σ of sin, ×1.0001, sin, … (n ops) of x: W15 long_program's chain. */
const chain = (n: number) => (x: Tensor): Tensor => {
  let h = x;
  for (let i = 0; i < n; i++) h = i % 2 === 0 ? np.sin(h) : np.multiply(h, 1.0001);
  return np.sum(h);
};

/** d/dx of the chain per element, in float64: Π cos(h_i)·1.0001^(n/2). */
function reference(n: number, x: number): number {
  let h = x;
  let d = 1;
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) (d *= Math.cos(h)), (h = Math.sin(h));
    else (d *= 1.0001), (h *= 1.0001);
  }
  return d;
}

const bits = (t: Tensor): number[] => Array.from(t.dataSync());

describe("long fused programs", () => {
  it("a 2000-op chain (float32; float64: 600) fuses into one staged loop and equals eager bit for bit", () => {
    for (const [dtype, n] of [["float32", 2000], ["float64", 600]] as const) {
      const f = chain(n);
      const x = np.linspace(-1, 1, 64, { dtype });
      const eqns = makeJaxpr(grad(f), { optimized: true })(x).jaxpr.eqns;
      expect(eqns.filter((e) => e.prim.name === "fused").some((e) => isLong(e.params.expr as string))).toBe(true);
      const j = jit(grad(f))(x);
      expect(j.dtype).toBe(dtype);
      expect(bits(j)).toEqual(bits(grad(f)(x)));
      const want = Array.from({ length: 64 }, (_, i) => reference(n, -1 + (2 * i) / 63));
      const got = bits(j);
      const tol = dtype === "float32" ? 2e-3 : 1e-9;
      got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tol * Math.abs(want[i]!) + 1e-12));
    }
  });

  it("large operands and a broadcast one run staged on the backend path with eager's bits", () => {
    // x[3, 700] (2100 elements: past the small-array path) and b[700] broadcast along rows
    const f = (x: Tensor, b: Tensor): Tensor => {
      let h = x;
      for (let i = 0; i < 150; i++) h = i % 3 === 0 ? np.sin(h) : i % 3 === 1 ? np.add(h, b) : np.multiply(h, 0.5);
      return np.sum(h);
    };
    const x = np.reshape(np.linspace(-2, 2, 2100), [3, 700]);
    const b = np.linspace(0, 0.1, 700);
    const g = jit(grad(f, { argnums: [0, 1] }))(x, b) as Tensor[];
    const e = grad(f, { argnums: [0, 1] })(x, b) as Tensor[];
    expect(bits(g[0]!)).toEqual(bits(e[0]!));
    expect(bits(g[1]!)).toEqual(bits(e[1]!));
  });

  it("chains of different lengths built of the same stage modules each run their own stages (one driver per staged kernel)", () => {
    // a chain repeating with period 2 cuts into identical stages: these kernels share their
    // modules and differ only in how many times the driver calls them
    const x = np.linspace(-1, 1, 64);
    for (const n of [240, 264, 240, 288]) {
      const f = chain(n);
      expect(bits(jit(grad(f))(x))).toEqual(bits(grad(f)(x)));
    }
  });

  describe("on a pool of 3 threads", () => {
    withPool(3, { minNs: 0, chunkNs: 2000, adaptive: false });
    it("staged loops split between threads give the same bits", () => {
      const f = chain(200);
      const x = np.linspace(-1, 1, 3000);
      expect(bits(jit(grad(f))(x))).toEqual(bits(grad(f)(x)));
    });
  });
});
