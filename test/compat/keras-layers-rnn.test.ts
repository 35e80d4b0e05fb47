// SimpleRNN, LSTM and GRU against plain-JS float64 loops written here from Keras's cell
// equations (LSTM gates i, f, c, o; GRU z, r, h with resetAfter), their tape gradients against
// central finite differences, and the Orthogonal initializer against its definition.
import { describe, expect, it } from "vitest";
import { jit, numpy as np } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, flat } from "./util.js";

const L = tf.keras.layers;
const B = 2, T = 3, F = 2, N = 2;
const vals = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * s + 0.3) * 0.8);
const xv = vals(B * T * F, 1.1);
type M = number[][];
const mat = (v: number[], r: number, c: number): M => Array.from({ length: r }, (_, i) => v.slice(i * c, i * c + c));
const sig = (z: number) => 1 / (1 + Math.exp(-z));
/** row · M for a row vector and a [len, cols] matrix. */
const vm = (v: number[], m: M) => m[0]!.map((_, j) => v.reduce((s, vi, i) => s + vi * m[i]![j]!, 0));
const xAt = (b: number, t: number) => xv.slice((b * T + t) * F, (b * T + t) * F + F);
const init = (v: number[], shape: number[]) => () => np.reshape(np.array(v, { dtype: "float64" }), shape);

/** Runs `cell` over each example's sequence (reversed when back): the outputs per step and the final state. */
function loop<S>(s0: S, cell: (x: number[], s: S) => [number[], S], back = false): { ys: number[][][]; last: S[] } {
  const ys: number[][][] = [], last: S[] = [];
  for (let b = 0; b < B; b++) {
    let s = s0;
    const row: number[][] = [];
    for (let k = 0; k < T; k++) {
      const [y, s2] = cell(xAt(b, back ? T - 1 - k : k), s);
      row.push(y);
      s = s2;
    }
    ys.push(row);
    last.push(s);
  }
  return { ys, last };
}

