// The arena's counters stay flat over a bounded loop of 10⁴ training-like steps once warmed
// up: every buffer a step makes (small slab blocks, large size-classed buffers, the pool's
// reduction scratch) goes back to the free lists and is reused, so nothing new is created.
// Buffers nobody disposes are the GC's, and V8 does not count shared memory: the arena runs the
// full collections V8 would (gc-pressure.ts), checked in a child process without --expose-gc.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grad, numpy as np, tidy, type Tensor } from "../../src/index.js";
import { backend, KernelPool } from "../../src/core/backend/index.js";
import { installPool } from "../../src/core/backend/pool-scope.js";
import { tuning } from "../../src/core/backend/threaded.js";
import { MIN_BUDGET, SharedMemoryPressure } from "../../src/core/backend/gc-pressure.js";

describe("memory", () => {
  let pool: KernelPool;
  let uninstall: () => void;
  const saved = { ...tuning };
  beforeAll(async () => {
    tuning.adaptive = false; // the loop below must go to the pool whatever the machine's load
    pool = new KernelPool({ threads: 2 });
    await pool.start();
    uninstall = installPool(pool);
    Object.assign(tuning, { minNs: 20_000, piece: 2048 }); // the 8192-element sum below runs on the pool, in leaves
  });
  afterAll(async () => {
    Object.assign(tuning, saved);
    uninstall();
    await pool.shutdown();
  });

  it("10⁴ steps of a small gradient computation with tidy create no buffer after warm-up", () => {
    const x = np.linspace(-1, 1, 8192).reshape([64, 128]); // 32 KiB: a large, size-classed buffer
    let w = np.multiply(np.ones([128, 32]), 0.01); // 16 KiB: large (slab blocks go up to 8 KiB)
    let b = np.zeros([32]); // a small slab block
    const loss = (w: Tensor, b: Tensor) => np.mean(np.square(np.tanh(np.add(np.matmul(x, w), b))));
    const step = () => {
      const [nw, nb] = tidy(() => {
        const [gw, gb] = grad(loss, { argnums: [0, 1] })(w, b) as Tensor[];
        np.sum(np.exp(x)); // a long single-row reduction on the pool (scratch from the arena)
        return [np.subtract(w, np.multiply(gw!, 0.1)), np.subtract(b, np.multiply(gb!, 0.1))];
      });
      w.dispose();
      b.dispose();
      [w, b] = [nw!, nb!];
    };
    for (let i = 0; i < 200; i++) step();
    const warm = backend().arenaStats();
    const jobs = pool.stats.jobs;
    for (let i = 0; i < 10_000; i++) step();
    const end = backend().arenaStats();
    expect(pool.stats.jobs - jobs).toBeGreaterThanOrEqual(10_000); // the pool path was exercised
    expect(end.created, "large buffers created after warm-up").toBe(warm.created);
    expect(end.slabs, "slabs created after warm-up").toBe(warm.slabs);
    expect(end.reused - warm.reused).toBeGreaterThan(10_000);
    expect(end.smallReused - warm.smallReused).toBeGreaterThan(10_000);
    expect(end.freeBytes).toBeLessThanOrEqual(warm.freeBytes + 64 * 1024);
  }, 120_000);
});

describe("workers keep no buffer alive", () => {
  it("every worker of pools started together gets V8's gc (the process-wide flag flip is locked)", async () => {
    // Without the lock in worker.ts (exposeGc), workers starting together switch --expose-gc off
    // under each other: measured 1 of 80 workers without gc, and such a worker keeps every buffer.
    for (let round = 0; round < 3; round++) {
      const pools = [new KernelPool({ threads: 5 }), new KernelPool({ threads: 5 })];
      await Promise.all(pools.map((p) => p.start()));
      try {
        for (const p of pools) {
          const un = installPool(p);
          try {
            tidy(() => np.sum(np.exp(np.linspace(0, 1, 1 << 18)))); // a job: starts the workers
          } finally {
            un();
          }
        }
        const until = Date.now() + 20_000;
        while (pools.some((p) => p.workersGc().length < 4 || p.workersGc().includes(0)) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        for (const p of pools) expect(p.workersGc()).toEqual([1, 1, 1, 1]);
      } finally {
        await Promise.all(pools.map((p) => p.shutdown()));
      }
    }
  }, 120_000);

  it("100 jobs over fresh 4 MiB buffers: once the workers have scavenged, none of the 800 MiB made is still held", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", "test/backend/fixtures/retention.ts"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { baseMiB: number; afterMiB: number; madeMiB: number; pooledJobs: number };
    // the jobs went to the workers (one may run inline when every worker is behind on its
    // messages at that moment, which scheduling decides): the retention below is theirs
    expect(r.pooledJobs, JSON.stringify(r)).toBeGreaterThanOrEqual(90);
    // Without the workers' own scavenges (revert collect() in worker.ts) they keep every job's
    // buffers: measured +800 MiB. What may remain: the two buffers of a job a worker took last.
    expect(r.afterMiB - r.baseMiB, JSON.stringify(r)).toBeLessThanOrEqual(16);
  }, 150_000);
});

