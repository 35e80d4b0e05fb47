// Tensor storage: large tensors are typed arrays over SharedArrayBuffer (so workers use them
// without copies), size-classed; small ones are carved from slabs of ordinary ArrayBuffer —
// they always run inline (far below the parallel threshold), and SAB-backed views cost ~3×
// more to create (84 vs 26 ns measured here) and make young-generation GCs several times slower.
// Both kinds are recycled through free lists when the runtime knows a buffer is dead.
import { arrayCtor, type DType, type TypedArray, type TypedArrayCtor } from "../dtype.js";
import { SharedMemoryPressure } from "./gc-pressure.js";
import { claimHeap, heapAddress, heapBuffer } from "./heap.js";

/** A typed array over a buffer (the lib types only admit ArrayBuffer in the union constructor). */
function view(Ctor: TypedArrayCtor, sab: ArrayBufferLike, byteOffset: number, length: number): TypedArray {
  return new (Ctor as unknown as new (b: ArrayBufferLike, o: number, n: number) => TypedArray)(sab, byteOffset, length);
}

/**
 * Allocations up to this many bytes share 64 KiB ArrayBuffer slabs (one buffer per tensor would
 * cost more than the op). 8 KiB holds a float64 [32,32] or a float32 [32,64]: a jitted gradient
 * of a narrow network returns such weight gradients on every call, and a fresh SharedArrayBuffer
 * for each cost ~1-2 µs plus its share of the GC's external-memory work (W14: 20 per call).
 * threaded.ts copies non-shared operands up to this size into a pooled job's message.
 */
export const SLAB_MAX_ALLOC = 8192;
const SLAB_BYTES = 64 * 1024;
/** Small blocks are powers of two from 8 bytes: classes 0..10 = 8 B … 8 KiB. */
const SMALL_CLASSES = 11;
/** Large buffers are rounded up to a size class: powers of two split in 4 steps (≤ 19% waste). */
const MIN_CLASS = 4096;

function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

function smallClass(bytes: number): number {
  return bytes <= 8 ? 0 : 32 - Math.clz32(bytes - 1) - 3;
}

export interface ArenaStats {
  /** large allocations given fresh memory: a new SharedArrayBuffer, or a block carved from the heap */
  created: number;
  /** large allocations served from the free lists (of either kind) */
  reused: number;
  /** large buffers handed back by the runtime (of either kind) */
  released: number;
  /** bytes sitting in the large free lists */
  freeBytes: number;
  /** slabs created for small tensors */
  slabs: number;
  /** small allocations served from the small free lists */
  smallReused: number;
  /** small blocks handed back by the runtime */
  smallReleased: number;
  /** full collections run because fresh shared buffers passed the budget (gc-pressure.ts) */
  collections: number;
  /** large allocations placed in the heap (heap.ts), fresh or reused (also counted in created / reused) */
  heapAllocs: number;
  /** large allocations that found the heap at its cap and got a SharedArrayBuffer instead */
  heapFull: number;
  /** heap blocks freed: handed back by the runtime (also counted in released) or found unreachable by the GC */
  heapFreed: number;
  /** bytes of the heap the arena has claimed for tensors (never shrinks) */
  heapBytes: number;
  /** of those, bytes in blocks free for reuse */
  heapFreeBytes: number;
}

/**
 * What large tensors may take of the heap (heap.ts) in all: 64 MiB, or TAPIR_HEAP_MB. A Wasm
 * memory never shrinks and a block the GC finds dead returns only when its finalizer runs
 * (between tasks, never inside a synchronous loop), so past the cap allocations fall back to
 * SharedArrayBuffers, which the GC frees inside the loop (gc-pressure.ts).
 */
const HEAP_CAP = (() => {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.["TAPIR_HEAP_MB"];
  const mb = env === undefined || env === "" ? 64 : Number(env);
  return (Number.isFinite(mb) && mb >= 0 ? mb : 64) * 1024 * 1024;
})();
/** The heap is claimed in pieces of this much (or one block, if larger), carved into blocks. */
const HEAP_PIECE = 4 * 1024 * 1024;

