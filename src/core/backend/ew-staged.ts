// Long fused expressions as a sequence of small loops (issue 21, "long programs").
//
// jit fuses a chain of elementwise ops into one ScalarExpr of `const tK = …;` statements. Past a
// few hundred statements one loop body stops being code the engine handles well: V8 does not
// optimise a function whose bytecode is past its size limit (~60 KB: the loop then runs in the
// interpreter, ~8× slower per op), and one DAG of the whole expression is thousands of nodes
// deep. So an expression of more than STAGE_STMTS statements runs staged:
//
//  - splitStages cuts its statements, in order, into stages of a fixed number of statements and
//    finds the temporaries that cross from one stage to a later one;
//  - elements go through in blocks: every stage runs over the block before the next one starts,
//    and a crossing temporary is stored to a scratch row of the block;
//  - each statement is translated on its own exactly as the whole expression would be, so a
//    staged kernel computes the same bits as the one-loop kernel and as the ops run one by one.
//
// Two implementations share the split. Where the engine has Wasm SIMD and every statement
// compiles, the stages are Wasm SIMD modules (ew-stages.ts, 12 statements each, run by ew-run.ts
// runStaged): ~0.3 µs per op of W15's chain on 64 elements, where the JS loops below take ~8.
// Otherwise (no SIMD, integer statements, Math.* in float64 statements, TAPIR_ELEMENTWISE=js or
// math, and calls before the Wasm kernel is due, but for jit's long groups of small arrays, which
// run their members one by one then: flat-op.ts MemberRun) stagedSource below builds JS loops
// of STAGE_STMTS statements per stage, each stage its own small function (optimised on its own),
// scratch rows of float64 (exact: every temporary is a JS number, a float32 one already rounded),
// float32 statements calling vecmath's V.*.
// The cost per element and statement stays what a short expression costs, whatever the length.

/** Statements per stage (and the most a one-loop kernel takes). */
export const STAGE_STMTS = 64;
/** Elements per block: scratch rows of this many float64 values per crossing temporary. */
export const STAGE_BLOCK = 256;

const lineCounts = new Map<string, number>();
/** Statements of a ScalarExpr (its lines but the result's). */
export function statementCount(expr: string): number {
  let n = lineCounts.get(expr);
  if (n === undefined) {
    n = 0;
    for (let i = expr.indexOf("\n"); i >= 0; i = expr.indexOf("\n", i + 1)) n++;
    lineCounts.set(expr, n);
  }
  return n;
}

/** Whether `expr` runs staged. */
export const isLong = (expr: string): boolean => statementCount(expr) > STAGE_STMTS;

const STMT = /^const (t\d+) = (.*);$/s;

/**
 * Rewrites one statement's right-hand side (a ScalarExpr over a0, a1, …) into JS statements and
 * a result, its temporaries named with `prefix`; `kinds[k]`: operand a<k> is an earlier
 * statement's temporary ("t": already flushed, where flushing is on), or a kernel input read
 * with the float32 ("f") or float64 ("d") flush (ew-flush.ts flushKinds).
 */
export type Translator = (e: string, prefix: string, kinds: string) => string;
const NAME = /\b([at]\d+)\b/g;
/** The temporaries' prefix a memoised translation holds until a statement's own is put in. */
const PREFIX = "_sQ_";

/**
 * A translated statement shape as pieces around holes: `holes[h]` ≥ 0 is the shape's operand
 * a<k> (the statement's k-th name), PREFIX_HOLE its temporaries' prefix, NAME_HOLE the name it
 * defines. Filling the holes is a few concatenations: a long chain's statements (hundreds, a
 * few shapes) no longer each go through regular-expression replacements and splits (W15-200's
 * translation took 3-5 ms of its first call).
 */
interface Template {
  readonly parts: readonly string[];
  readonly holes: readonly number[];
}
const PREFIX_HOLE = -1;
const NAME_HOLE = -2;
/** Per translator: a statement's template by its operand kinds and renamed right-hand side. */
const translated = new WeakMap<Translator, Map<string, Template>>();

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** Whether char code `c` is a word character ([0-9A-Za-z_], as \w). */
export const isWordChar = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * `rhs` with its operand and temporary names (the words a<digits>, t<digits>: NAME) renamed
 * a0, a1, … in order of first appearance, the names collected into `locals`.
 */
