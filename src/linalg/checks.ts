// Argument checks shared by lax.linalg and numpy.linalg: matrix operands and batch broadcasting,
// with errors that name the function the user called and the shapes.
import { DTypeError, ShapeError, fail } from "../core/errors.js";
import { fmtShape } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";

/** Checks a lax.linalg operand: a float tensor of rank ≥ 2 (square when asked); returns its [m, n]. */
export function checkMatrix(api: string, x: unknown, square = false): [number, number] {
  if (!(x instanceof Tensor)) throw fail(DTypeError, `${api}: expected a Tensor, got ${typeof x}. Convert it with numpy.array(…, {dtype: "float32"}) first (lax does not coerce).`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw fail(DTypeError, `${api}: expected a float32 or float64 matrix, got ${x.dtype}${fmtShape(x.shape)}. Convert it first, e.g. x.astype("float32").`);
  if (x.ndim < 2) throw fail(ShapeError, `${api}: expected a matrix or a stack of matrices (shape [..., m, n]), got shape ${fmtShape(x.shape)}. Reshape a vector to [n, 1] or [1, n].`);
  const [m, n] = x.shape.slice(-2) as [number, number];
  if (square && m !== n) throw fail(ShapeError, `${api}: expected square matrices (shape [..., n, n]), got shape ${fmtShape(x.shape)}.`);
  return [m, n];
}

/** The broadcast of the batch shapes (all but the last two axes) of a and b. */
export function broadcastBatch(api: string, a: Tensor, b: Tensor): number[] {
  const x = a.shape.slice(0, -2);
  const y = b.shape.slice(0, -2);
  const r = Math.max(x.length, y.length);
  return Array.from({ length: r }, (_, i) => {
    const p = x[i - r + x.length] ?? 1;
    const q = y[i - r + y.length] ?? 1;
    if (p !== q && p !== 1 && q !== 1) throw fail(ShapeError, `${api}: batch shapes ${fmtShape(x)} (of ${fmtShape(a.shape)}) and ${fmtShape(y)} (of ${fmtShape(b.shape)}) do not broadcast.`);
    return Math.max(p, q);
  });
}

