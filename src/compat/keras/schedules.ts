// tf.keras.optimizers.schedules: learning rates as functions of the optimizer's step count
// (Keras evaluates them at `iterations`, 0 on the first step). Each wraps optim's schedule of
// the same formula where there is one, so the two APIs share one implementation.
import { Tensor, ValueError, numpy as np, optim } from "../../index.js";
import type { Schedule } from "../../index.js";
import { checkOptions, describe } from "../errors.js";

function num(api: string, name: string, v: unknown, positive = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (positive && !(v > 0))) {
    throw new ValueError({ message: `${api}: ${name} must be a ${positive ? "positive " : ""}finite number, got ${describe(v)}.` });
  }
  return v;
}

/** The step as a float32 scalar tensor. */
const stepOf = (step: Tensor | number) => np.astype(step instanceof Tensor ? step : np.array(step), "float32");

/**
 * The base of Keras's learning-rate schedules: subclass it and override `call(step)`; an
 * optimizer given a schedule evaluates `apply(iterations)` at each step. Mirrors
 * tf.keras.optimizers.schedules.LearningRateSchedule (JS objects are not callable, so
 * `schedule.apply(step)` stands for `schedule(step)`).
 * @example
 * ```ts
 * class Halving extends tf.keras.optimizers.schedules.LearningRateSchedule {
 *   call(step: tf.Tensor | number) { return tf.pow(tf.constant(0.5), tf.cast(step, "float32")); }
 * }
 * new Halving().apply(3).item(); // → 0.125
 * ```
 */
export abstract class LearningRateSchedule {
  /**
   * The learning rate at `step` (a float32 scalar tensor): what a subclass overrides.
   * @example
   * ```ts
   * class Const extends tf.keras.optimizers.schedules.LearningRateSchedule {
   *   call() { return tf.constant(0.3); }
   * }
   * new Const().call(7).item(); // → 0.3
   * ```
   */
  abstract call(step: Tensor | number): Tensor;
  /**
   * Evaluates the schedule at `step` (Keras's `schedule(step)`).
   * @example
   * ```ts
   * new tf.keras.optimizers.schedules.InverseTimeDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 1 }).apply(1).item(); // → 0.5
   * ```
   */
  apply(step: Tensor | number): Tensor {
    return this.call(step);
  }
}

/**
 * lr₀·rate^(step/decaySteps) (the exponent floored with `staircase`). Mirrors
 * tf.keras.optimizers.schedules.ExponentialDecay; same formula as optim.exponentialDecay.
 * @example
 * ```ts
 * const s = new tf.keras.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
 * s.apply(20).item(); // → 0.025
 * ```
 */
export class ExponentialDecay extends LearningRateSchedule {
  readonly #f: Schedule;
  constructor(opts: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }) {
    super();
    const api = "tf.keras.optimizers.schedules.ExponentialDecay";
    checkOptions(api, opts, ["initialLearningRate", "decaySteps", "decayRate", "staircase"]);
    this.#f = optim.exponentialDecay({
      initValue: num(api, "initialLearningRate", opts.initialLearningRate),
      transitionSteps: num(api, "decaySteps", opts.decaySteps, true),
      decayRate: num(api, "decayRate", opts.decayRate),
      staircase: opts.staircase ?? false,
    });
  }
  /**
   * The rate at `step`.
   * @example
   * ```ts
   * new tf.keras.optimizers.schedules.ExponentialDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 0.5, staircase: true }).call(3).item(); // → 0.5
   * ```
   */
  call(step: Tensor | number): Tensor {
    return this.#f(step);
  }
}

/**
 * Cosine decay from lr₀ over decaySteps to alpha·lr₀, after an optional linear warmup from lr₀
 * to warmupTarget over warmupSteps (the decay then starts from warmupTarget). Mirrors
 * tf.keras.optimizers.schedules.CosineDecay; same formula as optim.cosineDecaySchedule /
 * optim.warmupCosineDecaySchedule.
 * @example
 * ```ts
 * const s = new tf.keras.optimizers.schedules.CosineDecay({ initialLearningRate: 1, decaySteps: 4 });
 * s.apply(2).item(); // → 0.5
 * ```
 */
