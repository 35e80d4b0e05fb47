// Seeded differential fuzzers over random programs (test/reliability/programs.ts): grad against
// central finite differences, the vjp/jvp duality ⟨v, J u⟩ = ⟨Jᵀ v, u⟩, vmap against a loop,
// jit against eager (bit for bit), and 1 against 2 threads (bit for bit). A small budget in
// npm test; FUZZ_BUDGET=N runs N programs per fuzzer (FUZZ_SEED moves the seed range).
// Every failure message carries the seed and the program, so it reproduces.
import { afterAll, describe, expect, it } from "vitest";
import { Tensor, config, grad, jit, jvp, numpy as np, vjp, vmap } from "../../src/index.js";
import { expectBitEqual } from "../util/jit-oracles.js";
import { rng } from "../util/rng.js";
import { budget, randomProgram } from "./programs.js";

const BASE = Number(process.env.FUZZ_SEED ?? 1000);
const counts: Record<string, number> = {};
/** vitest's per-test limit grows with the budget (long runs); the default budgets take seconds */
const limit = (n: number, msEach: number) => Math.max(60_000, n * msEach);
const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);

const dot = (a: Tensor, b: Tensor) => {
  const x = a.dataSync();
  const y = b.dataSync();
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Number(x[i]) * Number(y[i]);
  return s;
};

describe("differential fuzzers (seeded)", () => {
  it(`grad vs central finite differences (float64, ${budget(100)} programs)`, () => {
    for (let n = 0; n < budget(100); n++) {
      const seed = BASE + n;
      const r = rng(seed);
      const p = randomProgram(r, "float64");
      const x = p.input(r, "float64");
      const u = p.input(r, "float64");
      const gx = grad(p.f)(x) as Tensor;
      // directional derivative: (f(x + hu) − f(x − hu)) / 2h, error O(h²) ≈ 1e-10 relative
      const h = 1e-5;
      const fd = (p.f(np.add(x, np.multiply(h, u))).item() - p.f(np.subtract(x, np.multiply(h, u))).item()) / (2 * h);
      const ad = dot(gx, u);
      const tol = 1e-6 * (1 + Math.abs(fd));
      if (!(Math.abs(ad - fd) <= tol)) expect.fail(`seed ${seed}: grad·u = ${ad} but finite differences give ${fd} for ${p.text}`);
      count("grad vs FD");
    }
  }, limit(budget(100), 50));

  it(`vjp/jvp duality ⟨v, J u⟩ = ⟨Jᵀ v, u⟩ (float64, ${budget(100)} programs)`, () => {
    for (let n = 0; n < budget(100); n++) {
      const seed = BASE + 10_000 + n;
      const r = rng(seed);
      const p = randomProgram(r, "float64");
      const x = p.input(r, "float64");
      const u = p.input(r, "float64");
      const v = p.input(r, "float64");
      const [, ju] = jvp(p.g, [x], [u]) as [Tensor, Tensor];
      const [, pull] = vjp(p.g, [x]) as [Tensor, (ct: Tensor) => Tensor[]];
      const jtv = pull(v)[0]!;
      const lhs = dot(v, ju);
      const rhs = dot(jtv, u);
      if (!(Math.abs(lhs - rhs) <= 1e-10 * (1 + Math.abs(lhs)))) expect.fail(`seed ${seed}: ⟨v, Ju⟩ = ${lhs} but ⟨Jᵀv, u⟩ = ${rhs} for ${p.text}`);
      count("vjp/jvp duality");
    }
  }, limit(budget(100), 50));

  it(`vmap vs a loop of calls (float64, ${budget(60)} programs)`, () => {
    for (let n = 0; n < budget(60); n++) {
      const seed = BASE + 20_000 + n;
      const r = rng(seed);
      const p = randomProgram(r, "float64");
      const B = r.int(1, 4);
      const X = p.input(r, "float64", [B]);
      const batched = vmap(p.g)(X) as Tensor;
      expect([...batched.shape]).toEqual([B, ...p.shape]);
      for (let b = 0; b < B; b++) {
        const one = p.g(X.index(b));
        const got = batched.index(b).dataSync();
        const want = one.dataSync();
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i]! - want[i]!) <= 1e-12 * (1 + Math.abs(want[i]!)))) expect.fail(`seed ${seed}: vmap row ${b} element ${i} is ${got[i]}, the loop gives ${want[i]} for ${p.text}`);
        }
      }
      count("vmap vs loop");
    }
  }, limit(budget(60), 50));

  it(`jit vs eager, values and gradients bit for bit (float32, ${budget(60)} programs)`, () => {
    for (let n = 0; n < budget(60); n++) {
      const seed = BASE + 30_000 + n;
      const r = rng(seed);
      const p = randomProgram(r, "float32");
      const x = p.input(r, "float32");
      expectBitEqual(jit(p.g)(x), p.g(x), `seed ${seed} jit(g) for ${p.text}`);
      expectBitEqual(jit(grad(p.f))(x) as Tensor, grad(p.f)(x) as Tensor, `seed ${seed} jit(grad f) for ${p.text}`);
      count("jit vs eager");
    }
  }, limit(budget(60), 100));

  it(`1 thread vs 2 threads bit for bit, on inputs above the parallel thresholds (float32, ${budget(8)} programs)`, () => {
    const before = config.threads();
    try {
      for (let n = 0; n < budget(8); n++) {
        const seed = BASE + 40_000 + n;
        const r = rng(seed);
        const p = randomProgram(r, "float32", { minSide: 160, maxSide: 256, steps: 4 });
        const x = p.input(r, "float32");
        config.setThreads(1);
        const v1 = p.g(x);
        const g1 = grad(p.f)(x) as Tensor;
        config.setThreads(2);
        const v2 = p.g(x);
        const g2 = grad(p.f)(x) as Tensor;
        expectBitEqual(v2, v1, `seed ${seed} g with 2 threads for ${p.text}`);
        expectBitEqual(g2, g1, `seed ${seed} grad f with 2 threads for ${p.text}`);
        count("1 vs 2 threads");
      }
    } finally {
      config.setThreads(before);
    }
  });

  afterAll(() => {
    console.log(`[fuzz] programs per fuzzer: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ")} (FUZZ_BUDGET=${process.env.FUZZ_BUDGET ?? "default"}, seeds from ${BASE})`);
  }, limit(budget(8), 1000));
});
