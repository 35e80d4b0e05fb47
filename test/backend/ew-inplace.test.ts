// Elementwise kernels in place (ew-run.ts runInPlace): once a kernel has run a few times on
// large operands, operands and output that lie in the heap (heap.ts) are read and written where
// they lie by its table-addressed module; the tail past the last whole step, and anything with an
// operand outside the heap, is staged as before. Checked bit for bit against the staged kernel
// and the JS loops, over expressions of every element type, scalar operands, lengths that end
// mid-step, flush on and off, an output that is its own operand, and on a pool of threads.
import { afterEach, describe, expect, it } from "vitest";
import { config } from "../../src/index.js";
import { backend, cpuBackend } from "../../src/core/backend/index.js";
import { setElementwiseMode } from "../../src/core/backend/elementwise.js";
import { IN_PLACE_AFTER, inPlaceStats, runFlat, wasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { Arena } from "../../src/core/backend/storage.js";
import { heapAddress } from "../../src/core/backend/heap.js";
import type { ElemType } from "../../src/core/backend/ew-wasm.js";
import type { DType, TypedArray } from "../../src/core/dtype.js";
import { withPool } from "../util/pool.js";

afterEach(() => {
  setElementwiseMode("wasm");
  config.flushSubnormals(true);
});

const heap = new Arena();
const plain = new Arena();
plain.heapCap = 0;

const DT: Record<ElemType, DType> = { f32: "float32", f64: "float64", i32: "int32", u8: "bool" };

/** Deterministic values (an LCG) with subnormals, ±0, ±Inf and NaN among them (integers for int32, 0/1 for bool). */
function fill(a: TypedArray, t: ElemType, seed: number): void {
  const tiny = t === "f32" ? 2 ** -130 : 2 ** -1030;
  const special = [tiny, -tiny, 0, -0, Infinity, NaN, -3 * tiny];
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const x = (s / 2 ** 32 - 0.5) * 8;
    a[i] = t === "u8" ? s >>> 31 : t === "i32" ? Math.round(x * 1000) : i % 13 === 5 ? special[(s >>> 8) % special.length]! : x;
  }
}

interface Case {
  readonly name: string;
  readonly expr: string;
  readonly types: readonly ElemType[];
  readonly pattern: string;
  readonly out: "f32" | "f64";
}
const CASES: Case[] = [
  { name: "W6's forward and backward (f32)", expr: "const t0 = Math.fround(Math.sin(a0)); const t1 = Math.fround(Math.exp(t0)); const t2 = Math.fround(Math.cos(a0)); const t3 = Math.fround((t1) * (t2)); t3", types: ["f32"], pattern: "v", out: "f32" },
  { name: "tanh times a scalar (f32)", expr: "const t0 = Math.fround(Math.tanh(a0)); const t1 = Math.fround((t0) * (a1)); t1", types: ["f32", "f32"], pattern: "vs", out: "f32" },
  { name: "a scalar minus a product (f64)", expr: "const t0 = (a1) * (a2); const t1 = (a0) - (t0); t1", types: ["f64", "f64", "f64"], pattern: "svv", out: "f64" },
  { name: "an int32 operand times a float64 one, plus a constant", expr: "const t0 = (a0) * (a1); const t1 = (t0) + (0.5); t1", types: ["i32", "f64"], pattern: "vv", out: "f64" },
  { name: "a select on a bool operand (f32)", expr: "const t0 = ((a0) ? (a1) : (a2)); t0", types: ["u8", "f32", "f32"], pattern: "vvv", out: "f32" },
];

function operands(c: Case, n: number, seed: number, arena: Arena): TypedArray[] {
  return c.types.map((t, j) => {
    const x = arena.alloc(DT[t], c.pattern[j] === "s" ? 1 : n);
    fill(x, t, seed + j);
    return x;
  });
}

