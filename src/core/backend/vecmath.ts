// Vectorisable math for float32 kernels: exp, log, log1p, expm1, sin, cos, tan, tanh, atan, pow, atan2,
// each written once as an expression DAG (ew-ir.ts) of adds, multiplies, selects and exact bit
// operations — no table lookups, no data-dependent branches — in float64 (RECIPES) or, where
// that is accurate enough, in float32 arithmetic (RECIPES32: exp, sin, cos, tanh). The Wasm
// compiler inlines the DAG (float32 steps in f32x4 lanes, float64 steps in f64x2 halves); `V`
// below is the same DAG emitted as JS, what the scalar kernels call. Both evaluate the same IEEE
// operations in the same order, so they give the same bits (test/backend/vecmath.test.ts).
//
// Accuracy. The float64 recipes are accurate to a relative error below 1e-10 (2^-33: the
// reductions are exact or nearly, the polynomials fdlibm's or Taylor series cut where the next
// term is below that), far below float32's ulp of 2^-23…2^-24 relative, so after the
// statement's rounding to float32 the result is the correctly rounded value or its neighbour: at
// most 1 ulp from float64 `Math.*` rounded to float32 (measured over a dense walk of all
// float32s: test/backend/vecmath.test.ts, docs/semantics.md). The polynomials are no longer than
// that bound needs: every term costs two vector ops per element pair. The float32 recipes
// (cephes' float polynomials) are ≤ 1 ulp (sin, cos ≤ 2) over the same walk. All are used only
// where a statement rounds to float32; float64 kernels keep `Math.*`.
//
// The float64 sin/cos/tan use Cody–Waite reduction by π/2 in three 33-bit pieces (exact for
// |x| < 2^19·π/2) and fall back to `Math.sin` etc. above that (where a lane needs it; `rare`
// nodes); the float32 sin/cos reduce in float32 lanes in five pieces up to |x| = 6400 and fall
// back to `Math.*` above that.
import { Builder, emitJs, type Node } from "./ew-ir.js";
import { UNIT_RANGE32 } from "./ew-flush.js";

type Recipe = (b: Builder, x: Node, y?: Node) => Node;

const LN2_HI = 6.93147180369123816490e-1; // ln 2, 32 bits: k·LN2_HI exact for |k| < 2^20
const LN2_LO = 1.90821492927058770002e-10;
const LOG2E = 1.4426950408889634;
// π/2 in three 33-bit pieces and a tail (fdlibm's pio2_1, pio2_2, pio2_3, pio2_3t)
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_2 = 6.07710050630396597660e-11;
const PIO2_3 = 2.02226624871116645580e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const INV_PIO2 = 6.36619772367581382433e-1;
/** |x| above which sin/cos/tan fall back to Math.* (k·PIO2_1 stays exact below 2^20·π/2). */
const TRIG_MAX = 823549;

/** e^r − 1 for |r| ≤ ln2/2: Taylor to r^9 (next term < 3e-11 relative). */
const EXPM1_TAYLOR = [1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880];
// fdlibm __kernel_sin / __kernel_cos on [-π/4, π/4] without their last term (which is below
// 1e-11 relative there)
const S = [-1.66666666666666324348e-1, 8.33333333332248946124e-3, -1.98412698298579493134e-4, 2.75573137070700676789e-6, -2.50507602534068634195e-8];
const C = [4.16666666666666019037e-2, -1.38888888888741095749e-3, 2.48015872894767294178e-5, -2.75573143513906633035e-7, 2.08757232129817482790e-9];
// fdlibm atan
const AT = [3.33333333333329318027e-1, -1.99999999998764832476e-1, 1.42857142725034663711e-1, -1.11111104054623557880e-1, 9.09088713343650656196e-2, -7.69187620504482999495e-2, 6.66107313738753120669e-2, -5.83357013379057348645e-2, 4.97687799461593236017e-2, -3.65315727442169155270e-2, 1.62858201153657823623e-2];
const ATAN_HI = [4.63647609000806093515e-1, 7.85398163397448278999e-1, 9.82793723247329054082e-1, 1.57079632679489655800e0];
const ATAN_LO = [2.26987774529616870924e-17, 3.06161699786838301793e-17, 1.39033110312309984516e-17, 6.12323399573676603587e-17];

