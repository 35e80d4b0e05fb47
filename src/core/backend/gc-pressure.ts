// Garbage collection for SharedArrayBuffer memory, which V8 does not see.
//
// V8 starts a full collection when the old generation grows or when external memory (ArrayBuffer
// backing stores) grows by ~64 MiB since the last one; but it counts a SharedArrayBuffer's backing
// store as zero bytes of external memory (BackingStore::PerIsolateAccountingLength). Tensor storage
// above 2 KiB is shared memory (storage.ts), so garbage tensors that die in the old generation are
// invisible to V8: a synchronous training loop whose intermediates outlive two scavenges (a
// tape's residuals, a conv layer's activations held for the backward pass, a jit step's outputs
// kept for the next step) promotes them, and V8 never collects them while the JS heap stays flat.
// Measured: examples/mnist.ts's convnet step left ~1.8 MiB of such buffers per step, RSS 274 MB →
// 3 GB over 1000 steps, not one full collection of the calling thread after the first seconds; a
// plain loop that keeps 1 MiB SharedArrayBuffers alive across a few scavenges grows by 1 MiB per
// step forever, the same loop over ArrayBuffers stays at ~15 MiB. (FinalizationRegistry cannot help:
// its callbacks run between tasks, never inside a synchronous loop.)
//
// So the arena does V8's accounting for it: it counts the bytes of the shared buffers it creates
// and, past a budget, runs a full collection itself (v8-gc.ts), as V8 would for ArrayBuffers. The
// budget is V8's own external-memory step (64 MiB) or the array-buffer bytes that survived the last
// collection, whichever is larger (so a program that holds a lot pays one collection per doubling,
// not one per 64 MiB). Buffers handed back to the arena (dispose, tidy, the transforms' scopes,
// jit's plans) are reused and cost nothing here: only fresh buffers count.
import { exposeGc, type GcFunction } from "./v8-gc.js";

/** V8's external-memory step between collections (kExternalAllocationSoftLimit). */
export const MIN_BUDGET = 64 * 1024 * 1024;

/** How often (in fresh bytes) a budget above the minimum is measured again. */
const RECHECK = 16 * 1024 * 1024;

export class SharedMemoryPressure {
  /** fresh shared bytes since the last collection */
  private made = 0;
  /** the current budget: collect once `made` passes it */
  budget = MIN_BUDGET;
  /** when `made` reaches it, the budget is looked at again (willCreate) */
  private recheckAt = 0;
  /** full collections run so far */
  collections = 0;
  /** off: count only (gc unavailable, or switched off by the caller) */
  enabled = true;
  private gc: GcFunction | null | undefined;

  constructor(
    /** bytes held in array buffers now (process.memoryUsage().arrayBuffers in Node) */
    private readonly liveBytes: () => number = () => process.memoryUsage().arrayBuffers,
    /** the collector (looked up on first need) */
    private readonly getGc: () => GcFunction | null = () => exposeGc(),
  ) {}

  /**
   * Counts a fresh shared buffer of `bytes`; runs a full collection first when the budget is spent
   * (before the allocation, so that buffers the collection frees are gone when the new one is made).
   * Returns whether it collected.
   */
  willCreate(bytes: number): boolean {
    this.made += bytes;
    if (this.made < MIN_BUDGET || !this.enabled) return false;
    if (this.made < this.budget) {
      if (this.made < this.recheckAt) return false;
      // The budget was set right after the last collection, when V8's concurrent sweeper may not
      // yet have released every buffer the collection found dead: those still counted as live and
      // inflated it. So look again every RECHECK bytes past the minimum step: what is live now,
      // less what was made since, is what really survived (and is still held).
      this.recheckAt = this.made + RECHECK;
      this.budget = Math.max(MIN_BUDGET, Math.min(this.budget, this.liveBytes() - this.made));
      if (this.made < this.budget) return false;
    }
    if (this.gc === undefined) this.gc = this.getGc();
    this.made = 0;
    this.recheckAt = 0;
    if (this.gc === null) return false;
    this.gc(); // a full collection (not { type: "major" }: a scavenge on Node 20, v8-gc.ts)
    this.collections++;
    this.budget = Math.max(MIN_BUDGET, this.liveBytes());
    return true;
  }
}
