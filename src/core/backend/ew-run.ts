// Runs compiled elementwise kernels (ew-wasm.ts) on typed arrays: operands are staged block by
// block into this thread's wasm memory (one memory per thread, shared by every kernel module the
// thread instantiated), run(n) computes the block, the results are copied out. Strided operands
// are staged as their layout allows (runStrided): a slice per block, a repeated row, a fill per
// row, or gathered row by row; a column broadcast along rows of ROW_MIN or more elements is
// staged compactly instead, one value per row, for the kernel to splat (pattern "r", ew-wasm.ts).
// Modules are compiled on the calling thread (cached per expression and layout); a job carries
// the bytes, and each thread instantiates a key once.
// A long expression's kernel (wasmKernel past ew-staged's STAGE_STMTS) is staged: its stage
// modules (ew-stages.ts, bytes in shared memory so a job posts them without a copy) run in turn
// over blocks of elements (runStaged), temporaries crossing stages kept in scratch rows of the
// same memory.
// Flat operands and outputs that lie in the heap (heap.ts) are not staged: a kernel that keeps
// running on large ones gets an in-place variant, which reads and writes them where they are
// (runInPlace).
import type { TypedArray } from "../dtype.js";
import { BLOCK, compileInPlace, compileKernel, fusable, NotCompiled, REGION, ROW_MIN, SIZE, UNROLL, UNROLL32, type ElemType } from "./ew-wasm.js";
import { claimHeap, heapAddress, heapBuffer, heapMemory, isCallerHeap } from "./heap.js";
import { parseExpr, Unsupported } from "./ew-parse.js";
import { flushKinds, NO_UNDERFLOW32, withFlush } from "./ew-flush.js";
import type { Builder, Node } from "./ew-ir.js";
import { gemmFlush } from "./gemm.js";
import { isLong } from "./ew-staged.js";
import { stagedWasm, type StageModule, type StagedWasm } from "./ew-stages.js";
import { Func, I32, V128, assembleWithImports } from "./wasm-asm.js";

/** The part of the WebAssembly JS API used here (the project's libs do not declare it). */
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
};
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A compiled kernel as a job carries it. */
export interface WasmKernel {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly imports: readonly string[];
  /** Per operand: "v" (staged per block), "s" (one element) or "r" (one value per row: runStrided only). */
  readonly pattern: string;
  readonly types: readonly ElemType[];
  readonly out: "f32" | "f64";
  /** A long expression's staged kernel (ew-stages.ts): `bytes` is then empty and runFlat runs the stages. */
  readonly staged?: StagedWasm;
  /** The expression and flush setting it was compiled from (the in-place variant compiles them again). */
  readonly expr?: string;
  readonly flush?: boolean;
  /**
   * Its in-place variant (runInPlace): compiled on the calling thread once the kernel has run
   * IN_PLACE_AFTER times on large operands, then carried by the jobs that post this kernel; null
   * where the compiler refused it.
   */
  inPlace?: InPlaceModule | null;
  /** Large runs so far on the calling thread (when the in-place variant is due). */
  runs?: number;
}

/** A kernel's in-place module: run(n, tab) over operands and output in the heap. */
export interface InPlaceModule {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly imports: readonly string[];
}

export function elemType(a: TypedArray): ElemType {
  return a instanceof Float32Array ? "f32" : a instanceof Float64Array ? "f64" : a instanceof Int32Array ? "i32" : "u8";
}

/** Whether this engine runs WebAssembly SIMD (v128 + f64x2 ops): a tiny probe module. */
export const wasmSimd: boolean = (() => {
  try {
    const f = new Func("probe", [], [V128]);
    f.f64(0).splat(8).i32(0).simd(0x5d, 2, 0).simd(0xf0);
    return typeof WebAssembly === "object" && WebAssembly.validate(assembleWithImports([], [f], 1));
  } catch {
    return false;
  }
})();

