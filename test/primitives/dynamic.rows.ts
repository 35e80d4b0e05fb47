// Rows of dynamic_slice / dynamic_update_slice: plain-JS windows with XLA's clamped starts.
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { at, fromFn } from "../util/ref.js";
import { FLOATS, gen, typed, type Row } from "./row.js";

const s = (v: number) => typed([v], "int32", []);
const clampStart = (v: number, n: number, size: number) => Math.min(Math.max(v, 0), n - size);

export const dynamicRows = {
  dynamic_slice: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      { params: { sizes: [3] }, args: (r: Rng, d: DType) => [gen(r, d, [6]), s(2)], inAxes: [[0, null], [0, 0], [null, 0]] },
      { params: { sizes: [2, 3] }, args: (r: Rng, d: DType) => [gen(r, d, [4, 5]), s(-1), s(3)], inAxes: [[0, null, null], [1, 0, null], [null, null, 0]] },
      { params: { sizes: [2] }, args: (r: Rng, d: DType) => [gen(r, d, [5]), s(9)] },
    ],
    ref: ([x, ...st], { sizes }) => {
      const starts = st.map((t, i) => clampStart(t.data[0]!, x!.shape[i]!, sizes[i]!));
      return fromFn(sizes, (idx) => at(x!, idx.map((v, i) => v + starts[i]!)));
    },
    grad: "yes",
  },
  dynamic_update_slice: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      { params: {}, args: (r: Rng, d: DType) => [gen(r, d, [6]), gen(r, d, [2]), s(5)], inAxes: [[0, 0, null], [null, 0, 0], [0, null, 0]] },
      { params: {}, args: (r: Rng, d: DType) => [gen(r, d, [4, 5]), gen(r, d, [2, 3]), s(1), s(-4)], inAxes: [[0, 0, null, null], [1, null, 0, null], [null, 0, null, 0]] },
    ],
    ref: ([x, u, ...st]) => {
      const starts = st.map((t, i) => clampStart(t.data[0]!, x!.shape[i]!, u!.shape[i]!));
      return fromFn(x!.shape, (idx) => {
        const rel = idx.map((v, i) => v - starts[i]!);
        return rel.every((v, i) => v >= 0 && v < u!.shape[i]!) ? at(u!, rel) : at(x!, idx);
      });
    },
    grad: "yes",
  },
} satisfies Partial<Record<PrimitiveName, Row>>;
