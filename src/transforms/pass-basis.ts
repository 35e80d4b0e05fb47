// dot_general rewrites that replace a GEMM by an elementwise product:
//
// * a contraction against a one-hot basis: jacrev, jacfwd and vmap(jacrev) push the identity
//   through the linear map, so the program contracts with E = δ(i,k)·V (an `eye` built from
//   iota = iota, converted, possibly scaled by the values V of the pulled-back cotangent):
//     Σ_i Y[…i…] · δ(i,k) · V[…i…]  =  Y[…k…] · V[…k…]
//   an n-times smaller multiply instead of an n³ GEMM (the identity's other entries contribute
//   exact zeros: for finite Y the result is bit-identical, the lone nonzero term rounds once);
// * a dot_general with nothing to contract (an outer product, what vmap(grad) of a dot leaves)
//   is a broadcast multiply, which the fusion can then join with its neighbours.
//
// The basis is recognised structurally (eq of two iotas, converted, reshaped by size-1 axes,
// multiplied by a value) or by value (a constant whose entries are exactly δ over two axes).
import { isFloat } from "../core/dtype.js";
import { ClosedJaxpr, Jaxpr, Lit, Var, type Atom, type Eqn } from "../core/ir.js";
import { mulP } from "../core/primitives/binary.js";
import { broadcastInDimP, reshapeP, transposeP } from "../core/primitives/structural.js";
import type { Tensor } from "../core/tensor.js";
import { definitions, eqn, invertPerm, nonUnit, place, unitAxisMap } from "./pass-util.js";

/** The value is δ(idx[p], idx[q]) (1 or 0) at every index, whatever the other axes. */
interface Delta {
  p: number;
  q: number;
}
/** The value is δ(idx[p], idx[q]) · v, v's non-unit axes lying on the axes `vdest` (in v's order). */
interface Basis extends Delta {
  v: Atom | null;
  vdest: number[];
}

/** Largest constant whose entries are checked for being an identity (elements). */
const CHECK_MAX = 1 << 22;

/** The pair of axes over which constant `t` is exactly an identity, broadcast over the rest, or null. */
export function constDelta(t: Tensor): Delta | null {
  const shape = t.shape;
  const n = t.size;
  if (n > CHECK_MAX || n === 0) return null;
  const d = t._data;
  let ones = 0;
  for (let i = 0; i < n; i++) {
    const x = d[i]!;
    if (x === 1) ones++;
    else if (x !== 0) return null;
  }
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let p = 0; p < shape.length; p++) {
    for (let q = p + 1; q < shape.length; q++) {
      const m = shape[p]!;
      if (m < 2 || shape[q] !== m || ones * m !== n) continue;
      let ok = true;
      for (let i = 0; i < n && ok; i++) {
        const ip = Math.floor(i / strides[p]!) % m;
        const iq = Math.floor(i / strides[q]!) % m;
        ok = (d[i] === 1) === (ip === iq);
      }
      if (ok) return { p, q };
    }
  }
  return null;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const isZero = (a: Atom) => a instanceof Lit && a.value === 0;

class Recogniser {
  constructor(
    private defs: Map<Var, Eqn>,
    private consts: Map<Var, Tensor>,
  ) {}

  /** The axis along which `a` holds its index (iota, iota + 0, converted), or null. */
  iotaAxis(a: Atom): number | null {
    const e = a instanceof Var ? this.defs.get(a) : undefined;
    if (!e) return null;
    const [x, y] = e.inputs;
    if (e.prim.name === "iota") return e.params.axis as number;
    if (e.prim.name === "add" && sameShape(x!.aval.shape, a.aval.shape) && isZero(y!)) return this.iotaAxis(x!);
    if (e.prim.name === "add" && sameShape(y!.aval.shape, a.aval.shape) && isZero(x!)) return this.iotaAxis(y!);
    return null;
  }

