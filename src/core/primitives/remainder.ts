// Arithmetic primitives with their own kernels: the truncated remainder (C's fmod, exact in
// floating point where x - trunc(x/y)·y is not) and nextafter (a step of one ulp).
import { defJvp, definePrimitive, vectorized } from "../primitive.js";
import type { DType } from "../dtype.js";
import { exprFor, mapKernel, naryShape } from "./util.js";
import { abs, div, floor, mul, neg, sign } from "../lax.js";
import { binary } from "./binary.js";

// rem(x, y) = x - trunc(x/y)·y with the sign of x (JS's % is exactly C's fmod); an int32
// remainder by 0 is 0 (as JAX). d rem = dx - trunc(x/y) dy
export const remP = binary(
  "rem",
  { float: "(a0 % a1)", int32: "(a1 === 0 ? 0 : (a0 % a1) | 0)" },
  {
    jvp: defJvp(
      (g) => g,
      (g, [x, y]) => {
        const q = div(x, y);
        return neg(mul(g, mul(sign(q), floor(abs(q)))));
      },
    ),
  },
);

/**
 * The float next to x in the direction of y, by arithmetic on the exponent (no bit access in a
 * kernel expression): the ulp of |x| is 2^(e - p) for 2^e ≤ |x| < 2^(e+1), never below the
 * smallest subnormal, and half that when stepping toward zero from a power of two.
 * p = 52 for float64 (smallest subnormal 2^-1074), 23 for float32 (2^-149); the float32 sum is
 * exact in double and rounds to itself on store (MAX + ulp rounds to Infinity, as it should).
 */
const nextafterExpr = (p: number, minExp: number, max: number) =>
  `((x, y) => { if (x !== x || y !== y) return NaN; if (x === y) return y; ` +
  `if (x === 0) return y > 0 ? ${2 ** minExp} : -${2 ** minExp}; const a = Math.abs(x); ` +
  `if (a === Infinity) return x > 0 ? ${max} : -${max}; ` +
  `let e = Math.floor(Math.log2(a)); if (2 ** e > a) e--; else if (2 ** (e + 1) <= a) e++; ` +
  `let u = 2 ** Math.max(e - ${p}, ${minExp}); if ((y > x) !== (x > 0) && a === 2 ** e) u = Math.max(u / 2, ${2 ** minExp}); ` +
  `return y > x ? x + u : x - u; })(a0, a1)`;
const NEXT64 = nextafterExpr(52, -1074, Number.MAX_VALUE);
const NEXT32 = nextafterExpr(23, -149, 3.4028234663852886e38);
const nextExpr = (d: DType) => exprFor("nextafter", d === "float32" ? { float: NEXT32 } : { float: NEXT64 }, d);
// nextafter(x, y): x moved one ulp toward y; no derivative rule (as JAX)
export const nextafterP = definePrimitive<"nextafter", {}, 2>({
  name: "nextafter",
  abstractEval: naryShape("nextafter"),
  expr: ([d]) => nextExpr(d),
  impl: ([a, b]) => [mapKernel(nextExpr(a.dtype), [a, b], a.dtype, "nextafter")],
  batch: vectorized,
  notDifferentiable: true,
});
