// Long fused expressions as staged WebAssembly SIMD kernels (issue 21 "long programs", issue 14).
//
// ew-staged.ts cuts a long expression into stages of at most STAGE_STMTS statements; this file
// compiles each stage into a Wasm SIMD module (ew-wasm.ts, several outputs, "table"
// addressing) and lays out, in the thread's Wasm memory, where every stage reads and writes:
//
//   [ i32 address tables | operand regions | output region | scratch rows ]
//
// A block of `block` elements goes through every stage in turn (ew-run.ts runStaged): stage k
// reads kernel operands and the temporaries of earlier stages from their regions and rows, and
// stores each temporary a later stage reads to a scratch row. Rows hold a temporary in its own
// type: float32 for a float32 statement (its value is already rounded to float32, so the row
// holds it exactly), float64 for any other; a row is reused once the last stage that reads its
// temporary has run.
//
// Bits: each statement is parsed on its own and flushed (config.flushSubnormals, ew-flush.ts)
// exactly as the staged JS loops translate it (elementwise.ts jsStatement: DAZ of operands that
// are kernel inputs, never of temporaries, FTZ of the statement by its own type), then the
// stage's statements are grafted into one DAG; ew-wasm computes every node with the bits of
// the float64 JS program (ew-ir.ts). So staged Wasm = staged JS = the ops one by one. A Math.*
// call with no vector version (float64 statements keep Math.* exactly) is made lane by lane
// from the module (compileMulti's mathCalls), so float64 programs stage in Wasm too.
//
// Compile cost: a stage's module is cached by its normalised text (its inputs renamed by first
// read, a<m> for kernel operands and t<m> for temporaries; its own temporaries t<nIn+q>; the
// inputs' types, the outputs, the flush setting), so the repeating stages of a long chain
// (sin, ×c, sin, … cut every 64 statements) compile once. Every walk is iterative.
import type { ElemType } from "./ew-wasm.js";
import { compileMulti, NotCompiled, SIZE, SLACK } from "./ew-wasm.js";
import { Builder, graft, type Node } from "./ew-ir.js";
import { parseExpr } from "./ew-parse.js";
import { flushKinds, withFlush } from "./ew-flush.js";
import { splitStages } from "./ew-staged.js";

/** One compiled stage, as a job carries it: `key` is short and unique (workers instantiate once per key). */
export interface StageModule {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly imports: readonly string[];
}

/** A long expression's staged kernel: its modules, the calls of one block, and the memory layout. */
export interface StagedWasm {
  /** Unique to this kernel (its stage calls and layout): threads cache its driver by it. */
  readonly key: string;
  readonly modules: readonly StageModule[];
  /** Stage k runs modules[calls[2k]] with its address table at byte calls[2k + 1]. */
  readonly calls: Int32Array;
  /** The address tables, stored from byte 0 of the memory. */
  readonly table: Int32Array;
  /** Elements per block. */
  readonly block: number;
  /** Byte address of each kernel operand's region (a scalar operand: one element there). */
  readonly inAt: Int32Array;
  readonly outAt: number;
  /** Bytes of memory the layout takes. */
  readonly bytes: number;
}

/** Statements per Wasm stage (a multiple of 2, 3, 4 and 6: a chain repeating with such a period cuts into equal stages). */
export const WASM_STAGE_STMTS = 12;
/**
 * Groups of 4 elements per loop step of a stage (ew-wasm's UNROLL) that the expression runs
 * more than once, and of one it runs once: half the code, so half the compile time, for ~15%
 * more run time on the stages that do not repeat (first-call latency counts: bench/long.ts).
 */
export const STAGE_UNROLL = 4;
const ONCE_UNROLL = 2;
/** @internal benchmarks: forget the compiled stage modules. */
export function clearStageModules(): void {
  modules.clear();
}
/** Bytes of scratch a block may take (rows × block): about what stays in L2. */
const SCRATCH_BYTES = 512 * 1024;
/** This thread's tag for the keys it makes (workers cache modules by key). */
const TAG = Math.random().toString(36).slice(2, 8);
let nextKey = 0;

const NAME = /\b([at]\d+)\b/g;
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Whether a statement's right-hand side is `Math.fround(…)` as a whole (a float32 statement). */
function isFround(rhs: string): boolean {
  if (!rhs.startsWith("Math.fround(") || !rhs.endsWith(")")) return false;
  let depth = 0;
  for (let i = 11; i < rhs.length; i++) {
    if (rhs[i] === "(") depth++;
    else if (rhs[i] === ")" && --depth === 0) return i === rhs.length - 1;
  }
  return false;
}

