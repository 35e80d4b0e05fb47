// lax.cond as the higher-order primitive `cond`: one closed jaxpr per branch, the predicate
// first among the operands. Its rules: eval, jvp, batching, partial evaluation, transpose.
import { ClosedJaxpr } from "../../core/ir.js";
import { definePrimitive, type Primitive } from "../../core/primitive.js";
import { DTypeError, ShapeError, TreeError, fail } from "../../core/errors.js";
import { shapeEq } from "../../core/shape.js";
import { Tensor } from "../../core/tensor.js";
import { bind, isTracer, toConcrete } from "../../core/trace.js";
import { treeDefEqual, treeDefString, unflatten } from "../../core/tree.js";
import * as ops from "../../core/numpy/index.js";
import { flattenToTensors } from "../args.js";
import { definePartialEval } from "../partial-eval.js";
import { jvpJaxpr, partialEvalJaxpr, residualAvals, runClosed, transposeJaxpr, vmapJaxpr } from "../jaxpr-transforms.js";
import { compiled } from "../jit.js";
import { merge, partition, present, split } from "../lists.js";
import { avalsOf, fmtAval, inAvalsOf, outAvalsOf, rewire, stageUser, zerosOf } from "./common.js";

type CondParams = { branches: ClosedJaxpr[] };

export const condP: Primitive<CondParams> = definePrimitive<"cond", CondParams>({
  name: "cond",
  multipleResults: true,
  abstractEval: (_a, p) => outAvalsOf(p.branches[0]!),
  impl: ([pred, ...xs], p) => compiled(p.branches[pred!._data[0] ? 1 : 0]!).run(xs),
  jvp: ([pred, ...xs], [, ...ts], p) => {
    const branches = p.branches.map((b) => jvpJaxpr(b, ts.map((t) => t !== null)));
    const outs = bind(condP, [pred!, ...xs, ...present(ts)], { branches });
    return split(outs, [outAvalsOf(p.branches[0]!).length]) as [Tensor[], Tensor[]];
  },
  batch: ([pred, ...xs], [pd, ...dims], p, size) => {
    if (pd === null) {
      const branches = p.branches.map((b) => vmapJaxpr(b, dims, size));
      const outs = bind(condP, [pred!, ...xs], { branches });
      return [outs, outs.map(() => 0)];
    }
    // a batched predicate: run both branches on the whole batch and select per example
    const [f, t] = p.branches.map((b) => runClosed(vmapJaxpr(b, dims, size), xs)) as [Tensor[], Tensor[]];
    const pb = pd === 0 ? pred! : ops.moveaxis(pred!, pd!, 0);
    const outs = t.map((ti, i) => ops.where(ops.reshape(pb, [size, ...new Array<number>(ti.ndim - 1).fill(1)]), ti, f[i]!));
    return [outs, outs.map(() => 0)];
  },
  transpose: (cts, [pred, ...args], p) => {
    const linear = args.map((a) => !(a instanceof Tensor));
    const branches = p.branches.map((b) => transposeJaxpr(b, linear));
    const avs = outAvalsOf(p.branches[0]!);
    const ctIns = cts.map((c, i) => c ?? zerosOf(avs[i]!));
    const [residuals] = partition(linear, args) as [Tensor[], unknown[]];
    const res = bind(condP, [pred as Tensor, ...residuals, ...ctIns], { branches });
    return [null, ...merge(linear, linear.map(() => null), res)];
  },
  higherOrder: true,
});

/**
 * Splits each branch by the unknown inputs; both branches then agree on which outputs are
 * unknown, and each known part produces every branch's residuals (zeros for the others').
 */
function splitCond(p: CondParams, unknowns: boolean[]): { known: ClosedJaxpr[]; unknown: ClosedJaxpr[]; outUnknown: boolean[]; nRes: number } {
  const first = p.branches.map((b) => partialEvalJaxpr(b, unknowns));
  const outUnknown = first[0]!.outUnknown.map((_, i) => first.some((pj) => pj.outUnknown[i]));
  const pjs = p.branches.map((b) => partialEvalJaxpr(b, unknowns, outUnknown));
  const resAvals = pjs.map(residualAvals);
  const allRes = resAvals.flat();
  const [knownIn, unknownIn] = partition(unknowns, inAvalsOf(p.branches[0]!));
  const known = pjs.map((pj, b) =>
    rewire(pj.known, knownIn, (xs) => xs, (ys) => {
      const [outs, res] = split(ys, [ys.length - pj.nRes]);
      return [...outs, ...resAvals.flatMap((avs, c) => (c === b ? res : avs.map(zerosOf)))];
    }),
  );
  const unknown = pjs.map((pj, b) =>
    rewire(pj.unknown, [...allRes, ...unknownIn], (xs) => {
      const [res, ins] = split(xs, [allRes.length]);
      return [...split(res, resAvals.slice(0, -1).map((r) => r.length))[b]!, ...ins];
    }),
  );
  return { known, unknown, outUnknown, nRes: allRes.length };
}

