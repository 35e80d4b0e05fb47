// Linear algebra in the numpy layer: matmul, dot, vdot, outer (einsum lives in einsum.ts), and
// the triangle/diagonal helpers.
import { ShapeError, fail } from "../errors.js";
import { broadcastShapes, fmtShape } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { array, coerce, tensor } from "./convert.js";
import { eye } from "./creation.js";
import { add, greaterEqual, lessEqual, multiply } from "./math.js";
import { where } from "./logic.js";
import { take } from "./indexing.js";
import { sum } from "./reductions.js";
import { broadcastTo, pad, reshape, squeeze } from "./shape.js";

export { einsum, type EinsumSublist } from "./einsum.js";

// ------------------------------------------------------------------ linear algebra

/**
 * dot_general after numpy's promotion (int32 contracts exactly in int32 and bool as bool, as in
 * JAX); paired axes must
 * have equal sizes, and a mismatch is reported as an error of `api`, the function the user called.
 */
function dotGeneral(api: string, a: Tensor, b: Tensor, contract: [number[], number[]], batch: [number[], number[]] = [[], []]): Tensor {
  const [x, y] = coerce([a, b]) as [Tensor, Tensor];
  checkPaired(api, "contracted", x, y, contract);
  checkPaired(api, "batch", x, y, batch);
  return lax.dotGeneral(x, y, { contract, batch });
}
function checkPaired(api: string, what: string, x: Tensor, y: Tensor, [l, r]: [number[], number[]]): void {
  l.forEach((a, i) => {
    const b = r[i]!;
    if (x.shape[a] !== y.shape[b]) {
      throw fail(ShapeError, `${api}: ${what} axes do not match: axis ${a} of ${fmtShape(x.shape)} has ${x.shape[a]}, axis ${b} of ${fmtShape(y.shape)} has ${y.shape[b]}. Paired axes must have equal sizes.`);
    }
  });
}

/**
 * The matrix product with numpy's rules: 1-D operands are treated as a row / column vector (that
 * axis is dropped from the result), and leading batch axes broadcast. Ints and bools multiply as float32.
 * Mirrors numpy.matmul / jax.numpy.matmul (the `@` operator); also `a.matmul(b)`.
 * @param a - shape [..., n, k] or [k].
 * @param b - shape [..., k, m] or [k].
 * @returns shape [...broadcast batch, n, m] (minus the vector axes), float dtype.
 * @throws ShapeError for a 0-d operand (use multiply), mismatched inner sizes, or batch shapes that
 *   do not broadcast.
 * @example
 * ```ts
 * np.matmul([[1, 2], [3, 4]], [[5], [6]]); // → [[17], [39]]
 * np.matmul([1, 2], [[1, 0], [0, 1]]); // → [1, 2]
 * np.matmul(np.ones([5, 2, 3]), np.ones([3, 4])).shape; // → [5, 2, 4]
 * ```
 */
export function matmul(a: ArrayLike, b: ArrayLike): Tensor {
  let x = tensor(a);
  let y = tensor(b);
  if (x.ndim === 0 || y.ndim === 0) throw fail(ShapeError, `matmul: operands must be at least 1-D, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}; use multiply for scalars.`);
  const xv = x.ndim === 1;
  const yv = y.ndim === 1;
  if (xv) x = reshape(x, [1, x.shape[0]!]);
  if (yv) y = reshape(y, [y.shape[0]!, 1]);
  const k1 = x.shape[x.ndim - 1]!;
  const k2 = y.shape[y.ndim - 2]!;
  if (k1 !== k2) {
    throw fail(ShapeError, `matmul: shapes ${fmtShape(tensor(a).shape)} and ${fmtShape(tensor(b).shape)} do not align: ${k1} (last axis of the first) ≠ ${k2} (second-to-last of the second).`);
  }
  let r: Tensor;
  if (y.ndim === 2) {
    r = dotGeneral("matmul", x, y, [[x.ndim - 1], [0]]);
  } else {
    const bx = x.shape.slice(0, -2);
    const by = y.shape.slice(0, -2);
    const bs = broadcastShapes("matmul", bx, by);
    const xb = broadcastTo(x, [...bs, ...x.shape.slice(-2)]);
    const yb = broadcastTo(y, [...bs, ...y.shape.slice(-2)]);
    const nb = bs.length;
    const batchAxes = bs.map((_, i) => i);
    r = dotGeneral("matmul", xb, yb, [[nb + 1], [nb]], [batchAxes, batchAxes]);
  }
  if (xv) r = squeeze(r, r.ndim - 2);
  if (yv) r = squeeze(r, r.ndim - 1);
  return r;
}

