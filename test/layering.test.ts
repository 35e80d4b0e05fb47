// The dependency direction of ARCHITECTURE.md, checked on the sources: core/backend → only
// dtype/shape/errors/config of core; core → not transforms or compat; transforms → not compat;
// compat → only the public entry point (src/index.ts); the primitives' rules stand on lax, not
// on the numpy layer; and no runtime import cycle anywhere in src/ (type-only imports aside).
import { describe, expect, it } from "vitest";

import { files, findCycle, importsOf, isTypeOnly, rel, runtimeGraph, src } from "./util/imports.js";

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

  it("the primitives' rules call lax, never the numpy layer above it", () => {
    for (const [f, imps] of all.filter(([f]) => f.startsWith("core/primitives/") || f === "core/primitive" || f === "core/lax")) {
      for (const i of imps) expect(i.startsWith("core/numpy/") || i === "core/nn" || i === "core/random", `${f} imports ${i}`).toBe(false);
    }
  });

  it("src/ has no runtime import cycle (type-only imports aside)", () => {
    const cycle = findCycle(runtimeGraph());
    expect(cycle, `runtime import cycle: ${cycle?.join(" → ")}`).toBeNull();
  });

  it("the cycle check sees cycles and ignores type-only imports", () => {
    expect(findCycle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]))).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(new Map([["a", ["b"]], ["b", []], ["c", ["a", "b"]]]))).toBeNull();
    expect(isTypeOnly("type { Tensor } ")).toBe(true);
    expect(isTypeOnly("{ type Tensor, type Aval } ")).toBe(true);
    expect(isTypeOnly("{ Tensor, type Aval } ")).toBe(false);
    expect(isTypeOnly("* as np ")).toBe(false);
  });

  it("compat imports only the public entry point and itself", () => {
    for (const [f, imps] of all.filter(([f]) => f.startsWith("compat/"))) {
      for (const i of imps) expect(i === "index" || i.startsWith("compat/"), `${f} imports ${i}`).toBe(true);
    }
  });
});
