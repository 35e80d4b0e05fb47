// `npm run test:stress`: runs the whole suite K times while busy-looping child processes keep
// every core occupied, then lists every test that failed in any round. A test that depends on
// scheduling, wall-clock limits or memory peaks shows up here long before it flakes in CI.
//
//   npm run test:stress                        3 rounds, one hog per core
//   npm run test:stress -- --rounds 1          (or TAPIR_STRESS_ROUNDS=1)
//   npm run test:stress -- --hogs 4 test/backend   extra vitest args narrow the suite
//
// Exit code: 0 when every round passed, 1 when any test failed in any round, 2 on bad usage,
// 130 when interrupted. The hogs and vitest (with its workers) are killed on every way out.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { failuresOf, Hogs, parseStressArgs, summarize, type Failure, type StressOptions } from "./stress-lib.js";

const root = process.cwd();
const vitestBin = path.join(root, "node_modules", "vitest", "vitest.mjs");

let opts: StressOptions;
try {
  opts = parseStressArgs(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), "tapir-stress-"));
let hogs: Hogs | undefined;
let vitest: ChildProcess | undefined;

/** Kills vitest's whole process group (it runs detached, so its fork workers go too). */
function killVitest(signal: NodeJS.Signals): void {
  if (vitest?.pid === undefined || vitest.exitCode !== null || vitest.signalCode !== null) return;
  try {
    process.kill(-vitest.pid, signal);
  } catch {
    // already gone
  }
}

function cleanup(): void {
  killVitest("SIGKILL");
  hogs?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(sig, () => {
    console.error(`\ntest:stress: ${sig} received; stopping vitest and the CPU hogs.`);
    process.exit(130); // runs cleanup via "exit"
  });
}

/** Runs `vitest run` once; resolves to this round's failures (a crash or timeout counts as one). */
function runRound(round: number): Promise<Failure[]> {
  const report = path.join(tmp, `round-${round}.json`);
  const args = [vitestBin, "run", "--reporter=dot", "--reporter=json", `--outputFile.json=${report}`, ...opts.vitestArgs];
  return new Promise((resolve) => {
    const started = Date.now();
    vitest = spawn(process.execPath, args, { stdio: "inherit", detached: true, cwd: root });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killVitest("SIGTERM");
      setTimeout(() => killVitest("SIGKILL"), 10_000).unref();
    }, opts.roundTimeoutS * 1000);
    vitest.once("exit", (code, signal) => {
      clearTimeout(timer);
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      const fails = existsSync(report) ? failuresOf(JSON.parse(readFileSync(report, "utf8")), root) : [];
      if (timedOut) {
        fails.push({ key: `(round ${round} as a whole)`, message: `timed out after ${opts.roundTimeoutS} s` });
      } else if (code !== 0 && fails.length === 0) {
        // Unhandled errors, a crashed worker, or no report: vitest failed without naming a test.
        const why = existsSync(report) ? "with no failed test in its report (an unhandled error?)" : "without writing its JSON report";
        fails.push({ key: `(round ${round} as a whole)`, message: `vitest exited with ${signal ?? `code ${code}`} ${why}` });
      }
      console.log(`\ntest:stress: round ${round}/${opts.rounds} finished in ${secs} s with ${fails.length} failure(s).\n`);
      resolve(fails);
    });
  });
}

async function main(): Promise<number> {
  if (!existsSync(vitestBin)) {
    console.error(`test:stress: ${vitestBin} not found; run it from the repository root after npm install.`);
    return 2;
  }
  console.log(
    `test:stress: ${opts.rounds} round(s) of vitest run ${opts.vitestArgs.join(" ")} under ${opts.hogs} CPU hog(s) ` +
      `on ${os.availableParallelism()} core(s).`,
  );
  hogs = new Hogs(opts.hogs);
  const rounds: Failure[][] = [];
  for (let r = 1; r <= opts.rounds; r++) rounds.push(await runRound(r));
  await hogs.stopped();

  const summary = summarize(rounds);
  if (summary.length === 0) {
    console.log(`test:stress: all ${opts.rounds} round(s) passed under load.`);
    return 0;
  }
  console.log(`test:stress: ${summary.length} test(s) failed in at least one of ${opts.rounds} round(s):`);
  for (const s of summary) console.log(`  ✗ ${s.key}  [round${s.rounds.length > 1 ? "s" : ""} ${s.rounds.join(", ")}]\n      ${s.message}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error("test:stress: internal error:", e);
    process.exit(1);
  },
);
