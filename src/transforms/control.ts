// Structured control flow as higher-order primitives holding jaxprs: cond, scan, while (and
// forILoop built on scan or while). Each keeps its rules here: eval, jvp, batching, partial
// evaluation and (cond, scan) transposition.
import { ClosedJaxpr, Var, type Eqn } from "../core/ir.js";
import { definePrimitive, type Primitive } from "../core/primitive.js";
import { DTypeError, ShapeError, TreeError, ValueError, fail } from "../core/errors.js";
import { fmtShape, shapeEq } from "../core/shape.js";
import { Tensor, emptyTensor, freshOutputs } from "../core/tensor.js";
import { bind, isTracer, toConcrete, type Aval } from "../core/trace.js";
import { flatten, treeDefEqual, treeDefString, unflatten, type TreeDef } from "../core/tree.js";
import * as ops from "../core/numpy/index.js";
import { flattenToTensors } from "./args.js";
import { definePartialEval, type PETracer } from "./partial-eval.js";
import {
  closeOver, defineEqnPartialEval, jvpJaxpr, partialEvalJaxpr, runClosed, stageClosed, transposeJaxpr, vmapJaxpr,
  type PartialJaxpr,
} from "./jaxpr-transforms.js";
import { compiled } from "./jit.js";

const avals = (ts: readonly { shape: readonly number[]; dtype: Tensor["dtype"] }[]): Aval[] => ts.map((t) => ({ shape: t.shape, dtype: t.dtype }));
const outAvals = (cj: ClosedJaxpr): Aval[] => cj.jaxpr.outs.map((a) => a.aval);
const zerosOf = (a: Aval) => ops.zeros(a.shape, { dtype: a.dtype });
const fmtAval = (a: Aval) => `${a.dtype}${fmtShape(a.shape)}`;

