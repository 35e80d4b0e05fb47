// The numpy namespace against float64 references written in plain JS, in float32 and float64.
import { describe, expect, it } from "vitest";
import { Tensor, numpy as np } from "../../src/index.js";
import { expectClose, toF64Array } from "../util/oracles.js";
import { fromFn, matmulNd, mapNd, nd, reduceNd, transposeNd, type Nd } from "../util/ref.js";
import { rng } from "../util/rng.js";

const r = rng(5);
const A = Array.from({ length: 24 }, () => r.uniform(-2, 2)); // [2, 3, 4]
const B = Array.from({ length: 12 }, () => r.uniform(-2, 2)); // [3, 4]
const M = Array.from({ length: 12 }, () => r.uniform(-2, 2)); // [4, 3]
const V = Array.from({ length: 4 }, () => r.uniform(-2, 2));
const A3 = nd([2, 3, 4], A);
const B2 = nd([3, 4], B);
const M2 = nd([4, 3], M);

type Expected = Nd | number | number[];
interface OpCase {
  name: string;
  run: (t: (data: number[], shape: number[]) => Tensor) => Tensor;
  want: () => Expected;
  /** relative tolerance in float32 (float64 uses 1e-12) */
  tol32?: number;
}

const sumNd = (x: Nd, axes: number[]) => reduceNd(x, axes, 0, (a, v) => a + v);
const meanNd = (x: Nd, axes: number[]) => {
  const s = sumNd(x, axes);
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  return mapNd((v) => v / n, s);
};
const varNd = (x: Nd, axes: number[], ddof = 0) => {
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const m = meanNd(x, axes);
  const keep = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
  const mk = nd(keep, m.data);
  const sq = mapNd((a, b) => (a - b) ** 2, x, mk);
  return mapNd((v) => v / (n - ddof), sumNd(sq, axes));
};
const row = (x: Nd, i: number) => Array.from(x.data.slice(i * x.shape[1]!, (i + 1) * x.shape[1]!));

