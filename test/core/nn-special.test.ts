// nn activations and scipy.special / scipy.stats.norm against JAX 0.10.2's float64 values and
// derivatives at fixed points (test/fixtures/nn-special.json, made by
// scripts/fixtures/nn_special.py), plus the transforms through the oracles.
import { describe, expect, it } from "vitest";
import { grad, nn, numpy as np, scipy, ShapeError, type Tensor } from "../../src/index.js";
import { checkGrads, checkVmap, expectClose } from "../util/oracles.js";
import { checkJit } from "../util/jit-oracles.js";
import fixture from "../fixtures/nn-special.json" with { type: "json" };

type F = (x: Tensor) => Tensor;
/** Fixture numbers (flat: the comparisons check values, the shapes are checked by the calls). */
const dec = (vs: (number | string)[]) => Float64Array.from(vs, (v) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number)));
const f64 = (vs: (number | string)[], shape?: number[]) => {
  const t = np.array(Float64Array.from(dec(vs)), { dtype: "float64" });
  return shape ? t.reshape(shape) : t;
};

const FNS: Record<string, F> = {
  "nn.relu6": nn.relu6,
  "nn.leakyRelu": (x) => nn.leakyRelu(x),
  "nn.elu": (x) => nn.elu(x),
  "nn.selu": nn.selu,
  "nn.celu": (x) => nn.celu(x),
  "nn.gelu": (x) => nn.gelu(x),
  "nn.gelu.exact": (x) => nn.gelu(x, { approximate: false }),
  "nn.silu": nn.silu,
  "nn.swish": nn.swish,
  "nn.mish": nn.mish,
  "nn.softplus": nn.softplus,
  "nn.softSign": nn.softSign,
  "nn.sigmoid": nn.sigmoid,
  "nn.hardSigmoid": nn.hardSigmoid,
  "nn.hardTanh": nn.hardTanh,
  "nn.hardSwish": nn.hardSwish,
  "nn.logSigmoid": nn.logSigmoid,
  "nn.log1mexp": nn.log1mexp,
  "special.erf": scipy.special.erf,
  "special.erfc": scipy.special.erfc,
  "special.erfinv": scipy.special.erfinv,
  "special.gammaln": scipy.special.gammaln,
  "special.digamma": scipy.special.digamma,
  "special.logit": scipy.special.logit,
  "special.expit": scipy.special.expit,
  "special.ndtr": scipy.special.ndtr,
  "special.ndtri": scipy.special.ndtri,
  "norm.pdf": (x) => scipy.stats.norm.pdf(x),
  "norm.logpdf": (x) => scipy.stats.norm.logpdf(x),
  "norm.cdf": (x) => scipy.stats.norm.cdf(x),
};

