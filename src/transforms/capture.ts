// Staging with captures: a function staged like jit, but whose body may turn values it reads
// from outside (tf.function's Variables) into extra inputs of the program mid-trace, so each
// call passes their current values instead of the values baked in at trace time. Internal: the
// building block of tapir/compat's tf.function (the public API has no way to add an input while
// a trace runs, and jit's closure conversion bakes concrete values in as constants).
import { ClosedJaxpr, Jaxpr, Var } from "../core/ir.js";
import type { Tensor } from "../core/tensor.js";
import { Tracer, bind, unowned, withDynamicMain, withoutStaging, type Aval } from "../core/trace.js";
export { withoutStaging };
import { PETrace, tracersToJaxpr, type PETracer } from "./partial-eval.js";
import { jitCallP } from "./jit.js";

/** A staged program: inputs are [...hoisted, ...arguments, ...captures]. */
export interface CapturedProgram {
  readonly jaxpr: ClosedJaxpr;
  /** Tracers of enclosing transforms the body closed over (passed first at each call). */
  readonly hoisted: Tensor[];
  /** How many inputs the body added with `capture`. */
  readonly nCaptured: number;
  readonly name: string;
}

/**
 * Stages `body` over fresh inputs of `avals` with every op staged (omnistaging, as jit).
 * `capture(aval)` gives a new input of the program, at whatever transform depth the body is
 * (inside a scan body too: the scan closes over it like any outer value).
 */
export function stageCapturing(name: string, avals: readonly Aval[], body: (ins: Tensor[], capture: (aval: Aval) => Tensor) => Tensor[]): CapturedProgram {
  return unowned(() =>
    withDynamicMain(
      name,
      (m) => new PETrace(m, true),
      (main) => {
        const trace = main.trace as PETrace;
        const ins = avals.map((a) => trace.newArg(a));
        const caps: PETracer[] = [];
        const outs = body(ins, (a) => {
          const t = trace.newArg({ shape: a.shape, dtype: a.dtype });
          caps.push(t);
          return t;
        });
        const [j, consts] = tracersToJaxpr(main, [...ins, ...caps], outs);
        // tracers of enclosing transforms become leading inputs (as jit's closeOver does)
        const hoisted: Var[] = [];
        const hoistedVals: Tensor[] = [];
        const keptVars: Var[] = [];
        const keptVals: Tensor[] = [];
        j.constvars.forEach((v, i) => {
          const c = consts[i]!;
          if (c instanceof Tracer) hoisted.push(v), hoistedVals.push(c);
          else keptVars.push(v), keptVals.push(c);
        });
        const cj = new ClosedJaxpr(new Jaxpr(keptVars, [...hoisted, ...j.invars], j.eqns, j.outs), keptVals);
        return { jaxpr: cj, hoisted: hoistedVals, nCaptured: caps.length, name };
      },
    ),
  );
}

/** Runs a staged program compiled (a jit_call: differentiable, batchable, stageable). */
export function callCaptured(p: CapturedProgram, args: readonly Tensor[], captures: readonly Tensor[]): Tensor[] {
  return bind(jitCallP, [...p.hoisted, ...args, ...captures], { jaxpr: p.jaxpr, name: p.name });
}

/** Whether the program closed over tracers of a transform that has finished (it must be staged again). */
export const isStaleProgram = (p: CapturedProgram): boolean => p.hoisted.some((t) => t instanceof Tracer && !t._trace.main.active);
