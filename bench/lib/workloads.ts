// The benchmark cases of shared/bench/WORKLOADS.md: seeded inputs, float64 references, tolerances, figures.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bernoulli, normal } from "./prng.js";
import { W10 } from "./convnet.js";
import { W12 } from "./mnist-step.js";
import { CLIFF_CASES } from "./cliffs.js";

export const CASE_IDS = ["W1", "W2-512", "W2-1024", "W3", "W4", "W5", "W6", "W7", "W8", "W9-sort", "W9-argsort", "W9-topk", "W9-scatter", "W9-einsum", "W10", "W11", "W12", "W13", "W14-0.1", "W14-0.3", "W15-200", "W15-2000"] as const;
export type CaseId = (typeof CASE_IDS)[number];

/** A float32 input: flat row-major data and its shape. */
export interface Arr {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}
export type Inputs = Readonly<Record<string, Arr>>;

export interface CaseDef {
  readonly id: CaseId;
  /** W1…W8, what `--only` matches. */
  readonly workload: string;
  readonly name: string;
  readonly what: string;
  /** Unit the table shows the median in. */
  readonly unit: "ms" | "µs";
  /** Throughput figure derived from the median, if the workload asks for one. */
  readonly derived?: { readonly label: "GFLOP/s" | "Melem/s"; readonly perCall: number; readonly scale: number };
  /** Time per unit of work, derived from the median (W13: per time step, W15: per op). */
  readonly perUnit?: { readonly label: "µs/step" | "µs/op"; readonly count: number };
  /** Max |result − reference| / max |reference| accepted for float32. */
  readonly rtol: number;
  /**
   * An absolute slack added to rtol·max|reference| for cases whose float32 values fall below the
   * normal range (2⁻¹²⁶): systems that flush subnormals to zero (XLA, TensorFlow) then pass too.
   */
  readonly ftzAtol?: number;
  /** Seconds of timing (after the check call) the case may take per system, by mode; sampling stops early past it. */
  readonly budget?: { readonly quick: number; readonly full: number };
  inputs(): Inputs;
  /** The expected result in float64, all outputs flattened and concatenated in the order systems return them. */
  reference(inp: Inputs): Float64Array;
}

const arr = (data: Float32Array, shape: number[]): Arr => ({ data, shape });
const get = (inp: Inputs, k: string): Arr => {
  const a = inp[k];
  if (!a) throw new Error(`bench: input ${k} missing`);
  return a;
};

// ---- float64 reference kernels (plain loops; clarity over speed, except matmul which W2-1024 needs) ----

/** C[m,n] = A[m,k] · B[k,n] in float64, i-k-j order. */
function matmul64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  const bb = Float64Array.from(b);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += aip * bb[bp + j]!;
    }
  }
  return c;
}

function transpose64(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j]!;
  return t;
}

function concat64(parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[o + i] = p[i]!;
    o += p.length;
  }
  return out;
}

// ---- the cases ----

