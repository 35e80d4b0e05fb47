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
 * The rank-1 update under flush-to-zero (config.flushSubnormals): the same loop as `kernel`, with
 * every operand read through ftz and every rounded product and sum flushed, exactly as the JS
 * path (step-program.ts outerInto: p = ftz(ftz(a)·ftz(b)), acc = ftz(ftz(acc) + p)) and the
 * elementwise kernels (ew-flush.ts) do. ftz(v) = bitselect(sign bits of v, v, exponent bits
 * zero): a subnormal lane becomes ±0, everything else (±0, NaN, ±∞, normals) is unchanged. The
 * scalar tail runs the same vector code on splatted lanes and stores lane 0.
 *
 * `lean`: for the steps after the first of a loop, when every accumulator element is already
 * flushed (each step stores ftz(…)) — the kernel flushes b in place once (n elements) and then
 * skips the two reads through ftz that are no-ops (ftz is idempotent): p = ftz(x·b), acc =
 * ftz(acc + p), two flushes per element instead of four, the same bits.
 */
function kernelFtz(name: string, ln: Lanes, lean = false): Func {
  const f = new Func(name, [I32, I32, I32, I32, I32]);
  const [acc, a, m, b, n] = [0, 1, 2, 3, 4];
  const i = f.local(I32), j = f.local(I32), pb = f.local(I32), x = f.local(V128), t = f.local(V128), u = f.local(V128);
  const es = ln.bytes, L = ln.lanes, f32 = es === 4;
  const ftz = (v: number): void => {
    if (f32) {
      f.get(v).simd(0x0c, ...splat32(0x80000000)).simd(0x4e).get(v);
      f.get(v).simd(0x0c, ...splat32(0x7f800000)).simd(0x4e).simd(0x0c, ...splat32(0)).simd(0x37);
    } else {
      f.get(v).i64x2(0x80000000, 0).simd(0x4e).get(v);
      f.get(v).i64x2(0x7ff00000, 0).simd(0x4e).i64x2(0, 0).simd(0xd6);
    }
    f.simd(0x52).set(v);
  };
  /** t = ftz(x · ftz(t)); u = ftz(ftz(u) + t) (t, u loaded by the caller) */
  const update = (): void => {
    if (!lean) ftz(t);
    f.get(x).get(t).simd(ln.mul).set(t);
    ftz(t);
    if (!lean) ftz(u);
    f.get(u).get(t).simd(ln.add).set(u);
    ftz(u);
  };
  // lean: bmin = the least nonzero |b_j| (after flushing; +∞ when none), in every lane
  const bmin = f.local(V128);
  const vconst = (bits32: number, hi64: number): void => void (f32 ? f.simd(0x0c, ...splat32(bits32)) : f.i64x2(hi64, 0));
  const [ABS, EQ, GE, MIN] = f32 ? [0xe0, 0x41, 0x46, 0xe8] : [0xec, 0x47, 0x4c, 0xf4];
  /** bmin = min(bmin, |t| with zeros read as +∞) */
  const takeMin = (): void => {
    f.get(bmin);
    vconst(0x7f800000, 0x7ff00000); // +∞
    f.get(t).simd(ABS);
    f.get(t).simd(ABS).v128zero().simd(EQ).simd(0x52); // bitselect(+∞, |t|, |t| == 0)
    f.simd(MIN).set(bmin);
  };
  if (lean) {
    // b ← ftz(b) in place: vectors, then the tail lane by lane (splat, flush, store lane 0)
    vconst(0x7f800000, 0x7ff00000);
    f.set(bmin);
    f.get(b).set(pb).i32(0).set(j);
    f.block().loop();
    f.get(j).i32(L).add().get(n).gtU().brIf(1);
    f.get(pb).v128load().set(t);
    ftz(t);
    takeMin();
    f.get(pb).get(t).v128store();
    f.inc(pb, 16).inc(j, L).br(0);
    f.end().end();
    f.block().loop();
    f.get(j).get(n).geU().brIf(1);
    f.get(pb).loadSplat(es).set(t);
    ftz(t);
    takeMin();
    f.get(pb).get(t).simd(f32 ? 0x1f : 0x21, 0).store(ln.scalar);
    f.inc(pb, es).inc(j, 1).br(0);
    f.end().end();
    // every lane ← the least lane (swap halves, then, for float32, neighbours)
    f.get(bmin).get(bmin).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]).get(bmin).simd(MIN).set(bmin);
    if (f32) f.get(bmin).get(bmin).shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]).get(bmin).simd(MIN).set(bmin);
  }
  /** One row: acc[i, :] updated, `acc` and `pb` advanced past it (`flushing`: the ftz update, else plain). */
  const row = (flushing: boolean): void => {
    f.get(b).set(pb).i32(0).set(j);
    f.block().loop();
    f.get(j).i32(L).add().get(n).gtU().brIf(1);
    if (flushing) {
      f.get(pb).v128load().set(t).get(acc).v128load().set(u);
      update();
      f.get(acc).get(u).v128store();
    } else f.get(acc).get(acc).v128load().get(x).get(pb).v128load().simd(ln.mul).simd(ln.add).v128store();
    f.inc(acc, 16).inc(pb, 16).inc(j, L).br(0);
    f.end().end();
    f.block().loop();
    f.get(j).get(n).geU().brIf(1);
    if (flushing) {
      f.get(pb).loadSplat(es).set(t).get(acc).loadSplat(es).set(u);
      update();
      f.get(acc).get(u).simd(f32 ? 0x1f : 0x21, 0).store(ln.scalar);
    } else f.get(acc).get(acc).load(ln.scalar).get(x).simd(f32 ? 0x1f : 0x21, 0).get(pb).load(ln.scalar).op(ln.smul).op(ln.sadd).store(ln.scalar);
    f.inc(acc, es).inc(pb, es).inc(j, 1).br(0);
    f.end().end();
  };
  f.i32(0).set(i);
  f.block().loop();
  f.get(i).get(m).geU().brIf(1);
  f.get(a).loadSplat(es).set(x);
  ftz(x);
  if (lean) {
    // Every product of this row is 0 or at least T = 2⁻¹⁰² (float64: 2⁻⁹⁶⁹) in magnitude when
    // round(|x|·bmin) ≥ T (rounding is monotone). Then no flush changes a bit: the product is
    // not subnormal, and neither is the sum with an accumulator element u (flushed, so 0 or
    // normal): for |u| < T/2, |u + p| > T/2; otherwise both are multiples of the smallest normal
    // (ulp(T/2) = 2⁻¹²⁶ in float32, 2⁻¹⁰²² in float64), so their sum is 0 or normal. Such rows
    // take the plain update (ordinary data: nearly every row).
    f.get(x).simd(ABS).get(bmin).simd(ln.mul);
    vconst(0x0c800000, 0x03600000); // 2⁻¹⁰² (float32 bits 0x0c800000); 2⁻⁹⁶⁹ (float64 high word 0x03600000)
    f.simd(GE).simd(0x1b, 0); // i32x4.extract_lane 0: all ones when the row qualifies
    f.if_();
    row(false);
    f.else_();
    row(true);
    f.end();
  } else row(true);
  f.inc(a, es).inc(i, 1).br(0);
  f.end().end();
  return f;
}

