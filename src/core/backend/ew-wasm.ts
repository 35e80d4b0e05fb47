// Compiles an elementwise kernel's expression DAG (ew-ir.ts) into a WebAssembly SIMD function
// that computes 4·u elements per step (u interleaved groups of four: UNROLL, or UNROLL32 for a
// kernel of float32 values alone), with exactly the bits of the scalar JS kernel (float64
// arithmetic and Math.fround where it rounds), in float32 lanes where that is exact and float64
// halves elsewhere, with vecmath's recipes inlined for float32 statements.
//
// Module: imports `env.mem` (the calling thread's staging memory, ew-run.ts) and the Math.*
// functions its `rare` fallbacks call; exports run(n), which reads operand j from region j of
// the memory (BLOCK elements of its own type; a scalar operand is one element, splat once) and
// writes n results to the last region. Past n it computes garbage lanes up to a whole unrolled
// step of 4·u (regions have SLACK elements for it); the caller copies back exactly n.
// Work that reads only constants and scalar operands (a scalar's flush, a function of it) is
// computed once, before the loop.
// A row operand ("r": a column broadcast along rows of `inner` elements) is staged compactly, one
// value per row: run(n, c0, inner) then loops over rows (the first starting at column c0); per
// row it loads and splats the row's values once, as a scalar operand's, computes the work that
// reads only them, scalars and constants, and runs the row's steps, the last of which runs past
// its end into the next row's elements, which that row's own steps then write again (ROW_MIN:
// rows of at least one step, so that this waste stays below half).
// compileMulti generalises it for the stages of long expressions (ew-stages.ts): several
// outputs, and run(n, tab) reading each operand's and output's address from a table in memory,
// so that one module serves every stage with the same text. Every walk over the DAG is
// iterative (ew-ir.ts reachable): a stage's DAG after inlining the math recipes is deep.
import { F32, F64, Func, I32, V128, assembleWithImports, type ImportFunc } from "./wasm-asm.js";
import { Builder, children, reachable, remake, type Node } from "./ew-ir.js";
import { recipeFor } from "./vecmath.js";

/** Groups of four per loop step: a number, or "auto" (UNROLL32 where every per-element value is a float32 and no operand is a row's, else UNROLL). */
export type Unroll = number | "auto";

/** Elements staged per call. */
export const BLOCK = 8192;
/**
 * Elements per loop step in groups of 4: the body computes UNROLL independent f32x4 groups,
 * interleaved node by node, so the long dependency chains of the polynomials overlap (a
 * single group leaves the vector units waiting on latency).
 */
export const UNROLL = 4;
/**
 * The groups per step of a kernel whose every per-element value is a float32 (f32x4 lanes, m32
 * masks): more independent chains to overlap, and float32 values take one register where a
 * float64 one takes two (with more groups, float64 kernels spill: log 3.8 → 4.8 ns/element at
 * 6). Measured per element on this 2-core Xeon (TAPIR_THREADS=1, run(8192) in a loop), 4 → 6
 * groups: W6's fused kernel 4.1 → 3.7 ns, exp 1.55 → 1.35, tanh 2.0–2.2 → 1.85, tanh's backward
 * 2.5–2.8 → 2.2–2.3, x·2 and a select no slower. 8 was faster still for some (W6 3.45) and slower
 * for tanh (2.0–2.2): 6 is never slower than 4 on the kernels measured.
 */
export const UNROLL32 = 6;
/** Extra elements per region: the last step reads and writes up to 4·UNROLL32 − 1 past n. */
export const SLACK = 32;
/** Shortest row a row operand ("r") takes: one unrolled step (a row's steps compute at most twice its elements). */
export const ROW_MIN = 4 * UNROLL;
/** Bytes per region (8-byte elements at most). */
export const REGION = (BLOCK + SLACK) * 8;

/** Element types of operands: f32, f64, i32, u8 (bool). */
export type ElemType = "f32" | "f64" | "i32" | "u8";
export const SIZE: Record<ElemType, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };

/** A kernel the compiler refuses (it stays on the scalar JS path). */
export class NotCompiled extends Error {}

