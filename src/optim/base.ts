// optim's core vocabulary (optax's design): a gradient transformation is a pair of pure
// functions over pytrees, `init(params) -> state` and `update(updates, state, params?) ->
// [updates, state]`; `chain` composes them and `applyUpdates` adds the result to the params.
// Everything here is tensor in, tensor out, so one training step traces whole under jit.
import { ValueError, fail } from "../core/errors.js";
import * as np from "../core/numpy/index.js";
import { checkOptions } from "../core/numpy/options.js";
import { describeValue } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { map, type PyTree } from "../core/tree.js";

/** An optimizer state: any pytree of tensors (objects, arrays, tensors; `{}` when stateless). */
export type OptState = PyTree;

/**
 * A learning-rate schedule: the step count (an int32 scalar tensor, possibly traced under jit,
 * or a plain number) to a float32 scalar tensor. Mirrors optax.Schedule.
 */
export type Schedule = (count: Tensor | number) => Tensor;

/** A constant (a number) or a {@link Schedule} evaluated at the transformation's step count. */
export type ScalarOrSchedule = number | Schedule;

/**
 * A gradient transformation (optax.GradientTransformation): `init` builds the state from the
 * params, `update` maps gradients (or updates from an earlier transformation) to updates and a
 * new state. Both are pure: nothing is mutated, so they run inside jit, vmap and grad.
 */
export interface GradientTransformation<S extends OptState = OptState> {
  init(params: PyTree): S;
  update<U extends PyTree>(updates: U, state: S, params?: PyTree): [U, S];
}

/** The state of a transformation that keeps only a step count. */
export interface CountState {
  count: Tensor;
}

/** Throws ValueError unless x is a finite number (or a schedule when allowed). */
export function checkNumber(api: string, name: string, x: unknown, range: "any" | "nonneg" | "positive" | "unit" = "any"): number {
  const bad =
    typeof x !== "number" ||
    !Number.isFinite(x) ||
    (range === "nonneg" && x < 0) ||
    (range === "positive" && !(x > 0)) ||
    (range === "unit" && !(x >= 0 && x <= 1));
  if (bad) {
    const want = { any: "a finite number", nonneg: "a finite number ≥ 0", positive: "a finite number > 0", unit: "a number in [0, 1]" }[range];
    throw fail(ValueError, `${api}: ${name} must be ${want}, got ${describeValue(x)}.`);
  }
  return x as number;
}

/** Throws ValueError unless x is a finite number or a schedule function. */
export function checkScalarOrSchedule(api: string, name: string, x: unknown): ScalarOrSchedule {
  if (typeof x === "function") return x as Schedule;
  if (x === undefined) throw fail(ValueError, `${api}: ${name} is required; pass a number such as 1e-3 or a schedule such as optim.exponentialDecay({...}).`);
  return checkNumber(api, name, x);
}

/** checkOptions, for optim's option bags. */
export function checkOpts(api: string, opts: unknown, allowed: readonly string[]): void {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    throw fail(ValueError, `${api}: expected an options object such as { learningRate: 1e-3 }, got ${describeValue(opts)}.`);
  }
  checkOptions(api, opts as object | undefined, allowed);
}

const INT32_MAX = 2147483647;

/** A fresh int32 step counter at 0. */
export function zeroCount(): Tensor {
  return np.zeros([], { dtype: "int32" });
}

/** count + 1, saturating at the int32 maximum instead of wrapping (optax.safe_increment). */
export function safeIncrement(count: Tensor): Tensor {
  return np.where(np.less(count, INT32_MAX), np.add(count, 1), INT32_MAX);
}

/** The value of a scalar-or-schedule at `count`, as a scalar of `dtype` (or the number itself). */
export function valueAt(s: ScalarOrSchedule, count: Tensor, dtype: Tensor["dtype"]): Tensor | number {
  return typeof s === "number" ? s : np.astype(s(count), dtype);
}

/** Exponential moving average of the `order`-th power: decay·m + (1 − decay)·gᵒʳᵈᵉʳ (optax.tree.update_moment). */
export function ema(g: Tensor, m: Tensor, decay: number, order: 1 | 2): Tensor {
  const x = order === 1 ? g : np.square(g);
  return np.add(np.multiply(x, 1 - decay), np.multiply(m, decay));
}

/** m / (1 − decayᶜᵒᵘⁿᵗ), the bias correction of a zero-initialised moving average (count ≥ 1). */
export function biasCorrection(m: Tensor, decay: number, count: Tensor): Tensor {
  return np.divide(m, oneMinusPow(decay, count, m.dtype));
}

