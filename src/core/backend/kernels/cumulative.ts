// Cumulative products, maxima, minima and log-sum-exps along one axis of x viewed as
// [outer, n, inner] (a line = o·inner + i), sequential per line (reversed: from the end).
// max/min propagate NaN; logaddexp(a, b) = max + log1p(exp(-|a - b|)), with -∞ as identity.
import { defineKernel, type TypedArray } from "../kernel.js";
import { CUMSUM_NS } from "./reduce.js";

export type CumulativeOp = "prod" | "max" | "min" | "logsumexp";

function step(op: CumulativeOp | "iprod", a: number, b: number): number {
  switch (op) {
    case "prod":
      return a * b;
    case "iprod":
      return Math.imul(a, b);
    case "max":
      return a !== a || b !== b ? NaN : a > b ? a : b;
    case "min":
      return a !== a || b !== b ? NaN : a < b ? a : b;
    case "logsumexp": {
      const m = a > b ? a : b;
      if (m === -Infinity) return -Infinity;
      if (a !== a || b !== b) return NaN;
      if (m === Infinity) return Infinity;
      return m + Math.log1p(Math.exp(-Math.abs(a - b)));
    }
  }
}

type CumArgs = [op: CumulativeOp, x: TypedArray, outer: number, n: number, inner: number, reverse: boolean, out: TypedArray];
export interface CumJob {
  op: CumulativeOp;
  x: TypedArray;
  out: TypedArray;
  n: number;
  inner: number;
  reverse: boolean;
}

export const cumulative = defineKernel<CumArgs, CumJob>({
  name: "cumulative",
  cost: (op, _x, outer, n, inner) => outer * n * inner * CUMSUM_NS * (op === "logsumexp" ? 10 : 1),
  plan: ([op, x, outer, n, inner, reverse, out]) =>
    outer * inner * n === 0 ? null : { job: { op, x, out, n, inner, reverse }, units: outer * inner, unitNs: n * CUMSUM_NS * (op === "logsumexp" ? 10 : 1) },
  run: ({ op, x, out, n, inner, reverse }, l0, l1) => {
    for (let line = l0; line < l1; line++) {
      const o = Math.floor(line / inner), i = line - o * inner;
      const base = o * n * inner + i;
      const d = reverse ? -inner : inner;
      let p = reverse ? base + (n - 1) * inner : base;
      out[p] = x[p]!;
      let s = out[p]!;
      const o2 = op === "prod" && out instanceof Int32Array ? "iprod" : op; // int32 wraps as XLA's
      for (let j = 1; j < n; j++) {
        p += d;
        out[p] = step(o2, s, x[p]!);
        s = out[p]!; // accumulate in the output dtype, as a sequential scan would
      }
    }
  },
});
