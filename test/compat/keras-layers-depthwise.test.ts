// DepthwiseConv2D against a float64 naive loop (valid / same, strides, dilation, depthMultiplier),
// its gradients on a tape against finite differences, and bad options.
import { describe, expect, it } from "vitest";
import { numpy as np, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose } from "./util.js";

const L = tf.keras.layers;
const vals = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.cos(i * s + 0.3));
const f64 = (v: number[], shape: readonly number[]) => np.reshape(np.array(v, { dtype: "float64" }), shape);
const tol = { rtol: 1e-12, atol: 1e-13 };
const [N, H, W, C, M, KH, KW] = [2, 5, 4, 3, 2, 3, 2];
const xv = vals(N * H * W * C, 0.7);
const kv = vals(KH * KW * C * M, 1.3);
const bv = vals(C * M, 2.1);

/**
 * out[n, i, j, c·M + m] = Σ_{p, q} x[n, i·sh + p·dh − top, j·sw + q·dw − left, c]·k[p, q, c, m] + b[c·M + m],
 * zero outside the input; sizes and SAME's low padding as TensorFlow computes them.
 */
function ref(s: [number, number], d: [number, number], same: boolean, x = xv, k = kv): { out: number[]; shape: number[] } {
  const ek = [(KH - 1) * d[0] + 1, (KW - 1) * d[1] + 1];
  const size = (n: number, a: number) => (same ? Math.ceil(n / s[a]!) : Math.floor((n - ek[a]!) / s[a]!) + 1);
  const [oh, ow] = [size(H, 0), size(W, 1)];
  const low = (n: number, o: number, a: number) => (same ? Math.floor(Math.max((o - 1) * s[a]! + ek[a]! - n, 0) / 2) : 0);
  const [top, left] = [low(H, oh, 0), low(W, ow, 1)];
  const out: number[] = [];
  for (let n = 0; n < N; n++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) {
    let acc = bv[c * M + m]!;
    for (let p = 0; p < KH; p++) for (let q = 0; q < KW; q++) {
      const [r, t] = [i * s[0] + p * d[0] - top, j * s[1] + q * d[1] - left];
      if (r >= 0 && r < H && t >= 0 && t < W) acc += x[((n * H + r) * W + t) * C + c]! * k[((p * KW + q) * C + c) * M + m]!;
    }
    out.push(acc);
  }
  return { out, shape: [N, oh, ow, C * M] };
}

const layer = (o: object) =>
  new L.DepthwiseConv2D([KH, KW], { depthMultiplier: M, dtype: "float64", depthwiseInitializer: () => f64(kv, [KH, KW, C, M]), biasInitializer: () => f64(bv, [C * M]), ...o });

describe("DepthwiseConv2D", () => {
  it("valid, same, strides and dilation against a naive loop (TF's channel order c·M + m)", () => {
    const x = f64(xv, [N, H, W, C]);
    for (const [o, s, d, same] of [
      [{}, [1, 1], [1, 1], false],
      [{ padding: "same" }, [1, 1], [1, 1], true],
      [{ padding: "same", strides: 2 }, [2, 2], [1, 1], true],
      [{ strides: [2, 1] }, [2, 1], [1, 1], false],
      [{ padding: "same", dilationRate: [2, 1] }, [1, 1], [2, 1], true],
    ] as const) {
      const r = ref(s as [number, number], d as [number, number], same);
      expectClose(layer(o).apply(x), r.out, { ...tol, shape: r.shape });
    }
  });
  it("the tape's kernel, bias and input gradients match central differences of the loop", () => {
    const l = layer({ padding: "same", strides: 2 });
    const x = f64(xv, [N, H, W, C]);
    const w = vals(ref([2, 2], [1, 1], true).out.length, 0.9);
    const loss = (xs: number[], ks: number[]) => ref([2, 2], [1, 1], true, xs, ks).out.reduce((a, v, i) => a + v * w[i]!, 0);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      const out = l.apply(x);
      return tf.reduceSum(tf.multiply(out, f64(w, out.shape)));
    });
    const [gx, gk, gb] = t.gradient(y, [x, l.depthwiseKernel, l.bias!]);
    const fd = (v: number[], at: number, f: (u: number[]) => number) => {
      const h = 1e-6;
      const [p, q] = [v.slice(), v.slice()];
      p[at]! += h;
      q[at]! -= h;
      return (f(p) - f(q)) / (2 * h);
    };
    const gkd = Array.from(gk!.dataSync(), Number);
    [0, 5, 11, kv.length - 1].forEach((i) => expect(gkd[i]).toBeCloseTo(fd(kv, i, (u) => loss(xv, u)), 7));
    const gxd = Array.from(gx!.dataSync(), Number);
    [0, 7, 40, xv.length - 1].forEach((i) => expect(gxd[i]).toBeCloseTo(fd(xv, i, (u) => loss(u, kv)), 7));
    // the bias gradient: Σ of the weights over each output channel
    const gbWant = Array.from({ length: C * M }, (_, ch) => w.filter((_, i) => i % (C * M) === ch).reduce((a, b) => a + b, 0));
    expectClose(gb!, gbWant, tol);
  });
  it("useBias false, activation, and bad options", () => {
    const l = new L.DepthwiseConv2D(1, { useBias: false, activation: "relu", depthwiseInitializer: "ones" });
    expectClose(l.apply(tf.constant([[[[-1, 2]]]])), [0, 2], { shape: [1, 1, 1, 2] });
    expect(l.bias).toBeNull();
    expect(() => new L.DepthwiseConv2D(3, { depthMultiplier: 0 })).toThrow(/^tf\.keras\.layers\.DepthwiseConv2D: depthMultiplier must be a positive integer/);
    expect(() => new L.DepthwiseConv2D(3, { strides: 2, dilationRate: 2 })).toThrow(ValueError);
    expect(() => new L.DepthwiseConv2D(3, { padding: "causal" as "same" })).toThrow(/padding must be "valid" or "same"/);
    expect(() => new L.DepthwiseConv2D(3, { filters: 2 } as never)).toThrow(/unknown option 'filters'/);
    expect(() => new L.DepthwiseConv2D(3).apply(tf.zeros([1, 4, 4]))).toThrow(/expected ndim=4/);
  });
});
