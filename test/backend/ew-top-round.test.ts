// A float32 kernel's result is rounded by its store. An op-by-op kernel's text has no
// Math.fround at the top ("a0 * a1"), so kernelDag (ew-run.ts) adds the rounding that the store
// does anyway to a top-level + − × ÷ or √: the compiler then computes it as one float32x4
// operation instead of two float64x2 halves converted back. Checked two ways: the module is the
// one compiled for the text with the Math.fround written out, and its results are the float64
// reference's, rounded to float32 (flushing as XLA does when flushing).
import { afterEach, describe, expect, it } from "vitest";
import { config } from "../../src/index.js";
import { runFlat, wasmKernel, wasmSimd, type WasmKernel } from "../../src/core/backend/ew-run.js";
import type { ElemType } from "../../src/core/backend/ew-wasm.js";

afterEach(() => {
  config.flushSubnormals(true);
});

const MIN_NORMAL32 = 2 ** -126;
/** Float32 flush-to-zero, sign kept (the reference's DAZ/FTZ). */
const ftz = (x: number): number => (x !== 0 && Math.abs(x) < MIN_NORMAL32 ? (x < 0 ? -0 : 0) : x);

const OPS: { text: string; f: (a: number, b: number) => number }[] = [
  { text: "+", f: (a, b) => a + b },
  { text: "-", f: (a, b) => a - b },
  { text: "*", f: (a, b) => a * b },
  { text: "/", f: (a, b) => a / b },
];

/** Float32 operands with the edge cases: ±0, ±Inf, NaN, subnormals, the largest and smallest normals, products that overflow and underflow. */
function operands(n: number, seed: number): Float32Array {
  const edge = [0, -0, Infinity, -Infinity, NaN, 1e-45, -3e-39, 2 ** -126, -(2 ** -126), 3.4e38, -3.4e38, 1e-20, 1e20, 1, -1, 0.1];
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = i % 3 === 0 ? edge[(i / 3 + seed) % edge.length]! : ((s / 2147483648) * 2 - 1) * 2 ** ((s % 61) - 30);
  }
  return a;
}

const kernel = (expr: string, types: ElemType[], pattern: string): WasmKernel => {
  const k = wasmKernel(expr, types, pattern, "f32");
  if (k === null) throw new Error(`no kernel for ${expr}`);
  return k;
};

describe.skipIf(!wasmSimd)("a float32 kernel's top-level arithmetic runs in float32 lanes", () => {
  for (const flush of [true, false])
    for (const { text, f } of OPS)
      for (const pattern of ["vv", "vs", "sv"]) {
        it(`a0 ${text} a1, ${pattern}, flush ${flush}: the module of the rounded text, and the float64 reference's bits`, () => {
          config.flushSubnormals(flush);
          const k = kernel(`a0 ${text} a1`, ["f32", "f32"], pattern);
          const rounded = kernel(`Math.fround((a0) ${text} (a1))`, ["f32", "f32"], pattern);
          expect(Buffer.from(k.bytes).equals(Buffer.from(rounded.bytes)), "the same module as with Math.fround written out").toBe(true);
          const n = 8192 + 37; // a whole block and a tail
          const a = operands(pattern[0] === "s" ? 1 : n, 1);
          const b = operands(pattern[1] === "s" ? 1 : n, 7);
          const out = new Float32Array(n);
          runFlat(k, [a, b], out, 0, n);
          for (let i = 0; i < n; i++) {
            const x = pattern[0] === "s" ? a[0]! : a[i]!;
            const y = pattern[1] === "s" ? b[0]! : b[i]!;
            const want = flush ? ftz(Math.fround(f(ftz(x), ftz(y)))) : Math.fround(f(x, y));
            if (!Object.is(out[i], want)) expect(out[i], `element ${i}: ${x} ${text} ${y}`).toBe(want);
          }
        });
      }

  for (const flush of [true, false])
    it(`Math.sqrt(a0), flush ${flush}: the module of the rounded text, and the reference's bits`, () => {
      config.flushSubnormals(flush);
      const k = kernel("Math.sqrt(a0)", ["f32"], "v");
      const rounded = kernel("Math.fround(Math.sqrt(a0))", ["f32"], "v");
      expect(Buffer.from(k.bytes).equals(Buffer.from(rounded.bytes))).toBe(true);
      const a = operands(1000, 3).map(Math.abs);
      const out = new Float32Array(a.length);
      runFlat(k, [a], out, 0, a.length);
      for (let i = 0; i < a.length; i++) {
        const want = flush ? ftz(Math.fround(Math.sqrt(ftz(a[i]!)))) : Math.fround(Math.sqrt(a[i]!));
        if (!Object.is(out[i], want)) expect(out[i], `sqrt(${a[i]})`).toBe(want);
      }
    });

  it("a top-level min, a select or an operand alone is left as it was (no rounding node that would flush a bit operation)", () => {
    config.flushSubnormals(true);
    const tiny = new Float32Array([-1e-45, 3e-39, 2]);
    const out = new Float32Array(3);
    runFlat(kernel("-(a0)", ["f32"], "v"), [tiny], out, 0, 3);
    // negation is a bit operation: XLA keeps a subnormal through it, and so does the kernel
    expect([...out]).toEqual([Math.fround(1e-45), Math.fround(-3e-39), -2]);
  });
});
