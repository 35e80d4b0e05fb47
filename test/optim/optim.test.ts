// optim: three steps of each optimizer against its update formula written here in float64, the
// same steps against optax 0.2.8 (fixture from scripts/fixtures/optax_optim.py), schedules against
// optax, a jitted training step against the eager one, and the bad-input errors.
import { readFileSync } from "node:fs";
import type { GradientTransformation, Schedule } from "../../src/index.js";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Tensor, ValueError, jit, numpy as np, optim, tree, valueAndGrad } from "../../src/index.js";

type Params = { b: Tensor; w: Tensor };
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "optim-optax.json"), "utf8")) as {
  params: Record<"b" | "w", { shape: number[]; data: number[] }>;
  grads: Record<"b" | "w", number[]>[];
  cases: Record<string, Record<"b" | "w", number[]>[]>;
  counts: number[];
  schedules: Record<string, number[]>;
};

function close(actual: ArrayLike<number> & Iterable<number>, expected: readonly number[], rtol: number, atol = rtol): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`element ${i}: got ${a}, expected ${e} (rtol ${rtol})\n  got ${[...actual].join(", ")}\n  exp ${expected.join(", ")}`);
  }
}

// ---- float64 references: one state per flat element, the rules exactly as the papers write them
const G64 = fixture.grads.map((g) => [...g.b, ...g.w]);
const P64 = [...fixture.params.b.data, ...fixture.params.w.data];
type Rule = (p: number, g: number, s: Record<string, number>, t: number) => number; // returns the new p
function reference(rule: Rule): number[][] {
  const states = P64.map(() => ({}) as Record<string, number>);
  let p = [...P64];
  return G64.map((g, k) => (p = p.map((pi, i) => rule(pi, g[i]!, states[i]!, k + 1))));
}
const ema = (m: number | undefined, x: number, d: number) => d * (m ?? 0) + (1 - d) * x;
const RULES: Record<string, [(lr: number) => GradientTransformation<any>, Rule]> = {
  sgd: [(lr) => optim.sgd({ learningRate: lr }), (p, g) => p - 0.1 * g],
  sgdMomentum: [(lr) => optim.sgd({ learningRate: lr, momentum: 0.9 }), (p, g, s) => p - 0.1 * (s.t = g + 0.9 * (s.t ?? 0))],
  sgdNesterov: [(lr) => optim.sgd({ learningRate: lr, momentum: 0.9, nesterov: true }), (p, g, s) => p - 0.1 * (g + 0.9 * (s.t = g + 0.9 * (s.t ?? 0)))],
  adam: [(lr) => optim.adam({ learningRate: lr }), (p, g, s, t) => {
    s.m = ema(s.m, g, 0.9);
    s.v = ema(s.v, g * g, 0.999);
    return p - (0.1 * (s.m / (1 - 0.9 ** t))) / (Math.sqrt(s.v / (1 - 0.999 ** t)) + 1e-8);
  }],
  adamw: [(lr) => optim.adamw({ learningRate: lr, weightDecay: 0.3 }), (p, g, s, t) => {
    s.m = ema(s.m, g, 0.9);
    s.v = ema(s.v, g * g, 0.999);
    return p - 0.1 * ((s.m / (1 - 0.9 ** t)) / (Math.sqrt(s.v / (1 - 0.999 ** t)) + 1e-8) + 0.3 * p);
  }],
  rmsprop: [(lr) => optim.rmsprop({ learningRate: lr }), (p, g, s) => p - (0.1 * g) / Math.sqrt((s.v = ema(s.v, g * g, 0.9)) + 1e-8)],
  adagrad: [(lr) => optim.adagrad({ learningRate: lr }), (p, g, s) => p - (0.1 * g) / Math.sqrt((s.a = (s.a ?? 0.1) + g * g) + 1e-7)],
  lion: [(lr) => optim.lion({ learningRate: lr, weightDecay: 0.2 }), (p, g, s) => {
    const u = Math.sign(0.1 * g + 0.9 * (s.m ?? 0));
    s.m = ema(s.m, g, 0.99);
    return p - 0.1 * (u + 0.2 * p);
  }],
  adadelta: [(lr) => optim.adadelta({ learningRate: lr, rho: 0.8 }), (p, g, s) => {
    s.eg = ema(s.eg, g * g, 0.8);
    const d = (Math.sqrt((s.ex ?? 0) + 1e-6) / Math.sqrt(s.eg + 1e-6)) * g;
    s.ex = ema(s.ex, d * d, 0.8);
    return p - 0.1 * d;
  }],
};