/** Per expression: its kernels by layout key, and the layout of the last lookup (a loop asks for the same one each step). */
interface ByExpr {
  byLayout: Map<string, WasmKernel | null>;
  types: readonly ElemType[];
  pattern: string;
  out: ElemType;
  flush: boolean;
  last: WasmKernel | null | undefined;
}
const compiledByExpr = new Map<string, ByExpr>();
/**
 * The compiled kernel for an expression and operand layout, or null when the compiler refuses
 * it (integer ops, Math functions without a vector version in float64 statements, …).
 */
export function wasmKernel(expr: string, types: readonly ElemType[], pattern: string, out: ElemType): WasmKernel | null {
  if (out !== "f32" && out !== "f64") return null;
  const flush = gemmFlush();
  if (isLong(expr)) return stagedOn ? stagedKernel(expr, types, pattern, out, flush) : null;
  // keyed by the expression string itself (its hash is cached), then by a short layout key; a
  // repeat of the previous layout is answered with no string built at all
  let c = compiledByExpr.get(expr);
  if (c === undefined) compiledByExpr.set(expr, (c = { byLayout: new Map(), types: [], pattern: "", out, flush, last: undefined }));
  if (c.last !== undefined && c.pattern === pattern && c.out === out && c.flush === flush && sameTypes(c.types, types)) return c.last;
  const layout = layoutKey(types, pattern, out, flush);
  let k = c.byLayout.get(layout);
  if (k === undefined) {
    const key = layout + expr;
    k = null;
    try {
      const d = kernelDag(expr, out === "f32", flush, flushKinds(out, types));
      if (d.nIn <= types.length) {
        const { bytes, imports } = compileKernel(d.b, d.root, types, pattern, out);
        k = { key, bytes, imports, pattern, types, out, expr, flush };
      }
    } catch (e) {
      if (!(e instanceof Unsupported || e instanceof NotCompiled)) throw e;
    }
    c.byLayout.set(layout, k);
  }
  Object.assign(c, { types: types.slice(), pattern, out, flush, last: k });
  return k;
}

/**
 * The DAG a kernel of `expr` computes (parsed for a float32 or float64 output, with the flush
 * nodes when flushing), and the operands it reads: what wasmKernel compiles, and what a compiled
 * loop (transforms/control/loop-wasm.ts) builds into its module. Throws Unsupported or
 * NotCompiled where the compiler refuses the expression.
 */
export function kernelDag(expr: string, f32: boolean, flush: boolean, kinds: string): { b: Builder; root: Node; nIn: number } {
  const p = parseExpr(expr, f32);
  // a result stored to float32 is rounded by the store, so an explicit fround on the top gives
  // the same bits, where it changes no flush:
  //  - on + − × ÷ or √ (withFlush flushes that arithmetic either way), it lets the compiler
  //    compute it as one float32x4 operation of float32 operands (an op-by-op kernel's
  //    "a0 * a1" ran through float64 lanes: ~4× the instructions, W8's multiply);
  //  - on a NO_UNDERFLOW32 function (Math.sin(a0)), withFlush then knows the rounded result of a
  //    flushed operand needs no flush, as in a fused statement (the flush it drops changed nothing).
  // Bit operations (−x, |x|, select, an operand) get none: a subnormal passes through them as on XLA.
  const r = p.root;
  const arith = fusable(r) || (r.k === "fn" && r.a.length === 1 && NO_UNDERFLOW32.has(r.name));
  const top = f32 && arith ? p.b.un("fround", r) : r;
  return { b: p.b, root: flush ? withFlush(p.b, top, f32, kinds) : top, nIn: p.nIn };
}

/** A kernel's layout (operand types, pattern, output type, flushing) as its caches key it. */
const layoutKey = (types: readonly ElemType[], pattern: string, out: ElemType, flush: boolean): string => `${types.join(",")}|${pattern}|${out}|${flush ? "ftz|" : ""}`;

/** Whether wasmKernel has already compiled this expression for this layout (a call would find it, no compile). */
export function hasWasmKernel(expr: string, types: readonly ElemType[], pattern: string, out: ElemType): boolean {
  const flush = gemmFlush();
  if (isLong(expr)) return stagedKernels.get(expr)?.get(layoutKey(types, pattern, out, flush)) != null;
  const c = compiledByExpr.get(expr);
  if (c === undefined) return false;
  // wasmKernel's last layout, answered without building a key (eager calls ask on every call)
  if (c.last !== undefined && c.pattern === pattern && c.out === out && c.flush === flush && sameTypes(c.types, types)) return c.last !== null;
  return c.byLayout.get(layoutKey(types, pattern, out, flush)) != null;
}

