// The oracles themselves: they pass on correct derivatives and catch wrong ones.
import { describe, expect, it } from "vitest";
import { Tensor, customJvp, customVjp, numpy as np, stopGradient } from "../../src/index.js";
import { checkGrads, checkVmap, expectClose, toF64Array } from "./oracles.js";

describe("toF64Array / expectClose", () => {
  it("reads tensors, numbers, nested and typed arrays", () => {
    expect(Array.from(toF64Array(np.array([[1, 2], [3, 4]])))).toEqual([1, 2, 3, 4]);
    expect(Array.from(toF64Array([[1], [2]]))).toEqual([1, 2]);
    expect(Array.from(toF64Array(Int32Array.of(5, 6)))).toEqual([5, 6]);
    expect(Array.from(toF64Array(3))).toEqual([3]);
  });
  it("fails on a mismatch, a shape difference and NaN vs number", () => {
    expect(() => expectClose([1, 2], [1, 2.1], { rtol: 1e-3, atol: 0 })).toThrow(/1\/2 elements differ/);
    expect(() => expectClose(np.array([1, 2]), np.array([[1, 2]]))).toThrow();
    expect(() => expectClose([NaN], [1])).toThrow();
    expectClose([NaN, Infinity], [NaN, Infinity]);
  });
});

describe("checkGrads", () => {
  const x = np.array([0.3, -0.7, 1.1]);
  it("passes on correct derivatives (order 2, float32 and float64)", () => {
    checkGrads((a) => np.sin(a).mul(a).sum(), [x], { order: 2 });
    checkGrads((a, b) => np.tanh(a.mul(b)), [x, np.array([0.5, 2, -1])], { order: 2, dtype: "float32" });
  });
  it("catches a wrong custom JVP rule (forward mode vs finite differences)", () => {
    const wrong = customJvp(
      (a: Tensor) => np.sin(a),
      ([a], [t]) => [np.sin(a), np.cos(a).mul(t).mul(2)],
    );
    expect(() => checkGrads(wrong, [x])).toThrow(/finite differences/);
  });
  it("catches a wrong custom VJP (reverse mode vs finite differences)", () => {
    const wrong = customVjp(
      (a: Tensor) => np.exp(a),
      (a: Tensor) => [np.exp(a), np.exp(a)],
      (e: Tensor, ct: Tensor) => [e.mul(ct).mul(1.5)],
    );
    expect(() => checkGrads(wrong, [x], { modes: ["rev"] })).toThrow(/finite differences/);
  });
  it("catches a wrong second derivative at order 2", () => {
    // first derivative right, its derivative wrong: d/dx of the tangent uses the rule's own form
    const f = customJvp(
      (a: Tensor) => a.mul(a).mul(a),
      ([a], [t]) => [a.mul(a).mul(a), stopGradient(a.mul(a).mul(3)).mul(t)],
    );
    checkGrads(f, [x], { order: 1 });
    expect(() => checkGrads(f, [x], { order: 2, modes: ["fwd"] })).toThrow();
  });
});

describe("checkGrads: shapes and dtypes of derivatives", () => {
  it("catches a tangent in the wrong dtype (forward mode)", () => {
    const promoted = customJvp(
      (a: Tensor) => a.mul(2),
      ([a], [t]) => [a.mul(2), t.astype("float64").mul(2)],
    );
    expect(() => checkGrads(promoted, [np.array([0.5, 1.5], { dtype: "float32" })], { dtype: "float32", modes: ["fwd"] })).toThrow(/dtype/);
  });
  it("catches a cotangent with the wrong shape (not summed back to a broadcast input)", () => {
    const unsummed = customVjp(
      (a: Tensor) => a.reshape([2]),
      (a: Tensor) => [a.reshape([2]), null],
      (_r: null, ct: Tensor) => [ct],
    );
    expect(() => checkGrads(unsummed, [np.array([[0.5], [1.5]], { dtype: "float64" })], { modes: ["rev"] })).toThrow(/shape/);
  });
});

describe("checkVmap", () => {
  it("passes for a batch-polymorphic function and fails for one that depends on the batch", () => {
    const xs = np.array([[1, 2, 3], [4, 5, 6]]);
    checkVmap((a) => a.mul(a).sum(), 0, [xs]);
    checkVmap((a, b) => a.add(b), [1, null], [xs, np.array([1, 1])]);
    // sums over the mapped axis when vmapped: not what the loop computes
    let calls = 0;
    const bad = (a: Tensor) => (calls++ === 0 ? a.mul(2) : a);
    expect(() => checkVmap(bad, 0, [xs])).toThrow();
  });
});
