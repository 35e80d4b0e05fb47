// The GEMM against naive references: every transpose combination, odd sizes, batches with
// broadcasts and offsets, both dtypes; bit-identity across row splits, block sizes, the JS and
// wasm paths (every thread imports the same gemm module, so there is no worker copy to compare).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createGemm,
  DEFAULT_GEMM_CONFIG,
  gemm,
  JS_MAX_WORK,
  relaxedSimdAvailable,
  type FloatArray,
  type GemmConfig,
  type GemmDtype,
  type GemmFn,
} from "../../src/core/backend/gemm.js";
import { GEMM_WASM_TS, generate } from "../../scripts/gen-gemm-wasm.js";

const DTYPES = ["float32", "float64"] as const;
const ctor = (d: GemmDtype) => (d === "float32" ? Float32Array : Float64Array);

/** Deterministic inputs in [-1, 1) (an LCG, so failures reproduce). */
function randomArray(d: GemmDtype, len: number, seed: number): FloatArray {
  const out = new (ctor(d))(len);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface Case {
  m: number; k: number; n: number; transA: boolean; transB: boolean;
  batch: number; aOff: number; bOff: number; cOff: number;
  aStride: number; bStride: number; cStride: number;
}

function makeCase(m: number, k: number, n: number, transA: boolean, transB: boolean, over: Partial<Case> = {}): Case {
  return { m, k, n, transA, transB, batch: 1, aOff: 0, bOff: 0, cOff: 0, aStride: m * k, bStride: k * n, cStride: m * n, ...over };
}

const aLen = (t: Case) => t.aOff + (t.batch - 1) * t.aStride + t.m * t.k;
const bLen = (t: Case) => t.bOff + (t.batch - 1) * t.bStride + t.k * t.n;
const cLen = (t: Case) => t.cOff + (t.batch - 1) * t.cStride + t.m * t.n;

/**
 * Naive triple loop in increasing p. With `round` = Math.fround it follows the float32 rules
 * (round every product and sum); with the identity it is the float64 reference. Also returns
 * Σ|a·b| per element for error bounds.
 */
function naive(t: Case, a: FloatArray, b: FloatArray, round: (x: number) => number, c: Float64Array, abs: Float64Array): void {
  for (let bi = 0; bi < t.batch; bi++) {
    const ab = t.aOff + bi * t.aStride, bb = t.bOff + bi * t.bStride, cb = t.cOff + bi * t.cStride;
    for (let i = 0; i < t.m; i++) {
      for (let j = 0; j < t.n; j++) {
        let s = 0, sa = 0;
        for (let p = 0; p < t.k; p++) {
          const x = a[ab + (t.transA ? p * t.m + i : i * t.k + p)]!;
          const y = b[bb + (t.transB ? j * t.k + p : p * t.n + j)]!;
          s = round(s + round(x * y));
          sa += Math.abs(x * y);
        }
        c[cb + i * t.n + j] = s;
        abs[cb + i * t.n + j] = sa;
      }
    }
  }
}

function run(g: GemmFn, d: GemmDtype, t: Case, a: FloatArray, b: FloatArray, c: FloatArray, r0?: number, r1?: number): void {
  g(d, a, t.aOff, t.aStride, t.transA, b, t.bOff, t.bStride, t.transB, c, t.cOff, t.cStride, t.batch, t.m, t.k, t.n, r0, r1);
}

function inputs(d: GemmDtype, t: Case, seed: number) {
  return { a: randomArray(d, aLen(t), seed), b: randomArray(d, bLen(t), seed + 1) };
}

/** Indices of C written by the call (the m×n block of every batch). */
function written(t: Case): Set<number> {
  const s = new Set<number>();
  for (let bi = 0; bi < t.batch; bi++) for (let e = 0; e < t.m * t.n; e++) s.add(t.cOff + bi * t.cStride + e);
  return s;
}

function expectBitsEqual(x: FloatArray, y: FloatArray, what: string): void {
  expect(x.length).toBe(y.length);
  for (let i = 0; i < x.length; i++) {
    if (!Object.is(x[i], y[i])) throw new Error(`${what}: element ${i} differs: ${x[i]} vs ${y[i]}`);
  }
}

/** Checks one case on `g` against the references; returns C. */
function checkCase(g: GemmFn, d: GemmDtype, t: Case, seed = 1): FloatArray {
  const { a, b } = inputs(d, t, seed);
  const c = new (ctor(d))(cLen(t)).fill(7); // 7: sentinel for elements the call must not touch
  run(g, d, t, a, b, c);
  const exact = new Float64Array(c.length), abs = new Float64Array(c.length);
  naive(t, a, b, d === "float32" ? Math.fround : (x) => x, exact, abs);
  const ref64 = d === "float32" ? new Float64Array(c.length) : exact;
  if (d === "float32") naive(t, a, b, (x) => x, ref64, abs);
  const w = written(t);
  for (let i = 0; i < c.length; i++) {
    if (!w.has(i)) {
      if (c[i] !== 7) throw new Error(`element ${i} outside C's blocks was overwritten`);
      continue;
    }
    // Same operations in the same order: bit-identical to the naive loop in the dtype's rounding.
    if (!Object.is(c[i], exact[i])) throw new Error(`${d} ${JSON.stringify(t)}: C[${i}] = ${c[i]}, naive ${exact[i]}`);
    // And within the float32 error bound of the float64 reference: |err| ≤ k·u·Σ|a·b|.
    if (d === "float32") {
      const bound = (t.k + 1) * 2 ** -24 * abs[i]! + 1e-30;
      if (!(Math.abs(c[i]! - ref64[i]!) <= bound)) throw new Error(`float32 error ${Math.abs(c[i]! - ref64[i]!)} > ${bound}`);
    }
  }
  return c;
}

const SIZES = [1, 3, 7, 17, 63, 65, 129];
const TRIPLES: [number, number, number][] = [];
for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) {
  // All triples with a small dimension, and the big ones along the diagonal-ish.
  if (m * k * n <= 17 * 65 * 129 || (m === k && k === n)) TRIPLES.push([m, k, n]);
}

