// Column sums (kernels/colsum.ts): a sum over leading axes reads x by columns, each column summed
// in pairwiseSum's tree (leaves of ≤ 128 rows in order, in float64). A float32/float64 x in the
// heap has its leaves summed in Wasm: the bits must be those of the tree computed here in float64.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { colsumStats, sumColumns } from "../../src/core/backend/kernels/colsum.js";
import { Arena } from "../../src/core/backend/storage.js";
import { heapAddress } from "../../src/core/backend/heap.js";

/** The reference: column j of x[len, cols] summed by pairwiseSum's tree, in float64. */
function treeSum(col: number[]): number {
  const n = col.length;
  if (n <= 128) {
    let s = 0;
    for (const v of col) s += v;
    return s;
  }
  const h = (n >> 1) & ~127 || n >> 1;
  return treeSum(col.slice(0, h)) + treeSum(col.slice(h));
}

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-40, -3e-39, 2 ** -1070, 1e30, -1e30, 3.4e38, 1.5, -2.25];

describe("column sums", () => {
  const arena = new Arena();
  it("a heap array's columns (Wasm leaf) and an ordinary array's (JS leaf) both give the float64 tree's bits", () => {
    const before = colsumStats.wasm;
    fc.assert(
      fc.property(
        fc.constantFrom("float32" as const, "float64" as const),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        (dtype, len, cols, seed, specialRate) => {
          const n = len * cols;
          const block = arena.alloc(dtype, Math.max(n, 4096));
          const heapX = block.subarray(0, n);
          expect(heapAddress(heapX)).toBeGreaterThanOrEqual(0);
          const plainX = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
          let s = seed;
          for (let i = 0; i < n; i++) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const u = s / 2 ** 32;
            plainX[i] = u < specialRate ? SPECIAL[s % SPECIAL.length]! : (u - 0.5) * 10 ** ((s >>> 8) % 7 - 3);
          }
          heapX.set(plainX);
          const ctor = dtype === "float32" ? Float32Array : Float64Array;
          const want = new ctor(cols);
          for (let j = 0; j < cols; j++) {
            const col: number[] = [];
            for (let r = 0; r < len; r++) col.push(plainX[r * cols + j]!);
            want[j] = treeSum(col);
          }
          const fromHeap = new ctor(cols);
          const fromPlain = new ctor(cols);
          sumColumns(heapX, len, cols, fromHeap);
          sumColumns(plainX, len, cols, fromPlain);
          const bits = (a: Float32Array | Float64Array) => Array.from(a, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v)));
          expect(bits(fromHeap)).toEqual(bits(want));
          expect(bits(fromPlain)).toEqual(bits(want));
          arena.release(block);
        },
      ),
      { numRuns: 200 },
    );
    expect(colsumStats.wasm - before, "the heap arrays took the Wasm leaf").toBe(200);
  });
});
