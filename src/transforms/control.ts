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

/** lax.forILoop(lower, upper, bodyFn, init): bodyFn(i, carry) for i in [lower, upper). */
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

