// lax.scan as the higher-order primitive `scan`. Its operands are [consts, carry, xs]; its
// body maps [consts, carry, x] → [carry, y], and the scan returns [carry, stacked ys]. Rules:
// eval (compiled body, no per-step dispatch), jvp, batching, partial evaluation, transpose.
import { ClosedJaxpr, Var } from "../../core/ir.js";
import { definePrimitive, type Primitive, type Tan } from "../../core/primitive.js";
import { DTypeError, ShapeError, TreeError, ValueError, fail } from "../../core/errors.js";
import { shapeEq, sizeOf } from "../../core/shape.js";
import { Storage, Tensor, emptyTensor, freshOutputs } from "../../core/tensor.js";
import { bind, type Aval } from "../../core/trace.js";
import { flatten, treeDefEqual, treeDefString, unflatten } from "../../core/tree.js";
import * as ops from "../../core/numpy/index.js";
import { flattenToTensors } from "../args.js";
import { definePartialEval } from "../partial-eval.js";
import { jvpJaxpr, partialEvalJaxpr, runClosed, stageClosed, transposeJaxpr, vmapJaxpr, type PartialJaxpr } from "../jaxpr-transforms.js";
import { ownedCopy, stepProgram } from "./step-program.js";
import { wasmLoop } from "./loop-wasm.js";
import { count, merge, partition, present, split } from "../lists.js";
import { avalsOf, fmtAval, inAvalsOf, outAvalsOf, rewire, stageUser, zerosOf } from "./common.js";
import { checkOptions } from "../../core/numpy/options.js";

export type ScanParams = { body: ClosedJaxpr; nConsts: number; nCarry: number; length: number; reverse: boolean };

/**
 * Row i of x along its leading axis as a view of x's buffer (no copy). Its storage is borrowed:
 * disposing the view (or a reshape of it) never hands x's buffer back to the arena.
 */
function rowView(x: Tensor, i: number, shape: readonly number[], size: number): Tensor {
  const s = new Storage(x._data.subarray(i * size, (i + 1) * size));
  s.refs = Infinity;
  return new Tensor(shape, x.dtype, s);
}

/** [consts, carry, xs] of a scan's operands (or of its body's inputs). */
const operands = <T>(xs: readonly T[], p: ScanParams) => split(xs, [p.nConsts, p.nCarry]) as [T[], T[], T[]];
const stackedAval = (a: Aval, length: number): Aval => ({ shape: [length, ...a.shape], dtype: a.dtype });