let stagedOn = true;
/** @internal benchmarks switch long expressions between staged Wasm (true, the default) and the staged JS loops; returns the previous setting. */
export function setStagedWasm(on: boolean): boolean {
  const old = stagedOn;
  stagedOn = on;
  return old;
}

/** Long expressions' kernels: by expression (its hash is cached on the string), then layout and flush. */
const stagedKernels = new Map<string, Map<string, WasmKernel | null>>();
function stagedKernel(expr: string, types: readonly ElemType[], pattern: string, out: "f32" | "f64", flush: boolean): WasmKernel | null {
  let byLayout = stagedKernels.get(expr);
  if (byLayout === undefined) stagedKernels.set(expr, (byLayout = new Map()));
  const variant = layoutKey(types, pattern, out, flush);
  let k = byLayout.get(variant);
  if (k === undefined) {
    k = null;
    try {
      const staged = stagedWasm(expr, types, pattern, out, flush);
      k = { key: `${staged.modules.map((m) => m.key).join("+")}|${variant}`, bytes: new Uint8Array(0), imports: [], pattern, types, out, staged };
    } catch (e) {
      if (!(e instanceof Unsupported || e instanceof NotCompiled)) throw e;
    }
    byLayout.set(variant, k);
  }
  return k;
}

function sameTypes(a: readonly ElemType[], b: readonly ElemType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ------------------------------------------------------------ this thread's memory and modules

let memory: WasmMemory | null = null;
let views: Record<ElemType, TypedArray> | null = null;
/** A module's run: run(n), a stage's run(n, tab), or with row operands run(n, c0, inner). */
type Run = (n: number, a?: number, b?: number) => void;
const runs = new Map<string, Run>();

function ensureMemory(regions: number): Record<ElemType, TypedArray> {
  return ensureBytes(regions * REGION);
}
function ensureBytes(bytes: number): Record<ElemType, TypedArray> {
  const pages = Math.ceil(bytes / 65536);
  if (memory === null) memory = new WebAssembly.Memory({ initial: Math.max(pages, 4) });
  const have = memory.buffer.byteLength / 65536;
  if (have < pages) memory.grow(pages - have);
  if (views === null || views.f64.buffer !== memory.buffer) {
    const buf = memory.buffer;
    views = { f32: new Float32Array(buf), f64: new Float64Array(buf), i32: new Int32Array(buf), u8: new Uint8Array(buf) };
  }
  return views;
}

/** This thread's instance of a module (a kernel's, or a stage's: run(n, tab)), made once per key. */
function runOf(k: WasmKernel | StageModule): Run {
  let r = runs.get(k.key);
  if (r === undefined) {
    ensureMemory("types" in k ? k.types.length + 1 : 0);
    r = instantiate(k, memory!) as Run;
    runs.set(k.key, r);
  }
  return r;
}

/** The `run` export of a module's instance over `mem`, with the Math.* functions it imports. */
function instantiate(k: { readonly bytes: Uint8Array; readonly imports: readonly string[] }, mem: object): unknown {
  const m = Math as unknown as Record<string, (x: number) => number>;
  const imp: Record<string, (x: number) => number> = {};
  for (const name of k.imports) imp[name] = m[name]!;
  // stage modules' bytes may sit in shared memory, which WebAssembly.Module does not take
  const bytes = typeof SharedArrayBuffer === "function" && k.bytes.buffer instanceof SharedArrayBuffer ? new Uint8Array(k.bytes) : k.bytes;
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem }, m: imp }).exports["run"];
}

/**
 * Elements [u0, u1) of a long expression's staged kernel (ew-stages.ts): per block, the "v"
 * operands are copied to their regions, every stage runs in turn (temporaries crossing stages
 * stay in the scratch rows), and the output region is copied out.
 */