/** Stages a user function of pytrees: [jaxpr (hoisted consts first), hoisted tracers, out tree]. */
function stageUser(api: string, fn: (...a: any[]) => unknown, argTree: TreeDef, argAvals: Aval[]): [ClosedJaxpr, Tensor[], TreeDef] {
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

/** Re-stages a closed jaxpr with its invars permuted/extended: newInputs ↦ old inputs. */
function rewire(cj: ClosedJaxpr, inAvals: Aval[], pick: (xs: Tensor[]) => Tensor[], post: (ys: Tensor[], xs: Tensor[]) => Tensor[] = (ys) => ys): ClosedJaxpr {
  return stageClosed((xs) => post(runClosed(cj, pick(xs)), xs), inAvals, "rewire");
}

// =================================================================== cond

type CondParams = { branches: ClosedJaxpr[] };

export const condP: Primitive<CondParams> = definePrimitive<"cond", CondParams>({
  name: "cond",
  multipleResults: true,
  abstractEval: (_a, p) => outAvals(p.branches[0]!),
  impl: ([pred, ...xs], p) => compiled(p.branches[pred!._data[0] ? 1 : 0]!).run(xs),
  jvp: ([pred, ...xs], [, ...ts], p) => {
    const nz = ts.map((t) => t !== null);
    const branches = p.branches.map((b) => jvpJaxpr(b, nz));
    const outs = bind(condP, [pred!, ...xs, ...(ts.filter((t) => t !== null) as Tensor[])], { branches });
    const n = outAvals(p.branches[0]!).length;
    return [outs.slice(0, n), outs.slice(n)];
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
    const avs = outAvals(p.branches[0]!);
    const ctIns = cts.map((c, i) => c ?? zerosOf(avs[i]!));
    const res = bind(condP, [pred as Tensor, ...(args.filter((a) => a instanceof Tensor) as Tensor[]), ...ctIns], { branches });
    let k = 0;
    return [null, ...linear.map((l) => (l ? res[k++]! : null))];
  },
  higherOrder: true,
});

/**
 * Splits each branch by the unknown inputs; both branches then agree on which outputs are
 * unknown, and each produces every branch's residuals (zeros for the other's).
 */
function splitCond(p: CondParams, unknowns: boolean[]): { known: ClosedJaxpr[]; unknown: ClosedJaxpr[]; outUnknown: boolean[]; nRes: number } {
  let pjs = p.branches.map((b) => partialEvalJaxpr(b, unknowns));
  const outUnknown = pjs[0]!.outUnknown.map((_, i) => pjs.some((pj) => pj.outUnknown[i]));
  pjs = p.branches.map((b) => partialEvalJaxpr(b, unknowns, outUnknown));
  const resAvals = pjs.map((pj) => pj.known.jaxpr.outs.slice(pj.known.jaxpr.outs.length - pj.nRes).map((a) => a.aval));
  const offsets = resAvals.map((_, i) => resAvals.slice(0, i).reduce((n, r) => n + r.length, 0));
  const allRes = resAvals.flat();
  const knownIn = p.branches[0]!.jaxpr.invars.filter((_, i) => !unknowns[i]).map((v) => v.aval);
  const unknownIn = p.branches[0]!.jaxpr.invars.filter((_, i) => unknowns[i]).map((v) => v.aval);
  const known = pjs.map((pj, b) =>
    rewire(pj.known, knownIn, (xs) => xs, (ys) => {
      const nOut = ys.length - pj.nRes;
      const res = allRes.map((a, r) => (r >= offsets[b]! && r < offsets[b]! + pj.nRes ? ys[nOut + r - offsets[b]!]! : zerosOf(a)));
      return [...ys.slice(0, nOut), ...res];
    }),
  );
  const unknown = pjs.map((pj, b) => rewire(pj.unknown, [...allRes, ...unknownIn], (xs) => [...xs.slice(offsets[b]!, offsets[b]! + pj.nRes), ...xs.slice(allRes.length)]));
  return { known, unknown, outUnknown, nRes: allRes.length };
}

definePartialEval(condP, (trace, [pred, ...xs], p) => {
  if (pred!.known !== null && !isTracer(pred!.known)) {
    // a concrete predicate: only the taken branch is traced
    return runClosed(p.branches[toConcrete(pred!.known, "cond")._data[0] ? 1 : 0]!, xs);
  }
  if (pred!.known === null) return trace.stage(condP, [pred!, ...xs], p);
  const unknowns = xs.map((t) => t.known === null);
  const s = splitCond(p, unknowns);
  const knownOuts = bind(condP, [pred!.known, ...xs.filter((t) => t.known !== null).map((t) => t.known!)], { branches: s.known });
  const nKnown = knownOuts.length - s.nRes;
  const res = knownOuts.slice(nKnown).map((r) => trace.pure(r));
  const unk = trace.stage(condP, [pred!, ...res, ...xs.filter((t) => t.known === null)], { branches: s.unknown });
  let ki = 0;
  let ui = 0;
  return s.outUnknown.map((u) => (u ? unk[ui++]! : knownOuts[ki++]!));
});

defineEqnPartialEval(condP, (e, unknownIns) => {
  if (unknownIns[0]) return null;
  const p = e.params as CondParams;
  const s = splitCond(p, unknownIns.slice(1));
  const resVars = s.known[0]!.jaxpr.outs.slice(s.known[0]!.jaxpr.outs.length - s.nRes).map((a) => new Var(a.aval));
  const ins = e.inputs.slice(1);
  return {
    knownEqns: [{ prim: condP, inputs: [e.inputs[0]!, ...ins.filter((_, i) => !unknownIns[i + 1])], params: { branches: s.known }, outs: [...e.outs.filter((_, i) => !s.outUnknown[i]), ...resVars] }],
    unknownEqns: [{ prim: condP, inputs: [e.inputs[0]!, ...resVars, ...ins.filter((_, i) => unknownIns[i + 1])], params: { branches: s.unknown }, outs: e.outs.filter((_, i) => s.outUnknown[i]) }],
    outUnknown: s.outUnknown,
  };
});

/** lax.cond(pred, trueFn, falseFn, ...operands): trueFn(...operands) if pred else falseFn(...operands). */
export function cond(pred: unknown, trueFn: (...a: any[]) => unknown, falseFn: (...a: any[]) => unknown, ...operands: unknown[]): any {
  const p = ops.asarray(pred as number);
  if (p.size !== 1 || p.ndim !== 0) throw fail(ShapeError, `lax.cond: the predicate must be a scalar, got ${fmtAval(p)}. Reduce it (e.g. .all / .sum() > 0) or use np.where for elementwise selection.`);
  const pb = p.dtype === "bool" ? p : ops.notEqual(p, 0);
  const [leaves, tree] = flattenToTensors("lax.cond", operands, "operand");
  const av = avals(leaves);
  const [cjF, hF, treeF] = stageUser("lax.cond", falseFn, tree, av);
  const [cjT, hT, treeT] = stageUser("lax.cond", trueFn, tree, av);
  if (!treeDefEqual(treeF, treeT)) throw fail(TreeError, `lax.cond: the branches return different structures: true → ${treeDefString(treeT)}, false → ${treeDefString(treeF)}.`);
  const [oF, oT] = [outAvals(cjF), outAvals(cjT)];
  oT.forEach((a, i) => {
    const b = oF[i]!;
    if (a.dtype !== b.dtype || !shapeEq(a.shape, b.shape)) {
      throw fail(a.dtype !== b.dtype ? DTypeError : ShapeError, `lax.cond: output ${i} differs between branches: true → ${fmtAval(a)}, false → ${fmtAval(b)}. Both branches must return the same shapes and dtypes.`);
    }
  });
  // both branches take [...false's hoisted, ...true's hoisted, ...operands]
  const allAvals = [...avals(hF), ...avals(hT), ...av];
  const nF = hF.length;
  const nT = hT.length;
  const F = rewire(cjF, allAvals, (xs) => [...xs.slice(0, nF), ...xs.slice(nF + nT)]);
  const T = rewire(cjT, allAvals, (xs) => xs.slice(nF));
  const outs = bind(condP, [pb, ...hF, ...hT, ...leaves], { branches: [F, T] });
  return unflatten(treeT, outs);
}

// =================================================================== scan

type ScanParams = { body: ClosedJaxpr; nConsts: number; nCarry: number; length: number; reverse: boolean };

/** Row i of x along its leading axis, as a new tensor (a copy of the contiguous block). */
function rowOf(x: Tensor, i: number): Tensor {
  const r = emptyTensor(x.shape.slice(1), x.dtype);
  r._data.set(x._data.subarray(i * r.size, (i + 1) * r.size));
  return r;
}

/** Iteration order of a scan. */
const order = (n: number, reverse: boolean) => Array.from({ length: n }, (_, i) => (reverse ? n - 1 - i : i));

export const scanP: Primitive<ScanParams> = definePrimitive<"scan", ScanParams>({
  name: "scan",
  multipleResults: true,
  abstractEval: (_a, p) => {
    const outs = outAvals(p.body);
    return [...outs.slice(0, p.nCarry), ...outs.slice(p.nCarry).map((a) => ({ shape: [p.length, ...a.shape], dtype: a.dtype }))];
  },
  impl: (args, p) => {
    const exe = compiled(p.body);
    const consts = args.slice(0, p.nConsts);
    const init = args.slice(p.nConsts, p.nConsts + p.nCarry);
    let carry = init;
    const xs = args.slice(p.nConsts + p.nCarry);
    // ys are written straight into their stacked outputs; every per-iteration value (x rows,
    // y rows, carries but the caller's init) goes back to the arena as soon as it is read
    const stacked = outAvals(p.body).slice(p.nCarry).map((a) => emptyTensor([p.length, ...a.shape], a.dtype));
    for (const i of order(p.length, p.reverse)) {
      const rows = xs.map((x) => rowOf(x, i));
      const outs = exe.run([...consts, ...carry, ...rows]);
      for (const r of rows) r.dispose();
      if (carry !== init) for (const c of carry) c.dispose();
      carry = outs.slice(0, p.nCarry);
      outs.slice(p.nCarry).forEach((y, k) => {
        stacked[k]!._data.set(y._data, i * y.size);
        y.dispose();
      });
    }
    // a length-0 scan hands its init back: fresh handles, or the caller frees it twice
    return freshOutputs([...carry, ...stacked], args);
  },
  jvp: (primals, tangents, p) => {
    const { nConsts: nc, nCarry: nk } = p;
    const nx = primals.length - nc - nk;
    const ins = p.body.jaxpr.invars.map((v) => v.aval);
    // every carry tangent is instantiated: a zero carry tangent can become non-zero in the loop
    const nz = tangents.map((t, i) => (i >= nc && i < nc + nk ? true : t !== null));
    const jb = jvpJaxpr(p.body, nz);
    const ct = nz.slice(0, nc).filter(Boolean).length;
    const tAvals = ins.filter((_, i) => nz[i]);
    // scan layout: consts [c, ċ], carry [k, k̇], xs [x, ẋ]
    const layout = [...ins.slice(0, nc), ...tAvals.slice(0, ct), ...ins.slice(nc, nc + nk), ...tAvals.slice(ct, ct + nk), ...ins.slice(nc + nk), ...tAvals.slice(ct + nk)];
    const nOut = outAvals(p.body).length;
    const body = rewire(
      jb,
      layout,
      (xs) => {
        const c = xs.slice(0, nc), cd = xs.slice(nc, nc + ct), k = xs.slice(nc + ct, nc + ct + nk), kd = xs.slice(nc + ct + nk, nc + ct + 2 * nk);
        const x = xs.slice(nc + ct + 2 * nk, nc + ct + 2 * nk + nx), xd = xs.slice(nc + ct + 2 * nk + nx);
        return [...c, ...k, ...x, ...cd, ...kd, ...xd];
      },
      (ys) => [...ys.slice(0, nk), ...ys.slice(nOut, nOut + nk), ...ys.slice(nk, nOut), ...ys.slice(nOut + nk)],
    );
    const tIn = tangents.map((t, i) => (nz[i] ? t ?? ops.zerosLike(primals[i]!) : null));
    const args = [
      ...primals.slice(0, nc), ...(tIn.slice(0, nc).filter((t) => t !== null) as Tensor[]),
      ...primals.slice(nc, nc + nk), ...(tIn.slice(nc, nc + nk) as Tensor[]),
      ...primals.slice(nc + nk), ...(tIn.slice(nc + nk).filter((t) => t !== null) as Tensor[]),
    ];
    const outs = bind(scanP, args, { ...p, body, nConsts: nc + ct, nCarry: 2 * nk });
    const ny = nOut - nk;
    return [[...outs.slice(0, nk), ...outs.slice(2 * nk, 2 * nk + ny)], [...outs.slice(nk, 2 * nk), ...outs.slice(2 * nk + ny)]];
  },
  batch: (args, dims, p, size) => {
    const { nConsts: nc, nCarry: nk } = p;
    const moved = args.map((a, i) => {
      const d = dims[i]!;
      if (i >= nc && i < nc + nk) return d === null ? ops.broadcastTo(ops.expandDims(a, 0), [size, ...a.shape]) : ops.moveaxis(a, d, 0);
      if (i >= nc + nk && d !== null) return d === 1 ? a : ops.moveaxis(a, d, 1);
      return a;
    });
    const bodyDims = dims.map((d, i) => (i < nc ? d : i < nc + nk ? 0 : d === null ? null : 0));
    const body = vmapJaxpr(p.body, bodyDims, size);
    const outs = bind(scanP, moved, { ...p, body });
    return [outs, outs.map((_, i) => (i < nk ? 0 : 1))];
  },
  transpose: (cts, args, p) => {
    const { nConsts: nc, nCarry: nk, length } = p;
    // carries are transposed as linear even when one enters as a known value (a zero tangent
    // init that becomes non-zero in the loop); its cotangent is then dropped
    const lin = args.map((a, i) => !(a instanceof Tensor) || (i >= nc && i < nc + nk));
    const ins = p.body.jaxpr.invars.map((v) => v.aval);
    const resC = args.slice(0, nc).filter((_, i) => !lin[i]) as Tensor[];
    const resX = args.slice(nc + nk).filter((_, i) => !lin[nc + nk + i]) as Tensor[];
    const linCAvals = ins.slice(0, nc).filter((_, i) => lin[i]);
    const carryAvals = ins.slice(nc, nc + nk);
    const yAvals = outAvals(p.body).slice(nk);
    const tj = transposeJaxpr(p.body, lin);
    // transposed body: consts [resC], carry [ct of linear consts (accumulated), ct of carry], xs [resX, ct of ys]
    const body = stageClosed(
      (xs) => {
        const rc = xs.slice(0, resC.length);
        const acc = xs.slice(resC.length, resC.length + linCAvals.length);
        const ck = xs.slice(resC.length + linCAvals.length, resC.length + linCAvals.length + nk);
        const rest = xs.slice(resC.length + linCAvals.length + nk);
        const rx = rest.slice(0, resX.length);
        const cy = rest.slice(resX.length);
        // transposeJaxpr inputs: non-linear inputs in body order (res consts, res xs), then output cts (carry, ys)
        const res = runClosed(tj, [...rc, ...rx, ...ck, ...cy]);
        const dC = res.slice(0, linCAvals.length);
        const dK = res.slice(linCAvals.length, linCAvals.length + nk);
        const dX = res.slice(linCAvals.length + nk);
        return [...acc.map((a, i) => ops.add(a, dC[i]!)), ...dK, ...dX];
      },
      [...avals(resC.map((r) => r)), ...linCAvals, ...carryAvals, ...resX.map((r) => ({ shape: r.shape.slice(1), dtype: r.dtype })), ...yAvals],
      "transpose(scan)",
    );
    const ctCarry = cts.slice(0, nk).map((c, i) => c ?? zerosOf(carryAvals[i]!));
    const ctYs = cts.slice(nk).map((c, i) => c ?? ops.zeros([length, ...yAvals[i]!.shape], { dtype: yAvals[i]!.dtype }));
    const outs = bind(scanP, [...resC, ...linCAvals.map(zerosOf), ...ctCarry, ...resX, ...ctYs], {
      body,
      nConsts: resC.length,
      nCarry: linCAvals.length + nk,
      length,
      reverse: !p.reverse,
    });
    const dC = outs.slice(0, linCAvals.length);
    const dK = outs.slice(linCAvals.length, linCAvals.length + nk);
    const dX = outs.slice(linCAvals.length + nk);
    let ic = 0;
    let ix = 0;
    return args.map((a, i) => {
      if (!lin[i]) return null;
      if (i < nc) return dC[ic++]!;
      if (i < nc + nk) return a instanceof Tensor ? null : dK[i - nc]!;
      return dX[ix++]!;
    });
  },
  higherOrder: true,
});

/** Carry unknown-ness to a fixed point, then the body split with carries instantiated. */
function splitScan(p: ScanParams, unknowns: boolean[]): { pj: PartialJaxpr; unk: boolean[] } {
  const { nConsts: nc, nCarry: nk } = p;
  const unk = [...unknowns];
  for (;;) {
    const pj = partialEvalJaxpr(p.body, unk);
    const grow = pj.outUnknown.slice(0, nk).map((u, i) => u && !unk[nc + i]);
    if (!grow.some(Boolean)) break;
    grow.forEach((g, i) => g && (unk[nc + i] = true));
  }
  const nOut = outAvals(p.body).length;
  const inst = Array.from({ length: nOut }, (_, i) => (i < nk ? unk[nc + i]! : false));
  return { pj: partialEvalJaxpr(p.body, unk, inst), unk };
}

/**
 * Linearizing a scan: a known scan runs now and stacks its residuals as extra outputs; the
 * unknown scan reads them per iteration (residuals that are known loop constants stay constants).
 */
function scanPieces(p: ScanParams, unk: boolean[], pj: PartialJaxpr) {
  const { nConsts: nc, nCarry: nk } = p;
  const known = pj.known;
  const kj = known.jaxpr;
  const nKnownOut = kj.outs.length - pj.nRes;
  const resAtoms = kj.outs.slice(nKnownOut);
  // residuals that are simply known consts of the body are passed as consts, not stacked
  const knownConstVars = p.body.jaxpr.invars.slice(0, nc).filter((_, i) => !unk[i]);
  const resIsConst = resAtoms.map((a) => a instanceof Var && knownConstVars.includes(a));
  const kCarry = unk.slice(nc, nc + nk).filter((u) => !u).length;
  const kConsts = unk.slice(0, nc).filter((u) => !u).length;
  const knownBody = rewire(known, kj.invars.map((v) => v.aval), (xs) => xs, (ys) => [...ys.slice(0, nKnownOut), ...ys.slice(nKnownOut).filter((_, r) => !resIsConst[r])]);
  const knownParams: ScanParams = { ...p, body: knownBody, nConsts: kConsts, nCarry: kCarry };
  const uConsts = unk.slice(0, nc).filter(Boolean).length;
  const uCarry = nk - kCarry;
  const uj = pj.unknown.jaxpr;
  const resAvals = uj.invars.slice(0, pj.nRes).map((v) => v.aval);
  const unkIns = uj.invars.slice(pj.nRes).map((v) => v.aval);
  const constRes = resAvals.filter((_, r) => resIsConst[r]);
  const stackRes = resAvals.filter((_, r) => !resIsConst[r]);
  // unknown body layout: consts [const residuals, unknown consts], carry [unknown carry], xs [stacked residuals, unknown xs]
  const unknownBody = rewire(
    pj.unknown,
    [...constRes, ...unkIns.slice(0, uConsts), ...unkIns.slice(uConsts, uConsts + uCarry), ...stackRes, ...unkIns.slice(uConsts + uCarry)],
    (xs) => {
      const cr = xs.slice(0, constRes.length);
      const uc = xs.slice(constRes.length, constRes.length + uConsts);
      const uk = xs.slice(constRes.length + uConsts, constRes.length + uConsts + uCarry);
      const sr = xs.slice(constRes.length + uConsts + uCarry, constRes.length + uConsts + uCarry + stackRes.length);
      const ux = xs.slice(constRes.length + uConsts + uCarry + stackRes.length);
      let a = 0;
      let b = 0;
      const res = resIsConst.map((c) => (c ? cr[a++]! : sr[b++]!));
      return [...res, ...uc, ...uk, ...ux];
    },
  );
  const unknownParams: ScanParams = { ...p, body: unknownBody, nConsts: constRes.length + uConsts, nCarry: uCarry };
  // which known inputs are the const residuals (by position among the known consts)
  const constResIdx = resAtoms.map((a, r) => (resIsConst[r] ? knownConstVars.indexOf(a as Var) : -1)).filter((i) => i >= 0);
  return { knownParams, unknownParams, nKnownOut, constResIdx, nStacked: stackRes.length };
}

definePartialEval(scanP, (trace, tracers, p) => {
  const unknowns = tracers.map((t) => t.known === null);
  const { pj, unk } = splitScan(p, unknowns);
  const { knownParams, unknownParams, nKnownOut, constResIdx } = scanPieces(p, unk, pj);
  const nc = p.nConsts;
  // carries that became unknown take their (known) init as an unknown input
  const ins = tracers.map((t, i) => (unk[i] && t.known !== null ? (trace.pure(t.known) as PETracer) : t));
  const knownIns = ins.filter((_, i) => !unk[i]).map((t) => t.known!);
  const kOuts = bind(scanP, knownIns, knownParams);
  const knownConsts = knownIns.slice(0, knownParams.nConsts);
  const stacked = kOuts.slice(nKnownOut).map((r) => trace.pure(r));
  const constRes = constResIdx.map((i) => trace.pure(knownConsts[i]!));
  const uIns = ins.filter((_, i) => unk[i]);
  const uConsts = uIns.slice(0, unk.slice(0, nc).filter(Boolean).length);
  const uCarry = uIns.slice(uConsts.length, uConsts.length + unknownParams.nCarry);
  const uXs = uIns.slice(uConsts.length + uCarry.length);
  const uOuts = trace.stage(scanP, [...constRes, ...uConsts, ...uCarry, ...stacked, ...uXs], unknownParams);
  let ki = 0;
  let ui = 0;
  return pj.outUnknown.map((u) => (u ? uOuts[ui++]! : kOuts[ki++]!));
});

defineEqnPartialEval(scanP, (e, unknownIns) => {
  const p = e.params as ScanParams;
  const { pj, unk } = splitScan(p, unknownIns);
  const { knownParams, unknownParams, nKnownOut, constResIdx, nStacked } = scanPieces(p, unk, pj);
  const nc = p.nConsts;
  const knownInputs = e.inputs.filter((_, i) => !unk[i]);
  const stackedVars = Array.from({ length: nStacked }, (_, r) => new Var(outAvals(knownParams.body).slice(nKnownOut)[r]!)).map(
    (v) => new Var({ shape: [p.length, ...v.aval.shape], dtype: v.aval.dtype }),
  );
  const knownConsts = knownInputs.slice(0, knownParams.nConsts);
  const uIns = e.inputs.filter((_, i) => unk[i]);
  const uConstsN = unk.slice(0, nc).filter(Boolean).length;
  const knownEqn: Eqn = { prim: scanP, inputs: knownInputs, params: knownParams, outs: [...e.outs.filter((_, i) => !pj.outUnknown[i]), ...stackedVars] };
  const unknownEqn: Eqn = {
    prim: scanP,
    inputs: [...constResIdx.map((i) => knownConsts[i]!), ...uIns.slice(0, uConstsN + unknownParams.nCarry), ...stackedVars, ...uIns.slice(uConstsN + unknownParams.nCarry)],
    params: unknownParams,
    outs: e.outs.filter((_, i) => pj.outUnknown[i]),
  };
  return { knownEqns: [knownEqn], unknownEqns: [unknownEqn], outUnknown: pj.outUnknown };
});

/** lax.scan(f, init, xs, {length, reverse}) → [carry, ys]; f(carry, x) → [carry, y]. */
export function scan(f: (carry: any, x: any) => [any, any], init: unknown, xs: unknown = null, opts: { length?: number; reverse?: boolean } = {}): [any, any] {
  const [carry, carryTree] = flattenToTensors("lax.scan", init, "init");
  const [xl] = flattenToTensors("lax.scan", xs, "xs");
  const lengths = new Set(xl.map((x) => x.shape[0]));
  if (xl.some((x) => x.ndim === 0)) throw fail(ShapeError, "lax.scan: every xs leaf needs a leading axis to scan over; got a scalar.");
  if (lengths.size > 1) throw fail(ShapeError, `lax.scan: xs leaves have different leading sizes (${[...lengths].join(", ")}); they must agree.`);
  const length = opts.length ?? (xl.length ? xl[0]!.shape[0]! : undefined);
  if (length === undefined) throw fail(ValueError, "lax.scan: with no xs, pass {length}.");
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
    [...avals(carry), ...xl.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype }))],
  );
  // the body's output carry must match the input carry
  if (outTree.kind !== "array" || !treeDefEqual(outTree.children[0]!, carryTree)) {
    throw fail(TreeError, `lax.scan: f must return the carry with the structure of init ${treeDefString(carryTree)}, got ${outTree.kind === "array" ? treeDefString(outTree.children[0]!) : treeDefString(outTree)}.`);
  }
  outAvals(cj).slice(0, carry.length).forEach((a, i) => {
    const c = carry[i]!;
    if (a.dtype !== c.dtype || !shapeEq(a.shape, c.shape)) {
      throw fail(a.dtype !== c.dtype ? DTypeError : ShapeError, `lax.scan: carry leaf ${i} enters as ${fmtAval(c)} but f returns ${fmtAval(a)}; the carry must keep its shape and dtype.`);
    }
  });
  const outs = bind(scanP, [...hoisted, ...carry, ...xl], { body: cj, nConsts: hoisted.length, nCarry: carry.length, length, reverse: opts.reverse ?? false });
  return unflatten(outTree, outs) as [any, any];
}