/** Small blocks, so that small products run every loop of the blocked driver several times. */
const TINY_BLOCKS: GemmConfig["blocks"] = {
  float32: { kc: 8, mc: 8, nc: 16, kb: 24 },
  float64: { kc: 8, mc: 8, nc: 8, kb: 16 },
};
const NO_JS = { float32: 0, float64: 0 };
/** The exact module (no FMA): every path gives the bits of the naive loop. */
const EXACT: GemmConfig = { ...DEFAULT_GEMM_CONFIG, fma: false };
const gemmX = createGemm(EXACT);
const wasmAlways = createGemm({ ...EXACT, jsMaxWork: NO_JS });
const wasmTiny = createGemm({ ...EXACT, jsMaxWork: NO_JS, blocks: TINY_BLOCKS });
const jsOnly = createGemm({ ...EXACT, wasm: null });

describe("gemm against the naive reference", () => {
  for (const d of DTYPES) {
    it(`${d}: odd sizes, every transpose combination (default gemm)`, () => {
      for (const [m, k, n] of TRIPLES) {
        for (const transA of [false, true]) for (const transB of [false, true]) {
          checkCase(gemmX, d, makeCase(m, k, n, transA, transB), m * 10007 + k * 101 + n);
        }
      }
    });

    it(`${d}: wasm path with tiny blocks (every k chunk, column block and row block loop)`, () => {
      for (const [m, k, n] of [[1, 1, 1], [3, 7, 17], [17, 63, 65], [65, 17, 63], [33, 50, 40], [9, 100, 9]] as const) {
        for (const transA of [false, true]) for (const transB of [false, true]) {
          checkCase(wasmTiny, d, makeCase(m, k, n, transA, transB), m + k + n);
        }
      }
    });

    it(`${d}: matrix–vector products (m = 1 or n = 1) over several chunks, splits and batches`, () => {
      for (const [m, k, n] of [[1, 70000, 3], [9, 70000, 1], [1, 300, 1000], [1000, 300, 1], [1, 5000, 1], [2, 3, 1]] as const) {
        for (const transA of [false, true]) for (const transB of [false, true]) {
          checkCase(gemmX, d, makeCase(m, k, n, transA, transB), m + k + n);
        }
      }
      for (const transA of [false, true]) for (const transB of [false, true]) {
        for (const [m, k, n] of [[1, 33, 40], [37, 33, 1], [1, 7, 1]] as const) {
          checkCase(gemmX, d, makeCase(m, k, n, transA, transB, { batch: 3, aStride: 0, cOff: 1, cStride: m * n + 2 }));
          checkCase(gemmX, d, makeCase(m, k, n, transA, transB, { batch: 3, bStride: 0, aOff: 2 }));
          const t = makeCase(m, k, n, transA, transB, { batch: 2 });
          const { a, b } = inputs(d, t, 3);
          const whole = new (ctor(d))(cLen(t)), split = new (ctor(d))(cLen(t));
          run(gemmX, d, t, a, b, whole);
          for (let r = 0; r < m; r += 5) run(gemmX, d, t, a, b, split, r, Math.min(m, r + 5));
          expectBitsEqual(split, whole, "gemv row split");
        }
      }
    });

    it(`${d}: batches with broadcast (stride 0), offsets and gaps between C blocks`, () => {
      for (const g of [gemmX, wasmAlways, wasmTiny, jsOnly]) {
        for (const [m, k, n] of [[3, 5, 7], [17, 33, 9], [40, 70, 30]] as const) {
          const base = (tA: boolean, tB: boolean, o: Partial<Case>) => makeCase(m, k, n, tA, tB, { batch: 3, ...o });
          checkCase(g, d, base(false, false, { aStride: 0 }));
          checkCase(g, d, base(false, true, { bStride: 0 })); // folded into one product of 3m rows
          checkCase(g, d, base(true, false, { bStride: 0, aOff: 5, bOff: 3, cOff: 11 }));
          checkCase(g, d, base(false, true, { aStride: 0, bStride: 0, cStride: m * n + 13, cOff: 2 }));
          checkCase(g, d, base(true, true, { aStride: m * k + 4, bStride: k * n + 1, cStride: m * n + 5, aOff: 1 }));
        }
      }
    });

    it(`${d}: a larger product over several k chunks and column blocks (default blocks)`, () => {
      const big = d === "float32" ? [[9, 1100, 1030], [250, 300, 40]] : [[9, 1030, 520], [130, 300, 40]];
      for (const [m, k, n] of big as [number, number, number][]) {
        checkCase(wasmAlways, d, makeCase(m, k, n, false, false), 3);
        checkCase(wasmAlways, d, makeCase(m, k, n, true, true), 4);
      }
    });
  }
});

