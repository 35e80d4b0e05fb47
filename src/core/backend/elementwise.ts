// Elementwise kernels generated from scalar expressions: broadcasting through strides (0 on
// broadcast axes), adjacent axes coalesced, one loop source per (expression, layout), cached.
// The source is what a job carries to the workers, which compile it once each.
//
// Two paths compute the same bits (ew-ir.ts): a WebAssembly SIMD kernel compiled from the
// expression (ew-wasm.ts, run by ew-run.ts) when the engine has SIMD and the expression and
// dtypes are ones it compiles, else the scalar JS loop below. In float32 statements both call
// vecmath's functions for exp, log, sin, … (≤ 1 ulp from Math.* rounded to float32), never
// Math.* itself, so which path runs never changes a result. A long fused expression (ew-staged.ts)
// runs staged, as Wasm SIMD stage kernels (ew-stages.ts) where they compile, else as JS loops;
// its broadcast and strided operands are gathered contiguous first (gatherAll).
// TAPIR_ELEMENTWISE=math restores the previous kernels (Math.* everywhere, JS only) for
// comparison; =js keeps vecmath but no Wasm.
import type { TypedArray } from "../dtype.js";
import { defineKernel } from "./kernel.js";
import { emitJs } from "./ew-ir.js";
import { isLong, stagedSource, statementCount } from "./ew-staged.js";
import { flushKinds, withFlush } from "./ew-flush.js";
import { gemmFlush } from "./gemm.js";
import { parseExpr, Unsupported } from "./ew-parse.js";
import { runShared, sharedOf, type Shared } from "./ew-shared.js";
import { elemType, hasWasmKernel, runFlat, runStrided, stridedPattern, wasmKernel, wasmSimd, type WasmKernel } from "./ew-run.js";
import type { ElemType } from "./ew-wasm.js";
import { V } from "./vecmath.js";

/** How elementwise kernels run: "wasm" (default, JS where it cannot), "js" (vecmath in JS only), "math" (Math.* in JS, the previous kernels). */
export type ElementwiseMode = "wasm" | "js" | "math";
function modeFromEnv(): ElementwiseMode {
  const m = typeof process === "object" ? process.env["TAPIR_ELEMENTWISE"] : undefined;
  return m === "js" || m === "math" ? m : "wasm";
}
let mode: ElementwiseMode = modeFromEnv();
/** @internal tests and benchmarks switch paths (the calling thread decides for every worker). */
export function setElementwiseMode(m: ElementwiseMode): ElementwiseMode {
  const old = mode;
  mode = m;
  return old;
}
export function elementwiseMode(): ElementwiseMode {
  return mode;
}

/** By flush variant ("" IEEE; "32"/"64": flush-to-zero for float32/float64 data), then expression. */
const jsExprs = new Map<string, Map<string, string>>();
/**
 * The scalar JS expression the loops run for `expr`: rewritten from its IR so that float32
 * statements call vecmath's `V.*` (exactly what the Wasm kernel computes); as written when the
 * IR cannot express it (integer ops), or in "math" mode. With config.flushSubnormals on, the IR
 * gets ew-flush.ts's flush nodes (`kinds`: how each operand is read, flushKinds).
 */
function jsExpr(expr: ScalarExpr, f32Out: boolean, kinds: string): ScalarExpr {
  if (mode === "math") return expr;
  // keyed by the expression itself (its hash is cached: the small-array path looks up per call)
  const flush = gemmFlush();
  const variant = `${f32Out ? "f" : "d"}${flush ? kinds : ""}`;
  let cache = jsExprs.get(variant);
  if (cache === undefined) jsExprs.set(variant, (cache = new Map()));
  let js = cache.get(expr);
  if (js === undefined) {
    try {
      const p = parseExpr(expr, f32Out);
      js = emitJs(flush ? withFlush(p.b, p.root, f32Out, kinds) : p.root);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      js = expr;
    }
    cache.set(expr, js);
  }
  return js;
}

