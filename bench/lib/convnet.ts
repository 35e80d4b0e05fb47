// W10 convnet_step: inputs and the float64 reference of one forward + gradient step of
// NHWC x[32,28,28,1] → conv 3×3×32 (VALID) + bias → ReLU → max-pool 2×2/2 → conv 3×3×64 (VALID)
// + bias → ReLU → max-pool 2×2/2 → flatten [32,1600] → dense 10 → mean softmax cross-entropy;
// gradients of all six parameters (k1, b1, k2, b2, w, b) in that order.
import { normal } from "./prng.js";
import type { CaseDef, Inputs } from "./workloads.js";

export const W10_SHAPES = { x: [32, 28, 28, 1], k1: [3, 3, 1, 32], b1: [32], k2: [3, 3, 32, 64], b2: [64], w: [1600, 10], b: [10], labels: [32, 10] } as const;

/** One-hot labels: example i is class (7·i mod 10). */
function oneHot(): Float32Array {
  const y = new Float32Array(32 * 10);
  for (let i = 0; i < 32; i++) y[i * 10 + ((7 * i) % 10)] = 1;
  return y;
}

export interface T4 {
  d: Float64Array;
  s: [number, number, number, number];
}

/** VALID 3×3 conv, stride 1, NHWC × HWIO + bias. */
export function conv(x: T4, k: ArrayLike<number>, b: ArrayLike<number>, O: number): T4 {
  const [N, H, W, C] = x.s;
  const [Ho, Wo] = [H - 2, W - 2];
  const y = new Float64Array(N * Ho * Wo * O);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++) {
        const yo = ((n * Ho + i) * Wo + j) * O;
        for (let o = 0; o < O; o++) y[yo + o] = b[o]!;
        for (let di = 0; di < 3; di++)
          for (let dj = 0; dj < 3; dj++)
            for (let c = 0; c < C; c++) {
              const v = x.d[((n * H + i + di) * W + j + dj) * C + c]!;
              const ko = ((di * 3 + dj) * C + c) * O;
              for (let o = 0; o < O; o++) y[yo + o]! += v * k[ko + o]!;
            }
      }
  return { d: y, s: [N, Ho, Wo, O] };
}

/** Gradients of a VALID 3×3 conv: dk, db and (when wanted) dx, from dy. */
function convBack(x: T4, k: ArrayLike<number>, dy: T4, wantDx: boolean): { dk: Float64Array; db: Float64Array; dx: T4 | null } {
  const [N, H, W, C] = x.s;
  const [, Ho, Wo, O] = dy.s;
  const dk = new Float64Array(9 * C * O), db = new Float64Array(O);
  const dx = wantDx ? new Float64Array(x.d.length) : null;
  for (let n = 0; n < N; n++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++) {
        const yo = ((n * Ho + i) * Wo + j) * O;
        for (let o = 0; o < O; o++) db[o]! += dy.d[yo + o]!;
        for (let di = 0; di < 3; di++)
          for (let dj = 0; dj < 3; dj++)
            for (let c = 0; c < C; c++) {
              const xi = ((n * H + i + di) * W + j + dj) * C + c;
              const ko = ((di * 3 + dj) * C + c) * O;
              let acc = 0;
              for (let o = 0; o < O; o++) {
                const g = dy.d[yo + o]!;
                dk[ko + o]! += x.d[xi]! * g;
                acc += g * k[ko + o]!;
              }
              if (dx) dx[xi]! += acc;
            }
      }
  return { dk, db, dx: dx ? { d: dx, s: x.s } : null };
}

/** ReLU then 2×2/2 max-pool; remembers each window's first maximum. */
export function reluPool(z: T4): { y: T4; arg: Int32Array } {
  const [N, H, W, C] = z.s;
  const [Ho, Wo] = [Math.floor(H / 2), Math.floor(W / 2)];
  const y = new Float64Array(N * Ho * Wo * C), arg = new Int32Array(y.length);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity, at = -1;
          for (let di = 0; di < 2; di++)
            for (let dj = 0; dj < 2; dj++) {
              const p = ((n * H + 2 * i + di) * W + 2 * j + dj) * C + c;
              const v = Math.max(z.d[p]!, 0);
              if (v > best) [best, at] = [v, p];
            }
          const o = ((n * Ho + i) * Wo + j) * C + c;
          y[o] = best;
          arg[o] = at;
        }
  return { y: { d: y, s: [N, Ho, Wo, C] }, arg };
}

