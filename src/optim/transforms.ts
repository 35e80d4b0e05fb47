// The gradient transformations optim's optimizers are chained from (optax's transform.py and
// clipping.py): each is one update rule, written once, per leaf, in tensor ops. The Keras
// optimizers of tapir/compat wrap these same transformations.
import { ValueError, fail } from "../core/errors.js";
import * as np from "../core/numpy/index.js";
import type { Tensor } from "../core/tensor.js";
import { leaves, map, type PyTree } from "../core/tree.js";
import {
  asTensor, biasCorrection, checkNumber, checkOpts, checkScalarOrSchedule, ema, fullLike, oneMinusPow, safeIncrement, valueAt,
  zeroCount, zerosLike, type CountState, type GradientTransformation, type ScalarOrSchedule, type Schedule,
} from "./base.js";

/** The state of a stateless gradient transformation. */
export type EmptyState = Record<string, never>;
const leafMap = (fn: (...xs: Tensor[]) => Tensor, t: PyTree, ...rest: PyTree[]): any => map(fn, t, ...rest);

/**
 * Multiplies every update by a constant. Mirrors optax.scale.
 * @param stepSize - the factor (use a negative one for descent).
 * @returns a stateless transformation.
 * @example
 * ```ts
 * const t = optim.scale(-0.1);
 * t.update([np.array([1, 2])], t.init([np.zeros([2])]))[0][0]; // → [-0.1, -0.2]
 * ```
 */
export function scale(stepSize: number): GradientTransformation<EmptyState> {
  const s = checkNumber("optim.scale", "stepSize", stepSize);
  return { init: () => ({}), update: (u, st) => [leafMap((g) => np.multiply(g, s), u), st] };
}

/**
 * Multiplies every update by `schedule(count)` and counts the step (the first update sees
 * count 0). Mirrors optax.scale_by_schedule.
 * @param schedule - a function of the step count, such as optim.exponentialDecay({...}).
 * @returns a transformation with state `{count}`.
 * @example
 * ```ts
 * const t = optim.scaleBySchedule((c) => np.add(np.astype(c, "float32"), 1));
 * let s = t.init(np.zeros([1]));
 * let u; [u, s] = t.update(np.ones([1]), s); [u, s] = t.update(np.ones([1]), s);
 * u; // → [2]
 * ```
 */
export function scaleBySchedule(schedule: Schedule): GradientTransformation<CountState> {
  if (typeof schedule !== "function") throw fail(ValueError, `optim.scaleBySchedule: expected a schedule function of the step count, got ${typeof schedule}; use optim.scale for a constant.`);
  return {
    init: () => ({ count: zeroCount() }),
    update: (u, st) => [leafMap((g) => np.multiply(g, valueAt(schedule, st.count, g.dtype)), u), { count: safeIncrement(st.count) }],
  };
}

/**
 * Scales updates by the learning rate, negated by default (so that applyUpdates descends): −lr·g,
 * with lr a number or a schedule of the step count. Mirrors optax.scale_by_learning_rate.
 * @param learningRate - a number or a schedule.
 * @param opts - flipSign (default true).
 * @returns a transformation (stateless for a number, `{count}` for a schedule).
 * @example
 * ```ts
 * const t = optim.scaleByLearningRate(0.5);
 * t.update(np.array([2]), t.init(np.zeros([1])))[0]; // → [-1]
 * ```
 */
export function scaleByLearningRate(learningRate: ScalarOrSchedule, opts: { flipSign?: boolean } = {}): GradientTransformation<EmptyState> | GradientTransformation<CountState> {
  checkOpts("optim.scaleByLearningRate", opts, ["flipSign"]);
  const lr = checkScalarOrSchedule("optim.scaleByLearningRate", "learningRate", learningRate);
  const sign = opts.flipSign === false ? 1 : -1;
  if (typeof lr === "number") return scale(sign * lr);
  return scaleBySchedule((c) => np.multiply(lr(c), sign));
}

export interface TraceState {
  trace: PyTree;
}

