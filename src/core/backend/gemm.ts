// Batched GEMM for the CPU backend: a WebAssembly SIMD micro-kernel over panels packed into the
// module's own memory, cache-blocked, with a plain-JS path for tiny products.
//
// Every C element is computed as s = 0; for p = 0..k-1: s = s + a[i,p]·b[p,j], each product and
// each sum rounded to the dtype, in increasing p, on every path and for every tile position
// (edge tiles are zero-padded, k blocks continue from the stored partial sum). So results do not
// depend on blocking, on how rows are split between threads, or on the wasm/JS choice: the JS
// path rounds with Math.fround after every float32 multiply and add and is bit-identical.
// With FMA (the default where relaxed SIMD runs: DEFAULT_GEMM_CONFIG.fma) every Wasm path
// computes s = fma(a, b, s) instead, in the same order: still independent of blocking and row
// splits (so of the thread count), but one rounding per step, unlike the JS path for tiny
// products; which path runs depends only on the product's shape, never on the thread.
//
// Each thread that imports this module (the caller, every pool worker: worker.ts) gets its own
// `gemm` with its own wasm instance. The wasm bytes are generated: after editing
// scripts/gemm-kernels.ts, run `npx tsx scripts/gen-gemm-wasm.ts` (a test fails while the
// embedded module is stale).

import { maxOf, MIN_NORMAL, scaleTinyRows, screenA, unscaleRows } from "./gemm-ftz.js";
import { jsF32, jsF64, jsFlushRows } from "./gemm-js.js";
import { GEMM_TILES, GEMM_WASM_BASE64, GEMM_WASM_FMA_BASE64 } from "./gemm-wasm.js";
import { claimHeap, heapAddress, heapMemory, HEAP_MAX_PAGES, type HeapMemory } from "./heap.js";

export type FloatArray = Float32Array | Float64Array;
export type GemmDtype = "float32" | "float64";

/**
 * C[bi] = op(A[bi]) @ op(B[bi]) for bi in [0, batch); op(A) is [m,k], op(B) is [k,n], C is [m,n],
 * all row-major. transA: A is stored as [k,m]; transB: B is stored as [n,k]. aStride/bStride/
 * cStride: elements between consecutive batch matrices (0 = the same matrix for every batch).
 * Offsets in elements. Overwrites rows [rowStart, rowEnd) (default 0..m) of every C[bi] and
 * nothing else. C must not overlap A or B.
 *
 * Every element is the sequential sum described at the top of this file, so a pool may split
 * rows any way it likes (results never depend on it). Cheapest: one contiguous row range per
 * worker (each call packs all of op(B) once), with range ends at multiples of 4 (the rows of a
 * register tile: a 5-row range costs as much as 8).
 *
 * flush: flush-to-zero semantics as in gemm-ftz.ts, which also keeps the speed independent of
 * tiny data; false (the default): IEEE gradual underflow. The matmul kernel passes the caller's
 * gemmFlush() (config.flushSubnormals) in its job, so workers follow the calling thread, and so
 * does the conv kernel; linalg uses the default (IEEE on every thread).
 */
export type GemmFn = (
  dtype: GemmDtype,
  a: FloatArray, aOff: number, aStride: number, transA: boolean,
  b: FloatArray, bOff: number, bStride: number, transB: boolean,
  c: FloatArray, cOff: number, cStride: number,
  batch: number, m: number, k: number, n: number, rowStart?: number, rowEnd?: number, flush?: boolean,
) => void;

let flushDefault = true;
/** Whether matmuls flush subnormals (this thread's config.flushSubnormals; the matmul kernel passes it to gemm). */
export const gemmFlush = (): boolean => flushDefault;
/** Sets gemmFlush() on this thread. */
export function setGemmFlush(on: boolean): void {
  flushDefault = on;
}

/** The part of the WebAssembly JS API used here (the project's libs do not declare it). */
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => HeapMemory;
};

/** Cache blocking for one dtype (elements). mc % mr = 0, nc % nr = 0, kb % kc = 0. */
export interface GemmBlocks {
  /** Depth of one macro-kernel pass: the A block mc×kc lives in L2, a B micro-panel kc×nr in L1. */
  readonly kc: number;
  /** Rows of op(A) packed at once. */
  readonly mc: number;
  /** Columns of op(B) packed at once. */
  readonly nc: number;
  /** Depth of the packed strips; a deeper k is done in chunks that reload C's partial sums. */
  readonly kb: number;
}