/** `roots` with `fn` nodes replaced by their inlined recipes (iterative, in creation order). */
function lower(b: Builder, roots: readonly Node[], mathCalls: boolean): Node[] {
  const memo = new Map<number, Node>();
  for (const n of reachable(roots)) {
    if (n.k === "ext" && !mathCalls) throw new NotCompiled(`Math.${n.name} has no vector version here`);
    const ks = children(n).map((x) => memo.get(x.id)!);
    let m: Node;
    if (n.k === "c" || n.k === "in") m = n;
    else if (n.k === "fn") {
      const r = recipeFor(n.name);
      if (r === undefined) throw new NotCompiled(`no recipe for ${n.name}`);
      m = r(b, ks[0]!, ks[1]);
    } else m = remake(b, n, ks);
    memo.set(n.id, m);
  }
  return roots.map((r) => memo.get(r.id)!);
}

const BIN64 = { add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3, min: 0xf4, max: 0xf5 } as const;
const BIN32 = { add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7, min: 0xe8, max: 0xe9 } as const;
const UN64 = { neg: 0xed, abs: 0xec, sqrt: 0xef, floor: 0x75, ceil: 0x74, trunc: 0x7a } as const;
const UN32 = { neg: 0xe1, abs: 0xe0, sqrt: 0xe3, floor: 0x68, ceil: 0x67, trunc: 0x69 } as const;
const CMP64 = { eq: 0x47, ne: 0x48, lt: 0x49, gt: 0x4a, le: 0x4b, ge: 0x4c } as const;
const CMP32 = { eq: 0x41, ne: 0x42, lt: 0x43, gt: 0x44, le: 0x45, ge: 0x46 } as const;
/** Byte lanes of a shuffle: `take(k, from)` = 8 bytes from half k of operand `from` (0 or 1). */
const half = (k: number, from: number): number[] => Array.from({ length: 8 }, (_, i) => from * 16 + k * 8 + i);
const dwords = (idx: number[]): number[] => idx.flatMap((d) => [d * 4, d * 4 + 1, d * 4 + 2, d * 4 + 3]);

/**
 * How a node's value is held for the 4 elements of one loop step: "f32" one f32x4 (the value is
 * a float32, so float32 lanes hold it exactly), "f64" two f64x2 halves (elements 0–1, 2–3);
 * conditions as 32-bit lane masks ("m32") or two 64-bit lane mask halves ("m64").
 */
type Rep = "f32" | "f64" | "m32" | "m64";

/**
 * The module bytes for `root` (inputs of types `ins`, `pattern[j]` "v" for a full operand, "s"
 * for one element or "r" for one value per row, output of type `out`), and the Math functions
 * it imports, in order.
 *
 * Each node runs in float32 lanes where that gives the float64 program's bits exactly: values
 * that are float32 (float32 operands, Math.fround results, constants that are floats) and
 * operations that keep them so exactly (neg, abs, floor, min, comparisons, selects), and
 * Math.fround(a ∘ b) of float32 a, b for ∘ in + − × ÷ √ (one float32 rounding equals float64's
 * followed by fround: 53 ≥ 2·24 + 2). Everything else runs in float64 halves.
 */
export function compileKernel(b: Builder, root0: Node, ins: readonly ElemType[], pattern: string, out: "f32" | "f64"): { bytes: Uint8Array; imports: string[] } {
  return compileMulti(b, [root0], [out], ins, pattern, "regions", "auto");
}

/**
 * Where a kernel finds its operands and outputs. "regions": operand j in region j, output k in
 * region nIn + k, and the export is run(n). "table": run(n, tab), the byte addresses of operand
 * j and output k read from the i32 table at `tab` (entries nIn + k for outputs): one module then
 * serves every place its operands are put (the staged kernels of ew-stages.ts).
 */
export type Addressing = "regions" | "table";

/** The call through a `rare` node's fallback (a Math.* function of one value). */
const rareCall = (n: Extract<Node, { k: "rare" }>): Node => (n.a.k === "un" && n.a.op === "fround" ? n.a.a : n.a);
/** A node that a fused fround computes as one float32 operation (its operands' rep permitting). */
export const fusable = (a: Node): boolean => (a.k === "bin" && a.op !== "min" && a.op !== "max") || (a.k === "un" && a.op === "sqrt");