// =================================================================== while

type WhileParams = { cond: ClosedJaxpr; body: ClosedJaxpr; nCondConsts: number; nBodyConsts: number };

const whileError = () =>
  fail(
    ValueError,
    "grad: reverse-mode differentiation through lax.whileLoop is not supported (its trip count is only known at run time). Use lax.scan, or lax.forILoop with static bounds; forward mode (jvp, jacfwd) works.",
  );

export const whileP: Primitive<WhileParams> = definePrimitive<"while", WhileParams>({
  name: "while",
  multipleResults: true,
  abstractEval: (_a, p) => outAvals(p.body),
  impl: (args, p) => {
    const c = compiled(p.cond);
    const b = compiled(p.body);
    const cc = args.slice(0, p.nCondConsts);
    const bc = args.slice(p.nCondConsts, p.nCondConsts + p.nBodyConsts);
    let carry = args.slice(p.nCondConsts + p.nBodyConsts);
    const init = carry;
    for (;;) {
      const pred = c.run([...cc, ...carry])[0]!;
      const go = pred._data[0];
      pred.dispose();
      if (!go) break;
      const next = b.run([...bc, ...carry]);
      // the previous carry is dead (the caller's init is the caller's)
      if (carry !== init) for (const t of carry) t.dispose();
      carry = next;
    }
    return freshOutputs(carry, args);
  },
  jvp: (primals, tangents, p) => {
    const { nCondConsts: ncc, nBodyConsts: nbc } = p;
    const nk = primals.length - ncc - nbc;
    const bIns = p.body.jaxpr.invars.map((v) => v.aval);
    const nz = [...tangents.slice(ncc, ncc + nbc).map((t) => t !== null), ...new Array<boolean>(nk).fill(true)];
    const jb = jvpJaxpr(p.body, nz);
    const nbt = nz.slice(0, nbc).filter(Boolean).length;
    const bct = bIns.slice(0, nbc).filter((_, i) => nz[i]);
    const kAvals = bIns.slice(nbc);
    // new carry [k, k̇]; body consts [c, ċ]; cond reads k only
    const body = rewire(jb, [...bIns.slice(0, nbc), ...bct, ...kAvals, ...kAvals], (xs) => [
      ...xs.slice(0, nbc), ...xs.slice(nbc + nbt, nbc + nbt + nk), ...xs.slice(nbc, nbc + nbt), ...xs.slice(nbc + nbt + nk),
    ]);
    const cIns = p.cond.jaxpr.invars.map((v) => v.aval);
    const cond = rewire(p.cond, [...cIns, ...kAvals], (xs) => xs.slice(0, cIns.length));
    const tIn = tangents.map((t, i) => t ?? ops.zerosLike(primals[i]!));
    const outs = bind(
      whileP,
      [...primals.slice(0, ncc), ...primals.slice(ncc, ncc + nbc), ...(tIn.slice(ncc, ncc + nbc).filter((_, i) => nz[i]) as Tensor[]), ...primals.slice(ncc + nbc), ...tIn.slice(ncc + nbc)],
      { cond, body, nCondConsts: ncc, nBodyConsts: nbc + nbt },
    );
    return [outs.slice(0, nk), outs.slice(nk)];
  },
  batch: (args, dims, p, size) => {
    const { nCondConsts: ncc, nBodyConsts: nbc } = p;
    const carry = args.slice(ncc + nbc).map((a, i) => {
      const d = dims[ncc + nbc + i]!;
      return d === null ? ops.broadcastTo(ops.expandDims(a, 0), [size, ...a.shape]) : ops.moveaxis(a, d, 0);
    });
    const kDims = carry.map(() => 0);
    const cDims = dims.slice(0, ncc);
    const bDims = dims.slice(ncc, ncc + nbc);
    const vc = vmapJaxpr(p.cond, [...cDims, ...kDims], size);
    const vb = vmapJaxpr(p.body, [...bDims, ...kDims], size);
    const kAvals = carry.map((c) => ({ shape: c.shape, dtype: c.dtype }));
    const cIn = args.slice(0, ncc).map((a) => ({ shape: a.shape, dtype: a.dtype }));
    const bIn = args.slice(ncc, ncc + nbc).map((a) => ({ shape: a.shape, dtype: a.dtype }));
    // loop while any example continues; finished examples keep their carry
    const cond = stageClosed((xs) => [ops.max(ops.astype(runClosed(vc, xs)[0]!, "int32")).astype("bool")], [...cIn, ...kAvals], "while.cond");
    const body = stageClosed(
      (xs) => {
        const cc = xs.slice(0, ncc);
        const bc = xs.slice(ncc, ncc + nbc);
        const k = xs.slice(ncc + nbc);
        const pred = runClosed(vc, [...cc, ...k])[0]!;
        const next = runClosed(vb, [...bc, ...k]);
        return next.map((n, i) => ops.where(ops.reshape(pred, [size, ...new Array<number>(n.ndim - 1).fill(1)]), n, k[i]!));
      },
      [...cIn, ...bIn, ...kAvals],
      "while.body",
    );
    const outs = bind(whileP, [...args.slice(0, ncc), ...args.slice(0, ncc), ...args.slice(ncc, ncc + nbc), ...carry], {
      cond,
      body,
      nCondConsts: ncc,
      nBodyConsts: ncc + nbc,
    });
    return [outs, outs.map(() => 0)];
  },
  // reverse mode would transpose the loop: its trip count is only known at run time
  transpose: () => {
    throw whileError();
  },
  higherOrder: true,
});
// With some inputs unknown the whole loop is staged (as JAX does): staging a loop whose init
// or constants are known values (vmapJaxpr, jvpJaxpr, branch and body tracing) and linearize
// work; grad fails when it transposes the staged loop, with whileError.
definePartialEval(whileP, (trace, tracers, p) => trace.stage(whileP, tracers, p));
defineEqnPartialEval(whileP, () => null);