/** ns per element, plus per Math.* call in the expression (bench/threshold.ts). */
export const ELEMENTWISE_NS = 1.6;
export const MATH_CALL_NS = 5.5;

const compiled = new Map<string, unknown>();
/** Compiles the source of a function expression once per thread. */
function compile<F>(src: string): F {
  let f = compiled.get(src);
  if (f === undefined) {
    f = new Function("V", `return ${src}`)(V);
    compiled.set(src, f);
  }
  return f as F;
}

/** One operand: its data (a view starting at element 0) and its strides against the output shape. */
export interface StridedInput {
  data: TypedArray;
  strides: readonly number[];
}

/**
 * An expression over inputs `a0, a1, …` (JS numbers) giving the output element. Fused kernels
 * (jit) put statements first, one per line (`const t0 = …;`), and the result expression last.
 */
export type ScalarExpr = string;

/** [statements, result expression] of a possibly multi-line scalar expression. */
function splitExpr(expr: ScalarExpr): [string, string] {
  const i = expr.lastIndexOf("\n");
  return i < 0 ? ["", expr] : [expr.slice(0, i).replace(/\n/g, " "), expr.slice(i + 1)];
}

/** One fused statement's right-hand side as the JS loops run it (jsExpr's rewrite, for ew-staged.ts). */
function jsStatement(expr: string, prefix: string, kinds: string): string {
  if (mode === "math") return expr;
  try {
    const p = parseExpr(expr, false);
    if (!gemmFlush()) return emitJs(p.root, prefix);
    // a float32 statement ends in Math.fround; anything else is flushed as float64
    const temp = Array.from(kinds, (k) => k === "t");
    return emitJs(withFlush(p.b, p.root, p.root.k === "un" && p.root.op === "fround", kinds.replace(/t/g, "f"), temp), prefix);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    return expr;
  }
}

const flatCache = new Map<string, Map<string, string>>();
const stridedCache = new Map<string, string>();

/**
 * Loop over [start, end) of all-contiguous operands; `pattern[i]` is "v" (full) or "s"
 * (size-1 operand). Signature (out, ins, start, end).
 */
function flatSource(expr: ScalarExpr, pattern: string): string {
  // keyed by the expression string itself (its hash is cached), then by the short pattern
  let byPattern = flatCache.get(expr);
  if (byPattern === undefined) flatCache.set(expr, (byPattern = new Map()));
  let src = byPattern.get(pattern);
  if (src === undefined) {
    const pre: string[] = [];
    const load: string[] = [];
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] === "s") pre.push(`const a${i} = ins[${i}][0];`);
      else {
        pre.push(`const v${i} = ins[${i}];`);
        load.push(`const a${i} = v${i}[i];`);
      }
    }
    const [stmts, result] = splitExpr(expr);
    src = `function ew(out, ins, start, end) {
${pre.join("\n")}
for (let i = start; i < end; i++) { ${load.join(" ")} ${stmts} out[i] = ${result}; }
}`;
    byPattern.set(pattern, src);
  }
  return src;
}

/** The flat JS loop of `expr` (a staged one past ew-staged's length), V.* in float32 statements. */
function flatLoop(expr: ScalarExpr, pattern: string, f32Out: boolean, kinds: string): string {
  if (!isLong(expr)) return flatSource(jsExpr(expr, f32Out, kinds), pattern);
  // the variant names what else changes the translation: the mode ("math" keeps Math.*) and flushing
  return stagedSource(expr, pattern, jsStatement, `${mode}${gemmFlush() ? "|ftz" : ""}`, kinds);
}
/** How a kernel reads each of its operands (ew-flush.ts flushKinds). */
const dataKinds = (out: TypedArray, ins: readonly TypedArray[]): string => flushKinds(elemType(out), ins.map(elemType));

/**
 * Loop over rows [rowStart, rowEnd) of the last (coalesced) axis; outer indices decoded per
 * row. Signature (out, ins, strides, shape, rowStart, rowEnd).
 */