/**
 * compileKernel with several outputs: output k is `roots[k]` stored as `outs[k]` (roots may
 * repeat with different types). Every walk over the DAG is iterative (reachable()).
 * `mathCalls`: an `ext` node (Math.* itself) is an imported call per float64 lane, the bits of
 * the JS loops, instead of a refusal (the staged kernels take it; a short kernel with such a
 * call stays on its JS loop, which calls Math.* inline).
 */
export function compileMulti(b: Builder, roots0: readonly Node[], outs: readonly ("f32" | "f64")[], ins: readonly ElemType[], pattern: string, addressing: Addressing, unroll: Unroll = UNROLL, mathCalls = false, heap = false): { bytes: Uint8Array; imports: string[] } {
  const shared: SharedImports = { names: [], arity: [] };
  const f = kernelFunc(b, roots0, outs, ins, pattern, addressing, unroll, mathCalls, shared, "run");
  const imports: ImportFunc[] = shared.names.map((name, k) => ({ module: "m", name, params: new Array<typeof F64>(shared.arity[k]!).fill(F64), results: [F64] }));
  const pages = heap ? 0 : addressing === "table" ? 1 : Math.ceil(((ins.length + outs.length) * REGION) / 65536);
  return { bytes: assembleWithImports(imports, [f], pages, heap), imports: shared.names };
}

/**
 * compileKernel's computation with table addressing over the heap (heap.ts): run(n, tab) reads
 * operands and writes the output where they lie (ew-run.ts runInPlace). The same DAG, unroll and
 * instructions per element as compileKernel's module, so the same bits; only the addresses differ.
 */
export function compileInPlace(b: Builder, root0: Node, ins: readonly ElemType[], pattern: string, out: "f32" | "f64"): { bytes: Uint8Array; imports: string[] } {
  return compileMulti(b, [root0], [out], ins, pattern, "table", "auto", false, true);
}

/**
 * The Math.* functions a module imports (module "m", float64 arguments and result), in import
 * order: kernels built into one module (a compiled loop's: loop-wasm.ts) share the list, each
 * adding the names it calls.
 */
export interface SharedImports {
  readonly names: string[];
  readonly arity: number[];
}

/**
 * compileMulti's function itself, named `name`, its Math.* calls indexed in `shared` (imports
 * come first in a module, so a call's index is its place in that list).
 */
