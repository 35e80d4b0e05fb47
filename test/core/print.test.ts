// Printing follows numpy's array2string rules; expected strings come from numpy itself
// (scripts/fixtures/numpy_print.py writes test/fixtures/numpy-print.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { numpy as np, type DType } from "../../src/index.js";

interface Case { name: string; dtype: DType; shape: number[]; values: (number | string | boolean)[]; repr: string }
const fixture = JSON.parse(readFileSync(new URL("../fixtures/numpy-print.json", import.meta.url), "utf8")) as { cases: Case[] };
const num = (v: number | string | boolean): number =>
  typeof v === "boolean" ? Number(v) : v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : (v as number);

describe("tensors print as numpy prints them", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const t = np.array(c.values.map(num), { dtype: c.dtype }).reshape(c.shape);
      expect(t.toString()).toBe(c.repr);
    });
  }
});