describe("nn and scipy.special against JAX (float64 values and derivatives)", () => {
  it.each(Object.keys(fixture.unary))("%s", (name) => {
    const c = fixture.unary[name as keyof typeof fixture.unary];
    const f = FNS[name]!;
    const x = f64(c.x);
    // JAX's float64 erfinv is 1.4e-12 off scipy's at 0.9999999 (tapir's agrees with scipy's there)
    const rtol = name === "special.erfinv" ? 3e-12 : 1e-12;
    expectClose(f(x), dec(c.y), { rtol, atol: 1e-14, what: `${name} values` });
    // (erfinv's derivative √π/2·e^(y²) carries that difference times 2y)
    expectClose(grad((t: Tensor) => f(t).sum())(x), dec(c.dy), { rtol: rtol * 30, atol: 1e-13, what: `${name} derivative` });
    // float32 runs the same math, rounded: against the float64 result at the float32-rounded inputs
    const x32 = np.astype(x, "float32");
    const y32 = f(x32);
    expect(y32.dtype).toBe("float32");
    expectClose(y32, f(np.astype(x32, "float64")), { rtol: 1e-5, atol: 1e-6, what: `${name} float32` });
  });

  it("polygamma(n) for n = 1, 2, 3, and its order check", () => {
    for (const [n, c] of Object.entries(fixture.polygamma)) {
      expectClose(scipy.special.polygamma(Number(n), f64(c.x)), dec(c.y), { rtol: 1e-12, what: `polygamma(${n})` });
    }
    expectClose(scipy.special.polygamma(0, [1]), [-0.5772156649015329]);
    expect(() => scipy.special.polygamma(-1, [1])).toThrow(/scipy\.special\.polygamma: the order n must be an integer ≥ 0, got -1/);
  });

  it("xlogy / xlog1py (0 where x = 0) and norm with loc and scale", () => {
    const c = fixture.xlogy;
    const b = f64(c.y);
    expectClose(scipy.special.xlogy(f64(c.x), b), dec(c.xlogy));
    expectClose(scipy.special.xlog1py(f64(c.x), np.subtract(b, 1)), dec(c.xlog1py));
    const n = fixture["norm.loc_scale"];
    expectClose(scipy.stats.norm.pdf(f64(n.x), 1.5, 2), dec(n.pdf), { rtol: 1e-13 });
    expectClose(scipy.stats.norm.logpdf(f64(n.x), 1.5, 2), dec(n.logpdf), { rtol: 1e-13 });
    expectClose(scipy.stats.norm.cdf(f64(n.x), 1.5, 2), dec(n.cdf), { rtol: 1e-13 });
  });

  it("glu and standardize", () => {
    const g = fixture.glu;
    const x = f64(g.x, g.shape);
    expectClose(nn.glu(x), dec(g.y), { rtol: 1e-13 });
    expectClose(nn.glu(x.transpose(), 0), dec(g.y0), { rtol: 1e-13 });
    expect(() => nn.glu(np.ones([3]))).toThrow(ShapeError);
    expect(() => nn.glu(np.ones([3]))).toThrow(/nn\.glu: axis -1 of \[3\] has odd length 3/);
    const s = fixture.standardize;
    const y = f64(s.x, s.shape);
    expectClose(nn.standardize(y), dec(s.y), { rtol: 1e-12 });
    expectClose(nn.standardize(y, 0, { epsilon: 0.1 }), dec(s.y0), { rtol: 1e-12 });
  });

  it("dotProductAttention: plain, with bias + mask + scale, causal, grouped-query heads", () => {
    const a = fixture.attention;
    const q = f64(a.q, a.shapes.q);
    const k = f64(a.k, a.shapes.k);
    const v = f64(a.v, a.shapes.k);
    const bias = f64(a.bias, a.shapes.bias);
    const mask = np.array(Uint8Array.from(a.mask.map(Number)), { dtype: "bool" }).reshape(a.shapes.mask);
    expectClose(nn.dotProductAttention(q, k, v), dec(a.plain), { rtol: 1e-12 });
    expectClose(nn.dotProductAttention(q, k, v, { bias, mask, scale: 0.7 }), dec(a.biasMask), { rtol: 1e-12 });
    expectClose(nn.dotProductAttention(q, k, v, { isCausal: true }), dec(a.causal), { rtol: 1e-12 });
    // unbatched input: the first batch row
    expectClose(nn.dotProductAttention(q.index(0), k.index(0), v.index(0)), dec(a.plain).slice(0, 3 * 4 * 5), { rtol: 1e-12 });
    expect(() => nn.dotProductAttention(q, np.ones([2, 4, 3, 5], { dtype: "float64" }), v)).toThrow(/nn\.dotProductAttention: shapes do not fit/);
    const f = (qq: Tensor, kk: Tensor, vv: Tensor) => nn.dotProductAttention(qq, kk, vv, { isCausal: true });
    checkGrads(f, [q.index(0), k.index(0), v.index(0)]);
    checkVmap(f, [0, 0, 0], [q, k, v]);
    checkJit(f, [q, k, v]);
  });

  it("softmax and logSoftmax of empty arrays are empty (no max of an empty slice)", () => {
    expect(nn.softmax(np.zeros([2, 0])).shape).toEqual([2, 0]);
    expect(nn.logSoftmax(np.zeros([0])).shape).toEqual([0]);
    expect(nn.softmax(np.zeros([0, 3]), 0).shape).toEqual([0, 3]);
  });

  it("transforms: checkGrads (order 2) / checkVmap / checkJit through the compositions", () => {
    const x = np.array([-1.7, -0.3, 0.4, 2.2], { dtype: "float64" });
    const p = np.array([0.1, 0.3, 0.6, 0.9], { dtype: "float64" });
    const fs: [F, Tensor][] = [
      [(t) => nn.gelu(t, { approximate: false }), x],
      [nn.mish, x],
      [nn.selu, x],
      [(t) => nn.log1mexp(np.abs(t)), x],
      [scipy.special.ndtri, p],
      [scipy.special.gammaln, np.abs(x)],
      [(t) => scipy.special.xlogy(t, np.abs(t)), x],
      [(t) => scipy.stats.norm.logpdf(t, 0.5, 1.5), x],
    ];
    for (const [f, a] of fs) {
      checkGrads(f, [a], { order: 2 });
      checkVmap(f, 0, [np.stack([a, np.multiply(a, 0.5)])]);
      checkJit(f, [a]);
    }
  });
});

