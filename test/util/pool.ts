// A worker pool for one describe block: started and installed before its tests, with the tuning
// overrides they need (e.g. minNs 0 so small ops go to the pool); tuning and the backend are
// restored and the pool shut down after them.
import { afterAll, beforeAll } from "vitest";
import { KernelPool, setBackend, threadedBackend } from "../../src/core/backend/index.js";
import { installPool } from "../../src/core/backend/pool-scope.js";
import { tuning } from "../../src/core/backend/kernel.js";

/** Registers the hooks; the returned function gives the running pool inside the tests. */
export function withPool(threads: number, overrides: Partial<typeof tuning> = {}): () => KernelPool {
  let pool: KernelPool | null = null;
  let uninstall: () => void = () => {};
  const saved = { ...tuning };
  beforeAll(async () => {
    pool = new KernelPool({ threads });
    await pool.start();
    uninstall = installPool(pool);
    Object.assign(tuning, overrides);
  });
  afterAll(async () => {
    Object.assign(tuning, saved);
    setBackend(threadedBackend);
    uninstall();
    await pool?.shutdown();
  });
  return () => {
    if (pool === null) throw new Error("withPool: the pool is only there inside the describe block's tests");
    return pool;
  };
}