describe.skipIf(!wasmSimd)("elementwise kernels in place", () => {
  for (const c of CASES) {
    it(`${c.name}: heap operands run in place with the bits of the staged kernel and the JS loop, flush on and off`, () => {
      for (const flush of [true, false]) {
        config.flushSubnormals(flush);
        const k = wasmKernel(c.expr, c.types, c.pattern, c.out);
        expect(k, "the kernel compiles").not.toBeNull();
        // lengths past the slabs' 8 KiB even for bool operands; the first is not a whole number of steps either
        for (const n of [8193, 8200 + 7, 12_345]) {
          const hIns = operands(c, n, 11 + n, heap);
          const sIns = operands(c, n, 11 + n, plain);
          for (const x of hIns) if (x.length === n) expect(heapAddress(x)).toBeGreaterThanOrEqual(0);
          const staged = plain.alloc(DT[c.out], n);
          runFlat(k!, sIns, staged, 0, n);
          expect(heapAddress(staged), "the reference runs staged").toBe(-1);
          const before = inPlaceStats.runs;
          for (let r = 0; r <= IN_PLACE_AFTER; r++) {
            const out = heap.alloc(DT[c.out], n);
            out.fill(NaN);
            runFlat(k!, hIns, out, 0, n);
            expect(Array.from(out), `run ${r + 1}, n = ${n}`).toEqual(Array.from(staged));
            heap.release(out);
          }
          expect(inPlaceStats.runs, "the later runs were in place").toBeGreaterThan(before);
          // the JS loop: the same expression through the backend with the Wasm kernels off
          setElementwiseMode("js");
          const js = plain.alloc(DT[c.out], n);
          cpuBackend.elementwise(c.expr, sIns.map((data, j) => ({ data, strides: [c.pattern[j] === "s" ? 0 : 1] })), [n], js);
          setElementwiseMode("wasm");
          expect(Array.from(js)).toEqual(Array.from(staged));
        }
      }
    });
  }

  it("a chunk [u0, u1) of a thread's split writes only its elements; an output that is its own operand runs in place, one overlapping another operand elsewhere is staged", () => {
    const c = CASES[1]!;
    const k = wasmKernel(c.expr, c.types, c.pattern, c.out)!;
    const n = 20_000;
    const ins = operands(c, n, 5, heap);
    const whole = plain.alloc("float32", n);
    runFlat(k, ins, whole, 0, n);
    for (let r = 0; r < IN_PLACE_AFTER; r++) runFlat(k, ins, heap.alloc("float32", n), 0, n);
    const out = heap.alloc("float32", n).fill(-7);
    const runs = inPlaceStats.runs;
    runFlat(k, ins, out, 5003, 15011);
    expect(inPlaceStats.runs).toBe(runs + 1);
    expect(Array.from(out.subarray(0, 5003)).every((x) => x === -7)).toBe(true);
    expect(Array.from(out.subarray(15011)).every((x) => x === -7)).toBe(true);
    expect(Array.from(out.subarray(5003, 15011))).toEqual(Array.from(whole.subarray(5003, 15011)));
    // out = f(out): the operand is the output
    const self = heap.alloc("float32", n);
    self.set(ins[0]!);
    runFlat(k, [self, ins[1]!], self, 0, n);
    expect(Array.from(self)).toEqual(Array.from(whole));
    expect(inPlaceStats.runs).toBe(runs + 2);
    // the output shifted one element past its operand: refused in place, staged (the staged path reads a block before it writes it)
    const big = heap.alloc("float32", n + 1);
    big.set(ins[0]!, 0);
    const a = big.subarray(0, n), o = big.subarray(1);
    runFlat(k, [a, ins[1]!], o, 0, 4096);
    expect(inPlaceStats.runs, "not in place").toBe(runs + 2);
    expect(Array.from(o.subarray(0, 4096))).toEqual(Array.from(whole.subarray(0, 4096)));
  });

});

describe.skipIf(!wasmSimd)("elementwise kernels in place on a pool of threads", () => {
  const pool = withPool(2, { minNs: 0 });
  it("every chunk runs in place (the workers read the heap arrays the job names) with the bits of one thread", () => {
    const c = CASES[0]!;
    const n = 300_000;
    const ins = operands(c, n, 9, heap);
    const one = heap.alloc("float32", n);
    const k = wasmKernel(c.expr, c.types, c.pattern, c.out)!;
    for (let r = 0; r <= IN_PLACE_AFTER; r++) runFlat(k, ins, one, 0, n);
    const jobs = pool().stats.jobs - pool().stats.inlineJobs;
    const out = heap.alloc("float32", n);
    backend().elementwise(c.expr, ins.map((data) => ({ data, strides: [1] })), [n], out);
    expect(pool().stats.jobs - pool().stats.inlineJobs, "the op ran on the pool").toBeGreaterThan(jobs);
    expect(Array.from(out)).toEqual(Array.from(one));
  });

});

