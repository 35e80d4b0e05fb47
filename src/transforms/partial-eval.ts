// Partial evaluation: values are known (computed now, at a lower level) or unknown (staged).
// Staged equations are collected from the unknown outputs into a jaxpr. linearize uses it
// under a JVP trace (tangents unknown); staging a whole function (makeJaxpr, jit,
// linearTranspose) makes every input unknown.
import { Jaxpr, Lit, Var, type Atom, type Eqn } from "../core/ir.js";
import type { Primitive } from "../core/primitive.js";
import { Tensor } from "../core/tensor.js";
import { Trace, Tracer, bind, unowned, withDynamicMain, withMain, type Aval, type MainTrace } from "../core/trace.js";

interface EqnRecipe {
  prim: Primitive;
  inputs: PETracer[];
  params: any;
  outs: PETracer[];
}

export class PETracer extends Tracer {
  /** set for known values lifted in from below (the constants of the staged program) */
  known: Tensor | null;
  /** the equation that produces this unknown value, or null for an input */
  recipe: EqnRecipe | null;
  constructor(
    readonly _trace: PETrace,
    aval: Aval,
    known: Tensor | null,
    recipe: EqnRecipe | null,
  ) {
    super(aval.shape, aval.dtype);
    this.known = known;
    this.recipe = recipe;
  }
}

/** A hook a higher-order primitive may give for unknown inputs (default: stage one equation). */
export type PartialEvalRule = (trace: PETrace, tracers: PETracer[], params: any) => Tensor[];
const peRules = new Map<Primitive, PartialEvalRule>();
export function definePartialEval(prim: Primitive, rule: PartialEvalRule): void {
  peRules.set(prim, rule);
}

export class PETrace extends Trace {
  /** Dynamic (jit/makeJaxpr) traces stage every primitive, even on known values (omnistaging). */
  constructor(
    main: MainTrace,
    readonly stageAll = false,
  ) {
    super(main);
  }
  pure(x: Tensor): PETracer {
    return new PETracer(this, x, x, null);
  }
  /** A fresh unknown input of the staged program. */
  newArg(aval: Aval & { weak?: 0 | 1 | 2 }): PETracer {
    const t = new PETracer(this, aval, null, null);
    if (aval.weak) t._weak = aval.weak;
    return t;
  }
  processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Tensor[] {
    const ts = tracers as PETracer[];
    if (this.stageAll) return this.stage(prim, ts, params);
    if (ts.every((t) => t.known !== null)) return bind(prim, ts.map((t) => t.known!), params);
    const rule = peRules.get(prim);
    if (rule) return rule(this, ts, params);
    return this.stage(prim, ts, params);
  }
  /** Records one equation whose outputs are unknown. */
  stage(prim: Primitive, ts: PETracer[], params: any): PETracer[] {
    const avals = prim.abstractEval(ts, params);
    const recipe: EqnRecipe = { prim, inputs: ts, params, outs: [] };
    recipe.outs = avals.map((a) => new PETracer(this, a, null, recipe));
    return recipe.outs;
  }
}

/** Whether `x` is a value `main` stages (unknown), rather than one it computes now. */
export function isUnknown(main: MainTrace, x: Tensor): boolean {
  return x instanceof PETracer && x._trace.main === main && x.known === null;
}

/** The known value behind `x` (a tracer of `main` boxing a known value, or a value from below). */
export function knownValue(main: MainTrace, x: Tensor): Tensor {
  return x instanceof PETracer && x._trace.main === main ? x.known! : x;
}

/**
 * Builds the jaxpr computing `outs` from the unknown inputs `ins`. Known values that the
 * staged equations read become constvars (scalars become literals); outputs that are known
 * become constants too.
 */
export function tracersToJaxpr(main: MainTrace, ins: readonly PETracer[], outs: readonly Tensor[]): [Jaxpr, Tensor[]] {
  const vars = new Map<PETracer, Var>();
  const constVars = new Map<Tensor, Var>();
  const consts: Tensor[] = [];
  const constvars: Var[] = [];
  const invars = ins.map((t) => {
    const v = new Var({ shape: t.shape, dtype: t.dtype });
    vars.set(t, v);
    return v;
  });
  const constAtom = (val: Tensor): Atom => {
    if (!(val instanceof Tracer) && val.ndim === 0 && val._storage !== null) return new Lit(val._data[0]!, val.dtype, val);
    let v = constVars.get(val);
    if (!v) {
      v = new Var({ shape: val.shape, dtype: val.dtype });
      constVars.set(val, v);
      constvars.push(v);
      consts.push(val);
    }
    return v;
  };
  const eqns: Eqn[] = [];
  const done = new Set<EqnRecipe>();
  const atomOf = (t: Tensor): Atom => {
    if (t instanceof PETracer && t._trace.main === main) {
      if (t.known !== null) return constAtom(t.known);
      const v = vars.get(t);
      if (!v) throw new Error("internal: staged value read before it was defined");
      return v;
    }
    return constAtom(t);
  };
  // iterative post-order walk over recipes
  const visit = (root: Tensor) => {
    if (!(root instanceof PETracer) || root._trace.main !== main || root.recipe === null) return;
    const stack: [EqnRecipe, boolean][] = [[root.recipe, false]];
    while (stack.length) {
      const [r, expanded] = stack.pop()!;
      if (done.has(r)) continue;
      if (expanded) {
        done.add(r);
        const inputs = r.inputs.map(atomOf);
        const outVars = r.outs.map((o) => {
          const v = new Var({ shape: o.shape, dtype: o.dtype });
          vars.set(o, v);
          return v;
        });
        eqns.push({ prim: r.prim, inputs, params: r.params, outs: outVars });
        continue;
      }
      stack.push([r, true]);
      for (const i of r.inputs) if (i.recipe !== null && i.known === null && !done.has(i.recipe)) stack.push([i.recipe, false]);
    }
  };
  outs.forEach(visit);
  const outAtoms = outs.map((o) => {
    if (o instanceof PETracer && o._trace.main === main && o.known === null && o.recipe === null && !vars.has(o)) {
      throw new Error("internal: output depends on an input of another staged program");
    }
    return atomOf(o);
  });
  return [new Jaxpr(constvars, invars, eqns, outAtoms), consts];
}

/**
 * Stages f over unknown inputs of the given avals. With `dynamic`, every op inside is staged,
 * even on constants (what jit wants); otherwise constant subcomputations run now.
 */
export function stageFlat(f: (xs: Tensor[]) => Tensor[], avals: readonly Aval[], name: string, dynamic = false): [Jaxpr, Tensor[], Tensor[]] {
  const run = (main: MainTrace) => {
    const trace = main.trace as PETrace;
    const ins = avals.map((a) => trace.newArg(a));
    const outs = f(ins);
    const [j, consts] = tracersToJaxpr(main, ins, outs);
    return [j, consts, outs] as [Jaxpr, Tensor[], Tensor[]];
  };
  // a staged program's constants live as long as the program (it may be cached): nobody's
  return unowned(() => (dynamic ? withDynamicMain(name, (m) => new PETrace(m, true), run) : withMain(name, (m) => new PETrace(m), run)));
}