/**
 * numpy's dot: the sum product over a's last axis and b's second-to-last (b's only axis when b is
 * 1-D); a plain product when either is 0-d. Ints and bools multiply as float32.
 * Mirrors numpy.dot / jax.numpy.dot; also `a.dot(b)`.
 * @param a - any shape.
 * @param b - any shape whose contracted axis matches a's last.
 * @returns shape a.shape[:-1] ++ b.shape without its contracted axis, float dtype.
 * @throws ShapeError when the contracted sizes differ.
 * @example
 * ```ts
 * np.dot([1, 2, 3], [4, 5, 6]); // → 32
 * np.dot([[1, 2], [3, 4]], [1, 1]); // → [3, 7]
 * ```
 */
export const dot = (a: ArrayLike, b: ArrayLike): Tensor => dotAs("dot", tensor(a), tensor(b));
function dotAs(api: string, x: Tensor, y: Tensor): Tensor {
  if (x.ndim === 0 || y.ndim === 0) return multiply(x, y);
  const ya = y.ndim === 1 ? 0 : y.ndim - 2;
  if (x.shape[x.ndim - 1] !== y.shape[ya]) {
    throw fail(ShapeError, `${api}: shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} not aligned: ${x.shape[x.ndim - 1]} ≠ ${y.shape[ya]}.`);
  }
  return dotGeneral(api, x, y, [[x.ndim - 1], [ya]]);
}

/**
 * The dot product of the flattened operands, Σ a.flat[i]·b.flat[i].
 * Mirrors numpy.vdot / jax.numpy.vdot (no complex conjugation: tapir has no complex dtypes).
 * @param a - any shape.
 * @param b - any shape with a's size.
 * @returns a 0-d float tensor.
 * @throws ShapeError when the sizes differ.
 * @example
 * ```ts
 * np.vdot([[1, 2], [3, 4]], [[1, 1], [1, 1]]); // → 10
 * ```
 */
export function vdot(a: ArrayLike, b: ArrayLike): Tensor {
  return dotAs("vdot", reshape(a, [-1]), reshape(b, [-1]));
}

/**
 * The outer product of the flattened operands: out[i, j] = a.flat[i]·b.flat[j].
 * Mirrors numpy.outer / jax.numpy.outer.
 * @param a - any shape (flattened to length n).
 * @param b - any shape (flattened to length m).
 * @returns shape [n, m], in the promoted dtype.
 * @example
 * ```ts
 * np.outer([1, 2], [3, 4, 5]); // → [[3, 4, 5], [6, 8, 10]]
 * ```
 */
export function outer(a: ArrayLike, b: ArrayLike): Tensor {
  return multiply(reshape(a, [-1, 1]), reshape(b, [1, -1]));
}

/** Rows/cols index grids for the last two axes (int32). */
function rowCol(n: number, m: number): [Tensor, Tensor] {
  return [lax.iota([n, m], 0, "int32"), lax.iota([n, m], 1, "int32")];
}
/**
 * The lower triangle of the last two axes: elements above diagonal k become 0.
 * Mirrors numpy.tril / jax.numpy.tril.
 * @param x - shape [..., n, m], any dtype.
 * @param k - the diagonal kept last: 0 the main one (default), positive above, negative below.
 * @returns a tensor of x's shape and dtype.
 * @throws ShapeError for input of rank < 2.
 * @example
 * ```ts
 * np.tril([[1, 2], [3, 4]]); // → [[1, 0], [3, 4]]
 * ```
 */
