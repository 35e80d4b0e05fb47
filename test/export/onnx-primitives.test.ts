// Every primitive of the table (PRIMITIVES) either exports — the single-equation program of
// each row case of test/primitives/*.rows.ts runs on onnxruntime and equals tapir's impl — or
// throws the typed NoRuleError naming it. The rows files are found by name, so a new family's
// primitives are covered as soon as its rows exist.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exportOnnx, type Tensor } from "../../src/index.js";
import { PRIMITIVES } from "../../src/core/primitives/index.js";
import { bind } from "../../src/core/trace.js";
import { hasOnnxRule } from "../../src/export/onnx/index.js";
import type { Row } from "../primitives/row.js";
import { rng } from "../util/rng.js";
import { expectMatches, runOnnx } from "./ort.js";

const dir = new URL("../primitives/", import.meta.url);
const rowModules = await Promise.all(readdirSync(dir).filter((f) => f.endsWith(".rows.ts")).map((f) => import(new URL(f, dir).href) as Promise<Record<string, unknown>>));
const rows: Record<string, Row> = Object.assign({}, ...rowModules.flatMap((m) => Object.entries(m).filter(([k]) => k.endsWith("Rows")).map(([, v]) => v as Record<string, Row>)));

describe("every primitive exports to ONNX or throws NoRuleError", () => {
  for (const name of Object.keys(PRIMITIVES)) {
    const prim = PRIMITIVES[name as keyof typeof PRIMITIVES];
    it(`${name}: ${hasOnnxRule(name) ? "runs on onnxruntime like tapir" : "NoRuleError"}`, async () => {
      const row = rows[name];
      expect(row, `no rows for ${name} in test/primitives/*.rows.ts`).toBeDefined();
      let seed = 7;
      for (const dtype of row!.dtypes) {
        for (const c of row!.cases(dtype)) {
          const args = c.args(rng(seed++), dtype);
          const f = (...xs: Tensor[]) => bind(prim, xs, c.params);
          if (!hasOnnxRule(name)) {
            expect(() => exportOnnx(f, args)).toThrow(expect.objectContaining({ _tag: "NoRuleError", message: expect.stringContaining(`'${name}'`) }));
            return;
          }
          const { outs } = await runOnnx(exportOnnx(f, args), args);
          expectMatches(outs, f(...args));
        }
      }
    });
  }
});
