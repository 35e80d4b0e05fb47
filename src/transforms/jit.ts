// jit: stage a function into the IR once per input signature, optimise it and run it as a
// compiled step list. The staged call is the higher-order primitive jit_call, whose rules
// (jvp, batching, partial evaluation, transpose) transform the traced jaxpr and jit again.
import { ClosedJaxpr, Lit, Var } from "../core/ir.js";
import { definePrimitive, type Primitive } from "../core/primitive.js";
import { SHORT } from "../core/dtype.js";
import { ValueError, fail } from "../core/errors.js";
import { shapeEq } from "../core/shape.js";
import { Tensor, shareStorage } from "../core/tensor.js";
import { Tracer, bind, unowned } from "../core/trace.js";
import { unflatten, treeDefEqual, treeDefString, type TreeDef } from "../core/tree.js";
import * as ops from "../core/numpy/index.js";
import { checkFunction, flattenArgs, flattenToTensors } from "./args.js";
import { definePartialEval, stageFlat } from "./partial-eval.js";
import { closeOver, jvpJaxpr, outAvalsOf, partialEvalJaxpr, transposeJaxpr, vmapJaxpr } from "./jaxpr-transforms.js";
import { merge, partition, split } from "./lists.js";
import { optimize } from "./passes.js";
import { FlatFn } from "./vjp.js";
import { checkOptions } from "../core/numpy/options.js";
import { MemberRun, flatOpOf, runFlatOp, type FlatOp } from "./flat-op.js";
import { dotPlan, dotRun, type DotParams, type DotPlan } from "../core/primitives/dot.js";

// ---------------------------------------------------------------- the compiled program

/** One equation of the compiled program: slots in, slots out, slots to free after. */
interface Step {
  prim: Primitive;
  params: any;
  ins: (number | Lit)[];
  outs: number[];
  free: number[];
  /** a small elementwise equation with its kernel resolved once (flat-op.ts), else null: the impl */
  flat: FlatOp | null;
  /** a dot_general with its layout worked out once, else null */
  dot: DotPlan | null;
  /** a long fused group of small arrays: its members, run one by one on its first calls (flat-op.ts MemberRun), else null */
  members: MemberRun | null;
}

/**
 * An optimised jaxpr as a flat step list over numbered slots. Intermediates are disposed right
 * after their last use, so their buffers go back to the arena and the next call reuses them.
 */
export class Executable {
  readonly optimized: ClosedJaxpr;
  private steps: Step[] = [];
  private nSlots = 0;
  private constSlots: number[] = [];
  private inSlots: number[] = [];
  private outAtoms: (number | Lit)[] = [];
  private producedSlots = new Set<number>();
  private ownOut: boolean[] = [];
  constructor(cj: ClosedJaxpr) {
    this.optimized = optimize(cj);
    const j = this.optimized.jaxpr;
    const slot = new Map<Var, number>();
    const slotOf = (v: Var) => {
      let s = slot.get(v);
      if (s === undefined) slot.set(v, (s = this.nSlots++));
      return s;
    };
    this.constSlots = j.constvars.map(slotOf);
    this.inSlots = j.invars.map(slotOf);
    const pinned = new Set<Var>([...j.constvars, ...j.invars, ...j.outs.filter((a): a is Var => a instanceof Var)]);
    const last = new Map<Var, number>();
    j.eqns.forEach((e, i) => e.inputs.forEach((a) => a instanceof Var && last.set(a, i)));
    this.steps = j.eqns.map((e, i) => {
      const flat = flatOpOf(e);
      return {
        prim: e.prim,
        params: e.params,
        ins: e.inputs.map((a) => (a instanceof Lit ? a : slotOf(a))),
        outs: e.outs.map(slotOf),
        flat,
        dot: e.prim.name === "dot_general" ? dotPlan(e.inputs[0]!.aval, e.inputs[1]!.aval, e.params as DotParams) : null,
        members: MemberRun.of(e, flat),
        free: [...new Set(e.inputs.filter((a): a is Var => a instanceof Var && last.get(a) === i && !pinned.has(a)))].map(slotOf),
      };
    });
    // outputs nobody reads are freed right away too
    for (const [i, e] of j.eqns.entries()) {
      for (const v of e.outs) if (!last.has(v) && !pinned.has(v)) this.steps[i]!.free.push(slotOf(v));
    }
    this.outAtoms = j.outs.map((a) => (a instanceof Lit ? a : slotOf(a)));
    for (const e of j.eqns) for (const v of e.outs) this.producedSlots.add(slotOf(v));
    // the first occurrence of a produced slot among the outputs is handed back as is (decided once)
    const seen = new Set<number>();
    this.ownOut = this.outAtoms.map((a) => {
      const own = typeof a === "number" && this.producedSlots.has(a) && !seen.has(a);
      if (own) seen.add(a as number);
      return own;
    });
  }

