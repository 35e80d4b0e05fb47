// scipy.stats.norm: the normal distribution's density, log-density and CDF (as jax.scipy.stats.norm).
import type { ArrayLike, Tensor } from "./tensor.js";
import * as np from "./numpy/index.js";
import { coerce, floaty } from "./numpy/convert.js";
import { ndtr } from "./special.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** x, loc and scale promoted together to a float dtype; z = (x − loc)/scale. */
function standardized(api: string, x: ArrayLike, loc: ArrayLike, scale: ArrayLike): [Tensor, Tensor] {
  const name = `scipy.stats.norm.${api}`;
  const [t, m, s] = coerce([floaty(x, name), floaty(loc, name), floaty(scale, name)], name) as [Tensor, Tensor, Tensor];
  return [np.divide(np.subtract(t, m), s), s];
}

/**
 * The log-density of the normal distribution N(loc, scale²) at x: −z²/2 − log(scale) − log √(2π),
 * z = (x − loc)/scale; operands broadcast.
 * Mirrors jax.scipy.stats.norm.logpdf / scipy.stats.norm.logpdf.
 * @param x - any shape; ints and bools are computed as float32.
 * @param loc - the mean, default 0 (broadcasts with x).
 * @param scale - the standard deviation, default 1 (broadcasts with x).
 * @returns a float tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * scipy.stats.norm.logpdf([0, 1]); // → [-0.918939, -1.418939]
 * ```
 */
export function logpdf(x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): Tensor {
  const [z, s] = standardized("logpdf", x, loc, scale);
  return np.subtract(np.multiply(-0.5, np.square(z)), np.add(np.log(s), LOG_SQRT_2PI));
}
/**
 * The density of the normal distribution N(loc, scale²) at x, exp(logpdf); operands broadcast.
 * Mirrors jax.scipy.stats.norm.pdf / scipy.stats.norm.pdf.
 * @param x - any shape; ints and bools are computed as float32.
 * @param loc - the mean, default 0.
 * @param scale - the standard deviation, default 1.
 * @returns a float tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * scipy.stats.norm.pdf([0], 1, 2); // → [0.176033]
 * ```
 */
export const pdf = (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): Tensor => np.exp(logpdf(x, loc, scale));
/**
 * The CDF of the normal distribution N(loc, scale²) at x, Φ((x − loc)/scale), with the lower tail's
 * relative precision; operands broadcast.
 * Mirrors jax.scipy.stats.norm.cdf / scipy.stats.norm.cdf.
 * @param x - any shape; ints and bools are computed as float32.
 * @param loc - the mean, default 0.
 * @param scale - the standard deviation, default 1.
 * @returns a float tensor of the broadcast shape, in [0, 1].
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * scipy.stats.norm.cdf([0, 1.959964]); // → [0.5, 0.975]
 * ```
 */
export const cdf = (x: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1): Tensor => ndtr(standardized("cdf", x, loc, scale)[0]);
