// User-defined derivatives and rematerialisation: customJvp, customVjp, checkpoint. Each is a
// higher-order primitive holding functions in its params; its rules live here.
import { ShapeError, ValueError, TreeError, fail } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import { definePrimitive, linearJvp, UndefPrimal, type Primitive, type Tan } from "../core/primitive.js";
import type { Tensor } from "../core/tensor.js";
import { Tensor as TensorClass, freshOutputs } from "../core/tensor.js";
import { bind, type Aval } from "../core/trace.js";
import { flatten, map as treeMap, treeDefEqual, treeDefString, unflatten, type TreeDef } from "../core/tree.js";
import * as ops from "../core/numpy/index.js";
import { checkFunction, checkRuleTangents, flattenToTensors } from "./args.js";
import { jvpFlat } from "./jvp.js";
import { stageFlat } from "./partial-eval.js";
import { backwardPass } from "./transpose.js";
import { linearizeFlat, FlatFn } from "./vjp.js";
import { vmapFlat } from "./vmap.js";

type FlatF = (xs: Tensor[]) => Tensor[];
const zerosFor = (ts: Tan[], like: readonly Tensor[]) => ts.map((t, i) => t ?? ops.zerosLike(like[i]!));
const toFront = (xs: Tensor[], dims: (number | null)[]) => xs.map((x, i) => (dims[i] === null || dims[i] === 0 ? x : ops.moveaxis(x, dims[i]!, 0)));
const front = (dims: (number | null)[]) => dims.map((d) => (d === null ? null : 0));
/** f vmapped over leading axes `inDims`, every output batched at 0. */
const vmapped = (f: FlatF, inDims: (number | null)[], size: number): FlatF => (xs) => vmapFlat(f, xs, inDims, (n) => new Array(n).fill(0), size);
/** Output avals of a flat function, found by staging it. */
const stagedOutAvals = (f: FlatF, avals: Aval[], name: string): Aval[] => stageFlat(f, avals, name)[0].outAvals;

// ------------------------------------------------------------------ customJvp

type CJParams = { fn: FlatF; jvp: (ps: Tensor[], ts: Tensor[]) => [Tensor[], Tensor[]] };
// f with a user rule for its JVP; evaluated as f, differentiated by the rule
export const customJvpCallP: Primitive<CJParams> = definePrimitive<"custom_jvp_call", CJParams>({
  name: "custom_jvp_call",
  multipleResults: true,
  abstractEval: (avals, p) => stagedOutAvals(p.fn, avals, "customJvp"),
  impl: (args, p) => freshOutputs(p.fn(args), args),
  jvp: (primals, tangents, p) => p.jvp(primals, zerosFor(tangents, primals)),
  batch: (args, dims, p, size) => {
    const inD = front(dims);
    const fn = vmapped(p.fn, inD, size);
    const jvp = (ps: Tensor[], ts: Tensor[]): [Tensor[], Tensor[]] => {
      let n = 0;
      const flat = vmapFlat((xs) => {
        const [o, t] = p.jvp(xs.slice(0, ps.length), xs.slice(ps.length));
        n = o.length;
        return [...o, ...t];
      }, [...ps, ...ts], [...inD, ...inD], (k) => new Array(k).fill(0), size); // a tangent is batched like its primal
      return [flat.slice(0, n), flat.slice(n)];
    };
    const outs = bind(customJvpCallP, toFront(args, dims), { fn, jvp });
    return [outs, outs.map(() => 0)];
  },
  higherOrder: true,
});
// partial evaluation stages it as a call (the default), not inlined, so the custom rule survives
// when a control-flow body, a vmapped jaxpr or any other staged program is differentiated later

/**
 * f with a custom forward-mode rule: `rule(primals, tangents)` returns `[out, tangentOut]`,
 * where primals and tangents are the lists of f's arguments. Forward and reverse mode both use
 * the rule (reverse mode transposes it, so it must be linear in the tangents); f itself runs
 * for plain evaluation, `vmap` and `jit`. Mirrors `jax.custom_jvp` with `defjvp`.
 *
 * @param f - the function whose derivative is replaced.
 * @param rule - `(primals, tangents) => [f(...primals), J·tangents]`.
 * @returns a function with f's signature.
 * @throws ShapeError/DTypeError when the rule's tangent output does not match f's output.
 * @example
 * ```ts
 * // log(1 + eˣ) whose derivative stays finite for large x
 * const softplus = customJvp(
 *   (x: Tensor) => np.log1p(np.exp(x)),
 *   ([x], [t]) => [np.log1p(np.exp(x)), np.multiply(t, nn.sigmoid(x))],
 * );
 * grad(softplus)(np.array(100)).item(); // → 1
 * grad(softplus)(np.array(0)).item(); // → 0.5
 * ```
 */
