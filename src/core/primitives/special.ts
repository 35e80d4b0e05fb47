// Special functions as unary elementwise primitives (erf, erfc, erf_inv, ndtri, lgamma, digamma,
// polygamma): each has its own scalar kernel, which no composition of existing primitives
// computes exactly or fast. The kernels are float64 JS (float32 rounds on store), accurate to a
// few ulp against scipy.special (scripts/fixtures/special.py); derivatives chain into each other
// (lgamma' = digamma, digamma' = polygamma(1), polygamma(n)' = polygamma(n + 1)), so every order
// of derivative exists, as in JAX.
import { definePrimitive, defJvp, vectorized, type Prim } from "../primitive.js";
import { bind1 } from "../trace.js";
import type { Tensor } from "../tensor.js";
import { ValueError, fail } from "../errors.js";
import { exprFor, mapKernel, naryShape } from "./util.js";
import { exp, mul, neg, scalarLike, square } from "../lax.js";

/** One-line scalar source (the fused-kernel builder splits statements at newlines). */
const line = (src: string) => src.replace(/\s*\n\s*/g, " ");
/** The expression applying a scalar function's source to the operand. */
const call = (fn: string) => line(`(${fn})(a0)`);

// erf(x) = 2/√π e^(−x²) Σₙ 2ⁿ x^(2n+1)/(1·3⋯(2n+1)) for |x| < 2.5 (positive terms: no
// cancellation), else ±(1 − erfc(|x|)) with erfc's continued fraction
// e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))) evaluated bottom-up (depth 60 reaches 1e−16 there)
const ERF = `(x) => {
    const ax = Math.abs(x);
    if (ax < 2.5) {
      const x2 = x * x;
      let term = x, sum = x;
      for (let n = 1; n < 80 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) { term *= 2 * x2 / (2 * n + 1); sum += term; }
      return 1.1283791670955126 * Math.exp(-x2) * sum;
    }
    if (!(ax < Infinity)) return ax === Infinity ? Math.sign(x) : NaN;
    let f = ax;
    for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
    const c = Math.exp(-ax * ax) / (f * 1.7724538509055159);
    return x > 0 ? 1 - c : c - 1;
  }`;
// erfc(x) = 1 − erf(x) below 1.5 (erfc > 0.03: at most a digit lost); the continued fraction
// above (depth 150 below 3, where it converges slower)
const ERFC = `(x) => {
    if (!(x >= 1.5)) return 1 - (${ERF})(x);
    if (x === Infinity) return 0;
    let f = x;
    for (let k = x < 3 ? 150 : 60; k >= 1; k--) f = x + k / 2 / f;
    return Math.exp(-x * x) / (f * 1.7724538509055159);
  }`;
// erf⁻¹: Giles' single-precision polynomial in w = −log(1 − x²), then two Halley steps on
// erf(y) = x (on erfc(y) = 1 − x above 0.5, where 1 − x is exact and erf saturates)
const ERFINV = `(x) => {
    const ax = Math.abs(x);
    if (!(ax < 1)) return ax === 1 ? x * Infinity : NaN;
    let w = -Math.log((1 - ax) * (1 + ax)), p;
    if (w < 5) {
      w -= 2.5;
      p = 2.81022636e-8; p = 3.43273939e-7 + p * w; p = -3.5233877e-6 + p * w; p = -4.39150654e-6 + p * w; p = 0.00021858087 + p * w;
      p = -0.00125372503 + p * w; p = -0.00417768164 + p * w; p = 0.246640727 + p * w; p = 1.50140941 + p * w;
    } else {
      w = Math.sqrt(w) - 3;
      p = -0.000200214257; p = 0.000100950558 + p * w; p = 0.00134934322 + p * w; p = -0.00367342844 + p * w; p = 0.00573950773 + p * w;
      p = -0.0076224613 + p * w; p = 0.00943887047 + p * w; p = 1.00167406 + p * w; p = 2.83297682 + p * w;
    }
    let y = p * ax;
    const erf = ${ERF};
    const erfc = ${ERFC};
    for (let i = 0; i < 2; i++) {
      const f = ax > 0.5 ? (1 - ax) - erfc(y) : erf(y) - ax;
      y -= f / (1.1283791670955126 * Math.exp(-y * y) + y * f);
    }
    return x < 0 ? -y : y;
  }`;
// log|Γ(x)|: Lanczos (g = 7, 9 terms) for x ≥ ½; the reflection log(π/|sin πx|) − log|Γ(1 − x)|
// below; +∞ at the poles 0, −1, −2, …
const LGAMMA = `(x) => {
    if (x <= 0 && Math.floor(x) === x) return Infinity;
    const lg = (z) => {
      z -= 1;
      let a = 0.99999999999980993;
      const c = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
      for (let i = 0; i < 8; i++) a += c[i] / (z + i + 1);
      const t = z + 7.5;
      return 0.91893853320467274 + (z + 0.5) * Math.log(t) - t + Math.log(a);
    };
    if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lg(1 - x);
    return lg(x);
  }`;