describe("shared-memory garbage V8 does not count", () => {
  it("a sync loop whose 1 MiB tensors die in the old generation stays bounded without --expose-gc (the arena collects)", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const out = execFileSync(process.execPath, ["--max-semi-space-size=1", "--import", "tsx", "test/backend/fixtures/shared-garbage.ts"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { madeMiB: number; maxGrowthMiB: number; endGrowthMiB: number; collections: number };
    // Without the arena's collections (revert the willCreate call in storage.ts) V8 frees none of
    // the 480 MiB: measured growth 480 MiB, 0 collections. With them: one per 64 MiB of fresh
    // buffers, growth ≤ budget (64) + the ring (8) + the finalizer's pending cap (16) + what
    // V8's background sweeper has not freed yet. Measured: 84 MiB and 7 collections on Node 22 at
    // load 3; without the budget's re-check (gc-pressure.ts) 94–113 MiB, and once 161 MiB with 4
    // collections on a loaded CI machine.
    expect(r.maxGrowthMiB, JSON.stringify(r)).toBeLessThanOrEqual(r.madeMiB / 3);
    expect(r.collections, JSON.stringify(r)).toBeGreaterThanOrEqual(3);
  }, 150_000);

  it("the budget: one full collection per 64 MiB of fresh buffers, or per the bytes that survived the last one", () => {
    // A model of process.memoryUsage().arrayBuffers: the bytes the program holds, plus the fresh
    // buffers made since the last collection (garbage or not, they count until collected), plus
    // what a collection found dead but V8's concurrent sweeper has not released yet.
    const MiB = 2 ** 20;
    let held = 0;
    let fresh = 0;
    let unswept = 0;
    let gcs = 0;
    const p = new SharedMemoryPressure(() => held + fresh + unswept, () => () => void (gcs++, (fresh = 0)));
    const make = () => {
      const collected = p.willCreate(MiB);
      fresh += MiB;
      return collected;
    };
    for (let i = 0; i < 63; i++) expect(make()).toBe(false);
    expect(make()).toBe(true); // the 64th MiB
    expect([gcs, p.collections, p.budget]).toEqual([1, 1, MIN_BUDGET]);
    held = 200 * MiB; // a program that holds 200 MiB: the next collection after 200 MiB more
    for (let i = 0; i < 63; i++) make();
    expect(make()).toBe(true);
    expect(p.budget).toBe(200 * MiB);
    for (let i = 0; i < 199; i++) expect(make()).toBe(false);
    expect(make()).toBe(true);
    expect(gcs).toBe(3);
    // The program lets go of its 200 MiB, and the collection that finds them dead returns before
    // the sweeper releases them: the budget it sets (200 MiB) is seen to be stale at the next
    // re-check, past the 64 MiB minimum, and the collection after comes at 64 MiB, not at 200.
    held = 0;
    unswept = 200 * MiB;
    for (let i = 0; i < 199; i++) make();
    expect(make()).toBe(true);
    expect(p.budget).toBe(200 * MiB);
    unswept = 0; // swept
    for (let i = 0; i < 63; i++) expect(make()).toBe(false);
    expect(make()).toBe(true); // the 64th MiB: the re-check found 0 bytes survived
    expect([gcs, p.budget]).toEqual([5, MIN_BUDGET]);
    const off = new SharedMemoryPressure(() => 0, () => null); // no gc available: counts, never throws
    for (let i = 0; i < 200; i++) expect(off.willCreate(MiB)).toBe(false);
    expect(off.collections).toBe(0);
  });
});
