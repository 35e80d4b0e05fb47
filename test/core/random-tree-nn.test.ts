// random (counter-based keys), tree (flatten/unflatten/map/leaves) and nn against references.
import { describe, expect, it } from "vitest";
import { Tensor, TreeError, grad, nn, numpy as np, random, tree, vmap } from "../../src/index.js";
import { checkGrads, expectClose, toF64Array } from "../util/oracles.js";

describe("random", () => {
  it("the same key gives the same numbers; different keys differ", () => {
    const a = random.normal(random.key(0), [100]).dataSync();
    const b = random.normal(random.key(0), [100]).dataSync();
    const c = random.normal(random.key(1), [100]).dataSync();
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
  it("split gives distinct keys that differ from the parent and from each other", () => {
    const k = random.key(42);
    const ks = random.split(k, 3);
    expect(ks.shape).toEqual([3, 2]);
    expect(ks.dtype).toBe("int32");
    const draws = [0, 1, 2].map((i) => Array.from(random.uniform(ks.index(i), [8]).dataSync()));
    const parent = Array.from(random.uniform(k, [8]).dataSync());
    const all = [...draws, parent].map((d) => d.join(","));
    expect(new Set(all).size).toBe(4);
    expect(random.split(k).shape).toEqual([2, 2]);
    expect(random.split(k).dataSync()).toEqual(random.split(k).dataSync());
  });
  it("uniform lies in [minval, maxval) with the right mean", () => {
    const u = toF64Array(random.uniform(random.key(3), [100_000], { minval: -2, maxval: 4 }));
    let m = 0;
    for (const v of u) {
      expect(v >= -2 && v < 4).toBe(true);
      m += v / u.length;
    }
    expect(Math.abs(m - 1)).toBeLessThan(0.03);
  });
  it.each(["float32", "float64"] as const)("normal: 1e5 draws pass a KS test against Φ and match its moments and tails (%s)", (dtype) => {
    const x = random.normal(random.key(7), [100_000], { dtype });
    expect(x.dtype).toBe(dtype);
    const d = toF64Array(x);
    expect(d.every(Number.isFinite)).toBe(true);
    const n = d.length;
    const m = mean(d);
    const c = (k: number) => mean(d.map((v) => (v - m) ** k));
    const sd = Math.sqrt(c(2));
    // standard errors for n = 1e5 normal draws: mean 0.0032, sd 0.0022, skew 0.0077, kurtosis 0.0155
    expect(Math.abs(m)).toBeLessThan(0.015);
    expect(Math.abs(sd - 1)).toBeLessThan(0.012);
    expect(Math.abs(c(3) / sd ** 3)).toBeLessThan(0.04); // skewness 0
    expect(Math.abs(c(4) / sd ** 4 - 3)).toBeLessThan(0.08); // kurtosis 3 (a uniform has 1.8, a logistic 4.2)
    // Kolmogorov–Smirnov: sup |F_n − Φ| < 1.95/√n is the 0.1% critical value
    const sorted = Float64Array.from(d).sort();
    let ks = 0;
    sorted.forEach((v, i) => (ks = Math.max(ks, Math.abs(phi(v) - i / n), Math.abs(phi(v) - (i + 1) / n))));
    expect(ks).toBeLessThan(1.95 / Math.sqrt(n));
    // tails: P(|x| > 3) = 0.0027 (270 ± 16 of 1e5), P(|x| > 2) = 0.0455 (4550 ± 66)
    const beyond = (t: number) => d.filter((v) => Math.abs(v) > t).length;
    expect(beyond(3)).toBeGreaterThan(190);
    expect(beyond(3)).toBeLessThan(350);
    expect(Math.abs(beyond(2) - 4550)).toBeLessThan(330);
  });
  it("the KS and kurtosis checks above reject a uniform scaled to mean 0, std 1", () => {
    const u = toF64Array(random.uniform(random.key(7), [100_000], { minval: -Math.sqrt(3), maxval: Math.sqrt(3), dtype: "float64" }));
    const m = mean(u);
    const k = mean(u.map((v) => (v - m) ** 4)) / mean(u.map((v) => (v - m) ** 2)) ** 2;
    expect(Math.abs(k - 3)).toBeGreaterThan(1);
    const s = Float64Array.from(u).sort();
    let ks = 0;
    s.forEach((v, i) => (ks = Math.max(ks, Math.abs(phi(v) - i / s.length))));
    expect(ks).toBeGreaterThan(0.02);
  });
  it("bernoulli frequency ≈ p", () => {
    const b = random.bernoulli(random.key(5), 0.3, [50_000]);
    expect(b.dtype).toBe("bool");
    const mean = np.mean(b.astype("float32")).item();
    expect(Math.abs(mean - 0.3)).toBeLessThan(0.01);
  });
  it("permutation is a permutation, reproducible, and permutes rows of a tensor", () => {
    const p = Array.from(random.permutation(random.key(9), 20).dataSync()).sort((a, b) => a - b);
    expect(p).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(random.permutation(random.key(9), 20).dataSync()).toEqual(random.permutation(random.key(9), 20).dataSync());
    const x = np.arange(12).reshape([4, 3]);
    const px = random.permutation(random.key(1), x);
    expect(px.shape).toEqual([4, 3]);
    const rows = (px.toArray() as number[][]).map((r) => r[0]! / 3).sort();
    expect(rows).toEqual([0, 1, 2, 3]);
  });
  it("vmap over keys equals drawing with each key (and the traced permutation equals the eager one)", () => {
    const keys = random.split(random.key(11), 4);
    const batched = vmap((k: Tensor) => random.normal(k, [3]))(keys) as Tensor;
    for (let i = 0; i < 4; i++) expect(batched.index(i).dataSync()).toEqual(random.normal(keys.index(i), [3]).dataSync());
    const perms = vmap((k: Tensor) => random.permutation(k, 6))(keys) as Tensor;
    for (let i = 0; i < 4; i++) expect(perms.index(i).dataSync()).toEqual(random.permutation(keys.index(i), 6).dataSync());
  });
  it("draws depend on the key and the shape only: a prefix of a longer draw is stable", () => {
    const k = random.key(123);
    const short = random.uniform(k, [5]).dataSync();
    const long = random.uniform(k, [9]).dataSync();
    expect(Array.from(long.slice(0, 5))).toEqual(Array.from(short));
  });
});

describe("tree", () => {
  const t = { b: [1, np.array([2, 3])], a: { z: null, y: 4 } };
  it("flatten orders object keys and keeps null as structure; unflatten inverts it", () => {
    const [leaves, def] = tree.flatten(t);
    expect(leaves.length).toBe(3);
    expect(leaves[0]).toBe(4); // a.y comes first (sorted keys)
    expect(leaves[1]).toBe(1);
    const back = tree.unflatten(def, leaves) as typeof t;
    expect(back.a.z).toBeNull();
    expect(back.b[1]).toBe(t.b[1]);
    expect(Object.keys(back).sort()).toEqual(["a", "b"]);
  });
  it("leaves and map over several trees", () => {
    expect(tree.leaves([1, [2, { c: 3 }]])).toEqual([1, 2, 3]);
    const s = tree.map((x: number, y: number) => x + y, { p: 1, q: [2, 3] }, { p: 10, q: [20, 30] });
    expect(s).toEqual({ p: 11, q: [22, 33] });
    const doubled = tree.map((x: Tensor) => x.mul(2), [np.array(1), { k: np.array([2]) }]) as [Tensor, { k: Tensor }];
    expect(doubled[1].k.toArray()).toEqual([4]);
  });
  it("map rejects trees of different structure with TreeError", () => {
    expect(() => tree.map((x: number, y: number) => x + y, [1, 2], [1])).toThrow(TreeError);
    expect(() => tree.map((x: number, y: number) => x + y, { a: 1 }, { b: 1 })).toThrow(TreeError);
  });
  it("unflatten with the wrong number of leaves throws TreeError", () => {
    const [, def] = tree.flatten([1, 2]);
    expect(() => tree.unflatten(def, [1])).toThrow(TreeError);
  });
});

describe("nn", () => {
  const xs = [-3, -0.5, 0, 0.7, 4];
  const x = np.array(xs, { dtype: "float64" });
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  it("relu / sigmoid / softplus / silu / gelu vs references", () => {
    expectClose(nn.relu(x), xs.map((v) => Math.max(v, 0)));
    expectClose(nn.sigmoid(x), xs.map(sig), { rtol: 1e-14 });
    expectClose(nn.softplus(x), xs.map((v) => Math.log1p(Math.exp(v))), { rtol: 1e-14 });
    expectClose(nn.silu(x), xs.map((v) => v * sig(v)), { rtol: 1e-14 });
    const c = Math.sqrt(2 / Math.PI);
    expectClose(nn.gelu(x), xs.map((v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)))), { rtol: 1e-14 });
  });
  it("softplus and sigmoid stay finite for large |x|", () => {
    const big = np.array([-1000, 1000], { dtype: "float64" });
    expectClose(nn.softplus(big), [0, 1000]);
    expectClose(nn.sigmoid(big), [0, 1]);
    expectClose(nn.sigmoid(np.array([-1000, 1000])), [0, 1]);
  });
  it("softmax / logSoftmax / logsumexp along an axis", () => {
    const m = [[1, 2, 3], [1000, 1000, 1000]];
    const sm = nn.softmax(np.array(m, { dtype: "float64" }));
    const e = [1, 2, 3].map(Math.exp);
    const z = e.reduce((a, b) => a + b, 0);
    expectClose(sm, [e.map((v) => v / z), [1 / 3, 1 / 3, 1 / 3]], { rtol: 1e-14 });
    // along axis 0: x[i][j] − log Σ_i exp x[i][j], computed stably
    const lse0 = [0, 1, 2].map((j) => {
      const mx = Math.max(m[0]![j]!, m[1]![j]!);
      return mx + Math.log(Math.exp(m[0]![j]! - mx) + Math.exp(m[1]![j]! - mx));
    });
    expectClose(nn.logSoftmax(np.array(m, { dtype: "float64" }), 0), m.map((r) => r.map((v, j) => v - lse0[j]!)), { rtol: 1e-14, atol: 1e-12 });
    expectClose(nn.logsumexp(np.array(m, { dtype: "float64" }), 1), [Math.log(z), 1000 + Math.log(3)], { rtol: 1e-14 });
  });
  it("oneHot: float32 rows, out-of-range labels give zeros", () => {
    const o = nn.oneHot(np.array([0, 2, 5], { dtype: "int32" }), 3);
    expect(o.dtype).toBe("float32");
    expect(o.toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 0, 0]]);
  });
  it("gradients of the nn functions match finite differences", () => {
    for (const f of [nn.relu, nn.sigmoid, nn.softplus, nn.silu, (v: Tensor) => nn.gelu(v)]) checkGrads(f as (v: Tensor) => Tensor, [np.array([-2.5, -0.5, 0.3, 1.7], { dtype: "float64" })], { order: 2 });
    checkGrads((v: Tensor) => nn.softmax(v.reshape([2, 2])), [np.array([0.1, 0.9, -2, 3], { dtype: "float64" })], { order: 2 });
    checkGrads((v: Tensor) => nn.logSoftmax(v, 0), [np.array([0.1, 0.9, -2, 3], { dtype: "float64" })], { order: 2 });
  });
  it("the gradient of logsumexp is softmax", () => {
    const v = np.array([0.5, -1, 2], { dtype: "float64" });
    expectClose(grad((u: Tensor) => nn.logsumexp(u))(v), nn.softmax(v), { rtol: 1e-14 });
  });
});

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** The standard normal CDF Φ(x) = ½ erfc(−x/√2). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  // Numerical Recipes erfcc (Chebyshev fit), fractional error < 1.2e-7 everywhere
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r / 2 : r / 2;
}
