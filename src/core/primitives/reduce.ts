// Reductions over axes, arg-reductions and cumulative sums.
import { avalOf, definePrimitive, defLinear, type Prim, type JvpRule, zeroJvp, type BatchRule } from "../primitive.js";
import { DTypeError, fail } from "../errors.js";
import { backend, type ReduceOp } from "../backend/index.js";
import { sizeOf, stridesOf } from "../shape.js";
import { isFloat } from "../dtype.js";
import { COLSUM_MIN_COLS, sumColumns } from "../backend/kernels/colsum.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind1, type Aval } from "../trace.js";
import { add, convert, div, eq, full, mul, pad, reshape, scalarLike, select, sliceInDim, sum, transpose, broadcastTo } from "../lax.js";

type AxesParams = { axes: number[] };

/** x's data with the reduced axes moved last: [rows, len] contiguous. */
function rowsView(x: Tensor, axes: number[]): [Tensor, number, number] {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keep, ...axes];
  let len = 1;
  for (const a of axes) len *= x.shape[a]!;
  const rows = len === 0 ? keep.reduce((p, i) => p * x.shape[i]!, 1) : x.size / len;
  if (perm.every((p, i) => p === i)) return [x, rows, len];
  return [transpose(x, perm), rows, len];
}

function reduceImpl(op: ReduceOp, outDtype?: (d: Aval["dtype"]) => Aval["dtype"]) {
  return ([x]: [Tensor], { axes }: AxesParams) => {
    const shape = x.shape.filter((_, i) => !axes.includes(i));
    const out = emptyTensor(shape, outDtype ? outDtype(x.dtype) : x.dtype);
    // a float sum over leading axes (a bias gradient) reads x in place, by columns, same bits
    const cols = sizeOf(shape);
    if (op === "sum" && isFloat(x.dtype) && cols >= COLSUM_MIN_COLS && x.size > 0 && axes.every((a) => a < axes.length)) {
      sumColumns(x._data, x.size / cols, cols, out._data);
      return [out];
    }
    const [v, rows, len] = rowsView(x, axes);
    if (len === 0) {
      if (op === "sum") out._data.fill(0);
      else if (op === "prod") out._data.fill(1);
      else throw fail(DTypeError, `${op}: zero-size reduction has no identity; pass a non-empty array.`);
    } else backend().reduceRows(op, v._data, rows, len, out._data);
    // the transposed copy is a temporary of this kernel: back to the arena now
    if (v !== x) v.dispose();
    return [out];
  };
}

const reduceShape = ([x]: [Aval], { axes }: AxesParams): Aval[] => [{ shape: x.shape.filter((_, i) => !axes.includes(i)), dtype: x.dtype }];

/** Maps per-example axes to batched axes and gives the output's batch dim. */
export function batchedAxes(axes: number[], d: number): [number[], number] {
  const full = axes.map((a) => (a >= d ? a + 1 : a));
  return [full, d - full.filter((a) => a < d).length];
}
const reduceBatch: BatchRule<AxesParams, 1> = ([x], [d], params, _n, self) => {
  const [axes, od] = batchedAxes(params.axes, d!);
  return [[bind1(self, [x], { ...params, axes })], [od]];
};

/** Re-inserts reduced axes as size 1 so a reduced value broadcasts against the input. */
const keepDims = (y: Tensor, x: Aval, axes: number[]) => reshape(y, x.shape.map((s, i) => (axes.includes(i) ? 1 : s)));

// d Σx = Σ dx (linear); transpose broadcasts the cotangent back over the reduced axes
export const reduceSumP: Prim<"reduce_sum", AxesParams> = defLinear<"reduce_sum", AxesParams>({
  name: "reduce_sum",
  abstractEval: reduceShape,
  impl: reduceImpl("sum"),
  batch: reduceBatch,
  transpose: ([ct], [x], { axes }) => {
    const aval = avalOf(x);
    return [broadcastTo(keepDims(ct, aval, axes), aval.shape)];
  },
});

