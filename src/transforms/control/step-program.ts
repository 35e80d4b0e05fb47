// A loop body (scan, whileLoop) compiled once into a step program that the loop runs per
// iteration: the optimised body's equations as a flat op list over numbered slots whose
// argument arrays are built once and refilled in place (no per-step closures, maps or slot
// tables), intermediates freed at their last use (their buffers go back to the arena and the
// next step takes the same ones: after the first step a loop creates no new buffers).
//
// Accumulating carries are updated in place. A carry c whose only use is `c' = add(c, w)`, with
// c' returned as that same carry, is the shape of every gradient accumulation in a transposed
// scan (dW += outer(x_t, δ_t) per step). The program adds w into c's buffer instead of making a
// new tensor, and when w is an outer product (a dot_general contracting one size-1 axis, used
// only there) it never materialises w: c[i,j] += a[i]·b[j]. Bits are those of the unfused ops:
// the product is rounded to the dtype, then the sum (a Float32Array store of a sum of two
// float32 values computed in float64 rounds exactly as a float32 add: 53 ≥ 2·24 + 2 bits).
// The loop owns such a carry's buffer (it copies the caller's init once: scan.ts, while.ts);
// under flush-to-zero (config.flushSubnormals, the default) both updates flush as the
// elementwise kernels do (ew-flush.ts); with Wasm SIMD that buffer lives in a kernel memory made
// for the run of the loop (outer-acc.ts: a rank-1 kernel with and one without flushing)
// (backend/outer-acc.ts), where the rank-1 update runs on it with no copy of the accumulator.
//
// Small dots go straight to the kernel with their layout worked out once. A vector times a
// loop-constant matrix (h_t·W) stages the matrix into the kernel memory once per run (transposed
// when the dot reads it as Wᵀ), so a step copies only the vector in and the result out; the Wasm
// matvec keeps gemm's summation order and rounding (a rounded product and sum per step where gemm
// does that, fused multiply-adds where gemm's FMA path would run): the same bits as np.matmul.
//
// A scan body made only of such ops (small elementwise equations, reshapes, resident matvecs and
// rank-1 accumulations) goes one step further: loop-wasm.ts compiles the plan (StepProgram.plan)
// into one Wasm module that runs every step of the loop in one call.
import { Lit, Var, type ClosedJaxpr, type Eqn } from "../../core/ir.js";
import type { Primitive } from "../../core/primitive.js";
import { shapeEq, sizeOf } from "../../core/shape.js";
import { Storage, Tensor, emptyTensor, shareStorage } from "../../core/tensor.js";
import { outerAccMemory, type OuterAccMemory } from "../../core/backend/outer-acc.js";
import { dotLayout, type DotLayout } from "../../core/primitives/dot.js";
import { isSmallMatmul, smallMatmul } from "../../core/backend/small-matmul.js";
import { DEFAULT_GEMM_CONFIG, JS_MAX_WORK, gemmFlush, relaxedSimdAvailable, type FloatArray } from "../../core/backend/gemm.js";
import { V } from "../../core/backend/vecmath.js";
import { unowned, type Aval } from "../../core/trace.js";
import { compiled } from "../jit.js";
import { flatOpOf, runFlatOp, type FlatOp } from "../flat-op.js";

/** A slot number, or a literal operand. */
export type Slot = number | Lit;

/** One equation: slots in, slots out, slots freed after it. */
export interface Op {
  kind: "eqn";
  prim: Primitive;
  params: unknown;
  ins: Slot[];
  args: Tensor[];
  outs: number[];
  free: number[];
  /** a small elementwise equation with its kernel resolved once (flat-op.ts), else null: the impl */
  flat: FlatOp | null;
}
/** A small float dot_general with its layout worked out once: straight to smallMatmul. */
export interface DotOp {
  kind: "dot";
  ins: Slot[];
  out: number;
  free: number[];
  dtype: "float32" | "float64";
  lay: DotLayout;
  /** a vector times a loop-constant matrix: the matrix staged once per run in the kernel memory */
  res: Resident | null;
}
/** Where a resident matvec's operands live in the kernel memory (byte addresses) and which input the matrix is. */
export interface Resident {
  /** index of the matrix among the body's const inputs (≥ 0) or its folded constants (-1 - i) */
  src: number;
  bAt: number;
  xAt: number;
  yAt: number;
  xView: Float32Array | Float64Array | null;
  yView: Float32Array | Float64Array | null;
  /** fused multiply-add, as gemm's own matvec at this size (its Wasm path with FMA on) */
  fma: boolean;
}
/** carry slot `acc` += w (`kind` "add") or += outer(a, b) (`kind` "outer"); the result slot `out` then holds the carry tensor itself. */
export interface AccOp {
  kind: "add" | "outer";
  acc: number;
  ins: Slot[];
  out: number;
  free: number[];
  f32: boolean;
  /** outer: a's and b's lengths, and byte addresses of acc, a and b in the loop's kernel memory */
  m: number;
  n: number;
  accAt: number;
  aAt: number;
  bAt: number;
  /** views of a's and b's places in the kernel memory (made by begin) */
  aView: Float32Array | Float64Array | null;
  bView: Float32Array | Float64Array | null;
  /** every element of the accumulator was stored by a flushed update of this run (begin clears it) */
  flushed: boolean;
}