function runStaged(L: StagedWasm, k: WasmKernel, ins: readonly TypedArray[], out: TypedArray, u0: number, u1: number): void {
  const v = ensureBytes(L.bytes);
  const run = driverOf(L);
  (v.i32 as Int32Array).set(L.table, 0);
  for (let j = 0; j < ins.length; j++) {
    const t = k.types[j]!;
    if (k.pattern[j] === "s") v[t][L.inAt[j]! / SIZE[t]] = ins[j]![0]!;
  }
  const ov = v[k.out];
  const ob = L.outAt / SIZE[k.out];
  for (let s = u0; s < u1; s += L.block) {
    const n = Math.min(L.block, u1 - s);
    for (let j = 0; j < ins.length; j++) {
      if (k.pattern[j] === "s") continue;
      const t = k.types[j]!;
      v[t].set(ins[j]!.subarray(s, s + n), L.inAt[j]! / SIZE[t]);
    }
    run(n);
    out.set(ov.subarray(ob, ob + n), s);
  }
}

/** This thread's drivers of staged kernels, by StagedWasm key. */
const drivers = new Map<string, (n: number) => void>();
/**
 * The driver of a staged kernel: a module importing its stages' runs that calls them in order,
 * each with its address table, so a block costs one call from JS. Calling the stages one by one
 * from JS (tens of them in a long chain) went through V8's generic JS-to-Wasm wrapper until
 * the loop was optimised: a third of W15-200's third call.
 */
function driverOf(L: StagedWasm): (n: number) => void {
  let d = drivers.get(L.key);
  if (d === undefined) {
    const fns = L.modules.map(runOf);
    const f = new Func("run", [I32]);
    for (let c = 0; c < L.calls.length; c += 2) f.get(0).i32(L.calls[c + 1]!).call(L.calls[c]!);
    const bytes = assembleWithImports(
      fns.map((_, i) => ({ module: "s", name: `f${i}`, params: [I32, I32], results: [] })),
      [f],
      1,
    );
    const stages: Record<string, Run> = {};
    fns.forEach((fn, i) => (stages[`f${i}`] = fn));
    d = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory }, s: stages }).exports["run"] as (n: number) => void;
    drivers.set(L.key, d);
  }
  return d;
}

/** Elements [u0, u1) of `out` from operands each the output's full contiguous shape ("v") or one element ("s"). */
export function runFlat(k: WasmKernel, ins: readonly TypedArray[], out: TypedArray, u0: number, u1: number): void {
  if (k.staged !== undefined) return runStaged(k.staged, k, ins, out, u0, u1);
  if (u1 - u0 >= IN_PLACE_MIN) u0 = runInPlace(k, ins, out, u0, u1);
  if (u0 >= u1) return;
  const run = runOf(k);
  const v = ensureMemory(ins.length + 1);
  const base = (j: number, t: ElemType) => (j * REGION) / SIZE[t];
  for (let j = 0; j < ins.length; j++) if (k.pattern[j] === "s") v[k.types[j]!][base(j, k.types[j]!)] = ins[j]![0]!;
  const ov = v[k.out];
  const ob = base(ins.length, k.out);
  for (let s = u0; s < u1; s += BLOCK) {
    const n = Math.min(BLOCK, u1 - s);
    for (let j = 0; j < ins.length; j++) {
      if (k.pattern[j] === "s") continue;
      const t = k.types[j]!;
      v[t].set(ins[j]!.subarray(s, s + n), base(j, t));
    }
    run(n);
    out.set(ov.subarray(ob, ob + n), s);
  }
}

// ------------------------------------------------------------ in place, over the heap

/** Operations at least this long (elements) run in place where their arrays lie in the heap. */
export const IN_PLACE_MIN = 4096;
/** A kernel's in-place variant is compiled at its IN_PLACE_AFTER-th large run (one-off calls never pay a second compile). */
export const IN_PLACE_AFTER = 3;
/** Every unrolled step covers 4·UNROLL32 or 4·UNROLL elements; in place, a run covers whole steps of both (the tail is staged). */
const STEP = (4 * UNROLL32 * 4 * UNROLL) / gcd(4 * UNROLL32, 4 * UNROLL);
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** @internal in-place runs on this thread (tests check the route) */
export const inPlaceStats = { runs: 0, compiled: 0 };

