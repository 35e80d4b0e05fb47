// The example runner: finds every `@example` in the TSDoc of src/ (and every fenced ts block in
// README.md and docs/*.md), runs it, and checks each `// →` comment against the printed value.
//
// Conventions an example follows (docs/ARCHITECTURE.md, house style):
//   - the code sits in a ```ts fence after `@example`;
//   - every export of "tapir" is in scope, plus `np` (numpy) and `tf` (tapir/compat); explicit
//     `import … from "tapir"` / `"tapir/compat"` lines work too;
//   - `expr; // → 75` checks the value of `expr`; `const a = expr; // → …` checks `a`;
//     `console.log(expr); // → …` checks `expr`. Tensors compare against `[1, 2]` / `75`
//     (their values) or `Array(...)` / `tf.Tensor(...)` (their printed form); numbers inside the
//     expected text compare with a relative tolerance of 1e-4, everything else exactly.
import ts from "typescript";

export interface Example {
  file: string;
  symbol: string;
  line: number;
  code: string;
}

const FENCE = /```(?:ts|typescript)\s*\n([\s\S]*?)```/g;

/** The name declared right after a doc comment ending at `end` (function, class, const, method…). */
function symbolAfter(text: string, end: number): string {
  const rest = text.slice(end, end + 400);
  const m =
    /^\s*(?:export\s+)?(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|namespace)\s+([A-Za-z_$][\w$]*)/.exec(rest) ??
    /^\s*(?:(?:public|static|readonly|get|set|override|async)\s+)*([A-Za-z_$][\w$]*|\[Symbol\.\w+\])\s*[(<:=?]/.exec(rest);
  return m ? m[1]! : "?";
}

/** Every `@example` of a TypeScript source, with the symbol it documents. */
export function examplesOfSource(file: string, text: string): Example[] {
  const out: Example[] = [];
  const DOC = /\/\*\*([\s\S]*?)\*\//g;
  for (let m; (m = DOC.exec(text)); ) {
    const body = m[1]!;
    const at = body.indexOf("@example");
    if (at < 0) continue;
    const lines = body.slice(at).split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
    const doc = lines.join("\n");
    const symbol = symbolAfter(text, m.index + m[0].length);
    const line = text.slice(0, m.index).split("\n").length;
    for (const f of doc.matchAll(FENCE)) out.push({ file, symbol, line, code: f[1]! });
  }
  return out;
}

/** Every fenced ts block of a Markdown file (a block whose first line is `// no-run` is skipped). */
export function examplesOfMarkdown(file: string, text: string): Example[] {
  const out: Example[] = [];
  for (const f of text.matchAll(FENCE)) {
    if (/^\s*\/\/\s*no-run/.test(f[1]!)) continue;
    const line = text.slice(0, f.index).split("\n").length;
    const heading = [...text.slice(0, f.index).matchAll(/^#+\s+(.*)$/gm)].pop()?.[1] ?? "top";
    out.push({ file, symbol: heading, line, code: f[1]! });
  }
  return out;
}

/** Rewrites imports of the package into reads of the runner's libraries. */
function rewriteImports(code: string): string {
  return code
    .replace(/^\s*import\s+type\s+[^;]*;?\s*$/gm, "")
    .replace(/^\s*import\s+\*\s+as\s+(\w+)\s+from\s+["']tapir\/compat["'];?/gm, "const $1 = __compat;")
    .replace(/^\s*import\s+\*\s+as\s+(\w+)\s+from\s+["']tapir["'];?/gm, "const $1 = __tapir;")
    .replace(/^\s*import\s+\{([^}]*)\}\s+from\s+["'](tapir(?:\/compat)?)["'];?/gm, (_m, names: string, mod: string) => {
      const parts = names.split(",").map((s) => s.trim()).filter((s) => s && !s.startsWith("type "));
      const binds = parts.map((p) => p.replace(/\s+as\s+/, ": "));
      return `const { ${binds.join(", ")} } = ${mod === "tapir" ? "__tapir" : "__compat"};`;
    });
}

/** Turns `// →` lines into checks; returns JS to run with `__check(value, expected, line)` in scope. */
export function instrument(code: string): string {
  const lines = rewriteImports(code).split("\n").map((l, i) => {
    const k = l.indexOf("// →");
    if (k < 0) return l;
    const expected = l.slice(k + 4).trim();
    let stmt = l.slice(0, k).trim().replace(/;\s*$/, "");
    const decl = /^(const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=/.exec(stmt);
    if (decl) return `${stmt}; __check(${decl[2]}, ${JSON.stringify(expected)}, ${i + 1});`;
    const log = /^console\.log\(([\s\S]*)\)$/.exec(stmt);
    if (log) stmt = log[1]!;
    return `__check((${stmt}), ${JSON.stringify(expected)}, ${i + 1});`;
  });
  const js = ts.transpileModule(lines.join("\n"), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  return js.replace(/^export\s*\{\s*\};?\s*$/m, "");
}

type Renderable = { toString(): string; toArray?: () => unknown; shape?: readonly number[] };

/** The text an actual value is compared in, chosen by the form of the expected text. */
function render(value: unknown, expected: string): string {
  const t = value as Renderable;
  if (value && typeof value === "object" && typeof t.toArray === "function" && Array.isArray(t.shape)) {
    if (/^(Array\(|tf\.Tensor\()/.test(expected)) return t.toString();
    return JSON.stringify(t.toArray());
  }
  if (typeof value === "string") return /^["'`]/.test(expected) ? JSON.stringify(value) : value;
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  if (value === undefined) return "undefined";
  return JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

const NUM = /[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|[-+]?Infinity|NaN|nan|[-+]?inf/gi;

/** Compares rendered and expected text: the same words exactly, the numbers within a tolerance. */
export function matches(actual: string, expected: string, rtol = 1e-4, atol = 1e-6): boolean {
  const norm = (s: string) => s.replace(/\s+/g, " ").replace(/\s*([[\](),:])\s*/g, "$1").replace(/'/g, '"').trim();
  const a = norm(actual);
  const e = norm(expected);
  if (a.replace(NUM, "#") !== e.replace(NUM, "#")) return false;
  const an = a.match(NUM) ?? [];
  const en = e.match(NUM) ?? [];
  if (an.length !== en.length) return false;
  const num = (s: string) => (/nan/i.test(s) ? NaN : /inf/i.test(s) ? (s.startsWith("-") ? -Infinity : Infinity) : Number(s));
  return an.every((s, i) => {
    const x = num(s);
    const y = num(en[i]!);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
    if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
    return Math.abs(x - y) <= atol + rtol * Math.abs(y);
  });
}

export interface Failure {
  line: number;
  expected: string;
  actual: string;
}

/** Runs one example; resolves to the `// →` checks that failed (throws if the code throws). */
export async function runExample(ex: Example, libs: { tapir: Record<string, unknown>; compat: Record<string, unknown> }): Promise<Failure[]> {
  const failures: Failure[] = [];
  const check = (value: unknown, expected: string, line: number) => {
    const actual = render(value, expected);
    if (!matches(actual, expected)) failures.push({ line, expected, actual });
  };
  const scope: Record<string, unknown> = { ...libs.tapir, np: libs.tapir["numpy"], tf: libs.compat };
  const names = Object.keys(scope).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<void>;
  // the example runs in a block of its own, so its imports may shadow the names in scope
  const fn = new AsyncFunction("__tapir", "__compat", "__check", ...names, `{\n${instrument(ex.code)}\n}`);
  await fn(libs.tapir, libs.compat, check, ...names.map((n) => scope[n]));
  return failures;
}
