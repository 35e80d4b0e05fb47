// A scan whose step program (step-program.ts) is made only of ops that have a Wasm kernel runs as
// one compiled loop: every slot of the program gets a fixed place in one WebAssembly memory, every
// op's kernel is built into one module, and a driver function of that module runs all the steps
// — row i of each xs copied into its slot, the ops called in order, each y copied to row i of
// its stacked output, the new carries copied onto the old — so a loop of T steps is one call from
// JS: no per-step dispatch, tensors, arena traffic or copies in and out of the kernel memory, and
// no JS code that must warm up before the loop runs at its steady speed.
//
// The ops it takes (anything else leaves the loop to the step program):
//  - small elementwise equations (flat-op.ts): the expression compiled by ew-wasm.ts's
//    kernelFunc exactly as wasmKernel compiles it (same parse, same flush nodes, same unroll),
//    reading its operands through a table of addresses (its "table" addressing);
//  - reshapes, which are the same bytes under another shape: the output slot is the input's;
//  - a vector times a loop-constant matrix (the step program's resident matvec): outer-acc.ts's
//    matvec on the matrix staged once per run;
//  - rank-1 accumulations into a carry (dW += a ⊗ b): outer-acc.ts's kernels on the carry's own
//    slot, the flushing one on the first step and the lean one after it, as the step program
//    does (the lean kernel flushes b in place, so b is first copied to a scratch row);
//  - additive accumulations into a carry (db += δ): the add primitive's kernel in place.
// Each kernel is the one the step program would call on the same operands, in the same order:
// the loop gives the step program's bits (test/transforms/loops.test.ts compares them, with the
// rewrites off, flushing on and off, forward and reverse).
import type { Lit } from "../../core/ir.js";
import { Tensor, emptyTensor } from "../../core/tensor.js";
import { sizeOf } from "../../core/shape.js";
import { gemmFlush } from "../../core/backend/gemm.js";
import { elementwiseMode } from "../../core/backend/elementwise.js";
import { kernelDag, wasmSimd } from "../../core/backend/ew-run.js";
import { NotCompiled, SLACK, UNROLL, kernelFunc, type SharedImports } from "../../core/backend/ew-wasm.js";
import { Unsupported } from "../../core/backend/ew-parse.js";
import { isLong } from "../../core/backend/ew-staged.js";
import { accFuncs } from "../../core/backend/outer-acc.js";
import { F64, Func, I32, assembleWithImports, type ImportFunc } from "../../core/backend/wasm-asm.js";
import { addP } from "../../core/primitives/binary.js";
import { stageResident, type AccOp, type DotOp, type Slot, type StepPlan } from "./step-program.js";

/** The part of the WebAssembly JS API used here (the project's libs do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer; grow(pages: number): number };
};

const up16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** What one step does, in order (addresses are byte addresses in the loop's memory). */
type Step =
  | { kind: "ew"; fn: number; n: number; table: number }
  | { kind: "matvec"; fn: number; y: number; x: number; k: number; b: number; n: number }
  | { kind: "outer"; plain: number; ftz: number; lean: number; acc: number; a: number; m: number; b: number; n: number; scratch: number };

/** A resident matrix: staged from const input `src` (≥ 0) or folded constant −1 − src, transposed when the dot reads Bᵀ. */
interface Staged {
  src: number;
  at: number;
  k: number;
  n: number;
  trans: boolean;
}

/** A scan body compiled into one Wasm loop (see the header); made by wasmLoop. */
export class WasmLoop {
  private mem: { readonly buffer: ArrayBuffer; grow(pages: number): number } | null = null;
  private loop: ((T: number, rev: number) => void) | null = null;

