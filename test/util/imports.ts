// The import graph of src/: each file's relative imports, which of them exist at run time
// (type-only imports are erased), and a cycle finder. Used by layering and import-order tests.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const src = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

export function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(f) ? [p] : [];
  });
}

/** Relative imports of a file, resolved to paths under src/ (".js" → ".ts" where the source is TS). */
export function importsOf(file: string, runtimeOnly = false): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  // `import … from "…"`, `export … from "…"` and side-effect imports `import "…"`
  for (const m of text.matchAll(/^(?:import|export)\s([^;]*?)from\s+"(\.[^"]+)"|^import\s+"(\.[^"]+)"/gm)) {
    const clause = m[1];
    if (runtimeOnly && clause !== undefined && isTypeOnly(clause)) continue;
    out.push(relative(src, resolve(dirname(file), (m[2] ?? m[3])!)).replace(/\.js$/, ""));
  }
  return out;
}

/**
 * An import clause that brings in types only (`import type …`, `export type …`, or braces whose
 * every name is marked `type`): erased by the compiler, so no edge at run time.
 */
export function isTypeOnly(clause: string): boolean {
  if (/^type\s/.test(clause)) return true;
  const braces = /^\{([^}]*)\}\s*$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1]!.split(",").map((n) => n.trim()).filter((n) => n !== "");
  return names.length > 0 && names.every((n) => n.startsWith("type "));
}

/** A runtime import cycle, as the list of modules around it, or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (m: string): string[] | null => {
    const s = state.get(m);
    if (s === "done") return null;
    if (s === "open") return [...path.slice(path.indexOf(m)), m];
    state.set(m, "open");
    path.push(m);
    for (const d of graph.get(m) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    path.pop();
    state.set(m, "done");
    return null;
  };
  for (const m of graph.keys()) {
    const c = visit(m);
    if (c) return c;
  }
  return null;
}

/** A file's path under src/ without its extension ("core/lax"). */
export const rel = (f: string) => relative(src, f).replace(/\.(ts|js)$/, "");

/** The runtime import graph of every file under `dir` (default: all of src/). */
export function runtimeGraph(dir = src): Map<string, string[]> {
  return new Map(files(dir).map((f) => [rel(f), importsOf(f, true)] as const));
}
