// Faults on the pool, each forced rather than waited for: a kernel that throws, a worker that
// exits mid-chunk (its exit handler runs), one killed by its heap limit (no handler runs: the
// supervisor's exit event reports it), one that hangs, a job cancelled from another thread.
// They run in a child process (test/backend/fixtures/faults-child.ts) so that a fault cannot
// take the test runner down; each must end in a typed WorkerError that says what happened, and
// the next call must work and use the (replaced) workers. Also: the pool refuses job sizes
// that could hang it, and its Layer releases the threads.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Effect } from "effect";
import { beforeAll, describe, expect, it } from "vitest";
import { ValueError } from "../../src/core/errors.js";
import { KernelPool, threadedBackend, threadPoolLayer, ThreadPool } from "../../src/core/backend/index.js";
import { checkJobSize } from "../../src/core/backend/pool.js";
import { registerKernels } from "../../src/core/backend/registry.js";
import { runKernel } from "../../src/core/backend/threaded.js";
import { fault, kernels } from "./fixtures/fault-kernels.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
/** Far above the normal run (~3 s): only a hang reaches it. */
const CHILD_TIMEOUT_MS = 120_000;

interface Outcome {
  case: string;
  error: string | null;
  message: string;
  cause: string | null;
  ms: number;
  ran: number;
  nextOk: boolean;
  nextUsedWorker: boolean;
  liveAfter: number;
}

describe("worker faults (child process)", () => {
  const outcomes = new Map<string, Outcome>();
  beforeAll(async () => {
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
      execFile(process.execPath, ["--import", "tsx", "test/backend/fixtures/faults-child.ts"], { cwd: root, timeout: CHILD_TIMEOUT_MS }, (err, stdout, stderr) =>
        resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? null) : 0 }),
      );
    });
    expect(code, `the fault child did not finish within ${CHILD_TIMEOUT_MS} ms or failed:\n${stderr}`).toBe(0);
    for (const line of stdout.trim().split("\n")) {
      const o = JSON.parse(line) as Outcome;
      outcomes.set(o.case, o);
    }
    console.log(`fault cases, ms to the error: ${[...outcomes.values()].map((o) => `${o.case} ${o.ms}`).join(", ")}`);
  }, CHILD_TIMEOUT_MS + 10_000);

  const get = (name: string): Outcome => {
    const o = outcomes.get(name);
    expect(o, `case ${name} reported`).toBeDefined();
    return o!;
  };
  const recovered = (o: Outcome) => {
    expect(o.nextOk, `${o.case}: the next call completed`).toBe(true);
    expect(o.nextUsedWorker, `${o.case}: the next call used a worker`).toBe(true);
    expect(o.liveAfter, `${o.case}: both workers alive after`).toBe(2);
  };

  it("a healthy job uses the workers", () => {
    const o = get("healthy");
    expect(o.error).toBeNull();
    recovered(o);
  });

  it("a kernel that throws on a worker → WorkerError with the cause", () => {
    const o = get("throw");
    expect(o.error).toBe("WorkerError");
    expect(o.message).toMatch(/fault kernel threw on worker \d in chunk \d+.*RangeError: injected fault/);
    expect(o.cause).toMatch(/RangeError: injected fault/);
    recovered(o);
  });

  it("an elementwise kernel that throws everywhere → WorkerError naming the kernel", () => {
    const o = get("bad expression");
    expect(o.error).toBe("WorkerError");
    expect(o.message).toMatch(/elementwise kernel threw on .*TypeError: bad expr/);
    recovered(o);
  });

  it("a worker that exits mid-chunk → WorkerError with its exit code; it is replaced", () => {
    const o = get("exit");
    expect(o.error).toBe("WorkerError");
    expect(o.message).toMatch(/kernel worker \d died \(exit code 7\) while running chunk \d+ of 12 of the fault kernel/);
    recovered(o);
  });

  it("a worker killed without its exit handler (heap limit) → reported as that death, not as a stall", () => {
    // the pool's stall limit is 60 s here: an error at all, and its wording, show the death path
    const o = get("oom");
    expect(o.error).toBe("WorkerError");
    expect(o.message).toMatch(/kernel worker \d died \(exit code 1 after ERR_WORKER_OUT_OF_MEMORY/);
    expect(o.cause).toMatch(/ERR_WORKER_OUT_OF_MEMORY/);
    recovered(o);
  });

  it("a worker that hangs → WorkerError after the stall limit naming the worker; it is replaced", () => {
    const o = get("hang");
    expect(o.error).toBe("WorkerError");
    expect(o.message).toMatch(/made no progress for \d+ ms \(stall limit 500 ms\): worker \d \(chunk \d+\)/);
    recovered(o);
  });

  it("a job cancelled from another thread stops between chunks → WorkerError; the pool is intact", () => {
    const o = get("cancel");
    expect(o.error).toBe("WorkerError");
    expect(o.message).toMatch(/fault kernel was cancelled .* before all 1000 chunks ran/);
    expect(o.ran, "chunks run before the cancel took effect").toBeLessThan(1000);
    recovered(o);
  });
});

describe("the pool refuses sizes that could hang it", () => {
  it.each([
    [NaN, 1], [-1, 1], [2.5, 1], [Infinity, 1], [10, 0], [10, NaN], [10, 0.5], [10, -2],
  ])("%s units in chunks of %s → ValueError", (total, per) => {
    expect(() => checkJobSize("reduceRows", total, per)).toThrow(ValueError);
    expect(() => checkJobSize("reduceRows", total, per)).toThrow(/reduceRows kernel was asked for .* non-negative integers/);
  });

  it("through the pool itself, before any thread is involved", () => {
    registerKernels(kernels);
    const pool = new KernelPool({ threads: 2 });
    expect(() => pool.run({ name: "fault", kernel: fault, job: {}, total: NaN, per: 1 })).toThrow(ValueError);
    expect(pool.stats.spawned).toBe(0);
    void pool.shutdown();
  });

  it("a kernel call whose sizes are NaN fails with ValueError on 1 and on N threads alike", () => {
    const x = new Float32Array(new SharedArrayBuffer(64));
    const out = new Float32Array(new SharedArrayBuffer(64));
    expect(() => threadedBackend.reduceRows("sum", x, 1, NaN, out)).toThrow(ValueError);
    expect(() => threadedBackend.cumsum(x, 1, -3, 1, false, out)).toThrow(ValueError);
    expect(() => runKernel("fault", fault, "ok", 2.5, new Int32Array(4))).toThrow(ValueError);
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
    });
    await Effect.runPromise(Effect.provide(program, threadPoolLayer(4)));
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