/** e^x: x = k·ln2 + r, e^r by Taylor, times 2^k built from bits; 0 below -708, ∞ above ln(MAX). */
function exp(b: Builder, x: Node): Node {
  const xc = b.sel(b.cmp("gt", x, b.c(709)), b.c(709), b.sel(b.cmp("lt", x, b.c(-708)), b.c(-708), x));
  const k = b.un("floor", b.add(b.mul(xc, b.c(LOG2E)), b.c(0.5)));
  const r = b.sub(b.sub(xc, b.mul(k, b.c(LN2_HI))), b.mul(k, b.c(LN2_LO)));
  const er = b.add(b.c(1), b.mul(r, b.poly(r, EXPM1_TAYLOR)));
  const y = b.mul(er, b.bits("pow2", k));
  return b.sel(b.cmp("gt", x, b.c(709.782712893384)), b.c(Infinity), b.sel(b.cmp("lt", x, b.c(-708)), b.c(0), y));
}

/** e^x − 1: Taylor for |x| < ln2/2, else exp(x) − 1 (no cancellation there: |e^x − 1| ≥ 0.29). */
function expm1(b: Builder, x: Node): Node {
  const small = b.mul(x, b.poly(x, EXPM1_TAYLOR));
  const y = b.sel(b.cmp("lt", b.un("abs", x), b.c(0.34657359027997264)), small, b.sub(exp(b, x), b.c(1)));
  return b.keepZero(x, y);
}

/**
 * ln x: x = 2^e·m with m in [√½, √2), f = m − 1, s = f/(2+f), ln(1+f) = 2s + 2s·(s²/3 + s⁴/5 + …)
 * to s^12 (|s| ≤ 0.172: next term < 1e-10 relative); subnormal float64s are scaled by 2^54 first.
 */
function log(b: Builder, x: Node): Node {
  const tiny = b.cmp("lt", x, b.c(2.2250738585072014e-308));
  const xs = b.sel(tiny, b.mul(x, b.c(18014398509481984)), x);
  const m0 = b.bits("mantissa", xs);
  const e0 = b.add(b.bits("exponent", xs), b.sel(tiny, b.c(-54), b.c(0)));
  const big = b.cmp("gt", m0, b.c(Math.SQRT2));
  const m = b.sel(big, b.mul(m0, b.c(0.5)), m0);
  const e = b.sel(big, b.add(e0, b.c(1)), e0);
  const f = b.sub(m, b.c(1));
  const s = b.div(f, b.add(b.c(2), f));
  const z = b.mul(s, s);
  const series = b.poly(z, [1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13]);
  const lnf = b.add(b.mul(b.c(2), s), b.mul(b.mul(b.c(2), s), b.mul(z, series)));
  const r = b.add(b.mul(e, b.c(LN2_HI)), b.add(lnf, b.mul(e, b.c(LN2_LO))));
  const finitePos = b.logic("and", b.cmp("gt", x, b.c(0)), b.cmp("lt", x, b.c(Infinity)));
  return b.sel(finitePos, r, b.sel(b.cmp("eq", x, b.c(0)), b.c(-Infinity), b.sel(b.cmp("eq", x, b.c(Infinity)), x, b.c(NaN))));
}

/** ln(1 + x) = ln(u)·x/(u − 1) with u = 1 + x rounded (the quotient corrects u's rounding). */
function log1p(b: Builder, x: Node): Node {
  const u = b.add(b.c(1), x);
  const y = b.mul(log(b, u), b.div(x, b.sub(u, b.c(1))));
  return b.sel(b.cmp("eq", u, b.c(1)), x, b.sel(b.cmp("eq", x, b.c(Infinity)), x, y));
}

