// tf.keras.optimizers beyond SGD/Adam: three steps against Keras 3 (fixture from
// scripts/fixtures/tf_keras_optimizers.py) and against the update formula in float64, the Keras and
// optim forms against each other (one implementation: equal bit for bit), and the schedules.
import { readFileSync } from "node:fs";
import type { GradientTransformation } from "../../src/index.js";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValueError, numpy as np, optim } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

const K = tf.keras.optimizers;
const S = tf.keras.optimizers.schedules;
const fx = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "keras-optimizers.json"), "utf8")) as {
  v0: number[];
  grads: number[][];
  cases: Record<string, number[][]>;
  steps: number[];
  schedules: Record<string, number[]>;
};

function close(got: ArrayLike<number>, want: readonly number[], rtol: number): void {
  const g = Array.from(got);
  expect(g.length).toBe(want.length);
  g.forEach((x, i) => {
    if (!(Math.abs(x - want[i]!) <= rtol + rtol * Math.abs(want[i]!))) expect.fail(`element ${i}: got ${x}, expected ${want[i]} (all: ${g.join(", ")} vs ${want.join(", ")})`);
  });
}

function run(opt: InstanceType<typeof K.Optimizer>, dtype: "float32" | "float64" = "float32"): number[][] {
  const v = new tf.Variable(np.array(fx.v0, { dtype }));
  return fx.grads.map((g) => {
    opt.applyGradients([[np.array(g, { dtype }), v]]);
    return Array.from(v.value().dataSync());
  });
}

describe("Keras optimizers against Keras 3", () => {
  const cases: Record<string, () => InstanceType<typeof K.Optimizer>> = {
    sgd: () => new K.SGD({ learningRate: 0.1 }),
    sgd_exponential: () => new K.SGD({ learningRate: new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }) }),
    adam_piecewise: () => new K.Adam({ learningRate: new S.PiecewiseConstantDecay({ boundaries: [0, 1], values: [0.1, 0.05, 0.01] }) }),
    adamw: () => new K.AdamW({ learningRate: 0.1, weightDecay: 0.2 }),
    adamw_amsgrad: () => new K.AdamW({ learningRate: 0.1, weightDecay: 0.2, amsgrad: true }),
    rmsprop: () => new K.RMSprop({ learningRate: 0.1 }),
    rmsprop_centered_momentum: () => new K.RMSprop({ learningRate: 0.1, rho: 0.8, momentum: 0.5, centered: true }),
    adagrad: () => new K.Adagrad({ learningRate: 0.1 }),
    adagrad_clipnorm: () => new K.Adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.5, clipnorm: 1 }),
    adadelta: () => new K.Adadelta({ learningRate: 1 }),
    adadelta_rho: () => new K.Adadelta({ learningRate: 0.5, rho: 0.5, epsilon: 1e-3 }),
    nadam: () => new K.Nadam({ learningRate: 0.1 }),
    nadam_betas: () => new K.Nadam({ learningRate: 0.05, beta1: 0.5, beta2: 0.6, epsilon: 0.1 }),
    sgd_cosine_clipvalue: () => new K.SGD({ learningRate: new S.CosineDecay({ initialLearningRate: 0.2, decaySteps: 3, alpha: 0.1 }), momentum: 0.9, clipvalue: 1 }),
  };
  it("covers every fixture case", () => expect(Object.keys(cases).sort()).toEqual(Object.keys(fx.cases).sort()));
  for (const [name, make] of Object.entries(cases)) {
    it(name, () => run(make()).forEach((got, k) => close(got, fx.cases[name]![k]!, 2e-6)));
  }
});

describe("Keras optimizers: three steps against the formula in float64", () => {
  // one state per element; the Keras 3 update_step code, transcribed
  type Rule = (v: number, g: number, s: Record<string, number>, t: number) => number;
  const ref = (rule: Rule) => {
    const st = fx.v0.map(() => ({}) as Record<string, number>);
    let v = [...fx.v0];
    return fx.grads.map((g, k) => (v = v.map((vi, i) => rule(vi, g[i]!, st[i]!, k + 1))));
  };
  const lr = 0.1;
  const rules: Record<string, [() => InstanceType<typeof K.Optimizer>, Rule]> = {
    AdamW: [() => new K.AdamW({ learningRate: lr, weightDecay: 0.2 }), (v, g, s, t) => {
      v -= v * 0.2 * lr;
      s.m = (s.m ?? 0) + (g - (s.m ?? 0)) * 0.1;
      s.u = (s.u ?? 0) + (g * g - (s.u ?? 0)) * 0.001;
      return v - (s.m * ((lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t))) / (Math.sqrt(s.u) + 1e-7);
    }],
    RMSprop: [() => new K.RMSprop({ learningRate: lr, momentum: 0.5 }), (v, g, s) => {
      s.vel = 0.9 * (s.vel ?? 0) + 0.1 * g * g;
      s.m = 0.5 * (s.m ?? 0) + (lr * g) / Math.sqrt(s.vel + 1e-7);
      return v - s.m;
    }],
    Adagrad: [() => new K.Adagrad({ learningRate: lr }), (v, g, s) => v - (lr * g) / Math.sqrt((s.a = (s.a ?? 0.1) + g * g) + 1e-7)],
    Adadelta: [() => new K.Adadelta({ learningRate: lr }), (v, g, s) => {
      s.ag = 0.95 * (s.ag ?? 0) + 0.05 * g * g;
      const d = (-Math.sqrt((s.ad ?? 0) + 1e-7) * g) / Math.sqrt(s.ag + 1e-7);
      s.ad = 0.95 * (s.ad ?? 0) + 0.05 * d * d;
      return v + lr * d;
    }],
    Nadam: [() => new K.Nadam({ learningRate: lr }), (v, g, s, t) => {
      const mu = (k: number) => 0.9 * (1 - 0.5 * 0.96 ** k);
      let prod = 1;
      for (let k = 1; k <= t; k++) prod *= mu(k);
      s.m = (s.m ?? 0) + (g - (s.m ?? 0)) * 0.1;
      s.u = (s.u ?? 0) + (g * g - (s.u ?? 0)) * 0.001;
      const mHat = (mu(t + 1) * s.m) / (1 - prod * mu(t + 1)) + ((1 - mu(t)) * g) / (1 - prod);
      return v - (mHat * lr) / (Math.sqrt(s.u / (1 - 0.999 ** t)) + 1e-7);
    }],
  };
  for (const [name, [make, rule]] of Object.entries(rules)) {
    // Nadam keeps its momentum-schedule product in float32, as Keras does
    it(name, () => run(make(), "float64").forEach((got, k) => close(got, ref(rule)[k]!, name === "Nadam" ? 1e-7 : 1e-13)));
  }
});

