// Subnormal cliff of the GEMM (issue 21): 256³ float32 (and float64) A·B on ordinary values vs
// values whose products are subnormal, interleaved, median of rounds. Run with one thread:
//   TAPIR_THREADS=1 npx tsx bench/subnormal.ts [--ieee]
// --ieee switches flush-to-zero off (the IEEE path: shows the cliff). --ab: ordinary data only,
// flush on vs off interleaved (what the screen costs; off is main's code path).
import { gemm, gemmFlush, setGemmFlush, type GemmDtype } from "../src/core/backend/gemm.js";

const flush = !process.argv.includes("--ieee");
setGemmFlush(flush);
const N = 256;
const ROUNDS = Number(process.env["ROUNDS"] ?? 15);

function fill(d: GemmDtype, scale: number, seed: number): Float32Array | Float64Array {
  const x = d === "float32" ? new Float32Array(N * N) : new Float64Array(N * N);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32 + 0.5) * scale;
  }
  return x;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

if (process.argv.includes("--ab")) {
  for (const d of ["float32", "float64"] as const) {
    const a = fill(d, 1, 1), b = fill(d, 1, 2);
    const c = d === "float32" ? new Float32Array(N * N) : new Float64Array(N * N);
    const t: Record<string, number[]> = { on: [], off: [] };
    for (let r = 0; r < ROUNDS + 3; r++) {
      for (const mode of ["on", "off"] as const) {
        setGemmFlush(mode === "on");
        const t0 = performance.now();
        for (let i = 0; i < 5; i++) gemm(d, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, N, N, N, 0, N, gemmFlush());
        if (r >= 3) t[mode]!.push((performance.now() - t0) / 5);
      }
    }
    const on = median(t["on"]!), off = median(t["off"]!);
    console.log(`${d} ${N}³ ordinary: flush on ${on.toFixed(3)} ms, off ${off.toFixed(3)} ms, on/off ${(on / off).toFixed(3)}`);
  }
  process.exit(0);
}

for (const [d, tiny] of [["float32", 1e-20], ["float64", 1e-160]] as const) {
  const cases = { ordinary: [fill(d, 1, 1), fill(d, 1, 2)], tiny: [fill(d, tiny, 1), fill(d, tiny, 2)] };
  const c = d === "float32" ? new Float32Array(N * N) : new Float64Array(N * N);
  const times: Record<string, number[]> = { ordinary: [], tiny: [] };
  const once = (a: Float32Array | Float64Array, b: Float32Array | Float64Array): number => {
    const t0 = performance.now();
    gemm(d, a, 0, 0, false, b, 0, 0, false, c, 0, 0, 1, N, N, N, 0, N, gemmFlush());
    return performance.now() - t0;
  };
  for (let r = 0; r < 3; r++) for (const [a, b] of Object.values(cases)) once(a!, b!);
  const reps = (ms: number): number => Math.max(1, Math.ceil(20 / ms));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, [a, b]] of Object.entries(cases)) {
      const n = name === "tiny" && !flush ? 1 : reps(1);
      let t = 0;
      for (let i = 0; i < n; i++) t += once(a!, b!);
      times[name]!.push(t / n);
    }
  }
  const o = median(times["ordinary"]!), t = median(times["tiny"]!);
  console.log(`${d} ${N}³ flush=${flush}: ordinary ${o.toFixed(3)} ms, tiny ${t.toFixed(3)} ms, ratio ${(t / o).toFixed(2)}`);
}