export function tril(x: ArrayLike, k = 0): Tensor {
  const t = tensor(x);
  if (t.ndim < 2) throw fail(ShapeError, `tril: needs at least 2-D input, got ${fmtShape(t.shape)}.`);
  const [r, c] = rowCol(t.shape[t.ndim - 2]!, t.shape[t.ndim - 1]!);
  return where(lessEqual(c, add(r, k)), t, 0);
}
/**
 * The upper triangle of the last two axes: elements below diagonal k become 0.
 * Mirrors numpy.triu / jax.numpy.triu.
 * @param x - shape [..., n, m], any dtype.
 * @param k - the first diagonal kept: 0 the main one (default), positive above, negative below.
 * @returns a tensor of x's shape and dtype.
 * @throws ShapeError for input of rank < 2.
 * @example
 * ```ts
 * np.triu([[1, 2], [3, 4]]); // → [[1, 2], [0, 4]]
 * np.triu([[1, 2], [3, 4]], 1); // → [[0, 2], [0, 0]]
 * ```
 */
export function triu(x: ArrayLike, k = 0): Tensor {
  const t = tensor(x);
  if (t.ndim < 2) throw fail(ShapeError, `triu: needs at least 2-D input, got ${fmtShape(t.shape)}.`);
  const [r, c] = rowCol(t.shape[t.ndim - 2]!, t.shape[t.ndim - 1]!);
  return where(greaterEqual(c, add(r, k)), t, 0);
}

/**
 * A 1-D v builds a square matrix with v on diagonal k; a 2-D x gives its k-th diagonal.
 * Mirrors numpy.diag / jax.numpy.diag.
 * @param x - shape [n] or [n, m], any dtype.
 * @param k - the diagonal: 0 the main one (default), positive above, negative below.
 * @returns shape [n + |k|, n + |k|] for 1-D input; the diagonal's length for 2-D; x's dtype.
 * @throws ShapeError for input that is neither 1-D nor 2-D.
 * @example
 * ```ts
 * np.diag([1, 2]); // → [[1, 0], [0, 2]]
 * np.diag([[1, 2], [3, 4]]); // → [1, 4]
 * np.diag([[1, 2], [3, 4]], 1); // → [2]
 * ```
 */
export function diag(x: ArrayLike, k = 0): Tensor {
  const t = tensor(x);
  if (t.ndim === 1) {
    const n = t.shape[0]!;
    const m = n + Math.abs(k);
    const col = reshape(pad(t, [[k >= 0 ? 0 : -k, k >= 0 ? k : 0]]), [m, 1]);
    return where(eye(m, m, { k, dtype: "bool" }), col, 0);
  }
  if (t.ndim !== 2) throw fail(ShapeError, `diag: input must be 1-D or 2-D, got ${fmtShape(t.shape)}.`);
  const [n, m] = t.shape as [number, number];
  const len = Math.max(0, Math.min(n, m - k, n + k, m));
  const rows = Math.max(0, -k);
  const cols = Math.max(0, k);
  const flat = new Int32Array(Math.max(0, Math.min(n - rows, m - cols, len)));
  for (let i = 0; i < flat.length; i++) flat[i] = (rows + i) * m + cols + i;
  return take(reshape(t, [-1]), array(flat), 0);
}
/**
 * The sum of diagonal k of a matrix.
 * Mirrors numpy.trace / jax.numpy.trace for 2-D input (no axis1 / axis2).
 * @param x - shape [n, m], any dtype.
 * @param k - the diagonal, default 0.
 * @returns a 0-d tensor of x's dtype.
 * @throws ShapeError for input that is not 2-D.
 * @example
 * ```ts
 * np.trace([[1, 2], [3, 4]]); // → 5
 * ```
 */
export const trace = (x: ArrayLike, k = 0) => sum(diag(x, k));
