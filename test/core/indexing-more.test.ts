// Advanced indexing, x.at[...] updates, sorting/search and "lax, more": against numpy/JAX
// fixtures made offline (scripts/fixtures/indexing_more.py → test/fixtures/indexing-more.json),
// plain-JS references, and fast-check properties (sort is an ordered permutation; argsort
// gathers sort; at.set then get round-trips; the gradient of get is a scatter-add).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConcretizationError, Tensor, grad, jit, lax, numpy as np, vmap } from "../../src/index.js";
import { expectClose } from "../util/oracles.js";

const FIX: { index: any[]; at: any[]; sorting: any } = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "indexing-more.json"), "utf8"));
const dec = (v: number | string) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));
const vals = (t: Tensor) => Array.from(t.dataSync() as ArrayLike<number>);
const f64 = (xs: number[]) => np.array(Float64Array.from(xs));
const I = (...v: number[]) => Int32Array.from(v);
/** Same numbers, NaN equal to NaN and -0 distinct from +0. */
const sameBits = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** A fixture spec as a tapir index spec. */
function spec(s: any): any {
  if ("int" in s) return s.int;
  if ("range" in s) return s.range;
  if ("new" in s) return null;
  if ("ell" in s) return "...";
  if ("arr" in s) return Array.isArray(s.arr[0]) ? s.arr : Int32Array.from(s.arr);
  return s.mask;
}

describe("advanced indexing matches numpy (fixture)", () => {
  const A = np.reshape(np.arange(24, undefined, undefined, { dtype: "float64" }), [2, 3, 4]);
  it.each(FIX.index.map((c, i) => [i, c] as [number, any]))("case %i", (_i: number, c: any) => {
    const r = A.index(...c.specs.map(spec));
    expect(r.shape).toEqual(c.shape);
    expect(vals(r)).toEqual(c.values.map(dec));
    // and under jit (masks are concrete constants there)
    const hasMask = c.specs.some((s: any) => "mask" in s);
    if (!hasMask) expect(vals(jit((a: Tensor) => a.index(...c.specs.map(spec)))(A))).toEqual(c.values.map(dec));
  });
  it("a traced boolean mask is a ConcretizationError naming where and size", () => {
    const f = jit((x: Tensor) => x.index(np.greater(x, 1)));
    expect(() => f(np.array([1, 2, 3]))).toThrow(ConcretizationError);
    expect(() => f(np.array([1, 2, 3]))).toThrow(/numpy\.where.*size/);
    expect(() => jit((x: Tensor) => np.nonzero(x))(np.array([1, 0]))).toThrow(/pass \{ size \}/);
  });
  it("float index arrays and mixed lists are rejected with the fix", () => {
    expect(() => np.index(np.arange(3), np.array([0.5]))).toThrow(/index arrays must be integers or booleans.*astype\("int32"\)/);
    expect(() => np.index(np.arange(3), [[0, 1.5]])).toThrow(/integers or booleans only/);
  });
  it("vmap over a batch of index arrays gathers per example", () => {
    const x = np.reshape(np.arange(6), [2, 3]);
    const out = vmap((r: Tensor, i: Tensor) => r.index(i))(x, np.array([[2, 0], [1, 1]], { dtype: "int32" }));
    expect(out.toArray()).toEqual([[2, 0], [4, 4]]);
  });
});

describe("x.at[...] matches JAX (fixture: values and gradients)", () => {
  const idx = I(4, 1, 4, -1, 9);
  const w = np.arange(1, 7, undefined, { dtype: "float64" });
  const call = (x: Tensor, u: Tensor, mode: string) => (x.at(idx) as any)[mode](u) as Tensor;
  it.each(FIX.at.map((c) => [c.mode, c] as [string, any]))("%s", (mode: string, c: any) => {
    const x = np.arange(1, 7, undefined, { dtype: "float64" });
    const u = f64([10, -2, 3, 0.5, 7]);
    expect(vals(call(x, u, mode))).toEqual(c.values.map(dec));
    expect(vals(jit((a: Tensor, b: Tensor) => call(a, b, mode))(x, u))).toEqual(c.values.map(dec));
    const loss = (a: Tensor, b: Tensor) => call(a, b, mode).mul(w).sum();
    expect(vals(grad(loss)(x, u))).toEqual(c.gradX.map(dec));
    if (c.gradU) expect(vals(grad(loss, { argnums: 1 })(x, u))).toEqual(c.gradU.map(dec));
  });
  it("multiply's derivative in the updates needs uniqueIndices (JAX's rule), and is right with it", () => {
    const x = f64([1, 2, 3]);
    expect(() => grad((u: Tensor) => x.at(I(0, 2)).multiply(u).sum())(f64([2, 5]))).toThrow(/uniqueIndices/);
    expect(vals(grad((u: Tensor) => x.at(I(0, 2)).multiply(u, { uniqueIndices: true }).sum())(f64([2, 5])))).toEqual([1, 3]);
  });
});

