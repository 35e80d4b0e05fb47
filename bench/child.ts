// One system in its own process: load it, and for each case build inputs, check against the float64
// reference, then time. Talks to bench/run.ts over IPC; a crash or hang here costs only this system's row.
import { measure, type Mode } from "./lib/measure.js";
import { cachedReference, caseById, check, type CaseId } from "./lib/workloads.js";
import type { ChildMsg } from "./lib/protocol.js";
import { systemById } from "./systems/index.js";
import { NotAvailable, type System } from "./systems/types.js";

const send = (m: ChildMsg): Promise<void> =>
  new Promise((resolve) => {
    if (process.send) process.send(m, undefined, undefined, () => resolve());
    else {
      process.stdout.write(JSON.stringify(m) + "\n");
      resolve();
    }
  });

/**
 * Idle time before each case's first call. The cases run one after another in this process, and
 * V8 optimises the previous case's hot functions on a background thread for tens of ms after its
 * warm loop (TurboFan jobs of 10-60 ms on tapir's larger functions): a first call made while such
 * a job runs took 2-4× its time on the 2-core machine (tapir jit W8 after W7: 3.0-3.5 ms alone,
 * 5-12 ms in ~40% of processes; with this pause 3.4-4.4 ms in 10 of 10). The first call then
 * measures the case's own trace, compile and run, for every system alike.
 */
const SETTLE_MS = 100;
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

const firstLine = (e: unknown): string =>
  (e instanceof Error ? `${e.name === "Error" || e instanceof NotAvailable ? "" : e.name + ": "}${e.message}` : String(e)).split("\n")[0]!;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (k: string) => {
    const i = args.indexOf(k);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const entry = systemById(opt("--system") ?? "");
  const cases = (opt("--cases") ?? "").split(",").filter(Boolean) as CaseId[];
  const mode = (opt("--mode") ?? "quick") as Mode;
  // --first-only: a first call and the two after it per case (no check, no sampling), then a
  // short warm loop, as the sampling warms the engine for the next case in a full child
  const firstOnly = args.includes("--first-only");

  let sys: System;
  try {
    await send({ type: "phase", case: cases[0] ?? "", phase: "loading" });
    sys = await entry.load();
  } catch (e) {
    const na = e instanceof NotAvailable || (e instanceof Error && /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(e.message));
    await send({ type: "system", ok: false, reason: firstLine(e) });
    for (const c of cases) await send({ type: "result", case: c, status: na ? "na" : "error", reason: firstLine(e) });
    return;
  }
  await send({ type: "system", ok: true, info: sys.info });

  for (const id of cases) {
    const c = caseById(id);
    const impl = sys.impls[id];
    const how = sys.how?.[id];
    if (!impl) {
      await send({ type: "result", case: id, status: "na", reason: sys.notes?.[id] ?? "not implemented for this system" });
      continue;
    }
    if (firstOnly) {
      try {
        await send({ type: "phase", case: id, phase: "check" });
        const run = await impl(c.inputs());
        await settle();
        const calls: number[] = [];
        for (let k = 0; k < 3; k++) {
          const t = performance.now();
          run();
          calls.push((performance.now() - t) / 1e3);
        }
        const t0 = performance.now();
        for (let k = 0; k < 2000 && performance.now() - t0 < 300; k++) run();
        // no samples: the runner keeps only the first calls (withFirstCalls)
        const timing = { median: NaN, min: NaN, max: NaN, samples: 0, warmup: 0, method: "per-call" as const, firstCall: calls[0]!, early: calls.slice(1) };
        await send({ type: "result", case: id, status: "ok", timing });
      } catch (e) {
        await send({ type: "result", case: id, status: "error", reason: firstLine(e) });
      }
      continue;
    }
    try {
      await send({ type: "phase", case: id, phase: "reference" });
      const inputs = c.inputs();
      const ref = cachedReference(c, inputs);
      await send({ type: "phase", case: id, phase: "check" });
      const run = await impl(inputs);
      await settle();
      const tc = performance.now();
      const out = run();
      const firstCall = (performance.now() - tc) / 1e3;
      const chk = check(out, ref, c.rtol, c.ftzAtol);
      if (!chk.ok) {
        await send({ type: "result", case: id, status: "wrong", relErr: chk.relErr, reason: chk.detail ?? `max error ${chk.relErr.toExponential(2)} × max|ref| (tolerance ${c.rtol})`, how });
        continue;
      }
      await send({ type: "phase", case: id, phase: "timing" });
      const t = await measure(run, `${entry.id}/${id}`, mode, firstCall, c.budget?.[mode]);
      await send({ type: "result", case: id, status: "ok", relErr: chk.relErr, ...(chk.flushed ? { flushed: true } : {}), timing: { ...t, firstCall }, how });
    } catch (e) {
      if (process.env.BENCH_DEBUG) console.error(e);
      await send({ type: "result", case: id, status: e instanceof NotAvailable ? "na" : "error", reason: firstLine(e), how });
    }
  }
}

main()
  .catch(async (e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    // peers and pools may hold the loop open; everything is reported by now
    setTimeout(() => process.exit(process.exitCode ?? 0), 50);
  });
