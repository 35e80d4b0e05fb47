// lax.whileLoop as the higher-order primitive `while`: operands [cond consts, body consts,
// carry]. Rules: eval (compiled cond and body), jvp, batching; reverse mode is refused (the
// trip count is only known at run time).
import { ClosedJaxpr } from "../../core/ir.js";
import { definePrimitive, type Primitive } from "../../core/primitive.js";
import { DTypeError, ShapeError, TreeError, ValueError, fail } from "../../core/errors.js";
import { shapeEq } from "../../core/shape.js";
import { freshOutputs, type Tensor } from "../../core/tensor.js";
import { bind, currentApi } from "../../core/trace.js";
import { flatten, treeDefEqual, treeDefString, unflatten } from "../../core/tree.js";
import * as ops from "../../core/numpy/index.js";
import { flattenToTensors } from "../args.js";
import { jvpJaxpr, runClosed, stageClosed, vmapJaxpr } from "../jaxpr-transforms.js";
import { compiled } from "../jit.js";
import { ownedCopy, stepProgram } from "./step-program.js";
import { count, split } from "../lists.js";
import { avalsOf, fmtAval, inAvalsOf, outAvalsOf, rewire, stageUser } from "./common.js";

type WhileParams = { cond: ClosedJaxpr; body: ClosedJaxpr; nCondConsts: number; nBodyConsts: number };

/** [cond consts, body consts, carry] of a while's operands. */
const operands = <T>(xs: readonly T[], p: WhileParams) => split(xs, [p.nCondConsts, p.nBodyConsts]) as [T[], T[], T[]];

const whileError = () =>
  fail(
    ValueError,
    `${currentApi("grad")}: reverse-mode differentiation through lax.whileLoop is not supported (its trip count is only known at run time). Use lax.scan, or lax.forILoop with static bounds; forward mode (jvp, jacfwd) works.`,
  );

export const whileP: Primitive<WhileParams> = definePrimitive<"while", WhileParams>({
  name: "while",
  multipleResults: true,
  abstractEval: (_a, p) => outAvalsOf(p.body),
  impl: (args, p) => {
    // the cond as a compiled program, the body as a step program (step-program.ts: buffers
    // recycled per step, accumulating carries updated in place in a loop-owned copy)
    const c = compiled(p.cond);
    const b = stepProgram(p.body, p.nBodyConsts, args.length - p.nCondConsts - p.nBodyConsts);
    const [cc, bc, init] = operands(args, p);
    const carry = b.begin(init, bc);
    const condIn: Tensor[] = [...cc, ...carry];
    const bodyIn: Tensor[] = [...bc, ...carry];
    for (;;) {
      for (let k = 0; k < carry.length; k++) condIn[cc.length + k] = bodyIn[bc.length + k] = carry[k]!;
      const pred = c.run(condIn)[0]!;
      const go = pred._data[0];
      pred.dispose();
      if (!go) break;
      const next = b.run(bodyIn);
      for (let k = 0; k < carry.length; k++) {
        // the previous carry is dead unless it is the caller's init or was updated in place
        if (next[k] !== carry[k] && carry[k] !== init[k]) carry[k]!.dispose();
        carry[k] = next[k]!;
      }
    }
    // a carry in the kernel memory (a view) is copied out
    for (let k = 0; k < carry.length; k++) if (carry[k]!._storage!.refs === Infinity) carry[k] = ownedCopy(carry[k]!);
    return freshOutputs(carry, args);
  },
  jvp: (primals, tangents, p) => {
    const [cc, bc, k] = operands(primals, p);
    const [, bcT, kT] = operands(tangents, p);
    // every carry tangent is instantiated (a zero one can become non-zero in the loop)
    const bcNz = bcT.map((t) => t !== null);
    const nz = [...bcNz, ...k.map(() => true)];
    const nBodyConstTangents = count(bcNz);
    const [bcA, kA] = split(inAvalsOf(p.body), [p.nBodyConsts]);
    // new carry [k, k̇]; body consts [c, ċ]; the cond reads k only
    const body = rewire(jvpJaxpr(p.body, nz), [...bcA, ...bcA.filter((_, i) => bcNz[i]), ...kA, ...kA], (xs) => {
      const [c, cd, kk, kd] = split(xs, [bcA.length, nBodyConstTangents, kA.length]);
      return [...c, ...kk, ...cd, ...kd];
    });
    const cIns = inAvalsOf(p.cond);
    const cond = rewire(p.cond, [...cIns, ...kA], (xs) => xs.slice(0, cIns.length));
    const bcd = bcT.filter((t) => t !== null) as typeof primals;
    const kd = kT.map((t, i) => t ?? ops.zerosLike(k[i]!));
    const outs = bind(whileP, [...cc, ...bc, ...bcd, ...k, ...kd], { cond, body, nCondConsts: cc.length, nBodyConsts: bc.length + nBodyConstTangents });
    return split(outs, [k.length]) as [typeof outs, typeof outs];
  },
  batch: (args, dims, p, size) => {
    const [cc, bc, k] = operands(args, p);
    const [cD, bD, kD] = operands(dims, p);
    const carry = k.map((a, i) => (kD[i] === null ? ops.broadcastTo(ops.expandDims(a, 0), [size, ...a.shape]) : ops.moveaxis(a, kD[i]!, 0)));
    const kDims = carry.map(() => 0);
    const vc = vmapJaxpr(p.cond, [...cD, ...kDims], size);
    const vb = vmapJaxpr(p.body, [...bD, ...kDims], size);
    const [cIn, bIn, kAvals] = [avalsOf(cc), avalsOf(bc), avalsOf(carry)];
    // loop while any example continues; finished examples keep their carry
    const cond = stageClosed((xs) => [ops.max(ops.astype(runClosed(vc, xs)[0]!, "int32")).astype("bool")], [...cIn, ...kAvals], "while.cond");
    const body = stageClosed(
      (xs) => {
        const [c, b, kk] = split(xs, [cc.length, bc.length]);
        const pred = runClosed(vc, [...c, ...kk])[0]!;
        const next = runClosed(vb, [...b, ...kk]);
        return next.map((n, i) => ops.where(ops.reshape(pred, [size, ...new Array<number>(n.ndim - 1).fill(1)]), n, kk![i]!));
      },
      [...cIn, ...bIn, ...kAvals],
      "while.body",
    );
    const outs = bind(whileP, [...cc, ...cc, ...bc, ...carry], { cond, body, nCondConsts: cc.length, nBodyConsts: cc.length + bc.length });
    return [outs, outs.map(() => 0)];
  },
  // reverse mode would transpose the loop: its trip count is only known at run time
  transpose: () => {
    throw whileError();
  },
  higherOrder: true,
});
// With some inputs unknown the whole loop is staged (the partial-evaluation trace's default,
// as in JAX): staging a loop whose init or constants are known values (vmapJaxpr, jvpJaxpr,
// branch and body tracing) and linearize work; grad fails when it transposes the staged loop,
// with whileError.

