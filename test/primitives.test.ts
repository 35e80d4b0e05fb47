// One row per primitive, keyed by PrimitiveName (a primitive without a row does not compile).
// Each row builds seeded inputs on a valid domain and gives a float64 reference written here
// in plain JS; every row runs impl-vs-reference, checkGrads (differentiable rows; a zero
// derivative is checked as zero), checkVmap and checkJit (jit equals eager bit for bit, dtype
// included: alone, fused with elementwise neighbours, and constant-folded), per dtype.
import { describe, expect, it } from "vitest";
import { Tensor, jvp, makeJaxpr, numpy as np, vjp } from "../src/index.js";
import type { DType } from "../src/index.js";
import { PRIMITIVES, type PrimitiveName } from "../src/core/primitives/index.js";
import { bind, type Aval } from "../src/core/trace.js";
import { definePrimitive, linearJvp, vectorized } from "../src/core/primitive.js";
import { checkGrads, checkVmap, expectClose, stackAlong, type GradCheckOptions } from "./util/oracles.js";
import { checkJit, optimizedJaxpr, primNames } from "./util/jit-oracles.js";
import { rng, type Rng } from "./util/rng.js";
import {
  at,
  fromFn,
  mapNd,
  nd,
  ndOf,
  reduceNd,
  roundHalfEven,
  sizeOf,
  threefry2x32Ref,
  transposeNd,
  unravel,
  type Nd,
} from "./util/ref.js";

// ------------------------------------------------------------------ row shape

interface Case {
  params: any;
  /** the primitive's inputs for a row dtype, values from `r` (shapes must not depend on r) */
  args: (r: Rng, dtype: DType) => Tensor[];
  /** vmap configurations to check (default: all 0; all last; and mixed with null) */
  inAxes?: (number | null)[][];
  /** false: skip the gradient check for this case (e.g. ties, NaN) */
  grad?: boolean;
  /** false: skip the vmap check for this case */
  vmap?: boolean;
}

interface Row {
  dtypes: DType[];
  cases: (dtype: DType) => Case[];
  /** float64 reference of the single output */
  ref: (xs: Nd[], params: any, dtype: DType) => Nd;
  outDtype?: (dtype: DType, params: any) => DType;
  /** "yes": differentiable; "zero": derivative zero everywhere; "no": no float input */
  grad: "yes" | "zero" | "no";
  gradOpts?: GradCheckOptions;
  /** relative tolerance against the reference for float32 / float64 outputs */
  tol?: [number, number];
  /** false: the primitive takes no batched input (iota) */
  vmap?: boolean;
}

const FLOATS: DType[] = ["float32", "float64"];
const isF = (d: DType) => d === "float32" || d === "float64";

// ------------------------------------------------------------------ input generators

/** Random tensor of `shape`: floats in [lo, hi) (rejecting `bad` values), ints in [lo, hi], bools. */
function gen(r: Rng, dtype: DType, shape: number[], lo = -2, hi = 2, bad?: (v: number) => boolean): Tensor {
  const n = sizeOf(shape);
  const data: number[] = [];
  while (data.length < n) {
    let v: number;
    if (dtype === "bool") v = r.next() < 0.5 ? 1 : 0;
    else if (dtype === "int32") v = r.int(Math.ceil(lo), Math.floor(hi) + 1);
    else v = r.uniform(lo, hi);
    if (dtype !== "float32" && dtype !== "float64") data.push(v);
    else {
      if (dtype === "float32") v = Math.fround(v);
      if (!bad || !bad(v)) data.push(v);
    }
  }
  return typed(data, dtype, shape);
}

/** A tensor from JS numbers in a dtype (no tapir arithmetic). */
function typed(data: readonly number[], dtype: DType, shape: number[]): Tensor {
  const arr = dtype === "float32" ? Float32Array.from(data) : dtype === "float64" ? Float64Array.from(data) : dtype === "int32" ? Int32Array.from(data) : Uint8Array.from(data);
  return np.array(arr, { dtype }).reshape(shape);
}

/** Picks values from a small set (so ties and equalities occur). */
function genFrom(r: Rng, dtype: DType, shape: number[], values: number[]): Tensor {
  return typed(Array.from({ length: sizeOf(shape) }, () => r.pick(values)), dtype, shape);
}

const nearInt = (v: number) => Math.abs(v - Math.round(v)) < 1e-3 || Math.abs(Math.abs(v % 1) - 0.5) < 1e-3;

// ------------------------------------------------------------------ row builders

const SHAPES1: number[][] = [[], [5], [2, 3]];

function unaryRow(fn: (x: number) => number, opts: { lo?: number; hi?: number; bad?: (v: number) => boolean; dtypes?: DType[]; grad?: Row["grad"]; extra?: number[][] } = {}): Row {
  const lo = opts.lo ?? -2;
  const hi = opts.hi ?? 2;
  return {
    dtypes: opts.dtypes ?? FLOATS,
    cases: () => [
      ...SHAPES1.map((shape) => ({ params: {}, args: (r: Rng, d: DType) => [gen(r, d, shape, lo, hi, opts.bad)] })),
      ...(opts.extra ?? []).map((vals) => ({ params: {}, args: (_r: Rng, d: DType) => [typed(vals, d, [vals.length])], grad: false, vmap: false })),
    ],
    ref: ([x]) => mapNd(fn, x!),
    grad: opts.grad ?? "yes",
  };
}