export class CosineDecay extends LearningRateSchedule {
  readonly #f: Schedule;
  constructor(opts: { initialLearningRate: number; decaySteps: number; alpha?: number; warmupTarget?: number; warmupSteps?: number }) {
    super();
    const api = "tf.keras.optimizers.schedules.CosineDecay";
    checkOptions(api, opts, ["initialLearningRate", "decaySteps", "alpha", "warmupTarget", "warmupSteps"]);
    const init = num(api, "initialLearningRate", opts.initialLearningRate);
    const steps = num(api, "decaySteps", opts.decaySteps, true);
    const alpha = num(api, "alpha", opts.alpha ?? 0);
    const warm = num(api, "warmupSteps", opts.warmupSteps ?? 0);
    if (opts.warmupTarget === undefined || warm <= 0) {
      this.#f = optim.cosineDecaySchedule({ initValue: init, decaySteps: steps, alpha });
    } else {
      const target = num(api, "warmupTarget", opts.warmupTarget);
      this.#f = optim.warmupCosineDecaySchedule({ initValue: init, peakValue: target, warmupSteps: warm, decaySteps: warm + steps, endValue: alpha * target });
    }
  }
  /**
   * The rate at `step`.
   * @example
   * ```ts
   * new tf.keras.optimizers.schedules.CosineDecay({ initialLearningRate: 0, decaySteps: 2, warmupTarget: 1, warmupSteps: 2 }).call(1).item(); // → 0.5
   * ```
   */
  call(step: Tensor | number): Tensor {
    return this.#f(step);
  }
}

/**
 * lr₀ / (1 + rate·step/decaySteps) (step/decaySteps floored with `staircase`). Mirrors
 * tf.keras.optimizers.schedules.InverseTimeDecay.
 * @example
 * ```ts
 * new tf.keras.optimizers.schedules.InverseTimeDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 1 }).apply(2).item(); // → 0.5
 * ```
 */
export class InverseTimeDecay extends LearningRateSchedule {
  readonly #opts: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase: boolean };
  constructor(opts: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }) {
    super();
    const api = "tf.keras.optimizers.schedules.InverseTimeDecay";
    checkOptions(api, opts, ["initialLearningRate", "decaySteps", "decayRate", "staircase"]);
    this.#opts = {
      initialLearningRate: num(api, "initialLearningRate", opts.initialLearningRate),
      decaySteps: num(api, "decaySteps", opts.decaySteps, true),
      decayRate: num(api, "decayRate", opts.decayRate),
      staircase: opts.staircase ?? false,
    };
  }
  /**
   * The rate at `step`.
   * @example
   * ```ts
   * new tf.keras.optimizers.schedules.InverseTimeDecay({ initialLearningRate: 1, decaySteps: 2, decayRate: 1, staircase: true }).call(3).item(); // → 0.5
   * ```
   */
  call(step: Tensor | number): Tensor {
    const o = this.#opts;
    let p = np.divide(stepOf(step), o.decaySteps);
    if (o.staircase) p = np.floor(p);
    return np.divide(o.initialLearningRate, np.add(1, np.multiply(p, o.decayRate)));
  }
}

/**
 * (lr₀ − end)·(1 − min(step, decaySteps)/decaySteps)^power + end; with `cycle` the decay
 * restarts, decaySteps growing to the next multiple of itself past step. Mirrors
 * tf.keras.optimizers.schedules.PolynomialDecay (endLearningRate 1e-4, power 1 by default).
 * @example
 * ```ts
 * new tf.keras.optimizers.schedules.PolynomialDecay({ initialLearningRate: 1, decaySteps: 4, endLearningRate: 0 }).apply(1).item(); // → 0.75
 * ```
 */
