// Column sums: x viewed as [len, cols] summed over its leading axis, what a reduction over
// leading axes is (the bias gradient of a dense layer sums the batch axis). The rows kernel
// (reduce.ts) wants the reduced axis last and so reads a transposed copy; this loop reads x
// in place, a row at a time, for every column at once. It follows pairwiseSum's tree exactly
// (leaves of ≤ 128 summed in order in float64, halves split at the same points), so each
// column's bits equal the transposed copy's row sum: eager, jit and every thread count agree.
// A float32 or float64 x in the heap (heap.ts) has its leaves summed by a small Wasm function
// (float64x2 lanes, each column still summed row by row in float64: the same bits as the JS leaf).
import type { TypedArray } from "../kernel.js";
import { claimHeap, heapAddress, heapBuffer, heapMemory } from "../heap.js";
import { F32, F64, Func, I32, V128, assembleWithImports } from "../wasm-asm.js";

/** @internal calls whose leaves ran in Wasm (tests check the route) */
export const colsumStats = { wasm: 0 };

/** Fewer columns than this and the per-column scratch costs more than the transposed copy. */
export const COLSUM_MIN_COLS = 8;

/**
 * out[j] = Σ_i x[i·cols + j] for i < len, summed in pairwiseSum's order (NaNs canonical).
 * The recursion keeps one float64 row of partials per tree level (levels ≤ 2 + log2(len/64)).
 */
export function sumColumns(x: TypedArray, len: number, cols: number, out: TypedArray): void {
  const depth = 2 + Math.max(0, Math.ceil(Math.log2(Math.max(1, len / 64))));
  const wasm = wasmLeaf(x, cols * (depth + 1) * 8);
  if (wasm !== null) colsumStats.wasm++;
  const scratch = wasm === null ? new Float64Array(cols * (depth + 1)) : new Float64Array(heapBuffer(), scratchAt, cols * (depth + 1));
  // a leaf's columns eight at a time in locals (each column still summed row by row, in order):
  // the read-modify-write of the scratch row for every element cost ~3 ns an element (W1's bias
  // gradient, [128, 256])
  const es = x.BYTES_PER_ELEMENT;
  const xAt = wasm === null ? 0 : heapAddress(x);
  const leaf = wasm !== null ? (row: number, n: number, acc: number): void => wasm(scratchAt + acc * 8, xAt + row * cols * es, n, cols, cols * es) : (row: number, n: number, acc: number): void => {
    const end = row + n;
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let i = row, o = row * cols + j; i < end; i++, o += cols) {
        s0 += x[o]!;
        s1 += x[o + 1]!;
        s2 += x[o + 2]!;
        s3 += x[o + 3]!;
        s4 += x[o + 4]!;
        s5 += x[o + 5]!;
        s6 += x[o + 6]!;
        s7 += x[o + 7]!;
      }
      scratch[acc + j] = s0;
      scratch[acc + j + 1] = s1;
      scratch[acc + j + 2] = s2;
      scratch[acc + j + 3] = s3;
      scratch[acc + j + 4] = s4;
      scratch[acc + j + 5] = s5;
      scratch[acc + j + 6] = s6;
      scratch[acc + j + 7] = s7;
    }
    for (; j < cols; j++) {
      let s = 0;
      for (let i = row, o = row * cols + j; i < end; i++, o += cols) s += x[o]!;
      scratch[acc + j] = s;
    }
  };
  const walk = (row: number, n: number, level: number): void => {
    // leaves sum into scratch level `level`: acc[j] over rows row … row+n−1, in order
    const acc = level * cols;
    if (n <= 128) {
      leaf(row, n, acc);
      return;
    }
    const h = (n >> 1) & ~127 || n >> 1;
    walk(row, h, level);
    walk(row + h, n - h, level + 1);
    const b = (level + 1) * cols;
    for (let j = 0; j < cols; j++) scratch[acc + j]! += scratch[b + j]!;
  };
  walk(0, len, 0);
  for (let j = 0; j < cols; j++) {
    const v = scratch[j]!;
    out[j] = v === v ? v : NaN;
  }
}

// ------------------------------------------------------------ the Wasm leaf