/** x = k·π/2 + r, |r| ≤ π/4: [k, r] (Cody–Waite, exact products for |k| < 2^20). */
function reduce(b: Builder, x: Node): [Node, Node] {
  const k = b.un("floor", b.add(b.mul(x, b.c(INV_PIO2)), b.c(0.5)));
  const r = b.sub(b.sub(b.sub(x, b.mul(k, b.c(PIO2_1))), b.mul(k, b.c(PIO2_2))), b.mul(k, b.c(PIO2_3)));
  return [k, b.sub(r, b.mul(k, b.c(PIO2_3T)))];
}
/** sin r and cos r on [-π/4, π/4] (fdlibm kernels). */
function kernels(b: Builder, r: Node): [Node, Node] {
  const z = b.mul(r, r);
  const s = b.add(r, b.mul(b.mul(r, z), b.poly(z, S)));
  const c = b.add(b.sub(b.c(1), b.mul(b.c(0.5), z)), b.mul(b.mul(z, z), b.poly(z, C)));
  return [s, c];
}
/** k mod 4 as masks q = 1, 2, 3 (k is an integer-valued float64). */
function quadrant(b: Builder, k: Node): [Node, Node, Node] {
  const q = b.sub(k, b.mul(b.c(4), b.un("floor", b.mul(k, b.c(0.25)))));
  return [b.cmp("eq", q, b.c(1)), b.cmp("eq", q, b.c(2)), b.cmp("eq", q, b.c(3))];
}
function trig(b: Builder, x: Node, which: "sin" | "cos" | "tan"): Node {
  const [k, r] = reduce(b, x);
  const [s, c] = kernels(b, r);
  const [q1, q2, q3] = quadrant(b, k);
  const ns = b.un("neg", s);
  const nc = b.un("neg", c);
  let y: Node;
  if (which === "sin") y = b.sel(q1, c, b.sel(q2, ns, b.sel(q3, nc, s)));
  else if (which === "cos") y = b.sel(q1, ns, b.sel(q2, nc, b.sel(q3, s, c)));
  else y = b.sel(b.logic("or", q1, q3), b.div(nc, s), b.div(s, c));
  if (which !== "cos") y = b.keepZero(x, y);
  return b.rare(b.cmp("gt", b.un("abs", x), b.c(TRIG_MAX)), b.ext(which, [x]), y);
}

/** tanh x = sign(x)·t/(t + 2), t = expm1(2|x|); ±1 beyond |x| = 20 (tanh 20 = 1 − 8e-18). */
function tanh(b: Builder, x: Node): Node {
  const ax = b.un("abs", x);
  const t = expm1(b, b.mul(b.c(2), b.sel(b.cmp("gt", ax, b.c(20)), b.c(20), ax)));
  const y = b.div(t, b.add(t, b.c(2)));
  return b.keepZero(x, b.sel(b.cmp("lt", x, b.c(0)), b.un("neg", y), y));
}

/** atan (fdlibm): |x| reduced to |t| < 7/16 around 0, ½, 1, 3/2 or ∞, then an odd polynomial. */
function atan(b: Builder, x: Node): Node {
  const ax = b.un("abs", x);
  const lt = (v: number) => b.cmp("lt", ax, b.c(v));
  const r0 = lt(7 / 16), r1 = lt(11 / 16), r2 = lt(19 / 16), r3 = lt(39 / 16);
  const one = b.c(1);
  const t = b.sel(r0, ax, b.sel(r1, b.div(b.sub(b.mul(b.c(2), ax), one), b.add(b.c(2), ax)),
    b.sel(r2, b.div(b.sub(ax, one), b.add(ax, one)), b.sel(r3, b.div(b.sub(ax, b.c(1.5)), b.add(one, b.mul(b.c(1.5), ax))), b.div(b.c(-1), ax)))));
  const pick = (v: readonly number[]) => b.sel(r1, b.c(v[0]!), b.sel(r2, b.c(v[1]!), b.sel(r3, b.c(v[2]!), b.c(v[3]!))));
  const z = b.mul(t, t);
  const w = b.mul(z, z);
  const s1 = b.mul(z, b.poly(w, [AT[0]!, AT[2]!, AT[4]!, AT[6]!, AT[8]!, AT[10]!]));
  const s2 = b.mul(w, b.poly(w, [AT[1]!, AT[3]!, AT[5]!, AT[7]!, AT[9]!]));
  const ts = b.mul(t, b.add(s1, s2));
  const near0 = b.sub(t, ts);
  const far = b.sub(pick(ATAN_HI), b.sub(b.sub(ts, pick(ATAN_LO)), t));
  const y = b.sel(r0, near0, far);
  return b.keepZero(x, b.sel(b.cmp("lt", x, b.c(0)), b.un("neg", y), y));
}