  private constructor(
    private readonly bytes: Uint8Array,
    private readonly imports: readonly string[],
    private readonly f32: boolean,
    /** bytes of the fixed part of the memory (slots, tables, matrices); xs and ys follow it */
    private readonly fixed: number,
    /** where the driver reads the xs and ys base addresses (i32 each: xs first) */
    private readonly basesAt: number,
    private readonly constAt: readonly { at: number; src: number; size: number }[],
    private readonly litAt: readonly { at: number; value: number }[],
    private readonly staged: readonly Staged[],
    private readonly tables: readonly { at: number; entries: number[] }[],
    private readonly carryAt: readonly number[],
    private readonly xsRow: readonly number[],
    private readonly ysRow: readonly { shape: readonly number[]; size: number }[],
  ) {}

  /** The compiled loop of `plan` (a scan body with nConsts consts and nCarry carries), or null when some op has no Wasm kernel here. */
  static build(plan: StepPlan, nConsts: number, nCarry: number, flush: boolean): WasmLoop | null {
    const avals = plan.slotAvals;
    if (avals.length === 0) return null;
    const dtype = avals[0]!.dtype;
    if ((dtype !== "float32" && dtype !== "float64") || avals.some((a) => a.dtype !== dtype)) return null;
    const f32 = dtype === "float32";
    const es = f32 ? 4 : 8;
    const et = f32 ? "f32" : "f64";
    // slots that are another slot's bytes: reshapes, and a rank-1 accumulation's result (its carry)
    const root = avals.map((_, s) => s);
    const find = (s: number): number => (root[s] === s ? s : find(root[s]!));
    for (const op of plan.ops) {
      if (op.kind === "eqn" && op.flat === null) {
        if (op.prim.name !== "reshape" || typeof op.ins[0] !== "number") return null;
        root[op.outs[0]!] = find(op.ins[0]);
      } else if (op.kind === "outer" || op.kind === "add") root[op.out] = find(op.acc);
      else if (op.kind === "dot" && (op.res === null || op.lay.batch !== 1 || op.lay.m !== 1 || typeof op.ins[0] !== "number")) return null;
    }
    if (plan.outAtoms.some((a) => typeof a !== "number")) return null;
    // the fixed part of the memory: the bases table, then each root slot with SLACK elements of room (the elementwise kernels write whole unrolled steps)
    let top = 0;
    const alloc = (bytes: number): number => {
      const at = top;
      top += up16(bytes);
      return at;
    };
    const nXs = plan.inSlots.length - nConsts - nCarry;
    const nYs = plan.outAtoms.length - nCarry;
    const basesAt = alloc(4 * (nXs + nYs));
    const slotAt = avals.map((a, s) => (root[s] === s ? alloc((sizeOf(a.shape) + SLACK) * es) : -1));
    const at = (s: number): number => slotAt[find(s)]!;
    const lits = new Map<Lit, number>();
    const litAt: { at: number; value: number }[] = [];
    const operand = (x: Slot): number => {
      if (typeof x === "number") return at(x);
      let a = lits.get(x);
      if (a === undefined) {
        lits.set(x, (a = alloc((1 + SLACK) * es)));
        litAt.push({ at: a, value: x.value });
      }
      return a;
    };
    // kernels: the elementwise functions first (their Math imports are collected as they are built)
    const shared: SharedImports = { names: [], arity: [] };
    const ewFuncs: Func[] = [];
    const tables: { at: number; entries: number[] }[] = [];
    const staged: Staged[] = [];
    type Pending = { op: { kind: "ew"; n: number }; fn: number; table: number } | { op: DotOp; b: number } | { op: AccOp; scratch: number };
    const pending: Pending[] = [];
    /** The elementwise kernel of `expr` as wasmKernel compiles it (its kernelDag, the same unroll), reading its operands through a table; null where it refuses. */
    const kernelOf = (expr: string, pattern: string, nIn: number): Func | null => {
      if (isLong(expr)) return null;
      try {
        const d = kernelDag(expr, f32, flush, (f32 ? "f" : "d").repeat(nIn)); // every operand has the program's float type
        if (d.nIn > nIn) return null;
        return kernelFunc(d.b, [d.root], [et], new Array<typeof et>(nIn).fill(et), pattern, "table", UNROLL, false, shared, `ew${ewFuncs.length}`);
      } catch (e) {
        if (e instanceof Unsupported || e instanceof NotCompiled) return null;
        throw e;
      }
    };
    for (const op of plan.ops) {
      if (op.kind === "eqn") {
        const flat = op.flat;
        if (flat === null) continue; // a reshape
        if (flat.dtype !== dtype) return null;
        if (op.ins.some((x) => typeof x !== "number" && x.aval.dtype !== dtype)) return null;
        const fn = kernelOf(flat.expr, flat.pattern, op.ins.length);
        if (fn === null) return null;
        const table = alloc(4 * (op.ins.length + 1));
        tables.push({ at: table, entries: [...op.ins.map(operand), at(op.outs[0]!)] });
        pending.push({ op: { kind: "ew", n: sizeOf(flat.shape) }, fn: ewFuncs.length, table });
        ewFuncs.push(fn);
      } else if (op.kind === "dot") {
        const { lay, res } = op;
        const b = alloc(lay.k * lay.n * es);
        staged.push({ src: res!.src, at: b, k: lay.k, n: lay.n, trans: lay.transB });
        pending.push({ op, b });
      } else if (op.kind === "add") {
        // acc += w in place: the add primitive's own kernel with acc as operand and output (a
        // kernel step loads every operand before it stores), which flushes as addInto does
        const fn = kernelOf(addP.expr!([dtype] as never, {} as never, [] as never) as string, "vv", 2);
        if (fn === null) return null;
        const table = alloc(4 * 3);
        tables.push({ at: table, entries: [at(op.acc), at(op.ins[0] as number), at(op.acc)] });
        pending.push({ op: { kind: "ew", n: sizeOf(avals[op.acc]!.shape) }, fn: ewFuncs.length, table });
        ewFuncs.push(fn);
      } else pending.push({ op: op as AccOp, scratch: alloc((op.n + SLACK) * es) });
    }
    // the module: imports, the elementwise functions, the rank-1 updates and matvecs, the driver
    const nImp = shared.names.length;
    const acc = accFuncs(f32, plan.fma, "");
    const accList = [acc.plain, acc.ftz, acc.lean, acc.matvec, ...(acc.matvecFma ? [acc.matvecFma] : [])];
    const idx = (f: Func): number => nImp + ewFuncs.length + accList.indexOf(f);
    const steps: Step[] = pending.map((p): Step => {
      if (p.op.kind === "ew") {
        const q = p as { op: { kind: "ew"; n: number }; fn: number; table: number };
        return { kind: "ew", fn: nImp + q.fn, n: q.op.n, table: q.table };
      }
      if (p.op.kind === "dot") {
        const { op, b } = p as { op: DotOp; b: number };
        return { kind: "matvec", fn: idx(op.res!.fma ? acc.matvecFma! : acc.matvec), y: at(op.out), x: at(op.ins[0] as number), k: op.lay.k, b, n: op.lay.n };
      }
      const { op, scratch } = p as { op: AccOp; scratch: number };
      return { kind: "outer", plain: idx(acc.plain), ftz: idx(acc.ftz), lean: idx(acc.lean), acc: at(op.acc), a: at(op.ins[0] as number), m: op.m, b: at(op.ins[1] as number), n: op.n, scratch };
    });
    // carries: out → in after the step (through a temporary row when several carries could overlap)
    const carryAt = Array.from({ length: nCarry }, (_, k) => at(plan.inSlots[nConsts + k]!));
    const carryMoves = Array.from({ length: nCarry }, (_, k) => ({ from: at(plan.outAtoms[k] as number), to: carryAt[k]!, bytes: sizeOf(avals[plan.inSlots[nConsts + k]!]!.shape) * es, tmp: -1 }))
      .filter((m) => m.from !== m.to);
    if (carryMoves.length > 1) for (const m of carryMoves) m.tmp = alloc(m.bytes);
    const xsAt = Array.from({ length: nXs }, (_, k) => at(plan.inSlots[nConsts + nCarry + k]!));
    const xsRow = Array.from({ length: nXs }, (_, k) => sizeOf(avals[plan.inSlots[nConsts + nCarry + k]!]!.shape));
    const ysSlot = plan.outAtoms.slice(nCarry) as number[];
    const ysRow = ysSlot.map((s) => ({ shape: avals[s]!.shape, size: sizeOf(avals[s]!.shape) }));
    const constAt: { at: number; src: number; size: number }[] = [];
    for (let k = 0; k < nConsts; k++) constAt.push({ at: at(plan.inSlots[k]!), src: k, size: sizeOf(avals[plan.inSlots[k]!]!.shape) });
    plan.constSlots.forEach((s, i) => constAt.push({ at: at(s), src: -1 - i, size: sizeOf(avals[s]!.shape) }));

    const d = new Func("loop", [I32, I32]);
    const [T, rev] = [0, 1];
    const s = d.local(I32), i = d.local(I32);
    const base = Array.from({ length: nXs + nYs }, (_, k) => {
      const l = d.local(I32);
      d.i32(basesAt + 4 * k).load(I32).set(l);
      return l;
    });
    d.i32(0).set(s);
    d.block().loop();
    d.get(s).get(T).geU().brIf(1);
    // i = rev ? T − 1 − s : s
    d.get(T).i32(1).sub().get(s).sub().get(s).get(rev).select().set(i);
    for (let k = 0; k < nXs; k++) d.i32(xsAt[k]!).get(base[k]!).get(i).i32(xsRow[k]! * es).mul().add().i32(xsRow[k]! * es).memoryCopy();
    for (const st of steps) {
      if (st.kind === "ew") d.i32(st.n).i32(st.table).call(st.fn);
      else if (st.kind === "matvec") d.i32(st.y).i32(st.x).i32(st.k).i32(st.b).i32(st.n).call(st.fn);
      else if (!flush) d.i32(st.acc).i32(st.a).i32(st.m).i32(st.b).i32(st.n).call(st.plain);
      else {
        // the first step flushes the accumulator as it reads it; later steps find it flushed (lean)
        d.get(s).eqz().if_();
        d.i32(st.acc).i32(st.a).i32(st.m).i32(st.b).i32(st.n).call(st.ftz);
        d.else_();
        d.i32(st.scratch).i32(st.b).i32(st.n * es).memoryCopy();
        d.i32(st.acc).i32(st.a).i32(st.m).i32(st.scratch).i32(st.n).call(st.lean);
        d.end();
      }
    }
    ysSlot.forEach((y, k) => d.get(base[nXs + k]!).get(i).i32(ysRow[k]!.size * es).mul().add().i32(at(y)).i32(ysRow[k]!.size * es).memoryCopy());
    if (carryMoves.length === 1) d.i32(carryMoves[0]!.to).i32(carryMoves[0]!.from).i32(carryMoves[0]!.bytes).memoryCopy();
    else {
      for (const m of carryMoves) d.i32(m.tmp).i32(m.from).i32(m.bytes).memoryCopy();
      for (const m of carryMoves) d.i32(m.to).i32(m.tmp).i32(m.bytes).memoryCopy();
    }
    d.inc(s, 1).br(0);
    d.end().end();

    const imports: ImportFunc[] = shared.names.map((name, k) => ({ module: "m", name, params: new Array<typeof F64>(shared.arity[k]!).fill(F64), results: [F64] }));
    const bytes = assembleWithImports(imports, [...ewFuncs, ...accList, d], 1);
    return new WasmLoop(bytes, shared.names, f32, top, basesAt, constAt, litAt, staged, tables, carryAt, xsRow, ysRow);
  }

