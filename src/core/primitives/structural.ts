// Shape-changing primitives: broadcast, reshape, transpose, slice, pad, concatenate, rev,
// gather/scatter-add and iota. All linear (except iota/gather indices); copies are strided views.
import { avalOf, definePrimitive, defLinear, type Prim, batchToFront, zeroJvp, UndefPrimal, type TransposeArg } from "../primitive.js";
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { backend } from "../backend/index.js";
import { fmtShape, invertPerm, sizeOf, stridesOf } from "../shape.js";
import { emptyTensor, shareStorage, type Tensor } from "../tensor.js";
import { bind1, type Aval } from "../trace.js";
import { add, broadcastTo, expandDims, iota, lt, max, min, moveaxis, mul, reshape, scalarLike, select, sum } from "../lax.js";

const linAval = (x: TransposeArg) => (x as UndefPrimal).aval;
const moveFront = (x: Tensor, d: number | null) => (d === null ? x : moveaxis(x, d, 0));

// ---------------------------------------------------------------- broadcast_in_dim
type BcastParams = { shape: number[]; dims: number[] };
// operand axis i becomes output axis dims[i] (size equal or 1); linear
export const broadcastInDimP: Prim<"broadcast_in_dim", BcastParams> = defLinear<"broadcast_in_dim", BcastParams, 1>({
  name: "broadcast_in_dim",
  abstractEval: ([x], { shape, dims }) => {
    x.shape.forEach((s, i) => {
      if (s !== 1 && s !== shape[dims[i]!]) throw fail(ShapeError, `broadcast: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    });
    return [{ shape, dtype: x.dtype }];
  },
  impl: ([x], { shape, dims }) => {
    const out = emptyTensor(shape, x.dtype);
    const xs = stridesOf(x.shape);
    const st = new Array<number>(shape.length).fill(0);
    dims.forEach((d, i) => (st[d] = x.shape[i] === 1 ? 0 : xs[i]!));
    backend().copyStrided(x._data, 0, st, shape, out._data, 0, stridesOf(shape));
    return [out];
  },
  // trailing-aligned (numpy broadcasting, which a fused loop does through strides): the identity
  expr: (_d, { shape, dims }, [s]) => (dims.every((d, i) => d === shape.length - s!.length + i) ? "a0" : null),
  broadcasts: true,
  batch: ([x], [d], { shape, dims }, n, self) => {
    const xf = moveFront(x, d);
    return [[bind1(self, [xf], { shape: [n, ...shape], dims: [0, ...dims.map((k) => k + 1)] })], [0]];
  },
  transpose: ([ct], [x], { shape, dims }) => {
    const aval = linAval(x);
    const sumAxes = shape.map((_, i) => i).filter((i) => !dims.includes(i) || aval.shape[dims.indexOf(i)] === 1);
    return [reshape(sum(ct, sumAxes), aval.shape)];
  },
});

// ---------------------------------------------------------------- reshape
type ReshapeParams = { shape: number[] };
// same data, new shape (shares storage); linear
export const reshapeP: Prim<"reshape", ReshapeParams> = defLinear<"reshape", ReshapeParams, 1>({
  name: "reshape",
  abstractEval: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x.shape)) throw fail(ShapeError, `reshape: cannot reshape ${fmtShape(x.shape)} (${sizeOf(x.shape)} elements) to ${fmtShape(shape)}`);
    return [{ shape, dtype: x.dtype }];
  },
  impl: ([x], { shape }) => [shareStorage(x, shape)],
  batch: ([x], [d], { shape }, n, self) => [[bind1(self, [moveFront(x, d)], { shape: [n, ...shape] })], [0]],
  transpose: ([ct], [x]) => [bind1(reshapeP, [ct], { shape: [...linAval(x).shape] })],
});

// ---------------------------------------------------------------- transpose
type PermParams = { perm: number[] };
// out axis i is input axis perm[i]; linear, transposed by the inverse permutation
export const transposeP: Prim<"transpose", PermParams> = defLinear<"transpose", PermParams, 1>({
  name: "transpose",
  abstractEval: ([x], { perm }) => [{ shape: perm.map((p) => x.shape[p]!), dtype: x.dtype }],
  impl: ([x], { perm }) => {
    const shape = perm.map((p) => x.shape[p]!);
    const out = emptyTensor(shape, x.dtype);
    const xs = stridesOf(x.shape);
    backend().copyStrided(x._data, 0, perm.map((p) => xs[p]!), shape, out._data, 0, stridesOf(shape));
    return [out];
  },
  batch: ([x], [d], { perm }, _n, self) => [[bind1(self, [moveFront(x, d)], { perm: [0, ...perm.map((p) => p + 1)] })], [0]],
  transpose: ([ct], _x, { perm }) => [bind1(transposeP, [ct], { perm: invertPerm(perm) })],
});

// ---------------------------------------------------------------- slice
type SliceParams = { starts: number[]; limits: number[]; strides: number[] };
const sliceShape = (starts: number[], limits: number[], strides: number[]) =>
  starts.map((s, i) => Math.max(0, Math.ceil((limits[i]! - s) / strides[i]!)));
// x[starts:limits:strides] (positive strides); linear, transposed by zero padding
export const sliceP: Prim<"slice", SliceParams> = defLinear<"slice", SliceParams, 1>({
  name: "slice",
  abstractEval: ([x], { starts, limits, strides }) => [{ shape: sliceShape(starts, limits, strides), dtype: x.dtype }],
  impl: ([x], { starts, limits, strides }) => {
    const shape = sliceShape(starts, limits, strides);
    const out = emptyTensor(shape, x.dtype);
    const xs = stridesOf(x.shape);
    const off = starts.reduce((o, s, i) => o + s * xs[i]!, 0);
    backend().copyStrided(x._data, off, xs.map((s, i) => s * strides[i]!), shape, out._data, 0, stridesOf(shape));
    return [out];
  },
  batch: ([x], [d], { starts, limits, strides }, n, self) => [
    [bind1(self, [moveFront(x, d)], { starts: [0, ...starts], limits: [n, ...limits], strides: [1, ...strides] })],
    [0],
  ],
  transpose: ([ct], [x], { starts, strides }) => {
    const shape = linAval(x).shape;
    const hi = shape.map((s, i) => s - (starts[i]! + Math.max(0, ct.shape[i]! - 1) * strides[i]! + (ct.shape[i]! > 0 ? 1 : 0)));
    return [bind1(padP, [ct], { lo: starts, hi, interior: strides.map((s) => s - 1) })];
  },
});

// ---------------------------------------------------------------- pad
type PadParams = { lo: number[]; hi: number[]; interior: number[] };
const padShape = (shape: readonly number[], { lo, hi, interior }: PadParams) =>
  shape.map((s, i) => lo[i]! + hi[i]! + s + Math.max(0, s - 1) * interior[i]!);
// zero padding with lo/hi edges and `interior` zeros between elements; linear, transposed by slicing
export const padP: Prim<"pad", PadParams> = defLinear<"pad", PadParams, 1>({
  name: "pad",
  abstractEval: ([x], params) => [{ shape: padShape(x.shape, params), dtype: x.dtype }],
  impl: ([x], params) => {
    const shape = padShape(x.shape, params);
    const out = emptyTensor(shape, x.dtype, true);
    out._data.fill(0);
    const os = stridesOf(shape);
    const off = params.lo.reduce((o, l, i) => o + l * os[i]!, 0);
    backend().copyStrided(x._data, 0, stridesOf(x.shape), x.shape, out._data, off, os.map((s, i) => s * (params.interior[i]! + 1)));
    return [out];
  },
  batch: ([x], [d], { lo, hi, interior }, _n, self) => [[bind1(self, [moveFront(x, d)], { lo: [0, ...lo], hi: [0, ...hi], interior: [0, ...interior] })], [0]],
  transpose: ([ct], [x], { lo, interior }) => {
    const shape = linAval(x).shape;
    const strides = interior.map((k) => k + 1);
    return [bind1(sliceP, [ct], { starts: lo, limits: shape.map((s, i) => lo[i]! + Math.max(0, s - 1) * strides[i]! + (s > 0 ? 1 : 0)), strides })];
  },
});

// ---------------------------------------------------------------- concatenate
type ConcatParams = { axis: number };
// joins operands along `axis`; linear, transposed by slicing the cotangent
export const concatenateP: Prim<"concatenate", ConcatParams> = defLinear<"concatenate", ConcatParams, "n">({
  name: "concatenate",
  abstractEval: (xs, { axis }) => {
    const first = xs[0]!;
    for (const x of xs) {
      if (x.dtype !== first.dtype) throw fail(DTypeError, `concatenate: dtypes differ (${xs.map((a) => a.dtype).join(", ")}); convert with astype first.`);
      if (x.shape.length !== first.shape.length || x.shape.some((s, i) => i !== axis && s !== first.shape[i])) {
        throw fail(ShapeError, `concatenate: shapes ${xs.map((a) => fmtShape(a.shape)).join(", ")} differ outside axis ${axis}.`);
      }
    }
    const shape = [...first.shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
    return [{ shape, dtype: first.dtype }];
  },
  impl: (xs, { axis }) => {
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
    const out = emptyTensor(shape, xs[0]!.dtype);
    const os = stridesOf(shape);
    let at = 0;
    for (const x of xs) {
      backend().copyStrided(x._data, 0, stridesOf(x.shape), x.shape, out._data, at * os[axis]!, os);
      at += x.shape[axis]!;
    }
    return [out];
  },
  batch: (xs, dims, { axis }, n, self) => [[bind1(self, xs.map((x, i) => batchToFront(x, dims[i]!, n)), { axis: axis + 1 })], [0]],
  transpose: ([ct], xs, { axis }) => {
    let at = 0;
    return xs.map((x) => {
      const s = avalOf(x).shape;
      const start = at;
      at += s[axis]!;
      if (!(x instanceof UndefPrimal)) return null;
      return bind1(sliceP, [ct], {
        starts: ct.shape.map((_, i) => (i === axis ? start : 0)),
        limits: ct.shape.map((c, i) => (i === axis ? start + s[axis]! : c)),
        strides: ct.shape.map(() => 1),
      });
    });
  },
});

// ---------------------------------------------------------------- rev
type RevParams = { axes: number[] };
// reverses the order along `axes`; linear and its own transpose
export const revP: Prim<"rev", RevParams> = defLinear<"rev", RevParams, 1>({
  name: "rev",
  abstractEval: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  impl: ([x], { axes }) => {
    const out = emptyTensor(x.shape, x.dtype);
    const xs = stridesOf(x.shape);
    let off = 0;
    const st = xs.map((s, i) => {
      if (!axes.includes(i)) return s;
      off += (x.shape[i]! - 1) * s;
      return -s;
    });
    if (x.size > 0) backend().copyStrided(x._data, off, st, x.shape, out._data, 0, stridesOf(x.shape));
    return [out];
  },
  batch: ([x], [d], { axes }, _n, self) => [[bind1(self, [x], { axes: axes.map((a) => (a >= d! ? a + 1 : a)) })], [d!]],
  transpose: ([ct], _x, params) => [bind1(revP, [ct], params)],
});

// ---------------------------------------------------------------- gather / scatter_add
type GatherParams = { axis: number };
const gatherShape = (x: Aval, idx: Aval, axis: number) => [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
const splitAt = (shape: readonly number[], axis: number, width: number) => {
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + width));
  return [outer, inner] as const;
};
/** The kernels' index rule (wrap once from the end, then clamp to [0, n-1]) applied ahead of time. */
const normIndex = (idx: Tensor, n: number) =>
  min(max(select(lt(idx, scalarLike(idx, 0)), add(idx, scalarLike(idx, n)), idx), scalarLike(idx, 0)), scalarLike(idx, n - 1));
/**
 * Batch dims of x and idx folded into one flat axis of x: idx' = idx + b·n. Indices are
 * normalised first, so a negative or out-of-range index stays inside its own example.
 */
function foldBatchIntoIndex(x: Tensor, dx: number, idx: Tensor, di: number, axis: number, n: number): [Tensor, Tensor] {
  const xt = moveaxis(x, dx, axis); // [..axis, B, n, rest]
  const xs = [...xt.shape];
  const xf = reshape(xt, [...xs.slice(0, axis), xs[axis]! * xs[axis + 1]!, ...xs.slice(axis + 2)]);
  const b = reshape(iota([idx.shape[di]!], 0, "int32"), idx.shape.map((s, i) => (i === di ? s : 1)));
  return [xf, add(normIndex(idx, n), mul(b, scalarLike(b, n)))];
}
// out[..., j, ...] = x[..., idx[j], ...] along `axis` (indices clamped); linear in x, transposed by scatter_add
export const gatherP: Prim<"gather", GatherParams> = defLinear<"gather", GatherParams, 2>({
  name: "gather",
  abstractEval: ([x, idx], { axis }) => {
    if (idx.dtype !== "int32") throw fail(DTypeError, `take: indices must be int32, got ${idx.dtype}`);
    return [{ shape: gatherShape(x, idx, axis), dtype: x.dtype }];
  },
  impl: ([x, idx], { axis }) => {
    const out = emptyTensor(gatherShape(x, idx, axis), x.dtype);
    const [outer, inner] = splitAt(x.shape, axis, 1);
    backend().gather(x._data, outer, x.shape[axis]!, inner, idx._data, out._data);
    return [out];
  },
  batch: ([x, idx], [dx, di], { axis }, n, self) => {
    if (di === null) return [[bind1(self, [moveFront(x, dx), idx], { axis: axis + 1 })], [0]];
    if (dx === null) return [[bind1(self, [x, idx], { axis })], [axis + di]];
    const [xf, idf] = foldBatchIntoIndex(x, dx, idx, di, axis, x.shape[dx <= axis ? axis + 1 : axis]!);
    return [[bind1(self, [xf, idf], { axis })], [axis + di]];
  },
  // linear in x (the indices are known): its own application to the tangent
  jvp: (primals, [t], params, self) => [[bind1(self, primals, params)], [t ? bind1(self, [t, primals[1]], params) : null]],
  transpose: ([ct], [x, idx], { axis }) => [bind1(scatterAddP, [ct, idx as Tensor], { axis, n: linAval(x).shape[axis]! }), null],
});

type ScatterParams = { axis: number; n: number };
// out = zeros with out[..., idx[j], ...] += upd[..., j, ...]; linear in upd, transposed by gather
export const scatterAddP: Prim<"scatter_add", ScatterParams> = defLinear<"scatter_add", ScatterParams, 2>({
  name: "scatter_add",
  abstractEval: ([u, idx], { axis, n }) => [{ shape: [...u.shape.slice(0, axis), n, ...u.shape.slice(axis + idx.shape.length)], dtype: u.dtype }],
  impl: ([u, idx], { axis, n }) => {
    const shape = [...u.shape.slice(0, axis), n, ...u.shape.slice(axis + idx.ndim)];
    const out = emptyTensor(shape, u.dtype);
    const [outer, inner] = splitAt(u.shape, axis, idx.ndim);
    backend().scatterAdd(u._data, outer, n, inner, idx._data, out._data);
    return [out];
  },
  batch: ([u, idx], [du, di], { axis, n }, size, self) => {
    if (di === null) return [[bind1(self, [moveFront(u, du), idx], { axis: axis + 1, n })], [0]];
    // idx batched: put idx's batch first, upd's batch where idx's dims start, fold into the index
    const idxF = moveFront(idx, di);
    const uB = du === null ? broadcastTo(expandDims(u, axis), [...u.shape.slice(0, axis), size, ...u.shape.slice(axis)]) : moveaxis(u, du, axis);
    const b = reshape(iota([size], 0, "int32"), [size, ...idxF.shape.slice(1).map(() => 1)]);
    const out = bind1(self, [uB, add(normIndex(idxF, n), mul(b, scalarLike(b, n)))], { axis, n: n * size });
    return [[reshape(out, [...out.shape.slice(0, axis), size, n, ...out.shape.slice(axis + 1)])], [axis]];
  },
  // linear in the updates (the indices are known): its own application to the tangent
  jvp: (primals, [t], params, self) => [[bind1(self, primals, params)], [t ? bind1(self, [t, primals[1]], params) : null]],
  transpose: ([ct], [, idx], { axis }) => [bind1(gatherP, [ct, idx as Tensor], { axis }), null],
});

// ---------------------------------------------------------------- iota
type IotaParams = { shape: number[]; axis: number; dtype: DType };
// the index along `axis` at every position of `shape`; no inputs
export const iotaP: Prim<"iota", IotaParams> = definePrimitive<"iota", IotaParams, 0>({
  name: "iota",
  abstractEval: (_x, { shape, dtype }) => [{ shape, dtype }],
  impl: (_x, { shape, axis, dtype }) => {
    const out = emptyTensor(shape, dtype);
    if (out.size > 0) backend().iota(shape, axis, out._data);
    return [out];
  },
  jvp: zeroJvp(),
  batch: (_x, _d, params, _n, self) => [[bind1(self, [], params)], [null]],
});