/**
 * Momentum: t ← g + decay·t, the update is t (Nesterov: g + decay·t). Mirrors optax.trace.
 * @param opts - decay (the momentum, required), nesterov (default false).
 * @returns a transformation with state `{trace}`.
 * @example
 * ```ts
 * const t = optim.trace({ decay: 0.5 });
 * let s = t.init(np.zeros([1]));
 * let u; [u, s] = t.update(np.ones([1]), s); [u, s] = t.update(np.ones([1]), s);
 * u; // → [1.5]
 * ```
 */
export function trace(opts: { decay: number; nesterov?: boolean }): GradientTransformation<TraceState> {
  checkOpts("optim.trace", opts, ["decay", "nesterov"]);
  const decay = checkNumber("optim.trace", "decay", opts?.decay);
  const f = (g: Tensor, t: Tensor) => np.add(g, np.multiply(t, decay));
  return {
    init: (p) => ({ trace: zerosLike(p) }),
    update(u, st) {
      const next = leafMap(f, u, st.trace);
      return [opts.nesterov ? leafMap(f, u, next) : next, { trace: next }];
    },
  };
}

export interface ScaleByAdamOptions {
  b1?: number;
  b2?: number;
  eps?: number;
  /** Added to ν̂ inside the square root (default 0). */
  epsRoot?: number;
  /**
   * AMSGrad: divide by the running maximum of the second moment (of ν̂, as optax.scale_by_amsgrad;
   * with `epsilonHat`, of the raw ν, as Keras).
   */
  amsgrad?: boolean;
  /**
   * Keras/TF's form (the ε̂ of Kingma & Ba §2): m·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√ν + ε), so ε is added
   * before the bias correction of ν (default false: optax's m̂ / (√ν̂ + ε)).
   */
  epsilonHat?: boolean;
}

export interface AdamState {
  count: Tensor;
  mu: PyTree;
  nu: PyTree;
  nuMax?: PyTree;
}

/**
 * Adam's rescaling (Kingma & Ba): m ← β₁m + (1−β₁)g, ν ← β₂ν + (1−β₂)g², update m̂ / (√(ν̂ + ε_root)
 * + ε) with m̂ = m/(1−β₁ᵗ), ν̂ = ν/(1−β₂ᵗ). Mirrors optax.scale_by_adam (and, with amsgrad,
 * optax.scale_by_amsgrad).
 * @param opts - b1 (0.9), b2 (0.999), eps (1e-8), epsRoot (0), amsgrad, epsilonHat.
 * @returns a transformation with state `{count, mu, nu}` (`nuMax` too with amsgrad).
 * @example
 * ```ts
 * const t = optim.scaleByAdam();
 * t.update(np.array([3]), t.init(np.zeros([1])))[0]; // → [1]
 * ```
 */
export function scaleByAdam(opts: ScaleByAdamOptions = {}): GradientTransformation<AdamState> {
  const api = "optim.scaleByAdam";
  checkOpts(api, opts, ["b1", "b2", "eps", "epsRoot", "amsgrad", "epsilonHat"]);
  const b1 = checkNumber(api, "b1", opts.b1 ?? 0.9, "unit");
  const b2 = checkNumber(api, "b2", opts.b2 ?? 0.999, "unit");
  const eps = checkNumber(api, "eps", opts.eps ?? 1e-8, "nonneg");
  const epsRoot = checkNumber(api, "epsRoot", opts.epsRoot ?? 0, "nonneg");
  return {
    init: (p) => ({ count: zeroCount(), mu: zerosLike(p), nu: zerosLike(p), ...(opts.amsgrad ? { nuMax: zerosLike(p) } : {}) }),
    update(u, st) {
      const count = safeIncrement(st.count);
      const mu = leafMap((g, m) => ema(g, m, b1, 1), u, st.mu);
      const nu = leafMap((g, v) => ema(g, v, b2, 2), u, st.nu);
      let nuMax: PyTree | undefined;
      let out: PyTree;
      if (opts.epsilonHat) {
        // Keras: m·√(1−β₂ᵗ)/(1−β₁ᵗ) / (√ν + ε), the max (AMSGrad) taken over the raw ν
        if (opts.amsgrad) nuMax = leafMap((a, b) => np.maximum(a, b), st.nuMax, nu);
        out = leafMap((m, v) => {
          const alpha = np.divide(np.sqrt(oneMinusPow(b2, count, m.dtype)), oneMinusPow(b1, count, m.dtype));
          return np.divide(np.multiply(m, alpha), np.add(np.sqrt(np.add(v, epsRoot)), eps));
        }, mu, nuMax ?? nu);
      } else {
        let nuHat = leafMap((v) => biasCorrection(v, b2, count), nu);
        if (opts.amsgrad) nuHat = nuMax = leafMap((a, b) => np.maximum(a, b), st.nuMax, nuHat);
        out = leafMap((m, v) => np.divide(biasCorrection(m, b1, count), np.add(np.sqrt(np.add(v, epsRoot)), eps)), mu, nuHat);
      }
      return [out as typeof u, { count, mu, nu, ...(nuMax === undefined ? {} : { nuMax }) }];
    },
  };
}