/**
 * A step program's ops and slots (StepProgram.plan): inputs [consts, carry, xs] in `inSlots`,
 * outputs [carry, ys] in `outAtoms`, the optimised body's folded constants in `constSlots`.
 */
export interface StepPlan {
  readonly ops: readonly (Op | AccOp | DotOp)[];
  readonly slotAvals: readonly Aval[];
  readonly constSlots: readonly number[];
  readonly constVals: readonly Tensor[];
  readonly inSlots: readonly number[];
  readonly outAtoms: readonly Slot[];
  readonly fma: boolean;
}

/**
 * A resident matvec's matrix staged at `dst` as the kernel reads it, [k, n] row-major: copied,
 * or transposed when the dot reads it as Bᵀ (stored [n, k]), so the kernel walks rows.
 */
export function stageResident(dst: Float32Array | Float64Array, w: ArrayLike<number>, k: number, n: number, trans: boolean): void {
  if (!trans) dst.set(w);
  else for (let q = 0; q < n; q++) for (let p = 0; p < k; p++) dst[p * n + q] = w[q * k + p]!;
}

/** What the rewrite found: carry k updated in place by eqn `add` (and, for an outer product, the dot eqn it absorbs). */
interface InPlace {
  carry: number;
  add: Eqn;
  dot: Eqn | null;
  other: Var;
}

/** Whether gemm's Wasm paths use fused multiply-adds (gemm.ts): the resident matvec does not. */
const GEMM_FMA = DEFAULT_GEMM_CONFIG.fma && relaxedSimdAvailable();
const up16 = (bytes: number) => Math.ceil(bytes / 16) * 16;
const isFloat = (d: string) => d === "float32" || d === "float64";

/** A dot_general that is an outer product: no batch axes, every contracting axis of size 1. */
function isOuter(e: Eqn): boolean {
  if (e.prim.name !== "dot_general") return false;
  const p = e.params as { contract: [number[], number[]]; batch: [number[], number[]] };
  const [l, r] = e.inputs as Var[];
  return p.batch[0].length === 0 && p.contract[0].every((a) => l!.aval.shape[a] === 1) && isFloat(l!.aval.dtype) && r instanceof Var && l instanceof Var;
}

/** Finds the carries of `cj` (inputs [consts, carry, xs], outputs [carry, ys]) that can be updated in place. */
function findInPlace(cj: ClosedJaxpr, nConsts: number, nCarry: number): InPlace[] {
  const j = cj.jaxpr;
  const uses = new Map<Var, number>();
  const producer = new Map<Var, Eqn>();
  for (const e of j.eqns) {
    for (const a of e.inputs) if (a instanceof Var) uses.set(a, (uses.get(a) ?? 0) + 1);
    for (const v of e.outs) producer.set(v, e);
  }
  for (const a of j.outs) if (a instanceof Var) uses.set(a, (uses.get(a) ?? 0) + 1);
  const found: InPlace[] = [];
  for (let k = 0; k < nCarry; k++) {
    const c = j.invars[nConsts + k]!;
    const o = j.outs[k];
    if (!(o instanceof Var) || uses.get(c) !== 1 || uses.get(o) !== 1 || !isFloat(c.aval.dtype)) continue;
    const add = producer.get(o);
    if (!add || add.prim.name !== "add" || add.inputs.length !== 2) continue;
    const [x, y] = add.inputs;
    const other = x === c ? y : y === c ? x : null;
    if (!(other instanceof Var) || other === c || !shapeEq(other.aval.shape, c.aval.shape) || other.aval.dtype !== c.aval.dtype) continue;
    const p = producer.get(other);
    const dot = p && uses.get(other) === 1 && isOuter(p) ? p : null;
    found.push({ carry: k, add, dot, other });
  }
  return found;
}

