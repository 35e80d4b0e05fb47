// Tiering (elementwise.ts): a compiled program's small kernel runs its JS loop for its first
// `tiering.calls` calls (1 by default), an eager small-array op until its calls did TIER_WORK
// element-statements of JS, then its Wasm kernel — the same bits either way — so one-off small ops
// pay no Wasm compile; large work compiles at once. (The rest of the suite runs with tiering off:
// vitest.config.ts.) Lazy eager is off here: these tests time each op's own kernel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BORROW_CALLS, borrowStats, flatStats, setElementwiseMode, tierStats, tiering } from "../../src/core/backend/elementwise.js";
import { hasWasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { jit, numpy as np, type Tensor } from "../../src/index.js";
import { expectBitEqual } from "../util/jit-oracles.js";
import { lazy } from "../../src/core/lazy.js";

describe.skipIf(!wasmSimd)("tiering of elementwise kernels", () => {
  const saved = tiering.calls;
  const savedLazy = lazy.on;
  beforeAll(() => void ((tiering.calls = 1), (lazy.on = false)));
  afterAll(() => void ((tiering.calls = saved), (lazy.on = savedLazy)));

  it("eager: a small costly expression runs its JS loop until its calls have done TIER_WORK (200k) element-statements, then Wasm, with the same bits", () => {
    const x = np.linspace(-3, 3, 300);
    const f = (t: Tensor) => np.tanh(np.multiply(np.sin(t), 1.25)); // sin then tanh: distinct expressions for this test
    let before = flatStats.wasm;
    const first = f(x);
    expect(flatStats.wasm - before).toBe(0);
    let switched = -1;
    for (let call = 2; call <= 2000 && switched < 0; call++) {
      before = flatStats.wasm;
      const o = f(x);
      const ran = flatStats.wasm - before;
      if (ran > 0) {
        // each call runs 2 costly ops (sin, tanh: one statement over 300 elements each) and a multiply (JS)
        expect(ran).toBe(2);
        expectBitEqual(o, first, "Wasm call vs the first (JS)");
        switched = call;
      }
    }
    // 300 element-statements per call (a costly call weighs 1 on this path): the call that brings
    // an expression's JS work to 200k
    expect(switched).toBe(Math.ceil(200_000 / 300));
  });

  it("jit: a compiled program's small kernels tier up on its second call, with the same bits", () => {
    const g = jit((t: Tensor) => np.exp(np.cos(np.multiply(t, 0.7))));
    const x = np.linspace(-2, 2, 500);
    const runs: number[] = [];
    const outs: Tensor[] = [];
    for (let i = 0; i < 4; i++) {
      const before = flatStats.wasm;
      outs.push(g(x));
      runs.push(flatStats.wasm - before);
    }
    expect(runs[0]).toBe(0);
    expect(runs[1]).toBeGreaterThan(0);
    expect(runs[2]).toBeGreaterThan(0);
    expect(runs[3]).toBeGreaterThan(0);
    for (const o of outs.slice(1)) expectBitEqual(o, outs[0]!, "tiered jit call vs first");
  });

  it("jit: counted per program — another program of the same expressions takes their compiled kernels on its first call; a new expression waits for its second", () => {
    const x = np.linspace(-2, 2, 400);
    const f = (t: Tensor) => np.tanh(np.multiply(np.sin(t), 0.9));
    const g1 = jit(f);
    const first = g1(x);
    g1(x); // compiles on its second call
    const g2 = jit((t: Tensor) => f(t));
    let before = flatStats.wasm;
    expectBitEqual(g2(x), first, "a new program's first call on compiled kernels");
    expect(flatStats.wasm - before).toBeGreaterThan(0);
    const g3 = jit((t: Tensor) => np.exp(np.multiply(t, 0.123)));
    before = flatStats.wasm;
    const e1 = g3(x);
    expect(flatStats.wasm - before).toBe(0);
    const e2 = g3(x);
    expect(flatStats.wasm - before).toBeGreaterThan(0);
    expectBitEqual(e2, e1, "second call (Wasm) vs first (JS)");
  });

  it("eager: an op whose kernel some call already compiled takes it on its first call, small or planned, with the bits of its JS loop", () => {
    // the Wasm kernels these reuse: compiled by calls of large work (past TIER_WORK at once)
    np.arcsinh(np.linspace(-5, 5, 300_000));
    const big = np.linspace(-1, 1, 300_000);
    np.minimum(big, np.negative(big));
    // a small costly op (the small-array path)
    const xs = np.linspace(-4, 4, 300);
    let before = flatStats.wasm;
    np.expm1(xs); // no kernel compiled for it: its JS loop
    expect(flatStats.wasm - before).toBe(0);
    const viaWasm = np.arcsinh(xs);
    expect(flatStats.wasm - before).toBeGreaterThan(0);
    // a planned op of small work (100k element-statements: its JS loop, were its kernel not compiled)
    const a = np.linspace(-2, 2, 100_000), b = np.multiply(a, -0.5);
    before = tierStats.deferred;
    const m = np.minimum(a, b);
    expect(tierStats.deferred - before).toBe(0);
    // the same bits as their JS loops (vecmath's recipes: ew-ir.ts)
    const old = setElementwiseMode("js");
    try {
      expectBitEqual(viaWasm, np.arcsinh(xs), "compiled kernel vs JS loop (small)");
      expectBitEqual(m, np.minimum(a, b), "compiled kernel vs JS loop (planned)");
    } finally {
      setElementwiseMode(old);
    }
  });

  it("a planned call with a column broadcast along the rows, or a single element, first borrows the expression's compiled whole-operand kernel, then compiles its own at once, all with the JS loop's bits", () => {
    // X[64, 300] / c[64, 1] (the column is "r": one value per row) and X / s (a single element:
    // "s"); a0 / a1 is used by no other test here
    const n = 64 * 300;
    const special = [0, -0, 1e-40, -3e-39, NaN, Infinity, -Infinity, 1.5, -2.25, 1e-38, 3e38];
    const X = np.array(Float32Array.from({ length: n }, (_, i) => (i % 13 === 5 ? special[i % special.length]! : Math.sin(i) * 3))).reshape([64, 300]);
    const c = np.array(Float32Array.from({ length: 64 }, (_, i) => special[i % special.length]! || 0.75 + i)).reshape([64, 1]);
    const t = ["f32", "f32"] as const;
    // the whole-operand kernel, compiled by an ordinary op of large work (at once: no call of the
    // expression was deferred, so after a borrowed call only the borrow rule compiles at once)
    const big = np.linspace(1, 2, 300_000);
    np.divide(big, big);
    expect(hasWasmKernel("a0 / a1", t, "vv", "f32")).toBe(true);
    expect(BORROW_CALLS).toBeGreaterThan(0);
    for (const [what, divisor, pattern] of [["column", c, "vr"], ["1e-40", np.array(Float32Array.of(1e-40)), "vs"], ["-2.5", np.array(Float32Array.of(-2.5)), "vs"]] as const) {
      const outs: Tensor[] = [];
      const borrowed: number[] = [];
      const own: boolean[] = [];
      for (let call = 0; call < BORROW_CALLS + 2; call++) {
        const before = borrowStats.calls;
        outs.push(np.divide(X, divisor));
        borrowed.push(borrowStats.calls - before);
        own.push(hasWasmKernel("a0 / a1", t, pattern, "f32"));
      }
      // borrowed for BORROW_CALLS calls with no kernel of its own compiled meanwhile; then its own, at once
      if (pattern === "vr" || what === "1e-40") {
        expect(borrowed, what).toEqual([...Array<number>(BORROW_CALLS).fill(1), 0, 0]);
        expect(own, what).toEqual([...Array<boolean>(BORROW_CALLS).fill(false), true, true]);
      } else expect(borrowed, what).toEqual([0, 0, 0]); // the layout's kernel exists by now
      const old = setElementwiseMode("js");
      try {
        const want = np.divide(X, divisor);
        outs.forEach((o, i) => expectBitEqual(o, want, `${what}: call ${i + 1} vs the JS loop`));
      } finally {
        setElementwiseMode(old);
      }
    }
  });

  it("large work compiles at once; small work of a new expression is deferred", () => {
    let before = tierStats.deferred;
    const x = np.linspace(-1, 1, 300_000);
    np.arctan(np.multiply(x, 1.5)); // 300k elements: past TIER_WORK on the first call
    expect(tierStats.deferred - before).toBe(0);
    before = tierStats.deferred;
    np.arccos(np.linspace(-1, 1, 200)); // a first small call: its JS loop
    expect(tierStats.deferred - before).toBe(1);
  });
});