export interface RmsState {
  nu: PyTree;
  mu?: PyTree;
}

/**
 * RMSprop's rescaling: ν ← decay·ν + (1−decay)g², update g / √(ν + ε). Mirrors optax.scale_by_rms.
 * @param opts - decay (0.9), eps (1e-8), initialScale (0, ν's starting value).
 * @returns a transformation with state `{nu}`.
 * @example
 * ```ts
 * const t = optim.scaleByRms({ decay: 0.75, eps: 0 });
 * t.update(np.array([2]), t.init(np.zeros([1])))[0]; // → [2]
 * ```
 */
export function scaleByRms(opts: { decay?: number; eps?: number; initialScale?: number } = {}): GradientTransformation<RmsState> {
  const api = "optim.scaleByRms";
  checkOpts(api, opts, ["decay", "eps", "initialScale"]);
  const decay = checkNumber(api, "decay", opts.decay ?? 0.9, "unit");
  const eps = checkNumber(api, "eps", opts.eps ?? 1e-8, "nonneg");
  const init = checkNumber(api, "initialScale", opts.initialScale ?? 0);
  return {
    init: (p) => ({ nu: fullLike(p, init) }),
    update(u, st) {
      const nu = leafMap((g, v) => ema(g, v, decay, 2), u, st.nu);
      return [leafMap((g, v) => np.divide(g, np.sqrt(np.add(v, eps))), u, nu), { nu }];
    },
  };
}

/**
 * Centered RMSprop's rescaling: μ ← decay·μ + (1−decay)g, ν ← decay·ν + (1−decay)g², update
 * g / √(ν − μ² + ε). Mirrors optax.scale_by_stddev.
 * @param opts - decay (0.9), eps (1e-8), initialScale (0).
 * @returns a transformation with state `{mu, nu}`.
 * @example
 * ```ts
 * const t = optim.scaleByStddev({ decay: 0.5, eps: 0 });
 * t.update(np.array([2]), t.init(np.zeros([1])))[0]; // → [2]
 * ```
 */
export function scaleByStddev(opts: { decay?: number; eps?: number; initialScale?: number } = {}): GradientTransformation<RmsState> {
  const api = "optim.scaleByStddev";
  checkOpts(api, opts, ["decay", "eps", "initialScale"]);
  const decay = checkNumber(api, "decay", opts.decay ?? 0.9, "unit");
  const eps = checkNumber(api, "eps", opts.eps ?? 1e-8, "nonneg");
  const init = checkNumber(api, "initialScale", opts.initialScale ?? 0);
  return {
    init: (p) => ({ mu: zerosLike(p), nu: fullLike(p, init) }),
    update(u, st) {
      const mu = leafMap((g, m) => ema(g, m, decay, 1), u, st.mu);
      const nu = leafMap((g, v) => ema(g, v, decay, 2), u, st.nu);
      const out = leafMap((g, m, v) => np.divide(g, np.sqrt(np.add(np.subtract(v, np.square(m)), eps))), u, mu, nu);
      return [out, { mu, nu }];
    },
  };
}

export interface RssState {
  sumOfSquares: PyTree;
}

