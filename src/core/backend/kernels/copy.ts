// Strided copy (transpose, slice, pad, concatenate, flip): dst[dstOff + Σ i·ds] = src[srcOff + Σ i·ss]
// over `shape`. Axes both sides walk contiguously are merged first; a unit is then a row of the
// innermost merged axis (or one element when everything merged into one axis).
import { defineKernel, type TypedArray } from "../kernel.js";

/** ns per element of a copy whose innermost axis is strided (a transpose), resp. contiguous (bench/threshold.ts). */
export const COPY_NS = 1.7;
export const COPY_CONTIGUOUS_NS = 0.3;

export interface CopyPlan {
  dims: Int32Array;
  ss: Int32Array;
  ds: Int32Array;
  /** rows of the innermost merged axis */
  rows: number;
}

/** Merges adjacent axes both operands walk contiguously; drops size-1 axes. */
function coalesce2(shape: readonly number[], a: readonly number[], b: readonly number[]): [number[], number[], number[]] {
  const dims: number[] = [], sa: number[] = [], sb: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && sa[last] === a[d]! * n && sb[last] === b[d]! * n) {
      dims[last] = dims[last]! * n;
      sa[last] = a[d]!;
      sb[last] = b[d]!;
    } else {
      dims.push(n);
      sa.push(a[d]!);
      sb.push(b[d]!);
    }
  }
  return [dims, sa, sb];
}

/** The copy as rows of the coalesced layout (null when there is nothing to copy). */
export function copyPlan(srcStrides: readonly number[], shape: readonly number[], dstStrides: readonly number[]): CopyPlan | null {
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0) return null;
  const [dims, ss, ds] = coalesce2(shape, srcStrides, dstStrides);
  if (dims.length === 0) {
    dims.push(1);
    ss.push(0);
    ds.push(0);
  }
  const inner = dims[dims.length - 1]!;
  return { dims: Int32Array.from(dims), ss: Int32Array.from(ss), ds: Int32Array.from(ds), rows: n / inner };
}

/** Rows [r0, r1) of a planned copy; a row is the innermost coalesced axis. */
function copyRows(
  src: TypedArray, srcOff: number, dst: TypedArray, dstOff: number,
  dims: Int32Array, ss: Int32Array, ds: Int32Array, r0: number, r1: number,
): void {
  const nd = dims.length;
  const inner = dims[nd - 1]!, si = ss[nd - 1]!, di = ds[nd - 1]!;
  const contiguous = si === 1 && di === 1;
  // decode r0 into the outer multi-index
  const idx = new Array<number>(Math.max(0, nd - 1)).fill(0);
  let so = srcOff, dOff = dstOff, rem = r0;
  for (let d = nd - 2; d >= 0; d--) {
    const c = rem % dims[d]!;
    rem = (rem - c) / dims[d]!;
    idx[d] = c;
    so += c * ss[d]!;
    dOff += c * ds[d]!;
  }
  for (let r = r0; r < r1; r++) {
    if (contiguous) dst.set(src.subarray(so, so + inner), dOff);
    else for (let j = 0; j < inner; j++) dst[dOff + j * di] = src[so + j * si]!;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      so += ss[d]!;
      dOff += ds[d]!;
      if (idx[d]! < dims[d]!) break;
      so -= ss[d]! * dims[d]!;
      dOff -= ds[d]! * dims[d]!;
      idx[d] = 0;
    }
  }
}

/** A single-axis copy, elements [e0, e1). */
function copyFlat(src: TypedArray, so: number, si: number, dst: TypedArray, dOff: number, di: number, e0: number, e1: number): void {
  if (si === 1 && di === 1) dst.set(src.subarray(so + e0, so + e1), dOff + e0);
  else for (let j = e0; j < e1; j++) dst[dOff + j * di] = src[so + j * si]!;
}

type CopyArgs = [
  src: TypedArray, srcOff: number, srcStrides: readonly number[], shape: readonly number[],
  dst: TypedArray, dstOff: number, dstStrides: readonly number[],
];
export interface CopyJob {
  src: TypedArray;
  srcOff: number;
  out: TypedArray;
  dstOff: number;
  dims: Int32Array;
  ss: Int32Array;
  ds: Int32Array;
}

const contiguousInner = (shape: readonly number[], ss: readonly number[], ds: readonly number[]): boolean => {
  const last = shape.length - 1;
  return last >= 0 && ss[last] === 1 && ds[last] === 1;
};

export const copyStrided = defineKernel<CopyArgs, CopyJob>({
  name: "copyStrided",
  cost: (_src, _so, ss, shape, _dst, _do, ds) => {
    let size = 1;
    for (const d of shape) size *= d;
    return size * (contiguousInner(shape, ss, ds) ? COPY_CONTIGUOUS_NS : COPY_NS);
  },
  plan: ([src, srcOff, ss, shape, dst, dstOff, ds]) => {
    const p = copyPlan(ss, shape, ds);
    if (p === null) return null;
    const flat = p.dims.length === 1;
    const inner = p.dims[p.dims.length - 1]!;
    const ns = contiguousInner(shape, ss, ds) ? COPY_CONTIGUOUS_NS : COPY_NS;
    return {
      job: { src, srcOff, out: dst, dstOff, dims: p.dims, ss: p.ss, ds: p.ds },
      units: flat ? inner : p.rows,
      unitNs: flat ? ns : inner * ns,
      partialOut: true, // the destination may be written only in part (pad, concatenate)
    };
  },
  run: (j, u0, u1) => {
    if (j.dims.length === 1) copyFlat(j.src, j.srcOff, j.ss[0]!, j.out, j.dstOff, j.ds[0]!, u0, u1);
    else copyRows(j.src, j.srcOff, j.out, j.dstOff, j.dims, j.ss, j.ds, u0, u1);
  },
});