/** The body of a loop as a step program (see the file header). */
export class StepProgram {
  /** inPlace[k]: carry k is updated in its own buffer (the loop must own that buffer). */
  readonly inPlace: boolean[];
  private readonly ops: (Op | AccOp | DotOp)[] = [];
  private readonly env: (Tensor | undefined)[];
  private readonly constSlots: number[];
  private readonly constVals: Tensor[];
  private readonly inSlots: number[];
  private readonly outAtoms: Slot[];
  private readonly produced = new Set<number>();
  private readonly outBuf: Tensor[];
  /** ownOut[i]: output i is handed back as the tensor itself (else a new handle on its storage) */
  private readonly ownOut: boolean[];
  /** Bytes of kernel memory the outer-product accumulations need (0: none). */
  private memBytes = 0;
  /** accAtOf[k]: where carry k lives in the kernel memory (-1: not there). */
  private readonly accAtOf: number[];
  /** The kernel memory of the current run of the loop (begin), or null. */
  private mem: OuterAccMemory | null = null;
  /** The kernel memory every run of this program uses (made by the first begin; null without Wasm SIMD). */
  private memKept: OuterAccMemory | null | undefined = undefined;
  /** some matvec fuses (the kernel memory then carries the fused matvecs) */
  private fma = false;
  /** each slot's aval */
  private readonly slotAvals: Aval[] = [];
  /** The program as data, for the compiled loop (loop-wasm.ts), which lays the slots out in one memory. */
  readonly plan: StepPlan;