/** The kernel's in-place module: compiled on the calling thread when due, else what the job carried (or null/undefined). */
function inPlaceOf(k: WasmKernel): InPlaceModule | null | undefined {
  if (k.inPlace !== undefined || k.expr === undefined || !isCallerHeap()) return k.inPlace;
  if ((k.runs = (k.runs ?? 0) + 1) < IN_PLACE_AFTER) return undefined;
  k.inPlace = null;
  try {
    const d = kernelDag(k.expr, k.out === "f32", k.flush!, flushKinds(k.out, k.types));
    const { bytes, imports } = compileInPlace(d.b, d.root, k.types, k.pattern, k.out);
    k.inPlace = { key: `heap|${k.key}`, bytes, imports };
    inPlaceStats.compiled++;
  } catch (e) {
    if (!(e instanceof Unsupported || e instanceof NotCompiled)) throw e;
  }
  return k.inPlace;
}

/** This thread's in-place instances and its table (a claim of its own in the heap). */
const inPlaceRuns = new Map<string, (n: number, tab: number, c0: number, inner: number) => void>();
let tableAt = -1;

/**
 * Runs the whole steps of [u0, u1) in place when every whole operand and the output lie in the
 * heap (and the output overlaps no operand but itself): the table gives the module their
 * addresses at u0, scalar operands sit in the table's own claim. Returns where the caller goes
 * on (the staged tail, or all of it when nothing ran here).
 */
function runInPlace(k: WasmKernel, ins: readonly TypedArray[], out: TypedArray, u0: number, u1: number, h = inPlaceOf(k), inner = 0): number {
  if (!h) return u0;
  const oAt = heapAddress(out);
  if (oAt < 0) return u0;
  const osz = SIZE[k.out];
  const o0 = oAt + u0 * osz, o1 = oAt + u1 * osz;
  const addr: number[] = [];
  for (let j = 0; j < ins.length; j++) {
    const p = k.pattern[j];
    if (p === "s") continue;
    const at = heapAddress(ins[j]!);
    if (at < 0) return u0;
    const sz = SIZE[k.types[j]!];
    // a row operand ("r", with `inner`): one value per row of inner elements
    const [a0, a1] = p === "r" ? [at + (u0 / inner) * sz, at + (u1 / inner) * sz] : [at + u0 * sz, at + u1 * sz];
    // an operand that is the output itself is read before its element is written; any other
    // overlap is refused, and any at all for a row kernel (a row's last step writes ahead)
    if (a0 < o1 && o0 < a1 && (inner > 0 || !(a0 === o0 && sz === osz))) return u0;
    addr[j] = a0;
  }
  // a row kernel runs the caller's whole rows, the rest whole unrolled steps
  const n = inner > 0 ? u1 - u0 : Math.floor((u1 - u0) / STEP) * STEP;
  if (n === 0) return u0;
  if (tableAt < 0) {
    tableAt = claimHeap(65536);
    if (tableAt < 0) return u0;
  }
  let run = inPlaceRuns.get(h.key);
  if (run === undefined) {
    run = instantiate(h, heapMemory()!) as (n: number, tab: number, c0: number, inner: number) => void;
    inPlaceRuns.set(h.key, run);
  }
  // the table: operand j's address at entry j, the output's after them; a scalar's value at 8-byte slot j past the table
  const buf = heapBuffer();
  const tab = new Int32Array(buf, tableAt, ins.length + 1);
  const slots = tableAt + 256;
  for (let j = 0; j < ins.length; j++) {
    if (k.pattern[j] !== "s") tab[j] = addr[j]!;
    else {
      const t = k.types[j]!;
      const at = slots + 8 * j;
      const v = t === "f32" ? new Float32Array(buf, at, 1) : t === "f64" ? new Float64Array(buf, at, 1) : t === "i32" ? new Int32Array(buf, at, 1) : new Uint8Array(buf, at, 1);
      v[0] = ins[j]![0]!;
      tab[j] = at;
    }
  }
  tab[ins.length] = o0;
  run(n, tableAt, 0, inner);
  inPlaceStats.runs++;
  return u0 + n;
}