  run(args: readonly Tensor[]): Tensor[] {
    const env = new Array<Tensor | undefined>(this.nSlots);
    const consts = this.optimized.consts;
    for (let i = 0; i < this.constSlots.length; i++) env[this.constSlots[i]!] = consts[i];
    for (let i = 0; i < this.inSlots.length; i++) env[this.inSlots[i]!] = args[i];
    const steps = this.steps;
    for (let si = 0; si < steps.length; si++) {
      const s = steps[si]!;
      const ins = s.ins;
      // a fresh argument array per step: an impl may keep it (a loop's operands)
      const xs = new Array<Tensor>(ins.length);
      for (let i = 0; i < ins.length; i++) {
        const a = ins[i]!;
        xs[i] = typeof a === "number" ? env[a]! : a.tensor();
      }
      if (s.members !== null && s.members.wanted(s.flat!, xs)) {
        // a long group's first calls: its members one by one; its fused kernel then compiles at once
        env[s.outs[0]!] = s.members.run(xs);
        s.flat!.due = true;
      } else if (s.flat !== null) {
        s.members = null;
        env[s.outs[0]!] = runFlatOp(s.flat, xs);
      } else if (s.dot !== null) env[s.outs[0]!] = dotRun(xs[0]!, xs[1]!, s.dot);
      else {
        const outs = s.prim.impl(xs, s.params);
        for (let k = 0; k < s.outs.length; k++) env[s.outs[k]!] = outs[k];
      }
      for (const f of s.free) {
        env[f]!.dispose();
        env[f] = undefined;
      }
    }
    // outputs that are inputs, constants, literals or repeats get their own handle
    const outAtoms = this.outAtoms;
    const res = new Array<Tensor>(outAtoms.length);
    for (let i = 0; i < outAtoms.length; i++) {
      const a = outAtoms[i]!;
      if (typeof a !== "number") res[i] = shareStorage(a.tensor(), []);
      else {
        const t = env[a]!;
        res[i] = this.ownOut[i] ? t : shareStorage(t, t.shape);
      }
    }
    return res;
  }
}

const executables = new WeakMap<ClosedJaxpr, Executable>();
export function compiled(cj: ClosedJaxpr): Executable {
  let e = executables.get(cj);
  // folded constants live as long as the program: created unowned
  if (!e) executables.set(cj, (e = unowned(() => new Executable(cj))));
  return e;
}

// ---------------------------------------------------------------- jit_call

type JitParams = { jaxpr: ClosedJaxpr; name: string };
const jitOf = (jaxpr: ClosedJaxpr, name: string): JitParams => ({ jaxpr, name });

