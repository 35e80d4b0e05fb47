// Masking and dropout of SimpleRNN, LSTM and GRU against float64 JS loops written here: a masked
// step keeps the states and repeats the previous output (zeros before the first real step), as
// Keras's backend rnn does; dropout masks are one per sequence, reused at every step (Keras's
// DropoutRNNCell), recovered here with a linear probe layer drawing from the same seed.
import { describe, expect, it } from "vitest";
import { numpy as np, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, flat } from "./util.js";

const L = tf.keras.layers;
const B = 2, T = 4, F = 2, N = 2;
const vals = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * s + 0.3) * 0.8);
const xv = vals(B * T * F, 1.1);
const X = () => np.reshape(np.array(xv, { dtype: "float64" }), [B, T, F]);
const xAt = (b: number, t: number) => xv.slice((b * T + t) * F, (b * T + t) * F + F);
type M = number[][];
const mat = (v: number[], r: number, c: number): M => Array.from({ length: r }, (_, i) => v.slice(i * c, i * c + c));
const vm = (v: number[], m: M) => m[0]!.map((_, j) => v.reduce((s, vi, i) => s + vi * m[i]![j]!, 0));
const sig = (z: number) => 1 / (1 + Math.exp(-z));
const init = (v: number[], shape: number[]) => () => np.reshape(np.array(v, { dtype: "float64" }), shape);
const MASK = [[0, 1, 0, 1], [1, 1, 1, 0]];
const tight = { rtol: 1e-12, atol: 1e-14 };

/** One cell step on JS arrays: (x, states) → new states, h first. */
type Cell = (x: number[], s: number[][]) => number[][];
/** Keras's masked rnn, per example: outputs per processed step, the final states. */
function maskedLoop(cell: Cell, s0: number[][][], mask: number[][] | null, back = false, dropX: number[][] | null = null) {
  const ys: number[][][] = [], last: number[][][] = [];
  for (let b = 0; b < B; b++) {
    let s = s0[b]!, prev = new Array(N).fill(0);
    const row: number[][] = [];
    for (let k = 0; k < T; k++) {
      const t = back ? T - 1 - k : k;
      const x = xAt(b, t).map((v, j) => v * (dropX ? dropX[b]![j]! : 1));
      if (!mask || mask[b]![t]) {
        s = cell(x, s);
        prev = s[0]!;
      }
      row.push(prev);
    }
    ys.push(row);
    last.push(s);
  }
  return { ys, last };
}

const [w1, u1, b1] = [vals(F * N, 0.7), vals(N * N, 1.9), vals(N, 2.3)];
const simpleCell: Cell = (x, [h]) => [vm(x, mat(w1, F, N)).map((v, j) => Math.tanh(v + vm(h!, mat(u1, N, N))[j]! + b1[j]!))];
const [w4, u4] = [vals(F * 4 * N, 0.9), vals(N * 4 * N, 1.7)];
const lstmCell: Cell = (x, [h, c]) => {
  const z = vm(x, mat(w4, F, 4 * N)).map((v, j) => v + vm(h!, mat(u4, N, 4 * N))[j]! + (j >= N && j < 2 * N ? 1 : 0));
  const g = (k: number, j: number) => z[k * N + j]!;
  const c2 = c!.map((cj, j) => sig(g(1, j)) * cj + sig(g(0, j)) * Math.tanh(g(2, j)));
  return [c2.map((cj, j) => sig(g(3, j)) * Math.tanh(cj)), c2];
};
const [w3, u3, b3] = [vals(F * 3 * N, 0.8), vals(N * 3 * N, 1.3), vals(2 * 3 * N, 0.5)];
const gruCell: Cell = (x, [h]) => {
  const xz = vm(x, mat(w3, F, 3 * N)).map((v, j) => v + b3[j]!);
  const hz = vm(h!, mat(u3, N, 3 * N)).map((v, j) => v + b3[3 * N + j]!);
  const z = h!.map((_, j) => sig(xz[j]! + hz[j]!));
  const r = h!.map((_, j) => sig(xz[N + j]! + hz[N + j]!));
  const hh = h!.map((_, j) => Math.tanh(xz[2 * N + j]! + r[j]! * hz[2 * N + j]!));
  return [h!.map((hj, j) => z[j]! * hj + (1 - z[j]!) * hh[j]!)];
};
const f64 = { dtype: "float64" as const };
const layers = {
  SimpleRNN: () => new L.SimpleRNN(N, { ...f64, returnSequences: true, returnState: true, kernelInitializer: init(w1, [F, N]), recurrentInitializer: init(u1, [N, N]), biasInitializer: init(b1, [N]) }),
  LSTM: (o: object = {}) => new L.LSTM(N, { ...f64, returnSequences: true, returnState: true, kernelInitializer: init(w4, [F, 4 * N]), recurrentInitializer: init(u4, [N, 4 * N]), ...o }),
  GRU: () => new L.GRU(N, { ...f64, returnSequences: true, returnState: true, kernelInitializer: init(w3, [F, 3 * N]), recurrentInitializer: init(u3, [N, 3 * N]), biasInitializer: init(b3, [2, 3 * N]) }),
};