/** How runStrided stages an operand: written once, one slice per block, a repeating tile, a fill per row, its rows' values for the kernel to splat, or gathered row by row. */
const enum Staging {
  /** one element, written once ("s") */
  Scalar,
  /** laid out as the output (strides row-major over the whole shape): one slice per block */
  Flat,
  /** broadcast over some leading axes, row-major over the rest (a row, a matrix repeated over a batch): it repeats with the period of those trailing axes */
  Tile,
  /** one value per row, row-major over the outer axes (a column broadcast along the last axis): each filled across its row */
  Expand,
  /** the same layout as Expand, pattern "r" (rows of ROW_MIN or more): the block's rows' values, one each, splat by the kernel */
  Row,
  /** anything else: gathered row segment by row segment through its strides */
  Gather,
}

/** Whether operand j is a column broadcast along the last axis: stride 0 there, row-major over the outer axes. */
function expandsRows(strides: Int32Array, shape: Int32Array, j: number): boolean {
  const nd = shape.length;
  if (strides[j * nd + nd - 1] !== 0) return false;
  for (let e = nd - 2, unit = 1; e >= 0; unit *= shape[e--]!) if (strides[j * nd + e] !== unit) return false;
  return true;
}

let rowSplat = true;
/** @internal benchmarks and tests switch row operands ("r") off (every column then fills its rows); returns the previous setting. */
export function setRowSplat(on: boolean): boolean {
  const old = rowSplat;
  rowSplat = on;
  return old;
}

/**
 * The kernel pattern of a strided layout's operands (`strides` per operand over the coalesced
 * `shape`): "s" for one constant element, "r" for a column broadcast along rows of ROW_MIN or
 * more elements (the kernel splats one value per row), "v" for the rest.
 */
export function stridedPattern(strides: Int32Array, shape: Int32Array, types: readonly ElemType[]): string {
  const nd = shape.length;
  const inner = shape[nd - 1]!;
  const rows = rowSplat && inner >= ROW_MIN;
  let pattern = "";
  for (let j = 0; j < types.length; j++) {
    let zero = true;
    for (let d = 0; d < nd && zero; d++) zero = strides[j * nd + d] === 0;
    pattern += zero ? "s" : rows && expandsRows(strides, shape, j) ? "r" : "v";
  }
  return pattern;
}

/** How operand j is staged; for a Tile, `period` gets the length of its repeating part. */
function stagingOf(k: WasmKernel, strides: Int32Array, shape: Int32Array, j: number, period: Int32Array): Staging {
  if (k.pattern[j] === "s") return Staging.Scalar;
  if (k.pattern[j] === "r") return Staging.Row;
  const nd = shape.length;
  // the longest suffix of axes over which the operand is row-major (strides 1, shape[-1], …)
  let d = nd - 1;
  let acc = 1;
  while (d >= 0 && strides[j * nd + d] === acc) acc *= shape[d--]!;
  if (d < 0) return Staging.Flat;
  if (d === nd - 1) return expandsRows(strides, shape, j) ? Staging.Expand : Staging.Gather;
  // and every axis before that suffix broadcast
  for (let e = d; e >= 0; e--) if (strides[j * nd + e] !== 0) return Staging.Gather;
  period[j] = acc;
  return Staging.Tile;
}

/** dst[b + p] = tile[(c0 + p) mod period] for p < n: the first (partial) period and one whole one, then doubling copies of whole periods. */
function fillPeriodic(dst: TypedArray, b: number, tile: TypedArray, c0: number, period: number, n: number): void {
  const first = Math.min(period - c0, n);
  dst.set(tile.subarray(c0, c0 + first), b);
  let p = first;
  if (p < n) {
    const m = Math.min(period, n - p);
    dst.set(tile.subarray(0, m), b + p);
    p += m;
  }
  // [b + first, b + p) holds whole periods from offset 0, so a copy of it to b + p keeps the period
  while (p < n) {
    const m = Math.min(p - first, n - p);
    dst.copyWithin(b + p, b + first, b + first + m);
    p += m;
  }
}

