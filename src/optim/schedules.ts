// Learning-rate schedules (optax.schedules): pure functions of the step count made of tensor ops,
// so a schedule evaluated at a traced count inside jit stays in the traced program.
import { ValueError, fail } from "../core/errors.js";
import * as np from "../core/numpy/index.js";
import { Tensor } from "../core/tensor.js";
import { checkNumber, checkOpts, type Schedule } from "./base.js";

/** The count as a float32 scalar tensor (a JS number or an int32 tensor). */
function countOf(count: Tensor | number): Tensor {
  return np.astype(count instanceof Tensor ? count : np.array(count), "float32");
}

function constantTensor(value: number): Tensor {
  return np.array(value, { dtype: "float32" });
}

/**
 * The schedule that always returns `value`. Mirrors optax.constant_schedule.
 * @param value - the constant.
 * @returns a schedule (count → float32 scalar).
 * @example
 * ```ts
 * optim.constantSchedule(0.1)(42).item(); // → 0.1
 * ```
 */
export function constantSchedule(value: number): Schedule {
  checkNumber("optim.constantSchedule", "value", value);
  return () => constantTensor(value);
}

export interface LinearScheduleOptions {
  initValue: number;
  endValue: number;
  transitionSteps: number;
  /** Steps to hold initValue before the transition starts (default 0). */
  transitionBegin?: number;
}

/**
 * Linear interpolation from `initValue` to `endValue` over `transitionSteps` steps after
 * `transitionBegin` steps, constant before and after: I + clip((t − B)/T, 0, 1)·(E − I).
 * A non-positive `transitionSteps` gives the constant `initValue`, as optax.
 * Mirrors optax.linear_schedule.
 * @param opts - initValue, endValue, transitionSteps, transitionBegin?.
 * @returns a schedule.
 * @throws ValueError for a missing or non-finite value.
 * @example
 * ```ts
 * const s = optim.linearSchedule({ initValue: 1, endValue: 0, transitionSteps: 4 });
 * [0, 1, 4, 9].map((t) => s(t).item()); // → [1, 0.75, 0, 0]
 * ```
 */
export function linearSchedule(opts: LinearScheduleOptions): Schedule {
  const api = "optim.linearSchedule";
  checkOpts(api, opts, ["initValue", "endValue", "transitionSteps", "transitionBegin"]);
  const init = checkNumber(api, "initValue", opts?.initValue);
  const end = checkNumber(api, "endValue", opts.endValue);
  const steps = checkNumber(api, "transitionSteps", opts.transitionSteps);
  const begin = Math.max(0, checkNumber(api, "transitionBegin", opts.transitionBegin ?? 0));
  if (steps <= 0) return () => constantTensor(init);
  return (count) => {
    const t = np.clip(np.subtract(countOf(count), begin), 0, steps);
    // (I − E)·(1 − t/T) + E, optax's polynomial_schedule with power 1
    return np.add(np.multiply(np.subtract(1, np.divide(t, steps)), init - end), end);
  };
}

export interface ExponentialDecayOptions {
  initValue: number;
  transitionSteps: number;
  decayRate: number;
  /** Steps to hold initValue before decaying (default 0). */
  transitionBegin?: number;
  /** Decay in whole intervals: rate^⌊t/T⌋ (default false: rate^(t/T)). */
  staircase?: boolean;
  /** A floor (rate < 1) or ceiling (rate > 1) for the value. */
  endValue?: number;
}

/**
 * Exponential decay: I·rate^((t − B)/T) for t > B, I before (exponent floored with
 * `staircase`), clamped at `endValue` when given. Mirrors optax.exponential_decay.
 * @param opts - initValue, transitionSteps, decayRate, transitionBegin?, staircase?, endValue?.
 * @returns a schedule.
 * @throws ValueError for a missing or non-finite value.
 * @example
 * ```ts
 * const s = optim.exponentialDecay({ initValue: 1, transitionSteps: 2, decayRate: 0.5 });
 * [0, 1, 2, 4].map((t) => s(t).item()); // → [1, 0.7071068, 0.5, 0.25]
 * ```
 */
export function exponentialDecay(opts: ExponentialDecayOptions): Schedule {
  const api = "optim.exponentialDecay";
  checkOpts(api, opts, ["initValue", "transitionSteps", "decayRate", "transitionBegin", "staircase", "endValue"]);
  const init = checkNumber(api, "initValue", opts?.initValue);
  const steps = checkNumber(api, "transitionSteps", opts.transitionSteps);
  const rate = checkNumber(api, "decayRate", opts.decayRate);
  const begin = Math.max(0, checkNumber(api, "transitionBegin", opts.transitionBegin ?? 0));
  const end = opts.endValue === undefined ? undefined : checkNumber(api, "endValue", opts.endValue);
  if (steps <= 0 || rate === 0) return () => constantTensor(init);
  return (count) => {
    const dt = np.subtract(countOf(count), begin);
    let p = np.divide(dt, steps);
    if (opts.staircase) p = np.floor(p);
    let v = np.where(np.lessEqual(dt, 0), init, np.multiply(np.power(np.array(rate, { dtype: "float32" }), p), init));
    if (end !== undefined) v = rate < 1 ? np.maximum(v, end) : np.minimum(v, end);
    return v;
  };
}

