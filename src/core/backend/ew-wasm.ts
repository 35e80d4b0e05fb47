// Compiles an elementwise kernel's expression DAG (ew-ir.ts) into a WebAssembly SIMD function
// that computes two elements per f64x2 vector, in float64 exactly as the scalar JS kernel does
// (so both give the same bits), with vecmath's recipes inlined for float32 statements.
//
// Module: imports `env.mem` (the calling thread's staging memory, ew-run.ts) and the Math.*
// functions its `rare` fallbacks call; exports run(n), which reads operand j from region j of
// the memory (BLOCK elements of its own type; a scalar operand is one element, splat once) and
// writes n results to the last region. Past n it computes garbage lanes up to a whole unrolled
// step (regions have SLACK elements for it); the caller copies back exactly n.
import { F32, F64, Func, I32, V128, assembleWithImports, type ImportFunc } from "./wasm-asm.js";
import { Builder, children, type Node } from "./ew-ir.js";
import { RECIPES } from "./vecmath.js";

/** Elements staged per call. */
export const BLOCK = 2048;
/** Extra elements per region: the last unrolled step reads and writes up to 2·UNROLL − 1 past n. */
export const SLACK = 16;
/** Bytes per region (8-byte elements at most). */
export const REGION = (BLOCK + SLACK) * 8;
/** f64x2 vectors per loop step. */
const UNROLL = 2;

/** Element types of operands: f32, f64, i32, u8 (bool). */
export type ElemType = "f32" | "f64" | "i32" | "u8";
export const SIZE: Record<ElemType, number> = { f32: 4, f64: 8, i32: 4, u8: 1 };

/** A kernel the compiler refuses (it stays on the scalar JS path). */
export class NotCompiled extends Error {}

/** Replaces `fn` nodes by their inlined recipes. */
function lower(b: Builder, root: Node): Node {
  const memo = new Map<number, Node>();
  const go = (n: Node): Node => {
    let m = memo.get(n.id);
    if (m !== undefined) return m;
    switch (n.k) {
      case "c":
      case "in":
        m = n;
        break;
      case "bin":
        m = b.bin(n.op, go(n.a), go(n.b));
        break;
      case "un":
        m = b.un(n.op, go(n.a));
        break;
      case "cmp":
        m = b.cmp(n.op, go(n.a), go(n.b));
        break;
      case "logic":
        m = b.logic(n.op, go(n.a), go(n.b));
        break;
      case "not":
        m = b.not(go(n.a));
        break;
      case "sel":
        m = b.sel(go(n.c), go(n.a), go(n.b));
        break;
      case "rare":
        m = b.rare(go(n.c), go(n.a), go(n.b));
        break;
      case "bits":
        m = b.bits(n.op, go(n.a));
        break;
      case "ext":
        throw new NotCompiled(`Math.${n.name} has no vector version here`);
      case "fn": {
        const r = RECIPES[n.name];
        if (r === undefined) throw new NotCompiled(`no recipe for ${n.name}`);
        m = r(b, go(n.a[0]!), n.a[1] && go(n.a[1]));
        break;
      }
    }
    memo.set(n.id, m);
    return m;
  };
  return go(root);
}

const BIN = { add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3, min: 0xf4, max: 0xf5 } as const;
const UN = { neg: 0xed, abs: 0xec, sqrt: 0xef, floor: 0x75, ceil: 0x74, trunc: 0x7a } as const;
const CMP = { eq: 0x47, ne: 0x48, lt: 0x49, gt: 0x4a, le: 0x4b, ge: 0x4c } as const;

/**
 * The module bytes for `root` (inputs of types `ins`, `pattern[j]` "v" for a full operand or
 * "s" for one element, output of type `out`), and the Math functions it imports, in order.
 */
