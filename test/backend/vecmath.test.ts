// vecmath (the vectorised float32 exp, log, sin, …) against float64 Math.* over the whole
// float32 domain: a dense walk over all 2^32 bit patterns, random finite values, and the edge
// cases (±0, ±Inf, NaN, subnormals, overflow and underflow thresholds, near multiples of π/2,
// the largest arguments of sin/cos/tan). The Wasm kernel and the JS functions must give the same
// bits, and each value must be within MAX_ULP of Math.fn(x) rounded to float32. Then fused
// programs on the Wasm path: jit equals eager, 1 thread equals 2, Wasm equals the JS loop.
import { afterAll, describe, expect, it } from "vitest";
import { V, RECIPES } from "../../src/core/backend/vecmath.js";
import { runFlat, wasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { BLOCK } from "../../src/core/backend/ew-wasm.js";
import { flatStats, setElementwiseMode } from "../../src/core/backend/elementwise.js";
import { cpuBackend } from "../../src/core/backend/index.js";
import type { TypedArray } from "../../src/core/dtype.js";
import { config, jit, numpy as np, type Tensor } from "../../src/index.js";
import { expectBitEqual } from "../util/jit-oracles.js";
import { tuning } from "../../src/core/backend/threaded.js";

/** The bounds the docs state (docs/semantics.md): the measured worst, 2 ulp for float32-lane sin, else 1. */
const MAX_ULP: Record<string, number> = { sin: 2, cos: 2 };
const bound = (name: string): number => MAX_ULP[name] ?? 1;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number): number => ((u32[0] = b >>> 0), f32[0]!);
/** Position of a float32 on the number line (ulps from +0; -0 and +0 both 0). */
function ord(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return b & 0x80000000 ? -(b & 0x7fffffff) : b;
}
/** Ulps between two float32 values; NaN only matches NaN; ±0 must match in sign. */
function ulps(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  if (got === want) return Object.is(got, want) ? 0 : Infinity;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return Infinity;
  return Math.abs(ord(got) - ord(want));
}

