// Tensor storage: large tensors are typed arrays over SharedArrayBuffer (so workers use them
// without copies), size-classed; small ones are carved from slabs of ordinary ArrayBuffer —
// they always run inline (far below the parallel threshold), and SAB-backed views cost ~3×
// more to create (84 vs 26 ns measured here) and make young-generation GCs several times slower.
// Both kinds are recycled through free lists when the runtime knows a buffer is dead.
import { arrayCtor, type DType, type TypedArray, type TypedArrayCtor } from "../dtype.js";
import { SharedMemoryPressure } from "./gc-pressure.js";

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
  /** buffers created with `new SharedArrayBuffer` for large allocations */
  created: number;
  /** large allocations served from the free lists */
  reused: number;
  /** large buffers handed back by the runtime */
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
  readonly stats: ArenaStats = { created: 0, reused: 0, released: 0, freeBytes: 0, slabs: 1, smallReused: 0, smallReleased: 0, collections: 0 };
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

  /** Hands a buffer back for reuse. The caller guarantees nothing reads it any more. */
  release(arr: TypedArray): void {
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
