// Rows of the bitwise, shift and remainder primitives (src/core/primitives/bitwise.ts,
// remainder.ts): references by BigInt and by the floats' bit patterns, not the kernels' tricks.
import type { DType } from "../../src/index.js";
import type { PrimitiveName } from "../../src/core/primitives/index.js";
import type { Rng } from "../util/rng.js";
import { mapNd } from "../util/ref.js";
import { FLOATS, PAIRS, binaryRow, gen, typed, unaryRow, type Row } from "./row.js";

const big32 = (f: (a: bigint, b: bigint) => bigint) => (a: number, b: number) => Number(BigInt.asIntN(32, f(BigInt(a), BigInt(b))));
/** Pairs of int32 tensors over the full range, with shift-like counts in [lo, hi] for the second. */
const intRow = (fn: (a: number, b: number) => number, dtypes: DType[], lo2 = -(2 ** 31), hi2 = 2 ** 31 - 1): Row => ({
  dtypes,
  cases: () =>
    PAIRS.map(([sa, sb]) => ({
      params: {},
      args: (r: Rng, d: DType) => [gen(r, d, sa, -(2 ** 31), 2 ** 31 - 1), gen(r, d, sb, lo2, hi2)],
      inAxes: [[0, 0], [-1, -1], [0, null], [null, -1]],
    })),
  ref: ([a, b]) => mapNd(fn, a!, b!),
  grad: "no",
});

/** The float next to x toward y, by stepping the bit pattern (IEEE order is integer order per sign). */
function nextafterRef(x: number, y: number, d: DType): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return y;
  const f = d === "float32" ? new Float32Array(1) : new Float64Array(1);
  if (x === 0) {
    const bits = d === "float32" ? new Int32Array(f.buffer) : new BigInt64Array(f.buffer);
    bits[0] = (d === "float32" ? 1 : 1n) as never;
    return y > 0 ? f[0]! : -f[0]!;
  }
  f[0] = x;
  const away = y > x === x > 0;
  if (d === "float32") new Int32Array(f.buffer)[0]! += away ? 1 : -1;
  else new BigInt64Array(f.buffer)[0]! += away ? 1n : -1n;
  return f[0]!;
}
const SPECIAL = [0, 1, -1, 2, 0.5, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38];

export const bitwiseRows = {
  // the real cube root (elementwise.ts); away from 0, where its derivative is infinite
  cbrt: unaryRow(Math.cbrt, { bad: (v) => Math.abs(v) < 0.2, extra: [[27, -8, 1000, 0, -0.001]] }),
  bitwise_and: intRow(big32((a, b) => a & b), ["int32", "bool"]),
  bitwise_or: intRow(big32((a, b) => a | b), ["int32", "bool"]),
  bitwise_xor: intRow(big32((a, b) => a ^ b), ["int32", "bool"]),
  shift_left: intRow((a, n) => (n < 0 || n > 31 ? 0 : Number(BigInt.asIntN(32, BigInt(a) << BigInt(n)))), ["int32"], -3, 40),
  shift_right_arithmetic: intRow((a, n) => (n < 0 || n > 31 ? (a < 0 ? -1 : 0) : Math.floor(a / 2 ** n)), ["int32"], -3, 40),
  bitwise_not: {
    dtypes: ["int32", "bool"],
    cases: () => [[], [5], [2, 3]].map((shape) => ({ params: {}, args: (r: Rng, d: DType) => [gen(r, d, shape, -(2 ** 31), 2 ** 31 - 1)] })),
    ref: ([x], _p, d) => mapNd(d === "bool" ? (v) => 1 - v : (v) => -v - 1, x!),
    grad: "no",
  },
  // |y| ≥ 0.25 keeps x/y small (the float64 reference x - trunc(x/y)·y is exact there); ints
  // include y = 0 (remainder 0, as JAX)
  rem: {
    ...binaryRow((a, b) => (b === 0 ? 0 : a - Math.trunc(a / b) * b), { dtypes: [...FLOATS, "int32"], bad: [() => false, (v) => Math.abs(v) < 0.25] }),
    cases: (d) => binaryRow(() => 0, { lo: d === "int32" ? [-9, -3] : [-2, -2], hi: d === "int32" ? [9, 3] : [2, 2], bad: [() => false, (v) => Math.abs(v) < 0.25] }).cases(d),
  },
  nextafter: {
    dtypes: FLOATS,
    cases: () => [
      ...binaryRow(() => 0).cases("float32"),
      { params: {}, args: (_r: Rng, d: DType) => [typed(SPECIAL.flatMap((x) => SPECIAL.map(() => x)), d, [100]), typed(SPECIAL.flatMap(() => SPECIAL), d, [100])], vmap: false },
    ],
    ref: ([a, b], _p, d) => mapNd((x, y) => nextafterRef(x, y, d), a!, b!),
    grad: "no",
  },
} satisfies Partial<Record<PrimitiveName, Row>>;