/** Test inputs: a dense walk over all bit patterns, random bits, and edge cases. */
function inputs(): Float32Array {
  const xs: number[] = [];
  const STEP = 8191; // prime: the walk hits every exponent and many mantissas (~524k values)
  for (let b = 0; b < 2 ** 32; b += STEP) xs.push(fromBits(b));
  let s = 12345;
  for (let i = 0; i < 100_000; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    xs.push(((s / 2 ** 32) * 2 - 1) * 100); // moderate values, where the polynomials matter most
  }
  const edges = [0, -0, Infinity, -Infinity, NaN, 1.4e-45, -1.4e-45, 1.1754942e-38, 1.1754944e-38, 3.4028235e38, -3.4028235e38,
    1, -1, 0.5, 2, 88.72283, 88.72284, 89, -87.33655, -103.97208, -103.9721, -104, 0.34657359, -0.34657359, 20, -20, 9, 1e-8, -1e-8,
    823549, 823550, -823550, 1e6, 1e10, 1e30, 7 / 16, 11 / 16, 19 / 16, 39 / 16, Math.SQRT2, Math.SQRT1_2, 0.99999994, 1.0000001, -0.99999994];
  for (let k = -64; k <= 64; k++) for (const d of [-2, -1, 0, 1, 2]) edges.push(fromBits(u32Of((k * Math.PI) / 4) + d));
  for (const k of [102_000, 524_287, 524_288]) edges.push((k * Math.PI) / 2);
  // where |x − kπ/2| is smallest, which the range reduction must keep accurate: the float32s
  // nearest kπ/2 over the whole reduced range (252.8982 leaves the smallest |r| of all, 4.19e-9;
  // 801176.8 the largest relative error of the two-piece reduction, 4.5e-14)
  for (let k = 1; k <= 524_287; k += 97) for (const d of [-1, 0, 1]) edges.push(fromBits(u32Of((k * Math.PI) / 2) + d));
  for (const x of [252.8982, 801176.8125]) for (const d of [-2, -1, 0, 1, 2]) edges.push(fromBits(u32Of(x) + d));
  // the float32 sin/cos reduce in float32 up to |x| = 6400 (k ≤ 4075): every kπ/2 there, both
  // signs, with the worst relative error of r that scripts/trig-reduction.py finds (1248.784),
  // and both sides of the switch to Math.* per lane
  for (let k = 1; k <= 4080; k++) for (const d of [-2, -1, 0, 1, 2]) edges.push(fromBits(u32Of((k * Math.PI) / 2) + d), -fromBits(u32Of((k * Math.PI) / 2) + d));
  for (const x of [1248.7840576171875, 6400]) for (const d of [-1, 0, 1]) edges.push(fromBits(u32Of(x) + d), -fromBits(u32Of(x) + d));
  xs.push(...edges);
  return Float32Array.from(xs);
}
function u32Of(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

describe("vecmath: float32 accuracy against float64 Math.* and Wasm = JS", () => {
  const xs = inputs();
  const names = Object.keys(RECIPES);
  it("covers the functions the docs list", () => {
    expect(names.sort()).toEqual(["atan", "cos", "exp", "expm1", "log", "log1p", "sin", "tan", "tanh"]);
  });
  for (const name of names) {
    it(`${name}: within ${bound(name)} ulp over ${xs.length} float32 inputs, Wasm bit-identical to JS`, () => {
      const fn = V[name]!;
      const ref = (Math as unknown as Record<string, (x: number) => number>)[name]!;
      let worst = 0;
      let at = 0;
      const js = new Float32Array(xs.length);
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!;
        js[i] = fn(x);
        const d = ulps(js[i]!, Math.fround(ref(x)));
        if (d > worst) (worst = d), (at = x);
      }
      expect(worst, `${name}: worst ${worst} ulp at x = ${at}`).toBeLessThanOrEqual(bound(name));
      if (!wasmSimd) return;
      // the recipe itself, as V[name] computes it: without flush-to-zero (test/semantics/subnormals.test.ts)
      const flush = config.flushSubnormals();
      config.flushSubnormals(false);
      const k = wasmKernel(`Math.${name}(a0)`, ["f32"], "v", "f32");
      config.flushSubnormals(flush);
      expect(k, `${name}: compiles to Wasm`).not.toBeNull();
      const out = new Float32Array(xs.length);
      runFlat(k!, [xs], out, 0, xs.length);
      let bad = 0;
      let first = "";
      for (let i = 0; i < xs.length; i++) {
        if (!Object.is(out[i], js[i]) && !(Number.isNaN(out[i]) && Number.isNaN(js[i]))) {
          if (bad++ === 0) first = `x = ${xs[i]}: wasm ${out[i]}, js ${js[i]}`;
        }
      }
      expect(bad, `${name}: ${bad} Wasm results differ from JS (${first})`).toBe(0);
    });
  }
  it("the exact edge values: ±0 keep their sign, exp/log limits, sin/cos of huge arguments", () => {
    const f = (name: string, x: number) => Math.fround(V[name]!(x));
    for (const n of ["sin", "tan", "tanh", "atan", "expm1", "log1p"]) {
      expect(Object.is(f(n, -0), -0), `${n}(-0)`).toBe(true);
      expect(Object.is(f(n, 0), 0), `${n}(0)`).toBe(true);
    }
    expect([f("exp", Infinity), f("exp", -Infinity), f("exp", 89), f("exp", -104)]).toEqual([Infinity, 0, Infinity, Math.fround(Math.exp(-104))]);
    expect([f("log", 0), f("log", -0), f("log", -1), f("log", Infinity), f("log1p", -1), f("log1p", Infinity)]).toEqual([-Infinity, -Infinity, NaN, Infinity, -Infinity, Infinity]);
    expect([f("sin", Infinity), f("cos", -Infinity), f("tanh", Infinity), f("tanh", -Infinity), f("atan", Infinity)]).toEqual([NaN, NaN, 1, -1, Math.fround(Math.PI / 2)]);
    const big = Math.fround(1e30);
    expect(f("sin", big)).toBe(Math.fround(Math.sin(big)));
    const max = Math.fround(3.4028235e38);
    expect(f("cos", max)).toBe(Math.fround(Math.cos(max)));
    expect(f("exp", 1.4e-45)).toBe(1);
  });
});

