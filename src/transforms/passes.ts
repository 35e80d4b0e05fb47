// Optimisation passes over a closed jaxpr, each a small function from IR to IR: dead-code
// elimination, common-subexpression elimination, constant folding and elementwise fusion.
import type { DType } from "../core/dtype.js";
import { ClosedJaxpr, Jaxpr, Lit, Var, type Atom, type Eqn } from "../core/ir.js";
import { definePrimitive, vectorized } from "../core/primitive.js";
import { broadcastShapes } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { fusionClass, joinsFusion, mapKernel, roundTemp, substituteOperands } from "../core/primitives/util.js";
import { STAGE_STMTS } from "../core/backend/ew-staged.js";
import { rewriteBasisDots } from "./pass-basis.js";
import { foldTransposes } from "./pass-layout.js";

/** Dead-code elimination: drops equations whose outputs nothing reads, keeping the signature. */
export function dce(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  const live = new Set<Var>(j.outs.filter((a): a is Var => a instanceof Var));
  const kept: Eqn[] = [];
  for (let i = j.eqns.length - 1; i >= 0; i--) {
    const e = j.eqns[i]!;
    if (e.outs.some((v) => live.has(v))) {
      kept.push(e);
      e.inputs.forEach((a) => a instanceof Var && live.add(a));
    }
  }
  kept.reverse();
  if (kept.length === j.eqns.length) return cj;
  return new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, kept, j.outs), cj.consts);
}

/** A stable text key for params (functions and jaxprs by identity). */
const ids = new WeakMap<object, number>();
let nextId = 0;
function paramKey(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object" || typeof v === "function") {
    if (Array.isArray(v)) return `[${v.map(paramKey).join(",")}]`;
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype) return `{${Object.entries(v as object).map(([k, x]) => `${k}:${paramKey(x)}`).join(",")}}`;
    let id = ids.get(v as object);
    if (id === undefined) ids.set(v as object, (id = nextId++));
    return `#${id}`;
  }
  return JSON.stringify(v);
}

/** Common-subexpression elimination: an equation equal to an earlier one reuses its outputs. */
export function cse(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  const rename = new Map<Var, Atom>();
  const vid = new Map<Var, number>();
  let n = 0;
  const atomKey = (a: Atom) => {
    // -0 and 0 are different literals (x * -0 is -0 for x > 0): String(-0) would merge them
    if (a instanceof Lit) return `${Object.is(a.value, -0) ? "-0" : a.value}:${a.aval.dtype}`;
    let i = vid.get(a);
    if (i === undefined) vid.set(a, (i = n++));
    return `v${i}`;
  };
  const sub = (a: Atom): Atom => (a instanceof Var ? rename.get(a) ?? a : a);
  const seen = new Map<string, Var[]>();
  const eqns: Eqn[] = [];
  for (const e of j.eqns) {
    const inputs = e.inputs.map(sub);
    const key = `${e.prim.name}|${inputs.map(atomKey).join(",")}|${paramKey(e.params)}`;
    const prev = seen.get(key);
    if (prev && !e.prim.effectful) {
      e.outs.forEach((v, i) => rename.set(v, prev[i]!));
      continue;
    }
    seen.set(key, e.outs);
    eqns.push({ ...e, inputs });
  }
  return new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, eqns, j.outs.map(sub)), cj.consts);
}

/** Largest constant a fold may create (elements): folding must not blow up memory. */
const FOLD_MAX = 1 << 20;

/** Constant folding: equations whose inputs are all constants run once, at compile time. */
export function foldConstants(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  const val = new Map<Var, Tensor>();
  j.constvars.forEach((v, i) => val.set(v, cj.consts[i]!));
  const eqns: Eqn[] = [];
  const constOf = (a: Atom) => (a instanceof Lit ? a.tensor() : val.get(a));
  for (const e of j.eqns) {
    const ins = e.inputs.map(constOf);
    const size = e.outs.reduce((s, o) => s + o.aval.shape.reduce((p, d) => p * d, 1), 0);
    // broadcasting a constant is left to run (or fuse): storing it would only cost memory traffic
    const grows = e.prim.broadcasts && size > (ins[0]?.size ?? 0);
    if (!e.prim.higherOrder && !grows && ins.every((t) => t !== undefined) && size <= FOLD_MAX) {
      const outs = e.prim.impl(ins as Tensor[], e.params);
      e.outs.forEach((v, i) => val.set(v, outs[i]!));
      continue;
    }
    eqns.push(e);
  }
  // folded values that are still read become constvars (scalars become literals)
  const used = new Set<Var>();
  for (const e of eqns) e.inputs.forEach((a) => a instanceof Var && used.add(a));
  j.outs.forEach((a) => a instanceof Var && used.add(a));
  const constvars: Var[] = [];
  const consts: Tensor[] = [];
  const lits = new Map<Var, Lit>();
  for (const [v, t] of val) {
    if (!used.has(v)) continue;
    if (t.ndim === 0 && !j.constvars.includes(v)) lits.set(v, new Lit(t._data[0]!, t.dtype));
    else {
      constvars.push(v);
      consts.push(t);
    }
  }
  const sub = (a: Atom): Atom => (a instanceof Var ? lits.get(a) ?? a : a);
  const out = eqns.map((e) => ({ ...e, inputs: e.inputs.map(sub) }));
  return new ClosedJaxpr(new Jaxpr(constvars, j.invars, out, j.outs.map(sub)), consts);
}

