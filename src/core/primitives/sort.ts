// Sorting: `sort` (several operands along one axis, ordered lexicographically by the first
// numKeys, stable; JAX's lax.sort) and `top_k` (the k largest along the last axis and their
// indices; jax.lax.top_k). Both differentiate as JAX does: the tangents follow the permutation
// (an iota sorted along as one more operand gives it), i.e. a gather, transposed by scatter-add.
import { definePrimitive, type Prim, batchToFront } from "../primitive.js";
import { DTypeError, ShapeError, ValueError, fail } from "../errors.js";
import { backend } from "../backend/index.js";
import { fmtShape, shapeEq, sizeOf } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind, type Aval } from "../trace.js";
import { iota, moveaxis, takeAlongAxis } from "../lax.js";

type SortParams = { dimension: number; numKeys: number };

// out = the operands permuted along `dimension` by the stable order of their first numKeys
export const sortP: Prim<"sort", SortParams> = definePrimitive<"sort", SortParams>({
  name: "sort",
  multipleResults: true,
  abstractEval: (avals, { dimension, numKeys }) => {
    const s = avals[0]!.shape;
    if (avals.some((a) => !shapeEq(a.shape, s))) throw fail(ShapeError, `sort: operands must share a shape, got ${avals.map((a) => fmtShape(a.shape)).join(", ")}.`);
    if (!(numKeys >= 1 && numKeys <= avals.length)) throw fail(ValueError, `sort: numKeys must be in [1, ${avals.length}], got ${numKeys}.`);
    if (!(dimension >= 0 && dimension < s.length)) throw fail(ValueError, `sort: dimension ${dimension} is out of range for ${fmtShape(s)}; sort needs an operand of rank ≥ 1.`);
    return avals.map((a) => ({ shape: a.shape, dtype: a.dtype }));
  },
  impl: (xs, { dimension, numKeys }) => {
    const shape = xs[0]!.shape;
    const outs = xs.map((x) => emptyTensor(x.shape, x.dtype));
    const outer = sizeOf(shape.slice(0, dimension));
    const inner = sizeOf(shape.slice(dimension + 1));
    const perm = emptyTensor(shape, "int32");
    backend().sort(xs.slice(0, numKeys).map((x) => x._data), outer, shape[dimension]!, inner, perm._data as Int32Array, xs.map((x) => x._data), outs.map((o) => o._data));
    perm.dispose();
    return outs;
  },
  jvp: (xs, ts, params, self) => {
    if (ts.every((t) => t === null)) return [bind(self, xs, params), ts.map(() => null)];
    const outs = bind(self, [...xs, iota([...xs[0]!.shape], params.dimension, "int32")], params);
    const perm = outs.pop()!;
    return [outs, ts.map((t) => (t ? takeAlongAxis(t, perm, params.dimension) : null))];
  },
  batch: (xs, dims, { dimension, numKeys }, size, self) => {
    const moved = xs.map((x, i) => batchToFront(x, dims[i]!, size));
    return [bind(self, moved, { dimension: dimension + 1, numKeys }), moved.map(() => 0)];
  },
});

type TopKParams = { k: number };
const topKAval = (x: Aval, k: number): Aval[] => {
  if (x.shape.length === 0) throw fail(ShapeError, "topK: the operand must have at least one axis (top_k works along the last).");
  const n = x.shape[x.shape.length - 1]!;
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw fail(ValueError, `topK: k must be an integer in [0, ${n}] (the last axis of ${fmtShape(x.shape)}), got ${k}.`);
  if (x.dtype === "bool") throw fail(DTypeError, 'topK: not defined for bool inputs; convert with astype("int32").');
  const shape = [...x.shape.slice(0, -1), k];
  return [{ shape, dtype: x.dtype }, { shape, dtype: "int32" }];
};
// values, indices = the k largest along the last axis, decreasing (ties: lower index first)
export const topKP: Prim<"top_k", TopKParams> = definePrimitive<"top_k", TopKParams>({
  name: "top_k",
  multipleResults: true,
  abstractEval: ([x], { k }) => topKAval(x!, k),
  impl: ([x], { k }) => {
    const [va, ia] = topKAval(x!, k);
    const values = emptyTensor(va!.shape, va!.dtype);
    const indices = emptyTensor(ia!.shape, "int32");
    const n = x!.shape[x!.ndim - 1]!;
    backend().topK(x!._data, n === 0 ? 0 : x!.size / n, n, k, values._data, indices._data as Int32Array);
    return [values, indices];
  },
  jvp: ([x], [t], params, self) => {
    const [values, indices] = bind(self, [x!], params) as [Tensor, Tensor];
    return [[values, indices], [t ? takeAlongAxis(t, indices, x!.ndim - 1) : null, null]];
  },
  batch: ([x], [d], params, _size, self) => [bind(self, [moveaxis(x!, d!, 0)], params), [0, 0]],
});
