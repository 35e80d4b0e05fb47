// More elementwise math of the numpy layer (logs in other bases, remainders, inverse hyperbolics,
// float classification, tolerance checks), each a short composition of primitives
// chosen to be exact where the textbook formula is not (hypot, arcsinh, logaddexp, sinc at 0).
import { isFloat } from "../dtype.js";
import { shapeEq } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { toConcrete } from "../trace.js";
import * as lax from "../lax.js";
import { astype, coerce, floaty, tensor, type Api } from "./convert.js";
import { checkOptions } from "./options.js";
import { abs, add, ceil, divide, equal, exp, floor, greater, isfinite, isnan, less, log, log1p, maximum, minimum, multiply, negative, power, round, sin, sqrt, square, subtract } from "./math.js";
import { logicalAnd, logicalOr, where } from "./logic.js";

/** Two operands promoted to one float dtype (ints and bools compute in float32). */
function floats2(a: ArrayLike, b: ArrayLike, api: Api): [Tensor, Tensor] {
  const [x, y] = coerce([a, b], api) as [Tensor, Tensor];
  return isFloat(x.dtype) ? [x, y] : [astype(x, "float32"), astype(y, "float32")];
}
/** Two operands promoted to one numeric dtype (bools count as int32, as numpy's integer ops). */
function numeric2(a: ArrayLike, b: ArrayLike, api: Api): [Tensor, Tensor] {
  const [x, y] = coerce([a, b], api) as [Tensor, Tensor];
  return x.dtype === "bool" ? [astype(x, "int32"), astype(y, "int32")] : [x, y];
}

// ------------------------------------------------------------------ logs and powers

/**
 * The base-2 logarithm, elementwise: log(x) / log(2), as JAX computes it.
 * Mirrors numpy.log2 / jax.numpy.log2; ints and bools compute in float32.
 * @example
 * ```ts
 * np.log2([1, 8, 0.5]); // → [0, 3, -1]
 * ```
 */
export const log2 = (x: ArrayLike): Tensor => divide(log(floaty(x, log2)), Math.LN2);
/**
 * The base-10 logarithm, elementwise: log(x) / log(10).
 * Mirrors numpy.log10 / jax.numpy.log10; ints and bools compute in float32.
 * @example
 * ```ts
 * np.log10([1, 1000]); // → [0, 3]
 * ```
 */
export const log10 = (x: ArrayLike): Tensor => divide(log(floaty(x, log10)), Math.LN10);
/**
 * 2ˣ, elementwise (exact at integers: it is pow(2, x)).
 * Mirrors numpy.exp2 / jax.numpy.exp2; ints and bools compute in float32.
 * @example
 * ```ts
 * np.exp2([0, 3, -1]); // → [1, 8, 0.5]
 * ```
 */
export const exp2 = (x: ArrayLike): Tensor => power(2, floaty(x, exp2));
/**
 * The real cube root, elementwise (negative for negative x), exact at perfect cubes.
 * Mirrors numpy.cbrt / jax.numpy.cbrt; ints and bools compute in float32.
 * @example
 * ```ts
 * np.cbrt([27, -8]); // → [3, -2]
 * ```
 */
export const cbrt = (x: ArrayLike): Tensor => lax.cbrt(floaty(x, cbrt));
/**
 * √(x1² + x2²) elementwise without overflow or underflow: max·√(1 + (min/max)²); Infinity when
 * either is infinite (even with a NaN), as numpy.
 * Mirrors numpy.hypot / jax.numpy.hypot; ints and bools compute in float32.
 * @example
 * ```ts
 * np.hypot(3, 4).item(); // → 5
 * np.hypot(np.array(3e200, { dtype: "float64" }), 4e200).item(); // → 5e200
 * ```
 */
export function hypot(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = floats2(x1, x2, hypot).map(abs) as [Tensor, Tensor];
  const hi = maximum(x, y);
  const lo = minimum(x, y);
  const safe = where(equal(hi, 0), 1, hi); // 0/0 would poison the value and the gradient
  const out = multiply(hi, sqrt(add(1, square(divide(lo, safe)))));
  return where(logicalOr(equal(x, Infinity), equal(y, Infinity)), Infinity, out);
}
/**
 * log(eˣ¹ + eˣ²) elementwise without overflow: max + log1p(exp(min - max)); the gradient is
 * softmax's (½ each at ties).
 * Mirrors numpy.logaddexp / jax.numpy.logaddexp; ints and bools compute in float32.
 * @example
 * ```ts
 * np.logaddexp(0, 0).item(); // → 0.693147
 * np.logaddexp(1000, 1000).item(); // → 1000.693147
 * ```
 */