describe("fused programs on the Wasm path", () => {
  const saved = { ...tuning };
  afterAll(() => {
    Object.assign(tuning, saved);
    config.setThreads(before);
    setElementwiseMode("wasm");
  });
  const before = config.threads();
  // 3000 elements: above the inline small-array path, so the backend kernel runs
  const n = 3000;
  const x = np.array(Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 6), { dtype: "float32" }).reshape([30, 100]);
  const y = np.array(Array.from({ length: 100 }, (_, i) => (i - 50) / 7), { dtype: "float32" });
  const f = (a: Tensor, b: Tensor): Tensor => {
    const s = np.multiply(np.exp(np.sin(a)), np.cos(b)); // b broadcast along rows
    const t = np.tanh(np.multiply(a, b));
    return np.subtract(np.add(s, t), np.log1p(np.abs(np.multiply(a, 0.5))));
  };
  const g = (a: Tensor): Tensor => np.add(np.arctan(a), np.multiply(np.expm1(np.multiply(a, 0.1)), np.tan(a)));
  it("jit equals eager bit for bit, and 1 thread equals 2 threads", () => {
    config.setThreads(1);
    const e1 = f(x, y);
    const j1 = jit(f)(x, y);
    const g1 = jit(g)(x);
    config.setThreads(2);
    // no threshold and small chunks: the 2-thread calls really split the work
    Object.assign(tuning, { minNs: 0, chunkNs: 16, adaptive: false });
    const e2 = f(x, y);
    const j2 = jit(f)(x, y);
    expectBitEqual(j1, e1, "jit vs eager");
    expectBitEqual(e2, e1, "2 threads vs 1 (eager)");
    expectBitEqual(j2, e1, "2 threads vs 1 (jit)");
    expectBitEqual(jit(g)(x), g(x), "jit vs eager (g)");
    expectBitEqual(g1, g(x), "jit 1 thread vs eager 2");
    Object.assign(tuning, saved);
  });
  it("the Wasm path equals the JS path bit for bit, and stays within 1 ulp per op of Math.*", () => {
    const w = jit(f)(x, y);
    setElementwiseMode("js");
    const j = jit(f)(x, y);
    const e = f(x, y);
    setElementwiseMode("math");
    const m = f(x, y).dataSync();
    setElementwiseMode("wasm");
    expectBitEqual(w, j, "wasm vs js (jit)");
    expectBitEqual(e, j, "js eager vs js jit");
    // against the Math.* kernels: each float32 op may move 1 ulp, the composition a few
    const got = w.dataSync();
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - m[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(m[i]!)));
  });
});

describe("the small-array path (≤ 1024 elements) runs costly math in Wasm", () => {
  const wasmRuns = () => flatStats.wasm;
  afterAll(() => setElementwiseMode("wasm"));
  it("tanh/exp/sin/pow of 8…1024 elements: the Wasm kernel runs it, and gives the JS loop's bits", () => {
    const edge = [0, -0, NaN, Infinity, -Infinity, 1e-40, -3e-39, 20, -90, 1e30];
    for (const n of [8, 13, 512, 1024]) {
      const vals = Array.from({ length: n }, (_, i) => edge[i % 23] ?? Math.sin(i * 0.71) * 9);
      const a = np.array(vals, { dtype: "float32" });
      const b = np.array(vals.map((v, i) => Math.abs(v) * 0.1 + i / n), { dtype: "float32" });
      const ops: [string, () => Tensor][] = [
        ["tanh", () => np.tanh(a)],
        ["exp", () => np.exp(a)],
        ["sin·cos", () => np.multiply(np.sin(a), np.cos(b))],
        ["pow", () => np.power(b, a)],
        ["log1p f64", () => np.log1p(np.abs(a.astype("float64")))],
      ];
      for (const [name, op] of ops) {
        const before = wasmRuns();
        const w = op();
        w.dataSync({ copy: false }); // its values exist now (under lazy eager they would wait for this read)
        if (name !== "log1p f64") expect(wasmRuns(), `${name} n=${n} ran in Wasm`).toBeGreaterThan(before);
        setElementwiseMode("js");
        const j = op();
        setElementwiseMode("wasm");
        expectBitEqual(w, j, `${name} n=${n}: wasm vs js`);
      }
    }
  });
});

