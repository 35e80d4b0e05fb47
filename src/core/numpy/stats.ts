// Statistics, differences and set membership of the numpy layer: covariance and correlation,
// finite differences, cross products, histograms and bin counts, membership tests, conditional
// selection and piecewise-linear interpolation, composed from primitives (traceable unless a
// size depends on values, as in bincount without `length`).
import { isFloat } from "../dtype.js";
import { ShapeError, ValueError, fail } from "../errors.js";
import { fmtShape, normAxis } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import { toConcrete } from "../trace.js";
import * as lax from "../lax.js";
import { astype, coerce, floaty, tensor } from "./convert.js";
import { checkOptions } from "./options.js";
import { add, divide, equal, floor, greaterEqual, less, lessEqual, multiply, notEqual, sqrt, subtract } from "./math.js";
import { clip, logicalAnd, logicalNot, where } from "./logic.js";
import { max, mean, min, sum } from "./reductions.js";
import { any } from "./reductions-more.js";
import { broadcastTo, concatenate, moveaxis, reshape, squeeze, transpose } from "./shape.js";
import { take } from "./indexing.js";
import { matmul, diag } from "./linalg.js";

// ------------------------------------------------------------------ covariance

/** Options of {@link cov} and {@link corrcoef}. */
export interface CovOpts {
  /** a second set of variables, stacked after m's */
  y?: ArrayLike;
  /** rows are variables (default true); false: columns are */
  rowvar?: boolean;
  /** divide by N instead of N - 1 (default false) */
  bias?: boolean;
  /** divide by N - ddof (overrides bias) */
  ddof?: number;
}
/** The variables as rows of a float matrix, numpy's way (1-D input is one variable). */
function variables(api: string, m: ArrayLike, rowvar: boolean): Tensor {
  let x = floaty(m, api);
  if (x.ndim > 2) throw fail(ShapeError, `${api}: m must be 1-D or 2-D, got ${fmtShape(x.shape)}.`);
  if (x.ndim < 2) x = reshape(x, [1, -1]);
  return !rowvar && x.shape[0] !== 1 ? transpose(x) : x;
}
/**
 * The covariance matrix of variables given as rows (observations as columns): Xc·Xcᵀ / (N - ddof)
 * with Xc the centred data; a 0-d tensor for a single variable. Ints give float32.
 * Mirrors numpy.cov / jax.numpy.cov (no fweights / aweights).
 * @throws ShapeError for input over 2-D.
 * @example
 * ```ts
 * np.cov([[0, 1, 2], [2, 1, 0]]); // → [[1, -1], [-1, 1]]
 * np.cov([1, 2, 3, 4], { bias: true }).item(); // → 1.25
 * ```
 */
export function cov(m: ArrayLike, opts: CovOpts = {}): Tensor {
  checkOptions("cov", opts, ["y", "rowvar", "bias", "ddof"]);
  const rowvar = opts.rowvar ?? true;
  let x = variables("cov", m, rowvar);
  if (opts.y !== undefined) x = concatenate([x, variables("cov", opts.y, rowvar)], 0);
  const n = x.shape[1]!;
  const ddof = opts.ddof ?? (opts.bias ? 0 : 1);
  const xc = subtract(x, mean(x, 1, { keepdims: true }));
  return squeeze(divide(matmul(xc, transpose(xc)), n - ddof));
}
/**
 * Pearson correlation coefficients: cov[i, j] / √(cov[i, i]·cov[j, j]), clipped to [-1, 1].
 * Mirrors numpy.corrcoef / jax.numpy.corrcoef.
 * @example
 * ```ts
 * np.corrcoef([[1, 2, 3], [2, 4, 7]]); // → [[1, 0.993399], [0.993399, 1]]
 * ```
 */
export function corrcoef(x: ArrayLike, opts: Omit<CovOpts, "bias" | "ddof"> = {}): Tensor {
  checkOptions("corrcoef", opts, ["y", "rowvar"]);
  const c = cov(x, opts);
  if (c.ndim === 0) return divide(c, c);
  const d = sqrt(diag(c));
  return clip(divide(divide(c, reshape(d, [-1, 1])), reshape(d, [1, -1])), -1, 1);
}

// ------------------------------------------------------------------ differences