describe("sorting and search match numpy/JAX (fixture)", () => {
  const S = FIX.sorting;
  const x = f64(S.x.map(dec));
  it("sort: NaN last, -0 = +0 kept in order; argsort stable, also descending", () => {
    expect(sameBits(vals(np.sort(x)), S.sort.map(dec))).toBe(true);
    expect(vals(np.argsort(x))).toEqual(S.argsort);
    expect(vals(np.argsort(x, -1, { descending: true }))).toEqual(S.argsortDesc);
    expect(sameBits(vals(np.sort(x.astype("float32"))), S.sort.map(dec))).toBe(true);
  });
  it("searchsorted (left and right, NaN last), unique, nonzero, topK", () => {
    const a = f64([1, 2, 2, 3, NaN]);
    const v = f64([2, 0, 5, NaN, 3]);
    expect(vals(np.searchsorted(a, v))).toEqual(S.searchLeft);
    expect(vals(np.searchsorted(a, v, { side: "right" }))).toEqual(S.searchRight);
    expect(sameBits(vals(np.unique(x)), S.unique.map(dec))).toBe(true);
    expect(np.nonzero([[0, 1.5, 0], [2, 0, -1]]).map(vals)).toEqual(S.nonzero);
    const [tv, ti] = lax.topK(x, 5);
    expect(sameBits(vals(tv), S.topKValues.map(dec))).toBe(true);
    expect(vals(ti)).toEqual(S.topKIndices);
  });
  it("derivatives: cummax (JAX's tie split), reversed cumprod through zeros, sort; cumlogsumexp at ±inf", () => {
    const w = f64([1, 2, 3, 4, 5, 6, 7]);
    expectClose(grad((t: Tensor) => lax.cummax(t).mul(w).sum())(f64([1, 3, 3, 2, 4, 4, 4])), S.cummaxGrad.map(dec), { rtol: 1e-12 });
    expectClose(grad((t: Tensor) => lax.cumprod(t, { reverse: true }).sum())(f64([1, 0, 3, 2, 0.5])), S.cumprodGrad.map(dec), { rtol: 1e-12 });
    expectClose(grad((t: Tensor) => np.sort(t).mul(f64([1, 2, 3, 4, 5])).sum())(f64([3, 1, 2, 5, 4])), S.sortGrad.map(dec), { rtol: 1e-12 });
    expectClose(lax.cumlogsumexp(f64([1, -Infinity, 3, 1000])), S.cumlogsumexp.map(dec), { rtol: 1e-12 });
  });
  it("size= makes nonzero/unique/argwhere/flatnonzero traceable, padding with fillValue", () => {
    const f = jit((t: Tensor) => np.nonzero(t, { size: 3, fillValue: -1 })[0]!);
    expect(vals(f(np.array([0, 3, 0, 4])))).toEqual([1, 3, -1]);
    expect(vals(jit((t: Tensor) => np.unique(t, { size: 4, fillValue: 0 }))(np.array([3, 1, 3])))).toEqual([1, 3, 0, 0]);
    expect(np.argwhere([[0, 1], [2, 0]]).toArray()).toEqual([[0, 1], [1, 0]]);
    expect(vals(np.flatnonzero([[0, 1], [2, 0]], { size: 1 }))).toEqual([1]);
    expect(vals(np.cumsum(5, 0))).toEqual([5]);
  });
});

describe("properties (fast-check)", () => {
  const special = fc.constantFrom(NaN, -0, 0, 1, -1, Infinity, -Infinity);
  const arr = fc.array(fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), special, fc.integer({ min: -2, max: 2 })), { minLength: 1, maxLength: 40 });
  const order = (a: number, b: number) => (a !== a ? (b !== b ? 0 : 1) : b !== b ? -1 : a < b ? -1 : a > b ? 1 : 0);
  it("sort is an ordered permutation; argsort is stable and gathers sort", () => {
    fc.assert(
      fc.property(arr, (xs) => {
        const x = f64(xs);
        const s = vals(np.sort(x));
        const p = vals(np.argsort(x));
        // a permutation: the indices are 0..n-1 once each
        expect([...p].sort((a, b) => a - b)).toEqual(xs.map((_, i) => i));
        for (let i = 1; i < s.length; i++) expect(order(s[i - 1]!, s[i]!)).toBeLessThanOrEqual(0);
        for (let i = 1; i < p.length; i++) if (order(xs[p[i - 1]!]!, xs[p[i]!]!) === 0) expect(p[i - 1]!).toBeLessThan(p[i]!);
        expect(sameBits(vals(np.takeAlongAxis(x, np.argsort(x), 0)), s)).toBe(true);
      }),
      { numRuns: 40, seed: 11 },
    );
  });
  it("at(i).set(v) then at(i).get() returns v (unique indices), elsewhere x is unchanged", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), (ids, seed) => {
        const x = f64(Array.from({ length: 10 }, (_, i) => Math.sin(seed + i)));
        const v = f64(ids.map((k) => k * 10 + 0.5));
        const y = x.at(Int32Array.from(ids)).set(v);
        expect(vals(y.at(Int32Array.from(ids)).get())).toEqual(vals(v));
        vals(y).forEach((e, i) => (ids.includes(i) ? null : expect(e).toBe(vals(x)[i])));
      }),
      { numRuns: 30, seed: 5 },
    );
  });
  it("the gradient of x.at(idx).get() weighted by w is w scatter-added at idx", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -6, max: 5 }), { minLength: 1, maxLength: 12 }), (ids) => {
        const w = f64(ids.map((_, j) => j + 1));
        const g = grad((x: Tensor) => x.at(Int32Array.from(ids)).get().mul(w).sum())(np.zeros([6], { dtype: "float64" }));
        const want = new Array<number>(6).fill(0);
        ids.forEach((k, j) => (want[k < 0 ? k + 6 : k]! += j + 1));
        expect(vals(g)).toEqual(want);
      }),
      { numRuns: 30, seed: 3 },
    );
  });
});