function stridedSource(expr: ScalarExpr, nIn: number, nd: number): string {
  const key = `${nIn}|${nd}|${expr}`;
  let src = stridedCache.get(key);
  if (src === undefined) {
    const lines: string[] = [`function ew(out, ins, strides, shape, rowStart, rowEnd) {`];
    for (let i = 0; i < nIn; i++) lines.push(`const v${i} = ins[${i}]; const s${i} = strides[${i * nd + nd - 1}];`);
    lines.push(`const inner = shape[${nd - 1}];`);
    lines.push(`for (let r = rowStart; r < rowEnd; r++) {`);
    lines.push(`  let rem = r; ${Array.from({ length: nIn }, (_, i) => `let o${i} = 0;`).join(" ")}`);
    for (let d = nd - 2; d >= 0; d--) {
      lines.push(`  { const c = rem % shape[${d}]; rem = (rem - c) / shape[${d}]; ${Array.from({ length: nIn }, (_, i) => `o${i} += c * strides[${i * nd + d}];`).join(" ")} }`);
    }
    lines.push(`  let p = r * inner;`);
    const [stmts, result] = splitExpr(expr);
    lines.push(`  for (let j = 0; j < inner; j++, p++) { ${Array.from({ length: nIn }, (_, i) => `const a${i} = v${i}[o${i} + j * s${i}];`).join(" ")} ${stmts} out[p] = ${result}; }`);
    lines.push(`}`, `}`);
    src = lines.join("\n");
    stridedCache.set(key, src);
  }
  return src;
}

/** Merges adjacent axes that every operand walks contiguously; drops size-1 axes. */
export function coalesce(shape: readonly number[], strides: (readonly number[])[]): [number[], number[][]] {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, i) => st[i]![last] === s[d]! * n)) {
      dims[last] = dims[last]! * n;
      strides.forEach((s, i) => (st[i]![last] = s[d]!));
    } else {
      dims.push(n);
      strides.forEach((s, i) => st[i]!.push(s[d]!));
    }
  }
  return [dims, st];
}

/**
 * How an elementwise op runs: a flat loop over elements (strides null) or a strided loop over
 * rows of the last coalesced axis. `units` counts elements or rows; `inner` is a row's length.
 */
export interface ElementwisePlan {
  /** The JS loop's source ("" when `wasm` runs it). */
  src: string;
  wasm: WasmKernel | null;
  ins: TypedArray[];
  strides: Int32Array | null;
  shape: Int32Array | null;
  units: number;
  inner: number;
}

/**
 * Tiering (issue 21: first calls stay cheap, steady speed from the third call on). Compiling a
 * Wasm kernel costs ~1–3 ms (a costly expression such as softplus ~20 ms on a cold engine, a long
 * expression's stages tens of ms); its JS loop compiles lazily and computes the same bits (ew-ir.ts,
 * ew-staged.ts). So:
 *  - a compiled program's small kernel (flatRunner: an equation of jit or of a loop body) and a
 *    planned kernel (planElementwise: arrays past the small-array path) run their JS loop on
 *    the first call (`tiering.calls`) and their Wasm kernel from then on: the program compiles
 *    on its second call and runs at its steady speed from its third (compiling on the third,
 *    as 2 calls did, made the third call the slow one: 40–2000× the median in the bench's
 *    warm-up table);
 *  - an eager op on a small array (elementwiseFlat) compiles once its calls have done TIER_WORK
 *    element-statements of JS (unweighted): a one-off or rare op never pays the compile, and one
 *    called in a loop pays it against the JS time it saves (eager W8's first call compiled
 *    softplus for 21 ms to save ~10 µs);
 *  - a call of large work (elements × statements ≥ TIER_WORK; on the planned path a costly call
 *    weighs COSTLY statements, not in small kernels, where a long chain's staged kernel or a
 *    layer's tanh would be built inside a first call) compiles at once.
 * @internal tests set `calls` to 0 to reach the Wasm kernels on the first call.
 */
