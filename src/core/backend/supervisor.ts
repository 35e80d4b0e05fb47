// The pool's supervisor thread: it starts the kernel workers and watches them. The calling
// thread blocks while a kernel runs (the public API is synchronous), so it cannot receive a
// Worker's `exit` or `error` event when one dies mid-call; this thread's event loop is always
// free, so it hears the event at once, marks the worker's slot DEAD, records the exit code,
// posts the error, and wakes the waiting caller — also for deaths that skip the worker's own
// exit handler (out of memory, termination). It sleeps otherwise (no polling).
import { Worker, workerData, parentPort, type MessagePort } from "node:worker_threads";
import { CTL, markDead, SLOT, STATE } from "./protocol.js";

interface SupervisorInit {
  role: "tapir-supervisor";
  workerUrl: string;
  big: BigInt64Array;
  words: Int32Array;
  /** reports to the calling thread, read with receiveMessageOnPort */
  reports: MessagePort;
  resourceLimits?: object;
}
/** A worker to start: its index, slot, job port and the rest of its workerData. */
interface SpawnMessage {
  spawn: number;
  init: { slot: Int32Array; port: MessagePort } & Record<string, unknown>;
}

/** Starts and watches workers on the caller's requests until told to stop. */
function supervise(init: SupervisorInit): void {
  const { workerUrl, big, words, reports, resourceLimits } = init;
  const workers = new Map<number, Worker>();

  function describe(error: unknown): { name: string; message: string; code?: string } {
    if (error instanceof Error) return { name: error.name, message: error.message, code: (error as { code?: string }).code };
    return { name: "Error", message: String(error) };
  }

  function spawn({ spawn: index, init }: SpawnMessage): void {
    const { slot, port } = init;
    workers.get(index)?.terminate();
    const w = new Worker(new URL(workerUrl), {
      workerData: { ...init, index, role: "tapir-kernel-worker" },
      transferList: [port],
      // The worker imports node: modules only; it needs none of the parent's Node options
      // (loaders, --input-type, -e would even stop it); V8 flags are per process anyway.
      execArgv: [],
      ...(resourceLimits ? { resourceLimits } : {}),
    });
    workers.set(index, w);
    w.on("error", (e) => reports.postMessage({ worker: index, seq: Atomics.load(slot, SLOT.SEQ), error: describe(e) }));
    w.on("exit", (code) => {
      if (workers.get(index) === w) workers.delete(index);
      if (Atomics.load(slot, SLOT.STATE) === STATE.BOOTING) Atomics.add(words, CTL.BOOT_FAILURES, 1);
      Atomics.add(words, CTL.DEATHS, 1);
      markDead(slot, big, words, code);
      Atomics.notify(big, CTL.DONE);
    });
  }

  parentPort!.on("message", (m: SpawnMessage | { kill: number } | { stop: true }) => {
    if ("kill" in m) {
      void workers.get(m.kill)?.terminate(); // a stalled worker (pool.ts failStalled)
      return;
    }
    if ("stop" in m) {
      for (const w of workers.values()) void w.terminate();
      parentPort!.close();
      reports.close();
      return;
    }
    spawn(m);
  });
}

// Only as a pool's supervisor thread (importing this module elsewhere does nothing).
const init = workerData as SupervisorInit | null;
if (init?.role === "tapir-supervisor") supervise(init);