describe("float32 erf: a vectorised expression (special.ts ERF32)", () => {
  /** Units in the last place between two float32 values (0 for equal, NaN for NaN). */
  const ulps = (a: number, b: number): number => {
    const ia = new Int32Array(Float32Array.of(a).buffer)[0]!;
    const ib = new Int32Array(Float32Array.of(b).buffer)[0]!;
    const key = (i: number) => (i < 0 ? -(i & 0x7fffffff) : i); // a monotone integer line through ±0
    return Math.abs(key(ia) - key(ib));
  };
  it("is within 1 ulp of float64 erf rounded to float32 over a dense walk, and exact at the edges", () => {
    // every 4096th float32 in [2⁻³⁰, 5] (~130k values) (both signs), plus the edges: ±0, ±∞, NaN, subnormals, the branch points
    const bits = new Int32Array(1);
    const f = new Float32Array(bits.buffer);
    const xs: number[] = [0, -0, Infinity, -Infinity, NaN, 1e-38, -1e-45, 1, -1, Math.fround(1 - 2 ** -24), 4, Math.fround(4 - 2 ** -21), 3.9, 10, -10];
    for (let i = 0x30800000; f[0]! <= 5; i += 4096) {
      bits[0] = i;
      xs.push(f[0]!, -f[0]!);
    }
    const x32 = np.array(Float32Array.from(xs));
    const got = scipy.special.erf(x32).dataSync();
    const want = scipy.special.erf(x32.astype("float64")).dataSync(); // the float64 kernel (checked against JAX above)
    let worst = 0;
    for (let i = 0; i < xs.length; i++) {
      // flush-to-zero (docs/semantics.md, as XLA): a subnormal float32 result is ±0
      const r = Math.fround(want[i]!);
      const w = Math.abs(r) < 2 ** -126 ? r * 0 : r;
      if (Number.isNaN(w)) {
        expect(got[i], `erf(${xs[i]})`).toBeNaN();
        continue;
      }
      const d = ulps(got[i]!, w);
      if (d > worst) worst = d;
      if (d > 1) expect.fail(`erf(${xs[i]}) = ${got[i]}, float64 rounds to ${w}: ${d} ulp`);
    }
    expect(Object.is(got[1], -0), "erf(-0) = -0").toBe(true);
    expect([got[2], got[3]]).toEqual([1, -1]);
    expect(xs.length).toBeGreaterThan(100_000); // the walk covered the range
    expect(worst).toBeLessThanOrEqual(1);
  });
  it("fuses into Wasm with its neighbours (GELU): jit = eager bit for bit, Wasm = JS", async () => {
    const { setElementwiseMode } = await import("../../src/core/backend/elementwise.js");
    const { jit } = await import("../../src/index.js");
    const x = np.linspace(-6, 6, 5001).astype("float32");
    const gelu = (t: Tensor) => nn.gelu(t, { approximate: false });
    const eager = gelu(x).dataSync();
    const jitted = jit(gelu)(x).dataSync();
    setElementwiseMode("js");
    try {
      const js = jit(gelu)(x).dataSync();
      expect(Array.from(jitted)).toEqual(Array.from(js));
    } finally {
      setElementwiseMode("wasm");
    }
    expect(Array.from(jitted)).toEqual(Array.from(eager));
    checkGrads(scipy.special.erf, [np.array([-3.5, -1.2, -0.3, 0.2, 0.9, 2.1], { dtype: "float64" })]);
  });
});