const W1: CaseDef = {
  id: "W1",
  workload: "W1",
  name: "mlp_grad",
  what: "grad of MSE of a 2-layer tanh MLP, x[128,784] → 256 → 10, grads of W1,b1,W2,b2",
  unit: "ms",
  rtol: 2e-3,
  inputs: () => ({
    x: arr(normal("W1/x", 128 * 784), [128, 784]),
    w1: arr(normal("W1/w1", 784 * 256, 1 / Math.sqrt(784)), [784, 256]),
    b1: arr(normal("W1/b1", 256, 0.1), [256]),
    w2: arr(normal("W1/w2", 256 * 10, 1 / Math.sqrt(256)), [256, 10]),
    b2: arr(normal("W1/b2", 10, 0.1), [10]),
    t: arr(normal("W1/t", 128 * 10), [128, 10]),
  }),
  reference(inp) {
    const [B, D, H, O] = [128, 784, 256, 10];
    const x = get(inp, "x").data, w1 = get(inp, "w1").data, b1 = get(inp, "b1").data;
    const w2 = get(inp, "w2").data, b2 = get(inp, "b2").data, t = get(inp, "t").data;
    // forward: h = tanh(x W1 + b1), y = h W2 + b2, loss = mean((y − t)²)
    const z = matmul64(x, w1, B, D, H);
    const h = new Float64Array(B * H);
    for (let i = 0; i < B; i++) for (let j = 0; j < H; j++) h[i * H + j] = Math.tanh(z[i * H + j]! + b1[j]!);
    const y = matmul64(h, w2, B, H, O);
    // backward: dy = 2(y − t)/(B·O); dW2 = hᵀdy; db2 = Σ_rows dy; dz = (dy W2ᵀ)(1 − h²); dW1 = xᵀdz; db1 = Σ_rows dz
    const dy = new Float64Array(B * O);
    for (let i = 0; i < B; i++)
      for (let j = 0; j < O; j++) dy[i * O + j] = (2 * (y[i * O + j]! + b2[j]! - t[i * O + j]!)) / (B * O);
    const gw2 = matmul64(transpose64(h, B, H), dy, H, B, O);
    const gb2 = new Float64Array(O);
    for (let i = 0; i < B; i++) for (let j = 0; j < O; j++) gb2[j]! += dy[i * O + j]!;
    const dh = matmul64(dy, transpose64(w2, H, O), B, O, H);
    const dz = new Float64Array(B * H);
    for (let i = 0; i < B * H; i++) dz[i] = dh[i]! * (1 - h[i]! * h[i]!);
    const gw1 = matmul64(transpose64(x, B, D), dz, D, B, H);
    const gb1 = new Float64Array(H);
    for (let i = 0; i < B; i++) for (let j = 0; j < H; j++) gb1[j]! += dz[i * H + j]!;
    return concat64([gw1, gb1, gw2, gb2]);
  },
};

function matmulCase(n: 512 | 1024): CaseDef {
  return {
    id: n === 512 ? "W2-512" : "W2-1024",
    workload: "W2",
    name: `matmul ${n}`,
    what: `${n}×${n} @ ${n}×${n} forward, float32`,
    unit: "ms",
    derived: { label: "GFLOP/s", perCall: 2 * n ** 3, scale: 1e-9 },
    rtol: 1e-4,
    inputs: () => ({
      a: arr(normal(`W2/${n}/a`, n * n), [n, n]),
      b: arr(normal(`W2/${n}/b`, n * n), [n, n]),
    }),
    reference: (inp) => matmul64(get(inp, "a").data, get(inp, "b").data, n, n, n),
  };
}

const W3: CaseDef = {
  id: "W3",
  workload: "W3",
  name: "jacobian",
  what: "full Jacobian of tanh(W x + b), W[256,256] → [256,256]",
  unit: "ms",
  rtol: 1e-3,
  inputs: () => ({
    w: arr(normal("W3/w", 256 * 256, 1 / 16), [256, 256]),
    b: arr(normal("W3/b", 256, 0.1), [256]),
    x: arr(normal("W3/x", 256), [256]),
  }),
  reference(inp) {
    const n = 256;
    const w = get(inp, "w").data, b = get(inp, "b").data, x = get(inp, "x").data;
    // J[i,j] = (1 − tanh²(Wx + b)_i) W[i,j]
    const jac = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let s = b[i]!;
      for (let j = 0; j < n; j++) s += w[i * n + j]! * x[j]!;
      const y = Math.tanh(s);
      for (let j = 0; j < n; j++) jac[i * n + j] = (1 - y * y) * w[i * n + j]!;
    }
    return jac;
  },
};

const W4: CaseDef = {
  id: "W4",
  workload: "W4",
  name: "batch_jacobian",
  what: "per-row Jacobians of tanh(x W), x[64,32], W[32,32] → [64,32,32]",
  unit: "ms",
  rtol: 1e-3,
  inputs: () => ({
    x: arr(normal("W4/x", 64 * 32), [64, 32]),
    w: arr(normal("W4/w", 32 * 32, 1 / Math.sqrt(32)), [32, 32]),
  }),
  reference(inp) {
    const [B, n] = [64, 32];
    const x = get(inp, "x").data, w = get(inp, "w").data;
    // J[b,i,j] = ∂y[b,i]/∂x[b,j] = (1 − y[b,i]²) W[j,i]
    const y = matmul64(x, w, B, n, n);
    const jac = new Float64Array(B * n * n);
    for (let b = 0; b < B; b++)
      for (let i = 0; i < n; i++) {
        const t = Math.tanh(y[b * n + i]!);
        for (let j = 0; j < n; j++) jac[(b * n + i) * n + j] = (1 - t * t) * w[j * n + i]!;
      }
    return jac;
  },
};

