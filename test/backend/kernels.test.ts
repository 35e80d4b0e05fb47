// Every backend kernel against a naive reference (odd sizes, strides, broadcasts, float32 and
// float64), run inline on the caller and on a 3-thread pool with tiny chunks; the threaded
// results must equal the inline ones bit for bit.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { arrayCtor, type DType, type TypedArray } from "../../src/core/dtype.js";
import { cpuBackend, threadedBackend, KernelPool, type Backend } from "../../src/core/backend/index.js";
import { installPool } from "../../src/core/backend/pool-scope.js";
import { tuning } from "../../src/core/backend/threaded.js";
import type { ReduceOp } from "../../src/core/backend/index.js";

const FLOATS = ["float32", "float64"] as const;

/** Test arrays over SharedArrayBuffer whatever their size (the arena keeps small tensors in
 *  ordinary ArrayBuffer slabs, which always run inline; these must reach the pool). */
const shared = {
  alloc(dtype: DType, len: number, _zero?: boolean): TypedArray {
    const Ctor = arrayCtor(dtype);
    return new (Ctor as unknown as new (b: SharedArrayBuffer, o: number, n: number) => TypedArray)(new SharedArrayBuffer(Math.max(8, len * Ctor.BYTES_PER_ELEMENT)), 0, len);
  },
};

/** Deterministic values in [-1, 1) (an LCG, so failures reproduce). */
function fill(dtype: DType, len: number, seed: number): TypedArray {
  const out = shared.alloc(dtype, len);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = dtype === "int32" ? (s >>> 8) % 17 - 8 : s / 2 ** 31 - 1;
  }
  return out;
}