export function logaddexp(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = floats2(x1, x2, logaddexp);
  // min - max (not -|x - y|): at a tie each gets ½ of the derivative, so the total is softmax's ½
  const hi = maximum(x, y);
  const d = subtract(minimum(x, y), hi);
  return where(isnan(d), add(x, y), add(hi, log1p(exp(d)))); // d is NaN for two equal infinities
}
/**
 * log₂(2ˣ¹ + 2ˣ²) elementwise without overflow.
 * Mirrors numpy.logaddexp2 / jax.numpy.logaddexp2; ints and bools compute in float32.
 * @example
 * ```ts
 * np.logaddexp2(1, 1).item(); // → 2
 * ```
 */
export function logaddexp2(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = floats2(x1, x2, logaddexp2);
  const hi = maximum(x, y);
  const d = subtract(minimum(x, y), hi);
  return where(isnan(d), add(x, y), add(hi, divide(log1p(power(2, d)), Math.LN2)));
}

// ------------------------------------------------------------------ division and remainders

/**
 * The remainder of floor division, elementwise: x1 - floor(x1 / x2)·x2, with the sign of x2
 * (Python's %). Computed from the exact truncated remainder, as JAX does; an integer remainder
 * by 0 is 0 (numpy warns and gives 0).
 * Mirrors numpy.remainder / jax.numpy.remainder (alias {@link mod}); bools compute as int32.
 * @example
 * ```ts
 * np.remainder([5, -5, 5], [3, 3, -3]); // → [2, 1, -1]
 * np.remainder(np.arange(-3, 3), 2); // → [1, 0, 1, 0, 1, 0]
 * ```
 */
export function remainder(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = numeric2(x1, x2, remainder);
  const r = lax.rem(x, y);
  const z = lax.scalarLike(r, 0);
  // shift a nonzero remainder whose sign differs from the divisor's by one divisor
  const fix = logicalAnd(lax.ne(r, z), lax.ne(lax.lt(r, z), lax.lt(y, lax.scalarLike(y, 0))));
  return lax.select(fix, lax.add(r, y), r);
}
/**
 * The same function as {@link remainder}: Python's x1 % x2, with the sign of x2.
 * Mirrors numpy.mod / jax.numpy.mod.
 * @example
 * ```ts
 * np.mod([-7, 7], 3); // → [2, 1]
 * ```
 */
export const mod = remainder;
/**
 * The truncated remainder, elementwise: x1 - trunc(x1 / x2)·x2, with the sign of x1 (C's fmod,
 * exact); an integer fmod by 0 is 0.
 * Mirrors numpy.fmod / jax.numpy.fmod; bools compute as int32.
 * @example
 * ```ts
 * np.fmod([-7, 7], 3); // → [-1, 1]
 * np.fmod(5.5, 2).item(); // → 1.5
 * ```
 */
export function fmod(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = numeric2(x1, x2, fmod);
  return lax.rem(x, y);
}
/**
 * floor(x1 / x2), elementwise, in the promoted dtype (int32 for ints: exact integer floor
 * division, 0 for division by 0). Floats follow numpy's divmod: the quotient whose remainder is
 * {@link remainder}'s, so 7 // 0.1 is 69 (not floor(70.00000000000001)); x / 0 is ±Infinity or NaN.
 * The derivative is zero (piecewise constant).
 * Mirrors numpy.floor_divide / jax.numpy.floor_divide.
 * @example
 * ```ts
 * np.floorDivide([7, -7], 2); // → [3, -4]
 * np.floorDivide([7.5, -7.5], 2); // → [3, -4]
 * ```
 */
