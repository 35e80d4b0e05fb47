// Row reductions (sum, prod, max, min, argmax, argmin) of x viewed as [rows, len], and the
// cumulative sum. Sums are pairwise (blocked) with an order fixed by the row length alone. A
// long row (≥ 2 × tuning.piece) on the pool is cut into the leaves of that fixed summation tree:
// the leaves run in parallel and finish() adds them back up the same tree on the caller, so the
// bits equal the whole-row loop's. With config.flushSubnormals on (the default), a sum, product,
// max or min whose stored value is subnormal is stored as ±0 (XLA's FTZ); subnormal inputs are
// still added as they are (XLA's DAZ would read them as 0: docs/semantics.md).
import { defineKernel, tuning, type TypedArray } from "../kernel.js";
import { gemmFlush } from "../gemm.js";

export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin";

/** ns per element reduced, resp. per element of a cumulative sum (bench/threshold.ts). */
export const REDUCE_NS = 0.7;
export const CUMSUM_NS = 2;

/** Pairwise (blocked) sum of x[off .. off+n): the exact order is fixed by n alone. */
function pairwiseSum(x: TypedArray, off: number, n: number): number {
  if (n <= 128) {
    let s = 0;
    for (let i = off; i < off + n; i++) s += x[i]!;
    return s;
  }
  const h = (n >> 1) & ~127 || n >> 1;
  return pairwiseSum(x, off, h) + pairwiseSum(x, off + h, n - h);
}

/** max/min of x[off .. off+n) (NaN if any is NaN; the first of equal values wins). */
function extremum(x: TypedArray, off: number, n: number, isMax: boolean): number {
  let m = isMax ? -Infinity : Infinity;
  for (let i = off, e = off + n; i < e; i++) {
    const v = x[i]!;
    if (v !== v) return NaN;
    if (isMax ? v > m : v < m) m = v;
  }
  return m;
}

/** [value, index] of the first max/min (or first NaN) of x[off .. off+n), index relative to off. */
function argExtremum(x: TypedArray, off: number, n: number, isMax: boolean, res: Float64Array, at: number): void {
  let m = isMax ? -Infinity : Infinity;
  let best = 0;
  for (let i = 0; i < n; i++) {
    const v = x[off + i]!;
    if (v !== v) {
      m = NaN;
      best = i;
      break;
    }
    if (isMax ? v > m : v < m) {
      m = v;
      best = i;
    }
  }
  res[at] = m;
  res[at + 1] = best;
}

const argRes = new Float64Array(2);

/**
 * The canonical quiet NaN for any NaN, so a reduced NaN has the same bits whichever thread
 * summed which leaf (engines do not preserve NaN payloads across compiler tiers). Once per
 * output element: cheap.
 */
const canon = (v: number): number => (v === v ? v : NaN);

/**
 * The flush threshold of an output (0: IEEE, nothing flushed): the smallest normal of its dtype
 * when config.flushSubnormals is on, read on the calling thread when the job is planned.
 */
export const flushTiny = (out: TypedArray | null): number =>
  gemmFlush() ? (out instanceof Float32Array ? 2 ** -126 : out instanceof Float64Array ? 2 ** -1022 : 0) : 0;

/** v as stored, with a subnormal result (in out's dtype, tiny: flushTiny) made ±0. */
function ftz(v: number, tiny: number): number {
  if (tiny === 0) return v;
  const r = tiny === 2 ** -126 ? Math.fround(v) : v;
  return r < tiny && r > -tiny ? r * 0 : v;
}

function reduceRowRange(op: ReduceOp, x: TypedArray, len: number, out: TypedArray, r0: number, r1: number, tiny: number): void {
  switch (op) {
    case "sum":
      for (let r = r0; r < r1; r++) out[r] = ftz(canon(pairwiseSum(x, r * len, len)), tiny);
      return;
    case "prod":
      for (let r = r0; r < r1; r++) {
        let p = 1;
        for (let i = r * len, e = i + len; i < e; i++) p *= x[i]!;
        out[r] = ftz(canon(p), tiny);
      }
      return;
    case "max":
    case "min":
      for (let r = r0; r < r1; r++) out[r] = ftz(extremum(x, r * len, len, op === "max"), tiny);
      return;
    case "argmax":
    case "argmin":
      for (let r = r0; r < r1; r++) {
        argExtremum(x, r * len, len, op === "argmax", argRes, 0);
        out[r] = argRes[1]!;
      }
      return;
    default:
      return op satisfies never;
  }
}

/**
 * Leaves of a row's reduction tree. For sum: the nodes of pairwiseSum's recursion that hold
 * at most `piece` elements, so that summing them back up the same tree gives the bits of
 * the whole-row sum. Otherwise (max/min/arg*): consecutive blocks of `piece`.
 */
export function reduceLeaves(op: ReduceOp, len: number, piece: number): { leafOff: Int32Array; leafLen: Int32Array } {
  const off: number[] = [], ln: number[] = [];
  const walk = (o: number, n: number): void => {
    if (n <= piece || n <= 128) {
      off.push(o);
      ln.push(n);
      return;
    }
    const h = (n >> 1) & ~127 || n >> 1;
    walk(o, h);
    walk(o + h, n - h);
  };
  if (op === "sum") walk(0, len);
  else for (let o = 0; o < len; o += piece) (off.push(o), ln.push(Math.min(piece, len - o)));
  return { leafOff: Int32Array.from(off), leafLen: Int32Array.from(ln) };
}