  delta(a: Atom): Delta | null {
    if (!(a instanceof Var)) return null;
    const c = this.consts.get(a);
    if (c) return constDelta(c);
    const e = this.defs.get(a);
    if (!e) return null;
    const shape = a.aval.shape;
    if (e.prim.name === "eq") {
      const [x, y] = e.inputs as [Atom, Atom];
      if (!sameShape(x.aval.shape, shape) || !sameShape(y.aval.shape, shape)) return null;
      const ax = this.iotaAxis(x);
      const ay = this.iotaAxis(y);
      if (ax === null || ay === null || ax === ay || shape[ax] !== shape[ay] || shape[ax]! < 2) return null;
      return { p: Math.min(ax, ay), q: Math.max(ax, ay) };
    }
    // 0/1 survive any conversion
    if (e.prim.name === "convert") return this.delta(e.inputs[0]!);
    if (e.prim.name === "reshape") {
      const x = e.inputs[0]!;
      const d = this.delta(x);
      const map = unitAxisMap(x.aval.shape, shape);
      if (!d || !map) return null;
      const nu = nonUnit(x.aval.shape);
      return { p: map[nu.indexOf(d.p)]!, q: map[nu.indexOf(d.q)]! };
    }
    return null;
  }

  basis(a: Atom): Basis | null {
    const d = this.delta(a);
    if (d) return { ...d, v: null, vdest: [] };
    const e = a instanceof Var ? this.defs.get(a) : undefined;
    if (!e) return null;
    const shape = a.aval.shape;
    if (e.prim.name === "mul") {
      for (const [x, y] of [e.inputs, [...e.inputs].reverse()] as [Atom, Atom][]) {
        const dx = this.delta(x);
        if (!dx) continue;
        const off = shape.length - x.aval.shape.length;
        const yoff = shape.length - y.aval.shape.length;
        return { p: dx.p + off, q: dx.q + off, v: y, vdest: nonUnit(y.aval.shape).map((ax) => ax + yoff) };
      }
      return null;
    }
    if (e.prim.name === "reshape") {
      const x = e.inputs[0]!;
      const b = this.basis(x);
      const map = unitAxisMap(x.aval.shape, shape);
      if (!b || !map) return null;
      const nu = nonUnit(x.aval.shape);
      const to = (ax: number) => map[nu.indexOf(ax)]!;
      return { p: to(b.p), q: to(b.q), v: b.v, vdest: b.vdest.map(to) };
    }
    return null;
  }
}

type DotParams = { contract: [number[], number[]]; batch: [number[], number[]] };
const freeAxes = (ndim: number, c: number[], b: number[]) => Array.from({ length: ndim }, (_, i) => i).filter((i) => !c.includes(i) && !b.includes(i));

/** Output position of each operand axis (batch, lhs free, rhs free), -1 for contracted ones. */
function outPositions(e: Eqn): [number[], number[]] {
  const { contract: [lc, rc], batch: [lb, rb] } = e.params as DotParams;
  const [l, r] = e.inputs as [Atom, Atom];
  const lf = freeAxes(l.aval.shape.length, lc, lb);
  const rf = freeAxes(r.aval.shape.length, rc, rb);
  const pos = (ndim: number, b: number[], f: number[], off: number) =>
    Array.from({ length: ndim }, (_, ax) => (b.includes(ax) ? b.indexOf(ax) : f.includes(ax) ? off + f.indexOf(ax) : -1));
  return [pos(l.aval.shape.length, lb, lf, lb.length), pos(r.aval.shape.length, rb, rf, lb.length + lf.length)];
}

/**
 * The equations computing `out` = Π operands, each operand's non-unit axes going to the output
 * positions `dests`, the product built in the layout `perm` (layout axis j holds output
 * position perm[j]) and transposed to the output's order at the end when perm is not the identity.
 */
function product(operands: [Atom, number[]][], perm: number[], out: Var): Eqn[] {
  const shape = out.aval.shape;
  const layoutShape = perm.map((p) => shape[p]!);
  const at = invertPerm(perm);
  const eqns: Eqn[] = [];
  const emit = (e: Eqn) => (eqns.push(e), e.outs[0]!);
  let acc: Atom | null = null;
  for (const [x, dests] of operands) {
    const target = layoutShape.map(() => 1);
    dests.forEach((d) => (target[at[d]!] = shape[d]!));
    const placed = x instanceof Lit ? x : place(x, dests.map((d) => at[d]!), target, emit);
    acc = acc === null ? placed : emit(eqn(mulP, [acc, placed], {}));
  }
  let cur = acc!;
  if (cur instanceof Lit || !sameShape(cur.aval.shape, layoutShape)) {
    const rank = cur.aval.shape.length;
    cur = emit(eqn(broadcastInDimP, [cur], { shape: layoutShape, dims: cur.aval.shape.map((_, i) => layoutShape.length - rank + i) }));
  }
  if (perm.some((p, j) => p !== j)) cur = emit(eqn(transposeP, [cur], { perm: at }));
  const last = eqns[eqns.length - 1];
  if (last && last.outs[0] === cur && sameShape(cur.aval.shape, shape)) eqns[eqns.length - 1] = { ...last, outs: [out] };
  else eqns.push(eqn(reshapeP, [cur], { shape: [...shape] }, out));
  return eqns;
}