/** The vectorised functions by name (the `Math.*` name they stand for in float32 statements). */
export const RECIPES: Readonly<Record<string, Recipe>> = {
  exp,
  expm1,
  log,
  log1p,
  sin: (b, x) => trig(b, x, "sin"),
  cos: (b, x) => trig(b, x, "cos"),
  tan: (b, x) => trig(b, x, "tan"),
  tanh,
  atan,
};

// ---------------------------------------------------------------- binary functions
// pow and atan2 in float64 from the recipes above: their relative error stays far below
// float32's half ulp, so the float32 statement's rounding gives Math.*'s value or a neighbour.

/** x ≤ −0: x < 0, or x is −0 (1/x = −∞). */
function signBit(b: Builder, x: Node): Node {
  return b.logic("or", b.cmp("lt", x, b.c(0)), b.logic("and", b.cmp("eq", x, b.c(0)), b.cmp("lt", b.div(b.c(1), x), b.c(0))));
}

/**
 * Math.pow(x, y) = ±exp(y·ln|x|). ln's relative error (< 1e-10) becomes an absolute error of
 * |y·ln|x|| · 1e-10 in the exponent, below 1.1e-8 relative in the result wherever it is a finite
 * nonzero float32 (|y·ln|x|| < 104): under a fifth of a float32 ulp. The infinite and zero
 * cases fall out of exp/log's own limits (ln 0 = −∞, ln ∞ = ∞, e^±∞); what is left is
 * ECMAScript's table: y = ±0 → 1 (even for NaN x), a negative finite x with a non-integer y →
 * NaN, and the sign of a negative base (−0 and −∞ included) raised to an odd integer.
 */
function pow(b: Builder, x: Node, y0?: Node): Node {
  const y = y0!;
  const g = exp(b, b.mul(y, log(b, b.un("abs", x))));
  const fy = b.un("floor", y);
  const isInt = b.cmp("eq", fy, y); // true for ±∞ too: they count as even below
  const odd = b.logic("and", isInt, b.cmp("ne", b.mul(b.un("floor", b.mul(y, b.c(0.5))), b.c(2)), y));
  const negFinite = b.logic("and", b.cmp("lt", x, b.c(0)), b.cmp("gt", x, b.c(-Infinity)));
  const r = b.sel(b.logic("and", signBit(b, x), odd), b.un("neg", g), g);
  return b.sel(b.cmp("eq", y, b.c(0)), b.c(1), b.sel(b.logic("and", negFinite, b.not(isInt)), b.c(NaN), r));
}

/**
 * Math.atan2(y, x) = ±atan(|y/x|) or ±(π − atan(|y/x|)) by the signs of y and x (−0 included).
 * |y/x| rounds once (2^-53), which atan's relative error hides; 0/0 and ∞/∞ are replaced by 0 and
 * 1, which give atan2's values for (±0, ±0) and (±∞, ±∞): ±0 or ±π, and ±π/4 or ±3π/4.
 */
function atan2(b: Builder, y: Node, x0?: Node): Node {
  const x = x0!;
  const ay = b.un("abs", y), ax = b.un("abs", x);
  const both0 = b.logic("and", b.cmp("eq", ay, b.c(0)), b.cmp("eq", ax, b.c(0)));
  const bothInf = b.logic("and", b.cmp("eq", ay, b.c(Infinity)), b.cmp("eq", ax, b.c(Infinity)));
  const q = atan(b, b.sel(both0, b.c(0), b.sel(bothInf, b.c(1), b.div(ay, ax))));
  const r = b.sel(signBit(b, x), b.sub(b.c(Math.PI), q), q);
  return b.sel(signBit(b, y), b.un("neg", r), r);
}

/** The vectorised two-argument functions (Math.pow(x, y), Math.atan2(y, x)) for float32 statements. */
export const RECIPES2: Readonly<Record<string, Recipe>> = { pow, atan2 };

// ---------------------------------------------------------------- float32 arithmetic versions
// Where float32 lanes are accurate enough (≤ 2 ulp measured over the dense walk), the recipe is
// written in float32 arithmetic (every step rounded: add32, mul32, …), which the Wasm compiler
// runs four lanes at a time; the range reductions of sin/cos stay in float64 (exact there).

