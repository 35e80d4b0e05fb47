// Keras/TF's Nadam rescaling (Dozat 2016 with the momentum schedule of Sutskever et al.), kept
// as its own rule: optax's nadam is Adam with a Nesterov first moment, which steps differently.
import * as np from "../core/numpy/index.js";
import type { Tensor } from "../core/tensor.js";
import { map, type PyTree } from "../core/tree.js";
import { checkNumber, checkOpts, ema, oneMinusPow, safeIncrement, zeroCount, zerosLike, type GradientTransformation } from "./base.js";

export interface NadamState {
  count: Tensor;
  /** Π_{s ≤ t} μₛ, the product of the momentum schedule so far (float32 scalar). */
  uProduct: Tensor;
  mu: PyTree;
  nu: PyTree;
}

/**
 * Nadam's rescaling as Keras computes it: with μₜ = β₁(1 − ½·0.96ᵗ) and Πₜ = μ₁⋯μₜ,
 * m ← β₁m + (1−β₁)g, ν ← β₂ν + (1−β₂)g², update (μₜ₊₁m/(1 − Πₜμₜ₊₁) + (1−μₜ)g/(1 − Πₜ)) /
 * (√(ν/(1−β₂ᵗ)) + ε). Mirrors the update of tf.keras.optimizers.Nadam (before the learning rate).
 * @param opts - b1 (0.9), b2 (0.999), eps (1e-7).
 * @returns a transformation with state `{count, uProduct, mu, nu}`.
 * @example
 * ```ts
 * const t = optim.scaleByNadam({ eps: 0 });
 * t.update(np.array([2]), t.init(np.zeros([1])))[0]; // → [1.062788]
 * ```
 */
export function scaleByNadam(opts: { b1?: number; b2?: number; eps?: number } = {}): GradientTransformation<NadamState> {
  const api = "optim.scaleByNadam";
  checkOpts(api, opts, ["b1", "b2", "eps"]);
  const b1 = checkNumber(api, "b1", opts.b1 ?? 0.9, "unit");
  const b2 = checkNumber(api, "b2", opts.b2 ?? 0.999, "unit");
  const eps = checkNumber(api, "eps", opts.eps ?? 1e-7, "nonneg");
  // μₜ = β₁(1 − ½·0.96ᵗ) at a count tensor, in float32 as Keras keeps its u_product
  const muAt = (t: Tensor) => np.multiply(np.subtract(1, np.multiply(np.power(np.array(0.96, { dtype: "float32" }), np.astype(t, "float32")), 0.5)), b1);
  return {
    init: (p) => ({ count: zeroCount(), uProduct: np.ones([], { dtype: "float32" }), mu: zerosLike(p), nu: zerosLike(p) }),
    update(u, st) {
      const count = safeIncrement(st.count);
      const uT = muAt(count);
      const uNext = muAt(np.add(count, 1));
      const prod = np.multiply(st.uProduct, uT);
      const prodNext = np.multiply(prod, uNext);
      const mu = map((g: Tensor, m: Tensor) => ema(g, m, b1, 1), u, st.mu);
      const nu = map((g: Tensor, v: Tensor) => ema(g, v, b2, 2), u, st.nu);
      const out = map((g: Tensor, m: Tensor, v: Tensor) => {
        const c = (x: Tensor) => np.astype(x, g.dtype);
        const mHat = np.add(np.divide(np.multiply(m, c(uNext)), c(np.subtract(1, prodNext))), np.divide(np.multiply(g, c(np.subtract(1, uT))), c(np.subtract(1, prod))));
        const vHat = np.divide(v, oneMinusPow(b2, count, g.dtype));
        return np.divide(mHat, np.add(np.sqrt(vHat), eps));
      }, u, mu, nu);
      return [out, { count, uProduct: prod, mu, nu }];
    },
  };
}
