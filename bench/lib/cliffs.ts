// W13 rnn_bptt, W14 deep_narrow_mlp, W15 long_program (issue 21): programs shaped the way users'
// programs grow — sequential (1000 recurrent steps), deep and narrow with values that shrink toward
// the subnormal range, and long chains of small ops. Inputs, float64 references and the per-unit
// figures (µs per time step, µs per op). The reference kernels take their sizes as arguments so
// test/bench/cliffs.test.ts can check them against finite differences at small sizes.
import { normal } from "./prng.js";
import type { Arr, CaseDef, Inputs } from "./workloads.js";

/** The smallest normal float32, 2⁻¹²⁶: below it XLA (and TensorFlow) flush float32 to zero. */
export const FLT_MIN = 2 ** -126;

const input = (inp: Inputs, k: string): Arr => {
  const a = inp[k];
  if (!a) throw new Error(`bench: input ${k} missing`);
  return a;
};

// ---- W13: h_{t+1} = tanh(h_t W + x_t U), h_0 = 0, loss Σ h_T², gradients of W and U ----

export const W13_T = 1000, W13_H = 64, W13_D = 16;

/**
 * ∇_W and ∇_U of Σ h_T² (flattened W-gradient [H,H] then U-gradient [D,H]) by backpropagation
 * through time in float64: dh_T = 2h_T; per step back, dz = dh ⊙ (1 − h_{t+1}²), ∇W += h_tᵀdz,
 * ∇U += x_tᵀdz, dh = dz Wᵀ.
 */
export function rnnBptt64(x: ArrayLike<number>, w: ArrayLike<number>, u: ArrayLike<number>, T: number, H: number, D: number): Float64Array {
  const hs = new Float64Array((T + 1) * H); // hs[t] = h_t, h_0 = 0
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < H; j++) {
      let z = 0;
      for (let i = 0; i < H; i++) z += hs[t * H + i]! * w[i * H + j]!;
      for (let k = 0; k < D; k++) z += x[t * D + k]! * u[k * H + j]!;
      hs[(t + 1) * H + j] = Math.tanh(z);
    }
  }
  const gw = new Float64Array(H * H), gu = new Float64Array(D * H);
  let dh = Float64Array.from(hs.subarray(T * H), (v) => 2 * v);
  const dz = new Float64Array(H);
  for (let t = T - 1; t >= 0; t--) {
    for (let j = 0; j < H; j++) {
      const h1 = hs[(t + 1) * H + j]!;
      dz[j] = dh[j]! * (1 - h1 * h1);
    }
    for (let i = 0; i < H; i++) {
      const hi = hs[t * H + i]!;
      if (hi !== 0) for (let j = 0; j < H; j++) gw[i * H + j]! += hi * dz[j]!;
    }
    for (let k = 0; k < D; k++) {
      const xk = x[t * D + k]!;
      for (let j = 0; j < H; j++) gu[k * H + j]! += xk * dz[j]!;
    }
    const next = new Float64Array(H);
    for (let i = 0; i < H; i++) {
      let s = 0;
      for (let j = 0; j < H; j++) s += dz[j]! * w[i * H + j]!;
      next[i] = s;
    }
    dh = next;
  }
  const out = new Float64Array(H * H + D * H);
  out.set(gw);
  out.set(gu, H * H);
  return out;
}

const W13: CaseDef = {
  id: "W13",
  workload: "W13",
  name: "rnn_bptt",
  what: "∇W, ∇U of Σ h_T² for h ← tanh(h W + x_t U), W[64,64], U[16,64], T = 1000 steps of x[1000,16] (tapir: lax.scan; peers: a JS loop)",
  unit: "ms",
  perUnit: { label: "µs/step", count: W13_T },
  rtol: 1e-3,
  budget: { quick: 3, full: 15 },
  // W: LeCun scale 1/√64 (spectral radius ≈ 1: long memory, yet float32 and float64 agree to ~1e-6)
  inputs: () => ({
    x: { data: normal("W13/x", W13_T * W13_D), shape: [W13_T, W13_D] },
    w: { data: normal("W13/w", W13_H * W13_H, 1 / Math.sqrt(W13_H)), shape: [W13_H, W13_H] },
    u: { data: normal("W13/u", W13_D * W13_H, 1 / Math.sqrt(W13_D)), shape: [W13_D, W13_H] },
  }),
  reference: (inp) => rnnBptt64(input(inp, "x").data, input(inp, "w").data, input(inp, "u").data, W13_T, W13_H, W13_D),
};

// ---- W14: h ← tanh(h W_i), 20 layers of W_i[32,32], x[16,32]; gradients of mean(h²) for all W_i ----

export const W14_LAYERS = 20, W14_B = 16, W14_D = 32;
/** The input names of W14's weights, in the order the gradients are returned. */
export const W14_WEIGHTS = Array.from({ length: W14_LAYERS }, (_, i) => `w${i}`);

/**
 * ∇ of mean(h_L²), h_0 = x[B,D], h_{i+1} = tanh(h_i W_i), for every W_i (flattened, in layer
 * order), float64: d = 2h_L/(B·D); per layer back, dz = d ⊙ (1 − h_{i+1}²), ∇W_i = h_iᵀdz, d = dz W_iᵀ.
 */