// ψ(x): reflection ψ(1 − x) − π/tan(πx) below ½, the recurrence ψ(x) = ψ(x + 1) − 1/x up to 6,
// then log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ); NaN at the poles (as JAX)
const DIGAMMA = `(x) => {
    if (x <= 0 && Math.floor(x) === x) return NaN;
    let r = 0;
    if (x < 0.5) { r = -Math.PI / Math.tan(Math.PI * x); x = 1 - x; }
    while (x < 6) { r -= 1 / x; x += 1; }
    const i2 = 1 / (x * x);
    return r + Math.log(x) - 0.5 / x - i2 * (1 / 12 - i2 * (1 / 120 - i2 * (1 / 252 - i2 * (1 / 240 - i2 * (1 / 132 - i2 * (691 / 32760 - i2 / 12))))));
  }`;
// ψ⁽ⁿ⁾(x), n ≥ 1: the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) + (−1)ⁿ⁺¹ n!/xⁿ⁺¹ up to 20 + 2n, then
// (−1)ⁿ⁺¹ [(n−1)!/xⁿ + n!/(2xⁿ⁺¹) + Σₖ B₂ₖ (2k+n−1)!/((2k)! x^(2k+n))]; at the poles +∞ for odd
// n, NaN for even n (as JAX)
const polygammaSrc = (n: number) => `(x) => {
    const n = ${n};
    if (x <= 0 && Math.floor(x) === x) return ${n % 2 === 1 ? "Infinity" : "NaN"};
    let fact = 1;
    for (let i = 2; i <= n; i++) fact *= i;
    let r = 0;
    const X = 20 + 2 * n;
    while (x < X) { r += fact / Math.pow(x, n + 1); x += 1; }
    const B = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6];
    let s = fact / n / Math.pow(x, n) + fact / 2 / Math.pow(x, n + 1);
    let c = fact / n;
    for (let k = 1; k <= 7; k++) {
      c *= (2 * k + n - 2) * (2 * k + n - 1) / ((2 * k - 1) * (2 * k));
      s += B[k - 1] * c / Math.pow(x, 2 * k + n);
    }
    return ${n % 2 === 1 ? "" : "-"}(r + s);
  }`;

// Φ⁻¹(p): Acklam's rational approximation (relative error < 1.2e−9; the tails in
// q = √(−2 log min(p, 1 − p))), then two Halley steps on Φ(x) = ½ erfc(−x/√2) − p (on the upper
// tail's 1 − p, exact there), which reach full float64 precision deep into the tails
const NDTRI = `(p) => {
    if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
    const q0 = p < 0.5 ? p : 1 - p;
    let x;
    if (q0 < 0.02425) {
      const q = Math.sqrt(-2 * Math.log(q0));
      x = (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
        ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
      if (p >= 0.5) x = -x;
    } else {
      const q = p - 0.5, r = q * q;
      x = (((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) * r + 2.506628277459239) * q /
        (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) * r + 1);
    }
    const erfc = ${ERFC};
    for (let i = 0; i < 2; i++) {
      const e = x < 0 ? 0.5 * erfc(-x * Math.SQRT1_2) - p : (1 - p) - 0.5 * erfc(x * Math.SQRT1_2);
      const u = e * 2.5066282746310002 * Math.exp(x * x / 2);
      x -= u / (1 + x * u / 2);
    }
    return x;
  }`;

// erf in float32 as one expression of arithmetic, |x|, exp and selects, which the elementwise
// compiler vectorises (the float64 kernel above is a JS function with loops: a fused chain holding
// it, a GELU, ran entirely as scalar JS, ~100 ns per element). Evaluated in float64, rounded once
// to float32: below |x| = 1, x·P(x²) with P erf(x)/x's Taylor series to x²²  (relative error
// < 1e-10); on [1, 4), ±(1 − e^(−x²)·R(s)), R a degree-14 Chebyshev fit of erfcx = e^(x²)·erfc on
// s = (2|x| − 5)/3 (relative error 2.4e-10; scripts/fixtures/erf32_fit.py made the coefficients);
// ±1 from 4 on (erf 4 = 1 − 1.5e-8 rounds to 1). The vectorised float32 exp adds ≤ 1 ulp of
// e^(−x²), ≤ 0.2 ulp of erf: ≤ 1 ulp from float64 erf rounded to float32 over a dense walk
// (test/core/special.test.ts). NaN falls through to the middle branch and stays NaN; −0 stays −0.
const ERF32_SMALL = (z: string) =>
  `(1.1283791670955126 + ${z} * (-0.37612638903183754 + ${z} * (0.11283791670955126 + ${z} * (-0.026866170645131252 + ${z} * (0.005223977625442188 + ${z} * (-0.0008548327023450852 + ${z} * (0.00012055332981789664 + ${z} * (-1.492565035840625e-05 + ${z} * (1.6462114365889246e-06 + ${z} * (-1.6365844691234924e-07 + ${z} * (1.4807192815879218e-08 + ${z} * (-1.2290555301717926e-09))))))))))))`;