const W5: CaseDef = {
  id: "W5",
  workload: "W5",
  name: "hessian",
  what: "Hessian of Σ sin(x)·x² + ½ xᵀA x, x[128] → [128,128]",
  unit: "ms",
  rtol: 1e-3,
  inputs: () => ({
    x: arr(normal("W5/x", 128), [128]),
    a: arr(normal("W5/a", 128 * 128, 1 / Math.sqrt(128)), [128, 128]),
  }),
  reference(inp) {
    const n = 128;
    const x = get(inp, "x").data, a = get(inp, "a").data;
    // H = diag(−x² sin x + 4x cos x + 2 sin x) + (A + Aᵀ)/2
    const h = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h[i * n + j] = (a[i * n + j]! + a[j * n + i]!) / 2;
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      h[i * n + i]! += -v * v * Math.sin(v) + 4 * v * Math.cos(v) + 2 * Math.sin(v);
    }
    return h;
  },
};

const W6_N = 1_000_000;
const W6: CaseDef = {
  id: "W6",
  workload: "W6",
  name: "elementwise_grad",
  what: "grad of Σ exp(sin x)·cos x, x of 1e6 elements",
  unit: "ms",
  derived: { label: "Melem/s", perCall: W6_N, scale: 1e-6 },
  rtol: 1e-4,
  inputs: () => ({ x: arr(normal("W6/x", W6_N), [W6_N]) }),
  reference(inp) {
    const x = get(inp, "x").data;
    // d/dx e^{sin x} cos x = e^{sin x}(cos² x − sin x)
    const g = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const s = Math.sin(x[i]!), c = Math.cos(x[i]!);
      g[i] = Math.exp(s) * (c * c - s);
    }
    return g;
  },
};

const W7: CaseDef = {
  id: "W7",
  workload: "W7",
  name: "scalar_overhead",
  what: "dy/dx and d²y/dx² of y = x³ at x = 5 (75 and 30) in one call",
  unit: "µs",
  rtol: 1e-6,
  inputs: () => ({ x: arr(new Float32Array([5]), []) }),
  reference: () => new Float64Array([75, 30]),
};

const W8: CaseDef = {
  id: "W8",
  workload: "W8",
  name: "per_example_grads",
  what: "per-example grads of logistic loss softplus(x·w) − y·(x·w), X[256,512] → [256,512]",
  unit: "ms",
  rtol: 1e-4,
  inputs: () => ({
    x: arr(normal("W8/x", 256 * 512, 1 / Math.sqrt(512)), [256, 512]),
    w: arr(normal("W8/w", 512), [512]),
    y: arr(bernoulli("W8/y", 256), [256]),
  }),
  reference(inp) {
    const [B, D] = [256, 512];
    const x = get(inp, "x").data, w = get(inp, "w").data, y = get(inp, "y").data;
    // ∇_w [softplus(z) − y z] = (σ(z) − y) x, z = x·w
    const g = new Float64Array(B * D);
    for (let i = 0; i < B; i++) {
      let z = 0;
      for (let j = 0; j < D; j++) z += x[i * D + j]! * w[j]!;
      const r = 1 / (1 + Math.exp(-z)) - y[i]!;
      for (let j = 0; j < D; j++) g[i * D + j] = r * x[i * D + j]!;
    }
    return g;
  },
};

// ---- W9 array_ops: sort / argsort / topK of 1e6 float32, a scatter-add gradient, a batched einsum ----