  /** The scan's outputs [carry, stacked ys] for operands consts, init, xs (length ≥ 1 steps). */
  run(consts: readonly Tensor[], constVals: readonly Tensor[], init: readonly Tensor[], xs: readonly Tensor[], length: number, reverse: boolean): Tensor[] {
    const es = this.f32 ? 4 : 8;
    const xsAt: number[] = [];
    const ysAt: number[] = [];
    let top = this.fixed;
    for (const r of this.xsRow) (xsAt.push(top), (top += up16(length * r * es)));
    for (const r of this.ysRow) (ysAt.push(top), (top += up16(length * r.size * es)));
    const pages = Math.ceil(top / 65536);
    if (this.mem === null) {
      this.mem = new WebAssembly.Memory({ initial: Math.max(pages, 1) });
      const m = Math as unknown as Record<string, (x: number) => number>;
      const imp: Record<string, (x: number) => number> = {};
      for (const name of this.imports) imp[name] = m[name]!;
      const inst = new WebAssembly.Instance(new WebAssembly.Module(this.bytes), { env: { mem: this.mem }, m: imp });
      this.loop = inst.exports["loop"] as (T: number, rev: number) => void;
    }
    const have = this.mem.buffer.byteLength / 65536;
    if (have < pages) this.mem.grow(pages - have);
    const buf = this.mem.buffer;
    const Ctor = this.f32 ? Float32Array : Float64Array;
    const view = (at: number, n: number) => new Ctor(buf, at, n);
    const i32 = new Int32Array(buf);
    const dataOf = (src: number): ArrayLike<number> => (src >= 0 ? consts[src]! : constVals[-1 - src]!)._data;
    for (const c of this.constAt) view(c.at, c.size).set(dataOf(c.src));
    for (const l of this.litAt) view(l.at, 1)[0] = l.value;
    for (const t of this.tables) i32.set(t.entries, t.at / 4);
    for (const m of this.staged) stageResident(view(m.at, m.k * m.n), dataOf(m.src), m.k, m.n, m.trans);
    init.forEach((t, k) => view(this.carryAt[k]!, t.size).set(t._data));
    xs.forEach((t, k) => view(xsAt[k]!, length * this.xsRow[k]!).set(t._data));
    i32.set([...xsAt, ...ysAt], this.basesAt / 4);
    this.loop!(length, reverse ? 1 : 0);
    loopStats.runs++;
    const out: Tensor[] = init.map((t, k) => {
      const c = emptyTensor(t.shape, t.dtype);
      c._data.set(view(this.carryAt[k]!, t.size));
      return c;
    });
    this.ysRow.forEach((r, k) => {
      const y = emptyTensor([length, ...r.shape], this.f32 ? "float32" : "float64");
      y._data.set(view(ysAt[k]!, length * r.size));
      out.push(y);
    });
    return out;
  }
}