describe("recurrent layers with a mask", () => {
  it("SimpleRNN, LSTM (with an initial state), GRU: masked steps keep the states and repeat the previous output", () => {
    const zeros = [[0, 0], [0, 0]];
    const h0 = [[0.1, -0.2], [0.3, 0.05]], c0 = [[-0.4, 0.2], [0.0, 0.6]];
    const cases: [keyof typeof layers, Cell, number[][][], tf.Tensor[]][] = [
      ["SimpleRNN", simpleCell, [[zeros[0]!], [zeros[1]!]], []],
      ["LSTM", lstmCell, [[h0[0]!, c0[0]!], [h0[1]!, c0[1]!]], [np.array(h0, f64), np.array(c0, f64)]],
      ["GRU", gruCell, [[zeros[0]!], [zeros[1]!]], []],
    ];
    for (const [name, cell, s0, initialState] of cases) {
      const ref = maskedLoop(cell, s0, MASK);
      const [seq, ...states] = layers[name]().apply(X(), { mask: tf.constant(MASK.map((r) => r.map(Boolean))), initialState }) as tf.Tensor[];
      expectClose(seq, ref.ys, { ...tight, shape: [B, T, N] });
      states.forEach((s, i) => expectClose(s, ref.last.map((l) => l[i]!), tight));
    }
  });

  it("goBackwards reverses the mask with the sequence; returnSequences false gives the last output", () => {
    const ref = maskedLoop(simpleCell, [[[0, 0]], [[0, 0]]], MASK, true);
    const l = new L.SimpleRNN(N, { ...f64, goBackwards: true, kernelInitializer: init(w1, [F, N]), recurrentInitializer: init(u1, [N, N]), biasInitializer: init(b1, [N]) });
    expectClose(l.apply(X(), { mask: MASK }) as tf.Tensor, ref.ys.map((r) => r[T - 1]!), tight);
  });

  it("a Masking layer in a Sequential masks the padded steps of the next recurrent layer", () => {
    const padded = X().at(np.array([0, 1], { dtype: "int32" }), np.array([2, 3], { dtype: "int32" })).set(0); // steps (0, 2) and (1, 3) all padding
    const masking = new L.Masking();
    expect(masking.computeMask(padded).toArray()).toEqual([[true, true, false, true], [true, true, true, false]]);
    const rnn = layers.SimpleRNN();
    const model = new tf.keras.Sequential([masking, rnn]);
    const [seq] = model.apply(padded) as tf.Tensor[];
    const [direct] = rnn.apply(padded, { mask: [[1, 1, 0, 1], [1, 1, 1, 0]] }) as tf.Tensor[];
    expect(flat(seq!)).toEqual(flat(direct!));
    expect(() => rnn.apply(X(), { mask: [[1, 0]] })).toThrow(/mask must have shape \[batch, time\] = \[2, 4\]/);
  });
});