/** Combines the leaf partials of each row into out, in the same order as the whole-row loop. */
function combineLeaves(op: ReduceOp, len: number, piece: number, rows: number, nl: number, partial: Float64Array, out: TypedArray, tiny: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * nl;
    if (op === "sum") {
      let leaf = base;
      const up = (n: number): number => {
        if (n <= piece || n <= 128) return partial[2 * leaf++]!;
        const h = (n >> 1) & ~127 || n >> 1;
        const a = up(h);
        return a + up(n - h);
      };
      out[r] = ftz(canon(up(len)), tiny);
    } else if (op === "max" || op === "min") {
      const isMax = op === "max";
      let m = isMax ? -Infinity : Infinity;
      for (let l = 0; l < nl; l++) {
        const v = partial[2 * (base + l)]!;
        if (v !== v) {
          m = NaN;
          break;
        }
        if (isMax ? v > m : v < m) m = v;
      }
      out[r] = ftz(m, tiny);
    } else if (op === "argmax" || op === "argmin") {
      const isMax = op === "argmax";
      let m = isMax ? -Infinity : Infinity;
      let best = 0;
      for (let l = 0; l < nl; l++) {
        const v = partial[2 * (base + l)]!;
        const at = l * piece + partial[2 * (base + l) + 1]!;
        if (v !== v) {
          best = at;
          break;
        }
        if (isMax ? v > m : v < m) {
          m = v;
          best = at;
        }
      }
      out[r] = best;
    } else throw new Error(`reduce: ${op} rows are not split`);
  }
}

/** Leaves [u0, u1) of all rows (unit u = row·leaves + leaf) into partial[2u], partial[2u+1]. */
function reducePieces(op: ReduceOp, x: TypedArray, len: number, leafOff: Int32Array, leafLen: Int32Array, partial: Float64Array, u0: number, u1: number): void {
  const nl = leafOff.length;
  for (let u = u0; u < u1; u++) {
    const r = Math.floor(u / nl), l = u - r * nl;
    const off = r * len + leafOff[l]!, n = leafLen[l]!;
    if (op === "sum") partial[2 * u] = pairwiseSum(x, off, n);
    else if (op === "max" || op === "min") partial[2 * u] = extremum(x, off, n, op === "max");
    else argExtremum(x, off, n, op === "argmax", partial, 2 * u);
  }
}

type ReduceArgs = [op: ReduceOp, x: TypedArray, rows: number, len: number, out: TypedArray];
/** Whole rows into `out`; or (leaves set) the leaves of every row into `partial`, combined by finish. */
export interface ReduceJob {
  op: ReduceOp;
  x: TypedArray;
  len: number;
  out: TypedArray | null;
  leaves: { leafOff: Int32Array; leafLen: Int32Array; partial: Float64Array; piece: number } | null;
  /** flushTiny(out): 0, or the threshold below which a stored result becomes ±0. */
  tiny: number;
}

export const reduceRows = defineKernel<ReduceArgs, ReduceJob>({
  name: "reduceRows",
  cost: (_op, _x, rows, len) => rows * len * REDUCE_NS,
  plan: ([op, x, rows, len, out], ctx) => {
    if (rows === 0) return null;
    const piece = tuning.piece;
    if (ctx.threads > 1 && len >= 2 * piece && op !== "prod") {
      const { leafOff, leafLen } = reduceLeaves(op, len, piece);
      const units = rows * leafOff.length;
      const partial = ctx.scratch(2 * units);
      return { job: { op, x, len, out: null, leaves: { leafOff, leafLen, partial, piece }, tiny: flushTiny(out) }, units, unitNs: piece * REDUCE_NS, per: 1 };
    }
    return { job: { op, x, len, out, leaves: null, tiny: flushTiny(out) }, units: rows, unitNs: len * REDUCE_NS };
  },
  run: (j, u0, u1) => {
    if (j.leaves === null) reduceRowRange(j.op, j.x, j.len, j.out!, u0, u1, j.tiny);
    else reducePieces(j.op, j.x, j.len, j.leaves.leafOff, j.leaves.leafLen, j.leaves.partial, u0, u1);
  },
  finish: (j, [, , rows, , out]) => {
    if (j.leaves !== null) combineLeaves(j.op, j.len, j.leaves.piece, rows, j.leaves.leafOff.length, j.leaves.partial, out, j.tiny);
  },
});

/** Lines [l0, l1) of a cumulative sum over x viewed as [outer, n, inner]; line = o·inner + i. */
function cumsumLines(x: TypedArray, n: number, inner: number, reverse: boolean, out: TypedArray, l0: number, l1: number): void {
  for (let line = l0; line < l1; line++) {
    const o = Math.floor(line / inner), i = line - o * inner;
    const base = o * n * inner + i;
    let s = 0;
    if (!reverse) {
      for (let j = 0, p = base; j < n; j++, p += inner) {
        s += x[p]!;
        out[p] = s;
        s = out[p]!; // accumulate in the output dtype, as a sequential float32 scan would
      }
    } else {
      for (let j = n - 1, p = base + j * inner; j >= 0; j--, p -= inner) {
        s += x[p]!;
        out[p] = s;
        s = out[p]!;
      }
    }
  }
}

type CumsumArgs = [x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray];
export interface CumsumJob {
  x: TypedArray;
  out: TypedArray;
  n: number;
  inner: number;
  reverse: boolean;
}

export const cumsum = defineKernel<CumsumArgs, CumsumJob>({
  name: "cumsum",
  cost: (_x, outer, n, inner) => outer * n * inner * CUMSUM_NS,
  plan: ([x, outer, n, inner, reverse, out]) =>
    outer * inner === 0 ? null : { job: { x, out, n, inner, reverse }, units: outer * inner, unitNs: n * CUMSUM_NS },
  run: (j, u0, u1) => cumsumLines(j.x, j.n, j.inner, j.reverse, j.out, u0, u1),
});