export const tiering = { calls: Number(typeof process === "object" ? (process.env["TAPIR_TIER_CALLS"] ?? 1) : 1) };
const TIER_WORK = 200_000;
/** @internal calls that ran their JS loop because their Wasm kernel was not due yet */
export const tierStats = { deferred: 0 };
const jsCalls = new Map<string, number>();
const jsWork = new Map<string, number>();
/**
 * Element-statements of one call of `expr` over `n` elements, a costly Math call (vecmath's JS
 * recipe: tens of ns per element, hundreds while the engine has not optimised the loop) counting
 * as COSTLY of them: eager W1's first call ran tanh over 32k elements in a cold JS loop for 23 ms,
 * where compiling its kernel costs ~2.
 */
const workOf = (expr: string, n: number): number => stmtWork(expr, n) * (hasCostlyCall(expr) ? COSTLY : 1);
/** Element-statements of one call of `expr` over `n` elements, every statement weighing 1. */
const stmtWork = (expr: string, n: number): number => n * Math.max(1, statementCount(expr));
const COSTLY = 16;
/** A call of `expr` over `n` elements costs enough to compile its kernel at once. */
const bigWork = (expr: string, n: number): boolean => workOf(expr, n) >= TIER_WORK;
/** Whether this call of a planned kernel may use the Wasm kernel (counts the calls that may not). */
function tieredUp(expr: string, n: number): boolean {
  const c = jsCalls.get(expr) ?? 0;
  if (c >= tiering.calls || bigWork(expr, n)) return true;
  jsCalls.set(expr, c + 1);
  tierStats.deferred++;
  return false;
}
/** Whether this eager small-array call may use the Wasm kernel: its expression's JS work so far, this call's included, reached TIER_WORK. */
function tieredUpByWork(expr: string, n: number): boolean {
  if (tiering.calls === 0) return true;
  // statements only, without the costly-call weight: a small op's JS call is microseconds, and its
  // compile (tens of ms for softplus on a cold engine) should not land inside a first call
  // (eager W14's 20 layers of tanh over 512 elements crossed the weighted threshold there)
  const w = (jsWork.get(expr) ?? 0) + stmtWork(expr, n);
  if (w >= TIER_WORK) return true;
  jsWork.set(expr, w);
  tierStats.deferred++;
  return false;
}

export function planElementwise(expr: ScalarExpr, ins: StridedInput[], shape: readonly number[], size: number, out: TypedArray): ElementwisePlan {
  const [dims, st] = coalesce(
    shape,
    ins.map((x) => x.strides),
  );
  const data = ins.map((x) => x.data);
  const outType = elemType(out);
  const types = data.map(elemType);
  // its Wasm kernel where one is compiled already (any call of this layout); else, on a first
  // call, another layout's compiled kernel (borrowedKernel: `from` operands read as whole ones);
  // else its own once it is due
  const viaWasm = (pattern: string, from: "r" | "s"): WasmKernel | null => {
    if (mode !== "wasm" || !wasmSimd) return null;
    if (hasWasmKernel(expr, types, pattern, outType)) return wasmKernel(expr, types, pattern, outType);
    return borrowedKernel(expr, types, pattern, outType, from) ?? (tieredUp(expr, size) ? wasmKernel(expr, types, pattern, outType) : null);
  };
  const flat = dims.length === 0 || (dims.length === 1 && st.every((s) => s[0] === 0 || s[0] === 1));
  // a long expression runs staged (Wasm: ew-stages.ts, else JS: ew-staged.ts) over flat
  // operands: broadcast and strided ones are gathered first
  if (!flat && isLong(expr)) return planElementwise(expr, gatherAll(ins, shape, size), shape, size, out);
  if (flat) {
    // every operand is contiguous over the whole output or constant
    let pattern = "";
    for (let i = 0; i < ins.length; i++) pattern += dims.length === 0 || st[i]![0] === 0 ? "s" : "v";
    const wasm = viaWasm(pattern, "s");
    // a borrowed whole-operand kernel reads its single-element operands as whole arrays
    const ins1 = wasm !== null && wasm.pattern !== pattern ? data.map((a, i) => (pattern[i] === "s" ? expand(a, size) : a)) : data;
    return { src: wasm ? "" : flatLoop(expr, pattern, outType === "f32", dataKinds(out, data)), wasm, ins: ins1, strides: null, shape: null, units: size, inner: 1 };
  }
  const nd = dims.length;
  const shp = Int32Array.from(dims);
  const strides = new Int32Array(ins.length * nd);
  st.forEach((s, i) => s.forEach((v, d) => (strides[i * nd + d] = v)));
  const inner = shp[nd - 1]!;
  // an operand constant over the whole output is one element, a column along the rows one value per row, the rest staged by layout (runStrided)
  const pattern = stridedPattern(strides, shp, types);
  const wasm = viaWasm(pattern, "r");
  return { src: wasm ? "" : stridedSource(jsExpr(expr, outType === "f32", dataKinds(out, data)), ins.length, nd), wasm, ins: data, strides, shape: shp, units: size / inner, inner };
}

