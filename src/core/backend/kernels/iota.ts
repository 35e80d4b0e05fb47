// Index fills: iota (out[p] = the index of p along `axis` of `shape`).
import { defineKernel, sizeFrom, type TypedArray } from "../kernel.js";

/** ns per element written (bench/threshold.ts, as for a gather). */
export const IOTA_NS = 1;

type IotaArgs = [shape: readonly number[], axis: number, out: TypedArray];
export interface IotaJob {
  out: TypedArray;
  inner: number;
  n: number;
}

export const iota = defineKernel<IotaArgs, IotaJob>({
  name: "iota",
  cost: (_shape, _axis, out) => out.length * IOTA_NS,
  plan: ([shape, axis, out]) =>
    out.length === 0 ? null : { job: { out, inner: sizeFrom(shape, axis + 1), n: shape[axis]! }, units: out.length, unitNs: IOTA_NS },
  run: ({ out, inner, n }, p0, p1) => {
    for (let p = p0; p < p1; p++) out[p] = Math.floor(p / inner) % n;
  },
});