// a call of a staged function: evaluated compiled; transformed by transforming its jaxpr
export const jitCallP: Primitive<JitParams> = definePrimitive<"jit_call", JitParams>({
  name: "jit_call",
  multipleResults: true,
  abstractEval: (_a, p) => outAvalsOf(p.jaxpr),
  impl: (args, p) => compiled(p.jaxpr).run(args),
  jvp: (primals, tangents, p) => {
    const nz = tangents.map((t) => t !== null);
    const j = jvpJaxpr(p.jaxpr, nz);
    const outs = bind(jitCallP, [...primals, ...(tangents.filter((t) => t !== null) as Tensor[])], jitOf(j, `jvp(${p.name})`));
    const n = p.jaxpr.jaxpr.outs.length;
    return [outs.slice(0, n), outs.slice(n)];
  },
  batch: (args, dims, p, size) => {
    const j = vmapJaxpr(p.jaxpr, dims, size);
    const outs = bind(jitCallP, args, jitOf(j, `vmap(${p.name})`));
    return [outs, outs.map(() => 0)];
  },
  transpose: (cts, args, p) => {
    const linear = args.map((a) => !(a instanceof Tensor));
    const j = transposeJaxpr(p.jaxpr, linear);
    const ctAvals = outAvalsOf(p.jaxpr);
    const ctIns = cts.map((c, i) => c ?? ops.zeros(ctAvals[i]!.shape, { dtype: ctAvals[i]!.dtype }));
    const res = bind(jitCallP, [...(args.filter((a) => a instanceof Tensor) as Tensor[]), ...ctIns], jitOf(j, `transpose(${p.name})`));
    let k = 0;
    return linear.map((l) => (l ? res[k++]! : null));
  },
  higherOrder: true,
});

/** Linearize through a jit_call: the known part runs now (compiled), the unknown part is staged. */
definePartialEval(jitCallP, (trace, tracers, p) => {
  const unknowns = tracers.map((t) => t.known === null);
  const pj = partialEvalJaxpr(p.jaxpr, unknowns);
  const [knownIns, unknownIns] = partition(unknowns, tracers);
  const kOuts = bind(jitCallP, knownIns.map((t) => t.known!), jitOf(pj.known, `known(${p.name})`));
  const [knownOuts, res] = split(kOuts, [kOuts.length - pj.nRes]);
  const uOuts = trace.stage(jitCallP, [...res.map((r) => trace.pure(r)), ...unknownIns], jitOf(pj.unknown, `unknown(${p.name})`));
  return merge(pj.outUnknown, knownOuts, uOuts);
});

// ---------------------------------------------------------------- jit

let logCompilesOn = false;
let cacheSize = 64;
/**
 * Turns on (or off) a log line on stderr each time a jitted function traces and compiles, with
 * the reason it missed its cache (new shapes, dtypes, static values or pytree structure): the
 * way to find functions that recompile on every call. Mirrors `jax.config.update("jax_log_compiles", True)`.
 *
 * @param on - true to log (the default), false to stop.
 * @example
 * ```ts
 * config.logCompiles(false);
 * jit((x: Tensor) => np.add(x, 1))(np.array(1)).item(); // → 2
 * ```
 */
export function logCompiles(on = true): void {
  logCompilesOn = on;
}
/**
 * Reads or sets how many compiled entries (one per input signature) each jitted function keeps;
 * past it the least recently used entry is dropped and retraced when it comes back. Default 64.
 *
 * @param n - the new size, a positive integer; omit to read.
 * @returns the size in force.
 * @throws ValueError when n is not a positive integer.
 * @example
 * ```ts
 * const before = config.jitCacheSize();
 * config.jitCacheSize(8); // → 8
 * config.jitCacheSize(before);
 * ```
 */
export function jitCacheSize(n?: number): number {
  if (n !== undefined) {
    if (!Number.isInteger(n) || n < 1) throw fail(ValueError, `config.jitCacheSize: n must be a positive integer, got ${n}.`);
    cacheSize = n;
  }
  return cacheSize;
}

const staticIds = new WeakMap<object, number>();
let nextStatic = 0;
function staticKey(v: unknown): string {
  if (v instanceof Tensor) throw fail(ValueError, "jit: a Tensor cannot be a static argument (its value is not hashable); pass it as a traced argument.");
  if (typeof v === "function" || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)) {
    let id = staticIds.get(v as object);
    if (id === undefined) staticIds.set(v as object, (id = nextStatic++));
    return `#${id}`;
  }
  return JSON.stringify(v, (_k, x) => (typeof x === "function" ? `#fn` : x)) ?? "undefined";
}

interface Signature {
  statics: string[];
  tree: string;
  avals: string[];
}
const sigKey = (s: Signature) => `${s.statics.join("|")}#${s.tree}#${s.avals.join(",")}`;
/** An argument as the signature cache keys it: dtype, shape, and whether a JS number stood for it. */
const signatureAval = (t: Tensor) => `${t._weak ? `weak ${t._weak === 1 ? "int" : "float"} ` : ""}${SHORT[t.dtype]}[${t.shape.join(",")}]`;