export function floorDivide(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = numeric2(x1, x2, floorDivide);
  if (!isFloat(x.dtype)) return lax.div(x, y); // the int32 division kernel floors (and gives 0 for /0)
  const r = lax.rem(x, y);
  const q = divide(subtract(x, r), y); // exact up to rounding: x - r is a multiple of y
  const fix = logicalAnd(lax.ne(r, lax.scalarLike(r, 0)), lax.ne(lax.lt(r, lax.scalarLike(r, 0)), lax.lt(y, lax.scalarLike(y, 0))));
  const out = round(where(fix, subtract(q, 1), q));
  return where(equal(y, 0), divide(x, y), out);
}
/**
 * True division x1 / x2: the same function as {@link divide} (ints give float32).
 * Mirrors numpy.true_divide / jax.numpy.true_divide.
 * @example
 * ```ts
 * np.trueDivide([1, 3], 2); // → [0.5, 1.5]
 * ```
 */
export const trueDivide = (x1: ArrayLike, x2: ArrayLike): Tensor => divide(x1, x2);

// ------------------------------------------------------------------ float classification and sign

/**
 * Whether each element is +Infinity or -Infinity (ints and bools never are).
 * Mirrors numpy.isinf / jax.numpy.isinf.
 * @example
 * ```ts
 * np.isinf([1, Infinity, -Infinity, NaN]); // → [false, true, true, false]
 * ```
 */
export const isinf = (x: ArrayLike): Tensor => equal(abs(floaty(x, isinf)), Infinity);
/**
 * Whether each element is +Infinity.
 * Mirrors numpy.isposinf / jax.numpy.isposinf.
 * @example
 * ```ts
 * np.isposinf([Infinity, -Infinity]); // → [true, false]
 * ```
 */
export const isposinf = (x: ArrayLike): Tensor => equal(floaty(x, isposinf), Infinity);
/**
 * Whether each element is -Infinity.
 * Mirrors numpy.isneginf / jax.numpy.isneginf.
 * @example
 * ```ts
 * np.isneginf([Infinity, -Infinity]); // → [false, true]
 * ```
 */
export const isneginf = (x: ArrayLike): Tensor => equal(floaty(x, isneginf), -Infinity);
/**
 * Whether each element's sign bit is set: true for negatives and for -0. A NaN reads as false
 * (a kernel cannot see a NaN's sign bit; numpy reads it).
 * Mirrors numpy.signbit / jax.numpy.signbit.
 * @example
 * ```ts
 * np.signbit([-1, 0, -0, 2]); // → [true, false, true, false]
 * ```
 */
export function signbit(x: ArrayLike): Tensor {
  const t = tensor(x, signbit);
  if (t.dtype === "bool") return lax.full(t.shape, 0, "bool");
  if (!isFloat(t.dtype)) return less(t, 0);
  return logicalOr(less(t, 0), logicalAnd(equal(t, 0), less(divide(1, t), 0))); // 1 / -0 = -Infinity
}
/**
 * |x1| with the sign of x2, elementwise (x2 = -0 counts as negative).
 * Mirrors numpy.copysign / jax.numpy.copysign; ints and bools compute in float32.
 * @example
 * ```ts
 * np.copysign([1, -2, 3], [-1, 1, -0]); // → [-1, 2, -3]
 * ```
 */
export function copysign(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = floats2(x1, x2, copysign);
  const a = abs(x);
  return where(signbit(y), negative(a), a);
}
/**
 * The next representable float after x1 in the direction of x2, elementwise (x2 itself when
 * they are equal); steps through subnormals, in float32 or float64 as the operands. Not differentiable.
 * Mirrors numpy.nextafter / jax.numpy.nextafter; ints and bools compute in float32.
 * @example
 * ```ts
 * np.nextafter(1, 2).item(); // → 1.0000001
 * np.nextafter(np.array(1, { dtype: "float64" }), 0).item() < 1; // → true
 * ```
 */
export function nextafter(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = floats2(x1, x2, nextafter);
  return lax.nextafter(x, y);
}
/**
 * The elementwise maximum ignoring NaN: the other operand where one is NaN (NaN only when both are).
 * Mirrors numpy.fmax / jax.numpy.fmax.
 * @example
 * ```ts
 * np.fmax([1, NaN, NaN], [NaN, 2, NaN]); // → Array([ 1.,  2., nan], dtype=float32)
 * ```
 */
