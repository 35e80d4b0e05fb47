// Small elementwise equations of compiled programs run with their kernel resolved once
// (src/transforms/flat-op.ts). The resolved kernel must follow config.flushSubnormals and the
// elementwise mode when they change between calls of one compiled program, and give eager's bits.
import { afterEach, describe, expect, it } from "vitest";
import { config, jit, lax, numpy as np, type Tensor } from "../../src/index.js";
import { elementwiseMode, flatStats, setElementwiseMode } from "../../src/core/backend/elementwise.js";

const mode0 = elementwiseMode();
afterEach(() => {
  config.flushSubnormals(true);
  setElementwiseMode(mode0);
});

/** The same bits (NaNs included). */
function expectBits(a: Tensor, b: Tensor): void {
  const x = Array.from(a.dataSync()), y = Array.from(b.dataSync());
  expect(x.every((v, i) => Object.is(v, y[i]))).toBe(true);
}

describe("compiled small elementwise equations", () => {
  it("follow flush-to-zero switched between calls of one jitted function (jit step list and a loop body), as eager", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const tiny = dtype === "float32" ? 2 ** -70 : 2 ** -530;
      const x = np.array([1, 2, 3, -4, 5, 6, 7, 8, 9].map((v) => v * tiny), { dtype });
      const y = np.array([1, -1, 0.5, 2, 3, 0.25, 1, 1, 4].map((v) => v * tiny), { dtype });
      // a lone multiply and a fused mul·tanh·add
      const f = (x: Tensor, y: Tensor) => [np.multiply(x, y), np.add(np.multiply(x, np.tanh(y)), np.tanh(x))];
      const g = (x: Tensor, y: Tensor) => lax.scan((c: Tensor, _: Tensor) => [np.multiply(np.add(c, x), y), null], x, np.zeros([3]))[0] as Tensor;
      const jf = jit(f), jg = jit(g);
      for (const flush of [true, false, true, false]) {
        config.flushSubnormals(flush);
        const a = jf(x, y), b = f(x, y);
        a.forEach((t, i) => expectBits(t, b[i]!));
        expectBits(jg(x, y), g(x, y));
        // x·y ≈ tiny² is subnormal: flushed to 0 under flush-to-zero, kept otherwise
        expect(Array.from(a[0]!.dataSync()).some((v) => v !== 0)).toBe(!flush);
      }
    }
  });

  it("follow the elementwise mode switched between calls (Wasm kernel or JS loop for a costly call)", () => {
    const x = np.linspace(-2, 2, 64);
    const f = (x: Tensor) => np.tanh(np.multiply(x, 3));
    const jf = jit(f);
    for (const m of ["wasm", "js", "wasm"] as const) {
      setElementwiseMode(m);
      const before = flatStats.wasm;
      expectBits(jf(x), f(x));
      if (m === "js") expect(flatStats.wasm).toBe(before);
    }
  });
});