  constructor(body: ClosedJaxpr, nConsts: number, nCarry: number, rewrite = true) {
    const cj = compiled(body).optimized;
    const j = cj.jaxpr;
    const found = rewrite ? findInPlace(cj, nConsts, nCarry) : [];
    this.inPlace = Array.from({ length: nCarry }, (_, k) => found.some((f) => f.carry === k));
    this.accAtOf = new Array<number>(nCarry).fill(-1);
    const absorbed = new Set<Eqn>(found.flatMap((f) => (f.dot ? [f.dot] : [])));
    const accOf = new Map<Eqn, InPlace>(found.map((f) => [f.add, f]));
    let n = 0;
    const slots = new Map<Var, number>();
    const slotOf = (v: Var) => {
      let s = slots.get(v);
      if (s === undefined) {
        slots.set(v, (s = n++));
        this.slotAvals.push(v.aval);
      }
      return s;
    };
    const atom = (a: Var | Lit): Slot => (a instanceof Lit ? a : slotOf(a));
    this.constSlots = j.constvars.map(slotOf);
    this.constVals = cj.consts;
    this.inSlots = j.invars.map(slotOf);
    // the op list with each op's input vars (for the last-use analysis)
    const list: { op: Op | AccOp | DotOp; reads: Var[]; writes: Var[] }[] = [];
    for (const e of j.eqns) {
      if (absorbed.has(e)) continue;
      const f = accOf.get(e);
      if (f) {
        const c = j.invars[nConsts + f.carry]!;
        const srcs = f.dot ? (f.dot.inputs as Var[]) : [f.other];
        const f32 = c.aval.dtype === "float32";
        const op: AccOp = { kind: f.dot ? "outer" : "add", acc: slotOf(c), ins: srcs.map(slotOf), out: slotOf(e.outs[0]!), free: [], f32, m: 0, n: 0, accAt: -1, aAt: 0, bAt: 0, aView: null, bView: null, flushed: false };
        if (f.dot) {
          // the kernel memory: each outer-accumulated carry, then its two vectors (16-byte aligned)
          const es = f32 ? 4 : 8;
          const up = up16;
          [op.m, op.n] = [sizeOf(srcs[0]!.aval.shape), sizeOf(srcs[1]!.aval.shape)];
          op.accAt = this.memBytes;
          op.aAt = op.accAt + up(op.m * op.n * es);
          op.bAt = op.aAt + up(op.m * es);
          this.memBytes = op.bAt + up(op.n * es);
          this.accAtOf[f.carry] = op.accAt;
        }
        list.push({ op, reads: srcs, writes: e.outs });
        continue;
      }
      const lay = e.prim.name === "dot_general" && e.inputs.every((a) => a instanceof Var) && isFloat(e.outs[0]!.aval.dtype) ? dotLayout(e.inputs[0]!.aval, e.inputs[1]!.aval, e.params) : null;
      const dtype = e.outs[0]?.aval.dtype as "float32" | "float64";
      if (rewrite && lay && isSmallMatmul(dtype, lay.batch, lay.m, lay.k, lay.n) && lay.batch * lay.m * lay.n > 0) {
        // a vector times a loop constant: the matrix goes to the kernel memory once per run
        const rhs = e.inputs[1] as Var;
        const ci = j.constvars.indexOf(rhs), ii = j.invars.indexOf(rhs);
        const src = ci >= 0 ? -1 - ci : ii >= 0 && ii < nConsts ? ii : null;
        let res: Resident | null = null;
        // the kernel rounds as gemm's matvec at this size does: each product and sum on its JS path
        // (or without FMA), fused multiply-adds on its Wasm path with FMA: the same bits
        const fma = GEMM_FMA && lay.k * lay.n > JS_MAX_WORK[dtype];
        if (src !== null && lay.batch === 1 && lay.m === 1 && lay.k > 0) {
          const es = dtype === "float32" ? 4 : 8;
          const bAt = this.memBytes, xAt = bAt + up16(lay.k * lay.n * es), yAt = xAt + up16(lay.k * es);
          this.memBytes = yAt + up16(lay.n * es);
          res = { src, bAt, xAt, yAt, xView: null, yView: null, fma };
          if (fma) this.fma = true;
        }
        list.push({ op: { kind: "dot", ins: e.inputs.map(atom), out: slotOf(e.outs[0]!), free: [], dtype, lay, res }, reads: e.inputs as Var[], writes: e.outs });
        continue;
      }
      const op: Op = { kind: "eqn", prim: e.prim, params: e.params, ins: e.inputs.map(atom), args: new Array<Tensor>(e.inputs.length), outs: e.outs.map(slotOf), free: [], flat: rewrite ? flatOpOf(e) : null };
      list.push({ op, reads: e.inputs.filter((a): a is Var => a instanceof Var), writes: e.outs });
    }
    const pinned = new Set<Var>([...j.constvars, ...j.invars, ...j.outs.filter((a): a is Var => a instanceof Var)]);
    const last = new Map<Var, number>();
    list.forEach((l, i) => l.reads.forEach((v) => last.set(v, i)));
    list.forEach((l, i) => {
      const dead = new Set<Var>(l.reads.filter((v) => last.get(v) === i && !pinned.has(v)));
      // outputs nobody reads are freed right away too
      for (const v of l.writes) if (!last.has(v) && !pinned.has(v)) dead.add(v);
      l.op.free = [...dead].map(slotOf);
      if (l.op.kind === "eqn") for (const s of l.op.outs) this.produced.add(s);
      if (l.op.kind === "dot") this.produced.add(l.op.out);
    });
    this.ops = list.map((l) => l.op);
    this.outAtoms = j.outs.map(atom);
    // an output is handed back as is when an op made it (its first occurrence among the outputs)
    // or it is an in-place carry; every other gets its own handle (decided once, not per step)
    const seen = new Set<number>();
    this.ownOut = this.outAtoms.map((a, i) => {
      if (typeof a !== "number") return false;
      const own = this.produced.has(a) && !seen.has(a);
      if (own) seen.add(a);
      return own || (i < this.inPlace.length && this.inPlace[i]!);
    });
    this.env = new Array<Tensor | undefined>(n);
    this.outBuf = new Array<Tensor>(j.outs.length);
    this.plan = { ops: this.ops, slotAvals: this.slotAvals, constSlots: this.constSlots, constVals: this.constVals, inSlots: this.inSlots, outAtoms: this.outAtoms, fma: this.fma };
  }