/** Options of {@link diff}. */
export interface DiffOpts {
  /** values put before x along the axis (a scalar broadcasts to one slice) */
  prepend?: ArrayLike;
  /** values put after x along the axis */
  append?: ArrayLike;
}
/**
 * The n-th discrete difference along an axis: out[i] = x[i + 1] - x[i], n times (bools: x[i+1] ≠ x[i]).
 * Mirrors numpy.diff / jax.numpy.diff (options object for prepend / append).
 * @throws ValueError for a negative n; ShapeError for a 0-d x.
 * @example
 * ```ts
 * np.diff([1, 4, 9, 16]); // → [3, 5, 7]
 * np.diff([1, 4, 9, 16], 2); // → [2, 2]
 * np.diff([[1, 3], [4, 9]], 1, 0); // → [[3, 6]]
 * ```
 */
export function diff(x: ArrayLike, n = 1, axis = -1, opts: DiffOpts = {}): Tensor {
  checkOptions("diff", opts, ["prepend", "append"]);
  let t = tensor(x, diff);
  if (t.ndim === 0) throw fail(ShapeError, "diff: needs at least 1-D input, got a scalar.");
  if (!Number.isInteger(n) || n < 0) throw fail(ValueError, `diff: order n must be a non-negative integer, got ${n}.`);
  const a = normAxis("diff", axis, t.ndim);
  const slab = (v: ArrayLike) => {
    const u = tensor(v, diff);
    return u.ndim === 0 ? broadcastTo(u, t.shape.map((s, i) => (i === a ? 1 : s))) : u;
  };
  if (opts.prepend !== undefined || opts.append !== undefined) {
    t = concatenate([...(opts.prepend !== undefined ? [slab(opts.prepend)] : []), t, ...(opts.append !== undefined ? [slab(opts.append)] : [])], a);
  }
  for (let k = 0; k < n; k++) {
    const len = t.shape[a]!;
    if (len === 0) break;
    const hi = lax.sliceInDim(t, a, 1, len);
    const lo = lax.sliceInDim(t, a, 0, len - 1);
    t = t.dtype === "bool" ? notEqual(hi, lo) : subtract(hi, lo);
  }
  return t;
}
/**
 * The differences of the flattened array, with optional values before and after.
 * Mirrors numpy.ediff1d / jax.numpy.ediff1d.
 * @example
 * ```ts
 * np.ediff1d([1, 2, 4, 7], { toBegin: 0, toEnd: [99] }); // → [0, 1, 2, 3, 99]
 * ```
 */
export function ediff1d(ary: ArrayLike, opts: { toEnd?: ArrayLike; toBegin?: ArrayLike } = {}): Tensor {
  checkOptions("ediff1d", opts, ["toEnd", "toBegin"]);
  const d = diff(reshape(ary, [-1]));
  const parts = [...(opts.toBegin !== undefined ? [reshape(astype(opts.toBegin, d.dtype), [-1])] : []), d, ...(opts.toEnd !== undefined ? [reshape(astype(opts.toEnd, d.dtype), [-1])] : [])];
  return concatenate(parts, 0);
}
/**
 * The cross product of 3-vectors (or 2-vectors, with z = 0) along an axis, broadcasting the rest;
 * two 2-vectors give the scalar z component.
 * Mirrors numpy.cross / jax.numpy.cross.
 * @throws ShapeError when a vector axis has a size other than 2 or 3.
 * @example
 * ```ts
 * np.cross([1, 0, 0], [0, 1, 0]); // → [0, 0, 1]
 * np.cross([[1, 2, 3]], [[4, 5, 6]]); // → [[-3, 6, -3]]
 * np.cross([1, 2], [3, 4]).item(); // → -2
 * ```
 */
export function cross(a: ArrayLike, b: ArrayLike, opts: { axisa?: number; axisb?: number; axisc?: number; axis?: number } = {}): Tensor {
  checkOptions("cross", opts, ["axisa", "axisb", "axisc", "axis"]);
  let [x, y] = coerce([a, b], cross) as [Tensor, Tensor];
  if (x.ndim === 0 || y.ndim === 0) throw fail(ShapeError, `cross: needs vectors, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}.`);
  x = moveaxis(x, opts.axis ?? opts.axisa ?? -1, -1);
  y = moveaxis(y, opts.axis ?? opts.axisb ?? -1, -1);
  const [p, q] = [x.shape[x.ndim - 1]!, y.shape[y.ndim - 1]!];
  if ((p !== 2 && p !== 3) || (q !== 2 && q !== 3)) {
    throw fail(ShapeError, `cross: vector axes must have size 2 or 3, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)} (vectors last).`);
  }
  const comp = (t: Tensor, i: number) => (i < t.shape[t.ndim - 1]! ? squeeze(lax.sliceInDim(t, t.ndim - 1, i, i + 1), -1) : null);
  const mul = (u: Tensor | null, v: Tensor | null) => (u === null || v === null ? null : multiply(u, v));
  const sub = (u: Tensor | null, v: Tensor | null): Tensor => (u === null ? (v === null ? lax.full([], 0, x.dtype) : subtract(0, v)) : v === null ? u : subtract(u, v));
  const [x0, x1, x2, y0, y1, y2] = [comp(x, 0), comp(x, 1), comp(x, 2), comp(y, 0), comp(y, 1), comp(y, 2)];
  const z = sub(mul(x0, y1), mul(x1, y0));
  if (p === 2 && q === 2) return z;
  const cx = sub(mul(x1, y2), mul(x2, y1));
  const cy = sub(mul(x2, y0), mul(x0, y2));
  const parts = [cx, cy, z];
  const shape = parts.reduce<number[]>((s, u) => (u.ndim > s.length ? [...u.shape] : s), []);
  const out = concatenate(parts.map((u) => reshape(broadcastTo(u, shape), [...shape, 1])), -1);
  return moveaxis(out, -1, opts.axis ?? opts.axisc ?? -1);
}