const PAIRS: [number[], number[]][] = [
  [[4], [4]],
  [[2, 3], [3]],
  [[2, 1], [1, 4]],
  [[], [2, 2]],
];

function binaryRow(
  fn: (a: number, b: number) => number,
  opts: { dtypes?: DType[]; lo?: [number, number]; hi?: [number, number]; bad?: [(v: number) => boolean, (v: number) => boolean]; grad?: Row["grad"]; out?: DType; values?: number[] } = {},
): Row {
  const lo = opts.lo ?? [-2, -2];
  const hi = opts.hi ?? [2, 2];
  return {
    dtypes: opts.dtypes ?? FLOATS,
    cases: () => [
      ...PAIRS.map(([sa, sb]) => ({
        params: {},
        args: (r: Rng, d: DType) =>
          opts.values ? [genFrom(r, d, sa, opts.values), genFrom(r, d, sb, opts.values)] : [gen(r, d, sa, lo[0], hi[0], opts.bad?.[0]), gen(r, d, sb, lo[1], hi[1], opts.bad?.[1])],
        inAxes: [[0, 0], [-1, -1], [0, null], [null, -1]],
      })),
    ],
    ref: ([a, b]) => mapNd(fn, a!, b!),
    outDtype: opts.out ? () => opts.out! : undefined,
    grad: opts.grad ?? "yes",
  };
}

/** Comparisons and connectives: bool results on floats, ints and bools (equal values occur). */
const cmpRow = (fn: (a: number, b: number) => boolean, dtypes: DType[] = ["float32", "float64", "int32", "bool"]): Row => ({
  ...binaryRow((a, b) => (fn(a, b) ? 1 : 0), { dtypes, grad: "zero", out: "bool", values: [-1, 0, 1, 2] }),
  cases: (d) => binaryRow(() => 0, { values: d === "bool" ? [0, 1] : [-1, 0, 0.5, 2] }).cases(d),
});

const trunc32 = (v: number) => v | 0;

/** Reference dot_general: output axes (batch…, lhs free…, rhs free…). */
function dotGeneralRef(l: Nd, r: Nd, p: { contract: [number[], number[]]; batch: [number[], number[]] }): Nd {
  const [lc, rc] = p.contract;
  const [lb, rb] = p.batch;
  const lf = l.shape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i));
  const rf = r.shape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i));
  const shape = [...lb.map((a) => l.shape[a]!), ...lf.map((a) => l.shape[a]!), ...rf.map((a) => r.shape[a]!)];
  const cshape = lc.map((a) => l.shape[a]!);
  const K = sizeOf(cshape);
  return fromFn(shape, (idx) => {
    const li = new Array<number>(l.shape.length).fill(0);
    const ri = new Array<number>(r.shape.length).fill(0);
    lb.forEach((a, i) => ((li[a] = idx[i]!), (ri[rb[i]!] = idx[i]!)));
    lf.forEach((a, i) => (li[a] = idx[lb.length + i]!));
    rf.forEach((a, i) => (ri[a] = idx[lb.length + lf.length + i]!));
    let s = 0;
    for (let k = 0; k < K; k++) {
      const c = unravel(k, cshape);
      lc.forEach((a, i) => ((li[a] = c[i]!), (ri[rc[i]!] = c[i]!)));
      s += at(l, li) * at(r, ri);
    }
    return s;
  });
}

const clampIdx = (i: number, n: number) => {
  const j = i < 0 ? i + n : i;
  return Math.min(Math.max(j, 0), n - 1);
};

// ------------------------------------------------------------------ the table

