// Compiled loops (issue 21): the W13 rnn_bptt program — jit(grad) w.r.t. W[64,64] and U[16,64]
// of Σ h_T² for h_{t+1} = tanh(h_t W + x_t U), h_0 = 0, T = 1000 — plus forILoop/whileLoop
// forward loops and the h[1,64]·W[64,64] eager matmul. Reports µs per time step and calls 1-5.
//   TAPIR_THREADS=1 npx tsx bench/scan.ts                     this tree only
//   TAPIR_THREADS=1 npx tsx bench/scan.ts --baseline main     A/B: this tree vs a git ref,
// each in its own process, rounds interleaved (A round, B round, …); the ratio of the medians
// from the one run is the figure to read. --rounds N (default 9). Times are the process's CPU
// time (user + system; the pool is off with TAPIR_THREADS=1), steadier than wall time under load.
import { execSync, fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const T = 1000, H = 64, D = 16;
type Msg = { type: "first"; calls: number[] } | { type: "round"; times: Record<string, number> } | { type: "ready" };

/** Deterministic data in [-0.5, 0.5) × scale. */
function data(n: number, seed: number, scale: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return x;
}

async function serve(root: string): Promise<void> {
  const tp = await import(join(root, "src/index.ts"));
  const { jit, grad, lax, numpy: np } = tp;
  const W = np.array(data(H * H, 1, 0.3)).reshape([H, H]);
  const U = np.array(data(D * H, 2, 0.5)).reshape([D, H]);
  const xs = np.array(data(T * D, 3, 1)).reshape([T, D]);
  const loss = (w: any, u: any, x: any) => {
    const [h] = lax.scan((h: any, xt: any) => {
      const n = np.tanh(np.add(np.matmul(h, w), np.matmul(xt.reshape([1, D]), u)));
      return [n, null];
    }, np.zeros([1, H]), x);
    return np.sum(np.square(h));
  };
  const make = () => jit(grad(loss, { argnums: [0, 1] }) as any) as (...a: any[]) => any[];
  const run = (f: (...a: any[]) => any[]) => {
    const [gw, gu] = f(W, U, xs);
    gw.dataSync();
    gw.dispose(), gu.dispose();
  };
  // calls 1-5 of a fresh jitted function (the first includes trace and compile)
  const f1 = make();
  const calls: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.cpuUsage();
    run(f1);
    const d = process.cpuUsage(t0);
    calls.push((d.user + d.system) / 1e3);
  }
  process.send!({ type: "first", calls } satisfies Msg);
  const fwd = jit((w: any, x: any) => lax.forILoop(0, T, (i: any, h: any) => np.tanh(np.add(np.matmul(h, w), np.take(x, i, 0).reshape([1, D]).sum())), np.zeros([1, H])));
  const wl = jit((w: any) => lax.whileLoop((c: any) => np.less(c[0], T), (c: any) => [np.add(c[0], 1), np.tanh(np.matmul(c[1], w))], [np.array(0, { dtype: "int32" }), np.zeros([1, H])])[1]);
  const h1 = np.array(data(H, 4, 1)).reshape([1, H]);
  const cases: Record<string, () => void> = {
    rnn_bptt: () => run(f1),
    fori_fwd: () => fwd(W, xs).dispose(),
    while_fwd: () => wl(W).dispose(),
    matmul_1x64x64: () => {
      for (let i = 0; i < T; i++) np.matmul(h1, W).dispose();
    },
  };
  for (const c of Object.values(cases)) c();
  process.on("message", (m: string) => {
    if (m === "exit") process.exit(0);
    const times: Record<string, number> = {};
    for (const [k, c] of Object.entries(cases)) {
      // CPU time of this process (user + system): on a shared, loaded machine wall time mostly
      // measures the other processes
      const reps = 3;
      const t0 = process.cpuUsage();
      for (let i = 0; i < reps; i++) c();
      const d = process.cpuUsage(t0);
      times[k] = (d.user + d.system) / reps / T; // µs per step
    }
    process.send!({ type: "round", times } satisfies Msg);
  });
  process.send!({ type: "ready" } satisfies Msg);
}

function checkoutRef(ref: string): string {
  const top = resolve(HERE, "..");
  const dir = mkdtempSync(join(os.tmpdir(), "tapir-scan-base-"));
  execSync(`git archive --format=tar ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(dir)}`, { cwd: top });
  symlinkSync(join(top, "node_modules"), join(dir, "node_modules"));
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  if (args[0] === "--serve") return serve(args[1]!);
  const rounds = Number(at("--rounds") ?? 9);
  const roots: [string, string][] = [["this", resolve(HERE, "..")]];
  const base = at("--baseline");
  if (base) roots.push([base, checkoutRef(base)]);
  const kids: { name: string; cp: ChildProcess; next: () => Promise<Msg> }[] = [];
  for (const [name, root] of roots) {
    // each child runs this file from its own tree's bench/ (tsx resolves that tree's sources)
    const cp = fork(fileURLToPath(import.meta.url), ["--serve", root], { execArgv: ["--import", "tsx"], env: process.env });
    const queue: Msg[] = [];
    let wake: (() => void) | undefined;
    cp.on("message", (m: Msg) => (queue.push(m), wake?.()));
    const next = async (): Promise<Msg> => {
      while (!queue.length) await new Promise<void>((r) => (wake = r));
      return queue.shift()!;
    };
    kids.push({ name, cp, next });
    // one child at a time: the first-call figures are not disturbed by the other's start
    const first = (await next()) as Extract<Msg, { type: "first" }>;
    console.log(`${name}: calls 1-5 (CPU ms): ${first.calls.map((c) => c.toFixed(0)).join(", ")}`);
    await next();
  }
  const times = kids.map(() => ({}) as Record<string, number[]>);
  for (let r = 0; r < rounds; r++) {
    for (const [i, k] of kids.entries()) {
      k.cp.send("round");
      const m = (await k.next()) as Extract<Msg, { type: "round" }>;
      for (const [c, v] of Object.entries(m.times)) (times[i]![c] ??= []).push(v);
    }
  }
  for (const k of kids) k.cp.send("exit");
  const cases = Object.keys(times[0]!);
  console.log(`CPU µs per step, median of ${rounds} interleaved rounds (TAPIR_THREADS=${process.env["TAPIR_THREADS"] ?? "default"})`);
  for (const c of cases) {
    const m = times.map((t) => median(t[c]!));
    const ratio = m.length > 1 ? `  this/${kids[1]!.name} = ${(m[0]! / m[1]!).toFixed(3)}` : "";
    console.log(`  ${c.padEnd(16)} ${kids.map((k, i) => `${k.name} ${m[i]!.toFixed(2)}`).join("   ")}${ratio}`);
  }
}

void main();