export function deepMlp64(x: ArrayLike<number>, ws: readonly ArrayLike<number>[], B: number, D: number): Float64Array {
  const L = ws.length;
  const hs: Float64Array[] = [Float64Array.from(x)];
  for (let l = 0; l < L; l++) {
    const h = hs[l]!, w = ws[l]!, y = new Float64Array(B * D);
    for (let b = 0; b < B; b++)
      for (let j = 0; j < D; j++) {
        let s = 0;
        for (let i = 0; i < D; i++) s += h[b * D + i]! * w[i * D + j]!;
        y[b * D + j] = Math.tanh(s);
      }
    hs.push(y);
  }
  const out = new Float64Array(L * D * D);
  let d = Float64Array.from(hs[L]!, (v) => (2 * v) / (B * D));
  for (let l = L - 1; l >= 0; l--) {
    const h = hs[l]!, h1 = hs[l + 1]!, w = ws[l]!;
    const dz = Float64Array.from(d, (v, p) => v * (1 - h1[p]! * h1[p]!));
    for (let i = 0; i < D; i++)
      for (let j = 0; j < D; j++) {
        let s = 0;
        for (let b = 0; b < B; b++) s += h[b * D + i]! * dz[b * D + j]!;
        out[l * D * D + i * D + j] = s;
      }
    const next = new Float64Array(B * D);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < D; i++) {
        let s = 0;
        for (let j = 0; j < D; j++) s += dz[b * D + j]! * w[i * D + j]!;
        next[b * D + i] = s;
      }
    d = next;
  }
  return out;
}

function w14(scale: 0.1 | 0.3): CaseDef {
  return {
    id: scale === 0.1 ? "W14-0.1" : "W14-0.3",
    workload: "W14",
    name: `deep_narrow_mlp ×${scale}`,
    what: `∇ of mean(h²), h ← tanh(h W_i), 20 layers W_i[32,32] = ${scale}·N(0, 1/32), x[16,32]; gradients of all 20 W_i${scale === 0.1 ? " (activations reach ~1e-20, every gradient is a float32 subnormal ~1e-40)" : " (all values in float32's normal range)"}`,
    unit: "ms",
    rtol: 1e-3,
    // XLA runs float32 with flush-to-zero: at ×0.1 it returns zeros for these subnormal gradients. A
    // result passes when it is within rtol (IEEE subnormals) or within 2⁻¹²⁶ (flushed) of the reference.
    ...(scale === 0.1 ? { ftzAtol: FLT_MIN } : {}),
    budget: { quick: 1.5, full: 6 },
    // the same draws at both scales, so the two cases differ only in magnitude
    inputs: () => ({
      x: { data: normal("W14/x", W14_B * W14_D), shape: [W14_B, W14_D] },
      ...Object.fromEntries(W14_WEIGHTS.map((k) => [k, { data: normal(`W14/${k}`, W14_D * W14_D, scale / Math.sqrt(W14_D)), shape: [W14_D, W14_D] }])),
    }),
    reference: (inp) => deepMlp64(input(inp, "x").data, W14_WEIGHTS.map((k) => input(inp, k).data), W14_B, W14_D),
  };
}

// ---- W15: ∇ of Σ chain(x), a chain of n elementwise ops alternating sin and × 1.0001, x[64] ----

export const W15_LEN = 64;
/** The multiplier as every float32 system holds it (1.0001 rounded to float32). */
export const W15_FACTOR = Math.fround(1.0001);

/** d/dx of Σ chain(x), op k = sin for even k, × W15_FACTOR for odd k, in float64 (the chain rule per element). */
export function longChain64(x: ArrayLike<number>, n: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let e = 0; e < x.length; e++) {
    let v = x[e]!, d = 1;
    for (let k = 0; k < n; k++) {
      if (k % 2 === 0) {
        d *= Math.cos(v);
        v = Math.sin(v);
      } else {
        d *= W15_FACTOR;
        v *= W15_FACTOR;
      }
    }
    g[e] = d;
  }
  return g;
}

function w15(n: 200 | 2000): CaseDef {
  return {
    id: n === 200 ? "W15-200" : "W15-2000",
    workload: "W15",
    name: `long_program n=${n}`,
    what: `∇ of Σ of a chain of ${n} elementwise ops on x[64] (sin, × 1.0001, sin, …)`,
    unit: "ms",
    perUnit: { label: "µs/op", count: n },
    rtol: 1e-3,
    budget: { quick: 1.5, full: 6 },
    inputs: () => ({ x: { data: normal("W15/x", W15_LEN), shape: [W15_LEN] } }),
    reference: (inp) => longChain64(input(inp, "x").data, n),
  };
}

export const CLIFF_CASES: readonly CaseDef[] = [W13, w14(0.1), w14(0.3), w15(200), w15(2000)];

/** The chain length of a W15 case (its figure is per op). */
export const w15Length = (id: string): number => (id === "W15-200" ? 200 : 2000);
