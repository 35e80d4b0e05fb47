// Shared loops for the simplest elementwise ops on small arrays: one arithmetic, comparison,
// select, negation or Math call on operands that are whole arrays or scalars.
//
// Why: the small-array path's JS loop is a new function per translated expression and pattern
// (`new Function`). Its first call pays the translation, the compile, and runs in V8's
// interpreter, where a 256-element op costs 50–500 µs. An eager first call meets such a new
// function in most of its ops: eager W8's first call spent ~3 of its ~6.5 ms there, across 11
// new loops for 28 ops of 256 elements. The loops here are a few functions shared by every
// expression they serve, so V8 has optimised them after the first few eager ops a process runs.
//
// Bits: a shared loop is chosen by matching the translated JS text (jsExpr: the text the JS loop
// would run) against a few exact templates, and computes what that text computes: the same
// operations on the same JS numbers in the same order, the flush functions (V.ftz32, V.ftz64)
// and Math/V functions called as the text calls them. Any other text gets no shared loop.
import type { TypedArray } from "../dtype.js";
import { V } from "./vecmath.js";
import { isWordChar } from "./ew-staged.js";

type Fn = (x: number) => number;
const id: Fn = (x) => x;

export const enum Kind {
  Bin,
  Cmp,
  Neg,
  Select,
  Call,
}
export const enum Op {
  Add,
  Sub,
  Mul,
  Div,
  Ge,
  Gt,
  Le,
  Lt,
  Eq,
  Ne,
}

/** A translated expression a shared loop computes. */
export interface Shared {
  readonly kind: Kind;
  readonly op: Op;
  /** applied to the result (Bin, Call) */
  readonly fo: Fn;
  /** applied to each operand read (Bin, Cmp, Select's condition, Call) */
  readonly fi: Fn;
  /** the Math or V function of a Call */
  readonly fn: Fn;
}

const OPS: Record<string, Op> = { "+": Op.Add, "-": Op.Sub, "*": Op.Mul, "/": Op.Div, ">=": Op.Ge, ">": Op.Gt, "<=": Op.Le, "<": Op.Lt, "===": Op.Eq, "!==": Op.Ne };
const ARITH = ["+", "-", "*", "/"];
const COMPARE = [">=", ">", "<=", "<", "===", "!=="];
const FLUSHES = ["V.ftz32", "V.ftz64"];

const flushFn = (name: string): Fn => (name === "V.ftz32" ? V.ftz32! : V.ftz64!) as Fn;
/** Math.name or V.name, when it is a function of one number. */
function callee(ns: string, name: string): Fn | null {
  const o = (ns === "V" ? V : Math) as unknown as Record<string, unknown>;
  const f = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
  return typeof f === "function" && f.length === 1 ? (f as Fn) : null;
}
/** Whether `n` is a JS identifier of word characters only (what emitJs names temporaries). */
function isWord(n: string): boolean {
  for (let i = 0; i < n.length; i++) if (!isWordChar(n.charCodeAt(i))) return false;
  return n.length > 0;
}
/** `ns.name` (ns: V or Math) as its function of one number, or null. */
function calleeOf(head: string): Fn | null {
  const dot = head.indexOf(".");
  const ns = head.slice(0, dot);
  return dot > 0 && (ns === "V" || ns === "Math") ? callee(ns, head.slice(dot + 1)) : null;
}

/**
 * The shared loop for a translated text, by comparing it with the exact texts emitJs writes for
 * each form (plain or with both operands flushed by the same function):
 *   (a0 op a1)                           G((F(a0) op F(a1)))                      op: + - * /
 *   ((a0 op a1) ? (1) : (0))             ((F(a0) op F(a1)) ? (1) : (0))            op: >= > <= < === !==
 *   (((a0 !== (0)) && (a0 === a0)) ? a1 : a2)
 *   const n = F(a0);\n(((n !== (0)) && (n === n)) ? a1 : a2)
 *   (-a0)    ns.f(a0)    G(ns.f(F(a0)))                                           ns: V or Math
 * String comparisons only: no regular expression to compile inside a process's first ops
 * (a first match through one cost 0.1-0.3 ms).
 */
function match(js: string, nIn: number): Shared | null {
  const S = (kind: Kind, op: Op, fo: Fn, fi: Fn, fn: Fn = id): Shared => ({ kind, op, fo, fi, fn });
  if (nIn === 2) {
    for (const o of ARITH) {
      if (js === `(a0 ${o} a1)`) return S(Kind.Bin, OPS[o]!, id, id);
      for (const G of FLUSHES) for (const F of FLUSHES) if (js === `${G}((${F}(a0) ${o} ${F}(a1)))`) return S(Kind.Bin, OPS[o]!, flushFn(G), flushFn(F));
    }
    for (const o of COMPARE) {
      if (js === `((a0 ${o} a1) ? (1) : (0))`) return S(Kind.Cmp, OPS[o]!, id, id);
      for (const F of FLUSHES) if (js === `((${F}(a0) ${o} ${F}(a1)) ? (1) : (0))`) return S(Kind.Cmp, OPS[o]!, id, flushFn(F));
    }
  } else if (nIn === 3) {
    if (js === "(((a0 !== (0)) && (a0 === a0)) ? a1 : a2)") return S(Kind.Select, Op.Add, id, id);
    // const <name> = F(a0);\n(((<name> !== (0)) && (<name> === <name>)) ? a1 : a2)
    const eq = js.indexOf(" = ");
    if (js.startsWith("const ") && eq > 6) {
      const n = js.slice(6, eq);
      if (isWord(n)) for (const F of FLUSHES) if (js === `const ${n} = ${F}(a0);\n(((${n} !== (0)) && (${n} === ${n})) ? a1 : a2)`) return S(Kind.Select, Op.Add, id, flushFn(F));
    }
  } else if (nIn === 1) {
    if (js === "(-a0)") return S(Kind.Neg, Op.Add, id, id);
    const open = js.indexOf("(");
    if (open < 0) return null;
    const head = js.slice(0, open);
    if (js === `${head}(a0)`) {
      const fn = calleeOf(head);
      return fn ? S(Kind.Call, Op.Add, id, id, fn) : null;
    }
    // G(ns.f(F(a0))): G and F flushes, possibly different
    for (const G of FLUSHES) {
      if (head !== G || !js.endsWith("(a0)))")) continue;
      const inner = js.slice(open + 1, js.length - 1);
      const k = inner.indexOf("(");
      if (k < 0) continue;
      for (const F of FLUSHES) {
        if (inner !== `${inner.slice(0, k)}(${F}(a0))`) continue;
        const fn = calleeOf(inner.slice(0, k));
        return fn ? S(Kind.Call, Op.Add, flushFn(G), flushFn(F), fn) : null;
      }
    }
  }
  return null;
}

