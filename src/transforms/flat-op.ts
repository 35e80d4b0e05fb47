// Small elementwise equations of compiled programs (jit's step list, loop bodies) with their
// kernel resolved once. Eager code reaches a small elementwise kernel through the primitive's
// impl: mapKernel works out the output shape and the operands' layout pattern, then
// elementwiseFlat looks up the expression's JS loop or Wasm kernel, on every call. In a compiled
// program all of that is fixed by the avals, so it is done when the program is built and a step
// makes its output and calls the resolved kernel. Same route, same kernel: the same bits.
import { Lit, Var, type Eqn } from "../core/ir.js";
import { elementwiseMode, flatRunner, flatTiersLater, tiering, type ElementwiseMode, type FlatRun } from "../core/backend/elementwise.js";
import { fusedMembers } from "./passes.js";
import { gemmFlush } from "../core/backend/gemm.js";
import type { DType, TypedArray } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";
import { emptyTensor, type Tensor } from "../core/tensor.js";
import { SMALL } from "../core/primitives/util.js";

/**
 * Primitives whose impl is exactly `mapKernel(expr, args, out dtype)` with `expr` their fusion
 * expression (binary.ts `binary`, elementwise.ts `unary`, passes.ts `fused`): only these may
 * skip their impl.
 */
const MAPPED = new Set(["fused", "add", "sub", "mul", "tanh", "exp"]);

/** One resolved equation (mutable: the kernel is resolved again if the mode or flushing changed). */
export interface FlatOp {
  readonly expr: string;
  readonly pattern: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** the operands' data, refilled per call */
  readonly data: TypedArray[];
  run: FlatRun | null;
  mode: ElementwiseMode;
  flush: boolean;
  /** the calls its JS loop would take before the Wasm kernel are spent (flatRunner's `due`) */
  due: boolean;
}

/**
 * The resolved form of an equation that mapKernel would run on its small-array path (a float
 * output of at most 1024 elements whose operands are each the output's shape or one element),
 * or null for any other equation.
 */
export function flatOpOf(e: Eqn): FlatOp | null {
  if (!MAPPED.has(e.prim.name) || e.outs.length !== 1) return null;
  const o = e.outs[0]!.aval;
  if (o.dtype !== "float32" && o.dtype !== "float64") return null;
  const n = sizeOf(o.shape);
  if (n === 0 || n > SMALL) return null;
  let pattern = "";
  for (const a of e.inputs) {
    const av = a.aval;
    const sz = sizeOf(av.shape);
    if (sz === 1) pattern += "s";
    else if (sz === n && av.shape.length === o.shape.length) pattern += "v";
    else return null;
  }
  const expr = e.prim.name === "fused" ? (e.params as { expr: string }).expr : e.prim.expr?.(e.inputs.map((a) => a.aval.dtype) as never, e.params as never, e.inputs.map((a) => a.aval.shape));
  if (typeof expr !== "string") return null;
  return { expr, pattern, shape: o.shape, dtype: o.dtype, data: new Array<TypedArray>(e.inputs.length), run: null, mode: elementwiseMode(), flush: gemmFlush(), due: false };
}

/** Runs a resolved equation on its operands: a new output tensor. */
export function runFlatOp(op: FlatOp, args: readonly Tensor[]): Tensor {
  const out = emptyTensor(op.shape, op.dtype);
  const data = op.data;
  for (let i = 0; i < args.length; i++) data[i] = args[i]!._data;
  const mode = elementwiseMode(), flush = gemmFlush();
  if (op.run === null || op.mode !== mode || op.flush !== flush) {
    op.run = flatRunner(op.expr, op.pattern, data, out._data, op.due);
    op.mode = mode;
    op.flush = flush;
  }
  op.run(data, out._data);
  return out;
}

// ---- a long group's first calls, member by member

