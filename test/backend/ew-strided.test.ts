// The Wasm kernels' strided staging (ew-run.ts runStrided): operands laid out as the output go
// in as one slice per block, rows broadcast over the outer axes are copied once and doubled,
// everything else is gathered row by row. Checked against the layout written out here (plain
// index arithmetic over the shape, float32 rounding as the expression does), over shapes whose
// rows straddle the 8192-element blocks, and over row ranges split the way threads split them.
import { describe, expect, it } from "vitest";
import { runStrided, wasmKernel, wasmSimd } from "../../src/core/backend/ew-run.js";
import { BLOCK } from "../../src/core/backend/ew-wasm.js";

const f = Math.fround;
// out = ((a0·a1 + a2)·a3 − a4)·a5, every step rounded to float32
const EXPR = "const t0 = Math.fround((a0) * (a1)); const t1 = Math.fround((t0) + (a2)); const t2 = Math.fround((t1) * (a3)); const t3 = Math.fround((t2) - (a4)); const t4 = Math.fround((t3) * (a5)); t4";
const ref = (a: number[]) => f(f(f(f(f(a[0]! * a[1]!) + a[2]!) * a[3]!) - a[4]!) * a[5]!);

/** Deterministic float32 values (an LCG), some exact halves. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 8);
}

interface Operand {
  data: Float32Array;
  /** strides over the output's shape (0 on broadcast axes) */
  strides: number[];
  scalar?: boolean;
}

/** Operands of every staging kind over `shape`: laid out as the output, a broadcast row, a column, a transpose, a scalar, a tile (the trailing axes repeated over the first). */
function operands(shape: number[], seed: number): Operand[] {
  const nd = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  const contiguous = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const inner = shape[nd - 1]!;
  const outer = size / inner;
  const rowStrides = shape.map((_, d) => (d === nd - 1 ? 1 : 0));
  // a column: one value per row, constant along the last axis
  const colStrides = shape.map((_, d) => (d === nd - 1 ? 0 : contiguous[d]! / inner));
  // the last two axes swapped in memory (a transpose the kernel reads in place)
  const tStrides = [...contiguous];
  if (nd >= 2) {
    const a = shape[nd - 2]!;
    tStrides[nd - 1] = a;
    tStrides[nd - 2] = 1;
  }
  return [
    { data: values(size, seed), strides: contiguous },
    { data: values(inner, seed + 1), strides: rowStrides },
    { data: values(outer, seed + 2), strides: colStrides },
    { data: values(size, seed + 3), strides: tStrides },
    { data: Float32Array.of(1.5), strides: shape.map(() => 0), scalar: true },
    { data: values(size / shape[0]!, seed + 4), strides: contiguous.map((c, d) => (d === 0 ? 0 : c)) },
  ];
}

function expected(shape: number[], ops: Operand[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  const idx = shape.map(() => 0);
  for (let e = 0; e < size; e++) {
    out[e] = ref(ops.map((o) => o.data[idx.reduce((acc, i, d) => acc + i * o.strides[d]!, 0)]!));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

describe.skipIf(!wasmSimd)("runStrided stages each operand by its layout", () => {
  const shapes = [
    [3, 7],
    [40, 128],
    [20, 1000], // rows straddle blocks
    [3, 8193], // a row longer than a block
    [5, 6, 300], // the row operand broadcast over two outer axes; the column varies over both
    [2, 3, 2, 700],
  ];
  for (const shape of shapes) {
    it(`shape [${shape}]: equals the index arithmetic, whole and split into row ranges`, () => {
      const ops = operands(shape, shape.length * 31 + shape[0]!);
      const k = wasmKernel(EXPR, ops.map(() => "f32"), ops.map((o) => (o.scalar ? "s" : "v")).join(""), "f32")!;
      expect(k).not.toBeNull();
      const nd = shape.length;
      const strides = Int32Array.from(ops.flatMap((o) => o.strides));
      const shp = Int32Array.from(shape);
      const want = expected(shape, ops);
      const rows = want.length / shape[nd - 1]!;
      // whole, then in 1, 3 and 7 pieces (uneven, as the pool splits rows among threads)
      for (const pieces of [1, 3, 7]) {
        const out = new Float32Array(want.length).fill(NaN);
        for (let p = 0; p < pieces; p++) {
          const r0 = Math.floor((rows * p) / pieces);
          const r1 = Math.floor((rows * (p + 1)) / pieces);
          if (r1 > r0) runStrided(k, ops.map((o) => o.data), strides, shp, out, r0, r1);
        }
        let bad = -1;
        for (let i = 0; i < want.length && bad < 0; i++) if (!Object.is(out[i], want[i])) bad = i;
        expect(bad, `pieces ${pieces}: first mismatch at ${bad} (got ${out[bad]}, want ${want[bad]}); BLOCK ${BLOCK}`).toBe(-1);
      }
    });
  }
});
