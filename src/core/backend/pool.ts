// The persistent worker pool: threads − 1 kernel workers plus the caller, driven synchronously
// through a shared control block (protocol.ts), so the public API stays synchronous. A
// supervisor thread (supervisor.ts) starts the workers and reports their deaths.
//
// Protocol of one job (`run`):
//   1. the caller checks the job's size, sets the claim and done counters to seq·2³², posts
//      {seq, n, per, total, kernel, job} on each responsive helper's MessagePort and bumps +
//      notifies its wake word;
//   2. a woken worker takes the newest message with receiveMessageOnPort (it never returns to
//      its event loop, and drops the job's arrays when done, so it caches no buffer);
//   3. everyone, the caller first, claims chunks by compare-and-swap on the claim counter and
//      counts them done; whoever completes the last chunk notifies the caller;
//   4. the caller waits (bounded spin, then Atomics.wait in slices) until all n are done,
//      watching for a worker that died holding a chunk (its slot turns DEAD at once: its exit
//      handler or the supervisor writes it), for cancellation and for a stall (no progress for
//      the stall limit: a worker that hangs).
// Chunk boundaries come from the kernel's plan (kernel.ts), never from the thread count.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type ResourceLimits } from "node:worker_threads";
import { ValueError, WorkerError } from "../errors.js";
import type { AnyKernel } from "./kernel.js";
import { CTL, SLOT, STATE, work, type ChunkFault, type JobMessage } from "./protocol.js";
import { entryUrl, importableUrl } from "./worker-url.js";
import { flagLock } from "./v8-gc.js";
import { heapKeysOf, heapMemory } from "./heap.js";

/** Loads of a shared word before blocking in Atomics.wait (TOOLCHAIN.md: ≤ ~1,000 on 2 vCPUs). */
const SPIN = 1000;
/**
 * How long a worker keeps polling after a job before it sleeps (worker.ts; it polls less while
 * it keeps arriving too late): waking a sleeping worker costs the caller's Atomics.notify
 * 10–30 µs on these VMs, and eager code sends its big ops tens of µs apart. The environment
 * variable TAPIR_SPIN_US overrides it (benchmarks).
 */
const SPIN_AFTER_JOB_US = 100;
/** How long the caller blocks per Atomics.wait before it re-checks for stalled workers. */
const WAIT_SLICE_MS = 20;
/** A claimed chunk that makes no progress for this long is a stalled worker (chunks take ≤ ms). */
export const DEFAULT_STALL_MS = 10_000;
/** Workers that die before they ever start count against this; past it the pool runs inline. */
const MAX_BOOT_FAILURES = 3;
/** Largest chunk count: the claim counter's low 32 bits (kept below 2³¹ for Int32 slot words). */
const MAX_CHUNKS = 2 ** 31 - 1;

export interface PoolOptions {
  /** Threads including the caller (the pool starts threads − 1 workers). */
  threads: number;
  stallMs?: number;
  /** Modules each worker imports before it starts; their exported `kernels` join its registry. @internal tests */
  workerModules?: string[];
  /** Heap limits of each worker. @internal tests provoke out-of-memory deaths */
  resourceLimits?: ResourceLimits;
}

/** One job for the pool: a kernel's plan cut in chunks. */
export interface PoolJob {
  /** registry name of the kernel (workers look it up) */
  readonly name: string;
  readonly kernel: AnyKernel;
  readonly job: unknown;
  readonly total: number;
  readonly per: number;
  /** estimated single-thread ns of one chunk (the stall limit grows with it) */
  readonly chunkNs?: number;
}

interface WorkerSlot {
  readonly index: number;
  readonly words: Int32Array;
  readonly port: MessagePort;
  /** seqs of the last two jobs posted to it: it gets another only once it has taken one of them */
  posted: number;
  postedBefore: number;
  dead: boolean;
}

interface Fault {
  worker: number; // -1: the calling thread
  chunk: number;
  error: unknown;
}

interface Report {
  seq: number;
  worker: number;
  chunk?: number;
  error: { name: string; message: string; stack?: string; code?: string };
}

function makeWorkerError(message: string, cause?: unknown): WorkerError {
  return new WorkerError({ message, cause });
}