/** Calls of a layout with row ("r") or single-element ("s") operands that run a compiled kernel of another layout before compiling their own. */
export const BORROW_CALLS = 1;
const borrowCalls = new Map<string, number>();
/** @internal calls that ran a borrowed kernel (tests check the route) */
export const borrowStats = { calls: 0 };
/**
 * A layout's first call without a compile of its own (issue 21: first calls). A planned call
 * whose operands include a column broadcast along the rows ("r": eager W8's per-example product,
 * X[256,512] · g[256,1]) or one element ("s": eager W5's x · c over 16k elements) needs a kernel
 * of its own layout: ~0.5 ms to build, then a cold first run, or else a new JS loop run cold
 * (1-5 ms). The expression's kernel for whole operands ("v" in their place) is often compiled
 * already, by an ordinary op: runStrided stages such a column into whole blocks for it
 * (Staging.Expand, as with row splats off), and a single element is expanded to a whole array.
 * It computes the same function of each element's operands: the same bits. So for BORROW_CALLS
 * calls that kernel runs, then the layout's own kernel is compiled at once (as a compiled
 * program's kernels are on their second call; a JS loop or a later compile would delay the
 * steady speed).
 */
function borrowedKernel(expr: ScalarExpr, types: readonly ElemType[], pattern: string, out: ElemType, from: "r" | "s"): WasmKernel | null {
  // (planElementwise asks only in "wasm" mode, for a layout with no kernel of its own yet)
  if (!pattern.includes(from) || isLong(expr)) return null;
  const whole = pattern.split(from).join("v");
  if (!hasWasmKernel(expr, types, whole, out)) return null;
  const key = `${pattern}|${expr}`;
  const n = borrowCalls.get(key) ?? 0;
  if (n >= BORROW_CALLS) return wasmKernel(expr, types, pattern, out);
  borrowCalls.set(key, n + 1);
  borrowStats.calls++;
  return wasmKernel(expr, types, whole, out);
}

/**
 * A single-element operand as a whole array of `size` copies (a borrowed kernel's operand). Not
 * shared memory: that one call runs on the calling thread (threaded.ts `readable`).
 */
function expand(a: TypedArray, size: number): TypedArray {
  return new (a.constructor as new (n: number) => TypedArray)(size).fill(a[0]!);
}

/**
 * Every operand that is neither the output's full contiguous shape nor a single element, copied
 * into a contiguous array of the output's shape (the staged loops index operands flat).
 */