export function fmax(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = coerce([x1, x2], fmax) as [Tensor, Tensor];
  return where(isnan(y), x, where(isnan(x), y, maximum(x, y)));
}
/**
 * The elementwise minimum ignoring NaN: the other operand where one is NaN.
 * Mirrors numpy.fmin / jax.numpy.fmin.
 * @example
 * ```ts
 * np.fmin([1, NaN], [NaN, 2]); // → [1, 2]
 * ```
 */
export function fmin(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, y] = coerce([x1, x2], fmin) as [Tensor, Tensor];
  return where(isnan(y), x, where(isnan(x), y, minimum(x, y)));
}
/**
 * The Heaviside step: 0 where x1 < 0, x2 where x1 = 0, 1 where x1 > 0 (NaN for NaN); zero derivative in x1.
 * Mirrors numpy.heaviside / jax.numpy.heaviside; ints and bools compute in float32.
 * @example
 * ```ts
 * np.heaviside([-1, 0, 2], 0.5); // → [0, 0.5, 1]
 * ```
 */
export function heaviside(x1: ArrayLike, x2: ArrayLike): Tensor {
  const [x, h] = floats2(x1, x2, heaviside);
  return where(isnan(x), NaN, where(less(x, 0), 0, where(greater(x, 0), 1, h)));
}
/** Options of {@link nanToNum}. */
export interface NanToNumOpts {
  /** the value for NaN, default 0 */
  nan?: number;
  /** the value for +Infinity, default the dtype's largest finite value */
  posinf?: number;
  /** the value for -Infinity, default the dtype's most negative finite value */
  neginf?: number;
}
/**
 * Replaces NaN by 0 and ±Infinity by the dtype's largest finite values (or the given values);
 * ints and bools come back unchanged.
 * Mirrors numpy.nan_to_num / jax.numpy.nan_to_num (options object instead of keywords).
 * @example
 * ```ts
 * np.nanToNum([NaN, 1, Infinity], { posinf: 9 }); // → [0, 1, 9]
 * np.nanToNum([-Infinity]).item(); // → -3.4028234663852886e38
 * ```
 */
export function nanToNum(x: ArrayLike, opts: NanToNumOpts = {}): Tensor {
  checkOptions("nanToNum", opts, ["nan", "posinf", "neginf"]);
  const t = tensor(x, nanToNum);
  if (!isFloat(t.dtype)) return t;
  const big = t.dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  const out = where(isnan(t), opts.nan ?? 0, t);
  return where(equal(t, Infinity), opts.posinf ?? big, where(equal(t, -Infinity), opts.neginf ?? -big, out));
}

// ------------------------------------------------------------------ angles, sinc, inverse hyperbolics

/**
 * Degrees to radians, elementwise: x·π/180.
 * Mirrors numpy.deg2rad / jax.numpy.deg2rad; ints and bools compute in float32.
 * @example
 * ```ts
 * np.deg2rad([180, 90]); // → [3.141593, 1.570796]
 * ```
 */
export const deg2rad = (x: ArrayLike): Tensor => multiply(floaty(x, deg2rad), Math.PI / 180);
/**
 * Radians to degrees, elementwise: x·180/π.
 * Mirrors numpy.rad2deg / jax.numpy.rad2deg; ints and bools compute in float32.
 * @example
 * ```ts
 * np.rad2deg([Math.PI, 1]); // → [180, 57.29578]
 * ```
 */
export const rad2deg = (x: ArrayLike): Tensor => multiply(floaty(x, rad2deg), 180 / Math.PI);
/**
 * The normalized sinc sin(πx)/(πx), 1 at 0. Near 0 a Taylor polynomial stands in (error below
 * 1e-19), so the value and its derivatives of every order are right at 0 (JAX uses a custom rule).
 * Mirrors numpy.sinc / jax.numpy.sinc; ints and bools compute in float32.
 * @example
 * ```ts
 * np.sinc([0, 0.5, 1]); // → [1, 0.63662, 0]
 * ```
 */
