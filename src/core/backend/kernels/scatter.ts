// Scatter with a combiner along one axis of x viewed as [outer, n, inner], one index vector idx
// (length m) and updates upd viewed as [outer, m, inner]: out = x, then for j = 0, 1, … in order
// out[o, k, :] = combine(out[o, k, :], upd[o, j, :]) where k = idx[j]. Indices follow JAX's
// scatter rule: a negative index counts from the end once; an index still out of [0, n) drops
// its update (JAX's default FILL_OR_DROP for scatters). "set" with repeated indices keeps the
// last update (JAX leaves the winner unspecified; here it is deterministic).
import { defineKernel, type TypedArray } from "../kernel.js";
import { GATHER_NS } from "./gather.js";

export type ScatterMode = "set" | "add" | "mul" | "min" | "max";

type ScatterArgs = [mode: ScatterMode, x: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, upd: TypedArray, out: TypedArray];
export interface ScatterJob {
  mode: ScatterMode;
  x: TypedArray;
  n: number;
  inner: number;
  idx: TypedArray;
  upd: TypedArray;
  out: TypedArray;
  /** columns per unit */
  block: number;
}

/** The combiner applied to (current, update). */
function combine(mode: ScatterMode | "imul", a: number, b: number): number {
  switch (mode) {
    case "imul":
      return Math.imul(a, b);
    case "set":
      return b;
    case "add":
      return a + b;
    case "mul":
      return a * b;
    case "min":
      return a !== a || b !== b ? NaN : a < b ? a : b;
    case "max":
      return a !== a || b !== b ? NaN : a > b ? a : b;
  }
}

/**
 * A unit is a block of columns of one outer slice (unit = o·nb + q covers out[o, :, q·block ..]):
 * every output element belongs to one unit and receives its updates in increasing j, so the
 * result does not depend on the thread count.
 */
export const scatter = defineKernel<ScatterArgs, ScatterJob>({
  name: "scatter",
  cost: (_mode, x, _outer, _n, _inner, _idx, upd) => (upd.length + x.length) * GATHER_NS,
  plan: ([mode, x, outer, n, inner, idx, upd, out], ctx) => {
    if (out.length === 0) return null;
    const perColumn = Math.max(1, n + idx.length) * GATHER_NS;
    const block = ctx.threads === 1 ? inner : Math.min(inner, Math.max(1, Math.floor(ctx.chunkNs / perColumn)));
    return { job: { mode, x, n, inner, idx, upd, out, block }, units: outer * Math.ceil(inner / block), unitNs: block * perColumn, per: 1 };
  },
  run: ({ mode, x, n, inner, idx, upd, out, block }, b0, b1) => {
    const m = idx.length;
    const nb = Math.ceil(inner / block);
    const op = mode === "mul" && out instanceof Int32Array ? "imul" : mode; // int32 wraps as XLA's
    for (let b = b0; b < b1; b++) {
      const o = Math.floor(b / nb), q = b - o * nb;
      const i0 = q * block, i1 = Math.min(inner, i0 + block);
      for (let k = 0; k < n; k++) {
        const base = (o * n + k) * inner;
        for (let i = i0; i < i1; i++) out[base + i] = x[base + i]!;
      }
      for (let j = 0; j < m; j++) {
        let k = idx[j]!;
        if (k < 0) k += n;
        if (k < 0 || k >= n) continue;
        const dst = (o * n + k) * inner;
        const src = (o * m + j) * inner;
        for (let i = i0; i < i1; i++) out[dst + i] = combine(op, out[dst + i]!, upd[src + i]!);
      }
    }
  },
});
