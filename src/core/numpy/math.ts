// Elementwise math of the numpy layer: operands are converted and promoted (JS numbers are
// weakly typed), transcendental functions take ints and bools as float32, then one lax call.
import { isFloat } from "../dtype.js";
import { ValueError, fail } from "../errors.js";
import { Tensor, type ArrayLike } from "../tensor.js";
import * as lax from "../lax.js";
import { astype, coerce, floaty, onesLike, tensor } from "./convert.js";

// ------------------------------------------------------------------ elementwise

/** A float function of one operand (ints and bools become float32). */
const un = (f: (x: Tensor) => Tensor) => {
  // g passes itself so a conversion error names the export the user called (nameApis)
  const g = (x: ArrayLike): Tensor => f(floaty(x, g));
  return g;
};
/**
 * Sine, elementwise, of x in radians.
 * Mirrors numpy.sin / jax.numpy.sin.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.sin([0, Math.PI / 2]); // → [0, 1]
 * ```
 */
export const sin = un(lax.sin);
/**
 * Cosine, elementwise, of x in radians.
 * Mirrors numpy.cos / jax.numpy.cos.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.cos([0, Math.PI]); // → [1, -1]
 * ```
 */
export const cos = un(lax.cos);
/**
 * Tangent, elementwise, of x in radians.
 * Mirrors numpy.tan / jax.numpy.tan.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.tan([0, Math.PI / 4]); // → [0, 1]
 * ```
 */
export const tan = un(lax.tan);
/**
 * The exponential eˣ, elementwise.
 * Mirrors numpy.exp / jax.numpy.exp.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input); overflows to Infinity.
 * @example
 * ```ts
 * np.exp([0, 1]); // → [1, 2.718282]
 * ```
 */
export const exp = un(lax.exp);
/**
 * The natural logarithm, elementwise: -Infinity at 0 and NaN below 0 (no error, as in numpy).
 * Mirrors numpy.log / jax.numpy.log.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.log([1, Math.E, 0]); // → Array([0., 1., -inf], dtype=float32)
 * ```
 */
export const log = un(lax.log);
/**
 * log(1 + x), elementwise, accurate for x near 0 where `np.log(1 + x)` loses digits.
 * Mirrors numpy.log1p / jax.numpy.log1p.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.log1p([0, 1]); // → [0, 0.693147]
 * np.log1p(np.array(1e-10, { dtype: "float64" })).item(); // → 1e-10
 * ```
 */
export const log1p = un(lax.log1p);
/**
 * eˣ - 1, elementwise, accurate for x near 0 where `np.exp(x) - 1` loses digits.
 * Mirrors numpy.expm1 / jax.numpy.expm1.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.expm1([0, 1]); // → [0, 1.718282]
 * ```
 */
export const expm1 = un(lax.expm1);
/**
 * The non-negative square root, elementwise; NaN for negative input (no error, as in numpy).
 * Mirrors numpy.sqrt / jax.numpy.sqrt.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.sqrt([4, 9, -1]); // → Array([2., 3., nan], dtype=float32)
 * ```
 */
export const sqrt = un(lax.sqrt);
/**
 * Hyperbolic tangent, elementwise; values in (-1, 1).
 * Mirrors numpy.tanh / jax.numpy.tanh.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.tanh([0, 1]); // → [0, 0.761594]
 * ```
 */
export const tanh = un(lax.tanh);
/**
 * Inverse sine, elementwise, in [-π/2, π/2]; NaN outside [-1, 1].
 * Mirrors numpy.arcsin / jax.numpy.arcsin.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.arcsin([0, 1]); // → [0, 1.570796]
 * ```
 */
export const arcsin = un(lax.asin);
/**
 * Inverse cosine, elementwise, in [0, π]; NaN outside [-1, 1].
 * Mirrors numpy.arccos / jax.numpy.arccos.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.arccos([1, 0]); // → [0, 1.570796]
 * ```
 */
export const arccos = un(lax.acos);
/**
 * Inverse tangent, elementwise, in (-π/2, π/2). For the quadrant-aware angle use {@link arctan2}.
 * Mirrors numpy.arctan / jax.numpy.arctan.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.arctan([0, 1]); // → [0, 0.785398]
 * ```
 */
export const arctan = un(lax.atan);
/**
 * Hyperbolic sine, elementwise.
 * Mirrors numpy.sinh / jax.numpy.sinh.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.sinh([0, 1]); // → [0, 1.175201]
 * ```
 */