/** A live heap block: its size class and the allocation it belongs to (finalizers of older ones are stale). */
interface HeapBlock {
  readonly cls: number;
  readonly gen: number;
}


export class Arena {
  private free = new Map<number, SharedArrayBuffer[]>();
  /**
   * Free small blocks, as the typed arrays released over them: an allocation of the same type
   * and length (a compiled loop's step makes the same ones each time) takes the array itself
   * back, so steady state creates no view objects for the GC.
   */
  private smallFree: TypedArray[][] = Array.from({ length: SMALL_CLASSES }, () => []);
  private slab: ArrayBuffer = new ArrayBuffer(SLAB_BYTES);
  private slabUsed = 0;
  /** Buffers this arena made: only those may enter its free lists. */
  private slabs = new WeakSet<ArrayBuffer>([this.slab]);
  private large = new WeakSet<SharedArrayBuffer>();
  readonly stats: ArenaStats = {
    created: 0, reused: 0, released: 0, freeBytes: 0, slabs: 1, smallReused: 0, smallReleased: 0, collections: 0,
    heapAllocs: 0, heapFull: 0, heapFreed: 0, heapBytes: 0, heapFreeBytes: 0,
  };
  /** Bytes of the heap large tensors may take; 0: none (every large tensor gets its own SharedArrayBuffer). */
  heapCap = HEAP_CAP;
  /** Free heap blocks by size class (byte addresses). */
  private heapFree = new Map<number, number[]>();
  /** Allocated heap blocks by address. */
  private heapLive = new Map<number, HeapBlock>();
  /** The rest of the last piece claimed from the heap: [at, end). */
  private pieceAt = 0;
  private pieceEnd = 0;
  private gen = 0;
  /**
   * Frees the block of a heap array the GC found unreachable (the runtime never released it).
   * The held value names the allocation, not the array, so it keeps nothing alive.
   */
  private readonly heapFinalizer = new FinalizationRegistry<{ at: number; gen: number }>(({ at, gen }) => {
    const b = this.heapLive.get(at);
    if (b !== undefined && b.gen === gen) this.freeHeapBlock(at, b);
  });
  /** Cap on what the large free lists keep; past it, released buffers are left to the GC. */
  maxFreeBytes = 512 * 1024 * 1024;
  /** Cap on free blocks per small class. */
  maxSmallFree = 4096;

  /** `pressure`: collects the garbage of the shared buffers this arena creates, which V8 does not count (gc-pressure.ts). */
  constructor(readonly pressure: SharedMemoryPressure | null = null) {}

  /** A typed array of `size` elements over shared memory. Contents are NOT zeroed unless `zero` (small ones always are). */
  alloc(dtype: DType, size: number, zero = false): TypedArray {
    const Ctor = arrayCtor(dtype);
    const bytes = size * Ctor.BYTES_PER_ELEMENT;
    if (bytes <= SLAB_MAX_ALLOC) {
      const cls = smallClass(bytes);
      const b = this.smallFree[cls]!.pop();
      if (b) {
        this.stats.smallReused++;
        const arr = b.constructor === Ctor && b.length === size ? b : view(Ctor, b.buffer, b.byteOffset, size);
        if (zero) arr.fill(0); // every kernel writes all of its output
        return arr;
      }
      const aligned = 8 << cls;
      if (this.slabUsed + aligned > SLAB_BYTES) {
        this.slab = new ArrayBuffer(SLAB_BYTES);
        this.slabs.add(this.slab);
        this.slabUsed = 0;
        this.stats.slabs++;
      }
      const arr = view(Ctor, this.slab, this.slabUsed, size);
      this.slabUsed += aligned;
      return arr;
    }
    const cls = sizeClass(bytes);
    const at = this.heapCap > 0 ? this.heapBlock(cls) : -1;
    if (at >= 0) {
      const arr = view(Ctor, heapBuffer(), at, size);
      const gen = ++this.gen;
      this.heapLive.set(at, { cls, gen });
      this.heapFinalizer.register(arr, { at, gen }, arr);
      this.stats.heapAllocs++;
      if (zero) arr.fill(0);
      return arr;
    }
    const list = this.free.get(cls);
    const sab = list?.pop();
    if (sab) {
      this.stats.reused++;
      this.stats.freeBytes -= cls;
      const arr = view(Ctor, sab, 0, size);
      if (zero) arr.fill(0);
      return arr;
    }
    if (this.pressure?.willCreate(cls)) this.stats.collections++;
    this.stats.created++;
    const fresh = new SharedArrayBuffer(cls);
    this.large.add(fresh);
    return view(Ctor, fresh, 0, size);
  }