const cases: OpCase[] = [
  // reductions
  { name: "sum()", run: (t) => np.sum(t(A, [2, 3, 4])), want: () => sumNd(A3, [0, 1, 2]), tol32: 1e-6 },
  { name: "sum(axis=1)", run: (t) => np.sum(t(A, [2, 3, 4]), 1), want: () => sumNd(A3, [1]), tol32: 1e-6 },
  { name: "sum(axis=[0,-1], keepdims)", run: (t) => np.sum(t(A, [2, 3, 4]), [0, -1], { keepdims: true }), want: () => nd([1, 3, 1], sumNd(A3, [0, 2]).data), tol32: 1e-6 },
  { name: "mean(axis=-1)", run: (t) => np.mean(t(A, [2, 3, 4]), -1), want: () => meanNd(A3, [2]), tol32: 1e-6 },
  { name: "prod(axis=2)", run: (t) => np.prod(t(A, [2, 3, 4]), 2), want: () => reduceNd(A3, [2], 1, (a, v) => a * v), tol32: 1e-6 },
  { name: "max(axis=[0,2])", run: (t) => np.max(t(A, [2, 3, 4]), [0, 2]), want: () => reduceNd(A3, [0, 2], -Infinity, Math.max) },
  { name: "min()", run: (t) => np.min(t(A, [2, 3, 4])), want: () => Math.min(...A) },
  { name: "argmax()", run: (t) => np.argmax(t(A, [2, 3, 4])), want: () => A.indexOf(Math.max(...A)) },
  { name: "argmin(axis=1)", run: (t) => np.argmin(t(B, [3, 4]), 1), want: () => [0, 1, 2].map((i) => row(B2, i).indexOf(Math.min(...row(B2, i)))) },
  { name: "argmax(axis=0, keepdims)", run: (t) => np.argmax(t(B, [3, 4]), 0, { keepdims: true }), want: () => nd([1, 4], [0, 1, 2, 3].map((j) => { const c = [0, 1, 2].map((i) => B[i * 4 + j]!); return c.indexOf(Math.max(...c)); })) },
  { name: "var(axis=1)", run: (t) => np.var(t(A, [2, 3, 4]), 1), want: () => varNd(A3, [1]), tol32: 1e-5 },
  { name: "var(ddof=1)", run: (t) => np.var(t(B, [3, 4]), null, { ddof: 1 }), want: () => varNd(B2, [0, 1], 1), tol32: 1e-5 },
  { name: "std(axis=0)", run: (t) => np.std(t(B, [3, 4]), 0), want: () => mapNd(Math.sqrt, varNd(B2, [0])), tol32: 1e-5 },
  { name: "logsumexp(axis=-1)", run: (t) => np.logsumexp(t(B, [3, 4]), -1), want: () => [0, 1, 2].map((i) => Math.log(row(B2, i).reduce((s, v) => s + Math.exp(v), 0))), tol32: 1e-6 },
  { name: "logsumexp stable for large values", run: (t) => np.logsumexp(t([1000, 1000, -Infinity], [3])), want: () => 1000 + Math.log(2), tol32: 1e-7 },
  { name: "logsumexp of all -inf is -inf", run: (t) => np.logsumexp(t([-Infinity, -Infinity], [2])), want: () => -Infinity },
  { name: "cumsum() flattens", run: (t) => np.cumsum(t(B, [3, 4])), want: () => { let s = 0; return B.map((v) => (s += v)); }, tol32: 1e-5 },
  { name: "cumsum(axis=0)", run: (t) => np.cumsum(t(B, [3, 4]), 0), want: () => fromFn([3, 4], ([i, j]) => [0, 1, 2].filter((k) => k <= i!).reduce((s, k) => s + B[k * 4 + j!]!, 0)), tol32: 1e-6 },
  // linear algebra
  { name: "matmul 2-D", run: (t) => np.matmul(t(B, [3, 4]), t(M, [4, 3])), want: () => matmulNd(B2, M2), tol32: 1e-5 },
  { name: "matmul matrix-vector and vector-matrix", run: (t) => np.concatenate([np.matmul(t(B, [3, 4]), t(V, [4])), np.matmul(t(V, [4]), t(M, [4, 3]))]), want: () => [...matmulNd(B2, nd([4, 1], V)).data, ...matmulNd(nd([1, 4], V), M2).data], tol32: 1e-5 },
  { name: "matmul batch broadcast [2,3,4] @ [4,3]", run: (t) => np.matmul(t(A, [2, 3, 4]), t(M, [4, 3])), want: () => nd([2, 3, 3], [0, 1].flatMap((b) => Array.from(matmulNd(nd([3, 4], A.slice(b * 12, b * 12 + 12)), M2).data))), tol32: 1e-5 },
  { name: "dot 1-D", run: (t) => np.dot(t(V, [4]), t(V, [4])), want: () => V.reduce((s, v) => s + v * v, 0), tol32: 1e-6 },
  { name: "vdot flattens", run: (t) => np.vdot(t(B, [3, 4]), t(B, [3, 4])), want: () => B.reduce((s, v) => s + v * v, 0), tol32: 1e-6 },
  { name: "outer", run: (t) => np.outer(t(V, [4]), t([1, 2], [2])), want: () => fromFn([4, 2], ([i, j]) => V[i!]! * (j! + 1)) },
  { name: "einsum ij,jk->ik", run: (t) => np.einsum("ij,jk->ik", t(B, [3, 4]), t(M, [4, 3])), want: () => matmulNd(B2, M2), tol32: 1e-5 },
  { name: "einsum bij,bjk->bik", run: (t) => np.einsum("bij,bjk->bik", t(A, [2, 3, 4]), t([...M, ...M], [2, 4, 3])), want: () => nd([2, 3, 3], [0, 1].flatMap((b) => Array.from(matmulNd(nd([3, 4], A.slice(b * 12, b * 12 + 12)), M2).data))), tol32: 1e-5 },
  { name: "einsum ij->ji", run: (t) => np.einsum("ij->ji", t(B, [3, 4])), want: () => transposeNd(B2, [1, 0]) },
  { name: "einsum i,i-> and ij-> (full contraction)", run: (t) => np.stack([np.einsum("i,i->", t(V, [4]), t(V, [4])), np.einsum("ij->", t(B, [3, 4]))]), want: () => [V.reduce((s, v) => s + v * v, 0), B.reduce((s, v) => s + v, 0)], tol32: 1e-6 },
  { name: "einsum implicit output ij,jk", run: (t) => np.einsum("ij,jk", t(B, [3, 4]), t(M, [4, 3])), want: () => matmulNd(B2, M2), tol32: 1e-5 },
  { name: "einsum bij,j->bi", run: (t) => np.einsum("bij,j->bi", t(A, [2, 3, 4]), t(V, [4])), want: () => fromFn([2, 3], ([b, i]) => V.reduce((s, v, j) => s + A[b! * 12 + i! * 4 + j]! * v, 0)), tol32: 1e-5 },
  { name: "trace", run: (t) => np.trace(t(B, [3, 4])), want: () => B[0]! + B[5]! + B[10]! },
  { name: "trace(k=1)", run: (t) => np.trace(t(B, [3, 4]), 1), want: () => B[1]! + B[6]! + B[11]! },
  { name: "diag of a matrix (k = 0, 1, -1)", run: (t) => np.concatenate([np.diag(t(B, [3, 4])), np.diag(t(B, [3, 4]), 1), np.diag(t(B, [3, 4]), -1)]), want: () => [B[0]!, B[5]!, B[10]!, B[1]!, B[6]!, B[11]!, B[4]!, B[9]!] },
  { name: "diag of a vector (k = 1)", run: (t) => np.diag(t([1, 2, 3], [3]), 1), want: () => fromFn([4, 4], ([i, j]) => (j === i! + 1 ? i! + 1 : 0)) },
  { name: "diag of a vector (k = -2)", run: (t) => np.diag(t([1, 2], [2]), -2), want: () => fromFn([4, 4], ([i, j]) => (i === j! + 2 ? j! + 1 : 0)) },
  { name: "tril / triu with k", run: (t) => np.stack([np.tril(t(B, [3, 4])), np.triu(t(B, [3, 4]), 1), np.tril(t(B, [3, 4]), -1)]), want: () => fromFn([3, 3, 4], ([w, i, j]) => ((w === 0 ? j! <= i! : w === 1 ? j! >= i! + 1 : j! <= i! - 1) ? B[i! * 4 + j!]! : 0)) },
  // shapes
  { name: "transpose default and axes", run: (t) => np.concatenate([np.transpose(t(A, [2, 3, 4])).reshape([-1]), np.transpose(t(A, [2, 3, 4]), [1, 2, 0]).reshape([-1])]), want: () => [...transposeNd(A3, [2, 1, 0]).data, ...transposeNd(A3, [1, 2, 0]).data] },
  { name: "reshape with -1", run: (t) => np.reshape(t(A, [2, 3, 4]), [4, -1]), want: () => nd([4, 6], A) },
  { name: "expandDims / squeeze", run: (t) => np.squeeze(np.expandDims(t(V, [4]), [0, 2]), 0), want: () => nd([4, 1], V) },
  { name: "moveaxis", run: (t) => np.moveaxis(t(A, [2, 3, 4]), 0, -1), want: () => transposeNd(A3, [1, 2, 0]) },
  { name: "broadcastTo", run: (t) => np.broadcastTo(t(V, [4]), [2, 4]), want: () => nd([2, 4], [...V, ...V]) },
  { name: "concatenate axis 1", run: (t) => np.concatenate([t(B, [3, 4]), t(M, [4, 3]).T], 1), want: () => fromFn([3, 8], ([i, j]) => (j! < 4 ? B[i! * 4 + j!]! : M[(j! - 4) * 3 + i!]!)) },
  { name: "stack axis -1", run: (t) => np.stack([t(V, [4]), t(V, [4]).mul(2)], -1), want: () => fromFn([4, 2], ([i, j]) => V[i!]! * (j! + 1)) },
  { name: "split into sections", run: (t) => np.split(t(B, [3, 4]), 2, 1)[1]!, want: () => fromFn([3, 2], ([i, j]) => B[i! * 4 + 2 + j!]!) },
  { name: "split at indices", run: (t) => np.concatenate(np.split(t(V, [4]), [1, 3]).map((p) => p.sum().reshape([1]))), want: () => [V[0]!, V[1]! + V[2]!, V[3]!], tol32: 1e-6 },
  { name: "flip all axes and one axis", run: (t) => np.concatenate([np.flip(t(B, [3, 4])).reshape([-1]), np.flip(t(B, [3, 4]), 1).reshape([-1])]), want: () => [...[...B].reverse(), ...[0, 1, 2].flatMap((i) => row(B2, i).reverse())] },
  { name: "take along axis 1 with a negative index", run: (t) => np.take(t(B, [3, 4]), np.array(Int32Array.of(3, 0, -1)), 1), want: () => fromFn([3, 3], ([i, j]) => B[i! * 4 + [3, 0, 3][j!]!]!) },
  { name: "take on the flattened array", run: (t) => np.take(t(B, [3, 4]), np.array(Int32Array.of(11, 5))), want: () => [B[11]!, B[5]!] },
  { name: "pad scalar width", run: (t) => np.pad(t([1, 2], [2]), 1), want: () => [0, 1, 2, 0] },
  { name: "pad per axis with constantValues", run: (t) => np.pad(t([1, 2, 3, 4], [2, 2]), [[1, 0], [0, 2]], { constantValues: 9 }), want: () => nd([3, 4], [9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9]) },
  { name: "where with broadcasting", run: (t) => np.where(np.greater(t(B, [3, 4]), 0), t(B, [3, 4]), t([-1, -2, -3, -4], [4])), want: () => fromFn([3, 4], ([i, j]) => (B[i! * 4 + j!]! > 0 ? B[i! * 4 + j!]! : -(j! + 1))) },
  { name: "clip with both bounds and one", run: (t) => np.stack([np.clip(t(V, [4]), -0.5, 0.5), np.clip(t(V, [4]), null, 0), np.clip(t(V, [4]), 0)]), want: () => [...V.map((v) => Math.min(Math.max(v, -0.5), 0.5)), ...V.map((v) => Math.min(v, 0)), ...V.map((v) => Math.max(v, 0))] },
  // elementwise extras
  { name: "reciprocal / square / power", run: (t) => np.stack([np.reciprocal(t(V, [4])), np.square(t(V, [4])), np.power(np.abs(t(V, [4])), 1.5)]), want: () => [...V.map((v) => 1 / v), ...V.map((v) => v * v), ...V.map((v) => Math.abs(v) ** 1.5)], tol32: 1e-6 },
  { name: "arcsin / arccos / arctan / sinh / cosh / tan", run: (t) => np.stack([np.arcsin(t([0.1, -0.5], [2])), np.arccos(t([0.1, -0.5], [2])), np.arctan(t([3, -0.5], [2])), np.sinh(t([1, -2], [2])), np.cosh(t([1, -2], [2])), np.tan(t([0.3, -1], [2]))]), want: () => [Math.asin(0.1), Math.asin(-0.5), Math.acos(0.1), Math.acos(-0.5), Math.atan(3), Math.atan(-0.5), Math.sinh(1), Math.sinh(-2), Math.cosh(1), Math.cosh(-2), Math.tan(0.3), Math.tan(-1)], tol32: 1e-6 },
  { name: "floor / ceil / round half to even / sign", run: (t) => np.stack([np.floor(t([-1.5, 2.5, 0.2], [3])), np.ceil(t([-1.5, 2.5, 0.2], [3])), np.round(t([-1.5, 2.5, 0.5], [3])), np.sign(t([-3, 0, 2], [3]))]), want: () => [-2, 2, 0, -1, 3, 1, -2, 2, 0, -1, 0, 1] },
  { name: "log1p / expm1 near zero keep precision", run: (t) => np.stack([np.log1p(t([1e-10, -1e-10], [2])), np.expm1(t([1e-10, -1e-10], [2]))]), want: () => [Math.log1p(1e-10), Math.log1p(-1e-10), Math.expm1(1e-10), Math.expm1(-1e-10)], tol32: 1e-6 },
];

