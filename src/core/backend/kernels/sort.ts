// Sorting kernels. `sort` sorts lines of several same-shape operands (x viewed as
// [outer, n, inner], a line = o·inner + i) lexicographically by the first `numKeys` of them, and
// applies the same permutation to all; stable (equal keys keep their order). Key order is
// JAX's (lax.sort): -0 equals +0, every NaN sorts after +∞ (numpy's order too). `topK` takes the
// k largest of each row of x [rows, n], in decreasing order, ties by lower index, in XLA's total
// order (-NaN < -∞ < … < -0 < +0 < … < +∞ < +NaN) as jax.lax.top_k does.
//
// Speed: a single key is mapped to unsigned words whose order is the sort order (32 bits for
// float32/int32/bool, 64 for float64) and the indices are LSD-radix-sorted by them (stable,
// O(n)); several keys go through a stable comparator sort of indices.
import { defineKernel, type TypedArray } from "../kernel.js";

/** ns per element per log2(n) of a sort (bench: 1e6 float32 ≈ 80 ms). */
export const SORT_NS = 4;

const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64hi = new Uint32Array(f64.buffer);

/** float32 → uint32 whose unsigned order is JAX's sort order (zeros equal, NaNs last). */
function key32f(v: number, total: boolean): number {
  if (!total && v === 0) return 0x80000000;
  f32[0] = v;
  let b = u32[0]!;
  if (!total && v !== v) b = 0x7fc00000;
  return b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
}
/** Unsigned order key of a 32-bit element (float32 by bits, int32 offset, bool as is). */
function key32(a: TypedArray, j: number, total: boolean): number {
  if (a instanceof Float32Array) return key32f(a[j]!, total);
  if (a instanceof Int32Array) return (a[j]! ^ 0x80000000) >>> 0;
  return a[j]!;
}
const is32 = (a: TypedArray) => a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array;

/** Stable order of `keys` (contiguous lines of length n): perm[r] = index of the r-th smallest. */
function argsortLine(keys: TypedArray[], n: number, perm: Int32Array, descending: boolean, total: boolean): void {
  if (keys.length === 1 && (is32(keys[0]!) || keys[0] instanceof Float64Array)) {
    const k = keys[0]!;
    const lo = new Uint32Array(n);
    const hi = k instanceof Float64Array ? new Uint32Array(n) : null;
    const flip = descending ? 0xffffffff : 0;
    if (hi) {
      for (let j = 0; j < n; j++) {
        key64(k[j]!, total);
        hi[j] = (pair[0]! ^ flip) >>> 0;
        lo[j] = (pair[1]! ^ flip) >>> 0;
      }
    } else for (let j = 0; j < n; j++) lo[j] = (key32(k, j, total) ^ flip) >>> 0;
    radixArgsort(lo, hi, n, perm);
    return;
  }
  for (let j = 0; j < n; j++) perm[j] = j;
  const sign = descending ? -1 : 1;
  perm.sort((a, b) => {
    for (const k of keys) {
      const c = compare(k, a, b, total);
      if (c !== 0) return sign * c;
    }
    return a - b;
  });
}

const pair = new Uint32Array(2);
/** float64 → (hi, lo) words whose unsigned order is the sort order (as key32f). */
function key64(v: number, total: boolean): void {
  if (!total && v === 0) v = 0;
  if (!total && v !== v) v = NaN;
  f64[0] = v;
  let h = u64hi[LITTLE ? 1 : 0]!, l = u64hi[LITTLE ? 0 : 1]!;
  if (!total && v !== v) (h = 0x7ff80000), (l = 0);
  if (h & 0x80000000) (h = ~h >>> 0), (l = ~l >>> 0);
  else h = (h | 0x80000000) >>> 0;
  pair[0] = h;
  pair[1] = l;
}

const BITS = 11;
const RADIX = 1 << BITS;
/**
 * LSD radix sort of indices by unsigned keys (lo, then hi when given: 64-bit keys), 11 bits a
 * pass; each pass is stable, so equal keys keep their index order. A pass whose digit is the
 * same for every key is skipped.
 */
