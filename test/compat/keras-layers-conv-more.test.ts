// Conv1D (valid, same, causal, dilation) and Conv2DTranspose against float64 naive loops, and
// their gradients on a tape.
import { describe, expect, it } from "vitest";
import { numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose } from "./util.js";

const L = tf.keras.layers;
const vals = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.cos(i * s + 0.1));
const f64 = (v: number[], shape: readonly number[]) => np.reshape(np.array(v, { dtype: "float64" }), shape);
const tol = { rtol: 1e-12, atol: 1e-13 };

describe("Conv1D", () => {
  const W = 6, C = 2, K = 3, O = 2;
  const xv = vals(W * C, 0.8), kv = vals(K * C * O, 1.9);
  /** out[t, f] = Σ x[t·s + i·d − padL, c]·k[i, c, f] + 1 (bias ones), zero outside. */
  const ref = (s: number, d: number, padL: number, ow: number) => {
    const out: number[] = [];
    for (let t = 0; t < ow; t++) for (let f = 0; f < O; f++) {
      let acc = 1;
      for (let i = 0; i < K; i++) for (let c = 0; c < C; c++) {
        const w = t * s + i * d - padL;
        if (w >= 0 && w < W) acc += xv[w * C + c]! * kv[(i * C + c) * O + f]!;
      }
      out.push(acc);
    }
    return out;
  };
  const layer = (o: object) => new L.Conv1D(O, K, { dtype: "float64", kernelInitializer: () => f64(kv, [K, C, O]), biasInitializer: "ones", ...o });
  it("valid, same, causal (with dilation) against a naive loop", () => {
    const x = f64(xv, [1, W, C]);
    expectClose(layer({}).apply(x), ref(1, 1, 0, 4), { ...tol, shape: [1, 4, O] });
    expectClose(layer({ padding: "same", strides: 2 }).apply(x), ref(2, 1, 0, 3), tol); // total pad (3 − 1)·2 + 3 − 6 = 1: low 0
    expectClose(layer({ padding: "causal" }).apply(x), ref(1, 1, 2, W), { ...tol, shape: [1, W, O] });
    expectClose(layer({ padding: "causal", dilationRate: 2 }).apply(x), ref(1, 2, 4, W), tol);
    expect(() => new L.Conv1D(2, 3, { padding: "full" as "same" })).toThrow(/tf.keras.layers.Conv1D: padding must be/);
  });
  it("the tape gives the kernel gradient Σ_t x under each tap", () => {
    const l = layer({ padding: "causal" });
    const x = f64(xv, [1, W, C]);
    const t = new tf.GradientTape();
    const loss = t.record(() => tf.reduceSum(l.apply(x)));
    const [gk, gb] = t.gradient(loss, [l.kernel, l.bias!]);
    expectClose(gb!, [W, W], tol);
    const want: number[] = [];
    for (let i = 0; i < K; i++) for (let c = 0; c < C; c++) for (let f = 0; f < O; f++) {
      let s = 0;
      for (let tt = 0; tt < W; tt++) if (tt + i - 2 >= 0) s += xv[(tt + i - 2) * C + c]!;
      want.push(s);
    }
    expectClose(gk!, want, tol);
  });
});

describe("Conv2DTranspose", () => {
  it("scatters each input pixel times the kernel into a stride-upsampled output (valid and same)", () => {
    const H = 2, Wd = 3, C = 2, KH = 3, KW = 2, F = 2;
    const xv = vals(H * Wd * C, 0.6), kv = vals(KH * KW * F * C, 1.4);
    for (const [padding, s] of [["valid", 2], ["same", 2], ["valid", 1]] as const) {
      const l = new L.Conv2DTranspose(F, [KH, KW], { strides: s, padding, dtype: "float64", kernelInitializer: () => f64(kv, [KH, KW, F, C]) });
      const oh = padding === "same" ? H * s : H * s + Math.max(KH - s, 0), ow = padding === "same" ? Wd * s : Wd * s + Math.max(KW - s, 0);
      const ph = padding === "same" ? Math.floor(Math.max((H - 1) * s + KH - oh, 0) / 2) : 0, pw = padding === "same" ? Math.floor(Math.max((Wd - 1) * s + KW - ow, 0) / 2) : 0;
      const want = new Array<number>(oh * ow * F).fill(0);
      for (let y = 0; y < H; y++) for (let x = 0; x < Wd; x++) for (let c = 0; c < C; c++) for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) for (let f = 0; f < F; f++) {
        const oy = y * s + i - ph, ox = x * s + j - pw;
        if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) want[(oy * ow + ox) * F + f]! += xv[(y * Wd + x) * C + c]! * kv[((i * KW + j) * F + f) * C + c]!;
      }
      expectClose(l.apply(f64(xv, [1, H, Wd, C])), want, { ...tol, shape: [1, oh, ow, F] });
    }
  });
});
