// Test oracles: float64 read-back and comparison, finite-difference gradient checks (with the
// dot-product test between forward and reverse mode, to order 2) and vmap = loop-and-stack.
// Expected values come from finite differences and plain-JS loops, never from tapir's own rules.
import { expect } from "vitest";
import { Tensor, grad, jvp, numpy as np, tree, vjp, vmap } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import { rng } from "./rng.js";

// ------------------------------------------------------------------ read-back and comparison

type Numeric = Tensor | number | boolean | ArrayLike<number> | readonly unknown[];

/** Flat float64 copy of a tensor, typed array, number or nested number array. */
export function toF64Array(x: Numeric): Float64Array {
  if (x instanceof Tensor) return Float64Array.from(x.dataSync() as ArrayLike<number>);
  if (typeof x === "number" || typeof x === "boolean") return Float64Array.of(Number(x));
  if (ArrayBuffer.isView(x)) return Float64Array.from(x as unknown as ArrayLike<number>);
  const out: number[] = [];
  const rec = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(rec);
    else out.push(Number(v));
  };
  rec(x);
  return Float64Array.from(out);
}

/** Shape of a tensor or nested array (undefined for flat typed arrays: not checked). */
function shapeOf(x: Numeric): readonly number[] | undefined {
  if (x instanceof Tensor) return x.shape;
  if (typeof x === "number" || typeof x === "boolean") return [];
  if (ArrayBuffer.isView(x)) return undefined;
  const s: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    s.push(cur.length);
    cur = cur[0];
  }
  return s;
}

export interface Tol {
  rtol?: number;
  atol?: number;
  /** what is compared, for the failure message */
  what?: string;
}

/**
 * Elementwise |a - e| ≤ atol + rtol·|e| (NaN matches NaN, ±∞ must match exactly); shapes must
 * agree when both sides have one.
 */
export function expectClose(actual: Numeric, expected: Numeric, tol: Tol = {}): void {
  const rtol = tol.rtol ?? 1e-6;
  const atol = tol.atol ?? 1e-6;
  const what = tol.what ? `${tol.what}: ` : "";
  const sa = shapeOf(actual);
  const se = shapeOf(expected);
  if (sa && se && expected instanceof Tensor) expect(sa, `${what}shape`).toEqual(se);
  else if (sa && se && actual instanceof Tensor && se.length > 0) expect([...sa], `${what}shape`).toEqual(se);
  const a = toF64Array(actual);
  const e = toF64Array(expected);
  if (a.length !== e.length) throw new Error(`${what}sizes differ: got ${a.length} elements, expected ${e.length}`);
  const bad: string[] = [];
  let nBad = 0;
  for (let i = 0; i < a.length; i++) {
    const u = a[i]!;
    const v = e[i]!;
    const ok = Number.isNaN(v) ? Number.isNaN(u) : !Number.isFinite(v) ? u === v : Math.abs(u - v) <= atol + rtol * Math.abs(v);
    if (!ok) {
      nBad++;
      if (bad.length < 6) bad.push(`[${i}] got ${u}, expected ${v} (diff ${Math.abs(u - v).toExponential(2)})`);
    }
  }
  if (nBad > 0) {
    throw new Error(`${what}${nBad}/${a.length} elements differ beyond rtol=${rtol}, atol=${atol}:\n  ${bad.join("\n  ")}`);
  }
}

/** Scale-aware comparison: tolerance relative to the largest magnitude of the expected values. */
export function expectCloseScaled(actual: Numeric, expected: Numeric, rtol: number, what?: string): void {
  const e = toF64Array(expected);
  let m = 0;
  for (const v of e) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  expectClose(actual, expected, { rtol, atol: rtol * Math.max(1, m), what });
}

const isFloatDType = (d: DType) => d === "float32" || d === "float64";

function dotF64(a: readonly Tensor[], b: readonly Tensor[]): number {
  let s = 0;
  a.forEach((t, i) => {
    const x = toF64Array(t);
    const y = toF64Array(b[i]!);
    for (let k = 0; k < x.length; k++) s += x[k]! * y[k]!;
  });
  return s;
}

function randomLike(t: Tensor, seed: number, dtype: DType): Tensor {
  const r = rng(seed);
  const data = Float64Array.from({ length: t.size }, () => r.normal());
  return np.array(data, { dtype }).reshape([...t.shape]);
}

/** Leaves of a pytree output as tensors (numbers become float tensors). */
function outLeaves(out: unknown): Tensor[] {
  return tree.leaves(out).map((l) => (l instanceof Tensor ? l : np.array(l as number)));
}

// ------------------------------------------------------------------ checkGrads

export interface GradCheckOptions {
  /** 1: first derivatives; 2: also the derivatives of the jvp and of the vjp. */
  order?: 1 | 2;
  /** finite-difference step (in float64) */
  eps?: number;
  /** relative tolerance (scaled by the magnitude of the reference) */
  rtol?: number;
  /** dtype the derivatives are computed in; finite differences are always float64 */
  dtype?: "float32" | "float64";
  seed?: number;
  /** which modes to check: forward (jvp), reverse (vjp/grad) */
  modes?: readonly ("fwd" | "rev")[];
}

