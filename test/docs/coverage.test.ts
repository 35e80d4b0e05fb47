// Every public name is documented (summary + @example), except those still listed in
// docs/undocumented.txt — a list that may only shrink.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { ALLOWLIST, publicNames, undocumented } from "../util/doc-coverage.js";

it("no public name is newly undocumented, and documented names leave the list", { timeout: 120_000 }, () => {
  const listed = new Set(readFileSync(ALLOWLIST, "utf8").split("\n").filter((l) => l && !l.startsWith("#")));
  const names = publicNames();
  const missing = undocumented(names);
  const fresh = missing.filter((n) => !listed.has(n));
  expect(fresh, `document these public names (TSDoc summary + @example): ${fresh.join(", ")}`).toEqual([]);
  const all = new Set(names.map((n) => n.name));
  const missingSet = new Set(missing);
  const stale = [...listed].filter((n) => !missingSet.has(n));
  expect(stale, `delete these lines from docs/undocumented.txt (documented or gone): ${stale.join(", ")}`).toEqual([]);
  expect(all.size).toBeGreaterThan(300);
});
