// Every `@example` in src/ and every ts block in docs/*.md runs, and its `// →` values hold.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import * as tapir from "../../src/index.js";
import * as compat from "../../src/compat/index.js";
import { examplesOfMarkdown, examplesOfSource, instrument, matches, runExample, type Example } from "../util/examples.js";

const ROOT = join(import.meta.dirname, "..", "..");

function filesUnder(dir: string, ext: string): string[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return [];
  }
  if (!st.isDirectory()) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

const examples: Example[] = [
  ...filesUnder(join(ROOT, "src"), ".ts").flatMap((f) => examplesOfSource(relative(ROOT, f), readFileSync(f, "utf8"))),
  ...filesUnder(join(ROOT, "docs"), ".md").flatMap((f) => examplesOfMarkdown(relative(ROOT, f), readFileSync(f, "utf8"))),
];

describe("the example runner itself", () => {
  it("compares words exactly and numbers within a tolerance", () => {
    expect(matches("75", "75")).toBe(true);
    expect(matches("74.99999", "75")).toBe(true);
    expect(matches("76", "75")).toBe(false);
    expect(matches("[1,2,3]", "[1, 2, 3]")).toBe(true);
    expect(matches("[1,2]", "[1, 2, 3]")).toBe(false);
    expect(matches("Array([1., 2.], dtype=float32)", "Array([1., 2.], dtype=float64)")).toBe(false);
    expect(matches("NaN", "NaN")).toBe(true);
    expect(matches("tf.Tensor([1. 2. 3.], shape=(3,), dtype=float32)", "tf.Tensor([1. 2. 3.], shape=(3,), dtype=float32)")).toBe(true);
    expect(matches("[1 2]", "[12]")).toBe(false);
  });
  it("checks `// →` values and reports the line that differs", async () => {
    const libs = { tapir: tapir as unknown as Record<string, unknown>, compat: compat as unknown as Record<string, unknown> };
    const ok = { file: "t", symbol: "t", line: 1, code: "const cube = (x: Tensor) => x.mul(x).mul(x);\ngrad(cube)(5).item(); // → 75\nnp.array([1, 2]); // → [1, 2]\n" };
    expect(await runExample(ok, libs)).toEqual([]);
    const bad = { file: "t", symbol: "t", line: 1, code: 'import { numpy as n } from "tapir";\nn.add(1, 2).item(); // → 4\n' };
    expect(await runExample(bad, libs)).toEqual([{ line: 2, expected: "4", actual: "3" }]);
    expect(instrument("const a = 1; // → 1")).toContain("__check(a,");
  });
});

describe("documentation examples run and print what they say", () => {
  const libs = { tapir: tapir as unknown as Record<string, unknown>, compat: compat as unknown as Record<string, unknown> };
  it("finds examples to run", () => expect(examples.length).toBeGreaterThan(0));
  for (const ex of examples) {
    it(`${ex.file}:${ex.line} ${ex.symbol}`, async () => {
      const failures = await runExample(ex, libs);
      const msg = failures.map((f) => `${ex.file} (${ex.symbol}), example line ${f.line}: expected ${f.expected}, got ${f.actual}`).join("\n");
      expect(failures, msg).toEqual([]);
    });
  }
});
