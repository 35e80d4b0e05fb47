// The direct small-matmul path (src/core/backend/small-matmul.ts) against references written
// here: the documented summation (s = 0; s = s + a·b in increasing p, each product and sum
// rounded to the dtype; where gemm fuses multiply-adds, gemm's own bits) must be met bit for bit, and the result stays close to the float64
// product; shapes include empty, k = 1 (outer products), k = 0, vectors, batches and both
// transposes. dot_general (np.matmul) on such shapes gives the same bits.
import { describe, expect, it } from "vitest";
import { isSmallMatmul, smallMatmul, SMALL_MATMUL_WORK } from "../../src/core/backend/small-matmul.js";
import { config, numpy as np } from "../../src/index.js";
import { DEFAULT_GEMM_CONFIG, JS_MAX_WORK, gemm, relaxedSimdAvailable } from "../../src/core/backend/gemm.js";

const FMA = DEFAULT_GEMM_CONFIG.fma && relaxedSimdAvailable();

function rand(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 4;
  });
}

/** A[bi] element (i, p) of op(A) in the kernel's layouts. */
const at = (x: ArrayLike<number>, bi: number, r: number, c: number, rows: number, cols: number, trans: boolean) =>
  x[bi * rows * cols + (trans ? c * rows + r : r * cols + c)]!;

/** [bits reference in the dtype, float64 reference]. */
function reference(f32: boolean, a: ArrayLike<number>, ta: boolean, b: ArrayLike<number>, tb: boolean, batch: number, m: number, k: number, n: number): [number[], number[]] {
  const round = f32 ? Math.fround : (x: number) => x;
  const exact: number[] = [], wide: number[] = [];
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, w = 0;
        for (let p = 0; p < k; p++) {
          const x = at(a, bi, i, p, m, k, ta), y = at(b, bi, p, j, k, n, tb);
          s = round(s + round(x * y));
          w += x * y;
        }
        exact.push(s), wide.push(w);
      }
    }
  }
  return [exact, wide];
}

const SHAPES: [number, number, number, number][] = [
  [1, 1, 64, 64], [1, 1, 16, 64], [1, 64, 1, 64], [1, 16, 1, 64], [1, 64, 64, 1], [2, 3, 5, 7], [3, 1, 17, 9],
  [1, 0, 4, 4], [1, 4, 0, 4], [1, 4, 4, 0], [1, 1, 1, 1], [4, 5, 1, 3], [1, 13, 11, 2], [1, 8, 32, 32], [2, 17, 3, 33],
];

describe("smallMatmul", () => {
  for (const f32 of [true, false]) {
    it(`${f32 ? "float32" : "float64"}: the documented sum bit for bit, close to float64, for ${SHAPES.length} shapes × 4 layouts`, () => {
      const Ctor = f32 ? Float32Array : Float64Array;
      let seed = 1;
      for (const [batch, m, k, n] of SHAPES) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            const a = Ctor.from(rand(batch * m * k, seed++)), b = Ctor.from(rand(batch * k * n, seed++));
            const out = new Ctor(batch * m * n).fill(NaN);
            smallMatmul(f32 ? "float32" : "float64", a, ta, b, tb, batch, m, k, n, out);
            const [exact, wide] = reference(f32, a, ta, b, tb, batch, m, k, n);
            const got = Array.from(out);
            // gemm's Wasm paths may fuse multiply-adds (gemm.ts: FMA where relaxed SIMD runs):
            // then the bits are gemm's own (checked against it), else the rounded sum above
            const fused = FMA && m * k * n > JS_MAX_WORK[f32 ? "float32" : "float64"] && k > 1;
            if (fused) {
              const ref = new Ctor(batch * m * n);
              gemm(f32 ? "float32" : "float64", a, 0, m * k, ta, b, 0, k * n, tb, ref, 0, m * n, batch, m, k, n);
              expect(got.every((v, i) => Object.is(v, ref[i])), `${batch}×${m}×${k}×${n} ta=${ta} tb=${tb} (gemm)`).toBe(true);
            } else expect(got.every((v, i) => Object.is(v, exact[i])), `${batch}×${m}×${k}×${n} ta=${ta} tb=${tb}`).toBe(true);
            const err = got.reduce((e, v, i) => Math.max(e, Math.abs(v - wide[i]!)), 0);
            expect(err).toBeLessThanOrEqual((f32 ? 1e-5 : 1e-13) * (k + 1) * 16);
          }
        }
      }
    });
  }

  it("takes products up to SMALL_MATMUL_WORK multiply-adds, and np.matmul on them gives the documented bits", () => {
    expect(isSmallMatmul("float32", 1, 1, 64, 64)).toBe(true);
    expect(isSmallMatmul("float32", 1, 16, 64, 64)).toBe(true);
    expect(isSmallMatmul("float32", 1, 64, 64, 64)).toBe(false);
    expect(isSmallMatmul("float32", 1, 1, SMALL_MATMUL_WORK + 1, 1)).toBe(false);
    const a = rand(64, 3), w = rand(64 * 64, 4);
    const got = Array.from(np.matmul(np.array(a).reshape([1, 64]), np.array(w).reshape([64, 64])).dataSync());
    let exact: ArrayLike<number> = reference(true, Float32Array.from(a), false, Float32Array.from(w), false, 1, 1, 64, 64)[0];
    if (FMA) gemm("float32", Float32Array.from(a), 0, 0, false, Float32Array.from(w), 0, 0, false, (exact = new Float32Array(64)), 0, 0, 1, 1, 64, 64);
    expect(got.every((v, i) => Object.is(v, exact[i]))).toBe(true);
  });

  it("an outer product (k = 1) gives the elementwise multiply's bits on subnormals, ±0, NaN, ±Inf and tiny products, flushing or not", () => {
    const special = [0, -0, 1e-40, -3e-39, 2 ** -149, 1e-20, -1e-25, 2 ** -126, -(2 ** -1022), 2 ** -1074, 1e-300, NaN, Infinity, -Infinity, 1.5, -2.25, 3e38, 1e300];
    try {
      for (const flush of [true, false]) {
        config.flushSubnormals(flush);
        for (const dtype of ["float32", "float64"] as const) {
          const Ctor = dtype === "float32" ? Float32Array : Float64Array;
          // [m,1]·[1,n] with every pair of special values (m = n = 18), and a batch of [2, 18, 1]·[2, 1, 9]
          for (const [batch, m, n] of [[1, special.length, special.length], [2, special.length, 9]] as const) {
            const a = Ctor.from(Array.from({ length: batch * m }, (_, i) => special[i % special.length]!));
            const b = Ctor.from(Array.from({ length: batch * n }, (_, i) => special[(i * 5 + 3) % special.length]!));
            const out = new Ctor(batch * m * n).fill(7);
            smallMatmul(dtype, a, false, b, false, batch, m, 1, n, out);
            const want = np.multiply(np.array(a, { dtype }).reshape([batch, m, 1]), np.array(b, { dtype }).reshape([batch, 1, n])).dataSync();
            const bad = Array.from(out).findIndex((v, i) => !Object.is(v, want[i]));
            expect(bad, `${dtype} flush=${flush} ${batch}×${m}×1×${n}: element ${bad} ${out[bad]} vs ${want[bad]}`).toBe(-1);
          }
        }
      }
    } finally {
      config.flushSubnormals(true);
    }
  });
});
