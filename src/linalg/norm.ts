// numpy.linalg's norms and products: norm (vector and matrix norms), cond, multiDot, trace.
import { AxisError, ShapeError, ValueError, fail } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import type { ArrayLike, Tensor } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import * as lax from "../core/lax.js";
import { floaty, tensor } from "../core/numpy/convert.js";
import { matmul } from "../core/numpy/linalg.js";
import { keepWhere } from "../core/primitives/linalg-util.js";
import { svdP } from "../core/primitives/linalg.js";
import { matrixArg } from "./decompositions.js";
import { inv } from "./solve.js";

/** The order of a norm: a number (incl. ±Infinity), or "fro" / "nuc" for matrices. */
export type NormOrd = number | "fro" | "nuc";

/** Options of {@link norm}. */
export interface NormOptions {
  /** The norm's order (default: 2-norm of a vector, Frobenius of a matrix). */
  ord?: NormOrd;
  /** One axis (a vector norm), two (a matrix norm), or none: all of x (a vector, or a matrix when `ord` is given and x is 2-D). */
  axis?: number | readonly [number, number] | null;
  /** Keep the reduced axes as size 1. */
  keepdims?: boolean;
}

const normAxis = (api: string, a: number, r: number): number => {
  if (!Number.isInteger(a) || a < -r || a >= r) throw fail(AxisError, `${api}: axis ${a} is out of range for an array of rank ${r}.`);
  return a < 0 ? a + r : a;
};

/**
 * A vector or matrix norm. Vector (one axis): ord 2 (default) √Σx², 1 Σ|x|, ∞ max|x|, −∞ min|x|,
 * 0 the count of non-zeros, any other p (Σ|x|ᵖ)^(1/p). Matrix (two axes): "fro" (default),
 * "nuc" (Σ singular values), 2 / −2 (largest / smallest singular value), 1 / −1 (max / min
 * column sum of |x|), ∞ / −∞ (max / min row sum).
 * Mirrors numpy.linalg.norm / jax.numpy.linalg.norm (ord, axis, keepdims as there).
 * @param x - any shape; ints become float32.
 * @throws ValueError for an order that does not apply; AxisError for a bad axis.
 * @example
 * ```ts
 * np.linalg.norm([3, 4]); // → 5
 * np.linalg.norm([[1, -2], [3, 4]], { ord: 1 }); // → 6
 * np.linalg.norm([[1, 2], [3, 4]], { axis: 1 }); // → [2.236068, 5]
 * ```
 */
export function norm(x: ArrayLike, opts: NormOptions = {}): Tensor {
  const api = "numpy.linalg.norm";
  const t = floaty(x, api);
  const { ord, keepdims = false } = opts;
  let axes: number[];
  if (opts.axis === undefined || opts.axis === null) {
    if (ord === undefined) {
      const all = t.shape.map((_, i) => i);
      return keep(lax.sqrt(lax.sum(lax.mul(t, t), all)), all, t.shape, keepdims);
    }
    if (t.ndim !== 1 && t.ndim !== 2) throw fail(ValueError, `${api}: an ord needs a 1-D or 2-D array or an explicit axis, got shape ${fmtShape(t.shape)}.`);
    axes = t.shape.map((_, i) => i);
  } else {
    axes = (typeof opts.axis === "number" ? [opts.axis] : [...opts.axis]).map((a) => normAxis(api, a, t.ndim));
  }
  if (axes.length === 1) return keep(vectorNorm(api, t, axes[0]!, ord ?? 2), axes, t.shape, keepdims);
  if (axes.length !== 2 || axes[0] === axes[1]) throw fail(ValueError, `${api}: axis must be one axis or two different ones, got ${JSON.stringify(opts.axis)}.`);
  return keep(matrixNorm(api, t, axes[0]!, axes[1]!, ord ?? "fro"), axes, t.shape, keepdims);
}

/** Reinserts the reduced axes as size 1 when keepdims. */
function keep(r: Tensor, axes: number[], shape: readonly number[], keepdims: boolean): Tensor {
  return keepdims ? lax.reshape(r, shape.map((s, i) => (axes.includes(i) ? 1 : s))) : r;
}