const LN2_HI32 = 0.693359375; // 9 bits: k·LN2_HI32 exact for |k| < 2^15
const LN2_LO32 = -2.12194440e-4;
/**
 * Nodes whose value is known to lie in [-1, 1] (or be NaN), per builder: the results of the
 * float32 recipes of UNIT_RANGE32's functions (sin, cos, tanh; RECIPES32 marks them).
 */
const unitNodes = new WeakMap<Builder, Set<number>>();
function markUnit(b: Builder, n: Node): Node {
  let set = unitNodes.get(b);
  if (set === undefined) unitNodes.set(b, (set = new Set()));
  set.add(n.id);
  return n;
}
/**
 * A bound on |x| for the value of node n (NaN aside), from constants, the unit nodes, and what
 * rounding to float32, negation, |·|, flushes and selections keep; Infinity where nothing is
 * known. Looks at most `depth` nodes down each path.
 */
export function maxAbs(b: Builder, n: Node, depth = 8): number {
  if (unitNodes.get(b)?.has(n.id)) return 1;
  if (depth === 0) return Infinity;
  switch (n.k) {
    case "c":
      return Number.isNaN(n.v) ? 0 : Math.abs(n.v);
    case "un":
      if (n.op === "neg" || n.op === "abs") return maxAbs(b, n.a, depth - 1);
      // rounding to float32 moves a value by at most half an ulp, 2^-24 of it (allowing twice that)
      if (n.op === "fround") return maxAbs(b, n.a, depth - 1) * (1 + 2 ** -23);
      return Infinity;
    case "bits":
      return n.op === "ftz32" || n.op === "ftz64" ? maxAbs(b, n.a, depth - 1) : Infinity;
    case "sel":
      return Math.max(maxAbs(b, n.a, depth - 1), maxAbs(b, n.b, depth - 1));
    default:
      return Infinity;
  }
}

/** |x| up to which exp32 may skip its clamps and scale by 2^k at once (e^±80 is a normal float32). */
const EXP32_PLAIN = 80;
/**
 * e^x in float32 (cephes expf's polynomial), 2^k applied in two exact halves for subnormal
 * results. `bound`: a bound on |x| known to the caller (maxAbs by default). Within EXP32_PLAIN
 * the clamps and the end's selections pass x and y through, and er·2^k1·2^(k−k1) is er·2^k
 * exactly (no product leaves the normal range), so the plain form below gives the same bits
 * with ~20 fewer vector operations (W6: e^(sin x); tanh's e^(2|x|) below 10).
 */
export function exp32(b: Builder, x0: Node, bound = maxAbs(b, x0)): Node {
  const x = b.un("fround", x0);
  const plain = bound <= EXP32_PLAIN;
  const xc = plain ? x : b.sel(b.cmp("gt", x, b.c(89)), b.c(89), b.sel(b.cmp("lt", x, b.c(-104)), b.c(-104), x));
  const k = b.un("floor", b.add32(b.mul32(xc, b.c32(LOG2E)), b.c(0.5)));
  const r = b.sub32(b.sub32(xc, b.mul32(k, b.c(LN2_HI32))), b.mul32(k, b.c32(LN2_LO32)));
  const p = b.poly32(r, [5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4]);
  const er = b.add32(b.add32(b.mul32(b.mul32(r, r), p), r), b.c(1));
  if (plain) return b.mul32(er, b.bits("pow2f", k));
  const k1 = b.un("floor", b.mul32(k, b.c(0.5)));
  const y = b.mul32(b.mul32(er, b.bits("pow2f", k1)), b.bits("pow2f", b.sub32(k, k1)));
  return b.sel(b.cmp("gt", x, b.c(89)), b.c(Infinity), b.sel(b.cmp("lt", x, b.c(-104)), b.c(0), y));
}

/** |x| up to which the float32 sin/cos reduce in float32 (k ≤ 4075 < 2^12); Math.* per lane above. */
const TRIG32_MAX = 6400;
/**
 * π/2 in five float32 pieces: four of at most 12 significant bits (k·piece is exact for
 * k < 2^12; the first has 8) and the float32 nearest the rest (their sum is π/2 to 2^-75).
 */