function radixArgsort(lo: Uint32Array, hi: Uint32Array | null, n: number, perm: Int32Array): void {
  let idx = new Int32Array(n);
  for (let j = 0; j < n; j++) idx[j] = j;
  let kLo: Uint32Array = lo, kHi: Uint32Array | null = hi;
  let tIdx = new Int32Array(n), tLo: Uint32Array = new Uint32Array(n), tHi: Uint32Array | null = hi ? new Uint32Array(n) : null;
  const count = new Int32Array(RADIX);
  const words = hi ? 2 : 1;
  for (let w = 0; w < words; w++) {
    for (let shift = 0; shift < 32; shift += BITS) {
      const src = w === 0 ? kLo : kHi!;
      count.fill(0);
      for (let j = 0; j < n; j++) count[(src[j]! >>> shift) & (RADIX - 1)]!++;
      if (count[(src[0]! >>> shift) & (RADIX - 1)] === n) continue;
      let sum = 0;
      for (let d = 0; d < RADIX; d++) {
        const c = count[d]!;
        count[d] = sum;
        sum += c;
      }
      for (let j = 0; j < n; j++) {
        const d = (src[j]! >>> shift) & (RADIX - 1);
        const at = count[d]!++;
        tIdx[at] = idx[j]!;
        tLo[at] = kLo[j]!;
        if (kHi) tHi![at] = kHi[j]!;
      }
      [idx, tIdx] = [tIdx, idx];
      [kLo, tLo] = [tLo, kLo];
      if (kHi) [kHi, tHi] = [tHi!, kHi];
    }
  }
  perm.set(idx.subarray(0, n));
}

/** -1/0/1 comparing k[a] and k[b] in the sort order (total: XLA's total order). */
function compare(k: TypedArray, a: number, b: number, total: boolean): number {
  const x = k[a]!, y = k[b]!;
  if (x < y) return -1;
  if (x > y) return 1;
  if (!(k instanceof Float32Array || k instanceof Float64Array)) return 0;
  if (x === y) return total && x === 0 ? signOf(y) - signOf(x) : 0;
  // a NaN is involved
  if (!total) return x !== x ? (y !== y ? 0 : 1) : -1;
  const r = (v: number) => (v === v ? 0 : signOf(v) ? -1 : 1);
  return r(x) - r(y) || 0;
}
/** 1 when the sign bit of v is set (-0, negative, -NaN), else 0: read from v's float64 bits. */
function signOf(v: number): number {
  f64[0] = v;
  return u64hi[LITTLE ? 1 : 0]! >>> 31;
}

type SortArgs = [keys: TypedArray[], outer: number, n: number, inner: number, perm: Int32Array, ops: TypedArray[], outs: TypedArray[]];
/** The job computes each line's permutation into `out` (perm); finish applies it to every operand. */
export interface SortJob {
  keys: TypedArray[];
  n: number;
  inner: number;
  out: Int32Array;
}

/**
 * A unit is a line: its keys are copied out contiguous and sorted, the permutation written to
 * perm[o, :, i]; finish (on the caller) permutes every operand by it — so the only array the
 * pool writes is `out`, which the backend gives a shared stand-in when it is not shared memory.
 */
export const sort = defineKernel<SortArgs, SortJob>({
  name: "sort",
  cost: (_keys, outer, n, inner) => outer * inner * n * Math.max(1, Math.log2(n + 1)) * SORT_NS,
  plan: ([keys, outer, n, inner, perm]) =>
    outer * inner * n === 0 ? null : { job: { keys, n, inner, out: perm }, units: outer * inner, unitNs: n * Math.max(1, Math.log2(n + 1)) * SORT_NS, per: 1 },
  run: ({ keys, n, inner, out }, l0, l1) => {
    const perm = new Int32Array(n);
    for (let line = l0; line < l1; line++) {
      const o = Math.floor(line / inner), i = line - o * inner;
      const base = o * n * inner + i;
      const ks = keys.map((k) => (inner === 1 ? k.subarray(base, base + n) : strided(k, base, n, inner)));
      argsortLine(ks, n, perm, false, false);
      for (let j = 0; j < n; j++) out[base + j * inner] = perm[j]!;
    }
  },
  finish: (_job, [, outer, n, inner, perm, ops, outs]) => {
    const lineLen = n * inner;
    ops.forEach((x, q) => {
      const y = outs[q]!;
      if (inner === 1) {
        for (let b = 0; b < outer * n; b += n) for (let j = b; j < b + n; j++) y[j] = x[b + perm[j]!]!;
        return;
      }
      for (let o = 0; o < outer; o++) {
        const b = o * lineLen;
        for (let p = 0; p < lineLen; p++) {
          const i = p % inner;
          y[b + p] = x[b + perm[b + p]! * inner + i]!;
        }
      }
    });
  },
});

