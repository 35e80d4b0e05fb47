// The dependency direction of ARCHITECTURE.md, checked on the sources: core/backend → only
// dtype/shape/errors/config of core; core → not transforms or compat; transforms → not compat;
// compat → only the public entry point (src/index.ts).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = resolve(dirname(fileURLToPath(import.meta.url)), "../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(f) ? [p] : [];
  });
}

/** Relative imports of a file, resolved to paths under src/ (".js" → ".ts" where the source is TS). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g)) {
    out.push(relative(src, resolve(dirname(file), m[1]!)).replace(/\.js$/, ""));
  }
  return out;
}

const rel = (f: string) => relative(src, f).replace(/\.(ts|js)$/, "");

describe("layering", () => {
  const all = files(src).map((f) => [rel(f), importsOf(f)] as const);

  it("core/backend imports nothing above it but dtype, shape, errors and config", () => {
    const allowed = new Set(["core/dtype", "core/shape", "core/errors", "core/config"]);
    for (const [f, imps] of all.filter(([f]) => f.startsWith("core/backend/"))) {
      for (const i of imps) if (!i.startsWith("core/backend/")) expect(allowed.has(i), `${f} imports ${i}`).toBe(true);
    }
  });

  it("core imports neither transforms nor compat", () => {
    for (const [f, imps] of all.filter(([f]) => f.startsWith("core/"))) {
      for (const i of imps) expect(i.startsWith("transforms/") || i.startsWith("compat/"), `${f} imports ${i}`).toBe(false);
    }
  });

  it("transforms do not import compat", () => {
    for (const [f, imps] of all.filter(([f]) => f.startsWith("transforms/"))) {
      for (const i of imps) expect(i.startsWith("compat/"), `${f} imports ${i}`).toBe(false);
    }
  });

  it("compat imports only the public entry point and itself", () => {
    for (const [f, imps] of all.filter(([f]) => f.startsWith("compat/"))) {
      for (const i of imps) expect(i === "index" || i.startsWith("compat/"), `${f} imports ${i}`).toBe(true);
    }
  });
});
