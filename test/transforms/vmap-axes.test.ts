// Batching rules when only some operands are batched, on a non-leading axis (inAxes like
// [1, null] or [null, 2]), against loop-and-stack (checkVmap slices with plain JS indexing).
// A rule that assumes "batched on axis 0" or "every operand batched" fails here.
import { describe, it } from "vitest";
import { Tensor, grad, jvp, lax, numpy as np, vmap } from "../../src/index.js";
import { checkVmap } from "../util/oracles.js";
import { rng } from "../util/rng.js";

/** A float64 tensor of the given shape with reproducible values in (-2, 2). */
function rand(shape: number[], seed: number): Tensor {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return np.array(Float64Array.from({ length: n }, () => r.uniform(-2, 2)), { dtype: "float64" }).reshape(shape);
}

// X: [3, B=4, 5] mapped on axis 1; W: [5, 2] unmapped; Y: [3, 5, B=4] mapped on axis 2
const X = rand([3, 4, 5], 1);
const Y = rand([3, 5, 4], 2);
const W = rand([5, 2], 3);
const V = rand([5], 4);
const M = rand([3, 5], 5);

type Case = [string, (...a: Tensor[]) => unknown, (number | null)[], Tensor[]];
const cases: Case[] = [
  // elementwise with broadcasting: batched [3,5] slice against an unbatched row or matrix
  ["add x + v", (x, v) => np.add(x, v), [1, null], [X, V]],
  ["sub v - x (unbatched first)", (v, x) => np.subtract(v, x), [null, 1], [V, X]],
  ["mul x · m", (x, m) => np.multiply(x, m), [1, null], [X, M]],
  ["div m / (1 + x²)", (m, x) => np.divide(m, np.add(1, np.square(x))), [null, 1], [M, X]],
  ["pow |x|^v", (x, v) => np.power(np.abs(x).add(0.5), v), [1, null], [X, V]],
  ["maximum(x, m)", (x, m) => np.maximum(x, m), [1, null], [X, M]],
  ["where(x > 0, x, v)", (x, v) => np.where(np.greater(x, 0), x, v), [1, null], [X, V]],
  ["where(m > 0, y, m) batched on axis 2", (m, y) => np.where(np.greater(m, 0), y, m), [null, 2], [M, Y]],
  ["both batched on different axes", (x, y) => np.multiply(x, y).add(y), [1, 2], [X, Y]],
  // contractions
  ["matmul x @ w", (x, w) => np.matmul(x, w), [1, null], [X, W]],
  ["matmul wᵀ @ yᵀ (batched right operand)", (w, y) => np.matmul(np.transpose(w), np.transpose(y)), [null, 2], [W, Y]],
  ["dot v · x[0]", (v, x) => np.dot(x.index(0), v), [null, 1], [V, X]],
  ["einsum ij,jk->ik", (x, w) => np.einsum("ij,jk->ik", x, w), [1, null], [X, W]],
  ["einsum ij,ij->j (batched second)", (m, y) => np.einsum("ij,ij->j", m, y), [null, 2], [M, Y]],
  ["outer(v, x[1])", (v, x) => np.outer(v, x.index(1)), [null, 1], [V, X]],
  // reductions and scans along the unbatched axes
  ["sum over axis 1", (x) => np.sum(x, 1), [1], [X]],
  ["max over axis 0", (x) => np.max(x, 0), [1], [X]],
  ["prod over axis 1", (x) => np.prod(x, 1), [1], [X]],
  ["mean keepdims", (x) => np.mean(x, 1, { keepdims: true }), [1], [X]],
  ["logsumexp over axis 0", (y) => np.logsumexp(y, 0), [2], [Y]],
  ["argmax over axis 1", (x) => np.argmax(x, 1), [1], [X]],
  ["cumsum over axis 1", (x) => np.cumsum(x, 1), [1], [X]],
  // structure
  ["transpose", (x) => np.transpose(x), [1], [X]],
  ["reshape [3,5] → [15] → [5,3]", (x) => x.reshape([15]).reshape([5, 3]), [1], [X]],
  ["concatenate [x, m] on axis 0", (x, m) => np.concatenate([x, m], 0), [1, null], [X, M]],
  ["concatenate [m, x] on axis 1", (m, x) => np.concatenate([m, x], 1), [null, 1], [M, X]],
  ["stack [x, m] on axis 1", (x, m) => np.stack([x, m], 1), [1, null], [X, M]],
  ["index x[1:, ::2]", (x) => x.index([1, null], [null, null, 2]), [1], [X]],
  ["take columns [4, 0, 4]", (x) => np.take(x, np.array([4, 0, 4], { dtype: "int32" }), 1), [1], [X]],
  ["flip axis 1", (x) => np.flip(x, 1), [1], [X]],
  ["pad", (x) => np.pad(x, [[1, 0], [0, 2]]), [1], [X]],
  ["broadcastTo [2,3,5]", (x) => np.broadcastTo(x, [2, 3, 5]), [1], [X]],
  ["expandDims then squeeze", (x) => np.squeeze(np.expandDims(x, 1), 1).add(1), [1], [X]],
  ["tril", (x) => np.tril(x), [1], [X]],
  ["clip(x, m, 1)", (x, m) => np.clip(x, np.minimum(m, 0), 1), [1, null], [X, M]],
];

describe("vmap with some operands batched on a non-leading axis equals loop-and-stack", () => {
  it.each(cases)("%s", (_n, f, inAxes, args) => {
    checkVmap(f as (...a: Tensor[]) => unknown, inAxes, args, { rtol: 1e-12, atol: 1e-12 });
  });
  it.each(cases.slice(0, 15).filter(([n]) => !n.startsWith("dot")))("%s, with outAxes 1", (_n, f, inAxes, args) => {
    checkVmap(f as (...a: Tensor[]) => unknown, inAxes, args, { rtol: 1e-12, atol: 1e-12, outAxes: 1 });
  });
});

describe("transforms inside vmap with partial batching", () => {
  it("per-example gradients: grad w.r.t. an unbatched weight, examples on axis 1", () => {
    const loss = (w: Tensor, x: Tensor) => np.tanh(np.matmul(x, w)).sum();
    checkVmap((x: Tensor, w: Tensor) => grad(loss)(w, x), [1, null], [X, W], { rtol: 1e-12, atol: 1e-12 });
  });
  it("jvp with a batched tangent and an unbatched primal", () => {
    const f = (m: Tensor) => np.sin(m).mul(m);
    checkVmap((m: Tensor, t: Tensor) => jvp(f, [m], [t])[1], [null, 1], [M, X], { rtol: 1e-12, atol: 1e-12 });
  });
  it("lax.cond with an unbatched predicate and operands batched on axis 1", () => {
    const f = (x: Tensor, m: Tensor) => lax.cond(np.array(true), (a: Tensor, b: Tensor) => a.mul(b), (a: Tensor) => a, x, m);
    checkVmap(f, [1, null], [X, M], { rtol: 1e-12, atol: 1e-12 });
  });
  it("nested vmap: outer over axis 2 of y, inner over axis 0 of the slice, with w unbatched", () => {
    const inner = (row: Tensor, w: Tensor) => np.matmul(row, w);
    checkVmap((y: Tensor, w: Tensor) => vmap(inner, [0, null])(y, w), [2, null], [Y, W], { rtol: 1e-12, atol: 1e-12 });
  });
});