const rows: Record<PrimitiveName, Row> = {
  // ---- unary elementwise
  neg: unaryRow((x) => -x, { dtypes: [...FLOATS, "int32"] }),
  sin: unaryRow(Math.sin),
  cos: unaryRow(Math.cos),
  tan: unaryRow(Math.tan, { lo: -1.2, hi: 1.2 }),
  exp: unaryRow(Math.exp),
  log: unaryRow(Math.log, { lo: 0.1, hi: 3 }),
  log1p: unaryRow(Math.log1p, { lo: -0.6, hi: 2 }),
  expm1: unaryRow(Math.expm1),
  sqrt: unaryRow(Math.sqrt, { lo: 0.1, hi: 3 }),
  tanh: unaryRow(Math.tanh),
  logistic: unaryRow((x) => 1 / (1 + Math.exp(-x)), { lo: -6, hi: 6, extra: [[-800, -30, 0, 30, 800]] }),
  asin: unaryRow(Math.asin, { lo: -0.9, hi: 0.9 }),
  acos: unaryRow(Math.acos, { lo: -0.9, hi: 0.9 }),
  atan: unaryRow(Math.atan, { lo: -3, hi: 3 }),
  sinh: unaryRow(Math.sinh),
  cosh: unaryRow(Math.cosh),
  abs: unaryRow(Math.abs, { dtypes: [...FLOATS, "int32"], bad: (v) => Math.abs(v) < 1e-2 }),
  sign: unaryRow((x) => (x > 0 ? 1 : x < 0 ? -1 : 0), { dtypes: [...FLOATS, "int32"], grad: "zero", bad: (v) => Math.abs(v) < 1e-2, extra: [[-2, 0, 3]] }),
  floor: unaryRow(Math.floor, { dtypes: [...FLOATS, "int32"], grad: "zero", bad: nearInt }),
  ceil: unaryRow(Math.ceil, { dtypes: [...FLOATS, "int32"], grad: "zero", bad: nearInt }),
  round: unaryRow(roundHalfEven, { dtypes: [...FLOATS, "int32"], grad: "zero", bad: nearInt, extra: [[0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.4999, 3.7]] }),
  not: {
    dtypes: ["bool", "int32"],
    cases: () => SHAPES1.map((shape) => ({ params: {}, args: (r: Rng, d: DType) => [gen(r, d, shape, -1, 1)] })),
    ref: ([x]) => mapNd((v) => (v ? 0 : 1), x!),
    outDtype: () => "bool",
    grad: "no",
  },
  isnan: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      { params: {}, args: (r, d) => [gen(r, d, [2, 3])] },
      { params: {}, args: (_r, d) => [typed(isF(d) ? [NaN, Infinity, -Infinity, 0, 1.5] : [0, 1, -1, 7, 2], d, [5])] },
    ],
    ref: ([x]) => mapNd((v) => (Number.isNaN(v) ? 1 : 0), x!),
    outDtype: () => "bool",
    grad: "zero",
  },
  isfinite: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      { params: {}, args: (r, d) => [gen(r, d, [2, 3])] },
      { params: {}, args: (_r, d) => [typed(isF(d) ? [NaN, Infinity, -Infinity, 0, 1.5] : [0, 1, -1, 7, 2], d, [5])], grad: false },
    ],
    ref: ([x]) => mapNd((v) => (Number.isFinite(v) ? 1 : 0), x!),
    outDtype: () => "bool",
    grad: "zero",
  },
  convert: {
    dtypes: ["float32", "float64", "int32", "bool"],
    cases: (d) =>
      (["float32", "float64", "int32", "bool"] as DType[])
        .filter((to) => to !== d)
        .map((to) => ({ params: { dtype: to }, args: (r: Rng, dt: DType) => [gen(r, dt, [2, 3], -3, 3)], grad: isF(d) && isF(to) })),
    ref: ([x], { dtype }) => mapNd((v) => (dtype === "int32" ? trunc32(v) : dtype === "bool" ? (v !== 0 ? 1 : 0) : v), x!),
    outDtype: (_d, p) => p.dtype,
    grad: "yes",
    gradOpts: { eps: 1e-2, rtol: 1e-3 },
  },
  stop_gradient: unaryRow((x) => x, { dtypes: [...FLOATS, "int32"], grad: "zero" }),
  random_unit: {
    dtypes: FLOATS,
    cases: (d) => [[7], [2, 3]].map((shape) => ({ params: { dtype: d }, args: (r: Rng) => [typed(Array.from({ length: sizeOf(shape) }, () => r.int(-(2 ** 31), 2 ** 31)), "int32", shape)] })),
    ref: ([x], { dtype }) => mapNd((b) => (dtype === "float32" ? (b >>> 9) * 2 ** -23 : (b >>> 0) * 2 ** -32), x!),
    outDtype: (_d, p) => p.dtype,
    grad: "no",
  },

  // ---- binary elementwise
  add: binaryRow((a, b) => a + b, { dtypes: [...FLOATS, "int32"] }),
  sub: binaryRow((a, b) => a - b, { dtypes: [...FLOATS, "int32"] }),
  mul: binaryRow((a, b) => a * b, { dtypes: [...FLOATS, "int32"] }),
  div: {
    ...binaryRow((a, b) => a / b, { dtypes: [...FLOATS, "int32"], lo: [-2, -2], hi: [2, 2], bad: [() => false, (v) => Math.abs(v) < 0.5] }),
    ref: ([a, b], _p, d) => mapNd((x, y) => (d === "int32" ? (y === 0 ? 0 : Math.floor(x / y)) : x / y), a!, b!),
  },
  pow: {
    ...binaryRow(Math.pow, { dtypes: [...FLOATS, "int32"], lo: [0.5, -1.5], hi: [2, 1.5] }),
    cases: (d) => binaryRow(Math.pow, d === "int32" ? { lo: [0, 0], hi: [4, 3] } : { lo: [0.5, -1.5], hi: [2, 1.5] }).cases(d),
  },
  max: {
    ...binaryRow(Math.max, { dtypes: [...FLOATS, "int32"] }),
    cases: (d) => [
      ...binaryRow(Math.max, { bad: [() => false, () => false] }).cases(d),
      { params: {}, args: (_r, dt) => [typed([1, 2, 3, NaN].slice(0, isF(dt) ? 4 : 3), dt, [isF(dt) ? 4 : 3]), typed([1, 5, -3, 0].slice(0, isF(dt) ? 4 : 3), dt, [isF(dt) ? 4 : 3])], grad: false },
    ],
  },
  min: {
    ...binaryRow(Math.min, { dtypes: [...FLOATS, "int32"] }),
    cases: (d) => [
      ...binaryRow(Math.min).cases(d),
      { params: {}, args: (_r, dt) => [typed([1, 2, 3, NaN].slice(0, isF(dt) ? 4 : 3), dt, [isF(dt) ? 4 : 3]), typed([1, 5, -3, 0].slice(0, isF(dt) ? 4 : 3), dt, [isF(dt) ? 4 : 3])], grad: false },
    ],
  },
  // y kept positive: away from the branch cut along the negative y axis, where atan2 jumps by 2π
  atan2: binaryRow(Math.atan2, { lo: [-2, 0.25], hi: [2, 2] }),
  lt: cmpRow((a, b) => a < b),
  le: cmpRow((a, b) => a <= b),
  gt: cmpRow((a, b) => a > b),
  ge: cmpRow((a, b) => a >= b),
  eq: cmpRow((a, b) => a === b),
  ne: cmpRow((a, b) => a !== b),
  and: cmpRow((a, b) => !!a && !!b, ["bool", "int32"]),
  or: cmpRow((a, b) => !!a || !!b, ["bool", "int32"]),
  select: {
    dtypes: [...FLOATS, "int32"],
    cases: () =>
      [
        [[2, 3], [2, 3], [2, 3]],
        [[2, 3], [3], []],
        [[3], [2, 3], [2, 1]],
      ].map(([sp, sa, sb]) => ({
        params: {},
        args: (r: Rng, d: DType) => [gen(r, "bool", sp!), gen(r, d, sa!), gen(r, d, sb!)],
        inAxes: [[0, 0, 0], [-1, -1, -1], [0, null, null], [null, 0, null], [null, null, -1]],
      })),
    ref: ([p, a, b]) => mapNd((c, x, y) => (c ? x : y), p!, a!, b!),
    grad: "yes",
  },

  // ---- reductions
  reduce_sum: reduceRow(0, (a, v) => a + v, [...FLOATS, "int32"]),
  reduce_max: reduceRow(-Infinity, Math.max, [...FLOATS, "int32"]),
  reduce_min: reduceRow(Infinity, Math.min, [...FLOATS, "int32"]),
  reduce_prod: {
    ...reduceRow(1, (a, v) => a * v, [...FLOATS, "int32"], { lo: 0.5, hi: 1.5 }),
    cases: (d) => [
      ...reduceRow(1, (a, v) => a * v, [], { lo: 0.5, hi: 1.5 }).cases(d),
      // zeros: one or two per row; the derivative must stay exact (no division by x)
      { params: { axes: [1] }, args: (r, dt) => [typed([0, r.uniform(0.5, 2), r.uniform(0.5, 2), 0, 0, r.uniform(0.5, 2), 1.5, 2, 0.5], dt, [3, 3])] },
    ],
  },
  argmax: argRow(true),
  argmin: argRow(false),
  cumsum: {
    dtypes: [...FLOATS, "int32"],
    cases: () =>
      [
        [[6], 0, false],
        [[3, 4], 0, true],
        [[3, 4], 1, false],
        [[2, 3, 4], 1, true],
      ].map(([shape, axis, reverse]) => ({ params: { axis, reverse }, args: (r: Rng, d: DType) => [gen(r, d, shape as number[], -3, 3)] })),
    ref: ([x], { axis, reverse }) =>
      fromFn(x!.shape, (idx) => {
        let s = 0;
        const n = x!.shape[axis]!;
        const j = idx[axis]!;
        for (let k = reverse ? n - 1 : 0; reverse ? k >= j : k <= j; k += reverse ? -1 : 1) s += at(x!, idx.map((v, i) => (i === axis ? k : v)));
        return s;
      }),
    grad: "yes",
    tol: [1e-5, 1e-12],
  },

  // ---- structural
  broadcast_in_dim: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: () =>
      [
        [[3, 1], [2, 3, 4], [1, 2]],
        [[], [2, 2], []],
        [[4], [3, 4], [1]],
        [[2, 1, 3], [2, 5, 3], [0, 1, 2]],
      ].map(([xs, shape, dims]) => ({ params: { shape, dims }, args: (r: Rng, d: DType) => [gen(r, d, xs!)] })),
    ref: ([x], { shape, dims }) => fromFn(shape, (idx) => at(x!, (dims as number[]).map((dd, i) => (x!.shape[i] === 1 ? 0 : idx[dd]!)))),
    grad: "yes",
  },
  reshape: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: () =>
      [
        [[2, 3, 4], [6, 4]],
        [[6], [2, 3]],
        [[], [1, 1]],
        [[2, 3], [3, 1, 2]],
      ].map(([xs, shape]) => ({ params: { shape }, args: (r: Rng, d: DType) => [gen(r, d, xs!)] })),
    ref: ([x], { shape }) => nd(shape, x!.data),
    grad: "yes",
  },
  transpose: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: () =>
      [
        [[2, 3, 4], [2, 0, 1]],
        [[3, 4], [1, 0]],
        [[2, 3, 4], [0, 2, 1]],
      ].map(([xs, perm]) => ({ params: { perm }, args: (r: Rng, d: DType) => [gen(r, d, xs!)] })),
    ref: ([x], { perm }) => transposeNd(x!, perm),
    grad: "yes",
  },
  slice: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: () =>
      [
        [[5, 6], [1, 0], [4, 6], [1, 2]],
        [[7], [2], [7], [3]],
        [[4, 3], [0, 1], [4, 3], [3, 1]],
        [[4], [2], [2], [1]],
      ].map(([xs, starts, limits, strides]) => ({ params: { starts, limits, strides }, args: (r: Rng, d: DType) => [gen(r, d, xs!)] })),
    ref: ([x], { starts, limits, strides }) =>
      fromFn(
        (starts as number[]).map((s, i) => Math.max(0, Math.ceil((limits[i] - s) / strides[i]))),
        (idx) => at(x!, idx.map((v, i) => starts[i] + v * strides[i])),
      ),
    grad: "yes",
  },
  pad: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: () =>
      [
        [[3, 4], [1, 0], [0, 2], [0, 1]],
        [[3], [2], [1], [2]],
        [[2, 2], [0, 0], [0, 0], [0, 0]],
      ].map(([xs, lo, hi, interior]) => ({ params: { lo, hi, interior }, args: (r: Rng, d: DType) => [gen(r, d, xs!)] })),
    ref: ([x], { lo, hi, interior }) =>
      fromFn(
        x!.shape.map((s, i) => lo[i] + hi[i] + s + Math.max(0, s - 1) * interior[i]),
        (idx) => {
          const src = idx.map((v, i) => (v - lo[i]) / (interior[i] + 1));
          return src.every((s, i) => Number.isInteger(s) && s >= 0 && s < x!.shape[i]!) ? at(x!, src) : 0;
        },
      ),
    grad: "yes",
  },
  concatenate: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: () => [
      { params: { axis: 0 }, args: (r, d) => [gen(r, d, [2, 3]), gen(r, d, [1, 3]), gen(r, d, [4, 3])], inAxes: [[0, 0, 0], [-1, -1, -1], [0, null, 1]] },
      { params: { axis: 1 }, args: (r, d) => [gen(r, d, [2, 1]), gen(r, d, [2, 3])], inAxes: [[0, 0], [null, 0]] },
    ],
    ref: (xs, { axis }) => {
      const shape = [...xs[0]!.shape];
      shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
      return fromFn(shape, (idx) => {
        let k = idx[axis]!;
        for (const x of xs) {
          if (k < x.shape[axis]!) return at(x, idx.map((v, i) => (i === axis ? k : v)));
          k -= x.shape[axis]!;
        }
        throw new Error("unreachable");
      });
    },
    grad: "yes",
  },
  rev: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: () =>
      [
        [[3, 4], [0]],
        [[3, 4], [0, 1]],
        [[2, 3, 4], [1]],
        [[5], [0]],
      ].map(([xs, axes]) => ({ params: { axes }, args: (r: Rng, d: DType) => [gen(r, d, xs!)] })),
    ref: ([x], { axes }) => fromFn(x!.shape, (idx) => at(x!, idx.map((v, i) => (axes.includes(i) ? x!.shape[i]! - 1 - v : v)))),
    grad: "yes",
  },
  gather: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      { params: { axis: 0 }, args: (r, d) => [gen(r, d, [4, 5]), gen(r, "int32", [2, 3], -4, 5)], inAxes: [[0, 0], [0, null], [null, 0], [-1, -1]] },
      { params: { axis: 1 }, args: (r, d) => [gen(r, d, [4, 5]), gen(r, "int32", [3], -2, 6)], inAxes: [[0, 0], [1, null], [null, 0], [2, 0]] },
      { params: { axis: 0 }, args: (r, d) => [gen(r, d, [6]), gen(r, "int32", [], 0, 5)] },
    ],
    ref: ([x, idx], { axis }) => {
      const shape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
      const ni = idx!.shape.length;
      return fromFn(shape, (o) => {
        const j = at(idx!, o.slice(axis, axis + ni));
        return at(x!, [...o.slice(0, axis), clampIdx(j, x!.shape[axis]!), ...o.slice(axis + ni)]);
      });
    },
    grad: "yes",
  },
  scatter_add: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      { params: { axis: 0, n: 5 }, args: (r, d) => [gen(r, d, [4, 3]), typed([1, 3, 1, 4], "int32", [4])], inAxes: [[0, 0], [0, null], [null, 0], [-1, -1]] },
      { params: { axis: 1, n: 5 }, args: (r, d) => [gen(r, d, [2, 3, 4]), gen(r, "int32", [3], -2, 6)], inAxes: [[0, 0], [1, null], [null, 0]] },
      { params: { axis: 0, n: 4 }, args: (r, d) => [gen(r, d, [2, 2, 3]), typed([0, 3, 3, 0], "int32", [2, 2])] },
    ],
    ref: ([u, idx], { axis, n }) => {
      const ni = idx!.shape.length;
      const shape = [...u!.shape.slice(0, axis), n, ...u!.shape.slice(axis + ni)];
      const out = new Float64Array(sizeOf(shape));
      for (let p = 0; p < u!.data.length; p++) {
        const ui = unravel(p, u!.shape);
        const k = clampIdx(at(idx!, ui.slice(axis, axis + ni)), n);
        const oi = [...ui.slice(0, axis), k, ...ui.slice(axis + ni)];
        let off = 0;
        oi.forEach((v, i) => (off = off * shape[i]! + v));
        out[off] = out[off]! + u!.data[p]!;
      }
      return { shape, data: out };
    },
    grad: "yes",
  },
  iota: {
    dtypes: [...FLOATS, "int32"],
    cases: (d) =>
      [
        [[3, 4], 0],
        [[3, 4], 1],
        [[5], 0],
        [[2, 3, 2], 1],
      ].map(([shape, axis]) => ({ params: { shape, axis, dtype: d }, args: () => [] })),
    ref: (_x, { shape, axis }) => fromFn(shape, (idx) => idx[axis]!),
    outDtype: (_d, p) => p.dtype,
    grad: "no",
    vmap: false,
  },
  dot_general: {
    dtypes: FLOATS,
    cases: () =>
      (
        [
          [[3, 4], [4, 5], [[1], [0]], [[], []]],
          [[2, 3, 4], [2, 4, 5], [[2], [1]], [[0], [0]]],
          [[4, 3], [4, 5], [[0], [0]], [[], []]],
          [[3, 2, 4], [2, 4, 5], [[1, 2], [0, 1]], [[], []]],
          [[5], [5], [[0], [0]], [[], []]],
          [[3, 4], [5, 4], [[1], [1]], [[], []]],
          [[2, 4, 3], [3, 2], [[2], [0]], [[0], [1]]],
        ] as [number[], number[], [number[], number[]], [number[], number[]]][]
      ).map(([sl, sr, contract, batch]) => ({
        params: { contract, batch },
        args: (r: Rng, d: DType) => [gen(r, d, sl), gen(r, d, sr)],
        inAxes: [[0, 0], [-1, 0], [0, null], [null, -1]],
      })),
    ref: ([l, r], p) => dotGeneralRef(l!, r!, p),
    grad: "yes",
    tol: [1e-5, 1e-12],
  },
  random_bits: {
    dtypes: ["int32"],
    cases: () =>
      [[7], [2, 3], [4]].map((shape) => ({
        params: { shape },
        args: (r: Rng) => [typed([r.int(-(2 ** 31), 2 ** 31), r.int(-(2 ** 31), 2 ** 31)], "int32", [2])],
      })),
    ref: ([k], { shape }) => {
      const key: [number, number] = [k!.data[0]!, k!.data[1]!];
      return fromFn(shape, (idx) => {
        const i = idx.reduce((o, v, d) => o * shape[d] + v, 0);
        return threefry2x32Ref(key, [0, i >>> 1])[i & 1]! | 0;
      });
    },
    outDtype: () => "int32",
    grad: "no",
  },
};