const PIO2_32 = [1.5703125, 4.837512969970703e-4, 7.549533620476723e-8, 2.5632829192545614e-12, 6.123234262925839e-17];
/**
 * sin/cos in float32: x − k·π/2 in float32 lanes, then cephes sinf/cosf polynomials on
 * [-π/4, π/4]. The reduction (Cody–Waite in five pieces, every product exact): x − k·P1 is exact,
 * and each later step is exact while its result is small (its operands lie on a grid fine enough
 * for 24 bits), so near a multiple of π/2, where |r| is smallest (4.19e-9 at x = 252.8982), r
 * keeps its accuracy; elsewhere a step rounds relative to r itself. scripts/trig-reduction.py
 * checks r exactly at the 17 float32s around every kπ/2 up to 6400, both signs: at most 1.2e-7 of r
 * (about one float32 ulp of r). End to end sin and cos stay within 2 ulp of Math.* (the bound the
 * float64 reduction had: test/backend/vecmath.test.ts walks every kπ/2 here). The float64
 * reduction this replaces (two float64 halves, their conversions) took ~¼ of W6's fused kernel.
 */
function trig32(b: Builder, x0: Node, which: "sin" | "cos"): Node {
  const x = b.un("fround", x0);
  // k = round(x·2/π) in float32: a neighbour of the nearest integer where x·2/π is within an
  // ulp of a half (|r| then just above π/4, where the polynomials still hold)
  const k = b.un("floor", b.add32(b.mul32(x, b.c32(INV_PIO2)), b.c(0.5)));
  let r = x;
  for (const p of PIO2_32) r = b.sub32(r, b.mul32(k, b.c(p)));
  const z = b.mul32(r, r);
  const s = b.add32(b.mul32(b.mul32(z, r), b.poly32(z, [-1.6666654611e-1, 8.3321608736e-3, -1.9515295891e-4])), r);
  const c = b.add32(b.sub32(b.c(1), b.mul32(b.c(0.5), z)), b.mul32(b.mul32(z, z), b.poly32(z, [4.166664568298827e-2, -1.388731625493765e-3, 2.443315711809948e-5])));
  const q = b.sub32(k, b.mul32(b.c(4), b.un("floor", b.mul32(k, b.c(0.25)))));
  const [q1, q2, q3] = [b.cmp("eq", q, b.c(1)), b.cmp("eq", q, b.c(2)), b.cmp("eq", q, b.c(3))];
  const ns = b.un("neg", s);
  const nc = b.un("neg", c);
  let y: Node;
  if (which === "sin") y = b.keepZero(x, b.sel(q1, c, b.sel(q2, ns, b.sel(q3, nc, s))));
  else y = b.sel(q1, ns, b.sel(q2, nc, b.sel(q3, s, c)));
  return b.rare(b.cmp("gt", b.un("abs", x), b.c(TRIG32_MAX)), b.un("fround", b.ext(which, [x])), y);
}

/** tanh in float32: cephes tanhf's odd polynomial below 0.625, 1 − 2/(e^{2|x|} + 1) above, ±1 beyond 10. */
function tanh32(b: Builder, x0: Node): Node {
  const x = b.un("fround", x0);
  const ax = b.un("abs", x);
  // below 2^-12 tanh x rounds to x (x³/3 < half an ulp of x), and the polynomial's x² and x³
  // would be subnormal from |x| < 2^-63 on: on x86 each such product takes a microcode assist
  // (~100× an ordinary one), which made a tanh layer of tiny activations (W14 ×0.1, Intel) ~10×
  // slower. So the polynomial sees 0 there (x + (0·0)·p = x, the same bits), and the exp branch,
  // used only from 0.625 on, sees 1 below it.
  const xs = b.sel(b.cmp("lt", ax, b.c(2 ** -12)), b.c(0), x);
  const z = b.mul32(xs, xs);
  const small = b.add32(b.mul32(b.mul32(z, xs), b.poly32(z, [-3.33332819422e-1, 1.33314422036e-1, -5.37397155531e-2, 2.06390887954e-2, -5.70498872745e-3])), x);
  const sat = b.cmp("gt", ax, b.c(10)); // tanh 10 = 1 − 4e-9 rounds to 1
  // the argument is 2·min(|x|, 10) (1 below 0.625): at most 20
  const e = exp32(b, b.mul32(b.c(2), b.sel(sat, b.c(10), b.sel(b.cmp("lt", ax, b.c(0.625)), b.c(1), ax))), 20);
  const big = b.sel(sat, b.c(1), b.sub32(b.c(1), b.div32(b.c(2), b.add32(e, b.c(1)))));
  const y = b.sel(b.cmp("lt", x, b.c(0)), b.un("neg", big), big);
  return b.keepZero(x, b.sel(b.cmp("lt", ax, b.c(0.625)), small, y));
}

