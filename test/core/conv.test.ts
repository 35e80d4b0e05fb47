// The convolution and window API (lax.convGeneralDilated / conv / convTranspose / reduceWindow,
// nn.maxPool / avgPool, numpy.convolve / correlate) against JAX 0.10.2's results
// (test/fixtures/jax-conv.json, made by scripts/fixtures/jax_conv.py), the threads-independence
// of the kernels, transforms of the public functions, and the errors of bad arguments.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Tensor, grad, jit, lax, nn, numpy as np, random, vmap } from "../../src/index.js";
import { cpuBackend, setBackend, threadedBackend } from "../../src/core/backend/index.js";
import { withPool } from "../util/pool.js";
import { expectClose } from "../util/oracles.js";

interface Arr {
  shape: number[];
  data: number[];
}
const F = JSON.parse(readFileSync(new URL("../fixtures/jax-conv.json", import.meta.url), "utf8"));
const t = (a: Arr) => np.array(Float64Array.from(a.data), { dtype: "float64" }).reshape(a.shape);
const pad = (p: unknown) => p as lax.Padding;
const close = (got: Tensor, want: Arr, what: string) => {
  expect([...got.shape], what).toEqual(want.shape);
  expectClose(got, Float64Array.from(want.data), { rtol: 1e-12, atol: 1e-12, what });
};

describe("against JAX", () => {
  it("convTranspose: SAME / VALID / explicit padding, transposeKernel, layouts", () => {
    F.convTranspose.forEach((c: any, i: number) => {
      const y = lax.convTranspose(t(c.x), t(c.k), c.strides, c.padding, { transposeKernel: c.transposeKernel, dimensionNumbers: c.dimensionNumbers });
      close(y, c.y, `convTranspose case ${i}`);
    });
  });
  it("convGeneralDilated and its gradients: SAME / SAME_LOWER, strides, dilations, groups, layouts", () => {
    F.conv.forEach((c: any, i: number) => {
      const o = c.opts;
      const opts: lax.ConvGeneralDilatedOptions = {
        dimensionNumbers: o.dimension_numbers, featureGroupCount: o.feature_group_count, lhsDilation: o.lhs_dilation, rhsDilation: o.rhs_dilation,
      };
      const f = (x: Tensor, k: Tensor) => lax.convGeneralDilated(x, k, c.strides, pad(c.padding), opts);
      close(f(t(c.x), t(c.k)), c.y, `conv case ${i}`);
      const [gx, gk] = grad((x: Tensor, k: Tensor) => np.sum(np.square(f(x, k))), { argnums: [0, 1] })(t(c.x), t(c.k)) as Tensor[];
      close(gx!, c.gx, `conv case ${i} d/dx`);
      close(gk!, c.gk, `conv case ${i} d/dk`);
    });
  });
  it("maxPool's gradient goes to each window's first maximum (ties), padding never wins", () => {
    F.maxPoolGrad.forEach((c: any, i: number) => {
      const f = (x: Tensor) => {
        const y = nn.maxPool(x, c.window, c.strides, pad(c.padding));
        return np.sum(np.multiply(np.arange(1, 1 + y.size, 1, { dtype: "float64" }).reshape(y.shape), y));
      };
      close(grad(f)(t(c.x)), c.g, `maxPool case ${i}`);
    });
  });
  it("avgPool with and without counting padding", () => {
    F.avgPool.forEach((c: any, i: number) => {
      close(nn.avgPool(t(c.x), c.window, c.strides, pad(c.padding)), c.yInclude, `avgPool case ${i}`);
      close(nn.avgPool(t(c.x), c.window, c.strides, pad(c.padding), false), c.yExclude, `avgPool case ${i} countIncludePad false`);
    });
  });
  it("reduceWindow with identity and non-identity inits (init enters each window once)", () => {
    F.reduceWindow.forEach((c: any, i: number) => close(lax.reduceWindow(t(c.x), c.init, c.op, c.window, c.strides, pad(c.padding)), c.y, `reduceWindow case ${i}`));
  });
  it("numpy.convolve / correlate in every mode, the longer operand either side", () => {
    F.numpy.forEach((c: any) => {
      const fn = c.fn === "convolve" ? np.convolve : np.correlate;
      const y = fn(np.array(c.a, { dtype: "float64" }), np.array(c.v, { dtype: "float64" }), c.mode);
      expectClose(y, c.y, { rtol: 1e-12, atol: 1e-12, what: `${c.fn} ${c.mode} ${JSON.stringify([c.a, c.v])}` });
    });
  });
});