/**
 * dst[b + p] = col[row of element e0 + p] for p < n: each row's value filled across its segment.
 * (Measured: these per-element stores are most of a [2048, 32] × [2048, 1] multiply's cost, ~1.5
 * ns per element against ~0.1 for a copied operand; so columns along rows of ROW_MIN or more are
 * row operands instead, Staging.Row.)
 */
function expandRows(dst: TypedArray, b: number, col: TypedArray, e0: number, inner: number, n: number): void {
  let r = Math.floor(e0 / inner);
  for (let p = 0, c = e0 - r * inner; p < n; r++, c = 0) {
    const take = Math.min(inner - c, n - p);
    dst.fill(col[r]!, b + p, b + p + take);
    p += take;
  }
}

/** Output elements [e0, e0 + n) of operand j gathered through its strides into dst from b, row segment by row segment. */
function gatherRows(dst: TypedArray, b: number, src: TypedArray, strides: Int32Array, shape: Int32Array, j: number, e0: number, n: number): void {
  const nd = shape.length;
  const inner = shape[nd - 1]!;
  const st = strides[j * nd + nd - 1]!;
  let r = Math.floor(e0 / inner);
  let c = e0 - r * inner;
  for (let p = 0; p < n; r++, c = 0) {
    let off = 0;
    for (let d = nd - 2, rem = r; d >= 0; d--) {
      const i = rem % shape[d]!;
      rem = (rem - i) / shape[d]!;
      off += i * strides[j * nd + d]!;
    }
    const take = Math.min(inner - c, n - p);
    const from = off + c * st;
    const at = b + p;
    if (st === 0) dst.fill(src[from]!, at, at + take);
    else if (st === 1 && take >= 32) dst.set(src.subarray(from, from + take), at);
    else for (let q = 0; q < take; q++) dst[at + q] = src[from + q * st]!;
    p += take;
  }
}

/**
 * Rows [r0, r1) of the last coalesced axis (length `shape[nd-1]`) of a strided layout: operand
 * j's element (row r, column c) is at Σ_d idx_d·strides[j·nd + d]. The rows' elements go through
 * in blocks of BLOCK (a block may start or end inside a row). Each operand is staged the cheapest
 * way its strides allow (Staging): an operand laid out as the output is one slice per block, one
 * broadcast over leading axes (a bias row, a matrix repeated over a batch) is copied once and
 * doubled, a column broadcast along the rows is one fill per row, only the rest is gathered
 * through its strides — so a fused kernel whose operands mix [m, n] tensors, [n] rows and [m, 1]
 * columns (a bias, a jacobian's basis terms, per-example scales) costs a few copies per block,
 * not one per operand and row.
 */
export function runStrided(k: WasmKernel, ins: readonly TypedArray[], strides: Int32Array, shape: Int32Array, out: TypedArray, r0: number, r1: number): void {
  if (k.staged !== undefined) throw new Error("elementwise: a staged kernel runs on contiguous operands (planElementwise gathers them)");
  const run = runOf(k);
  const v = ensureMemory(ins.length + 1);
  const nIn = ins.length;
  const inner = shape[shape.length - 1]!;
  const base = (j: number, t: ElemType) => (j * REGION) / SIZE[t];
  const staging: Staging[] = [];
  const period = new Int32Array(nIn);
  for (let j = 0; j < nIn; j++) {
    staging.push(stagingOf(k, strides, shape, j, period));
    if (staging[j] === Staging.Scalar) v[k.types[j]!][base(j, k.types[j]!)] = ins[j]![0]!;
  }
  const ov = v[k.out];
  const ob = base(nIn, k.out);
  const end = r1 * inner;
  let start = r0 * inner;
  if (end - start >= IN_PLACE_MIN && staging.every((how) => how === Staging.Flat || how === Staging.Tile || how === Staging.Scalar || how === Staging.Row)) {
    start = runStridedInPlace(k, ins, staging, period, out, start, end, inner);
  }
  for (let e0 = start; e0 < end; e0 += BLOCK) {
    const n = Math.min(BLOCK, end - e0);
    // the block's first row and column: row operands stage rows [row, row + rows)
    const row = Math.floor(e0 / inner);
    const c0 = e0 - row * inner;
    const rows = Math.ceil((c0 + n) / inner);
    for (let j = 0; j < nIn; j++) {
      const how = staging[j]!;
      if (how === Staging.Scalar) continue;
      const t = k.types[j]!;
      const src = ins[j]!;
      if (how === Staging.Flat) v[t].set(src.subarray(e0, e0 + n), base(j, t));
      else if (how === Staging.Tile) fillPeriodic(v[t], base(j, t), src, e0 % period[j]!, period[j]!, n);
      else if (how === Staging.Row) v[t].set(src.subarray(row, row + rows), base(j, t));
      else if (how === Staging.Expand) expandRows(v[t], base(j, t), src, e0, inner, n);
      else gatherRows(v[t], base(j, t), src, strides, shape, j, e0, n);
    }
    run(n, c0, inner);
    out.set(ov.subarray(ob, ob + n), e0);
  }
}

