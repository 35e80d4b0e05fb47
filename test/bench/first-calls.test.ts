// bench --first-calls N: each tapir system's first call and calls 2 and 3 are the medians over the
// full run's child and N-1 first-only children (bench/lib/measure.ts withFirstCalls).
import { describe, expect, it } from "vitest";
import { withFirstCalls, type Timing } from "../../bench/lib/measure.js";
import type { CaseResult } from "../../bench/lib/protocol.js";

const timing = (first: number, early: number[], median = 1): Timing => ({ median, min: median, max: median, samples: 5, warmup: 2, method: "benny", firstCall: first, early });
const ok = (t: Timing): CaseResult => ({ case: "W8", status: "ok", timing: t });

describe("bench --first-calls", () => {
  it("takes the medians of the first calls and of calls 2 and 3, keeps the samples and the main run's median", () => {
    const main = { W8: ok(timing(9, [4, 2], 0.5)) };
    const r = withFirstCalls(main, [{ W8: ok(timing(3, [1, 5], NaN)) }, { W8: ok(timing(5, [6, 3], NaN)) }]);
    const t = r.W8!.timing!;
    expect(t.firstCall).toBe(5);
    expect(t.firstCalls).toEqual([9, 3, 5]);
    expect(t.early).toEqual([4, 3]);
    expect(t.median).toBe(0.5);
    expect(main.W8.timing!.firstCall).toBe(9); // input not mutated
  });

  it("an even count of samples gives the mean of the middle two; failed or missing extra runs are left out", () => {
    const main = { W7: { ...ok(timing(2, [1, 1])), case: "W7" as const }, W8: ok(timing(10, [2, 2])) };
    const r = withFirstCalls(main, [{ W7: { ...ok(timing(4, [3, 3])), case: "W7" as const }, W8: { case: "W8", status: "error", reason: "boom" } }]);
    expect(r.W7!.timing!.firstCall).toBe(3);
    expect(r.W7!.timing!.early).toEqual([2, 2]);
    expect(r.W8!.timing!.firstCall).toBe(10);
    expect(r.W8!.timing!.firstCalls).toEqual([10]);
  });

  it("a case that did not pass in the main run stays as it was", () => {
    const main: Partial<Record<"W8", CaseResult>> = { W8: { case: "W8", status: "wrong", reason: "max error" } };
    expect(withFirstCalls(main, [{ W8: ok(timing(1, [1, 1])) }])).toEqual(main);
  });
});
