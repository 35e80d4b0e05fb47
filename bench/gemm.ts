// GEMM throughput on one thread: GFLOP/s (2·m·k·n / time) for 512³ and 1024³ in float32 and
// float64, warm-up first, median of repeats. `--crossover` also times the plain-JS path
// against the wasm path on small products (to set JS_MAX_WORK); `--shapes` times a few
// non-square and transposed shapes.
// Run: npx tsx bench/gemm.ts [--crossover] [--shapes]

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

console.log(`node ${process.version}, one thread`);
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
  // Time per call of each path on small products; the threshold is the largest m·k·n where JS
  // still wins for most shapes of that size.
  const js = createGemm({ ...DEFAULT_GEMM_CONFIG, wasm: null });
  const wasm = createGemm({ ...DEFAULT_GEMM_CONFIG, jsMaxWork: 0 });
  const dims = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64];
  for (const dtype of ["float32", "float64"] as const) {
    console.log(`\n${dtype}: m k n, work, js µs, wasm µs`);
    for (const m of dims) {
      for (const k of [m, 4 * m]) {
        const n = m;
        const { a, b, c } = inputs(dtype, m, k, n);
        const tj = time(() => js(dtype, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, m, k, n), 7, 20);
        const tw = time(() => wasm(dtype, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, m, k, n), 7, 20);
        console.log(`${m} ${k} ${n}\t${m * k * n}\t${(tj * 1e6).toFixed(2)}\t${(tw * 1e6).toFixed(2)}\t${tj < tw ? "js" : "wasm"}`);
      }
    }
  }
}
