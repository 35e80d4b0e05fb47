// tf.keras.optimizers: each Keras optimizer is its optim update rule (the same transformations
// as the functional optimizers) chained with the learning rate, in Keras's form and defaults.
import { ValueError, optim } from "../../index.js";
import type { GradientTransformation } from "../../index.js";
import { describe } from "../errors.js";
import { Optimizer, type OptimizerOptions } from "./optimizer.js";

export { Optimizer } from "./optimizer.js";
export type { OptimizerOptions } from "./optimizer.js";
export * as schedules from "./schedules.js";

type Opts<T> = T & Record<string, unknown>;

function unit(api: string, name: string, v: number): number {
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new ValueError({ message: `tf.keras.optimizers.${api}: ${name} must be in [0, 1], got ${describe(v)}.` });
  return v;
}
function nonneg(api: string, name: string, v: number): number {
  if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) throw new ValueError({ message: `tf.keras.optimizers.${api}: ${name} must be a finite number ≥ 0, got ${describe(v)}.` });
  return v;
}

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Gradient descent with optional (Nesterov) momentum, Keras's form: m ← μm − lr·g, v ← v + m
 * (Nesterov: v ← v + μm − lr·g); plain v ← v − lr·g without momentum. The rule is
 * optim.chain(optim.scaleByLearningRate(lr), optim.trace({ decay: μ, nesterov })).
 * Mirrors tf.keras.optimizers.SGD (learningRate 0.01).
 * @example
 * ```ts
 * const v = new tf.Variable(1);
 * const opt = new tf.keras.optimizers.SGD({ learningRate: 0.1, momentum: 0.5 });
 * opt.applyGradients([[tf.constant(1), v]]);
 * opt.applyGradients([[tf.constant(1), v]]);
 * v.value().item(); // → 0.75
 * ```
 */
export class SGD extends Optimizer {
  /**
   * The momentum μ in [0, 1] (0: plain gradient descent).
   * @example
   * ```ts
   * new tf.keras.optimizers.SGD({ momentum: 0.9 }).momentum; // → 0.9
   * ```
   */
  readonly momentum: number;
  /**
   * Whether the momentum step is Nesterov's.
   * @example
   * ```ts
   * new tf.keras.optimizers.SGD({ momentum: 0.9, nesterov: true }).nesterov; // → true
   * ```
   */
  readonly nesterov: boolean;
  constructor(opts: SGDOptions = {}) {
    super(opts as Opts<SGDOptions>, ["momentum", "nesterov"], 0.01);
    this.momentum = unit("SGD", "momentum", opts.momentum ?? 0);
    this.nesterov = opts.nesterov ?? false;
  }
  protected rule(): GradientTransformation<any> {
    const lr = optim.scaleByLearningRate(this.lrSchedule);
    return optim.chain(lr, this.momentum === 0 ? optim.identity() : optim.trace({ decay: this.momentum, nesterov: this.nesterov }));
  }
}

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** AMSGrad: divide by the running maximum of the second moment v̂ ← max(v̂, v). */
  amsgrad?: boolean;
}

/** Reads Adam's options (shared by Adam and AdamW). */
function adamRule(api: string, self: { beta1: number; beta2: number; epsilon: number; amsgrad: boolean }): GradientTransformation<any> {
  return optim.scaleByAdam({ b1: unit(api, "beta1", self.beta1), b2: unit(api, "beta2", self.beta2), eps: nonneg(api, "epsilon", self.epsilon), amsgrad: self.amsgrad, epsilonHat: true });
}

/**
 * Adam (Kingma & Ba) in Keras's form: v ← v − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√s + ε); AMSGrad uses
 * the running max of s. The rule is optim.scaleByAdam({ epsilonHat: true, amsgrad }) then the
 * learning rate. Mirrors tf.keras.optimizers.Adam (learningRate 0.001, ε 1e-7).
 * @example
 * ```ts
 * const v = new tf.Variable(1);
 * new tf.keras.optimizers.Adam({ learningRate: 0.1 }).applyGradients([[tf.constant(5), v]]);
 * v.value().item(); // → 0.9
 * ```
 */
