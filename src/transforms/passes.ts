// Optimisation passes over a closed jaxpr, each a small function from IR to IR: dead-code
// elimination, common-subexpression elimination, constant folding and elementwise fusion.
import { isFloat, type DType } from "../core/dtype.js";
import { ClosedJaxpr, Jaxpr, Lit, Var, type Atom, type Eqn } from "../core/ir.js";
import { definePrimitive, vectorized } from "../core/primitive.js";
import { broadcastShapes } from "../core/shape.js";
import type { Tensor } from "../core/tensor.js";
import { mapKernel } from "../core/primitives/util.js";
import { prune } from "./jaxpr-transforms.js";

/** Dead-code elimination: drops equations whose outputs are never read. */
export const dce = prune;

/** A stable text key for params (functions and jaxprs by identity). */
const ids = new WeakMap<object, number>();
let nextId = 0;
function paramKey(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object" || typeof v === "function") {
    if (Array.isArray(v)) return `[${v.map(paramKey).join(",")}]`;
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype) return `{${Object.entries(v as object).map(([k, x]) => `${k}:${paramKey(x)}`).join(",")}}`;
    let id = ids.get(v as object);
    if (id === undefined) ids.set(v as object, (id = nextId++));
    return `#${id}`;
  }
  return JSON.stringify(v);
}

/** Common-subexpression elimination: an equation equal to an earlier one reuses its outputs. */
export function cse(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  const rename = new Map<Var, Atom>();
  const vid = new Map<Var, number>();
  let n = 0;
  const atomKey = (a: Atom) => {
    // -0 and 0 are different literals (x * -0 is -0 for x > 0): String(-0) would merge them
    if (a instanceof Lit) return `${Object.is(a.value, -0) ? "-0" : a.value}:${a.aval.dtype}`;
    let i = vid.get(a);
    if (i === undefined) vid.set(a, (i = n++));
    return `v${i}`;
  };
  const sub = (a: Atom): Atom => (a instanceof Var ? rename.get(a) ?? a : a);
  const seen = new Map<string, Var[]>();
  const eqns: Eqn[] = [];
  for (const e of j.eqns) {
    const inputs = e.inputs.map(sub);
    const key = `${e.prim.name}|${inputs.map(atomKey).join(",")}|${paramKey(e.params)}`;
    const prev = seen.get(key);
    if (prev && !e.prim.name.startsWith("random")) {
      e.outs.forEach((v, i) => rename.set(v, prev[i]!));
      continue;
    }
    seen.set(key, e.outs);
    eqns.push({ ...e, inputs });
  }
  return new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, eqns, j.outs.map(sub)), cj.consts);
}

/** Largest constant a fold may create (elements): folding must not blow up memory. */
const FOLD_MAX = 1 << 20;

/** Constant folding: equations whose inputs are all constants run once, at compile time. */
export function foldConstants(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  const val = new Map<Var, Tensor>();
  j.constvars.forEach((v, i) => val.set(v, cj.consts[i]!));
  const eqns: Eqn[] = [];
  const constOf = (a: Atom) => (a instanceof Lit ? a.tensor() : val.get(a));
  for (const e of j.eqns) {
    const ins = e.inputs.map(constOf);
    const size = e.outs.reduce((s, o) => s + o.aval.shape.reduce((p, d) => p * d, 1), 0);
    if (!e.prim.higherOrder && ins.every((t) => t !== undefined) && size <= FOLD_MAX) {
      const outs = e.prim.impl(ins as Tensor[], e.params);
      e.outs.forEach((v, i) => val.set(v, outs[i]!));
      continue;
    }
    eqns.push(e);
  }
  // folded values that are still read become constvars (scalars become literals)
  const used = new Set<Var>();
  for (const e of eqns) e.inputs.forEach((a) => a instanceof Var && used.add(a));
  j.outs.forEach((a) => a instanceof Var && used.add(a));
  const constvars: Var[] = [];
  const consts: Tensor[] = [];
  const lits = new Map<Var, Lit>();
  for (const [v, t] of val) {
    if (!used.has(v)) continue;
    if (t.ndim === 0 && !j.constvars.includes(v)) lits.set(v, new Lit(t._data[0]!, t.dtype));
    else {
      constvars.push(v);
      consts.push(t);
    }
  }
  const sub = (a: Atom): Atom => (a instanceof Var ? lits.get(a) ?? a : a);
  const out = eqns.map((e) => ({ ...e, inputs: e.inputs.map(sub) }));
  return new ClosedJaxpr(new Jaxpr(constvars, j.invars, out, j.outs.map(sub)), consts);
}

// ---------------------------------------------------------------- elementwise fusion