// ---------------------------------------------------------------- elementwise fusion

type FusedParams = { expr: string; dtype: DType; label: string; shape: number[] };
/** A chain of elementwise primitives compiled into one loop (created by jit only). */
export const fusedP = definePrimitive<"fused", FusedParams, "n">({
  name: "fused",
  abstractEval: (avals, { dtype, shape }) => {
    broadcastShapes("fused", shape, ...avals.map((a) => a.shape));
    return [{ shape, dtype }];
  },
  expr: (_d, { expr }) => expr,
  impl: (args, { expr, dtype, shape }) => [mapKernel(expr, args, dtype, "fused", shape)],
  // only ever executed: jit transforms the jaxpr it traced, never the optimised one
  notDifferentiable: true,
  batch: vectorized,
});

const litCode = (x: number) => (Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : Object.is(x, -0) ? "(-0)" : `(${x})`);

/**
 * Fuses elementwise equations into loops. Walking backwards, an elementwise equation joins the
 * group of its consumers when every equation that reads it is in that one group (and it is not
 * a jaxpr output); a group becomes one `fused` equation at its last member's place, its members
 * computed once per element as temporaries (so a value read twice inside is not recomputed).
 * float32 temporaries round after every step, so fused results equal op-by-op ones bit for bit.
 */
export function fuseElementwise(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  const readers = new Map<Var, Set<Eqn>>();
  for (const e of j.eqns) for (const a of e.inputs) if (a instanceof Var) (readers.get(a) ?? readers.set(a, new Set()).get(a)!).add(e);
  const outSet = new Set(j.outs.filter((a): a is Var => a instanceof Var));
  const exprs = new Map<Eqn, string>();
  for (const e of j.eqns) {
    const x = e.outs.length === 1 ? elementwiseExpr(e) : null;
    if (x !== null) exprs.set(e, x);
  }
  const classOf = (e: Eqn) => fusionClass(e.outs[0]!.aval.dtype, e.inputs.map((a) => a.aval.dtype), exprs.get(e)!);
  const rootOf = new Map<Eqn, Eqn>();
  const recomputed = new Map<Eqn, number>();
  for (let i = j.eqns.length - 1; i >= 0; i--) {
    const e = j.eqns[i]!;
    if (!exprs.has(e)) continue;
    const v = e.outs[0]!;
    const rs = readers.get(v);
    let root: Eqn = e;
    if (!outSet.has(v) && rs !== undefined && rs.size > 0) {
      const roots = new Set([...rs].map((r) => rootOf.get(r)));
      if (roots.size === 1) root = [...roots][0] ?? e;
    }
    if (root !== e && !joinsFusion(classOf(e), classOf(root))) root = e;
    if (root !== e && !joinsAcrossBroadcast(e, root, recomputed)) root = e;
    rootOf.set(e, root);
  }
  const members = new Map<Eqn, Eqn[]>();
  for (const e of j.eqns) {
    const r = rootOf.get(e);
    if (r !== undefined) (members.get(r) ?? members.set(r, []).get(r)!).push(e);
  }
  // constants of one element (a gradient's seed of ones, reshaped and broadcast) enter a loop as
  // literals: the kernel then sees their value (x · 1 is x: ew-flush.ts), not an operand
  const single = new Map<Var, Tensor>();
  j.constvars.forEach((v, i) => {
    const t = cj.consts[i];
    if (t !== undefined && t.size === 1 && (t.dtype === "float32" || t.dtype === "float64")) single.set(v, t);
  });
  let tmp = 0;
  const out: Eqn[] = [];
  for (const e of j.eqns) {
    const r = rootOf.get(e);
    if (r === undefined) out.push(e);
    else if (r === e) {
      const ms = members.get(e)!;
      if (ms.length === 1) out.push(e);
      else out.push(buildFused(ms, exprs, () => tmp++, single));
    }
  }
  // the constants every reader of which took them as literals
  const read = new Set<Atom>(j.outs);
  for (const e of out) for (const a of e.inputs) read.add(a);
  const keep = j.constvars.map((v) => !single.has(v) || read.has(v));
  if (keep.every(Boolean)) return new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, out, j.outs), cj.consts);
  return new ClosedJaxpr(new Jaxpr(j.constvars.filter((_, i) => keep[i]), j.invars, out, j.outs), cj.consts.filter((_, i) => keep[i]));
}