/** 1 − decayᶜᵒᵘⁿᵗ as a scalar of `dtype` (the count is an int32 tensor, traced under jit). */
export function oneMinusPow(decay: number, count: Tensor, dtype: Tensor["dtype"]): Tensor {
  return np.subtract(1, np.power(np.full([], decay, { dtype }), np.astype(count, dtype)));
}

/** tree.map over the tensor leaves of two or more trees, skipping none (null leaves stay null). */
export function mapLeaves(fn: (...xs: Tensor[]) => Tensor, tree: PyTree, ...rest: PyTree[]): any {
  return map(fn, tree, ...rest);
}

/** A tree of zeros shaped like `params`, in each leaf's dtype (or `dtype`). */
export function zerosLike(params: PyTree, dtype?: Tensor["dtype"]): PyTree {
  return map((p: unknown) => {
    const t = asTensor("optim: init", p);
    return np.zeros(t.shape, { dtype: dtype ?? t.dtype });
  }, params);
}

/** A tree of `value` shaped like `params`, in each leaf's dtype. */
export function fullLike(params: PyTree, value: number): PyTree {
  return map((p: unknown) => {
    const t = asTensor("optim: init", p);
    return np.full(t.shape, value, { dtype: t.dtype });
  }, params);
}

/** A leaf as a tensor (numbers and nested arrays of numbers are not leaves of a params tree). */
export function asTensor(api: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === "number") return np.array(x);
  throw fail(ValueError, `${api}: every leaf of params and updates must be a tensor, got ${describeValue(x)}; convert it with np.array(...).`);
}

/**
 * Composes transformations left to right: the updates of each feed the next, and the state is
 * the array of their states. Mirrors optax.chain.
 * @param transforms - the transformations, applied in order.
 * @returns a transformation whose state is `[state₀, state₁, …]`.
 * @example
 * ```ts
 * const opt = optim.chain(optim.clipByGlobalNorm(1), optim.scale(-0.5));
 * const [u] = opt.update({ w: np.array([3, 4]) }, opt.init({ w: np.zeros([2]) }));
 * u.w; // → [-0.3, -0.4]
 * ```
 */
export function chain(...transforms: GradientTransformation<any>[]): GradientTransformation<OptState[]> {
  transforms.forEach((t, i) => {
    if (t === null || typeof t !== "object" || typeof t.init !== "function" || typeof t.update !== "function") {
      throw fail(ValueError, `optim.chain: argument ${i} is ${describeValue(t)}, not a gradient transformation ({init, update}) such as optim.scale(-0.1).`);
    }
  });
  return {
    init: (params) => transforms.map((t) => t.init(params)),
    update<U extends PyTree>(updates: U, state: OptState[], params?: PyTree): [U, OptState[]] {
      if (!Array.isArray(state) || state.length !== transforms.length) {
        throw fail(ValueError, `optim.chain: the state must be the array of ${transforms.length} states that init returned, got ${describeValue(state)}.`);
      }
      let u: U = updates;
      const next = transforms.map((t, i) => {
        const [u2, s2] = t.update(u, state[i], params);
        u = u2;
        return s2;
      });
      return [u, next];
    },
  };
}

/**
 * Adds updates to params leaf by leaf (p + u, cast back to p's dtype); a null update leaves its
 * param as it is. Mirrors optax.apply_updates.
 * @param params - the parameters, a pytree of tensors.
 * @param updates - a pytree of the same structure (null where there is no update).
 * @returns the new parameters, of params' structure and dtypes.
 * @throws TreeError when the two trees differ in structure.
 * @example
 * ```ts
 * optim.applyUpdates({ w: np.array([1, 2]) }, { w: np.array([0.5, -1]) }).w; // → [1.5, 1]
 * ```
 */
export function applyUpdates<P extends PyTree>(params: P, updates: PyTree): P {
  return map((p: unknown, u: unknown) => {
    const pt = asTensor("optim.applyUpdates", p);
    const ut = asTensor("optim.applyUpdates", u);
    return np.astype(np.add(pt, ut), pt.dtype);
  }, params, updates) as P;
}

/**
 * The transformation that changes nothing and keeps no state. Mirrors optax.identity.
 * @returns a stateless transformation passing updates through.
 * @example
 * ```ts
 * const t = optim.identity();
 * t.update(np.array([1, 2]), t.init(np.zeros([2])))[0]; // → [1, 2]
 * ```
 */
export function identity(): GradientTransformation<Record<string, never>> {
  return { init: () => ({}), update: (u, s) => [u, s] };
}