type FusedParams = { expr: string; dtype: DType; label: string };
/** A chain of elementwise primitives compiled into one loop (created by jit only). */
export const fusedP = definePrimitive<"fused", FusedParams>({
  name: "fused",
  shape: (avals, { dtype }) => [{ shape: broadcastShapes("fused", ...avals.map((a) => a.shape)), dtype }],
  expr: (_d, { expr }) => expr,
  impl: (args, { expr, dtype }) => [mapKernel(expr, args, dtype)],
  // only ever executed: jit transforms the jaxpr it traced, never the optimised one
  notDifferentiable: true,
  batch: vectorized,
});

const litCode = (x: number) => (Number.isNaN(x) ? "NaN" : x === Infinity ? "Infinity" : x === -Infinity ? "-Infinity" : `(${x})`);

interface Group {
  /** statements computing temporaries, in order */
  stmts: string[];
  /** external inputs in order (their index is their aN name) */
  inputs: Atom[];
  labels: string[];
  result: string;
  out: Var;
}

/**
 * Fuses chains of elementwise equations: an elementwise equation whose input is produced by
 * another elementwise equation read nowhere else absorbs it. Temporaries round to float32
 * after every step, so fused results equal the op-by-op ones bit for bit.
 */
export function fuseElementwise(cj: ClosedJaxpr): ClosedJaxpr {
  const j = cj.jaxpr;
  const uses = new Map<Var, number>();
  for (const e of j.eqns) e.inputs.forEach((a) => a instanceof Var && uses.set(a, (uses.get(a) ?? 0) + 1));
  const outSet = new Set(j.outs.filter((a): a is Var => a instanceof Var));
  const groupOf = new Map<Var, Group>();
  const eqns: (Eqn | Group)[] = [];
  let tmp = 0;
  for (const e of j.eqns) {
    if (!e.prim.expr || e.outs.length !== 1) {
      eqns.push(e);
      continue;
    }
    const g: Group = { stmts: [], inputs: [], labels: [], result: "", out: e.outs[0]! };
    const argCode: string[] = [];
    const inputIndex = (a: Atom) => {
      let k = g.inputs.indexOf(a);
      if (k < 0) k = g.inputs.push(a) - 1;
      return `a${k}`;
    };
    for (const a of e.inputs) {
      if (a instanceof Lit) {
        argCode.push(litCode(a.value));
        continue;
      }
      const src = groupOf.get(a);
      if (src && uses.get(a) === 1 && !outSet.has(a)) {
        // absorb the producer: its inputs become ours, its statements come first
        const remap = src.inputs.map((x) => inputIndex(x));
        const rn = (code: string) => code.replace(/\ba(\d+)\b/g, (_, d: string) => `__in${d}`).replace(/__in(\d+)/g, (_, d: string) => remap[Number(d)]!);
        g.stmts.push(...src.stmts.map(rn));
        g.labels.push(...src.labels);
        argCode.push(rn(src.result));
        const idx = eqns.indexOf(src);
        if (idx >= 0) eqns.splice(idx, 1);
        groupOf.delete(a);
      } else argCode.push(inputIndex(a));
    }
    const expr = e.prim.expr(e.inputs.map((a) => a.aval.dtype), e.params);
    const body = expr.replace(/\ba(\d+)\b/g, (_, d: string) => `__arg${d}`).replace(/__arg(\d+)/g, (_, d: string) => `(${argCode[Number(d)]})`);
    const t = `t${tmp++}`;
    const dtype = e.outs[0]!.aval.dtype;
    const multi = body.includes("\n");
    if (multi) {
      // an absorbed fused expression (already statements + result)
      const i = body.lastIndexOf("\n");
      g.stmts.push(body.slice(0, i));
      g.stmts.push(`const ${t} = ${round(body.slice(i + 1), dtype)};`);
    } else g.stmts.push(`const ${t} = ${round(body, dtype)};`);
    g.result = t;
    g.labels.push(e.prim.name);
    groupOf.set(g.out, g);
    eqns.push(g);
  }
  const out: Eqn[] = eqns.map((x) => {
    if (!("stmts" in x)) return x;
    if (x.labels.length === 1) {
      // a lone elementwise equation stays as it was
      return findEqn(j, x.out);
    }
    return { prim: fusedP, inputs: x.inputs, params: { expr: `${x.stmts.join("\n")}\n${x.result}`, dtype: x.out.aval.dtype, label: x.labels.join("·") }, outs: [x.out] };
  });
  return new ClosedJaxpr(new Jaxpr(j.constvars, j.invars, out, j.outs), cj.consts);
}

function findEqn(j: Jaxpr, v: Var): Eqn {
  return j.eqns.find((e) => e.outs.includes(v))!;
}

/** float32 temporaries round after every step, as the op-by-op kernels do when they store. */
function round(code: string, dtype: DType): string {
  return dtype === "float32" ? `Math.fround(${code})` : isFloat(dtype) ? code : code;
}

/** The whole pipeline, in order. */
export function optimize(cj: ClosedJaxpr): ClosedJaxpr {
  return dce(fuseElementwise(dce(foldConstants(cse(dce(cj))))));
}