const ERFCX_MID = (s: string) =>
  `(0.21080636405462605 + ${s} * (-0.11152102074917389 + ${s} * (0.056110494273159624 + ${s} * (-0.027005275783572917 + ${s} * (0.012489356649482801 + ${s} * (-0.005570928958854513 + ${s} * (0.002403783827407922 + ${s} * (-0.0010047884623354529 + ${s} * (0.0004085591493636967 + ${s} * (-0.00016449745118348835 + ${s} * (6.367237276673444e-05 + ${s} * (-2.04896409283003e-05 + ${s} * (7.473543790386057e-06 + ${s} * (-5.058179278990868e-06 + ${s} * (1.8130129420254806e-06)))))))))))))))`;
const ERF32 = (() => {
  const ax = "Math.abs(a0)";
  const c = `(Math.exp(-((${ax}) * (${ax}))) * ${ERFCX_MID(`((2 * (${ax}) - 5) / 3)`)})`;
  return `((${ax}) < 1 ? (a0) * ${ERF32_SMALL("((a0) * (a0))")} : ((${ax}) >= 4 ? ((a0) > 0 ? 1 : -1) : ((a0) > 0 ? 1 - ${c} : ${c} - 1)))`;
})();

/** A float-only unary primitive with the scalar function `fn` (a float32-only expression `f32`, if given) and its derivative rule. */
function special<N extends string>(name: N, fn: string, jvp: (g: Tensor, x: Tensor, y: Tensor) => Tensor, f32?: string): Prim<N, {}> {
  const table = { float: call(fn), ...(f32 === undefined ? {} : { float32: f32 }) };
  return definePrimitive<N, {}, 1>({
    name,
    abstractEval: naryShape(name),
    expr: ([d]) => exprFor(name, table, d),
    impl: ([x]) => [mapKernel(exprFor(name, table, x.dtype), [x], x.dtype)],
    jvp: defJvp<{}, 1>((g, [x], y) => jvp(g, x, y)),
    batch: vectorized,
  });
}
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const gaussian = (x: Tensor) => mul(scalarLike(x, TWO_OVER_SQRT_PI), exp(neg(square(x))));

// d erf x = 2/√π e^(−x²) dx
export const erfP = special("erf", ERF, (g, x) => mul(g, gaussian(x)), ERF32);
// d erfc x = −2/√π e^(−x²) dx
export const erfcP = special("erfc", ERFC, (g, x) => neg(mul(g, gaussian(x))));
// d erf⁻¹ x = √π/2 e^(y²) dx, y = erf⁻¹ x
export const erfInvP = special("erf_inv", ERFINV, (g, _x, y) => mul(g, mul(scalarLike(y, 1 / TWO_OVER_SQRT_PI), exp(square(y)))));
// d log|Γ(x)| = ψ(x) dx
export const lgammaP = special("lgamma", LGAMMA, (g, x) => mul(g, bind1(digammaP, [x], {})));
// d ψ(x) = ψ⁽¹⁾(x) dx
export const digammaP = special("digamma", DIGAMMA, (g, x) => mul(g, polygamma(1, x)));

// d Φ⁻¹(p) = √(2π) e^(y²/2) dp, y = Φ⁻¹(p)
export const ndtriP = special("ndtri", NDTRI, (g, _x, y) => mul(g, mul(scalarLike(y, Math.sqrt(2 * Math.PI)), exp(mul(scalarLike(y, 0.5), square(y))))));

type PolygammaParams = { n: number };
const pgTable = (n: number) => ({ float: call(polygammaSrc(n)) });
// d ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x) dx
export const polygammaP = definePrimitive<"polygamma", PolygammaParams, 1>({
  name: "polygamma",
  abstractEval: (avals, { n }) => {
    if (!Number.isInteger(n) || n < 1) throw fail(ValueError, `polygamma: the order n must be an integer ≥ 1 (use digamma for n = 0), got ${n}.`);
    return naryShape("polygamma")(avals);
  },
  expr: ([d], { n }) => exprFor("polygamma", pgTable(n), d),
  impl: ([x], { n }) => [mapKernel(exprFor("polygamma", pgTable(n), x.dtype), [x], x.dtype)],
  jvp: defJvp<PolygammaParams, 1>((g, [x], _y, { n }) => mul(g, polygamma(n + 1, x))),
  batch: vectorized,
});
const polygamma = (n: number, x: Tensor): Tensor => bind1(polygammaP, [x], { n });