function renameLocals(rhs: string, locals: string[]): string {
  let out = "";
  let from = 0;
  for (let p = 0; p < rhs.length; p++) {
    const c = rhs.charCodeAt(p);
    if ((c !== 97 && c !== 116) || (p > 0 && isWordChar(rhs.charCodeAt(p - 1))) || !isDigit(rhs.charCodeAt(p + 1))) continue;
    let q = p + 2;
    while (q < rhs.length && isDigit(rhs.charCodeAt(q))) q++;
    if (q < rhs.length && isWordChar(rhs.charCodeAt(q))) {
      p = q;
      continue;
    }
    const v = rhs.slice(p, q);
    let k = locals.indexOf(v);
    if (k < 0) k = locals.push(v) - 1;
    out += `${rhs.slice(from, p)}a${k}`;
    from = q;
    p = q - 1;
  }
  return from === 0 ? rhs : out + rhs.slice(from);
}

/** The template of a translated shape (`tr`'s statements and result over a<k>, temporaries prefixed PREFIX). */
function templateOf(shape: string): Template {
  const cut = shape.lastIndexOf("\n");
  const NAME_MARK = "\u0000";
  const text = cut < 0 ? `const ${NAME_MARK} = ${shape};` : `${shape.slice(0, cut).replace(/\n/g, " ")} const ${NAME_MARK} = ${shape.slice(cut + 1)};`;
  const parts: string[] = [];
  const holes: number[] = [];
  let from = 0;
  for (const m of text.matchAll(/_sQ_|\u0000|\ba(\d+)\b/g)) {
    parts.push(text.slice(from, m.index));
    holes.push(m[0] === PREFIX ? PREFIX_HOLE : m[0] === NAME_MARK ? NAME_HOLE : Number(m[1]));
    from = m.index + m[0].length;
  }
  parts.push(text.slice(from));
  return { parts, holes };
}

/**
 * `const tK = rhs;` rewritten by `tr` (a ScalarExpr over a0… → JS statements then a result):
 * the statement's operands are renamed a0, a1, … for `tr` and back afterwards; `tr`'s own
 * temporaries get the prefix `_s<i>_` so that statements never clash.
 */
function translate(i: number, name: string, rhs: string, tr: Translator, variant: string, inKinds: string): string {
  const locals: string[] = [];
  const local = renameLocals(rhs, locals);
  // a long chain repeats a few statement shapes (sin, × c, their derivatives …): each shape is
  // translated once per translator and variant (what else changes it: the flush setting)
  let memo = translated.get(tr);
  if (memo === undefined) translated.set(tr, (memo = new Map()));
  let kinds = "";
  for (const v of locals) kinds += v[0] === "t" ? "t" : inKinds[Number(v.slice(1))]!;
  const key = `${variant}|${kinds}|${local}`;
  let t = memo.get(key);
  if (t === undefined) memo.set(key, (t = templateOf(tr(local, PREFIX, kinds))));
  const { parts, holes } = t;
  let js = parts[0]!;
  for (let h = 0; h < holes.length; h++) {
    const k = holes[h]!;
    js += (k === PREFIX_HOLE ? `_s${i}_` : k === NAME_HOLE ? name : locals[k]!) + parts[h + 1]!;
  }
  return js;
}

/** A long expression cut into stages: what the staged JS loops and the staged Wasm kernels share. */
export interface StagePlan {
  /** The statements `const <name> = <rhs>;`, in order. */
  readonly stmts: readonly { readonly name: string; readonly rhs: string }[];
  /** The result expression (the fusion pass writes a temporary's name). */
  readonly result: string;
  /** Statements per stage: stage k runs statements [k·size, (k+1)·size). */
  readonly size: number;
  readonly nStages: number;
  /** The stage defining each temporary. */
  readonly stageOf: ReadonlyMap<string, number>;
  /** Per stage: the names it reads (operands a<j>, its own and earlier temporaries), first read first. */
  readonly reads: readonly (readonly string[])[];
  /** Temporaries read by a later stage than their own (they cross through scratch), each with the last stage that reads it. */
  readonly crossing: ReadonlyMap<string, number>;
}