function gatherAll(ins: StridedInput[], shape: readonly number[], size: number): StridedInput[] {
  const contiguous = broadcastStrides(shape, shape);
  return ins.map((x) => {
    if (x.strides.every((s) => s === 0) || x.strides.every((s, d) => s === contiguous[d])) return x;
    const data = new (x.data.constructor as new (n: number) => TypedArray)(size);
    const idx = new Array<number>(shape.length).fill(0);
    for (let i = 0, off = 0; i < size; i++) {
      data[i] = x.data[off]!;
      for (let d = shape.length - 1; d >= 0; d--) {
        off += x.strides[d]!;
        if (++idx[d]! < shape[d]!) break;
        off -= x.strides[d]! * shape[d]!;
        idx[d] = 0;
      }
    }
    return { data, strides: contiguous };
  });
}

type FlatFn = (out: TypedArray, ins: TypedArray[], start: number, end: number) => void;
type StridedFn = (out: TypedArray, ins: TypedArray[], strides: Int32Array, shape: Int32Array, r0: number, r1: number) => void;

const exprCosts = new Map<string, number>();
/**
 * Estimated ns per element of an expression; a long one's by its statements (in its staged Wasm
 * kernel a statement costs ~2 ns per element, W15's chain, ~10 in the staged JS loops: counting
 * its Math calls, every Math.fround included, would say ~40).
 */
function exprCost(expr: string): number {
  let c = exprCosts.get(expr);
  if (c === undefined) {
    c = isLong(expr)
      ? ELEMENTWISE_NS + statementCount(expr) * (mode === "wasm" && wasmSimd ? STAGED_WASM_STMT_NS : STAGED_JS_STMT_NS)
      : ELEMENTWISE_NS + MATH_CALL_NS * (expr.match(/Math\.\w+\(/g)?.length ?? 0);
    exprCosts.set(expr, c);
  }
  return c;
}
/** Elements per chunk of a staged Wasm kernel at least (per chunk: ~30 ns per stage call). */
const STAGED_CHUNK = 64;
/** ns per statement and element of a long expression: staged Wasm, staged JS (bench/.ab: W15, a 1000-statement arithmetic chain). */
const STAGED_WASM_STMT_NS = 2;
const STAGED_JS_STMT_NS = 10;

type ElementwiseArgs = [expr: ScalarExpr, ins: StridedInput[], shape: readonly number[], out: TypedArray];
export interface ElementwiseJob {
  src: string;
  wasm: WasmKernel | null;
  ins: TypedArray[];
  strides: Int32Array | null;
  shape: Int32Array | null;
  out: TypedArray;
}

/** out[i] = expr(a0[i'], a1[i''], …) over `shape`, operands broadcast through their strides. A unit is an element or a row. */
export const elementwise = defineKernel<ElementwiseArgs, ElementwiseJob>({
  name: "elementwise",
  cost: (expr, _ins, _shape, out) => out.length * exprCost(expr),
  plan: ([expr, ins, shape, out], ctx) => {
    if (out.length === 0) return null;
    const p = planElementwise(expr, ins, shape, out.length, out);
    const unitNs = p.inner * exprCost(expr);
    // a staged kernel's chunk pays every stage's call and the scratch set-up once: ≥ STAGED_CHUNK elements each
    const per = p.wasm?.staged !== undefined ? Math.max(STAGED_CHUNK, Math.floor(ctx.chunkNs / unitNs)) : undefined;
    // (no conditional spread: `...(per !== undefined && { per })` took V8's slow path, ~1 µs a call)
    const job = { src: p.src, wasm: p.wasm, ins: p.ins, strides: p.strides, shape: p.shape, out };
    return per === undefined ? { job, units: p.units, unitNs } : { job, units: p.units, unitNs, per };
  },
  run: (j, u0, u1) => {
    if (j.wasm !== null) {
      if (j.strides === null) runFlat(j.wasm, j.ins, j.out, u0, u1);
      else runStrided(j.wasm, j.ins, j.strides, j.shape!, j.out, u0, u1);
    } else if (j.strides === null) compile<FlatFn>(j.src)(j.out, j.ins, u0, u1);
    else compile<StridedFn>(j.src)(j.out, j.ins, j.strides, j.shape!, u0, u1);
  },
});

/** Strides of an operand of shape `inShape` broadcast to `outShape` (0 on broadcast axes). */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const st = new Array<number>(outShape.length).fill(0);
  let acc = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const j = outShape.length - inShape.length + i;
    st[j] = inShape[i] === 1 ? 0 : acc;
    acc *= inShape[i]!;
  }
  return st;
}