// ------------------------------------------------------------------ counting

/** Options of {@link histogram}. */
export interface HistogramOpts {
  /** the number of equal bins (default 10), or the bin edges (increasing) */
  bins?: number | ArrayLike;
  /** [lo, hi] of the equal bins; default the data's min and max */
  range?: readonly [number, number];
  /** a weight per element, summed instead of counting */
  weights?: ArrayLike;
  /** normalize to a probability density (integral 1) */
  density?: boolean;
}
/**
 * The histogram of the flattened array: [counts, edges]. Bins are half-open [e_i, e_i+1) but the
 * last is closed; values outside the range are not counted. Counts are int32 (the weights' dtype
 * with weights, float with density).
 * Mirrors numpy.histogram / jax.numpy.histogram (options object instead of keywords).
 * @throws ValueError for a non-positive bin count or a reversed range.
 * @example
 * ```ts
 * const [h, e] = np.histogram([1, 2, 1, 4], { bins: 3, range: [0, 6] });
 * h; // → [2, 1, 1]
 * e; // → [0, 2, 4, 6]
 * np.histogram([0.5, 1.5, 2.5], { bins: [0, 1, 3] })[0]; // → [1, 2]
 * ```
 */
export function histogram(a: ArrayLike, opts: HistogramOpts = {}): [Tensor, Tensor] {
  checkOptions("histogram", opts, ["bins", "range", "weights", "density"]);
  const x = reshape(floaty(a, histogram), [-1]);
  const bins = opts.bins ?? 10;
  let edges: Tensor;
  let idx: Tensor; // the bin of each element (clamped; outside values are masked below)
  let nb: number;
  if (typeof bins === "number") {
    if (!Number.isInteger(bins) || bins <= 0) throw fail(ValueError, `histogram: bins must be a positive integer, got ${bins}.`);
    nb = bins;
    let lo: Tensor;
    let hi: Tensor;
    if (opts.range) {
      if (!(opts.range[0] <= opts.range[1])) throw fail(ValueError, `histogram: range [${opts.range}] must have lo ≤ hi.`);
      [lo, hi] = [lax.full([], opts.range[0], x.dtype), lax.full([], opts.range[1], x.dtype)];
    } else if (x.size === 0) [lo, hi] = [lax.full([], 0, x.dtype), lax.full([], 1, x.dtype)];
    else [lo, hi] = [min(x), max(x)];
    const same = equal(lo, hi); // numpy widens an empty range by ½ on each side
    [lo, hi] = [where(same, subtract(lo, 0.5), lo), where(same, add(hi, 0.5), hi)];
    // numpy's linspace: lo + i·step, the last edge exactly hi
    const i = lax.iota([nb + 1], 0, x.dtype);
    edges = where(equal(i, nb), hi, add(lo, multiply(i, divide(subtract(hi, lo), nb))));
    // numpy's bin arithmetic: floor((x - lo)·n / (hi - lo)), then moved by one where the
    // computed edges disagree (so the counts agree with comparisons against `edges`)
    let k = astype(clip(floor(multiply(subtract(x, lo), divide(nb, subtract(hi, lo)))), 0, nb - 1), "int32");
    k = where(less(x, take(edges, k)), subtract(k, 1), k);
    k = where(logicalAnd(greaterEqual(x, take(edges, add(k, 1))), notEqual(k, nb - 1)), add(k, 1), k);
    idx = clip(k, 0, nb - 1);
  } else {
    edges = floaty(bins, histogram);
    if (edges.ndim !== 1 || edges.size < 2) throw fail(ValueError, `histogram: bin edges must be 1-D with at least 2 entries, got ${fmtShape(edges.shape)}.`);
    if (edges.dtype !== x.dtype) edges = astype(edges, x.dtype);
    nb = edges.size - 1;
    const inner = lax.sliceInDim(edges, 0, 1, nb); // x's bin = how many inner edges are ≤ x
    idx = nb === 1 ? lax.full(x.shape, 0, "int32") : sum(astype(lessEqual(reshape(inner, [1, -1]), reshape(x, [-1, 1])), "int32"), 1);
  }
  const inside = logicalAnd(greaterEqual(x, take(edges, 0)), lessEqual(x, take(edges, nb)));
  const w = opts.weights === undefined ? astype(inside, opts.density ? x.dtype : "int32") : where(inside, reshape(tensor(opts.weights, histogram), [-1]), 0);
  let h = lax.scatterAdd(w, astype(idx, "int32"), 0, nb);
  if (opts.density) {
    const hf = isFloat(h.dtype) ? h : astype(h, x.dtype);
    h = divide(divide(hf, sum(hf)), subtract(lax.sliceInDim(edges, 0, 1, nb + 1), lax.sliceInDim(edges, 0, 0, nb)));
  }
  return [h, edges];
}
/**
 * How many times each non-negative integer occurs (or the sum of its weights), for values
 * 0 … length - 1. `length` fixes the size (needed under jit; larger values are dropped);
 * without it the size is max(x) + 1, at least `minlength`.
 * Mirrors numpy.bincount / jax.numpy.bincount.
 * @throws ValueError for negative values or a non-1-D x; ConcretizationError under jit without `length`.
 * @example
 * ```ts
 * np.bincount(np.array([0, 1, 1, 3], { dtype: "int32" })); // → [1, 2, 0, 1]
 * np.bincount(np.array([0, 1, 1], { dtype: "int32" }), { weights: [0.5, 1, 2], length: 3 }); // → [0.5, 3, 0]
 * ```
 */