const W9_N = 1_000_000;
const w9x = (): Inputs => ({ x: arr(normal("W9/x", W9_N), [W9_N]) });
/** Stable ascending order of x's indices (ties by index), as every system's stable argsort. */
const order = (x: Float32Array) => Int32Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || a - b);
const W9: CaseDef[] = [
  { id: "W9-sort", workload: "W9", name: "sort_1e6", what: "sort of 1e6 float32", unit: "ms", rtol: 0, inputs: w9x,
    reference: (inp) => Float64Array.from(get(inp, "x").data).sort() },
  { id: "W9-argsort", workload: "W9", name: "argsort_1e6", what: "stable argsort of 1e6 float32 (int32 indices)", unit: "ms", rtol: 0, inputs: w9x,
    reference: (inp) => Float64Array.from(order(get(inp, "x").data)) },
  { id: "W9-topk", workload: "W9", name: "topk_1e6", what: "lax.topK(x, 100) of 1e6 float32: values and indices", unit: "ms", rtol: 0, inputs: w9x,
    reference: (inp) => {
      const x = get(inp, "x").data;
      const o = Int32Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[b]! - x[a]! || a - b).subarray(0, 100);
      return Float64Array.from([...Array.from(o, (i) => x[i]!), ...o]);
    } },
  { id: "W9-scatter", workload: "W9", name: "scatter_add_grad", what: "grad of x.at(idx).get().sum(), x[1e5], 1e6 random indices (a scatter-add)", unit: "ms", rtol: 0,
    inputs: () => {
      const u = normal("W9/idx", W9_N);
      // indices as float32 integers in [0, 1e5) (every system converts them to int32 before timing)
      return { x: arr(normal("W9/xs", 100_000), [100_000]), idx: arr(Float32Array.from(u, (v, i) => (Math.floor(Math.abs(v) * 1e6) + i * 7919) % 100_000), [W9_N]) };
    },
    reference: (inp) => {
      const g = new Float64Array(100_000);
      for (const i of get(inp, "idx").data) g[i]! += 1;
      return g;
    } },
  { id: "W9-einsum", workload: "W9", name: "einsum_bij_bjk", what: 'einsum("bij,bjk->bik"), b=64, 128×128', unit: "ms", rtol: 1e-4,
    derived: { label: "GFLOP/s", perCall: 2 * 64 * 128 ** 3, scale: 1e-9 },
    inputs: () => ({ a: arr(normal("W9/a", 64 * 128 * 128, 1 / Math.sqrt(128)), [64, 128, 128]), b: arr(normal("W9/b", 64 * 128 * 128), [64, 128, 128]) }),
    reference: (inp) => {
      const [a, b] = [get(inp, "a").data, get(inp, "b").data];
      const out = new Float64Array(64 * 128 * 128);
      for (let k = 0; k < 64; k++) out.set(matmul64(a.subarray(k * 16384, (k + 1) * 16384), b.subarray(k * 16384, (k + 1) * 16384), 128, 128, 128), k * 16384);
      return out;
    } },
];



// W11: GP negative log marginal likelihood, RBF kernel, float64 (the inputs are float32 values, widened)
export const W11_N = 512;
/** The observation noise σₙ² added to K's diagonal. */
export const W11_NOISE = 0.1;
const W11: CaseDef = {
  id: "W11",
  workload: "W11",
  name: "gp_nll_grad",
  what: "∇ of a GP negative log marginal likelihood (RBF, n = 512, float64) w.r.t. log ℓ, log σ² and the 512 inputs: Cholesky, two triangular solves, log-det",
  unit: "ms",
  rtol: 1e-8,
  inputs: () => {
    const x = normal("W11/x", W11_N);
    const e = normal("W11/e", W11_N, 0.1);
    return {
      x: arr(x, [W11_N]),
      y: arr(Float32Array.from(x, (v, i) => Math.sin(2 * v) + e[i]!), [W11_N]),
      logEll: arr(Float32Array.of(-0.5), []),
      logSf2: arr(Float32Array.of(0.25), []),
    };
  },
  reference(inp) {
    const n = W11_N;
    const x = get(inp, "x").data, y = get(inp, "y").data;
    const ell2 = Math.exp(2 * get(inp, "logEll").data[0]!), sf2 = Math.exp(get(inp, "logSf2").data[0]!);
    // K = σ²·exp(−(xᵢ − xⱼ)²/2ℓ²) + σₙ²I; NLL = ½yᵀK⁻¹y + ½log det K + (n/2) log 2π
    const kf = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) kf[i * n + j] = sf2 * Math.exp(-((x[i]! - x[j]!) ** 2) / (2 * ell2));
    const L = Float64Array.from(kf, (v, p) => v + (p % (n + 1) === 0 ? W11_NOISE : 0));
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < j; p++) L[j * n + j]! -= L[j * n + p]! ** 2;
      L[j * n + j] = Math.sqrt(L[j * n + j]!);
      for (let i = j + 1; i < n; i++) {
        let s = L[i * n + j]!;
        for (let p = 0; p < j; p++) s -= L[i * n + p]! * L[j * n + p]!;
        L[i * n + j] = s / L[j * n + j]!;
      }
    }
    // K⁻¹ = L⁻ᵀL⁻¹ (columns of L⁻¹ by forward substitution), α = K⁻¹y
    const Li = new Float64Array(n * n);
    for (let c = 0; c < n; c++) {
      for (let i = c; i < n; i++) {
        let s = i === c ? 1 : 0;
        for (let p = c; p < i; p++) s -= L[i * n + p]! * Li[p * n + c]!;
        Li[i * n + c] = s / L[i * n + i]!;
      }
    }
    const Ki = matmul64(transpose64(Li, n, n), Li, n, n, n);
    const alpha = matmul64(Ki, y, n, n, 1);
    // dNLL/dK = W = ½(K⁻¹ − ααᵀ); d/dθ = Σ W ∘ dK/dθ; d/dxᵢ = 2 Σⱼ Wᵢⱼ kᵢⱼ·(−(xᵢ − xⱼ)/ℓ²)
    let gEll = 0, gSf = 0;
    const gx = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const w = 0.5 * (Ki[i * n + j]! - alpha[i]! * alpha[j]!);
        const k = kf[i * n + j]!, d = x[i]! - x[j]!;
        gEll += w * k * (d * d) / ell2;
        gSf += w * k;
        gx[i]! += (2 * w * k * -d) / ell2;
      }
    }
    return concat64([[gEll, gSf], gx]);
  },
};