  /** A free heap block of `cls` bytes (reused, or carved from the heap), or -1 when the heap is full or unavailable. */
  private heapBlock(cls: number): number {
    const reuse = this.heapFree.get(cls)?.pop();
    if (reuse !== undefined) {
      this.stats.heapFreeBytes -= cls;
      this.stats.reused++;
      return reuse;
    }
    if (this.pieceEnd - this.pieceAt < cls) {
      const piece = Math.max(HEAP_PIECE, cls);
      if (this.stats.heapBytes + piece > this.heapCap) {
        this.stats.heapFull++;
        return -1;
      }
      const at = claimHeap(piece);
      if (at < 0) {
        this.heapCap = 0; // the memory cannot grow here: stop trying
        return -1;
      }
      // the rest of the previous piece is left unused (< one block of this class)
      this.stats.heapBytes += piece;
      this.pieceAt = at;
      this.pieceEnd = at + piece;
    }
    const at = this.pieceAt;
    this.pieceAt += cls;
    this.stats.created++;
    return at;
  }

  private freeHeapBlock(at: number, b: HeapBlock): void {
    this.heapLive.delete(at);
    let list = this.heapFree.get(b.cls);
    if (!list) this.heapFree.set(b.cls, (list = []));
    list.push(at);
    this.stats.heapFreed++;
    this.stats.heapFreeBytes += b.cls;
  }

  /** Hands a buffer back for reuse. The caller guarantees nothing reads it any more. */
  release(arr: TypedArray): void {
    const at = arr.byteLength > SLAB_MAX_ALLOC ? heapAddress(arr) : -1;
    if (at >= 0) {
      // only the array an allocation returned frees its block (not a view into it)
      const b = this.heapLive.get(at);
      if (b === undefined || arr.byteLength > b.cls || !this.heapFinalizer.unregister(arr)) return;
      this.freeHeapBlock(at, b);
      this.stats.released++;
      return;
    }
    const buf = arr.buffer;
    if (arr.byteLength <= SLAB_MAX_ALLOC) {
      if (!(buf instanceof ArrayBuffer) || !this.slabs.has(buf)) return;
      const list = this.smallFree[smallClass(arr.byteLength)]!;
      if (list.length >= this.maxSmallFree) return;
      list.push(arr);
      this.stats.smallReleased++;
      return;
    }
    if (!(buf instanceof SharedArrayBuffer)) return;
    const sab = buf;
    if (arr.byteOffset !== 0 || !this.large.has(sab) || this.stats.freeBytes + sab.byteLength > this.maxFreeBytes) return;
    let list = this.free.get(sab.byteLength);
    if (!list) this.free.set(sab.byteLength, (list = []));
    list.push(sab);
    this.stats.released++;
    this.stats.freeBytes += sab.byteLength;
  }

  /** Drops every free buffer (the GC reclaims them). */
  trim(): void {
    this.free.clear();
    this.stats.freeBytes = 0;
    for (const l of this.smallFree) l.length = 0;
  }
}

export const arena = new Arena(new SharedMemoryPressure());