/** The gradient through pool∘relu: dy to each window's max, kept where the pre-activation was positive. */
function reluPoolBack(z: T4, arg: Int32Array, dy: Float64Array): T4 {
  const dz = new Float64Array(z.d.length);
  for (let o = 0; o < dy.length; o++) if (z.d[arg[o]!]! > 0) dz[arg[o]!]! += dy[o]!;
  return { d: dz, s: z.s };
}

function reference(inp: Inputs): Float64Array {
  const g = (k: string) => inp[k]!.data;
  const x: T4 = { d: Float64Array.from(g("x")), s: [32, 28, 28, 1] };
  const z1 = conv(x, g("k1"), g("b1"), 32);
  const p1 = reluPool(z1);
  const z2 = conv(p1.y, g("k2"), g("b2"), 64);
  const p2 = reluPool(z2);
  const [B, F, K] = [32, 1600, 10];
  const w = g("w"), bias = g("b"), lab = g("labels");
  // logits, softmax cross-entropy averaged over the batch: dlogits = (softmax − y) / B
  const dl = new Float64Array(B * K);
  for (let n = 0; n < B; n++) {
    const lg = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let s = bias[k]!;
      for (let f = 0; f < F; f++) s += p2.y.d[n * F + f]! * w[f * K + k]!;
      lg[k] = s;
    }
    const m = Math.max(...lg);
    const e = lg.map((v) => Math.exp(v - m));
    const tot = e.reduce((a, b) => a + b, 0);
    for (let k = 0; k < K; k++) dl[n * K + k] = (e[k]! / tot - lab[n * K + k]!) / B;
  }
  const dw = new Float64Array(F * K), db = new Float64Array(K), dp2 = new Float64Array(B * F);
  for (let n = 0; n < B; n++)
    for (let k = 0; k < K; k++) {
      const d = dl[n * K + k]!;
      db[k]! += d;
      for (let f = 0; f < F; f++) {
        dw[f * K + k]! += p2.y.d[n * F + f]! * d;
        dp2[n * F + f]! += d * w[f * K + k]!;
      }
    }
  const c2 = convBack(p1.y, g("k2"), reluPoolBack(z2, p2.arg, dp2), true);
  const c1 = convBack(x, g("k1"), reluPoolBack(z1, p1.arg, c2.dx!.d), false);
  const parts = [c1.dk, c1.db, c2.dk, c2.db, dw, db];
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, (o += p.length) - p.length);
  return out;
}

export const W10: CaseDef = {
  id: "W10",
  workload: "W10",
  name: "convnet_step",
  what: "grad of softmax cross-entropy of NHWC [32,28,28,1] → conv3×3×32 → relu → maxpool2 → conv3×3×64 → relu → maxpool2 → dense 10",
  unit: "ms",
  rtol: 2e-3,
  inputs: () => ({
    x: { data: normal("W10/x", 32 * 28 * 28), shape: [...W10_SHAPES.x] },
    k1: { data: normal("W10/k1", 9 * 32, 1 / 3), shape: [...W10_SHAPES.k1] },
    b1: { data: normal("W10/b1", 32, 0.1), shape: [...W10_SHAPES.b1] },
    k2: { data: normal("W10/k2", 9 * 32 * 64, 1 / Math.sqrt(288)), shape: [...W10_SHAPES.k2] },
    b2: { data: normal("W10/b2", 64, 0.1), shape: [...W10_SHAPES.b2] },
    w: { data: normal("W10/w", 1600 * 10, 1 / 40), shape: [...W10_SHAPES.w] },
    b: { data: normal("W10/b", 10, 0.1), shape: [...W10_SHAPES.b] },
    labels: { data: oneHot(), shape: [...W10_SHAPES.labels] },
  }),
  reference,
};
