// The built package (tsup, as `npm run build` makes it) runs its kernels on worker threads
// started from dist/: the worker and supervisor entries and every chunk they import are in the
// build. Built into a temporary folder (JS only) that resolves packages through this repo's
// node_modules.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const tmp = mkdtempSync(join(os.tmpdir(), "tapir-dist-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("the tsup build", () => {
  it("starts its workers from dist/ and runs big ops on them", () => {
    symlinkSync(join(root, "node_modules"), join(tmp, "node_modules"));
    writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }));
    const dist = join(tmp, "dist");
    execFileSync(process.execPath, [join(root, "node_modules/tsup/dist/cli-default.js"), "--silent", "--out-dir", dist], {
      cwd: root, env: { ...process.env, TAPIR_NO_DTS: "1" }, timeout: 120_000, stdio: "pipe",
    });
    const out = execFileSync(process.execPath, [join(root, "test/backend/fixtures/dist-child.mjs"), dist], {
      cwd: tmp, env: { ...process.env, TAPIR_THREADS: "2", TAPIR_THREADS_FORCE: "1" }, encoding: "utf8", timeout: 60_000,
    });
    const r = JSON.parse(out.trim().split("\n").pop()!) as { m: number; s: number; started: string[]; risen: number; stayed: number };
    expect(r.started, "the calling thread started the supervisor from dist/").toEqual([`file://${dist}/kernel-supervisor.js`]);
    expect(r.risen, "the supervisor and the worker are running").toBeGreaterThanOrEqual(2);
    expect(r.stayed, "and still running after the worker loaded its chunks").toBeGreaterThanOrEqual(2);
    expect(r.m).toBe(300);
    expect(r.s).toBe(1_000_000);
  }, 200_000);
});