/** @internal How often scans ran as compiled loops, and how many bodies were compiled or refused (tests check the loop ran). */
export const loopStats = { runs: 0, built: 0, refused: 0 };

let on = true;
/** @internal Turns compiled loops off (the step program runs every scan) or on; returns the previous setting. Tests compare both. */
export function setWasmLoops(v: boolean): boolean {
  const old = on;
  on = v;
  return old;
}

const built = new WeakMap<StepPlan, [WasmLoop | null | undefined, WasmLoop | null | undefined]>();
/** The compiled loop of a step program's plan under the current flush setting, or null (compiled loops off, no Wasm SIMD, another elementwise mode, or an op without a kernel here). */
export function wasmLoop(plan: StepPlan, nConsts: number, nCarry: number): WasmLoop | null {
  if (!on || !wasmSimd || elementwiseMode() !== "wasm") return null;
  const flush = gemmFlush();
  let byFlush = built.get(plan);
  if (byFlush === undefined) built.set(plan, (byFlush = [undefined, undefined]));
  const k = flush ? 1 : 0;
  if (byFlush[k] === undefined) {
    byFlush[k] = WasmLoop.build(plan, nConsts, nCarry, flush);
    if (byFlush[k] === null) loopStats.refused++;
    else loopStats.built++;
  }
  return byFlush[k]!;
}