/** 16 bytes: the 32-bit pattern c in each lane (little-endian). */
function splat32(c: number): number[] {
  const w = [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, (c >>> 24) & 0xff];
  return [...w, ...w, ...w, ...w];
}

/**
 * matvec(y, x, k, B, n): y[0..n) = x[0..k) · B (k×n row-major), as s = 0; s = s + x[p]·B[p,j]
 * in increasing p, each product and sum rounded (gemm's contract: the same bits).
 *
 * Register-blocked: 4 vectors of columns (16 float32 / 8 float64) at a time, their sums held in
 * locals for the whole pass over p (one splat of x[p] and 4 loads per p, no load or store of y),
 * then single vectors, then the columns past the last full vector as a pass over p per row. Every
 * y[j] is still the same sequence of roundings in increasing p, so the blocking changes no bit.
 */
function matvec(name: string, ln: Lanes, fma = false): Func {
  const f = new Func(name, [I32, I32, I32, I32, I32]);
  const [y, x, k, b, n] = [0, 1, 2, 3, 4];
  const p = f.local(I32), j = f.local(I32), py = f.local(I32), xs = f.local(V128), row = f.local(I32);
  const px = f.local(I32), ld = f.local(I32), j0 = f.local(I32);
  const R = 4;
  const accs = Array.from({ length: R }, () => f.local(V128));
  const es = ln.bytes, L = ln.lanes;
  // y = 0 (the tail columns accumulate in place)
  f.get(y).i32(0).get(n).i32(es).mul().memoryFill();
  f.get(n).i32(es).mul().set(ld);
  f.i32(0).set(j);
  for (const r of [R, 1]) {
    f.block().loop();
    f.get(j).i32(r * L).add().get(n).gtU().brIf(1);
    for (let q = 0; q < r; q++) f.v128zero().set(accs[q]!);
    f.get(x).set(px).get(b).get(j).i32(es).mul().add().set(row).i32(0).set(p);
    f.block().loop();
    f.get(p).get(k).geU().brIf(1);
    f.get(px).loadSplat(es).set(xs);
    for (let q = 0; q < r; q++) {
      if (fma) f.get(xs).get(row).v128load(16 * q).get(accs[q]!).simd(ln.madd).set(accs[q]!);
      else f.get(accs[q]!).get(xs).get(row).v128load(16 * q).simd(ln.mul).simd(ln.add).set(accs[q]!);
    }
    f.inc(px, es).incBy(row, ld).inc(p, 1).br(0);
    f.end().end();
    f.get(y).get(j).i32(es).mul().add().set(py);
    for (let q = 0; q < r; q++) f.get(py).get(accs[q]!).v128store(16 * q);
    f.inc(j, r * L).br(0);
    f.end().end();
  }
  // columns [j0, n): row by row, accumulating in y
  f.get(j).set(j0);
  f.i32(0).set(p).get(x).set(px);
  f.block().loop();
  f.get(p).get(k).geU().brIf(1);
  f.get(j0).get(n).geU().brIf(1);
  f.get(y).get(j0).i32(es).mul().add().set(py);
  f.get(b).get(p).get(ld).mul().add().get(j0).i32(es).mul().add().set(row);
  f.get(j0).set(j);
  f.block().loop();
  f.get(j).get(n).geU().brIf(1);
  // with fma the tail fuses too, in lane 0 of splats (wasm has no scalar FMA), as gemm's gemv does
  if (fma) f.get(py).get(px).loadSplat(es).get(row).loadSplat(es).get(py).loadSplat(es).simd(ln.madd).simd(es === 4 ? 0x1f : 0x21, 0).store(ln.scalar);
  else f.get(py).get(py).load(ln.scalar).get(px).load(ln.scalar).get(row).load(ln.scalar).op(ln.smul).op(ln.sadd).store(ln.scalar);
  f.inc(py, es).inc(row, es).inc(j, 1).br(0);
  f.end().end();
  f.inc(px, es).inc(p, 1).br(0);
  f.end().end();
  return f;
}