export interface CosineDecayOptions {
  initValue: number;
  decaySteps: number;
  /** The final value as a fraction of initValue (default 0). */
  alpha?: number;
  /** Power applied to the cosine factor (default 1). */
  exponent?: number;
}

/**
 * Cosine decay: I·((1 − α)·(½(1 + cos(π·min(t, T)/T)))^exponent + α). Mirrors
 * optax.cosine_decay_schedule.
 * @param opts - initValue, decaySteps (> 0), alpha?, exponent?.
 * @returns a schedule.
 * @throws ValueError when decaySteps is not positive.
 * @example
 * ```ts
 * const s = optim.cosineDecaySchedule({ initValue: 2, decaySteps: 4 });
 * [0, 2, 4, 8].map((t) => s(t).item()); // → [2, 1, 0, 0]
 * ```
 */
export function cosineDecaySchedule(opts: CosineDecayOptions): Schedule {
  const api = "optim.cosineDecaySchedule";
  checkOpts(api, opts, ["initValue", "decaySteps", "alpha", "exponent"]);
  const init = checkNumber(api, "initValue", opts?.initValue);
  const steps = checkNumber(api, "decaySteps", opts.decaySteps, "positive");
  const alpha = checkNumber(api, "alpha", opts.alpha ?? 0);
  const exponent = checkNumber(api, "exponent", opts.exponent ?? 1);
  return (count) => {
    const t = np.minimum(countOf(count), steps);
    const cosine = np.multiply(np.add(np.cos(np.multiply(t, Math.PI / steps)), 1), 0.5);
    return np.multiply(np.add(np.multiply(np.power(cosine, exponent), 1 - alpha), alpha), init);
  };
}

export interface WarmupCosineDecayOptions {
  initValue: number;
  peakValue: number;
  warmupSteps: number;
  /** Total length of the schedule, warmup included. */
  decaySteps: number;
  /** The value reached at decaySteps (default 0). */
  endValue?: number;
  exponent?: number;
}

/**
 * Linear warmup from `initValue` to `peakValue` over `warmupSteps`, then cosine decay to
 * `endValue` at `decaySteps` (the total length). Mirrors optax.warmup_cosine_decay_schedule.
 * @param opts - initValue, peakValue, warmupSteps, decaySteps (> warmupSteps), endValue?, exponent?.
 * @returns a schedule.
 * @throws ValueError when decaySteps ≤ warmupSteps.
 * @example
 * ```ts
 * const s = optim.warmupCosineDecaySchedule({ initValue: 0, peakValue: 1, warmupSteps: 2, decaySteps: 6 });
 * [0, 1, 2, 4, 6].map((t) => s(t).item()); // → [0, 0.5, 1, 0.5, 0]
 * ```
 */
export function warmupCosineDecaySchedule(opts: WarmupCosineDecayOptions): Schedule {
  const api = "optim.warmupCosineDecaySchedule";
  checkOpts(api, opts, ["initValue", "peakValue", "warmupSteps", "decaySteps", "endValue", "exponent"]);
  const init = checkNumber(api, "initValue", opts?.initValue);
  const peak = checkNumber(api, "peakValue", opts.peakValue);
  const warm = checkNumber(api, "warmupSteps", opts.warmupSteps, "nonneg");
  const steps = checkNumber(api, "decaySteps", opts.decaySteps);
  const end = checkNumber(api, "endValue", opts.endValue ?? 0);
  if (!(steps > warm)) {
    throw fail(ValueError, `${api}: decaySteps (${steps}) is the total length of the schedule and must exceed warmupSteps (${warm}); pass decaySteps = warmupSteps + the length of the decay.`);
  }
  const warmup = linearSchedule({ initValue: init, endValue: peak, transitionSteps: warm });
  const decay = cosineDecaySchedule({ initValue: peak, decaySteps: steps - warm, alpha: peak === 0 ? 0 : end / peak, exponent: opts.exponent ?? 1 });
  // optax.join_schedules: the second schedule runs on the count since the boundary
  return (count) => {
    const c = countOf(count);
    return np.where(np.less(c, warm), warmup(c), decay(np.subtract(c, warm)));
  };
}