/** d max = Σ dx·[x = max] / #ties (the tangent of the maximiser, averaged over ties). */
const extremumJvp: JvpRule<AxesParams, 1> = ([x], [t], params, self) => {
  const out = bind1(self, [x], params);
  if (!t) return [[out], [null]];
  const mask = convert(eq(x, keepDims(out, x, params.axes)), x.dtype);
  const tan = div(sum(mul(t, mask), params.axes), sum(mask, params.axes));
  return [[out], [tan]];
};
export const reduceMaxP: Prim<"reduce_max", AxesParams> = definePrimitive<"reduce_max", AxesParams, 1>({
  name: "reduce_max",
  abstractEval: reduceShape,
  impl: reduceImpl("max"),
  jvp: extremumJvp,
  batch: reduceBatch,
});
export const reduceMinP: Prim<"reduce_min", AxesParams> = definePrimitive<"reduce_min", AxesParams, 1>({
  name: "reduce_min",
  abstractEval: reduceShape,
  impl: reduceImpl("min"),
  jvp: extremumJvp,
  batch: reduceBatch,
});
/**
 * Tangent of Πx over `axes` by the product rule along a pairwise tree of multiplications
 * (as JAX does): no division, so it is exact where entries are zero, and its own derivatives
 * (built from mul's rules) are right at every order.
 */
function prodTangent(x: Tensor, t: Tensor, axes: number[]): Tensor {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const rest = keep.map((i) => x.shape[i]!);
  let n = axes.reduce((m, a) => m * x.shape[a]!, 1);
  if (n === 0) return full(rest, 0, t.dtype);
  const flat = (v: Tensor) => reshape(transpose(v, [...axes, ...keep]), [n, ...rest]);
  let [p, dp] = [flat(x), flat(t)];
  const lo = [0, ...rest.map(() => 0)];
  const hi = [1, ...rest.map(() => 0)];
  while (n > 1) {
    if (n % 2 === 1) {
      // one more row: 1 in the product (a padded mask selects it), 0 in its tangent
      const mask = pad(full(p.shape, 1, "bool"), lo, hi, lo);
      p = select(mask, pad(p, lo, hi, lo), scalarLike(p, 1));
      dp = pad(dp, lo, hi, lo);
      n++;
    }
    const [a, b] = [sliceInDim(p, 0, 0, n / 2), sliceInDim(p, 0, n / 2, n)];
    const [da, db] = [sliceInDim(dp, 0, 0, n / 2), sliceInDim(dp, 0, n / 2, n)];
    [p, dp] = [mul(a, b), add(mul(da, b), mul(a, db))];
    n /= 2;
  }
  return reshape(dp, rest);
}
// d Πx = Σᵢ dxᵢ Πⱼ≠ᵢ xⱼ (exact where some xᵢ = 0, as in JAX)
export const reduceProdP: Prim<"reduce_prod", AxesParams> = definePrimitive<"reduce_prod", AxesParams, 1>({
  name: "reduce_prod",
  abstractEval: reduceShape,
  impl: reduceImpl("prod"),
  jvp: ([x], [t], params, self) => {
    const out = bind1(self, [x], params);
    if (!t) return [[out], [null]];
    return [[out], [prodTangent(x, t, params.axes)]];
  },
  batch: reduceBatch,
});

type ArgParams = { axis: number };
function argReduce<N extends string>(name: N, op: "argmax" | "argmin"): Prim<N, ArgParams> {
  return definePrimitive<N, ArgParams, 1>({
    name,
    abstractEval: ([x], { axis }) => [{ shape: x.shape.filter((_, i) => i !== axis), dtype: "int32" }],
    impl: ([x], { axis }) => reduceImpl(op, () => "int32")([x], { axes: [axis] }),
    jvp: zeroJvp(),
    batch: ([x], [d], { axis }, _n, self) => {
      const [[a], od] = batchedAxes([axis], d!);
      return [[bind1(self, [x], { axis: a! })], [od]];
    },
  });
}
export const argmaxP = argReduce("argmax", "argmax");
export const argminP = argReduce("argmin", "argmin");

type CumParams = { axis: number; reverse: boolean };
// d cumsum x = cumsum dx (linear); its transpose is the reversed cumsum
export const cumsumP: Prim<"cumsum", CumParams> = defLinear<"cumsum", CumParams>({
  name: "cumsum",
  abstractEval: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  impl: ([x], { axis, reverse }) => {
    const out = emptyTensor(x.shape, x.dtype);
    const n = x.shape[axis]!;
    const inner = stridesOf(x.shape)[axis]!;
    const outer = n * inner === 0 ? 0 : x.size / (n * inner);
    backend().cumsum(x._data, outer, n, inner, reverse, out._data);
    return [out];
  },
  batch: ([x], [d], { axis, reverse }, _n, self) => [[bind1(self, [x], { axis: axis >= d! ? axis + 1 : axis, reverse })], [d!]],
  transpose: ([ct], _args, { axis, reverse }) => [bind1(cumsumP, [ct], { axis, reverse: !reverse })],
});