/** This thread's heap claim for expanded tiles (runStridedInPlace), grown by claiming anew. */
let tilesAt = -1;
let tilesBytes = 0;
/** Tiles expanded for one in-place run take at most this many bytes (past it, the run is staged). */
const TILES_MAX_BYTES = 8 << 20;

/**
 * Elements [e0, e1) (whole rows of `inner`) of a strided layout whose operands are whole arrays
 * (Flat), repeating tiles, scalars or row operands (a column broadcast along the rows: "r"): in
 * place (runInPlace) when the output and the whole operands lie in the heap, each tile expanded
 * once and each row operand's values copied once into a claim of this thread's (a bias row over a
 * batch, W8's X · g[:, None]: where the staged run copies every operand in and the output out).
 * The kernel is the layout's own (its in-place variant: the same function of each element, so
 * the same bits). A row kernel's last step of a row runs into the next row, so the last row is
 * left to the staged run. Returns where the caller goes on.
 */
function runStridedInPlace(k: WasmKernel, ins: readonly TypedArray[], staging: readonly Staging[], period: Int32Array, out: TypedArray, e0: number, e1: number, inner: number): number {
  if (heapAddress(out) < 0) return e0;
  for (let j = 0; j < ins.length; j++) if (staging[j] === Staging.Flat && heapAddress(ins[j]!) < 0) return e0;
  const h = inPlaceOf(k);
  if (!h) return e0;
  const rowKernel = k.pattern.includes("r");
  const row0 = e0 / inner;
  const n = rowKernel ? e1 - e0 - inner : Math.floor((e1 - e0) / STEP) * STEP;
  let bytes = 0;
  for (let j = 0; j < ins.length; j++) {
    if (staging[j] === Staging.Tile) bytes += Math.ceil((n * SIZE[k.types[j]!]) / 64) * 64;
    if (staging[j] === Staging.Row) bytes += Math.ceil(((n / inner) * SIZE[k.types[j]!]) / 64) * 64;
  }
  if (n === 0 || bytes > TILES_MAX_BYTES) return e0;
  if (tilesBytes < bytes) {
    const want = Math.max(bytes, 2 * tilesBytes);
    const at = claimHeap(want);
    if (at < 0) return e0;
    tilesAt = at;
    tilesBytes = want;
  }
  const buf = heapBuffer();
  let at = tilesAt;
  const views = ins.map((x, j) => {
    if (staging[j] === Staging.Scalar) return x;
    if (staging[j] === Staging.Flat) return x.subarray(e0);
    const t = k.types[j]!;
    const len = staging[j] === Staging.Row ? n / inner : n;
    const v = t === "f32" ? new Float32Array(buf, at, len) : t === "f64" ? new Float64Array(buf, at, len) : t === "i32" ? new Int32Array(buf, at, len) : new Uint8Array(buf, at, len);
    at += Math.ceil((len * SIZE[t]) / 64) * 64;
    if (staging[j] === Staging.Row) v.set(x.subarray(row0, row0 + len) as never);
    else fillPeriodic(v, 0, x, e0 % period[j]!, period[j]!, n);
    return v;
  });
  return e0 + runInPlace(k, views, out.subarray(e0), 0, n, h, rowKernel ? inner : 0);
}
