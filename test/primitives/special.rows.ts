// Rows of the special-function primitives (erf, erfc, erf_inv, lgamma, digamma, polygamma), each
// against a float64 reference written here by a different method than the kernel's: the
// alternating Maclaurin series, Simpson quadrature, bisection, Stirling's series and long direct
// sums (scipy's values at fixed points are checked in test/core/nn-special.test.ts).
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { mapNd } from "../util/ref.js";
import { FLOATS, SHAPES1, gen, typed, unaryRow, type Row } from "./row.js";

/** erf by its Maclaurin series 2/√π Σ (−1)ⁿ x²ⁿ⁺¹/(n!(2n+1)) (|x| ≤ 3: cancellation costs < 4 digits). */
export function erfRef(x: number): number {
  if (Math.abs(x) > 3) return Math.sign(x) * (1 - erfcRef(Math.abs(x)));
  let term = x;
  let sum = x;
  for (let n = 1; n < 120; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
/** erfc(x) = 2/√π e^(−x²) ∫₀^8 e^(−2xs − s²) ds by composite Simpson (h = 1/1000), for x ≥ 0. */
export function erfcRef(x: number): number {
  if (x === Infinity) return 0;
  if (x < 1) return 1 - erfRef(x);
  const n = 8000;
  const h = 8 / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const t = i * h;
    const w = i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2;
    s += w * Math.exp(-2 * x * t - t * t);
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * ((s * h) / 3);
}
/** erf⁻¹ by bisection: on erfRef, or for |p| > ½ on erfcRef(y) = 1 − |p| (exact there, where erf saturates). */
export function erfinvRef(p: number): number {
  const a = Math.abs(p);
  let lo = 0;
  let hi = 7;
  for (let i = 0; i < 90; i++) {
    const mid = (lo + hi) / 2;
    if (a > 0.5 ? erfcRef(mid) > 1 - a : erfRef(mid) < a) lo = mid;
    else hi = mid;
  }
  return Math.sign(p) * ((lo + hi) / 2);
}
/** Φ⁻¹(p) by bisection on the tail: ½ erfc(t/√2) = min(p, 1 − p) for t ≥ 0, negated below ½. */
export function ndtriRef(p: number): number {
  if (p === 0 || p === 1) return p === 0 ? -Infinity : Infinity;
  const q = Math.min(p, 1 - p);
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (0.5 * erfcRef(mid / Math.SQRT2) > q) lo = mid;
    else hi = mid;
  }
  return (p < 0.5 ? -1 : 1) * ((lo + hi) / 2);
}
/** log|Γ(x)| by Stirling's series at x + k ≥ 15, shifted back by log Γ(x) = log Γ(x + k) − Σ log|x + i|. */
export function lgammaRef(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaRef(1 - x);
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const i2 = 1 / (x * x);
  const series = (1 / x) * (1 / 12 - i2 * (1 / 360 - i2 * (1 / 1260 - i2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}
/**
 * ψ⁽ⁿ⁾(x) for n ≥ 0 by the direct sum over 2000 shifts (ψ(x) = ψ(x + N) − Σ 1/(x + k);
 * ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + N) + (−1)ⁿ⁺¹ n! Σ 1/(x + k)ⁿ⁺¹), the tail by three asymptotic terms at x + N.
 */
export function polygammaRef(n: number, x: number): number {
  const N = 2000;
  let fact = 1;
  for (let i = 2; i <= n; i++) fact *= i;
  let s = 0;
  for (let k = 0; k < N; k++) s += n === 0 ? -1 / (x + k) : fact / (x + k) ** (n + 1);
  const z = x + N;
  if (n === 0) return s + Math.log(z) - 1 / (2 * z) - 1 / (12 * z * z);
  const tail = fact / n / z ** n + fact / 2 / z ** (n + 1) + ((fact * (n + 1)) / 12) / z ** (n + 2);
  return (n % 2 === 1 ? 1 : -1) * (s + tail);
}

/** Points away from the poles 0, −1, −2, … (no gradient or vmap check there: values only). */
const NEGATIVE = [[-0.5, -1.3, -2.7, -5.5]];

/** polygamma's row: one case per order n and shape. */
const polygammaRow: Row = {
  dtypes: FLOATS,
  cases: () =>
    [1, 2, 3].flatMap((n) => [
      ...SHAPES1.map((shape) => ({ params: { n }, args: (r: Rng, d: DType) => [gen(r, d, shape, 0.3, 4)] })),
      { params: { n }, args: (_r: Rng, d: DType) => [typed(NEGATIVE[0]!, d, [4])], grad: false, vmap: false },
    ]),
  ref: ([x], { n }) => mapNd((v) => polygammaRef(n, v), x!),
  grad: "yes",
  tol: [2e-6, 1e-11],
  // third derivatives at 0.3 are ~10³: finite differences need the relative tolerance
  gradOpts: { rtol: 1e-4 },
};

export const specialRows = {
  erf: { ...unaryRow(erfRef, { lo: -3, hi: 3, extra: [[0, -0, 4, -5, 30, Infinity, -Infinity]] }), tol: [2e-6, 1e-12] },
  erfc: { ...unaryRow((x) => (x >= 0 ? erfcRef(x) : 2 - erfcRef(-x)), { lo: -2, hi: 4, extra: [[0, 5, 10, 26, -3, Infinity]] }), tol: [2e-6, 1e-10] },
  erf_inv: { ...unaryRow(erfinvRef, { lo: -0.99, hi: 0.99, extra: [[0, 0.999999, -0.9999999, 1e-10]] }), tol: [2e-6, 1e-12] },
  lgamma: { ...unaryRow(lgammaRef, { lo: 0.2, hi: 8, extra: [...NEGATIVE, [1, 2, 100, 1e5]] }), tol: [2e-6, 1e-12] },
  digamma: { ...unaryRow((x) => polygammaRef(0, x), { lo: 0.2, hi: 8, extra: [...NEGATIVE, [1, 2, 100, 1e5]] }), tol: [2e-6, 1e-11] },
  polygamma: polygammaRow,
  // Φ⁻¹ by bisection on Φ(y) = ½ erfc(−y/√2) (the upper tail on 1 − p)
  ndtri: {
    ...unaryRow(ndtriRef, { lo: 0.01, hi: 0.99, extra: [[0.5, 1e-6, 0.999999, 0, 1]] }),
    tol: [2e-6, 1e-11],
  },
} satisfies Partial<Record<PrimitiveName, Row>>;
