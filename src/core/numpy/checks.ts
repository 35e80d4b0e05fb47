// Checks that read concrete values: allclose.
import { broadcastShapes } from "../shape.js";
import type { ArrayLike } from "../tensor.js";
import { toConcrete } from "../trace.js";
import { astype, tensor } from "./convert.js";
import { broadcastTo } from "./shape.js";
import { checkOptions } from "./options.js";

// ------------------------------------------------------------------ checks

/**
 * Whether a and b are equal within tolerances everywhere: |a - b| ≤ atol + rtol·|b| elementwise,
 * after broadcasting, compared in float64. NaN is never close to anything (numpy's equal_nan=False).
 * Mirrors numpy.allclose / jax.numpy.allclose (which returns a bool array instead of a JS boolean).
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @param opts.rtol - relative tolerance, default 1e-5; opts.atol - absolute tolerance, default 1e-8.
 * @returns a JS boolean (it reads the values, so it is not traceable).
 * @throws ShapeError when the shapes do not broadcast; ConcretizationError inside jit or another trace.
 * @example
 * ```ts
 * np.allclose([1, 2], [1, 2.000001]); // → true
 * np.allclose([1, 2], [1, 2.1], { atol: 0.05 }); // → false
 * ```
 */
export function allclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number } = {}): boolean {
  checkOptions("allclose", opts, ["rtol", "atol"]);
  const x = toConcrete(tensor(a), "allclose");
  const y = toConcrete(tensor(b), "allclose");
  const shape = broadcastShapes("allclose", x.shape, y.shape);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-8;
  const xs = broadcastTo(astype(x, "float64"), shape).dataSync();
  const ys = broadcastTo(astype(y, "float64"), shape).dataSync();
  for (let i = 0; i < xs.length; i++) {
    const u = xs[i]!;
    const v = ys[i]!;
    if (u === v) continue;
    if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) return false;
  }
  return true;
}