type TFn = (...args: Tensor[]) => unknown;

/**
 * Each derivative has its primal's shape and dtype (a float32 input gets a float32 cotangent,
 * a [2, 1] input a [2, 1] one — not a broadcast or promoted one). Integer primals are skipped:
 * their tangents are float0-like zeros whose dtype is the rule's choice.
 */
function expectLike(ds: readonly Tensor[], primals: readonly Tensor[], what: string): void {
  expect(ds.length, `${what}: count`).toBe(primals.length);
  ds.forEach((d, i) => {
    const p = primals[i]!;
    if (!isFloatDType(p.dtype)) return;
    expect(d, `${what} ${i}: a tensor`).toBeInstanceOf(Tensor);
    expect([...d.shape], `${what} ${i}: shape`).toEqual([...p.shape]);
    expect(d.dtype, `${what} ${i}: dtype`).toBe(p.dtype);
  });
}

/**
 * Checks f's derivatives at `args` (the float arguments are differentiated; the others are
 * held fixed): along a random direction u, the jvp and ⟨grad, u⟩ / ⟨vjp(v), u⟩ against
 * central finite differences in float64, and ⟨v, J u⟩ = ⟨Jᵀ v, u⟩ between jvp and vjp.
 * With order 2 the same checks run on x ↦ jvp(f, x, u) and x ↦ vjp(f, x)(v).
 */
export function checkGrads(f: TFn, args: readonly (Tensor | number)[], opts: GradCheckOptions = {}): void {
  const order = opts.order ?? 1;
  const dtype = opts.dtype ?? "float64";
  const eps = opts.eps ?? (dtype === "float64" ? 1e-5 : 1e-4);
  const rtol = opts.rtol ?? (dtype === "float64" ? 1e-5 : 3e-3);
  const seed = opts.seed ?? 1;
  const modes = opts.modes ?? ["fwd", "rev"];
  const ts = args.map((a) => (a instanceof Tensor ? a : np.array(a)));
  const diff = ts.map((t, i) => (isFloatDType(t.dtype) ? i : -1)).filter((i) => i >= 0);
  if (diff.length === 0) throw new Error("checkGrads: no float argument to differentiate");
  /** f of the differentiated arguments only (the others held at their values) */
  const g = (...xs: Tensor[]) =>
    f(...ts.map((t, i) => {
      const k = diff.indexOf(i);
      return k >= 0 ? xs[k]! : t;
    }));
  const xs = diff.map((i) => ts[i]!.astype(dtype));
  const xs64 = diff.map((i) => ts[i]!.astype("float64"));
  const us = xs.map((x, k) => randomLike(x, seed * 7919 + k, dtype));
  const us64 = us.map((u) => u.astype("float64"));

  // central differences along u in float64
  const shifted = (s: number) => outLeaves(g(...xs64.map((x, k) => x.add(us64[k]!.mul(s * eps)))));
  const plus = shifted(1);
  const minus = shifted(-1);
  const fd = plus.map((p, i) => {
    const a = toF64Array(p);
    const b = toF64Array(minus[i]!);
    return a.map((v, k) => (v - b[k]!) / (2 * eps));
  });
  const out0 = outLeaves(g(...xs));
  const floatOut = out0.map((o) => isFloatDType(o.dtype));
  const vs = out0.map((o, i) => (floatOut[i] ? randomLike(o, seed * 104729 + i, o.dtype) : np.zerosLike(o)));

  let jvpOut: Tensor[] | undefined;
  if (modes.includes("fwd")) {
    const [, tout] = jvp(g, xs, us);
    jvpOut = outLeaves(tout);
    expectLike(jvpOut, out0, "checkGrads: jvp tangent output");
    jvpOut.forEach((t, i) => {
      if (floatOut[i]) expectCloseScaled(t, fd[i]!, rtol, `checkGrads: jvp output ${i} vs finite differences`);
    });
  }
  if (modes.includes("rev")) {
    const [out, vjpFn] = vjp(g, xs) as [unknown, (ct: unknown) => Tensor[]];
    const [, def] = tree.flatten(out);
    const cts = vjpFn(tree.unflatten(def, vs));
    expectLike(cts, xs, "checkGrads: vjp cotangent of input");
    const lhs = dotF64(cts, us);
    let fdDot = 0;
    vs.forEach((v, i) => {
      const vv = toF64Array(v);
      fdDot += vv.reduce((s, x, k) => s + x * fd[i]![k]!, 0);
    });
    const scale = Math.max(1, Math.abs(fdDot), ...cts.map((c) => Math.max(0, ...toF64Array(c).map(Math.abs))));
    expectClose(lhs, fdDot, { rtol, atol: rtol * scale, what: "checkGrads: ⟨vjp(v), u⟩ vs ⟨v, finite differences⟩" });
    if (jvpOut) {
      const rhs = dotF64(vs, jvpOut);
      const all64 = dtype === "float64" && out0.every((o) => o.dtype !== "float32");
      const tol = all64 ? 1e-9 : 1e-4;
      expectClose(lhs, rhs, { rtol: tol, atol: tol * scale, what: "checkGrads: dot-product test ⟨Jᵀv, u⟩ = ⟨v, Ju⟩" });
    }
    if (out instanceof Tensor && out.ndim === 0 && floatOut[0]) {
      const gs = grad(g, { argnums: xs.map((_, k) => k) })(...xs) as Tensor[];
      expectLike(gs, xs, "checkGrads: gradient of input");
      expectClose(dotF64(gs, us), fd[0]![0]!, { rtol, atol: rtol * scale, what: "checkGrads: ⟨grad, u⟩ vs finite differences" });
    }
  }

  if (order === 2) {
    const sub = { ...opts, order: 1 as const, seed: seed + 1, rtol: rtol * 10, eps: eps * 10 };
    const jvpOf = (...ys: Tensor[]) => jvp(g, ys, us.map((u, k) => u.astype(ys[k]!.dtype)))[1];
    const vjpOf = (...ys: Tensor[]) => {
      const [o, fn] = vjp(g, ys) as [unknown, (ct: unknown) => Tensor[]];
      const [ol, def] = tree.flatten(o);
      return fn(tree.unflatten(def, vs.map((v, i) => v.astype((ol[i] as Tensor).dtype))));
    };
    if (modes.includes("fwd")) checkGrads((...a) => jvpOf(...diff.map((i) => a[i]!)), ts, sub);
    if (modes.includes("rev")) checkGrads((...a) => vjpOf(...diff.map((i) => a[i]!)), ts, sub);
  }
}

