// Small elementwise equations of compiled programs run with their kernel resolved once
// (src/transforms/flat-op.ts). The resolved kernel must follow config.flushSubnormals and the
// elementwise mode when they change between calls of one compiled program, and give eager's bits.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { config, grad, jit, lax, makeJaxpr, numpy as np, type Tensor } from "../../src/index.js";
import { elementwiseMode, flatStats, setElementwiseMode, tiering } from "../../src/core/backend/elementwise.js";
import { wasmSimd } from "../../src/core/backend/ew-run.js";
import { backend } from "../../src/core/backend/index.js";
import { memberStats } from "../../src/transforms/flat-op.js";

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

describe("a long fused group of small arrays", () => {
  // the suite compiles kernels on their first call (vitest.config.ts); the tiering a user gets here
  const saved = tiering.calls;
  beforeAll(() => void (tiering.calls = 1));
  afterAll(() => void (tiering.calls = saved));
  // a chain of 3·n ops whose gradient fuses into one group of hundreds of statements, forward
  // values read again far down the backward part (so an intermediate freed too early would be
  // overwritten before its last read), and a one-element constant the fusion takes as a literal
  const chain = (c: Tensor, n: number) => (x: Tensor) => {
    let v = x;
    for (let k = 0; k < n; k++) v = np.add(np.cos(np.multiply(np.sin(v), c)), np.multiply(v, 0.5));
    return np.sum(v);
  };

  it("runs its members one by one on the first call, with the fused kernel's bits and eager's, then its fused Wasm kernel at once", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const flush of [true, false]) {
        config.flushSubnormals(flush);
        const c = np.array([1.0001], { dtype });
        const x = np.array(Array.from({ length: 64 }, (_, i) => Math.sin(i) * 2 + (i === 5 ? 2 ** -140 : 0)), { dtype });
        const f = grad(chain(c, 40));
        const eager = f(x);
        const jf = jit(f);
        const fusedStatements = makeJaxpr(f, { optimized: true })(x).jaxpr.eqns.map((e) => ((e.params as { expr?: string }).expr ?? "").split("\n").length - 1);
        const runs = memberStats.runs, released = backend().arenaStats().smallReleased;
        const first = jf(x);
        const releasedNow = backend().arenaStats().smallReleased - released;
        expectBits(first, eager);
        if (!wasmSimd) continue;
        expect(memberStats.runs - runs, `${dtype} flush ${flush}: first call member by member`).toBe(1);
        // one fused group of hundreds of members; every member's output but the group's own goes
        // back to the arena once, after its last read
        expect(fusedStatements.length).toBe(1);
        expect(fusedStatements[0]).toBeGreaterThan(200);
        expect(releasedNow).toBe(fusedStatements[0]! - 1);
        const wasm = flatStats.wasm;
        expectBits(jf(x), eager);
        expect(memberStats.runs - runs, "the second call runs the fused kernel").toBe(1);
        expect(flatStats.wasm - wasm, "the fused group's Wasm kernel on the second call").toBeGreaterThan(0);
        expectBits(jf(x), eager);
      }
    }
  });

  it("runs its fused kernel from the first call where another program already compiled it, and where its arrays are large", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const c = np.array([1.0001], { dtype });
      const x = np.array(Array.from({ length: 64 }, (_, i) => Math.cos(i) * 3), { dtype });
      const f = grad(chain(c, 30));
      const eager = f(x);
      const jf = jit(f);
      expectBits(jf(x), eager);
      expectBits(jf(x), eager);
      const runs = memberStats.runs;
      // a new jit of the same function: a new program whose group's Wasm kernel is compiled already
      expectBits(jit(f)(x), eager);
      if (wasmSimd) expect(memberStats.runs, `${dtype}: the compiled kernel, not the members`).toBe(runs);
      // 2048 elements: past the small-array path, the group runs as one planned kernel
      const big = np.array(Array.from({ length: 2048 }, (_, i) => Math.sin(i) * 3), { dtype });
      expectBits(jit(f)(big), f(big));
      expect(memberStats.runs).toBe(runs);
    }
  });

  it("runs its fused kernel from the first call where kernels compile at once (tiering.calls 0), with the same bits", () => {
    tiering.calls = 0;
    try {
      const c = np.array([0.75]);
      const x = np.linspace(-3, 3, 64);
      const f = grad(chain(c, 30));
      const runs = memberStats.runs;
      expectBits(jit(f)(x), f(x));
      expect(memberStats.runs).toBe(runs);
    } finally {
      tiering.calls = 1;
    }
  });
});