/** Math functions whose vecmath version costs tens of ns per element in JS (a few ns in Wasm SIMD lanes). */
const COSTLY_CALL = /Math\.(?:exp|expm1|log|log1p|log2|log10|sin|cos|tan|tanh|sinh|cosh|asinh|acosh|atanh|asin|acos|atan|atan2|pow|cbrt)\(/;
const costlyExprs = new Map<string, boolean>();
/** Whether an expression calls a costly Math function (cached per expression). */
function hasCostlyCall(expr: string): boolean {
  let c = costlyExprs.get(expr);
  if (c === undefined) costlyExprs.set(expr, (c = COSTLY_CALL.test(expr)));
  return c;
}
/** @internal how many small-array calls ran a Wasm kernel (tests check the route). */
export const flatStats = { wasm: 0 };
/** Below this many elements the Wasm kernel's staging costs more than vecmath's JS saves. */
export const FLAT_WASM_MIN = 8;

/**
 * The small-array fast path: operands that are each either the output's full contiguous shape
 * ("v") or a single element ("s"), run inline with no plan (what scalar-heavy code hits).
 * Expressions with a costly Math call (tanh, exp, sin, …) run the Wasm SIMD kernel even here:
 * vecmath's JS versions cost ~30–50 ns per element against ~1–2 in f32x4 lanes, so a 512-element
 * tanh takes ~25 µs in JS and ~2 µs in Wasm (W14's layers, a scan body's activations). Both paths
 * compute the same bits (ew-ir.ts), so the choice never changes a result. A long expression
 * (ew-staged.ts) always runs its staged Wasm kernel (ew-stages.ts): the staged JS loops cost
 * ~10 ns per statement and element even in plain arithmetic, 20–35× the Wasm stages.
 */
export function elementwiseFlat(expr: ScalarExpr, pattern: string, ins: TypedArray[], out: TypedArray): void {
  const wasm = flatWasm(expr, pattern, ins, out);
  if (wasm !== null) {
    flatStats.wasm++;
    return runFlat(wasm, ins, out, 0, out.length);
  }
  smallLoop(expr, pattern, out instanceof Float32Array, dataKinds(out, ins))(out, ins, 0, out.length);
}

/**
 * The small-array path's JS loop (elementwiseFlat, flatRunner): a shared loop where the
 * translated expression is one of ew-shared.ts's simple forms (warm after a process's first few
 * ops: no translation of a new function, no compile, no interpreted first runs), else the
 * expression's own loop.
 */
function smallLoop(expr: ScalarExpr, pattern: string, f32Out: boolean, kinds: string): FlatFn {
  const s = isLong(expr) ? null : sharedOf(jsExpr(expr, f32Out, kinds), pattern);
  return s !== null ? sharedRunner(s, pattern) : compile<FlatFn>(flatLoop(expr, pattern, f32Out, kinds));
}
/** The FlatFn running shared loop `s` over operands of `pattern` (cached per both). */
function sharedRunner(s: Shared, pattern: string): FlatFn {
  let byPattern = sharedRunners.get(s);
  if (byPattern === undefined) sharedRunners.set(s, (byPattern = new Map()));
  let f = byPattern.get(pattern);
  if (f === undefined) {
    const st = Array.from(pattern, (c) => (c === "s" ? 0 : 1));
    byPattern.set(pattern, (f = (out, ins, start, end) => runShared(s, out, ins, st, start, end)));
  }
  return f;
}
const sharedRunners = new WeakMap<Shared, Map<string, FlatFn>>();

/** The small-array path's route (elementwiseFlat, flatRunner): the Wasm kernel for a long or costly expression, else null (the JS loop). */
function flatWasm(expr: ScalarExpr, pattern: string, ins: TypedArray[], out: TypedArray): WasmKernel | null {
  if (!wantsWasm(expr, out.length)) return null;
  const types = ins.map(elemType), o = elemType(out);
  // a kernel some call already compiled (any size, any path) costs nothing more to use
  if (!hasWasmKernel(expr, types, pattern, o) && !tieredUpByWork(expr, out.length)) return null;
  return wasmKernel(expr, types, pattern, o);
}
/** Whether the small-array path runs `expr` over `n` elements in Wasm once its kernel is there (a long or costly expression). */
const wantsWasm = (expr: ScalarExpr, n: number): boolean => mode === "wasm" && wasmSimd && (isLong(expr) || (n >= FLAT_WASM_MIN && hasCostlyCall(expr)));

/**
 * Whether flatRunner's first call of `expr` runs its JS loop and a later call its Wasm kernel:
 * Wasm is wanted, but the call is not large work and no kernel of this layout is compiled yet.
 */
export function flatTiersLater(expr: ScalarExpr, pattern: string, ins: readonly TypedArray[], n: number, out: "f32" | "f64"): boolean {
  return wantsWasm(expr, n) && tiering.calls > 0 && stmtWork(expr, n) < TIER_WORK && !hasWasmKernel(expr, ins.map(elemType), pattern, out);
}

/** A small-array kernel resolved once (flatRunner): out from ins, all of the layout it was resolved for. */
export type FlatRun = (ins: TypedArray[], out: TypedArray) => void;

/**
 * @internal elementwiseFlat's choice made once for a fixed expression, pattern, operand types
 * and output length (a compiled program's equation: jit, loop bodies), as a function to call
 * per step with no lookups: the same route and so the same bits as elementwiseFlat. Valid while
 * elementwiseMode() and gemmFlush() (config.flushSubnormals) are what they were: the caller
 * checks and resolves again when either changed. `due`: the Wasm kernel is due from the first
 * call (the caller already spent the JS calls another way: jit's first call of a long group).
 */
export function flatRunner(expr: ScalarExpr, pattern: string, ins: TypedArray[], out: TypedArray, due = false): FlatRun {
  const viaWasm = (w: WasmKernel): FlatRun => (xs, o) => {
    flatStats.wasm++;
    runFlat(w, xs, o, 0, o.length);
  };
  const f32Out = out instanceof Float32Array, kinds = dataKinds(out, ins);
  // the JS loop is translated when first needed (a long expression's staged translation costs ms)
  let fn: FlatFn | null = null;
  const js: FlatRun = (xs, o) => (fn ??= smallLoop(expr, pattern, f32Out, kinds))(o, xs, 0, o.length);
  if (!wantsWasm(expr, out.length)) return js;
  // the JS loop until the expression's Wasm kernel is due, then that kernel (or the JS loop for
  // good, where the compiler refuses the expression). Counted per runner (one equation of one
  // program), not per expression as eager calls are: a new program's first call compiles
  // nothing even when other programs ran its expressions, and takes a kernel already compiled.
  // Large work compiles at once, weighed without the costly-call weight: a long chain's staged
  // kernel costs tens of ms to build (W15-200's first call: 19 → 59 ms when its sines counted 16×)
  let run: FlatRun | null = null;
  let calls = due ? tiering.calls : 0;
  return (xs, o) => {
    if (run === null && (calls++ >= tiering.calls || stmtWork(expr, o.length) >= TIER_WORK || hasWasmKernel(expr, xs.map(elemType), pattern, elemType(o)))) {
      const w = wasmKernel(expr, xs.map(elemType), pattern, elemType(o));
      run = w === null ? js : viaWasm(w);
    }
    (run ?? js)(xs, o);
  };
}