/** lax.whileLoop(condFn, bodyFn, init): while condFn(carry) carry = bodyFn(carry). */
export function whileLoop(condFn: (c: any) => unknown, bodyFn: (c: any) => unknown, init: unknown): any {
  const [carry, tree] = flattenToTensors("lax.whileLoop", init, "init");
  const av = avals(carry);
  const argTree = flatten([init])[1];
  const [cc, hc] = stageUser("lax.whileLoop", condFn, argTree, av);
  const [bc, hb, bTree] = stageUser("lax.whileLoop", bodyFn, argTree, av);
  const pa = outAvals(cc);
  if (pa.length !== 1 || pa[0]!.shape.length !== 0) throw fail(ShapeError, `lax.whileLoop: condFn must return a scalar, got ${pa.map(fmtAval).join(", ")}.`);
  if (!treeDefEqual(bTree, tree)) throw fail(TreeError, `lax.whileLoop: bodyFn must return the carry's structure ${treeDefString(tree)}, got ${treeDefString(bTree)}.`);
  outAvals(bc).forEach((a, i) => {
    if (a.dtype !== av[i]!.dtype || !shapeEq(a.shape, av[i]!.shape)) {
      throw fail(a.dtype !== av[i]!.dtype ? DTypeError : ShapeError, `lax.whileLoop: carry leaf ${i} enters as ${fmtAval(av[i]!)} but bodyFn returns ${fmtAval(a)}; the carry must keep its shape and dtype.`);
    }
  });
  // the predicate as bool
  const condB = pa[0]!.dtype === "bool" ? cc : rewire(cc, cc.jaxpr.invars.map((v) => v.aval), (xs) => xs, (ys) => [ops.notEqual(ys[0]!, 0)]);
  const outs = bind(whileP, [...hc, ...hb, ...carry], { cond: condB, body: bc, nCondConsts: hc.length, nBodyConsts: hb.length });
  return unflatten(tree, outs);
}