  /**
   * The loop's own carries from the caller's init: a carry updated in place is copied (into the
   * kernel memory when an outer product accumulates into it; that memory is the loop's for its
   * run). Carries in kernel memory are borrowed views: the loop copies them out at the end
   * (`refs === Infinity` marks them, as it marks xs row views).
   */
  begin(init: readonly Tensor[], consts: readonly Tensor[]): Tensor[] {
    // one kernel memory per program, kept across runs: a run's carries are copied out of it when
    // its loop ends (scan.ts, while.ts), so the next run may take it over (a fresh instance per
    // run cost more than a short loop: its memory reservation and its garbage)
    if (this.memBytes > 0 && this.memKept === undefined) this.memKept = outerAccMemory(this.memBytes, this.fma);
    const mem = (this.mem = this.memBytes > 0 ? this.memKept! : null);
    if (mem !== null) {
      for (const op of this.ops) {
        if (op.kind === "dot" && op.res !== null) {
          const { res, lay } = op;
          const Ctor = op.dtype === "float32" ? Float32Array : Float64Array;
          res.xView = new Ctor(mem.buffer, res.xAt, lay.k);
          res.yView = new Ctor(mem.buffer, res.yAt, lay.n);
          const w = (res.src >= 0 ? consts[res.src]! : this.constVals[-1 - res.src]!)._data;
          stageResident(new Ctor(mem.buffer, res.bAt, lay.k * lay.n), w, lay.k, lay.n, lay.transB);
        }
        if (op.kind !== "outer") continue;
        const Ctor = op.f32 ? Float32Array : Float64Array;
        op.flushed = false;
        op.aView = new Ctor(mem.buffer, op.aAt, op.m);
        op.bView = new Ctor(mem.buffer, op.bAt, op.n);
      }
    }
    return init.map((t, k) => {
      if (!this.inPlace[k]) return t;
      const at = this.accAtOf[k]!;
      if (this.mem === null || at < 0) return ownedCopy(t);
      const Ctor = t.dtype === "float32" ? Float32Array : Float64Array;
      const s = new Storage(new Ctor(this.mem.buffer, at, t.size));
      s.refs = Infinity;
      s.data.set(t._data);
      return new Tensor(t.shape, t.dtype, s);
    });
  }

  /**
   * One step: inputs [consts, carry, xs] → outputs [carry, ys] (the returned array is reused by
   * the next call). An in-place carry comes back as the very tensor passed in; every other
   * output is a tensor the caller owns (outputs that are inputs or repeats get their own handle).
   */
  run(inputs: readonly Tensor[]): Tensor[] {
    const env = this.env;
    for (let i = 0; i < this.constSlots.length; i++) env[this.constSlots[i]!] = this.constVals[i];
    for (let i = 0; i < this.inSlots.length; i++) env[this.inSlots[i]!] = inputs[i];
    for (const op of this.ops) {
      if (op.kind === "eqn") {
        const { ins, args } = op;
        for (let i = 0; i < ins.length; i++) {
          const a = ins[i]!;
          args[i] = typeof a === "number" ? env[a]! : a.tensor();
        }
        if (op.flat !== null) env[op.outs[0]!] = runFlatOp(op.flat, args);
        else {
          const outs = op.prim.impl(args, op.params);
          for (let k = 0; k < op.outs.length; k++) env[op.outs[k]!] = outs[k];
        }
      } else if (op.kind === "dot") {
        // decided once per body; the pooled kernel would give the same bits (small-matmul.ts)
        const { lay, dtype } = op;
        const out = emptyTensor(lay.shape, dtype);
        const a = env[op.ins[0] as number]!, b = env[op.ins[1] as number]!;
        const res = op.res, mem = this.mem;
        if (res !== null && mem !== null && res.xView !== null && res.xView.buffer === mem.buffer) {
          (res.xView as Float32Array).set(a._data as Float32Array);
          mem.matvec(dtype === "float32", res.fma, res.yAt, res.xAt, lay.k, res.bAt, lay.n);
          (out._data as Float32Array).set(res.yView as Float32Array);
        } else smallMatmul(dtype, a._data as FloatArray, lay.transA, b._data as FloatArray, lay.transB, lay.batch, lay.m, lay.k, lay.n, out._data as FloatArray);
        env[op.out] = out;
      } else {
        const acc = env[op.acc]!;
        const d = acc._data as Float32Array | Float64Array;
        const mem = this.mem;
        const flush = gemmFlush();
        if (op.kind === "add") addInto(d, env[op.ins[0] as number]!._data as Float32Array | Float64Array, flush, op.f32);
        else if (mem !== null && d.buffer === mem.buffer && d.byteOffset === op.accAt) {
          // the SIMD kernel on the carry's home in the kernel memory: copy the vectors in
          (op.aView as Float32Array).set(env[op.ins[0] as number]!._data as Float32Array);
          (op.bView as Float32Array).set(env[op.ins[1] as number]!._data as Float32Array);
          // after one flushed step the accumulator holds only flushed values: the lean kernel
          mem.run(op.f32, flush, op.accAt, op.aAt, op.m, op.bAt, op.n, op.flushed);
          op.flushed = flush;
        } else outerInto(d, env[op.ins[0] as number]!._data as Float32Array | Float64Array, env[op.ins[1] as number]!._data as Float32Array | Float64Array, op.f32, flush);
        env[op.out] = acc;
      }
      for (const f of op.free) {
        env[f]!.dispose();
        env[f] = undefined;
      }
    }
    const outs = this.outBuf;
    for (let i = 0; i < this.outAtoms.length; i++) {
      const a = this.outAtoms[i]!;
      if (typeof a !== "number") outs[i] = shareStorage(a.tensor(), []);
      else {
        const t = env[a]!;
        // an in-place carry's result slot holds the carry itself: handed back as is
        outs[i] = this.ownOut[i] ? t : shareStorage(t, t.shape);
      }
    }
    env.fill(undefined);
    return outs;
  }
}