export const sinh = un(lax.sinh);
/**
 * Hyperbolic cosine, elementwise.
 * Mirrors numpy.cosh / jax.numpy.cosh.
 * @param x - any shape and dtype; ints and bools are converted to float32 first (as in JAX).
 * @returns a float tensor of x's shape (float32, or float64 for float64 input).
 * @example
 * ```ts
 * np.cosh([0, 1]); // → [1, 1.543081]
 * ```
 */
export const cosh = un(lax.cosh);
export const sigmoid = un(lax.logistic);
/**
 * -x, elementwise.
 * Mirrors numpy.negative / jax.numpy.negative.
 * @param x - any shape; float or int32 (JS arrays become float32).
 * @returns a tensor of x's shape and dtype.
 * @example
 * ```ts
 * np.negative([1, -2]); // → [-1, 2]
 * ```
 */
export const negative = (x: ArrayLike): Tensor => lax.neg(tensor(x));
/**
 * |x|, elementwise.
 * Mirrors numpy.abs / jax.numpy.abs.
 * @param x - any shape; float or int32 (JS arrays become float32).
 * @returns a tensor of x's shape and dtype.
 * @example
 * ```ts
 * np.abs([-1.5, 2]); // → [1.5, 2]
 * ```
 */
export const abs = (x: ArrayLike): Tensor => lax.abs(tensor(x));
/**
 * The sign of x, elementwise: -1, 0 or 1 (NaN stays NaN).
 * Mirrors numpy.sign / jax.numpy.sign.
 * @param x - any shape; float or int32 (JS arrays become float32).
 * @returns a tensor of x's shape and dtype.
 * @example
 * ```ts
 * np.sign([-3, 0, 2]); // → [-1, 0, 1]
 * ```
 */
export const sign = (x: ArrayLike): Tensor => lax.sign(tensor(x));
/**
 * The largest integer ≤ x, elementwise, kept in x's dtype (use {@link astype} for int32).
 * Mirrors numpy.floor / jax.numpy.floor.
 * @param x - any shape; float or int32 (JS arrays become float32).
 * @returns a tensor of x's shape and dtype.
 * @example
 * ```ts
 * np.floor([-1.5, 1.5]); // → [-2, 1]
 * ```
 */
export const floor = (x: ArrayLike): Tensor => lax.floor(tensor(x));
/**
 * The smallest integer ≥ x, elementwise, kept in x's dtype.
 * Mirrors numpy.ceil / jax.numpy.ceil.
 * @param x - any shape; float or int32 (JS arrays become float32).
 * @returns a tensor of x's shape and dtype.
 * @example
 * ```ts
 * np.ceil([-1.5, 1.5]); // → [-1, 2]
 * ```
 */
export const ceil = (x: ArrayLike): Tensor => lax.ceil(tensor(x));
/**
 * Rounds to the nearest integer (or to `decimals` decimal places: round(x·10ᵈ)/10ᵈ, numpy's
 * method), halves to even (banker's rounding, as numpy and JAX; unlike `Math.round`), kept in
 * x's dtype. Negative decimals round to tens, hundreds…, ints included (numpy's rule).
 * Mirrors numpy.round / jax.numpy.round.
 * @param x - any shape; float or int32 (JS arrays become float32).
 * @param decimals - an integer, default 0.
 * @returns a tensor of x's shape and dtype.
 * @throws ValueError for a non-integer decimals.
 * @example
 * ```ts
 * np.round([0.5, 1.5, 2.5, 2.6]); // → [0, 2, 2, 3]
 * np.round([1.25, 3.14159], 2); // → [1.25, 3.14]
 * np.round(np.array([1250, 1351], { dtype: "int32" }), -2); // → [1200, 1400]
 * ```
 */
export function round(x: ArrayLike, decimals = 0): Tensor {
  const t = tensor(x, "round");
  if (!Number.isInteger(decimals)) throw fail(ValueError, `round: decimals must be an integer, got ${decimals}. Pass e.g. 2 for hundredths.`);
  if (decimals === 0 || (decimals > 0 && !isFloat(t.dtype))) return lax.round(t);
  const f = isFloat(t.dtype) ? t : astype(t, "float64"); // an int rounds to tens exactly in float64
  const scale = 10 ** Math.abs(decimals);
  const r = decimals > 0 ? divide(lax.round(mul(f, scale)), scale) : mul(lax.round(divide(f, scale)), scale);
  return r.dtype === t.dtype ? r : astype(r, t.dtype);
}
/**
 * Whether each element is NaN.
 * Mirrors numpy.isnan / jax.numpy.isnan.
 * @param x - any shape and dtype (ints and bools are never NaN).
 * @returns a bool tensor of x's shape.
 * @example
 * ```ts
 * np.isnan([1, NaN]); // → [false, true]
 * ```
 */