describe("the Wasm kernels equal the JS loops on the primitive tables' expressions", () => {
  afterAll(() => setElementwiseMode("wasm"));
  /** Deterministic values with some ±0, NaN, ∞ and halves (an LCG). */
  function arr(t: string, n: number, seed: number): TypedArray {
    let s = seed;
    const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    if (t === "f32") return Float32Array.from({ length: n }, () => [0, -0, NaN, Infinity, 0.5, -2.5][Math.floor(r() * 40)] ?? (r() - 0.5) * 20);
    if (t === "f64") return Float64Array.from({ length: n }, () => (r() - 0.5) * 20);
    if (t === "i32") return Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 100));
    return Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
  }
  const cases: [string, string[], "f32" | "f64"][] = [
    ["(a0 ? a1 : a2)", ["u8", "f32", "f32"], "f32"],
    ["a0", ["i32"], "f32"],
    ["a0", ["u8"], "f64"],
    ["a0", ["f64"], "f32"],
    ["(a0 > a1 || a0 !== a0 ? a0 : a0 < a1 || a1 !== a1 ? a1 : a0 === 0 ? a0 + a1 : a0)", ["f32", "f32"], "f32"],
    ["(a0 < a1 || a0 !== a0 ? a0 : a0 > a1 || a1 !== a1 ? a1 : a0 === 0 ? -(-a0 - a1) : a0)", ["f64", "f64"], "f64"],
    ["(Math.abs(a0 % 1) === 0.5 ? 2 * Math.round(a0 / 2) : Math.round(a0))", ["f32"], "f32"],
    ["(a0 >= 0 ? 1 / (1 + Math.exp(-a0)) : Math.exp(a0) / (1 + Math.exp(a0)))", ["f32"], "f32"],
    ["(a0 > 0 ? 1 : a0 < 0 ? -1 : a0)", ["f32"], "f32"],
    ["a0 / a1", ["i32", "f32"], "f64"],
    ["const t0 = Math.fround(Math.tanh(a0));\nconst t1 = Math.fround(t0 * a1);\nconst t2 = Math.fround(Math.log1p(Math.abs(t1)));\nt2", ["f32", "f32"], "f32"],
    ["const t0 = Math.fround(Math.atan(a0));\nconst t1 = Math.fround(Math.tan(a1));\nconst t2 = Math.fround(Math.expm1(t0 - t1));\nt2", ["f32", "f32"], "f32"],
  ];
  it("mixed dtypes, scalar and broadcast operands, float32 and float64 outputs: the same bits", () => {
    for (const [expr, ts, ot] of cases) {
      if (wasmSimd) expect(wasmKernel(expr, ts as never, "v".repeat(ts.length), ot), expr).not.toBeNull();
      for (const layout of ["flat", "scalar", "bcast"]) {
        const shape = layout === "bcast" ? [3, 700] : [2100];
        const n = 2100;
        const ins = ts.map((t, i) => {
          if (layout === "scalar" && i === ts.length - 1) return { data: arr(t, 1, 7 + i), strides: shape.map(() => 0) };
          if (layout === "bcast" && i === 0) return { data: arr(t, 700, 7 + i), strides: [0, 1] };
          if (layout === "bcast" && i === 1) return { data: arr(t, 3, 7 + i), strides: [1, 0] };
          return { data: arr(t, n, 7 + i), strides: layout === "bcast" ? [700, 1] : [1] };
        });
        const res = (["wasm", "js"] as const).map((m) => {
          setElementwiseMode(m);
          const o = ot === "f32" ? new Float32Array(n) : new Float64Array(n);
          cpuBackend.elementwise(expr, ins, shape, o);
          return o;
        });
        let d = 0;
        for (let i = 0; i < n; i++) if (!Object.is(res[0]![i], res[1]![i]) && !(Number.isNaN(res[0]![i]) && Number.isNaN(res[1]![i]))) d++;
        expect(d, `${expr} (${layout}): ${d} elements differ`).toBe(0);
      }
    }
  });
});

