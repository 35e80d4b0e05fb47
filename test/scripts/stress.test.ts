// The stress runner's own logic: its arguments, reading vitest's JSON report, and hogs that die.
import { describe, expect, it } from "vitest";
import { failuresOf, Hogs, parseStressArgs, summarize } from "../../scripts/stress-lib.js";

describe("test:stress arguments", () => {
  it("defaults to 3 rounds and one hog per core; flags and env override", () => {
    const d = parseStressArgs([], {});
    expect(d.rounds).toBe(3);
    expect(d.hogs).toBeGreaterThanOrEqual(1);
    expect(parseStressArgs([], { TAPIR_STRESS_ROUNDS: "5" }).rounds).toBe(5);
    const o = parseStressArgs(["--rounds", "2", "--hogs=4", "test/core", "-t", "sum"], { TAPIR_STRESS_ROUNDS: "5" });
    expect(o).toMatchObject({ rounds: 2, hogs: 4, vitestArgs: ["test/core", "-t", "sum"] });
  });
  it("rejects a bad count with a message naming the flag and the usage", () => {
    expect(() => parseStressArgs(["--rounds", "0"], {})).toThrow(/--rounds needs an integer ≥ 1, but got "0".*usage/);
    expect(() => parseStressArgs(["--rounds"], {})).toThrow(/--rounds needs an integer/);
    expect(() => parseStressArgs([], { TAPIR_STRESS_ROUNDS: "x" })).toThrow(/TAPIR_STRESS_ROUNDS/);
  });
});

describe("test:stress report", () => {
  const report = {
    testResults: [
      {
        name: "/repo/test/a.test.ts",
        status: "failed",
        assertionResults: [
          { fullName: "suite one", status: "passed", failureMessages: [] },
          { fullName: "suite two", status: "failed", failureMessages: ["\nAssertionError: expected 1 to be 2\n    at x"] },
          { fullName: "suite three", status: "skipped" },
        ],
      },
      { name: "/repo/test/b.test.ts", status: "failed", message: "Cannot find module x", assertionResults: [] },
      { name: "/repo/test/c.test.ts", status: "passed", assertionResults: [{ fullName: "c", status: "passed" }] },
    ],
  };
  it("lists failed tests and files that failed without a failed test", () => {
    expect(failuresOf(report, "/repo")).toEqual([
      { key: "test/a.test.ts > suite two", message: "AssertionError: expected 1 to be 2" },
      { key: "test/b.test.ts (the file itself)", message: "Cannot find module x" },
    ]);
  });
  it("groups failures across rounds", () => {
    const a = { key: "a", message: "m1" };
    const b = { key: "b", message: "m2" };
    expect(summarize([[a], [], [a, b]])).toEqual([
      { key: "a", rounds: [1, 3], message: "m1" },
      { key: "b", rounds: [3], message: "m2" },
    ]);
    expect(summarize([[], []])).toEqual([]);
  });
});

describe("test:stress hogs", () => {
  it("start busy children and kill every one of them", async () => {
    const hogs = new Hogs(2);
    expect(hogs.children.map((c) => typeof c.pid)).toEqual(["number", "number"]);
    await hogs.stopped();
    for (const c of hogs.children) {
      expect(c.signalCode).toBe("SIGKILL");
      expect(() => process.kill(c.pid!, 0), "the hog process is gone").toThrow();
    }
  });
});