// ------------------------------------------------------------------ checkVmap

/** The i-th slice of t along `axis`, by plain JS indexing (no tapir ops). */
export function sliceAlong(t: Tensor, axis: number, i: number): Tensor {
  const s = t.shape;
  const d = t.dataSync();
  const outer = s.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = s[axis]!;
  const inner = s.slice(axis + 1).reduce((a, b) => a * b, 1);
  const Ctor = d.constructor as new (n: number) => typeof d;
  const out = new Ctor(outer * inner);
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) out[o * inner + j] = d[(o * n + i) * inner + j]!;
  return np.array(out, { dtype: t.dtype }).reshape([...s.slice(0, axis), ...s.slice(axis + 1)]);
}

/** Stacks same-shape tensors along `axis` by plain JS copying; returns [flat data, shape]. */
export function stackAlong(ts: readonly Tensor[], axis: number): [Float64Array, number[]] {
  const s = ts[0]!.shape;
  const outer = s.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = s.slice(axis).reduce((a, b) => a * b, 1);
  const n = ts.length;
  const out = new Float64Array(outer * n * inner);
  ts.forEach((t, i) => {
    expect([...t.shape], "checkVmap: per-example outputs share a shape").toEqual([...s]);
    const d = toF64Array(t);
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) out[(o * n + i) * inner + j] = d[o * inner + j]!;
  });
  return [out, [...s.slice(0, axis), n, ...s.slice(axis)]];
}

export interface VmapCheckOptions extends Tol {
  outAxes?: number;
}

/**
 * vmap(f, inAxes)(...args) equals calling f on each slice and stacking the results
 * (outputs may be pytrees; each leaf is compared).
 */
export function checkVmap(f: TFn, inAxes: number | null | readonly (number | null)[], args: readonly Tensor[], opts: VmapCheckOptions = {}): void {
  const axes = Array.isArray(inAxes) ? (inAxes as (number | null)[]) : args.map(() => inAxes as number | null);
  const norm = axes.map((a, i) => (a === null ? null : a < 0 ? a + args[i]!.ndim : a));
  const n = args[norm.findIndex((a) => a !== null)]!.shape[norm.find((a) => a !== null)!]!;
  const outAxes = opts.outAxes ?? 0;
  const got = vmap(f, opts.outAxes === undefined ? { inAxes: axes } : { inAxes: axes, outAxes })(...args);
  const per = Array.from({ length: n }, (_, i) => outLeaves(f(...args.map((a, k) => (norm[k] === null ? a : sliceAlong(a, norm[k]!, i))))));
  const gotLeaves = outLeaves(got);
  expect(gotLeaves.length, "checkVmap: number of outputs").toBe(per[0]!.length);
  gotLeaves.forEach((g, j) => {
    const ax = outAxes < 0 ? outAxes + per[0]![j]!.ndim + 1 : outAxes;
    const [data, shape] = stackAlong(per.map((p) => p[j]!), ax);
    expect([...g.shape], `checkVmap: output ${j} shape`).toEqual(shape);
    expect(g.dtype, `checkVmap: output ${j} dtype`).toBe(per[0]![j]!.dtype);
    expectClose(g, data, { rtol: opts.rtol ?? 1e-6, atol: opts.atol ?? 1e-6, what: `checkVmap: output ${j} vs loop-and-stack` });
  });
}