describe("recurrent dropout (one mask per sequence)", () => {
  /** A linear SimpleRNN whose outputs are its input dropout mask when fed ones: kernel I, U = 0, no bias. */
  const probe = (seed: number) => new L.SimpleRNN(F, { ...f64, activation: "linear", dropout: 0.5, seed, returnSequences: true, kernelInitializer: () => np.eye(F, { dtype: "float64" }), recurrentInitializer: "zeros", useBias: false });

  it("the input mask is drawn once per call and reused at every step; training false is the plain layer", () => {
    const seq = probe(11).apply(np.ones([B, T, F], f64), { training: true }) as tf.Tensor;
    const m = seq.toArray() as number[][][];
    for (const row of m) for (const step of row) expect(step).toEqual(row[0]);
    expect(flat(seq).every((v) => v === 0 || v === 2)).toBe(true);
    expect(flat(probe(11).apply(np.ones([B, T, F], f64)) as tf.Tensor).every((v) => v === 1)).toBe(true);
  });

  it("LSTM with dropout equals the float64 loop on the dropped-out inputs (the mask recovered from a probe with the same seed)", () => {
    // tf.random.setSeed restarts every op seed's sequence (TensorFlow's semantics): probe and LSTM draw the same mask
    tf.random.setSeed(77);
    const dropX = ((probe(23).apply(np.ones([B, T, F], f64), { training: true }) as tf.Tensor).toArray() as number[][][]).map((r) => r[0]!);
    const ref = maskedLoop(lstmCell, [[[0, 0], [0, 0]], [[0, 0], [0, 0]]], null, false, dropX);
    tf.random.setSeed(77);
    const [seq] = layers.LSTM({ dropout: 0.5, seed: 23 }).apply(X(), { training: true }) as tf.Tensor[];
    expect(dropX.flat().some((v) => v === 0) && dropX.flat().some((v) => v === 2)).toBe(true);
    expectClose(seq, ref.ys, tight);
    const [plain] = layers.LSTM({ dropout: 0.5, seed: 23 }).apply(X(), { training: false }) as tf.Tensor[];
    expectClose(plain, maskedLoop(lstmCell, [[[0, 0], [0, 0]], [[0, 0], [0, 0]]], null).ys, tight);
  });

  it("recurrentDropout: the same recurrent mask at every step (linear cell h = 1 + (h·m)·I)", () => {
    const l = new L.SimpleRNN(3, { ...f64, activation: "linear", recurrentDropout: 0.5, returnSequences: true, kernelInitializer: "zeros", recurrentInitializer: () => np.eye(3, { dtype: "float64" }), biasInitializer: "ones" });
    const h = (l.apply(np.ones([B, T, 1], f64), { training: true }) as tf.Tensor).toArray() as number[][][];
    for (const row of h) {
      const m = row[1]!.map((v) => v - 1); // h₂ = 1 + m (h₁ = 1)
      expect(m.every((v) => v === 0 || v === 2)).toBe(true);
      m.forEach((mj, j) => {
        expect(row[2]![j]).toBeCloseTo(1 + mj * row[1]![j]!, 12);
        expect(row[3]![j]).toBeCloseTo(1 + mj * row[2]![j]!, 12);
      });
    }
  });

  it("LSTM and GRU with recurrentDropout (per-gate masks) train through a tape; bad rates name the layer", () => {
    for (const make of [() => new L.LSTM(N, { dropout: 0.3, recurrentDropout: 0.4, seed: 5 }), () => new L.GRU(N, { dropout: 0.3, recurrentDropout: 0.4, seed: 5 }), () => new L.GRU(N, { recurrentDropout: 0.4, resetAfter: false })]) {
      const l = make();
      const x = tf.constant(xv.map((v) => v), { shape: [B, T, F] });
      const eval_ = l.apply(x) as tf.Tensor;
      const tape = new tf.GradientTape();
      const y = tape.record(() => tf.reduceSum(l.apply(x, { training: true }) as tf.Tensor));
      const grads = tape.gradient(y, l.trainableVariables);
      expect(grads.every((g) => g !== null && flat(g).every(Number.isFinite))).toBe(true);
      expect(flat(l.apply(x) as tf.Tensor)).toEqual(flat(eval_));
    }
    expect(() => new L.LSTM(2, { dropout: 1.5 })).toThrow(/tf.keras.layers.LSTM: dropout must be a number in \[0, 1\]/);
    expect(() => new L.GRU(2, { recurrentDropout: -1 })).toThrow(ValueError);
  });
});