/** One member of a fused group: its operands as local slots (group inputs first, then members' outputs), literals or constants. */
interface MemberStep {
  readonly prim: Eqn["prim"];
  readonly params: unknown;
  readonly ins: readonly (number | Lit | Tensor)[];
  readonly flat: FlatOp | null;
  /** local slots (members' outputs) last read here */
  readonly free: readonly number[];
}

/** @internal how many first calls of long groups ran member by member (tests check the route). */
export const memberStats = { runs: 0 };

/**
 * A long fused group (more statements than one loop takes: ew-staged.ts) of small arrays, as its
 * members one by one: what jit runs on the group's first `tiering.calls` calls instead of its
 * fused kernel. Those calls would run the staged JS loops, whose translation, compile and cold
 * first run cost more than the members' own kernels (W15-200: ~9 ms of a ~14 ms first call), and
 * the group's Wasm kernel, due from the next call on, never needs them. Every member computes the
 * bits its statement does in the fused kernel (passes.ts fuseElementwise), so the results are the
 * same.
 */
export class MemberRun {
  private runs = 0;
  private constructor(
    private readonly nIn: number,
    private readonly steps: readonly MemberStep[],
  ) {}

  /** The member run of a jit equation `e` resolved as `flat`: null unless it is a long fused group of small arrays. */
  static of(e: Eqn, flat: FlatOp | null): MemberRun | null {
    // fuseElementwise records the members of long groups only; a group of large arrays (no flat form) runs fused
    const group = flat === null ? undefined : fusedMembers.get(e);
    if (group === undefined) return null;
    // the group's inputs: distinct variables (fuseElementwise takes literals and one-element constants into its expression)
    const local = new Map<Var, number>();
    e.inputs.forEach((a, i) => local.set(a as Var, i));
    const nIn = e.inputs.length;
    const { members, consts } = group;
    // slot → the member reading it last
    const last = new Map<number, number>();
    const steps = members.map((m, k): MemberStep => {
      const ins = m.inputs.map((a) => {
        if (a instanceof Lit) return a;
        const s = local.get(a);
        if (s !== undefined) return (last.set(s, k), s);
        const c = consts.get(a);
        if (c === undefined) throw new Error(`jit: fused member input ${String(a)} not found`);
        return c;
      });
      local.set(m.outs[0]!, nIn + k);
      return { prim: m.prim, params: m.params, ins, flat: flatOpOf(m), free: [] };
    });
    for (const [s, k] of last) if (s >= nIn) (steps[k]!.free as number[]).push(s);
    return new MemberRun(nIn, steps);
  }

  /**
   * Whether this call runs the members: the group's fused kernel `flat` would run its JS loop on
   * these operands (its Wasm kernel is neither compiled yet nor due at once).
   */
  wanted(flat: FlatOp, xs: readonly Tensor[]): boolean {
    if (this.runs >= tiering.calls) return false;
    return flatTiersLater(flat.expr, flat.pattern, xs.map((x) => x._data), sizeOf(flat.shape), flat.dtype === "float32" ? "f32" : "f64");
  }

  /** The group's output from its operands `xs` (the fused equation's inputs). */
  run(xs: readonly Tensor[]): Tensor {
    this.runs++;
    memberStats.runs++;
    const nIn = this.nIn;
    const env = new Array<Tensor | undefined>(nIn + this.steps.length);
    for (let i = 0; i < nIn; i++) env[i] = xs[i];
    for (let k = 0; k < this.steps.length; k++) {
      const m = this.steps[k]!;
      const args = m.ins.map((a) => (typeof a === "number" ? env[a]! : a instanceof Lit ? a.tensor() : a));
      env[nIn + k] = m.flat !== null ? runFlatOp(m.flat, args) : m.prim.impl(args, m.params as never)[0]!;
      for (const f of m.free) {
        env[f]!.dispose();
        env[f] = undefined;
      }
    }
    return env[nIn + this.steps.length - 1]!;
  }
}