/** The float32-arithmetic versions, used instead of RECIPES where present; a UNIT_RANGE32 function's result is marked as within 1. */
export const RECIPES32: Readonly<Record<string, Recipe>> = Object.fromEntries(
  Object.entries<Recipe>({
    exp: (b, x) => exp32(b, x),
    sin: (b, x) => trig32(b, x, "sin"),
    cos: (b, x) => trig32(b, x, "cos"),
    tanh: tanh32,
  }).map(([name, r]) => [name, UNIT_RANGE32.has(name) ? (b: Builder, x: Node) => markUnit(b, r(b, x)) : r]),
);
const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
/** The recipe a float32 statement's Math.<name> runs. */
export const recipeFor = (name: string): Recipe | undefined => (own(RECIPES32, name) ? RECIPES32[name] : own(RECIPES, name) ? RECIPES[name] : own(RECIPES2, name) ? RECIPES2[name] : undefined);

/** Whether `Math[name]` of `arity` arguments has a vectorised float32 version. */
export const hasRecipe = (name: string, arity = 1): boolean => (arity === 1 ? own(RECIPES, name) : arity === 2 && own(RECIPES2, name));

// ---------------------------------------------------------------- the JS versions

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(f64.buffer, 0, 1);
/** JS versions of the recipes and of the bit operations, what scalar kernels call as `V.<name>`. */
export const V: Record<string, (x: number, y?: number) => number> = {
  /** ⌊log2 x⌋ of a positive normal float64 (its biased exponent − 1023). */
  exponent(x: number): number {
    f64[0] = x;
    return ((u32[1]! >>> 20) & 0x7ff) - 1023;
  },
  /** x·2^-exponent(x), in [1, 2). */
  mantissa(x: number): number {
    f64[0] = x;
    u32[1] = (u32[1]! & 0xfffff) | 0x3ff00000;
    return f64[0];
  },
  /** 2^k as a float32, for an integer k in [-126, 127]. */
  pow2f(k: number): number {
    u32[0] = ((k + 127) << 23) >>> 0;
    return f32[0]!;
  },
  /** Flush-to-zero in float32 (ew-flush.ts): x, or ±0 where x rounded to float32 is subnormal. */
  ftz32(x: number): number {
    const r = Math.fround(x);
    return r < 1.1754943508222875e-38 && r > -1.1754943508222875e-38 ? r * 0 : x;
  },
  /** Flush-to-zero in float64: x, or ±0 where x is subnormal. */
  ftz64(x: number): number {
    return x < 2.2250738585072014e-308 && x > -2.2250738585072014e-308 ? x * 0 : x;
  },
  /** 2^k for an integer k in [-1022, 1023]. */
  pow2(k: number): number {
    u32[0] = 0;
    u32[1] = ((k + 1023) << 20) >>> 0;
    return f64[0]!;
  },
};
/** A JS function of `arity` numbers computing `root` (its inputs a0, a1), calling V as the emitted text does. */
export function jsFunction(root: Node, arity: 1 | 2, name = "f"): (x: number, y?: number) => number {
  const src = emitJs(root);
  const i = src.lastIndexOf("\n");
  const body = i < 0 ? `return ${src};` : `${src.slice(0, i)}\nreturn ${src.slice(i + 1)};`;
  return new Function("V", `return function ${name}(${arity === 2 ? "a0, a1" : "a0"}) {\n${body}\n}`)(V) as (x: number, y?: number) => number;
}
for (const name of [...Object.keys(RECIPES), ...Object.keys(RECIPES2)]) {
  const recipe = recipeFor(name)!;
  const b = new Builder();
  const two = own(RECIPES2, name);
  V[name] = jsFunction(two ? recipe(b, b.input(0), b.input(1)) : recipe(b, b.input(0)), two ? 2 : 1, name);
}
