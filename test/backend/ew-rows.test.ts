// Row operands (ew-run.ts Staging.Row, ew-wasm.ts pattern "r"): a column broadcast along the
// rows is staged one value per row, which the kernel loads and splats once per row, with the work
// that reads only it and scalars, before that row's steps (the last of which runs into the next
// row). Checked bit for bit against the JS
// loops (the reference path: plain strided loops over the same expression), against the kernel
// with every column filled across its rows (setRowSplat(false)), flush on and off, over inner
// sizes the kernel takes (from ROW_MIN: rows that end mid-step, rows straddling the
// 8192-element blocks, a row longer than a block) and ones it leaves to the fill (1, 3, 4, 5),
// float, int32 and bool columns, whole and split into row ranges the way threads split them,
// and on a pool of threads.
import { afterEach, describe, expect, it } from "vitest";
import { config } from "../../src/index.js";
import { backend, cpuBackend } from "../../src/core/backend/index.js";
import { setElementwiseMode } from "../../src/core/backend/elementwise.js";
import { runStrided, setRowSplat, stridedPattern, wasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { ROW_MIN, type ElemType } from "../../src/core/backend/ew-wasm.js";
import { withPool } from "../util/pool.js";

afterEach(() => {
  setElementwiseMode("wasm");
  setRowSplat(true);
  config.flushSubnormals(true);
});

// out = select(a1 ≥ 0, (a0·a1 + a2)·a1, a1): the column read by arithmetic (flushed when flushing) and by a select (kept as is)
const F32 = "const t0 = Math.fround((a0) * (a1)); const t1 = Math.fround((t0) + (a2)); const t2 = Math.fround((t1) * (a1)); const t3 = ((a1) >= ((0)) ? 1 : 0); const t4 = ((t3) ? (t2) : (a1)); t4";
const F64 = "const t0 = (a0) * (a1); const t1 = (t0) + (a2); const t2 = (t1) * (a1); const t3 = ((a1) >= ((0)) ? 1 : 0); const t4 = ((t3) ? (t2) : (a1)); t4";
// out = a0·a1 + a2: the column read by arithmetic only
const MUL32 = "const t0 = Math.fround((a0) * (a1)); const t1 = Math.fround((t0) + (a2)); t1";
const MUL64 = "const t0 = (a0) * (a1); const t1 = (t0) + (a2); t1";

type Arr = Float32Array | Float64Array;
type Ctor = new (n: number) => Arr;
/** Deterministic values (an LCG) with subnormals, ±0, ±Inf and NaN among them. */
function values(C: Ctor, n: number, seed: number): Arr {
  const tiny = C === Float32Array ? 2 ** -130 : 2 ** -1030;
  const special = [tiny, -tiny, 0, -0, Infinity, NaN, -3 * tiny];
  let s = seed >>> 0;
  const a = new C(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = i % 11 === 5 ? special[(s >>> 8) % special.length]! : (s / 2 ** 32 - 0.5) * 8;
  }
  return a;
}

/** Operands over [outer, inner]: a0 laid out as the output, a1 a column (one value per row), a2 a row broadcast over the rows. */
function operands(C: Ctor, outer: number, inner: number, seed: number) {
  return [
    { data: values(C, outer * inner, seed), strides: [inner, 1] },
    { data: values(C, outer, seed + 1), strides: [1, 0] },
    { data: values(C, inner, seed + 2), strides: [0, 1] },
  ];
}

function run(expr: string, ins: ReturnType<typeof operands>, shape: number[], C: Ctor, mode: "wasm" | "js", splat = true): Arr {
  setElementwiseMode(mode);
  setRowSplat(splat);
  const out = new C(shape[0]! * shape[1]!).fill(NaN);
  cpuBackend.elementwise(expr, ins, shape, out);
  setElementwiseMode("wasm");
  setRowSplat(true);
  return out;
}

/** The first index where a and b differ (Object.is), or -1. */
function firstDiff(a: Arr, b: Arr): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : a.length;
}