export interface GemmConfig {
  /** The module's bytes (base64), or null for the plain-JS path only. */
  readonly wasm: string | null;
  /**
   * The same module with relaxed-SIMD fused multiply-add in the macro-kernels, used instead of
   * `wasm` when `fma` is set and this engine validates it (Node 20 needs
   * --experimental-wasm-relaxed-simd). Results then differ from the JS path (one rounding per
   * multiply-add instead of two) but still do not depend on row splits or blocking.
   */
  readonly wasmFma: string | null;
  readonly fma: boolean;
  /** Register tile per dtype, and its tall MR where it has one (gemm-kernels.ts `Tile`). */
  readonly tiles: { readonly [D in GemmDtype]: { readonly mr: number; readonly nr: number; readonly tall?: number } };
  /** A call with at least this many rows runs most of them with the dtype's tall tile (TALL_MIN_ROWS; Infinity: never). */
  readonly tallMinRows: number;
  readonly blocks: { readonly [D in GemmDtype]: GemmBlocks };
  /** Products with m·k·n at most this run in plain JS (see JS_MAX_WORK). */
  readonly jsMaxWork: { readonly [D in GemmDtype]: number };
}

/**
 * Largest m·k·n done in plain JS even when wasm SIMD is available: below it the wasm path's
 * fixed cost (staging, two packs, write-back: ≈0.25 µs float32, ≈0.4 µs float64) exceeds the
 * arithmetic. Measured with `npx tsx bench/gemm.ts --crossover` (Node 20.20, 2-vCPU EPYC, one
 * thread, 12 shapes per size incl. 1×k×n, m×k×1, m×1×n, both layouts): float32 JS wins at
 * m·k·n ≤ 125 (e.g. 5³: 0.19 vs 0.29 µs) and loses from ≈250 on (6·6·7: 0.42 vs 0.31 µs);
 * float64 JS wins up to ≈256 (1·16·16: 0.22 vs 0.53 µs) and mostly loses from ≈500 (23·23·1:
 * 0.95 vs 0.81 µs). (Measured before the m = 1 / n = 1 kernels, which skip packing; on a busy
 * machine the crossover moved little.) Both paths give the same bits: only speed depends on it.
 */
export const JS_MAX_WORK: { readonly [D in GemmDtype]: number } = { float32: 192, float64: 384 };

/**
 * The float32 6×8 tile's macro-kernel ran 5% faster than the 4×8 one on W1's 784×128·128×256
 * (1012 vs 1068 µs here; 12 chains of dependent FMAs instead of 8). From this many rows a call
 * runs its rows in 6-row panels but for a rest of at most 11 rows in 4-row ones.
 */
export const TALL_MIN_ROWS = 12;

/** Block sizes (see TOOLCHAIN.md: KC = 256, MC = 240 measured best for the f32 4×8 tile). */
export const GEMM_BLOCKS: GemmConfig["blocks"] = {
  float32: { kc: 256, mc: 240, nc: 1024, kb: 1024 },
  float64: { kc: 256, mc: 120, nc: 512, kb: 1024 },
};

/**
 * Turns relaxed SIMD on where the engine has it behind a flag (Node 20:
 * --experimental-wasm-relaxed-simd, settable at run time before the module is compiled); a
 * no-op where the FMA module already validates (Node 22+) or there is no `node:v8`. V8's flags
 * are process-wide, so every thread that imports this module sees the same answer.
 */
function enableRelaxedSimd(): void {
  if (typeof WebAssembly !== "object" || fmaModuleValid()) return;
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const v8 = proc?.getBuiltinModule?.("node:v8") as { setFlagsFromString(flag: string): void } | undefined;
    v8?.setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    // no flag to set: the exact module runs
  }
}

function fmaModuleValid(): boolean {
  return WebAssembly.validate(Uint8Array.from(atob(GEMM_WASM_FMA_BASE64), (ch) => ch.charCodeAt(0)));
}

/**
 * Whether the default gemm uses fused multiply-add: on unless TAPIR_GEMM_FMA=0 (then every path
 * gives the bits of the plain-JS loop). FMA rounds once per multiply-add instead of twice: as
 * accurate or more, 1.1-1.4× faster on the f32 4×8 tile here (bench: W1, W2), and still
 * independent of row splits and blocking, so 1…N threads and eager/jit keep the same bits.
 */