function reduceRow(init: number, fn: (a: number, v: number) => number, dtypes: DType[], range: { lo?: number; hi?: number } = {}): Row {
  return {
    dtypes,
    cases: () =>
      [
        [[2, 3, 4], [1]],
        [[2, 3, 4], [0, 2]],
        [[2, 3, 4], [0, 1, 2]],
        [[5], [0]],
      ].map(([shape, axes]) => ({ params: { axes }, args: (r: Rng, d: DType) => [gen(r, d, shape!, range.lo ?? -2, range.hi ?? 2)] })),
    ref: ([x], { axes }) => reduceNd(x!, axes, init, fn),
    grad: "yes",
    tol: [1e-5, 1e-12],
  };
}

function argRow(isMax: boolean): Row {
  return {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      ...[
        [[3, 4], 0],
        [[3, 4], 1],
        [[2, 3, 4], 2],
      ].map(([shape, axis]) => ({ params: { axis }, args: (r: Rng, d: DType) => [gen(r, d, shape as number[], -5, 5)] })),
      { params: { axis: 0 }, args: (_r, d) => [typed([1, 3, 3, -2, 3], d, [5])], vmap: false },
      { params: { axis: 0 }, args: (_r, d) => [typed([-2, -7, -7, 4, -7], d, [5])], vmap: false },
    ],
    ref: ([x], { axis }) =>
      fromFn(
        x!.shape.filter((_, i) => i !== axis),
        (o) => {
          let best = 0;
          let m = isMax ? -Infinity : Infinity;
          for (let k = 0; k < x!.shape[axis]!; k++) {
            const v = at(x!, [...o.slice(0, axis), k, ...o.slice(axis)]);
            if (isMax ? v > m : v < m) [m, best] = [v, k];
          }
          return best;
        },
      ),
    outDtype: () => "int32",
    grad: "zero",
  };
}

