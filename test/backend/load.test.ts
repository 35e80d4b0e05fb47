// How the pool backs off on a busy machine, checked on what the library decides (never on
// timings): the load-factor rule, and that a raised factor keeps mid-size ops off the pool but
// for one re-measuring probe in 16.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KernelPool, threadedBackend } from "../../src/core/backend/index.js";
import { MAX_LOAD_FACTOR, nextLoadFactor } from "../../src/core/backend/pool.js";
import { installPool } from "../../src/core/backend/pool-scope.js";
import { tuning } from "../../src/core/backend/threaded.js";

describe("nextLoadFactor", () => {
  it("doubles when the helpers did not make the job 10% faster than the caller alone", () => {
    // 8 chunks, the caller ran 4 in 4 ms (1 ms each): alone ≈ 8 ms
    expect(nextLoadFactor(1, 8, 4, 4, 7.3)).toBe(2); // 7.3 > 0.9 · 8
    expect(nextLoadFactor(4, 8, 4, 4, 9)).toBe(8); // slower than alone
    expect(nextLoadFactor(1, 8, 8, 8, 8)).toBe(2); // the helpers ran nothing
  });
  it("halves when they did, within [1, MAX_LOAD_FACTOR]", () => {
    expect(nextLoadFactor(8, 8, 4, 4, 4.5)).toBe(4);
    expect(nextLoadFactor(1, 8, 4, 4, 4.5)).toBe(1);
    expect(nextLoadFactor(MAX_LOAD_FACTOR, 8, 8, 8, 8)).toBe(MAX_LOAD_FACTOR);
  });
  it("keeps the factor when the caller ran no chunk (nothing to compare with)", () => {
    expect(nextLoadFactor(16, 8, 0, 0, 5)).toBe(16);
  });
});

describe("the load factor gates the pool", () => {
  let pool: KernelPool;
  let uninstall: () => void;
  const saved = { ...tuning };
  beforeAll(async () => {
    pool = new KernelPool({ threads: 2 });
    await pool.start();
    uninstall = installPool(pool);
    Object.assign(tuning, { adaptive: true });
  });
  afterAll(async () => {
    Object.assign(tuning, saved);
    uninstall();
    await pool.shutdown();
  });

  // a0 * a1 + a0 over 2^17 elements: ≈ 210 µs estimated, 2.1 × minNs
  const n = 2 ** 17;
  const x = new Float32Array(new SharedArrayBuffer(4 * n)).fill(1.5);
  const out = new Float32Array(new SharedArrayBuffer(4 * n));
  const op = () => threadedBackend.elementwise("a0 * a1 + a0", [{ data: x, strides: [1] }, { data: x, strides: [1] }], [n], out);

  it("factor 1: every op above the threshold goes to the pool (its worker settled before each)", async () => {
    const jobs = pool.stats.jobs;
    for (let i = 0; i < 32; i++) {
      await pool.settle(); // the worker has taken every job posted so far: it would take the next
      pool.loadFactor = 1;
      op();
    }
    expect(pool.stats.jobs - jobs).toBe(32);
    expect(out[7]).toBe(3.75);
  });

  it("factor 64: the same ops run inline, but for one probe in 16", async () => {
    const jobs = pool.stats.jobs;
    for (let i = 0; i < 32; i++) {
      await pool.settle();
      pool.loadFactor = MAX_LOAD_FACTOR;
      op();
    }
    expect(pool.stats.jobs - jobs).toBe(2);
    expect(out[n - 1]).toBe(3.75);
  });

  it("no worker would take the job (still starting): the op runs inline and the workers start", async () => {
    const fresh = new KernelPool({ threads: 2 });
    const un = installPool(fresh);
    try {
      op(); // synchronously after construction: no worker can be ready yet
      expect(fresh.stats.jobs, "jobs posted to the pool").toBe(0);
      expect(fresh.stats.spawned, "workers started by the op").toBe(1);
      expect(out[3]).toBe(3.75);
      await fresh.settle();
      expect(fresh.responsiveWorkers()).toBe(1);
      op();
      expect(fresh.stats.jobs).toBe(1);
    } finally {
      un();
      await fresh.shutdown();
    }
  });

  it("with tuning.adaptive off the factor is ignored", () => {
    tuning.adaptive = false;
    const jobs = pool.stats.jobs;
    for (let i = 0; i < 16; i++) {
      pool.loadFactor = MAX_LOAD_FACTOR;
      op();
    }
    tuning.adaptive = true;
    expect(pool.stats.jobs - jobs).toBe(16);
  });
});