/** An Error rebuilt from what a worker reported. */
function revive(e: Report["error"]): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  if (e.code) (err as { code?: string }).code = e.code;
  return err;
}

/** Highest load factor: ops of 64 × tuning.minNs (6.4 ms estimated) still go to the pool. */
export const MAX_LOAD_FACTOR = 64;

/**
 * The pool's load factor after a job of `n` chunks, of which the caller ran `ran` in `tOwn` ms,
 * that took `tAll` ms in all. The caller alone would have taken about (tOwn / ran) · n: unless
 * the helpers made the job at least 10% faster than that (or they ran nothing at all: asleep or
 * descheduled), the factor doubles; when they did, it halves. Between 1 and MAX_LOAD_FACTOR.
 */
export function nextLoadFactor(factor: number, n: number, ran: number, tOwn: number, tAll: number): number {
  if (ran === 0) return factor; // the helpers did everything: no measure of the caller alone
  const slow = ran === n || tAll > 0.9 * (tOwn / ran) * n;
  return slow ? Math.min(MAX_LOAD_FACTOR, factor * 2) : Math.max(1, factor / 2);
}

/**
 * Refuses a job size that could hang or corrupt the claim loop: units and units per chunk must be
 * non-negative safe integers (per ≥ 1) and the chunk count must fit the claim counter.
 */
export function checkJobSize(name: string, total: number, per: number): number {
  if (!(Number.isSafeInteger(total) && total >= 0 && Number.isSafeInteger(per) && per >= 1)) {
    throw new ValueError({
      message:
        `tapir: the ${name} kernel was asked for ${total} units in chunks of ${per}; both must be non-negative integers (chunks ≥ 1). ` +
        `An array with a NaN, negative or fractional dimension reached the backend: check the shapes passed to the op that built it.`,
    });
  }
  const n = Math.ceil(total / per);
  if (n > MAX_CHUNKS) throw new ValueError({ message: `tapir: the ${name} kernel was asked for ${n} chunks; at most ${MAX_CHUNKS} fit the pool's counter. Use fewer, larger chunks.` });
  return n;
}

export class KernelPool {
  readonly threads: number;
  readonly stallMs: number;
  /** [claim, done] counters, each seq·2³² + count. */
  private readonly big: BigInt64Array;
  /** [ERR, CANCEL, DEATHS, BOOT_FAILURES] (protocol.ts CTL) */
  private readonly words: Int32Array;
  private readonly slots: (WorkerSlot | null)[];
  private readonly options: PoolOptions;
  private supervisor: Worker | null = null;
  /** the supervisor's reports (worker errors), read with receiveMessageOnPort */
  private reports: MessagePort | null = null;
  private readonly pendingReports: Report[] = [];
  private seq = 0;
  private closed = false;
  /** Set when workers cannot start here: the pool then runs everything on the caller. */
  disabledBy: Error | null = null;
  /**
   * How many times tuning.minNs an op must cost to go to the pool (1…64): doubles after a job
   * the helpers did not speed up (a busy machine: they woke late or were descheduled), halves
   * after one they did. threaded.ts still sends an occasional op to re-measure.
   */
  loadFactor = 1;
  /** Jobs run with helpers / inline, for tests and benchmarks. */
  readonly stats = { jobs: 0, inlineJobs: 0, spawned: 0, replaced: 0, waitMs: 0, slowJobs: 0 };