describe("shapes of the padding modes", () => {
  it("SAME keeps ⌈input / stride⌉, VALID keeps full windows", () => {
    const x = np.ones([1, 3, 7, 6]);
    const k = np.ones([4, 3, 3, 2]);
    expect(lax.conv(x, k, [2, 2], "SAME").shape).toEqual([1, 4, 4, 3]);
    expect(lax.conv(x, k, [2, 2], "VALID").shape).toEqual([1, 4, 3, 3]);
    expect(nn.maxPool(np.ones([2, 7, 6, 3]), [3, 2], [2, 2], "SAME").shape).toEqual([2, 4, 3, 3]);
    expect(nn.maxPool(np.ones([7, 6, 3]), [2, 2]).shape).toEqual([6, 5, 3]);
  });
});

describe("transforms of the public functions", () => {
  it("jit equals eager bit for bit for a conv → relu → maxPool → avgPool chain", () => {
    const x = random.normal(random.key(1), [2, 8, 8, 3]);
    const k = random.normal(random.key(2), [3, 3, 3, 4]);
    const f = (x: Tensor, k: Tensor) => nn.avgPool(nn.maxPool(nn.relu(lax.convGeneralDilated(x, k, [1, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] })), [2, 2], [2, 2]), [2, 2]);
    expect(jit(f)(x, k).dataSync()).toEqual(f(x, k).dataSync());
    const g = grad((k: Tensor) => np.sum(f(x, k)));
    expect(jit(g)(k).dataSync()).toEqual(g(k).dataSync());
  });
  it("vmap over images and over kernels equals a loop", () => {
    const xs = random.normal(random.key(3), [3, 1, 2, 5, 5]);
    const ks = random.normal(random.key(4), [3, 4, 2, 3, 3]);
    const f = (x: Tensor, k: Tensor) => lax.conv(x, k, [1, 1], "SAME");
    const got = vmap(f)(xs, ks) as Tensor;
    const want = np.stack([0, 1, 2].map((i) => f(xs.index(i), ks.index(i))));
    expectClose(got, want, { rtol: 1e-5, atol: 1e-5 });
  });
});

describe("threads", () => {
  const pool = withPool(2, { minNs: 0, chunkNs: 16, adaptive: false });
  it("conv (im2col, 1×1, depthwise), its gradients and pooling give the same bits inline and on 2 threads", () => {
    const x = random.normal(random.key(5), [3, 9, 9, 6]);
    const k = random.normal(random.key(6), [3, 3, 6, 8]);
    const dn = { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] as const };
    const run = () => {
      const im2col = (k: Tensor) => nn.maxPool(lax.convGeneralDilated(x, k, [1, 2], [[1, 1], [0, 1]], dn), [2, 2], [2, 1]);
      const loss = (k: Tensor, x1: Tensor) => np.add(np.sum(np.square(im2col(k))), np.sum(nn.avgPool(lax.convGeneralDilated(x1, np.ones([1, 1, 6, 4]), [1, 1], "VALID", dn), [3, 3], [1, 1], "SAME")));
      const depthwise = lax.convGeneralDilated(x, np.ones([3, 3, 1, 12]), [1, 1], "SAME", { ...dn, featureGroupCount: 6 });
      const [gk, gx] = grad(loss, { argnums: [0, 1] })(k, x) as Tensor[];
      return [im2col(k), depthwise, gk!, gx!].map((r) => Array.from(r.dataSync()));
    };
    setBackend(cpuBackend);
    const one = run();
    setBackend(threadedBackend);
    const before = pool().stats.jobs - pool().stats.inlineJobs;
    const two = run();
    // some of the work ran on the pool's workers (how much depends on the load: a worker that looks
    // stalled is skipped and its job runs inline, pool.ts isResponsive); the bits must match either way
    expect(pool().stats.jobs - pool().stats.inlineJobs - before, "jobs ran on the pool").toBeGreaterThan(0);
    two.forEach((r, i) => expect(r, `result ${i}`).toEqual(one[i]));
  });
});

