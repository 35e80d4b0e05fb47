// `npm run bench`: tapir and its peers side by side on the workloads of shared/bench/WORKLOADS.md.
// Each system runs in its own child process (bench/child.ts), one after another, so a missing module,
// a crash or a hang costs one row, not the run. Prints the tables, writes bench/results/.
import { type ChildProcess, execFileSync, execSync, fork } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { ROOT, pkgVersion } from "./lib/env.js";
import { ISOLATED_CALLS, withFirstCalls, type Mode } from "./lib/measure.js";
import { Progress } from "./lib/progress.js";
import type { CaseResult, ChildMsg } from "./lib/protocol.js";
import {
  derivedTable, earlyCallsTable, earlyIsolatedTable, firstCallTable, flushedNotes, fmtTime, jaxTable, methods, perUnitTable, relationTable, nodeRatioTable, notTimed, ratioTable, renderMarkdown, renderText, scalingTable, summarize, timeTable,
  type RunReport, type ScalingCase, type ScalingRow, type SystemRun,
} from "./lib/report.js";
import { chartSvg } from "./lib/svg.js";
import { CASES, type CaseDef, type CaseId } from "./lib/workloads.js";
import { SYSTEMS } from "./systems/index.js";
import { JAX_ID, JAX_LABEL, runJax } from "./jax/runner.js";
import type { SystemEntry } from "./systems/types.js";

const USAGE = `usage: npm run bench [-- options]
  --quick            short warm-up and few samples (whole run under ~3 minutes on 2 cores)
  --only W1,W3,T1    run only these workloads (W1…W15, T1 = thread scaling), or cases (W14-0.1); default all
  --systems a,b      run only these systems: ${SYSTEMS.map((s) => s.id).join(", ")}, ${JAX_ID}
  TAPIR_BENCH_PYTHON=/path/to/python   adds the ${JAX_ID} column: every workload in JAX (bench/jax/workloads.py),
                     on one core, jitted, checked and timed like the others, and tapir ÷ JAX ratios
  --threads N        tapir's pool size for the main run (TAPIR_THREADS), and T1's largest count
                     (default: os.availableParallelism() = ${os.availableParallelism()})
  --baseline <ref>   also run tapir as built from this git ref (e.g. main, HEAD~3), each tapir
                     system right after its current build; rows are "<id>@<ref>", compared as peers
  --node 24          run the children on another Node: a pinned major (20, 22, 24; fetched once
                     through npm by scripts/node-bin.sh into .tools/), a path to a node binary, or
                     "current" (default: the Node running this script, ${process.versions.node}).
                     A list (--node 20,24) runs every system on each, interleaved, and adds the
                     ratio table later ÷ first; the first is the main run (tables, T1, chart)
  --first-calls N    time each tapir system's first calls (and calls 2 and 3) in N processes, not 1:
                     the main run's child and N-1 more that only make those calls; the tables show
                     the medians (a single cold call on a busy machine varies 2× run to run)
  --timeout S        kill a system after S seconds without progress (default 60 with --quick, else 300)
  --out DIR          where latest.json, latest.svg and table.md go (default bench/results)`;

interface Options {
  mode: Mode;
  only?: Set<string>;
  systems?: Set<string>;
  threads?: number;
  out: string;
  nodes: string[];
  /** A git ref whose tapir is built and run next to this one (its rows are `<id>@<ref>`). */
  baseline?: string;
  /** Processes whose first calls each tapir system's figures are the median of. */
  firstCalls: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { mode: "full", out: join(ROOT, "bench", "results"), nodes: ["current"], firstCalls: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`bench: ${a} needs a value\n${USAGE}`);
      return v;
    };
    const flag = a.split("=")[0];
    if (flag === "--quick") o.mode = "quick";
    else if (flag === "--full") o.mode = "full";
    else if (flag === "--only") o.only = new Set(val().toUpperCase().split(",").map((s) => s.trim()).filter(Boolean));
    else if (flag === "--systems") o.systems = new Set(val().split(",").map((s) => s.trim()).filter(Boolean));
    else if (flag === "--threads") {
      o.threads = Number(val());
      if (!Number.isInteger(o.threads) || o.threads < 1) throw new Error(`bench: --threads wants a positive integer`);
    } else if (flag === "--out") o.out = val();
    else if (flag === "--timeout") {
      timeoutOverrideS = Number(val());
      if (!(timeoutOverrideS > 0)) throw new Error(`bench: --timeout wants a positive number of seconds`);
    }
    else if (flag === "--node") {
      o.nodes = val().split(",").map((s) => s.trim()).filter(Boolean);
      if (!o.nodes.length) throw new Error(`bench: --node wants a version (20, 22, 24), a path or "current"`);
    }
    else if (flag === "--baseline") o.baseline = val();
    else if (flag === "--first-calls") {
      o.firstCalls = Number(val());
      if (!Number.isInteger(o.firstCalls) || o.firstCalls < 1) throw new Error(`bench: --first-calls wants a positive integer`);
    }
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else throw new Error(`bench: unknown option ${a}\n${USAGE}`);
  }
  return o;
}

