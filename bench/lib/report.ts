// Turns the collected results into the summary (tapir best, peer/tapir ratios, derived figures), the
// text and markdown tables, and latest.json's shape.
import type { Family } from "../systems/types.js";
import type { Mode, Timing } from "./measure.js";
import type { CaseResult } from "./protocol.js";
import { CASES, type CaseDef, type CaseId } from "./workloads.js";

export interface SystemRun {
  readonly id: string;
  readonly label: string;
  readonly family: Family;
  info?: Readonly<Record<string, string | number | boolean>>;
  loadError?: string;
  /** Wall-clock seconds its child processes ran, start-up included. */
  wallSeconds?: number;
  readonly results: Partial<Record<CaseId, CaseResult>>;
}

export type ScalingCase = "W1" | "W2-1024";
export interface ScalingRow {
  readonly threads: number;
  /** Threads tapir reported (config.threads()) in that child. */
  reported?: number | string;
  /** Result per case; with several rounds its timing.median is the median of the rounds' medians. */
  readonly results: Partial<Record<ScalingCase, CaseResult & { readonly system: string }>>;
  /** Median seconds per call of each round that timed. */
  readonly rounds: Partial<Record<ScalingCase, number[]>>;
}

export interface CaseSummary {
  readonly case: CaseId;
  readonly tapirBest?: { readonly system: string; readonly median: number };
  /** peer median / tapir best median, per peer system id; absent where either side did not time. */
  readonly ratios: Record<string, number>;
  /** GFLOP/s or Melem/s per system id, where the case has a derived figure. */
  readonly derived: Record<string, number>;
  /** With the JAX column: tapir median ÷ JAX median per tapir system id (above 1×: JAX is faster). */
  readonly vsJax?: Record<string, number>;
}

/** The system id of the JAX column (bench/jax/runner.ts). */
export const JAX_SYSTEM = "jax-cpu";

export interface RunReport {
  readonly date: string;
  readonly mode: Mode;
  readonly argv: readonly string[];
  readonly machine: Readonly<Record<string, string | number>>;
  readonly versions: Readonly<Record<string, string>>;
  readonly tapirThreads: number | string;
  readonly cases: readonly Omit<CaseDef, "inputs" | "reference">[];
  readonly systems: readonly SystemRun[];
  readonly summary: readonly CaseSummary[];
  readonly threadScaling?: { readonly maxThreads: number; readonly rows: readonly ScalingRow[] };
  /** With `--node 20,24`: the same systems and cases run, interleaved, on the other Nodes (machine.node is the first). */
  readonly otherNodes?: readonly NodeRun[];
  readonly wallSeconds: number;
}

/** The systems' results on one more Node binary, measured in the same run as the report's own. */
export interface NodeRun {
  readonly node: string;
  readonly v8: string;
  readonly systems: readonly SystemRun[];
  readonly summary: readonly CaseSummary[];
}

export function summarize(cases: readonly CaseDef[], systems: readonly SystemRun[]): CaseSummary[] {
  return cases.map((c) => {
    let best: { system: string; median: number } | undefined;
    for (const s of systems) {
      const r = s.results[c.id];
      if (s.family === "tapir" && r?.status === "ok" && r.timing && (!best || r.timing.median < best.median))
        best = { system: s.id, median: r.timing.median };
    }
    const ratios: Record<string, number> = {};
    const derived: Record<string, number> = {};
    for (const s of systems) {
      const r = s.results[c.id];
      if (r?.status !== "ok" || !r.timing) continue;
      if (s.family === "peer" && best) ratios[s.id] = r.timing.median / best.median;
      if (c.derived) derived[s.id] = (c.derived.perCall / r.timing.median) * c.derived.scale;
    }
    const jax = systems.find((s) => s.id === JAX_SYSTEM)?.results[c.id];
    const vsJax: Record<string, number> = {};
    if (jax?.status === "ok" && jax.timing)
      for (const s of systems) {
        const r = s.results[c.id];
        if (s.family === "tapir" && r?.status === "ok" && r.timing) vsJax[s.id] = r.timing.median / jax.timing.median;
      }
    return { case: c.id, ...(best ? { tapirBest: best } : {}), ratios, derived, ...(Object.keys(vsJax).length ? { vsJax } : {}) };
  });
}