const modules = new Map<string, StageModule>();

/**
 * The module of one stage (cached by its normalised text). `inputs[m]`: a kernel operand ("a")
 * or a temporary ("t") with its type and pattern; `stmts`: the normalised right-hand sides;
 * `outs`: (own statement index, stored type).
 */
function stageModule(text: string, inputs: readonly { kind: "a" | "t"; type: ElemType; pat: string }[], stmts: readonly string[], outs: readonly [number, "f32" | "f64"][], flush: boolean, f32In: boolean, unroll: number): StageModule {
  const key = `${unroll}|${text}`;
  let m = modules.get(key);
  if (m !== undefined) return m;
  const nIn = inputs.length;
  // how each operand is read (the text names every input's type, so the key covers this too;
  // temporaries are read as they are: withFlush's `flushed`)
  const kinds = flushKinds(f32In ? "f32" : "f64", inputs.map((x) => x.type));
  const kindsOf = (locals: readonly string[]): string => locals.map((v) => kinds[Number(v.slice(1))]!).join("");
  const b = new Builder();
  const vals: Node[] = inputs.map((_, i) => b.input(i));
  for (const rhs of stmts) {
    // the statement's operands as a0, a1, … by first read (what the JS path's translate does)
    const locals: string[] = [];
    const local = rhs.replace(NAME, (_, v: string) => {
      let k = locals.indexOf(v);
      if (k < 0) k = locals.push(v) - 1;
      return `a${k}`;
    });
    const p = parseExpr(local, false);
    const root = flush ? withFlush(p.b, p.root, p.root.k === "un" && p.root.op === "fround", kindsOf(locals), locals.map((v) => v[0] === "t")) : p.root;
    vals.push(graft(b, root, locals.map((v) => vals[Number(v.slice(1))]!)));
  }
  const { bytes, imports } = compileMulti(
    b,
    outs.map(([q]) => vals[nIn + q]!),
    outs.map(([, t]) => t),
    inputs.map((x) => x.type),
    inputs.map((x) => x.pat).join(""),
    "table",
    unroll,
    true,
  );
  m = { key: `${TAG}.s${nextKey++}`, bytes: shared(bytes), imports };
  modules.set(key, m);
  return m;
}

/** The bytes in shared memory where there is one (a job then carries them to workers without a copy). */
function shared(bytes: Uint8Array): Uint8Array {
  if (typeof SharedArrayBuffer !== "function") return bytes;
  const s = new Uint8Array(new SharedArrayBuffer(bytes.length));
  s.set(bytes);
  return s;
}

/**
 * The staged Wasm kernel of a long expression over operands of `types` (`pattern[j]` "v": the
 * output's full contiguous shape, "s": one element) with output `out`. Throws ew-parse's
 * Unsupported or ew-wasm's NotCompiled where a statement does not compile (the caller keeps
 * the staged JS loops then). `flush`: config.flushSubnormals.
 */
