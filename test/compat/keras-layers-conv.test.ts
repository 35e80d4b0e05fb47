// Conv2D, the 2-D poolings and tf.nn.conv2d against float64 references written here (naive
// loops over NHWC / HWIO), and their gradients on a tape.
import { describe, expect, it } from "vitest";
import { numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

const L = tf.keras.layers;
// x [1, 4, 5, 2], kernel [3, 2, 2, 3]: fixed values
const H = 4, W = 5, C = 2, KH = 3, KW = 2, F = 3;
const xv = Array.from({ length: H * W * C }, (_, i) => Math.sin(i * 0.7) * 2);
const kv = Array.from({ length: KH * KW * C * F }, (_, i) => Math.cos(i * 1.3));
const xAt = (h: number, w: number, c: number) => (h < 0 || w < 0 || h >= H || w >= W ? 0 : xv[(h * W + w) * C + c]!);
const kAt = (i: number, j: number, c: number, f: number) => kv[((i * KW + j) * C + c) * F + f]!;

function naiveConv(stride: number, padTop: number, padLeft: number, oh: number, ow: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let f = 0; f < F; f++) {
    let s = 0;
    for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) for (let c = 0; c < C; c++) s += xAt(y * stride + i - padTop, x * stride + j - padLeft, c) * kAt(i, j, c, f);
    out.push(s);
  }
  return out;
}
function close(got: tf.Tensor, want: number[], tol = 1e-12) {
  const g = Array.from(got.dataSync());
  expect(g.length).toBe(want.length);
  g.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}: ${v} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!))));
}
const x64 = () => np.reshape(np.array(xv, { dtype: "float64" }), [1, H, W, C]);
const k64 = () => np.reshape(np.array(kv, { dtype: "float64" }), [KH, KW, C, F]);

describe("Conv2D and tf.nn.conv2d", () => {
  it("valid and same padding, strides, against naive loops", () => {
    close(tf.nn.conv2d(x64(), k64(), 1, "VALID"), naiveConv(1, 0, 0, H - KH + 1, W - KW + 1));
    // SAME with stride 2: out ⌈4/2⌉ × ⌈5/2⌉; total padding max(k − s, 0) split low = ⌊p/2⌋
    close(tf.nn.conv2d(x64(), k64(), [1, 2, 2, 1], "SAME"), naiveConv(2, 0, 0, 2, 3));
    const c = new L.Conv2D(F, [KH, KW], { padding: "same", dtype: "float64", kernelInitializer: () => k64(), biasInitializer: "ones", activation: "relu" });
    // stride 1 SAME: pad rows (1, 1), cols (0, 1)
    close(c.apply(x64()), naiveConv(1, 1, 0, H, W).map((v) => Math.max(v + 1, 0)));
    expect(c.trainableVariables.map((v) => v.shape)).toEqual([[KH, KW, C, F], [F]]);
  });
  it("the tape differentiates through the kernel and bias", () => {
    const c = new L.Conv2D(F, [KH, KW], { dtype: "float64", kernelInitializer: () => k64() });
    const x = x64();
    c.apply(x);
    const t = new tf.GradientTape();
    const loss = t.record(() => tf.reduceSum(c.apply(x)));
    const [gk, gb] = t.gradient(loss, [c.kernel, c.bias!]);
    // d Σy / d bias_f = number of output positions; d Σy / d k[i,j,c,f] = Σ over outputs of the input under it
    close(gb!, [8, 8, 8]); // (4 − 3 + 1)·(5 − 2 + 1) output positions
    const want: number[] = [];
    for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) for (let cc = 0; cc < C; cc++) for (let f = 0; f < F; f++) {
      let s = 0;
      for (let y = 0; y < H - KH + 1; y++) for (let xx = 0; xx < W - KW + 1; xx++) s += xAt(y + i, xx + j, cc);
      want.push(s);
    }
    close(gk!, want);
  });
});

describe("pooling layers", () => {
  const x = () => np.reshape(np.array(xv, { dtype: "float64" }), [1, H, W, C]);
  it("MaxPooling2D and AveragePooling2D (valid and same) against naive windows", () => {
    const pool = (kind: "max" | "avg", same: boolean) => {
      const oh = same ? Math.ceil(H / 2) : Math.floor(H / 2), ow = same ? Math.ceil(W / 2) : Math.floor(W / 2);
      const out: number[] = [];
      for (let y = 0; y < oh; y++) for (let xx = 0; xx < ow; xx++) for (let c = 0; c < C; c++) {
        const vals: number[] = [];
        for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) if (y * 2 + i < H && xx * 2 + j < W) vals.push(xAt(y * 2 + i, xx * 2 + j, c));
        out.push(kind === "max" ? Math.max(...vals) : vals.reduce((a, b) => a + b, 0) / vals.length);
      }
      return out;
    };
    close(new L.MaxPooling2D().apply(x()), pool("max", false));
    close(new L.MaxPooling2D({ padding: "same" }).apply(x()), pool("max", true));
    close(new L.AveragePooling2D().apply(x()), pool("avg", false));
    close(new L.AveragePooling2D({ padding: "same" }).apply(x()), pool("avg", true));
  });
  it("global poolings", () => {
    const cols = [0, 1].map((c) => Array.from({ length: H * W }, (_, i) => xv[i * C + c]!));
    close(new L.GlobalAveragePooling2D().apply(x()), cols.map((v) => v.reduce((a, b) => a + b, 0) / v.length));
    close(new L.GlobalMaxPooling2D().apply(x()), cols.map((v) => Math.max(...v)));
  });
});
