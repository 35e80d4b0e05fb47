// The JAX-CPU column (WORKLOADS.md): when TAPIR_BENCH_PYTHON names a Python with JAX, bench/run.ts runs
// every selected workload in bench/jax/workloads.py as one more peer, in the same run. The inputs are
// the ones the JS systems get (written as raw float32 files); each first result comes back as a file
// and is checked here against the same float64 reference before Python times it. Python runs pinned to
// one core (`taskset -c 0` where it exists) with XLA on one thread, like tapir with TAPIR_THREADS=1.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/env.js";
import { SETTINGS, type Mode } from "../lib/measure.js";
import type { Progress } from "../lib/progress.js";
import type { CaseResult } from "../lib/protocol.js";
import { JAX_SYSTEM } from "../lib/report.js";
import { cachedReference, check, type CaseDef, type CaseId, type Inputs } from "../lib/workloads.js";

export const JAX_ID = JAX_SYSTEM;
export const JAX_LABEL = "JAX-CPU";
const SCRIPT = join(ROOT, "bench", "jax", "workloads.py");
const PREFIX = "@@bench ";
/** XLA compiles a long program (W15 n = 2000) for many seconds on a busy machine: a longer stall limit than Node's. */
const STALL_FACTOR = 3;

/** XLA's CPU client on one thread: no Eigen thread pool, one intra-op thread. */
export const XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1";

export interface ExternalRun {
  info?: Readonly<Record<string, string | number | boolean>>;
  loadError?: string;
  results: Partial<Record<CaseId, CaseResult>>;
}

type PyMsg =
  | { type: "system"; ok: boolean; info?: Record<string, string | number | boolean>; reason?: string }
  | { type: "phase"; case: CaseId; phase: string }
  | { type: "check"; case: CaseId; firstCall: number }
  | ({ type: "result" } & CaseResult);

const hasTaskset = (): boolean => spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0;

/**
 * Runs `cases` in JAX through `python` and returns the column's results. A Python that is missing, lacks
 * JAX, crashes or stalls costs cells, not the run: the stalled case is recorded and a fresh process
 * takes the rest.
 */