/**
 * jit's arguments as tensors. A JS number becomes a weak float64 scalar: it takes its partner's
 * dtype as the number would in eager code (the signature records whether it is integral).
 */
function jitLeaves(dyn: unknown[]): [Tensor[], TreeDef] {
  const [raw, tree] = flattenArgs("jit", dyn);
  const leaves = raw.map((l, i) => {
    if (typeof l === "number") {
      const t = ops.array(l, { dtype: "float64" });
      t._weak = Number.isInteger(l) ? 1 : 2;
      return t;
    }
    // a tensor leaf keeps its weak mark (a number an outer jit traced is still a number here)
    return l instanceof Tensor ? l : flattenToTensors("jit", [l], `argument leaf ${i}`)[0][0]!;
  });
  return [leaves, tree];
}

function missReason(prev: Signature | undefined, cur: Signature, argnums: readonly number[]): string {
  if (!prev) return "first call";
  const diffs: string[] = [];
  cur.statics.forEach((s, i) => s !== prev.statics[i] && diffs.push(`static argument ${argnums[i]} changed from ${prev.statics[i]} to ${s}`));
  if (cur.tree !== prev.tree) diffs.push(`argument structure changed from ${prev.tree} to ${cur.tree}`);
  else cur.avals.forEach((a, i) => a !== prev.avals[i] && diffs.push(`leaf ${i} changed from ${prev.avals[i]} to ${a}`));
  return diffs.join("; ") || "evicted from the cache";
}

interface Entry {
  jaxpr: ClosedJaxpr;
  hoisted: Tensor[];
  outTree: TreeDef;
  params: JitParams;
}

/** A trace that closed over an outer transform's tracers is only valid while that transform runs. */
const isStale = (e: Entry) => !e.hoisted.every((t) => !(t instanceof Tracer) || t._trace.main.active);

export interface JitOptions {
  staticArgnums?: number | readonly number[];
}

/**
 * Compiles `f`: traces it once per signature (pytree structure, shapes, dtypes and the values of
 * `staticArgnums` arguments), optimises the IR (DCE, CSE, constant folding, elementwise fusion)
 * and runs it as a step list that frees intermediates at their last use. Returns a function with
 * f's signature. Mirrors `jax.jit`. Inside, reading a traced value (`item`, a JS `if`) throws a
 * ConcretizationError: use `lax.cond` / `np.where`, or make the argument static.
 *
 * @param opts.staticArgnums - arguments passed as JS values and baked into the trace.
 * @example
 * ```ts
 * const f = jit((x: Tensor) => np.sum(np.sin(x).mul(2)));
 * f(np.array([0, 0])).item(); // → 0
 * jit((x: Tensor, n: number) => x.mul(n), { staticArgnums: [1] })(np.array(2), 3).item(); // → 6
 * ```
 */
