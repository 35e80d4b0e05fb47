// scipy.special: the special functions over the special-function primitives and the numpy layer
// (the top-level export `scipy`, as jax.scipy.special).
import { ValueError, fail } from "./errors.js";
import type { ArrayLike, Tensor } from "./tensor.js";
import { bind1 } from "./trace.js";
import * as P from "./primitives/special.js";
import * as np from "./numpy/index.js";
import { coerce, floaty } from "./numpy/convert.js";

/** x as a float tensor (ints and bools become float32, as in JAX), named by `api` in errors. */
const fl = (api: string, x: ArrayLike): Tensor => floaty(x, `scipy.special.${api}`);
/** Two operands promoted together to a float dtype. */
const fl2 = (api: string, a: ArrayLike, b: ArrayLike): [Tensor, Tensor] => coerce([fl(api, a), fl(api, b)], `scipy.special.${api}`) as [Tensor, Tensor];

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise; its derivative is 2/√π e^(−x²).
 * Mirrors jax.scipy.special.erf / scipy.special.erf.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape, in [−1, 1].
 * @example
 * ```ts
 * scipy.special.erf([0, 0.5, 3]); // → [0, 0.5205, 0.999978]
 * ```
 */
export const erf = (x: ArrayLike): Tensor => bind1(P.erfP, [fl("erf", x)], {});
/**
 * The complementary error function erfc(x) = 1 − erf(x), elementwise, computed directly so the
 * upper tail keeps its relative precision (erfc(10) ≈ 2.1e−45 in float64).
 * Mirrors jax.scipy.special.erfc / scipy.special.erfc.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape, in [0, 2].
 * @example
 * ```ts
 * scipy.special.erfc([0, 1]); // → [1, 0.157299]
 * ```
 */
export const erfc = (x: ArrayLike): Tensor => bind1(P.erfcP, [fl("erfc", x)], {});
/**
 * The inverse error function: erfinv(erf(y)) = y, elementwise; ±∞ at ±1 and NaN outside [−1, 1].
 * Its derivative is √π/2 · e^(erfinv(x)²).
 * Mirrors jax.scipy.special.erfinv / scipy.special.erfinv.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * scipy.special.erfinv([0, 0.5]); // → [0, 0.476936]
 * ```
 */
export const erfinv = (x: ArrayLike): Tensor => bind1(P.erfInvP, [fl("erfinv", x)], {});
/**
 * log|Γ(x)|, elementwise; +∞ at the poles 0, −1, −2, …. Its derivative is {@link digamma}.
 * Mirrors jax.scipy.special.gammaln / scipy.special.gammaln.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * scipy.special.gammaln([1, 5, 0.5]); // → [0, 3.178054, 0.572365]
 * ```
 */
export const gammaln = (x: ArrayLike): Tensor => bind1(P.lgammaP, [fl("gammaln", x)], {});
/**
 * The digamma function ψ(x) = d/dx log Γ(x), elementwise; NaN at the poles 0, −1, −2, … (as JAX).
 * Its derivative is polygamma(1, x).
 * Mirrors jax.scipy.special.digamma / scipy.special.digamma.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * scipy.special.digamma([1, 2]); // → [-0.577216, 0.422784]
 * ```
 */
export const digamma = (x: ArrayLike): Tensor => bind1(P.digammaP, [fl("digamma", x)], {});
/**
 * The polygamma function ψ⁽ⁿ⁾(x), the n-th derivative of ψ, elementwise, for an integer order n ≥ 0
 * (n = 0 is {@link digamma}); differentiable in x to any order.
 * Mirrors jax.scipy.special.polygamma / scipy.special.polygamma (n a JS integer, not an array).
 * @param n - the order, an integer ≥ 0.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape.
 * @throws ValueError for an n that is not an integer ≥ 0.
 * @example
 * ```ts
 * scipy.special.polygamma(1, [1]); // → [1.644934]
 * ```
 */
export function polygamma(n: number, x: ArrayLike): Tensor {
  if (!Number.isInteger(n) || n < 0) throw fail(ValueError, `scipy.special.polygamma: the order n must be an integer ≥ 0, got ${String(n)}.`);
  const t = fl("polygamma", x);
  return n === 0 ? bind1(P.digammaP, [t], {}) : bind1(P.polygammaP, [t], { n });
}
/**
 * The logit log(p / (1 − p)), the inverse of {@link expit}, elementwise; ∓∞ at 0 and 1.
 * Mirrors jax.scipy.special.logit / scipy.special.logit.
 * @param p - any shape; ints and bools are computed as float32.
 * @returns a float tensor of p's shape.
 * @example
 * ```ts
 * scipy.special.logit([0.5, 0.75]); // → [0, 1.098612]
 * ```
 */
