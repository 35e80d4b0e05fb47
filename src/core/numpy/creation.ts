// Creation of ranges and grids: arange, linspace, eye.
import { isFloat } from "../dtype.js";
import { ValueError, fail } from "../errors.js";
import type { Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { array, astype, type DTypeOpt } from "./convert.js";
import { add, equal, mul } from "./math.js";
import { checkOptions } from "./options.js";

/** arange(stop) or arange(start, stop, step); float32 unless every argument is an integer and no dtype is given → int32. */
export function arange(start: number, stop?: number | DTypeOpt, step?: number | DTypeOpt, opts: DTypeOpt = {}): Tensor {
  if (typeof stop === "object") [opts, stop] = [stop, undefined];
  if (typeof step === "object") [opts, step] = [step, undefined];
  checkOptions("arange", opts, ["dtype"]);
  let lo = start;
  let hi = stop as number | undefined;
  if (hi === undefined) [lo, hi] = [0, start];
  const st = (step as number | undefined) ?? 1;
  if (st === 0) throw fail(ValueError, "arange: step must not be zero.");
  const n = Math.max(0, Math.ceil((hi - lo) / st));
  const dtype = opts.dtype ?? ([lo, hi, st].every(Number.isInteger) ? "int32" : "float32");
  const idx = lax.iota([n], 0, isFloat(dtype) ? dtype : "int32");
  const out = lo === 0 && st === 1 ? idx : add(mul(idx, st), lo);
  return astype(out, dtype);
}

export function linspace(start: number, stop: number, num = 50, opts: DTypeOpt & { endpoint?: boolean } = {}): Tensor {
  checkOptions("linspace", opts, ["dtype", "endpoint"]);
  const endpoint = opts.endpoint ?? true;
  const dtype = opts.dtype ?? "float32";
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const data = new Float64Array(num).map((_, i) => (endpoint && i === num - 1 && num > 1 ? stop : start + i * step));
  return array(data, { dtype });
}

export function eye(n: number, m?: number | (DTypeOpt & { k?: number }), opts: DTypeOpt & { k?: number } = {}): Tensor {
  if (typeof m === "object") [opts, m] = [m, undefined];
  checkOptions("eye", opts, ["dtype", "k"]);
  const cols = (m as number | undefined) ?? n;
  const k = opts.k ?? 0;
  const r = lax.iota([n, cols], 0, "int32");
  const c = lax.iota([n, cols], 1, "int32");
  return astype(equal(add(r, k), c), opts.dtype ?? "float32");
}
