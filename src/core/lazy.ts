// Lazy eager: a large elementwise op applied to concrete tensors does not run at once. Its result
// is a tensor whose storage is pending (tensor.ts Storage.deferred): the op, its operands and its
// output type. When the values are first read (a non-elementwise op, dataSync, item…), the
// pending ops that produce them run as ONE fused loop, as jit's fusion would compile them
// (passes.ts fuseElementwise): the same scalar expressions, float32 temporaries rounded after
// every step, so the values are bit for bit those of the ops run one by one.
//
// Why: eager code makes one pass over memory per op, and its gradients repeat the forward's
// transcendental functions (sin's derivative is cos, cos's is −sin). Eager W6 (the gradient of
// Σ exp(sin x)·cos x over 1e6 elements) ran ~13 loops over 1e6 elements in 29 ms against jit's
// one loop in 4; fused, with repeats merged, it is one loop like jit's.
//
// What stays as it was: shapes, dtypes and argument errors are settled when the op is called
// (the shape rule runs then); an op under a transform (tracers) never waits; small ops (under
// lazy.minSize elements) run at once. A pending op keeps its operands' storage alive (its own
// handles, tensor.ts innerHandle), so disposing an operand does not disturb it; disposing the
// result of a pending op, or losing it to the GC, drops the op without running it.
//
// Reductions of a pending operand (reduce_sum, reduce_max, reduce_min) wait too: a gradient's
// forward value that nobody reads (grad's Σ) then costs nothing, as under jit's dead-code pass.
import type { DType, TypedArray } from "./dtype.js";
import { arrayCtor } from "./dtype.js";
import type { Primitive } from "./primitive.js";
import { fusionClass, joinsFusion, mapKernel, roundTemp, substituteOperands, type FusionClass } from "./primitives/util.js";
import { sizeOf } from "./shape.js";
import { gemmFlush, setGemmFlush } from "./backend/gemm.js";
import { Storage, Tensor, innerHandle, takeData, withOwner, type Pending } from "./tensor.js";

const env = typeof process === "object" ? process.env : {};

/**
 * @internal the switch and limits of lazy eager: `on` (TAPIR_LAZY=0 turns it off), `minSize`
 * (ops with fewer output elements run at once; TAPIR_LAZY_MIN), `maxMembers` (a pending chain
 * longer than this runs its operands first, so a loop that never reads its values builds no
 * unbounded expression, and the fused loops of a repeating program repeat), `maxDepth` (the
 * same for pending ops reading pending ops of any kind: a read runs them by recursion).
 */
export const lazy = {
  on: env["TAPIR_LAZY"] !== "0",
  minSize: Number(env["TAPIR_LAZY_MIN"] ?? 1 << 18),
  maxMembers: 32,
  maxDepth: 64,
};

/** @internal counts: ops deferred, fused loops run, ops computed (distinct statements of fused loops, and ops run alone), pending ops dropped without their values ever computed */
export const lazyStats = { deferred: 0, fused: 0, members: 0, dropped: 0 };

/** Reductions that wait when their operand does. */
const REDUCTIONS = new Set(["reduce_sum", "reduce_max", "reduce_min"]);

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** One pending op: a primitive over inner handles of its operands. */
class Op implements Pending {
  constructor(
    readonly prim: Primitive,
    readonly params: unknown,
    /** the scalar expression (elementwise ops); null for a reduction, which runs its own impl */
    readonly expr: string | null,
    readonly shape: readonly number[],
    readonly dtype: DType,
    public ins: Tensor[],
    /** ops this one's fused loop would compute (repeats counted again: an upper bound) */
    readonly members: number,
    /** which fused loops it may be part of (primitives/util.ts fusionClass) */
    readonly type: FusionClass,
    /** the longest chain of pending ops ending here (a read runs them by recursion) */
    readonly depth: number,
  ) {}
  /** config.flushSubnormals when the op was called: it runs with that setting, whenever it runs */
  readonly flush = gemmFlush();

  /** its values were computed: by its own run, or in line in another op's loop */
  ran = false;
  /**
   * A loop computed its values in line, without keeping them. Another op that reads it then
   * runs it first and reads the result: an op is computed in line at most once, so work that
   * several later reads share (a training step's new parameters, read by the next step's
   * forward and backward ops) is not redone in each of their loops. Its own loop (it is read
   * again, so it is shared) computes the ops under it in line once more.
   */
  inlined = false;

  /** The pending elementwise op behind operand `t`, when this op's loop can compute it in line (same shape). */
  inline(t: Tensor): Op | null {
    const p = t._storage!.pending;
    return p instanceof Op && p.expr !== null && this.expr !== null && p.flush === this.flush && joinsFusion(p.type, this.type) && sameShape(p.shape, this.shape) && sameShape(t.shape, this.shape) ? p : null;
  }

  run(): TypedArray {
    const now = gemmFlush();
    if (now === this.flush) return this.compute();
    setGemmFlush(this.flush);
    try {
      return this.compute();
    } finally {
      setGemmFlush(now);
    }
  }

