// Every module loads as the first one imported (the primitives and the op library import each
// other for their rules; nothing may read the other at load time). Each check is a fresh process.
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = ["core/primitives/index", "core/primitives/binary", "core/primitive", "core/ops", "transforms/control", "compat/index"];

describe("import order", () => {
  it.each(modules)("src/%s.ts loads first in a fresh process", (m) => {
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", `await import(${JSON.stringify(`./src/${m}.ts`)}); console.log("loaded")`], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, TAPIR_THREADS: "1" },
    });
    expect(out.trim()).toBe("loaded");
  });
});