describe.skipIf(!wasmSimd)("row operands: the kernel splats one value per row", () => {
  it("the pattern marks float columns along rows the kernel steps through, and nothing else", () => {
    const strides = (inner: number) => Int32Array.of(inner, 1, 1, 0, 0, 1, 0, 0);
    const p = (inner: number, types: ElemType[] = ["f32", "f32", "f32", "f32"]) => stridedPattern(strides(inner), Int32Array.of(7, inner), types);
    expect(ROW_MIN).toBe(16);
    expect(p(32)).toBe("vrvs");
    expect(p(17)).toBe("vrvs");
    expect(p(16)).toBe("vrvs");
    expect(p(15)).toBe("vvvs");
    expect(p(4)).toBe("vvvs");
    expect(p(32, ["f32", "u8", "f64", "i32"])).toBe("vrvs");
    setRowSplat(false);
    expect(p(32)).toBe("vvvs");
  });

  const shapes = [
    [37, 1],
    [41, 3],
    [29, 4],
    [23, 5],
    [13, 16],
    [50, 17], // every row's last step computes one element of it and 15 of the next row
    [450, 20], // rows end mid-step and straddle blocks
    [300, 32],
    [200, 48], // rows straddle blocks (8192 = 170·48 + 32)
    [33, 512],
    [3, 8200], // a row longer than a block
  ];
  for (const [dtype, C, exprs] of [["float32", Float32Array, [F32, MUL32]], ["float64", Float64Array, [F64, MUL64]]] as const)
    for (const flush of [true, false])
      it(`${dtype}, flush ${flush ? "on" : "off"}: the JS loops' bits and the filled columns' bits, over inner sizes 1 … 8200`, () => {
        config.flushSubnormals(flush);
        for (const expr of exprs)
          for (const shape of shapes) {
            const ins = operands(C, shape[0]!, shape[1]!, shape[0]! * 7 + shape[1]!);
            const js = run(expr, ins, shape, C, "js");
            const splat = run(expr, ins, shape, C, "wasm");
            const filled = run(expr, ins, shape, C, "wasm", false);
            expect(firstDiff(splat, js), `[${shape}] Wasm with row operands vs JS`).toBe(-1);
            expect(firstDiff(filled, js), `[${shape}] Wasm with filled columns vs JS`).toBe(-1);
          }
      });

  it("work that reads only the row's value and scalars runs once per row (hoisted): the JS loops' bits, flush on and off", () => {
    // exp(a1·a2) per row, a2 a scalar (subnormal or not); + a0 per element
    const expr = "const t0 = Math.fround((a1) * (a2)); const t1 = Math.fround(Math.exp((t0))); const t2 = Math.fround((a0) + (t1)); t2";
    for (const flush of [true, false])
      for (const c of [0.75, 2 ** -130, -(2 ** -130)]) {
        config.flushSubnormals(flush);
        const ins = [...operands(Float32Array, 130, 100, 11).slice(0, 2), { data: Float32Array.of(c), strides: [0, 0] }];
        const js = run(expr, ins, [130, 100], Float32Array, "js");
        expect(firstDiff(run(expr, ins, [130, 100], Float32Array, "wasm"), js), `flush ${flush}, scalar ${c}`).toBe(-1);
      }
  });

  it("int32 and bool columns: the JS loops' bits", () => {
    const [outer, inner] = [300, 20];
    const x = values(Float32Array, outer * inner, 3);
    const i32 = Int32Array.from({ length: outer }, (_, r) => ((r * 37) % 11) - 5);
    const u8 = Uint8Array.from({ length: outer }, (_, r) => (r % 3 === 0 ? 1 : 0));
    const expr = "const t0 = Math.fround((a0) * (a1)); const t1 = ((a2) ? (t0) : (a0)); t1";
    const ins = [
      { data: x, strides: [inner, 1] },
      { data: i32, strides: [1, 0] },
      { data: u8, strides: [1, 0] },
    ];
    expect(stridedPattern(Int32Array.of(inner, 1, 1, 0, 1, 0), Int32Array.of(outer, inner), ["f32", "i32", "u8"])).toBe("vrr");
    const outOf = (mode: "wasm" | "js") => {
      setElementwiseMode(mode);
      const out = new Float32Array(outer * inner).fill(NaN);
      cpuBackend.elementwise(expr, ins, [outer, inner], out);
      setElementwiseMode("wasm");
      return out;
    };
    expect(firstDiff(outOf("wasm"), outOf("js"))).toBe(-1);
  });

  it("split into row ranges (as threads split them) each range gives the whole run's bits", () => {
    for (const shape of [[50, 17], [450, 20], [200, 48], [3, 8200]]) {
      const [outer, inner] = shape as [number, number];
      const ins = operands(Float32Array, outer, inner, 5);
      const want = run(F32, ins, shape, Float32Array, "js");
      const shp = Int32Array.from(shape);
      const strides = Int32Array.from(ins.flatMap((o) => o.strides));
      const pattern = stridedPattern(strides, shp, ["f32", "f32", "f32"]);
      expect(pattern).toBe("vrv");
      const k = wasmKernel(F32, ["f32", "f32", "f32"], pattern, "f32")!;
      for (const pieces of [3, 7]) {
        const out = new Float32Array(want.length).fill(NaN);
        for (let p = 0; p < pieces; p++) {
          const r0 = Math.floor((outer * p) / pieces), r1 = Math.floor((outer * (p + 1)) / pieces);
          if (r1 > r0) runStrided(k, ins.map((o) => o.data), strides, shp, out, r0, r1);
        }
        expect(firstDiff(out, want), `[${shape}] in ${pieces} pieces`).toBe(-1);
      }
    }
  });

  describe("on a pool of threads", () => {
    const pool = withPool(3, { minNs: 0, chunkNs: 2000, adaptive: false });
    it("a pooled run gives the 1-thread bits", () => {
      const shared = (a: Arr): Float32Array => {
        const s = new Float32Array(new SharedArrayBuffer(4 * a.length));
        s.set(a);
        return s;
      };
      const ins = operands(Float32Array, 450, 20, 9).map((o) => ({ data: shared(o.data), strides: o.strides }));
      const single = new Float32Array(450 * 20);
      cpuBackend.elementwise(F32, ins, [450, 20], single);
      const before = pool().stats.jobs - pool().stats.inlineJobs;
      const pooled = shared(new Float32Array(450 * 20));
      backend().elementwise(F32, ins, [450, 20], pooled);
      expect(pool().stats.jobs - pool().stats.inlineJobs - before, "jobs ran on the pool").toBeGreaterThan(0);
      expect(firstDiff(pooled, single)).toBe(-1);
      expect(firstDiff(pooled, run(F32, ins, [450, 20], Float32Array, "js"))).toBe(-1);
    });
  });
});