  private compute(): TypedArray {
    if (this.expr === null) return this.runImpl();
    // the fused loop: every pending elementwise op of this shape under this one, in line;
    // operands are the rest (read, so run first when they are pending themselves)
    const operands: Tensor[] = [];
    const operandOf = new Map<Storage, { shape: readonly number[]; code: string }[]>();
    const operand = (t: Tensor): string => {
      const s = t._storage!;
      const list = operandOf.get(s) ?? operandOf.set(s, []).get(s)!;
      const hit = list.find((o) => sameShape(o.shape, t.shape));
      if (hit) return hit.code;
      // a handle of this run's own: reading one operand may run a pending op this loop also
      // computes in line, which then lets go of its inputs (handles this loop reads)
      const code = `a${operands.push(innerHandle(t)) - 1}`;
      list.push({ shape: t.shape, code });
      return code;
    };
    const stmts: string[] = [];
    // one temporary per distinct (expression, operands): a gradient's repeated sin(x) runs once
    const tempOf = new Map<string, string>();
    const codeOf = new Map<Op, string>();
    const visit = (op: Op): string => {
      const done = codeOf.get(op);
      if (done !== undefined) return done;
      const args = op.ins.map((t) => {
        const p = this.inline(t);
        return p !== null && (!p.inlined || this.inlined) ? visit(p) : operand(t);
      });
      const key = `${op.dtype}:${op.expr}(${args.join(",")})`;
      let t = tempOf.get(key);
      if (t === undefined) {
        t = `t${stmts.length}`;
        stmts.push(`const ${t} = ${roundTemp(substituteOperands(op.expr!, args), op.dtype)};`);
        tempOf.set(key, t);
      }
      codeOf.set(op, t);
      return t;
    };
    const root = visit(this);
    if (stmts.length === 1) {
      for (const t of operands) t.dispose();
      return this.runImpl(); // nothing in line: the op alone, as eager runs it
    }
    let d: TypedArray;
    try {
      d = takeData(withOwner(null, () => mapKernel(`${stmts.join("\n")}\n${root}`, operands, this.dtype, "fused", this.shape)));
    } finally {
      for (const t of operands) t.dispose();
    }
    for (const op of codeOf.keys()) {
      op.ran = true;
      if (op !== this) op.inlined = true;
    }
    lazyStats.fused++;
    lazyStats.members += stmts.length;
    return d;
  }

  private runImpl(): TypedArray {
    const d = takeData(withOwner(null, () => this.prim.impl(this.ins, this.params as never)[0]!));
    this.ran = true;
    lazyStats.members++;
    return d;
  }

  drop(): void {
    if (!this.ran) lazyStats.dropped++;
    const ins = this.ins;
    this.ins = [];
    for (const t of ins) t.dispose();
  }
}

/**
 * Evaluates `prim` on concrete tensors: at once, or as a pending op (see the file comment).
 * trace.ts's dispatch calls this for every primitive applied outside the transforms.
 */
export function evalConcrete(prim: Primitive, args: Tensor[], params: unknown): Tensor[] {
  if (!lazy.on || (prim.expr === null && !REDUCTIONS.has(prim.name)) || prim.effectful || prim.higherOrder) return prim.impl(args, params as never);
  // an elementwise output has at most the product of its operands' sizes (each axis is one
  // operand's): small ops leave here without a shape rule's work; a broadcast's comes from params
  let product = 1;
  for (const a of args) {
    const s = a._storage;
    if (s === null || a._released || s.refs <= 0) return prim.impl(args, params as never); // its own error for a disposed operand
    product *= a.size;
  }
  if (product < lazy.minSize && !prim.broadcasts) return prim.impl(args, params as never);
  if (prim.expr === null) return deferReduction(prim, args, params);
  let shape: readonly number[], dtype: DType, expr: string | null;
  try {
    const avals = prim.abstractEval(args.map((a) => ({ shape: a.shape, dtype: a.dtype })), params as never);
    if (avals.length !== 1) return prim.impl(args, params as never);
    ({ shape, dtype } = avals[0]!);
    if (sizeOf(shape) < lazy.minSize) return prim.impl(args, params as never);
    expr = prim.expr(args.map((a) => a.dtype), params as never, args.map((a) => a.shape));
  } catch {
    return prim.impl(args, params as never); // the op's own error, from the op itself
  }
  if (expr === null) return prim.impl(args, params as never);
  const type = fusionClass(dtype, args.map((a) => a.dtype), expr);
  const probe = new Op(prim, params, expr, shape, dtype, [], 1, type, 1);
  let members = 1;
  for (const a of args) members += probe.inline(a)?.members ?? 0;
  if (members > lazy.maxMembers) {
    // run the pending operands now: this op starts a new chain
    for (const a of args) if (probe.inline(a) !== null) void a._storage!.data;
    members = 1;
  }
  return [pendingTensor(new Op(prim, params, expr, shape, dtype, args.map(innerHandle), members, type, depthAfter(args)))];
}

/** The depth of a pending op over `args`, after running them when it would pass lazy.maxDepth. */
function depthAfter(args: readonly Tensor[]): number {
  let d = 0;
  for (const a of args) {
    const p = a._storage!.pending;
    if (p instanceof Op) d = Math.max(d, p.depth);
  }
  if (d < lazy.maxDepth) return d + 1;
  for (const a of args) void a._storage!.data;
  return 1;
}

/** A reduction of a pending operand waits with it; of a concrete one it runs now. */
function deferReduction(prim: Primitive, args: Tensor[], params: unknown): Tensor[] {
  const x = args[0];
  if (args.length !== 1 || x === undefined || x._storage!.pending === null || x.size < lazy.minSize) return prim.impl(args, params as never);
  const avals = prim.abstractEval([{ shape: x.shape, dtype: x.dtype }], params as never);
  if (avals.length !== 1) return prim.impl(args, params as never);
  const { shape, dtype } = avals[0]!;
  return [pendingTensor(new Op(prim, params, null, shape, dtype, [innerHandle(x)], 1, "mixed", depthAfter(args)))];
}

function pendingTensor(op: Op): Tensor {
  lazyStats.deferred++;
  const bytes = sizeOf(op.shape) * arrayCtor(op.dtype).BYTES_PER_ELEMENT;
  return new Tensor(op.shape, op.dtype, Storage.deferred(bytes, op));
}