export function sinc(x: ArrayLike): Tensor {
  const t = floaty(x, sinc);
  const small = less(abs(t), 1e-3);
  const px = multiply(where(small, 1, t), Math.PI); // the far branch never sees 0 (no 0/0 in its gradient)
  const u = square(multiply(where(small, t, 0), Math.PI));
  // 1 - u/6 + u²/120 - u³/5040, with u = (πx)²
  const taylor = add(1, multiply(u, add(-1 / 6, multiply(u, add(1 / 120, multiply(u, -1 / 5040))))));
  return where(small, taylor, divide(sin(px), px));
}
/** Above this |x|, √(x² + 1) is x to working precision (and x² may overflow): asinh x = log 2x. */
const BIG = 2 ** 28;
/**
 * The inverse hyperbolic sine, elementwise, accurate near 0 and for large |x|:
 * log1p(a + a²/(1 + √(1 + a²))) for a = |x|, odd in x.
 * Mirrors numpy.arcsinh / jax.numpy.arcsinh; ints and bools compute in float32.
 * @example
 * ```ts
 * np.arcsinh([0, 1, -1]); // → [0, 0.881374, -0.881374]
 * ```
 */
export function arcsinh(x: ArrayLike): Tensor {
  const t = floaty(x, arcsinh);
  const neg = less(t, 0);
  const a = where(neg, negative(t), t); // |x| with derivative +1 at 0 (so d asinh(0) = 1)
  const big = greater(a, BIG);
  const s = where(big, 1, a);
  const near = log1p(add(s, divide(square(s), add(1, sqrt(add(1, square(s)))))));
  const far = add(log(where(big, a, 1)), Math.LN2);
  const r = where(big, far, near);
  return where(neg, negative(r), r);
}
/**
 * The inverse hyperbolic cosine, elementwise, for x ≥ 1 (NaN below): log1p(t + √(t² + 2t)) with
 * t = x - 1, accurate near 1.
 * Mirrors numpy.arccosh / jax.numpy.arccosh; ints and bools compute in float32.
 * @example
 * ```ts
 * np.arccosh([1, 2]); // → [0, 1.316958]
 * ```
 */
export function arccosh(x: ArrayLike): Tensor {
  const t = floaty(x, arccosh);
  const big = greater(t, BIG);
  const s = subtract(where(big, 2, t), 1);
  const near = log1p(add(s, sqrt(add(square(s), multiply(s, 2)))));
  const far = add(log(where(big, t, 1)), Math.LN2);
  return where(less(t, 1), NaN, where(big, far, near));
}
/**
 * The inverse hyperbolic tangent, elementwise: ½(log1p(x) - log1p(-x)); ±Infinity at ±1, NaN beyond.
 * Mirrors numpy.arctanh / jax.numpy.arctanh; ints and bools compute in float32.
 * @example
 * ```ts
 * np.arctanh([0, 0.5]); // → [0, 0.549306]
 * ```
 */
export function arctanh(x: ArrayLike): Tensor {
  const t = floaty(x, arctanh);
  return multiply(subtract(log1p(t), log1p(negative(t))), 0.5);
}

// ------------------------------------------------------------------ rounding

/**
 * +x: x itself (numpy's unary plus).
 * Mirrors numpy.positive / jax.numpy.positive.
 * @example
 * ```ts
 * np.positive([-1, 2]); // → [-1, 2]
 * ```
 */
export const positive = (x: ArrayLike): Tensor => tensor(x, positive);
/**
 * The complex conjugate: x itself, as tapir's dtypes are all real.
 * Mirrors numpy.conjugate / jax.numpy.conjugate (alias {@link conj}).
 * @example
 * ```ts
 * np.conjugate([1, -2]); // → [1, -2]
 * ```
 */
export const conjugate = (x: ArrayLike): Tensor => tensor(x, conjugate);
/**
 * The same function as {@link conjugate}.
 * Mirrors numpy.conj / jax.numpy.conj.
 * @example
 * ```ts
 * np.conj([3]); // → [3]
 * ```
 */
export const conj = conjugate;
/**
 * The real part: x itself, as tapir's dtypes are all real.
 * Mirrors numpy.real / jax.numpy.real.
 * @example
 * ```ts
 * np.real([1.5, -2]); // → [1.5, -2]
 * ```
 */