export const scanP: Primitive<ScanParams> = definePrimitive<"scan", ScanParams>({
  name: "scan",
  multipleResults: true,
  abstractEval: (_a, p) => {
    const [carry, ys] = split(outAvalsOf(p.body), [p.nCarry]);
    return [...carry, ...ys.map((a) => stackedAval(a, p.length))];
  },
  impl: (args, p) => {
    // the body runs as one step program (step-program.ts): its buffers come back from the arena
    // at each step, accumulating carries are updated in place, xs rows are views, ys are
    // written into their stacked outputs by offset
    const prog = stepProgram(p.body, p.nConsts, p.nCarry);
    const [consts, init, xs] = operands(args, p);
    // a body whose every op has a Wasm kernel runs as one compiled loop (loop-wasm.ts)
    const loop = p.length > 0 ? wasmLoop(prog.plan, p.nConsts, p.nCarry) : null;
    if (loop !== null) return loop.run(consts, prog.plan.constVals, init, xs, p.length, p.reverse);
    const carry = prog.begin(init, consts);
    const stacked = outAvalsOf(p.body).slice(p.nCarry).map((a) => emptyTensor([p.length, ...a.shape], a.dtype));
    const rowShapes = xs.map((x) => x.shape.slice(1));
    const rowSizes = rowShapes.map(sizeOf);
    const inputs: Tensor[] = [...consts, ...carry, ...xs];
    const c0 = consts.length, x0 = c0 + p.nCarry;
    for (let s = 0; s < p.length; s++) {
      const i = p.reverse ? p.length - 1 - s : s;
      for (let k = 0; k < p.nCarry; k++) inputs[c0 + k] = carry[k]!;
      for (let k = 0; k < xs.length; k++) inputs[x0 + k] = rowView(xs[k]!, i, rowShapes[k]!, rowSizes[k]!);
      const outs = prog.run(inputs);
      for (let k = 0; k < p.nCarry; k++) {
        const next = outs[k]!;
        // the previous carry is dead unless it is the caller's init or was updated in place
        if (next !== carry[k] && carry[k] !== init[k]) carry[k]!.dispose();
        carry[k] = next;
      }
      for (let k = p.nCarry; k < outs.length; k++) {
        const y = outs[k]!;
        stacked[k - p.nCarry]!._data.set(y._data, i * y.size);
        y.dispose();
      }
    }
    // a carry that is a view (of an xs row, or of the kernel memory) is copied out
    for (let k = 0; k < p.nCarry; k++) if (carry[k]!._storage!.refs === Infinity) carry[k] = ownedCopy(carry[k]!);
    // a length-0 scan hands its init back: fresh handles, or the caller frees it twice
    return freshOutputs([...carry, ...stacked], args);
  },
  jvp: (primals, tangents, p) => {
    const nk = p.nCarry;
    const [cNz, , xNz] = operands(tangents.map((t) => t !== null), p);
    // every carry tangent is instantiated: a zero carry tangent can become non-zero in the loop
    const nz = [...cNz, ...new Array<boolean>(nk).fill(true), ...xNz];
    const nConstTangents = count(cNz);
    const nXs = xNz.length;
    const ny = outAvalsOf(p.body).length - nk;
    // jvpJaxpr's layout is [c, k, x, ċ, k̇, ẋ] → [k, y, k̇, ẏ]; the scan's is consts [c, ċ],
    // carry [k, k̇], xs [x, ẋ] → [k, k̇, y, ẏ]
    const [cA, kA, xA] = operands(inAvalsOf(p.body), p);
    const [cdA, kdA, xdA] = split(inAvalsOf(p.body).filter((_, i) => nz[i]), [nConstTangents, nk]);
    const body = rewire(
      jvpJaxpr(p.body, nz),
      [...cA, ...cdA, ...kA, ...kdA, ...xA, ...xdA],
      (xs) => {
        const [c, cd, k, kd, x, xd] = split(xs, [cA.length, nConstTangents, nk, nk, nXs]);
        return [...c, ...k, ...x, ...cd, ...kd, ...xd];
      },
      (ys) => {
        const [k, y, kd, yd] = split(ys, [nk, ny, nk]);
        return [...k, ...kd, ...y, ...yd];
      },
    );
    const tIn = tangents.map((t, i) => (nz[i] ? t ?? ops.zerosLike(primals[i]!) : null));
    const [c, k, x] = operands(primals, p);
    const [cd, kd, xd] = operands(tIn, p);
    const outs = bind(scanP, [...c, ...present(cd), ...k, ...present(kd), ...x, ...present(xd)], { ...p, body, nConsts: c.length + nConstTangents, nCarry: 2 * nk });
    const [ko, kdo, yo, ydo] = split(outs, [nk, nk, ny]);
    return [[...ko, ...yo], [...kdo, ...ydo]];
  },
  batch: (args, dims, p, size) => {
    const [cD, kD, xD] = operands(dims, p);
    const [c, k, x] = operands(args, p);
    // carries move their batch axis to the front (or are broadcast to the batch); xs keep the
    // scanned axis first, so their batch axis goes to 1
    const carry = k.map((a, i) => (kD[i] === null ? ops.broadcastTo(ops.expandDims(a, 0), [size, ...a.shape]) : ops.moveaxis(a, kD[i]!, 0)));
    const xs = x.map((a, i) => (xD[i] === null || xD[i] === 1 ? a : ops.moveaxis(a, xD[i]!, 1)));
    const body = vmapJaxpr(p.body, [...cD, ...kD.map(() => 0), ...xD.map((d) => (d === null ? null : 0))], size);
    const outs = bind(scanP, [...c, ...carry, ...xs], { ...p, body });
    return [outs, outs.map((_, i) => (i < p.nCarry ? 0 : 1))];
  },
  transpose: (cts, args, p) => {
    const { nCarry: nk, length } = p;
    // carries are transposed as linear even when one enters as a known value (a zero tangent
    // init that becomes non-zero in the loop); its cotangent is then dropped
    const lin = args.map((a, i) => !(a instanceof Tensor) || (i >= p.nConsts && i < p.nConsts + nk));
    const [cLin, , xLin] = operands(lin, p);
    const [cArgs, kArgs, xArgs] = operands(args, p);
    const resC = partition(cLin, cArgs)[0] as Tensor[];
    const resX = partition(xLin, xArgs)[0] as Tensor[];
    const [cAvals, carryAvals] = operands(inAvalsOf(p.body), p);
    const linCAvals = partition(cLin, cAvals)[1];
    const yAvals = outAvalsOf(p.body).slice(nk);
    const tj = transposeJaxpr(p.body, lin);
    // transposed body: consts [resC], carry [cts of the linear consts (accumulated), cts of the
    // carry], xs [resX, cts of ys]
    const body = stageClosed(
      (xs) => {
        const [rc, acc, ck, rx, cy] = split(xs, [resC.length, linCAvals.length, nk, resX.length]);
        // transposeJaxpr's inputs: the non-linear inputs in body order, then the output cts
        const [dC, dK, dX] = split(runClosed(tj, [...rc, ...rx, ...ck, ...cy]), [linCAvals.length, nk]);
        return [...acc.map((a, i) => ops.add(a, dC![i]!)), ...dK, ...dX];
      },
      [...avalsOf(resC), ...linCAvals, ...carryAvals, ...resX.map((r) => ({ shape: r.shape.slice(1), dtype: r.dtype })), ...yAvals],
      "transpose(scan)",
    );
    const [ctK, ctY] = split(cts, [nk]);
    const outs = bind(
      scanP,
      [...resC, ...linCAvals.map(zerosOf), ...ctK.map((c, i) => c ?? zerosOf(carryAvals[i]!)), ...resX, ...ctY.map((c, i) => c ?? zerosOf(stackedAval(yAvals[i]!, length)))],
      { body, nConsts: resC.length, nCarry: linCAvals.length + nk, length, reverse: !p.reverse },
    );
    const [dC, dK, dX] = split(outs, [linCAvals.length, nk]);
    const none = (n: number): Tan[] => new Array<Tan>(n).fill(null);
    return [
      ...merge(cLin, none(cLin.length), dC),
      ...kArgs.map((a, i) => (a instanceof Tensor ? null : dK![i]!)),
      ...merge(xLin, none(xLin.length), dX),
    ];
  },
  higherOrder: true,
});