const bits = (a: TypedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
const stridesOf = (shape: readonly number[]) => {
  const st = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) st[i] = st[i + 1]! * shape[i + 1]!;
  return st;
};
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Calls fn(index, multiIndex) over a shape in row-major order. */
function forEachIndex(shape: readonly number[], fn: (p: number, idx: number[]) => void): void {
  const n = prod(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let p = 0; p < n; p++) {
    fn(p, idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

let pool: KernelPool;
let uninstall: () => void;
const saved = { ...tuning };
beforeAll(async () => {
  pool = new KernelPool({ threads: 3 });
  await pool.start();
  uninstall = installPool(pool);
  // tiny chunks and no threshold: every call below goes through many chunks on the pool
  Object.assign(tuning, { minNs: 0, chunkNs: 16, piece: 256, adaptive: false });
});
beforeEach(() => pool.settle()); // workers caught up, so they take part in this case's jobs
afterAll(async () => {
  Object.assign(tuning, saved);
  uninstall();
  await pool.shutdown();
});

/** Runs `run` on the inline backend and on the pool; checks bits equal; returns the inline output. */
function both(dtype: DType, len: number, run: (b: Backend, out: TypedArray) => void): TypedArray {
  const a = shared.alloc(dtype, len);
  const b = shared.alloc(dtype, len);
  a.fill(7);
  b.fill(7);
  run(cpuBackend, a);
  run(threadedBackend, b);
  expect(bits(b)).toEqual(bits(a));
  return a;
}

describe("elementwise", () => {
  const cases: { shape: number[]; ins: number[][]; expr: string }[] = [
    { shape: [1001], ins: [[1001], [1001]], expr: "a0 * a1 + a0" },
    { shape: [5, 7, 3], ins: [[5, 1, 3], [7, 1], []], expr: "Math.sin(a0) * a1 - a2" },
    { shape: [9, 13], ins: [[1, 13], [9, 1]], expr: "a0 > a1 ? a0 : Math.exp(a1)" },
    { shape: [3, 1, 11, 2], ins: [[3, 1, 11, 2], [11, 1]], expr: "a0 / (1 + a1 * a1)" },
  ];
  for (const dtype of FLOATS) {
    for (const c of cases) {
      it(`${dtype} ${JSON.stringify(c.shape)} ← ${JSON.stringify(c.ins)}: ${c.expr}`, () => {
        const data = c.ins.map((s, i) => fill(dtype, prod(s), 11 + i));
        const strides = c.ins.map((s) => {
          const st = stridesOf(s);
          const full = new Array<number>(c.shape.length).fill(0);
          s.forEach((n, i) => (full[c.shape.length - s.length + i] = n === 1 ? 0 : st[i]!));
          return full;
        });
        const out = both(dtype, prod(c.shape), (b, o) =>
          b.elementwise(c.expr, data.map((d, i) => ({ data: d, strides: strides[i]! })), c.shape, o),
        );
        const f = new Function(...c.ins.map((_, i) => `a${i}`), `return ${c.expr};`) as (...a: number[]) => number;
        const ref = shared.alloc(dtype, prod(c.shape));
        forEachIndex(c.shape, (p, idx) => {
          ref[p] = f(...data.map((d, i) => d[idx.reduce((o, v, k) => o + v * strides[i]![k]!, 0)]!));
        });
        if (dtype === "float32" && c.expr.includes("Math.")) {
          // float32 statements run vecmath's exp/sin/… (≤ 2 ulp of Math.*, test/backend/vecmath.test.ts);
          // the terms here are at most 1 in magnitude, so 2 ulp of 1 bounds the difference
          for (let p = 0; p < ref.length; p++) expect(Math.abs(out[p]! - ref[p]!)).toBeLessThanOrEqual(2 ** -22 * Math.max(Math.abs(ref[p]!), 1));
        } else expect(bits(out)).toEqual(bits(ref));
      });
    }
    it(`${dtype} strided (transposed) operand`, () => {
      const [r, c] = [17, 10];
      const x = fill(dtype, r * c, 3); // stored [c, r]; read as its transpose [r, c]
      const y = fill(dtype, r * c, 4);
      const out = both(dtype, r * c, (b, o) => b.elementwise("a0 - 2 * a1", [{ data: x, strides: [1, r] }, { data: y, strides: [c, 1] }], [r, c], o));
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) expect(out[i * c + j]).toBe(shared.alloc(dtype, 1).fill(x[j * r + i]! - 2 * y[i * c + j]!)[0]);
    });
  }
});

describe("copyStrided", () => {
  for (const dtype of [...FLOATS, "int32"] as const) {
    it(`${dtype}: transpose, flip with offset, strided destination`, () => {
      const shape = [4, 5, 7];
      const src = fill(dtype, prod(shape), 5);
      // transpose to [7, 5, 4]
      const tShape = [7, 5, 4];
      const t = both(dtype, prod(tShape), (b, o) => b.copyStrided(src, 0, [1, 7, 35], tShape, o, 0, stridesOf(tShape)));
      forEachIndex(tShape, (p, [i, j, k]) => expect(t[p]).toBe(src[k! * 35 + j! * 7 + i!]));
      // flip the last two axes: negative strides from the far corner
      const f = both(dtype, prod(shape), (b, o) => b.copyStrided(src, 4 * 7 + 6, [35, -7, -1], shape, o, 0, stridesOf(shape)));
      forEachIndex(shape, (p, [i, j, k]) => expect(f[p]).toBe(src[i! * 35 + (4 - j!) * 7 + (6 - k!)]));
      // into every other element of a padded destination, at an offset
      const d = both(dtype, 3 + 2 * prod(shape), (b, o) => b.copyStrided(src, 0, stridesOf(shape), shape, o, 3, [70, 14, 2]));
      forEachIndex(shape, (p, [i, j, k]) => expect(d[3 + i! * 70 + j! * 14 + k! * 2]).toBe(src[p]));
      // one long contiguous axis, and a 1-D strided one
      const l = both(dtype, 999, (b, o) => b.copyStrided(src, 1, [1], [139], o, 2, [7]));
      for (let i = 0; i < 139; i++) expect(l[2 + 7 * i]).toBe(src[1 + i]);
    });
  }
});

describe("reduceRows", () => {
  const ops: ReduceOp[] = ["sum", "prod", "max", "min", "argmax", "argmin"];
  const naive = (op: ReduceOp, x: TypedArray, off: number, len: number): number => {
    let acc = op === "sum" ? 0 : op === "prod" ? 1 : op === "max" || op === "argmax" ? -Infinity : Infinity;
    let at = 0;
    for (let i = 0; i < len; i++) {
      const v = x[off + i]!;
      if (op === "sum") acc += v;
      else if (op === "prod") acc *= v;
      else if (Number.isNaN(v)) return op.startsWith("arg") ? i : NaN;
      else if (op.endsWith("max") ? v > acc : v < acc) (acc = v), (at = i);
    }
    return op.startsWith("arg") ? at : acc;
  };
  for (const dtype of FLOATS) {
    for (const [rows, len] of [[13, 37], [3, 1000], [1, 5000], [40, 1], [2, 513]] as const) {
      it(`${dtype} ${rows}×${len}`, () => {
        const x = fill(dtype, rows * len, rows * 31 + len);
        if (len > 100) (x[len - 3] = 5), (x[len - 50] = 5); // ties: the first index wins
        if (rows > 2 && len > 600) x[2 * len + 700] = NaN;
        for (const op of ops) {
          const prodSafe = op === "prod" ? x.map((v) => 1 + v / 64) : x;
          const input = shared.alloc(dtype, rows * len);
          input.set(prodSafe);
          const outDtype = op.startsWith("arg") ? "int32" : dtype;
          const out = both(outDtype, rows, (b, o) => b.reduceRows(op, input, rows, len, o));
          for (let r = 0; r < rows; r++) {
            const want = naive(op, input, r * len, len);
            if (op === "sum" || op === "prod") {
              const got = out[r]!;
              if (Number.isNaN(want)) expect(got).toBeNaN();
              else expect(Math.abs(got - want)).toBeLessThanOrEqual((dtype === "float32" ? 1e-5 : 1e-13) * Math.max(1, Math.abs(want)) * Math.sqrt(len));
            } else {
              const w = shared.alloc(outDtype, 1);
              w[0] = want;
              expect(Object.is(out[r], w[0]), `${op} row ${r}: ${out[r]} vs ${w[0]}`).toBe(true);
            }
          }
        }
      });
    }
  }
});

describe("NaN in reductions", () => {
  it("a sum or product over NaNs of any sign and payload is the canonical NaN, inline and on the pool", () => {
    for (const dtype of FLOATS) {
      const rows = 3, len = 4096; // long rows: the pool splits them into leaves (piece 256)
      const x = fill(dtype, rows * len, 5);
      const bitsView = dtype === "float32" ? new Uint32Array(x.buffer, x.byteOffset, x.length) : null;
      const lo = dtype === "float64" ? new Uint32Array(x.buffer, x.byteOffset, 2 * x.length) : null;
      // a negative NaN with payload 1 in row 0, a positive NaN with another payload in row 2
      if (bitsView) (bitsView[10] = 0xffc00001), (bitsView[2 * len + 3000] = 0x7fc0abcd);
      else (lo![20] = 1), (lo![21] = 0xfff80000), (lo![2 * (2 * len + 3000)] = 0xabcd), (lo![2 * (2 * len + 3000) + 1] = 0x7ff80000);
      for (const op of ["sum", "prod"] as const) {
        const out = both(dtype, rows, (b, o) => b.reduceRows(op, x, rows, len, o));
        const canonical = shared.alloc(dtype, 1);
        canonical[0] = NaN;
        for (const r of [0, 2]) expect(bits(out.subarray(r, r + 1)), `${dtype} ${op} row ${r}`).toEqual(bits(canonical));
      }
    }
  });
});

describe("matmul", () => {
  for (const dtype of FLOATS) {
    for (const [batch, m, k, n, transA, transB] of [
      [1, 131, 37, 19, false, false],
      [1, 70, 129, 33, true, false],
      [3, 67, 21, 18, false, true],
      [5, 9, 10, 11, true, true],
    ] as const) {
      it(`${dtype} ${batch}×(${m}×${k} @ ${k}×${n}) transA=${transA} transB=${transB}`, () => {
        const a = fill(dtype, batch * m * k, m + k) as Float32Array;
        const bm = fill(dtype, batch * k * n, k + n) as Float32Array;
        const args = { a, aStride: m * k, transA, b: bm, bStride: k * n, transB, batch, m, k, n };
        const out = both(dtype, batch * m * n, (b, o) => b.matmul(dtype, args, o as Float32Array));
        for (let bi = 0; bi < batch; bi++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) {
                const av = a[bi * m * k + (transA ? p * m + i : i * k + p)]!;
                const bv = bm[bi * k * n + (transB ? j * k + p : p * n + j)]!;
                s += av * bv;
              }
              expect(Math.abs(out[bi * m * n + i * n + j]! - s)).toBeLessThan(dtype === "float32" ? 1e-4 * k : 1e-12 * k);
            }
          }
        }
      });
    }
  }
});

