// Column sums: x viewed as [len, cols] summed over its leading axis, what a reduction over
// leading axes is (the bias gradient of a dense layer sums the batch axis). The rows kernel
// (reduce.ts) wants the reduced axis last and so reads a transposed copy; this loop reads x
// in place, a row at a time, for every column at once. It follows pairwiseSum's tree exactly
// (leaves of ≤ 128 summed in order in float64, halves split at the same points), so each
// column's bits equal the transposed copy's row sum: eager, jit and every thread count agree.
import type { TypedArray } from "../kernel.js";

/** Fewer columns than this and the per-column scratch costs more than the transposed copy. */
export const COLSUM_MIN_COLS = 8;

/**
 * out[j] = Σ_i x[i·cols + j] for i < len, summed in pairwiseSum's order (NaNs canonical).
 * The recursion keeps one float64 row of partials per tree level (levels ≤ 2 + log2(len/64)).
 */
export function sumColumns(x: TypedArray, len: number, cols: number, out: TypedArray): void {
  const depth = 2 + Math.max(0, Math.ceil(Math.log2(Math.max(1, len / 64))));
  const scratch = new Float64Array(cols * (depth + 1));
  const walk = (row: number, n: number, level: number): void => {
    // leaves sum into scratch level `level`: acc[j] over rows row … row+n−1, in order
    const acc = level * cols;
    if (n <= 128) {
      scratch.fill(0, acc, acc + cols);
      for (let i = row; i < row + n; i++) {
        const xo = i * cols;
        for (let j = 0; j < cols; j++) scratch[acc + j]! += x[xo + j]!;
      }
      return;
    }
    const h = (n >> 1) & ~127 || n >> 1;
    walk(row, h, level);
    walk(row + h, n - h, level + 1);
    const b = (level + 1) * cols;
    for (let j = 0; j < cols; j++) scratch[acc + j]! += scratch[b + j]!;
  };
  walk(0, len, 0);
  for (let j = 0; j < cols; j++) {
    const v = scratch[j]!;
    out[j] = v === v ? v : NaN;
  }
}
