// tapir/compat is a client of the public API: its files import only src/index.ts and each other.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");
const compat = join(root, "compat");
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));

describe("src/compat imports", () => {
  it("only the public entry point (src/index.ts) and compat's own files", () => {
    const bad: string[] = [];
    for (const f of files(compat)) {
      for (const [, spec] of readFileSync(f, "utf8").matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)) {
        const target = resolve(dirname(f), spec!.replace(/\.js$/, ".ts"));
        const ok = spec!.startsWith(".") && (target === join(root, "index.ts") || target.startsWith(compat + "/"));
        if (!ok) bad.push(`${relative(root, f)} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
    expect(files(compat).length).toBeGreaterThan(5);
  });
});