export class Adam extends Optimizer {
  /**
   * The decay of the first moment (0.9).
   * @example
   * ```ts
   * new tf.keras.optimizers.Adam().beta1; // → 0.9
   * ```
   */
  readonly beta1: number;
  /**
   * The decay of the second moment (0.999).
   * @example
   * ```ts
   * new tf.keras.optimizers.Adam().beta2; // → 0.999
   * ```
   */
  readonly beta2: number;
  /**
   * The ε added to √s (1e-7).
   * @example
   * ```ts
   * new tf.keras.optimizers.Adam().epsilon; // → 1e-7
   * ```
   */
  readonly epsilon: number;
  /**
   * Whether the step divides by the running maximum of the second moment (AMSGrad).
   *
   * @example
   * ```ts
   * new tf.keras.optimizers.Adam({ amsgrad: true }).amsgrad; // → true
   * ```
   */
  readonly amsgrad: boolean;
  constructor(opts: AdamOptions = {}, extra: readonly string[] = []) {
    super(opts as Opts<AdamOptions>, ["beta1", "beta2", "epsilon", "amsgrad", ...extra], 0.001);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-7;
    this.amsgrad = opts.amsgrad ?? false;
    adamRule(new.target.name, this);
  }
  protected rule(): GradientTransformation<any> {
    return optim.chain(adamRule("Adam", this), optim.scaleByLearningRate(this.lrSchedule));
  }
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter), Keras's form: v ← v − lr·wd·v, then
 * Adam's step. The rule is optim.scaleByAdam, optim.addDecayedWeights(wd), the learning rate.
 * Mirrors tf.keras.optimizers.AdamW (weightDecay 0.004).
 * @example
 * ```ts
 * const v = new tf.Variable(2);
 * new tf.keras.optimizers.AdamW({ learningRate: 0.1, weightDecay: 0.5 }).applyGradients([[tf.constant(0), v]]);
 * v.value().item(); // → 1.9
 * ```
 */
export class AdamW extends Adam {
  /**
   * The decoupled weight decay factor.
   * @example
   * ```ts
   * new tf.keras.optimizers.AdamW().weightDecay; // → 0.004
   * ```
   */
  readonly weightDecay: number;
  constructor(opts: AdamOptions & { weightDecay?: number } = {}) {
    super(opts, ["weightDecay"]);
    this.weightDecay = nonneg("AdamW", "weightDecay", opts.weightDecay ?? 0.004);
  }
  protected override rule(): GradientTransformation<any> {
    return optim.chain(adamRule("AdamW", this), optim.addDecayedWeights(this.weightDecay), optim.scaleByLearningRate(this.lrSchedule));
  }
}

/**
 * RMSprop, Keras's form: s ← ρs + (1−ρ)g², step lr·g/√(s + ε) (centered: s − ḡ² in the root),
 * with optional momentum on the step. The rule is optim.scaleByRms (or scaleByStddev), the
 * learning rate, optim.trace. Mirrors tf.keras.optimizers.RMSprop (learningRate 0.001, ρ 0.9, ε 1e-7).
 * @example
 * ```ts
 * const v = new tf.Variable(1);
 * new tf.keras.optimizers.RMSprop({ learningRate: 0.1, rho: 0.75, epsilon: 0 }).applyGradients([[tf.constant(3), v]]);
 * v.value().item(); // → 0.8
 * ```
 */
export class RMSprop extends Optimizer {
  /**
   * The decay of the moving average of g² (0.9).
   * @example
   * ```ts
   * new tf.keras.optimizers.RMSprop().rho; // → 0.9
   * ```
   */
  readonly rho: number;
  /**
   * Momentum on the step (0: none).
   * @example
   * ```ts
   * new tf.keras.optimizers.RMSprop({ momentum: 0.5 }).momentum; // → 0.5
   * ```
   */
  readonly momentum: number;
  /**
   * The ε inside the square root (1e-7).
   * @example
   * ```ts
   * new tf.keras.optimizers.RMSprop().epsilon; // → 1e-7
   * ```
   */
  readonly epsilon: number;
  /**
   * Whether the second moment is centered (divides by an estimate of the variance).
   * @example
   * ```ts
   * new tf.keras.optimizers.RMSprop({ centered: true }).centered; // → true
   * ```
   */
  readonly centered: boolean;
  constructor(opts: OptimizerOptions & { rho?: number; momentum?: number; epsilon?: number; centered?: boolean } = {}) {
    super(opts as Opts<typeof opts>, ["rho", "momentum", "epsilon", "centered"], 0.001);
    this.rho = unit("RMSprop", "rho", opts.rho ?? 0.9);
    this.momentum = unit("RMSprop", "momentum", opts.momentum ?? 0);
    this.epsilon = nonneg("RMSprop", "epsilon", opts.epsilon ?? 1e-7);
    this.centered = opts.centered ?? false;
  }
  protected rule(): GradientTransformation<any> {
    const o = { decay: this.rho, eps: this.epsilon };
    return optim.chain(
      this.centered ? optim.scaleByStddev(o) : optim.scaleByRms(o),
      optim.scaleByLearningRate(this.lrSchedule),
      this.momentum === 0 ? optim.identity() : optim.trace({ decay: this.momentum }),
    );
  }
}

/**
 * Adagrad, Keras's form: a ← a + g², v ← v − lr·g/√(a + ε), a starting at
 * initialAccumulatorValue. The rule is optim.scaleByRss then the learning rate. Mirrors
 * tf.keras.optimizers.Adagrad (learningRate 0.001, initialAccumulatorValue 0.1, ε 1e-7).
 * @example
 * ```ts
 * const v = new tf.Variable(1);
 * new tf.keras.optimizers.Adagrad({ learningRate: 0.5, initialAccumulatorValue: 0, epsilon: 0 }).applyGradients([[tf.constant(4), v]]);
 * v.value().item(); // → 0.5
 * ```
 */
