// Flush-to-zero in elementwise kernels (issue 21): what it costs on ordinary data (flush on vs
// off, interleaved) and what it saves on tiny data (values whose results are subnormal), for
// float32 and float64, a large array (the Wasm path) and a small one (JS), eager and a fused jit
// chain. CPU time, median of rounds. Run with one thread:
//   TAPIR_THREADS=1 npx tsx bench/subnormal-ew.ts
import { config, jit, numpy as np, type Tensor } from "../src/index.js";

const ROUNDS = Number(process.env["ROUNDS"] ?? 9);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const chain = jit((x: Tensor) => np.tanh(np.add(np.multiply(np.exp(np.multiply(x, 0.5)), x), 0.25)));
const progs: Record<string, (x: Tensor) => Tensor> = {
  "x*y+x": (x) => np.add(np.multiply(x, x), x),
  tanh: (x) => np.tanh(x),
  "jit tanh(exp(x/2)·x+¼)": chain,
};
console.log("| dtype | n | program | ordinary: flush on / off | tiny / ordinary (flush on) |");
console.log("|---|---:|---|---:|---:|");
for (const dtype of ["float32", "float64"] as const) {
  const tiny = dtype === "float32" ? 1e-38 : 1e-307;
  for (const n of [64, 1 << 20]) {
    const ord = np.linspace(-1, 1, n, { dtype });
    const small = np.multiply(np.linspace(0.5, 1, n, { dtype }), tiny);
    const reps = Math.max(1, Math.round(2e6 / n));
    for (const [name, f] of Object.entries(progs)) {
      const t: Record<string, number[]> = { on: [], off: [], tiny: [] };
      const time = (x: Tensor): number => {
        const s = cpu();
        for (let i = 0; i < reps; i++) f(x).dispose();
        return (cpu() - s) / reps;
      };
      for (let r = 0; r < ROUNDS + 2; r++) {
        config.flushSubnormals(false);
        const off = time(ord);
        config.flushSubnormals(true);
        const on = time(ord);
        const tn = time(small);
        if (r >= 2) (t["on"]!.push(on), t["off"]!.push(off), t["tiny"]!.push(tn));
      }
      const on = median(t["on"]!), off = median(t["off"]!), tn = median(t["tiny"]!);
      console.log(`| ${dtype} | ${n} | ${name} | ${(on / off).toFixed(2)} | ${(tn / on).toFixed(2)} |`);
    }
  }
}
