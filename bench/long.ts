// W15 long_program (issue 21): jit gradient of Σ of a chain of n elementwise ops on x[64]
// (alternating sin and × 1.0001), n = 200 and 2000, jit against eager, interleaved in one run.
// Times are CPU time of the process (median of interleaved rounds). Prints µs per op for each, the 2000/200 per-op ratio, jit/eager, and the first-call time.
// Run with one thread:  TAPIR_THREADS=1 npx tsx bench/long.ts [--quick] [--n 200,2000]
import { numpy as np, grad, jit, type Tensor } from "../src/index.js";

const quick = process.argv.includes("--quick");
const nArg = process.argv.indexOf("--n");
const SIZES = nArg >= 0 ? process.argv[nArg + 1]!.split(",").map(Number) : [200, 2000];
const ROUNDS = quick ? 5 : 15;

const chain = (n: number) => (x: Tensor): Tensor => {
  let h = x;
  for (let i = 0; i < n; i++) h = i % 2 === 0 ? np.sin(h) : np.multiply(h, 1.0001);
  return np.sum(h);
};

const x = np.linspace(-1, 1, 64);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
// CPU time of this process (ms): on a loaded machine, wall time also counts other processes' turns
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const rows: { n: number; first: number; second: number; third: number; jit: number; eager: number }[] = [];
for (const n of SIZES) {
  const f = chain(n);
  const eager = grad(f);
  const t0 = performance.now();
  const jf = jit(grad(f));
  jf(x).dispose?.();
  const first = performance.now() - t0;
  // the 2nd and 3rd calls (how soon the speed settles), a warm-up of ≥ 2 s (the engine compiles
  // hot loops in the background), then interleaved rounds
  let c = cpu();
  jf(x);
  const second = cpu() - c;
  c = cpu();
  jf(x);
  const third = cpu() - c;
  const until = performance.now() + (quick ? 200 : 2000);
  for (let i = 0; i < 20 || performance.now() < until; i++) (jf(x), eager(x));
  const reps = Math.max(1, Math.round(4000 / n));
  const tj: number[] = [], te: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let s = cpu();
    for (let i = 0; i < reps; i++) jf(x);
    tj.push((cpu() - s) / reps);
    s = cpu();
    for (let i = 0; i < reps; i++) eager(x);
    te.push((cpu() - s) / reps);
  }
  if (!np.allclose(jf(x), eager(x), { rtol: 1e-6, atol: 1e-7 })) throw new Error(`W15 n=${n}: jit differs from eager`);
  rows.push({ n, first, second, third, jit: median(tj), eager: median(te) });
}
console.log("| n | first call ms | 2nd, 3rd call ms | jit ms | eager ms | jit µs/op | eager µs/op | jit/eager |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows)
  console.log(`| ${r.n} | ${r.first.toFixed(1)} | ${r.second.toFixed(1)}, ${r.third.toFixed(1)} | ${r.jit.toFixed(3)} | ${r.eager.toFixed(3)} | ${((r.jit * 1000) / r.n).toFixed(2)} | ${((r.eager * 1000) / r.n).toFixed(2)} | ${(r.jit / r.eager).toFixed(2)} |`);
if (rows.length >= 2) {
  const a = rows[0]!, b = rows[rows.length - 1]!;
  console.log(`jit per-op ratio n=${b.n}/n=${a.n}: ${((b.jit / b.n) / (a.jit / a.n)).toFixed(2)}× (goal ≤ 1.5×)`);
}