// ---- formatting ----

const sig = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function fmtTime(seconds: number, unit: "ms" | "µs"): string {
  return unit === "µs" ? `${sig(seconds * 1e6)} µs` : `${sig(seconds * 1e3)} ms`;
}
export const fmtRatio = (r: number): string => `${sig(r)}×`;

export function cell(r: CaseResult | undefined, unit: "ms" | "µs"): string {
  if (!r) return "—";
  switch (r.status) {
    case "ok":
      return r.timing ? fmtTime(r.timing.median, unit) : "?";
    case "wrong":
      return Number.isFinite(r.relErr) ? `wrong (err ${r.relErr!.toExponential(1)})` : "wrong (NaN)";
    case "na":
      return "n/a";
    case "error":
      return "error";
    case "timeout":
      return "timeout";
  }
}

type Table = { head: string[]; rows: string[][] };

export function renderText(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(t.head), widths.map((w) => "─".repeat(w)).join("  "), ...t.rows.map(line)].join("\n");
}

export function renderMarkdown(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${t.head.map(esc).join(" | ")} |`,
    `|${t.head.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...t.rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

const caseLabel = (c: CaseDef) => `${c.workload} ${c.name}`;

export function timeTable(rep: RunReport): Table {
  const cases = CASES.filter((c) => rep.summary.some((s) => s.case === c.id));
  return {
    head: ["workload", ...rep.systems.map((s) => s.label)],
    rows: cases.map((c) => [caseLabel(c) + (c.unit === "µs" ? " (µs/call)" : ""), ...rep.systems.map((s) => cell(s.results[c.id], c.unit))]),
  };
}

export function ratioTable(rep: RunReport): Table {
  const peers = rep.systems.filter((s) => s.family === "peer");
  const label = (id: string) => rep.systems.find((s) => s.id === id)?.label ?? id;
  return {
    head: ["workload", "tapir best", ...peers.map((p) => p.label)],
    rows: rep.summary.map((s) => {
      const c = CASES.find((k) => k.id === s.case)!;
      return [
        caseLabel(c),
        s.tapirBest ? `${fmtTime(s.tapirBest.median, c.unit)} (${label(s.tapirBest.system).replace("tapir ", "")})` : "n/a",
        ...peers.map((p) => (s.ratios[p.id] !== undefined ? fmtRatio(s.ratios[p.id]!) : "—")),
      ];
    }),
  };
}

/**
 * Per case and system: median time on `other`'s Node ÷ median time on the report's own Node (below 1×:
 * faster on `other`), and their geometric mean over the cases both timed.
 */
export function nodeRatioTable(rep: RunReport, other: NodeRun): Table {
  const cases = CASES.filter((c) => rep.summary.some((s) => s.case === c.id));
  const ratio = (id: string, c: CaseId): number | undefined => {
    const a = rep.systems.find((s) => s.id === id)?.results[c], b = other.systems.find((s) => s.id === id)?.results[c];
    return a?.status === "ok" && b?.status === "ok" && a.timing && b.timing ? b.timing.median / a.timing.median : undefined;
  };
  const geomean = (id: string): string => {
    const rs = cases.map((c) => ratio(id, c.id)).filter((r): r is number => r !== undefined);
    return rs.length ? fmtRatio(Math.exp(rs.reduce((acc, r) => acc + Math.log(r), 0) / rs.length)) : "—";
  };
  return {
    head: ["workload", ...rep.systems.map((s) => s.label)],
    rows: [
      ...cases.map((c) => [caseLabel(c), ...rep.systems.map((s) => {
        const r = ratio(s.id, c.id);
        return r === undefined ? "—" : fmtRatio(r);
      })]),
      ["geometric mean", ...rep.systems.map((s) => geomean(s.id))],
    ],
  };
}

export function derivedTable(rep: RunReport): Table | undefined {
  const rows = rep.summary.filter((s) => CASES.find((c) => c.id === s.case)?.derived);
  if (!rows.length) return undefined;
  return {
    head: ["figure", ...rep.systems.map((s) => s.label)],
    rows: rows.map((s) => {
      const c = CASES.find((k) => k.id === s.case)!;
      return [`${caseLabel(c)} ${c.derived!.label}`, ...rep.systems.map((sys) => (s.derived[sys.id] !== undefined ? sig(s.derived[sys.id]!) : "—"))];
    }),
  };
}

export function scalingTable(rep: RunReport): Table | undefined {
  const ts = rep.threadScaling;
  if (!ts) return undefined;
  const base = (k: ScalingCase) => ts.rows.find((r) => r.threads === 1)?.results[k];
  const speed = (k: ScalingCase, r: ScalingRow) => {
    const b = base(k), x = r.results[k];
    return b?.status === "ok" && x?.status === "ok" && b.timing && x.timing ? fmtRatio(b.timing.median / x.timing.median) : "—";
  };
  const gflops = (r: ScalingRow) => {
    const x = r.results["W2-1024"];
    return x?.status === "ok" && x.timing ? sig((2 * 1024 ** 3) / x.timing.median / 1e9) : "—";
  };
  return {
    head: ["threads", "W1 mlp_grad", "speed-up", "W2 matmul 1024", "GFLOP/s", "speed-up"],
    rows: ts.rows.map((r) => [
      String(r.threads) + (r.reported !== undefined && r.reported !== r.threads ? ` (tapir reports ${r.reported})` : ""),
      cell(r.results.W1, "ms") + (r.results.W1 ? ` ${r.results.W1.system.replace("tapir-", "")}` : ""),
      speed("W1", r),
      cell(r.results["W2-1024"], "ms") + (r.results["W2-1024"] ? ` ${r.results["W2-1024"].system.replace("tapir-", "")}` : ""),
      gflops(r),
      speed("W2-1024", r),
    ]),
  };
}

/** Why cells are not timed, one line per system and reason (cases grouped). */
export function notTimed(rep: RunReport): string[] {
  const out: string[] = [];
  for (const s of rep.systems) {
    const byReason = new Map<string, string[]>();
    for (const c of CASES) {
      const r = s.results[c.id];
      if (!r || r.status === "ok") continue;
      const key = `${r.status}: ${r.reason ?? ""}`;
      byReason.set(key, [...(byReason.get(key) ?? []), c.id]);
    }
    for (const [reason, ids] of byReason) out.push(`${s.label} [${ids.join(", ")}] ${reason}`);
  }
  return out;
}

/** The non-obvious methods peers need (e.g. hand-batched Jacobians), one line each. */
export function methods(rep: RunReport): string[] {
  const seen = new Map<string, string[]>();
  for (const s of rep.systems)
    for (const c of CASES) {
      const how = s.results[c.id]?.how;
      if (how) {
        const key = `${c.id}: ${how}`;
        seen.set(key, [...(seen.get(key) ?? []), s.label]);
      }
    }
  return [...seen].map(([k, who]) => `${who.join(", ")} — ${k}`);
}

/** tapir ÷ JAX-CPU per case and tapir system: the gap the project chases (absent without the JAX column). */
export function jaxTable(rep: RunReport): Table | undefined {
  const jax = rep.systems.find((s) => s.id === JAX_SYSTEM);
  if (!jax) return undefined;
  const tapirs = rep.systems.filter((s) => s.family === "tapir");
  return {
    head: ["workload", "JAX-CPU", ...tapirs.map((t) => `${t.label} ÷ JAX`), "tapir best ÷ JAX"],
    rows: rep.summary.map((s) => {
      const c = CASES.find((k) => k.id === s.case)!;
      const best = s.tapirBest ? s.vsJax?.[s.tapirBest.system] : undefined;
      return [
        caseLabel(c),
        cell(jax.results[c.id], c.unit),
        ...tapirs.map((t) => (s.vsJax?.[t.id] !== undefined ? fmtRatio(s.vsJax[t.id]!) : "—")),
        best !== undefined ? fmtRatio(best) : "—",
      ];
    }),
  };
}

/** Time per unit of work (W13: µs per time step, W15: µs per op), per system. */
export function perUnitTable(rep: RunReport): Table | undefined {
  const cases = CASES.filter((c) => c.perUnit && rep.summary.some((s) => s.case === c.id));
  if (!cases.length) return undefined;
  return {
    head: ["figure", ...rep.systems.map((s) => s.label)],
    rows: cases.map((c) => [
      `${caseLabel(c)} ${c.perUnit!.label}`,
      ...rep.systems.map((s) => {
        const r = s.results[c.id];
        return r?.status === "ok" && r.timing ? sig((r.timing.median / c.perUnit!.count) * 1e6) : "—";
      }),
    ]),
  };
}

/**
 * The first call of each case, ms (the correctness check: for jit systems trace, optimisation,
 * kernel compilation and one run), per system: how long a user waits before the first result.
 */
export function firstCallTable(rep: RunReport): Table | undefined {
  return perCaseTable(rep, (t) => (t.firstCall !== undefined ? sig(t.firstCall * 1e3) : undefined));
}

/** A table of one cell per case and system, `cell` of an ok result's timing (undefined: "—"); cases where no system has a cell are left out. */
function perCaseTable(rep: RunReport, cell: (t: Timing) => string | undefined): Table | undefined {
  const at = (s: RunReport["systems"][number], id: CaseId): string | undefined => {
    const r = s.results[id];
    return r?.status === "ok" && r.timing ? cell(r.timing) : undefined;
  };
  const cases = CASES.filter((c) => rep.systems.some((s) => at(s, c.id) !== undefined));
  if (!cases.length) return undefined;
  return { head: ["workload", ...rep.systems.map((s) => s.label)], rows: cases.map((c) => [caseLabel(c), ...rep.systems.map((s) => at(s, c.id) ?? "—")]) };
}

/**
 * The 2nd and 3rd calls of each case ÷ its median, per system: how soon a function reaches its
 * steady speed (a jit's first call is in firstCallTable; near 1× here: steady from the 2nd call).
 */
export function earlyCallsTable(rep: RunReport): Table | undefined {
  return perCaseTable(rep, (t) => (t.early?.length ? t.early.map((x) => fmtRatio(x / t.median)).join(" · ") : undefined));
}

/**
 * The 2nd and 3rd calls of each case ÷ `Timing.isolated` (a warmed-up call right after other work),
 * per system: whether one-time costs remain by then. Calls 2 and 3 follow other work too (the first
 * call's trace and compile), so next to the tight-loop median they also carry cold caches, which
 * for a sub-millisecond program is several times the median (earlyCallsTable).
 */
export function earlyIsolatedTable(rep: RunReport): Table | undefined {
  return perCaseTable(rep, (t) => (t.early?.length && t.isolated !== undefined ? t.early.map((x) => fmtRatio(x / t.isolated!)).join(" · ") : undefined));
}

/** Figures that relate two cases of one system: where a cliff shows (the same work, costlier). */
const RELATIONS = [
  { label: "W14 time ×0.1 ÷ ×0.3 (subnormal cliff)", num: "W14-0.1", den: "W14-0.3", per: [1, 1] },
  { label: "W15 µs/op n=2000 ÷ n=200 (long programs)", num: "W15-2000", den: "W15-200", per: [2000, 200] },
] as const;

export function relationTable(rep: RunReport): Table | undefined {
  const ids = new Set(rep.summary.map((s) => s.case));
  const rows = RELATIONS.filter((r) => ids.has(r.num) && ids.has(r.den));
  if (!rows.length) return undefined;
  return {
    head: ["figure", ...rep.systems.map((s) => s.label)],
    rows: rows.map((rel) => [
      rel.label,
      ...rep.systems.map((s) => {
        const a = s.results[rel.num], b = s.results[rel.den];
        return a?.status === "ok" && b?.status === "ok" && a.timing && b.timing ? fmtRatio((a.timing.median / rel.per[0]) / (b.timing.median / rel.per[1])) : "—";
      }),
    ]),
  };
}

/** Results that passed the float64 check only as flush-to-zero results (their subnormal values read as 0). */
export function flushedNotes(rep: RunReport): string[] {
  const out: string[] = [];
  for (const s of rep.systems) {
    const ids = CASES.filter((c) => s.results[c.id]?.status === "ok" && s.results[c.id]?.flushed).map((c) => c.id);
    if (ids.length) out.push(`${s.label} [${ids.join(", ")}]`);
  }
  return out;
}