describe("the unrolled Wasm loop: every length, every tail", () => {
  afterAll(() => setElementwiseMode("wasm"));
  it("lengths 1…40 and around a block edge, flat and strided, f32/f64/u8 operands: Wasm equals JS bit for bit", () => {
    const exprs: [string, string[], "f32" | "f64"][] = [
      ["const t0 = Math.fround(Math.sin(a0));\nconst t1 = Math.fround(Math.exp(t0) * a1);\nt1", ["f32", "f32"], "f32"],
      ["(a0 ? a1 * 2 : a1)", ["u8", "f64"], "f64"],
    ];
    const lens = [...Array.from({ length: 40 }, (_, i) => i + 1), BLOCK - 1, BLOCK + 1, BLOCK + 13];
    for (const [expr, ts, ot] of exprs) {
      for (const n of lens) {
        for (const strided of [false, true]) {
          // strided: a [n, 2] view read with stride 2 (every other element)
          const ins = ts.map((t, i) => {
            const len = strided ? 2 * n : n;
            const data = t === "f32" ? Float32Array.from({ length: len }, (_, k) => Math.sin(k * 1.7 + i) * 9) : t === "f64" ? Float64Array.from({ length: len }, (_, k) => Math.cos(k * 0.3 + i) * 5) : Uint8Array.from({ length: len }, (_, k) => (k * 7 + i) % 3 === 0 ? 1 : 0);
            return { data, strides: strided ? [2] : [1] };
          });
          const res = (["wasm", "js"] as const).map((m) => {
            setElementwiseMode(m);
            const o = ot === "f32" ? new Float32Array(n) : new Float64Array(n);
            cpuBackend.elementwise(expr, ins, [n], o);
            return o;
          });
          for (let i = 0; i < n; i++) if (!Object.is(res[0]![i], res[1]![i])) expect.fail(`${expr} n=${n} strided=${strided} at ${i}: ${res[0]![i]} vs ${res[1]![i]}`);
        }
      }
    }
  });
});