/**
 * Adagrad's rescaling: S ← S + g², update g / √(S + ε) (0 where S is 0). Mirrors optax.scale_by_rss.
 * @param opts - initialAccumulatorValue (0.1), eps (1e-7).
 * @returns a transformation with state `{sumOfSquares}`.
 * @example
 * ```ts
 * const t = optim.scaleByRss({ initialAccumulatorValue: 0, eps: 0 });
 * t.update(np.array([-3]), t.init(np.zeros([1])))[0]; // → [-1]
 * ```
 */
export function scaleByRss(opts: { initialAccumulatorValue?: number; eps?: number } = {}): GradientTransformation<RssState> {
  const api = "optim.scaleByRss";
  checkOpts(api, opts, ["initialAccumulatorValue", "eps"]);
  const init = checkNumber(api, "initialAccumulatorValue", opts.initialAccumulatorValue ?? 0.1, "nonneg");
  const eps = checkNumber(api, "eps", opts.eps ?? 1e-7, "nonneg");
  return {
    init: (p) => ({ sumOfSquares: fullLike(p, init) }),
    update(u, st) {
      const sos = leafMap((g, s) => np.add(np.square(g), s), u, st.sumOfSquares);
      const out = leafMap((g, s) => np.where(np.greater(s, 0), np.divide(g, np.sqrt(np.add(s, eps))), np.zerosLike(g)), u, sos);
      return [out, { sumOfSquares: sos }];
    },
  };
}

/**
 * Lion's rescaling (Chen et al. 2023): update sign((1−β₁)g + β₁m), then m ← β₂m + (1−β₂)g.
 * Mirrors optax.scale_by_lion.
 * @param opts - b1 (0.9), b2 (0.99).
 * @returns a transformation with state `{count, mu}`.
 * @example
 * ```ts
 * const t = optim.scaleByLion();
 * t.update(np.array([0.3, -2]), t.init(np.zeros([2])))[0]; // → [1, -1]
 * ```
 */
export function scaleByLion(opts: { b1?: number; b2?: number } = {}): GradientTransformation<{ count: Tensor; mu: PyTree }> {
  const api = "optim.scaleByLion";
  checkOpts(api, opts, ["b1", "b2"]);
  const b1 = checkNumber(api, "b1", opts.b1 ?? 0.9, "unit");
  const b2 = checkNumber(api, "b2", opts.b2 ?? 0.99, "unit");
  return {
    init: (p) => ({ count: zeroCount(), mu: zerosLike(p) }),
    update(u, st) {
      const out = leafMap((g, m) => np.sign(ema(g, m, b1, 1)), u, st.mu);
      const mu = leafMap((g, m) => ema(g, m, b2, 1), u, st.mu);
      return [out, { count: safeIncrement(st.count), mu }];
    },
  };
}

/**
 * Adadelta's rescaling (Zeiler 2012): E[g²] ← ρE[g²] + (1−ρ)g², Δ = g·√(E[Δ²] + ε)/√(E[g²] + ε),
 * E[Δ²] ← ρE[Δ²] + (1−ρ)Δ²; the update is Δ. Mirrors optax.scale_by_adadelta.
 * @param opts - rho (0.9), eps (1e-6).
 * @returns a transformation with state `{eG, eX}`.
 * @example
 * ```ts
 * const t = optim.scaleByAdadelta({ rho: 0.5, eps: 1 });
 * t.update(np.array([0]), t.init(np.zeros([1])))[0]; // → [0]
 * ```
 */
export function scaleByAdadelta(opts: { rho?: number; eps?: number } = {}): GradientTransformation<{ eG: PyTree; eX: PyTree }> {
  const api = "optim.scaleByAdadelta";
  checkOpts(api, opts, ["rho", "eps"]);
  const rho = checkNumber(api, "rho", opts.rho ?? 0.9, "unit");
  const eps = checkNumber(api, "eps", opts.eps ?? 1e-6, "nonneg");
  return {
    init: (p) => ({ eG: zerosLike(p), eX: zerosLike(p) }),
    update(u, st) {
      const eG = leafMap((g, e) => ema(g, e, rho, 2), u, st.eG);
      const out = leafMap((g, eg, ex) => np.multiply(np.divide(np.sqrt(np.add(ex, eps)), np.sqrt(np.add(eg, eps))), g), u, eG, st.eX);
      const eX = leafMap((d, e) => ema(d, e, rho, 2), out, st.eX);
      return [out, { eG, eX }];
    },
  };
}