const plans = new Map<string, Map<number, StagePlan>>();
/** The stages of a long expression, `size` statements each (cached per expression and size). */
export function splitStages(expr: string, size = STAGE_STMTS): StagePlan {
  let bySize = plans.get(expr);
  if (bySize === undefined) plans.set(expr, (bySize = new Map()));
  let plan = bySize.get(size);
  if (plan !== undefined) return plan;
  const lines = expr.split("\n");
  const result = lines.pop()!.trim();
  const stmts = lines.map((l) => {
    const m = STMT.exec(l.trim());
    if (m === null) throw new Error(`elementwise: unexpected fused statement ${l.slice(0, 80)}`);
    return { name: m[1]!, rhs: m[2]! };
  });
  const nStages = Math.max(1, Math.ceil(stmts.length / size));
  const stageOf = new Map<string, number>();
  stmts.forEach((s, i) => stageOf.set(s.name, Math.floor(i / size)));
  const reads: Set<string>[] = Array.from({ length: nStages }, () => new Set());
  stmts.forEach((s, i) => {
    for (const m of s.rhs.matchAll(NAME)) reads[Math.floor(i / size)]!.add(m[1]!);
  });
  for (const m of result.matchAll(NAME)) reads[nStages - 1]!.add(m[1]!);
  const crossing = new Map<string, number>();
  reads.forEach((r, k) => {
    for (const v of r) if (v[0] === "t" && stageOf.get(v) !== k) crossing.set(v, k);
  });
  plan = { stmts, result, size, nStages, stageOf, reads: reads.map((r) => [...r]), crossing };
  bySize.set(size, plan);
  return plan;
}

const sources = new Map<string, Map<string, string>>();

/**
 * The flat loop source (signature (out, ins, start, end), as elementwise.ts's flatSource) of a
 * long expression: an IIFE that builds the stage functions once and returns the driver.
 * `pattern[j]`: "v" (operand j is the output's full contiguous shape) or "s" (one element);
 * `variant` keys what else changes `tr` (the flush setting); `inKinds[j]`: how operand j is read (flushKinds).
 */
export function stagedSource(expr: string, pattern: string, tr: Translator, variant: string, inKinds: string): string {
  let byPattern = sources.get(expr);
  if (byPattern === undefined) sources.set(expr, (byPattern = new Map()));
  let src = byPattern.get(`${variant}|${inKinds}|${pattern}`);
  if (src !== undefined) return src;
  const { stmts: parsed, result, nStages, stageOf, reads, crossing } = splitStages(expr);
  const stmts = parsed.map((s, i) => ({ name: s.name, js: translate(i, s.name, s.rhs, tr, variant, inKinds) }));
  // a temporary read by a later stage than its own gets a scratch row
  const row = new Map<string, number>();
  for (const v of crossing.keys()) row.set(v, row.size);
  const B = STAGE_BLOCK;
  const fns: string[] = [];
  for (let k = 0; k < nStages; k++) {
    const own = stmts.slice(k * STAGE_STMTS, (k + 1) * STAGE_STMTS);
    const pre: string[] = [];
    const load: string[] = [];
    for (const v of [...reads[k]!].sort()) {
      if (v[0] === "a") {
        const j = Number(v.slice(1));
        if (pattern[j] === "s") pre.push(`const ${v} = ins[${j}][0];`);
        else (pre.push(`const v${j} = ins[${j}];`), load.push(`const ${v} = v${j}[i];`));
      } else if (stageOf.get(v) !== k) load.push(`const ${v} = S[${row.get(v)! * B} + l];`);
    }
    const store = own.filter((s) => row.has(s.name)).map((s) => `S[${row.get(s.name)! * B} + l] = ${s.name};`);
    if (k === nStages - 1) store.push(`out[i] = ${result};`);
    fns.push(`function st${k}(out, ins, S, s, e) {
${pre.join("\n")}
for (let i = s, l = 0; i < e; i++, l++) { ${load.join(" ")} ${own.map((s) => s.js).join(" ")} ${store.join(" ")} }
}`);
  }
  src = `(() => {
${fns.join("\n")}
const S = new Float64Array(${Math.max(1, row.size) * B});
return function ew(out, ins, start, end) {
  for (let s = start; s < end; s += ${B}) {
    const e = Math.min(end, s + ${B});
${Array.from({ length: nStages }, (_, k) => `    st${k}(out, ins, S, s, e);`).join("\n")}
  }
};
})()`;
  byPattern.set(`${variant}|${inKinds}|${pattern}`, src);
  return src;
}