describe("lax, more", () => {
  it("switch clamps the index, traces under jit and vmap, differentiates the taken branch", () => {
    const fns = [(x: Tensor) => x.add(1), (x: Tensor) => x.mul(x), (x: Tensor) => x.neg()];
    const f = jit((i: Tensor, x: Tensor) => lax.switch(i, fns, x));
    expect(vals(f(np.array(-3, { dtype: "int32" }), np.array([2])))).toEqual([3]);
    expect(vals(f(np.array(1, { dtype: "int32" }), np.array([3])))).toEqual([9]);
    expect(vals(vmap((i: Tensor, x: Tensor) => lax.switch(i, fns, x))(np.array([0, 1, 2], { dtype: "int32" }), np.array([2, 3, 4])))).toEqual([3, 9, -4]);
    expect(vals(grad((x: Tensor) => lax.switch(1, fns, x).sum())(np.array([3])))).toEqual([6]);
  });
  it("map equals f per slice, sequential and in batches (with a remainder), pytrees in and out", () => {
    const xs = np.reshape(np.arange(10), [5, 2]);
    const f = (x: Tensor) => ({ s: x.sum(), d: x.mul(2) });
    for (const opts of [{}, { batchSize: 2 }, { batchSize: 5 }]) {
      const r = lax.map(f, xs, opts);
      expect(vals(r.s)).toEqual([1, 5, 9, 13, 17]);
      expect(r.d.toArray()).toEqual((xs.mul(2) as Tensor).toArray());
    }
  });
  it("associativeScan equals the sequential scan on pytrees, forward and reversed, on an inner axis", () => {
    const x = np.reshape(np.arange(1, 15, undefined, { dtype: "float64" }), [2, 7]);
    const r = lax.associativeScan((a: any, b: any) => ({ s: a.s.add(b.s), m: np.maximum(a.m, b.m) }), { s: x, m: x.neg() }, { axis: 1, reverse: true });
    expect(r.s.toArray()).toEqual((np.cumsum(x, 1, { reverse: true }) as Tensor).toArray());
    expect(r.m.toArray()).toEqual((x.neg() as Tensor).toArray());
  });
  it("dynamic slices clamp their starts and batch over traced starts; dynamicIndexInDim; select is strict", () => {
    const x = np.arange(10);
    expect(vals(vmap((s: Tensor) => lax.dynamicSlice(x, [s], [3]))(np.array([0, 8, -2], { dtype: "int32" })))).toEqual([0, 1, 2, 7, 8, 9, 0, 1, 2]);
    expect(vals(lax.dynamicIndexInDim(np.reshape(x, [5, 2]), 9, 0, false))).toEqual([8, 9]);
    expect(vals(grad((u: Tensor) => lax.dynamicUpdateSlice(np.zeros([4]), u, [3]).mul(np.array([1, 2, 3, 4])).sum())(np.array([1, 1])))).toEqual([3, 4]);
    expect(() => lax.select(np.array([true]), np.array([1, 2]), np.array([3, 4]))).toThrow(/lax\.select: shapes must agree/);
  });
  it("sort with several operands and keys: lexicographic, stable, the others permuted", () => {
    const [k1, k2, v] = lax.sort([np.array([2, 1, 2, 1]), np.array([0, 5, -1, 5]), np.array([10, 20, 30, 40])], { numKeys: 2 });
    expect([vals(k1), vals(k2), vals(v)]).toEqual([[1, 1, 2, 2], [5, 5, -1, 0], [20, 40, 30, 10]]);
  });
});
