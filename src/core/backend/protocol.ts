// The shared-memory protocol between the calling thread and the pool's workers (pool.ts drives
// it, worker.ts serves it). One control block per pool, one slot per worker.
//
// Control block: big[CLAIM] = seq·2³² + next chunk, big[DONE] = seq·2³² + chunks done (a claim
// of an older seq fails its compare-and-swap, so a late worker cannot steal from the next job);
// words[ERR] = seq of the latest job with a fault; words[CANCEL] ≠ 0: abandon the running job
// (checked before every chunk; any thread may set it, the caller clears it); words[DEATHS] / words[BOOT_FAILURES] count workers that died /
// died before they were ready (written by the supervisor).
import type { AnyKernel } from "./kernel.js";

export const CTL = { CLAIM: 0, DONE: 1, ERR: 0, CANCEL: 1, DEATHS: 2, BOOT_FAILURES: 3, BYTES: 32, WORDS_AT: 16, NWORDS: 4 } as const;

/**
 * Words of a worker's slot (an Int32Array over its own small SharedArrayBuffer). WAKE: bumped per
 * posted job; STATE: see STATE; SEQ/CHUNK: the chunk being run; CODE: exit code; TAKEN: seq of
 * the newest job message taken; LOST: seq of the job
 * whose chunk the worker was running when it died (set by its exit handler or the supervisor);
 * UNCOLLECTED: jobs the worker took since its last full collection (their buffers may still be alive
 * in its isolate until it collects: worker.ts); GC: 1 once the worker holds V8's gc function (it
 * collects itself), -1 when it could not get it.
 */
export const SLOT = { WAKE: 0, STATE: 1, SEQ: 2, CHUNK: 3, CODE: 4, TAKEN: 5, LOST: 6, UNCOLLECTED: 7, GC: 8, SIZE: 9 } as const;
/** Worker states in SLOT.STATE. */
export const STATE = { BOOTING: 0, IDLE: 1, BUSY: 2, DEAD: 3 } as const;

/** A job message from the caller to a worker. */
export interface JobMessage {
  seq: number;
  /** chunks */
  n: number;
  /** units per chunk, and in all */
  per: number;
  total: number;
  /** registry name of the kernel */
  kernel: string;
  job: unknown;
  /** where the job holds heap arrays (heap.ts heapKeysOf): the worker marks their buffers */
  heap?: string[] | undefined;
}

/** What a chunk that threw reports. */
export interface ChunkFault {
  chunk: number;
  error: unknown;
}

const LOW = 0xffffffffn;

/** Marks the slot of a thread that is exiting: DEAD, with its exit code, and the job it abandons. */
export function markDead(slot: Int32Array, big: BigInt64Array, words: Int32Array, code: number): void {
  if (Atomics.load(slot, SLOT.STATE) === STATE.DEAD) return;
  if (Atomics.load(slot, SLOT.STATE) === STATE.BUSY) {
    Atomics.store(slot, SLOT.LOST, Atomics.load(slot, SLOT.SEQ));
    Atomics.store(words, CTL.ERR, Atomics.load(slot, SLOT.SEQ));
  }
  Atomics.store(slot, SLOT.CODE, code);
  Atomics.store(slot, SLOT.STATE, STATE.DEAD);
  Atomics.notify(big, CTL.DONE); // a caller waiting for this worker's chunk looks again
}

/**
 * Claims chunks of job `seq` until none are left (or the job is cancelled) and runs each on
 * `kernel`: chunk c is units [c·per, min(total, (c+1)·per)). `slot` (workers only) records
 * [state, seq, chunk]. A chunk that throws is reported to `onFault` and still counted
 * done, so nobody waits for it. Returns the number of chunks this thread ran.
 */
export function work(
  big: BigInt64Array, words: Int32Array, m: JobMessage, kernel: AnyKernel, slot: Int32Array | null, onFault: (f: ChunkFault) => void,
): number {
  const { seq, n, per, total, job } = m;
  const tag = BigInt(seq) << 32n;
  let ran = 0;
  for (;;) {
    const cur = Atomics.load(big, CTL.CLAIM);
    if ((cur & ~LOW) !== tag) return ran;
    const c = Number(cur & LOW);
    if (c >= n) return ran;
    if (Atomics.load(words, CTL.CANCEL) !== 0) return ran;
    if (Atomics.compareExchange(big, CTL.CLAIM, cur, cur + 1n) !== cur) continue;
    if (slot) {
      Atomics.store(slot, SLOT.SEQ, seq);
      Atomics.store(slot, SLOT.CHUNK, c);
      Atomics.store(slot, SLOT.STATE, STATE.BUSY);
    }
    try {
      const u0 = c * per;
      kernel.run(job, u0, Math.min(total, u0 + per));
    } catch (error) {
      onFault({ chunk: c, error });
    }
    ran++;
    if (slot) Atomics.store(slot, SLOT.STATE, STATE.IDLE);
    for (;;) {
      const d = Atomics.load(big, CTL.DONE);
      if ((d & ~LOW) !== tag) return ran;
      if (Atomics.compareExchange(big, CTL.DONE, d, d + 1n) === d) {
        if (Number(d & LOW) + 1 === n) Atomics.notify(big, CTL.DONE);
        break;
      }
    }
  }
}
