// Transformations of whole jaxprs, used by the higher-order primitives (jit_call, cond, scan,
// while): JVP, batching and transposition by re-tracing the jaxpr under the trace-level
// interpreters, and partial evaluation as a pass over the IR (known part / unknown part).
import { ClosedJaxpr, Jaxpr, Var, evalJaxpr, type Atom, type Eqn } from "../core/ir.js";
import type { Primitive, Tan } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { Tracer, type Aval } from "../core/trace.js";
import * as ops from "../core/numpy/index.js";
import { jvpFlat } from "./jvp.js";
import { stageFlat } from "./partial-eval.js";
import { backwardPass } from "./transpose.js";
import { vmapFlat } from "./vmap.js";

export const avalOfVar = (v: Var): Aval => v.aval;
const zerosOf = (a: Aval) => ops.zeros(a.shape, { dtype: a.dtype });

/**
 * Stages f over the avals into a closed jaxpr. Concrete constants stay in the ClosedJaxpr;
 * constants that are tracers of outer transforms are returned separately and become leading
 * invars, so the caller passes them as explicit operands (closure conversion).
 */
export function closeOver(f: (xs: Tensor[]) => Tensor[], avals: readonly Aval[], name: string, dynamic = false): [ClosedJaxpr, Tensor[]] {
  const [j, consts] = stageFlat(f, avals, name, dynamic);
  const hoisted: Var[] = [];
  const hoistedVals: Tensor[] = [];
  const keptVars: Var[] = [];
  const keptVals: Tensor[] = [];
  j.constvars.forEach((v, i) => {
    const c = consts[i]!;
    if (c instanceof Tracer) {
      hoisted.push(v);
      hoistedVals.push(c);
    } else {
      keptVars.push(v);
      keptVals.push(c);
    }
  });
  return [new ClosedJaxpr(new Jaxpr(keptVars, [...hoisted, ...j.invars], j.eqns, j.outs), keptVals), hoistedVals];
}

/** Stages a function whose constants are all concrete (true for re-traced jaxprs). */
export function stageClosed(f: (xs: Tensor[]) => Tensor[], avals: readonly Aval[], name: string): ClosedJaxpr {
  const [cj, hoisted] = closeOver(f, avals, name);
  if (hoisted.length) throw new Error(`internal: ${name} captured an outer tracer`);
  return cj;
}

export const runClosed = (cj: ClosedJaxpr, xs: readonly Tensor[]): Tensor[] => evalJaxpr(cj.jaxpr, cj.consts, xs);

/** Memo on a jaxpr object and a string key. */
export function memo<T>(cache: WeakMap<object, Map<string, T>>, obj: object, key: string, make: () => T): T {
  let m = cache.get(obj);
  if (!m) cache.set(obj, (m = new Map()));
  let v = m.get(key);
  if (v === undefined) m.set(key, (v = make()));
  return v;
}

const jvpCache = new WeakMap<object, Map<string, ClosedJaxpr>>();
/** inputs [...primals, ...tangents of the `nonzero` inputs] → outputs [...outs, ...tangents of outs]. */
export function jvpJaxpr(cj: ClosedJaxpr, nonzero: readonly boolean[]): ClosedJaxpr {
  return memo(jvpCache, cj, nonzero.map(Number).join(""), () => {
    const ins = cj.jaxpr.invars.map(avalOfVar);
    const tanAvals = ins.filter((_, i) => nonzero[i]);
    return stageClosed(
      (xs) => {
        const ps = xs.slice(0, ins.length);
        let k = ins.length;
        const ts: Tan[] = ins.map((_, i) => (nonzero[i] ? xs[k++]! : null));
        const [outs, touts] = jvpFlat((ys) => runClosed(cj, ys), ps, ts);
        return [...outs, ...touts.map((t, i) => t ?? ops.zerosLike(outs[i]!))];
      },
      [...ins, ...tanAvals],
      "jvp",
    );
  });
}

const vmapCache = new WeakMap<object, Map<string, ClosedJaxpr>>();
/** Batched jaxpr: inputs with batch axis `dims[i]` (null = unbatched); every output batched at 0. */
export function vmapJaxpr(cj: ClosedJaxpr, dims: readonly (number | null)[], size: number): ClosedJaxpr {
  return memo(vmapCache, cj, `${size}|${dims.join(",")}`, () => {
    const avals = cj.jaxpr.invars.map((v, i) => {
      const d = dims[i];
      if (d === null || d === undefined) return v.aval;
      const s = [...v.aval.shape];
      s.splice(d, 0, size);
      return { shape: s, dtype: v.aval.dtype };
    });
    return stageClosed((xs) => vmapFlat((ys) => runClosed(cj, ys), xs, dims, (n) => new Array(n).fill(0), size), avals, "vmap");
  });
}

const transposeCache = new WeakMap<object, Map<string, ClosedJaxpr>>();
/**
 * Transpose of a jaxpr linear in the `linear` inputs: inputs [...non-linear inputs, ...output
 * cotangents] → outputs: cotangents of the linear inputs (zeros where none reaches them).
 */
