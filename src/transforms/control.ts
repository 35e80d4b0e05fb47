// Structured control flow as higher-order primitives holding jaxprs, one module per primitive
// under control/ (cond, scan, while); forILoop is built here on scan (static bounds) or while.
import { ValueError, fail } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { isTracer } from "../core/trace.js";
import * as ops from "../core/numpy/index.js";
import { scan } from "./control/scan.js";
import { whileLoop } from "./control/while.js";

export { cond, condP } from "./control/cond.js";
export { scan, scanP } from "./control/scan.js";
export { whileLoop, whileP } from "./control/while.js";

/**
 * `for (i = lower; i < upper; i++) carry = bodyFn(i, carry)`: with number bounds a `scan` (so
 * reverse mode works), with traced bounds a `whileLoop`. `i` is an int32 scalar tensor.
 * Mirrors `jax.lax.fori_loop`.
 *
 * @param lower - the first index (a number or a scalar int tensor).
 * @param upper - one past the last index.
 * @param bodyFn - `(i, carry) => carry`.
 * @param init - the initial carry (a pytree of tensors).
 * @returns the final carry.
 * @throws ValueError for non-integer bounds.
 * @example
 * ```ts
 * lax.forILoop(0, 5, (i: Tensor, acc: Tensor) => np.add(acc, i), np.array(0)).item(); // → 10
 * grad((x: Tensor) => lax.forILoop(0, 3, (_i: Tensor, c: Tensor) => np.multiply(c, x), np.array(1)))(np.array(2)).item(); // → 12
 * ```
 */
export function forILoop(lower: number | Tensor, upper: number | Tensor, bodyFn: (i: Tensor, c: any) => unknown, init: unknown): any {
  const staticBound = (b: number | Tensor) => typeof b === "number" || !isTracer(b);
  if (staticBound(lower) && staticBound(upper)) {
    const lo = typeof lower === "number" ? lower : lower.item();
    const hi = typeof upper === "number" ? upper : upper.item();
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw fail(ValueError, `lax.forILoop: bounds must be integers, got ${lo} and ${hi}.`);
    const n = Math.max(0, hi - lo);
    const [carry] = scan((c: unknown, i: Tensor) => [bodyFn(i, c), null], init, ops.arange(lo, lo + n, { dtype: "int32" }), { length: n });
    return carry;
  }
  const lo = ops.astype(ops.asarray(lower), "int32");
  const hi = ops.astype(ops.asarray(upper), "int32");
  const [, , c] = whileLoop(
    ([i, h]: [Tensor, Tensor]) => ops.less(i, h),
    ([i, h, c2]: [Tensor, Tensor, unknown]) => [ops.add(i, 1), h, bodyFn(i, c2)],
    [lo, hi, init],
  );
  return c;
}