/** The rank-1 updates and matvecs of one dtype, for a module of their own (a compiled loop's: transforms/control/loop-wasm.ts). */
export interface AccFuncs {
  /** outer_acc(acc, a, m, b, n) without flushing, with flushing, and the lean flushing one (kernelFtz) */
  readonly plain: Func;
  readonly ftz: Func;
  readonly lean: Func;
  /** matvec(y, x, k, B, n) with a rounded product and sum per step, and with fused multiply-adds (null: `fma` not asked for) */
  readonly matvec: Func;
  readonly matvecFma: Func | null;
}
/** The kernels of this file as functions, named with `prefix`, to be built into another module on the same memory. */
export function accFuncs(f32: boolean, fma: boolean, prefix: string): AccFuncs {
  const ln = f32 ? F32X4 : F64X2;
  return {
    plain: kernel(`${prefix}outer`, ln),
    ftz: kernelFtz(`${prefix}outer_ftz`, ln),
    lean: kernelFtz(`${prefix}outer_lean`, ln, true),
    matvec: matvec(`${prefix}matvec`, ln),
    matvecFma: fma ? matvec(`${prefix}matvec_fma`, ln, true) : null,
  };
}

/** The kernel modules: [0] without, [1] with the fused matvecs (relaxed SIMD; valid only where the engine has it). */
const modules: (object | null | undefined)[] = [undefined, undefined];
function compiledModule(fma: boolean): object | null {
  const i = fma ? 1 : 0;
  if (modules[i] === undefined) {
    modules[i] = null;
    if (typeof WebAssembly === "object") {
      const funcs = [kernel("outer_acc_f32", F32X4), kernel("outer_acc_f64", F64X2), kernelFtz("outer_acc_ftz_f32", F32X4), kernelFtz("outer_acc_ftz_f64", F64X2), kernelFtz("outer_acc_ftz_lean_f32", F32X4, true), kernelFtz("outer_acc_ftz_lean_f64", F64X2, true), matvec("matvec_f32", F32X4), matvec("matvec_f64", F64X2)];
      if (fma) funcs.push(matvec("matvec_fma_f32", F32X4, true), matvec("matvec_fma_f64", F64X2, true));
      const bytes = assemble(funcs, { min: 1, max: 65536 });
      if (WebAssembly.validate(bytes)) modules[i] = new WebAssembly.Module(bytes);
    }
  }
  return modules[i]!;
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
  /**
   * acc (at byte accAt, m×n) += a ⊗ b, a at aAt (m elements), b at bAt (n elements); with
   * `flush`, under flush-to-zero (kernelFtz); `lean` (with flush): every acc element is already
   * flushed (an earlier flushed step stored it), and b may be flushed in place.
   */
  run(f32: boolean, flush: boolean, accAt: number, aAt: number, m: number, bAt: number, n: number, lean?: boolean): void;
  /**
   * y (at yAt, n elements) = x (at xAt, k elements) · B (at bAt, k×n); with `fma` each step is
   * y = fma(x[p], B[p, :], y) (gemm's fused gemv: the same bits), else a rounded product and sum.
   */
  matvec(f32: boolean, fma: boolean, yAt: number, xAt: number, k: number, bAt: number, n: number): void;
}

