// tf.custom_gradient: f returns [y, gradFn]; gradFn(...dys) returns one gradient per argument
// (and, when f read trainable variables, is called as gradFn(...dys, {variables}) and returns
// [argumentGradients, variableGradients]). On a tape it is one node whose backward step is gradFn
// (over the recorded forward values); under tapir's functional transforms it is a customVjp.
import { Tensor, ValueError, customVjp, numpy as np, tree } from "../index.js";
import { tfPrint } from "./format.js";
import { active, attach, freshOutputs, isFloat, quiet, watchReads, type Node } from "./runtime.js";
import { Variable } from "./variable.js";

export type GradFn = (...args: any[]) => unknown;

const asList = (g: unknown): unknown[] => (Array.isArray(g) ? g : [g]);

/** gradFn's answer as [argument gradients, variable gradients], checked as TensorFlow does. */
function callGrad(gradFn: GradFn, dys: Tensor[], nArgs: number, variables: Variable[]): [unknown[], unknown[]] {
  let argGrads: unknown;
  let varGrads: unknown[] = [];
  if (variables.length > 0) {
    const r = gradFn(...dys, { variables });
    if (!Array.isArray(r) || r.length !== 2 || !Array.isArray(r[1])) {
      throw new ValueError({
        message:
          `@tf.custom_gradient grad_fn must accept keyword argument 'variables', since function uses variables: ${variables.map((v) => v.name).join(", ")}. ` +
          "In tapir/compat: gradFn(...dys, {variables}) must return [argumentGradients, variableGradients].",
      });
    }
    [argGrads, varGrads] = r as [unknown, unknown[]];
    if (varGrads.length !== variables.length) throw new ValueError({ message: "Must return gradient for each variable from @custom_gradient grad_fn." });
  } else argGrads = gradFn(...dys);
  const flat = asList(argGrads);
  if (flat.length !== nArgs) {
    throw new ValueError({ message: `custom_gradient function expected to return ${nArgs} gradients, but returned ${flat.length} instead.` });
  }
  return [flat, varGrads];
}

/** A gradient as a tensor like `like` (null: zeros). */
const gradLike = (g: unknown, like: Tensor): Tensor =>
  g === null || g === undefined ? np.zerosLike(like) : np.broadcastTo(np.asarray(g as Tensor, { dtype: like.dtype }), like.shape);

function taped(f: (...a: any[]) => [unknown, GradFn], xs: unknown[]): unknown {
  const [[y, gradFn], readVars] = watchReads(() => f(...xs));
  const variables = readVars.filter((v) => v.trainable && isFloat(v.dtype));
  const [yLeaves, yDef] = tree.flatten(y);
  const outs = quiet(() => yLeaves.map((l) => tfPrint(np.squeeze(np.expandDims(np.asarray(l as Tensor), 0), 0))));
  const argPos = xs.flatMap((x, i) => (x instanceof Tensor && isFloat(x.dtype) ? [i] : []));
  const varValues = quiet(() => variables.map((v) => v.value()));
  const inputs = [...argPos.map((i) => xs[i] as Tensor), ...varValues];
  const grads = (cts: Tensor[]): Tensor[] => {
    const [ag, vg] = callGrad(gradFn, cts, xs.length, variables);
    return [...argPos.map((i) => gradLike(ag[i], xs[i] as Tensor)), ...varValues.map((v, k) => gradLike(vg[k], v))];
  };
  const node: Node = {
    inputs,
    outputs: outs,
    fresh: freshOutputs(inputs, outs),
    backward: (cts) => quiet(() => grads(cts)),
    backwardRecorded: grads,
  };
  attach(node);
  return tree.unflatten(yDef, outs);
}

/**
 * Under tapir's transforms: a customVjp whose residuals are the arguments; the backward step
 * runs f again for its gradFn (a closure over values of the forward pass that the transforms
 * may have freed by then), so forward values are recomputed there.
 */
function functional(f: (...a: any[]) => [unknown, GradFn], xs: unknown[]): unknown {
  const g = customVjp(
    (...ys: unknown[]) => f(...ys)[0],
    (...ys: unknown[]) => [f(...ys)[0], ys],
    (res: unknown[], ct: unknown) => callGrad(f(...res)[1], tree.leaves(ct) as Tensor[], xs.length, [])[0],
  );
  const out = g(...xs);
  return tree.map((t: unknown) => (t instanceof Tensor ? tfPrint(t) : t), out);
}

/**
 * tf.custom_gradient(f): `f(...args)` returns `[y, gradFn]`; the result computes y and
 * differentiates by gradFn on tapes and under tapir's transforms alike.
 */
export function customGradient<A extends unknown[]>(f: (...args: A) => [any, GradFn]): (...args: A) => any {
  return (...args: A) => {
    const xs = args.map((a) => (a instanceof Variable ? a.value() : a));
    return active().length > 0 ? taped(f as any, xs) : functional(f as any, xs);
  };
}
