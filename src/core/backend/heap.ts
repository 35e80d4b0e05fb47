// The heap: one shared WebAssembly.Memory per process, where the arena keeps large tensors
// (storage.ts) and where the GEMM module (gemm.ts) has its scratch. A tensor there is a typed
// array over the memory's SharedArrayBuffer, so every JS kernel and every worker reads it as any
// shared array, and the GEMM's Wasm code reads it in place at its byte offset: no copy of the
// operand into the module's memory first (what a private module memory needs).
//
// The calling thread creates it; each pool worker adopts it from its init message (pool.ts,
// worker.ts). Space is only ever added, by `memory.grow`, which is atomic across threads: the
// range a grow adds belongs to whoever grew it, so the arena (calling thread) and each thread's
// GEMM scratch never overlap without any other lock. A Wasm memory never shrinks, so the arena
// caps what tensors take here (storage.ts) and falls back to plain SharedArrayBuffers past it.
//
// Which arrays lie in the heap: a thread remembers the SharedArrayBuffer objects it got from the
// memory (`memory.buffer` is a new object after each grow). A worker gets a job's arrays as fresh
// SharedArrayBuffer objects over the same bytes, so the job says which of them are heap arrays
// (pool.ts `heapKeys`) and the worker marks their buffers on arrival (`markHeapBuffer`).
import type { TypedArray } from "../dtype.js";

const PAGE = 65536;
/** The memory's maximum (pages): the whole 32-bit address space, reserved, not committed. */
export const HEAP_MAX_PAGES = 65536;

/** The part of the WebAssembly JS API used here (the project's libs do not declare it). */
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => HeapMemory;
};
export interface HeapMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}

let memory: HeapMemory | null | undefined; // undefined: not created yet; null: unavailable here
/** Whether this thread is the heap's creator (the calling thread), not a worker that adopted it. */
let caller = true;
let current: SharedArrayBuffer | null = null;
/** The heap's buffer objects this thread has seen (and, in a worker, those of its jobs' heap arrays). */
let heapBuffers = new WeakSet<SharedArrayBuffer>();

function create(): HeapMemory | null {
  if (typeof WebAssembly !== "object" || (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.["TAPIR_HEAP"] === "0") return null;
  try {
    return new WebAssembly.Memory({ initial: 0, maximum: HEAP_MAX_PAGES, shared: true });
  } catch {
    return null; // no shared Wasm memory here: tensors stay in SharedArrayBuffers, GEMM in its own memory
  }
}

/** The process's heap (created on first use on the calling thread), or null where Wasm shared memory is unavailable. */
export function heapMemory(): HeapMemory | null {
  if (memory === undefined) memory = create();
  return memory;
}

/** Whether this thread created the heap (and there is one): the thread that compiles kernels' in-place variants (ew-run.ts). */
export function isCallerHeap(): boolean {
  return caller && heapMemory() !== null;
}

/** Makes `m` this thread's heap (a worker, with the calling thread's memory from its init message). */
export function adoptHeap(m: HeapMemory | null): void {
  memory = m;
  caller = false;
  current = null;
  heapBuffers = new WeakSet();
}

/** The heap's buffer as of now (after grows by any thread), remembered as a heap buffer. */
export function heapBuffer(): SharedArrayBuffer {
  const b = memory!.buffer;
  if (b !== current) {
    current = b;
    heapBuffers.add(b);
  }
  return b;
}

/**
 * Adds at least `bytes` (whole pages) to the heap and returns the byte address of the added range,
 * which belongs to the caller alone; -1 when the heap is unavailable or cannot grow.
 */
export function claimHeap(bytes: number): number {
  const m = heapMemory();
  if (m === null) return -1;
  const pages = Math.ceil(bytes / PAGE);
  let at: number;
  try {
    at = m.grow(pages);
  } catch {
    return -1; // past the maximum, or the system refused the memory
  }
  heapBuffer();
  return at * PAGE;
}

/** Bytes the heap spans now (every thread's claims). */
export function heapBytes(): number {
  return memory ? memory.buffer.byteLength : 0;
}

/** The byte address of `a` in the heap, or -1 when `a` is not over the heap. */
export function heapAddress(a: TypedArray): number {
  return heapBuffers.has(a.buffer as SharedArrayBuffer) ? a.byteOffset : -1;
}

/** Records that `a`'s buffer is the heap (a worker's copy of a job's heap array: pool.ts `heapKeys`). */
export function markHeapBuffer(a: TypedArray): void {
  if (a.buffer instanceof SharedArrayBuffer) heapBuffers.add(a.buffer);
}

const isView = (v: unknown): v is TypedArray => ArrayBuffer.isView(v) && !(v instanceof DataView);

/**
 * Where a job (an object whose entries are arrays, numbers, or lists of those) holds heap arrays:
 * "key" or "key.index" paths, for the worker to mark (`markHeapArrays`); undefined when none.
 */
export function heapKeysOf(job: unknown): string[] | undefined {
  if (job === null || typeof job !== "object") return undefined;
  let keys: string[] | undefined;
  for (const [k, v] of Object.entries(job)) {
    if (isView(v)) {
      if (heapAddress(v) >= 0) (keys ??= []).push(k);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        if (isView(x) && heapAddress(x) >= 0) (keys ??= []).push(`${k}.${i}`);
      });
    }
  }
  return keys;
}

/** Marks the buffers of a received job's heap arrays (paths from `heapKeysOf`) as the heap's. */
export function markHeapArrays(job: unknown, keys: readonly string[] | undefined): void {
  if (keys === undefined || job === null || typeof job !== "object") return;
  const o = job as Record<string, unknown>;
  for (const key of keys) {
    const dot = key.indexOf(".");
    const v = dot < 0 ? o[key] : (o[key.slice(0, dot)] as unknown[] | undefined)?.[Number(key.slice(dot + 1))];
    if (isView(v)) markHeapBuffer(v);
  }
}
