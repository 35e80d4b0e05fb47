// The parts of the stress runner (scripts/stress.ts) that can be tested on their own: argument
// parsing, the CPU hogs, and reading failures out of vitest's JSON report.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";

/** What `npm run test:stress -- …` asked for. */
export interface StressOptions {
  /** How many times the suite runs (default 3; `--rounds K` or TAPIR_STRESS_ROUNDS). */
  rounds: number;
  /** How many busy-looping child processes run meanwhile (default: one per core). */
  hogs: number;
  /** A bound on one round, far above the normal ~1.5-6 min: a hung round is reported, not waited on. */
  roundTimeoutS: number;
  /** Anything else is handed to `vitest run` (test-file filters, `-t pattern`). */
  vitestArgs: string[];
}

const usage =
  "usage: npm run test:stress -- [--rounds K] [--hogs N] [--round-timeout SECONDS] [vitest args…]";

function positiveInt(flag: string, raw: string | undefined, min: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < min) {
    throw new Error(`test:stress: ${flag} needs an integer ≥ ${min}, but got ${JSON.stringify(raw)}. ${usage}`);
  }
  return n;
}

/** Parses the command line; the environment supplies defaults (TAPIR_STRESS_ROUNDS, TAPIR_STRESS_HOGS). */
export function parseStressArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StressOptions {
  const opts: StressOptions = {
    rounds: env.TAPIR_STRESS_ROUNDS ? positiveInt("TAPIR_STRESS_ROUNDS", env.TAPIR_STRESS_ROUNDS, 1) : 3,
    hogs: env.TAPIR_STRESS_HOGS ? positiveInt("TAPIR_STRESS_HOGS", env.TAPIR_STRESS_HOGS, 0) : os.availableParallelism(),
    roundTimeoutS: 30 * 60,
    vitestArgs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--rounds") opts.rounds = positiveInt("--rounds", value(), 1);
    else if (flag === "--hogs") opts.hogs = positiveInt("--hogs", value(), 0);
    else if (flag === "--round-timeout") opts.roundTimeoutS = positiveInt("--round-timeout", value(), 1);
    else if (a === "--help" || a === "-h") throw new Error(usage);
    else opts.vitestArgs.push(a);
  }
  return opts;
}

/**
 * The body of one hog: spin forever, but exit as soon as the parent is gone (its pid is no
 * longer our parent's), so a stress run killed with SIGKILL leaves nothing spinning.
 */
export const HOG_SOURCE = `
const parent = process.ppid;
let x = 0;
for (;;) {
  for (let i = 0; i < 5e6; i++) x = (x * 1664525 + 1013904223) >>> 0;
  if (process.ppid !== parent) process.exit(0);
}`;

/** A set of busy-looping child processes, one per requested core. */
export class Hogs {
  readonly children: ChildProcess[] = [];
  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      this.children.push(spawn(process.execPath, ["-e", HOG_SOURCE], { stdio: "ignore" }));
    }
  }
  /** SIGKILLs every hog (idempotent; safe from exit handlers, which cannot wait). */
  stop(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
  /** Resolves when every hog has exited. */
  async stopped(): Promise<void> {
    this.stop();
    await Promise.all(
      this.children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once("exit", r)),
      ),
    );
  }
}

/** One failure in one round: a test (`file > full name`) or a whole file that failed to run. */
export interface Failure {
  key: string;
  message: string;
}

interface JsonReport {
  testResults?: {
    name: string;
    status: string;
    message?: string;
    assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

/** The failures in a vitest JSON report (`--reporter=json`); `root` is stripped from file paths. */
export function failuresOf(report: JsonReport, root: string): Failure[] {
  const out: Failure[] = [];
  for (const file of report.testResults ?? []) {
    const name = file.name.startsWith(root) ? file.name.slice(root.length).replace(/^[/\\]/, "") : file.name;
    let failedTests = 0;
    for (const t of file.assertionResults ?? []) {
      if (t.status !== "failed") continue;
      failedTests++;
      out.push({ key: `${name} > ${t.fullName}`, message: firstLine(t.failureMessages?.[0] ?? "") });
    }
    // A file can fail with no failed test: an import error, a failing hook, an unhandled error.
    if (file.status === "failed" && failedTests === 0) {
      out.push({ key: `${name} (the file itself)`, message: firstLine(file.message ?? "") });
    }
  }
  return out;
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim() !== "") ?? "").trim().slice(0, 200);
}

/** Groups the failures of all rounds by test: which rounds each failed in, and its first message. */
export function summarize(rounds: Failure[][]): { key: string; rounds: number[]; message: string }[] {
  const byKey = new Map<string, { key: string; rounds: number[]; message: string }>();
  rounds.forEach((fails, r) => {
    for (const f of fails) {
      const e = byKey.get(f.key) ?? { key: f.key, rounds: [], message: f.message };
      if (!e.rounds.includes(r + 1)) e.rounds.push(r + 1);
      byKey.set(f.key, e);
    }
  });
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key));
}