/** Per operand count (1–3), keyed by the translated text itself (a cached string: its hash is too). */
const caches = [new Map<string, Shared | null>(), new Map<string, Shared | null>(), new Map<string, Shared | null>()];
/** The shared loop computing the translated expression `js` over operands of `pattern` ("v": whole, "s": size 1), or null. */
export function sharedOf(js: string, pattern: string): Shared | null {
  if (!sharedLoops.on) return null;
  const cache = caches[pattern.length - 1];
  if (cache === undefined || !/^[vs]+$/.test(pattern)) return null;
  let s = cache.get(js);
  if (s === undefined) cache.set(js, (s = match(js, pattern.length)));
  return s;
}

/** @internal tests switch the shared loops off to compare them with the expressions' own loops */
export const sharedLoops = { on: true };

/** @internal calls that ran a shared loop */
export const sharedStats = { runs: 0 };

/**
 * out[i] for i in [start, end) as the JS loop of the matched text computes it; operand j is read at
 * i·st[j] (0: a size-1 operand, 1: a whole one).
 */
export function runShared(s: Shared, out: TypedArray, ins: readonly TypedArray[], st: readonly number[], start: number, end: number): void {
  sharedStats.runs++;
  const x = ins[0]!, sx = st[0]!;
  switch (s.kind) {
    case Kind.Bin:
      return bin(s.op, s.fo, s.fi, out, x, sx, ins[1]!, st[1]!, start, end);
    case Kind.Cmp:
      return cmp(s.op, s.fi, out, x, sx, ins[1]!, st[1]!, start, end);
    case Kind.Select:
      return select(s.fi, out, x, sx, ins[1]!, st[1]!, ins[2]!, st[2]!, start, end);
    case Kind.Neg:
      for (let i = start; i < end; i++) out[i] = -x[i * sx]!;
      return;
    case Kind.Call: {
      const { fo, fi, fn } = s;
      for (let i = start; i < end; i++) out[i] = fo(fn(fi(x[i * sx]!)));
      return;
    }
  }
}

function bin(op: Op, fo: Fn, fi: Fn, out: TypedArray, x: TypedArray, sx: number, y: TypedArray, sy: number, start: number, end: number): void {
  switch (op) {
    case Op.Add:
      for (let i = start; i < end; i++) out[i] = fo(fi(x[i * sx]!) + fi(y[i * sy]!));
      return;
    case Op.Sub:
      for (let i = start; i < end; i++) out[i] = fo(fi(x[i * sx]!) - fi(y[i * sy]!));
      return;
    case Op.Mul:
      for (let i = start; i < end; i++) out[i] = fo(fi(x[i * sx]!) * fi(y[i * sy]!));
      return;
    default:
      for (let i = start; i < end; i++) out[i] = fo(fi(x[i * sx]!) / fi(y[i * sy]!));
  }
}

function cmp(op: Op, fi: Fn, out: TypedArray, x: TypedArray, sx: number, y: TypedArray, sy: number, start: number, end: number): void {
  switch (op) {
    case Op.Ge:
      for (let i = start; i < end; i++) out[i] = fi(x[i * sx]!) >= fi(y[i * sy]!) ? 1 : 0;
      return;
    case Op.Gt:
      for (let i = start; i < end; i++) out[i] = fi(x[i * sx]!) > fi(y[i * sy]!) ? 1 : 0;
      return;
    case Op.Le:
      for (let i = start; i < end; i++) out[i] = fi(x[i * sx]!) <= fi(y[i * sy]!) ? 1 : 0;
      return;
    case Op.Lt:
      for (let i = start; i < end; i++) out[i] = fi(x[i * sx]!) < fi(y[i * sy]!) ? 1 : 0;
      return;
    case Op.Eq:
      for (let i = start; i < end; i++) out[i] = fi(x[i * sx]!) === fi(y[i * sy]!) ? 1 : 0;
      return;
    default:
      for (let i = start; i < end; i++) out[i] = fi(x[i * sx]!) !== fi(y[i * sy]!) ? 1 : 0;
  }
}

function select(fi: Fn, out: TypedArray, c: TypedArray, sc: number, y: TypedArray, sy: number, z: TypedArray, sz: number, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const k = fi(c[i * sc]!);
    out[i] = k !== 0 && k === k ? y[i * sy]! : z[i * sz]!;
  }
}