export function kernelFunc(b: Builder, roots0: readonly Node[], outs: readonly ("f32" | "f64")[], ins: readonly ElemType[], pattern: string, addressing: Addressing, unrollAs: Unroll, mathCalls: boolean, shared: SharedImports, name: string): Func {
  const roots = lower(b, roots0, mathCalls);
  const rep = new Map<number, Rep>();
  const fused = new Set<number>(); // fround nodes computed as one float32 op of their child's operands
  const R = (n: Node): Rep => rep.get(n.id)!;
  const isF32Const = (n: Node): boolean => n.k === "c" && (Number.isNaN(n.v) || Object.is(Math.fround(n.v), n.v));
  // the nodes the representation rules look at, operands first
  const seen = reachable(roots, (n) => {
    switch (n.k) {
      case "ext":
        if (mathCalls) return n.a;
        throw new NotCompiled(`Math.${n.name}`);
      case "fn":
        throw new NotCompiled(n.name);
      case "rare": {
        const call = rareCall(n);
        if (call.k !== "ext" || call.a.length !== 1) throw new NotCompiled("rare fallback");
        return [call.a[0]!, n.c, n.b];
      }
      case "un":
        return n.op === "fround" && fusable(n.a) ? [...children(n.a), n.a] : children(n);
      default:
        return children(n);
    }
  });
  for (const n of seen) {
    let r: Rep;
    switch (n.k) {
      case "c":
        r = isF32Const(n) ? "f32" : "f64";
        break;
      case "in":
        r = ins[n.i] === "f32" || (ins[n.i] === "u8" && pattern[n.i] === "v") ? "f32" : "f64";
        break;
      case "un":
        if (n.op === "fround") {
          if (fusable(n.a) && children(n.a).every((x) => R(x) === "f32")) fused.add(n.id);
          r = "f32";
        } else r = n.op === "sqrt" ? "f64" : R(n.a);
        break;
      case "bin":
        r = (n.op === "min" || n.op === "max") && R(n.a) === "f32" && R(n.b) === "f32" ? "f32" : "f64";
        break;
      case "cmp":
        r = R(n.a) === "f32" && R(n.b) === "f32" ? "m32" : "m64";
        break;
      case "logic":
        r = R(n.a) === "m32" && R(n.b) === "m32" ? "m32" : "m64";
        break;
      case "not":
        r = R(n.a);
        break;
      case "sel":
        r = R(n.a) === "f32" && R(n.b) === "f32" ? "f32" : "f64";
        break;
      case "bits":
        r = n.op === "pow2f" || n.op === "ftz32" ? "f32" : "f64";
        break;
      case "ext":
        r = "f64";
        break;
      case "rare": {
        const call = rareCall(n) as Extract<Node, { k: "ext" }>;
        r = n.a === call ? "f64" : "f32";
        if (R(n.b) !== r || R(call.a[0]!) !== r) r = "f64";
        if (n.a !== call && r === "f64") throw new NotCompiled("rare fallback representation");
        break;
      }
      default:
        throw new NotCompiled(n.k);
    }
    rep.set(n.id, r);
  }
  // the nodes that are computed: a fused fround reads its child's operands, not the child
  const uses = (n: Node): readonly Node[] => (n.k === "un" && fused.has(n.id) ? children(n.a) : n.k === "rare" ? [(rareCall(n) as Extract<Node, { k: "ext" }>).a[0]!, n.c, n.b] : children(n));
  const needed = new Set<number>(roots.map((r) => r.id));
  for (let q = seen.length - 1; q >= 0; q--) {
    const n = seen[q]!;
    if (needed.has(n.id)) for (const x of uses(n)) needed.add(x.id);
  }
  const order = seen.filter((n) => n.k !== "c" && needed.has(n.id));
  // loop invariance: level 0 reads only constants and scalar operands (computed once, before the
  // loop), level 1 also row operands (once per row), level 2 an operand staged per element
  const level = new Map<number, number>();
  for (const n of seen) level.set(n.id, n.k === "c" ? 0 : n.k === "in" ? (pattern[n.i] === "s" ? 0 : pattern[n.i] === "r" ? 1 : 2) : Math.max(0, ...uses(n).map((x) => level.get(x.id)!)));
  // Math.* imports: a rare node's fallback, and (mathCalls) each ext node, called lane by lane
  const importNames = shared.names;
  const arity = shared.arity;
  for (const n of order) {
    const call = n.k === "rare" ? rareCall(n) : n;
    if (call.k === "ext" && !importNames.includes(call.name)) (importNames.push(call.name), arity.push(call.a.length));
  }

  const table = addressing === "table";
  const rows = pattern.includes("r");
  const allF32 = order.every((n) => level.get(n.id)! < 2 || R(n) === "f32" || R(n) === "m32");
  const unroll = unrollAs !== "auto" ? unrollAs : allF32 && !rows ? UNROLL32 : UNROLL;
  if (rows && unroll !== UNROLL) throw new NotCompiled("row operands run unrolled by UNROLL");
  // run(n), run(n, tab) or, with row operands, run(n, c0, inner) and run(n, tab, c0, inner)
  const f = new Func(name, table ? (rows ? [I32, I32, I32, I32] : [I32, I32]) : rows ? [I32, I32, I32] : [I32]);
  const n = f.param(0);
  const i = f.local(I32);
  // row operands: the row (in the compact regions) and the element where it ends in the block
  const row = rows ? f.local(I32) : -1;
  const rowEnd = rows ? f.local(I32) : -1;
  const ib = { 1: f.local(I32), 4: f.local(I32), 8: f.local(I32) } as Record<number, number>;
  const tmp = f.local(V128);
  // table addressing: each operand's and output's base address, read once
  const base: number[] = [];
  if (table) {
    const tab = f.param(1);
    for (let j = 0; j < ins.length + outs.length; j++) {
      base.push(f.local(I32));
      f.get(tab).load(I32, 4 * j).set(base[j]!);
    }
  }
  /** Pushes the address of the step's elements of slot j (operand, then outputs), `sz` bytes each; returns the memarg offset to add. */
  const at = (j: number, sz: number): number => {
    if (!table) {
      f.get(ib[sz]!);
      return j * REGION;
    }
    f.get(base[j]!).get(ib[sz]!).add();
    return 0;
  };
  // every node's locals: one for f32/m32, two halves for f64/m64; and copies in other reps that users need
  const loc = new Map<number, number[]>();
  /** The unrolled group being emitted (0 … UNROLL−1); loop-invariant nodes (scalarIds) live once, in group 0. */
  let cp = 0;
  const scalarIds = new Set<number>();
  const REP_INDEX: Record<Rep, number> = { f32: 0, f64: 1, m32: 2, m64: 3 };
  const key = (n: Node, r: Rep): number => (n.id * 4 + REP_INDEX[r]) * unroll + (scalarIds.has(n.id) ? 0 : cp);
  const alloc = (n: Node, r: Rep): number[] => {
    const key_ = key(n, r);
    let l = loc.get(key_);
    if (l === undefined) loc.set(key_, (l = r === "f32" || r === "m32" ? [f.local(V128)] : [f.local(V128), f.local(V128)]));
    return l;
  };
  const wants = new Map<number, Set<Rep>>();
  const want = (x: Node, r: Rep): void => {
    if (x.k === "c" || R(x) === r) return;
    (wants.get(x.id) ?? wants.set(x.id, new Set()).get(x.id)!).add(r);
  };
  const valRep = (r: Rep): Rep => (r === "f32" ? "f32" : "f64");
  const maskRep = (r: Rep): Rep => (r === "f32" ? "m32" : "m64");
  for (const nd of order) {
    const r = R(nd);
    if (nd.k === "un" && nd.op === "fround" && fused.has(nd.id)) children(nd.a).forEach((x) => want(x, "f32"));
    else if (nd.k === "un" && nd.op === "fround") want(nd.a, "f32");
    else if (nd.k === "sel") {
      want(nd.c, maskRep(r));
      want(nd.a, r);
      want(nd.b, r);
    } else if (nd.k === "rare") {
      want(nd.c, maskRep(r));
      want(nd.b, r);
      const call = nd.a.k === "un" ? nd.a.a : nd.a;
      if (call.k === "ext") want(call.a[0]!, r);
    } else if (nd.k === "cmp") (want(nd.a, r === "m32" ? "f32" : "f64"), want(nd.b, r === "m32" ? "f32" : "f64"));
    else if (nd.k === "logic" || nd.k === "not") children(nd).forEach((x) => want(x, r));
    else if (nd.k === "bits") want(nd.a, nd.op === "pow2f" || nd.op === "ftz32" ? "f32" : "f64");
    else children(nd).forEach((x) => want(x, valRep(r)));
  }
  // output conversions
  roots.forEach((root, k) => want(root, outs[k]!));

  // vector constants: each distinct one is set once, at the function's entry, into a local that
  // every use reads (modules ~15% smaller; TurboFan still rematerialises a constant in the loop
  // where it lacks a register, so the speed is unchanged)
  const constLocals = new Map<string, number>();
  const constInit: number[] = [];
  const pushConst = (bytes: number[]): void => {
    const key = bytes.join(",");
    let l = constLocals.get(key);
    if (l === undefined) {
      l = f.local(V128);
      constLocals.set(key, l);
      const at = f.code.length;
      f.simd(0x0c, ...bytes).set(l);
      constInit.push(...f.code.splice(at));
    }
    f.get(l);
  };
  /** Pushes node x in rep r (half h of a two-half rep). */
  const push = (x: Node, r: Rep, h: number): void => {
    if (x.k === "c") {
      if (r === "f32") pushConst(f32x4Bytes(x.v));
      else pushConst(f64x2Bytes(x.v));
      return;
    }
    const l = R(x) === r ? alloc(x, r) : loc.get(key(x, r));
    if (l === undefined) throw new Error(`ew-wasm: node ${x.id} not available as ${r}`);
    f.get(l[Math.min(h, l.length - 1)]!);
  };
  /** Computes the copy of x in rep r from its own rep. */
  const convert = (x: Node, r: Rep): void => {
    const from = alloc(x, R(x));
    const to = alloc(x, r);
    if (r === "f32") f.get(from[0]!).simd(0x5e).get(from[1]!).simd(0x5e).shuffle([...half(0, 0), ...half(0, 1)]).set(to[0]!);
    else if (r === "f64") {
      f.get(from[0]!).simd(0x5f).set(to[0]!);
      f.get(from[0]!).get(from[0]!).shuffle([...half(1, 0), ...half(1, 1)]).simd(0x5f).set(to[1]!);
    } else if (r === "m32") f.get(from[0]!).get(from[1]!).shuffle(dwords([0, 2, 4, 6])).set(to[0]!);
    else {
      f.get(from[0]!).simd(0xc7).set(to[0]!);
      f.get(from[0]!).simd(0xc8).set(to[1]!);
    }
  };

  // scalar operands: loaded and splat once, before the loop, and the nodes of level 0 computed;
  // row operands and the nodes of level 1 the same way, once per row (one copy each, group 0's)
  const hoist = (lvl: number): void => {
    for (const nd of order) {
      if (level.get(nd.id) !== lvl) continue;
      scalarIds.add(nd.id);
      cp = 0;
      if (nd.k === "in") loadOnce(nd);
      else emit(nd);
      for (const r of wants.get(nd.id) ?? []) convert(nd, r);
    }
  };
  const loadOnce = (nd: Extract<Node, { k: "in" }>): void => {
    const t = ins[nd.i];
    if (t === undefined) throw new NotCompiled(`operand a${nd.i} missing`);
    const off = table ? 0 : nd.i * REGION;
    const l = alloc(nd, R(nd));
    // a row operand's value of the current row (its table entry: the value of the run's first row)
    if (pattern[nd.i] === "r") f.get(row).i32(Math.log2(SIZE[t])).shl();
    if (table) f.get(base[nd.i]!);
    if (pattern[nd.i] === "r" && table) f.add();
    else if (!table && pattern[nd.i] !== "r") f.i32(0);
    if (t === "f32") f.load(F32, off).simd(0x13);
    else {
      if (t === "f64") f.load(F64, off);
      else if (t === "i32") f.load(I32, off).op(0xb7);
      else f.op(0x2d, 0, ...uleb(off)).op(0xb8);
      f.splat(8);
    }
    f.set(l[0]!);
    if (l.length > 1) f.get(l[0]!).set(l[1]!);
  };
  hoist(0);
  f.i32(0).set(i);
  if (rows) {
    // per row: its end (inner − c0 elements on for the first, inner for the rest; n at most), its values, its steps
    const c0 = f.param(table ? 2 : 1);
    const inner = f.param(table ? 3 : 2);
    f.i32(0).set(row).i32(0).get(c0).sub().set(rowEnd);
    f.block().loop();
    f.get(i).get(n).geU().brIf(1);
    f.get(rowEnd).get(inner).add().set(rowEnd);
    f.get(n).get(rowEnd).get(rowEnd).get(n).gtU().select().set(rowEnd);
    hoist(1);
  }
  f.block().loop();
  f.get(i).get(rows ? rowEnd : n).geU().brIf(1);
  f.get(i).set(ib[1]!);
  f.get(i).i32(2).shl().set(ib[4]!);
  f.get(i).i32(3).shl().set(ib[8]!);
  for (const nd of order) {
    if (scalarIds.has(nd.id)) continue;
    for (cp = 0; cp < unroll; cp++) {
      emit(nd);
      for (const r of wants.get(nd.id) ?? []) convert(nd, r);
    }
  }
  for (cp = 0; cp < unroll; cp++) {
    roots.forEach((root, k) => {
      const j = ins.length + k;
      if (outs[k] === "f32") {
        const off = at(j, 4);
        f.seq(() => push(root, "f32", 0)).simd(0x0b, ...uleb(2), ...uleb(off + 16 * cp));
      } else
        for (const h of [0, 1]) {
          const off = at(j, 8);
          f.seq(() => push(root, "f64", h)).simd(0x0b, ...uleb(3), ...uleb(off + 32 * cp + 16 * h));
        }
    });
  }
  f.get(i).i32(4 * unroll).add().set(i);
  f.br(0).end().end();
  // the next row starts where this one ends (its last step ran past)
  if (rows) f.get(rowEnd).set(i).inc(row, 1).br(0).end().end();

  f.code.unshift(...constInit);
  return f;

  function emit(nd: Node): void {
    const r = R(nd);
    const l = alloc(nd, r);
    const two = (op: (h: number) => void): void => {
      for (let h = 0; h < l.length; h++) {
        op(h);
        f.set(l[h]!);
      }
    };
    switch (nd.k) {
      case "c":
        return;
      case "in": {
        const t = ins[nd.i]!;
        const sz = SIZE[t];
        const off = 4 * cp * sz; // group cp: 4 elements further
        if (t === "f32") f.simd(0x00, ...uleb(2), ...uleb(at(nd.i, 4) + off)).set(l[0]!);
        else if (t === "u8") f.simd(0x5c, 0, ...uleb(at(nd.i, 1) + off)).simd(0x89).simd(0xa9).simd(0xfb).set(l[0]!);
        else if (t === "f64") for (const h of [0, 1]) f.simd(0x00, ...uleb(3), ...uleb(at(nd.i, 8) + off + 16 * h)).set(l[h]!);
        else {
          f.simd(0x00, ...uleb(2), ...uleb(at(nd.i, sz) + off)).set(tmp);
          f.get(tmp).simd(0xfe).set(l[0]!);
          f.get(tmp).get(tmp).shuffle([...half(1, 0), ...half(1, 1)]).simd(0xfe).set(l[1]!);
        }
        return;
      }
      case "un":
        if (nd.op === "fround") {
          if (fused.has(nd.id)) {
            const a = nd.a;
            if (a.k === "bin") f.seq(() => push(a.a, "f32", 0)).seq(() => push(a.b, "f32", 0)).simd(BIN32[a.op]);
            else if (a.k === "un") f.seq(() => push(a.a, "f32", 0)).simd(UN32.sqrt);
            f.set(l[0]!);
          } else {
            push(nd.a, "f32", 0);
            f.set(l[0]!);
          }
          return;
        }
        {
          const op = nd.op;
          if (r === "f32") f.seq(() => push(nd.a, "f32", 0)).simd(UN32[op]).set(l[0]!);
          else two((h) => f.seq(() => push(nd.a, "f64", h)).simd(UN64[op]));
        }
        return;
      case "bin":
        if (r === "f32") f.seq(() => push(nd.a, "f32", 0)).seq(() => push(nd.b, "f32", 0)).simd(BIN32[nd.op]).set(l[0]!);
        else two((h) => f.seq(() => push(nd.a, "f64", h)).seq(() => push(nd.b, "f64", h)).simd(BIN64[nd.op]));
        return;
      case "cmp":
        if (r === "m32") f.seq(() => push(nd.a, "f32", 0)).seq(() => push(nd.b, "f32", 0)).simd(CMP32[nd.op]).set(l[0]!);
        else two((h) => f.seq(() => push(nd.a, "f64", h)).seq(() => push(nd.b, "f64", h)).simd(CMP64[nd.op]));
        return;
      case "logic":
        two((h) => f.seq(() => push(nd.a, r, h)).seq(() => push(nd.b, r, h)).simd(nd.op === "and" ? 0x4e : 0x50));
        return;
      case "not":
        two((h) => f.seq(() => push(nd.a, r, h)).simd(0x4d));
        return;
      case "sel": {
        const m = maskRep(r);
        two((h) => f.seq(() => push(nd.a, r, h)).seq(() => push(nd.b, r, h)).seq(() => push(nd.c, m, h)).simd(0x52));
        return;
      }
      case "bits":
        if (nd.op === "pow2f") {
          // 2^k for float32: (k + 127) << 23 as the float's bits. k + (2^23 + 127) is exact for an
          // integer k in the domain ([-126, 127]) and its bits are 0x4B000000 + k + 127, which the
          // shift by 23 turns into (k + 127) << 23 (the exponent bits shift out): an add and a shift
          // where i32x4.trunc_sat_f32x4_s is a seven-instruction sequence on x64
          f.seq(() => push(nd.a, "f32", 0)).simd(0x0c, ...f32x4Bytes(8388608 + 127)).simd(0xe4).i32(23).simd(0xab).set(l[0]!);
          return;
        }
        if (nd.op === "ftz32") {
          // x andnot (m >>> 1), m = all ones where the exponent bits are zero: a subnormal (or
          // zero) lane keeps only its sign, ±0. Four instructions on x86 (and, cmpeq, shift,
          // andn) and one non-zero constant; the bitselect it replaces took six (bitselect alone
          // is three on SSE): W8's broadcast multiply, three flushes per element, 1.29× faster
          f.seq(() => push(nd.a, "f32", 0));
          f.seq(() => push(nd.a, "f32", 0)).simd(0x0c, ...i32x4Bytes(0x7f800000)).simd(0x4e).simd(0x0c, ...i32x4Bytes(0)).simd(0x37);
          f.i32(1).simd(0xad).simd(0x4f).set(l[0]!);
          return;
        }
        if (nd.op === "ftz64") {
          two((h) => {
            f.seq(() => push(nd.a, "f64", h));
            f.seq(() => push(nd.a, "f64", h)).i64x2(0x7ff00000, 0).simd(0x4e).i64x2(0, 0).simd(0xd6);
            f.i32(1).simd(0xcd).simd(0x4f);
          });
          return;
        }
        two((h) => {
          push(nd.a, "f64", h);
          if (nd.op === "exponent") {
            // biased exponent of each lane → i32 lanes 0, 1 → float64, minus the bias
            f.i32(52).simd(0xcd).i64x2(0, 0x7ff).simd(0x4e);
            f.get(tmp).shuffle(dwords([0, 2, 4, 6])).simd(0xfe).f64x2(1023).simd(BIN64.sub);
          } else if (nd.op === "mantissa") {
            f.i64x2(0x000fffff, 0xffffffff).simd(0x4e).i64x2(0x3ff00000, 0).simd(0x50);
          } else {
            // 2^k: (k + 1023) << 52 as the float64's bits
            f.simd(0xfc).simd(0xc7).i64x2(0, 1023).simd(0xce).i32(52).simd(0xcb);
          }
        });
        return;
      case "rare": {
        const call = (nd.a.k === "un" ? nd.a.a : nd.a) as Extract<Node, { k: "ext" }>;
        const idx = importNames.indexOf(call.name);
        const m = maskRep(r);
        // the main value; where any lane needs the fallback, every lane calls Math.* and the mask picks
        for (let h = 0; h < l.length; h++) {
          f.seq(() => push(nd.b, r, h)).set(l[h]!);
          f.seq(() => push(nd.c, m, h)).simd(0x53).if_();
          f.get(l[h]!);
          if (r === "f32") {
            for (let lane = 0; lane < 4; lane++) f.seq(() => push(call.a[0]!, "f32", 0)).simd(0x1f, lane).op(0xbb).call(idx).op(0xb6).simd(0x20, lane);
          } else {
            for (let lane = 0; lane < 2; lane++) f.seq(() => push(call.a[0]!, "f64", h)).simd(0x21, lane).call(idx).simd(0x22, lane);
          }
          f.get(l[h]!).seq(() => push(nd.c, m, h)).simd(0x52).set(l[h]!);
          f.end();
        }
        return;
      }
      case "ext": {
        // Math.<name> itself on each float64 lane (what the JS loops call: the same bits)
        const idx = importNames.indexOf(nd.name);
        for (let h = 0; h < 2; h++)
          for (let lane = 0; lane < 2; lane++) {
            f.get(l[h]!);
            for (const x of nd.a) f.seq(() => push(x, "f64", h)).simd(0x21, lane);
            f.call(idx).simd(0x22, lane).set(l[h]!);
          }
        return;
      }
      case "fn":
        throw new NotCompiled(nd.k);
    }
  }
}

const f32v = new Float32Array(1);
const f32b = new Uint8Array(f32v.buffer);
/** v128.const bytes with four float32 lanes = v. */
function f32x4Bytes(v: number): number[] {
  f32v[0] = v;
  return [...f32b, ...f32b, ...f32b, ...f32b];
}
const f64v = new Float64Array(1);
const f64b = new Uint8Array(f64v.buffer);
function f64x2Bytes(v: number): number[] {
  f64v[0] = v;
  return [...f64b, ...f64b];
}
function i32x4Bytes(v: number): number[] {
  const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  return [...b, ...b, ...b, ...b];
}

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
}
