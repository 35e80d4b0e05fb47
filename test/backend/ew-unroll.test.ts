// How many groups of four a kernel's loop step computes (ew-wasm.ts "auto"): UNROLL32 where
// every per-element value is a float32 (f32x4 lanes, m32 masks) and no operand is a row's,
// UNROLL otherwise (float64 halves take two registers each and spill with more groups). Checked
// on the modules themselves (the auto module is the one compiled with that count), on the
// regions' slack (a step may run 4·u − 1 elements past n), and on the results at every tail.
import { describe, expect, it } from "vitest";
import { kernelDag, runFlat, wasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { compileMulti, SLACK, UNROLL, UNROLL32, type ElemType } from "../../src/core/backend/ew-wasm.js";
import { flushKinds } from "../../src/core/backend/ew-flush.js";

const bytesOf = (expr: string, ins: ElemType[], pattern: string, unroll: number | "auto"): Buffer => {
  const d = kernelDag(expr, true, true, flushKinds("f32", ins));
  return Buffer.from(compileMulti(d.b, [d.root], ["f32"], ins, pattern, "regions", unroll).bytes);
};

describe.skipIf(!wasmSimd)("the unroll of a kernel's loop", () => {
  it("a step of the larger unroll still ends within the regions' slack", () => {
    expect(4 * Math.max(UNROLL, UNROLL32) - 1).toBeLessThanOrEqual(SLACK);
    expect(UNROLL32).toBeGreaterThan(UNROLL);
  });

  it("float32 values alone: UNROLL32 groups (exp, sin, a product, a select)", () => {
    for (const [expr, n] of [["Math.exp(a0)", 1], ["Math.sin(a0)", 1], ["a0 * a1", 2], ["const t0 = ((a0) >= ((0)) ? 1 : 0); const t1 = Math.fround(((t0) ? (a0) : (a1))); t1", 2]] as const) {
      const ins = new Array<ElemType>(n).fill("f32");
      const pattern = "v".repeat(n);
      const auto = bytesOf(expr, ins, pattern, "auto");
      expect(auto.equals(bytesOf(expr, ins, pattern, UNROLL32)), expr).toBe(true);
      expect(auto.equals(bytesOf(expr, ins, pattern, UNROLL)), expr).toBe(false);
    }
  });

  it("a float64 value (log's float64 recipe, a float64 operand) or a row operand: UNROLL groups", () => {
    for (const [expr, ins, pattern] of [["Math.log(a0)", ["f32"], "v"], ["a0 * a1", ["f32", "f64"], "vv"], ["a0 * a1", ["f32", "f32"], "vr"]] as const) {
      expect(bytesOf(expr, [...ins], pattern, "auto").equals(bytesOf(expr, [...ins], pattern, UNROLL)), `${expr} ${pattern}`).toBe(true);
    }
  });

  it("every length up to three steps and around a block, both unrolls: the same results as element by element", () => {
    for (const expr of ["Math.exp(a0)", "Math.log(a0)"]) {
      const k = wasmKernel(expr, ["f32"], "v", "f32")!;
      for (let n = 1; n <= 4 * UNROLL32 * 3 + 1; n++) {
        const x = Float32Array.from({ length: n }, (_, i) => 0.25 + i / 7);
        const out = new Float32Array(n + 1).fill(-7);
        runFlat(k, [x], out.subarray(0, n), 0, n);
        for (let i = 0; i < n; i++) {
          const one = new Float32Array(1);
          runFlat(k, [x.subarray(i, i + 1)], one, 0, 1);
          if (!Object.is(out[i], one[0])) expect(out[i], `${expr} n=${n} element ${i}`).toBe(one[0]);
        }
        expect(out[n], "nothing written past n").toBe(-7);
      }
    }
  });
});
