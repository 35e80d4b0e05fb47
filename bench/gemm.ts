// GEMM throughput on one thread: GFLOP/s (2·m·k·n / time) for 512³ and 1024³ in float32 and
// float64, warm-up first, median of repeats. `--crossover` also times the plain-JS path
// against the wasm path on small products (to set JS_MAX_WORK); `--shapes` times a few
// non-square and transposed shapes.
// Run: npx tsx bench/gemm.ts [--crossover] [--shapes]

import { loadavg } from "node:os";
import { createGemm, DEFAULT_GEMM_CONFIG, gemm, type GemmDtype, type GemmFn } from "../src/core/backend/gemm.js";

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[s.length >> 1]!;
};

function inputs(dtype: GemmDtype, m: number, k: number, n: number, batch = 1) {
  const C = dtype === "float32" ? Float32Array : Float64Array;
  const a = new C(batch * m * k).map(() => Math.random() - 0.5);
  const b = new C(batch * k * n).map(() => Math.random() - 0.5);
  return { a, b, c: new C(batch * m * n) };
}

/** Median seconds per call, each sample timing enough calls to last ≥ minMs. */
function time(fn: () => void, samples: number, minMs: number): number {
  for (let i = 0; i < 3; i++) fn(); // warm up: wasm tiers up after a few calls
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= minMs) break;
    reps = Math.max(reps * 2, Math.ceil((reps * minMs) / Math.max(dt, 1e-3)));
  }
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    out.push((performance.now() - t0) / 1000 / reps);
  }
  return median(out);
}

function gflops(g: GemmFn, dtype: GemmDtype, m: number, k: number, n: number, tA = false, tB = false, samples = 9): number {
  const { a, b, c } = inputs(dtype, m, k, n);
  const s = time(() => g(dtype, a, 0, 0, tA, b, 0, 0, tB, c, 0, 0, 1, m, k, n), samples, 200);
  return (2 * m * k * n) / s / 1e9;
}

// Other processes on a 2-vCPU machine halve these figures: the load average is printed so that
// a run on a busy machine can be recognised (≈1 = this process alone).
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`node ${process.version}, one thread, load average ${load()}`);
for (const size of [512, 1024]) {
  for (const dtype of ["float32", "float64"] as const) {
    console.log(`${dtype} ${size}³: ${gflops(gemm, dtype, size, size, size).toFixed(1)} GFLOP/s`);
  }
}

if (process.argv.includes("--shapes")) {
  const shapes: [number, number, number, boolean, boolean][] = [
    [1024, 1024, 1024, true, false], [1024, 1024, 1024, false, true], [1024, 1024, 1024, true, true],
    [256, 784, 128, false, false], [128, 256, 784, true, false], [2048, 64, 2048, false, false],
    [64, 4096, 64, false, false], [1, 1024, 1024, false, false], [1000, 1000, 1000, false, false],
    [2048, 2048, 2048, false, false],
  ];
  for (const dtype of ["float32", "float64"] as const) {
    for (const [m, k, n, tA, tB] of shapes) {
      const g = gflops(gemm, dtype, m, k, n, tA, tB, 5);
      console.log(`${dtype} ${m}×${k}×${n}${tA ? " Aᵀ" : ""}${tB ? " Bᵀ" : ""}: ${g.toFixed(1)} GFLOP/s`);
    }
  }
}

if (process.argv.includes("--crossover")) {
  // Best time per call of each path on small products of several shapes per size; JS_MAX_WORK
  // is set where wasm starts to win for most shapes.
  const js = createGemm({ ...DEFAULT_GEMM_CONFIG, wasm: null });
  const wasm = createGemm({ ...DEFAULT_GEMM_CONFIG, jsMaxWork: { float32: 0, float64: 0 } });
  const best = (fn: () => void): number => {
    for (let i = 0; i < 200; i++) fn();
    let t = Infinity;
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) fn();
      t = Math.min(t, (performance.now() - t0) / 200);
    }
    return t * 1000;
  };
  const shapes: [number, number, number][] = [];
  for (const w of [64, 128, 256, 512, 1024, 2048]) {
    const c = Math.round(Math.cbrt(w)), q = Math.round(Math.sqrt(w));
    shapes.push([c, c, Math.round(w / c / c)], [1, q, q], [q, q, 1], [q, 1, q], [2, 2, w / 4], [w / 4, 2, 2]);
  }
  for (const dtype of ["float32", "float64"] as const) {
    console.log(`\n${dtype}: shape, layout, m·k·n, js µs, wasm µs, faster`);
    for (const [m, k, n] of shapes) {
      for (const t of [false, true]) {
        const { a, b, c } = inputs(dtype, m, k, n);
        const tj = best(() => js(dtype, a, 0, 0, t, b, 0, 0, t, c, 0, 0, 1, m, k, n));
        const tw = best(() => wasm(dtype, a, 0, 0, t, b, 0, 0, t, c, 0, 0, 1, m, k, n));
        console.log(`${m}×${k}×${n}\t${t ? "AᵀBᵀ" : "AB"}\t${m * k * n}\t${tj.toFixed(2)}\t${tw.toFixed(2)}\t${tj < tw ? "js" : "wasm"}`);
      }
    }
  }
}

console.log(`load average at the end ${load()}`);
