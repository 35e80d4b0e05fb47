// The sort, topK, scatter and cumulative kernels on a 3-thread pool with tiny chunks and no
// threshold, through the primitives (small tensors live in ordinary ArrayBuffer slabs, so the
// outputs need the backend's shared stand-in): results equal the inline backend's bit for bit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lax, numpy as np, type Tensor } from "../../src/index.js";
import * as L from "../../src/core/lax.js";
import { cpuBackend, threadedBackend, KernelPool, setBackend } from "../../src/core/backend/index.js";
import { installPool } from "../../src/core/backend/pool-scope.js";
import { tuning } from "../../src/core/backend/threaded.js";

let pool: KernelPool;
let uninstall: () => void;
const saved = { ...tuning };
beforeAll(async () => {
  pool = new KernelPool({ threads: 3 });
  await pool.start();
  uninstall = installPool(pool);
  Object.assign(tuning, { minNs: 0, chunkNs: 16, piece: 256, adaptive: false });
});
afterAll(async () => {
  Object.assign(tuning, saved);
  setBackend(threadedBackend);
  uninstall();
  await pool.shutdown();
});

const bits = (ts: Tensor[]) => ts.map((t) => Array.from(t.dataSync() as ArrayLike<number>));
function same(run: () => Tensor[]): void {
  setBackend(cpuBackend);
  const want = bits(run());
  setBackend(threadedBackend);
  pool.settle();
  const got = bits(run());
  expect(got).toEqual(want);
}

describe("sort, topK, scatter and cumulative kernels on the pool", () => {
  const x = np.array(Float32Array.from({ length: 60 }, (_, i) => Math.sin(i * 7.3) * 3)).reshape([3, 20]);
  it("sort (several lines, two operands, an inner axis) and topK", () => {
    same(() => L.sortMany([x, L.iota([3, 20], 1, "int32")], 1));
    same(() => L.sortMany([x], 0));
    same(() => L.topK(x, 5));
  });
  it("scatter modes and the cumulative scans", () => {
    const idx = np.array(Int32Array.of(2, 0, 2, -1, 7));
    const u = np.ones([3, 5]);
    for (const mode of ["set", "add", "mul", "min", "max"] as const) same(() => [L.scatter(x, idx, u.mul(2), 1, mode)]);
    same(() => [lax.cumprod(x, { axis: 1 }), lax.cummax(x, { axis: 0, reverse: true }), lax.cumlogsumexp(x, { axis: 1 })]);
  });
});
