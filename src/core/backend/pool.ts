// The persistent worker pool: n − 1 worker threads plus the caller, driven synchronously
// through a shared control block, so the public API stays synchronous.
//
// Protocol of one job (`run`):
//   1. the caller sets big[0] = seq·2³² (claim counter) and big[1] = seq·2³² (done counter),
//      posts {seq, n, job} on each helper's MessagePort and bumps + notifies its wake word;
//   2. a woken worker takes the newest message with receiveMessageOnPort (it never returns to
//      its event loop, and drops the job's arrays when done, so it caches no buffer);
//   3. everyone, the caller included, claims chunks by compare-and-swap on big[0] (a claim of
//      an older seq fails, so a late worker cannot steal from the next job) and counts them
//      done on big[1]; whoever completes the last chunk notifies the caller;
//   4. the caller waits (bounded spin, then Atomics.wait in slices) until all n are done,
//      watching for dead workers and for a stall (no progress for `stallMs`).
// Chunk boundaries come from the job (kernels.ts), never from the thread count.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { Context, Effect, Layer } from "effect";
import { WorkerError } from "../errors.js";
import { gemmSource } from "./gemm.js";
import { kernels, kernelsSource, SLOT, STATE, type ChunkFault, type Job } from "./kernels.js";
import { onThreadCountChange, threadCount } from "./threads.js";

/** Loads of a shared word before blocking in Atomics.wait (TOOLCHAIN.md: ≤ ~1,000 on 2 vCPUs). */
const SPIN = 1000;
/**
 * How long a worker keeps polling after a job before it sleeps (kernel-worker.js): waking a
 * sleeping worker costs the caller's Atomics.notify 10–30 µs on these VMs, and eager code sends
 * its big ops tens of µs apart. The environment variable TAPIR_SPIN_US overrides it (benchmarks).
 */
const SPIN_AFTER_JOB_US = 100;
/** How long the caller blocks per Atomics.wait before it re-checks for dead or stalled workers. */
const WAIT_SLICE_MS = 20;
/** A claimed chunk that makes no progress for this long is a stalled worker (chunks take ≤ ms). */
export const DEFAULT_STALL_MS = 10_000;
/** Workers that die before they ever start count against this; past it the pool runs inline. */
const MAX_BOOT_FAILURES = 3;

const WORKER_URL = new URL("./kernel-worker.js", import.meta.url);

export interface PoolOptions {
  /** Threads including the caller (the pool starts threads − 1 workers). */
  threads: number;
  stallMs?: number;
}

interface WorkerSlot {
  readonly index: number;
  readonly worker: Worker;
  readonly words: Int32Array;
  readonly port: MessagePort;
  /** seqs of the last two jobs posted to it: it gets another only once it has taken one of them */
  posted: number;
  postedBefore: number;
  dead: boolean;
  exitCode?: number;
  error?: Error;
}

interface Fault {
  worker: number; // -1: the calling thread
  chunk: number;
  error: unknown;
}

/** The backend op a job kind serves, for messages. */
const OP_NAME: Record<Job["kind"], string> = {
  ew: "elementwise", copy: "copyStrided", reduce: "reduceRows", pieces: "reduceRows", cumsum: "cumsum",
  gather: "gather", scatter: "scatterAdd", iota: "iota", bits: "randomBits", gemm: "matmul", test: "test",
};

function makeWorkerError(message: string, cause?: unknown): WorkerError {
  // WorkerError's declared fields are {message}; effect's Error also takes `cause`.
  return new WorkerError({ message, cause });
}