export function transposeJaxpr(cj: ClosedJaxpr, linear: readonly boolean[]): ClosedJaxpr {
  return memo(transposeCache, cj, linear.map(Number).join(""), () => {
    const j = cj.jaxpr;
    const nonlinVars = j.invars.filter((_, i) => !linear[i]);
    const linVars = j.invars.filter((_, i) => linear[i]);
    const view = new Jaxpr([...j.constvars, ...nonlinVars], linVars, j.eqns, j.outs);
    const outAvals = j.outs.map((a) => a.aval);
    return stageClosed(
      (xs) => {
        const nonlin = xs.slice(0, nonlinVars.length);
        const cts = xs.slice(nonlinVars.length);
        const res = backwardPass(view, [...cj.consts, ...nonlin], cts);
        return res.map((r, i) => r ?? zerosOf(linVars[i]!.aval));
      },
      [...nonlinVars.map(avalOfVar), ...outAvals],
      "transpose",
    );
  });
}

// ---------------------------------------------------------------- partial evaluation on the IR

export interface PartialJaxpr {
  /** known inputs → [...known outputs, ...residuals] */
  known: ClosedJaxpr;
  /** [...residuals, ...unknown inputs] → unknown outputs */
  unknown: ClosedJaxpr;
  outUnknown: boolean[];
  nRes: number;
}

/**
 * A higher-order primitive's rule for an equation with some unknown inputs: returns a known
 * equation's pieces and an unknown equation, or null to treat the whole equation as unknown.
 */
export type EqnPartialRule = (
  eqn: Eqn,
  unknownIns: boolean[],
) => { knownEqns: Eqn[]; unknownEqns: Eqn[]; outUnknown: boolean[] } | null;
const eqnRules = new Map<Primitive, EqnPartialRule>();
export function defineEqnPartialEval(p: Primitive, rule: EqnPartialRule): void {
  eqnRules.set(p, rule);
}

/**
 * Splits a jaxpr by which inputs are unknown. Equations with an unknown input are unknown
 * (higher-order ones split by their own rule); the known values they read are residuals.
 * `instantiate[i]` forces output i to come from the unknown side.
 */
export function partialEvalJaxpr(cj: ClosedJaxpr, unknowns: readonly boolean[], instantiate: readonly boolean[] | boolean = false): PartialJaxpr {
  const j = cj.jaxpr;
  const unk = new Set<Var>();
  j.invars.forEach((v, i) => unknowns[i] && unk.add(v));
  const knownEqns: Eqn[] = [];
  const unknownEqns: Eqn[] = [];
  const isUnk = (a: Atom) => a instanceof Var && unk.has(a);
  for (const e of j.eqns) {
    const ui = e.inputs.map(isUnk);
    if (!ui.some(Boolean)) {
      knownEqns.push(e);
      continue;
    }
    const rule = eqnRules.get(e.prim);
    const split = rule ? rule(e, ui) : null;
    if (split) {
      knownEqns.push(...split.knownEqns);
      unknownEqns.push(...split.unknownEqns);
      e.outs.forEach((v, k) => split.outUnknown[k] && unk.add(v));
      // outputs of the split's unknown equations that are new vars are unknown too
      for (const ue of split.unknownEqns) ue.outs.forEach((v) => unk.add(v));
    } else {
      unknownEqns.push(e);
      e.outs.forEach((v) => unk.add(v));
    }
  }
  const inst = (i: number) => (typeof instantiate === "boolean" ? instantiate : instantiate[i] ?? false);
  const outUnknown = j.outs.map((a, i) => isUnk(a) || inst(i));
  // residuals: known vars read by unknown equations or returned as instantiated outputs
  const resSet = new Set<Var>();
  const residuals: Var[] = [];
  const addRes = (a: Atom) => {
    if (a instanceof Var && !unk.has(a) && !resSet.has(a)) {
      resSet.add(a);
      residuals.push(a);
    }
  };
  for (const e of unknownEqns) e.inputs.forEach(addRes);
  j.outs.forEach((a, i) => outUnknown[i] && !isUnk(a) && addRes(a));
  const knownIns = j.invars.filter((_, i) => !unknowns[i]);
  const unknownIns = j.invars.filter((_, i) => unknowns[i]);
  const knownOuts = j.outs.filter((_, i) => !outUnknown[i]);
  const known = prune(new ClosedJaxpr(new Jaxpr(j.constvars, knownIns, knownEqns, [...knownOuts, ...residuals]), cj.consts));
  const unknown = prune(new ClosedJaxpr(new Jaxpr([], [...residuals, ...unknownIns], unknownEqns, j.outs.filter((_, i) => outUnknown[i])), []));
  return { known, unknown, outUnknown, nRes: residuals.length };
}

/** Drops equations whose outputs nothing reads (dead code), keeping the signature. */
export function prune(cj: ClosedJaxpr): ClosedJaxpr {
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

