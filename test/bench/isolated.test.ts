// bench: the isolated calls (a warmed-up call after other work), the yardstick for calls 2 and 3
// (bench/lib/measure.ts isolatedCalls, bench/lib/report.ts earlyIsolatedTable).
import { afterEach, describe, expect, it, vi } from "vitest";
import { ISOLATED_CALLS, isolatedCalls, type Timing } from "../../bench/lib/measure.js";
import { earlyIsolatedTable, type RunReport } from "../../bench/lib/report.js";

afterEach(() => vi.restoreAllMocks());

describe("bench isolated calls", () => {
  it("times each call right after the other work and gives the median of the calls alone", () => {
    // a fake clock: each call advances it by its own duration, the sweep by 1000 ms (left out of the times)
    let now = 0;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    const durations = [5, 1, 9, 2, 4]; // ms; median 4
    const order: string[] = [];
    let i = 0;
    const sweep = (k: number): void => {
      order.push(`sweep ${k}`);
      now += 1000;
    };
    const run = (): Float32Array[] => {
      order.push(`call ${i}`);
      now += durations[i++]!;
      return [];
    };
    expect(isolatedCalls(run, sweep)).toBeCloseTo(0.004, 12);
    expect(ISOLATED_CALLS).toBe(5);
    expect(order).toEqual(["sweep 0", "call 0", "sweep 1", "call 1", "sweep 2", "call 2", "sweep 3", "call 3", "sweep 4", "call 4"]);
  });

  it("reports calls 2 and 3 ÷ the isolated time, and leaves out results without one", () => {
    const t = (early: number[], isolated?: number): Timing => ({ median: 0.001, min: 0.001, max: 0.001, samples: 5, warmup: 2, method: "benny", early, ...(isolated === undefined ? {} : { isolated }) });
    const rep = {
      systems: [
        { id: "a", label: "sys a", family: "tapir", results: { W3: { case: "W3", status: "ok", timing: t([0.008, 0.002], 0.004) }, W7: { case: "W7", status: "ok", timing: t([0.003, 0.003]) } } },
        { id: "b", label: "sys b", family: "peer", results: { W3: { case: "W3", status: "error", reason: "x" } } },
      ],
    } as unknown as RunReport;
    const table = earlyIsolatedTable(rep)!;
    expect(table.head).toEqual(["workload", "sys a", "sys b"]);
    expect(table.rows.length).toBe(1); // W7 has no isolated time: no row
    expect(table.rows[0]![0]).toMatch(/^W3/);
    expect(table.rows[0]!.slice(1)).toEqual(["2.00× · 0.50×", "—"]);
  });
});
