// tf.nn.{conv1d, conv2dTranspose, maxPool2d, avgPool2d, dropout, moments, batchNormalization}
// against float64 references written here as naive loops over NWC / NHWC.
import { describe, expect, it } from "vitest";
import { numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, flat } from "./util.js";

const vals = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * s + 0.2) * 1.5);
const f64 = (v: number[], shape: readonly number[]) => np.reshape(np.array(v, { dtype: "float64" }), shape);
const tol = { rtol: 1e-12, atol: 1e-13 };

describe("tf.nn convolutions", () => {
  it("conv1d: valid/same, stride, dilation against a naive loop", () => {
    const W = 7, C = 2, K = 3, O = 2;
    const xv = vals(W * C, 0.9), kv = vals(K * C * O, 1.7);
    const ref = (s: number, d: number, padL: number, ow: number) => {
      const out: number[] = [];
      for (let o = 0; o < ow; o++) for (let f = 0; f < O; f++) {
        let acc = 0;
        for (let i = 0; i < K; i++) for (let c = 0; c < C; c++) {
          const w = o * s + i * d - padL;
          if (w >= 0 && w < W) acc += xv[w * C + c]! * kv[(i * C + c) * O + f]!;
        }
        out.push(acc);
      }
      return out;
    };
    const x = f64(xv, [1, W, C]), k = f64(kv, [K, C, O]);
    expectClose(tf.nn.conv1d(x, k, 1, "VALID"), ref(1, 1, 0, 5), { ...tol, shape: [1, 5, O] });
    expectClose(tf.nn.conv1d(x, k, 2, "VALID", 2), ref(2, 2, 0, 2), tol);
    // SAME, stride 2: out ⌈7/2⌉ = 4, total pad max((4 − 1)·2 + 3 − 7, 0) = 2, low 1
    expectClose(tf.nn.conv1d(x, k, [1, 2, 1], "SAME"), ref(2, 1, 1, 4), tol);
  });

  it("conv2dTranspose scatters input·filters (filters [kh, kw, out, in]) and is conv2d's input gradient", () => {
    const H = 3, Wd = 2, C = 2, KH = 3, KW = 2, O = 3;
    const xv = vals(H * Wd * C, 1.1), kv = vals(KH * KW * O * C, 0.7);
    const x = f64(xv, [1, H, Wd, C]), k = f64(kv, [KH, KW, O, C]);
    for (const [s, p, oh, ow] of [[2, "SAME", 6, 4], [2, "VALID", 7, 4], [1, "SAME", 3, 2], [3, "VALID", 9, 5]] as const) {
      // the padding conv2d of an [oh, ow] input would use: SAME pads ⌊total/2⌋ first
      const lead = (i: number, k2: number, o: number) => (p === "SAME" ? Math.floor(Math.max((i - 1) * s + k2 - o, 0) / 2) : 0);
      const [ph, pw] = [lead(H, KH, oh), lead(Wd, KW, ow)];
      const want = new Array<number>(oh * ow * O).fill(0);
      for (let y = 0; y < H; y++) for (let xx = 0; xx < Wd; xx++) for (let c = 0; c < C; c++) for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) for (let o = 0; o < O; o++) {
        const oy = y * s + i - ph, ox = xx * s + j - pw;
        if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) want[(oy * ow + ox) * O + o]! += xv[(y * Wd + xx) * C + c]! * kv[((i * KW + j) * O + o) * C + c]!;
      }
      expectClose(tf.nn.conv2dTranspose(x, k, [1, oh, ow, O], s, p), want, { ...tol, shape: [1, oh, ow, O] });
    }
    // the transpose of conv2d: ⟨conv2d(y, k), x⟩ = ⟨y, conv2dTranspose(x, k)⟩
    const y = f64(vals(6 * 4 * O, 0.3), [1, 6, 4, O]);
    const lhs = tf.reduceSum(tf.multiply(tf.nn.conv2d(y, k, 2, "SAME"), x)).item();
    const rhs = tf.reduceSum(tf.multiply(y, tf.nn.conv2dTranspose(x, k, [1, 6, 4, O], 2, "SAME"))).item();
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12);
    expect(() => tf.nn.conv2dTranspose(x, k, [1, 5, 4, O], 2, "VALID")).toThrow(/tf.nn.conv2dTranspose: .*would give spatial size/);
  });

  it("the tape differentiates conv2dTranspose in both arguments", () => {
    const x = new tf.Variable(f64(vals(8, 0.4), [1, 2, 2, 2])), k = new tf.Variable(f64(vals(12, 0.9), [2, 1, 3, 2]));
    const t = new tf.GradientTape();
    const loss = t.record(() => tf.reduceSum(tf.square(tf.nn.conv2dTranspose(x, k, [1, 4, 4, 3], 2, "SAME"))));
    const [gx, gk] = t.gradient(loss, [x, k]);
    const eps = 1e-6;
    for (const [v, g] of [[x, gx], [k, gk]] as const) {
      const base = flat(v.value());
      const fd = base.map((_, i) => {
        const at = (d: number) => {
          v.assign(f64(base.map((b, j) => (j === i ? b + d : b)), v.shape));
          return tf.reduceSum(tf.square(tf.nn.conv2dTranspose(x, k, [1, 4, 4, 3], 2, "SAME"))).item();
        };
        const r = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(f64(base, v.shape));
        return r;
      });
      expectClose(g, fd, { rtol: 1e-6, atol: 1e-8 });
    }
  });
});