describe("recurrent layers against float64 JS loops", () => {
  it("SimpleRNN: h = tanh(x·W + h·U + b), sequences, goBackwards, returnState", () => {
    const [w, u, bb] = [vals(F * N, 0.7), vals(N * N, 1.9), vals(N, 2.3)];
    const W = mat(w, F, N), U = mat(u, N, N);
    const opts = { dtype: "float64" as const, kernelInitializer: init(w, [F, N]), recurrentInitializer: init(u, [N, N]), biasInitializer: init(bb, [N]) };
    for (const back of [false, true]) {
      const ref = loop([0, 0], (x, h) => {
        const h2 = vm(x, W).map((v, j) => Math.tanh(v + vm(h, U)[j]! + bb[j]!));
        return [h2, h2];
      }, back);
      const l = new L.SimpleRNN(N, { ...opts, returnSequences: true, returnState: true, goBackwards: back });
      const [seq, h] = l.apply(np.reshape(np.array(xv, { dtype: "float64" }), [B, T, F])) as tf.Tensor[];
      expectClose(seq, ref.ys, { rtol: 1e-12, atol: 1e-14, shape: [B, T, N] });
      expectClose(h, ref.last, { rtol: 1e-12, atol: 1e-14, shape: [B, N] });
    }
  });

  it("LSTM: gates i, f, c, o; unit forget bias; an initial state", () => {
    const [w, u] = [vals(F * 4 * N, 0.9), vals(N * 4 * N, 1.7)];
    const W = mat(w, F, 4 * N), U = mat(u, N, 4 * N);
    const l = new L.LSTM(N, { dtype: "float64", returnState: true, kernelInitializer: init(w, [F, 4 * N]), recurrentInitializer: init(u, [N, 4 * N]) });
    const x = np.reshape(np.array(xv, { dtype: "float64" }), [B, T, F]);
    const h0 = [[0.1, -0.2], [0.3, 0.05]], c0 = [[-0.4, 0.2], [0.0, 0.6]];
    const [out, h, c] = l.apply(x, { initialState: [np.array(h0, { dtype: "float64" }), np.array(c0, { dtype: "float64" })] }) as tf.Tensor[];
    // Keras's unitForgetBias: bias = [0 (i), 1 (f), 0 (c), 0 (o)] per unit block
    expect(flat(l.bias!.value())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    const want = { h: [] as number[][], c: [] as number[][] };
    for (let b = 0; b < B; b++) {
      let hs = h0[b]!, cs = c0[b]!;
      for (let t = 0; t < T; t++) {
        const z = vm(xAt(b, t), W).map((v, j) => v + vm(hs, U)[j]! + (j >= N && j < 2 * N ? 1 : 0));
        const g = (k: number, j: number) => z[k * N + j]!;
        cs = cs.map((cj, j) => sig(g(1, j)) * cj + sig(g(0, j)) * Math.tanh(g(2, j)));
        hs = cs.map((cj, j) => sig(g(3, j)) * Math.tanh(cj));
      }
      want.h.push(hs);
      want.c.push(cs);
    }
    expectClose(out, want.h, { rtol: 1e-12, atol: 1e-14, shape: [B, N] });
    expectClose(h, want.h, { rtol: 1e-12, atol: 1e-14 });
    expectClose(c, want.c, { rtol: 1e-12, atol: 1e-14 });
  });

  for (const resetAfter of [true, false]) {
    it(`GRU (resetAfter ${resetAfter}): z, r, h gates`, () => {
      const [w, u] = [vals(F * 3 * N, 0.6), vals(N * 3 * N, 1.3)];
      const bv = vals((resetAfter ? 2 : 1) * 3 * N, 0.45);
      const W = mat(w, F, 3 * N), U = mat(u, N, 3 * N);
      const bIn = bv.slice(0, 3 * N), bRec = resetAfter ? bv.slice(3 * N) : [0, 0, 0, 0, 0, 0];
      const l = new L.GRU(N, { dtype: "float64", resetAfter, returnSequences: true, kernelInitializer: init(w, [F, 3 * N]), recurrentInitializer: init(u, [N, 3 * N]), biasInitializer: init(bv, resetAfter ? [2, 3 * N] : [3 * N]) });
      const ref = loop([0, 0], (x, h) => {
        const xz = vm(x, W).map((v, j) => v + bIn[j]!);
        const hu = vm(h, U).map((v, j) => v + bRec[j]!);
        const z = h.map((_, j) => sig(xz[j]! + hu[j]!));
        const r = h.map((_, j) => sig(xz[N + j]! + hu[N + j]!));
        // resetAfter: r scales (h·U_h + b_rec); otherwise r scales h before its product with U_h
        const rh = resetAfter ? h.map((_, j) => r[j]! * hu[2 * N + j]!) : vm(h.map((hj, j) => r[j]! * hj), U.map((row) => row.slice(2 * N)));
        const hh = h.map((_, j) => Math.tanh(xz[2 * N + j]! + rh[j]!));
        const h2 = h.map((hj, j) => z[j]! * hj + (1 - z[j]!) * hh[j]!);
        return [h2, h2];
      });
      expectClose(l.apply(np.reshape(np.array(xv, { dtype: "float64" }), [B, T, F])), ref.ys, { rtol: 1e-12, atol: 1e-14, shape: [B, T, N] });
    });
  }
});

describe("recurrent layers on a tape", () => {
  const cases: [string, () => tf.keras.layers.Layer][] = [
    ["SimpleRNN", () => new L.SimpleRNN(N, { dtype: "float64", biasInitializer: init(vals(N, 0.5), [N]) })],
    ["LSTM", () => new L.LSTM(N, { dtype: "float64", returnSequences: true })],
    ["GRU", () => new L.GRU(N, { dtype: "float64", biasInitializer: init(vals(6 * N, 0.5), [2, 3 * N]) })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: gradients of every weight and the input match central differences`, () => {
      tf.random.setSeed(7);
      const l = make();
      const xt = np.reshape(np.array(xv, { dtype: "float64" }), [B, T, F]);
      const lossOf = (x: tf.Tensor) => tf.reduceSum(tf.square(l.apply(x) as tf.Tensor));
      lossOf(xt);
      const x = new tf.Variable(xt);
      const tape = new tf.GradientTape();
      const loss = tape.record(() => lossOf(x.value()));
      const targets = [...l.trainableVariables, x];
      const grads = tape.gradient(loss, targets);
      const eps = 1e-6;
      targets.forEach((v, k) => {
        const base = flat(v.value());
        const fd = base.map((_, i) => {
          const at = (d: number) => {
            v.assign(np.reshape(np.array(base.map((b, j) => (j === i ? b + d : b)), { dtype: "float64" }), v.shape));
            return lossOf(k === targets.length - 1 ? x.value() : xt).item();
          };
          const g = (at(eps) - at(-eps)) / (2 * eps);
          v.assign(np.reshape(np.array(base, { dtype: "float64" }), v.shape));
          return g;
        });
        expectClose(grads[k], fd, { rtol: 1e-6, atol: 1e-8 });
      });
    });
  }

  it("works under jit (the scan is staged once)", () => {
    const l = new L.GRU(N, { dtype: "float64" });
    const x = np.reshape(np.array(xv, { dtype: "float64" }), [B, T, F]);
    const eager = l.apply(x) as tf.Tensor;
    const f = jit((a: tf.Tensor) => l.apply(a) as tf.Tensor);
    expectClose(f(x), flat(eager), { rtol: 1e-12, atol: 1e-14 });
  });
});

describe("Orthogonal and bad input", () => {
  it("Orthogonal gives orthonormal columns (tall) or rows (wide), times gain", () => {
    for (const shape of [[5, 3], [3, 5], [2, 2, 4]]) {
      const q = new tf.keras.initializers.Orthogonal({ gain: 2, seed: 3 }).apply(shape, "float64");
      const m = tf.reshape(q, [-1, shape[shape.length - 1]!]);
      const tall = m.shape[0]! >= m.shape[1]!;
      const g = tall ? tf.matmul(m, m, { transposeA: true }) : tf.matmul(m, m, { transposeB: true });
      expectClose(g, tf.multiply(tf.eye(g.shape[0]!, undefined, "float64"), 4), { atol: 1e-12 });
    }
  });
  it("names the layer and the shapes", () => {
    expect(() => new L.LSTM(0)).toThrow(/tf.keras.layers.LSTM: units must be a positive integer/);
    expect(() => new L.GRU(2).apply(tf.zeros([2, 3]))).toThrow(/expected ndim=3/);
    const l = new L.SimpleRNN(2);
    l.apply(tf.zeros([1, 2, 3]));
    expect(() => l.apply(tf.zeros([1, 2, 4]))).toThrow(/SimpleRNN.*expected input of shape \[batch, time ≥ 1, 3\], got \[1, 2, 4\]/);
    expect(() => l.apply(tf.zeros([1, 2, 3]), { initialState: [tf.zeros([1, 3])] })).toThrow(/initialState\[0\] must have shape \[1, 2\]/);
  });
});