/** The part of the WebAssembly JS API used here (the project's libs do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
};

type Leaf = (dst: number, src: number, rows: number, cols: number, ldB: number) => void;
/** This thread's leaves (undefined: not built yet; null: no heap or no SIMD here). */
let leaves: { f32: Leaf; f64: Leaf } | null | undefined;
/** This thread's scratch for the partial sums: a heap claim of its own, grown by claiming anew. */
let scratchAt = -1;
let scratchBytes = 0;

/** The Wasm leaf for x when x is a float32 or float64 array in the heap (and scratch of `bytes` is there), else null. */
function wasmLeaf(x: TypedArray, bytes: number): Leaf | null {
  const f32 = x instanceof Float32Array;
  if ((!f32 && !(x instanceof Float64Array)) || heapAddress(x) < 0) return null;
  if (leaves === undefined) leaves = build();
  if (leaves === null) return null;
  if (scratchBytes < bytes) {
    const want = Math.max(bytes, 2 * scratchBytes, 65536);
    const at = claimHeap(want);
    if (at < 0) return null;
    scratchAt = at;
    scratchBytes = want;
  }
  return f32 ? leaves.f32 : leaves.f64;
}

function build(): { f32: Leaf; f64: Leaf } | null {
  const mem = heapMemory();
  if (mem === null) return null;
  try {
    const bytes = assembleWithImports([], [leafFunc(true), leafFunc(false)], 0, true);
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } }).exports;
    return { f32: ex["colsum_f32"] as Leaf, f64: ex["colsum_f64"] as Leaf };
  } catch {
    return null; // no SIMD128 here: the JS leaf
  }
}

/** `for (c = count; c > 0; c--) body` (count read from local c, which is consumed). */
function countDown(f: Func, c: number, body: () => void): void {
  f.block().get(c).eqz().brIf(0).loop();
  body();
  f.get(c).i32(1).sub().tee(c).brIf(0).end().end();
}

/**
 * colsum_<f32|f64>(dst, src, rows, cols, ldB): float64 dst[j] = Σ_{r < rows} src[r·ld + j] for
 * j < cols, r in increasing order, in float64 (a float32 element widened exactly first): eight
 * columns at a time in four float64x2 accumulators, then the last cols mod 8 one at a time.
 */
function leafFunc(f32: boolean): Func {
  const es = f32 ? 4 : 8;
  const f = new Func(f32 ? "colsum_f32" : "colsum_f64", [I32, I32, I32, I32, I32]);
  const [dst, src, rows, cols, ldB] = [0, 1, 2, 3, 4];
  const acc = [0, 1, 2, 3].map(() => f.local(V128));
  const p = f.local(I32);
  const r = f.local(I32);
  const g = f.local(I32);
  const s = f.local(F64);
  f.get(cols).i32(3).op(0x76 /* i32.shr_u */).set(g);
  countDown(f, g, () => {
    for (const a of acc) f.v128zero().set(a);
    f.get(src).set(p).get(rows).set(r);
    countDown(f, r, () => {
      acc.forEach((a, v) => {
        f.get(a).get(p);
        // float32: two elements (v128.load64_zero) widened to float64x2 (f64x2.promote_low_f32x4)
        if (f32) f.simd(0x5d, 3, v * 8).simd(0x5f);
        else f.v128load(v * 16);
        f.simd(0xf0 /* f64x2.add */).set(a);
      });
      f.incBy(p, ldB);
    });
    acc.forEach((a, v) => f.get(dst).get(a).v128store(v * 16));
    f.inc(dst, 64).inc(src, 8 * es);
  });
  f.get(cols).i32(7).op(0x71 /* i32.and */).set(g);
  countDown(f, g, () => {
    f.f64(0).set(s).get(src).set(p).get(rows).set(r);
    countDown(f, r, () => {
      f.get(s).get(p).load(f32 ? F32 : F64);
      if (f32) f.op(0xbb /* f64.promote_f32 */);
      f.op(0xa0 /* f64.add */).set(s).incBy(p, ldB);
    });
    f.get(dst).get(s).store(F64);
    f.inc(dst, 8).inc(src, es);
  });
  return f;
}