function strided(x: TypedArray, base: number, n: number, inner: number): TypedArray {
  const c = new (x.constructor as new (n: number) => TypedArray)(n);
  for (let j = 0; j < n; j++) c[j] = x[base + j * inner]!;
  return c;
}

/**
 * The k best of a row (greater total-order key first, ties by lower index) into perm[0..k), in
 * order: one pass keeping the k best in a heap whose root is the worst kept (O(n log k)), then
 * the k sorted. A later index never beats an equal kept key, so ties keep the lower index.
 */
function topKHeap(x: TypedArray, n: number, k: number, perm: Int32Array): void {
  const hi = new Uint32Array(n);
  const lo = x instanceof Float64Array ? new Uint32Array(n) : null;
  for (let j = 0; j < n; j++) {
    if (lo) {
      key64(x[j]!, true);
      hi[j] = pair[0]!;
      lo[j] = pair[1]!;
    } else hi[j] = key32(x, j, true);
  }
  // i ranks before j
  const better = (i: number, j: number) => hi[i]! > hi[j]! || (hi[i] === hi[j] && (lo === null || lo[i]! > lo[j]! || (lo[i] === lo[j] && i < j)) && (lo !== null || i < j));
  const heap = new Int32Array(k);
  let size = 0;
  const down = (at: number) => {
    for (;;) {
      const l = 2 * at + 1, r = l + 1;
      let w = at;
      if (l < size && better(heap[w]!, heap[l]!)) w = l;
      if (r < size && better(heap[w]!, heap[r]!)) w = r;
      if (w === at) return;
      [heap[at], heap[w]] = [heap[w]!, heap[at]!];
      at = w;
    }
  };
  for (let j = 0; j < n; j++) {
    if (size < k) {
      let at = size++;
      heap[at] = j;
      while (at > 0) {
        const p = (at - 1) >> 1;
        if (!better(heap[p]!, heap[at]!)) break;
        [heap[p], heap[at]] = [heap[at]!, heap[p]!];
        at = p;
      }
    } else if (better(j, heap[0]!)) {
      heap[0] = j;
      down(0);
    }
  }
  const best = Array.from(heap.subarray(0, size)).sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  for (let j = 0; j < size; j++) perm[j] = best[j]!;
}

type TopKArgs = [x: TypedArray, rows: number, n: number, k: number, values: TypedArray, indices: Int32Array];
/** The job writes the indices (`out`); finish gathers the values on the caller. */
export interface TopKJob {
  x: TypedArray;
  n: number;
  k: number;
  out: Int32Array;
}

/** A unit is a row: its stable descending order in the total order, the first k kept. */
export const topK = defineKernel<TopKArgs, TopKJob>({
  name: "topK",
  cost: (_x, rows, n) => rows * n * Math.max(1, Math.log2(n + 1)) * SORT_NS,
  plan: ([x, rows, n, k, , indices]) =>
    rows * k === 0 ? null : { job: { x, n, k, out: indices }, units: rows, unitNs: n * Math.max(1, Math.log2(n + 1)) * SORT_NS, per: 1 },
  run: ({ x, n, k, out }, r0, r1) => {
    const perm = new Int32Array(n);
    for (let r = r0; r < r1; r++) {
      const row = x.subarray(r * n, (r + 1) * n);
      if (k * 8 <= n) {
        topKHeap(row, n, k, perm);
      } else argsortLine([row], n, perm, true, true);
      for (let j = 0; j < k; j++) out[r * k + j] = perm[j]!;
    }
  },
  finish: (_job, [x, rows, n, k, values, indices]) => {
    for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) values[r * k + j] = x[r * n + indices[r * k + j]!]!;
  },
});