/** The first index where a and b differ in bits (NaN equals NaN), or -1: a failure names one element instead of diffing whole arrays. */
function firstDifference(a: TypedArray, b: TypedArray): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe.skipIf(!wasmSimd)("strided layouts with repeating tiles and row operands run in place", () => {
  // a bias row over a batch (W1's tanh(x W + b)), a matrix repeated over a batch, a column along
  // the rows, and a scalar: the whole operands and the output read and written where they lie in
  // the heap, each tile expanded and each column copied once; the same bits as the JS loops
  const TANH_ADD = "const t0 = Math.fround((a0) + (a1)); const t1 = Math.fround(Math.tanh(t0)); t1";
  const MUL_SUB = "const t0 = Math.fround((a0) * (a1)); const t1 = Math.fround((t0) - (a2)); t1";
  const cases = [
    { name: "a bias row over 37 rows of 250 (a tail past the last whole step)", expr: TANH_ADD, shape: [37, 250], ins: [[250, 1], [0, 1]], lens: [37 * 250, 250] },
    { name: "a [64, 96] matrix repeated over a batch of 4, and a scalar", expr: MUL_SUB, shape: [4, 64, 96], ins: [[6144, 96, 1], [0, 96, 1], [0, 0, 0]], lens: [4 * 6144, 6144, 1] },
    // a column along the rows (W8's X · g[:, None]): a row kernel ("r"), whose last step of a row runs into the next
    { name: "a column along 300 rows of 250 (a row kernel), and a scalar", expr: MUL_SUB, shape: [300, 250], ins: [[250, 1], [1, 0], [0, 0]], lens: [300 * 250, 300, 1] },
    { name: "a heap column along 5000 rows of 40, and a bias row", expr: MUL_SUB, shape: [5000, 40], ins: [[40, 1], [1, 0], [0, 1]], lens: [5000 * 40, 5000, 40] },
  ];
  for (const c of cases) {
    it(`${c.name}: in place with the JS loop's bits, flush on and off`, () => {
      for (const flush of [true, false]) {
        config.flushSubnormals(flush);
        const n = c.shape.reduce((a, b) => a * b, 1);
        const ins = c.lens.map((len, j) => {
          const x = (len >= 4096 ? heap : plain).alloc("float32", len);
          fill(x, "f32", 31 + j + len);
          return x;
        });
        const operands = ins.map((data, j) => ({ data, strides: c.ins[j]! }));
        setElementwiseMode("js");
        const js = plain.alloc("float32", n);
        cpuBackend.elementwise(c.expr, operands, c.shape, js);
        setElementwiseMode("wasm");
        const before = inPlaceStats.runs;
        for (let r = 0; r <= IN_PLACE_AFTER + 1; r++) {
          const out = heap.alloc("float32", n).fill(NaN);
          cpuBackend.elementwise(c.expr, operands, c.shape, out);
          expect(firstDifference(out, js), `run ${r + 1}: the first element that differs`).toBe(-1);
          heap.release(out);
        }
        expect(inPlaceStats.runs, "the later runs were in place").toBeGreaterThan(before);
        // an output outside the heap: staged, the same bits
        const staged = plain.alloc("float32", n);
        const runs = inPlaceStats.runs;
        cpuBackend.elementwise(c.expr, operands, c.shape, staged);
        expect(inPlaceStats.runs).toBe(runs);
        expect(firstDifference(staged, js)).toBe(-1);
      }
    });
  }

  it("a row kernel whose output is its own operand is staged (its steps write ahead into the next row)", () => {
    const shape = [300, 250];
    const x = heap.alloc("float32", 300 * 250), g = plain.alloc("float32", 300), c = plain.alloc("float32", 1);
    fill(x, "f32", 8);
    fill(g, "f32", 9);
    fill(c, "f32", 10);
    const operands = (data: TypedArray) => [{ data, strides: [250, 1] }, { data: g, strides: [1, 0] }, { data: c, strides: [0, 0] }];
    setElementwiseMode("js");
    const js = plain.alloc("float32", 300 * 250);
    cpuBackend.elementwise(MUL_SUB, operands(x), shape, js);
    setElementwiseMode("wasm");
    for (let r = 0; r <= IN_PLACE_AFTER; r++) cpuBackend.elementwise(MUL_SUB, operands(x), shape, heap.alloc("float32", 300 * 250));
    const runs = inPlaceStats.runs;
    const self = heap.alloc("float32", 300 * 250);
    self.set(x);
    cpuBackend.elementwise(MUL_SUB, operands(self), shape, self);
    expect(inPlaceStats.runs, "not in place").toBe(runs);
    expect(firstDifference(self, js)).toBe(-1);
  });

  const pool = withPool(2, { minNs: 0 });
  // 600 rows of 250 on two threads: a bias row (a tile), and a column along the rows with a scalar (a row kernel, each chunk leaving its last row staged)
  const poolLayouts = [
    { name: "a tiled layout's", expr: TANH_ADD, second: { len: 250, strides: [0, 1] }, scalar: false },
    { name: "a row kernel's", expr: MUL_SUB, second: { len: 600, strides: [1, 0] }, scalar: true },
  ];
  for (const l of poolLayouts) {
    it(`on a pool of threads: ${l.name} chunks in place, the bits of one thread`, () => {
      const shape = [600, 250];
      const x = heap.alloc("float32", 600 * 250), y = plain.alloc("float32", l.second.len), s = plain.alloc("float32", 1);
      fill(x, "f32", 3);
      fill(y, "f32", 4);
      fill(s, "f32", 7);
      const operands = [{ data: x, strides: [250, 1] }, { data: y, strides: l.second.strides }, ...(l.scalar ? [{ data: s, strides: [0, 0] }] : [])];
      const one = heap.alloc("float32", 600 * 250);
      for (let r = 0; r <= IN_PLACE_AFTER; r++) cpuBackend.elementwise(l.expr, operands, shape, one);
      const jobs = pool().stats.jobs - pool().stats.inlineJobs;
      const out = heap.alloc("float32", 600 * 250);
      backend().elementwise(l.expr, operands, shape, out);
      expect(pool().stats.jobs - pool().stats.inlineJobs, "the op ran on the pool").toBeGreaterThan(jobs);
      expect(firstDifference(out, one)).toBe(-1);
    });
  }
});