/** Whether the only reader of `v` is a transpose, possibly through size-1 reshapes. */
function feedsTranspose(v: Var, readers: Map<Var, Eqn[]>, outs: Set<Var>): boolean {
  const rs = readers.get(v) ?? [];
  if (rs.length !== 1 || outs.has(v)) return false;
  const r = rs[0]!;
  if (r.prim.name === "transpose") return true;
  return r.prim.name === "reshape" && unitAxisMap(v.aval.shape, r.outs[0]!.aval.shape) !== null && feedsTranspose(r.outs[0]!, readers, outs);
}

/**
 * Rewrites a dot_general against an identity basis, or with nothing to contract, into an
 * elementwise product; null when it is neither.
 */
function rewriteDot(e: Eqn, rec: Recogniser, readers: Map<Var, Eqn[]>, outs: Set<Var>): Eqn[] | null {
  const { contract, batch } = e.params as DotParams;
  const out = e.outs[0]!;
  const inputs = e.inputs as [Atom, Atom];
  const R = out.aval.shape.length;
  const positions = outPositions(e);
  const identity = Array.from({ length: R }, (_, i) => i);
  if (isFloat(out.aval.dtype)) {
    for (const side of [1, 0]) {
      const [X, Y] = [inputs[side]!, inputs[1 - side]!];
      const [cX, cY, bX] = [contract[side]!, contract[1 - side]!, batch[side]!];
      if (cX.length !== 1) continue;
      const b = rec.basis(X);
      if (!b) continue;
      const pc = cX[0]!;
      if (pc !== b.p && pc !== b.q) continue;
      const qf = pc === b.p ? b.q : b.p;
      // the surviving delta axis must be free; V may vary along one of the two delta axes only
      if (bX.includes(qf) || (b.vdest.includes(pc) && b.vdest.includes(qf))) continue;
      const [posX, posY] = [positions[side]!, positions[1 - side]!];
      const qPos = posX[qf]!;
      const yDests = nonUnit(Y.aval.shape).map((ax) => (ax === cY[0] ? qPos : posY[ax]!));
      const vDests = b.vdest.map((ax) => (ax === pc ? qPos : posX[ax]!));
      // build in Y's own order when a transpose follows (the two then cancel), else in the output's
      let perm = identity;
      if (feedsTranspose(out, readers, outs)) {
        const slots = [...yDests].sort((a, c) => a - c);
        perm = [...identity];
        slots.forEach((s, k) => (perm[s] = yDests[k]!));
      }
      const ops: [Atom, number[]][] = [[Y, yDests]];
      if (b.v) ops.push([b.v, vDests]);
      return product(ops, perm, out);
    }
  }
  if (contract[0].length === 0) {
    const ops = inputs.map((x, s) => [x, nonUnit(x.aval.shape).map((ax) => positions[s]![ax]!)] as [Atom, number[]]);
    return product(ops, identity, out);
  }
  return null;
}

/** Identity-basis and outer-product dot_generals become elementwise products (see the top). */
export function rewriteBasisDots(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  if (!j.eqns.some((e) => e.prim.name === "dot_general")) return cj;
  const consts = new Map<Var, Tensor>();
  j.constvars.forEach((v, i) => consts.set(v, cj.consts[i]!));
  const rec = new Recogniser(definitions(j), consts);
  const readers = new Map<Var, Eqn[]>();
  for (const e of j.eqns) for (const a of e.inputs) if (a instanceof Var) (readers.get(a) ?? readers.set(a, []).get(a)!).push(e);
  const outs = new Set(j.outs.filter((a): a is Var => a instanceof Var));
  let changed = false;
  const eqns: Eqn[] = [];
  for (const e of j.eqns) {
    const r = e.prim.name === "dot_general" ? rewriteDot(e, rec, readers, outs) : null;
    if (r) {
      changed = true;
      eqns.push(...r);
    } else eqns.push(e);
  }
  return changed ? new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, eqns, j.outs), cj.consts) : cj;
}