// ------------------------------------------------------------------ running the rows

const apply = (name: PrimitiveName, params: any) => (...args: Tensor[]) => bind(PRIMITIVES[name], args, params)[0]!;
/** An exact elementwise round trip of the dtype (−(−x), or ¬¬x for bools): fusable neighbours. */
const twice = (x: Tensor) => (x.dtype === "bool" ? np.logicalNot(np.logicalNot(x)) : np.negative(np.negative(x)));
const once = (x: Tensor) => (x.dtype === "bool" ? np.logicalNot(x) : np.negative(x));

/** vmap configurations: explicit, or all 0 / all last / the first mapped alone. */
function axesConfigs(c: Case, args: Tensor[]): (number | null)[][] {
  if (c.inAxes) return c.inAxes.map((a) => a.slice(0, args.length));
  const base: (number | null)[][] = [args.map(() => 0), args.map(() => -1)];
  if (args.length > 1) base.push(args.map((_, i) => (i === 0 ? 0 : null)));
  return base;
}

/** Stacks B independent draws of the case's arguments along each argument's vmap axis. */
function batchedArgs(c: Case, d: DType, axes: (number | null)[], seed: number, B = 3): Tensor[] {
  const draws = Array.from({ length: B }, (_, b) => c.args(rng(seed + 101 * b), d));
  return draws[0]!.map((a0, k) => {
    const ax = axes[k];
    if (ax === null || ax === undefined) return a0;
    const pos = ax < 0 ? a0.ndim + 1 + ax : ax;
    const [data, shape] = stackAlong(draws.map((dr) => dr[k]!), pos);
    return typed(Array.from(data), a0.dtype, shape);
  });
}