export function stagedWasm(expr: string, types: readonly ElemType[], pattern: string, out: "f32" | "f64", flush: boolean, stageStmts = WASM_STAGE_STMTS, unroll = STAGE_UNROLL): StagedWasm {
  const plan = splitStages(expr, stageStmts);
  const { stmts, result, nStages, stageOf, crossing, size } = plan;
  const f32In = out === "f32";
  if (!/^t\d+$/.test(result) || !stageOf.has(result)) throw new NotCompiled(`staged result ${result.slice(0, 40)} is not a statement`);
  const tempType = new Map<string, "f32" | "f64">();
  for (const s of stmts) tempType.set(s.name, isFround(s.rhs) ? "f32" : "f64");

  // scratch rows: one per crossing temporary, reused after its last reader
  const rowOf = new Map<string, number>();
  const rowType: ("f32" | "f64")[] = [];
  const free: Record<"f32" | "f64", number[]> = { f32: [], f64: [] };
  const lastReaders: string[][] = Array.from({ length: nStages }, () => []);
  for (const [v, last] of crossing) lastReaders[last]!.push(v);
  for (let k = 0; k < nStages; k++) {
    for (let i = k * size; i < Math.min(stmts.length, (k + 1) * size); i++) {
      const v = stmts[i]!.name;
      if (!crossing.has(v)) continue;
      const t = tempType.get(v)!;
      const r = free[t].pop() ?? rowType.push(t) - 1;
      rowOf.set(v, r);
    }
    // no stage after k reads these: their rows go to later stages' temporaries
    for (const v of lastReaders[k]!) free[tempType.get(v)!].push(rowOf.get(v)!);
  }
  const rowElemBytes = rowType.reduce((s, t) => s + SIZE[t], 0);
  const block = Math.min(1024, Math.max(64, Math.floor(SCRATCH_BYTES / Math.max(1, rowElemBytes) / 16) * 16));

  // per stage: its inputs (first read first), normalised statements and outputs
  const stages = [];
  const uses = new Map<string, number>();
  let tableLen = 0;
  for (let k = 0; k < nStages; k++) {
    const own = stmts.slice(k * size, (k + 1) * size);
    const inputs: { name: string; kind: "a" | "t"; type: ElemType; pat: string }[] = [];
    const rename = new Map<string, string>();
    const defined = new Set<string>();
    own.forEach((s) => {
      for (const m of s.rhs.matchAll(NAME)) {
        const v = m[1]!;
        if (rename.has(v) || defined.has(v)) continue;
        if (v[0] === "a") {
          const j = Number(v.slice(1));
          if (types[j] === undefined) throw new NotCompiled(`operand ${v} missing`);
          rename.set(v, `a${inputs.length}`);
          inputs.push({ name: v, kind: "a", type: types[j]!, pat: pattern[j]! });
        } else {
          if (stageOf.get(v) === k) throw new Error(`elementwise: ${v} read before it is defined`);
          rename.set(v, `t${inputs.length}`);
          inputs.push({ name: v, kind: "t", type: tempType.get(v)!, pat: "v" });
        }
      }
      defined.add(s.name);
    });
    // own temporaries: t<nIn + q>
    const nIn = inputs.length;
    own.forEach((s, q) => rename.set(s.name, `t${nIn + q}`));
    const text = own.map((s) => s.rhs.replace(NAME, (_, v: string) => rename.get(v)!));
    const outs: [number, "f32" | "f64"][] = [];
    const outAddr: (string | null)[] = []; // temporary name (its row) or null (the kernel output)
    own.forEach((s, q) => {
      if (crossing.has(s.name)) (outs.push([q, tempType.get(s.name)!]), outAddr.push(s.name));
      if (s.name === result) (outs.push([q, out]), outAddr.push(null));
    });
    const key = `${flush ? (f32In ? "ftz32" : "ftz64") : "ieee"}|${inputs.map((x) => x.kind + x.type + x.pat).join(",")}|${outs.map(([q, t]) => `${q}${t}`).join(",")}|${text.join(";")}`;
    uses.set(key, (uses.get(key) ?? 0) + 1);
    stages.push({ key, inputs, text, outs, outAddr, tab: tableLen });
    tableLen += nIn + outs.length;
  }

  // memory: tables, operand regions, output region, rows
  let at = align16(4 * tableLen);
  const inAt = new Int32Array(types.length);
  types.forEach((t, j) => {
    inAt[j] = at;
    at += pattern[j] === "s" ? 16 : align16((block + SLACK) * SIZE[t]);
  });
  const outAt = at;
  at += align16((block + SLACK) * SIZE[out]);
  const rowAt = rowType.map((t) => {
    const a = at;
    at += align16((block + SLACK) * SIZE[t]);
    return a;
  });

  const table = new Int32Array(tableLen);
  const calls = new Int32Array(2 * nStages);
  const mods: StageModule[] = [];
  stages.forEach((st, k) => {
    const m = stageModule(st.key, st.inputs, st.text, st.outs, flush, f32In, uses.get(st.key)! > 1 ? unroll : ONCE_UNROLL);
    let mi = mods.indexOf(m);
    if (mi < 0) mi = mods.push(m) - 1;
    calls[2 * k] = mi;
    calls[2 * k + 1] = 4 * st.tab;
    let e = st.tab;
    for (const x of st.inputs) table[e++] = x.kind === "a" ? inAt[Number(x.name.slice(1))]! : rowAt[rowOf.get(x.name)!]!;
    for (const v of st.outAddr) table[e++] = v === null ? outAt : rowAt[rowOf.get(v)!]!;
  });
  return { key: `${TAG}.k${nextKey++}`, modules: mods, calls, table, block, inAt, outAt, bytes: at };
}
