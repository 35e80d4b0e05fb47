// Creation of ranges and grids: arange, linspace, eye.
import { isFloat } from "../dtype.js";
import { ValueError, fail } from "../errors.js";
import { checkShape, describeValue } from "../shape.js";
import type { Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { array, astype, checkDType, type DTypeOpt } from "./convert.js";
import { add, equal, mul } from "./math.js";
import { checkOptions } from "./options.js";

/**
 * Evenly spaced values in [start, stop) with a step: `arange(stop)` or `arange(start, stop, step?)`,
 * with `{dtype}` as the last argument.
 * Mirrors numpy.arange / jax.numpy.arange.
 * @param start - the first value (or the stop, when it is the only number).
 * @param stop - the exclusive end.
 * @param step - default 1; may be negative.
 * @param opts.dtype - default int32 when start, stop and step are all integers, else float32.
 * @returns a 1-D tensor of ceil((stop - start) / step) elements (0 when that is negative).
 * @throws ValueError when step is 0.
 * @example
 * ```ts
 * np.arange(4); // → Array([0, 1, 2, 3], dtype=int32)
 * np.arange(1, 2, 0.25); // → [1, 1.25, 1.5, 1.75]
 * np.arange(3, { dtype: "float32" }); // → Array([0., 1., 2.], dtype=float32)
 * ```
 */
export function arange(start: number, stop?: number | DTypeOpt, step?: number | DTypeOpt, opts: DTypeOpt = {}): Tensor {
  if (typeof stop === "object") [opts, stop] = [stop, undefined];
  if (typeof step === "object") [opts, step] = [step, undefined];
  checkOptions("arange", opts, ["dtype"]);
  let lo = start;
  let hi = stop as number | undefined;
  if (hi === undefined) [lo, hi] = [0, start];
  const st = (step as number | undefined) ?? 1;
  const bad = ([["start", lo], ["stop", hi], ["step", st]] as const).find(([, v]) => typeof v !== "number" || !Number.isFinite(v));
  if (bad) throw fail(ValueError, `arange: ${bad[0]} must be a finite number, got ${describeValue(bad[1])}; the length of the range cannot be computed.`);
  if (st === 0) throw fail(ValueError, `arange: step must not be zero (got start ${lo}, stop ${hi}, step 0); use a positive or negative step.`);
  // the length goes through the shape validator (a huge range is a ShapeError, not a RangeError)
  const [n] = checkShape("arange", Math.max(0, Math.ceil((hi - lo) / st)), "length") as [number];
  checkDType("arange", opts.dtype);
  const dtype = opts.dtype ?? ([lo, hi, st].every(Number.isInteger) ? "int32" : "float32");
  const idx = lax.iota([n], 0, isFloat(dtype) ? dtype : "int32");
  const out = lo === 0 && st === 1 ? idx : add(mul(idx, st), lo);
  return astype(out, dtype);
}

/**
 * `num` evenly spaced values from start to stop, stop included unless `endpoint: false`.
 * Mirrors numpy.linspace / jax.numpy.linspace (no `retstep`).
 * @param start - the first value.
 * @param stop - the last value (or the exclusive end with `endpoint: false`).
 * @param num - the number of values, default 50.
 * @param opts.endpoint - default true; opts.dtype - default float32.
 * @returns a 1-D tensor of `num` values (computed in float64, then rounded to the dtype).
 * @example
 * ```ts
 * np.linspace(0, 1, 5); // → [0, 0.25, 0.5, 0.75, 1]
 * np.linspace(0, 1, 4, { endpoint: false }); // → [0, 0.25, 0.5, 0.75]
 * ```
 */
export function linspace(start: number, stop: number, num = 50, opts: DTypeOpt & { endpoint?: boolean } = {}): Tensor {
  checkOptions("linspace", opts, ["dtype", "endpoint"]);
  const endpoint = opts.endpoint ?? true;
  const dtype = opts.dtype ?? "float32";
  checkDType("linspace", dtype);
  checkShape("linspace", num, "num");
  if (typeof start !== "number" || typeof stop !== "number") {
    throw fail(ValueError, `linspace: start and stop must be numbers, got ${describeValue(start)} and ${describeValue(stop)}.`);
  }
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const data = new Float64Array(num).map((_, i) => (endpoint && i === num - 1 && num > 1 ? stop : start + i * step));
  return array(data, { dtype });
}

/**
 * An n × m matrix with ones on diagonal k and zeros elsewhere.
 * Mirrors numpy.eye / jax.numpy.eye (`k` is an option, not positional).
 * @param n - the number of rows.
 * @param m - the number of columns, default n (may be replaced by the options).
 * @param opts.k - the diagonal: 0 the main one (default), positive above, negative below;
 *   opts.dtype - default float32.
 * @returns a tensor of shape [n, m].
 * @example
 * ```ts
 * np.eye(2); // → [[1, 0], [0, 1]]
 * np.eye(2, 3, { k: 1 }); // → [[0, 1, 0], [0, 0, 1]]
 * ```
 */
export function eye(n: number, m?: number | (DTypeOpt & { k?: number }), opts: DTypeOpt & { k?: number } = {}): Tensor {
  if (typeof m === "object") [opts, m] = [m, undefined];
  checkOptions("eye", opts, ["dtype", "k"]);
  const cols = (m as number | undefined) ?? n;
  checkShape("eye", n, "n");
  checkShape("eye", cols, "m");
  checkShape("eye", [n, cols], "shape [n, m]");
  const k = opts.k ?? 0;
  if (!Number.isSafeInteger(k)) throw fail(ValueError, `eye: the diagonal offset k must be an integer, got ${describeValue(k)}.`);
  const r = lax.iota([n, cols], 0, "int32");
  const c = lax.iota([n, cols], 1, "int32");
  return astype(equal(add(r, k), c), opts.dtype ?? "float32");
}