export function customJvp<F extends (...args: any[]) => any>(f: F, rule: (primals: any[], tangents: any[]) => [any, any]): F {
  checkFunction("customJvp", f), checkFunction("customJvp", rule, "the jvp rule");
  return ((...args: unknown[]) => {
    const [leaves, inTree] = flattenToTensors("customJvp", args, "argument");
    const ff = new FlatFn("customJvp", f, inTree, false);
    const jvp = (ps: Tensor[], ts: Tensor[]): [Tensor[], Tensor[]] => {
      const res = rule(unflatten(inTree, ps), unflatten(inTree, ts));
      if (!Array.isArray(res) || res.length !== 2) throw fail(TreeError, "customJvp: the rule must return [primalOut, tangentOut].");
      const [ol, od] = flattenToTensors("customJvp", res[0], "rule output");
      const [tl, td] = flattenToTensors("customJvp", res[1], "rule tangent output");
      if (!treeDefEqual(od, td)) throw fail(TreeError, `customJvp: the rule's tangent output ${treeDefString(td)} must have the primal output's structure ${treeDefString(od)}.`);
      checkRuleTangents("customJvp", tl, ol);
      ff.outTree ??= od;
      ff.nOut = ol.length;
      return [ol, tl];
    };
    const outs = bind(customJvpCallP, leaves, { fn: ff.call, jvp });
    return ff.out(outs);
  }) as F;
}

// ------------------------------------------------------------------ customVjp

type BwdFlat = (res: Tensor[], cts: Tensor[]) => Tensor[];
type CVParams = { fn: FlatF; fwd: (xs: Tensor[]) => [Tensor[], Tensor[]]; bwd: BwdFlat };
type LinParams = { bwd: BwdFlat; nRes: number; outAvals: Aval[] };

// the tangent map of a customVjp function: linear in the tangents, transposed by the user's bwd
export const customLinP: Primitive<LinParams> = definePrimitive<"custom_lin", LinParams>({
  name: "custom_lin",
  multipleResults: true,
  abstractEval: (_avals, p) => p.outAvals,
  impl: () => {
    throw fail(
      ValueError,
      "jvp: forward-mode differentiation (jvp, jacfwd, hessian) of a customVjp function is not supported, as in JAX. Use customJvp to give a forward rule, or reverse mode (grad, vjp, jacrev).",
    );
  },
  jvp: linearJvp(),
  batch: (args, dims, p, size) => {
    const inD = front(dims);
    const bwd: BwdFlat = (res, cts) => vmapFlat((xs) => p.bwd(xs.slice(0, res.length), xs.slice(res.length)), [...res, ...cts], [...inD.slice(0, p.nRes), ...p.outAvals.map(() => 0)], (n) => new Array(n).fill(0), size);
    const outs = bind(customLinP, toFront(args, dims), { ...p, bwd, outAvals: p.outAvals.map((a) => ({ shape: [size, ...a.shape], dtype: a.dtype })) });
    return [outs, outs.map(() => 0)];
  },
  transpose: (cts, args, p) => {
    const res = args.slice(0, p.nRes) as Tensor[];
    const ctIn = p.bwd(res, cts.map((c, i) => c ?? ops.zeros(p.outAvals[i]!.shape, { dtype: p.outAvals[i]!.dtype })));
    return [...res.map(() => null), ...ctIn];
  },
});

export const customVjpCallP: Primitive<CVParams> = definePrimitive<"custom_vjp_call", CVParams>({
  name: "custom_vjp_call",
  multipleResults: true,
  abstractEval: (avals, p) => stagedOutAvals(p.fn, avals, "customVjp"),
  impl: (args, p) => freshOutputs(p.fn(args), args),
  jvp: (primals, tangents, p) => {
    const [outs, res] = p.fwd(primals);
    const touts = bind(customLinP, [...res, ...zerosFor(tangents, primals)], { bwd: p.bwd, nRes: res.length, outAvals: outs.map((o) => ({ shape: o.shape, dtype: o.dtype })) });
    return [outs, touts];
  },
  batch: (args, dims, p, size) => {
    const inD = front(dims);
    const fn = vmapped(p.fn, inD, size);
    const fwd = (xs: Tensor[]): [Tensor[], Tensor[]] => {
      let n = 0;
      const flat = vmapFlat((ys) => {
        const [o, r] = p.fwd(ys);
        n = o.length;
        return [...o, ...r];
      }, xs, inD, (k) => new Array(k).fill(0), size);
      return [flat.slice(0, n), flat.slice(n)];
    };
    // cotangents of unbatched arguments are summed over the batch (they were shared by every example)
    const bwd: BwdFlat = (res, cts) =>
      vmapFlat((ys) => p.bwd(ys.slice(0, res.length), ys.slice(res.length)), [...res, ...cts], [...res.map(() => 0), ...cts.map(() => 0)], (k) => new Array(k).fill(0), size).map((c, i) =>
        inD[i] === null ? ops.sum(c, 0) : c,
      );
    const outs = bind(customVjpCallP, toFront(args, dims), { fn, fwd, bwd });
    return [outs, outs.map(() => 0)];
  },
  higherOrder: true,
});
// partial evaluation stages it as a call (the default), not inlined: inlining lost the user's bwd
// inside lax.scan / lax.cond bodies and vmap(jit(f)) when they were differentiated later

