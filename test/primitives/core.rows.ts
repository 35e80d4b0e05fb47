// Rows of the first-round primitive families (elementwise, binary, reduce, structural, dot, random).
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import {
  at,
  fromFn,
  mapNd,
  nd,
  reduceNd,
  roundHalfEven,
  sizeOf,
  threefry2x32Ref,
  transposeNd,
  unravel,
  type Nd,
} from "../util/ref.js";
import { FLOATS, binaryRow, clampIdx, cmpRow, gen, isF, nearInt, typed, unaryRow, SHAPES1, type Row } from "./row.js";

/** float → int32 as XLA converts: toward zero, clamped to the int32 range, NaN → 0. */
const saturate32 = (v: number) => (Number.isNaN(v) ? 0 : Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.trunc(v))));

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


export const coreRows = {
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
        .flatMap((to) => [
          { params: { dtype: to }, args: (r: Rng, dt: DType) => [gen(r, dt, [2, 3], -3, 3)], grad: isF(d) && isF(to) },
          // float → int32 saturates and sends NaN to 0 (XLA), where `| 0` would wrap
          ...(isF(d) && to === "int32" ? [{ params: { dtype: to }, args: (_r: Rng, dt: DType) => [typed([1e10, -1e10, NaN, Infinity, -Infinity, 2.7], dt, [6])], grad: false, vmap: false }] : []),
        ]),
    ref: ([x], { dtype }) => mapNd((v) => (dtype === "int32" ? saturate32(v) : dtype === "bool" ? (v !== 0 ? 1 : 0) : v), x!),
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
} satisfies Partial<Record<PrimitiveName, Row>>;


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
