// The non-GEMM kernels (strided copy, reductions, cumulative sums, gather/scatter-add, iota,
// counter-based random bits, compiled elementwise loops) and the chunked-job runner that the
// calling thread and every pool worker execute: one source, so one set of bits.
//
// `createKernels` must stay self-contained (it may use only its parameter and JS globals): the
// pool ships `createKernels.toString()` to each worker, which compiles it once with
// `new Function` (see `kernelsSource`). Types are erased, so TypeScript is fine inside.
//
// Determinism: a job is cut into chunks of `per` units (rows, lines, elements…) fixed by the
// job's shape alone; every output element is computed by one chunk, in the same order as the
// whole-array loop. So results are bit-identical whatever thread runs which chunk.
import type { TypedArray } from "../dtype.js";
import type { FloatArray, GemmFn } from "./gemm.js";
import { gemm } from "./gemm.js";

export type ReduceOp = "sum" | "prod" | "max" | "min" | "argmax" | "argmin";

/** Units [c·per, min(total, (c+1)·per)) form chunk c. */
interface Chunked {
  total: number;
  per: number;
  /** estimated single-thread ns of one chunk, when it can be long (the pool's stall limit grows with it) */
  chunkNs?: number;
}

/**
 * A unit of parallel work: plain data (typed arrays over SharedArrayBuffer, numbers,
 * strings) so it can be posted to a worker without copying tensor data.
 */
export type Job = Chunked &
  (
    | { kind: "ew"; src: string; out: TypedArray; ins: TypedArray[]; strides: Int32Array | null; shape: Int32Array | null }
    | {
        kind: "copy";
        src: TypedArray; srcOff: number; dst: TypedArray; dstOff: number;
        dims: Int32Array; ss: Int32Array; ds: Int32Array;
      }
    | { kind: "reduce"; op: ReduceOp; x: TypedArray; len: number; out: TypedArray }
    | { kind: "pieces"; op: ReduceOp; x: TypedArray; len: number; leafOff: Int32Array; leafLen: Int32Array; partial: Float64Array }
    | { kind: "cumsum"; x: TypedArray; out: TypedArray; n: number; inner: number; reverse: boolean }
    | { kind: "gather"; x: TypedArray; n: number; inner: number; idx: TypedArray; out: TypedArray }
    | { kind: "scatter"; upd: TypedArray; n: number; inner: number; idx: TypedArray; out: TypedArray; block: number }
    | { kind: "iota"; out: TypedArray; inner: number; n: number }
    | { kind: "bits"; k0: number; k1: number; out: TypedArray }
    | {
        kind: "gemm";
        dtype: "float32" | "float64";
        a: FloatArray; aStride: number; transA: boolean;
        b: FloatArray; bStride: number; transB: boolean;
        out: FloatArray; batch: number; m: number; k: number; n: number;
        /** rows per chunk when < m (units = batch × row blocks), else whole matrices (units = batch) */
        rows: number;
      }
    | { kind: "test"; out: Int32Array; action: string }
  );

/** What a chunk that threw reports. */
export interface ChunkFault {
  chunk: number;
  error: unknown;
}