/** Pointwise primitives costing about a load: recomputing them per broadcast element is cheap. */
const CHEAP = new Set([
  "add", "sub", "mul", "neg", "select", "convert", "eq", "ne", "lt", "le", "gt", "ge", "max", "min", "abs", "sign",
  "broadcast_in_dim", "stop_gradient", "and", "or", "not", "xor", "square", "floor", "ceil", "round",
]);
/** How many cheap members a group may recompute per broadcast element before it stops taking more. */
const RECOMPUTE_BUDGET = 6;

/**
 * The cost rule across a broadcast: a fused loop computes every member once per OUTPUT element,
 * so a member smaller than the group's output (read through a broadcast) is recomputed
 * size(out)/size(member) times. A transcendental (tanh, exp, …: 15-30 ns each) is therefore
 * never pulled across a broadcast (it runs once per own element in its own loop and is read back
 * broadcast), and a group recomputes at most a few cheap ones (a load costs about as much).
 */
function joinsAcrossBroadcast(e: Eqn, root: Eqn, recomputed: Map<Eqn, number>): boolean {
  const size = (x: Eqn) => x.outs[0]!.aval.shape.reduce((p, d) => p * d, 1);
  if (size(e) >= size(root)) return true;
  const n = recomputed.get(root) ?? 0;
  if (!CHEAP.has(e.prim.name) || n >= RECOMPUTE_BUDGET) return false;
  recomputed.set(root, n + 1);
  return true;
}

/**
 * A long fused equation's members (in order, the last the group's output) and the one-element
 * constants its expression took as literals (their tensors: the constant may have left the
 * program). jit runs the members one by one on such a group's first call (flat-op.ts MemberRun).
 */
export interface FusedMembers {
  readonly members: readonly Eqn[];
  readonly consts: ReadonlyMap<Var, Tensor>;
}
/** Per fused equation of more than STAGE_STMTS members (its object: the later passes keep it), its members. */
export const fusedMembers = new WeakMap<Eqn, FusedMembers>();

/** One fused equation computing `ms` (in order; the last is the group's output). */
function buildFused(ms: Eqn[], exprs: Map<Eqn, string>, nextTmp: () => number, single: ReadonlyMap<Var, Tensor>): Eqn {
  const inputs: Atom[] = [];
  const temps = new Map<Var, string>();
  const stmts: string[] = [];
  const inputName = (a: Atom) => {
    let k = inputs.indexOf(a);
    if (k < 0) k = inputs.push(a) - 1;
    return `a${k}`;
  };
  for (const m of ms) {
    const argCode = m.inputs.map((a) => (a instanceof Lit ? litCode(a.value) : temps.get(a) ?? (single.has(a) ? litCode(single.get(a)!._data[0]!) : inputName(a))));
    const t = `t${nextTmp()}`;
    stmts.push(`const ${t} = ${roundTemp(substituteOperands(exprs.get(m)!, argCode), m.outs[0]!.aval.dtype)};`);
    temps.set(m.outs[0]!, t);
  }
  const last = ms[ms.length - 1]!;
  const v = last.outs[0]!;
  const fused: Eqn = {
    prim: fusedP,
    inputs,
    params: { expr: `${stmts.join("\n")}\n${temps.get(v)!}`, dtype: v.aval.dtype, label: ms.map((m) => m.prim.name).join("·"), shape: [...v.aval.shape] },
    outs: [v],
  };
  if (ms.length > STAGE_STMTS) {
    const consts = new Map<Var, Tensor>();
    for (const m of ms) for (const a of m.inputs) if (a instanceof Var && single.has(a)) consts.set(a, single.get(a)!);
    fusedMembers.set(fused, { members: ms, consts });
  }
  return fused;
}

/**
 * The scalar expression of an equation the fusion can take: a fusable primitive's (elementwise
 * ones, and a broadcast_in_dim that lines its operand up with the trailing output axes, as the
 * identity), or null.
 */
function elementwiseExpr(e: Eqn): string | null {
  return e.prim.expr ? e.prim.expr(e.inputs.map((a) => a.aval.dtype), e.params, e.inputs.map((a) => a.aval.shape)) : null;
}

/** The whole pipeline, in order. */
export function optimize(cj: ClosedJaxpr): ClosedJaxpr {
  // basis rewrites first (they see the iota-built identity before folding turns it into data),
  // then transposes (before folding bakes a transposed constant in)
  return dce(fuseElementwise(dce(foldConstants(dce(foldTransposes(dce(rewriteBasisDots(cse(dce(cj))))))))));
}
