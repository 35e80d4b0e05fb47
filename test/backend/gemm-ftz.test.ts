// Flush-to-zero in the GEMM (gemm-ftz.ts): products of tiny values give JAX's (XLA's FTZ/DAZ)
// zeros by default and IEEE subnormals with config.flushSubnormals(false); the same bits for any
// thread count, row split and path, and under jit.
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { config, jit, numpy as np } from "../../src/index.js";
import { createGemm, DEFAULT_GEMM_CONFIG, gemm, type GemmDtype } from "../../src/core/backend/gemm.js";
import { Arena } from "../../src/core/backend/storage.js";

const TINY = { float32: 2 ** -126, float64: 2 ** -1022 };
const ctor = (d: GemmDtype) => (d === "float32" ? Float32Array : Float64Array);

/** Values in ±[0.5, 1.5)·scale from an LCG; `rowScale(i)` multiplies row i (of A). */
function fill(d: GemmDtype, rows: number, cols: number, scale: number, seed: number, rowScale = (_i: number) => 1) {
  const x = new (ctor(d))(rows * cols);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32 + 0.5;
    x[i] = (s & 1 ? u : -u) * scale * rowScale(Math.floor(i / cols));
  }
  return x;
}

/**
 * Float64 reference of the FTZ rule: inputs below the smallest normal count as 0; a row of A
 * whose largest |a| times B's largest |b| lies below it gives zeros (every product is then
 * subnormal, i.e. 0 under FTZ); other rows are the plain sum (compared with a tolerance).
 */
function reference(d: GemmDtype, a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, flush: boolean) {
  const t = TINY[d];
  const daz = (x: number) => (flush && Math.abs(x) < t ? 0 : x);
  let bmax = 0;
  for (let i = 0; i < k * n; i++) bmax = Math.max(bmax, Math.abs(daz(b[i]!)));
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    let amax = 0;
    for (let p = 0; p < k; p++) amax = Math.max(amax, Math.abs(daz(a[i * k + p]!)));
    if (flush && amax * bmax < t) continue;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += daz(a[i * k + p]!) * daz(b[p * n + j]!);
      c[i * n + j] = s;
    }
  }
  return c;
}

function run(d: GemmDtype, a: Float32Array | Float64Array, b: Float32Array | Float64Array, m: number, k: number, n: number, flush: boolean, r0 = 0, r1 = m) {
  const c = new (ctor(d))(m * n).fill(NaN);
  // a row split at r0..r1 and the rest: results must not depend on it
  if (r0 > 0) gemm(d, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, m, k, n, 0, r0, flush);
  gemm(d, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, m, k, n, r0, r1, flush);
  if (r1 < m) gemm(d, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, m, k, n, r1, m, flush);
  return c;
}

afterEach(() => {
  config.flushSubnormals(true);
});

