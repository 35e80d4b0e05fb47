// exp32 with a bounded argument (vecmath.ts maxAbs): where |x| ≤ 80 is known (the result of
// sin, cos or tanh; tanh's own e^(2|x|) below 10), the recipe drops its clamps and scales by
// 2^k at once. That must give the bits of the general recipe, which eager's op-by-op exp runs on
// the same values: checked over a walk of every float32 in [-80, 80] (and NaN, ±0), in the JS
// functions and in the Wasm kernels compiled from the two DAGs, and through jit vs eager.
import { describe, expect, it } from "vitest";
import { Builder, type Node } from "../../src/core/backend/ew-ir.js";
import { exp32, jsFunction, maxAbs, recipeFor } from "../../src/core/backend/vecmath.js";
import { compileKernel } from "../../src/core/backend/ew-wasm.js";
import { runFlat, wasmSimd, type WasmKernel } from "../../src/core/backend/ew-run.js";
import { config, jit, numpy as np, type Tensor } from "../../src/index.js";
import { expectBitEqual } from "../util/jit-oracles.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number): number => ((u32[0] = b >>> 0), f32[0]!);
const bitsOf = (x: number): number => ((f32[0] = x), u32[0]!);

/** Every float32 in [-80, 80] with a prime stride over the bit patterns, the range's ends, NaN and ±0. */
function walk(): Float32Array {
  const xs: number[] = [0, -0, NaN, 80, -80, Math.fround(79.99999), 1, -1, 0.5, 2 ** -126, -(2 ** -126), 1e-45];
  const top = bitsOf(80);
  for (let b = 0; b <= top; b += 1009) xs.push(fromBits(b), fromBits(b | 0x80000000));
  return Float32Array.from(xs);
}

/** The float32 exp recipe on input 0 with the given bound, as a DAG. */
function dag(bound: number): { b: Builder; root: Node } {
  const b = new Builder();
  return { b, root: b.un("fround", exp32(b, b.input(0), bound)) };
}
const jsOf = (root: Node): ((x: number) => number) => jsFunction(root, 1);

describe("exp32 on a bounded argument", () => {
  const xs = walk();

  it("the plain form is a different, shorter DAG, and gives the general form's bits in JS", () => {
    const plain = dag(80);
    const general = dag(Infinity);
    expect(plain.b.nodes.length).toBeLessThan(general.b.nodes.length - 8);
    const p = jsOf(plain.root);
    const g = jsOf(general.root);
    for (const x of xs) {
      const [a, w] = [p(x), g(x)];
      if (!Object.is(a, w)) expect(a, `exp(${x})`).toBe(w);
    }
  });

  it.skipIf(!wasmSimd)("and in Wasm: the two kernels give the same bits, the JS functions' bits", () => {
    const kernel = (bound: number): WasmKernel => {
      const { b, root } = dag(bound);
      const { bytes, imports } = compileKernel(b, root, ["f32"], "v", "f32");
      return { key: `vecmath-bounds exp32 ${bound}`, bytes, imports, pattern: "v", types: ["f32"], out: "f32" };
    };
    const [outP, outG] = [new Float32Array(xs.length), new Float32Array(xs.length)];
    runFlat(kernel(80), [xs], outP, 0, xs.length);
    runFlat(kernel(Infinity), [xs], outG, 0, xs.length);
    const g = jsOf(dag(Infinity).root);
    for (let i = 0; i < xs.length; i++) {
      if (!Object.is(outP[i], outG[i])) expect(outP[i], `exp(${xs[i]})`).toBe(outG[i]);
      if (!Object.is(outP[i], Math.fround(g(xs[i]!)))) expect(outP[i], `exp(${xs[i]}) vs JS`).toBe(Math.fround(g(xs[i]!)));
    }
  });

  it("maxAbs: sin, cos and tanh results are within 1, through fround, negation, flushes and selects; anything else is unbounded", () => {
    const b = new Builder();
    const x = b.input(0);
    // a Math.* call before lowering is not known; the float32 recipes' results are
    expect(maxAbs(b, b.fn("sin", [x]))).toBe(Infinity);
    for (const name of ["sin", "cos", "tanh"]) {
      const r = recipeFor(name)!(b, x);
      expect(maxAbs(b, r), name).toBe(1);
      expect(maxAbs(b, b.un("neg", b.bits("ftz32", b.un("fround", r)))), `−ftz(fround(${name}))`).toBeLessThan(1.0000002);
    }
    expect(maxAbs(b, recipeFor("exp")!(b, x))).toBe(Infinity);
    expect(maxAbs(b, recipeFor("tan")!(b, x))).toBe(Infinity);
    expect(maxAbs(b, x)).toBe(Infinity);
    expect(maxAbs(b, b.c(-3))).toBe(3);
    expect(maxAbs(b, b.sel(b.cmp("lt", x, b.c(0)), b.c(2), b.un("neg", b.c(5))))).toBe(5);
    expect(maxAbs(b, b.bin("mul", b.c(2), b.c(3)))).toBe(Infinity); // arithmetic is not followed
    expect(maxAbs(b, b.c(NaN))).toBe(0);
  });
});

describe("exp of sin, cos and tanh: jit (one fused kernel, the plain exp) equals eager (op by op, the general exp)", () => {
  it("over 4096 arguments across the float32 range, flush on and off", () => {
    const vals = Array.from({ length: 4096 }, (_, i) => (i % 7 === 0 ? fromBits(i * 1048573) : Math.sin(i) * 10 ** ((i % 13) - 4)));
    const x = np.array(vals, { dtype: "float32" });
    const f = (a: Tensor): Tensor => np.add(np.multiply(np.exp(np.sin(a)), np.exp(np.cos(a))), np.tanh(a));
    for (const flush of [true, false]) {
      config.flushSubnormals(flush);
      try {
        expectBitEqual(jit(f)(x), f(x), `flush ${flush}`);
      } finally {
        config.flushSubnormals(true);
      }
    }
  });
});
