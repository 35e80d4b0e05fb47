// Reductions over axes, arg-reductions and cumulative sums.
import { definePrimitive, type Prim, type Primitive, type Tan, linearJvp, zeroJvp, type BatchRule } from "../primitive.js";
import { DTypeError, fail } from "../errors.js";
import { backend, type ReduceOp } from "../backend/index.js";
import { stridesOf } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind1, type Aval } from "../trace.js";
import * as ops from "../ops.js";

type AxesParams = { axes: number[] };

/** x's data with the reduced axes moved last: [rows, len] contiguous. */
function rowsView(x: Tensor, axes: number[]): [Tensor, number, number] {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keep, ...axes];
  let len = 1;
  for (const a of axes) len *= x.shape[a]!;
  const rows = len === 0 ? keep.reduce((p, i) => p * x.shape[i]!, 1) : x.size / len;
  if (perm.every((p, i) => p === i)) return [x, rows, len];
  return [ops.transpose(x, perm), rows, len];
}

function reduceImpl(op: ReduceOp, outDtype?: (d: Aval["dtype"]) => Aval["dtype"]) {
  return ([x]: Tensor[], { axes }: AxesParams) => {
    const shape = x!.shape.filter((_, i) => !axes.includes(i));
    const out = emptyTensor(shape, outDtype ? outDtype(x!.dtype) : x!.dtype);
    const [v, rows, len] = rowsView(x!, axes);
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

const reduceShape = ([x]: Aval[], { axes }: AxesParams): Aval[] => [{ shape: x!.shape.filter((_, i) => !axes.includes(i)), dtype: x!.dtype }];

/** Maps per-example axes to batched axes and gives the output's batch dim. */
export function batchedAxes(axes: number[], d: number): [number[], number] {
  const full = axes.map((a) => (a >= d ? a + 1 : a));
  return [full, d - full.filter((a) => a < d).length];
}
const reduceBatch: BatchRule<AxesParams> = ([x], [d], params, _n, self) => {
  const [axes, od] = batchedAxes(params.axes, d!);
  return [[bind1(self, [x!], { ...params, axes })], [od]];
};

/** Re-inserts reduced axes as size 1 so a reduced value broadcasts against the input. */
const keepDims = (y: Tensor, x: Aval, axes: number[]) => ops.reshape(y, x.shape.map((s, i) => (axes.includes(i) ? 1 : s)));

// d Σx = Σ dx (linear); transpose broadcasts the cotangent back over the reduced axes
export const reduceSumP: Prim<"reduce_sum", AxesParams> = definePrimitive<"reduce_sum", AxesParams>({
  name: "reduce_sum",
  shape: reduceShape,
  impl: reduceImpl("sum"),
  jvp: linearJvp(),
  batch: reduceBatch,
  transpose: ([ct], [x], { axes }) => {
    const aval = (x as { aval: Aval }).aval;
    return [ct ? ops.broadcastTo(keepDims(ct, aval, axes), aval.shape) : null];
  },
});

/** d max = Σ dx·[x = max] / #ties (the tangent of the maximiser, averaged over ties). */
const extremumJvp = (primals: Tensor[], [t]: Tan[], params: AxesParams, self: Primitive<AxesParams>): [Tensor[], Tan[]] => {
  const x = primals[0]!;
  const out = bind1(self, [x], params);
  if (!t) return [[out], [null]];
  const mask = ops.equal(x, keepDims(out, x, params.axes)).astype(x.dtype);
  const tan = ops.div(bind1(reduceSumP, [ops.mul(t, mask)], params), bind1(reduceSumP, [mask], params));
  return [[out], [tan]];
};
export const reduceMaxP: Prim<"reduce_max", AxesParams> = definePrimitive<"reduce_max", AxesParams>({
  name: "reduce_max",
  shape: reduceShape,
  impl: reduceImpl("max"),
  jvp: extremumJvp,
  batch: reduceBatch,
});
export const reduceMinP: Prim<"reduce_min", AxesParams> = definePrimitive<"reduce_min", AxesParams>({
  name: "reduce_min",
  shape: reduceShape,
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
  if (n === 0) return ops.zeros(rest, { dtype: t.dtype });
  const flat = (v: Tensor) => ops.reshape(ops.transpose(v, [...axes, ...keep]), [n, ...rest]);
  let [p, dp] = [flat(x), flat(t)];
  const widths = rest.map((): [number, number] => [0, 0]);
  while (n > 1) {
    if (n % 2 === 1) {
      p = ops.pad(p, [[0, 1], ...widths], { constantValues: 1 });
      dp = ops.pad(dp, [[0, 1], ...widths]);
      n++;
    }
    const [a, b] = ops.split(p, 2, 0) as [Tensor, Tensor];
    const [da, db] = ops.split(dp, 2, 0) as [Tensor, Tensor];
    [p, dp] = [ops.mul(a, b), ops.add(ops.mul(da, b), ops.mul(a, db))];
    n /= 2;
  }
  return ops.reshape(dp, rest);
}
// d Πx = Σᵢ dxᵢ Πⱼ≠ᵢ xⱼ (exact where some xᵢ = 0, as in JAX)
export const reduceProdP: Prim<"reduce_prod", AxesParams> = definePrimitive<"reduce_prod", AxesParams>({
  name: "reduce_prod",
  shape: reduceShape,
  impl: reduceImpl("prod"),
  jvp: ([x], [t], params, self) => {
    const out = bind1(self, [x!], params);
    if (!t) return [[out], [null]];
    return [[out], [prodTangent(x!, t, params.axes)]];
  },
  batch: reduceBatch,
});

type ArgParams = { axis: number };
function argReduce<N extends string>(name: N, op: "argmax" | "argmin") {
  return definePrimitive<N, ArgParams>({
    name,
    shape: ([x], { axis }) => [{ shape: x!.shape.filter((_, i) => i !== axis), dtype: "int32" }],
    impl: ([x], { axis }) => reduceImpl(op, () => "int32")([x!], { axes: [axis] }),
    jvp: zeroJvp(),
    batch: ([x], [d], { axis }, _n, self) => {
      const [[a], od] = batchedAxes([axis], d!);
      return [[bind1(self, [x!], { axis: a! })], [od]];
    },
  });
}
export const argmaxP = argReduce("argmax", "argmax");
export const argminP = argReduce("argmin", "argmin");

type CumParams = { axis: number; reverse: boolean };
// d cumsum x = cumsum dx (linear); its transpose is the reversed cumsum
export const cumsumP: Prim<"cumsum", CumParams> = definePrimitive<"cumsum", CumParams>({
  name: "cumsum",
  shape: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  impl: ([x], { axis, reverse }) => {
    const out = emptyTensor(x!.shape, x!.dtype);
    const n = x!.shape[axis]!;
    const inner = stridesOf(x!.shape)[axis]!;
    const outer = n * inner === 0 ? 0 : x!.size / (n * inner);
    backend().cumsum(x!._data, outer, n, inner, reverse, out._data);
    return [out];
  },
  jvp: linearJvp(),
  batch: ([x], [d], { axis, reverse }, _n, self) => [[bind1(self, [x!], { axis: axis >= d! ? axis + 1 : axis, reverse })], [d!]],
  transpose: ([ct], _args, { axis, reverse }) => [ct ? bind1(cumsumP, [ct], { axis, reverse: !reverse }) : null],
});