  constructor(opts: PoolOptions) {
    if (!Number.isSafeInteger(opts.threads) || opts.threads < 1) throw new ValueError({ message: `KernelPool: threads must be a positive integer, got ${opts.threads}.` });
    this.threads = opts.threads;
    this.stallMs = opts.stallMs ?? DEFAULT_STALL_MS;
    this.options = opts;
    const sab = new SharedArrayBuffer(CTL.BYTES);
    this.big = new BigInt64Array(sab, 0, 2);
    this.words = new Int32Array(sab, CTL.WORDS_AT, CTL.NWORDS);
    this.slots = Array.from({ length: Math.max(0, opts.threads - 1) }, () => null);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * A word any thread may set to a non-zero value (Atomics.store + Atomics.notify) to abandon the
   * running call: every thread stops claiming chunks and the call throws a WorkerError saying it
   * was cancelled. (A signal handler on the calling thread cannot run while a synchronous call
   * blocks it; another thread can, e.g. one that watches a deadline.)
   */
  get cancelWord(): { readonly array: Int32Array; readonly index: number } {
    return { array: this.words, index: CTL.CANCEL };
  }

  /** Workers started and not known dead. */
  liveWorkers(): number {
    return this.slots.filter((s) => s !== null && !this.isDead(s)).length;
  }

  /** Per live worker, the jobs it took since its last scavenge (0: it holds no finished job's buffers). @internal tests */
  uncollectedJobs(): number[] {
    return this.slots.flatMap((s) => (s !== null && !this.isDead(s) ? [Atomics.load(s.words, SLOT.UNCOLLECTED)] : []));
  }

  /** Per live worker: 1 once it holds V8's gc function (it collects itself), -1 if it could not get it, 0 while booting. */
  workersGc(): number[] {
    return this.slots.flatMap((s) => (s !== null && !this.isDead(s) ? [Atomics.load(s.words, SLOT.GC)] : []));
  }

  /** Workers dead since the pool started (seen by the supervisor or their exit handler). */
  deaths(): number {
    return Atomics.load(this.words, CTL.DEATHS);
  }

  private isDead(s: WorkerSlot): boolean {
    return s.dead || Atomics.load(s.words, SLOT.STATE) === STATE.DEAD;
  }

  private startSupervisor(): void {
    const { port1, port2 } = new MessageChannel();
    const sup = new Worker(entryUrl("supervisor"), {
      workerData: { role: "tapir-supervisor", workerUrl: entryUrl("worker").href, big: this.big, words: this.words, reports: port2, resourceLimits: this.options.resourceLimits },
      transferList: [port2],
      execArgv: [],
    });
    sup.unref();
    port1.unref();
    sup.on("error", (e) => {
      if (!this.disabledBy) this.disabledBy = makeWorkerError(`tapir: the kernel pool's supervisor thread failed (${e.message}); running every kernel on the calling thread.`, e);
    });
    sup.on("exit", () => {
      for (const s of this.slots) if (s) s.dead = true;
      if (this.supervisor === sup) this.supervisor = null;
    });
    this.supervisor = sup;
    this.reports = port1;
  }

  private spawn(index: number): WorkerSlot {
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    const words = new Int32Array(new SharedArrayBuffer(SLOT.SIZE * 4));
    const init = {
      slot: words, big: this.big, words: this.words, port: port2, spin: SPIN,
      spinAfterJobUs: Number(process.env.TAPIR_SPIN_US ?? SPIN_AFTER_JOB_US),
      modules: (this.options.workerModules ?? []).map(importableUrl),
      flagLock: flagLock(),
      // the process's heap (heap.ts): the worker's GEMM reads heap operands in place and has its scratch there
      heap: heapMemory(),
    };
    this.supervisor!.postMessage({ spawn: index, init }, [port2]);
    this.stats.spawned++;
    return { index, words, port: port1, posted: 0, postedBefore: 0, dead: false };
  }

  /** Starts missing workers and replaces dead ones (started lazily, on the first big job). */
  private ensureWorkers(): void {
    if (Atomics.load(this.words, CTL.BOOT_FAILURES) >= MAX_BOOT_FAILURES && !this.disabledBy) {
      const why = this.drainReports().find((r) => r.error)?.error;
      this.disabledBy = makeWorkerError(
        `tapir: kernel workers failed to start ${MAX_BOOT_FAILURES} times${why ? ` (${why.name}: ${why.message})` : ""}; running every kernel on the calling thread.`,
      );
    }
    if (this.disabledBy || this.closed) return;
    if (this.supervisor === null) this.startSupervisor();
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (s && !this.isDead(s)) continue;
      if (s) {
        s.port.close();
        this.stats.replaced++;
      }
      this.slots[i] = this.spawn(i);
    }
  }