export const isnan = (x: ArrayLike): Tensor => lax.isnan(tensor(x));
/**
 * Whether each element is finite (neither ±Infinity nor NaN).
 * Mirrors numpy.isfinite / jax.numpy.isfinite.
 * @param x - any shape and dtype.
 * @returns a bool tensor of x's shape.
 * @example
 * ```ts
 * np.isfinite([1, Infinity, NaN]); // → [true, false, false]
 * ```
 */
export const isfinite = (x: ArrayLike): Tensor => lax.isfinite(tensor(x));
export const stopGradient = (x: ArrayLike): Tensor => lax.stopGradient(tensor(x));

/** A function of two operands, converted and promoted to one dtype. */
const bi = (f: (x: Tensor, y: Tensor) => Tensor) => {
  const g = (a: ArrayLike, b: ArrayLike): Tensor => {
    // fast path: two strong tensors of one dtype need no conversion
    if (a instanceof Tensor && b instanceof Tensor && a.dtype === b.dtype && a._weak === 0 && b._weak === 0) return f(a, b);
    const xy = coerce([a, b], g); // g: a conversion error names the export the user called
    return f(xy[0]!, xy[1]!);
  };
  return g;
};
/**
 * a + b, elementwise with numpy broadcasting.
 * Mirrors numpy.add / jax.numpy.add; also `a.add(b)`.
 * @param a - any shape and dtype; a JS number takes the other operand's dtype (JAX weak typing).
 * @param b - a shape that broadcasts with a's.
 * @returns the broadcast shape, in the promoted dtype (bool < int32 < float32 < float64).
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.add([1, 2], 10); // → [11, 12]
 * np.add([[1], [2]], [10, 20]); // → [[11, 21], [12, 22]]
 * ```
 */
export const add = bi(lax.add);
/**
 * a - b, elementwise with numpy broadcasting.
 * Mirrors numpy.subtract / jax.numpy.subtract; also `a.sub(b)`.
 * @param a - any shape and dtype; a JS number takes the other operand's dtype (JAX weak typing).
 * @param b - a shape that broadcasts with a's.
 * @returns the broadcast shape, in the promoted dtype (bool < int32 < float32 < float64).
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.subtract([5, 7], [1, 2]); // → [4, 5]
 * ```
 */
export const subtract = bi(lax.sub);
/**
 * a * b, elementwise with numpy broadcasting.
 * Mirrors numpy.multiply / jax.numpy.multiply; also `a.mul(b)`.
 * @param a - any shape and dtype; a JS number takes the other operand's dtype (JAX weak typing).
 * @param b - a shape that broadcasts with a's.
 * @returns the broadcast shape, in the promoted dtype (bool < int32 < float32 < float64).
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.multiply([1, 2, 3], 2); // → [2, 4, 6]
 * ```
 */
export const multiply = bi(lax.mul);
/**
 * The larger of a and b, elementwise with numpy broadcasting.
 * Mirrors numpy.maximum / jax.numpy.maximum (not {@link max}, which reduces).
 * @param a - any shape and dtype; a JS number takes the other operand's dtype (JAX weak typing).
 * @param b - a shape that broadcasts with a's.
 * @returns the broadcast shape, in the promoted dtype.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.maximum([1, 5], [3, 2]); // → [3, 5]
 * np.maximum([-1, 2], 0); // → [0, 2]
 * ```
 */
export const maximum = bi(lax.max);
/**
 * The smaller of a and b, elementwise with numpy broadcasting.
 * Mirrors numpy.minimum / jax.numpy.minimum (not {@link min}, which reduces).
 * @param a - any shape and dtype; a JS number takes the other operand's dtype (JAX weak typing).
 * @param b - a shape that broadcasts with a's.
 * @returns the broadcast shape, in the promoted dtype.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.minimum([1, 5], [3, 2]); // → [1, 2]
 * ```
 */
export const minimum = bi(lax.min);
/**
 * a == b, elementwise with numpy broadcasting (operands promoted to one dtype first).
 * Mirrors numpy.equal / jax.numpy.equal (JS cannot overload `==`).
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.equal([1, 2, 3], 2); // → [false, true, false]
 * ```
 */