/** Carry unknown-ness to a fixed point, then the body split with unknown carries instantiated. */
function splitScan(p: ScanParams, unknowns: boolean[]): { pj: PartialJaxpr; unk: boolean[] } {
  const unk = [...unknowns];
  for (;;) {
    const pj = partialEvalJaxpr(p.body, unk);
    const grow = pj.outUnknown.slice(0, p.nCarry).map((u, i) => u && !unk[p.nConsts + i]);
    if (!grow.some(Boolean)) break;
    grow.forEach((g, i) => g && (unk[p.nConsts + i] = true));
  }
  const inst = outAvalsOf(p.body).map((_, i) => i < p.nCarry && unk[p.nConsts + i]!);
  return { pj: partialEvalJaxpr(p.body, unk, inst), unk };
}

/**
 * Linearizing a scan: a known scan runs now and stacks its residuals as extra outputs; the
 * unknown scan reads them per iteration. Residuals that are known loop constants stay
 * constants: `constRes[r]` is the index among the known consts of the r-th such residual.
 */
function scanPieces(p: ScanParams, unk: boolean[], pj: PartialJaxpr) {
  const [cUnk, kUnk] = operands(unk, p);
  const nKnownConsts = cUnk.length - count(cUnk);
  const kj = pj.known.jaxpr;
  const [knownOutAtoms, resAtoms] = split(kj.outs, [kj.outs.length - pj.nRes]);
  const knownConstVars = kj.invars.slice(0, nKnownConsts);
  const resIsConst = resAtoms.map((a) => a instanceof Var && knownConstVars.includes(a));
  const knownBody = rewire(pj.known, inAvalsOf(pj.known), (xs) => xs, (ys) => {
    const [outs, res] = split(ys, [knownOutAtoms.length]);
    return [...outs, ...partition(resIsConst, res)[0]];
  });
  const knownParams: ScanParams = { ...p, body: knownBody, nConsts: nKnownConsts, nCarry: kUnk.length - count(kUnk) };
  const nUnknownConsts = count(cUnk);
  const nUnknownCarry = count(kUnk);
  const [resAvals, unknownInAvals] = split(inAvalsOf(pj.unknown), [pj.nRes]);
  const [stackRes, constRes] = partition(resIsConst, resAvals);
  const [ucA, ukA, uxA] = split(unknownInAvals, [nUnknownConsts, nUnknownCarry]);
  // unknown body: consts [const residuals, unknown consts], carry [unknown carry], xs [stacked residuals, unknown xs]
  const unknownBody = rewire(pj.unknown, [...constRes, ...ucA, ...ukA, ...stackRes, ...uxA], (xs) => {
    const [cr, uc, uk, sr, ux] = split(xs, [constRes.length, nUnknownConsts, nUnknownCarry, stackRes.length]);
    return [...merge(resIsConst, sr, cr), ...uc, ...uk, ...ux];
  });
  const unknownParams: ScanParams = { ...p, body: unknownBody, nConsts: constRes.length + nUnknownConsts, nCarry: nUnknownCarry };
  const constResIdx = partition(resIsConst, resAtoms)[1].map((a) => knownConstVars.indexOf(a as Var));
  return { knownParams, unknownParams, nKnownOut: knownOutAtoms.length, constResIdx };
}

