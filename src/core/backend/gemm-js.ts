// The GEMM's plain-JS path (gemm.ts): one dot product per C element in increasing p, each
// float32 product and sum rounded with Math.fround, so it gives the bits of the Wasm path's exact
// (non-FMA) module; with flush-to-zero, the same per-row rule as the Wasm path (gemm-ftz.ts).
import { flushMax, maxAbs, MIN_NORMAL } from "./gemm-ftz.js";
import type { FloatArray, GemmDtype } from "./gemm.js";

/** One dot product per C element, in increasing p (4 columns at a time), rounding as float32. */

export function jsF32(
  a: Float32Array, aBase: number, rsA: number, csA: number,
  b: Float32Array, bBase: number, rsB: number, csB: number,
  c: Float32Array, cBase: number, i0: number, i1: number, k: number, n: number,
): void {
  const fr = Math.fround;
  for (let i = i0; i < i1; i++) {
    const ai = aBase + i * rsA;
    const ci = cBase + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = ai, pb = bBase + j * csB;
      for (let p = 0; p < k; p++, pa += csA, pb += rsB) {
        const x = a[pa]!;
        s0 = fr(s0 + fr(x * b[pb]!));
        s1 = fr(s1 + fr(x * b[pb + csB]!));
        s2 = fr(s2 + fr(x * b[pb + 2 * csB]!));
        s3 = fr(s3 + fr(x * b[pb + 3 * csB]!));
      }
      c[ci + j] = s0; c[ci + j + 1] = s1; c[ci + j + 2] = s2; c[ci + j + 3] = s3;
    }
    for (; j < n; j++) {
      let s = 0;
      let pa = ai, pb = bBase + j * csB;
      for (let p = 0; p < k; p++, pa += csA, pb += rsB) s = fr(s + fr(a[pa]! * b[pb]!));
      c[ci + j] = s;
    }
  }
}

/** jsF32 in float64: every product and sum is a float64 operation. */
export function jsF64(
  a: Float64Array, aBase: number, rsA: number, csA: number,
  b: Float64Array, bBase: number, rsB: number, csB: number,
  c: Float64Array, cBase: number, i0: number, i1: number, k: number, n: number,
): void {
  for (let i = i0; i < i1; i++) {
    const ai = aBase + i * rsA;
    const ci = cBase + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = ai, pb = bBase + j * csB;
      for (let p = 0; p < k; p++, pa += csA, pb += rsB) {
        const x = a[pa]!;
        s0 += x * b[pb]!;
        s1 += x * b[pb + csB]!;
        s2 += x * b[pb + 2 * csB]!;
        s3 += x * b[pb + 3 * csB]!;
      }
      c[ci + j] = s0; c[ci + j + 1] = s1; c[ci + j + 2] = s2; c[ci + j + 3] = s3;
    }
    for (; j < n; j++) {
      let s = 0;
      let pa = ai, pb = bBase + j * csB;
      for (let p = 0; p < k; p++, pa += csA, pb += rsB) s += a[pa]! * b[pb]!;
      c[ci + j] = s;
    }
  }
}

/**
 * The plain-JS path under FTZ (gemm-ftz.ts; the same rule as the wasm path, whose k chunk and
 * column block cover these small products whole): a row whose products all lie below the
 * smallest normal is +0; subnormal inputs are read from flushed copies.
 */
export function jsFlushRows(dtype: GemmDtype) {
  const tiny = MIN_NORMAL[dtype];
  const Ctor = dtype === "float32" ? Float32Array : Float64Array;
  const run = dtype === "float32" ? jsF32 : jsF64;
  return (
    a: FloatArray, aBase: number, rsA: number, csA: number,
    b: FloatArray, bBase: number, rsB: number, csB: number,
    c: FloatArray, cBase: number, i0: number, i1: number, k: number, n: number,
  ): void => {
    const bm = maxAbs(b, bBase, k, n, rsB, csB, tiny);
    if (bm.sub) {
      const copy = new Ctor(k * n);
      for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) copy[p * n + j] = b[bBase + p * rsB + j * csB]!;
      flushMax(copy, 0, k * n, tiny);
      [b, bBase, rsB, csB] = [copy, 0, n, 1];
    }
    for (let i = i0; i < i1; i++) {
      const am = maxAbs(a, aBase + i * rsA, 1, k, 0, csA, tiny);
      if (am.max * bm.max < tiny) {
        c.fill(0, cBase + i * n, cBase + (i + 1) * n);
      } else if (am.sub) {
        const row = new Ctor(k);
        for (let p = 0; p < k; p++) row[p] = a[aBase + i * rsA + p * csA]!;
        flushMax(row, 0, k, tiny);
        run(row as never, -i, 1, 1, b as never, bBase, rsB, csB, c as never, cBase, i, i + 1, k, n);
      } else {
        run(a as never, aBase, rsA, csA, b as never, bBase, rsB, csB, c as never, cBase, i, i + 1, k, n);
      }
    }
  };
}
