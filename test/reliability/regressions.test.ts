// Regression tests for issue 15 items 2 and 10 (the shape validator, messages naming the API)
// and issue 10's array-like arguments to transforms.
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, Tensor, ValueError, grad, jacfwd, jit, numpy as np, random, tree, valueAndGrad, vmap } from "../../src/index.js";
import { MAX_SIZE, checkShape } from "../../src/core/shape.js";

describe("the shape validator", () => {
  it("accepts non-negative safe integers and returns a fresh list", () => {
    const s = [2, 0, 3];
    const out = checkShape("api", s);
    expect(out).toEqual([2, 0, 3]);
    expect(out).not.toBe(s);
    expect(checkShape("api", 4)).toEqual([4]);
    expect(checkShape("api", [])).toEqual([]);
    expect(checkShape("api", Int32Array.from([1, 2]))).toEqual([1, 2]);
  });

  it.each([
    [[NaN], /dimension 0 is NaN/],
    [[2, -1], /dimension 1 is negative/],
    [[2.5], /not an integer.*Math\.floor\(2\.5\)/],
    [[Infinity], /infinite/],
    [[2 ** 53], /not an integer|infinite|negative|NaN/],
    [["3"], /"3", not a number/],
    ["3", /must be a list of non-negative integers/],
    [null, /got null/],
  ])("rejects %j with a ShapeError naming the API", (shape, pattern) => {
    expect(() => checkShape("np.myop", shape)).toThrow(ShapeError);
    expect(() => checkShape("np.myop", shape)).toThrow(/^np\.myop: /);
    expect(() => checkShape("np.myop", shape)).toThrow(pattern);
  });

  it("limits the total size to MAX_SIZE elements (a ShapeError, not a RangeError from the allocator)", () => {
    expect(checkShape("api", [MAX_SIZE])).toEqual([MAX_SIZE]);
    expect(() => checkShape("api", [MAX_SIZE + 1])).toThrow(ShapeError);
    expect(() => checkShape("api", [1e6, 1e6])).toThrow(/1\.000e\+12 elements, more than the 2147483647/);
    // a zero dimension makes any other size fine: nothing is allocated
    expect(checkShape("api", [0, 1e12])).toEqual([0, 1e12]);
  });

  it("infers one -1 only where asked (reshape)", () => {
    expect(checkShape("reshape", [-1, 2], "new shape", { infer: true })).toEqual([-1, 2]);
    expect(() => checkShape("reshape", [-1, -1], "new shape", { infer: true })).toThrow(/more than one -1/);
    expect(() => checkShape("zeros", [-1, 2])).toThrow(/negative/);
  });
});

describe("no NaN-sized tensor can be made, so nothing hangs on one", () => {
  it("np.sum(np.arange(0, NaN)) ends in a ValueError at once (2 threads or 1)", () => {
    const t0 = Date.now();
    expect(() => np.sum(np.arange(0, NaN))).toThrow(ValueError);
    expect(() => np.sum(random.uniform(random.key(0), [NaN]))).toThrow(ShapeError);
    expect(Date.now() - t0).toBeLessThan(10_000); // a bound against a hang, not a timing assertion
  });

  it("sizes that are fine still work: arange, eye, linspace, split, oneHot, zero-size shapes", () => {
    expect(np.arange(0, 2.5, 0.5).toArray()).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(np.eye(2, 3).shape).toEqual([2, 3]);
    expect(np.linspace(0, 1, 0).shape).toEqual([0]);
    expect(random.split(random.key(1), 0).shape).toEqual([0, 2]);
    expect(np.zeros([0, 5]).shape).toEqual([0, 5]);
    expect(np.reshape(np.ones([6]), [-1, 3]).shape).toEqual([2, 3]);
  });
});

describe("messages name the API the user called", () => {
  it("np.zeros says zeros, x.mul(null) says multiply, jit(np.sin)(undefined) says sin", () => {
    expect(() => np.zeros([2.5])).toThrow(/^zeros: invalid shape \[2\.5\]/);
    expect(() => np.ones([1]).mul(null as any)).toThrow(/^multiply: cannot make a tensor from null \(argument 2\)/);
    expect(() => jit((x: any) => np.sin(x))(undefined)).toThrow(/^sin: cannot make a tensor from null/);
    expect(() => np.max(np.zeros([0]))).toThrow(/^max: zero-size array to reduction operation max which has no identity/);
  });
});

describe("transforms convert array-like arguments to tensors before calling f (issue 10)", () => {
  const sq = (x: Tensor) => x.mul(x).sum();

  it("a nested number array is one tensor argument in grad, valueAndGrad, jit, vmap and jacfwd", () => {
    expect((grad(sq)([1, 2, 3]) as Tensor).toArray()).toEqual([2, 4, 6]);
    const [v, g] = valueAndGrad(sq)([[1], [2]]) as [Tensor, Tensor];
    expect(v.item()).toBe(5);
    expect(g.shape).toEqual([2, 1]);
    expect((jit((x: Tensor) => x.mul(2))([[1, 2], [3, 4]] as any) as Tensor).toArray()).toEqual([[2, 4], [6, 8]]);
    expect((vmap((x: Tensor) => x.sum())([[1, 2], [3, 4]]) as Tensor).toArray()).toEqual([3, 7]);
    expect((vmap((x: Tensor, y: Tensor) => x.mul(y).sum(), [0, null])([[1, 2], [3, 4]], [10, 1]) as Tensor).toArray()).toEqual([12, 34]);
    expect((jacfwd((x: Tensor) => x.mul(x))([1, 2]) as Tensor).toArray()).toEqual([[2, 0], [0, 4]]);
  });

  it("a typed array keeps its dtype; booleans make a bool tensor", () => {
    const g = grad(sq)(new Float64Array([1, 2])) as Tensor;
    expect(g.dtype).toBe("float64");
    expect(jit((x: Tensor) => np.logicalNot(x))([true, false] as any).toArray()).toEqual([false, true]);
  });

  it("an array holding a tensor stays a pytree list", () => {
    const g = grad((xs: Tensor[]) => xs[0]!.mul(xs[1]!))([np.array(2), np.array(3)]) as Tensor[];
    expect(g.map((t) => t.item())).toEqual([3, 2]);
    const mixed = grad((xs: any[]) => np.multiply(xs[0], xs[1]))([np.array(2), 3]) as Tensor[];
    expect(mixed.map((t) => t.item())).toEqual([3, 2]);
  });

  it("a float64 cotangent for a float32 output is rejected as JAX rejects it; a JS number takes the output's dtype", async () => {
    const { vjp } = await import("../../src/index.js");
    const [, pull] = vjp((x: Tensor) => x.mul(2), [np.array([1, 2])]) as [Tensor, (c: unknown) => Tensor[]];
    expect(() => pull(np.array([1, 1], { dtype: "float64" }))).toThrow(DTypeError);
    expect(() => pull(np.array([1, 1], { dtype: "float64" }))).toThrow(/not the expected tangent type \(float32\[2\]\)/);
    const [, pull64] = vjp((x: Tensor) => x.sum(), [np.array([1, 2], { dtype: "float64" })]) as [Tensor, (c: unknown) => Tensor[]];
    expect(pull64(1)[0]!.dtype).toBe("float64");
  });

  it("tree.map and tree.flatten keep JAX's pytree semantics (a number list is a list); isLeaf keeps a subtree whole", () => {
    expect(tree.leaves([1, [2, 3]])).toEqual([1, 2, 3]);
    expect(tree.map((x: number) => x * 2, [1, [2, 3]])).toEqual([2, [4, 6]]);
  });
});
