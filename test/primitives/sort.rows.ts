// Rows of the sort family: a stable plain-JS sort in JAX's key order (-0 = +0, NaN last) for
// `sort` (the first output: the sorted first operand), and a stable descending selection for
// `top_k` (the first output: the values).
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { fromFn, at, type Nd } from "../util/ref.js";
import { FLOATS, gen, genFrom, typed, type Row } from "./row.js";

/** JAX's sort comparison: NaN after everything, -0 equal to +0. */
const cmp = (a: number, b: number) => (a !== a ? (b !== b ? 0 : 1) : b !== b ? -1 : a < b ? -1 : a > b ? 1 : 0);

function lineSorted(x: Nd, axis: number, idx: number[], descending: boolean): number[] {
  const n = x.shape[axis]!;
  const vals = Array.from({ length: n }, (_, k) => ({ v: at(x, idx.map((v, i) => (i === axis ? k : v))), k }));
  vals.sort((p, q) => (descending ? -cmp(p.v, q.v) : cmp(p.v, q.v)) || p.k - q.k);
  return vals.map((e) => e.v);
}

export const sortRows = {
  sort: {
    dtypes: [...FLOATS, "int32", "bool"],
    cases: (d) => [
      { params: { dimension: 0, numKeys: 1 }, args: (r: Rng, dt: DType) => [gen(r, dt, [7], -5, 5)] },
      { params: { dimension: 1, numKeys: 1 }, args: (r: Rng, dt: DType) => [gen(r, dt, [3, 5], -5, 5)] },
      { params: { dimension: 0, numKeys: 1 }, args: (r: Rng, dt: DType) => [gen(r, dt, [4, 3], -5, 5), gen(r, "int32", [4, 3], 0, 9)], inAxes: [[0, 0], [1, null], [null, 2]] },
      { params: { dimension: 1, numKeys: 2 }, args: (r: Rng, dt: DType) => [gen(r, dt, [2, 6], -5, 5), gen(r, dt, [2, 6], -5, 5)] },
      ...(d === "float32" || d === "float64"
        ? [{ params: { dimension: 0, numKeys: 1 }, args: (_r: Rng, dt: DType) => [typed([2, NaN, -0, 0, -Infinity, 1, -0, Infinity], dt, [8])], grad: false }]
        : []),
    ],
    ref: ([x], { dimension }) => fromFn(x!.shape, (idx) => lineSorted(x!, dimension, idx, false)[idx[dimension]!]!),
    grad: "yes",
  },
  top_k: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      { params: { k: 3 }, args: (r: Rng, d: DType) => [gen(r, d, [6], -5, 5)] },
      { params: { k: 2 }, args: (r: Rng, d: DType) => [gen(r, d, [3, 4], -5, 5)] },
      { params: { k: 4 }, args: (r: Rng, d: DType) => [genFrom(r, d, [2, 5], [1, 2, 2, 3])], grad: false },
      // k ≤ n/8: the heap selection, with ties
      { params: { k: 3 }, args: (r: Rng, d: DType) => [genFrom(r, d, [2, 30], [-1, 0, 2, 2.5, 4])], grad: false },
      { params: { k: 4 }, args: (r: Rng, d: DType) => [gen(r, d, [40], -5, 5)] },
    ],
    ref: ([x], { k }) => {
      const shape = [...x!.shape.slice(0, -1), k];
      const ax = x!.shape.length - 1;
      return fromFn(shape, (idx) => lineSorted(x!, ax, idx, true)[idx[ax]!]!);
    },
    grad: "yes",
  },
} satisfies Partial<Record<PrimitiveName, Row>>;
