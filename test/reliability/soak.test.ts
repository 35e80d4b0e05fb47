// Soak: a functional training loop (grad + a pytree update, and the same step under jit) and a
// tape loop (GradientTape + Dense + Adam), run WITHOUT tidy or dispose, as a user writes them.
// Memory must stay flat: after a warm-up, the arena makes no new large buffers and no new slabs
// for small ones (what the steps drop comes back eagerly, or through the finalizer once the GC
// has run). Counts of buffers, not RSS (whose peaks are noise). SOAK_STEPS sets the length
// (default 120 per loop in npm test; e.g. SOAK_STEPS=100000 for the long run).
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { Tensor, grad, jit, numpy as np, random, tree } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { backend } from "../../src/core/backend/index.js";

const STEPS = Math.max(60, Number(process.env.SOAK_STEPS ?? 100));
/** the first mark, after the warm-up (free lists and jit caches filled) */
const WARM = 40;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** A full GC, then the turns the finalizers run in. */
async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

interface Mark {
  step: number;
  created: number;
  slabs: number;
  heapMiB: number;
  /** live ArrayBuffer/SharedArrayBuffer memory after a full GC (arena free lists included) */
  buffersMiB: number;
}

/**
 * Runs `step` STEPS times, settling the GC every 20 steps, and returns the arena's counters and
 * the live buffer memory at the marks: after the warm-up, halfway through the rest, at the end.
 */
async function soak(step: (i: number) => void): Promise<Mark[]> {
  const marks: Mark[] = [];
  const at = new Set([WARM, Math.round((WARM + STEPS) / 2), STEPS]);
  for (let i = 1; i <= STEPS; i++) {
    step(i);
    if (i % 20 === 0 || at.has(i)) await settle();
    if (at.has(i)) {
      const s = backend().arenaStats();
      const mem = process.memoryUsage();
      marks.push({ step: i, created: s.created, slabs: s.slabs, heapMiB: mem.heapUsed / 2 ** 20, buffersMiB: mem.arrayBuffers / 2 ** 20 });
    }
  }
  return marks;
}

function expectFlat(label: string, marks: Mark[]): void {
  const f1 = (x: number) => x.toFixed(1);
  console.log(`[soak ${label}] ${marks.map((m) => `step ${m.step}: large buffers created ${m.created}, slabs ${m.slabs}, live buffers ${f1(m.buffersMiB)} MiB, heap ${f1(m.heapMiB)} MiB`).join(" | ")}`);
  const first = marks[0]!;
  const last = marks[marks.length - 1]!;
  // after warm-up: at most a few new large buffers (a late size class), never one per step
  expect(last.created - first.created, "new large buffers after warm-up").toBeLessThanOrEqual(4);
  // live buffer memory (small-block slabs included) and the JS heap flat after a full GC
  expect(last.buffersMiB - first.buffersMiB, "live buffer MiB growth after warm-up").toBeLessThanOrEqual(4);
  expect(last.heapMiB - first.heapMiB, "heap MiB growth after warm-up").toBeLessThanOrEqual(8);
}

type Params = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };

function problem(seed: number) {
  const [k1, k2, k3] = [0, 1, 2].map((i) => random.split(random.key(seed), 3).index(i));
  const x = random.normal(k1!, [64, 24]);
  const y = np.sin(np.sum(x, 1, { keepdims: true }));
  const p: Params = { w1: random.normal(k2!, [24, 32]).mul(0.2), b1: np.zeros([32]), w2: random.normal(k3!, [32, 1]).mul(0.2), b2: np.zeros([1]) };
  const loss = (q: Params, xb: Tensor, yb: Tensor) => {
    const h = np.tanh(np.add(np.matmul(xb, q.w1), q.b1));
    return np.mean(np.square(np.subtract(np.add(np.matmul(h, q.w2), q.b2), yb)));
  };
  return { x, y, p, loss };
}

describe(`soak (${STEPS} steps per loop, no tidy, no dispose)`, () => {
  it("functional loop: grad + tree.map update keeps the arena flat and the loss falls", async () => {
    const { x, y, p: p0, loss } = problem(1);
    let p = p0;
    const l0 = loss(p, x, y).item();
    const marks = await soak(() => {
      const g = grad(loss)(p, x, y) as Params;
      p = tree.map((w: Tensor, gw: Tensor) => w.sub(gw.mul(0.05)), p, g) as Params;
    });
    expectFlat("functional", marks);
    expect(loss(p, x, y).item()).toBeLessThan(l0);
  });

  it("jit loop: the jitted step keeps the arena flat", async () => {
    const { x, y, p: p0, loss } = problem(2);
    const step = jit((q: Params, xb: Tensor, yb: Tensor) => {
      const g = grad(loss)(q, xb, yb) as Params;
      return tree.map((w: Tensor, gw: Tensor) => w.sub(gw.mul(0.05)), q, g) as Params;
    });
    let p = p0;
    const l0 = loss(p, x, y).item();
    const marks = await soak(() => {
      p = step(p, x, y);
    });
    expectFlat("jit", marks);
    expect(loss(p, x, y).item()).toBeLessThan(l0);
  });

  it("tape loop: GradientTape + Dense + Adam keeps the arena flat and the loss falls", async () => {
    tf.random.setSeed(3);
    const x = tf.random.normal([64, 24]);
    const y = tf.sin(tf.reduceSum(x, 1, true));
    const l1 = new tf.keras.layers.Dense(32, { activation: "tanh" });
    const l2 = new tf.keras.layers.Dense(1);
    const opt = new tf.keras.optimizers.Adam({ learningRate: 0.01 });
    const mse = new tf.keras.losses.MeanSquaredError();
    const lossOf = () => mse.apply(y, l2.apply(l1.apply(x)));
    const first = lossOf().item();
    const marks = await soak(() => {
      const tape = new tf.GradientTape();
      const loss = tape.record(lossOf);
      const vars = [...l1.trainableWeights, ...l2.trainableWeights];
      const grads = tape.gradient(loss, vars) as Tensor[];
      opt.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
    });
    expectFlat("tape", marks);
    expect(lossOf().item()).toBeLessThan(first);
  });
});