describe("gemm bit-identity", () => {
  for (const d of DTYPES) {
    it(`${d}: rows computed in chunks [0,5), [5,m) equal the whole call`, () => {
      for (const g of [gemmX, wasmAlways, wasmTiny, jsOnly]) {
        for (const [m, k, n] of [[6, 9, 13], [17, 63, 65], [129, 65, 63], [250, 40, 20]] as const) {
          for (const transA of [false, true]) for (const transB of [false, true]) {
            const t = makeCase(m, k, n, transA, transB, { batch: 2, bStride: 0 });
            const { a, b } = inputs(d, t, m + n);
            const whole = new (ctor(d))(cLen(t)), split = new (ctor(d))(cLen(t));
            run(g, d, t, a, b, whole);
            run(g, d, t, a, b, split, 0, 5);
            run(g, d, t, a, b, split, 5, m);
            expectBitsEqual(split, whole, "row split");
          }
        }
      }
    });

    it(`${d}: any row split, any blocks, JS or wasm: the same bits (property)`, () => {
      const dim = fc.integer({ min: 1, max: 40 });
      fc.assert(
        fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 3 }),
          fc.array(fc.integer({ min: 1, max: 39 }), { maxLength: 4 }), fc.integer(),
          (m, k, n, transA, transB, batch, cuts, seed) => {
            const t = makeCase(m, k, n, transA, transB, { batch });
            const { a, b } = inputs(d, t, seed);
            const ref = new (ctor(d))(cLen(t));
            run(jsOnly, d, t, a, b, ref);
            for (const g of [gemmX, wasmAlways, wasmTiny]) {
              const c = new (ctor(d))(cLen(t));
              const bounds = [0, ...cuts.filter((x) => x < m).sort((x, y) => x - y), m];
              for (let i = 0; i + 1 < bounds.length; i++) run(g, d, t, a, b, c, bounds[i], bounds[i + 1]);
              expectBitsEqual(c, ref, "split/blocks/path");
            }
          }),
        { numRuns: 60 },
      );
    });

    it(`${d}: JS and wasm agree on special values (NaN, ±Infinity, ±0, subnormals)`, () => {
      const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-310, 3, -2.5, 1e30, 1e300];
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }),
          fc.array(fc.constantFrom(...specials), { minLength: 144, maxLength: 144 }),
          fc.array(fc.constantFrom(...specials), { minLength: 144, maxLength: 144 }),
          (m, k, n, xs, ys) => {
            const t = makeCase(m, k, n, false, false);
            const a = (ctor(d)).from(xs.slice(0, m * k)), b = (ctor(d)).from(ys.slice(0, k * n));
            const c1 = new (ctor(d))(m * n), c2 = new (ctor(d))(m * n);
            run(jsOnly, d, t, a, b, c1);
            run(wasmAlways, d, t, a, b, c2);
            expectBitsEqual(c2, c1, "special values");
          }),
        { numRuns: 100 },
      );
    });
  }
});

