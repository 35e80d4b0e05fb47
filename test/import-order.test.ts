// Every module of src/core loads as the first one imported. ES modules evaluate a module's
// dependencies before it, so a module can only read a binding that is not ready yet through an
// import cycle: with no runtime cycle among the modules src/core reaches (checked statically),
// each one loads first exactly when it loads at all, which one child process checks for all of
// them (a process per module cost ~1.5 s each).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { files, findCycle, rel, runtimeGraph, src } from "./util/imports.js";

const core = files(join(src, "core")).filter((f) => f.endsWith(".ts")).map(rel);

describe("import order", () => {
  it("no module src/core reaches is on a runtime import cycle", () => {
    const graph = runtimeGraph();
    const reached = new Map<string, string[]>();
    const walk = (m: string): void => {
      if (reached.has(m)) return;
      reached.set(m, graph.get(m) ?? []);
      for (const d of reached.get(m)!) walk(d);
    };
    core.forEach(walk);
    const cycle = findCycle(reached);
    expect(cycle, `runtime import cycle: ${cycle?.join(" → ")}`).toBeNull();
  });

  it(`each of the ${core.length} modules of src/core loads without error`, () => {
    const script = `
      const results = {};
      for (const m of JSON.parse(process.argv[1])) {
        try { await import("./src/" + m + ".ts"); results[m] = "ok"; } catch (e) { results[m] = String(e?.stack ?? e); }
      }
      console.log(JSON.stringify(results));`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, JSON.stringify(core)], {
      cwd: join(src, ".."),
      encoding: "utf8",
      env: { ...process.env, TAPIR_THREADS: "1" },
    });
    const results = JSON.parse(out.trim().split("\n").pop()!) as Record<string, string>;
    for (const m of core) expect(results[m], `src/${m}.ts loads`).toBe("ok");
  });
});