describe("vecmath pow and atan2: float32 accuracy over pairs, against float64 Math.*, and Wasm = JS", () => {
  /** Ulps between float32 values where ±∞ sits one ulp past the largest finite value. */
  const ulps2 = (got: number, want: number): number =>
    Number.isNaN(want) || Number.isNaN(got) ? (Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity) : got === want && !Object.is(got, want) ? Infinity : Math.abs(ord(got) - ord(want));
  // first operand: every 1048573rd bit pattern (both signs, every exponent, subnormals) and edges
  const firsts: number[] = [];
  for (let b = 0; b < 2 ** 32; b += 1048573) firsts.push(fromBits(b));
  firsts.push(0, -0, Infinity, -Infinity, NaN, 1, -1, 2, -2, 0.5, -0.5, 10, -8, 1.4e-45, -1.4e-45, 1.1754944e-38, 3.4028235e38, -3.4028235e38, 0.99999994, 1.0000001, -0.99999994);
  const seconds = [0, -0, Infinity, -Infinity, NaN, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1 / 3, 1.5, -2.5, 7, -7, 16777215, -16777215, 16777216, 1e-8, -1e-8, 1e8, 1e30, -1e30,
    127, -126, 88.5, -103.5, 1.4e-45, -1.4e-45, 3.4028235e38, -3.4028235e38, 0.99999994, 1.0000001];
  let s = 99;
  for (let i = 0; i < 24; i++) seconds.push(((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 40);
  const a = Float32Array.from(firsts.flatMap((x) => seconds.map(() => x)));
  const b = Float32Array.from(firsts.flatMap(() => seconds));
  for (const name of ["pow", "atan2"] as const) {
    it(`${name}: within 2 ulp over ${a.length} float32 pairs (±0, ±∞, NaN, subnormals, odd integers), Wasm bit-identical to JS`, () => {
      const fn = V[name]!;
      const ref = Math[name];
      const js = new Float32Array(a.length);
      let worst = 0;
      let at = "";
      for (let i = 0; i < a.length; i++) {
        js[i] = fn(a[i]!, b[i]!);
        const d = ulps2(js[i]!, Math.fround(ref(a[i]!, b[i]!)));
        if (d > worst) (worst = d), (at = `${name}(${a[i]}, ${b[i]}) = ${js[i]}, Math: ${Math.fround(ref(a[i]!, b[i]!))}`);
      }
      expect(worst, `worst ${worst} ulp: ${at}`).toBeLessThanOrEqual(2);
      if (!wasmSimd) return;
      // the recipe itself, as V[name] computes it: without flush-to-zero (test/semantics/subnormals.test.ts)
      const flush = config.flushSubnormals();
      config.flushSubnormals(false);
      const k = wasmKernel(`Math.${name}(a0, a1)`, ["f32", "f32"], "vv", "f32");
      config.flushSubnormals(flush);
      expect(k, `${name}: compiles to Wasm`).not.toBeNull();
      const out = new Float32Array(a.length);
      runFlat(k!, [a, b], out, 0, a.length);
      let bad = 0;
      for (let i = 0; i < a.length; i++) if (!Object.is(out[i], js[i]) && !(Number.isNaN(out[i]) && Number.isNaN(js[i]))) bad++;
      expect(bad, `${name}: Wasm differs from JS in ${bad} elements`).toBe(0);
    });
  }
  it("the float32 pow of the primitive (C's pow(1, y) = 1, pow(−1, ±∞) = 1) runs in Wasm and keeps exact integer powers", () => {
    const x = np.array([2, -2, 3, 1, -1, 10, 0.5, -0.5], { dtype: "float32" });
    const y = np.array([10, 3, 4, NaN, Infinity, 7, -3, 5], { dtype: "float32" });
    expect(Array.from(np.power(x, y).dataSync())).toEqual([1024, -8, 81, 1, 1, 1e7, 8, -0.03125]);
    expect(Array.from(jit((p: Tensor, q: Tensor) => np.power(p, q))(x, y).dataSync())).toEqual([1024, -8, 81, 1, 1, 1e7, 8, -0.03125]);
  });
});

describe("vecmath: no subnormal intermediates for tiny arguments", () => {
  // On x86 every float32 operation with a subnormal operand or result takes a microcode assist
  // (~100× an ordinary one), flush-to-zero or not: the recipe itself must not make one. The JS
  // version rounds each float32 step with Math.fround, so watching its results sees every step.
  const subnormalSteps = (f: (x: number) => number, x: number): number[] => {
    const fround = Math.fround;
    const seen: number[] = [];
    Math.fround = (v: number): number => {
      const r = fround(v);
      if (r !== 0 && Math.abs(r) < 2 ** -126) seen.push(r);
      return r;
    };
    try {
      f(x);
    } finally {
      Math.fround = fround;
    }
    return seen;
  };
  it("tanh of activations that have shrunk toward zero (W14 ×0.1): exactly x, no subnormal step", () => {
    for (const x of [1e-20, -3e-30, 2 ** -63, -(2 ** -64), 1e-37, 2 ** -13, -(2 ** -12.5)]) {
      expect(subnormalSteps(V.tanh!, x), `tanh(${x})`).toEqual([]);
      expect(V.tanh!(x)).toBe(Math.fround(x));
    }
  });
});
