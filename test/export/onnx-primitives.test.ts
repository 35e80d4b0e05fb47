// Every primitive of the table (PRIMITIVES) either exports — the single-equation program of
// each row case of test/primitives/*.rows.ts runs on onnxruntime and equals tapir's impl — or
// throws the typed NoRuleError naming it (per case, where only some params have an ONNX form). The rows files are found by name, so a new family's
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
      // every case of every dtype in one model (one onnxruntime session per primitive)
      let seed = 7;
      const cases = row!.dtypes.flatMap((dtype) => row!.cases(dtype).map((c) => ({ params: c.params, args: c.args(rng(seed++), dtype) })));
      const args = cases.flatMap((c) => c.args);
      const f = (...xs: Tensor[]) => {
        let k = 0;
        return cases.flatMap((c) => bind(prim, xs.slice(k, (k += c.args.length)), c.params));
      };
      if (!hasOnnxRule(name)) {
        expect(() => exportOnnx(f, args)).toThrow(expect.objectContaining({ _tag: "NoRuleError", message: expect.stringContaining(`'${name}'`) }));
        return;
      }
      let bytes: Uint8Array | null = null;
      try {
        bytes = exportOnnx(f, args);
      } catch (e) {
        if ((e as { _tag?: string })._tag !== "NoRuleError") throw e;
      }
      if (bytes !== null) {
        expectMatches((await runOnnx(bytes, args)).outs, f(...args));
        return;
      }
      // some params have no ONNX form: case by case, each exports and matches or is the NoRuleError
      for (const c of cases) {
        const g = (...xs: Tensor[]) => bind(prim, xs, c.params);
        let one: Uint8Array;
        try {
          one = exportOnnx(g, c.args);
        } catch (e) {
          expect(e).toEqual(expect.objectContaining({ _tag: "NoRuleError", message: expect.stringContaining(`'${name}'`) }));
          continue;
        }
        expectMatches((await runOnnx(one, c.args)).outs, g(...c.args));
      }
    });
  }
});
