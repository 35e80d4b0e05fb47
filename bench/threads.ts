// Thread scaling of the runtime on this machine: W2 (matmul 1024 f32, GFLOP/s), an elementwise
// op on 1e6 elements, and W1 (the MLP gradient step, eager) with 1 vs 2 (or --threads a,b,…)
// threads. Pools of each size run side by side and the measurements interleave, so machine
// load hits every thread count alike; figures are medians. Results are checked bit-identical.
//
//   npx tsx bench/threads.ts [--threads 1,2] [--reps 15] [--only W1,exp]
import os from "node:os";
import { grad, numpy as np, random, type Tensor } from "../src/index.js";
import { KernelPool } from "../src/core/backend/index.js";
import { installPool } from "../src/core/backend/pool-scope.js";

const argOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const THREADS = (argOf("threads") ?? "1,2").split(",").map(Number);
const REPS = Number(argOf("reps") ?? 15);
const ONLY = argOf("only")?.split(",");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
};

interface Workload {
  name: string;
  /** one call; returns the tensors whose bytes must not depend on the thread count */
  run(): Tensor[];
  /** how to print a median of `ms` per call */
  show(ms: number): string;
}

const k = (i: number) => random.key(42 + i);

const a1024 = random.normal(k(0), [1024, 1024]);
const b1024 = random.normal(k(1), [1024, 1024]);
const x1e6 = random.normal(k(2), [1_000_000]);
const y1e6 = random.normal(k(3), [1_000_000]);
// W1 (WORKLOADS.md): x[128,784], W1[784,256], b1[256], tanh, W2[256,10], b2[10], targets[128,10]
const x = random.normal(k(4), [128, 784]);
const w1 = np.multiply(random.normal(k(5), [784, 256]), 0.05);
const b1 = np.zeros([256]);
const w2 = np.multiply(random.normal(k(6), [256, 10]), 0.05);
const b2 = np.zeros([10]);
const t = random.normal(k(7), [128, 10]);
const mlpLoss = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) =>
  np.mean(np.square(np.subtract(np.add(np.matmul(np.tanh(np.add(np.matmul(x, w1), b1)), w2), b2), t)));
const mlpGrad = grad(mlpLoss, { argnums: [0, 1, 2, 3] });

const dispose = (ts: Tensor[]) => ts.forEach((z) => z.dispose());

const workloads: Workload[] = [
  { name: "W2 matmul 1024 f32", run: () => [np.matmul(a1024, b1024)], show: (ms) => `${((2 * 1024 ** 3) / (ms * 1e6)).toFixed(1)} GFLOP/s (${ms.toFixed(2)} ms)` },
  { name: "multiply 1e6 f32", run: () => [np.multiply(x1e6, y1e6)], show: (ms) => `${ms.toFixed(3)} ms (${(1000 / ms).toFixed(0)} M elem/s)` },
  { name: "exp 1e6 f32", run: () => [np.exp(x1e6)], show: (ms) => `${ms.toFixed(3)} ms (${(1000 / ms).toFixed(0)} M elem/s)` },
  { name: "sum 1e6 f32", run: () => [np.sum(x1e6)], show: (ms) => `${ms.toFixed(3)} ms` },
  { name: "W1 MLP grad step (eager)", run: () => mlpGrad(w1, b1, w2, b2) as Tensor[], show: (ms) => `${ms.toFixed(2)} ms` },
];

function bytesOf(ts: Tensor[]): string {
  return ts.map((z) => Buffer.from(z.dataSync().buffer).toString("base64")).join("|");
}

async function main(): Promise<void> {
  const pools = new Map<number, KernelPool>();
  for (const n of THREADS) {
    const p = new KernelPool({ threads: n });
    await p.start();
    pools.set(n, p);
  }
  const on = <T>(n: number, fn: () => T): T => {
    const uninstall = installPool(pools.get(n)!);
    try {
      return fn();
    } finally {
      uninstall();
    }
  };
  console.log(`threads bench: ${os.cpus()[0]?.model ?? "?"}, ${os.availableParallelism()} cores, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${REPS} interleaved reps`);
  const rows: string[] = [];
  for (const w of workloads) {
    if (ONLY && !ONLY.some((o) => w.name.includes(o))) continue;
    // warm-up and the bit-identity check
    const ref = on(THREADS[0]!, () => bytesOf(w.run()));
    for (const n of THREADS) {
      for (let i = 0; i < 3; i++) on(n, () => dispose(w.run()));
      if (on(n, () => bytesOf(w.run())) !== ref) throw new Error(`${w.name}: ${n} threads gave different bits than ${THREADS[0]}`);
    }
    const one = on(THREADS[0]!, () => {
      const t0 = performance.now();
      dispose(w.run());
      return performance.now() - t0;
    });
    const calls = Math.max(1, Math.ceil(20 / Math.max(one, 0.01)));
    const times = new Map<number, number[]>(THREADS.map((n) => [n, []]));
    for (let r = 0; r < REPS; r++) {
      for (const n of THREADS) {
        on(n, () => {
          const t0 = performance.now();
          for (let i = 0; i < calls; i++) dispose(w.run());
          times.get(n)!.push((performance.now() - t0) / calls);
        });
      }
    }
    const base = median(times.get(THREADS[0]!)!);
    const cells = THREADS.map((n) => {
      const m = median(times.get(n)!);
      return `${n} thr: ${w.show(m)}${n === THREADS[0] ? "" : ` ×${(base / m).toFixed(2)}`}`;
    });
    const line = `${w.name.padEnd(26)} ${cells.join("   ")}`;
    rows.push(line);
    console.log(line);
  }
  for (const p of pools.values()) await p.shutdown();
}

void main();
