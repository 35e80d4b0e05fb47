// A kernel worker of tapir's thread pool: a real module that imports the kernel registry (so
// it runs the very code the calling thread runs), then loops: wait on its wake word, take the
// newest job from its port with receiveMessageOnPort (so it never returns to its event loop and
// never keeps a tensor's buffer after a job), claim chunks from the shared counter until none
// are left. See pool.ts for the protocol and for how this file is located (dist/kernel-worker.js
// in the package; a bundle of the TypeScript sources when tapir runs from source).
import { receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import type { AnyKernel } from "./kernel.js";
import { CTL, markDead, SLOT, STATE, work, type JobMessage } from "./protocol.js";
import { kernelByName, registerKernels } from "./registry.js";
import { exposeGc } from "./v8-gc.js";
import { adoptHeap, markHeapArrays, type HeapMemory } from "./heap.js";

interface WorkerInit {
  role: "tapir-kernel-worker";
  index: number;
  slot: Int32Array;
  big: BigInt64Array;
  words: Int32Array;
  port: MessagePort;
  spin: number;
  spinAfterJobUs: number;
  /** modules whose exported `kernels` join the registry (tests' fault kernels) */
  modules: string[];
  /** one word shared by every thread of the process: held while a thread flips V8's process-wide flags */
  flagLock: Int32Array;
  /** the process's heap (heap.ts), or null where the calling thread has none */
  heap: HeapMemory | null;
}
/** Serves jobs until told to stop. */
async function serve(init: WorkerInit): Promise<void> {
  const { index, slot, big, words, port, spin, spinAfterJobUs, modules } = init;
  adoptHeap(init.heap ?? null);

  // A worker that exits through process.exit says so to a waiting caller. (One killed without
  // running this, e.g. out of memory, is reported by the supervisor, which hears its exit event.)
  process.on("exit", (code) => markDead(slot, big, words, code));

  for (const url of modules) {
    const m = (await import(url)) as { kernels?: Record<string, AnyKernel> };
    if (m.kernels) registerKernels(m.kernels);
  }

  // A job's arrays die with its message, but their SharedArrayBuffers stay alive until this
  // isolate collects them, and a worker allocates so little that V8 would wait for hundreds of
  // MB of them (measured: 8 MB of fresh buffers per job peaked at ~470 MB). So the worker
  // collects itself: a scavenge after GC_EVERY jobs, and a full collection once it has been idle
  // for IDLE_GC_MS (a scavenge alone left the buffers of jobs promoted to the old generation
  // alive: +250 of 800 MiB in test/backend/fixtures/retention.ts; its heap is small, so a full
  // collection takes about a millisecond of a thread that has nothing else to do). Without `gc`
  // (exposeGc), V8's own heuristics still bound the retention.
  const GC_EVERY = 64;
  const IDLE_GC_MS = 2;
  const gc = exposeGc(init.flagLock);
  Atomics.store(slot, SLOT.GC, gc === null ? -1 : 1);
  let jobsSinceGc = 0; // since the last collection of either kind: triggers the next scavenge
  let jobsSinceMajor = 0; // since the last full collection: the idle one must still run while > 0
  function collect(type: "minor" | "major"): void {
    // A scavenge must not cancel the idle full collection: buffers of jobs it promoted to the old
    // generation die only there (a worker whose last job ended in a scavenge kept every buffer it
    // had deserialized, up to all 800 MiB of retention.ts on a loaded machine).
    jobsSinceGc = 0;
    // no argument for a full collection: Node 20 scavenges for { type: "major" } (v8-gc.ts)
    if (gc !== null) (type === "major" ? gc() : gc({ type }));
    if (type === "major" || gc === null) {
      jobsSinceMajor = 0;
      Atomics.store(slot, SLOT.UNCOLLECTED, 0);
    }
  }

  function describe(error: unknown): { name: string; message: string; stack: string | undefined } {
    if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
    return { name: "Error", message: String(error), stack: undefined };
  }

  /**
   * Waits for the wake word to move from `seen`: `spin` loads, then, right after a job, keeps
   * polling for up to `spinUs` (a caller that sends one job usually sends the next soon, and
   * waking a sleeping thread costs the caller's Atomics.notify ~25 µs on this VM); then sleeps
   * (waking after IDLE_GC_MS to collect when it holds finished jobs).
   */
  function waitForWork(spinUs: number): void {
    for (let i = 0; i < spin; i++) if (Atomics.load(slot, SLOT.WAKE) !== seen) return;
    if (spinUs > 0) {
      const until = performance.now() + spinUs / 1000;
      for (let i = 1; Atomics.load(slot, SLOT.WAKE) === seen; i++) if ((i & 255) === 0 && performance.now() > until) break;
      if (Atomics.load(slot, SLOT.WAKE) !== seen) return;
    }
    if (Atomics.wait(slot, SLOT.WAKE, seen, jobsSinceMajor > 0 ? IDLE_GC_MS : Infinity) === "timed-out") collect("major");
  }

  /**
   * Polling after a job pays when the next job follows soon and the worker gets to run it; on a
   * busy machine the poll only takes the core from the caller. So the poll budget halves after
   * every job the worker joined too late to run a chunk of (another thread, usually the caller,
   * had done them all), and recovers when it runs chunks again.
   */
  let spinUs = spinAfterJobUs;
  let seen = Atomics.load(slot, SLOT.WAKE);
  let afterJob = false;
  Atomics.store(slot, SLOT.STATE, STATE.IDLE);
  for (;;) {
    // Older messages are jobs the caller has already finished: only the newest can be live.
    let msg: JobMessage | { stop: true } | undefined;
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) msg = m.message as typeof msg;
    if (msg !== undefined) {
      if ("stop" in msg) break;
      const job = msg;
      Atomics.store(slot, SLOT.TAKEN, job.seq);
      markHeapArrays(job.job, job.heap);
      const kernel = kernelByName(job.kernel);
      let ran = 0;
      if (kernel === undefined) {
        port.postMessage({ seq: job.seq, worker: index, chunk: -1, error: { name: "Error", message: `worker ${index} has no kernel "${job.kernel}"` } });
        Atomics.store(words, CTL.ERR, job.seq);
      } else {
        ran = work(big, words, job, kernel, slot, (fault) => {
          port.postMessage({ seq: job.seq, worker: index, chunk: fault.chunk, error: describe(fault.error) });
          Atomics.store(words, CTL.ERR, job.seq);
        });
      }
      spinUs = ran > 0 ? Math.min(spinAfterJobUs, Math.max(spinUs * 2, 8)) : spinUs / 2 < 4 ? 0 : spinUs / 2;
      Atomics.store(slot, SLOT.UNCOLLECTED, ++jobsSinceMajor);
      if (++jobsSinceGc >= GC_EVERY) collect("minor");
      afterJob = true;
      continue;
    }
    waitForWork(afterJob ? spinUs : 0);
    afterJob = false;
    seen = Atomics.load(slot, SLOT.WAKE);
  }
  port.close();
}

// Only as a pool's worker thread (importing this module elsewhere does nothing).
const init = workerData as WorkerInit | null;
if (init?.role === "tapir-kernel-worker") await serve(init);