export const equal = bi(lax.eq);
/**
 * a != b, elementwise with numpy broadcasting; true where either is NaN.
 * Mirrors numpy.not_equal / jax.numpy.not_equal.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.notEqual([1, 2, 3], 2); // → [true, false, true]
 * ```
 */
export const notEqual = bi(lax.ne);
/**
 * a < b, elementwise with numpy broadcasting.
 * Mirrors numpy.less / jax.numpy.less.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.less([1, 2, 3], 2); // → [true, false, false]
 * ```
 */
export const less = bi(lax.lt);
/**
 * a ≤ b, elementwise with numpy broadcasting.
 * Mirrors numpy.less_equal / jax.numpy.less_equal.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.lessEqual([1, 2, 3], 2); // → [true, true, false]
 * ```
 */
export const lessEqual = bi(lax.le);
/**
 * a > b, elementwise with numpy broadcasting.
 * Mirrors numpy.greater / jax.numpy.greater.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.greater([1, 2, 3], 2); // → [false, false, true]
 * ```
 */
export const greater = bi(lax.gt);
/**
 * a ≥ b, elementwise with numpy broadcasting.
 * Mirrors numpy.greater_equal / jax.numpy.greater_equal.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's.
 * @returns a bool tensor of the broadcast shape.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.greaterEqual([1, 2, 3], 2); // → [false, true, true]
 * ```
 */
export const greaterEqual = bi(lax.ge);
export const sub = subtract;
export const mul = multiply;
/**
 * True division a / b, elementwise with numpy broadcasting; x / 0 is ±Infinity (or NaN for 0 / 0).
 * Mirrors numpy.divide / jax.numpy.divide; also `a.div(b)`.
 * @param a - any shape and dtype; a JS number takes the other operand's dtype (JAX weak typing).
 * @param b - a shape that broadcasts with a's.
 * @returns the broadcast shape; float operands keep the promoted float dtype, int32 and bool
 *   operands give float32 (as in JAX, which has no integer true division).
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.divide([1, 2], 4); // → [0.25, 0.5]
 * np.divide(np.arange(3), 2).dtype; // → "float32"
 * ```
 */
export function divide(a: ArrayLike, b: ArrayLike): Tensor {
  let [x, y] = coerce([a, b], "divide") as [Tensor, Tensor];
  if (!isFloat(x.dtype)) [x, y] = [astype(x, "float32"), astype(y, "float32")];
  return lax.div(x, y);
}
export const div = divide;
/**
 * a raised to b, elementwise with numpy broadcasting. A JS integer exponent |b| ≤ 16 on a float
 * tensor is computed by repeated multiplication (JAX's integer_pow), exact at x = 0 and for
 * negative x, with clean derivatives; otherwise negative bases with fractional b give NaN.
 * Mirrors numpy.power / jax.numpy.power; also `a.pow(b)`.
 * @param a - any shape and dtype.
 * @param b - a shape that broadcasts with a's; a JS number takes a's dtype.
 * @returns the broadcast shape, in the promoted dtype.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * np.power([2, -3], 2); // → [4, 9]
 * np.power(4, [0.5, -1]); // → [2, 0.25]
 * ```
 */
export function power(a: ArrayLike, b: ArrayLike): Tensor {
  let [x, y] = coerce([a, b], "power") as [Tensor, Tensor];
  if (x.dtype === "bool") [x, y] = [astype(x, "int32"), astype(y, "int32")]; // bool ** bool is int32 in JAX
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
  let [y, x] = coerce([x1, x2], "arctan2") as [Tensor, Tensor];
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
/**
 * x * x, elementwise.
 * Mirrors numpy.square / jax.numpy.square.
 * @param x - any shape and dtype (bools are not squared to ints: use astype first).
 * @returns a tensor of x's shape and dtype.
 * @example
 * ```ts
 * np.square([1, -3]); // → [1, 9]
 * ```
 */
export const square = (x: ArrayLike) => {
  const t = tensor(x).dtype === "bool" ? astype(x, "int32") : tensor(x); // bool squares as int32 (jnp.square)
  return mul(t, t);
};
/**
 * 1 / x, elementwise; 1 / 0 is Infinity.
 * Mirrors numpy.reciprocal / jax.numpy.reciprocal (for ints numpy truncates; tapir gives float32).
 * @param x - any shape; ints and bools are converted to float32 first (numpy would divide integers).
 * @returns a float tensor of x's shape.
 * @example
 * ```ts
 * np.reciprocal([2, 4]); // → [0.5, 0.25]
 * ```
 */
export const reciprocal = (x: ArrayLike) => divide(1, floaty(x));