describe("cumsum, gather, scatterAdd, iota, randomBits", () => {
  for (const dtype of FLOATS) {
    it(`${dtype} cumsum over the middle axis, both directions`, () => {
      const [outer, n, inner] = [3, 29, 5];
      const x = fill(dtype, outer * n * inner, 9);
      for (const reverse of [false, true]) {
        const out = both(dtype, x.length, (b, o) => b.cumsum(x, outer, n, inner, reverse, o));
        const ref = shared.alloc(dtype, x.length);
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            let s = 0;
            for (let t = 0; t < n; t++) {
              const j = reverse ? n - 1 - t : t;
              const p = (o * n + j) * inner + i;
              ref[p] = s + x[p]!;
              s = ref[p]!;
            }
          }
        }
        expect(bits(out)).toEqual(bits(ref));
      }
    });
    it(`${dtype} gather and scatterAdd (negative, clamped and repeated indices)`, () => {
      const [outer, n, inner] = [4, 6, 9];
      const x = fill(dtype, outer * n * inner, 2);
      const idx = shared.alloc("int32", 7);
      idx.set([0, 5, -1, 2, 2, 40, -9]);
      const clamp = (i: number) => Math.min(n - 1, Math.max(0, i < 0 ? i + n : i));
      const g = both(dtype, outer * 7 * inner, (b, o) => b.gather(x, outer, n, inner, idx, o));
      forEachIndex([outer, 7, inner], (p, [o, j, i]) => expect(g[p]).toBe(x[(o! * n + clamp(idx[j!]!)) * inner + i!]));
      const s = both(dtype, outer * n * inner, (b, o) => b.scatterAdd(g, outer, n, inner, idx, o));
      const ref = shared.alloc(dtype, outer * n * inner, true);
      forEachIndex([outer, 7, inner], (p, [o, j, i]) => {
        const q = (o! * n + clamp(idx[j!]!)) * inner + i!;
        ref[q] = ref[q]! + g[p]!;
      });
      expect(bits(s)).toEqual(bits(ref));
    });
  }
  it("iota along each axis", () => {
    const shape = [3, 7, 5];
    for (let axis = 0; axis < 3; axis++) {
      const out = both("int32", prod(shape), (b, o) => b.iota(shape, axis, o));
      forEachIndex(shape, (p, idx) => expect(out[p]).toBe(idx[axis]));
    }
  });
  it("randomBits: Threefry-2x32 known answer, odd lengths, threads = inline", () => {
    const kat = both("int32", 2, (b, o) => b.randomBits(0, 0, o));
    // Random123 known-answer test threefry2x32_20(ctr 0, key 0)
    expect([kat[0]! >>> 0, kat[1]! >>> 0]).toEqual([0x6b200159, 0x99ba4efe]);
    const long = both("int32", 1001, (b, o) => b.randomBits(1234, -77, o));
    const short = both("int32", 7, (b, o) => b.randomBits(1234, -77, o));
    expect(Array.from(long.subarray(0, 7))).toEqual(Array.from(short)); // word i depends only on (key, i)
  });
});

describe("the pool took part", () => {
  it("the jobs above ran with workers", () => {
    expect(pool.stats.jobs).toBeGreaterThan(50);
    // Each case starts with every worker settled, so at least its first job was posted to them
    // (later ones skip a worker that lags two jobs behind, which depends on the scheduler).
    expect(pool.stats.jobs - pool.stats.inlineJobs).toBeGreaterThanOrEqual(30);
  });
});
