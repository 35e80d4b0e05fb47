// Rows of the cumulative family: sequential plain-JS scans in float64.
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { at, fromFn, type Nd } from "../util/ref.js";
import { FLOATS, gen, type Row } from "./row.js";

const CASES: [number[], number, boolean][] = [
  [[6], 0, false],
  [[3, 4], 0, true],
  [[3, 4], 1, false],
  [[2, 3, 4], 1, true],
];

function scanRow(step: (a: number, b: number) => number, dtypes: DType[], lo: number, hi: number): Row {
  return {
    dtypes,
    cases: () => CASES.map(([shape, axis, reverse]) => ({ params: { axis, reverse }, args: (r: Rng, d: DType) => [gen(r, d, shape, lo, hi)] })),
    ref: ([x]: Nd[], { axis, reverse }) =>
      fromFn(x!.shape, (idx) => {
        const n = x!.shape[axis]!;
        const j = idx[axis]!;
        const get = (k: number) => at(x!, idx.map((v, i) => (i === axis ? k : v)));
        let s = get(reverse ? n - 1 : 0);
        for (let k = reverse ? n - 2 : 1; reverse ? k >= j : k <= j; k += reverse ? -1 : 1) s = step(s, get(k));
        return s;
      }),
    grad: "yes",
    tol: [1e-5, 1e-12],
  };
}

export const cumulativeRows = {
  cumprod: scanRow((a, b) => a * b, [...FLOATS, "int32"], -2, 2),
  cummax: scanRow(Math.max, [...FLOATS, "int32"], -5, 5),
  cummin: scanRow(Math.min, [...FLOATS, "int32"], -5, 5),
  cumlogsumexp: scanRow((a, b) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b))), FLOATS, -3, 3),
} satisfies Partial<Record<PrimitiveName, Row>>;