const CASE_TIMEOUT_S: Record<Mode, number> = { quick: 60, full: 300 };
/** --timeout S: a longer stall limit, for a peer whose single call takes minutes (tfjs-cpu on W10 on a loaded machine). */
let timeoutOverrideS: number | null = null;
const caseTimeoutS = (mode: Mode) => timeoutOverrideS ?? CASE_TIMEOUT_S[mode];
const T1_ROUNDS: Record<Mode, number> = { quick: 1, full: 3 };

const medianOf = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const childScript = join(ROOT, "bench", "child.ts");

/**
 * Builds tapir at git ref `ref` (JavaScript only, as `npm run bench` builds this tree) in a
 * temporary directory and returns its dist/ directory, which the tapir systems then import
 * (TAPIR_BENCH_DIST). The benchmark code itself is this tree's.
 */
function buildBaseline(ref: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), "tapir-baseline-"));
  try {
    execSync(`git archive --format=tar ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(dir)}`, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    execSync("npx tsup --silent", { cwd: dir, env: { ...process.env, TAPIR_NO_DTS: "1" }, stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    throw new Error(`bench: --baseline ${ref}: could not build it (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  return join(dir, "dist");
}

/** A Node binary the children run on, and the versions it reports. */
interface NodeBin {
  readonly spec: string;
  readonly bin: string;
  readonly node: string;
  readonly v8: string;
}

/** Resolves --node: "current" (this process's binary), a path, or a pinned major fetched by scripts/node-bin.sh. */
function resolveNode(spec: string): NodeBin {
  try {
    const bin =
      spec === "current" ? process.execPath
      : spec.includes("/") ? spec
      : execFileSync("bash", [join(ROOT, "scripts", "node-bin.sh"), spec], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
    const [node, v8] = execFileSync(bin, ["-p", "process.versions.node + ' ' + process.versions.v8"], { encoding: "utf8" }).trim().split(" ");
    return { spec, bin, node: node!, v8: v8! };
  } catch (e) {
    throw new Error(`bench: --node ${spec}: no runnable Node binary (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
}

/** tsx's loader flags when this process has them (it was started by tsx), else `--import tsx`. */
const execArgv = process.execArgv.some((a) => a.includes("tsx")) ? process.execArgv : [...process.execArgv, "--import", "tsx"];

interface ChildRun {
  info?: Readonly<Record<string, string | number | boolean>>;
  loadError?: string;
  results: Partial<Record<CaseId, CaseResult>>;
}

/**
 * Runs `cases` of one system in child processes. A child that dies or stays silent past the per-case
 * timeout is killed; its current case is recorded as error/timeout and a fresh child takes the rest.
 */
async function runSystem(
  entry: SystemEntry,
  cases: CaseId[],
  mode: Mode,
  env: NodeJS.ProcessEnv,
  progress: Progress,
  log: NodeJS.WritableStream,
  tag: string,
  nodeBin: string,
  extraArgs: readonly string[] = [],
): Promise<ChildRun> {
  const out: ChildRun = { results: {} };
  let remaining = [...cases];
  while (remaining.length) {
    const current = { case: remaining[0]!, phase: "loading" };
    let killedForTimeout = false;
    const child: ChildProcess = fork(childScript, ["--system", entry.id, "--cases", remaining.join(","), "--mode", mode, ...extraArgs], {
      cwd: ROOT,
      env,
      execPath: nodeBin,
      execArgv,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const prefix = `[${tag} ${entry.id}] `;
    child.stdout?.on("data", (d: Buffer) => log.write(prefix + d.toString()));
    let stderrTail = "";
    child.stderr?.on("data", (d: Buffer) => {
      const s = d.toString();
      stderrTail = (stderrTail + s).slice(-2000);
      log.write(prefix + s);
    });
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        killedForTimeout = true;
        child.kill("SIGKILL");
      }, caseTimeoutS(mode) * 1000);
    };
    arm();
    const c0 = (id: string) => CASES.find((c) => c.id === id);
    child.on("message", (m: ChildMsg) => {
      arm();
      if (m.type === "phase") {
        current.case = m.case as CaseId;
        current.phase = m.phase;
        const c = c0(m.case);
        progress.status(`${tag ? tag + " " : ""}${c ? `${c.workload} ${c.name}` : ""} · ${entry.label} · ${m.phase}`);
      } else if (m.type === "system") {
        if (m.ok) out.info = m.info;
        else out.loadError = m.reason;
      } else {
        const { type: _t, ...r } = m;
        out.results[r.case] = r;
        remaining = remaining.filter((id) => id !== r.case);
        const c = c0(r.case)!;
        const shown = r.status === "ok" && r.timing ? (r.timing.samples === 0 ? `first call ${fmtTime(r.timing.firstCall ?? NaN, "ms")}` : fmtTime(r.timing.median, c.unit)) : `${r.status}${r.reason ? `: ${r.reason}` : ""}`;
        progress.tick(`${tag ? tag + " " : ""}${c.workload} ${c.name} · ${entry.label}: ${shown}`);
      }
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on("exit", (c, s) => resolve([c, s])),
    );
    clearTimeout(watchdog);
    if (remaining.length) {
      const id = current.case as CaseId;
      const failed = remaining.includes(id) ? id : remaining[0]!;
      const why = killedForTimeout
        ? `no progress for ${caseTimeoutS(mode)} s during ${current.phase}; killed`
        : `child exited (${signal ?? `code ${code}`}) during ${current.phase}: ${stderrTail.trim().split("\n").slice(-1)[0] ?? ""}`;
      out.results[failed] = { case: failed, status: killedForTimeout ? "timeout" : "error", reason: why };
      remaining = remaining.filter((x) => x !== failed);
      progress.tick(`${tag ? tag + " " : ""}${failed} · ${entry.label}: ${killedForTimeout ? "timeout" : "error"}`);
    }
  }
  return out;
}

function gitDescribe(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${sha}+src-changes` : sha;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const cases: CaseDef[] = CASES.filter((c) => !opt.only || opt.only.has(c.workload) || opt.only.has(c.id.toUpperCase()));
  const wantT1 = !opt.only || opt.only.has("T1");
  const systems = SYSTEMS.filter((s) => !opt.systems || opt.systems.has(s.id));
  if (opt.only && !cases.length && !wantT1) throw new Error(`bench: --only matched no workload (W1…W15, T1)`);
  const python = process.env["TAPIR_BENCH_PYTHON"];
  const wantJax = Boolean(python) && cases.length > 0 && (!opt.systems || opt.systems.has(JAX_ID));
  const maxThreads = opt.threads ?? os.availableParallelism();
  const nodes = opt.nodes.map(resolveNode);
  const primary = nodes[0]!;
  const t1Counts = Array.from({ length: maxThreads }, (_, i) => i + 1);

  const loadStart = os.loadavg()[0]!;
  if (loadStart > os.availableParallelism() / 2)
    process.stderr.write(`bench: warning: load average ${loadStart.toFixed(1)} on ${os.availableParallelism()} cores; other work will slow every system and make ratios noisy\n`);
  mkdirSync(opt.out, { recursive: true });
  const log = createWriteStream(join(opt.out, "latest.log"));
  const tapirRuns = systems.filter((s) => s.family === "tapir").length * (opt.baseline ? 2 : 1);
  const total = (systems.length + (opt.baseline ? systems.filter((s) => s.family === "tapir").length : 0) + tapirRuns * (opt.firstCalls - 1)) * cases.length * nodes.length + (wantT1 ? t1Counts.length * 2 * T1_ROUNDS[opt.mode] : 0) + (wantJax ? cases.length : 0);
  const progress = new Progress(total);
  progress.log(
    `bench: ${opt.mode} run · ${cases.map((c) => c.id).join(" ")}${wantT1 ? " T1" : ""} · ${systems.length + (wantJax ? 1 : 0)} systems${wantJax ? ` (${JAX_ID}: ${python})` : ""} · ${os.cpus()[0]?.model ?? "cpu"} × ${os.availableParallelism()} · ${nodes.map((n) => `Node ${n.node}`).join(", ")}`,
  );

  const baseEnv: NodeJS.ProcessEnv = { ...process.env, ...(opt.threads ? { TAPIR_THREADS: String(opt.threads), TAPIR_THREADS_FORCE: "1" } : {}) };
  // with several Nodes, each system runs on each in turn, so a slow spell on a shared machine hits them alike
  const runsByNode: SystemRun[][] = nodes.map(() => []);
  const baseDist = opt.baseline ? buildBaseline(opt.baseline) : undefined;
  // the JAX column (TAPIR_BENCH_PYTHON) runs once, after tapir's systems and before the JS peers
  const firstPeer = systems.findIndex((s) => s.family === "peer");
  const jaxAt = firstPeer < 0 ? systems.length : firstPeer;
  for (let si = 0; si <= systems.length; si++) {
    if (wantJax && si === jaxAt) {
      const ts = Date.now();
      const r = await runJax(python!, cases, opt.mode, caseTimeoutS(opt.mode), progress, log);
      runsByNode[0]!.push({ id: JAX_ID, label: JAX_LABEL, family: "peer", ...r, wallSeconds: (Date.now() - ts) / 1000 });
    }
    const entry = systems[si];
    if (!entry) break;
    for (const [i, nb] of nodes.entries()) {
      const ts = Date.now();
      const tag = nodes.length > 1 ? `Node ${nb.node.split(".")[0]}` : "";
      // --first-calls N: N-1 more processes time the first calls (tapir systems: the table compares builds)
      const firstCalls = async (r: ChildRun, env: NodeJS.ProcessEnv, t: string): Promise<ChildRun> => {
        if (entry.family !== "tapir" || opt.firstCalls < 2 || !cases.length) return r;
        const more: ChildRun[] = [];
        for (let k = 1; k < opt.firstCalls; k++) more.push(await runSystem(entry, cases.map((c) => c.id), opt.mode, env, progress, log, `${t} first calls ${k + 1}/${opt.firstCalls}`.trim(), nb.bin, ["--first-only"]));
        return { ...r, results: withFirstCalls(r.results, more.map((m) => m.results)) };
      };
      const r = cases.length ? await firstCalls(await runSystem(entry, cases.map((c) => c.id), opt.mode, baseEnv, progress, log, tag, nb.bin), baseEnv, tag) : { results: {} };
      runsByNode[i]!.push({ id: entry.id, label: entry.label, family: entry.family, ...r, wallSeconds: (Date.now() - ts) / 1000 });
      if (baseDist && entry.family === "tapir") {
        // the same system from the baseline build, right after (a slow spell hits both alike)
        const tb = Date.now();
        const env = { ...baseEnv, TAPIR_BENCH_DIST: baseDist };
        const rb = cases.length ? await firstCalls(await runSystem(entry, cases.map((c) => c.id), opt.mode, env, progress, log, `${tag}@${opt.baseline}`, nb.bin), env, `${tag}@${opt.baseline}`) : { results: {} };
        runsByNode[i]!.push({ id: `${entry.id}@${opt.baseline}`, label: `${entry.label} @${opt.baseline}`, family: "peer", ...rb, wallSeconds: (Date.now() - tb) / 1000 });
      }
    }
  }
  const runs = runsByNode[0]!;

  // T1: tapir alone with 1…N threads, one child per count (the pool size is fixed per process)
  let threadScaling: RunReport["threadScaling"];
  if (wantT1) {
    const pick = (k: ScalingCase): SystemEntry => {
      // the tapir variant that was fastest in the main run, else eager
      let best: { id: string; t: number } | undefined;
      for (const r of runs) {
        const x = r.results[k];
        if (r.family === "tapir" && r.id !== "tapir-tape" && x?.status === "ok" && x.timing && (!best || x.timing.median < best.t))
          best = { id: r.id, t: x.timing.median };
      }
      return SYSTEMS.find((s) => s.id === (best?.id ?? "tapir-eager"))!;
    };
    // thread counts interleaved over rounds, so a slow spell on a shared machine hits all counts alike;
    // each figure is the median over rounds (2-vCPU machines do not always schedule both vCPUs together)
    const rows: ScalingRow[] = t1Counts.map((n) => ({ threads: n, results: {}, rounds: {} }));
    for (let round = 0; round < T1_ROUNDS[opt.mode]; round++) {
      for (const row of rows) {
        const n = row.threads;
        const env = { ...process.env, TAPIR_THREADS: String(n), TAPIR_THREADS_FORCE: "1" };
        const groups = new Map<SystemEntry, ScalingCase[]>();
        for (const k of ["W1", "W2-1024"] as const) groups.set(pick(k), [...(groups.get(pick(k)) ?? []), k]);
        for (const [entry, ks] of groups) {
          const tag = T1_ROUNDS[opt.mode] > 1 ? `T1 ${n}t r${round + 1}` : `T1 ${n}t`;
          const r = await runSystem(entry, ks, opt.mode, env, progress, log, tag, primary.bin);
          if (r.info?.threads !== undefined) row.reported = r.info.threads as number | string;
          for (const k of ks) {
            const x = r.results[k];
            if (!x) continue;
            if (x.status === "ok" && x.timing) (row.rounds[k] ??= []).push(x.timing.median);
            const prev = row.results[k];
            if (!prev || (prev.status !== "ok" && x.status === "ok")) row.results[k] = { ...x, system: entry.id };
          }
        }
      }
    }
    for (const row of rows)
      for (const k of ["W1", "W2-1024"] as const) {
        const ms = row.rounds[k], x = row.results[k];
        if (ms?.length && x?.timing) row.results[k] = { ...x, timing: { ...x.timing, median: medianOf(ms) } };
      }
    threadScaling = { maxThreads, rows };
  }
  progress.finish();

  const tapirInfo = runs.find((r) => r.family === "tapir" && r.info)?.info;
  const jaxInfo = runs.find((r) => r.id === JAX_ID)?.info;
  const report: RunReport = {
    date: new Date().toISOString(),
    mode: opt.mode,
    argv: process.argv.slice(2),
    machine: {
      cpu: os.cpus()[0]?.model ?? "unknown",
      cores: os.availableParallelism(),
      logicalCpus: os.cpus().length,
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      // the Node the measurements ran on (the children's), and the runner's when it differs
      node: primary.node,
      v8: primary.v8,
      ...(primary.node !== process.versions.node ? { runnerNode: process.versions.node } : {}),
      loadAvgStart: Math.round(loadStart * 100) / 100,
      loadAvgEnd: Math.round(os.loadavg()[0]! * 100) / 100,
    },
    versions: {
      tapir: `${pkgVersion("tapir") === "not installed" ? "0.1.0" : pkgVersion("tapir")} (${gitDescribe()})`,
      "@tensorflow/tfjs": pkgVersion("@tensorflow/tfjs"),
      "@tensorflow/tfjs-backend-wasm": pkgVersion("@tensorflow/tfjs-backend-wasm"),
      "@jax-js/jax": pkgVersion("@jax-js/jax"),
      benny: pkgVersion("benny"),
      tsx: pkgVersion("tsx"),
      ...(jaxInfo ? { jax: `${String(jaxInfo.version)} (jaxlib ${String(jaxInfo.jaxlib)}, Python ${String(jaxInfo.python)})` } : {}),
    },
    tapirThreads:
      (tapirInfo?.threads as number | string | undefined) ??
      opt.threads ??
      (threadScaling && !cases.length ? `1…${maxThreads} (T1)` : "n/a (tapir did not load)"),
    cases: cases.map(({ inputs: _i, reference: _r, ...rest }) => rest),
    systems: runs,
    summary: summarize(cases, runs),
    ...(threadScaling ? { threadScaling } : {}),
    ...(nodes.length > 1
      ? { otherNodes: nodes.slice(1).map((nb, i) => ({ node: nb.node, v8: nb.v8, systems: runsByNode[i + 1]!, summary: summarize(cases, runsByNode[i + 1]!) })) }
      : {}),
    wallSeconds: Math.round((Date.now() - t0) / 100) / 10,
  };

  // ---- print and save ----
  const header = `tapir bench · ${report.date.slice(0, 16).replace("T", " ")} UTC · ${report.machine.cpu}, ${report.machine.cores} cores · Node ${[report.machine.node, ...(report.otherNodes ?? []).map((o) => o.node)].join(" and ")} · tapir threads ${report.tapirThreads} · ${opt.mode} · load ${report.machine.loadAvgStart}→${report.machine.loadAvgEnd}`;
  const versions = Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(" · ");
  const txt: string[] = [header, versions, ""];
  const md: string[] = [`_${header}_`, "", `_${versions}_`, ""];
  const section = (title: string, t: { head: string[]; rows: string[][] } | undefined) => {
    if (!t || !t.rows.length) return;
    txt.push(title, renderText(t), "");
    md.push(`**${title}**`, "", renderMarkdown(t), "");
  };
  const on = (node: string) => (nodes.length > 1 ? ` on Node ${node}` : "");
  if (cases.length) {
    section(`Median time per call${on(primary.node)} (lower is better)`, timeTable(report));
    section(`Peer time ÷ tapir best time${on(primary.node)} (above 1×: tapir is faster)`, ratioTable(report));
    section(`Derived figures${on(primary.node)} (higher is better)`, derivedTable(report));
    section(`Time per unit of work${on(primary.node)}, µs (lower is better)`, perUnitTable(report));
    section(`Cliffs${on(primary.node)}: the same system, costlier work ÷ plain (1× = no cliff)`, relationTable(report));
    const fcs = opt.firstCalls > 1 ? `; tapir: median of ${opt.firstCalls} processes` : "";
    section(`First call${on(primary.node)}, ms (jit: trace, compile and one run; lower is better${fcs})`, firstCallTable(report));
    section(`Calls 2 and 3 ÷ median${on(primary.node)} (warm-up; 1×: steady from the 2nd call${fcs})`, earlyCallsTable(report));
    section(`Calls 2 and 3 ÷ a warmed-up call after other work${on(primary.node)} (median of ${ISOLATED_CALLS} calls after sampling, each after a 64 MB memory sweep; 1×: no one-time cost left${fcs})`, earlyIsolatedTable(report));
    section(`tapir time ÷ JAX-CPU time${on(primary.node)} (JAX on one core; below 1×: tapir is faster)`, jaxTable(report));
    for (const other of report.otherNodes ?? []) {
      const rep = { ...report, systems: other.systems, summary: other.summary };
      section(`Median time per call${on(other.node)} (lower is better)`, timeTable(rep));
      section(`Peer time ÷ tapir best time${on(other.node)} (above 1×: tapir is faster)`, ratioTable(rep));
      section(`Node ${other.node} time ÷ Node ${primary.node} time, same run (below 1×: faster on Node ${other.node})`, nodeRatioTable(report, other));
    }
  }
  section(`T1 thread scaling${on(primary.node)} (tapir, TAPIR_THREADS = 1…${maxThreads})`, scalingTable(report));
  const nt = [report, ...(report.otherNodes ?? []).map((o) => ({ ...report, systems: o.systems }))].flatMap((r, i) =>
    notTimed(r).map((l) => (nodes.length > 1 ? `Node ${nodes[i]!.node}: ${l}` : l)));
  if (nt.length) {
    txt.push("Not timed:", ...nt.map((l) => "  " + l), "");
    md.push("Not timed:", "", ...nt.map((l) => `- ${l}`), "");
  }
  const ftz = flushedNotes(report);
  if (ftz.length) {
    const what = "Passed as flush-to-zero results (values below float32's normal range, 2⁻¹²⁶, read as 0; the reference's are ~1e-40):";
    txt.push(what, ...ftz.map((l) => "  " + l), "");
    md.push(what, "", ...ftz.map((l) => `- ${l}`), "");
  }
  const how = methods(report);
  if (how.length) {
    txt.push("How peers compute what they lack:", ...how.map((l) => "  " + l), "");
    md.push("How peers compute what they lack:", "", ...how.map((l) => `- ${l}`), "");
  }
  process.stdout.write(txt.join("\n"));

  writeFileSync(join(opt.out, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(opt.out, "table.md"), md.join("\n"));
  if (cases.length) writeFileSync(join(opt.out, "latest.svg"), chartSvg(report));
  await new Promise<void>((r) => log.end(r));
  process.stderr.write(`bench: wrote ${["latest.json", "table.md", ...(cases.length ? ["latest.svg"] : []), "latest.log"].map((f) => join(opt.out, f).replace(ROOT + "/", "")).join(", ")} (${report.wallSeconds} s)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
