// Rows of the scatter family (scatter: set/add; scatter_apply: mul/min/max): a plain-JS loop over
// the updates in order, dropping indices outside [0, n) after one wrap from the end.
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { at, sizeOf, unravel, type Nd } from "../util/ref.js";
import { FLOATS, gen, typed, type Case, type Row } from "./row.js";

function scatterRef([x, idx, u]: Nd[], { axis, mode }: { axis: number; mode: string }): Nd {
  const out = Float64Array.from(x!.data);
  const n = x!.shape[axis]!;
  const ni = idx!.shape.length;
  for (let p = 0; p < sizeOf(u!.shape); p++) {
    const ui = unravel(p, u!.shape);
    let k = at(idx!, ui.slice(axis, axis + ni));
    if (k < 0) k += n;
    if (k < 0 || k >= n) continue;
    const oi = [...ui.slice(0, axis), k, ...ui.slice(axis + ni)];
    let off = 0;
    oi.forEach((v, i) => (off = off * x!.shape[i]! + v));
    const a = out[off]!, b = u!.data[p]!;
    out[off] = mode === "set" ? b : mode === "add" ? a + b : mode === "mul" ? a * b : mode === "min" ? Math.min(a, b) : Math.max(a, b);
  }
  return { shape: [...x!.shape], data: out };
}

const idx = (vals: number[], shape: number[] = [vals.length]) => () => typed(vals, "int32", shape);
/** Cases for one mode: repeated, negative and dropped indices; an inner axis; a 2-D index. */
function cases(mode: string, extra: object = {}, uniqueOnly = false): () => Case[] {
  const p = (axis: number) => ({ axis, mode, ...extra });
  const rep = uniqueOnly ? [3, -1, 0] : [1, 3, 1, -1, 7];
  return () => [
    { params: p(0), args: (r: Rng, d: DType) => [gen(r, d, [5, 3]), idx(rep)(), gen(r, d, [rep.length, 3])], inAxes: [[0, null, 0], [null, null, 0], [0, 0, 0], [-1, null, null]] },
    { params: p(1), args: (r: Rng, d: DType) => [gen(r, d, [2, 4]), idx([2, 0], [2])(), gen(r, d, [2, 2])], inAxes: [[0, 0, 0], [1, null, 0], [null, 0, null]] },
    { params: p(0), args: (r: Rng, d: DType) => [gen(r, d, [6]), idx(uniqueOnly ? [0, 5, 2, -3] : [0, 5, 5, -6], [2, 2])(), gen(r, d, [2, 2])] },
  ];
}

export const scatterRows = {
  scatter: {
    dtypes: [...FLOATS, "int32"],
    cases: (d) => [...cases("set")(), ...cases("add")()].map((c) => ({ ...c, grad: isFloat(d) })),
    ref: scatterRef,
    grad: "yes",
  },
  scatter_apply: {
    dtypes: [...FLOATS, "int32"],
    cases: () => [
      ...cases("mul", { uniqueIndices: true }, true)(),
      // repeated indices: the updates' derivative is undefined (as JAX), value and vmap only
      ...cases("mul", { uniqueIndices: false })().map((c) => ({ ...c, grad: false })),
      ...cases("min", { uniqueIndices: false })(),
      ...cases("max", { uniqueIndices: false })(),
    ],
    ref: scatterRef,
    grad: "yes",
  },
} satisfies Partial<Record<PrimitiveName, Row>>;

function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}
