// Dtype rules, integer matmul and options against JAX 0.10.2 (the `misc` block of
// test/fixtures/jax-semantics.json), and the options check: every options bag of the
// functional API rejects a key it does not take with a ValueError naming the key and the API.
import { describe, expect, it } from "vitest";
import { ValueError, grad, nn, numpy as np, random, type Tensor } from "../../src/index.js";
import { differences, fixture } from "./jax-fixture.js";

const same = (got: Tensor, name: string) => expect(differences(got, fixture.misc[name]!).join("; ")).toBe("");

describe("dtype rules and options vs JAX", () => {
  it("prod of bool is int32 (as sum and cumsum)", () => {
    same(np.prod(np.array([true, true, false])), "prod(bool)");
    same(np.prod(np.array([[true, true], [true, false]]), 0), "prod(bool,axis0)");
    same(np.sum(np.array([true, true, false])), "sum(bool)");
    same(np.max(np.array([true, false])), "max(bool)");
    same(np.cumsum(np.array([true, true, false])), "cumsum(bool)");
  });
  it("integer matmul is exact in int32 (wrapping as XLA) and bool matmul stays bool", () => {
    same(np.matmul(np.array([[2147483647, 3], [-5, 7]], { dtype: "int32" }), np.array([[2, 1], [1, 4]], { dtype: "int32" })), "matmul(int32)");
    same(np.matmul(np.array([[1, 2, 3], [4, 5, 6]], { dtype: "int32" }), np.array([7, 8, 9], { dtype: "int32" })), "matmul(int32,vec)");
    same(np.matmul(np.array([[true, false], [false, false]]), np.array([[true, true], [false, true]])), "matmul(bool)");
  });
  it("int32 dot, einsum and batched matmul are exact past 2^24 (where float32 would round)", () => {
    const big = 16777217; // 2^24 + 1: not a float32
    const a = np.array([[big, 1]], { dtype: "int32" });
    const b = np.array([[1], [2]], { dtype: "int32" });
    expect(Array.from(np.dot(a, b).dataSync())).toEqual([big + 2]);
    expect(np.einsum("ij,jk->ik", a, b).dtype).toBe("int32");
    const batched = np.matmul(np.stack([a, a]), np.stack([b, b]));
    expect([batched.dtype, ...batched.dataSync()]).toEqual(["int32", big + 2, big + 2]);
  });
  it("cumsum {reverse: true} sums from the end (jax.lax.cumsum reverse), and its gradient", () => {
    same(np.cumsum(np.array([[1, 2, 3], [4, 5, 6]]), 1, { reverse: true }), "cumsum(reverse)");
    // d/dx Σ_i w_i·revcumsum(x)_i = cumsum(w): x_j enters every revcumsum_i with i ≤ j
    const w = np.array([1, 10, 100]);
    const g = grad((x: Tensor) => np.sum(np.multiply(w, np.cumsum(x, 0, { reverse: true }))))(np.array([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([1, 11, 111]);
  });
  it("oneHot {axis} puts the classes on that axis of the result", () => {
    same(nn.oneHot(np.array([0, 2, 1, 5], { dtype: "int32" }), 3, { axis: 0 }), "oneHot(axis0)");
    same(nn.oneHot(np.array([0, 2, 1, 5], { dtype: "int32" }), 3), "oneHot(axis-1)");
    expect(nn.oneHot(np.array([[0, 1]], { dtype: "int32" }), 2, { axis: 1 }).shape).toEqual([1, 2, 2]);
  });
});

/** Every public function of the functional API that takes an options bag, called with one unknown key. */
const k = random.key(0);
const x = np.array([[1, 2], [3, 4]]);
const bad = { bogus: 1 } as never;
const CALLS: [string, () => unknown][] = [
  ["array", () => np.array([1], bad)],
  ["array", () => np.asarray([1], bad)],
  ["full", () => np.full([2], 1, bad)],
  ["zeros", () => np.zeros([2], bad)],
  ["ones", () => np.ones([2], bad)],
  ["fullLike", () => np.fullLike(x, 1, bad)],
  ["zerosLike", () => np.zerosLike(x, bad)],
  ["onesLike", () => np.onesLike(x, bad)],
  ["arange", () => np.arange(3, bad)],
  ["arange", () => np.arange(0, 3, 1, bad)],
  ["linspace", () => np.linspace(0, 1, 3, bad)],
  ["eye", () => np.eye(2, bad)],
  ["sum", () => np.sum(x, 0, bad)],
  ["prod", () => np.prod(x, 0, bad)],
  ["max", () => np.max(x, 0, bad)],
  ["min", () => np.min(x, 0, bad)],
  ["mean", () => np.mean(x, 0, bad)],
  ["var", () => np.var(x, 0, bad)],
  ["std", () => np.std(x, 0, bad)],
  ["logsumexp", () => np.logsumexp(x, 0, bad)],
  ["argmax", () => np.argmax(x, 0, bad)],
  ["argmin", () => np.argmin(x, 0, bad)],
  ["cumsum", () => np.cumsum(x, 0, bad)],
  ["pad", () => np.pad(x, 1, bad)],
  ["allclose", () => np.allclose(x, x, bad)],
  ["nn.gelu", () => nn.gelu(x, bad)],
  ["nn.oneHot", () => nn.oneHot([0], 2, bad)],
  ["logsumexp", () => nn.logsumexp(x, 0, bad)],
  ["random.uniform", () => random.uniform(k, [2], bad)],
  ["random.normal", () => random.normal(k, [2], bad)],
  ["sum", () => x.sum(0, bad)],
];

describe("options bags reject keys they do not take", () => {
  for (const [api, call] of CALLS) {
    it(`${api}: an unknown option is a ValueError naming it and the function`, () => {
      expect(call).toThrow(ValueError);
      expect(call).toThrow(new RegExp(`^${api.replace(".", "\\.")}: unknown option "bogus"; it takes `));
    });
  }
  it("a known option set to undefined counts as absent; a misspelt one names the right spelling", () => {
    expect(np.sum(x, 0, { keepdims: undefined }).shape).toEqual([2]);
    expect(() => np.sum(x, 0, { keepDims: true } as never)).toThrow('sum: unknown option "keepDims"; it takes "keepdims". Remove it or check its spelling.');
  });
});