export function compileKernel(b: Builder, root0: Node, ins: readonly ElemType[], pattern: string, out: "f32" | "f64"): { bytes: Uint8Array; imports: string[] } {
  const root = lower(b, root0);
  // evaluation order: post-order DFS; a rare node's fallback (an ext call) is not evaluated eagerly
  const order: Node[] = [];
  const seen = new Set<number>();
  const visit = (n: Node): void => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    if (n.k === "rare") {
      if (n.a.k !== "ext") throw new NotCompiled("rare fallback");
      for (const x of n.a.a) visit(x);
      visit(n.c);
      visit(n.b);
    } else if (n.k === "ext") throw new NotCompiled(`Math.${n.name}`);
    else for (const c of children(n)) visit(c);
    order.push(n);
  };
  visit(root);
  const importNames: string[] = [];
  for (const n of order) if (n.k === "rare" && n.a.k === "ext" && !importNames.includes(n.a.name)) importNames.push(n.a.name);
  const imports: ImportFunc[] = importNames.map((name) => ({ module: "m", name, params: [F64], results: [F64] }));

  const f = new Func("run", [I32]);
  const n = f.param(0);
  const i = f.local(I32);
  const ib = { 1: f.local(I32), 4: f.local(I32), 8: f.local(I32) } as Record<number, number>;
  const scalar = ins.map((t, j) => (pattern[j] === "s" ? f.local(V128) : -1));
  // scalar operands: load once, convert, splat
  ins.forEach((t, j) => {
    if (pattern[j] !== "s") return;
    f.i32(0);
    const off = j * REGION;
    if (t === "f32") f.load(F32, off).op(0xbb);
    else if (t === "f64") f.load(F64, off);
    else if (t === "i32") f.load(I32, off).op(0xb7);
    else f.op(0x2d, 0, ...uleb(off)).op(0xb8);
    f.splat(8).set(scalar[j]!);
  });
  const outOff = ins.length * REGION;
  const locals: number[][] = Array.from({ length: UNROLL }, () => order.map(() => f.local(V128)));
  const slot = new Map<number, number>();
  order.forEach((nd, k) => slot.set(nd.id, k));
  const tmp = f.local(V128);

  f.i32(0).set(i);
  f.block().loop();
  f.get(i).get(n).geU().brIf(1);
  f.get(i).set(ib[1]!);
  f.get(i).i32(2).shl().set(ib[4]!);
  f.get(i).i32(3).shl().set(ib[8]!);
  for (let u = 0; u < UNROLL; u++) {
    const L = locals[u]!;
    const at = (nd: Node): number => L[slot.get(nd.id)!]!;
    for (const nd of order) {
      emitNode(f, nd, at, u, ins, scalar, imports, tmp);
      f.set(at(nd));
    }
    // store two results
    const off = outOff + 2 * u * (out === "f32" ? 4 : 8);
    if (out === "f32") {
      f.get(ib[4]!).get(at(root)).simd(0x5e).simd(0x5b, ...uleb(2), ...uleb(off), 0);
    } else {
      f.get(ib[8]!).get(at(root)).simd(0x0b, ...uleb(3), ...uleb(off));
    }
  }
  f.get(i).i32(2 * UNROLL).add().set(i);
  f.br(0).end().end();

  const pages = Math.ceil(((ins.length + 1) * REGION) / 65536);
  return { bytes: assembleWithImports(imports, [f], pages), imports: importNames };

  function emitNode(f: Func, nd: Node, at: (x: Node) => number, u: number, ins: readonly ElemType[], scalar: number[], imports: ImportFunc[], tmp: number): void {
    switch (nd.k) {
      case "c":
        f.f64x2(nd.v);
        return;
      case "in": {
        const j = nd.i;
        const t = ins[j];
        if (t === undefined) throw new NotCompiled(`operand a${j} missing`);
        if (pattern[j] === "s") {
          f.get(scalar[j]!);
          return;
        }
        const sz = SIZE[t];
        const off = j * REGION + 2 * u * sz;
        f.get(ib[sz]!);
        if (t === "f32") f.simd(0x5d, ...uleb(2), ...uleb(off)).simd(0x5f);
        else if (t === "f64") f.simd(0x00, ...uleb(3), ...uleb(off));
        else if (t === "i32") f.simd(0x5d, ...uleb(2), ...uleb(off)).simd(0xfe);
        else f.op(0x2f, 0, ...uleb(off)).simd(0x11).simd(0x89).simd(0xa9).simd(0xff);
        return;
      }
      case "bin":
        f.get(at(nd.a)).get(at(nd.b)).simd(BIN[nd.op]);
        return;
      case "un":
        f.get(at(nd.a));
        if (nd.op === "fround") f.simd(0x5e).simd(0x5f);
        else f.simd(UN[nd.op]);
        return;
      case "cmp":
        f.get(at(nd.a)).get(at(nd.b)).simd(CMP[nd.op]);
        return;
      case "logic":
        f.get(at(nd.a)).get(at(nd.b)).simd(nd.op === "and" ? 0x4e : 0x50);
        return;
      case "not":
        f.get(at(nd.a)).simd(0x4d);
        return;
      case "sel":
        f.get(at(nd.a)).get(at(nd.b)).get(at(nd.c)).simd(0x52);
        return;
      case "bits":
        f.get(at(nd.a));
        if (nd.op === "exponent") {
          // biased exponent of each lane → i32 lanes 0, 1 → float64, minus the bias
          f.i32(52).simd(0xcd).i64x2(0, 0x7ff).simd(0x4e);
          f.get(tmp).shuffle([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]).simd(0xfe).f64x2(1023).simd(BIN.sub);
        } else if (nd.op === "mantissa") {
          f.i64x2(0x000fffff, 0xffffffff).simd(0x4e).i64x2(0x3ff00000, 0).simd(0x50);
        } else {
          // 2^k: (k + 1023) << 52 as the float64's bits
          f.simd(0xfc).simd(0xc7).i64x2(0, 1023).simd(0xce).i32(52).simd(0xcb);
        }
        return;
      case "rare": {
        if (nd.a.k !== "ext") throw new NotCompiled("rare fallback");
        const x = at(nd.a.a[0]!);
        const idx = imports.findIndex((m) => m.name === (nd.a as { name: string }).name);
        // tmp = main value; where any lane needs the fallback, both lanes call Math.* and a mask picks
        f.get(at(nd.b)).set(tmp);
        f.get(at(nd.c)).simd(0x53).if_();
        f.get(tmp);
        for (const lane of [0, 1]) f.get(x).simd(0x21, lane).call(idx).simd(0x22, lane);
        f.get(tmp).get(at(nd.c)).simd(0x52).set(tmp);
        // (the replace_lane chain above started from tmp: fallback lanes in a vector, then select)
        f.end();
        f.get(tmp);
        return;
      }
      case "ext":
      case "fn":
        throw new NotCompiled(nd.k);
    }
  }
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
