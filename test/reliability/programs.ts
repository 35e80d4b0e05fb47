// Seeded random programs for the differential fuzzers: a chain of smooth ops over one input of
// shape [a, b] that keeps every intermediate at [a, b] (elementwise math, row/column reductions
// broadcast back, a matmul by a fixed matrix, softmax, cumsum), so any two values can be combined.
// Inputs are bounded and the ops smooth: no NaN, no kink, so finite differences apply.
import { Tensor, nn, numpy as np } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import type { Rng } from "../util/rng.js";

export interface Program {
  /** what the program does, for a failure message */
  text: string;
  /** the vector-valued program g: [a, b] → [a, b] */
  g: (x: Tensor) => Tensor;
  /** the scalar program f = Σ g(x) ⊙ w (fixed weights) */
  f: (x: Tensor) => Tensor;
  shape: [number, number];
  /** an input in [-1, 1] of the program's shape */
  input: (r: Rng, dtype: DType, lead?: number[]) => Tensor;
}

type Step = { text: string; run: (vals: Tensor[]) => Tensor };

export function randomProgram(r: Rng, dtype: DType, opts: { maxSide?: number; minSide?: number; steps?: number } = {}): Program {
  const lo = opts.minSide ?? 1;
  const hi = opts.maxSide ?? 5;
  const a = r.int(lo, hi + 1);
  const b = r.int(lo, hi + 1);
  const nSteps = opts.steps ?? r.int(2, 7);
  const W = np.array(Array.from({ length: b }, () => r.uniforms(b, -0.6, 0.6)), { dtype });
  const wOut = np.array(Array.from({ length: a }, () => r.uniforms(b, -1, 1)), { dtype });
  const steps: Step[] = [];
  for (let k = 0; k < nSteps; k++) {
    const i = r.int(0, k + 1); // an earlier value (0 = the input)
    const j = r.int(0, k + 1);
    const c = Math.round(r.uniform(-1.5, 1.5) * 100) / 100;
    const axis = r.int(0, 2);
    const pick = r.int(0, 14);
    const v = (vals: Tensor[]) => vals[i]!;
    const w = (vals: Tensor[]) => vals[j]!;
    const step: Step = [
      { text: `sin(v${i})`, run: (vs: Tensor[]) => np.sin(v(vs)) },
      { text: `tanh(v${i})`, run: (vs: Tensor[]) => np.tanh(v(vs)) },
      { text: `sigmoid(v${i})`, run: (vs: Tensor[]) => nn.sigmoid(v(vs)) },
      { text: `v${i} * v${j}`, run: (vs: Tensor[]) => np.multiply(v(vs), w(vs)) },
      { text: `v${i} + ${c} * v${j}`, run: (vs: Tensor[]) => np.add(v(vs), np.multiply(c, w(vs))) },
      { text: `v${i} - v${j}`, run: (vs: Tensor[]) => np.subtract(v(vs), w(vs)) },
      { text: `exp(0.5 tanh(v${i}))`, run: (vs: Tensor[]) => np.exp(np.multiply(0.5, np.tanh(v(vs)))) },
      { text: `log1p(v${i}²)`, run: (vs: Tensor[]) => np.log1p(np.square(v(vs))) },
      { text: `v${i} @ W`, run: (vs: Tensor[]) => np.matmul(v(vs), W) },
      { text: `v${i} - mean(v${i}, ${axis})`, run: (vs: Tensor[]) => np.subtract(v(vs), np.mean(v(vs), axis, { keepdims: true })) },
      { text: `v${i} * sum(v${j}, ${axis})`, run: (vs: Tensor[]) => np.multiply(v(vs), np.tanh(np.sum(w(vs), axis, { keepdims: true }))) },
      { text: `softmax(v${i}, ${axis})`, run: (vs: Tensor[]) => nn.softmax(v(vs), axis) },
      { text: `0.3 cumsum(v${i}, ${axis})`, run: (vs: Tensor[]) => np.multiply(0.3, np.cumsum(v(vs), axis)) },
      { text: `v${i} / (1 + v${j}²)`, run: (vs: Tensor[]) => np.divide(v(vs), np.add(1, np.square(w(vs)))) },
    ][pick]!;
    steps.push(step);
  }
  const text = steps.map((s, k) => `v${k + 1} = ${s.text}`).join("; ");
  const g = (x: Tensor): Tensor => {
    const vals = [x];
    for (const s of steps) vals.push(s.run(vals));
    return vals[vals.length - 1]!;
  };
  const f = (x: Tensor): Tensor => np.sum(np.multiply(g(x), wOut));
  const input = (rr: Rng, dt: DType, lead: number[] = []) => {
    const n = lead.reduce((p, q) => p * q, 1) * a * b;
    return np.reshape(np.array(rr.uniforms(n, -1, 1), { dtype: dt }), [...lead, a, b]);
  };
  return { text: `[${a},${b}] ${text}`, g, f, shape: [a, b], input };
}

/** Budget knob: programs per fuzzer (FUZZ_BUDGET, default `def`). */
export function budget(def: number): number {
  const n = Number(process.env.FUZZ_BUDGET ?? def);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : def;
}