  /**
   * Starts the workers now and resolves when they are ready; rejects after `timeoutMs` saying
   * which worker it waited for. (Resolves at once when workers cannot start here and the pool
   * runs inline: `disabledBy` says why.)
   */
  async start(timeoutMs = 10_000): Promise<void> {
    if (this.closed || this.slots.length === 0) return;
    this.ensureWorkers();
    const until = Date.now() + timeoutMs;
    const booting = () =>
      this.disabledBy ? undefined : this.slots.find((s): s is WorkerSlot => s !== null && !this.isDead(s) && Atomics.load(s.words, SLOT.STATE) === STATE.BOOTING);
    for (let s = booting(); s !== undefined; s = booting()) {
      if (Date.now() > until) throw makeWorkerError(`KernelPool.start: worker ${s.index} was not ready within ${timeoutMs} ms (its module is still loading).`);
      await new Promise((r) => setTimeout(r, 2));
      if (this.isDead(s)) this.ensureWorkers(); // died while booting: replace it (bounded by MAX_BOOT_FAILURES)
    }
  }

  /**
   * Workers that would take a job now: started, live, and not behind on the messages already
   * posted to them. With none, a job would run on the caller alone (threaded.ts runs it inline).
   */
  responsiveWorkers(): number {
    let n = 0;
    for (const s of this.slots) if (s !== null && this.isResponsive(s)) n++;
    return n;
  }

  /** Starts missing workers (lazily, as a big op does) without running anything. */
  warmUp(): void {
    if (this.slots.length > 0 && !this.closed) this.ensureWorkers();
  }

  private isResponsive(s: WorkerSlot): boolean {
    if (this.isDead(s) || Atomics.load(s.words, SLOT.STATE) === STATE.BOOTING) return false;
    // A worker that has taken neither of its last two messages is descheduled: more would
    // only queue up, holding their jobs' buffers, and be stale when it wakes.
    const taken = Atomics.load(s.words, SLOT.TAKEN);
    return taken === s.posted || taken === s.postedBefore;
  }

  /**
   * Resolves once every live worker has taken its last job and is idle (tests, benchmarks);
   * rejects after `timeoutMs` saying which worker it waited for.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    await this.start(timeoutMs);
    const until = Date.now() + timeoutMs;
    const busy = () =>
      this.slots.find((s): s is WorkerSlot => s !== null && !this.isDead(s) && (Atomics.load(s.words, SLOT.TAKEN) !== s.posted || Atomics.load(s.words, SLOT.STATE) !== STATE.IDLE));
    for (let s = busy(); s !== undefined; s = busy()) {
      if (Date.now() > until) {
        throw makeWorkerError(`KernelPool.settle: worker ${s.index} did not take job ${s.posted} and go idle within ${timeoutMs} ms (it took ${Atomics.load(s.words, SLOT.TAKEN)}, state ${Atomics.load(s.words, SLOT.STATE)}).`);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Runs every chunk of a job, on the caller and the responsive workers; throws WorkerError on a fault. */
  run(p: PoolJob): void {
    const n = checkJobSize(p.name, p.total, p.per);
    if (n === 0) return;
    if (this.closed) throw makeWorkerError("tapir: this thread pool was shut down (its Layer's scope closed); run the op inside the scope, or use the default pool.");
    if (n > 1 && this.slots.length > 0) this.ensureWorkers();
    const seq = (this.seq = (this.seq % 0x7ffffffe) + 1);
    const tag = BigInt(seq) << 32n;
    Atomics.store(this.big, CTL.CLAIM, tag);
    Atomics.store(this.big, CTL.DONE, tag);
    const msg: JobMessage = { seq, n, per: p.per, total: p.total, kernel: p.name, job: p.job };
    const helpers: WorkerSlot[] = [];
    const t0 = performance.now();
    if (n > 1 && !this.disabledBy) {
      // field by field: a spread followed by properties takes V8's slow path (~1.7 µs on Node 20)
      const posted: JobMessage = { seq, n, per: p.per, total: p.total, kernel: p.name, job: compactSmallArrays(p.job), heap: heapKeysOf(p.job) };
      for (const s of this.slots) {
        if (helpers.length >= n - 1) break;
        if (s === null || !this.isResponsive(s)) continue;
        s.postedBefore = s.posted;
        s.posted = seq;
        s.port.postMessage(posted);
        Atomics.add(s.words, SLOT.WAKE, 1);
        Atomics.notify(s.words, SLOT.WAKE, 1);
        helpers.push(s);
      }
    }
    this.stats.jobs++;
    if (helpers.length === 0) this.stats.inlineJobs++;
    const faults: Fault[] = [];
    const tc = performance.now();
    const ran = work(this.big, this.words, msg, p.kernel, null, (f: ChunkFault) => faults.push({ worker: -1, ...f }));
    const tOwn = performance.now() - tc;
    if (helpers.length > 0) {
      const tw = performance.now();
      this.waitDone(seq, tag, n, p, helpers);
      this.stats.waitMs += performance.now() - tw;
      this.learnLoad(n, ran, tOwn, performance.now() - t0);
    } else if (Atomics.load(this.words, CTL.CANCEL) !== 0) {
      this.throwCancelled(seq, tag, n, p, helpers);
    }
    if (faults.length > 0 || Atomics.load(this.words, CTL.ERR) === seq) this.throwFaults(seq, p, helpers, faults);
  }