describe("gemm flush-to-zero", () => {
  for (const d of ["float32", "float64"] as const) {
    const s = d === "float32" ? 2 ** -66 : 2 ** -515; // s² below the smallest normal
    // wasm (40·24·36) and plain-JS (3·4·5) paths; rows 0..3 tiny, row 4 ordinary, a subnormal input
    for (const [m, k, n] of [[40, 24, 36], [5, 4, 5]] as const) {
      it(`${d} ${m}×${k}×${n}: FTZ zeros by default, IEEE subnormals when switched off`, () => {
        const a = fill(d, m, k, s, 7, (i) => (i === 4 ? 2 ** 40 : 1));
        const b = fill(d, k, n, s, 9);
        a[m * k - 1] = TINY[d] / 4; // subnormal input
        const ftz = run(d, a, b, m, k, n, true);
        const want = reference(d, a, b, m, k, n, true);
        for (let i = 0; i < m * n; i++) {
          if (want[i] === 0) expect(ftz[i]).toBe(0);
          else expect(Math.abs(ftz[i]! - want[i]!)).toBeLessThanOrEqual(Math.abs(want[i]!) * 1e-5);
        }
        expect(ftz[0]).toBe(0);
        const ieee = run(d, a, b, m, k, n, false);
        const wantIeee = reference(d, a, b, m, k, n, false);
        let subnormal = 0;
        for (let i = 0; i < m * n; i++) {
          expect(Math.abs(ieee[i]! - wantIeee[i]!)).toBeLessThanOrEqual(Math.abs(wantIeee[i]!) * 1e-3 + TINY[d] * 2 ** -20);
          if (ieee[i] !== 0 && Math.abs(ieee[i]!) < TINY[d]) subnormal++;
        }
        expect(subnormal).toBeGreaterThan(0);
        // bit-identical for another row split (as two threads would do)
        expect(run(d, a, b, m, k, n, true, 4, m - 4)).toEqual(ftz);
      });
    }
  }

  for (const d of ["float32", "float64"] as const) {
    it(`${d}: a block whose rows all underflow is skipped, and C's partial sums survive later k chunks`, () => {
      // k = 1100 spans two k chunks (1024 each): the first 8 of k are ordinary in A and B, the rest tiny,
      // so later chunks' blocks are all dead and C must keep the first chunk's sums; a second
      // product is tiny throughout (every block dead: zeros)
      const [m, k, n] = [40, 1100, 36];
      const s = d === "float32" ? 2 ** -66 : 2 ** -515;
      const a = fill(d, m, k, s, 11);
      for (let i = 0; i < m; i++) for (let p = 0; p < 8; p++) a[i * k + p]! /= s;
      const b = fill(d, k, n, 1, 12, (p) => (p < 8 ? 1 : s));
      const c = run(d, a, b, m, k, n, true);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let want = 0;
          for (let p = 0; p < 8; p++) want += a[i * k + p]! * b[p * n + j]!;
          expect(Math.abs(c[i * n + j]! - want)).toBeLessThanOrEqual(Math.abs(want) * 1e-4 + 1e-6);
        }
      }
      const tiny = run(d, fill(d, m, k, s, 13), fill(d, k, n, s, 14), m, k, n, true);
      expect(tiny.every((x) => x === 0)).toBe(true);
    });

    it(`${d}: panels that mix live and dead rows (live rows 6 and 13, not first in their panels) keep exactly the live rows`, () => {
      const [m, k, n] = [40, 24, 36];
      const s = d === "float32" ? 2 ** -66 : 2 ** -515;
      const a = fill(d, m, k, s, 15, (i) => (i === 6 || i === 13 ? 2 ** 40 : 1));
      const b = fill(d, k, n, s, 16);
      const c = run(d, a, b, m, k, n, true);
      const want = reference(d, a, b, m, k, n, true);
      for (let i = 0; i < m * n; i++) {
        const row = Math.floor(i / n);
        if (row === 6 || row === 13) expect(Math.abs(c[i]! - want[i]!)).toBeLessThanOrEqual(Math.abs(want[i]!) * 1e-5);
        else expect(c[i]).toBe(0);
      }
      expect(want.some((v) => v !== 0)).toBe(true);
    });
  }

  for (const d of ["float32", "float64"] as const) {
    // 42×24×37: A's last panel holds 2 of its mr = 4 rows, B's last 5 of nr columns (float32: 8)
    const [m, k, n] = [42, 24, 37];
    it(`${d}: a subnormal input counts as zero inside live rows and in the edge panels of A and B`, () => {
      // a subnormal a[i, 3] times b[3, j] = big would be a normal product that outweighs the rest
      // of the row (small · 1), so the result tells whether it was read as zero
      const [sub, small, big] = d === "float32" ? [2 ** -130, 2 ** -60, 2 ** 100] : [2 ** -1030, 2 ** -500, 2 ** 1000];
      const a = fill(d, m, k, small, 21);
      const b = fill(d, k, n, 1, 22, (p) => (p === 3 ? big : 1));
      for (const i of [0, 5, 40, 41]) a[i * k + 3] = i % 2 ? -sub : sub;
      const want = reference(d, a, b, m, k, n, true);
      const c = run(d, a, b, m, k, n, true);
      for (let i = 0; i < m * n; i++) expect(Math.abs(c[i]! - want[i]!), `${i}`).toBeLessThanOrEqual(Math.abs(want[i]!) * 1e-5);
      // the same with the subnormals in B (row 7), met by a big column of A: interior and edge columns
      const a2 = fill(d, m, k, small, 23);
      for (let i = 0; i < m; i++) a2[i * k + 7] = big;
      const b2 = fill(d, k, n, 1, 24);
      for (const j of [2, 20, 33, 36]) b2[7 * n + j] = j % 2 ? -sub : sub;
      const want2 = reference(d, a2, b2, m, k, n, true);
      const c2 = run(d, a2, b2, m, k, n, true);
      for (let i = 0; i < m * n; i++) expect(Math.abs(c2[i]! - want2[i]!), `${i}`).toBeLessThanOrEqual(Math.abs(want2[i]!) * 1e-5);
    });

    it(`${d}: A's last k columns past a whole vector (packed by a scalar tail) are screened too: a subnormal counts as zero, a NaN keeps its row`, () => {
      // k = 27: the pack moves A's rows 4 (float64: 2) elements of k at a time, then 3 (1) one by one
      const [m2, k2, n2] = [16, 27, 20];
      const [sub, small, big] = d === "float32" ? [2 ** -130, 2 ** -60, 2 ** 100] : [2 ** -1030, 2 ** -500, 2 ** 1000];
      const a = fill(d, m2, k2, small, 31);
      const b = fill(d, k2, n2, 1, 32, (p) => (p === k2 - 1 ? big : 1));
      for (const i of [0, 5, 9]) a[i * k2 + k2 - 1] = i % 2 ? -sub : sub;
      const want = reference(d, a, b, m2, k2, n2, true);
      const c = run(d, a, b, m2, k2, n2, true);
      for (let i = 0; i < m2 * n2; i++) expect(Math.abs(c[i]! - want[i]!), `${i}`).toBeLessThanOrEqual(Math.abs(want[i]!) * 1e-5);
      // rows of tiny values whose only large element is in the tail: the row max must see it
      const s = d === "float32" ? 2 ** -66 : 2 ** -515;
      const a2 = fill(d, m2, k2, s, 33);
      const b2 = fill(d, k2, n2, s, 34);
      a2[3 * k2 + k2 - 2] = 2 ** 60;
      a2[7 * k2 + k2 - 1] = NaN;
      const c2 = run(d, a2, b2, m2, k2, n2, true);
      const want2 = reference(d, a2, b2, m2, k2, n2, true);
      for (let i = 0; i < m2 * n2; i++) {
        const row = Math.floor(i / n2);
        if (row === 7) expect(c2[i], "a NaN row is never zeroed").toBeNaN();
        else if (row === 3) expect(Math.abs(c2[i]! - want2[i]!)).toBeLessThanOrEqual(Math.abs(want2[i]!) * 1e-5);
        else expect(c2[i]).toBe(0);
      }
      expect(want2.slice(3 * n2, 4 * n2).every((v) => v !== 0)).toBe(true);
    });

    it(`${d}: the edge panel of A is screened too (its live row kept, its dead row zero)`, () => {
      const s = d === "float32" ? 2 ** -66 : 2 ** -515;
      const a = fill(d, m, k, s, 25, (i) => (i === 40 ? 2 ** 40 : 1));
      const b = fill(d, k, n, s, 26);
      const c = run(d, a, b, m, k, n, true);
      const want = reference(d, a, b, m, k, n, true);
      for (let i = 0; i < m * n; i++) {
        if (Math.floor(i / n) === 40) expect(Math.abs(c[i]! - want[i]!)).toBeLessThanOrEqual(Math.abs(want[i]!) * 1e-5);
        else expect(c[i]).toBe(0);
      }
      expect(want.slice(40 * n, 41 * n).every((v) => v !== 0)).toBe(true);
    });
  }

  it("a live row whose largest product is below 2^-100 runs scaled: its subnormal-sized products count at full precision", () => {
    // row 0: a = 2^-63·(1 + 2^-20) over k = 1000; B: column 0 all 2^-70 (products 2^-133·(1 + 2^-20),
    // subnormal: gradual underflow would round each to 2^-133), column 1 all 2^-63 (normal products),
    // so max|a|·max|b| = 2^-126·(1 + 2^-20): live and below 2^-100. Row 1 ordinary, unscaled.
    const [m, k, n] = [8, 1000, 16];
    const a = new Float32Array(m * k).fill(1);
    for (let p = 0; p < k; p++) a[p] = 2 ** -63 * (1 + 2 ** -20);
    const b = new Float32Array(k * n).fill(2 ** -64);
    for (let p = 0; p < k; p++) [b[p * n], b[p * n + 1], b[p * n + 3]] = [2 ** -70, 2 ** -63, 2 ** -80];
    const c = run("float32", a, b, m, k, n, true);
    // the float32 running sum of k equal normal products (each exact: 21 bits), computed 2^100
    // higher, where nothing is subnormal, and scaled back (exact): what the scaled row computes
    const sum = (term: number): number => {
      let acc = 0;
      for (let p = 0; p < k; p++) acc = Math.fround(acc + term * 2 ** 100);
      return acc * 2 ** -100;
    };
    expect(c[0]).toBe(sum(2 ** -133 * (1 + 2 ** -20)));
    expect(c[0]).not.toBe(Math.fround(1000 * 2 ** -133)); // what gradual underflow gave: each product rounded to 2^-133
    expect(c[1]).toBe(sum(2 ** -126 * (1 + 2 ** -20)));
    expect(c[2]).toBe(sum(2 ** -127 * (1 + 2 ** -20)));
    expect(c[3]).toBe(0); // 1000·2^-143·(…) ≈ 2^-133: below the smallest normal, stored as +0
    expect(c[n]).toBe(Math.fround(1000 * 2 ** -70)); // row 1: ordinary values, unscaled
    // the same bits for another row split, and IEEE (flush off) keeps gradual underflow
    expect(run("float32", a, b, m, k, n, true, 1, 5)).toEqual(c);
    expect(run("float32", a, b, m, k, n, false)[0]).toBe(Math.fround(1000 * 2 ** -133));
    // float64 at 2^-1022: products 2^-1025·(1 + 2^-49) (subnormal) over k = 16 give the float64
    // running sum computed 2^600 higher (a normal result); the row's largest product,
    // 2^-1022·(1 + 2^-49), is below 2^-996. A row whose largest product is 2^-200 is not scaled.
    const k16 = 16;
    const a64 = new Float64Array(m * k16).fill(2 ** -100);
    for (let p = 0; p < k16; p++) a64[p] = 2 ** -511 * (1 + 2 ** -49);
    const b64 = new Float64Array(k16 * n).fill(2 ** -100);
    for (let p = 0; p < k16; p++) [b64[p * n], b64[p * n + 1]] = [2 ** -514, 2 ** -511];
    const c64 = run("float64", a64, b64, m, k16, n, true);
    let acc = 0;
    for (let p = 0; p < k16; p++) acc += 2 ** -1025 * (1 + 2 ** -49) * 2 ** 600;
    expect(c64[0]).toBe(acc * 2 ** -600);
    expect(c64[n + 2]).toBe(16 * 2 ** -200);
  });

  it("a tiny live row over k past one chunk (1100 > 1024) is not scaled: the chunks' partial sums stay in one scale", () => {
    const [m, k, n] = [8, 1100, 16];
    const a = Float32Array.from({ length: m * k }, (_, i) => 2 ** -63 * (1 + (i % 7) / 8));
    const b = Float32Array.from({ length: k * n }, (_, i) => 2 ** -63 * (1 + (i % 5) / 8));
    const c = run("float32", a, b, m, k, n, true);
    const want = reference("float32", a, b, m, k, n, true);
    for (let i = 0; i < m * n; i++) expect(Math.abs(c[i]! - want[i]!), `${i}`).toBeLessThanOrEqual(Math.abs(want[i]!) * 1e-5);
  });

  it("NaN and Inf are never flushed away", () => {
    const a = fill("float32", 8, 16, 2 ** -70, 3);
    const b = fill("float32", 16, 8, 2 ** -70, 4);
    b[5] = NaN;
    const c = run("float32", a, b, 8, 16, 8, true);
    expect(Number.isNaN(c[5])).toBe(true);
  });

  it("config.flushSubnormals: eager = jit, threads 1 = 2, the switch and its errors", () => {
    expect(config.flushSubnormals()).toBe(true);
    // big enough to be split between 2 threads
    const a = np.array(Array.from(fill("float32", 256, 64, 1e-20, 5)), { dtype: "float32" }).reshape([256, 64]);
    const b = np.array(Array.from(fill("float32", 64, 256, 1e-20, 6)), { dtype: "float32" }).reshape([64, 256]);
    const eager = np.matmul(a, b);
    expect(np.arrayEqual(eager, np.zerosLike(eager))).toBe(true);
    const f = jit((x: ReturnType<typeof np.array>, y: ReturnType<typeof np.array>) => np.matmul(x, y));
    expect(np.arrayEqual(f(a, b), eager)).toBe(true);
    const before = config.threads();
    config.setThreads(2);
    try {
      expect(np.arrayEqual(np.matmul(a, b), eager)).toBe(true);
      expect(config.flushSubnormals(false)).toBe(false);
      const ieee2 = np.matmul(a, b);
      config.setThreads(1);
      expect(np.arrayEqual(np.matmul(a, b), ieee2)).toBe(true);
      expect(np.arrayEqual(ieee2, np.zerosLike(ieee2))).toBe(false);
    } finally {
      config.setThreads(before);
    }
    expect(() => config.flushSubnormals("yes" as never)).toThrow(/config.flushSubnormals: expected a boolean/);
  });
});