describe.each(Object.keys(rows) as PrimitiveName[])("primitive %s", (name) => {
  const row = rows[name];
  const prim = PRIMITIVES[name];

  it("is registered under its own name", () => {
    expect(prim.name).toBe(name);
  });

  describe.each(row.dtypes)("%s", (dtype) => {
    const cases = row.cases(dtype);
    const [f32tol, f64tol] = row.tol ?? [2e-6, 1e-13];

    it("impl matches the float64 reference", () => {
      cases.forEach((c, ci) => {
        const args = c.args(rng(1000 + ci), dtype);
        const out = apply(name, c.params)(...args);
        const want = row.ref(args.map(ndOf), c.params, dtype);
        const od = row.outDtype ? row.outDtype(dtype, c.params) : dtype;
        expect(out.dtype, `case ${ci} dtype`).toBe(od);
        expect([...out.shape], `case ${ci} shape`).toEqual(want.shape);
        const tol = od === "float32" ? f32tol : od === "float64" ? f64tol : 0;
        expectClose(out, want.data, { rtol: tol, atol: tol, what: `${name} case ${ci}` });
        // the abstract evaluation rule agrees with the kernel
        const [aval] = prim.abstractEval(args.map((a) => ({ shape: a.shape, dtype: a.dtype })), c.params);
        expect([...aval!.shape], `case ${ci} shape rule`).toEqual([...out.shape]);
        expect(aval!.dtype, `case ${ci} dtype rule`).toBe(out.dtype);
      });
    });

    if (row.grad === "yes" && isF(dtype)) {
      it("checkGrads: jvp, vjp and grad vs finite differences, dot-product test" + (dtype === "float64" ? ", order 2" : ""), () => {
        cases.forEach((c, ci) => {
          if (c.grad === false) return;
          const args = c.args(rng(2000 + ci), dtype);
          checkGrads(apply(name, c.params), args, { ...row.gradOpts, dtype, order: dtype === "float64" ? 2 : 1, seed: ci + 1 });
        });
      });
    }

    if (row.grad === "zero" && isF(dtype)) {
      it("has a zero derivative (jvp tangent and vjp cotangent are zeros)", () => {
        cases.forEach((c, ci) => {
          const args = c.args(rng(2000 + ci), dtype);
          const f = apply(name, c.params);
          const [out, t] = jvp(f, args, args.map((a) => np.onesLike(a)));
          expect(toZeros(t as Tensor)).toBe(true);
          if (isF((out as Tensor).dtype)) {
            const [, back] = vjp(f, args) as [Tensor, (ct: Tensor) => Tensor[]];
            back(np.onesLike(out as Tensor)).forEach((g) => expect(toZeros(g)).toBe(true));
          }
        });
      });
    }

    it("checkJit: jit equals eager bit for bit (alone; the first case also fused and folded)", () => {
      cases.forEach((c, ci) => {
        const args = c.args(rng(500 + ci), dtype);
        const f = apply(name, c.params);
        checkJit(f, args, { what: `${name} case ${ci}` });
        if (ci > 0) return;
        // neighbours that fuse with it: inputs and output go through exact elementwise round trips
        const chain = (...xs: Tensor[]) => once(f(...xs.map(twice)));
        checkJit(chain, args, { what: `${name} case ${ci} in a chain` });
        const fusable = prim.expr?.(args.map((a) => a.dtype), c.params, args.map((a) => a.shape)) ?? null;
        if (fusable !== null) expect(primNames(optimizedJaxpr(chain, ...args)), `${name} fuses with its neighbours`).toContain("fused");
        // every input a constant of the traced function: constant folding computes it at compile
        // time (except a broadcast that grows its constant: it is left to run, fused with its consumers)
        checkJit(() => chain(...args), [], { what: `${name} case ${ci} folded` });
        const left = primNames(optimizedJaxpr(() => chain(...args)));
        if (prim.broadcasts) expect(left.length, `${name} on constants leaves at most one loop`).toBeLessThanOrEqual(1);
        else expect(left, `${name} on constants folds away`).toEqual([]);
      });
    });

    if (row.vmap !== false) {
      it("checkVmap: vmap equals loop-and-stack", () => {
        cases.forEach((c, ci) => {
          if (c.vmap === false) return;
          const per = c.args(rng(3000 + ci), dtype);
          for (const axes of axesConfigs(c, per)) {
            if (axes.every((a) => a === null)) continue;
            const args = batchedArgs(c, dtype, axes, 3000 + ci);
            const tol = dtype === "float32" ? f32tol : 1e-12;
            checkVmap(apply(name, c.params), axes, args, { rtol: tol, atol: tol });
          }
        });
      });
    }
  });
});

