// Pieces the linear-algebra primitives share: their shape checks, running the linalg kernel and
// splitting its outputs, and the batched-matrix helpers their derivative rules are written in
// (matrix product, transpose, triangles, diagonal — all lax, so the rules differentiate again).
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { backend, linalgLayout, type FloatArray, type LinalgOp } from "../backend/index.js";
import { fmtShape, sizeOf } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import type { Aval } from "../trace.js";
import { batchToFront } from "../primitive.js";
import { bind } from "../trace.js";
import type { Primitive } from "../primitive.js";
import * as lax from "../lax.js";

// ------------------------------------------------------------------ checks

/** The operand's matrix dims [m, n] after checking it is a float array of rank ≥ 2 (square if asked). */
export function matrixDims(api: string, x: Aval, square = false): [number, number] {
  if (x.dtype !== "float32" && x.dtype !== "float64") throw fail(DTypeError, `${api}: expected a float32 or float64 matrix, got ${x.dtype}${fmtShape(x.shape)}. Convert it first, e.g. x.astype("float32").`);
  const r = x.shape.length;
  if (r < 2) throw fail(ShapeError, `${api}: expected a matrix or a batch of matrices (rank ≥ 2, shape [..., m, n]), got shape ${fmtShape(x.shape)}. Reshape a vector to [n, 1] or [1, n].`);
  const m = x.shape[r - 2]!;
  const n = x.shape[r - 1]!;
  if (square && m !== n) throw fail(ShapeError, `${api}: expected square matrices (shape [..., n, n]), got shape ${fmtShape(x.shape)}.`);
  return [m, n];
}

// ------------------------------------------------------------------ the kernel

/** Runs the linalg kernel over x's matrices (b: triangular_solve's right-hand side) and splits its outputs. */
export function runLinalg(o: LinalgOp, x: Tensor, b: Tensor | null, shapes: number[][], dtypes: DType[]): Tensor[] {
  const src = b ?? x;
  const batchShape = src.shape.slice(0, -2);
  const [m, n] = src.shape.slice(-2) as [number, number];
  const batch = sizeOf(batchShape);
  const parts = linalgLayout(o, m, n);
  const per = parts.reduce((s, p) => s + p, 0);
  const dt = x.dtype as "float32" | "float64";
  if (parts.length === 1) {
    const out = emptyTensor([...batchShape, ...shapes[0]!], dt);
    if (out.size) backend().linalg(dt, o, { a: x._data as FloatArray, b: src._data as FloatArray, batch, m, n }, out._data as FloatArray);
    return [out];
  }
  const all = emptyTensor([batch * per], dt);
  if (all.size) backend().linalg(dt, o, { a: x._data as FloatArray, b: src._data as FloatArray, batch, m, n }, all._data as FloatArray);
  let off = 0;
  const outs = parts.map((size, i) => {
    const t = emptyTensor([...batchShape, ...shapes[i]!], dtypes[i]!);
    for (let u = 0; u < batch; u++) for (let e = 0; e < size; e++) t._data[u * size + e] = all._data[u * per + off + e]!;
    off += size;
    return t;
  });
  all.dispose();
  return outs;
}

/** Batch rule of a primitive on the trailing two axes of each operand: batch axes to the front. */
export function frontBatch(args: Tensor[], dims: (number | null)[], params: unknown, size: number, self: Primitive): [Tensor[], (number | null)[]] {
  const moved = args.map((a, i) => batchToFront(a, dims[i]!, size));
  const outs = bind(self, moved, params);
  return [outs, outs.map(() => 0)];
}

// ------------------------------------------------------------------ batched-matrix helpers

const last2 = (x: Tensor): number[] => {
  const r = x.ndim;
  return [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
};
/** Swaps the last two axes. */
export const mT = (x: Tensor): Tensor => lax.transpose(x, last2(x));
/** Batched matrix product over leading axes (both operands have the same batch shape). */
export function mm(a: Tensor, b: Tensor): Tensor {
  const nb = a.ndim - 2;
  const batch = Array.from({ length: nb }, (_, i) => i);
  return lax.dotGeneral(a, b, { contract: [[nb + 1], [nb]], batch: [batch, batch] });
}
/** A constant [m, n] bool mask from a predicate on (row, column). */
function boolMask(m: number, n: number, keep: (i: number, j: number) => boolean): Tensor {
  const t = emptyTensor([m, n], "bool");
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t._data[i * n + j] = keep(i, j) ? 1 : 0;
  return t;
}
/** x with the entries where keep(i, j) is false set to 0 (a select: an inf outside stays out). */
export function keepWhere(x: Tensor, keep: (i: number, j: number) => boolean): Tensor {
  const [m, n] = x.shape.slice(-2) as [number, number];
  return lax.select(boolMask(m, n, keep), x, lax.scalarLike(x, 0));
}
/** Lower triangle on and below diagonal k. */
export const tril = (x: Tensor, k = 0): Tensor => keepWhere(x, (i, j) => j <= i + k);
/** Upper triangle on and above diagonal k. */
export const triu = (x: Tensor, k = 0): Tensor => keepWhere(x, (i, j) => j >= i + k);
/** A constant [m, n] float matrix from f(i, j). */
export function constMatrix(m: number, n: number, dtype: DType, f: (i: number, j: number) => number): Tensor {
  const t = emptyTensor([m, n], dtype);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t._data[i * n + j] = f(i, j);
  return t;
}
export const eye = (n: number, dtype: DType): Tensor => constMatrix(n, n, dtype, (i, j) => (i === j ? 1 : 0));
/** The main diagonal, [..., n, n] → [..., n]. */
export const diagonal = (x: Tensor): Tensor => lax.sum(lax.mul(x, eye(x.shape[x.ndim - 1]!, x.dtype)), [x.ndim - 1]);
/** (x + xᵀ)/2 over the last two axes. */
export const symmetrize = (x: Tensor): Tensor => lax.mul(lax.add(x, mT(x)), lax.scalarLike(x, 0.5));
/** x zero-padded at the end of its last two axes to [rows, cols]. */
export function padTo(x: Tensor, rows: number, cols: number): Tensor {
  const r = x.ndim;
  const hi = x.shape.map((s, i) => (i === r - 2 ? rows - s : i === r - 1 ? cols - s : 0));
  if (hi.every((h) => h === 0)) return x;
  return lax.pad(x, x.shape.map(() => 0), hi, x.shape.map(() => 0));
}
/** x[..., r0:r1, c0:c1]. */
export function sliceMatrix(x: Tensor, r0: number, r1: number, c0: number, c1: number): Tensor {
  const r = x.ndim;
  if (r0 === 0 && c0 === 0 && r1 === x.shape[r - 2] && c1 === x.shape[r - 1]) return x;
  return lax.slice(
    x,
    x.shape.map((_, i) => (i === r - 2 ? r0 : i === r - 1 ? c0 : 0)),
    x.shape.map((s, i) => (i === r - 2 ? r1 : i === r - 1 ? c1 : s)),
    x.shape.map(() => 1),
  );
}