export const real = (x: ArrayLike): Tensor => tensor(x, real);
/**
 * The imaginary part: zeros of x's shape and dtype, as tapir's dtypes are all real.
 * Mirrors numpy.imag / jax.numpy.imag.
 * @example
 * ```ts
 * np.imag([1.5, -2]); // → [0, 0]
 * ```
 */
export const imag = (x: ArrayLike): Tensor => {
  const t = tensor(x, imag);
  return lax.full(t.shape, 0, t.dtype);
};
/**
 * Rounds to the nearest integer, halves to even: the same function as {@link round} with no decimals.
 * Mirrors numpy.rint / jax.numpy.rint.
 * @example
 * ```ts
 * np.rint([0.5, 1.5, -2.5]); // → [0, 2, -2]
 * ```
 */
export const rint = (x: ArrayLike): Tensor => round(x);
/**
 * Rounds toward zero, elementwise, kept in x's dtype; zero derivative.
 * Mirrors numpy.trunc / jax.numpy.trunc (and numpy.fix, {@link fix}).
 * @example
 * ```ts
 * np.trunc([-1.7, 1.7]); // → [-1, 1]
 * ```
 */
export function trunc(x: ArrayLike): Tensor {
  const t = tensor(x, trunc);
  return isFloat(t.dtype) ? where(less(t, 0), ceil(t), floor(t)) : t;
}
/**
 * Rounds toward zero: the same function as {@link trunc}.
 * Mirrors numpy.fix / jax.numpy.fix.
 * @example
 * ```ts
 * np.fix([-2.5, 2.5]); // → [-2, 2]
 * ```
 */
export const fix = (x: ArrayLike): Tensor => trunc(x);

// ------------------------------------------------------------------ closeness

/** Options of {@link isclose} and {@link arrayEqual}. */
export interface CloseOpts {
  rtol?: number;
  atol?: number;
  /** NaN equals NaN, default false */
  equalNan?: boolean;
}
/**
 * Whether a and b are close elementwise: |a - b| ≤ atol + rtol·|b| (defaults 1e-5 and 1e-8);
 * infinities are close only to themselves, NaN to nothing unless `equalNan`. Traceable.
 * Mirrors numpy.isclose / jax.numpy.isclose (options object instead of keywords).
 * @example
 * ```ts
 * np.isclose([1, 1, Infinity], [1.000001, 1.1, Infinity]); // → [true, false, true]
 * np.isclose(NaN, NaN, { equalNan: true }); // → true
 * ```
 */
export function isclose(a: ArrayLike, b: ArrayLike, opts: CloseOpts = {}): Tensor {
  checkOptions("isclose", opts, ["rtol", "atol", "equalNan"]);
  const [x, y] = floats2(a, b, isclose);
  const tol = add(opts.atol ?? 1e-8, multiply(opts.rtol ?? 1e-5, abs(y)));
  const finite = logicalAnd(isfinite(x), isfinite(y));
  const close = where(finite, lax.le(abs(subtract(x, y)), tol), equal(x, y));
  return opts.equalNan ? logicalOr(close, logicalAnd(isnan(x), isnan(y))) : close;
}
/**
 * Whether a and b have the same shape and equal elements (NaN ≠ NaN unless `equalNan`).
 * Mirrors numpy.array_equal / jax.numpy.array_equal, but returns a JS boolean, as {@link allclose}
 * does (it reads the values: not traceable).
 * @example
 * ```ts
 * np.arrayEqual([1, 2], [1, 2]); // → true
 * np.arrayEqual([1, 2], [[1, 2]]); // → false
 * ```
 */
export function arrayEqual(a: ArrayLike, b: ArrayLike, opts: { equalNan?: boolean } = {}): boolean {
  checkOptions("arrayEqual", opts, ["equalNan"]);
  const x = tensor(a, arrayEqual);
  const y = tensor(b, arrayEqual);
  if (!shapeEq(x.shape, y.shape)) return false;
  let eq = equal(x, y);
  if (opts.equalNan) eq = logicalOr(eq, logicalAnd(isnan(x), isnan(y)));
  const all = toConcrete(lax.reduceMin(astype(eq, "int32"), eq.shape.map((_, i) => i)), "arrayEqual");
  return x.size === 0 || all.item() === 1;
}
