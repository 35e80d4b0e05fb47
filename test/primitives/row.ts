// The row shape of the primitive table (test/primitives.test.ts) and the input generators and
// row builders every family's rows file uses.
import { numpy as np, type Tensor } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import type { Rng } from "../util/rng.js";
import type { GradCheckOptions } from "../util/oracles.js";
import { mapNd, sizeOf, type Nd } from "../util/ref.js";


export interface Case {
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

export interface Row {
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

export const FLOATS: DType[] = ["float32", "float64"];
export const isF = (d: DType) => d === "float32" || d === "float64";

// ------------------------------------------------------------------ input generators

/** Random tensor of `shape`: floats in [lo, hi) (rejecting `bad` values), ints in [lo, hi], bools. */
export function gen(r: Rng, dtype: DType, shape: number[], lo = -2, hi = 2, bad?: (v: number) => boolean): Tensor {
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
export function typed(data: readonly number[], dtype: DType, shape: number[]): Tensor {
  const arr = dtype === "float32" ? Float32Array.from(data) : dtype === "float64" ? Float64Array.from(data) : dtype === "int32" ? Int32Array.from(data) : Uint8Array.from(data);
  return np.array(arr, { dtype }).reshape(shape);
}

/** Picks values from a small set (so ties and equalities occur). */
export function genFrom(r: Rng, dtype: DType, shape: number[], values: number[]): Tensor {
  return typed(Array.from({ length: sizeOf(shape) }, () => r.pick(values)), dtype, shape);
}

export const nearInt = (v: number) => Math.abs(v - Math.round(v)) < 1e-3 || Math.abs(Math.abs(v % 1) - 0.5) < 1e-3;

// ------------------------------------------------------------------ row builders

export const SHAPES1: number[][] = [[], [5], [2, 3]];

export function unaryRow(fn: (x: number) => number, opts: { lo?: number; hi?: number; bad?: (v: number) => boolean; dtypes?: DType[]; grad?: Row["grad"]; extra?: number[][] } = {}): Row {
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

export const PAIRS: [number[], number[]][] = [
  [[4], [4]],
  [[2, 3], [3]],
  [[2, 1], [1, 4]],
  [[], [2, 2]],
];

export function binaryRow(
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
export const cmpRow = (fn: (a: number, b: number) => boolean, dtypes: DType[] = ["float32", "float64", "int32", "bool"]): Row => ({
  ...binaryRow((a, b) => (fn(a, b) ? 1 : 0), { dtypes, grad: "zero", out: "bool", values: [-1, 0, 1, 2] }),
  cases: (d) => binaryRow(() => 0, { values: d === "bool" ? [0, 1] : [-1, 0, 0.5, 2] }).cases(d),
});

export const trunc32 = (v: number) => v | 0;

export const clampIdx = (i: number, n: number) => {
  const j = i < 0 ? i + n : i;
  return Math.min(Math.max(j, 0), n - 1);
};