definePartialEval(scanP, (trace, tracers, p) => {
  const { pj, unk } = splitScan(p, tracers.map((t) => t.known === null));
  const { knownParams, unknownParams, nKnownOut, constResIdx } = scanPieces(p, unk, pj);
  // a carry that became unknown passes its (known) init to the unknown scan
  const [knownIns, unknownIns] = partition(unk, tracers);
  const kOuts = bind(scanP, knownIns.map((t) => t.known!), knownParams);
  const [knownOuts, stacked] = split(kOuts, [nKnownOut]);
  const constRes = constResIdx.map((i) => knownIns[i]!);
  const [uc, uk, ux] = split(unknownIns, [unknownParams.nConsts - constRes.length, unknownParams.nCarry]);
  const uOuts = trace.stage(scanP, [...constRes, ...uc, ...uk, ...stacked.map((r) => trace.pure(r)), ...ux], unknownParams);
  return merge(pj.outUnknown, knownOuts, uOuts);
});

/**
 * A loop with a carry over the leading axis of `xs`: `f(carry, x)` returns `[carry, y]`; the
 * result is the final carry and the `y`s stacked along a new leading axis. Differentiable in
 * both modes (reverse mode keeps the per-step residuals), batched by vmap, compiled once under
 * jit. Mirrors `jax.lax.scan`.
 *
 * @param f - the step, `(carry, x) => [carry, y]`; the carry keeps its structure, shapes and dtypes.
 * @param init - the initial carry (a pytree of tensors).
 * @param xs - a pytree of tensors scanned over axis 0 (or null with `length`).
 * @param opts.length - the trip count when xs is null (or a check of xs's leading size).
 * @param opts.reverse - scan from the last element to the first (ys keep their positions).
 * @returns `[carry, ys]`.
 * @throws ShapeError when the carry changes shape or xs's leading sizes differ.
 * @example
 * ```ts
 * const [total, running] = lax.scan((c: Tensor, x: Tensor) => { const s = np.add(c, x); return [s, s]; }, np.array(0), np.array([1, 2, 3, 4]));
 * total.item(); // → 10
 * running; // → [1, 3, 6, 10]
 * ```
 */
export function scan(f: (carry: any, x: any) => [any, any], init: unknown, xs: unknown = null, opts: { length?: number; reverse?: boolean } = {}): [any, any] {
  checkOptions("lax.scan", opts, ["length", "reverse"]);
  const [carry, carryTree] = flattenToTensors("lax.scan", init, "init");
  const [xl] = flattenToTensors("lax.scan", xs, "xs");
  const lengths = new Set(xl.map((x) => x.shape[0]));
  if (xl.some((x) => x.ndim === 0)) throw fail(ShapeError, "lax.scan: every xs leaf needs a leading axis to scan over; got a scalar.");
  if (lengths.size > 1) throw fail(ShapeError, `lax.scan: xs leaves have different leading sizes (${[...lengths].join(", ")}); they must agree.`);
  const length = opts.length ?? (xl.length ? xl[0]!.shape[0]! : undefined);
  if (length === undefined) throw fail(ValueError, "lax.scan: with no xs, pass {length}.");
  if (!Number.isInteger(length) || length < 0) throw fail(ValueError, `lax.scan: length must be a non-negative integer; got ${length}.`);
  if (xl.length && length !== xl[0]!.shape[0]) throw fail(ShapeError, `lax.scan: length ${length} disagrees with the xs leading size ${xl[0]!.shape[0]}.`);
  const argTree = flatten([init, xs])[1];
  const [cj, hoisted, outTree] = stageUser(
    "lax.scan",
    (c: unknown, x: unknown) => {
      const r = f(c, x);
      if (!Array.isArray(r) || r.length !== 2) throw fail(TreeError, "lax.scan: f must return [carry, y].");
      return r;
    },
    argTree,
    [...avalsOf(carry), ...xl.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype }))],
  );
  // the body's output carry must match the input carry
  if (outTree.kind !== "array" || !treeDefEqual(outTree.children[0]!, carryTree)) {
    throw fail(TreeError, `lax.scan: f must return the carry with the structure of init ${treeDefString(carryTree)}, got ${outTree.kind === "array" ? treeDefString(outTree.children[0]!) : treeDefString(outTree)}.`);
  }
  outAvalsOf(cj).slice(0, carry.length).forEach((a, i) => {
    const c = carry[i]!;
    if (a.dtype !== c.dtype || !shapeEq(a.shape, c.shape)) {
      throw fail(a.dtype !== c.dtype ? DTypeError : ShapeError, `lax.scan: carry leaf ${i} enters as ${fmtAval(c)} but f returns ${fmtAval(a)}; the carry must keep its shape and dtype.`);
    }
  });
  const outs = bind(scanP, [...hoisted, ...carry, ...xl], { body: cj, nConsts: hoisted.length, nCarry: carry.length, length, reverse: opts.reverse ?? false });
  return unflatten(outTree, outs) as [any, any];
}
