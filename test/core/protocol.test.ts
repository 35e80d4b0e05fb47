// The tensor protocol (API.md §6): JS conversion, iteration over axis 0, Node's inspect; and
// malformed index specs fail fast with a typed error instead of hanging.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ConcretizationError, ShapeError, jit, numpy as np, random, type Tensor } from "../../src/index.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("Symbol.toPrimitive", () => {
  it("a concrete size-1 tensor converts to its number, so JS comparisons and arithmetic work eagerly", () => {
    const x = np.array(3);
    expect(x > np.array(2)).toBe(true);
    expect(+x).toBe(3);
    expect(Number(np.array([[2.5]]))).toBe(2.5);
    expect(Math.max(np.array(-1) as unknown as number, 0)).toBe(0);
    expect(+np.array(true)).toBe(1);
  });
  it("a string context gives the printed form", () => {
    expect(`${np.array([1, 2])}`).toBe("Array([1., 2.], dtype=float32)");
    expect(String(np.array(1, { dtype: "int32" }))).toBe("Array(1, dtype=int32)");
  });
  it("a larger tensor throws ShapeError naming its shape and the fix", () => {
    expect(() => +np.array([1, 2])).toThrow(ShapeError);
    expect(() => np.array([1, 2]) > np.array(0)).toThrow(/float32\[2\] \(2 elements\).*x\.greater\(0\)/);
  });
  it("a traced value throws ConcretizationError (if (x > 0) inside jit)", () => {
    const f = jit((x: Tensor) => (x > np.array(0) ? x : x.neg()));
    expect(() => f(np.array(1))).toThrow(ConcretizationError);
  });
});

describe("Symbol.iterator", () => {
  it("iterates over axis 0 and destructures", () => {
    const [a, b, c] = np.array([[1, 2], [3, 4], [5, 6]]);
    expect([a!.toArray(), b!.toArray(), c!.toArray()]).toEqual([[1, 2], [3, 4], [5, 6]]);
    const rows: number[] = [];
    for (const r of np.arange(4)) rows.push(r.item());
    expect(rows).toEqual([0, 1, 2, 3]);
    expect([...np.zeros([0, 3])]).toEqual([]);
  });
  it("const [k1, k2] = random.split(k) gives the two keys split returns", () => {
    const k = random.key(7);
    const ks = random.split(k);
    const [k1, k2] = ks;
    expect(k1!.toArray()).toEqual(ks.index(0).toArray());
    expect(k2!.toArray()).toEqual(ks.index(1).toArray());
    expect(k1!.toArray()).not.toEqual(k2!.toArray());
  });
  it("a 0-d tensor does not iterate", () => {
    expect(() => [...np.array(1)]).toThrow(ShapeError);
  });
});

describe("util.inspect / console.log", () => {
  it("print the values as toString does, not the internals", () => {
    const t = np.array([1.5, 2]);
    expect(inspect(t)).toBe(t.toString());
    expect(inspect({ t })).toContain("Array([1.5, 2. ], dtype=float32)");
    expect(inspect(t)).not.toMatch(/_storage|_owner/);
  });
});

describe("malformed index specs", () => {
  const x = np.arange(4);
  // in a child process with a time limit: a regression must fail here, not hang the suite
  const out = execFileSync(process.execPath, ["--import", "tsx", "test/core/fixtures/bad-index.ts"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  const results = out.trim().split("\n").map((l) => JSON.parse(l) as { tag: string; message?: string });
  it.each([
    ["a numpy-style string", /"0:2".*written as a range: \[0, 2\]/],
    ["an object", /\{"start":0,"stop":2\}/],
    ["a fraction", /1\.5/],
    ["NaN", /NaN/],
    ["a fractional range bound", /\[0\.5, 2\]/],
    ["a range of four", /\[0, 1, 1, 1\]/],
    ["any other string", /"abc"/],
  ])("%s throws ValueError naming it and the accepted forms (no hang)", (name, re) => {
    const k = ["a numpy-style string", "an object", "a fraction", "NaN", "a fractional range bound", "a range of four", "any other string"].indexOf(name);
    const r = results[k]!;
    expect(r.tag).toBe("ValueError");
    expect(r.message).toMatch(re);
    expect(r.message).toMatch(/integer, null \(a new axis\), "\.\.\." or a range/);
  });
  it("valid specs still index", () => {
    expect(x.index([1, 3]).toArray()).toEqual([1, 2]);
    expect(x.index([null, null, -1]).toArray()).toEqual([3, 2, 1, 0]);
    expect(x.index(-1).item()).toBe(3);
    expect(() => x.index(4)).toThrow(ShapeError);
  });
});