describe("the Keras and optim forms are one implementation", () => {
  const pairs: [string, () => InstanceType<typeof K.Optimizer>, GradientTransformation<any>][] = [
    ["RMSprop", () => new K.RMSprop({ learningRate: 0.1, rho: 0.8, epsilon: 1e-8, centered: true, momentum: 0.3 }), optim.rmsprop({ learningRate: 0.1, decay: 0.8, eps: 1e-8, centered: true, momentum: 0.3 })],
    ["Adagrad", () => new K.Adagrad({ learningRate: 0.1 }), optim.adagrad({ learningRate: 0.1 })],
    ["Adadelta", () => new K.Adadelta({ learningRate: 0.1, rho: 0.9, epsilon: 1e-6 }), optim.adadelta({ learningRate: 0.1, rho: 0.9, eps: 1e-6 })],
    ["SGD", () => new K.SGD({ learningRate: 0.1 }), optim.sgd({ learningRate: 0.1 })],
  ];
  for (const [name, keras, fn] of pairs) {
    it(name, () => {
      let p = np.array(fx.v0);
      let s = fn.init(p);
      const want = fx.grads.map((g) => {
        const [u, s2] = fn.update(np.array(g), s, p);
        s = s2;
        p = optim.applyUpdates(p, u);
        return Array.from(p.dataSync());
      });
      expect(run(keras())).toEqual(want);
    });
  }
});

describe("tf.keras.optimizers.schedules against Keras 3", () => {
  const all: Record<string, InstanceType<typeof S.LearningRateSchedule>> = {
    exponential: new S.ExponentialDecay({ initialLearningRate: 0.5, decaySteps: 3, decayRate: 0.8 }),
    exponential_staircase: new S.ExponentialDecay({ initialLearningRate: 0.5, decaySteps: 3, decayRate: 0.8, staircase: true }),
    cosine: new S.CosineDecay({ initialLearningRate: 1, decaySteps: 8, alpha: 0.2 }),
    cosine_warmup: new S.CosineDecay({ initialLearningRate: 0.1, decaySteps: 6, alpha: 0.1, warmupTarget: 1, warmupSteps: 4 }),
    inverse_time: new S.InverseTimeDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5 }),
    inverse_time_staircase: new S.InverseTimeDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5, staircase: true }),
    polynomial: new S.PolynomialDecay({ initialLearningRate: 1, decaySteps: 8, endLearningRate: 0.1, power: 2 }),
    polynomial_cycle: new S.PolynomialDecay({ initialLearningRate: 1, decaySteps: 4, endLearningRate: 0.1, cycle: true }),
    piecewise: new S.PiecewiseConstantDecay({ boundaries: [2, 5], values: [1, 0.5, 0.1] }),
  };
  for (const [name, s] of Object.entries(all)) it(name, () => close(fx.steps.map((t) => s.apply(t).item()), fx.schedules[name]!, 1e-6));
  it("bad input names the class and the fix", () => {
    expect(() => new S.PiecewiseConstantDecay({ boundaries: [1, 2], values: [1] })).toThrow(/PiecewiseConstantDecay: The length of boundaries should be 1 less/);
    expect(() => new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(/decaySteps must be a positive finite number/);
    expect(() => new K.SGD({ learningRate: "fast" as never })).toThrow(ValueError);
    expect(() => new K.RMSprop({ rho: 2 })).toThrow(/tf\.keras\.optimizers\.RMSprop: rho must be in \[0, 1\]/);
    expect(() => new K.AdamW({ weightDecay: -1 })).toThrow(/AdamW: weightDecay must be a finite number ≥ 0/);
    expect(() => new K.Nadam({ amsgrad: true } as never)).toThrow(/unknown option 'amsgrad'/);
  });
});