definePartialEval(condP, (trace, [pred, ...xs], p) => {
  if (pred!.known === null) return trace.stage(condP, [pred!, ...xs], p);
  // a concrete predicate: only the taken branch is traced
  if (!isTracer(pred!.known)) return runClosed(p.branches[toConcrete(pred!.known, "cond")._data[0] ? 1 : 0]!, xs);
  const unknowns = xs.map((t) => t.known === null);
  const s = splitCond(p, unknowns);
  const [knownIns, unknownIns] = partition(unknowns, xs);
  const kOuts = bind(condP, [pred!.known, ...knownIns.map((t) => t.known!)], { branches: s.known });
  const [knownOuts, res] = split(kOuts, [kOuts.length - s.nRes]);
  const uOuts = trace.stage(condP, [pred!, ...res.map((r) => trace.pure(r)), ...unknownIns], { branches: s.unknown });
  return merge(s.outUnknown, knownOuts, uOuts);
});

/**
 * `trueFn(...operands)` if `pred` else `falseFn(...operands)`, as one differentiable,
 * traceable operation: under jit both branches are traced (they must return the same pytree
 * structure, shapes and dtypes) and one runs; with a concrete pred only the taken branch runs.
 * Mirrors `jax.lax.cond`.
 *
 * @param pred - a scalar boolean or number (non-zero is true), concrete or traced.
 * @param trueFn - the branch taken when pred holds.
 * @param falseFn - the other branch.
 * @param operands - the arguments passed to the branch (pytrees of tensors).
 * @throws ShapeError/TypeError when the branches' outputs differ in structure, shape or dtype.
 * @example
 * ```ts
 * const f = jit((x: Tensor) => lax.cond(np.greater(x, 0), (v: Tensor) => np.multiply(v, 2), (v: Tensor) => np.negative(v), x));
 * f(np.array(3)).item(); // → 6
 * f(np.array(-3)).item(); // → 3
 * grad(f)(np.array(3)).item(); // → 2
 * ```
 */
export function cond(pred: unknown, trueFn: (...a: any[]) => unknown, falseFn: (...a: any[]) => unknown, ...operands: unknown[]): any {
  const p = ops.asarray(pred as number);
  if (p.size !== 1 || p.ndim !== 0) throw fail(ShapeError, `lax.cond: the predicate must be a scalar, got ${fmtAval(p)}. Reduce it (e.g. .all / .sum() > 0) or use np.where for elementwise selection.`);
  const pb = p.dtype === "bool" ? p : ops.notEqual(p, 0);
  const [leaves, tree] = flattenToTensors("lax.cond", operands, "operand");
  const av = avalsOf(leaves);
  const [cjF, hF, treeF] = stageUser("lax.cond", falseFn, tree, av);
  const [cjT, hT, treeT] = stageUser("lax.cond", trueFn, tree, av);
  if (!treeDefEqual(treeF, treeT)) throw fail(TreeError, `lax.cond: the branches return different structures: true → ${treeDefString(treeT)}, false → ${treeDefString(treeF)}.`);
  const [oF, oT] = [outAvalsOf(cjF), outAvalsOf(cjT)];
  oT.forEach((a, i) => {
    const b = oF[i]!;
    if (a.dtype !== b.dtype || !shapeEq(a.shape, b.shape)) {
      throw fail(a.dtype !== b.dtype ? DTypeError : ShapeError, `lax.cond: output ${i} differs between branches: true → ${fmtAval(a)}, false → ${fmtAval(b)}. Both branches must return the same shapes and dtypes.`);
    }
  });
  // both branches take [...false's hoisted, ...true's hoisted, ...operands]
  const allAvals = [...avalsOf(hF), ...avalsOf(hT), ...av];
  const F = rewire(cjF, allAvals, (xs) => {
    const [f, , ins] = split(xs, [hF.length, hT.length]);
    return [...f, ...ins];
  });
  const T = rewire(cjT, allAvals, (xs) => xs.slice(hF.length));
  const outs = bind(condP, [pb, ...hF, ...hT, ...leaves], { branches: [F, T] });
  return unflatten(treeT, outs);
}