describe("the float32 tall tile (6×8) under flush-to-zero", () => {
  // The tall tile packs A in 6-row panels (a vector and a half per p: its own screen code, rows 4
  // and 5 interleaved in the transposing pack) and leaves the plain 4×8 tile a rest of rows.
  // Every element is the same FMA chain either way, and the screen's per-row maxima decide which
  // rows are dead or run scaled, so a wrong maximum for any row shows as different bits.
  const tallOn = createGemm(DEFAULT_GEMM_CONFIG);
  const tallOff = createGemm({ ...DEFAULT_GEMM_CONFIG, tallMinRows: Infinity });
  const arena = new Arena();

  it("gives the plain tile's bits: live, dead (subnormal), tiny (scaled), NaN and one-spike rows at every panel position, both layouts of A, heap and staged operands", () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 12, max: 75 }), k: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 40 }),
          transA: fc.boolean(), heap: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
          kinds: fc.array(fc.constantFrom("live", "dead", "tiny", "subnormal", "nan", "spike"), { minLength: 75, maxLength: 75 }),
        }),
        (t) => {
          const { m, k, n } = t;
          if (m * k * n <= 400 || n === 1) return; // the plain-JS and gemv paths have no tiles
          const scale = { live: 1, dead: 2 ** -140, tiny: 2 ** -70, subnormal: 1, nan: 1, spike: 2 ** -100 } as const;
          const a = fill("float32", m, k, 1, t.seed, (i) => scale[t.kinds[i]!]);
          for (let i = 0; i < m; i++) {
            if (t.kinds[i] === "subnormal") a[i * k + (t.seed % k)] = 3e-39; // one subnormal in a live row
            if (t.kinds[i] === "nan") a[i * k + ((t.seed >> 3) % k)] = NaN;
            // products below the smallest normal but for one element: live only through its maximum, at any p
            if (t.kinds[i] === "spike") a[i * k + ((t.seed + 5 * i) % k)] = 1.25;
          }
          const b = fill("float32", k, n, 2 ** -40, t.seed + 7);
          // op(A) = a as [m, k]; with transA, the same values stored as [k, m]
          const aT = new Float32Array(m * k);
          for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = a[i * k + p]!;
          const src = t.transA ? aT : a;
          const A = t.heap ? (arena.alloc("float32", Math.max(src.length, 4096)) as Float32Array) : src;
          if (t.heap) A.set(src);
          const outs = [tallOn, tallOff].map((g) => {
            const c = new Float32Array(m * n).fill(-7);
            g("float32", A, 0, 0, t.transA, b, 0, 0, false, c, 0, 0, 1, m, k, n, 0, m, true);
            return Array.from(c, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : v));
          });
          expect(outs[0]).toEqual(outs[1]);
          if (t.heap) arena.release(A);
        },
      ),
      { numRuns: 150 },
    );
  });
});