export function logit(p: ArrayLike): Tensor {
  const t = fl("logit", p);
  return np.log(np.divide(t, np.subtract(1, t)));
}
/**
 * The logistic sigmoid 1 / (1 + e⁻ˣ), elementwise (the inverse of {@link logit}).
 * Mirrors jax.scipy.special.expit / scipy.special.expit.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape, in (0, 1).
 * @example
 * ```ts
 * scipy.special.expit([0, 2]); // → [0.5, 0.880797]
 * ```
 */
export const expit = (x: ArrayLike): Tensor => np.sigmoid(fl("expit", x));
/**
 * x·log(y), elementwise, with 0 where x = 0 (also for y = 0), so 0·log 0 = 0; operands broadcast.
 * Differentiable; where x = 0 the derivative is taken through the 0 branch (JAX's rule gives
 * log y and x/y there).
 * Mirrors jax.scipy.special.xlogy / scipy.special.xlogy.
 * @param x - any shape; ints and bools are computed as float32.
 * @param y - a shape broadcasting with x.
 * @returns a float tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * scipy.special.xlogy([0, 2], [0, Math.E]); // → [0, 2]
 * ```
 */
export function xlogy(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = fl2("xlogy", x, y);
  const zero = np.equal(a, 0);
  // the log sees 1 where x = 0, so neither branch's derivative is 0·∞
  return np.where(zero, 0, np.multiply(a, np.log(np.where(zero, 1, b))));
}
/**
 * x·log(1 + y), elementwise, with 0 where x = 0 (also for y = −1); operands broadcast.
 * Mirrors jax.scipy.special.xlog1py / scipy.special.xlog1py.
 * @param x - any shape; ints and bools are computed as float32.
 * @param y - a shape broadcasting with x.
 * @returns a float tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * scipy.special.xlog1py([0, 2], [-1, 0]); // → [0, 0]
 * ```
 */
export function xlog1py(x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = fl2("xlog1py", x, y);
  const zero = np.equal(a, 0);
  return np.where(zero, 0, np.multiply(a, np.log1p(np.where(zero, 0, b))));
}
/**
 * log(Σ exp(x)) over the given axes, stably; the same function as numpy.logsumexp.
 * Mirrors jax.scipy.special.logsumexp / scipy.special.logsumexp (no `b` or `return_sign`).
 * @param x - any shape; float dtypes (ints are computed as float32).
 * @param axis - an axis or list of axes, or none for all.
 * @param opts.keepdims - keep the reduced axes with size 1, default false.
 * @returns x's shape without the reduced axes, float.
 * @throws AxisError for an out-of-range or repeated axis.
 * @example
 * ```ts
 * scipy.special.logsumexp([1000, 1000]); // → 1000.693147
 * ```
 */
export const logsumexp = np.logsumexp;
/**
 * The standard normal CDF Φ(x) = ½ erfc(−x/√2), elementwise; the lower tail keeps its relative
 * precision (ndtr(−30) ≈ 4.9e−198 in float64).
 * Mirrors jax.scipy.special.ndtr / scipy.special.ndtr.
 * @param x - any shape; ints and bools are computed as float32.
 * @returns a float tensor of x's shape, in [0, 1].
 * @example
 * ```ts
 * scipy.special.ndtr([0, 1.959964]); // → [0.5, 0.975]
 * ```
 */
export function ndtr(x: ArrayLike): Tensor {
  const t = fl("ndtr", x);
  return np.multiply(0.5, bind1(P.erfcP, [np.multiply(t, -Math.SQRT1_2)], {}));
}
/**
 * The standard normal quantile Φ⁻¹(p), the inverse of {@link ndtr}, elementwise; ∓∞ at 0 and 1,
 * NaN outside [0, 1]; full float64 precision in both tails (ndtri(1e−300) ≈ −37.04); its
 * derivative is 1/φ(Φ⁻¹(p)).
 * Mirrors jax.scipy.special.ndtri / scipy.special.ndtri.
 * @param p - any shape; ints and bools are computed as float32.
 * @returns a float tensor of p's shape.
 * @example
 * ```ts
 * scipy.special.ndtri([0.5, 0.975]); // → [0, 1.959964]
 * ```
 */
export const ndtri = (p: ArrayLike): Tensor => bind1(P.ndtriP, [fl("ndtri", p)], {});
