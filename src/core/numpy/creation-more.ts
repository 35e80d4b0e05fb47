// More creation functions of the numpy layer (log- and geometric ranges, identity, tri,
// fromfunction) and numpy's constants. Ranges are computed in float64 in plain JS, then rounded
// to the dtype, as linspace is.
import { ValueError, fail } from "../errors.js";
import { checkShape, describeValue } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { array, astype, checkDType, zerosLike, type DTypeOpt } from "./convert.js";
import { eye } from "./creation.js";
import { checkOptions } from "./options.js";

/** numpy's linspace points in float64: start + i·step, the last exactly stop with an endpoint. */
function points(api: string, start: number, stop: number, num: number, endpoint: boolean): Float64Array {
  checkShape(api, num, "num");
  if (typeof start !== "number" || typeof stop !== "number") throw fail(ValueError, `${api}: start and stop must be numbers, got ${describeValue(start)} and ${describeValue(stop)}.`);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  return new Float64Array(num).map((_, i) => (endpoint && i === num - 1 && num > 1 ? stop : start + i * step));
}
/**
 * `num` values base^t for t evenly spaced from start to stop (inclusive unless `endpoint: false`).
 * Mirrors numpy.logspace / jax.numpy.logspace (options object: endpoint, base = 10, dtype = float32).
 * @example
 * ```ts
 * np.logspace(0, 3, 4); // → [1, 10, 100, 1000]
 * np.logspace(0, 3, 4, { base: 2 }); // → [1, 2, 4, 8]
 * ```
 */
export function logspace(start: number, stop: number, num = 50, opts: DTypeOpt & { endpoint?: boolean; base?: number } = {}): Tensor {
  checkOptions("logspace", opts, ["dtype", "endpoint", "base"]);
  checkDType("logspace", opts.dtype);
  const base = opts.base ?? 10;
  return array(points("logspace", start, stop, num, opts.endpoint ?? true).map((t) => base ** t), { dtype: opts.dtype ?? "float32" });
}
/**
 * `num` values from start to stop in a geometric progression (each a constant multiple of the
 * last); the ends are exactly start and stop.
 * Mirrors numpy.geomspace / jax.numpy.geomspace (options object: endpoint, dtype = float32).
 * @throws ValueError when start or stop is 0 or they differ in sign.
 * @example
 * ```ts
 * np.geomspace(1, 1000, 4); // → [1, 10, 100, 1000]
 * np.geomspace(-1, -16, 5); // → [-1, -2, -4, -8, -16]
 * ```
 */
export function geomspace(start: number, stop: number, num = 50, opts: DTypeOpt & { endpoint?: boolean } = {}): Tensor {
  checkOptions("geomspace", opts, ["dtype", "endpoint"]);
  checkDType("geomspace", opts.dtype);
  if (start === 0 || stop === 0 || Math.sign(start) !== Math.sign(stop)) {
    throw fail(ValueError, `geomspace: start and stop must be nonzero and of one sign, got ${start} and ${stop}.`);
  }
  const endpoint = opts.endpoint ?? true;
  const s = Math.sign(start);
  const data = points("geomspace", Math.log10(Math.abs(start)), Math.log10(Math.abs(stop)), num, endpoint).map((t) => s * 10 ** t);
  if (num > 0) data[0] = start;
  if (num > 1 && endpoint) data[num - 1] = stop;
  return array(data, { dtype: opts.dtype ?? "float32" });
}
/**
 * The n × n identity matrix.
 * Mirrors numpy.identity / jax.numpy.identity.
 * @example
 * ```ts
 * np.identity(2); // → [[1, 0], [0, 1]]
 * ```
 */
export const identity = (n: number, opts: DTypeOpt = {}): Tensor => (checkOptions("identity", opts, ["dtype"]), eye(n, n, { dtype: opts.dtype ?? "float32" }));
/**
 * An n × m matrix with ones at and below diagonal k (j ≤ i + k), zeros above.
 * Mirrors numpy.tri / jax.numpy.tri (options object for dtype, default float32).
 * @example
 * ```ts
 * np.tri(3, 3, -1); // → [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
 * np.tri(2); // → [[1, 0], [1, 1]]
 * ```
 */
export function tri(n: number, m = n, k = 0, opts: DTypeOpt = {}): Tensor {
  checkOptions("tri", opts, ["dtype"]);
  checkShape("tri", [n, m], "shape [n, m]");
  if (!Number.isSafeInteger(k)) throw fail(ValueError, `tri: the diagonal offset k must be an integer, got ${describeValue(k)}.`);
  const r = lax.iota([n, m], 0, "int32");
  const c = lax.iota([n, m], 1, "int32");
  return astype(lax.le(c, lax.add(r, lax.full([], k, "int32"))), opts.dtype ?? "float32");
}
/**
 * A tensor of x's shape (and dtype, unless given): zeros, since tapir never hands out
 * uninitialized memory (as JAX).
 * Mirrors numpy.empty_like / jax.numpy.empty_like.
 * @example
 * ```ts
 * np.emptyLike([[1, 2]]).shape; // → [1, 2]
 * ```
 */
export const emptyLike = (x: ArrayLike, opts: DTypeOpt = {}): Tensor => zerosLike(x, opts);
/**
 * Calls fn once with one index grid per axis (float32 by default, as numpy's float indices) and
 * returns its result: fn(i, j, …) builds an array from its coordinates.
 * Mirrors numpy.fromfunction / jax.numpy.fromfunction.
 * @example
 * ```ts
 * np.fromfunction((i, j) => i.mul(10).add(j), [2, 3]); // → [[0, 1, 2], [10, 11, 12]]
 * ```
 */
export function fromfunction<R>(fn: (...idx: Tensor[]) => R, shape: readonly number[], opts: DTypeOpt = {}): R {
  checkOptions("fromfunction", opts, ["dtype"]);
  const dims = checkShape("fromfunction", shape);
  const grids = dims.map((_, k) => lax.broadcastInDim(lax.iota([dims[k]!], 0, opts.dtype ?? "float32"), dims, [k]));
  return fn(...grids);
}


/**
 * π = 3.141592653589793.
 * Mirrors numpy.pi / jax.numpy.pi.
 * @example
 * ```ts
 * np.pi; // → 3.141592653589793
 * ```
 */
export const pi = Math.PI;
/**
 * Euler's number e = 2.718281828459045.
 * Mirrors numpy.e / jax.numpy.e.
 * @example
 * ```ts
 * np.e; // → 2.718281828459045
 * ```
 */
export const e = Math.E;
/**
 * Positive infinity.
 * Mirrors numpy.inf / jax.numpy.inf.
 * @example
 * ```ts
 * np.isinf(np.inf); // → true
 * ```
 */
export const inf = Infinity;
/**
 * Not a number.
 * Mirrors numpy.nan / jax.numpy.nan.
 * @example
 * ```ts
 * np.isnan(np.nan); // → true
 * ```
 */
export const nan = NaN;
/**
 * A new axis of size 1 in `x.index(...)`: the same value as `null` there (numpy's None).
 * Mirrors numpy.newaxis / jax.numpy.newaxis.
 * @example
 * ```ts
 * np.array([1, 2]).index(np.newaxis, "...").shape; // → [1, 2]
 * ```
 */
export const newaxis = null;
