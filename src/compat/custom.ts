// tf.custom_gradient: f returns [y, gradFn]; gradFn(...dys) returns one gradient per argument
// (and, when f read trainable variables, is called as gradFn(...dys, {variables}) and returns
// [argumentGradients, variableGradients]). On a tape it is one node whose backward step is gradFn
// (over the recorded forward values); under tapir's functional transforms it is a customVjp.
import { Tensor, ValueError, customVjp, numpy as np, tree } from "../index.js";
import { describe, shapeText } from "./errors.js";
import { tfPrint } from "./format.js";
import { active, attach, freshOutputs, internalRead, tensorsOf, isFloat, quiet, watchReads, type Node } from "./runtime.js";
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

/**
 * Gradient k as a tensor like `like` (null: zeros). It must have like's shape: TensorFlow does
 * not broadcast a custom gradient ([7] for a [2] input raises).
 */
function gradLike(g: unknown, like: Tensor, what: string): Tensor {
  if (g === null || g === undefined) return np.zerosLike(like);
  const t = np.asarray(g as Tensor, { dtype: like.dtype });
  if (t.ndim !== like.ndim || t.shape.some((d, i) => d !== like.shape[i])) {
    throw new ValueError({
      message: `tf.customGradient: the gradient function returned shape ${shapeText(t.shape)} for ${what} of shape ${shapeText(like.shape)}; return one gradient per input with that input's shape (it is not broadcast).`,
    });
  }
  return t;
}

/** f's answer, checked to be [y, gradFn]. */
function pair(r: unknown): [unknown, GradFn] {
  if (!Array.isArray(r) || r.length !== 2 || typeof r[1] !== "function") {
    throw new ValueError({
      message: `tf.customGradient: the decorated function must return [y, gradFn] (the result and a function of the output gradients), got ${Array.isArray(r) ? `an array of ${r.length} (${r.map(describe).join(", ")})` : describe(r)}.`,
    });
  }
  return r as [unknown, GradFn];
}

function taped(f: (...a: any[]) => [unknown, GradFn], xs: unknown[]): unknown {
  const [[y, gradFn], readVars] = watchReads(() => pair(f(...xs)));
  const variables = readVars.filter((v) => v.trainable && isFloat(v.dtype));
  const [yLeaves, yDef] = tree.flatten(y);
  const outs = quiet(() => yLeaves.map((l) => tfPrint(np.squeeze(np.expandDims(np.asarray(l as Tensor), 0), 0))));
  const argPos = xs.flatMap((x, i) => (x instanceof Tensor && isFloat(x.dtype) ? [i] : []));
  const varValues = quiet(() => variables.map((v) => v[internalRead]()));
  const inputs = [...argPos.map((i) => xs[i] as Tensor), ...varValues];
  const grads = (cts: Tensor[]): Tensor[] => {
    const [ag, vg] = callGrad(gradFn, cts, xs.length, variables);
    return [...argPos.map((i) => gradLike(ag[i], xs[i] as Tensor, `argument ${i}`)), ...varValues.map((v, k) => gradLike(vg[k], v, `variable '${variables[k]!.name}'`))];
  };
  const node: Node = {
    inputs,
    held: tensorsOf(xs),
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
    (...ys: unknown[]) => pair(f(...ys))[0],
    (...ys: unknown[]) => [pair(f(...ys))[0], ys],
    (res: unknown[], ct: unknown) => {
      const grads = callGrad(pair(f(...res))[1], tree.leaves(ct) as Tensor[], xs.length, [])[0];
      return grads.map((gk, k) => (res[k] instanceof Tensor ? gradLike(gk, res[k] as Tensor, `argument ${k}`) : gk));
    },
  );
  const out = g(...xs);
  return tree.map((t: unknown) => (t instanceof Tensor ? tfPrint(t) : t), out);
}

/**
 * `f(...args)` returns `[y, gradFn]`; the result computes y and is differentiated by `gradFn(dy)` (one gradient per argument, each with that argument's shape — a wrong shape is a ValueError, not broadcast) on tapes and under tapir's transforms alike. Mirrors `tf.custom_gradient`.
 *
 * @example
 * ```ts
 * // log(1 + eˣ) with a gradient that stays finite for large x
 * const logExp = tf.customGradient((x: Tensor) => {
 *   const e = tf.exp(x);
 *   return [tf.log(tf.add(e, 1)), (dy: Tensor) => [tf.multiply(dy, tf.subtract(1, tf.divide(1, tf.add(e, 1))))]];
 * });
 * const x = tf.constant(0);
 * const tape = new tf.GradientTape();
 * tape.watch(x);
 * const y = tape.record(() => logExp(x));
 * (tape.gradient(y, x) as Tensor).item(); // → 0.5
 * ```
 */
export function customGradient<A extends unknown[]>(f: (...args: A) => [any, GradFn]): (...args: A) => any {
  if (typeof f !== "function") throw new ValueError({ message: `tf.customGradient: expected a function returning [y, gradFn], got ${describe(f)}.` });
  return (...args: A) => {
    const xs = args.map((a) => (a instanceof Variable ? a.value() : a));
    return active().length > 0 ? taped(f as any, xs) : functional(f as any, xs);
  };
}