  private learnLoad(n: number, ran: number, tOwn: number, tAll: number): void {
    const f = nextLoadFactor(this.loadFactor, n, ran, tOwn, tAll);
    if (f > this.loadFactor) this.stats.slowJobs++;
    this.loadFactor = f;
  }

  private waitDone(seq: number, tag: bigint, n: number, p: PoolJob, helpers: WorkerSlot[]): void {
    const big = this.big;
    const target = tag + BigInt(n);
    let d = Atomics.load(big, CTL.DONE);
    for (let i = 0; i < SPIN && d !== target; i++) d = Atomics.load(big, CTL.DONE);
    let last = d;
    let since = performance.now();
    while (d !== target) {
      if (Atomics.load(this.words, CTL.CANCEL) !== 0) this.throwCancelled(seq, tag, n, p, helpers);
      for (const s of helpers) if (this.isDead(s) && Atomics.load(s.words, SLOT.LOST) === seq) this.failDead(seq, tag, n, p, s, helpers);
      Atomics.wait(big, CTL.DONE, d, WAIT_SLICE_MS);
      d = Atomics.load(big, CTL.DONE);
      const now = performance.now();
      if (d !== last) {
        last = d;
        since = now;
      } else if (now - since > this.stallLimit(p)) this.failStalled(seq, tag, n, p, helpers, now - since);
    }
  }

  /** How long a chunk may go without progress: stallMs, or 20× its estimated time if longer. */
  private stallLimit(p: PoolJob): number {
    return Math.max(this.stallMs, ((p.chunkNs ?? 0) * 20) / 1e6);
  }

  /** Stops further claims of job `seq` and waits (bounded) for live helpers to leave it. */
  private quiesce(seq: number, tag: bigint, n: number, helpers: WorkerSlot[]): void {
    const big = this.big;
    for (let cur = Atomics.load(big, CTL.CLAIM); cur >> 32n === tag >> 32n && Number(cur & 0xffffffffn) < n; cur = Atomics.load(big, CTL.CLAIM)) {
      Atomics.compareExchange(big, CTL.CLAIM, cur, tag + BigInt(n));
    }
    const until = performance.now() + Math.min(this.stallMs, 1000);
    const busy = () => helpers.some((s) => !this.isDead(s) && Atomics.load(s.words, SLOT.STATE) === STATE.BUSY && Atomics.load(s.words, SLOT.SEQ) === seq);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (busy() && performance.now() < until) Atomics.wait(nap, 0, 0, 1);
  }

  /** Reports posted by the supervisor (worker errors) so far, kept until read. */
  private drainReports(): Report[] {
    if (this.reports) for (let m = receiveMessageOnPort(this.reports); m !== undefined; m = receiveMessageOnPort(this.reports)) this.pendingReports.push(m.message as Report);
    return this.pendingReports;
  }

