// A kernel worker of tapir's thread pool (plain JS: Node 20 cannot start a TypeScript worker).
// It compiles the kernel library and the GEMM from sources it receives once, then loops:
// wait on its wake word, take the newest job from its port with receiveMessageOnPort (so it
// never returns to its event loop and never keeps a tensor's buffer after a job), claim
// chunks from the shared counter until none are left. See pool.ts for the protocol.
import v8 from "node:v8";
import vm from "node:vm";
import { receiveMessageOnPort, workerData } from "node:worker_threads";

const { index, slot, big, errSeq, port, kernelsSource, gemmSource, spin, spinAfterJobUs } = workerData;
const WAKE = 0, STATE = 1, SEQ = 2, CODE = 4, TAKEN = 5;
const IDLE = 1, DEAD = 3;

// Tests inject faults that only fire on workers (see testChunk in kernels.ts).
globalThis.__tapirWorker = index;

// A worker that exits (process.exit in a kernel, or termination) says so to a waiting caller.
process.on("exit", (code) => {
  Atomics.store(slot, CODE, code);
  Atomics.store(slot, STATE, DEAD);
  Atomics.store(errSeq, 0, Atomics.load(slot, SEQ));
  Atomics.notify(big, 1);
});

const gemm = new Function(gemmSource)();
const K = new Function("gemm", kernelsSource)(gemm);

// A job's arrays die with its message, but their SharedArrayBuffers stay alive until this
// isolate collects them, and a worker allocates so little that V8 would wait for hundreds of
// MB of them (measured: 8 MB of fresh buffers per job peaked at ~470 MB). So the worker runs
// a scavenge itself: after GC_EVERY jobs, and when it has been idle for IDLE_GC_MS. `gc` is
// taken from a context made while --expose-gc is briefly set (the flag is process-wide, so it
// is switched off again at once); without it, V8's own heuristics still bound the retention.
const GC_EVERY = 64;
const IDLE_GC_MS = 2;
let gc = null;
try {
  v8.setFlagsFromString("--expose-gc");
  gc = vm.runInNewContext("typeof gc === 'function' ? gc : null");
} finally {
  v8.setFlagsFromString("--no-expose-gc");
}
let jobsSinceGc = 0;
function collect() {
  jobsSinceGc = 0;
  if (gc !== null) gc({ type: "minor" });
}

function describe(error) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: "Error", message: String(error), stack: undefined };
}

/**
 * Waits for the wake word to move from `seen`: `spin` loads, then, right after a job, keeps
 * polling for up to `spinAfterJobUs` (a caller that sends one job usually sends the next soon,
 * and waking a sleeping thread costs the caller's Atomics.notify ~25 µs on this VM); then sleeps.
 */
function waitForWork(afterJob) {
  for (let i = 0; i < spin; i++) if (Atomics.load(slot, WAKE) !== seen) return;
  if (afterJob) {
    const until = performance.now() + spinAfterJobUs / 1000;
    for (let i = 1; Atomics.load(slot, WAKE) === seen; i++) if ((i & 255) === 0 && performance.now() > until) break;
    if (Atomics.load(slot, WAKE) !== seen) return;
  }
  if (Atomics.wait(slot, WAKE, seen, jobsSinceGc > 0 ? IDLE_GC_MS : Infinity) === "timed-out") collect();
}

let seen = Atomics.load(slot, WAKE);
let afterJob = false;
Atomics.store(slot, STATE, IDLE);
for (;;) {
  // Older messages are jobs the caller has already finished: only the newest can be live.
  let msg;
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) msg = m.message;
  if (msg !== undefined) {
    if (msg.stop) break;
    const { seq, n, job } = msg;
    Atomics.store(slot, TAKEN, seq);
    K.work(big, seq, n, job, slot, (fault) => {
      port.postMessage({ seq, worker: index, chunk: fault.chunk, error: describe(fault.error) });
      Atomics.store(errSeq, 0, seq);
    });
    if (++jobsSinceGc >= GC_EVERY) collect();
    afterJob = true;
    continue;
  }
  waitForWork(afterJob);
  afterJob = false;
  seen = Atomics.load(slot, WAKE);
}
port.close();
