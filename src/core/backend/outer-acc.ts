// Kernels of compiled loops, on operands that live in the kernel's own memory for the run of a
// loop: a rank-1 update, and a matrix–vector product with a loop-constant matrix.
//
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

/**
 * matvec(y, x, k, B, n): y[0..n) = x[0..k) · B (k×n row-major), as s = 0; s = s + x[p]·B[p,j]
 * in increasing p, each product and sum rounded (gemm's contract: the same bits).
 */
function matvec(name: string, ln: Lanes): Func {
  const f = new Func(name, [I32, I32, I32, I32, I32]);
  const [y, x, k, b, n] = [0, 1, 2, 3, 4];
  const p = f.local(I32), j = f.local(I32), py = f.local(I32), xs = f.local(V128), row = f.local(I32);
  const es = ln.bytes, L = ln.lanes;
  // y = 0
  f.get(y).i32(0).get(n).i32(es).mul().memoryFill();
  f.i32(0).set(p).get(b).set(row);
  f.block().loop();
  f.get(p).get(k).geU().brIf(1);
  f.get(x).loadSplat(es).set(xs);
  f.get(y).set(py).i32(0).set(j);
  f.block().loop();
  f.get(j).i32(L).add().get(n).gtU().brIf(1);
  f.get(py).get(py).v128load().get(xs).get(row).v128load().simd(ln.mul).simd(ln.add).v128store();
  f.inc(py, 16).inc(row, 16).inc(j, L).br(0);
  f.end().end();
  f.block().loop();
  f.get(j).get(n).geU().brIf(1);
  f.get(py).get(py).load(ln.scalar).get(x).load(ln.scalar).get(row).load(ln.scalar).op(ln.smul).op(ln.sadd).store(ln.scalar);
  f.inc(py, es).inc(row, es).inc(j, 1).br(0);
  f.end().end();
  f.inc(x, es).inc(p, 1).br(0);
  f.end().end();
  return f;
}

let module: object | null | undefined;
function compiledModule(): object | null {
  if (module === undefined) {
    module = null;
    if (typeof WebAssembly === "object") {
      const bytes = assemble([kernel("outer_acc_f32", F32X4), kernel("outer_acc_f64", F64X2), matvec("matvec_f32", F32X4), matvec("matvec_f64", F64X2)], { min: 1, max: 65536 });
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
  /** y (at yAt, n elements) = x (at xAt, k elements) · B (at bAt, k×n). */
  matvec(f32: boolean, yAt: number, xAt: number, k: number, bAt: number, n: number): void;
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
  const m32 = ex["matvec_f32"] as (...a: number[]) => void;
  const m64 = ex["matvec_f64"] as (...a: number[]) => void;
  return {
    buffer: mem.buffer,
    run: (f32, accAt, aAt, m, bAt, n) => (f32 ? k32 : k64)(accAt, aAt, m, bAt, n),
    matvec: (f32, yAt, xAt, k, bAt, n) => (f32 ? m32 : m64)(yAt, xAt, k, bAt, n),
  };
}