  private failDead(seq: number, tag: bigint, n: number, p: PoolJob, dead: WorkerSlot, helpers: WorkerSlot[]): never {
    this.quiesce(seq, tag, n, helpers);
    const chunk = Atomics.load(dead.words, SLOT.CHUNK);
    const code = Atomics.load(dead.words, SLOT.CODE);
    dead.dead = true;
    // the supervisor posts the worker's error event before it marks the slot; wait briefly for it
    let report: Report | undefined;
    for (const until = performance.now() + 50; report === undefined && performance.now() < until; ) {
      report = this.drainReports().find((r) => r.worker === dead.index);
      if (report === undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
    if (report) this.pendingReports.splice(this.pendingReports.indexOf(report), 1);
    const why = report ? ` after ${report.error.code ?? report.error.name}: ${report.error.message}` : "";
    throw makeWorkerError(
      `tapir: kernel worker ${dead.index} died (exit code ${code}${why}) while running chunk ${chunk} of ${n} of the ${p.kernel.name} kernel; it is replaced before the next call, which can simply be retried.`,
      report ? revive(report.error) : undefined,
    );
  }

  private failStalled(seq: number, tag: bigint, n: number, p: PoolJob, helpers: WorkerSlot[], ms: number): never {
    const stalled = helpers.filter((s) => Atomics.load(s.words, SLOT.STATE) === STATE.BUSY && Atomics.load(s.words, SLOT.SEQ) === seq);
    for (const s of stalled) {
      s.dead = true;
      this.supervisor?.postMessage({ kill: s.index });
    }
    const which = stalled.map((s) => `worker ${s.index} (chunk ${Atomics.load(s.words, SLOT.CHUNK)})`).join(", ") || "no worker reports a chunk";
    this.quiesce(seq, tag, n, []);
    throw makeWorkerError(
      `tapir: the ${p.kernel.name} kernel made no progress for ${Math.round(ms)} ms (stall limit ${Math.round(this.stallLimit(p))} ms): ${which}. The stalled workers were terminated and are replaced before the next call.`,
    );
  }

  private throwCancelled(seq: number, tag: bigint, n: number, p: PoolJob, helpers: WorkerSlot[]): never {
    this.quiesce(seq, tag, n, helpers);
    Atomics.store(this.words, CTL.CANCEL, 0);
    throw makeWorkerError(`tapir: the ${p.kernel.name} kernel was cancelled (the pool's cancel word was set) before all ${n} chunks ran; its output is incomplete. The pool is intact.`);
  }

  private throwFaults(seq: number, p: PoolJob, helpers: WorkerSlot[], faults: Fault[]): never {
    for (const s of helpers) {
      for (let m = receiveMessageOnPort(s.port); m !== undefined; m = receiveMessageOnPort(s.port)) {
        const r = m.message as Report;
        if (r.seq === seq) faults.push({ worker: r.worker, chunk: r.chunk ?? -1, error: revive(r.error) });
      }
    }
    faults.sort((a, b) => a.chunk - b.chunk);
    const f = faults[0];
    if (!f) throw makeWorkerError(`tapir: the ${p.kernel.name} kernel reported a fault but no worker said which; the pool is intact, retry the call.`);
    const where = f.worker < 0 ? "the calling thread" : `worker ${f.worker}`;
    const msg = f.error instanceof Error ? `${f.error.name}: ${f.error.message}` : String(f.error);
    throw makeWorkerError(
      `tapir: the ${p.kernel.name} kernel threw on ${where} in chunk ${f.chunk} (${faults.length} chunk${faults.length > 1 ? "s" : ""} failed): ${msg}`,
      f.error,
    );
  }

  /** Stops every worker; later `run`s throw. Resolves when all threads have exited. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (let i = 0; i < this.slots.length; i++) {
      this.slots[i]?.port.close();
      this.slots[i] = null;
    }
    this.reports?.close();
    const sup = this.supervisor;
    this.supervisor = null;
    // terminating the supervisor ends its workers too (a thread's sub-threads stop with it)
    if (sup) await sup.terminate();
  }
}

/**
 * Small read-only operands live in ordinary ArrayBuffer slabs; posting such a view would clone
 * its whole 64 KiB slab, so they travel as exact-size copies instead (shared arrays go as is).
 */
function compactSmallArrays<T>(job: T): T {
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
  if (job === null || typeof job !== "object") return job;
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
