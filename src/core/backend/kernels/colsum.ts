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
  // a leaf's columns eight at a time in locals (each column still summed row by row, in order):
  // the read-modify-write of the scratch row for every element cost ~3 ns an element (W1's bias
  // gradient, [128, 256])
  const leaf = (row: number, n: number, acc: number): void => {
    const end = row + n;
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let i = row, o = row * cols + j; i < end; i++, o += cols) {
        s0 += x[o]!;
        s1 += x[o + 1]!;
        s2 += x[o + 2]!;
        s3 += x[o + 3]!;
        s4 += x[o + 4]!;
        s5 += x[o + 5]!;
        s6 += x[o + 6]!;
        s7 += x[o + 7]!;
      }
      scratch[acc + j] = s0;
      scratch[acc + j + 1] = s1;
      scratch[acc + j + 2] = s2;
      scratch[acc + j + 3] = s3;
      scratch[acc + j + 4] = s4;
      scratch[acc + j + 5] = s5;
      scratch[acc + j + 6] = s6;
      scratch[acc + j + 7] = s7;
    }
    for (; j < cols; j++) {
      let s = 0;
      for (let i = row, o = row * cols + j; i < end; i++, o += cols) s += x[o]!;
      scratch[acc + j] = s;
    }
  };
  const walk = (row: number, n: number, level: number): void => {
    // leaves sum into scratch level `level`: acc[j] over rows row … row+n−1, in order
    const acc = level * cols;
    if (n <= 128) {
      leaf(row, n, acc);
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