/**
 * f with a custom reverse-mode rule: `fwd(...args)` returns `[out, residuals]` and
 * `bwd(residuals, ct)` returns one cotangent per argument (each shaped as that argument).
 * Reverse mode (grad, vjp, jacrev) uses fwd/bwd; plain evaluation, `vmap` and `jit` run f.
 * Forward mode is not defined for it (as in JAX). Mirrors `jax.custom_vjp` with `defvjp`.
 *
 * @param f - the function whose gradient is replaced.
 * @param fwd - `(...args) => [f(...args), residuals]` (residuals: any pytree of tensors).
 * @param bwd - `(residuals, ct) => cotangents`, a list with one entry per argument.
 * @returns a function with f's signature.
 * @throws NoRuleError under jvp/jacfwd.
 * @example
 * ```ts
 * // clip the gradient to [-1, 1] on the way back
 * const clipGrad = customVjp(
 *   (x: Tensor) => x,
 *   (x: Tensor) => [x, null],
 *   (_res: null, ct: Tensor) => [np.clip(ct, -1, 1)],
 * );
 * grad((x: Tensor) => np.multiply(clipGrad(x), 5))(np.array(2)).item(); // → 1
 * ```
 */
export function customVjp<F extends (...args: any[]) => any>(f: F, fwd: (...args: any[]) => [any, any], bwd: (res: any, ct: any) => any[]): F {
  checkFunction("customVjp", f), checkFunction("customVjp", fwd, "fwd"), checkFunction("customVjp", bwd, "bwd");
  return ((...args: unknown[]) => {
    const [leaves, inTree] = flattenToTensors("customVjp", args, "argument");
    const ff = new FlatFn("customVjp", f, inTree, false);
    let resTree: TreeDef | undefined;
    let resOther: unknown[] = [];
    const fwdFlat = (xs: Tensor[]): [Tensor[], Tensor[]] => {
      const r = fwd(...(unflatten(inTree, xs) as unknown[]));
      if (!Array.isArray(r) || r.length !== 2) throw fail(TreeError, "customVjp: fwd must return [output, residuals].");
      const [ol, od] = flattenToTensors("customVjp", r[0], "fwd output");
      ff.outTree ??= od;
      ff.nOut = ol.length;
      const [rl, rd] = flatten(r[1]);
      resTree = rd;
      resOther = rl;
      return [ol, rl.filter((l): l is Tensor => l instanceof TensorClass)];
    };
    const bwdFlat: BwdFlat = (res, cts) => {
      let k = 0;
      const resTreeVal = unflatten(resTree!, resOther.map((l) => (l instanceof TensorClass ? res[k++] : l)));
      const out = bwd(resTreeVal, ff.out(cts));
      if (!Array.isArray(out) || out.length !== args.length) {
        throw fail(TreeError, `customVjp: bwd must return an array with one cotangent per argument (${args.length}), got ${Array.isArray(out) ? out.length : typeof out}.`);
      }
      const filled = out.map((c, i) => (c === null || c === undefined ? treeMap((l: unknown) => ops.zerosLike(l as Tensor), args[i]) : c));
      const [cl, cd] = flattenToTensors("customVjp", filled, "bwd output");
      if (!treeDefEqual(cd, inTree)) throw fail(TreeError, `customVjp: bwd returned ${treeDefString(cd)} but the arguments are ${treeDefString(inTree)}.`);
      return cl.map((c, i) => {
        const want = leaves[i]!.shape;
        const fits = c.ndim <= want.length && c.shape.every((d, k) => d === 1 || d === want[want.length - c.ndim + k]);
        if (!fits) {
          throw fail(ShapeError, `customVjp: bwd returned a cotangent of shape ${fmtShape(c.shape)} for argument leaf ${i} of shape ${fmtShape(want)}; each cotangent must have its argument's shape.`);
        }
        return ops.broadcastTo(c.dtype === leaves[i]!.dtype ? c : ops.astype(c, leaves[i]!.dtype), want);
      });
    };
    const outs = bind(customVjpCallP, leaves, { fn: ff.call, fwd: fwdFlat, bwd: bwdFlat });
    return ff.out(outs);
  }) as F;
}

