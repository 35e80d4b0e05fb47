// Tensor storage: typed arrays over SharedArrayBuffer, small ones carved from slabs, large
// ones recycled through a size-classed arena when the runtime knows they are dead.
import { arrayCtor, type DType, type TypedArray, type TypedArrayCtor } from "../dtype.js";

/** A typed array over shared memory (the lib types only admit ArrayBuffer in the union constructor). */
function view(Ctor: TypedArrayCtor, sab: SharedArrayBuffer, byteOffset: number, length: number): TypedArray {
  return new (Ctor as unknown as new (b: SharedArrayBuffer, o: number, n: number) => TypedArray)(sab, byteOffset, length);
}

/** Allocations up to this many bytes share 64 KiB slabs (one SAB per tensor would cost more than the op). */
const SLAB_MAX_ALLOC = 2048;
const SLAB_BYTES = 64 * 1024;
/** Large buffers are rounded up to a size class: powers of two split in 4 steps (≤ 19% waste). */
const MIN_CLASS = 4096;

function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

export interface ArenaStats {
  /** buffers created with `new SharedArrayBuffer` for large allocations */
  created: number;
  /** large allocations served from the free lists */
  reused: number;
  /** large buffers handed back by the runtime */
  released: number;
  /** bytes sitting in the free lists */
  freeBytes: number;
  /** slabs created for small tensors */
  slabs: number;
}

export class Arena {
  private free = new Map<number, SharedArrayBuffer[]>();
  private slab: SharedArrayBuffer = new SharedArrayBuffer(SLAB_BYTES);
  private slabUsed = 0;
  readonly stats: ArenaStats = { created: 0, reused: 0, released: 0, freeBytes: 0, slabs: 1 };
  /** Cap on what the free lists keep; past it, released buffers are left to the GC. */
  maxFreeBytes = 512 * 1024 * 1024;

  /** A typed array of `size` elements over shared memory. Contents are NOT zeroed unless `zero`. */
  alloc(dtype: DType, size: number, zero = false): TypedArray {
    const Ctor = arrayCtor(dtype);
    const bytes = size * Ctor.BYTES_PER_ELEMENT;
    if (bytes <= SLAB_MAX_ALLOC) {
      const aligned = (bytes + 7) & ~7;
      if (this.slabUsed + aligned > SLAB_BYTES) {
        this.slab = new SharedArrayBuffer(SLAB_BYTES);
        this.slabUsed = 0;
        this.stats.slabs++;
      }
      const arr = view(Ctor, this.slab, this.slabUsed, size);
      this.slabUsed += aligned;
      // slab memory is never recycled, so it is still zero
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
    this.stats.created++;
    return view(Ctor, new SharedArrayBuffer(cls), 0, size);
  }

  /** Hands a large buffer back for reuse. The caller guarantees nothing reads it any more. */
  release(arr: TypedArray): void {
    const sab = arr.buffer;
    if (!(sab instanceof SharedArrayBuffer) || sab.byteLength < MIN_CLASS || arr.byteOffset !== 0) return;
    if (sab === this.slab || this.stats.freeBytes + sab.byteLength > this.maxFreeBytes) return;
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
  }
}

export const arena = new Arena();