const FMA_DEFAULT = (() => {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.["TAPIR_GEMM_FMA"];
  if (env === "0") return false;
  enableRelaxedSimd();
  return true;
})();

export const DEFAULT_GEMM_CONFIG: GemmConfig = {
  wasm: GEMM_WASM_BASE64,
  wasmFma: GEMM_WASM_FMA_BASE64,
  fma: FMA_DEFAULT,
  tiles: GEMM_TILES,
  tallMinRows: TALL_MIN_ROWS,
  blocks: GEMM_BLOCKS,
  jsMaxWork: JS_MAX_WORK,
};

/** Builds an independent gemm (its own wasm instance, created on first use). */
export function createGemm(cfg: GemmConfig): GemmFn {
  interface Kernels {
    /** the module's memory: the process's heap (heap.ts), or a shared memory of its own where there is none */
    mem: HeapMemory;
    /** whether `mem` is the heap: operands in the heap are then read (and C written) in place */
    heap: boolean;
    pack: { [D in GemmDtype]: Packs };
    /** pack and flush-to-zero screen in one pass (packftz_*: the pack's arguments, then where the panel maxima go) */
    packFtz: { [D in GemmDtype]: Packs };
    macro: { [D in GemmDtype]: (...args: number[]) => void };
    /** the tall tile's macro-kernel, where the dtype has one */
    macroTall: { [D in GemmDtype]: ((...args: number[]) => void) | null };
    gemv: { [D in GemmDtype]: { axpy: (...args: number[]) => void; dot: (...args: number[]) => void } };
    copyRows: (...args: number[]) => void;
  }
  /** pack functions: A in panels of MR rows, B in panels of NR columns, A in panels of the tall MR */
  type Packs = { a: (...args: number[]) => void; b: (...args: number[]) => void; aTall: ((...args: number[]) => void) | null };
  let kernels: Kernels | null | undefined; // undefined: not tried yet; null: unavailable
  let v32: Float32Array<ArrayBufferLike> = new Float32Array(0);
  let v64: Float64Array<ArrayBufferLike> = new Float64Array(0);
  /** scaleTinyRows' per-row scales of the current A block (grown as needed, reused) */
  let rowScale = new Float64Array(0);

  function instantiate(): Kernels | null {
    if (typeof WebAssembly !== "object") return null;
    let bytes: Uint8Array | null = null;
    for (const b64 of cfg.fma ? [cfg.wasmFma, cfg.wasm] : [cfg.wasm]) {
      if (b64 === null) continue;
      const bin = atob(b64);
      const bs = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bs[i] = bin.charCodeAt(i);
      if (WebAssembly.validate(bs)) {
        bytes = bs;
        break;
      }
    }
    if (bytes === null) return null; // no SIMD128 here: plain JS everywhere
    const heap = heapMemory();
    let mem: HeapMemory, ex: Record<string, unknown>;
    try {
      mem = heap ?? new WebAssembly.Memory({ initial: 0, maximum: HEAP_MAX_PAGES, shared: true });
      ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } }).exports;
    } catch {
      return null; // no shared Wasm memory here (the module imports one): plain JS everywhere
    }
    const fn = (name: string) => ex[name] as (...args: number[]) => void;
    const t = cfg.tiles;
    const sfx = (d: GemmDtype) => (d === "float32" ? "f32" : "f64");
    const packs = (kind: "pack" | "packftz", d: GemmDtype): Packs => {
      const { mr, nr, tall } = t[d];
      return { a: fn(`${kind}_${sfx(d)}_${mr}`), b: fn(`${kind}_${sfx(d)}_${nr}`), aTall: tall === undefined ? null : fn(`${kind}_${sfx(d)}_${tall}`) };
    };
    const tallMacro = (d: GemmDtype) => (t[d].tall === undefined ? null : fn(`macro_${sfx(d)}_${t[d].tall}`));
    return {
      mem,
      heap: heap !== null,
      pack: { float32: packs("pack", "float32"), float64: packs("pack", "float64") },
      packFtz: { float32: packs("packftz", "float32"), float64: packs("packftz", "float64") },
      macro: { float32: fn("macro_f32"), float64: fn("macro_f64") },
      macroTall: { float32: tallMacro("float32"), float64: tallMacro("float64") },
      gemv: {
        float32: { axpy: fn("gemv_axpy_f32"), dot: fn("gemv_dot_f32") },
        float64: { axpy: fn("gemv_axpy_f64"), dot: fn("gemv_dot_f64") },
      },
      copyRows: fn("copy_rows"),
    };
  }

  /** This gemm's scratch in the memory (its own: claimed by this thread alone): [scratchAt, scratchAt + scratchBytes). */
  let scratchAt = 0;
  let scratchBytes = 0;

  /**
   * Makes this gemm's scratch at least `bytes` long (a new, larger claim when it is not: the old
   * one is left unused, so at most half of what a thread claims is idle), refreshes the views
   * (after any thread's grow: an in-place C may lie past the last view's end) and returns the
   * scratch's address in elements of `es` bytes.
   */
  function reserve(kr: Kernels, bytes: number, es: number): number {
    if (scratchBytes < bytes) {
      const want = Math.max(bytes, 2 * scratchBytes);
      const at = kr.heap ? claimHeap(want) : kr.mem.grow(Math.ceil(want / 65536)) * 65536;
      if (at < 0) throw new RangeError(`gemm: cannot grow the Wasm memory by ${want} bytes for scratch`);
      scratchAt = at;
      scratchBytes = Math.ceil(want / 65536) * 65536;
    }
    const buf = kr.mem.buffer;
    if (v32.buffer !== buf) {
      v32 = new Float32Array(buf);
      v64 = new Float64Array(buf);
    }
    return scratchAt / es;
  }

  /** The byte address of a heap operand the module can read in place, or -1 (then it is staged). */
  const inPlace = (kr: Kernels, x: FloatArray): number => (kr.heap ? heapAddress(x) : -1);

  const up = (x: number, to: number): number => Math.ceil(x / to) * to;

  /**
   * Copies the rows × cols sub-matrix at src[base + r·ld + q] into view[dst + r·dld + q]. A
   * contiguous source and destination is one copy; otherwise one copy per row.
   */
  function stage(view: FloatArray, dst: number, dld: number, src: FloatArray, base: number, rows: number, cols: number, ld: number): void {
    if ((cols === ld && cols === dld) || rows === 1) {
      (view as Float32Array).set((src as Float32Array).subarray(base, base + rows * cols), dst);
    } else {
      for (let r = 0; r < rows; r++, base += ld, dst += dld) {
        (view as Float32Array).set((src as Float32Array).subarray(base, base + cols), dst);
      }
    }
  }

  /**
   * Row stride for a staged block whose rows are packed across (one element from each of W
   * rows per step): a stride of a multiple of 1 KiB would put those rows in the same L1 sets.
   */
  const gatherLd = (cols: number, es: number): number => ((cols * es) % 1024 === 0 ? cols + 64 / es : cols);

  // ---- the wasm path

  function wasmGemm(
    kr: Kernels, dtype: GemmDtype,
    a: FloatArray, aOff: number, aStride: number, transA: boolean,
    b: FloatArray, bOff: number, bStride: number, transB: boolean,
    c: FloatArray, cOff: number, cStride: number,
    batch: number, m: number, k: number, n: number, r0: number, r1: number, flush: boolean,
  ): void {
    const rows = r1 - r0;
    const { nr, tall } = cfg.tiles[dtype];
    // Rows [r0, tallEnd) run in blocks of the tall tile, the rest in blocks of the plain one: the
    // rest is the fewest rows (congruent to rows mod tall) that the plain tile covers without
    // padding, else rows mod tall. Both tiles give the same results.
    const plainMr = cfg.tiles[dtype].mr;
    let tallEnd = r0;
    if (tall !== undefined && kr.macroTall[dtype] !== null && rows >= cfg.tallMinRows) {
      let rest = rows % tall;
      for (let r = rest; r <= rows; r += tall) {
        if (r % plainMr === 0) {
          rest = r;
          break;
        }
      }
      tallEnd = r1 - rest;
    }
    const mrMax = tallEnd > r0 ? Math.max(tall!, plainMr) : plainMr;
    const tiny = MIN_NORMAL[dtype];
    let bmax = Infinity;
    const { kc: KC, mc: MC, nc: NC, kb: KB } = cfg.blocks[dtype];
    const es = dtype === "float32" ? 4 : 8;

    // Operands in the heap are packed straight from where they lie, and C is written in place by
    // every block of whole register tiles; the rest goes through the staging region S and Cb.
    const aAt = inPlace(kr, a), bAt = inPlace(kr, b), cAt = inPlace(kr, c);
    // Layout in elements, every region 64-byte aligned: Bp | Ap | Cb | S (staging), at this gemm's scratch.
    const kbMax = Math.min(k, KB);
    const ncMax = Math.min(n, NC), ncPadMax = up(ncMax, nr);
    const mcMax = Math.min(rows, MC), mcPadMax = up(mcMax, mrMax) + mrMax;
    const ldc = ncPadMax;
    const al = 64 / es;
    const Bp = 0;
    const Ap = Bp + up(kbMax * ncPadMax, al);
    const Cb = Ap + up(kbMax * mcPadMax, al);
    const S = Cb + up(mcPadMax * ldc, al);
    // Aᵀ with several row blocks: stage all its rows of the k chunk at once (one copy, or one
    // per k row, instead of one per k row and row block) when that fits in 2^20 elements.
    const wholeAt = transA && rows > MC && kbMax * rows <= 1048576;
    // M: the per-row / per-column maxima of the flush-to-zero screen.
    const M0 = up(S + Math.max((kbMax + 64 / es) * Math.max(ncMax, mcMax), wholeAt ? kbMax * rows : 0), al);
    const end = M0 + Math.max(ncPadMax, mcPadMax);
    const base = reserve(kr, end * es, es);
    const M = base + M0;
    const MB = M * es;
    // under flush-to-zero the packs screen each panel as they write it, its maxima going to M
    const withMaxima = (pack: (...args: number[]) => void) => (dst: number, src: number, outer: number, kLen: number, sO: number, sK: number): void =>
      pack(dst, src, outer, kLen, sO, sK, MB);
    const packs = flush ? kr.packFtz[dtype] : kr.pack[dtype];
    const packAPlain = flush ? withMaxima(packs.a) : packs.a;
    const packATall = packs.aTall === null ? packAPlain : flush ? withMaxima(packs.aTall) : packs.aTall;
    const packB = flush ? withMaxima(kr.packFtz[dtype].b) : kr.pack[dtype].b;
    const view: FloatArray = dtype === "float32" ? v32 : v64;
    const BpB = (base + Bp) * es, ApB = (base + Ap) * es, SB = (base + S) * es;
    const CbE = base + Cb, CbB = CbE * es;

    const shareB = bStride === 0 && batch > 1;
    if (flush && rowScale.length < mcPadMax) rowScale = new Float64Array(mcPadMax);
    for (let kb0 = 0; kb0 < k; kb0 += KB) {
      const kbLen = Math.min(KB, k - kb0);
      for (let jc = 0; jc < n; jc += NC) {
        const nc = Math.min(NC, n - jc), ncPad = up(nc, nr);
        for (let bi = 0; bi < batch; bi++) {
          if (bi === 0 || !shareB) {
            // B strip op(B)[kb0.., jc..] → panels of nr columns.
            const bBase = bOff + bi * bStride;
            if (bAt >= 0) {
              if (!transB) packB(BpB, bAt + (bBase + kb0 * n + jc) * es, nc, kbLen, 1, n);
              else packB(BpB, bAt + (bBase + jc * k + kb0) * es, nc, kbLen, k, 1);
            } else if (!transB) {
              stage(view, base + S, nc, b, bBase + kb0 * n + jc, kbLen, nc, n);
              packB(BpB, SB, nc, kbLen, 1, nc);
            } else {
              const sld = gatherLd(kbLen, es);
              stage(view, base + S, sld, b, bBase + jc * k + kb0, nc, kbLen, k);
              packB(BpB, SB, nc, kbLen, sld, 1);
            }
            if (flush) bmax = maxOf(view, M, ncPad);
          }
          const aBase = aOff + bi * aStride;
          const cBase = cOff + bi * cStride;
          if (wholeAt && aAt < 0) stage(view, base + S, rows, a, aBase + kb0 * m + r0, kbLen, rows, m);
          for (let ic = r0, mc = 0; ic < r1; ic += mc) {
            const inTall = ic < tallEnd;
            mc = Math.min(MC, (inTall ? tallEnd : r1) - ic);
            const mr = inTall ? tall! : plainMr;
            const mcPad = up(mc, mr);
            const packA = inTall ? packATall : packAPlain;
            const macro = inTall ? kr.macroTall[dtype]! : kr.macro[dtype];
            // A strip op(A)[ic.., kb0..] → panels of mr rows.
            if (aAt >= 0) {
              if (!transA) packA(ApB, aAt + (aBase + ic * k + kb0) * es, mc, kbLen, k, 1);
              else packA(ApB, aAt + (aBase + kb0 * m + ic) * es, mc, kbLen, 1, m);
            } else if (!transA) {
              const sld = gatherLd(kbLen, es);
              stage(view, base + S, sld, a, aBase + ic * k + kb0, mc, kbLen, k);
              packA(ApB, SB, mc, kbLen, sld, 1);
            } else if (wholeAt) {
              packA(ApB, SB + (ic - r0) * es, mc, kbLen, 1, rows);
            } else {
              stage(view, base + S, mc, a, aBase + kb0 * m + ic, kbLen, mc, m);
              packA(ApB, SB, mc, kbLen, 1, mc);
            }
            if (flush && !screenA(view, base + Ap, M, mcPad, kbLen, mr, tiny, bmax)) {
              // Every product of the block is zero under FTZ: C keeps its partial sums (+0 at first).
              if (kb0 === 0) for (let r = 0; r < mc; r++) c.fill(0, cBase + (ic + r) * n + jc, cBase + (ic + r) * n + jc + nc);
              continue;
            }
            // rows whose products all lie below 2^-64 (live, but small enough for some products
            // to be subnormal, each an x86 microcode assist) run scaled by an exact power of two
            // (gemm-ftz.ts, step 3); only where one k chunk holds all of k (no partial sums)
            const scaled = flush && kbLen === k ? scaleTinyRows(view, base + Ap, M, mcPad, kbLen, mr, tiny, bmax, rowScale) : 0;
            const dst = cBase + ic * n + jc;
            // whole tiles of a heap C: the macro-kernel reads and writes C where it lies
            const direct = cAt >= 0 && mcPad === mc && ncPad === nc;
            const [cE, cld] = direct ? [cAt / es + dst, n] : [CbE, ldc];
            if (kb0 > 0 && !direct) {
              // Continue from the partial sums of the earlier k chunks.
              for (let r = 0; r < mc; r++) {
                const src = cBase + (ic + r) * n + jc;
                (view as Float32Array).set((c as Float32Array).subarray(src, src + nc), CbE + r * ldc);
              }
            }
            const kcStep = Math.ceil(kbLen / Math.ceil(kbLen / KC));
            for (let pc = 0; pc < kbLen; pc += kcStep) {
              const kc = Math.min(kcStep, kbLen - pc);
              macro(ApB + pc * mr * es, BpB + pc * nr * es, cE * es, mcPad / mr, ncPad / nr, kc,
                cld * es, kbLen * mr * es, kbLen * nr * es, kb0 === 0 && pc === 0 ? 1 : 0);
            }
            if (scaled) {
              if (direct) unscaleRows(c, dst, n, mc, nc, tiny, rowScale);
              else unscaleRows(view, CbE, ldc, mc, nc, tiny, rowScale);
            }
            if (direct) continue;
            // Write the block back; full-width blocks are compacted in place and copied at once.
            if (nc === n) {
              if (ldc !== n) kr.copyRows(CbB, CbB, mc, n * es, n * es, ldc * es);
              (c as Float32Array).set((view as Float32Array).subarray(CbE, CbE + mc * n), dst);
            } else {
              for (let r = 0; r < mc; r++) {
                (c as Float32Array).set((view as Float32Array).subarray(CbE + r * ldc, CbE + r * ldc + nc), dst + r * n);
              }
            }
          }
        }
      }
    }
  }

  /**
   * m = 1 or n = 1: a matrix–vector product without packing. With rows of the matrix contiguous
   * along k (A for n = 1, Bᵀ for m = 1) the dot kernel transposes 4 rows at a time in registers;
   * with rows contiguous along the output (B for m = 1, Aᵀ for n = 1) the axpy kernel adds
   * x[p]·row p. Both keep every output the sequential sum in p. Works through the matrix in
   * chunks of ≈256 KiB (L2). Returns false for a k too deep to stage 4 rows of.
   */
  function gemvGemm(
    kr: Kernels, dtype: GemmDtype,
    a: FloatArray, aOff: number, aStride: number, transA: boolean,
    b: FloatArray, bOff: number, bStride: number, transB: boolean,
    c: FloatArray, cOff: number, cStride: number,
    batch: number, m: number, k: number, n: number, r0: number, r1: number,
  ): boolean {
    const es = dtype === "float32" ? 4 : 8;
    const chunk = 262144 / es;
    const al = 64 / es;
    const kern = kr.gemv[dtype];
    const viewOf = (): FloatArray => (dtype === "float32" ? v32 : v64);
    if (n === 1 ? !transA || m === 1 : transB) {
      if (k > 1048576) return false;
      // y[i] = Σ_p mat[i, p]·vec[p] over rows [i0, i1) of mat (row stride k).
      const rowsChunk = Math.max(4, Math.floor(chunk / k / 4) * 4);
      const base = reserve(kr, (up(k, al) + up(rowsChunk + 4, al) + (rowsChunk + 4) * k) * es, es);
      const X = base, Y = X + up(k, al), S = Y + up(rowsChunk + 4, al);
      const view = viewOf();
      const matAt = inPlace(kr, n === 1 ? a : b);
      for (let bi = 0; bi < batch; bi++) {
        const aBase = aOff + bi * aStride, bBase = bOff + bi * bStride, cBase = cOff + bi * cStride;
        const [mat, matBase, vec, vecBase, i0, i1] = n === 1 ? [a, aBase, b, bBase, r0, r1] : [b, bBase, a, aBase, 0, n];
        (view as Float32Array).set((vec as Float32Array).subarray(vecBase, vecBase + k), X);
        for (let i = i0; i < i1; i += rowsChunk) {
          const rc = Math.min(rowsChunk, i1 - i);
          // a heap matrix is read where it lies, in whole blocks of 4 rows (the kernel reads
          // whole blocks: the last rows, past them, are staged so nothing past the matrix is read)
          const direct = matAt >= 0 ? rc - (rc % 4) : 0;
          if (direct > 0) kern.dot(Y * es, matAt + (matBase + i * k) * es, k * es, direct / 4, X * es, k, 1);
          if (rc > direct) {
            (view as Float32Array).set((mat as Float32Array).subarray(matBase + (i + direct) * k, matBase + (i + rc) * k), S);
            kern.dot((Y + direct) * es, S * es, k * es, Math.ceil((rc - direct) / 4), X * es, k, 1);
          }
          (c as Float32Array).set((view as Float32Array).subarray(Y, Y + rc), cBase + i);
        }
      }
      return true;
    }
    // y[j] = Σ_p vec[p]·mat[p, j0 + j] for j < cols (mat row stride ld).
    const [cols, ld, j0] = n === 1 ? [r1 - r0, m, r0] : [n, n, 0];
    const rowsChunk = Math.max(1, Math.floor(chunk / cols));
    const base = reserve(kr, (up(k, al) + up(cols, al) + Math.min(rowsChunk, k) * cols) * es, es);
    const X = base, Y = X + up(k, al), S = Y + up(cols, al);
    const view = viewOf();
    for (let bi = 0; bi < batch; bi++) {
      const aBase = aOff + bi * aStride, bBase = bOff + bi * bStride, cBase = cOff + bi * cStride;
      const [mat, matBase, vec, vecBase] = n === 1 ? [a, aBase, b, bBase] : [b, bBase, a, aBase];
      (view as Float32Array).set((vec as Float32Array).subarray(vecBase, vecBase + k), X);
      for (let p = 0; p < k; p += rowsChunk) {
        const pc = Math.min(rowsChunk, k - p);
        stage(view, S, cols, mat, matBase + p * ld + j0, pc, cols, ld);
        kern.axpy(Y * es, (X + p) * es, S * es, pc, cols, cols * es, p === 0 ? 1 : 0);
      }
      (c as Float32Array).set((view as Float32Array).subarray(Y, Y + cols), cBase + j0);
    }
    return true;
  }

  const dim = (x: number): boolean => Number.isInteger(x) && x >= 0;

  function check(name: string, x: FloatArray, ctor: Float32ArrayConstructor | Float64ArrayConstructor,
    off: number, stride: number, batch: number, size: number): void {
    if (!(x instanceof ctor)) throw new TypeError(`gemm: ${name} must be a ${ctor.name}`);
    const last = off + (batch - 1) * stride + size;
    if (!(Number.isInteger(off) && Number.isInteger(stride) && off >= 0 && stride >= 0 && last <= x.length)) {
      throw new RangeError(`gemm: ${name} needs elements [${off}, ${last}) (stride ${stride}, batch ${batch}) but has ${x.length}`);
    }
  }

  return function gemm(
    dtype: GemmDtype,
    a: FloatArray, aOff: number, aStride: number, transA: boolean,
    b: FloatArray, bOff: number, bStride: number, transB: boolean,
    c: FloatArray, cOff: number, cStride: number,
    batch: number, m: number, k: number, n: number, rowStart = 0, rowEnd = m, flush = false,
  ): void {
    const ctor = dtype === "float32" ? Float32Array : Float64Array;
    if (dtype !== "float32" && dtype !== "float64") throw new TypeError(`gemm: unsupported dtype ${String(dtype)}`);
    if (!(dim(batch) && dim(m) && dim(k) && dim(n) && dim(rowStart) && dim(rowEnd))) {
      throw new RangeError(`gemm: sizes must be non-negative integers, got batch ${batch}, m ${m}, k ${k}, n ${n}, rows [${rowStart}, ${rowEnd})`);
    }
    if (batch === 0 || m === 0 || n === 0 || rowEnd <= rowStart) return;
    if (rowStart < 0 || rowEnd > m) throw new RangeError(`gemm: rows [${rowStart}, ${rowEnd}) outside [0, ${m})`);
    check("a", a, ctor, aOff, aStride, batch, m * k);
    check("b", b, ctor, bOff, bStride, batch, k * n);
    check("c", c, ctor, cOff, cStride, batch, m * n);
    if (k === 0) {
      for (let bi = 0; bi < batch; bi++) {
        const cb = cOff + bi * cStride;
        c.fill(0, cb + rowStart * n, cb + rowEnd * n);
      }
      return;
    }
    if (bStride === 0 && batch > 1 && !transA && aStride === m * k && cStride === m * n && rowStart === 0 && rowEnd === m) {
      // One B for contiguous A and C batches: a single product with batch·m rows (same bits).
      m *= batch;
      rowEnd = m;
      batch = 1;
    }
    // Matrix-vector products (m = 1 or n = 1) keep IEEE subnormals on every path: their kernels
    // do not pack, so there is no free pass to screen in (gemm-ftz.ts).
    if (m === 1 || n === 1) flush = false;
    if (kernels === undefined) kernels = instantiate();
    if (kernels !== null && m * k * n > cfg.jsMaxWork[dtype]) {
      if ((m === 1 || n === 1) && gemvGemm(kernels, dtype, a, aOff, aStride, transA, b, bOff, bStride, transB,
        c, cOff, cStride, batch, m, k, n, rowStart, rowEnd)) return;
      wasmGemm(kernels, dtype, a, aOff, aStride, transA, b, bOff, bStride, transB, c, cOff, cStride,
        batch, m, k, n, rowStart, rowEnd, flush);
      return;
    }
    const rsA = transA ? 1 : k, csA = transA ? m : 1;
    const rsB = transB ? 1 : n, csB = transB ? k : 1;
    const rows = flush ? jsFlushRows(dtype) : null;
    for (let bi = 0; bi < batch; bi++) {
      if (rows !== null) {
        rows(a, aOff + bi * aStride, rsA, csA, b, bOff + bi * bStride, rsB, csB, c, cOff + bi * cStride, rowStart, rowEnd, k, n);
      } else if (dtype === "float32") {
        jsF32(a as Float32Array, aOff + bi * aStride, rsA, csA, b as Float32Array, bOff + bi * bStride, rsB, csB,
          c as Float32Array, cOff + bi * cStride, rowStart, rowEnd, k, n);
      } else {
        jsF64(a as Float64Array, aOff + bi * aStride, rsA, csA, b as Float64Array, bOff + bi * bStride, rsB, csB,
          c as Float64Array, cOff + bi * cStride, rowStart, rowEnd, k, n);
      }
    }
  };
}

/** Whether this engine runs the relaxed-SIMD (FMA) module, i.e. whether `fma: true` takes effect. */
export function relaxedSimdAvailable(): boolean {
  return typeof WebAssembly === "object" && fmaModuleValid();
}

/** The gemm of this thread (see GemmFn for the contract). */
export const gemm: GemmFn = createGemm(DEFAULT_GEMM_CONFIG);