export const CASES: readonly CaseDef[] = [W1, matmulCase(512), matmulCase(1024), W3, W4, W5, W6, W7, W8, ...W9, W10, W11, W12, ...CLIFF_CASES];

export function caseById(id: CaseId): CaseDef {
  const c = CASES.find((k) => k.id === id);
  if (!c) throw new Error(`bench: unknown case ${id}`);
  return c;
}

/** Reference results cost seconds for W2-1024, so they are cached on disk between child processes. */
const REF_VERSION = "v1";
export function cachedReference(c: CaseDef, inp: Inputs): Float64Array {
  const dir = join(tmpdir(), "tapir-bench-refs");
  const file = join(dir, `${REF_VERSION}-${c.id}.f64`);
  if (existsSync(file)) {
    const buf = readFileSync(file);
    return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  const ref = c.reference(inp);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${file}.${process.pid}`, new Uint8Array(ref.buffer));
  renameSync(`${file}.${process.pid}`, file); // atomic: a concurrent reader never sees half a file
  return ref;
}

export interface Check {
  readonly ok: boolean;
  /** max |got − ref| / max |ref| (NaN when the result holds NaN or has the wrong length). */
  readonly relErr: number;
  readonly maxAbsErr: number;
  /** Passed only through `atol`: the result differs from the reference like a flush-to-zero one. */
  readonly flushed?: boolean;
  readonly detail?: string;
}

/**
 * Compares a system's flattened outputs with the float64 reference: max |got − ref| must be within
 * rtol·max|ref| + atol (atol: a case's `ftzAtol`, else 0).
 */
export function check(got: ArrayLike<number>[], ref: Float64Array, rtol: number, atol = 0): Check {
  const len = got.reduce((s, g) => s + g.length, 0);
  if (len !== ref.length)
    return { ok: false, relErr: NaN, maxAbsErr: NaN, detail: `got ${len} values, expected ${ref.length}` };
  let maxErr = 0, maxRef = 0, o = 0, nan = false;
  for (const g of got) {
    for (let i = 0; i < g.length; i++) {
      const v = g[i]!, r = ref[o + i]!;
      if (!Number.isFinite(v)) nan = true;
      maxErr = Math.max(maxErr, Math.abs(v - r));
      maxRef = Math.max(maxRef, Math.abs(r));
    }
    o += g.length;
  }
  if (nan) return { ok: false, relErr: NaN, maxAbsErr: NaN, detail: "result holds NaN or Inf" };
  // maxRef can itself be subnormal (W14 ×0.1: ~1e-40), so no floor on it beyond the smallest double
  const relErr = maxErr / Math.max(maxRef, Number.MIN_VALUE);
  if (relErr <= rtol) return { ok: true, relErr, maxAbsErr: maxErr };
  const ok = maxErr <= rtol * maxRef + atol;
  return { ok, relErr, maxAbsErr: maxErr, ...(ok ? { flushed: true } : {}) };
}
