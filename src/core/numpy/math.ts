// Elementwise math of the numpy layer: operands are converted and promoted (JS numbers are
// weakly typed), transcendental functions take ints and bools as float32, then one lax call.
import { isFloat } from "../dtype.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, coerce, floaty, onesLike, tensor } from "./convert.js";

// ------------------------------------------------------------------ elementwise

/** A float function of one operand (ints and bools become float32). */
const un =
  (f: (x: Tensor) => Tensor) =>
  (x: ArrayLike): Tensor =>
    f(floaty(x));
export const sin = un(lax.sin);
export const cos = un(lax.cos);
export const tan = un(lax.tan);
export const exp = un(lax.exp);
export const log = un(lax.log);
export const log1p = un(lax.log1p);
export const expm1 = un(lax.expm1);
export const sqrt = un(lax.sqrt);
export const tanh = un(lax.tanh);
export const arcsin = un(lax.asin);
export const arccos = un(lax.acos);
export const arctan = un(lax.atan);
export const sinh = un(lax.sinh);
export const cosh = un(lax.cosh);
export const sigmoid = un(lax.logistic);
export const negative = (x: ArrayLike): Tensor => lax.neg(tensor(x));
export const abs = (x: ArrayLike): Tensor => lax.abs(tensor(x));
export const sign = (x: ArrayLike): Tensor => lax.sign(tensor(x));
export const floor = (x: ArrayLike): Tensor => lax.floor(tensor(x));
export const ceil = (x: ArrayLike): Tensor => lax.ceil(tensor(x));
export const round = (x: ArrayLike): Tensor => lax.round(tensor(x));
export const isnan = (x: ArrayLike): Tensor => lax.isnan(tensor(x));
export const isfinite = (x: ArrayLike): Tensor => lax.isfinite(tensor(x));
export const stopGradient = (x: ArrayLike): Tensor => lax.stopGradient(tensor(x));

/** A function of two operands, converted and promoted to one dtype. */
const bi =
  (f: (x: Tensor, y: Tensor) => Tensor) =>
  (a: ArrayLike, b: ArrayLike): Tensor => {
    // fast path: two strong tensors of one dtype need no conversion
    if (a instanceof Tensor && b instanceof Tensor && a.dtype === b.dtype && a._weak === 0 && b._weak === 0) return f(a, b);
    const xy = coerce([a, b]);
    return f(xy[0]!, xy[1]!);
  };
export const add = bi(lax.add);
export const subtract = bi(lax.sub);
export const multiply = bi(lax.mul);
export const maximum = bi(lax.max);
export const minimum = bi(lax.min);
export const equal = bi(lax.eq);
export const notEqual = bi(lax.ne);
export const less = bi(lax.lt);
export const lessEqual = bi(lax.le);
export const greater = bi(lax.gt);
export const greaterEqual = bi(lax.ge);
export const sub = subtract;
export const mul = multiply;
/** True division: integer operands give float32 (as in JAX). */
export function divide(a: ArrayLike, b: ArrayLike): Tensor {
  let [x, y] = coerce([a, b]) as [Tensor, Tensor];
  if (!isFloat(x.dtype)) [x, y] = [astype(x, "float32"), astype(y, "float32")];
  return lax.div(x, y);
}
export const div = divide;
export function power(a: ArrayLike, b: ArrayLike): Tensor {
  let [x, y] = coerce([a, b]) as [Tensor, Tensor];
  // bool ** bool is int32 in JAX (the exponentiation loop runs in integers)
  if (x.dtype === "bool") [x, y] = [astype(x, "int32"), astype(y, "int32")];
  if (typeof b === "number" && Number.isInteger(b) && Math.abs(b) <= 16 && isFloat(x.dtype)) return integerPow(x, b);
  return lax.pow(x, y);
}
export const pow = power;

/**
 * arctan2(x1, x2): the angle in radians, in [-π, π], of the point (x2, x1) — the quadrant-aware
 * arctan(x1 / x2) — elementwise with numpy broadcasting; ints and bools compute in float32.
 * Mirrors numpy.arctan2 / jax.numpy.arctan2. Throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.arctan2(1, -1).item(); // → 2.35619
 * np.arctan2([1, -1], [0, 0]); // → [1.5708, -1.5708]
 * ```
 */
export function arctan2(x1: ArrayLike, x2: ArrayLike): Tensor {
  let [y, x] = coerce([x1, x2]) as [Tensor, Tensor];
  if (!isFloat(y.dtype)) [y, x] = [astype(y, "float32"), astype(x, "float32")];
  return lax.atan2(y, x);
}

/**
 * xⁿ for a small integer n by repeated squaring (as JAX's integer_pow): a few multiplies, whose
 * derivatives are the product rule's (d x³ = 3x² dx at every order, with no log or where).
 */
function integerPow(x: Tensor, n: number): Tensor {
  if (n === 0) return onesLike(x);
  if (n < 0) return divide(1, integerPow(x, -n));
  let acc: Tensor | null = null;
  let base = x;
  for (let k = n; k > 0; k >>= 1) {
    if (k & 1) acc = acc === null ? base : mul(acc, base);
    if (k > 1) base = mul(base, base);
  }
  return acc!;
}
/** x·x; bool squares as int32 (as jnp.square). */
export const square = (x: ArrayLike) => {
  let t = tensor(x);
  if (t.dtype === "bool") t = astype(t, "int32");
  return mul(t, t);
};
export const reciprocal = (x: ArrayLike) => divide(1, floaty(x));
function asBool(x: ArrayLike): Tensor {
  const t = tensor(x);
  return t.dtype === "bool" ? t : astype(t, "bool");
}
export const logicalAnd = (a: ArrayLike, b: ArrayLike) => lax.and(asBool(a), asBool(b));
export const logicalOr = (a: ArrayLike, b: ArrayLike) => lax.or(asBool(a), asBool(b));
export const logicalNot = (a: ArrayLike) => lax.not(asBool(a));

/** where(cond, x, y): x where cond is true, else y (broadcast). */
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): Tensor {
  const [a, b] = coerce([x, y]) as [Tensor, Tensor];
  return lax.select(asBool(cond), a, b);
}
export function clip(x: ArrayLike, lo?: ArrayLike | null, hi?: ArrayLike | null): Tensor {
  let t = tensor(x);
  if (lo !== undefined && lo !== null) t = maximum(t, lo);
  if (hi !== undefined && hi !== null) t = minimum(t, hi);
  return t;
}
