// What the control-flow primitives share: staging a user function of pytrees, re-wiring a
// closed jaxpr's inputs and outputs, and aval helpers.
import type { ClosedJaxpr } from "../../core/ir.js";
import type { Tensor } from "../../core/tensor.js";
import type { Aval } from "../../core/trace.js";
import { unflatten, type TreeDef } from "../../core/tree.js";
import * as ops from "../../core/numpy/index.js";
import { flattenToTensors } from "../args.js";
import { closeOver, runClosed, stageClosed } from "../jaxpr-transforms.js";

export { fmtAval } from "../../core/trace.js";
export { inAvalsOf, outAvalsOf } from "../jaxpr-transforms.js";

/** The avals of tensors (or of anything with a shape and dtype). */
export const avalsOf = (ts: readonly { shape: readonly number[]; dtype: Tensor["dtype"] }[]): Aval[] => ts.map((t) => ({ shape: t.shape, dtype: t.dtype }));
export const zerosOf = (a: Aval): Tensor => ops.zeros(a.shape, { dtype: a.dtype });

/** Stages a user function of pytrees: [jaxpr (hoisted consts first), hoisted tracers, out tree]. */
export function stageUser(api: string, fn: (...a: any[]) => unknown, argTree: TreeDef, argAvals: Aval[]): [ClosedJaxpr, Tensor[], TreeDef] {
  let outTree: TreeDef | undefined;
  const [cj, hoisted] = closeOver(
    (xs) => {
      const out = fn(...(unflatten(argTree, xs) as unknown[]));
      const [leaves, tree] = flattenToTensors(api, out, "output");
      outTree = tree;
      return leaves;
    },
    argAvals,
    api,
  );
  return [cj, hoisted, outTree!];
}

/**
 * Re-stages a closed jaxpr over new inputs: `pick` maps the new inputs to the old ones, `post`
 * maps the old outputs (and the new inputs) to the new outputs.
 */
export function rewire(cj: ClosedJaxpr, inAvals: Aval[], pick: (xs: Tensor[]) => Tensor[], post: (ys: Tensor[], xs: Tensor[]) => Tensor[] = (ys) => ys): ClosedJaxpr {
  return stageClosed((xs) => post(runClosed(cj, pick(xs)), xs), inAvals, "rewire");
}
