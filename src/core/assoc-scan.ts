// The parallel prefix scan of JAX's lax.associative_scan, over lists of tensors and lax ops
// only (so primitive rules can use it: the cumulative primitives' tangents are JAX's, the
// JVP of this scan): combine adjacent pairs, scan the half-length sequence recursively, fill
// in the even positions, interleave. O(n) work, O(log n) depth; `fn` must be associative.
import { add, concatenate, or, pad, rev, slice } from "./lax.js";
import type { Tensor } from "./tensor.js";

/** x[lo:hi:step] along `axis` (hi = null: to the end). */
function sliceAxis(x: Tensor, axis: number, lo: number, hi: number | null, step = 1): Tensor {
  const n = x.shape[axis]!;
  const h = hi === null ? n : hi < 0 ? n + hi : hi;
  return slice(
    x,
    x.shape.map((_, i) => (i === axis ? lo : 0)),
    x.shape.map((s, i) => (i === axis ? Math.max(lo, h) : s)),
    x.shape.map((_, i) => (i === axis ? step : 1)),
  );
}

/** a at the even positions, b at the odd ones (a one longer than b, or as long). */
function interleave(a: Tensor, b: Tensor, axis: number): Tensor {
  const same = a.shape[axis] === b.shape[axis];
  const cfg = (lo: number, hi: number) => [a.shape.map((_, i) => (i === axis ? lo : 0)), a.shape.map((_, i) => (i === axis ? hi : 0)), a.shape.map((_, i) => (i === axis ? 1 : 0))] as const;
  const pa = pad(a, ...(cfg(0, same ? 1 : 0) as [number[], number[], number[]]));
  const pb = pad(b, ...(cfg(1, same ? 0 : 1) as [number[], number[], number[]]));
  return a.dtype === "bool" ? or(pa, pb) : add(pa, pb);
}

/**
 * Inclusive scan of the tuple sequence `elems` (all of one length along `axis`) by the
 * associative `fn` (tuple, tuple) → tuple; reverse scans from the end.
 */
export function associativeScanList(fn: (a: Tensor[], b: Tensor[]) => Tensor[], elems: Tensor[], axis: number, reverse = false): Tensor[] {
  const go = (xs: Tensor[]): Tensor[] => {
    const n = xs[0]!.shape[axis]!;
    if (n < 2) return xs;
    const reduced = fn(xs.map((e) => sliceAxis(e, axis, 0, -1, 2)), xs.map((e) => sliceAxis(e, axis, 1, null, 2)));
    const odd = go(reduced);
    const even = n % 2 === 0
      ? fn(odd.map((e) => sliceAxis(e, axis, 0, -1)), xs.map((e) => sliceAxis(e, axis, 2, null, 2)))
      : fn(odd, xs.map((e) => sliceAxis(e, axis, 2, null, 2)));
    const full = even.map((r, i) => concatenate([sliceAxis(xs[i]!, axis, 0, 1), r], axis));
    return full.map((e, i) => interleave(e, odd[i]!, axis));
  };
  const flip = (xs: Tensor[]) => xs.map((x) => rev(x, [axis]));
  return reverse ? flip(go(flip(elems))) : go(elems);
}