describe("gemm edges and errors", () => {
  it("k = 0 writes zeros into the rows asked for; empty calls do nothing", () => {
    const c = new Float32Array(12).fill(5);
    gemm("float32", new Float32Array(0), 0, 0, false, new Float32Array(0), 0, 0, false, c, 0, 6, 2, 3, 0, 2, 1, 3);
    expect([...c]).toEqual([5, 5, 0, 0, 0, 0, 5, 5, 0, 0, 0, 0]);
    gemm("float32", new Float32Array(0), 0, 0, false, new Float32Array(0), 0, 0, false, c, 0, 0, 0, 3, 3, 2);
    gemm("float32", new Float32Array(9), 0, 0, false, new Float32Array(9), 0, 0, false, c, 0, 0, 1, 3, 3, 3, 2, 2);
    expect(c[0]).toBe(5);
  });

  it("rejects mismatched arrays and out-of-range operands", () => {
    const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(4);
    expect(() => gemm("float64", a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, 2, 3, 2)).toThrow(TypeError);
    expect(() => gemm("float32", a, 1, 0, false, b, 0, 0, false, c, 0, 0, 1, 2, 3, 2)).toThrow(/a needs elements \[1, 7\)/);
    expect(() => gemm("float32", a, 0, 0, false, b, 0, 0, false, c, 0, 4, 2, 2, 3, 2)).toThrow(RangeError);
    expect(() => gemm("float32", a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, 2, 3, 2, 0, 3)).toThrow(/rows/);
    expect(() => gemm("float32", a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, 2, 1.5, 2)).toThrow(/integers/);
    expect(() => gemm("float32", a, 0.5, 0, false, b, 0, 0, false, c, 0, 0, 1, 2, 3, 2)).toThrow(RangeError);
  });

  it("products at the JS_MAX_WORK threshold give the same bits on both paths", () => {
    expect(JS_MAX_WORK.float32).toBeGreaterThan(0);
    for (const d of DTYPES) {
      const t = makeCase(4, 4, 4, false, false);
      const { a, b } = inputs(d, t, 9);
      const c1 = new (ctor(d))(16), c2 = new (ctor(d))(16);
      run(gemmX, d, t, a, b, c1);
      run(wasmAlways, d, t, a, b, c2);
      expectBitsEqual(c1, c2, "js vs wasm");
    }
  });
});