function run(opt: GradientTransformation<any>, dtype: "float32" | "float64"): Float64Array[] {
  let params: Params = {
    b: np.array(fixture.params.b.data, { dtype }),
    w: np.reshape(np.array(fixture.params.w.data, { dtype }), fixture.params.w.shape),
  };
  let state = opt.init(params);
  return fixture.grads.map((g) => {
    const grads = { b: np.array(g.b, { dtype }), w: np.reshape(np.array(g.w, { dtype }), fixture.params.w.shape) };
    const [u, s] = opt.update(grads, state, params);
    state = s;
    params = optim.applyUpdates(params, u);
    expect(params.w.dtype).toBe(dtype);
    return Float64Array.from([...params.b.dataSync(), ...params.w.dataSync()]);
  });
}

describe("optim: three steps against the update formula in float64", () => {
  for (const [name, [make, rule]] of Object.entries(RULES)) {
    it(name, () => {
      const want = reference(rule);
      run(make(0.1), "float64").forEach((got, k) => close(got, want[k]!, 1e-12));
    });
  }
});

describe("optim: three steps against optax 0.2.8 (float32)", () => {
  const sched = optim.exponentialDecay({ initValue: 0.1, transitionSteps: 1, decayRate: 0.5 });
  const cases: Record<string, GradientTransformation<any>> = {
    sgd: optim.sgd({ learningRate: 0.1 }),
    sgd_momentum: optim.sgd({ learningRate: 0.1, momentum: 0.9 }),
    sgd_nesterov: optim.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
    sgd_schedule: optim.sgd({ learningRate: sched }),
    adam: optim.adam({ learningRate: 0.01 }),
    adam_schedule: optim.adam({ learningRate: sched, b1: 0.8, b2: 0.9, eps: 1e-6 }),
    adamw: optim.adamw({ learningRate: 0.01, weightDecay: 0.1 }),
    rmsprop: optim.rmsprop({ learningRate: 0.01 }),
    rmsprop_centered_momentum: optim.rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 }),
    adagrad: optim.adagrad({ learningRate: 0.1 }),
    lion: optim.lion({ learningRate: 0.01, weightDecay: 0.1 }),
    adadelta: optim.adadelta({ learningRate: 1, rho: 0.8 }),
    clip_chain: optim.chain(optim.clipByGlobalNorm(1), optim.clip(0.3), optim.scale(-0.5)),
    amsgrad: optim.chain(optim.scaleByAdam({ b1: 0.5, b2: 0.6, amsgrad: true }), optim.scale(-0.1)),
  };
  it("covers every fixture case", () => expect(Object.keys(cases).sort()).toEqual(Object.keys(fixture.cases).sort()));
  for (const [name, opt] of Object.entries(cases)) {
    it(name, () => {
      run(opt, "float32").forEach((got, k) => close(got, [...fixture.cases[name]![k]!.b, ...fixture.cases[name]![k]!.w], 2e-6));
    });
  }
});