export class PolynomialDecay extends LearningRateSchedule {
  readonly #opts: { initialLearningRate: number; decaySteps: number; endLearningRate: number; power: number; cycle: boolean };
  constructor(opts: { initialLearningRate: number; decaySteps: number; endLearningRate?: number; power?: number; cycle?: boolean }) {
    super();
    const api = "tf.keras.optimizers.schedules.PolynomialDecay";
    checkOptions(api, opts, ["initialLearningRate", "decaySteps", "endLearningRate", "power", "cycle"]);
    this.#opts = {
      initialLearningRate: num(api, "initialLearningRate", opts.initialLearningRate),
      decaySteps: num(api, "decaySteps", opts.decaySteps, true),
      endLearningRate: num(api, "endLearningRate", opts.endLearningRate ?? 1e-4),
      power: num(api, "power", opts.power ?? 1),
      cycle: opts.cycle ?? false,
    };
  }
  /**
   * The rate at `step`.
   * @example
   * ```ts
   * new tf.keras.optimizers.schedules.PolynomialDecay({ initialLearningRate: 1, decaySteps: 2, endLearningRate: 0, cycle: true }).call(3).item(); // → 0.25
   * ```
   */
  call(step: Tensor | number): Tensor {
    const o = this.#opts;
    let s = stepOf(step);
    let steps: Tensor | number = o.decaySteps;
    if (o.cycle) {
      // decay_steps · max(1, ⌈step / decay_steps⌉), as Keras
      steps = np.multiply(np.maximum(np.ceil(np.divide(s, o.decaySteps)), 1), o.decaySteps);
    } else {
      s = np.minimum(s, o.decaySteps);
    }
    const frac = np.subtract(1, np.divide(s, steps));
    return np.add(np.multiply(np.power(frac, o.power), o.initialLearningRate - o.endLearningRate), o.endLearningRate);
  }
}

/**
 * values[i] for boundaries[i−1] < step ≤ boundaries[i] (values[0] up to and including
 * boundaries[0], the last value past the last boundary). Mirrors
 * tf.keras.optimizers.schedules.PiecewiseConstantDecay.
 * @example
 * ```ts
 * const s = new tf.keras.optimizers.schedules.PiecewiseConstantDecay({ boundaries: [2, 5], values: [1, 0.5, 0.1] });
 * [2, 3, 6].map((t) => s.apply(t).item()); // → [1, 0.5, 0.1]
 * ```
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly #b: number[];
  readonly #v: number[];
  constructor(opts: { boundaries: number[]; values: number[] }) {
    super();
    const api = "tf.keras.optimizers.schedules.PiecewiseConstantDecay";
    checkOptions(api, opts, ["boundaries", "values"]);
    if (!Array.isArray(opts.boundaries) || !Array.isArray(opts.values) || opts.values.length !== opts.boundaries.length + 1) {
      throw new ValueError({ message: `${api}: The length of boundaries should be 1 less than the length of values; got boundaries ${describe(opts.boundaries)} and values ${describe(opts.values)}.` });
    }
    this.#b = opts.boundaries.map((b) => num(api, "a boundary", b));
    this.#v = opts.values.map((v) => num(api, "a value", v));
  }
  /**
   * The rate at `step`.
   * @example
   * ```ts
   * new tf.keras.optimizers.schedules.PiecewiseConstantDecay({ boundaries: [1], values: [3, 4] }).call(0).item(); // → 3
   * ```
   */
  call(step: Tensor | number): Tensor {
    const s = stepOf(step);
    let out: Tensor = np.array(this.#v[this.#v.length - 1]!, { dtype: "float32" });
    for (let i = this.#b.length - 1; i >= 0; i--) out = np.where(np.lessEqual(s, this.#b[i]!), this.#v[i]!, out);
    return out;
  }
}
