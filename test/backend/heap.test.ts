// The heap (heap.ts): large tensors live in one shared WebAssembly.Memory, the arena recycles
// its blocks (released, or found dead by the GC), falls back to SharedArrayBuffers past its cap,
// and the GEMM reads heap operands and writes a heap C in place with the same bits as when it
// stages them.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Arena } from "../../src/core/backend/storage.js";
import { heapAddress, heapKeysOf, heapMemory, markHeapArrays } from "../../src/core/backend/heap.js";
import { createGemm, DEFAULT_GEMM_CONFIG, type FloatArray, type GemmDtype } from "../../src/core/backend/gemm.js";
import { exposeGc } from "../../src/core/backend/v8-gc.js";
import type { TypedArray } from "../../src/core/dtype.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const MiB = 1024 * 1024;

describe("the arena's heap blocks", () => {
  it("a large allocation lies in the heap; a released block is reused at the same address, a view into it or a second release frees nothing", () => {
    expect(heapMemory(), "this Node has shared Wasm memory").not.toBeNull();
    const arena = new Arena();
    const a = arena.alloc("float32", 10_000);
    const at = heapAddress(a);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at % 64, "64-byte aligned").toBe(0);
    expect(arena.stats.heapAllocs).toBe(1);
    arena.release(a.subarray(0, 5000)); // not the allocation's array: ignored
    arena.release(a.subarray(0)); // same start and length, still not the allocation's array
    expect(arena.stats.heapFreed).toBe(0);
    arena.release(a);
    arena.release(a);
    expect(arena.stats.heapFreed).toBe(1);
    const b = arena.alloc("float64", 5000); // the same size class: 40,000 bytes
    expect(heapAddress(b)).toBe(at);
    const c = arena.alloc("float32", 10_000);
    expect(heapAddress(c), "a live block is never handed out twice").not.toBe(at);
    c.fill(7);
    expect(b.some((x) => x === 7), "blocks do not overlap").toBe(false);
  });

  it("zeroes a reused block when asked; arrays of every dtype over the heap hold their values", () => {
    const arena = new Arena();
    const a = arena.alloc("int32", 4096);
    a.fill(-3);
    arena.release(a);
    const z = arena.alloc("int32", 4096, true);
    expect(heapAddress(z)).toBe(heapAddress(a));
    expect(z.every((x) => x === 0)).toBe(true);
    for (const dt of ["float32", "float64", "int32", "bool"] as const) {
      const x = arena.alloc(dt, 20_000);
      expect(heapAddress(x)).toBeGreaterThanOrEqual(0);
      x[19_999] = 1;
      expect(x[19_999]).toBe(1);
    }
  });

  it("past its cap (or with cap 0) the arena gives SharedArrayBuffers and says so in its stats", () => {
    const arena = new Arena();
    arena.heapCap = 8 * MiB;
    const held = [arena.alloc("float32", MiB), arena.alloc("float32", MiB)]; // 4 MiB each: one heap piece each
    expect(held.every((x) => heapAddress(x) >= 0)).toBe(true);
    const over = arena.alloc("float32", MiB);
    expect(heapAddress(over)).toBe(-1);
    expect(over.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(arena.stats.heapFull).toBe(1);
    expect(arena.stats.heapBytes).toBe(8 * MiB);
    arena.release(held[0]!);
    expect(heapAddress(arena.alloc("float32", MiB)), "a freed block serves the next allocation").toBe(heapAddress(held[0]!));
    const none = new Arena();
    none.heapCap = 0;
    expect(heapAddress(none.alloc("float32", MiB))).toBe(-1);
  });

  it("a block whose array the GC collects returns to the free list when its finalizer runs", async () => {
    const gc = exposeGc();
    if (gc === null) return expect.fail("V8's gc is not reachable here");
    const arena = new Arena();
    let at = -1;
    (() => {
      const a = arena.alloc("float32", 100_000);
      at = heapAddress(a);
    })();
    for (let i = 0; i < 20 && arena.stats.heapFreed === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(arena.stats.heapFreed).toBe(1);
    expect(heapAddress(arena.alloc("float32", 100_000))).toBe(at);
  });

  it("a job's heap arrays are named by path, and a worker's copies of them are recognised once marked", () => {
    const arena = new Arena();
    const h = arena.alloc("float32", 10_000);
    const plain = new Float32Array(10_000);
    const job = { a: h, b: plain, list: [plain, h], n: 3 };
    expect(heapKeysOf(job)).toEqual(["a", "list.1"]);
    expect(heapKeysOf({ b: plain })).toBeUndefined();
    // a worker gets new SharedArrayBuffer objects over the same bytes: stand-ins for them here
    const copy = (x: TypedArray) => new Float32Array(new SharedArrayBuffer(x.byteLength + x.byteOffset), x.byteOffset, x.length);
    const received = { a: copy(h), b: plain, list: [plain, copy(h)], n: 3 };
    expect(heapAddress(received.a)).toBe(-1);
    markHeapArrays(received, heapKeysOf(job));
    expect(heapAddress(received.a)).toBe(heapAddress(h));
    expect(heapAddress(received.list[1]!)).toBe(heapAddress(h));
    expect(heapAddress(received.b)).toBe(-1);
  });
});

describe("GEMM on heap operands", () => {
  // the exact (non-FMA) module: every path gives the float32-rounded sequential sum
  const exact = createGemm({ ...DEFAULT_GEMM_CONFIG, fma: false });
  const fused = createGemm(DEFAULT_GEMM_CONFIG);
  const arena = new Arena();
  const ctor = (d: GemmDtype) => (d === "float32" ? Float32Array : Float64Array);

  function fill(x: FloatArray, seed: number, tiny: boolean): void {
    let s = seed >>> 0 || 1;
    for (let i = 0; i < x.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = s / 2 ** 31 - 1;
      x[i] = tiny && i % 3 === 0 ? v * 2 ** -140 : v;
    }
  }

  it("reads A and B and writes C in place with the bits of the staged path (shapes, transposes, offsets, batches, row ranges, deep k, FTZ)", () => {
    fc.assert(
      fc.property(
        fc.record({
          d: fc.constantFrom<GemmDtype>("float32", "float64"),
          m: fc.integer({ min: 1, max: 70 }), k: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(1100)), n: fc.integer({ min: 2, max: 70 }),
          transA: fc.boolean(), transB: fc.boolean(), batch: fc.integer({ min: 1, max: 3 }), shareB: fc.boolean(),
          aOff: fc.integer({ min: 0, max: 5 }), bOff: fc.integer({ min: 0, max: 5 }), cOff: fc.integer({ min: 0, max: 5 }),
          cut: fc.integer({ min: 0, max: 100 }), flush: fc.boolean(), tiny: fc.boolean(), fma: fc.boolean(),
          where: fc.constantFrom("a", "b", "c", "all"), seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        (t) => {
          const { d, m, k, n, batch } = t;
          if (m === 1 || m * k * n <= 400) return; // the gemv and plain-JS paths never stage
          const g = t.fma ? fused : exact;
          const aStride = m * k, bStride = t.shareB ? 0 : k * n, cStride = m * n;
          // at least 16 KiB each: smaller arrays live in the arena's slabs, not the heap
          const lens = [t.aOff + (batch - 1) * aStride + m * k, t.bOff + (batch - 1) * bStride + k * n, t.cOff + (batch - 1) * cStride + m * n].map((x) => Math.max(x, 4096));
          const plain = lens.map((len) => new (ctor(d))(len));
          fill(plain[0]!, t.seed, t.tiny);
          fill(plain[1]!, t.seed + 1, false);
          const inHeap = (i: number) => t.where === "all" || t.where === "abc"[i];
          const heap = lens.map((len, i) => {
            if (!inHeap(i)) return plain[i]!;
            const x = arena.alloc(d, len) as FloatArray;
            expect(heapAddress(x)).toBeGreaterThanOrEqual(0);
            x.set(plain[i]!);
            return x;
          });
          const r0 = Math.min(m - 1, Math.floor((t.cut / 100) * m)), r1 = m;
          const c1 = new (ctor(d))(lens[2]!).fill(-5);
          (heap[2] as FloatArray).fill(-5);
          g(d, plain[0]!, t.aOff, aStride, t.transA, plain[1]!, t.bOff, bStride, t.transB, c1, t.cOff, cStride, batch, m, k, n, r0, r1, t.flush);
          g(d, heap[0]!, t.aOff, aStride, t.transA, heap[1]!, t.bOff, bStride, t.transB, heap[2]!, t.cOff, cStride, batch, m, k, n, r0, r1, t.flush);
          expect(Array.from(heap[2]!)).toEqual(Array.from(c1));
          expect(Array.from(heap[0]!), "A is not written").toEqual(Array.from(plain[0]!));
          expect(Array.from(heap[1]!), "B is not written").toEqual(Array.from(plain[1]!));
          for (const x of heap) if (heapAddress(x) >= 0) arena.release(x);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("matrix-vector products read a heap matrix in place (whole blocks of 4 rows, the rest staged) with the bits of the staged path", () => {
    fc.assert(
      fc.property(
        fc.record({
          d: fc.constantFrom<GemmDtype>("float32", "float64"),
          rows: fc.integer({ min: 2, max: 203 }), k: fc.integer({ min: 2, max: 300 }), rowVector: fc.boolean(),
          batch: fc.integer({ min: 1, max: 3 }), off: fc.integer({ min: 0, max: 5 }), cut: fc.integer({ min: 0, max: 100 }),
          fma: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        (t) => {
          const { d, rows, k, batch } = t;
          const g = t.fma ? fused : exact;
          // mat · vec as A[rows, k] · b[k, 1] (n = 1), or vec · matᵀ as a[1, k] · B[rows, k]ᵀ (m = 1, transB)
          const [m, n] = t.rowVector ? [1, rows] : [rows, 1];
          const matLen = Math.max(t.off + batch * rows * k, 4096), vecLen = batch * k;
          const plainMat = new (ctor(d))(matLen), vec = new (ctor(d))(vecLen);
          fill(plainMat, t.seed, false);
          fill(vec, t.seed + 1, false);
          const heapMat = arena.alloc(d, matLen) as FloatArray;
          expect(heapAddress(heapMat)).toBeGreaterThanOrEqual(0);
          heapMat.set(plainMat);
          const r0 = t.rowVector ? 0 : Math.min(rows - 1, Math.floor((t.cut / 100) * rows));
          const run = (mat: FloatArray) => {
            const c = new (ctor(d))(batch * rows).fill(-5);
            if (t.rowVector) g(d, vec, 0, k, false, mat, t.off, rows * k, true, c, 0, rows, batch, m, k, n);
            else g(d, mat, t.off, rows * k, false, vec, 0, k, false, c, 0, rows, batch, m, k, n, r0, m);
            return Array.from(c);
          };
          expect(run(heapMat)).toEqual(run(plainMat));
          arena.release(heapMat);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("the in-place product equals a float32-rounded sequential triple loop (non-FMA module)", () => {
    const [m, k, n] = [37, 131, 45];
    const a = arena.alloc("float32", m * k) as Float32Array, b = arena.alloc("float32", k * n) as Float32Array, c = arena.alloc("float32", m * n) as Float32Array;
    fill(a, 3, false);
    fill(b, 4, false);
    exact("float32", a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, m, k, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(a[i * k + p]! * b[p * n + j]!));
        expect(c[i * n + j]).toBe(s);
      }
    }
  });
});

describe("heap arrays on the pool", () => {
  it("workers read heap operands in place, also in heap space grown after they started: 2 threads give the bits of 1", async () => {
    const script = `
      import { numpy as np } from "./src/index.ts";
      import { currentPool } from "./src/core/backend/pool-scope.ts";
      import { heapAddress, heapBytes } from "./src/core/backend/heap.ts";
      await currentPool()?.start();
      const r = (n, o) => np.sin(np.arange(n).astype("float32").mul(0.37).add(o));
      const out = [];
      const held = [];
      let grown = 0;
      for (let round = 0; round < 4; round++) {
        const before = heapBytes();
        const a = r(300 * 260, round).reshape([300, 260]), b = r(260 * 280, round + 0.5).reshape([260, 280]);
        if (heapAddress(a._data) < 0 || heapAddress(b._data) < 0) throw new Error("operands not in the heap");
        if (heapAddress(a._data) >= before) grown++;
        const c = np.matmul(a, b);
        const ct = np.matmul(a.T, a);
        out.push(Array.from(c.dataSync()).join(","), Array.from(ct.dataSync()).join(","));
        for (let i = 0; i < 3; i++) held.push(np.ones([1024 * 1024])); // 12 MiB more heap
      }
      const s = currentPool()?.stats ?? { jobs: 0, inlineJobs: 0 };
      console.log(JSON.stringify({ digest: out.join("|").length + ":" + out.join("|").split("").reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7), pooled: s.jobs - s.inlineJobs, grown }));
    `;
    const run = (threads: number) =>
      new Promise<{ digest: string; pooled: number; grown: number }>((resolve, reject) => {
        execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, env: { ...process.env, TAPIR_THREADS: String(threads), TAPIR_THREADS_FORCE: "1" }, timeout: 120_000 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`${err.message}\n${stderr}`));
          else resolve(JSON.parse(stdout.trim().split("\n").pop()!));
        });
      });
    const [one, two] = [await run(1), await run(2)];
    expect(two.pooled, "the products ran on the workers").toBeGreaterThan(0);
    expect(two.grown, "later rounds' operands lie in heap space added after the workers started").toBeGreaterThanOrEqual(2);
    expect(two.digest).toBe(one.digest);
  }, 240_000);
});
