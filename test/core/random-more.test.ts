// The added random samplers: sample moments against the distributions' closed forms, within
// k·(standard error) for the sample size (k = 5: a fixed seed that fails is a real misfit, not
// chance at 1 in 10⁶); support and structure (ranges, permutations, orthogonality, simplex rows);
// reproducibility (same key, jit = eager, 1 vs 2 threads bit for bit); vmap over a batch of keys.
import { describe, expect, it } from "vitest";
import { config, grad, jit, jvp, NoRuleError, numpy as np, random, vmap, type Tensor } from "../../src/index.js";
import { checkVmap, toF64Array } from "../util/oracles.js";
import { expectBitEqual } from "../util/jit-oracles.js";
import { erfRef } from "../primitives/special.rows.js";

const K = 5;
const moments = (x: Tensor) => {
  const v = toF64Array(x);
  const n = v.length;
  const m = v.reduce((a, b) => a + b, 0) / n;
  let m2 = 0;
  let m4 = 0;
  for (const u of v) {
    m2 += (u - m) ** 2;
    m4 += (u - m) ** 4;
  }
  return { n, mean: m, var: m2 / n, m4: m4 / n };
};
/** Sample mean within K·σ/√n of μ, sample variance within K·SE(var) of σ² (SE from the fourth moment). */
function expectMoments(x: Tensor, mean: number, variance: number, what: string): void {
  const s = moments(x);
  expect(Math.abs(s.mean - mean), `${what}: mean ${s.mean} vs ${mean}`).toBeLessThan((K * Math.sqrt(variance)) / Math.sqrt(s.n));
  const seVar = Math.sqrt(Math.max(s.m4 - s.var ** 2, 0) / s.n);
  expect(Math.abs(s.var - variance), `${what}: variance ${s.var} vs ${variance}`).toBeLessThan(K * seVar + 1e-12);
}
/** Each category's frequency within K binomial standard errors of p. */
function expectFrequencies(x: Tensor, p: number[], what: string): void {
  const v = toF64Array(x);
  p.forEach((pi, c) => {
    const f = v.filter((u) => u === c).length / v.length;
    expect(Math.abs(f - pi), `${what}: frequency of ${c} ${f} vs ${pi}`).toBeLessThan(K * Math.sqrt((pi * (1 - pi)) / v.length) + 1e-12);
  });
}

const N = 2500;
const k0 = random.key(7);
const EULER = 0.5772156649015329;