/**
 * `fma`: include the fused matvecs (the caller checks that gemm fuses, gemm.relaxedSimdAvailable);
 * null without Wasm SIMD (or without relaxed SIMD when `fma` is asked for).
 */
export function outerAccMemory(bytes: number, fma = false): OuterAccMemory | null {
  const mod = compiledModule(fma);
  if (mod === null) return null;
  const ex = new WebAssembly.Instance(mod, {}).exports;
  const mem = ex["mem"] as Memory;
  const have = mem.buffer.byteLength;
  if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
  const k32 = ex["outer_acc_f32"] as (...a: number[]) => void;
  const k64 = ex["outer_acc_f64"] as (...a: number[]) => void;
  const z32 = ex["outer_acc_ftz_f32"] as (...a: number[]) => void;
  const z64 = ex["outer_acc_ftz_f64"] as (...a: number[]) => void;
  const l32 = ex["outer_acc_ftz_lean_f32"] as (...a: number[]) => void;
  const l64 = ex["outer_acc_ftz_lean_f64"] as (...a: number[]) => void;
  const m32 = ex["matvec_f32"] as (...a: number[]) => void;
  const m64 = ex["matvec_f64"] as (...a: number[]) => void;
  const f32v = ex["matvec_fma_f32"] as ((...a: number[]) => void) | undefined;
  const f64v = ex["matvec_fma_f64"] as ((...a: number[]) => void) | undefined;
  return {
    buffer: mem.buffer,
    run: (f32, flush, accAt, aAt, m, bAt, n, lean = false) => (flush ? (lean ? (f32 ? l32 : l64) : f32 ? z32 : z64) : f32 ? k32 : k64)(accAt, aAt, m, bAt, n),
    matvec: (f32, fma, yAt, xAt, k, bAt, n) => (fma ? (f32 ? f32v : f64v)! : f32 ? m32 : m64)(yAt, xAt, k, bAt, n),
  };
}
