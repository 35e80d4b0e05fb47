// Where splitting an op over the pool starts to pay: times each backend op inline (on the
// caller) and on the pool over a range of sizes, interleaved so that machine load hits both
// alike, and prints medians, the speed-up and the op's estimated single-thread cost against
// PARALLEL_MIN_NS (threaded.ts), plus the measured cost per unit behind COST_NS.
//
//   npx tsx bench/threshold.ts [--threads 2] [--reps 15]
import os from "node:os";
import { threadedBackend as B, KernelPool } from "../src/core/backend/index.js";
import { installPool } from "../src/core/backend/pool-scope.js";
import { COST_NS, PARALLEL_MIN_NS, tuning } from "../src/core/backend/threaded.js";
import { arena } from "../src/core/backend/storage.js";
import { registerKernels } from "../src/core/backend/registry.js";
import { probe, kernels as probeKernels } from "./lib/probe-kernel.js";
import type { TypedArray } from "../src/core/dtype.js";

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const THREADS = arg("threads", 2);
const REPS = arg("reps", 15);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
};

function rand(len: number, dtype: "float32" | "float64" = "float32"): TypedArray {
  const a = arena.alloc(dtype, len);
  for (let i = 0; i < len; i++) a[i] = Math.sin(i * 0.37);
  return a;
}

/** Median µs per call of `fn` with the threshold at `minNs`; batches of calls ≥ 1 ms each. */
function timeAt(minNs: number, fn: () => void, calls: number): number {
  tuning.minNs = minNs;
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return ((performance.now() - t0) * 1e3) / calls;
}

interface Case {
  name: string;
  /** units (elements, or m·k·n for matmul) for a size */
  sizes: number[];
  make(size: number): () => void;
  /** estimated single-thread ns the backend computes for this size */
  est(size: number): number;
}

const ew = (name: string, expr: string, cost: number): Case => ({
  name,
  sizes: [4096, 8192, 16384, 32768, 65536, 131072, 262144, 1 << 20],
  make(n) {
    const x = rand(n), y = rand(n), out = arena.alloc("float32", n);
    return () => B.elementwise(expr, [{ data: x, strides: [1] }, { data: y, strides: [1] }], [n], out);
  },
  est: (n) => n * cost,
});

const cases: Case[] = [
  ew("elementwise a0*a1+a0", "a0 * a1 + a0", COST_NS.elementwise),
  ew("elementwise Math.exp(a0)", "Math.exp(a0)", COST_NS.elementwise + COST_NS.mathCall),
  {
    name: "sum rows of 256",
    sizes: [8192, 16384, 32768, 65536, 131072, 262144, 1 << 20],
    make(n) {
      const x = rand(n), out = arena.alloc("float32", n / 256);
      return () => B.reduceRows("sum", x, n / 256, 256, out);
    },
    est: (n) => n * COST_NS.reduce,
  },
  {
    name: "sum of one row",
    sizes: [65536, 131072, 262144, 1 << 20],
    make(n) {
      const x = rand(n), out = arena.alloc("float32", 1);
      return () => B.reduceRows("sum", x, 1, n, out);
    },
    est: (n) => n * COST_NS.reduce,
  },
  {
    name: "transpose copy",
    sizes: [4096, 16384, 65536, 262144, 1 << 20],
    make(n) {
      const s = Math.sqrt(n), x = rand(n), out = arena.alloc("float32", n);
      return () => B.copyStrided(x, 0, [1, s], [s, s], out, 0, [s, 1]);
    },
    est: (n) => n * COST_NS.copy,
  },
  {
    name: "matmul f32 n³",
    sizes: [32, 48, 64, 96, 128, 192, 256, 512].map((n) => n ** 3),
    make(size) {
      const n = Math.round(Math.cbrt(size)), a = rand(n * n) as Float32Array, b = rand(n * n) as Float32Array, out = arena.alloc("float32", n * n) as Float32Array;
      const args = { a, aStride: 0, transA: false, b, bStride: 0, transB: false, batch: 1, m: n, k: n, n };
      return () => B.matmul("float32", args, out);
    },
    est: (s) => s * COST_NS.mac,
  },
];

async function main(): Promise<void> {
  registerKernels(probeKernels);
  const pool = new KernelPool({ threads: THREADS, workerModules: [new URL("./lib/probe-kernel.ts", import.meta.url).href] });
  await pool.start();
  installPool(pool);
  console.log(`threshold bench: ${THREADS} threads, ${os.availableParallelism()} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${REPS} interleaved reps; PARALLEL_MIN_NS = ${PARALLEL_MIN_NS}`);
  // the bare cost of a job: post, wake, claim two empty chunks, wait
  {
    const out = new Int32Array(new SharedArrayBuffer(8));
    const job = { name: "probe", kernel: probe, job: { out }, total: 2, per: 1 } as const;
    const xs: number[] = [];
    let onWorker = 0;
    for (let r = 0; r < 2000; r++) {
      out.fill(-1);
      const t0 = performance.now();
      pool.run(job);
      xs.push((performance.now() - t0) * 1e3);
      if (out[0]! >= 0 || out[1]! >= 0) onWorker++;
      if (r % 10 === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // let the workers fall asleep now and then
    }
    console.log(`\nempty 2-chunk job: median ${median(xs).toFixed(1)} µs, p90 ${[...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!.toFixed(1)} µs; a worker took a chunk in ${((100 * onWorker) / xs.length).toFixed(0)}% of jobs`);
  }
  const crossings: number[] = [];
  for (const c of cases) {
    console.log(`\n${c.name}`);
    console.log("      size    est µs   inline µs   pool µs   speed-up   inline ns/unit");
    let crossing: number | null = null;
    for (const size of c.sizes) {
      const fn = c.make(size);
      // warm up both paths, then size batches to ≥ 1 ms
      const one = Math.max(timeAt(Infinity, fn, 3), timeAt(0, fn, 3), 1);
      const calls = Math.max(1, Math.ceil(1000 / one));
      const inl: number[] = [], par: number[] = [];
      for (let r = 0; r < REPS; r++) {
        inl.push(timeAt(Infinity, fn, calls));
        par.push(timeAt(0, fn, calls));
      }
      const [i, p] = [median(inl), median(par)];
      if (p < 0.9 * i) crossing ??= c.est(size);
      else crossing = null; // must pay from here on up
      console.log(
        `${String(size).padStart(10)} ${(c.est(size) / 1e3).toFixed(1).padStart(9)} ${i.toFixed(1).padStart(11)} ${p.toFixed(1).padStart(9)} ${(i / p).toFixed(2).padStart(10)} ${((i * 1e3) / size).toFixed(3).padStart(16)}`,
      );
    }
    console.log(`  pays (≥ 10% faster for every larger size) from an estimated ${crossing === null ? "—" : `${(crossing / 1e3).toFixed(0)} µs`}`);
    if (crossing !== null) crossings.push(crossing);
  }
  tuning.minNs = PARALLEL_MIN_NS;
  console.log(`\nmedian crossing over ops: ${(median(crossings) / 1e3).toFixed(0)} µs estimated (PARALLEL_MIN_NS is ${PARALLEL_MIN_NS / 1e3} µs)`);
  await pool.shutdown();
}

void main();
