// Gather and scatter-add along one axis of x viewed as [outer, n, inner], with one index vector
// idx (length m): gather out[o, j, :] = x[o, idx[j], :]; scatter-add out[o, k, :] = Σ_{j: idx[j]=k}
// upd[o, j, :], added in increasing j. Indices follow JAX's traced-index rule (negative counts
// from the end, out of range clamps).
import { defineKernel, type TypedArray } from "../kernel.js";

/** ns per element moved (bench/threshold.ts). */
export const GATHER_NS = 1;

function clampIndex(i: number, n: number): number {
  if (i < 0) i += n;
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

type GatherArgs = [x: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray];
export interface GatherJob {
  x: TypedArray;
  n: number;
  inner: number;
  idx: TypedArray;
  out: TypedArray;
}

/** A unit is an output row o·m + j (x[o, idx[j], :]). */
export const gather = defineKernel<GatherArgs, GatherJob>({
  name: "gather",
  cost: (_x, _outer, _n, _inner, _idx, out) => out.length * GATHER_NS,
  plan: ([x, outer, n, inner, idx, out]) =>
    out.length === 0 ? null : { job: { x, n, inner, idx, out }, units: outer * idx.length, unitNs: inner * GATHER_NS },
  run: ({ x, n, inner, idx, out }, r0, r1) => {
    const m = idx.length;
    for (let r = r0; r < r1; r++) {
      const o = Math.floor(r / m), j = r - o * m;
      const src = (o * n + clampIndex(idx[j]!, n)) * inner;
      if (inner === 1) out[r] = x[src]!;
      else out.set(x.subarray(src, src + inner), r * inner);
    }
  },
});

type ScatterArgs = [upd: TypedArray, outer: number, n: number, inner: number, idx: TypedArray, out: TypedArray];
export interface ScatterJob {
  upd: TypedArray;
  n: number;
  inner: number;
  idx: TypedArray;
  out: TypedArray;
  /** columns per unit */
  block: number;
}

/**
 * A unit is a block of columns of one outer slice (unit = o·nb + q covers out[o, :, q·block ..]):
 * every output element belongs to one unit and receives its updates in increasing j.
 */
export const scatterAdd = defineKernel<ScatterArgs, ScatterJob>({
  name: "scatterAdd",
  cost: (upd, _outer, _n, _inner, _idx, out) => (upd.length + out.length) * GATHER_NS,
  plan: ([upd, outer, n, inner, idx, out], ctx) => {
    if (out.length === 0) return null;
    // inline: one unit per outer slice; on the pool: blocks of about a chunk's work
    const perColumn = Math.max(1, n + idx.length) * GATHER_NS;
    const block = ctx.threads === 1 ? inner : Math.min(inner, Math.max(1, Math.floor(ctx.chunkNs / perColumn)));
    return { job: { upd, n, inner, idx, out, block }, units: outer * Math.ceil(inner / block), unitNs: block * perColumn, per: 1 };
  },
  run: ({ upd, n, inner, idx, out, block }, b0, b1) => {
    const m = idx.length;
    const nb = Math.ceil(inner / block);
    for (let b = b0; b < b1; b++) {
      const o = Math.floor(b / nb), q = b - o * nb;
      const i0 = q * block, i1 = Math.min(inner, i0 + block);
      for (let k = 0; k < n; k++) out.fill(0, (o * n + k) * inner + i0, (o * n + k) * inner + i1);
      for (let j = 0; j < m; j++) {
        const dst = (o * n + clampIndex(idx[j]!, n)) * inner;
        const src = (o * m + j) * inner;
        for (let i = i0; i < i1; i++) out[dst + i] = out[dst + i]! + upd[src + i]!;
      }
    }
  },
});
