// acc += a ⊗ b (a rank-1 update: acc[i,j] = acc[i,j] + a[i]·b[j]) in WebAssembly SIMD, for the
// gradient accumulations of compiled loops (dW += h_t ⊗ δ_t per step of a transposed scan).
// The accumulator lives in the kernel's own memory for the whole loop (a loop-owned carry:
// transforms/control/step-program.ts), so a step copies only the two vectors in. Each product
// and each sum is rounded to the dtype (f32x4.mul then f32x4.add; the scalar tail the same), as
// the unfused dot_general (k = 1) and add would: the same bits.
import { F32X4, F64X2, Func, I32, V128, assemble, type Lanes } from "./wasm-asm.js";

/** The part of the WebAssembly JS API used here (the project's libs do not declare it). */
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
};

/** outer_acc(acc, a, m, b, n): byte addresses; acc is m×n row-major. */
function kernel(name: string, ln: Lanes): Func {
  const f = new Func(name, [I32, I32, I32, I32, I32]);
  const [acc, a, m, b, n] = [0, 1, 2, 3, 4];
  const i = f.local(I32), j = f.local(I32), pb = f.local(I32), x = f.local(V128);
  const es = ln.bytes, L = ln.lanes;
  f.i32(0).set(i);
  f.block().loop();
  f.get(i).get(m).geU().brIf(1);
  f.get(a).loadSplat(es).set(x);
  f.get(b).set(pb).i32(0).set(j);
  // vector part: L columns at a time
  f.block().loop();
  f.get(j).i32(L).add().get(n).gtU().brIf(1);
  f.get(acc).get(acc).v128load().get(x).get(pb).v128load().simd(ln.mul).simd(ln.add).v128store();
  f.inc(acc, 16).inc(pb, 16).inc(j, L).br(0);
  f.end().end();
  // scalar tail
  f.block().loop();
  f.get(j).get(n).geU().brIf(1);
  f.get(acc).get(acc).load(ln.scalar).get(a).load(ln.scalar).get(pb).load(ln.scalar).op(ln.smul).op(ln.sadd).store(ln.scalar);
  f.inc(acc, es).inc(pb, es).inc(j, 1).br(0);
  f.end().end();
  f.inc(a, es).inc(i, 1).br(0);
  f.end().end();
  return f;
}

let module: object | null | undefined;
function compiledModule(): object | null {
  if (module === undefined) {
    module = null;
    if (typeof WebAssembly === "object") {
      const bytes = assemble([kernel("outer_acc_f32", F32X4), kernel("outer_acc_f64", F64X2)], { min: 1, max: 65536 });
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
    }
  }
  return module;
}

interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * A memory of `bytes` bytes with the rank-1 update kernels, for one run of a loop: grown once
 * when made and never again, so typed-array views of it stay valid. Null without Wasm SIMD.
 */
export interface OuterAccMemory {
  readonly buffer: ArrayBuffer;
  /** acc (at byte accAt, m×n) += a ⊗ b, a at aAt (m elements), b at bAt (n elements). */
  run(f32: boolean, accAt: number, aAt: number, m: number, bAt: number, n: number): void;
}

export function outerAccMemory(bytes: number): OuterAccMemory | null {
  const mod = compiledModule();
  if (mod === null) return null;
  const ex = new WebAssembly.Instance(mod, {}).exports;
  const mem = ex["mem"] as Memory;
  const have = mem.buffer.byteLength;
  if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
  const k32 = ex["outer_acc_f32"] as (...a: number[]) => void;
  const k64 = ex["outer_acc_f64"] as (...a: number[]) => void;
  return {
    buffer: mem.buffer,
    run: (f32, accAt, aAt, m, bAt, n) => (f32 ? k32 : k64)(accAt, aAt, m, bAt, n),
  };
}
