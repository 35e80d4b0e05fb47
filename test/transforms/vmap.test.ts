// vmap: inAxes / outAxes / axisSize, pytree prefixes, null, nesting — against loops and closed forms.
import { describe, expect, it } from "vitest";
import { Tensor, numpy as np, vmap } from "../../src/index.js";
import { checkVmap, expectClose } from "../util/oracles.js";

const f64 = (x: number | number[] | number[][] | number[][][]) => np.array(x, { dtype: "float64" });
const X = f64([[1, 2, 3], [4, 5, 6]]);

describe("vmap", () => {
  it("maps over axis 0 by default", () => {
    const r = vmap((x: Tensor) => x.sum())(X);
    expectClose(r, [6, 15]);
  });

  it("inAxes as one number for every argument, and per argument", () => {
    expectClose(vmap((x: Tensor) => x.sum(), 1)(X), [5, 7, 9]);
    const r = vmap((x: Tensor, y: Tensor) => x.mul(y).sum(), [1, 0])(X, f64([[1, 1], [0, 1], [2, 0]]));
    // column j of X dotted with row j of Y
    expectClose(r, [1 + 4, 5, 6]);
  });

  it("null leaves an argument unmapped", () => {
    const r = vmap((x: Tensor, w: Tensor) => x.mul(w), [0, null])(X, f64([10, 100, 1000]));
    expectClose(r, [[10, 200, 3000], [40, 500, 6000]]);
  });

  it("negative inAxes count from the end", () => {
    expectClose(vmap((x: Tensor) => x.sum(), -1)(X), [5, 7, 9]);
  });

  it("outAxes moves the mapped axis in the result", () => {
    const r = vmap((x: Tensor) => x.mul(2), { inAxes: 0, outAxes: 1 })(X) as Tensor;
    expect(r.shape).toEqual([3, 2]);
    expectClose(r, [[2, 8], [4, 10], [6, 12]]);
    const r2 = vmap((x: Tensor) => x.mul(2), { inAxes: 0, outAxes: -1 })(X) as Tensor;
    expect(r2.shape).toEqual([3, 2]);
  });

  it("outAxes as a pytree prefix of the output, null for an unbatched output", () => {
    const [a, b] = vmap((x: Tensor, c: Tensor) => [x.mul(c), c.mul(2)], { inAxes: [0, null], outAxes: [1, null] })(X, f64(3)) as Tensor[];
    expect(a!.shape).toEqual([3, 2]);
    expectClose(b!, 6);
  });

  it("axisSize when nothing is mapped: the output is broadcast over the batch", () => {
    const r = vmap((c: Tensor) => c.mul(2), { inAxes: null, axisSize: 4 })(f64([1, 2])) as Tensor;
    expect(r.shape).toEqual([4, 2]);
    expectClose(r, [[2, 4], [2, 4], [2, 4], [2, 4]]);
  });

  it("an output independent of the mapped input is broadcast to the batch", () => {
    const r = vmap((_x: Tensor) => f64([7, 8]))(X) as Tensor;
    expectClose(r, [[7, 8], [7, 8]]);
  });

  it("pytree inputs with a pytree prefix of inAxes", () => {
    const params = { w: f64([[1, 2], [3, 4], [5, 6]]), b: f64(0.5) };
    const batch = f64([[1, 0], [0, 1]]); // two examples
    const f = (p: { w: Tensor; b: Tensor }, x: Tensor) => p.w.matmul(x).add(p.b);
    const r = vmap(f, [{ w: null, b: null }, 0])(params, batch) as Tensor;
    expectClose(r, [[1.5, 3.5, 5.5], [2.5, 4.5, 6.5]]);
    const r2 = vmap(f, [null, 0])(params, batch) as Tensor; // null covers the whole subtree
    expectClose(r2, r);
    // dict entries mapped on different axes
    const r3 = vmap((p: { a: Tensor; b: Tensor }) => p.a.add(p.b), [{ a: 0, b: 1 }])({ a: X, b: X.T }) as Tensor;
    expectClose(r3, X.mul(2));
  });

  it("pytree outputs", () => {
    const r = vmap((x: Tensor) => ({ s: x.sum(), m: x.max(), both: [x.min(), x] }))(X) as { s: Tensor; m: Tensor; both: [Tensor, Tensor] };
    expectClose(r.s, [6, 15]);
    expectClose(r.m, [3, 6]);
    expectClose(r.both[0], [1, 4]);
    expectClose(r.both[1], X);
  });

  it("nested vmap: outer product and pairwise distances", () => {
    const outer = vmap(vmap((a: Tensor, b: Tensor) => a.mul(b), [null, 0]), [0, null]);
    expectClose(outer(f64([1, 2]), f64([3, 4, 5])), [[3, 4, 5], [6, 8, 10]]);
    const P = f64([[0, 0], [3, 4], [6, 8]]);
    const dist = vmap(vmap((p: Tensor, q: Tensor) => np.sqrt(p.sub(q).square().sum()), [null, 0]), [0, null])(P, P);
    expectClose(dist, [[0, 5, 10], [5, 0, 5], [10, 5, 0]]);
  });

  it("nested vmap over both axes of a matrix equals elementwise", () => {
    const r = vmap(vmap((x: Tensor) => x.mul(x).add(1)))(X);
    expectClose(r, [[2, 5, 10], [17, 26, 37]]);
    const r2 = vmap(vmap((x: Tensor) => x.mul(10), 0), 1)(X); // outer over columns
    expectClose(r2, X.T.mul(10));
  });

  it("batched matmul, dot, einsum, reductions and indexing", () => {
    const A = f64([[[1, 2], [3, 4]], [[0, 1], [1, 0]], [[2, 0], [0, 2]]]);
    const v = f64([[1, 1], [2, 3], [5, 7]]);
    checkVmap((a: Tensor, b: Tensor) => a.matmul(b), [0, 0], [A, v]);
    checkVmap((a: Tensor, b: Tensor) => np.einsum("ij,j->i", a, b), [0, 0], [A, v]);
    checkVmap((a: Tensor) => np.transpose(a).index(0), 0, [A]);
    checkVmap((a: Tensor) => np.concatenate([a, a.mul(2)], 1).cumsum(0), 2, [A]);
    checkVmap((a: Tensor) => a.index([null, null, -1]).reshape([-1]), 1, [A]);
    checkVmap((a: Tensor) => np.logsumexp(a, 1), 0, [A]);
    checkVmap((a: Tensor, i: Tensor) => np.take(a, i, 0), [0, 0], [A, np.array(Int32Array.from([1, 0, 1]))]);
  });

  it("vmap of a function with a Python-side loop over a fixed count", () => {
    const f = (x: Tensor) => {
      let acc = x;
      for (let i = 0; i < 3; i++) acc = np.sin(acc).add(x);
      return acc;
    };
    checkVmap(f, 0, [X]);
  });

  it("a list argument is a pytree: each of its leaves is mapped", () => {
    const r = vmap((xs: Tensor[]) => xs[0]!.add(xs[1]!))([X, X.mul(10)]) as Tensor;
    expectClose(r, X.mul(11));
  });

  it("outAxes: null for every output when none is batched", () => {
    const r = vmap((x: Tensor, c: Tensor) => c.add(1), { inAxes: [0, null], outAxes: null })(X, f64(1)) as Tensor;
    expect(r.shape).toEqual([]);
    expect(r.item()).toBe(2);
  });
});
