// Median time per call after warm-up: benny (benchmark.js) samples fast calls; calls slower than a
// threshold are timed one by one, since benchmark.js would spend many seconds calibrating them.
import benny from "benny";
import type { RunFn } from "../systems/types.js";
import type { CaseResult } from "./protocol.js";
import type { CaseId } from "./workloads.js";

export type Mode = "quick" | "full";

export interface Timing {
  /** Median seconds per call over the samples. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
  /** Calls made before sampling (the correctness check counted only where it served as the warm-up). */
  readonly warmup: number;
  readonly method: "benny" | "per-call";
  /** Seconds of the first call (the correctness check: a jit's trace and compile included), where recorded. */
  readonly firstCall?: number;
  /** Seconds of the calls after the first (the 2nd and 3rd, where made): how soon a function runs at its steady speed. */
  readonly early?: readonly number[];
  /** With --first-calls N: the first call's seconds in each of the N processes (`firstCall` and `early` are then their medians). */
  readonly firstCalls?: readonly number[];
  /**
   * Median seconds of ISOLATED_CALLS calls made after sampling, each right after other work (a
   * sweep over a 64 MB array): a warmed-up function called once, not in a tight loop, which keeps
   * caches and predictors warm. The yardstick for calls 2 and 3, which also follow other work (the
   * first call's trace and compile); absent where a call takes over `perCallAbove`.
   */
  readonly isolated?: number;
}

/** Calls timed for `Timing.isolated`. */
export const ISOLATED_CALLS = 5;
let sweepBuf: Float64Array | undefined;
/** Other work between isolated calls: writes 64 MB, which evicts the caches and TLB entries a tight loop keeps warm. */
function otherWork(k: number): void {
  (sweepBuf ??= new Float64Array(8 << 20)).fill(k);
}
/** Median seconds of ISOLATED_CALLS calls of `run`, each after otherWork (Timing.isolated). */
export function isolatedCalls(run: RunFn, sweep: (k: number) => void = otherWork): number {
  const xs: number[] = [];
  for (let k = 0; k < ISOLATED_CALLS; k++) {
    sweep(k);
    xs.push(timeOnce(run));
  }
  return median(xs);
}

export const SETTINGS = {
  // benchmark.js: each sample is a cycle of ≥ minTime seconds; sampling stops after maxTime with ≥ minSamples
  quick: {
    warmCalls: 2, warmMs: 150, perCallAbove: 0.25, perCallSamples: 3, verySlow: 1, verySlowSamples: 2,
    benny: { minSamples: 5, maxTime: 0.2, minTime: 0.02, delay: 0 },
  },
  full: {
    warmCalls: 5, warmMs: 1000, perCallAbove: 1.5, perCallSamples: 7, verySlow: Infinity, verySlowSamples: 7,
    benny: { minSamples: 15, maxTime: 3, minTime: 0.1, delay: 0 },
  },
} as const;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function timeOnce(run: RunFn): number {
  const t0 = performance.now();
  run();
  return (performance.now() - t0) / 1e3;
}

/** `firstCall`: seconds the (untimed) correctness-check call took; with --quick a call over a second
 * counts as the warm-up, since one-time costs are small next to it. `budgetS`: the case's timing budget
 * (CaseDef.budget): warm-up and samples stop early past it, with at least one warm-up call and one sample. */
export async function measure(run: RunFn, label: string, mode: Mode, firstCall = 0, budgetS = Infinity): Promise<Timing> {
  const cfg = SETTINGS[mode];
  // warm-up: JIT tiers, jit traces, wasm tier-up, buffer pools
  const warm: number[] = firstCall > cfg.verySlow ? [firstCall] : [];
  const t0 = performance.now();
  while (!warm.length || ((warm.length < cfg.warmCalls || performance.now() - t0 < cfg.warmMs) && warm[warm.length - 1]! <= cfg.perCallAbove)) {
    warm.push(timeOnce(run)); // a call slower than perCallAbove ends the warm-up: warm enough
    if (warm.length >= 10_000 || performance.now() - t0 > (budgetS * 1e3) / 2) break;
  }
  // when the check call was the whole warm-up, its time holds the one-time costs (a jit's trace and
  // compile can be most of it): the estimate comes from one more call, which counts as a sample
  const extra = warm.length === 1 && firstCall > cfg.verySlow ? timeOnce(run) : undefined;
  const est = extra ?? median(warm);
  const early = (firstCall > cfg.verySlow ? [...warm.slice(1), ...(extra === undefined ? [] : [extra])] : warm).slice(0, 2);
  if (est > cfg.perCallAbove) {
    const xs: number[] = extra === undefined ? [] : [extra];
    const wanted = est > cfg.verySlow ? cfg.verySlowSamples : cfg.perCallSamples; // --quick: seconds-long calls get 2
    const n = Math.max(1, Math.min(wanted, Math.floor(budgetS / est)));
    while (xs.length < n) xs.push(timeOnce(run));
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), samples: xs.length, warmup: warm.length, method: "per-call", early };
  }
  const opts = { ...cfg.benny, maxTime: Math.min(cfg.benny.maxTime, budgetS) };
  const summary = await benny.suite(label, benny.configure({ cases: opts }), benny.add(label, run));
  const r = summary.results[0];
  if (!r || !r.completed) throw new Error(`benny: no samples for ${label}`);
  return {
    median: r.details.median,
    min: r.details.min,
    max: r.details.max,
    samples: r.samples,
    warmup: warm.length,
    method: "benny",
    early,
    isolated: isolatedCalls(run),
  };
}

/**
 * Results with each case's first call and calls 2 and 3 replaced by their medians over `main`
 * (the full run's) and `more` (--first-calls' first-only runs), the first calls kept in `firstCalls`.
 */
export function withFirstCalls(main: Partial<Record<CaseId, CaseResult>>, more: readonly Partial<Record<CaseId, CaseResult>>[]): Partial<Record<CaseId, CaseResult>> {
  const out = { ...main };
  for (const [id, r] of Object.entries(main) as [CaseId, CaseResult][]) {
    const t = r.timing;
    if (r.status !== "ok" || t?.firstCall === undefined) continue;
    const others = more.map((m) => m[id]).filter((x) => x?.status === "ok" && x.timing?.firstCall !== undefined).map((x) => x!.timing!);
    const firsts = [t.firstCall, ...others.map((x) => x.firstCall!)];
    const early = t.early?.map((v, i) => median([v, ...others.flatMap((x) => (x.early?.[i] === undefined ? [] : [x.early[i]!]))]));
    out[id] = { ...r, timing: { ...t, firstCall: median(firsts), firstCalls: firsts, ...(early ? { early } : {}) } };
  }
  return out;
}
