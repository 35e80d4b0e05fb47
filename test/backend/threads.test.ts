// Results do not depend on the thread count (child processes with TAPIR_THREADS = 1, 2, 4, and
// with tiny chunks) on data whose sums depend on their order, and a process that used the pool
// exits on its own.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseThreadsEnv } from "../../src/core/backend/threads.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const WORKLOAD = "test/backend/fixtures/workload.ts";

interface Run {
  digest: string;
  threads: number;
  pooledJobs: number;
  parts: Record<string, string>;
  orderSensitive: Record<string, boolean>;
}

function node(args: string[], env: Record<string, string>, timeout = 120_000): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", ...args], { cwd: root, env: { ...process.env, ...env }, timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

async function workload(threads: number, fine = false): Promise<Run> {
  const r = await node([WORKLOAD, ...(fine ? ["fine"] : [])], { TAPIR_THREADS: String(threads), TAPIR_THREADS_FORCE: "1" });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Run;
}

describe("1 thread vs N threads", () => {
  it("matmul, order-sensitive reductions, an MLP gradient and random numbers are bit-identical for 1, 2 and 4 threads and any chunk size", async () => {
    const one = await workload(1);
    expect(one.orderSensitive, "the wide-magnitude data sums differently in another order").toEqual({ float32: true, float64: true });
    expect(one.threads).toBe(1);
    expect(one.pooledJobs).toBe(0);
    for (const [threads, fine] of [[2, false], [4, false], [2, true], [4, true]] as const) {
      const r = await workload(threads, fine);
      expect(r.threads).toBe(threads);
      expect(r.pooledJobs, "the workload ran jobs on the workers").toBeGreaterThan(10);
      expect(r.parts, `${threads} threads${fine ? ", fine chunks" : ""}`).toEqual(one.parts);
      expect(r.digest).toBe(one.digest);
    }
  }, 300_000);
});

describe("process lifetime", () => {
  it("a process that used the pool exits on its own", async () => {
    const script = `
      import { numpy as np, config } from "./src/index.ts";
      import { currentPool } from "./src/core/backend/pool-scope.ts";
      await currentPool().start();
      const a = np.ones([400, 400]);
      np.matmul(a, a).dataSync();
      if (currentPool().stats.jobs - currentPool().stats.inlineJobs < 1) throw new Error("the pool was not used");
      console.log("done", config.threads());
    `;
    // A process held open by the pool never exits: node() kills it at the bound (far above the
    // ~5 s it takes even with the machine busy; loading the TS sources and starting 2 workers
    // took up to 20 s at load 20), and the code is then not 0. No wall-clock assertion.
    const r = await node(["--input-type=module", "-e", script], { TAPIR_THREADS: "3", TAPIR_THREADS_FORCE: "1" }, 90_000);
    expect(r.stderr).toBe("");
    expect(r.code, `exit after ${r.ms} ms`).toBe(0);
    expect(r.stdout.trim()).toBe("done 3");
  }, 120_000);
});

describe("TAPIR_THREADS is checked once, at start-up", () => {
  it.each(["0", "abc", "-1", "2.5", "1e3", "0x4"])("%j is not a positive integer: warning, default", (v) => {
    const r = parseThreadsEnv(v, false, 8);
    expect(r.threads).toBeUndefined();
    expect(r.warning).toMatch(/TAPIR_THREADS must be a positive integer, got .*; using 8/);
  });
  it("unset or empty: the default, silently; a valid value is taken", () => {
    expect(parseThreadsEnv(undefined, false, 8)).toEqual({ threads: undefined, warning: null });
    expect(parseThreadsEnv(" ", false, 8)).toEqual({ threads: undefined, warning: null });
    expect(parseThreadsEnv("3", false, 8)).toEqual({ threads: 3, warning: null });
  });
  it("above the available parallelism: capped with a warning, unless forced", () => {
    expect(parseThreadsEnv("64", false, 8).threads).toBe(8);
    expect(parseThreadsEnv("64", false, 8).warning).toMatch(/TAPIR_THREADS=64 is more than the 8 threads .*TAPIR_THREADS_FORCE=1/);
    expect(parseThreadsEnv("64", true, 8)).toEqual({ threads: 64, warning: null });
  });

  it("in a process: the warning is printed when tapir loads, the default is used, and a large op works", async () => {
    const probe = `
      import os from "node:os";
      import { config, numpy as np } from "./src/index.ts";
      const big = np.sum(np.ones([1000000])).item(); // above the parallel threshold
      console.log(JSON.stringify({ threads: config.threads(), cores: os.availableParallelism(), big }));
    `;
    const r = await node(["--input-type=module", "-e", probe], { TAPIR_THREADS: "abc" }, 60_000);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { threads: number; cores: number; big: number };
    expect(out.threads).toBe(out.cores);
    expect(out.big).toBe(1_000_000);
    expect(r.stderr).toMatch(/\[TAPIR_THREADS\] Warning: TAPIR_THREADS must be a positive integer, got "abc"/);
  }, 60_000);
});