/** lax.forILoop(lower, upper, bodyFn, init): bodyFn(i, carry) for i in [lower, upper). */
export function forILoop(lower: number | Tensor, upper: number | Tensor, bodyFn: (i: Tensor, c: any) => unknown, init: unknown): any {
  const staticBound = (b: number | Tensor) => typeof b === "number" || !isTracer(b);
  if (staticBound(lower) && staticBound(upper)) {
    const lo = typeof lower === "number" ? lower : lower.item();
    const hi = typeof upper === "number" ? upper : upper.item();
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw fail(ValueError, `lax.forILoop: bounds must be integers, got ${lo} and ${hi}.`);
    const n = Math.max(0, hi - lo);
    const [carry] = scan((c: unknown, i: Tensor) => [bodyFn(i, c), null], init, ops.arange(lo, lo + n, { dtype: "int32" }), { length: n });
    return carry;
  }
  const lo = ops.astype(ops.asarray(lower), "int32");
  const hi = ops.astype(ops.asarray(upper), "int32");
  const [, , c] = whileLoop(
    ([i, h]: [Tensor, Tensor]) => ops.less(i, h),
    ([i, h, c2]: [Tensor, Tensor, unknown]) => [ops.add(i, 1), h, bodyFn(i, c2)],
    [lo, hi, init],
  );
  return c;
}

