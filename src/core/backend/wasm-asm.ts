// A minimal WebAssembly binary assembler: just enough (MVP + SIMD + bulk memory) to emit the
// GEMM kernels (scripts/gemm-kernels.ts, at build time) and the fused elementwise kernels
// (ew-wasm.ts, at run time) from TypeScript without any tool from the internet.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`uleb: ${n} is not a non-negative integer`);
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/** Signed LEB128 (32-bit range). */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 32) throw new RangeError(`sleb: ${n} is out of range`);
  n |= 0;
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const f64View = new Float64Array(1);
const f64Byte = new Uint8Array(f64View.buffer);
/** The 8 little-endian bytes of a float64. */
function f64Bytes(v: number): number[] {
  f64View[0] = v;
  return [...f64Byte];
}
/** The 8 little-endian bytes of the 64-bit pattern hi:lo. */
function u64Bytes(hi: number, lo: number): number[] {
  const b: number[] = [];
  for (const w of [lo >>> 0, hi >>> 0]) for (let i = 0; i < 4; i++) b.push((w >>> (8 * i)) & 0xff);
  return b;
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
/** Appends `src` to `dst` (a loop: spreading arrays of tens of thousands of bytes is slow). */
function append(dst: number[], src: readonly number[]): number[] {
  for (let i = 0; i < src.length; i++) dst.push(src[i]!);
  return dst;
}
const vec = (items: number[][]): number[] => {
  const out = uleb(items.length);
  for (const it of items) append(out, it);
  return out;
};
const section = (id: number, body: number[]): number[] => append([id, ...uleb(body.length)], body);
/** The bytes of a module: the header, then its sections. */
function moduleBytes(sections: number[][]): Uint8Array {
  const head = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const out = new Uint8Array(sections.reduce((n, x) => n + x.length, head.length));
  out.set(head, 0);
  let at = head.length;
  for (const x of sections) (out.set(x, at), (at += x.length));
  return out;
}

/** Natural alignment exponent for a memory access of `bytes` bytes. */
const alignOf = (bytes: number): number => Math.log2(bytes);

/**
 * A function body under construction. Locals are numbered: parameters first, then the locals
 * declared with `local()`. Instruction helpers append bytes and return `this` for chaining.
 */
export class Func {
  readonly code: number[] = [];
  private readonly extra: ValType[] = [];
  constructor(
    readonly name: string,
    readonly params: ValType[],
    readonly results: ValType[] = [],
  ) {}

  /** Parameter index `i` (for readability at call sites). */
  param(i: number): number {
    if (i >= this.params.length) throw new RangeError(`${this.name}: no parameter ${i}`);
    return i;
  }
  local(type: ValType): number {
    this.extra.push(type);
    return this.params.length + this.extra.length - 1;
  }

  op(...bytes: number[]): this {
    append(this.code, bytes);
    return this;
  }
  /** Appends the unsigned LEB128 of a non-negative integer (as uleb, without an array). */
  private leb(n: number): this {
    if (n < 128 && n >= 0 && Number.isInteger(n)) this.code.push(n);
    else append(this.code, uleb(n));
    return this;
  }
  simd(opcode: number, ...imm: number[]): this {
    this.code.push(0xfd);
    return this.leb(opcode).op(...imm);
  }

  // --- variables and constants
  get(i: number): this { this.code.push(0x20); return this.leb(i); }
  set(i: number): this { this.code.push(0x21); return this.leb(i); }
  tee(i: number): this { this.code.push(0x22); return this.leb(i); }
  i32(v: number): this { return this.op(0x41, ...sleb(v)); }
  /** f64.const v (little-endian IEEE bits). */
  f64(v: number): this { return this.op(0x44, ...f64Bytes(v)); }
  /** v128.const with both f64 lanes = v. */
  f64x2(v: number): this { const b = f64Bytes(v); return this.simd(0x0c, ...b, ...b); }
  /** v128.const with both i64 lanes = the 64-bit pattern hi:lo (two u32 halves). */
  i64x2(hi: number, lo: number): this { const b = u64Bytes(hi, lo); return this.simd(0x0c, ...b, ...b); }
  /** Runs `emit` (which appends to this body) in the middle of a chain. */
  seq(emit: () => void): this { emit(); return this; }
  /** call function `index` (imports first). */
  call(index: number): this { return this.op(0x10, ...uleb(index)); }
  v128zero(): this { return this.simd(0x0c, ...new Array<number>(16).fill(0)); }

  // --- control flow (block types are always empty: values flow through locals)
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if_(): this { return this.op(0x04, 0x40); }
  else_(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  br(depth: number): this { return this.op(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.op(0x0d, ...uleb(depth)); }
  ret(): this { return this.op(0x0f); }

  // --- i32 arithmetic and comparisons
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  shl(): this { return this.op(0x74); }
  eqz(): this { return this.op(0x45); }
  eq(): this { return this.op(0x46); }
  ne(): this { return this.op(0x47); }
  ltU(): this { return this.op(0x49); }
  gtU(): this { return this.op(0x4b); }
  leU(): this { return this.op(0x4d); }
  geU(): this { return this.op(0x4f); }
  select(): this { return this.op(0x1b); }

  /** local[i] += delta (an i32 constant). */
  inc(i: number, delta: number): this { return this.get(i).i32(delta).add().set(i); }
  /** local[i] += local[j]. */
  incBy(i: number, j: number): this { return this.get(i).get(j).add().set(i); }

  // --- memory (address on the stack; `offset` is the constant memarg offset in bytes)
  load(t: typeof F32 | typeof F64 | typeof I32, offset = 0): this {
    const [opc, size] = t === F32 ? [0x2a, 4] : t === F64 ? [0x2b, 8] : [0x28, 4];
    return this.op(opc, ...uleb(alignOf(size)), ...uleb(offset));
  }
  store(t: typeof F32 | typeof F64 | typeof I32, offset = 0): this {
    const [opc, size] = t === F32 ? [0x38, 4] : t === F64 ? [0x39, 8] : [0x36, 4];
    return this.op(opc, ...uleb(alignOf(size)), ...uleb(offset));
  }
  v128load(offset = 0): this { return this.simd(0x00, ...uleb(4), ...uleb(offset)); }
  v128store(offset = 0): this { return this.simd(0x0b, ...uleb(4), ...uleb(offset)); }
  /** Load one 32-bit (f32) or 64-bit (f64) scalar and splat it to every lane. */
  loadSplat(bytes: 4 | 8, offset = 0): this {
    return this.simd(bytes === 4 ? 0x09 : 0x0a, ...uleb(alignOf(bytes)), ...uleb(offset));
  }
  /** i8x16.shuffle: result byte i = (a ++ b)[lanes[i]] (0–15 from a, 16–31 from b). */
  shuffle(lanes: number[]): this {
    if (lanes.length !== 16) throw new RangeError("shuffle: 16 lane indices");
    return this.simd(0x0d, ...lanes);
  }
  /** f32x4.splat (4) / f64x2.splat (8) of the scalar on the stack. */
  splat(bytes: 4 | 8): this { return this.simd(bytes === 4 ? 0x13 : 0x14); }
  /** f32x4.replace_lane / f64x2.replace_lane: (vector, scalar) → vector. */
  replaceLane(bytes: 4 | 8, lane: number): this { return this.simd(bytes === 4 ? 0x20 : 0x22, lane); }
  /** memory.copy(dst, src, len) with the operands on the stack in that order. */
  memoryCopy(): this { return this.op(0xfc, ...uleb(10), 0x00, 0x00); }
  /** memory.fill(dst, byte, len). */
  memoryFill(): this { return this.op(0xfc, ...uleb(11), 0x00); }

  /** Encoded body: local declarations (one run per local) and code. */
  body(): number[] {
    const b = uleb(this.extra.length);
    for (const t of this.extra) b.push(1, t);
    append(b, this.code).push(0x0b);
    return append(uleb(b.length), b);
  }
}

/** Lane arithmetic of one float vector shape. */
export interface Lanes {
  readonly bytes: 4 | 8; // element size
  readonly lanes: number; // elements per v128
  readonly add: number; // SIMD opcodes
  readonly mul: number;
  readonly madd: number; // relaxed-SIMD fused multiply-add (a*b + c)
  readonly scalar: typeof F32 | typeof F64;
  readonly sadd: number; // scalar add and mul opcodes
  readonly smul: number;
}
export const F32X4: Lanes = { bytes: 4, lanes: 4, add: 0xe4, mul: 0xe6, madd: 0x105, scalar: F32, sadd: 0x92, smul: 0x94 };
export const F64X2: Lanes = { bytes: 8, lanes: 2, add: 0xf0, mul: 0xf2, madd: 0x107, scalar: F64, sadd: 0xa0, smul: 0xa2 };

/**
 * A module with one memory and exported functions. By default it defines the memory and exports
 * it as "mem"; with `shared` it imports a shared memory as `env.mem` instead (limits min…max
 * pages, the process's heap: heap.ts), and exports only the functions.
 */
export function assemble(funcs: Func[], memory: { min: number; max: number; shared?: boolean }): Uint8Array {
  const sig = (f: Func): string => `${f.params.join(",")}>${f.results.join(",")}`;
  const types: string[] = [];
  const typeOf = funcs.map((f) => {
    const s = sig(f);
    if (!types.includes(s)) types.push(s);
    return types.indexOf(s);
  });
  const typeSec = vec(
    types.map((s) => {
      const f = funcs[typeOf.indexOf(types.indexOf(s))]!;
      return [0x60, ...vec(f.params.map((p) => [p])), ...vec(f.results.map((r) => [r]))];
    }),
  );
  const funcSec = vec(typeOf.map((t) => uleb(t)));
  const name = (t: string): number[] => vec(utf8(t).map((b) => [b]));
  const fnExports = funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const codeSec = vec(funcs.map((f) => f.body()));
  if (memory.shared) {
    // limits flag 0x03: shared, with a maximum
    const importSec = vec([[...name("env"), ...name("mem"), 0x02, 0x03, ...uleb(memory.min), ...uleb(memory.max)]]);
    return moduleBytes([section(1, typeSec), section(2, importSec), section(3, funcSec), section(7, vec(fnExports)), section(10, codeSec)]);
  }
  const memSec = vec([[0x01, ...uleb(memory.min), ...uleb(memory.max)]]);
  const exportSec = vec([[...name("mem"), 0x02, 0x00], ...fnExports]);
  return moduleBytes([section(1, typeSec), section(3, funcSec), section(5, memSec), section(7, exportSec), section(10, codeSec)]);
}

/** An imported function: module and field name, its signature. */
export interface ImportFunc {
  readonly module: string;
  readonly name: string;
  readonly params: ValType[];
  readonly results: ValType[];
}

/**
 * A module that imports its memory (`env.mem`, at least `minPages`; `shared`: a shared memory such
 * as the heap, heap.ts) and the functions `imports`
 * (indices 0…imports.length-1; `funcs` follow), and exports `funcs` by name. What the run-time
 * compiled kernels use: every module of a thread shares that thread's one memory.
 */
export function assembleWithImports(imports: ImportFunc[], funcs: Func[], minPages: number, shared = false): Uint8Array {
  const types: string[] = [];
  const sigs: number[][] = [];
  const typeIndex = (params: ValType[], results: ValType[]): number => {
    const s = `${params.join(",")}>${results.join(",")}`;
    let i = types.indexOf(s);
    if (i < 0) {
      i = types.push(s) - 1;
      sigs.push([0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))]);
    }
    return i;
  };
  const impTypes = imports.map((f) => typeIndex(f.params, f.results));
  const funcTypes = funcs.map((f) => typeIndex(f.params, f.results));
  const name = (s: string): number[] => vec(utf8(s).map((b) => [b]));
  const importSec = vec([
    // a shared memory (the heap: heap.ts) is declared with limits flag 0x03 and the largest maximum
    [...name("env"), ...name("mem"), 0x02, ...(shared ? [0x03, ...uleb(minPages), ...uleb(65536)] : [0x00, ...uleb(minPages)])],
    ...imports.map((f, i) => [...name(f.module), ...name(f.name), 0x00, ...uleb(impTypes[i]!)]),
  ]);
  const exportSec = vec(funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(imports.length + i)]));
  return moduleBytes([section(1, vec(sigs)), section(2, importSec), section(3, vec(funcTypes.map((t) => uleb(t)))), section(7, exportSec), section(10, vec(funcs.map((f) => f.body())))]);
}
