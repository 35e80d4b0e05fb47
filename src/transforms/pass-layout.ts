// Layout passes: transposes are copies, so chains of them collapse into one (or none), and a
// transpose of an elementwise result moves onto its operands when that makes every operand's
// transpose free. Transposes of jacobians built in one layout and read in another (jacrev's
// and jacfwd's final permutations) then cancel instead of copying the matrix twice.
import { ClosedJaxpr, Jaxpr, Lit, Var, type Atom, type Eqn } from "../core/ir.js";
import { reshapeP } from "../core/primitives/structural.js";
import { definitions, eqn, nonUnit, place, readCounts, unitAxisMap } from "./pass-util.js";

/**
 * A value seen as a permutation of a source's data: `order[k]` is the index, among the
 * source's non-unit axes, of the value's k-th non-unit axis.
 */
interface Chain {
  src: Atom;
  order: number[];
  steps: number;
}

/** The order after transposing a value of `shape` (chain order `order`) by `perm`. */
function stepTranspose(shape: readonly number[], order: number[], perm: readonly number[]): number[] {
  const nu = nonUnit(shape);
  return perm.filter((p) => shape[p] !== 1).map((p) => order[nu.indexOf(p)]!);
}

const isIdentity = (o: number[]) => o.every((v, i) => v === i);

function chainOf(a: Atom, defs: Map<Var, Eqn>, memo: Map<Atom, Chain>): Chain {
  const hit = memo.get(a);
  if (hit) return hit;
  const e = a instanceof Var ? defs.get(a) : undefined;
  let c: Chain = { src: a, order: nonUnit(a.aval.shape).map((_, i) => i), steps: 0 };
  if (e && e.prim.name === "transpose") {
    const x = chainOf(e.inputs[0]!, defs, memo);
    c = { src: x.src, order: stepTranspose(e.inputs[0]!.aval.shape, x.order, e.params.perm), steps: x.steps + 1 };
  } else if (e && e.prim.name === "reshape" && unitAxisMap(e.inputs[0]!.aval.shape, a.aval.shape)) {
    const x = chainOf(e.inputs[0]!, defs, memo);
    c = { ...x, steps: x.steps + 1 };
  }
  memo.set(a, c);
  return c;
}

/** The equations laying chain `c`'s source out as `out` (same data order as the chain says). */
function fromChain(c: Chain, out: Var): Eqn[] {
  const eqns: Eqn[] = [];
  const nuOut = nonUnit(out.aval.shape);
  const dests = new Array<number>(c.order.length);
  c.order.forEach((j, k) => (dests[j] = nuOut[k]!));
  const res = place(c.src, dests, [...out.aval.shape], (e) => (eqns.push(e), e.outs[0]!));
  const last = eqns[eqns.length - 1];
  if (last && last.outs[0] === res) eqns[eqns.length - 1] = { ...last, outs: [out] };
  else eqns.push(eqn(reshapeP, [res], { shape: [...out.aval.shape] }, out));
  return eqns;
}

/** A primitive applied independently per element, with no shape in its parameters. */
const pointwise = (e: Eqn) => e.prim.expr !== null && e.prim.name !== "fused" && e.outs.length === 1 && !("shape" in (e.params ?? {}));

/**
 * Collapses transpose chains (through size-1 reshapes) into at most one transpose, and moves a
 * transpose of a pointwise result onto its operands when each operand's transpose is then free
 * (it cancels an earlier transpose, or only moves size-1 axes).
 */