function toZeros(t: Tensor): boolean {
  return Array.from(t.dataSync() as ArrayLike<number>).every((v) => v === 0);
}

describe("iota under vmap", () => {
  it("its batch rule returns an unbatched value", () => {
    const p = { shape: [2, 3], axis: 1, dtype: "int32" as DType };
    const [[out], [d]] = PRIMITIVES.iota.batch([], [], p, 4, PRIMITIVES.iota);
    expect(d).toBeNull();
    expect(out!.toArray()).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });
  it("a vmapped function that uses iota broadcasts it over the batch", () => {
    const f = (x: Tensor) => x.add(bind(PRIMITIVES.iota, [], { shape: [3], axis: 0, dtype: "float32" })[0]!);
    checkVmap(f, 0, [np.array([[1, 2, 3], [4, 5, 6]])]);
  });
});

describe("random_bits reference", () => {
  it("the test's Threefry-2x32 matches the published known-answer vectors", () => {
    // Random123 / JAX test vectors for threefry2x32 with 20 rounds
    expect(threefry2x32Ref([0, 0], [0, 0])).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32Ref([0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefry2x32Ref([0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3])).toEqual([0xc4923a9c, 0x483df7a0]);
  });
});

describe("errors of the primitive layer name the API the user called and the fix", () => {
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error("expected an error");
  };
  it("dot_general's shape rule says dot_general, and the numpy callers check with their own name", () => {
    const l = np.ones([2, 3]);
    const r = np.ones([4, 5]);
    const direct = message(() => bind(PRIMITIVES.dot_general, [l, r], { contract: [[1], [0]], batch: [[], []] }));
    expect(direct).toMatch(/^dot_general: contracting dimensions do not match: \[2,3\] axis 1 has 3, \[4,5\] axis 0 has 4/);
    // abstract evaluation (jit) reports the same
    expect(message(() => makeJaxpr((a: Tensor, b: Tensor) => bind(PRIMITIVES.dot_general, [a, b], { contract: [[1], [0]], batch: [[], []] })[0])(l, r))).toMatch(/^dot_general:/);
    expect(message(() => np.einsum("ij,jk->ik", l, r))).toMatch(/^einsum:/);
    expect(message(() => np.vdot(np.ones([3]), np.ones([4])))).toMatch(/^vdot: shapes \[3\] and \[4\]/);
    expect(message(() => np.dot(l, r))).toMatch(/^dot:/);
    expect(message(() => l.matmul(r))).toMatch(/^matmul:/);
  });
  it("an op outside its dtypes names the dtypes it takes and the conversion", () => {
    const m = message(() => np.sign(np.array([true, false])));
    expect(m).toBe('sign: not defined for bool inputs; it takes float32, float64 or int32. Convert the operand first, e.g. x.astype("int32").');
    expect(message(() => np.subtract(np.array([true]), np.array([false])))).toContain('sub: not defined for bool inputs; it takes float32, float64 or int32');
    expect(message(() => bind(PRIMITIVES.not, [np.array([1.5])], {}))).toBe('not: not defined for float32 inputs; it takes int32 or bool. Convert the operand first, e.g. x.astype("int32").');
  });
});

describe("definePrimitive's type", () => {
  it("demands a jvp (or notDifferentiable), a transpose exactly when declared linear, and arity-typed rules", () => {
    const base = { abstractEval: ([x]: [Aval]) => [x], impl: ([x]: [Tensor]) => [x], batch: vectorized };
    // compile-time checks (tsc runs them; never called)
    const checks = () => [
      // @ts-expect-error a linear primitive without its transpose
      definePrimitive<"t1", {}, 1>({ name: "t1", ...base, jvp: linearJvp(), linearity: "linear" }),
      // @ts-expect-error a transpose on a primitive not declared linear
      definePrimitive<"t2", {}, 1>({ name: "t2", ...base, jvp: linearJvp(), transpose: ([ct]) => [ct] }),
      // @ts-expect-error neither a jvp rule nor notDifferentiable
      definePrimitive<"t3", {}, 1>({ name: "t3", ...base }),
      // @ts-expect-error a unary primitive's rules see one operand
      definePrimitive<"t4", {}, 1>({ name: "t4", ...base, jvp: ([x, y]) => [[x, y], [null]] }),
    ];
    expect(typeof checks).toBe("function");
  });
});