describe("tf.nn pooling, dropout, moments, batchNormalization", () => {
  it("maxPool2d / avgPool2d against naive windows (SAME average excludes the padding)", () => {
    const H = 3, W = 3, xv = vals(H * W, 1.3);
    const x = f64(xv, [1, H, W, 1]);
    const win = (oy: number, ox: number) => {
      const r: number[] = [];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) if (oy * 2 + i < H && ox * 2 + j < W) r.push(xv[(oy * 2 + i) * W + ox * 2 + j]!);
      return r;
    };
    const cells: [number, number][] = [[0, 0], [0, 1], [1, 0], [1, 1]];
    expectClose(tf.nn.maxPool2d(x, 2, 2, "SAME"), cells.map(([a, b]) => Math.max(...win(a!, b!))), { ...tol, shape: [1, 2, 2, 1] });
    expectClose(tf.nn.avgPool2d(x, [1, 2, 2, 1], [2, 2], "SAME"), cells.map(([a, b]) => win(a!, b!).reduce((s, v) => s + v, 0) / win(a!, b!).length), tol);
    expectClose(tf.nn.maxPool2d(x, 2, 1, "VALID"), [[0, 0], [0, 1], [1, 0], [1, 1]].map(([a, b]) => Math.max(xv[a! * W + b!]!, xv[a! * W + b! + 1]!, xv[(a! + 1) * W + b!]!, xv[(a! + 1) * W + b! + 1]!)), tol);
  });

  it("dropout keeps about 1 − rate of the elements, scaled by 1/(1 − rate); noiseShape broadcasts", () => {
    const y = flat(tf.nn.dropout(tf.ones([2000], "float64"), 0.25, { seed: 5 }));
    expect(new Set(y)).toEqual(new Set([0, 1 / 0.75]));
    const kept = y.filter((v) => v !== 0).length / y.length;
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.05);
    const z = tf.nn.dropout(tf.ones([4, 50]), 0.5, { noiseShape: [4, 1], seed: 2 });
    const zf = flat(z);
    for (let r = 0; r < 4; r++) expect(new Set(zf.slice(r * 50, r * 50 + 50)).size).toBe(1);
    expect(() => tf.nn.dropout(tf.ones([2]), 1)).toThrow(/tf.nn.dropout: rate must be .* \[0, 1\)/);
    // the tape sees the mask that was drawn: gradient = mask / (1 − rate)
    const v = new tf.Variable(tf.ones([100], "float64"));
    const t = new tf.GradientTape();
    const [out, total] = t.record(() => {
      const o = tf.nn.dropout(v, 0.5, { seed: 9 });
      return [o, tf.reduceSum(o)];
    });
    expect(flat(t.gradient(total!, v)!)).toEqual(flat(out!));
  });

  it("moments and batchNormalization", () => {
    const xv = vals(12, 0.8);
    const x = f64(xv, [3, 4]);
    const mean = [0, 1, 2, 3].map((j) => (xv[j]! + xv[4 + j]! + xv[8 + j]!) / 3);
    const variance = [0, 1, 2, 3].map((j) => [0, 1, 2].reduce((s, i) => s + (xv[i * 4 + j]! - mean[j]!) ** 2, 0) / 3);
    const [m, v] = tf.nn.moments(x, [0]);
    expectClose(m, mean, { ...tol, shape: [4] });
    expectClose(v, variance, tol);
    expect(tf.nn.moments(x, [0, 1], { keepdims: true })[1].shape).toEqual([1, 1]);
    const y = tf.nn.batchNormalization(x, m, v, f64([1, 2, 3, 4], [4]), f64([2, 2, 2, 2], [4]), 1e-3);
    expectClose(y, xv.map((xi, i) => ((xi - mean[i % 4]!) * 2) / Math.sqrt(variance[i % 4]! + 1e-3) + (i % 4) + 1), tol);
    expectClose(tf.nn.batchNormalization(x, m, v, null, null, 0), xv.map((xi, i) => (xi - mean[i % 4]!) / Math.sqrt(variance[i % 4]!)), { rtol: 1e-10, atol: 1e-12 });
  });
});