/**
 * Decoupled weight decay: adds weightDecay·param to each update (AdamW, Loshchilov & Hutter).
 * Mirrors optax.add_decayed_weights.
 * @param weightDecay - the factor (a number or a schedule).
 * @returns a transformation that needs `params` in update.
 * @throws ValueError when update is called without params.
 * @example
 * ```ts
 * const t = optim.addDecayedWeights(0.1);
 * t.update(np.array([1]), t.init(np.array([5])), np.array([5]))[0]; // → [1.5]
 * ```
 */
export function addDecayedWeights(weightDecay: ScalarOrSchedule): GradientTransformation<EmptyState> | GradientTransformation<CountState> {
  const api = "optim.addDecayedWeights";
  const wd = checkScalarOrSchedule(api, "weightDecay", weightDecay);
  const add = (u: PyTree, params: PyTree | undefined, w: (t: Tensor) => Tensor | number): PyTree => {
    if (params === undefined || params === null) throw fail(ValueError, `${api}: update needs the params (opt.update(grads, state, params)) to decay them.`);
    return leafMap((g, p) => np.add(g, np.multiply(asTensor(api, p), w(g))), u, params);
  };
  if (typeof wd === "number") {
    const constant: GradientTransformation<EmptyState> = { init: () => ({}), update: (u, st, p) => [add(u, p, () => wd) as typeof u, st] };
    return constant;
  }
  const scheduled: GradientTransformation<CountState> = {
    init: () => ({ count: zeroCount() }),
    update: (u, st, p) => [add(u, p, (g) => valueAt(wd, st.count, g.dtype)) as typeof u, { count: safeIncrement(st.count) }],
  };
  return scheduled;
}

/**
 * Clips every update elementwise to [−maxDelta, maxDelta]. Mirrors optax.clip.
 * @param maxDelta - the bound (≥ 0).
 * @returns a stateless transformation.
 * @example
 * ```ts
 * const t = optim.clip(1);
 * t.update(np.array([-3, 0.5, 2]), t.init(np.zeros([3])))[0]; // → [-1, 0.5, 1]
 * ```
 */
export function clip(maxDelta: number): GradientTransformation<EmptyState> {
  const c = checkNumber("optim.clip", "maxDelta", maxDelta, "nonneg");
  return { init: () => ({}), update: (u, st) => [leafMap((g) => np.clip(g, -c, c), u), st] };
}

/**
 * The global L2 norm of a pytree: √(Σ over leaves of Σ x²). Mirrors optax.global_norm.
 * @param updates - a pytree of tensors.
 * @returns a scalar tensor.
 * @example
 * ```ts
 * optim.globalNorm({ a: np.array([3]), b: np.array([4]) }).item(); // → 5
 * ```
 */
export function globalNorm(updates: PyTree): Tensor {
  const ls = leaves(updates).map((l) => asTensor("optim.globalNorm", l));
  if (ls.length === 0) return np.array(0);
  return np.sqrt(ls.map((l) => np.sum(np.square(l))).reduce((a, b) => np.add(a, b)));
}

/**
 * Rescales all updates together so that their global norm is at most maxNorm: g·maxNorm/‖g‖
 * when ‖g‖ ≥ maxNorm (norm over every leaf together). Mirrors optax.clip_by_global_norm.
 * @param maxNorm - the largest global norm let through (> 0).
 * @returns a stateless transformation.
 * @example
 * ```ts
 * const t = optim.clipByGlobalNorm(1);
 * t.update([np.array([3]), np.array([4])], t.init([np.zeros([1]), np.zeros([1])]))[0][1]; // → [0.8]
 * ```
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<EmptyState> {
  const c = checkNumber("optim.clipByGlobalNorm", "maxNorm", maxNorm, "positive");
  return {
    init: () => ({}),
    update(u, st) {
      const norm = globalNorm(u);
      const keep = np.less(norm, c);
      return [leafMap((g) => np.where(keep, g, np.multiply(np.divide(g, np.astype(norm, g.dtype)), c)), u), st];
    },
  };
}
