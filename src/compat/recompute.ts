// tf.recompute_grad and tf.grad_pass_through. recomputeGrad: on a tape, one node that keeps only
// f's inputs (arguments and the trainable variables f read) and runs f again under the core's vjp
// when the gradient is taken; under tapir's transforms, the core's checkpoint (remat).
// gradPassThrough: f forward, the identity backward (each output's cotangent goes to the input
// in the same position), built on customGradient as TensorFlow builds it.
import { Tensor, ValueError, checkpoint, tree, vjp } from "../index.js";
import { customGradient } from "./custom.js";
import { describe } from "./errors.js";
import { tfPrint } from "./format.js";
import { active, attach, freshOutputs, internalRead, isFloat, quiet, run, tensorsOf, watchReads, type Node } from "./runtime.js";
import { Variable, withVariableScope } from "./variable.js";

const checkFn = (api: string, f: unknown) => {
  if (typeof f !== "function") throw new ValueError({ message: `${api}: expected a function of tensors, got ${describe(f)}.` });
};

/** f with the variables `vars` reading as `values` (the recomputation differentiates with respect to them). */
function withValues<T>(vars: readonly Variable[], values: readonly Tensor[], fn: () => T): T {
  const api = "tf.recomputeGrad";
  return withVariableScope(
    {
      read: (v) => {
        const k = vars.indexOf(v);
        return k >= 0 ? values[k] : undefined;
      },
      assign: (v) => {
        throw new ValueError({ message: `${api}: the function assigns variable '${v.name}'; a recomputed function runs again in the backward pass, so it must not change state. Assign outside it.` });
      },
      init: (make) => make(),
    },
    fn,
  );
}

function taped(f: (...a: any[]) => unknown, args: unknown[]): unknown {
  const xs = args.map((a) => (a instanceof Variable ? a[internalRead]() : a));
  const [y, read] = watchReads(() => quiet(() => f(...xs)));
  const vars = read.filter((v) => v.trainable && isFloat(v.dtype));
  const [yLeaves, yDef] = tree.flatten(y);
  const outs = yLeaves.map((l) => {
    if (!(l instanceof Tensor)) throw new ValueError({ message: `tf.recomputeGrad: the function must return tensors (a pytree of them), got ${describe(l)}.` });
    return tfPrint(l);
  });
  const argPos = xs.flatMap((x, i) => (x instanceof Tensor && isFloat(x.dtype) ? [i] : []));
  // read where the tapes see it: they watch (alias) these values as the variables
  const varValues = vars.map((v) => v[internalRead]());
  const inputs = [...argPos.map((i) => xs[i] as Tensor), ...varValues];
  // f again, of the differentiated inputs: what the backward pass linearizes (the recomputation)
  const g = (...ds: Tensor[]): Tensor[] => {
    const full = xs.slice();
    argPos.forEach((p, k) => (full[p] = ds[k]));
    return tree.leaves(withValues(vars, ds.slice(argPos.length), () => f(...full))) as Tensor[];
  };
  const pull = (a: Tensor[]) => (vjp(g, a.slice(0, inputs.length))[1] as (ct: Tensor[]) => Tensor[])(a.slice(inputs.length));
  const node: Node = {
    inputs,
    held: [...tensorsOf(xs), ...varValues],
    outputs: outs,
    fresh: freshOutputs(inputs, outs),
    backward: (cts) => quiet(() => pull([...inputs, ...cts])),
    backwardRecorded: (cts) => run(pull, [...inputs, ...cts]) as Tensor[],
  };
  attach(node);
  return tree.unflatten(yDef, outs);
}

/**
 * f with gradient checkpointing: the forward pass keeps none of f's intermediate values, and
 * taking the gradient runs f again to recompute them (less memory, one more forward pass). The
 * values and gradients are f's, for its tensor arguments and the trainable variables it reads.
 * On a tape it is one recorded op holding only f's inputs; under tapir's transforms it is
 * `checkpoint` (jax.remat). Mirrors `tf.recompute_grad`.
 *
 * @param f - a function of tensors returning a tensor or a pytree of tensors; it must not assign variables.
 * @throws ValueError when f is not a function, returns something else than tensors, or assigns a variable.
 * @example
 * ```ts
 * const block = tf.recomputeGrad((x: Tensor) => tf.sin(tf.sin(x)));
 * const x = tf.constant([0, 1]);
 * const tape = new tf.GradientTape();
 * tape.watch(x);
 * const y = tape.record(() => tf.reduceSum(block(x)));
 * tape.gradient(y, x); // → [1, 0.36004]
 * ```
 */
export function recomputeGrad<F extends (...args: any[]) => any>(f: F): F {
  checkFn("tf.recomputeGrad", f);
  const remat = checkpoint(f);
  return ((...args: unknown[]) => (active().length > 0 ? taped(f, args) : remat(...args.map((a) => (a instanceof Variable ? a.value() : a))))) as F;
}

/**
 * f forward, the identity backward: the gradient passes through f unchanged (each output's
 * cotangent becomes the gradient of the argument in the same position, so f must return one
 * tensor per argument, each of its argument's shape). Variables f reads get no gradient from it.
 * For ops with no useful gradient (quantisation, rounding, an assignment). Mirrors
 * `tf.grad_pass_through`.
 *
 * @param f - a function of tensors.
 * @throws ValueError when f is not a function, or when its outputs do not match its arguments.
 * @example
 * ```ts
 * const roundST = tf.gradPassThrough((x: Tensor) => tf.round(x)); // straight-through estimator
 * const x = tf.constant([0.4, 1.7]);
 * const tape = new tf.GradientTape();
 * tape.watch(x);
 * const y = tape.record(() => tf.reduceSum(tf.multiply(roundST(x), 3)));
 * y; // → 6
 * tape.gradient(y, x); // → [3, 3]
 * ```
 */
export function gradPassThrough<F extends (...args: any[]) => any>(f: F): F {
  checkFn("tf.gradPassThrough", f);
  return customGradient((...xs: unknown[]) => [
    f(...xs),
    (...dys: unknown[]) => {
      // with variables read, customGradient passes {variables} last and wants [argument grads, variable grads]
      const last = dys[dys.length - 1];
      if (typeof last === "object" && last !== null && !(last instanceof Tensor) && "variables" in last) {
        const vars = (last as { variables: Variable[] }).variables;
        return [dys.slice(0, -1), vars.map(() => null)];
      }
      return dys;
    },
  ]) as unknown as F;
}
