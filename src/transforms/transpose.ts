// Transposition of a linear jaxpr: cotangents flow from outputs back to inputs through each
// linear equation's transpose rule; equations on known values alone are evaluated forward.
import { NoRuleError, fail } from "../core/errors.js";
import { Lit, Var, type Atom, type Jaxpr } from "../core/ir.js";
import { UndefPrimal, type Tan, type TransposeArg } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { bind, currentApi } from "../core/trace.js";
import * as ops from "../core/numpy/index.js";

/**
 * Given cotangents for the outputs of a jaxpr linear in its invars, returns cotangents for
 * the invars (null where no cotangent reaches an input).
 */
export function backwardPass(j: Jaxpr, consts: readonly Tensor[], cts: readonly Tan[]): Tan[] {
  const primal = new Map<Var, Tensor>();
  j.constvars.forEach((v, i) => primal.set(v, consts[i]!));
  const linear = new Set<Var>(j.invars);
  const linearEqns = [];
  // forward: evaluate what does not depend on the linear inputs
  for (const e of j.eqns) {
    if (e.inputs.some((a) => a instanceof Var && linear.has(a))) {
      e.outs.forEach((v) => linear.add(v));
      linearEqns.push(e);
    } else {
      const outs = bind(e.prim, e.inputs.map((a) => (a instanceof Lit ? a.tensor() : primal.get(a)!)), e.params);
      e.outs.forEach((v, k) => primal.set(v, outs[k]!));
    }
  }
  const ctEnv = new Map<Var, Tensor>();
  const addCt = (a: Atom, ct: Tan) => {
    if (ct === null || !(a instanceof Var) || !linear.has(a)) return;
    const prev = ctEnv.get(a);
    ctEnv.set(a, prev ? ops.add(prev, ct) : ct);
  };
  j.outs.forEach((a, i) => addCt(a, cts[i] ?? null));
  for (let i = linearEqns.length - 1; i >= 0; i--) {
    const e = linearEqns[i]!;
    const ctsOut = e.outs.map((v) => ctEnv.get(v) ?? null);
    e.outs.forEach((v) => ctEnv.delete(v));
    if (ctsOut.every((c) => c === null)) continue;
    if (!e.prim.transpose) throw fail(NoRuleError, `${currentApi("grad")}: primitive ${e.prim.name} is not linear, or has no transpose rule, but appears in a linear program.`);
    const args: TransposeArg[] = e.inputs.map((a) =>
      a instanceof Lit ? a.tensor() : linear.has(a) ? new UndefPrimal(a.aval) : primal.get(a)!,
    );
    const ctsIn = e.prim.transpose(ctsOut, args, e.params);
    e.inputs.forEach((a, k) => addCt(a, ctsIn[k] ?? null));
  }
  return j.invars.map((v) => ctEnv.get(v) ?? null);
}