/**
 * acc[i] = acc[i] + w[i] in the dtype (a typed-array store rounds the float64 sum once); under
 * flush-to-zero as the elementwise add flushes (ew-flush.ts): operands read through ftz, the
 * rounded sum flushed.
 */
function addInto(acc: Float32Array | Float64Array, w: Float32Array | Float64Array, flush: boolean, f32: boolean): void {
  if (!flush) {
    for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + w[i]!;
    return;
  }
  const ftz = (f32 ? V.ftz32 : V.ftz64)!;
  for (let i = 0; i < acc.length; i++) acc[i] = ftz(f32 ? Math.fround(ftz(acc[i]!) + ftz(w[i]!)) : ftz(acc[i]!) + ftz(w[i]!));
}

/** acc[i,j] = acc[i,j] + round(a[i]·b[j]) in the dtype: the outer product, then the add. */
function outerInto(acc: Float32Array | Float64Array, a: Float32Array | Float64Array, b: Float32Array | Float64Array, f32: boolean, flush: boolean): void {
  const m = a.length, n = b.length;
  const fr = Math.fround;
  if (flush) {
    // the flushed product (small-matmul.ts), then the flushed add
    const ftz = (f32 ? V.ftz32 : V.ftz64)!;
    for (let i = 0, o = 0; i < m; i++) {
      const x = ftz(a[i]!);
      for (let j = 0; j < n; j++, o++) {
        const p = ftz(f32 ? fr(x * ftz(b[j]!)) : x * ftz(b[j]!));
        acc[o] = ftz(f32 ? fr(ftz(acc[o]!) + p) : ftz(acc[o]!) + p);
      }
    }
    return;
  }
  for (let i = 0, o = 0; i < m; i++) {
    const x = a[i]!;
    if (f32) for (let j = 0; j < n; j++, o++) acc[o] = acc[o]! + fr(x * b[j]!);
    else for (let j = 0; j < n; j++, o++) acc[o] = acc[o]! + x * b[j]!;
  }
}

/** A loop-owned copy of t (a carry the step program updates in place). */
export function ownedCopy(t: Tensor): Tensor {
  const c = emptyTensor(t.shape, t.dtype);
  c._data.set(t._data);
  return c;
}

let rewrites = true;
/**
 * @internal Turns the step programs' rewrites (in-place carries, direct small dots) off or on;
 * returns the previous setting. Tests compare both: the rewrites must not change a bit.
 */
export function setLoopRewrites(on: boolean): boolean {
  const old = rewrites;
  rewrites = on;
  return old;
}

const programs = [new WeakMap<ClosedJaxpr, StepProgram>(), new WeakMap<ClosedJaxpr, StepProgram>()] as const;
/** The step program of a loop body (built once per body; its folded constants live as long as it). */
export function stepProgram(body: ClosedJaxpr, nConsts: number, nCarry: number): StepProgram {
  const cache = programs[rewrites ? 1 : 0];
  let p = cache.get(body);
  if (!p) cache.set(body, (p = unowned(() => new StepProgram(body, nConsts, nCarry, rewrites))));
  return p;
}