/** An Error rebuilt from what a worker reported. */
function revive(e: { name: string; message: string; stack?: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

export class KernelPool {
  readonly threads: number;
  readonly stallMs: number;
  /** [claim, done] counters, each seq·2³² + count. */
  private readonly big: BigInt64Array;
  /** [seq of the latest job with a fault] */
  private readonly errSeq: Int32Array;
  private readonly slots: (WorkerSlot | null)[];
  private seq = 0;
  private bootFailures = 0;
  private closed = false;
  /** Set when workers cannot start here: the pool then runs everything on the caller. */
  disabledBy: Error | null = null;
  /** Jobs run with helpers / inline, for tests and benchmarks. */
  readonly stats = { jobs: 0, inlineJobs: 0, spawned: 0, replaced: 0, waitMs: 0 };

  constructor(opts: PoolOptions) {
    this.threads = opts.threads;
    this.stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
    const sab = new SharedArrayBuffer(32);
    this.big = new BigInt64Array(sab, 0, 2);
    this.errSeq = new Int32Array(sab, 16, 1);
    this.slots = Array.from({ length: Math.max(0, opts.threads - 1) }, () => null);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Workers started and not known dead. */
  liveWorkers(): number {
    return this.slots.filter((s) => s !== null && !this.isDead(s)).length;
  }

  /** @internal the Worker objects (tests terminate them). */
  workers(): (Worker | null)[] {
    return this.slots.map((s) => s?.worker ?? null);
  }

  private isDead(s: WorkerSlot): boolean {
    return s.dead || Atomics.load(s.words, SLOT.STATE) === STATE.DEAD;
  }

  private spawn(index: number): WorkerSlot {
    const { port1, port2 } = new MessageChannel();
    const words = new Int32Array(new SharedArrayBuffer(SLOT.SIZE * 4));
    const worker = new Worker(WORKER_URL, {
      workerData: {
        index, slot: words, big: this.big, errSeq: this.errSeq, port: port2,
        kernelsSource: kernelsSource(), gemmSource: gemmSource(), spin: SPIN, spinAfterJobUs: Number(process.env.TAPIR_SPIN_US ?? SPIN_AFTER_JOB_US),
      },
      transferList: [port2],
      // The worker is plain JS with node: imports only, so it needs none of the parent's Node
      // options (loaders, --input-type, -e would even stop it); V8 flags are per process anyway.
      execArgv: [],
    });
    worker.unref();
    port1.unref();
    const s: WorkerSlot = { index, worker, words, port: port1, posted: 0, postedBefore: 0, dead: false };
    worker.on("error", (e) => {
      s.dead = true;
      s.error = e;
    });
    worker.on("exit", (code) => {
      s.dead = true;
      s.exitCode = code;
      if (Atomics.load(words, SLOT.STATE) === STATE.BOOTING) this.bootFailures++;
    });
    this.stats.spawned++;
    return s;
  }

  /** Starts missing workers and replaces dead ones (started lazily, on the first big job). */
  private ensureWorkers(): void {
    if (this.bootFailures >= MAX_BOOT_FAILURES && !this.disabledBy) {
      const why = this.slots.find((s) => s?.error)?.error;
      this.disabledBy = makeWorkerError(`tapir: kernel workers failed to start ${this.bootFailures} times; running every kernel on the calling thread.`, why);
    }
    if (this.disabledBy) return;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s && !this.isDead(s)) continue;
      if (s) {
        void s.worker.terminate();
        s.port.close();
        this.stats.replaced++;
      }
      this.slots[i] = this.spawn(i);
    }
  }

  /** Starts the workers now and resolves when they are ready (or `timeoutMs` has passed). */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.closed || this.slots.length === 0) return;
    this.ensureWorkers();
    const until = Date.now() + timeoutMs;
    const booting = () => this.slots.some((s) => s !== null && !this.isDead(s) && Atomics.load(s.words, SLOT.STATE) === STATE.BOOTING);
    while (booting() && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
  }

  /** Resolves once every live worker has taken its last job and is idle (tests, benchmarks). */
  async settle(timeoutMs = 10_000): Promise<void> {
    await this.start(timeoutMs);
    const until = Date.now() + timeoutMs;
    const busy = () =>
      this.slots.some((s) => s !== null && !this.isDead(s) && (Atomics.load(s.words, SLOT.TAKEN) !== s.posted || Atomics.load(s.words, SLOT.STATE) !== STATE.IDLE));
    while (busy() && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
  }

  /** Runs every chunk of `job`, on the caller and the idle workers; throws WorkerError on a fault. */
  run(job: Job): void {
    const n = kernels.chunks(job);
    if (n === 0) return;
    if (this.closed) throw makeWorkerError("tapir: this thread pool was shut down (its Layer's scope closed); run the op inside the scope, or use the default pool.");
    if (n > 1 && this.slots.length > 0) this.ensureWorkers();
    const seq = (this.seq = (this.seq % 0x7ffffffe) + 1);
    const tag = BigInt(seq) << 32n;
    const big = this.big;
    Atomics.store(big, 0, tag);
    Atomics.store(big, 1, tag);
    const helpers: WorkerSlot[] = [];
    if (n > 1 && !this.disabledBy) {
      const msg = { seq, n, job: compactSmallArrays(job) };
      for (const s of this.slots) {
        if (helpers.length >= n - 1) break;
        if (s === null || this.isDead(s) || Atomics.load(s.words, SLOT.STATE) === STATE.BOOTING) continue;
        // A worker that has taken neither of its last two messages is descheduled: more would
        // only queue up, holding their jobs' buffers, and be stale when it wakes.
        const taken = Atomics.load(s.words, SLOT.TAKEN);
        if (taken !== s.posted && taken !== s.postedBefore) continue;
        s.postedBefore = s.posted;
        s.posted = seq;
        s.port.postMessage(msg);
        Atomics.add(s.words, SLOT.WAKE, 1);
        Atomics.notify(s.words, SLOT.WAKE, 1);
        helpers.push(s);
      }
    }
    this.stats.jobs++;
    if (helpers.length === 0) this.stats.inlineJobs++;
    const faults: Fault[] = [];
    kernels.work(big, seq, n, job, null, (f: ChunkFault) => faults.push({ worker: -1, ...f }));
    if (helpers.length > 0) {
      const t0 = performance.now();
      this.waitDone(seq, tag, n, job, helpers);
      this.stats.waitMs += performance.now() - t0;
    }
    if (faults.length > 0 || Atomics.load(this.errSeq, 0) === seq) this.throwFaults(seq, job, helpers, faults);
  }

  private waitDone(seq: number, tag: bigint, n: number, job: Job, helpers: WorkerSlot[]): void {
    const big = this.big;
    const target = tag + BigInt(n);
    let d = Atomics.load(big, 1);
    for (let i = 0; i < SPIN && d !== target; i++) d = Atomics.load(big, 1);
    let last = d;
    let since = performance.now();
    while (d !== target) {
      const dead = helpers.find((s) => this.isDead(s) && Atomics.load(s.words, SLOT.SEQ) === seq);
      if (dead) this.failDead(seq, tag, n, job, dead, helpers);
      Atomics.wait(big, 1, d, WAIT_SLICE_MS);
      d = Atomics.load(big, 1);
      const now = performance.now();
      if (d !== last) {
        last = d;
        since = now;
      } else if (now - since > this.stallLimit(job)) this.failStalled(seq, tag, n, job, helpers, now - since);
    }
  }

  /** How long a chunk of `job` may go without progress: stallMs, or 20× its estimated time if longer. */
  private stallLimit(job: Job): number {
    return Math.max(this.stallMs, ((job.chunkNs ?? 0) * 20) / 1e6);
  }

  /** Stops further claims of job `seq` and waits (bounded) for live helpers to leave it. */
  private quiesce(seq: number, tag: bigint, n: number, helpers: WorkerSlot[]): void {
    const big = this.big;
    for (let cur = Atomics.load(big, 0); cur >> 32n === tag >> 32n && Number(cur & 0xffffffffn) < n; cur = Atomics.load(big, 0)) {
      Atomics.compareExchange(big, 0, cur, tag + BigInt(n));
    }
    const until = performance.now() + this.stallMs;
    const busy = () => helpers.some((s) => !this.isDead(s) && Atomics.load(s.words, SLOT.STATE) === STATE.BUSY && Atomics.load(s.words, SLOT.SEQ) === seq);
    while (busy() && performance.now() < until) Atomics.wait(this.errSeq, 0, Atomics.load(this.errSeq, 0), 1);
  }

  private failDead(seq: number, tag: bigint, n: number, job: Job, dead: WorkerSlot, helpers: WorkerSlot[]): never {
    this.quiesce(seq, tag, n, helpers);
    const chunk = Atomics.load(dead.words, SLOT.CHUNK);
    const code = Atomics.load(dead.words, SLOT.CODE);
    dead.dead = true;
    throw makeWorkerError(
      `tapir: kernel worker ${dead.index} died (exit code ${code}) while running chunk ${chunk} of ${n} of the ${OP_NAME[job.kind]} kernel; it is replaced before the next call, which can simply be retried.`,
      dead.error,
    );
  }

  private failStalled(seq: number, tag: bigint, n: number, job: Job, helpers: WorkerSlot[], ms: number): never {
    const stalled = helpers.filter((s) => Atomics.load(s.words, SLOT.STATE) === STATE.BUSY && Atomics.load(s.words, SLOT.SEQ) === seq);
    for (const s of stalled) {
      s.dead = true;
      void s.worker.terminate();
    }
    const which = stalled.map((s) => `worker ${s.index} (chunk ${Atomics.load(s.words, SLOT.CHUNK)})`).join(", ") || "no worker reports a chunk";
    this.quiesce(seq, tag, n, helpers);
    throw makeWorkerError(
      `tapir: the ${OP_NAME[job.kind]} kernel made no progress for ${Math.round(ms)} ms (stall limit ${Math.round(this.stallLimit(job))} ms): ${which}. The stalled workers were terminated and are replaced before the next call.`,
    );
  }

  private throwFaults(seq: number, job: Job, helpers: WorkerSlot[], faults: Fault[]): never {
    for (const s of helpers) {
      for (let m = receiveMessageOnPort(s.port); m !== undefined; m = receiveMessageOnPort(s.port)) {
        const r = m.message as { seq: number; worker: number; chunk: number; error: { name: string; message: string; stack?: string } };
        if (r.seq === seq) faults.push({ worker: r.worker, chunk: r.chunk, error: revive(r.error) });
      }
    }
    faults.sort((a, b) => a.chunk - b.chunk);
    const f = faults[0];
    if (!f) throw makeWorkerError(`tapir: the ${OP_NAME[job.kind]} kernel reported a fault but no worker said which; the pool is intact, retry the call.`);
    const where = f.worker < 0 ? "the calling thread" : `worker ${f.worker}`;
    const msg = f.error instanceof Error ? `${f.error.name}: ${f.error.message}` : String(f.error);
    throw makeWorkerError(
      `tapir: the ${OP_NAME[job.kind]} kernel threw on ${where} in chunk ${f.chunk} (${faults.length} chunk${faults.length > 1 ? "s" : ""} failed): ${msg}`,
      f.error,
    );
  }

  /** Stops every worker; later `run`s throw. Resolves when all threads have exited. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits: Promise<number>[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s) continue;
      exits.push(s.worker.terminate());
      s.port.close();
      this.slots[i] = null;
    }
    await Promise.all(exits);
  }
}

// ---- which pool runs kernels: the innermost Layer-provided one, else the default

let defaultPool: KernelPool | null = null;
const scoped: KernelPool[] = [];

/** The pool kernels run on, or null when only the calling thread is used. Never starts threads. */
export function currentPool(): KernelPool | null {
  const top = scoped[scoped.length - 1];
  if (top) return top;
  const n = threadCount();
  if (n <= 1) return null;
  if (defaultPool === null) defaultPool = new KernelPool({ threads: n });
  return defaultPool;
}

/** Makes `pool` the current pool until the returned function is called. @internal tests and benchmarks */
export function installPool(pool: KernelPool): () => void {
  scoped.push(pool);
  return () => {
    const i = scoped.lastIndexOf(pool);
    if (i >= 0) scoped.splice(i, 1);
  };
}

onThreadCountChange((n) => {
  if (defaultPool !== null && defaultPool.threads !== n) {
    void defaultPool.shutdown();
    defaultPool = null;
  }
});

/** Stops the default pool's threads now (a later big op starts a new one). */
export async function shutdownDefaultPool(): Promise<void> {
  const p = defaultPool;
  defaultPool = null;
  await p?.shutdown();
}

/** The thread pool as an effect service: provide `threadPoolLayer(n)` to run kernels on n threads. */
export class ThreadPool extends Context.Service<ThreadPool, KernelPool>()("tapir/ThreadPool") {}

/**
 * A Layer that starts a pool of `threads` threads (default: config.threads()) for its scope:
 * tapir ops run inside the scope use it, and its threads are released when the scope closes,
 * also on failure or interruption.
 */
export function threadPoolLayer(threads?: number, options: { stallMs?: number } = {}): Layer.Layer<ThreadPool> {
  return Layer.effect(
    ThreadPool,
    Effect.acquireRelease(
      Effect.sync(() => {
        const pool = new KernelPool({ threads: threads ?? threadCount(), ...options });
        return { pool, uninstall: installPool(pool) };
      }),
      ({ pool, uninstall }) =>
        Effect.promise(() => {
          uninstall();
          return pool.shutdown();
        }),
    ).pipe(Effect.map(({ pool }) => pool)),
  );
}

/**
 * Small read-only operands live in ordinary ArrayBuffer slabs; posting such a view would clone
 * its whole 64 KiB slab, so they travel as exact-size copies instead (shared arrays go as is).
 */
function compactSmallArrays<T extends object>(job: T): T {
  const fix = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v) && !(v.buffer instanceof SharedArrayBuffer) && v.byteLength !== v.buffer.byteLength) {
      return (v as unknown as { slice(): unknown }).slice();
    }
    if (Array.isArray(v)) {
      const m = v.map(fix);
      return m.some((x, i) => x !== v[i]) ? m : v;
    }
    return v;
  };
  let out: T = job;
  for (const [k, v] of Object.entries(job)) {
    const f = fix(v);
    if (f !== v) {
      if (out === job) out = { ...job };
      (out as Record<string, unknown>)[k] = f;
    }
  }
  return out;
}