export interface Kernels {
  /** Compiles the source of a function expression once per thread. */
  compile<F>(src: string): F;
  copyStrided(
    src: TypedArray, srcOff: number, srcStrides: readonly number[], shape: readonly number[],
    dst: TypedArray, dstOff: number, dstStrides: readonly number[],
  ): void;
  /** The copy as rows of the coalesced layout (null when there is nothing to copy). */
  copyPlan(srcStrides: readonly number[], shape: readonly number[], dstStrides: readonly number[]): { dims: Int32Array; ss: Int32Array; ds: Int32Array; rows: number } | null;
  reduceRows(op: ReduceOp, x: TypedArray, rows: number, len: number, out: TypedArray): void;
  /** Leaves of the fixed reduction tree of a row of `len` cut at `piece` elements. */
  reduceLeaves(op: ReduceOp, len: number, piece: number): { leafOff: Int32Array; leafLen: Int32Array };
  /** Combines the leaf partials of each row into out (the same order as the whole-row loop). */
  combineLeaves(op: ReduceOp, len: number, piece: number, rows: number, partial: Float64Array, out: TypedArray): void;
  cumsum(x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray): void;
  gather(x: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void;
  scatterAdd(upd: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray): void;
  iota(shape: readonly number[], axis: number, out: TypedArray): void;
  randomBits(k0: number, k1: number, out: TypedArray): void;
  chunks(job: Job): number;
  runChunk(job: Job, c: number): void;
  /**
   * Claims chunks of job `seq` from the shared counter until none are left and runs them.
   * `big[0]` = seq·2³² + next chunk, `big[1]` = seq·2³² + chunks done. `slot` (workers only)
   * records [state, seq, chunk] for stall reports. A chunk that throws is reported to
   * `onFault` and still counted as done, so the caller never waits for it.
   */
  work(big: BigInt64Array, seq: number, n: number, job: Job, slot: Int32Array | null, onFault: (f: ChunkFault) => void): void;
}

/** Slot words of a worker (Int32Array over its own small SAB). */
/** WAKE: bumped per posted job; SEQ/CHUNK: the chunk being run; TAKEN: seq of the newest job message taken. */
export const SLOT = { WAKE: 0, STATE: 1, SEQ: 2, CHUNK: 3, CODE: 4, TAKEN: 5, SIZE: 8 } as const;
/** Worker states in SLOT.STATE. */
export const STATE = { BOOTING: 0, IDLE: 1, BUSY: 2, DEAD: 3 } as const;

export function createKernels(gemm: GemmFn): Kernels {
  const compiled = new Map<string, unknown>();
  function compile<F>(src: string): F {
    let f = compiled.get(src);
    if (f === undefined) {
      f = new Function(`return ${src}`)();
      compiled.set(src, f);
    }
    return f as F;
  }

  /** Merges adjacent axes both operands walk contiguously; drops size-1 axes. */
  function coalesce2(shape: readonly number[], a: readonly number[], b: readonly number[]): [number[], number[], number[]] {
    const dims: number[] = [], sa: number[] = [], sb: number[] = [];
    for (let d = 0; d < shape.length; d++) {
      const n = shape[d]!;
      if (n === 1) continue;
      const last = dims.length - 1;
      if (last >= 0 && sa[last] === a[d]! * n && sb[last] === b[d]! * n) {
        dims[last] = dims[last]! * n;
        sa[last] = a[d]!;
        sb[last] = b[d]!;
      } else {
        dims.push(n);
        sa.push(a[d]!);
        sb.push(b[d]!);
      }
    }
    return [dims, sa, sb];
  }

  function copyPlan(srcStrides: readonly number[], shape: readonly number[], dstStrides: readonly number[]) {
    let n = 1;
    for (const d of shape) n *= d;
    if (n === 0) return null;
    const [dims, ss, ds] = coalesce2(shape, srcStrides, dstStrides);
    if (dims.length === 0) {
      dims.push(1);
      ss.push(0);
      ds.push(0);
    }
    const inner = dims[dims.length - 1]!;
    return { dims: Int32Array.from(dims), ss: Int32Array.from(ss), ds: Int32Array.from(ds), rows: n / inner };
  }

  /** Rows [r0, r1) of a planned copy; a row is the innermost coalesced axis. */
  function copyRows(
    src: TypedArray, srcOff: number, dst: TypedArray, dstOff: number,
    dims: Int32Array, ss: Int32Array, ds: Int32Array, r0: number, r1: number,
  ): void {
    const nd = dims.length;
    const inner = dims[nd - 1]!, si = ss[nd - 1]!, di = ds[nd - 1]!;
    const contiguous = si === 1 && di === 1;
    // decode r0 into the outer multi-index
    const idx = new Array<number>(Math.max(0, nd - 1)).fill(0);
    let so = srcOff, dOff = dstOff, rem = r0;
    for (let d = nd - 2; d >= 0; d--) {
      const c = rem % dims[d]!;
      rem = (rem - c) / dims[d]!;
      idx[d] = c;
      so += c * ss[d]!;
      dOff += c * ds[d]!;
    }
    for (let r = r0; r < r1; r++) {
      if (contiguous) dst.set(src.subarray(so, so + inner), dOff);
      else for (let j = 0; j < inner; j++) dst[dOff + j * di] = src[so + j * si]!;
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]!++;
        so += ss[d]!;
        dOff += ds[d]!;
        if (idx[d]! < dims[d]!) break;
        so -= ss[d]! * dims[d]!;
        dOff -= ds[d]! * dims[d]!;
        idx[d] = 0;
      }
    }
  }

  /** A single-axis copy, elements [e0, e1). */
  function copyFlat(src: TypedArray, so: number, si: number, dst: TypedArray, dOff: number, di: number, e0: number, e1: number): void {
    if (si === 1 && di === 1) dst.set(src.subarray(so + e0, so + e1), dOff + e0);
    else for (let j = e0; j < e1; j++) dst[dOff + j * di] = src[so + j * si]!;
  }

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

  function reduceRowRange(op: ReduceOp, x: TypedArray, len: number, out: TypedArray, r0: number, r1: number): void {
    switch (op) {
      case "sum":
        for (let r = r0; r < r1; r++) out[r] = pairwiseSum(x, r * len, len);
        return;
      case "prod":
        for (let r = r0; r < r1; r++) {
          let p = 1;
          for (let i = r * len, e = i + len; i < e; i++) p *= x[i]!;
          out[r] = p;
        }
        return;
      case "max":
      case "min":
        for (let r = r0; r < r1; r++) out[r] = extremum(x, r * len, len, op === "max");
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
  function reduceLeaves(op: ReduceOp, len: number, piece: number) {
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

  function combineLeaves(op: ReduceOp, len: number, piece: number, rows: number, partial: Float64Array, out: TypedArray): void {
    const { leafLen } = reduceLeaves(op, len, piece);
    const nl = leafLen.length;
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
        out[r] = up(len);
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
        out[r] = m;
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

  /** A take index: negative counts from the end, out of range clamps (JAX's traced-index rule). */
  function clampIndex(i: number, n: number): number {
    if (i < 0) i += n;
    return i < 0 ? 0 : i >= n ? n - 1 : i;
  }

  /** Output rows [r0, r1) of a gather; row = o·m + j is x[o, idx[j], :]. */
  function gatherRows(x: TypedArray, n: number, inner: number, idx: TypedArray, out: TypedArray, r0: number, r1: number): void {
    const m = idx.length;
    for (let r = r0; r < r1; r++) {
      const o = Math.floor(r / m), j = r - o * m;
      const src = (o * n + clampIndex(idx[j]!, n)) * inner;
      if (inner === 1) out[r] = x[src]!;
      else out.set(x.subarray(src, src + inner), r * inner);
    }
  }

  /**
   * Blocks [b0, b1) of a scatter-add; block = o·nb + q covers out[o, :, q·block .. ]. Each
   * output element belongs to one block and receives its updates in increasing j.
   */
  function scatterBlocks(upd: TypedArray, n: number, inner: number, idx: TypedArray, out: TypedArray, block: number, b0: number, b1: number): void {
    const m = idx.length;
    const nb = Math.ceil(inner / block);
    for (let b = b0; b < b1; b++) {
      const o = Math.floor(b / nb), q = b - o * nb;
      const i0 = q * block, i1 = Math.min(inner, i0 + block);
      for (let k = 0; k < n; k++) out.fill(0, (o * n + k) * inner + i0, (o * n + k) * inner + i1);
      for (let j = 0; j < m; j++) {
        const dst = (o * n + clampIndex(idx[j]!, n)) * inner;
        const src = (o * m + j) * inner;
        for (let i = i0; i < i1; i++) out[dst + i] = out[dst + i]! + upd[src + i]!;
      }
    }
  }

  function iotaRange(out: TypedArray, inner: number, n: number, p0: number, p1: number): void {
    for (let p = p0; p < p1; p++) out[p] = Math.floor(p / inner) % n;
  }

  const ROT = [13, 15, 26, 6, 17, 29, 16, 24];
  /** Threefry-2x32 (20 rounds) of the counter (0, i) under key (k0, k1) into out[2i], out[2i+1]. */
  function bitsPairs(k0: number, k1: number, out: TypedArray, q0: number, q1: number): void {
    const len = out.length;
    const ks0 = k0 | 0, ks1 = k1 | 0, ks2 = (0x1bd11bda ^ k0 ^ k1) | 0;
    const ks = [ks0, ks1, ks2];
    for (let q = q0; q < q1; q++) {
      let x0 = ks0;
      let x1 = (q + ks1) | 0;
      for (let blk = 0; blk < 5; blk++) {
        for (let r = 0; r < 4; r++) {
          const rot = ROT[(blk & 1) * 4 + r]!;
          x0 = (x0 + x1) | 0;
          x1 = (x1 << rot) | (x1 >>> (32 - rot));
          x1 ^= x0;
        }
        x0 = (x0 + ks[(blk + 1) % 3]!) | 0;
        x1 = (x1 + ks[(blk + 2) % 3]! + blk + 1) | 0;
      }
      out[2 * q] = x0;
      if (2 * q + 1 < len) out[2 * q + 1] = x1;
    }
  }

  function chunks(job: Job): number {
    return Math.ceil(job.total / job.per);
  }

  function runChunk(job: Job, c: number): void {
    const u0 = c * job.per, u1 = Math.min(job.total, u0 + job.per);
    switch (job.kind) {
      case "ew":
        if (job.strides === null) compile<(o: TypedArray, i: TypedArray[], s: number, e: number) => void>(job.src)(job.out, job.ins, u0, u1);
        else compile<(o: TypedArray, i: TypedArray[], st: Int32Array, sh: Int32Array, s: number, e: number) => void>(job.src)(job.out, job.ins, job.strides, job.shape!, u0, u1);
        return;
      case "copy":
        if (job.dims.length === 1) copyFlat(job.src, job.srcOff, job.ss[0]!, job.dst, job.dstOff, job.ds[0]!, u0, u1);
        else copyRows(job.src, job.srcOff, job.dst, job.dstOff, job.dims, job.ss, job.ds, u0, u1);
        return;
      case "reduce":
        return reduceRowRange(job.op, job.x, job.len, job.out, u0, u1);
      case "pieces":
        return reducePieces(job.op, job.x, job.len, job.leafOff, job.leafLen, job.partial, u0, u1);
      case "cumsum":
        return cumsumLines(job.x, job.n, job.inner, job.reverse, job.out, u0, u1);
      case "gather":
        return gatherRows(job.x, job.n, job.inner, job.idx, job.out, u0, u1);
      case "scatter":
        return scatterBlocks(job.upd, job.n, job.inner, job.idx, job.out, job.block, u0, u1);
      case "iota":
        return iotaRange(job.out, job.inner, job.n, u0, u1);
      case "bits":
        return bitsPairs(job.k0, job.k1, job.out, u0, u1);
      case "gemm": {
        const { dtype, a, aStride, transA, b, bStride, transB, out, m, k, n, rows } = job;
        const cs = m * n;
        if (rows < m) {
          const per = Math.ceil(m / rows);
          for (let u = u0; u < u1; u++) {
            const bi = Math.floor(u / per), r0 = (u - bi * per) * rows;
            gemm(dtype, a, bi * aStride, aStride, transA, b, bi * bStride, bStride, transB, out, bi * cs, cs, 1, m, k, n, r0, Math.min(m, r0 + rows));
          }
        } else {
          gemm(dtype, a, u0 * aStride, aStride, transA, b, u0 * bStride, bStride, transB, out, u0 * cs, cs, u1 - u0, m, k, n);
        }
        return;
      }
      case "test":
        return testChunk(job.out, job.action, c);
      default:
        return job satisfies never;
    }
  }

  /**
   * Fault injection for the pool's tests: `action` = "what:ms". On a worker a chunk first marks
   * out[c] with the worker's index, then does `what` ("throw", "exit", "hang"; anything else
   * just returns). On the calling thread a chunk waits (up to `ms`) until some worker has
   * marked a chunk, so that a worker surely takes part, and marks -1. "stamp" records when each
   * chunk started (µs of wall-clock time mod 2³¹; -1 - that on the caller) for latency
   * benchmarks. Harmless unless a test builds such a job (out starts at -9).
   */
  const testDeadlines = new WeakMap<Int32Array, number>();
  function testChunk(out: Int32Array, action: string, c: number): void {
    const worker = (globalThis as { __tapirWorker?: number }).__tapirWorker;
    const [what, ms] = action.split(":");
    if (what === "stamp") {
      const us = Math.floor((performance.timeOrigin + performance.now()) * 1000) % 2 ** 31;
      out[c] = worker !== undefined ? us : -1 - us;
      return;
    }
    if (worker === undefined) {
      // one wait per job: later caller chunks go on once the first has waited
      let until = testDeadlines.get(out);
      if (until === undefined) testDeadlines.set(out, (until = performance.now() + Number(ms ?? 0)));
      const sleeper = new Int32Array(new SharedArrayBuffer(4));
      while (!out.some((v) => v >= 0) && performance.now() < until) Atomics.wait(sleeper, 0, 0, 1);
      out[c] = -1;
      return;
    }
    out[c] = worker;
    if (what === "throw") throw new RangeError(`injected fault in chunk ${c}`);
    if (what === "exit") (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(7);
    if (what === "hang") for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  }

  const LOW = 0xffffffffn;
  function work(big: BigInt64Array, seq: number, n: number, job: Job, slot: Int32Array | null, onFault: (f: ChunkFault) => void): void {
    const tag = BigInt(seq) << 32n;
    for (;;) {
      const cur = Atomics.load(big, 0);
      if ((cur & ~LOW) !== tag) return;
      const c = Number(cur & LOW);
      if (c >= n) return;
      if (Atomics.compareExchange(big, 0, cur, cur + 1n) !== cur) continue;
      if (slot) {
        Atomics.store(slot, 2, seq);
        Atomics.store(slot, 3, c);
        Atomics.store(slot, 1, 2); // BUSY
      }
      try {
        runChunk(job, c);
      } catch (error) {
        onFault({ chunk: c, error });
      }
      if (slot) Atomics.store(slot, 1, 1); // IDLE
      for (;;) {
        const d = Atomics.load(big, 1);
        if ((d & ~LOW) !== tag) return;
        if (Atomics.compareExchange(big, 1, d, d + 1n) === d) {
          if (Number(d & LOW) + 1 === n) Atomics.notify(big, 1);
          break;
        }
      }
    }
  }

  // ---- whole-array entry points (the inline path)

  function copyStrided(
    src: TypedArray, srcOff: number, srcStrides: readonly number[], shape: readonly number[],
    dst: TypedArray, dstOff: number, dstStrides: readonly number[],
  ): void {
    const p = copyPlan(srcStrides, shape, dstStrides);
    if (!p) return;
    if (p.dims.length === 1) copyFlat(src, srcOff, p.ss[0]!, dst, dstOff, p.ds[0]!, 0, p.dims[0]!);
    else copyRows(src, srcOff, dst, dstOff, p.dims, p.ss, p.ds, 0, p.rows);
  }

  return {
    compile,
    copyStrided,
    copyPlan,
    reduceRows: (op, x, rows, len, out) => reduceRowRange(op, x, len, out, 0, rows),
    reduceLeaves,
    combineLeaves,
    cumsum: (x, outer, n, inner, reverse, out) => cumsumLines(x, n, inner, reverse, out, 0, outer * inner),
    gather: (x, outer, n, inner, idx, out) => gatherRows(x, n, inner, idx, out, 0, outer * idx.length),
    scatterAdd: (upd, outer, n, inner, idx, out) => {
      if (inner === 0 || outer === 0) {
        out.fill(0);
        return;
      }
      scatterBlocks(upd, n, inner, idx, out, inner, 0, outer);
    },
    iota: (shape, axis, out) => {
      let inner = 1;
      for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
      iotaRange(out, inner, shape[axis]!, 0, out.length);
    },
    randomBits: (k0, k1, out) => bitsPairs(k0, k1, out, 0, Math.ceil(out.length / 2)),
    chunks,
    runChunk,
    work,
  };
}

/**
 * Source a worker compiles into its own kernels: `new Function("gemm", kernelsSource())(gemm)`.
 * `__name` is defined because some TS runners (tsx) wrap named functions with it.
 */
export function kernelsSource(): string {
  return `const __name = (f) => f;\nreturn (${createKernels.toString()})(gemm);`;
}

/** The calling thread's kernels. */
export const kernels: Kernels = createKernels(gemm);

export const { copyStrided, reduceRows, cumsum, gather, scatterAdd, iota, randomBits } = kernels;