export function jit<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): F {
  checkFunction("jit", f), checkOptions("jit", opts, ["staticArgnums"]);
  const statics = opts.staticArgnums === undefined ? [] : typeof opts.staticArgnums === "number" ? [opts.staticArgnums] : [...opts.staticArgnums];
  const cache = new Map<string, Entry>();
  let lastSig: Signature | undefined;
  const name = f.name || "fn";
  // the signature of the previous call: a loop calling with the same shapes skips the key
  let last: { entry: Entry; tree: TreeDef; leaves: Tensor[]; statics: unknown[] } | undefined;
  const sameAsLast = (tree: TreeDef, leaves: Tensor[], args: unknown[]): boolean => {
    if (!last || last.leaves.length !== leaves.length || !treeDefEqual(last.tree, tree)) return false;
    for (let i = 0; i < statics.length; i++) if (!Object.is(last.statics[i], args[statics[i]!])) return false;
    for (let i = 0; i < leaves.length; i++) {
      const a = leaves[i]!;
      const b = last.leaves[i]!;
      if (a.dtype !== b.dtype || a._weak !== b._weak || !shapeEq(a.shape, b.shape)) return false;
    }
    return !isStale(last.entry);
  };
  const jitted = (...args: unknown[]) => {
    for (const s of statics) {
      if (!Number.isInteger(s) || s < 0 || s >= args.length) throw fail(ValueError, `jit: staticArgnums ${JSON.stringify(opts.staticArgnums)} out of range for ${args.length} argument(s).`);
    }
    const dyn = statics.length ? args.map((a, i) => (statics.includes(i) ? null : a)) : args;
    const [leaves, inTree] = jitLeaves(dyn);
    let entry: Entry | undefined;
    if (sameAsLast(inTree, leaves, args)) entry = last!.entry;
    else {
      const sig: Signature = { statics: statics.map((i) => staticKey(args[i])), tree: treeDefString(inTree), avals: leaves.map(signatureAval) };
      const key = sigKey(sig);
      entry = cache.get(key);
      // a trace that closed over an outer transform's tracers is only valid while that transform runs
      const stale = entry !== undefined && isStale(entry);
      if (stale) {
        cache.delete(key);
        entry = undefined;
      }
      if (entry) {
        cache.delete(key);
        cache.set(key, entry);
      } else {
        if (logCompilesOn) console.error(`[tapir] compiling ${name} for (${sig.avals.join(", ")}): ${stale ? "it closes over traced values of a transform that has finished" : missReason(lastSig, sig, statics)}`);
        const ff = new FlatFn("jit", (...d: unknown[]) => f(...d.map((x, i) => (statics.includes(i) ? args[i] : x))), inTree, false);
        // a weak scalar returned as is comes out as float32, as the JS number would
        const call = (xs: Tensor[]) => ff.call(xs).map((o) => (o._weak ? ops.astype(o, "float32") : o));
        const [cj, hoisted] = closeOver(call, leaves.map((l) => ({ shape: l.shape, dtype: l.dtype, weak: l._weak })), `jit(${name})`, true);
        entry = { jaxpr: cj, hoisted, outTree: ff.outTree!, params: jitOf(cj, name) };
        cache.set(key, entry);
        if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
      }
      lastSig = sig;
      last = { entry, tree: inTree, leaves, statics: statics.map((i) => args[i]) };
    }
    const outs = bind(jitCallP, entry.hoisted.length ? [...entry.hoisted, ...leaves] : leaves, entry.params);
    return unflatten(entry.outTree, outs);
  };
  return jitted as F;
}

/**
 * The traced IR (a jaxpr) of `f` at these arguments' shapes and dtypes, printable with
 * `toString()`. With `{ optimized: true }` it is the program `jit(f)` runs: after dead-code
 * elimination, common-subexpression elimination, constant folding and elementwise fusion
 * (fused loops print as `fused` equations). Mirrors `jax.make_jaxpr`.
 *
 * @param f - a function of tensors (pytrees of them), as `jit` takes.
 * @param opts.optimized - show jit's optimised program instead of the traced one (default false).
 * @returns a function of f's arguments returning the `ClosedJaxpr`.
 * @throws ConcretizationError when `f` reads a traced value (as under `jit`).
 * @example
 * ```ts
 * const f = (x: Tensor) => np.sin(x).mul(2).add(1);
 * makeJaxpr(f)(np.ones([3])).jaxpr.eqns.length; // → 3
 * makeJaxpr(f, { optimized: true })(np.ones([3])).jaxpr.eqns.length; // → 1
 * ```
 */
export function makeJaxpr(f: (...args: any[]) => unknown, opts: { optimized?: boolean } = {}): (...args: unknown[]) => ClosedJaxpr {
  checkFunction("makeJaxpr", f), checkOptions("makeJaxpr", opts, ["optimized"]);
  return (...args) => {
    const [leaves, inTree] = flattenToTensors("makeJaxpr", args, "argument");
    const ff = new FlatFn("makeJaxpr", f, inTree, false);
    const [j, consts] = stageFlat(ff.call, leaves.map((l) => ({ shape: l.shape, dtype: l.dtype })), "makeJaxpr", true);
    const cj = new ClosedJaxpr(j, consts);
    return opts.optimized ? optimize(cj) : cj;
  };
}

