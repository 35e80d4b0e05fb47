// Tensor basics: read-back, dtypes and weak typing, broadcasting, basic indexing, tidy/dispose.
import { describe, expect, it } from "vitest";
import { ShapeError, Tensor, grad, jit, numpy as np, tidy, vmap } from "../../src/index.js";
import { expectClose } from "../util/oracles.js";
import { broadcastShape, fromFn, mapNd, nd } from "../util/ref.js";

describe("read-back", () => {
  it("dataSync returns a copy of the dtype's typed array", () => {
    const t = np.array([1, 2, 3]);
    const d = t.dataSync();
    expect(d).toBeInstanceOf(Float32Array);
    d[0] = 100;
    expect(t.dataSync()[0]).toBe(1);
    expect(np.array([1], { dtype: "float64" }).dataSync()).toBeInstanceOf(Float64Array);
    expect(np.array([1], { dtype: "int32" }).dataSync()).toBeInstanceOf(Int32Array);
    expect(np.array([true]).dataSync()).toBeInstanceOf(Uint8Array);
  });
  it("dataSync({ copy: false }) is the tensor's storage, without a copy; bad options are a ValueError naming Tensor.dataSync", () => {
    const t = np.add(np.arange(5000), 1); // a large (shared, size-classed) buffer
    const v1 = t.dataSync({ copy: false });
    const v2 = t.dataSync({ copy: false });
    expect(v1.length).toBe(5000);
    expect([v1[0], v1[4999]]).toEqual([1, 5000]);
    expect(v2.buffer).toBe(v1.buffer); // the same memory each time: no copy
    expect(v2.byteOffset).toBe(v1.byteOffset);
    expect(t.dataSync().buffer).not.toBe(v1.buffer); // the default still copies
    expect(t.dataSync({ copy: true }).buffer).not.toBe(v1.buffer);
    const small = np.array([1, 2, 3], { dtype: "float64" });
    expect(Array.from(small.dataSync({ copy: false }))).toEqual([1, 2, 3]);
    expect(small.dataSync({ copy: false })).toBeInstanceOf(Float64Array);
    for (const bad of [{ cpy: false }, { copy: "no" }, null, 3]) {
      expect(() => t.dataSync(bad as never)).toThrow(/Tensor\.dataSync: options must be \{ copy\?: boolean \}/);
    }
    expect(() => jit((x: Tensor) => (x.dataSync({ copy: false }), x))(np.array(1))).toThrow(/dataSync/);
  });
  it("toArray nests by shape; bools are booleans", () => {
    expect(np.arange(6).reshape([2, 3]).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(np.array([true, false]).toArray()).toEqual([true, false]);
    expect(np.array(3).toArray()).toBe(3);
  });
  it("item on size-1 tensors of any rank", () => {
    expect(np.array([[2.5]]).item()).toBe(2.5);
    expect(np.array(7, { dtype: "int32" }).item()).toBe(7);
  });
  it("shape, ndim, size, T", () => {
    const t = np.zeros([2, 3, 4]);
    expect([t.ndim, t.size]).toEqual([3, 24]);
    expect(t.T.shape).toEqual([4, 3, 2]);
  });
  it("toString prints like numpy", () => {
    expect(np.array([[1, 2], [3, 4]]).toString()).toContain("[[1., 2.],");
    expect(np.array([1, 2], { dtype: "int32" }).toString()).toContain("dtype=int32");
  });
});

describe("dtypes", () => {
  it("float64 end to end: ops, reductions, matmul and gradients stay float64", () => {
    const x = np.array([[0.1, 0.2], [0.3, 0.4]], { dtype: "float64" });
    const y = np.exp(x).matmul(x).sum(0).mean();
    expect(y.dtype).toBe("float64");
    const g = grad((v: Tensor) => np.exp(v).matmul(v).sum())(x);
    expect(g.dtype).toBe("float64");
    // float64 precision is actually kept: 0.1 + 0.2 is not rounded to float32
    expect(np.add(np.array(0.1, { dtype: "float64" }), 0.2).item()).toBe(0.1 + 0.2);
  });
  it("weak typing: a JS number takes the tensor's dtype", () => {
    const x64 = np.array([1, 2], { dtype: "float64" });
    const m = x64.mul(0.3);
    expect(m.dtype).toBe("float64");
    expect(m.dataSync()[0]).toBe(0.3); // the float64 0.3, not fround(0.3)
    const x32 = np.array([1, 2]);
    expect(x32.add(1).dtype).toBe("float32");
    expect(x32.mul(0.1).dataSync()[0]).toBe(Math.fround(0.1));
    const i = np.array([1, 2], { dtype: "int32" });
    expect(i.add(1).dtype).toBe("int32");
    expect(i.mul(0.5).dtype).toBe("float32");
    expect(np.array([true]).add(1).dtype).toBe("int32");
  });
  it("strong types promote: int32 + float32 → float32, float32 + float64 → float64, bool + int → int", () => {
    const i = np.array([1, 2], { dtype: "int32" });
    const f = np.array([0.5, 0.5]);
    const d = np.array([0.5, 0.5], { dtype: "float64" });
    expect(i.add(f).dtype).toBe("float32");
    expectClose(i.add(f), [1.5, 2.5]);
    expect(f.add(d).dtype).toBe("float64");
    expect(np.array([true, false]).add(i).dtype).toBe("int32");
  });
  it("int division is true division into float32; int32 arithmetic stays int32", () => {
    const a = np.array([7, -7], { dtype: "int32" });
    const b = np.array([2, 2], { dtype: "int32" });
    expect(np.divide(a, b).dtype).toBe("float32");
    expectClose(np.divide(a, b), [3.5, -3.5]);
    expect(np.multiply(a, b).dataSync()).toEqual(Int32Array.of(14, -14));
    expect(np.sum(a).dtype).toBe("int32");
    expect(np.sum(np.array([true, true, false])).item()).toBe(2);
  });
  it("transcendental ops on ints give float32", () => {
    const s = np.sin(np.array([0, 1], { dtype: "int32" }));
    expect(s.dtype).toBe("float32");
    expect(np.mean(np.array([1, 2], { dtype: "int32" })).item()).toBe(1.5);
  });
  it("astype converts (truncating toward zero into int32)", () => {
    const x = np.array([1.7, -1.7, 0]);
    expect(x.astype("int32").dataSync()).toEqual(Int32Array.of(1, -1, 0));
    expect(x.astype("bool").toArray()).toEqual([true, true, false]);
    expect(x.astype("float64").dtype).toBe("float64");
  });
});

describe("broadcasting follows numpy", () => {
  const shapes: [number[], number[]][] = [
    [[3], [2, 3]],
    [[2, 1], [1, 4]],
    [[], [2, 2]],
    [[4, 1, 3], [2, 1]],
    [[1], [5]],
    [[2, 0], [1, 1]],
  ];
  it.each(shapes)("%j with %j", (sa, sb) => {
    const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const a = Array.from({ length: n(sa) }, (_, i) => i + 1);
    const b = Array.from({ length: n(sb) }, (_, i) => 10 * (i + 1));
    const out = np.add(np.array(Float64Array.from(a)).reshape(sa), np.array(Float64Array.from(b)).reshape(sb));
    const want = mapNd((x, y) => x + y, nd(sa, a), nd(sb, b));
    expect([...out.shape]).toEqual(broadcastShape(sa, sb));
    expectClose(out, want.data);
  });
});

describe("basic indexing", () => {
  const x = np.arange(24).reshape([2, 3, 4]);
  const ref = (fn: (i: number, j: number, k: number) => boolean) => fromFn([24], ([p]) => p!).data.filter((_, p) => fn(Math.floor(p / 12), Math.floor(p / 4) % 3, p % 4));

  it("integers drop axes; negative integers count from the end", () => {
    expect(x.index(1).shape).toEqual([3, 4]);
    expect(x.index(1, 2, 3).item()).toBe(23);
    expect(x.index(-1, -3, 0).item()).toBe(12);
  });
  it("ranges [start, stop, step] with defaults and clamping", () => {
    expect(x.index(0, [1]).shape).toEqual([2, 4]);
    expect(Array.from(x.index(0, 0, [1, 3]).dataSync())).toEqual([1, 2]);
    expect(Array.from(x.index(0, 0, [null, null, 2]).dataSync())).toEqual([0, 2]);
    expect(Array.from(x.index(0, 0, [-3, 100]).dataSync())).toEqual([1, 2, 3]);
    expect(x.index(0, 0, [3, 1]).shape).toEqual([0]);
  });
  it("negative steps reverse", () => {
    expect(Array.from(x.index(0, 0, [null, null, -1]).dataSync())).toEqual([3, 2, 1, 0]);
    expect(Array.from(x.index(0, 0, [null, null, -2]).dataSync())).toEqual([3, 1]);
    expect(Array.from(x.index(0, 0, [2, 0, -1]).dataSync())).toEqual([2, 1]);
    expect(Array.from(x.index(0, 0, [-1, -4, -1]).dataSync())).toEqual([3, 2, 1]);
    expect(Array.from(x.index(1, [null, null, -1], 0).dataSync())).toEqual([20, 16, 12]);
  });
  it("null inserts an axis, '...' fills the rest", () => {
    expect(x.index(null).shape).toEqual([1, 2, 3, 4]);
    expect(x.index("...", 0).shape).toEqual([2, 3]);
    expect(x.index(0, "...", null).shape).toEqual([3, 4, 1]);
    expect(Array.from(x.index("...", 1).dataSync())).toEqual(Array.from(ref((_i, _j, k) => k === 1)));
  });
  it("index is differentiable and vmappable", () => {
    const g = grad((v: Tensor) => v.index([null, null, -2]).mul(np.array([1, 10], { dtype: "float64" })).sum())(np.array([1, 2, 3, 4], { dtype: "float64" }));
    expectClose(g, [0, 10, 0, 1]);
    expectClose(vmap((v: Tensor) => v.index(-1))(np.arange(6).reshape([2, 3])), [2, 5]);
  });
  it("an out-of-range JS index throws ShapeError naming the index and the axis size", () => {
    expect(() => x.index(2)).toThrow(ShapeError);
    expect(() => x.index(0, 3)).toThrow(/index 3 .*axis 1.*size 3/);
    expect(() => x.index(0, -4)).toThrow(ShapeError);
  });
});

describe("tidy and dispose", () => {
  it("dispose frees a tensor: reading it afterwards throws", () => {
    const t = np.array([1, 2, 3]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dataSync()).toThrow(/disposed/);
    t.dispose(); // idempotent
  });
  it("tidy disposes intermediates and keeps what it returns (also inside objects and arrays)", () => {
    let inner: Tensor | undefined;
    const out = tidy(() => {
      inner = np.array([1, 2]).mul(3);
      const kept = inner.add(1);
      return { kept, list: [kept.mul(2)] };
    });
    expect(inner!.isDisposed).toBe(true);
    expect(Array.from(out.kept.dataSync())).toEqual([4, 7]);
    expect(Array.from(out.list[0]!.dataSync())).toEqual([8, 14]);
  });
  it("nested tidy: a result kept by the inner scope is disposed by the outer one unless returned", () => {
    let fromInner: Tensor | undefined;
    const r = tidy(() => {
      fromInner = tidy(() => np.ones([2]).mul(5));
      return fromInner.add(1);
    });
    expect(fromInner!.isDisposed).toBe(true);
    expect(Array.from(r.dataSync())).toEqual([6, 6]);
  });
  it("a reshape view survives disposing the tensor it views", () => {
    const a = np.arange(6, { dtype: "float32" });
    const b = a.reshape([2, 3]);
    a.dispose();
    expect(b.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
  it("dispose is idempotent per handle: disposing a view twice does not free what it views", () => {
    const a = np.arange(6, { dtype: "float32" });
    const v = a.reshape([2, 3]);
    v.dispose();
    v.dispose();
    expect(v.isDisposed).toBe(true);
    expect(() => v.dataSync()).toThrow(/disposed/);
    expect(Array.from(a.dataSync())).toEqual([0, 1, 2, 3, 4, 5]);
    // a view disposed by hand inside tidy is not disposed a second time by tidy
    const b = np.ones([4]);
    tidy(() => {
      b.reshape([2, 2]).dispose();
      return null;
    });
    expect(Array.from(b.dataSync())).toEqual([1, 1, 1, 1]);
  });
  it("tidy around a transform keeps the gradients", () => {
    const g = tidy(() => grad((v: Tensor) => v.square().sum())(np.array([1, 2])));
    expect(Array.from(g.dataSync())).toEqual([2, 4]);
  });
});