function vectorNorm(api: string, t: Tensor, ax: number, ord: NormOrd): Tensor {
  const a = lax.abs(t);
  if (ord === Infinity) return lax.reduceMax(a, [ax]);
  if (ord === -Infinity) return lax.reduceMin(a, [ax]);
  if (ord === 0) return lax.sum(lax.convert(lax.ne(t, lax.scalarLike(t, 0)), t.dtype), [ax]);
  if (ord === 1) return lax.sum(a, [ax]);
  if (ord === 2) return lax.sqrt(lax.sum(lax.mul(t, t), [ax]));
  if (typeof ord !== "number" || Number.isNaN(ord)) throw fail(ValueError, `${api}: ord ${JSON.stringify(ord)} is not a vector norm; use a number, Infinity or -Infinity (or give two axes for "fro"/"nuc").`);
  return lax.pow(lax.sum(lax.pow(a, lax.scalarLike(t, ord)), [ax]), lax.scalarLike(t, 1 / ord));
}

function matrixNorm(api: string, t: Tensor, r: number, c: number, ord: NormOrd): Tensor {
  const a = lax.abs(t);
  // reducing the first axis shifts the second down when it came after it
  const after = (first: number, second: number) => (second > first ? second - 1 : second);
  switch (ord) {
    case "fro":
      return lax.sqrt(lax.sum(lax.mul(t, t), [r, c]));
    case 1:
      return lax.reduceMax(lax.sum(a, [r]), [after(r, c)]);
    case -1:
      return lax.reduceMin(lax.sum(a, [r]), [after(r, c)]);
    case Infinity:
      return lax.reduceMax(lax.sum(a, [c]), [after(c, r)]);
    case -Infinity:
      return lax.reduceMin(lax.sum(a, [c]), [after(c, r)]);
    case 2:
    case -2:
    case "nuc": {
      const s = singularValues(t, r, c);
      const last = [s.ndim - 1];
      return ord === 2 ? lax.reduceMax(s, last) : ord === -2 ? lax.reduceMin(s, last) : lax.sum(s, last);
    }
    default:
      throw fail(ValueError, `${api}: ord ${JSON.stringify(ord)} is not a matrix norm; use "fro", "nuc", 1, -1, 2, -2, Infinity or -Infinity.`);
  }
}

/** Singular values of t seen as matrices over axes (r, c), batched over the rest (in their order). */
function singularValues(t: Tensor, r: number, c: number): Tensor {
  const rest = t.shape.map((_, i) => i).filter((i) => i !== r && i !== c);
  const m = lax.transpose(t, [...rest, r, c]);
  return bind(svdP, [m], { fullMatrices: false, computeUv: false })[0]!;
}

/**
 * The condition number: ‖x‖·‖x⁻¹‖ in the norm `p`; for p = 2 (default) / −2 the ratio of the
 * largest and smallest singular values (∞ for a singular matrix).
 * Mirrors numpy.linalg.cond / jax.numpy.linalg.cond.
 * @param x - shape [..., m, n] (square unless p is 2 or −2).
 * @param p - a matrix norm order (see {@link norm}).
 * @returns shape [...].
 * @example
 * ```ts
 * np.linalg.cond([[1, 0], [0, 4]]); // → 4
 * ```
 */
export function cond(x: ArrayLike, p?: NormOrd): Tensor {
  const api = "numpy.linalg.cond";
  const t = matrixArg(api, x, p !== undefined && p !== 2 && p !== -2);
  if (p === undefined || p === 2 || p === -2) {
    const [s] = bind(svdP, [t], { fullMatrices: false, computeUv: false }) as [Tensor];
    const last = [s.ndim - 1];
    const [hi, lo] = [lax.reduceMax(s, last), lax.reduceMin(s, last)];
    return p === -2 ? lax.div(lo, hi) : lax.div(hi, lo);
  }
  const ax: [number, number] = [t.ndim - 2, t.ndim - 1];
  return lax.mul(norm(t, { ord: p, axis: ax }), norm(inv(t), { ord: p, axis: ax }));
}