describe("random, more: moments against the closed forms", () => {
  it("gumbel, exponential, laplace, logistic", () => {
    expectMoments(random.gumbel(k0, [N], { dtype: "float64" }), EULER, Math.PI ** 2 / 6, "gumbel");
    expectMoments(random.exponential(k0, [N]), 1, 1, "exponential");
    expectMoments(random.laplace(k0, [N]), 0, 2, "laplace");
    expectMoments(random.logistic(k0, [N]), 0, Math.PI ** 2 / 3, "logistic");
    expect(random.exponential(k0, [N]).min().item()).toBeGreaterThanOrEqual(0);
  });

  it("truncatedNormal on [−1, 2] and a one-sided tail [1.5, ∞)", () => {
    const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    const Phi = (x: number) => (x === Infinity ? 1 : 0.5 * (1 + erfRef(x / Math.SQRT2)));
    for (const [a, b] of [[-1, 2], [1.5, Infinity]] as const) {
      const Z = Phi(b) - Phi(a);
      const pb = b === Infinity ? 0 : phi(b);
      const bpb = b === Infinity ? 0 : b * phi(b);
      const mean = (phi(a) - pb) / Z;
      const variance = 1 + (a * phi(a) - bpb) / Z - mean ** 2;
      const z = random.truncatedNormal(k0, a, b, [N], { dtype: "float64" });
      expectMoments(z, mean, variance, `truncatedNormal(${a}, ${b})`);
      expect(z.min().item()).toBeGreaterThanOrEqual(a);
      expect(z.max().item()).toBeLessThanOrEqual(b);
    }
  });

  it("gamma (a < 1 and a > 1, and a tensor of shapes), beta, dirichlet", () => {
    for (const a of [0.3, 3]) expectMoments(random.gamma(k0, a, [N], { dtype: "float64" }), a, a, `gamma(${a})`);
    const g = random.gamma(k0, np.array([0.5, 8]), [N / 2, 2]);
    expectMoments(g.index([null], 0), 0.5, 0.5, "gamma column a = 0.5");
    expectMoments(g.index([null], 1), 8, 8, "gamma column a = 8");
    // no silent derivative in the shape parameter (forward or reverse mode): a NoRuleError
    const dA = (a: Tensor) => random.gamma(k0, a, [3], { dtype: "float64" }).sum();
    expect(() => grad(dA)(np.array(2, { dtype: "float64" }))).toThrow(NoRuleError);
    expect(() => jvp(dA, [np.array(2, { dtype: "float64" })], [np.array(1, { dtype: "float64" })])).toThrow(/random\.gamma: draws are not differentiable with respect to the shape parameters/);
    expect(() => grad((a: Tensor) => random.beta(k0, a, 2, [3]).sum())(np.array(2))).toThrow(NoRuleError);
    const [a, b] = [2, 6];
    expectMoments(random.beta(k0, a, b, [N], { dtype: "float64" }), a / (a + b), (a * b) / ((a + b) ** 2 * (a + b + 1)), "beta(2, 6)");
    const d = random.dirichlet(k0, [1, 2, 3], [N], { dtype: "float64" });
    expect(d.shape).toEqual([N, 3]);
    expect(toF64Array(np.sum(d, -1)).every((s) => Math.abs(s - 1) < 1e-12)).toBe(true);
    [1, 2, 3].forEach((ai, i) => expectMoments(d.index([null], i), ai / 6, (ai * (6 - ai)) / (36 * 7), `dirichlet component ${i}`));
  });

  it("poisson: Knuth (λ = 0, 0.5, 4) and PTRS (λ = 10, 50) branches, mixed in one tensor", () => {
    for (const lam of [0.5, 4, 10, 50]) expectMoments(random.poisson(k0, lam, [N]), lam, lam, `poisson(${lam})`);
    const mixed = random.poisson(k0, np.array([0, 3, 30]), [N / 2, 3]);
    expect(mixed.dtype).toBe("int32");
    expect(toF64Array(mixed.index([null], 0)).every((v) => v === 0)).toBe(true);
    expectMoments(mixed.index([null], 2), 30, 30, "poisson(30) column");
  });

  it("randint, categorical, choice", () => {
    const r = random.randint(k0, [N], 3, 7);
    expect(r.dtype).toBe("int32");
    expectFrequencies(np.subtract(r, 3), [0.25, 0.25, 0.25, 0.25], "randint(3, 7)");
    const p = [0.2, 0.3, 0.5];
    expectFrequencies(random.categorical(k0, np.log(p), { shape: [N] }), p, "categorical");
    expectFrequencies(random.categorical(k0, np.log([p, p]), { axis: 1, shape: [N / 2, 2] }).reshape([-1]), p, "categorical batched");
    expectFrequencies(random.choice(k0, 3, [N], { p }), p, "choice with p");
    // without replacement: distinct entries; the first of a weighted draw follows p
    const perm = toF64Array(random.choice(k0, 10, [10], { replace: false }));
    expect([...perm].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const keys = random.split(k0, 1000);
    const firsts = vmap((kk: Tensor) => random.choice(kk, 3, [2], { p, replace: false }))(keys);
    expect(toF64Array(firsts).every((v, i, a) => i % 2 === 0 || v !== a[i - 1])).toBe(true);
    expectFrequencies(firsts.index([null], 0), p, "weighted choice without replacement, first pick");
    const rows = random.choice(k0, np.array([[1, 1], [2, 2], [3, 3]]), [4], { axis: 0 });
    expect(rows.shape).toEqual([4, 2]);
    expect(() => random.choice(k0, 3, [4], { replace: false })).toThrow(/random\.choice: cannot take 4 samples from 3 without replacement/);
  });

  it("multivariateNormal: sample mean and covariance", () => {
    const mean = [1, -2];
    const cov = [[2, 0.8], [0.8, 1]];
    const x = random.multivariateNormal(k0, mean, cov, [N], { dtype: "float64" });
    expect(x.shape).toEqual([N, 2]);
    const c = toF64Array(x);
    const col = (j: number) => Float64Array.from({ length: N }, (_, i) => c[2 * i + j]!);
    const [a, b] = [col(0), col(1)];
    expectMoments(np.array(a, { dtype: "float64" }), 1, 2, "mvn x0");
    expectMoments(np.array(b, { dtype: "float64" }), -2, 1, "mvn x1");
    // the cross term (x0 − μ0)(x1 − μ1) has mean 0.8 and variance Σ00Σ11 + Σ01² = 2.64
    const cross = np.array(Float64Array.from(a, (u, i) => (u - 1) * (b[i]! + 2)), { dtype: "float64" });
    expect(Math.abs(moments(cross).mean - 0.8)).toBeLessThan((K * Math.sqrt(2.64)) / Math.sqrt(N));
  });

  it("orthogonal: QᵀQ = I, and entries with E[q²] = 1/n (Haar)", () => {
    const q = random.orthogonal(k0, 4, [300], { dtype: "float64" });
    expect(q.shape).toEqual([300, 4, 4]);
    expect(np.allclose(np.matmul(np.moveaxis(q, -1, -2), q), np.broadcastTo(np.eye(4, 4, { dtype: "float64" }), [300, 4, 4]), { atol: 1e-12 })).toBe(true);
    // q[0, 0]² ~ Beta(1/2, 3/2): mean 1/4, variance (3/4)/(2²·3) = 1/16
    expectMoments(np.square(q.index([null], 0, 0)), 0.25, 1 / 16, "orthogonal q00²");
  });

  it("bits and foldIn: deterministic, distinct for distinct data, traced data = concrete data", () => {
    const b = random.bits(k0, [N]);
    expect(b.dtype).toBe("int32");
    const ones = toF64Array(b).reduce((s, w) => s + ((w >>> 0) & 1), 0) / N;
    expect(Math.abs(ones - 0.5)).toBeLessThan(K * 0.5 / Math.sqrt(N));
    const keys = [0, 1, 2, 1e6].map((d) => toF64Array(random.foldIn(k0, d)).join(","));
    expect(new Set(keys).size).toBe(4);
    expect(toF64Array(random.foldIn(k0, 1))).toEqual(toF64Array(random.foldIn(k0, 1)));
    const traced = jit((k: Tensor, d: Tensor) => random.foldIn(k, d))(k0, np.array(Int32Array.of(2)).reshape([]));
    expectBitEqual(traced, random.foldIn(k0, 2), "foldIn under jit");
  });
});

describe("random, more: reproducible and batchable", () => {
  const draws: [string, (k: Tensor) => Tensor][] = [
    ["gumbel", (k) => random.gumbel(k, [3])],
    ["randint", (k) => random.randint(k, [3], 0, 10)],
    ["categorical", (k) => random.categorical(k, np.log([0.2, 0.8]), { shape: [3] })],
    ["choice", (k) => random.choice(k, 5, [3], { replace: false })],
    ["truncatedNormal", (k) => random.truncatedNormal(k, 0, 1, [3])],
    ["gamma", (k) => random.gamma(k, 1.5, [3])],
    ["beta", (k) => random.beta(k, 1, 2, [2])],
    ["dirichlet", (k) => random.dirichlet(k, [1, 1], [2])],
    ["poisson", (k) => random.poisson(k, np.array([2, 20]), [2])],
    ["multivariateNormal", (k) => random.multivariateNormal(k, [0, 0], [[1, 0.5], [0.5, 1]], [2])],
    ["orthogonal", (k) => random.orthogonal(k, 2)],
    ["foldIn", (k) => random.foldIn(k, 5)],
  ];
  it.each(draws)("%s: same key same draw, jit = eager, vmap over a batch of keys = loop", (_name, f) => {
    expectBitEqual(f(k0), f(k0), "same key");
    expectBitEqual(jit(f)(k0), f(k0), "jit");
    checkVmap(f, 0, [random.split(k0, 3)], { rtol: 0, atol: 0 });
  });

  it("1 thread vs 2 threads bit for bit on draws above the parallel thresholds", () => {
    const before = config.threads();
    const run = () => [random.gumbel(k0, [40000]), random.truncatedNormal(k0, -1, 1, [40000]), random.gamma(k0, 2, [6000]), random.randint(k0, [40000], 0, 1000)];
    try {
      config.setThreads(1);
      const one = run();
      config.setThreads(2);
      const two = run();
      two.forEach((t, i) => expectBitEqual(t, one[i]!, `draw ${i} with 2 threads`));
    } finally {
      config.setThreads(before);
    }
  });
});
