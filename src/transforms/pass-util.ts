// Small helpers the rewriting passes share: building equations, reading definitions, and the
// "unit reshape" (a reshape that only inserts or drops size-1 axes, so the non-unit axes keep
// their order and the data is the same) that layout rewrites see through.
import { Var, type Atom, type Eqn, type Jaxpr } from "../core/ir.js";
import type { Primitive } from "../core/primitive.js";
import { reshapeP, transposeP } from "../core/primitives/structural.js";
import { invertPerm } from "../core/shape.js";

/** A new equation of `prim` over `inputs`, its output aval from the primitive's shape rule. */
export function eqn(prim: Primitive, inputs: Atom[], params: any, out?: Var): Eqn {
  const [aval] = prim.abstractEval(inputs.map((a) => a.aval), params);
  return { prim, inputs, params, outs: [out ?? new Var(aval!)] };
}

/** The equation defining each variable. */
export function definitions(j: Jaxpr): Map<Var, Eqn> {
  const m = new Map<Var, Eqn>();
  for (const e of j.eqns) for (const v of e.outs) m.set(v, e);
  return m;
}

/** How many equations (and jaxpr outputs) read each variable. */
export function readCounts(j: Jaxpr): Map<Var, number> {
  const m = new Map<Var, number>();
  const see = (a: Atom) => a instanceof Var && m.set(a, (m.get(a) ?? 0) + 1);
  for (const e of j.eqns) e.inputs.forEach(see);
  j.outs.forEach(see);
  return m;
}

/** The axes of `shape` whose extent is not 1. */
export const nonUnit = (shape: readonly number[]) => shape.flatMap((s, i) => (s === 1 ? [] : [i]));

/**
 * When reshaping `from` to `to` only inserts or drops size-1 axes: for each non-unit axis of
 * `from`, its axis in `to` (in order); else null.
 */
export function unitAxisMap(from: readonly number[], to: readonly number[]): number[] | null {
  const a = nonUnit(from);
  const b = nonUnit(to);
  if (a.length !== b.length || a.some((ax, i) => from[ax] !== to[b[i]!])) return null;
  return b;
}

/**
 * Equations laying `x` out as `shape` where x's non-unit axes, in x's element order, go to the
 * axes `dest` of `shape` (a permutation of shape's non-unit axes): a reshape when `dest` is
 * increasing (no data moves), else a transpose of the squeezed value, then a reshape.
 */
export function place(x: Atom, dest: number[], shape: number[], emit: (e: Eqn) => Atom): Atom {
  const xs = nonUnit(x.aval.shape);
  const sameShape = (s: readonly number[]) => s.length === shape.length && s.every((d, i) => d === shape[i]);
  let cur = x;
  const order = dest.map((_, i) => i).sort((i, k) => dest[i]! - dest[k]!);
  if (order.some((o, i) => o !== i)) {
    const squeezed = xs.map((ax) => x.aval.shape[ax]!);
    if (!sameShape(squeezed) || x.aval.shape.length !== squeezed.length) cur = emit(eqn(reshapeP, [cur], { shape: squeezed }));
    cur = emit(eqn(transposeP, [cur], { perm: order }));
  }
  return sameShape(cur.aval.shape) ? cur : emit(eqn(reshapeP, [cur], { shape }));
}

export { invertPerm };