export async function runJax(python: string, cases: readonly CaseDef[], mode: Mode, stallS: number, progress: Progress, log: NodeJS.WritableStream): Promise<ExternalRun> {
  const out: ExternalRun = { results: {} };
  const dir = mkdtempSync(join(tmpdir(), "tapir-bench-jax-"));
  try {
    progress.status(`${JAX_LABEL} · writing inputs`);
    const inputs = new Map<CaseId, Inputs>();
    const specs = new Map<CaseId, object>();
    for (const c of cases) {
      const inp = c.inputs();
      inputs.set(c.id, inp);
      const files: Record<string, { file: string; shape: readonly number[] }> = {};
      for (const [k, a] of Object.entries(inp)) {
        const file = join(dir, `${c.id}-${k}.f32`);
        writeFileSync(file, new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
        files[k] = { file, shape: a.shape };
      }
      specs.set(c.id, { id: c.id, budget: c.budget?.[mode] ?? null, inputs: files, out: join(dir, `${c.id}.out.f64`) });
    }
    const pin = hasTaskset();
    const settings = JSON.parse(JSON.stringify(SETTINGS[mode], (_k, v: unknown) => (v === Infinity ? 1e300 : v))) as object;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XLA_FLAGS: [process.env["XLA_FLAGS"], XLA_ONE_THREAD].filter(Boolean).join(" "),
      JAX_PLATFORMS: "cpu",
      OMP_NUM_THREADS: "1",
      PYTHONUNBUFFERED: "1",
      TF_CPP_MIN_LOG_LEVEL: "2",
    };

    let remaining = cases.map((c) => c.id);
    while (remaining.length) {
      const manifest = join(dir, "manifest.json");
      writeFileSync(manifest, JSON.stringify({ settings, threads: `1 (${pin ? "taskset -c 0, " : ""}XLA_FLAGS one thread)`, cases: remaining.map((id) => specs.get(id)) }));
      const [cmd, args] = pin ? ["taskset", ["-c", "0", python, SCRIPT, manifest]] : [python, [SCRIPT, manifest]];
      const child: ChildProcess = spawn(cmd, args as string[], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
      const current = { case: remaining[0]!, phase: "loading" };
      let killed = false, started = false, spawnError = "", stderrTail = "", buf = "";
      const pending = new Map<CaseId, { relErr: number; flushed?: boolean }>();
      let watchdog: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          killed = true;
          child.kill("SIGKILL");
        }, stallS * STALL_FACTOR * 1000);
      };
      arm();
      const record = (r: CaseResult) => {
        out.results[r.case] = r;
        remaining = remaining.filter((id) => id !== r.case);
        progress.tick(`${r.case} · ${JAX_LABEL}: ${r.status === "ok" && r.timing ? `${(r.timing.median * 1e3).toPrecision(3)} ms` : `${r.status}${r.reason ? `: ${r.reason}` : ""}`}`);
      };
      const onMsg = (m: PyMsg) => {
        arm();
        if (m.type === "system") {
          started = true;
          if (m.ok) out.info = m.info;
          else out.loadError = m.reason;
        } else if (m.type === "phase") {
          [current.case, current.phase] = [m.case, m.phase];
          progress.status(`${m.case} · ${JAX_LABEL} · ${m.phase}`);
        } else if (m.type === "check") {
          const c = cases.find((k) => k.id === m.case)!;
          const raw = readFileSync(join(dir, `${c.id}.out.f64`));
          const got = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
          const chk = check([got], cachedReference(c, inputs.get(c.id)!), c.rtol, c.ftzAtol);
          if (chk.ok) pending.set(c.id, { relErr: chk.relErr, ...(chk.flushed ? { flushed: true } : {}) });
          else record({ case: c.id, status: "wrong", relErr: chk.relErr, reason: chk.detail ?? `max error ${chk.relErr.toExponential(2)} × max|ref| (tolerance ${c.rtol})` });
          child.stdin?.write(chk.ok ? "time\n" : "skip\n");
        } else {
          const { type: _t, ...r } = m;
          record(r.status === "ok" ? { ...r, ...pending.get(r.case) } : r);
        }
      };
      child.on("error", (e) => (spawnError = e.message));
      child.stdin?.on("error", () => {}); // a dead child's closed pipe: its exit is handled below
      child.stdout?.on("data", (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith(PREFIX)) onMsg(JSON.parse(line.slice(PREFIX.length)) as PyMsg);
          else log.write(`[${JAX_ID}] ${line}\n`);
        }
      });
      child.stderr?.on("data", (d: Buffer) => {
        stderrTail = (stderrTail + d.toString()).slice(-2000);
        log.write(`[${JAX_ID}] ${d.toString()}`);
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
      clearTimeout(watchdog);
      if (spawnError || out.loadError || !started) {
        // no process, no JAX, or it died before it said so: every remaining cell says why
        const reason = out.loadError ?? `TAPIR_BENCH_PYTHON=${python}: ${spawnError || `exited (${signal ?? `code ${code}`}) before loading: ${stderrTail.trim().split("\n").slice(-1)[0] ?? ""}`}`;
        out.loadError = reason;
        for (const id of remaining) record({ case: id, status: "na", reason });
        break;
      }
      if (remaining.length) {
        const failed = remaining.includes(current.case) ? current.case : remaining[0]!;
        const lastErr = stderrTail.trim().split("\n").slice(-1)[0] ?? "";
        record({
          case: failed,
          status: killed ? "timeout" : "error",
          reason: killed ? `no progress for ${stallS * STALL_FACTOR} s during ${current.phase}; killed` : `python exited (${signal ?? `code ${code}`}) during ${current.phase}: ${lastErr}`,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