export function foldTransposes(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  if (!j.eqns.some((e) => e.prim.name === "transpose")) return cj;
  const defs = definitions(j);
  const reads = readCounts(j);
  const memo = new Map<Atom, Chain>();
  let changed = false;
  const eqns: Eqn[] = [];
  for (const e of j.eqns) {
    if (e.prim.name === "dot_general") {
      const d = transposedOperands(e, defs);
      changed ||= d !== e;
      eqns.push(d);
      continue;
    }
    if (e.prim.name !== "transpose") {
      eqns.push(e);
      continue;
    }
    const out = e.outs[0]!;
    const c = chainOf(out, defs, memo);
    if (c.steps > 1 || isIdentity(c.order)) {
      changed = true;
      eqns.push(...fromChain(c, out));
      continue;
    }
    const x = e.inputs[0]!;
    const pe = x instanceof Var ? defs.get(x) : undefined;
    if (pe && pointwise(pe) && reads.get(x) === 1) {
      const sunk = sink(pe, e.params.perm as number[], out, defs, memo);
      if (sunk) {
        changed = true;
        eqns.push(...sunk);
        continue;
      }
    }
    eqns.push(e);
  }
  return changed ? new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, eqns, j.outs), cj.consts) : cj;
}

/**
 * transpose(f(x, y, …)) as f(transpose x, transpose y, …) when that copies less: operand
 * transposes that cancel an earlier one or only move size-1 axes are free, the others cost their
 * size, and together they must cost less than transposing the result.
 */
function sink(pe: Eqn, perm: number[], out: Var, defs: Map<Var, Eqn>, memo: Map<Atom, Chain>): Eqn[] | null {
  const R = perm.length;
  const eqns: Eqn[] = [];
  const inputs: Atom[] = [];
  let copied = 0;
  const outSize = out.aval.shape.reduce((p, d) => p * d, 1);
  for (const a of pe.inputs) {
    if (a instanceof Lit || a.aval.shape.length === 0) {
      inputs.push(a);
      continue;
    }
    // trailing-aligned broadcasting: the operand as a rank-R value with leading size-1 axes
    const full = [...new Array<number>(R - a.aval.shape.length).fill(1), ...a.aval.shape];
    const c = chainOf(a, defs, memo);
    const order = stepTranspose(full, c.order, perm);
    if (!isIdentity(order)) copied += a.aval.shape.reduce((p, d) => p * d, 1);
    if (copied >= outSize) return null;
    const target = perm.map((p) => full[p]!);
    const v = new Var({ shape: target, dtype: a.aval.dtype });
    eqns.push(...fromChain({ ...c, order }, v));
    inputs.push(v);
  }
  eqns.push({ prim: pe.prim, inputs, params: pe.params, outs: [out] });
  return eqns;
}

type DotParams = { contract: [number[], number[]]; batch: [number[], number[]] };

/**
 * A transposed operand of a dot_general is read in place: the contraction's dimension numbers
 * name the transpose's source axes instead (the GEMM packs either orientation, so the copy goes).
 * Only when the operand's free axes keep their relative order, so the output's order is unchanged.
 */
function transposedOperands(e: Eqn, defs: Map<Var, Eqn>): Eqn {
  const p = e.params as DotParams;
  const inputs = [...e.inputs];
  const contract: [number[], number[]] = [[...p.contract[0]], [...p.contract[1]]];
  const batch: [number[], number[]] = [[...p.batch[0]], [...p.batch[1]]];
  let changed = false;
  for (const s of [0, 1]) {
    const x = inputs[s]!;
    const t = x instanceof Var ? defs.get(x) : undefined;
    if (!t || t.prim.name !== "transpose") continue;
    const perm = t.params.perm as number[];
    const free = perm.map((_, i) => i).filter((i) => !contract[s]!.includes(i) && !batch[s]!.includes(i));
    const srcFree = free.map((i) => perm[i]!);
    if (srcFree.some((a, k) => k > 0 && a < srcFree[k - 1]!)) continue;
    const c = contract[s]!.map((a) => perm[a]!);
    const b = batch[s]!.map((a) => perm[a]!);
    // the kernel reads [batch, rows, cols] or [batch, cols, rows] in place; any other order it copies
    const [rows, cols] = s === 0 ? [srcFree, c] : [c, srcFree];
    const isId = (o: number[]) => o.every((a, i) => a === i);
    if (!isId([...b, ...rows, ...cols]) && !isId([...b, ...cols, ...rows])) continue;
    inputs[s] = t.inputs[0]!;
    contract[s] = c;
    batch[s] = b;
    changed = true;
  }
  return changed ? { ...e, inputs, params: { contract, batch } } : e;
}