export class Adagrad extends Optimizer {
  /**
   * The accumulator's starting value (0.1).
   * @example
   * ```ts
   * new tf.keras.optimizers.Adagrad().initialAccumulatorValue; // → 0.1
   * ```
   */
  readonly initialAccumulatorValue: number;
  /**
   * The ε inside the square root (1e-7).
   * @example
   * ```ts
   * new tf.keras.optimizers.Adagrad().epsilon; // → 1e-7
   * ```
   */
  readonly epsilon: number;
  constructor(opts: OptimizerOptions & { initialAccumulatorValue?: number; epsilon?: number } = {}) {
    super(opts as Opts<typeof opts>, ["initialAccumulatorValue", "epsilon"], 0.001);
    this.initialAccumulatorValue = nonneg("Adagrad", "initialAccumulatorValue", opts.initialAccumulatorValue ?? 0.1);
    this.epsilon = nonneg("Adagrad", "epsilon", opts.epsilon ?? 1e-7);
  }
  protected rule(): GradientTransformation<any> {
    return optim.chain(optim.scaleByRss({ initialAccumulatorValue: this.initialAccumulatorValue, eps: this.epsilon }), optim.scaleByLearningRate(this.lrSchedule));
  }
}

/**
 * Adadelta (Zeiler), Keras's form: E[g²] ← ρE[g²] + (1−ρ)g², Δ = g·√(E[Δ²] + ε)/√(E[g²] + ε),
 * E[Δ²] ← ρE[Δ²] + (1−ρ)Δ², v ← v − lr·Δ. The rule is optim.scaleByAdadelta then the learning
 * rate. Mirrors tf.keras.optimizers.Adadelta (learningRate 0.001, ρ 0.95, ε 1e-7).
 * @example
 * ```ts
 * const v = new tf.Variable(1);
 * new tf.keras.optimizers.Adadelta({ learningRate: 1, rho: 0, epsilon: 1 }).applyGradients([[tf.constant(1), v]]);
 * v.value().item(); // → 0.2928932
 * ```
 */
export class Adadelta extends Optimizer {
  /**
   * The decay of both moving averages (0.95).
   * @example
   * ```ts
   * new tf.keras.optimizers.Adadelta().rho; // → 0.95
   * ```
   */
  readonly rho: number;
  /**
   * The ε inside both square roots (1e-7).
   * @example
   * ```ts
   * new tf.keras.optimizers.Adadelta().epsilon; // → 1e-7
   * ```
   */
  readonly epsilon: number;
  constructor(opts: OptimizerOptions & { rho?: number; epsilon?: number } = {}) {
    super(opts as Opts<typeof opts>, ["rho", "epsilon"], 0.001);
    this.rho = unit("Adadelta", "rho", opts.rho ?? 0.95);
    this.epsilon = nonneg("Adadelta", "epsilon", opts.epsilon ?? 1e-7);
  }
  protected rule(): GradientTransformation<any> {
    return optim.chain(optim.scaleByAdadelta({ rho: this.rho, eps: this.epsilon }), optim.scaleByLearningRate(this.lrSchedule));
  }
}

/**
 * Nadam (Dozat), Keras's form with the momentum schedule μₜ = β₁(1 − ½·0.96ᵗ). The rule is
 * optim.scaleByNadam then the learning rate. Mirrors tf.keras.optimizers.Nadam (learningRate
 * 0.001, ε 1e-7).
 * @example
 * ```ts
 * const v = new tf.Variable(1);
 * new tf.keras.optimizers.Nadam({ learningRate: 0.1, epsilon: 0 }).applyGradients([[tf.constant(2), v]]);
 * v.value().item(); // → 0.8937212
 * ```
 */
export class Nadam extends Optimizer {
  /**
   * The decay of the first moment (0.9).
   * @example
   * ```ts
   * new tf.keras.optimizers.Nadam().beta1; // → 0.9
   * ```
   */
  readonly beta1: number;
  /**
   * The decay of the second moment (0.999).
   * @example
   * ```ts
   * new tf.keras.optimizers.Nadam().beta2; // → 0.999
   * ```
   */
  readonly beta2: number;
  /**
   * The ε added to √ŝ (1e-7).
   * @example
   * ```ts
   * new tf.keras.optimizers.Nadam().epsilon; // → 1e-7
   * ```
   */
  readonly epsilon: number;
  constructor(opts: OptimizerOptions & { beta1?: number; beta2?: number; epsilon?: number } = {}) {
    super(opts as Opts<typeof opts>, ["beta1", "beta2", "epsilon"], 0.001);
    this.beta1 = unit("Nadam", "beta1", opts.beta1 ?? 0.9);
    this.beta2 = unit("Nadam", "beta2", opts.beta2 ?? 0.999);
    this.epsilon = nonneg("Nadam", "epsilon", opts.epsilon ?? 1e-7);
  }
  protected rule(): GradientTransformation<any> {
    return optim.chain(optim.scaleByNadam({ b1: this.beta1, b2: this.beta2, eps: this.epsilon }), optim.scaleByLearningRate(this.lrSchedule));
  }
}
