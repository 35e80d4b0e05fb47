// Transformations of whole jaxprs, used by the higher-order primitives (jit_call, cond, scan,
// while): JVP, batching, transposition and partial evaluation, each by re-tracing the jaxpr
// under the trace-level interpreter (so a higher-order primitive writes each rule once).
import { ClosedJaxpr, Jaxpr, Var, evalJaxpr } from "../core/ir.js";
import type { Tan } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { Tracer, withMain, type Aval } from "../core/trace.js";
import * as ops from "../core/numpy/index.js";
import { jvpFlat } from "./jvp.js";
import { merge, partition } from "./lists.js";
import { PETrace, isUnknown, knownValue, stageFlat, tracersToJaxpr } from "./partial-eval.js";
import { backwardPass } from "./transpose.js";
import { vmapFlat } from "./vmap.js";

export const avalOfVar = (v: Var): Aval => v.aval;
/** The avals of a closed jaxpr's inputs. */
export const inAvalsOf = (cj: ClosedJaxpr): Aval[] => cj.jaxpr.invars.map(avalOfVar);
/** The avals of a closed jaxpr's outputs. */
export const outAvalsOf = (cj: ClosedJaxpr): Aval[] => cj.jaxpr.outs.map((a) => a.aval);
const zerosOf = (a: Aval) => ops.zeros(a.shape, { dtype: a.dtype });

/**
 * Stages f over the avals into a closed jaxpr. Concrete constants stay in the ClosedJaxpr;
 * constants that are tracers of outer transforms are returned separately and become leading
 * invars, so the caller passes them as explicit operands (closure conversion).
 */
export function closeOver(f: (xs: Tensor[]) => Tensor[], avals: readonly Aval[], name: string, dynamic = false): [ClosedJaxpr, Tensor[]] {
  const [j, consts] = stageFlat(f, avals, name, dynamic);
  return hoistTracerConsts(j, consts);
}

/**
 * Closure conversion of a staged jaxpr: its concrete constants stay in the ClosedJaxpr, constants
 * that are tracers of enclosing transforms become leading invars, returned for the caller to pass
 * as operands.
 */
export function hoistTracerConsts(j: Jaxpr, consts: readonly Tensor[]): [ClosedJaxpr, Tensor[]] {
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
    const ctAvals = outAvalsOf(cj);
    return stageClosed(
      (xs) => {
        const nonlin = xs.slice(0, nonlinVars.length);
        const cts = xs.slice(nonlinVars.length);
        const res = backwardPass(view, [...cj.consts, ...nonlin], cts);
        return res.map((r, i) => r ?? zerosOf(linVars[i]!.aval));
      },
      [...nonlinVars.map(avalOfVar), ...ctAvals],
      "transpose",
    );
  });
}

// ---------------------------------------------------------------- partial evaluation

/** A jaxpr split by which inputs are known. */
export interface PartialJaxpr {
  /** known inputs → [...known outputs, ...residuals] */
  known: ClosedJaxpr;
  /** [...residuals, ...unknown inputs] → unknown outputs */
  unknown: ClosedJaxpr;
  outUnknown: boolean[];
  nRes: number;
}

/** The avals of a split's residuals (the leading inputs of its unknown part). */
export const residualAvals = (pj: PartialJaxpr): Aval[] => pj.unknown.jaxpr.invars.slice(0, pj.nRes).map(avalOfVar);

const peCache = new WeakMap<object, Map<string, PartialJaxpr>>();
/**
 * Splits a jaxpr by which inputs are unknown, by re-tracing it under the partial-evaluation
 * trace (the one mechanism linearize uses): the known inputs are tracers of an outer staging,
 * which records the known part; the unknown part is what the partial-evaluation trace stages,
 * and the known values it reads are the residuals. Higher-order equations split by their own
 * partial-evaluation rules. `instantiate[i]` forces output i to come from the unknown side.
 */
export function partialEvalJaxpr(cj: ClosedJaxpr, unknowns: readonly boolean[], instantiate: readonly boolean[] | boolean = false): PartialJaxpr {
  const inst = cj.jaxpr.outs.map((_, i) => (typeof instantiate === "boolean" ? instantiate : instantiate[i] ?? false));
  return memo(peCache, cj, `${unknowns.map(Number).join("")}|${inst.map(Number).join("")}`, () => {
    const [knownAvals, unknownAvals] = partition(unknowns, cj.jaxpr.invars.map(avalOfVar));
    let unknown: ClosedJaxpr | undefined;
    let outUnknown: boolean[] = [];
    let nRes = 0;
    const known = stageClosed(
      (knownIns) =>
        withMain("partial_eval", (m) => new PETrace(m), (main) => {
          const pe = main.trace as PETrace;
          const unknownIns = unknownAvals.map((a) => pe.newArg(a));
          const outs = runClosed(cj, merge(unknowns, knownIns, unknownIns));
          outUnknown = outs.map((o, i) => inst[i]! || isUnknown(main, o));
          const [knownOuts, unknownOuts] = partition(outUnknown, outs);
          const [j, consts] = tracersToJaxpr(main, unknownIns, unknownOuts);
          // known values the unknown part reads: tracers of the known staging are residuals;
          // concrete ones (the jaxpr's own constants) stay constants of the unknown part
          const isRes = consts.map((c) => c instanceof Tracer);
          const [constVars, resVars] = partition(isRes, j.constvars);
          const [constVals, resVals] = partition(isRes, consts);
          nRes = resVars.length;
          unknown = new ClosedJaxpr(new Jaxpr(constVars, [...resVars, ...j.invars], j.eqns, j.outs), constVals);
          return [...knownOuts.map((o) => knownValue(main, o)), ...resVals];
        }),
      knownAvals,
      "partial_eval",
    );
    return { known, unknown: unknown!, outUnknown, nRes };
  });
}