/**
 * The product of two or more matrices, multiplied in the order with the fewest operations (the
 * classic matrix-chain dynamic programme). The first argument may be 1-D (a row vector) and the
 * last 1-D (a column vector); those axes are dropped from the result, as in numpy.
 * Mirrors numpy.linalg.multi_dot / jax.numpy.linalg.multi_dot.
 * @param arrays - 2-D matrices (the first and last may be 1-D) with matching inner sizes.
 * @throws ShapeError for fewer than two arrays, a middle one that is not 2-D, or sizes that do not chain.
 * @example
 * ```ts
 * np.linalg.multiDot([[1, 2], [[1, 0], [0, 1]], [3, 4]]); // → 11
 * ```
 */
export function multiDot(arrays: readonly ArrayLike[]): Tensor {
  const api = "numpy.linalg.multiDot";
  if (arrays.length < 2) throw fail(ShapeError, `${api}: needs at least two arrays, got ${arrays.length}.`);
  const ts = arrays.map((a) => tensor(a, api));
  const n = ts.length;
  const first1d = ts[0]!.ndim === 1;
  const last1d = ts[n - 1]!.ndim === 1;
  const ms = ts.map((t, i) => {
    if (i === 0 && first1d) return lax.reshape(t, [1, t.shape[0]!]);
    if (i === n - 1 && last1d) return lax.reshape(t, [t.shape[0]!, 1]);
    if (t.ndim !== 2) throw fail(ShapeError, `${api}: argument ${i} must be 2-D (only the first and last may be 1-D), got shape ${fmtShape(t.shape)}.`);
    return t;
  });
  const dims = [ms[0]!.shape[0]!, ...ms.map((t) => t.shape[1]!)];
  ms.forEach((t, i) => {
    if (t.shape[0] !== dims[i]) throw fail(ShapeError, `${api}: shapes do not chain: argument ${i - 1} ${fmtShape(ts[i - 1]!.shape)} and argument ${i} ${fmtShape(ts[i]!.shape)}.`);
  });
  const split = chainOrder(dims);
  const prod = (i: number, j: number): Tensor => (i === j ? ms[i]! : matmul(prod(i, split[i]![j]!), prod(split[i]![j]! + 1, j)));
  const r = prod(0, n - 1);
  const out = [...(first1d ? [] : [r.shape[0]!]), ...(last1d ? [] : [r.shape[1]!])];
  return lax.reshape(r, out);
}

/** split[i][j]: where the cheapest product of matrices i..j splits (matrix i is dims[i] × dims[i+1]). */
function chainOrder(dims: number[]): number[][] {
  const n = dims.length - 1;
  const cost = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const split = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let len = 1; len < n; len++) {
    for (let i = 0; i + len < n; i++) {
      const j = i + len;
      cost[i]![j] = Infinity;
      for (let k = i; k < j; k++) {
        const c = cost[i]![k]! + cost[k + 1]![j]! + dims[i]! * dims[k + 1]! * dims[j + 1]!;
        if (c < cost[i]![j]!) [cost[i]![j], split[i]![j]] = [c, k];
      }
    }
  }
  return split;
}

/**
 * The sum of the diagonal of each matrix in the stack (the last two axes), offset by `offset`
 * (> 0: above the main diagonal).
 * Mirrors jax.numpy.linalg.trace / numpy.linalg.trace (array-API: over the last two axes).
 * @param x - shape [..., m, n].
 * @returns shape [...], x's dtype.
 * @example
 * ```ts
 * np.linalg.trace([[1, 2], [3, 4]]); // → 5
 * np.linalg.trace([[1, 2], [3, 4]], { offset: 1 }); // → 2
 * ```
 */
export function trace(x: ArrayLike, opts: { offset?: number } = {}): Tensor {
  const api = "numpy.linalg.trace";
  const t = tensor(x, api);
  if (t.ndim < 2) throw fail(ShapeError, `${api}: expected a matrix or a stack of matrices (shape [..., m, n]), got shape ${fmtShape(t.shape)}.`);
  const k = opts.offset ?? 0;
  return lax.sum(keepWhere(t, (i, j) => j === i + k), [t.ndim - 2, t.ndim - 1]);
}