describe("bad arguments", () => {
  const msg = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
    throw new Error("expected an error");
  };
  const x = np.ones([1, 3, 5, 5]);
  it("name the function called, show the shapes and say the fix", () => {
    expect(msg(() => lax.convGeneralDilated(x, np.ones([4, 2, 3, 3]), [1, 1], "SAME"))).toMatch(
      /^ShapeError: lax\.convGeneralDilated: the input has 3 channels but the kernel takes 2 per group.*lhs \[1,3,5,5\], rhs \[4,2,3,3\].*featureGroupCount/,
    );
    expect(msg(() => lax.conv(x, np.ones([4, 3, 3]), [1, 1], "SAME"))).toMatch(/^ShapeError: lax\.conv: lhs \[1,3,5,5\] and rhs \[4,3,3\] must have the same rank/);
    expect(msg(() => lax.conv(x, np.ones([4, 3, 3, 3]), [1], "SAME"))).toMatch(/^ValueError: lax\.conv: windowStrides must be 2 integers ≥ 1/);
    expect(msg(() => lax.conv(x, np.ones([4, 3, 3, 3]), [1, 1], "FULL" as never))).toMatch(/^ValueError: lax\.conv: padding must be "SAME", "SAME_LOWER", "VALID" or 2 \[lo, hi\]/);
    expect(msg(() => lax.convGeneralDilated(x, np.ones([4, 3, 3, 3]), [1, 1], "SAME", { dimensionNumbers: ["NCHW", "OIHW", "NCHX"] }))).toMatch(/^ValueError: lax\.convGeneralDilated: dimensionNumbers .* spatial letters/);
    expect(msg(() => lax.convGeneralDilated(x, np.ones([4, 3, 3, 3]), [1, 1], "SAME", { lhsDilation: [2, 1] }))).toMatch(/^ValueError: lax\.convGeneralDilated: string padding .* explicit \[lo, hi\] pairs/);
    expect(msg(() => lax.convGeneralDilated(x, np.ones([4, 3, 3, 3]), [1, 1], "SAME", { featureGroupCount: 0 }))).toMatch(/featureGroupCount must be a positive integer, got number 0/);
    expect(msg(() => lax.convGeneralDilated(x, np.ones([4, 3, 3, 3]), [1, 1], "SAME", { bogus: 1 } as never))).toMatch(/^ValueError: lax\.convGeneralDilated: .*bogus/);
    expect(msg(() => lax.convTranspose(x, np.ones([4, 3, 3, 3]), [2], "SAME"))).toMatch(/^ValueError: lax\.convTranspose: strides must be 2 integers/);
    expect(msg(() => lax.reduceWindow(x, 0, "mean" as never, [1, 1, 2, 2]))).toMatch(/^ValueError: lax\.reduceWindow: op must be "sum", "max" or "min", got the string "mean"/);
    expect(msg(() => lax.reduceWindow(x, 0, "sum", [2, 2]))).toMatch(/^ValueError: lax\.reduceWindow: windowDimensions must be 4 integers/);
    expect(msg(() => nn.maxPool(np.ones([4, 4]), [2, 2]))).toMatch(/^ShapeError: nn\.maxPool: input \[4,4\] has too few axes for a 2-D window/);
    expect(msg(() => nn.avgPool(np.ones([1, 4, 4, 1]), [2, 2], [0, 1]))).toMatch(/^ValueError: nn\.avgPool: strides must be 2 integers ≥ 1/);
    expect(msg(() => np.convolve(np.ones([2, 2]), [1, 2]))).toMatch(/^ShapeError: convolve: takes 1-D arrays, got \[2,2\] and \[2\]/);
    expect(msg(() => np.correlate([1, 2], [1], "wide" as never))).toMatch(/^ValueError: correlate: mode must be "full", "same" or "valid"/);
  });
});
