// Faults on the pool: a kernel that throws, a worker that dies mid-call, a worker that hangs,
// a worker terminated between calls. Each call throws a WorkerError (or, for a worker lost
// between calls, still succeeds), and the next call works.
import { Effect } from "effect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WorkerError } from "../../src/core/errors.js";
import { KernelPool, threadedBackend, threadPoolLayer, ThreadPool } from "../../src/core/backend/index.js";
import { installPool } from "../../src/core/backend/pool.js";
import { runTestJob, tuning } from "../../src/core/backend/threaded.js";
import { arena } from "../../src/core/backend/storage.js";

const CHUNKS = 12;

/** Caller chunks of test jobs wait up to this long for a worker to start one (then go on at once). */
const WAIT = 3000;

/** A job that runs on the caller and the workers (a worker surely takes a chunk, unless none is ready). */
function okJob(): Int32Array {
  return runTestJob(`ok:${WAIT}`, CHUNKS);
}

function expectWorkerError(fn: () => unknown, pattern: RegExp): WorkerError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WorkerError);
  expect((caught as WorkerError)._tag).toBe("WorkerError");
  expect((caught as Error).message).toMatch(pattern);
  return caught as WorkerError;
}

describe("faults", () => {
  let pool: KernelPool;
  let uninstall: () => void;
  beforeAll(async () => {
    pool = new KernelPool({ threads: 3, stallMs: 1500 });
    await pool.start();
    uninstall = installPool(pool);
  });
  afterAll(async () => {
    uninstall();
    await pool.shutdown();
  });

  beforeEach(() => pool.settle()); // each case starts with every worker awake to the previous job

  it("a healthy job uses the workers", () => {
    const out = okJob();
    expect(Array.from(out).some((w) => w >= 0)).toBe(true); // some chunk ran on a worker
  });

  it("a kernel that throws on a worker → WorkerError with the cause; the next call works", () => {
    const err = expectWorkerError(() => runTestJob(`throw:${WAIT}`, CHUNKS), /threw on worker \d in chunk \d+.*RangeError: injected fault/);
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(((err as Error).cause as Error).message).toMatch(/injected fault/);
    expect(Array.from(okJob()).some((w) => w >= 0)).toBe(true);
  });

  it("an elementwise kernel that throws everywhere → WorkerError; the next call works", async () => {
    const saved = { ...tuning };
    Object.assign(tuning, { minNs: 0, chunkNs: 150 });
    try {
      const x = arena.alloc("float64", 4096);
      const out = arena.alloc("float64", 4096);
      expectWorkerError(
        () => threadedBackend.elementwise(`(() => { throw new TypeError("bad expr"); })()`, [{ data: x, strides: [1] }], [4096], out),
        /elementwise kernel threw on .*TypeError: bad expr/,
      );
      x.fill(2);
      threadedBackend.elementwise("a0 * 3", [{ data: x, strides: [1] }], [4096], out);
      expect(out.every((v) => v === 6)).toBe(true);
    } finally {
      Object.assign(tuning, saved);
    }
  });

  it("a worker that dies mid-call → WorkerError naming it; the pool replaces it and the next call works", async () => {
    const before = pool.stats.replaced;
    expectWorkerError(() => runTestJob(`exit:${WAIT}`, CHUNKS), /worker \d died \(exit code 7\) while running chunk \d+/);
    expect(Array.from(runTestJob("ok:0", CHUNKS)).every((w) => w === -1 || w >= 0)).toBe(true); // completes (workers may still be booting)
    expect(pool.stats.replaced).toBeGreaterThan(before);
    await pool.start(); // replacements booted
    expect(pool.liveWorkers()).toBe(2);
    expect(Array.from(okJob()).some((w) => w >= 0)).toBe(true);
  });

  it("a worker that hangs → WorkerError after the stall limit naming the worker; the next call works", async () => {
    const t0 = Date.now();
    expectWorkerError(() => runTestJob(`hang:${WAIT}`, CHUNKS), /made no progress for \d+ ms \(stall limit 1500 ms\): worker \d \(chunk \d+\)/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    runTestJob("ok:0", CHUNKS);
    await pool.start();
    expect(pool.liveWorkers()).toBe(2);
    expect(Array.from(okJob()).some((w) => w >= 0)).toBe(true);
  });

  it("a worker terminated between calls: the next call still works, and the pool replaces it", async () => {
    await pool.workers()[0]!.terminate();
    expect(Array.from(runTestJob("ok:0", CHUNKS)).every((w) => w === -1 || w >= 0)).toBe(true);
    await pool.start();
    expect(pool.liveWorkers()).toBe(2);
    expect(Array.from(okJob()).some((w) => w >= 0)).toBe(true);
  });
});

describe("the pool as an effect Layer", () => {
  it("provides a pool of the requested size for the scope and shuts it down afterwards", async () => {
    let seen: KernelPool | undefined;
    const program = Effect.gen(function* () {
      const pool = yield* ThreadPool;
      seen = pool;
      yield* Effect.promise(() => pool.start());
      expect(threadedBackend.threads()).toBe(4);
      expect(pool.liveWorkers()).toBe(3);
      return Array.from(okJob());
    });
    const out = await Effect.runPromise(Effect.provide(program, threadPoolLayer(4)));
    expect(out.some((w) => w >= 0)).toBe(true);
    expect(seen!.isClosed).toBe(true);
    expect(seen!.liveWorkers()).toBe(0);
  });

  it("releases the threads when the program fails", async () => {
    let seen: KernelPool | undefined;
    const program = Effect.gen(function* () {
      seen = yield* ThreadPool;
      yield* Effect.promise(() => seen!.start());
      return yield* Effect.fail("boom");
    });
    await expect(Effect.runPromise(Effect.provide(program, threadPoolLayer(2)))).rejects.toBeDefined();
    expect(seen!.isClosed).toBe(true);
  });
});