export function bincount(x: ArrayLike, opts: { weights?: ArrayLike; minlength?: number; length?: number } = {}): Tensor {
  checkOptions("bincount", opts, ["weights", "minlength", "length"]);
  const t = tensor(x, bincount);
  if (t.ndim !== 1 || isFloat(t.dtype)) throw fail(ValueError, `bincount: x must be 1-D non-negative integers, got ${t.dtype}${fmtShape(t.shape)}; convert with astype("int32").`);
  const ix = astype(t, "int32");
  let n = opts.length;
  if (n === undefined) {
    const d = toConcrete(ix, "bincount (pass { length } to use it under jit)").dataSync() as Int32Array;
    let hi = -1;
    for (const v of d) {
      if (v < 0) throw fail(ValueError, `bincount: values must be non-negative, got ${v}.`);
      if (v > hi) hi = v;
    }
    n = Math.max(hi + 1, opts.minlength ?? 0);
  }
  if (!Number.isInteger(n) || n < 0) throw fail(ValueError, `bincount: length must be a non-negative integer, got ${n}.`);
  const ok = logicalAnd(greaterEqual(ix, 0), less(ix, n));
  const w = opts.weights === undefined ? astype(ok, "int32") : where(ok, tensor(opts.weights, bincount), 0);
  return lax.scatterAdd(w, clip(ix, 0, Math.max(n - 1, 0)), 0, n);
}
/**
 * Whether each element of `element` occurs in `testElements` (compared after promotion), of
 * element's shape; `invert` negates. Compares all pairs (cost |element|·|testElements|).
 * Mirrors numpy.isin / jax.numpy.isin.
 * @example
 * ```ts
 * np.isin([1, 2, 3, 4], [2, 4]); // → [false, true, false, true]
 * ```
 */
export function isin(element: ArrayLike, testElements: ArrayLike, opts: { invert?: boolean } = {}): Tensor {
  checkOptions("isin", opts, ["invert"]);
  const [e, s] = coerce([element, testElements], isin) as [Tensor, Tensor];
  const hit = any(equal(reshape(e, [...e.shape, 1]), reshape(s, [-1])), -1);
  return opts.invert ? logicalNot(hit) : hit;
}

// ------------------------------------------------------------------ conditional selection

/**
 * choicelist[i] where condlist[i] holds first (in list order), `defaultValue` where none does;
 * everything broadcasts together.
 * Mirrors numpy.select / jax.numpy.select.
 * @throws ValueError when the lists differ in length or are empty.
 * @example
 * ```ts
 * const x = np.arange(6);
 * np.select([np.less(x, 3), np.greater(x, 3)], [x, np.multiply(x, x)], 42); // → [0, 1, 2, 42, 16, 25]
 * ```
 */