// ------------------------------------------------------------------ checkpoint

type RematParams = { fn: FlatF };
type RematLinParams = { fn: FlatF; n: number; outAvals: Aval[] };

/** JVP and batching of a primitive by differentiating / vmapping its (traceable) impl. */
const traceImpl = (prim: () => Primitive<RematLinParams>) => ({
  jvp: (primals: Tensor[], tangents: Tan[], p: RematLinParams): [Tensor[], Tan[]] => jvpFlat((xs) => prim().impl(xs, p), primals, tangents),
  batch: (args: Tensor[], dims: (number | null)[], p: RematLinParams, size: number): [Tensor[], (number | null)[]] => {
    const outs = vmapFlat((xs) => prim().impl(xs, p), args, dims, (n) => new Array(n).fill(0), size);
    return [outs, outs.map(() => 0)];
  },
});

// tangent map of a checkpointed function: stores only the inputs, recomputes fn in the backward pass
export const rematLinP: Primitive<RematLinParams> = definePrimitive<"remat_lin", RematLinParams>({
  name: "remat_lin",
  multipleResults: true,
  abstractEval: (_a, p) => p.outAvals,
  impl: (args, p) => jvpFlat(p.fn, args.slice(0, p.n), args.slice(p.n))[1].map((t, i) => t ?? ops.zeros(p.outAvals[i]!.shape, { dtype: p.outAvals[i]!.dtype })),
  ...traceImpl(() => rematLinP),
  transpose: (cts, args, p) => {
    const primals = args.slice(0, p.n) as Tensor[];
    const lin = linearizeFlat(p.fn, primals, "checkpoint");
    const ctIn = backwardPass(lin.jaxpr, lin.consts, cts);
    return [...primals.map(() => null), ...args.slice(p.n).map((a, i) => (a instanceof UndefPrimal ? ctIn[i] ?? null : null))];
  },
});

export const checkpointCallP: Primitive<RematParams> = definePrimitive<"checkpoint", RematParams>({
  name: "checkpoint",
  multipleResults: true,
  abstractEval: (avals, p) => stagedOutAvals(p.fn, avals, "checkpoint"),
  impl: (args, p) => freshOutputs(p.fn(args), args),
  jvp: (primals, tangents, p, self) => {
    const outs = bind(self, primals, p);
    const touts = bind(rematLinP, [...primals, ...zerosFor(tangents, primals)], { fn: p.fn, n: primals.length, outAvals: outs.map((o) => ({ shape: o.shape, dtype: o.dtype })) });
    return [outs, touts];
  },
  batch: (args, dims, p, size, self) => {
    const outs = bind(self, toFront(args, dims), { fn: vmapped(p.fn, front(dims), size) });
    return [outs, outs.map(() => 0)];
  },
  higherOrder: true,
});
// partial evaluation stages it as a call (the default), so a jitted or loop-body program keeps
// rematerialising

/**
 * f with rematerialisation: the same values and derivatives, but reverse mode saves only f's
 * inputs and recomputes its intermediates during the backward pass (less memory, more
 * compute). Mirrors `jax.checkpoint` (`jax.remat`) with the default policy.
 *
 * @param f - any differentiable function of tensors.
 * @returns a function with f's signature.
 * @example
 * ```ts
 * const block = checkpoint((x: Tensor) => np.sin(np.sin(x)));
 * const g = grad((x: Tensor) => np.sum(block(x)))(np.array([0, 1]));
 * g; // → [1, 0.36004]
 * ```
 */
export function checkpoint<F extends (...args: any[]) => any>(f: F): F {
  checkFunction("checkpoint", f);
  return ((...args: unknown[]) => {
    const [leaves, inTree] = flattenToTensors("checkpoint", args, "argument");
    const ff = new FlatFn("checkpoint", f, inTree, false);
    return ff.out(bind(checkpointCallP, leaves, { fn: ff.call }));
  }) as F;
}

/**
 * The identity on values with a zero derivative: every tensor leaf of the pytree `x` is treated
 * as a constant by grad/jvp/vjp. Mirrors `jax.lax.stop_gradient`.
 *
 * @param x - a tensor or a pytree of tensors.
 * @returns the same values, structure, shapes and dtypes.
 * @example
 * ```ts
 * const f = (x: Tensor) => np.multiply(x, stopGradient(x)); // x · const(x)
 * grad(f)(np.array(3)).item(); // → 3
 * ```
 */
export function stopGradient<T>(x: T): T {
  const [ls, def] = flatten(x);
  return unflatten(def, ls.map((l) => (l instanceof TensorClass ? ops.stopGradient(l) : l)));
}