describe("optim schedules against optax", () => {
  const schedules: Record<string, Schedule> = {
    constant: optim.constantSchedule(0.3),
    linear: optim.linearSchedule({ initValue: 1, endValue: 0.2, transitionSteps: 5, transitionBegin: 2 }),
    exponential: optim.exponentialDecay({ initValue: 2, transitionSteps: 3, decayRate: 0.7, transitionBegin: 1 }),
    exponential_staircase_end: optim.exponentialDecay({ initValue: 2, transitionSteps: 3, decayRate: 0.5, staircase: true, endValue: 0.4 }),
    cosine: optim.cosineDecaySchedule({ initValue: 0.5, decaySteps: 7, alpha: 0.1, exponent: 2 }),
    warmup_cosine: optim.warmupCosineDecaySchedule({ initValue: 0, peakValue: 1, warmupSteps: 3, decaySteps: 10, endValue: 0.1 }),
  };
  for (const [name, s] of Object.entries(schedules)) {
    it(name, () => {
      close(fixture.counts.map((c) => s(np.array(c, { dtype: "int32" })).item()), fixture.schedules[name]!, 1e-6);
      close(fixture.counts.map((c) => s(c).item()), fixture.schedules[name]!, 1e-6);
    });
  }
  it("a schedule learning rate is read at the step count, starting from 0", () => {
    const opt = optim.sgd({ learningRate: (c) => np.add(np.astype(c, "float32"), 1) });
    let s = opt.init(np.zeros([1]));
    const us: number[] = [];
    for (let k = 0; k < 3; k++) {
      const [u, s2] = opt.update(np.ones([1]), s);
      s = s2;
      us.push(u.item());
    }
    expect(us).toEqual([-1, -2, -3]);
  });
});

describe("optim under jit", () => {
  // least squares y = X·w + b on fixed data; the whole step (grad, update, apply) is one jit
  const X = np.array([[1, 2], [3, -1], [0.5, 0.5], [-2, 1]]);
  const y = np.array([1, 0.5, -1, 2]);
  const loss = (p: Params, x: Tensor, t: Tensor) => np.mean(np.square(np.subtract(np.add(np.matmul(x, p.w), p.b), t)));
  const opt = optim.chain(optim.clipByGlobalNorm(10), optim.adam({ learningRate: optim.cosineDecaySchedule({ initValue: 0.05, decaySteps: 20 }) }));
  const step = (p: Params, s: any, x: Tensor, t: Tensor) => {
    const [l, g] = valueAndGrad(loss)(p, x, t);
    const [u, s2] = opt.update(g, s, p);
    return [optim.applyUpdates(p, u), s2, l] as const;
  };
  it("equals the eager step, and trains", () => {
    const init: Params = { w: np.zeros([2]), b: np.zeros([]) };
    const jstep = jit(step);
    let pe = init, se: any = opt.init(init), pj = init, sj: any = opt.init(init);
    const losses: number[] = [];
    for (let k = 0; k < 12; k++) {
      let l: Tensor;
      [pe, se] = step(pe, se, X, y);
      [pj, sj, l] = jstep(pj, sj, X, y);
      losses.push(l.item());
      close(pj.w.dataSync(), [...pe.w.dataSync()], 1e-5);
    }
    expect(tree.leaves(sj).length).toBe(tree.leaves(se).length);
    expect(sj[1][0].count.dtype).toBe("int32");
    expect(sj[1][0].count.item()).toBe(12);
    expect(losses[11]!).toBeLessThan(losses[0]! * 0.7);
  });
});

describe("optim bad inputs", () => {
  it("names the API and the fix", () => {
    expect(() => optim.adam({} as never)).toThrow(ValueError);
    expect(() => optim.adam({} as never)).toThrow(/optim\.adam: learningRate is required/);
    expect(() => optim.sgd({ learningRate: 0.1, momentun: 0.9 } as never)).toThrow(/optim\.sgd: unknown option "momentun"/);
    expect(() => optim.scaleByAdam({ b1: 1.5 })).toThrow(/optim\.scaleByAdam: b1 must be a number in \[0, 1\], got number 1\.5/);
    expect(() => optim.clipByGlobalNorm(0)).toThrow(/optim\.clipByGlobalNorm: maxNorm must be a finite number > 0/);
    expect(() => optim.chain(optim.scale(1), 3 as never)).toThrow(/optim\.chain: argument 1/);
    expect(() => optim.warmupCosineDecaySchedule({ initValue: 0, peakValue: 1, warmupSteps: 5, decaySteps: 5 })).toThrow(/must exceed warmupSteps/);
    const w = optim.adamw({ learningRate: 0.1 });
    expect(() => w.update(np.ones([1]), w.init(np.ones([1])))).toThrow(/optim\.addDecayedWeights: update needs the params/);
    expect(() => optim.applyUpdates({ a: np.ones([1]) }, { b: np.ones([1]) })).toThrow(/tree\.map/);
  });
});