describe.each(["float32", "float64"] as const)("numpy ops in %s", (dtype) => {
  const t = (data: number[], shape: number[]) => np.array(dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data)).reshape(shape);
  it.each(cases)("$name", (c) => {
    const out = c.run(t);
    const want = c.want();
    if (typeof want === "object" && !Array.isArray(want)) expect([...out.shape]).toEqual(want.shape);
    if (out.dtype !== "int32" && out.dtype !== "bool") expect(out.dtype).toBe(dtype);
    const tol = dtype === "float32" ? (c.tol32 ?? 2e-6) : 1e-12;
    const data = typeof want === "number" ? [want] : Array.isArray(want) ? want : Array.from(want.data);
    expectClose(toF64Array(out), data, { rtol: tol, atol: tol });
  });
});

describe("creation", () => {
  it("array / asarray from nested arrays, booleans and typed arrays", () => {
    const a = np.array([[1, 2], [3, 4]]);
    expect(a.shape).toEqual([2, 2]);
    expect(a.dtype).toBe("float32");
    expect(np.array([true, false]).dtype).toBe("bool");
    expect(np.array(Int32Array.of(1, 2)).dtype).toBe("int32");
    expect(np.array(Float64Array.of(1, 2)).dtype).toBe("float64");
    expect(np.array([1, 2], { dtype: "int32" }).dataSync()).toBeInstanceOf(Int32Array);
    expect(np.asarray(a)).toBe(a);
    expect(np.array(5).shape).toEqual([]);
  });
  it("zeros / ones / full / *Like keep shape and dtype", () => {
    expect(np.zeros([2, 3]).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(np.ones(2, { dtype: "int32" }).dataSync()).toEqual(Int32Array.of(1, 1));
    expect(np.full([2], 7, { dtype: "float64" }).dataSync()).toEqual(Float64Array.of(7, 7));
    const x = np.array([[1, 2]], { dtype: "float64" });
    expect(np.zerosLike(x).dtype).toBe("float64");
    expect(np.onesLike(x).shape).toEqual([1, 2]);
  });
  it("arange: int32 for integer arguments, float otherwise; negative steps", () => {
    expect(np.arange(4).dataSync()).toEqual(Int32Array.of(0, 1, 2, 3));
    expect(np.arange(1, 7, 2).dataSync()).toEqual(Int32Array.of(1, 3, 5));
    expect(np.arange(5, 0, -2).dataSync()).toEqual(Int32Array.of(5, 3, 1));
    const f = np.arange(0, 1, 0.25);
    expect(f.dtype).toBe("float32");
    expect(Array.from(f.dataSync())).toEqual([0, 0.25, 0.5, 0.75]);
    expect(np.arange(3, { dtype: "float64" }).dtype).toBe("float64");
  });
  it("linspace with and without the endpoint", () => {
    expectClose(np.linspace(0, 1, 5, { dtype: "float64" }), [0, 0.25, 0.5, 0.75, 1]);
    expectClose(np.linspace(0, 1, 4, { endpoint: false }), [0, 0.25, 0.5, 0.75]);
  });
  it("eye with k and non-square", () => {
    expect(np.eye(2, 3, { k: 1 }).toArray()).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(np.eye(3).dtype).toBe("float32");
  });
});

describe("checks", () => {
  it("allclose with rtol/atol; isnan / isfinite", () => {
    expect(np.allclose([1, 2], [1, 2 + 1e-7])).toBe(true);
    expect(np.allclose([1, 2], [1, 2.1])).toBe(false);
    expect(np.allclose([1, 2], [1, 2.1], { atol: 0.2 })).toBe(true);
    expect(np.isnan(np.array([NaN, 1])).toArray()).toEqual([true, false]);
    expect(np.isfinite(np.array([Infinity, -Infinity, NaN, 0])).toArray()).toEqual([false, false, false, true]);
  });
  it("comparisons and logical ops give bool tensors", () => {
    const a = np.array([1, 2, 3]);
    expect(np.less(a, 2).toArray()).toEqual([true, false, false]);
    expect(np.lessEqual(a, 2).toArray()).toEqual([true, true, false]);
    expect(np.greater(a, 2).toArray()).toEqual([false, false, true]);
    expect(np.greaterEqual(a, 2).toArray()).toEqual([false, true, true]);
    expect(np.equal(a, 2).toArray()).toEqual([false, true, false]);
    expect(np.notEqual(a, 2).dtype).toBe("bool");
    expect(np.logicalAnd([true, true], [true, false]).toArray()).toEqual([true, false]);
    expect(np.logicalOr([false, false], [true, false]).toArray()).toEqual([true, false]);
    expect(np.logicalNot(np.array([true, false])).toArray()).toEqual([false, true]);
  });
});

describe("float32 pairwise summation", () => {
  it("sums 1e6 float32 values to within a few ulp of the float64 sum", () => {
    const n = 1_000_000;
    const g = rng(99);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = g.uniform(0, 1);
    let exact = 0;
    for (let i = 0; i < n; i++) exact += data[i]!;
    const s = np.sum(np.array(data)).item();
    const ulp = 2 ** (Math.floor(Math.log2(Math.abs(exact))) - 23);
    expect(Math.abs(s - exact) / ulp).toBeLessThanOrEqual(4);
    // a naive float32 running sum is far worse on the same data (the reason for pairwise sums)
    let naive = 0;
    for (let i = 0; i < n; i++) naive = Math.fround(naive + data[i]!);
    expect(Math.abs(naive - exact)).toBeGreaterThan(Math.abs(s - exact));
  });
  it("mean of 1e6 float32 ones is exactly 1 and the sum along an axis is accurate", () => {
    expect(np.mean(np.ones([1000, 1000])).item()).toBe(1);
    const g = rng(7);
    const data = Float32Array.from({ length: 4 * 250_000 }, () => g.uniform(-1, 1));
    const rows = np.sum(np.array(data).reshape([4, 250_000]), 1).dataSync();
    for (let r = 0; r < 4; r++) {
      let exact = 0;
      for (let i = 0; i < 250_000; i++) exact += data[r * 250_000 + i]!;
      expect(Math.abs(rows[r]! - exact)).toBeLessThan(1e-3);
    }
  });
});
