// Factorization throughput next to the GEMM's, on one thread, at the same size: GFLOP/s of
// Cholesky (n³/3 flops), LU with partial pivoting (2n³/3) and a left triangular solve with n
// right-hand sides (n³), against the GEMM (2n³), float64 and float32. The kernels are called
// directly (no tensor layer); samples interleave the four so a busy machine slows them alike.
// Run: npx tsx bench/linalg.ts [--n 1024] [--samples 5]

import { loadavg } from "node:os";
import { gemm, type GemmDtype } from "../src/core/backend/gemm.js";
import { cholesky, lu, triangularSolve } from "../src/core/backend/kernels/linalg-factor.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const n = arg("--n", 1024);
const samples = arg("--samples", 5);
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;

function run(dt: GemmDtype): void {
  const C = dt === "float32" ? Float32Array : Float64Array;
  const g = new C(n * n).map(() => Math.random() - 0.5);
  // a well-conditioned SPD matrix: G·Gᵀ/n + I
  const spd = new C(n * n);
  gemm(dt, g, 0, 0, false, g, 0, 0, true, spd, 0, 0, 1, n, n, n);
  for (let i = 0; i < n * n; i++) spd[i] = spd[i]! / n + (i % (n + 1) === 0 ? 1 : 0);
  const out = new C(n * n);
  const piv = new C(n);
  const perm = new C(n);
  const ops: [string, number, () => void][] = [
    ["gemm", 2 * n ** 3, () => gemm(dt, g, 0, 0, false, spd, 0, 0, false, out, 0, 0, 1, n, n, n)],
    ["cholesky", n ** 3 / 3, () => cholesky(dt, spd, 0, out, 0, n)],
    ["lu", (2 * n ** 3) / 3, () => lu(dt, g, 0, out, 0, n, n, piv, 0, perm, 0)],
    ["trsm (n rhs)", n ** 3, () => triangularSolve(dt, spd, 0, g, 0, out, 0, n, n, { leftSide: true, lower: true, transposeA: false, unitDiagonal: false })],
  ];
  for (const [, , f] of ops) f(); // warm up (wasm tier-up, scratch growth)
  const times = ops.map(() => [] as number[]);
  for (let s = 0; s < samples; s++) {
    ops.forEach(([, , f], i) => {
      const t0 = performance.now();
      f();
      times[i]!.push((performance.now() - t0) / 1000);
    });
  }
  const gemmRate = ops[0]![1] / median(times[0]!) / 1e9;
  for (const [i, [name, flops]] of ops.entries()) {
    const t = median(times[i]!);
    const rate = flops / t / 1e9;
    console.log(`${dt}  ${name.padEnd(13)} n=${n}  ${(t * 1000).toFixed(1).padStart(8)} ms  ${rate.toFixed(2).padStart(6)} GFLOP/s  ${((100 * rate) / gemmRate).toFixed(0).padStart(4)}% of GEMM`);
  }
}

console.log(`one thread, median of ${samples} interleaved samples · load average ${loadavg()[0]!.toFixed(1)}`);
run("float64");
run("float32");