describe("gemm with relaxed-SIMD FMA (optional)", () => {
  it("fma: true without relaxed SIMD falls back to the exact module", () => {
    if (relaxedSimdAvailable()) return; // started with the flag: nothing to fall back from
    const g = createGemm({ ...DEFAULT_GEMM_CONFIG, fma: true, jsMaxWork: NO_JS });
    for (const d of DTYPES) checkCase(g, d, makeCase(17, 63, 65, false, true), 2);
  });

  it("with --experimental-wasm-relaxed-simd the FMA module is used and stays accurate", () => {
    const script = `
      import { createGemm, DEFAULT_GEMM_CONFIG } from "./src/core/backend/gemm.ts";
      const g = createGemm({ ...DEFAULT_GEMM_CONFIG, fma: true, jsMaxWork: { float32: 0, float64: 0 } });
      const plain = createGemm({ ...DEFAULT_GEMM_CONFIG, fma: false, jsMaxWork: { float32: 0, float64: 0 } });
      const out = { fmaValid: WebAssembly.validate(Buffer.from(DEFAULT_GEMM_CONFIG.wasmFma, "base64")) };
      for (const d of ["float32", "float64"]) {
        const C = d === "float32" ? Float32Array : Float64Array, m = 67, k = 129, n = 45;
        let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1);
        const a = C.from({ length: m * k }, rnd), b = C.from({ length: k * n }, rnd);
        const c = new C(m * n), c0 = new C(m * n), split = new C(m * n);
        g(d, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, m, k, n);
        g(d, a, 0, 0, false, b, 0, 0, false, split, 0, 0, 1, m, k, n, 0, 5);
        g(d, a, 0, 0, false, b, 0, 0, false, split, 0, 0, 1, m, k, n, 5, m);
        plain(d, a, 0, 0, false, b, 0, 0, false, c0, 0, 0, 1, m, k, n);
        let err = 0, diff = 0, splitSame = true;
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          let r = 0, ab = 0;
          for (let p = 0; p < k; p++) { r += a[i * k + p] * b[p * n + j]; ab += Math.abs(a[i * k + p] * b[p * n + j]); }
          err = Math.max(err, Math.abs(c[i * n + j] - r) / ab);
          if (c[i * n + j] !== c0[i * n + j]) diff++;
          if (!Object.is(c[i * n + j], split[i * n + j])) splitSame = false;
        }
        out[d] = { err, diff, splitSame };
      }
      console.log(JSON.stringify(out));`;
    // Node 22+ validates relaxed SIMD by default and rejects the flag ("bad option"); Node 20 needs it.
    const flag = relaxedSimdAvailable() ? [] : ["--experimental-wasm-relaxed-simd"];
    const res = JSON.parse(
      execFileSync(process.execPath, [...flag, "--import", "tsx", "--input-type=module", "-e", script], {
        encoding: "utf8",
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        timeout: 60_000,
      }),
    ) as Record<GemmDtype, { err: number; diff: number; splitSame: boolean }> & { fmaValid: boolean };
    expect(res.fmaValid).toBe(true); // the child really ran the relaxed-SIMD module, not the fallback
    for (const d of DTYPES) {
      expect(res[d].err).toBeLessThan((129 + 1) * (d === "float32" ? 2 ** -24 : 2 ** -53));
      // (res[d].diff counts elements that round differently from mul+add: > 0 where the CPU fuses.)
      expect(res[d].splitSame).toBe(true); // but row splits still give the same bits
    }
  });
});

