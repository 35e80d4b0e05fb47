// Flush-to-zero in elementwise kernels (ew-flush.ts, config.flushSubnormals): values against
// JAX's on CPU (XLA's FTZ + DAZ; test/fixtures/jax-subnormals.json from
// scripts/fixtures/jax_subnormals.py), float32 and float64, on the small-array JS path and the
// Wasm path, eager and jit; IEEE gradual underflow when the switch is off.
import { afterEach, describe, expect, it } from "vitest";
import { config, jit, lax, numpy as np, type Tensor } from "../../src/index.js";
import fixture from "../fixtures/jax-subnormals.json" with { type: "json" };

type Enc = number | string | boolean;
const dec = (v: Enc): number | boolean => (typeof v === "boolean" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number));
const vals = (t: Tensor): (number | boolean)[] => Array.from(t.dataSync() as ArrayLike<number>, (v) => (t.dtype === "bool" ? v !== 0 : v));
/** The first 8 values, element i of a tensor of n elements repeating them (n > 1024: the Wasm path). */
const tile = (xs: number[], n: number) => Array.from({ length: n }, (_, i) => xs[i % xs.length]!);

afterEach(() => {
  config.flushSubnormals(true);
});

for (const dtype of ["float32", "float64"] as const) {
  const c = fixture.cases[dtype] as Record<string, Enc[]>;
  const tiny = dtype === "float32" ? 2 ** -126 : 2 ** -1022;
  const base = c["x"]!.map(dec) as number[];
  describe(`${dtype} flush-to-zero matches JAX`, () => {
    for (const n of [8, 2048]) {
      const x = np.array(tile(base, n), { dtype });
      const expectLike = (got: Tensor, name: string) => {
        const want = c[name]!.map(dec);
        expect(vals(got), `${name} (n=${n})`).toStrictEqual(Array.from({ length: n }, (_, i) => want[i % want.length]));
      };
      it(`arithmetic reads subnormals as zero and gives zero for them (n=${n})`, () => {
        expectLike(np.multiply(x, 1), "mul1");
        expectLike(np.add(x, 0), "add0");
        expectLike(np.multiply(x, 2 ** 60), "mul_big");
        expectLike(np.less(x, tiny), "lt_tiny");
        expectLike(np.equal(x, 0), "eq0");
      });
      it(`bit operations keep subnormals; ±0, NaN and ±Inf are untouched (n=${n})`, () => {
        expectLike(np.negative(x), "neg");
        expectLike(np.abs(x), "abs");
        expectLike(np.where(np.full([n], true), x, 1), "where");
      });
      it(`jit flushes a subnormal intermediate exactly as eager does (n=${n})`, () => {
        const f = (v: Tensor) => np.multiply(np.multiply(np.multiply(v, 2 ** 20), 2 ** -30), 2 ** 30);
        expectLike(f(x), "chain");
        expectLike(jit(f)(x), "chain");
        // a constant of one element enters the fused loop as a literal, and x·1 of a flushed x
        // is x there (ew-flush.ts): still JAX's x·1
        expectLike(jit((v: Tensor) => np.negative(np.negative(np.multiply(v, np.ones([1], { dtype })))))(x), "mul1");
      });
    }
    it("exp of a large negative argument underflows to zero", () => {
      // float32: e^-88 ≈ 6e-39 is subnormal; float64: e^-740 ≈ 4e-322 is
      const arg = dtype === "float32" ? [-100, -88, 0] : [-745, -740, 0];
      expect(vals(np.exp(np.array(arg, { dtype })))).toStrictEqual([0, 0, 1]);
    });
    it("reductions store a subnormal result as zero; matmul and conv of tiny values give zeros", () => {
      expect(vals(np.sum(np.array(base.slice(0, 2), { dtype })))).toStrictEqual(c["sum"]!.map(dec));
      expect(vals(np.max(np.array(base.slice(0, 2), { dtype })))).toStrictEqual(c["max"]!.map(dec));
      const v = dtype === "float32" ? 1e-20 : 1e-160;
      const a = np.full([4, 4], v, { dtype });
      expect(vals(np.matmul(a, a))).toStrictEqual(c["matmul"]!.map(dec));
      // every product of the convolution is subnormal: zeros (the GEMM path and the depthwise one)
      const img = np.full([1, 3, 6, 6], v, { dtype });
      expect(vals(lax.conv(img, np.full([4, 3, 2, 2], v, { dtype }), [1, 1], "VALID")).every((y) => Object.is(y, 0))).toBe(true);
      const dw = lax.convGeneralDilated(img, np.full([3, 1, 2, 2], v, { dtype }), [1, 1], "VALID", { featureGroupCount: 3 });
      expect(vals(dw).every((y) => Object.is(y, 0))).toBe(true);
      config.flushSubnormals(false);
      expect((vals(np.sum(np.array(base.slice(0, 2), { dtype })))[0] as number) > 0).toBe(true);
      expect((vals(lax.conv(img, np.full([4, 3, 2, 2], v, { dtype }), [1, 1], "VALID"))[0] as number) > 0).toBe(true);
      expect((vals(lax.convGeneralDilated(img, np.full([3, 1, 2, 2], v, { dtype }), [1, 1], "VALID", { featureGroupCount: 3 }))[0] as number) > 0).toBe(true);
    });
    it("config.flushSubnormals(false) gives IEEE gradual underflow", () => {
      expect(config.flushSubnormals(false)).toBe(false);
      for (const n of [8, 2048]) {
        const x = np.array(tile(base, n), { dtype });
        const g = vals(np.multiply(x, 1));
        for (let i = 0; i < 8; i++) expect(g[i]).toStrictEqual(base[i]);
        expect(vals(np.multiply(np.full([n], tiny, { dtype }), 0.5))[0]).toBe(tiny / 2);
        expect(vals(jit((v: Tensor) => np.multiply(np.multiply(v, 2 ** -30), 2 ** 30))(np.full([n], 2 ** -100, { dtype })))[0]).toBe(2 ** -100);
      }
    });
  });
}