/**
 * `while (condFn(carry)) carry = bodyFn(carry)`, traceable: under jit the loop is compiled once
 * and its trip count is decided at run time. Forward mode (jvp, jacfwd) and vmap work; reverse
 * mode is an error, as in JAX (use `lax.scan` or `lax.forILoop` with static bounds).
 * Mirrors `jax.lax.while_loop`.
 *
 * @param condFn - `carry => scalar bool`.
 * @param bodyFn - `carry => carry` with the same structure, shapes and dtypes.
 * @param init - the initial carry (a pytree of tensors).
 * @returns the final carry.
 * @throws ValueError under grad/vjp, naming `lax.scan` as the fix.
 * @example
 * ```ts
 * // the first power of two at least 100
 * lax.whileLoop((v: Tensor) => np.less(v, 100), (v: Tensor) => np.multiply(v, 2), np.array(1)).item(); // → 128
 * ```
 */
export function whileLoop(condFn: (c: any) => unknown, bodyFn: (c: any) => unknown, init: unknown): any {
  const [carry, tree] = flattenToTensors("lax.whileLoop", init, "init");
  const av = avalsOf(carry);
  const argTree = flatten([init])[1];
  const [cc, hc] = stageUser("lax.whileLoop", condFn, argTree, av);
  const [bc, hb, bTree] = stageUser("lax.whileLoop", bodyFn, argTree, av);
  const pa = outAvalsOf(cc);
  if (pa.length !== 1 || pa[0]!.shape.length !== 0) throw fail(ShapeError, `lax.whileLoop: condFn must return a scalar, got ${pa.map(fmtAval).join(", ")}.`);
  if (!treeDefEqual(bTree, tree)) throw fail(TreeError, `lax.whileLoop: bodyFn must return the carry's structure ${treeDefString(tree)}, got ${treeDefString(bTree)}.`);
  outAvalsOf(bc).forEach((a, i) => {
    if (a.dtype !== av[i]!.dtype || !shapeEq(a.shape, av[i]!.shape)) {
      throw fail(a.dtype !== av[i]!.dtype ? DTypeError : ShapeError, `lax.whileLoop: carry leaf ${i} enters as ${fmtAval(av[i]!)} but bodyFn returns ${fmtAval(a)}; the carry must keep its shape and dtype.`);
    }
  });
  // the predicate as bool
  const condB = pa[0]!.dtype === "bool" ? cc : rewire(cc, inAvalsOf(cc), (xs) => xs, (ys) => [ops.notEqual(ys[0]!, 0)]);
  const outs = bind(whileP, [...hc, ...hb, ...carry], { cond: condB, body: bc, nCondConsts: hc.length, nBodyConsts: hb.length });
  return unflatten(tree, outs);
}