export function select(condlist: readonly ArrayLike[], choicelist: readonly ArrayLike[], defaultValue: ArrayLike = 0): Tensor {
  if (condlist.length !== choicelist.length || condlist.length === 0) {
    throw fail(ValueError, `select: condlist and choicelist must be non-empty lists of one length, got ${condlist.length} and ${choicelist.length}.`);
  }
  const choices = coerce([...choicelist, defaultValue], select);
  let out = choices[choices.length - 1]!;
  for (let i = condlist.length - 1; i >= 0; i--) out = where(condlist[i]!, choices[i]!, out);
  return out;
}
/**
 * Evaluates a function (or constant) per condition: where condlist[i] holds, `funclist[i](x)`; the
 * last condition that holds wins (numpy's order); one extra function gives the value where none
 * holds (else 0). Each function sees all of x (write it to be safe off its piece). x's dtype.
 * Mirrors numpy.piecewise / jax.numpy.piecewise.
 * @throws ValueError when funclist has neither condlist's length nor one more.
 * @example
 * ```ts
 * const x = np.array([-2, -1, 0, 1, 2]);
 * np.piecewise(x, [np.less(x, 0), np.greaterEqual(x, 0)], [(v) => np.negative(v), (v) => np.multiply(v, v)]); // → [2, 1, 0, 1, 4]
 * ```
 */
export function piecewise(x: ArrayLike, condlist: readonly ArrayLike[], funclist: readonly (((x: Tensor) => ArrayLike) | number)[]): Tensor {
  const t = tensor(x, piecewise);
  const n = condlist.length;
  if (funclist.length !== n && funclist.length !== n + 1) {
    throw fail(ValueError, `piecewise: funclist has ${funclist.length} entries for ${n} conditions; give ${n}, or ${n + 1} with a default last.`);
  }
  const value = (f: ((x: Tensor) => ArrayLike) | number) => astype(typeof f === "number" ? lax.full([], f, t.dtype) : f(t), t.dtype);
  let out = funclist.length === n + 1 ? broadcastTo(value(funclist[n]!), t.shape) : lax.full(t.shape, 0, t.dtype);
  for (let i = 0; i < n; i++) out = where(condlist[i]!, value(funclist[i]!), out);
  return out;
}
/**
 * Piecewise-linear interpolation of the points (xp, fp) at x, with `left` / `right` (default
 * fp[0] / fp[-1]) beyond the ends; xp must increase. Differentiable in x and fp. Compares each x
 * with every xp (cost |x|·|xp|).
 * Mirrors numpy.interp / jax.numpy.interp (no period).
 * @throws ShapeError when xp and fp are not 1-D of one length.
 * @example
 * ```ts
 * np.interp([0, 1.5, 2.5, 5], [1, 2, 3], [10, 20, 30]); // → [10, 15, 25, 30]
 * np.interp(0, [1, 2], [10, 20], { left: -1 }).item(); // → -1
 * ```
 */
export function interp(x: ArrayLike, xp: ArrayLike, fp: ArrayLike, opts: { left?: number; right?: number } = {}): Tensor {
  checkOptions("interp", opts, ["left", "right"]);
  let [u, p, f] = coerce([x, xp, fp], interp) as [Tensor, Tensor, Tensor];
  if (!isFloat(u.dtype)) [u, p, f] = [astype(u, "float32"), astype(p, "float32"), astype(f, "float32")];
  const m = p.size;
  if (p.ndim !== 1 || f.ndim !== 1 || f.size !== m || m === 0) throw fail(ShapeError, `interp: xp and fp must be 1-D of one non-zero length, got ${fmtShape(p.shape)} and ${fmtShape(f.shape)}.`);
  const first = take(f, 0);
  const last = take(f, m - 1);
  if (m === 1) return where(less(u, take(p, 0)), opts.left ?? first, where(less(take(p, 0), u), opts.right ?? last, broadcastTo(first, u.shape)));
  // j: the segment [xp[j], xp[j+1]] holding x (how many xp ≤ x, less one, kept in [0, m-2])
  const j = clip(subtract(sum(astype(lessEqual(p, reshape(u, [...u.shape, 1])), "int32"), -1), 1), 0, m - 2);
  const [x0, x1, y0, y1] = [take(p, j), take(p, add(j, 1)), take(f, j), take(f, add(j, 1))];
  const dx = subtract(x1, x0);
  const y = add(y0, multiply(divide(subtract(u, x0), where(equal(dx, 0), 1, dx)), subtract(y1, y0)));
  return where(less(u, take(p, 0)), opts.left ?? first, where(less(take(p, m - 1), u), opts.right ?? last, y));
}