describe("gemm with FMA (the default where relaxed SIMD runs)", () => {
  const fmaOn = relaxedSimdAvailable() && DEFAULT_GEMM_CONFIG.fma;
  const FMA: GemmConfig = { ...DEFAULT_GEMM_CONFIG, fma: true };
  const fmaAlways = createGemm({ ...FMA, jsMaxWork: NO_JS });
  const fmaTiny = createGemm({ ...FMA, jsMaxWork: NO_JS, blocks: TINY_BLOCKS });

  it("is on by default on this engine (Node 20 gets --experimental-wasm-relaxed-simd at run time)", () => {
    const canFlag = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === "function";
    if (process.env["TAPIR_GEMM_FMA"] === "0" || !canFlag) return;
    expect(relaxedSimdAvailable()).toBe(true);
    expect(DEFAULT_GEMM_CONFIG.fma).toBe(true);
  });

  /** |C − float64 reference| ≤ (k + 1)·u·Σ|a·b| for every element, every transpose combination. */
  function checkAccurate(g: GemmFn, d: GemmDtype, t: Case, seed: number): FloatArray {
    const { a, b } = inputs(d, t, seed);
    const c = new (ctor(d))(cLen(t)).fill(7);
    run(g, d, t, a, b, c);
    const ref = new Float64Array(c.length), abs = new Float64Array(c.length);
    naive(t, a, b, (x) => x, ref, abs);
    const u = d === "float32" ? 2 ** -24 : 2 ** -53;
    const w = written(t);
    for (let i = 0; i < c.length; i++) {
      if (!w.has(i)) {
        if (c[i] !== 7) throw new Error(`element ${i} outside C's blocks was overwritten`);
        continue;
      }
      const bound = (t.k + 1) * u * abs[i]! + 1e-300;
      if (!(Math.abs(c[i]! - ref[i]!) <= bound)) throw new Error(`${d} ${JSON.stringify(t)}: C[${i}] = ${c[i]}, float64 ${ref[i]}, bound ${bound}`);
    }
    return c;
  }

  for (const d of DTYPES) {
    it(`${d}: within the error bound of a float64 reference: odd and edge shapes (m = 1, n = 1, k = 1), tiny blocks, batches`, () => {
      if (!fmaOn) return;
      const shapes: [number, number, number][] = [[1, 1, 1], [1, 7, 1], [1, 33, 40], [37, 33, 1], [3, 1, 17], [17, 63, 65], [65, 17, 63], [9, 300, 9], [33, 50, 40]];
      for (const [m, k, n] of shapes) {
        for (const transA of [false, true]) for (const transB of [false, true]) {
          checkAccurate(fmaAlways, d, makeCase(m, k, n, transA, transB), m + k + n);
          checkAccurate(fmaTiny, d, makeCase(m, k, n, transA, transB, { batch: 2, bStride: 0, cOff: 1 }), m * k + n);
        }
      }
    });

    it(`${d}: row splits and block sizes give the same bits (property)`, () => {
      if (!fmaOn) return;
      const dim = fc.integer({ min: 1, max: 40 });
      fc.assert(
        fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 3 }),
          fc.array(fc.integer({ min: 1, max: 39 }), { maxLength: 4 }), fc.integer(),
          (m, k, n, transA, transB, batch, cuts, seed) => {
            const t = makeCase(m, k, n, transA, transB, { batch });
            const { a, b } = inputs(d, t, seed);
            const whole = new (ctor(d))(cLen(t));
            run(fmaAlways, d, t, a, b, whole);
            for (const g of [fmaAlways, fmaTiny]) {
              const c = new (ctor(d))(cLen(t));
              const bounds = [0, ...cuts.filter((x) => x < m).sort((x, y) => x - y), m];
              for (let i = 0; i + 1 < bounds.length; i++) run(g, d, t, a, b, c, bounds[i], bounds[i + 1]);
              expectBitsEqual(c, whole, "fma split/blocks");
            }
          }),
        { numRuns: 40 },
      );
    });
  }
});

describe("the generated wasm module", () => {
  it("is up to date with scripts/gemm-kernels.ts", () => {
    expect(readFileSync(GEMM_WASM_TS, "utf8") === generate()).toBe(true);
  });
});
