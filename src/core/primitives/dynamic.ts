// Slices at traced offsets (XLA's DynamicSlice / DynamicUpdateSlice): the starts are int32
// scalars, clamped so the window fits (start ∈ [0, n - size]). Both are linear in the array
// operands; batched starts lower to a gather / a scatter at computed flat positions.
import { definePrimitive, type Prim, UndefPrimal, batchToFront, type Tan } from "../primitive.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { backend } from "../backend/index.js";
import { fmtShape, stridesOf } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind1, type Aval } from "../trace.js";
import { add, full, gather, iota, max, min, mul, reshape, scalarLike, scatter, zerosLike } from "../lax.js";

type SliceParams = { sizes: number[] };

function checkStarts(api: string, x: Aval, starts: Aval[], sizes: readonly number[]): void {
  if (starts.length !== x.shape.length) throw fail(ShapeError, `${api}: ${starts.length} start indices for an operand of rank ${x.shape.length} (${fmtShape(x.shape)}); pass one per axis.`);
  for (const s of starts) {
    if (s.shape.length !== 0 || s.dtype !== "int32") throw fail(DTypeError, `${api}: start indices must be int32 scalars, got ${s.dtype}${fmtShape(s.shape)}.`);
  }
  if (sizes.length !== x.shape.length || sizes.some((z, i) => !(Number.isInteger(z) && z >= 0 && z <= x.shape[i]!))) {
    throw fail(ShapeError, `${api}: slice sizes ${fmtShape(sizes)} must be non-negative integers no larger than the operand's shape ${fmtShape(x.shape)}.`);
  }
}
/** Concrete clamped starts (XLA: start = clamp(start, 0, n - size)). */
const clampedStarts = (x: Tensor, starts: Tensor[], sizes: readonly number[]) =>
  starts.map((s, i) => Math.min(Math.max(s._data[0]!, 0), x.shape[i]! - sizes[i]!));
/** Traced clamped starts, each of shape [B] (batched) or scalar. */
const clampT = (s: Tensor, n: number, size: number) => min(max(s, scalarLike(s, 0)), scalarLike(s, n - size));

/**
 * Flat positions in a batched operand xb [B, ...shape] of the window [B, ...sizes] at per-example
 * starts (each [B] int32): b·|shape| + Σ (start_b + i_k)·stride_k.
 */
function windowPositions(shape: readonly number[], sizes: readonly number[], starts: Tensor[]): Tensor {
  const B = starts[0]!.shape[0]!;
  const out = [B, ...sizes];
  const st = stridesOf(shape);
  const per = shape.reduce((a, b) => a * b, 1);
  let pos = mul(iota(out, 0, "int32"), full([], per, "int32"));
  starts.forEach((s, k) => {
    const c = reshape(clampT(s, shape[k]!, sizes[k]!), [B, ...sizes.map(() => 1)]);
    pos = add(pos, mul(add(iota(out, k + 1, "int32"), c), full([], st[k]!, "int32")));
  });
  return pos;
}
const batchStarts = (starts: Tensor[], dims: (number | null)[], B: number) => starts.map((s, i) => batchToFront(s, dims[i]!, B));

// out = x[s₀ : s₀ + size₀, …] with clamped starts; linear in x, transposed by an update slice of zeros
export const dynamicSliceP: Prim<"dynamic_slice", SliceParams> = definePrimitive<"dynamic_slice", SliceParams, "n">({
  name: "dynamic_slice",
  abstractEval: ([x, ...starts], { sizes }) => {
    checkStarts("dynamicSlice", x!, starts, sizes);
    return [{ shape: [...sizes], dtype: x!.dtype }];
  },
  impl: ([x, ...starts], { sizes }) => {
    const out = emptyTensor(sizes, x!.dtype);
    const xs = stridesOf(x!.shape);
    const off = clampedStarts(x!, starts, sizes).reduce((o, s, i) => o + s * xs[i]!, 0);
    if (out.size > 0) backend().copyStrided(x!._data, off, xs, sizes, out._data, 0, stridesOf(sizes));
    return [out];
  },
  linearity: "linear",
  jvp: ([x, ...starts], [dx], params, self) => [[bind1(self, [x!, ...starts], params)], [dx ? bind1(self, [dx, ...starts], params) : null]],
  transpose: ([ct], [x, ...starts], { sizes }) => {
    const aval = (x as UndefPrimal).aval;
    return [bind1(dynamicUpdateSliceP, [full(aval.shape, 0, ct.dtype), ct, ...(starts as Tensor[])], {}), ...starts.map(() => null)];
  },
  batch: ([x, ...starts], [dx, ...ds], { sizes }, B, self) => {
    const xb = batchToFront(x!, dx!, B);
    if (ds.every((d) => d === null)) return [[bind1(self, [xb, full([], 0, "int32"), ...starts], { sizes: [B, ...sizes] })], [0]];
    const pos = windowPositions(xb.shape.slice(1), sizes, batchStarts(starts, ds, B));
    return [[gather(reshape(xb, [xb.size]), pos, 0)], [0]];
  },
});

// out = x with upd written at the clamped starts; linear in (x, upd)
export const dynamicUpdateSliceP: Prim<"dynamic_update_slice", {}> = definePrimitive<"dynamic_update_slice", {}, "n">({
  name: "dynamic_update_slice",
  abstractEval: ([x, u, ...starts]) => {
    if (u!.dtype !== x!.dtype) throw fail(DTypeError, `dynamicUpdateSlice: the update (${u!.dtype}) must have the operand's dtype (${x!.dtype}).`);
    if (u!.shape.length !== x!.shape.length) throw fail(ShapeError, `dynamicUpdateSlice: the update ${fmtShape(u!.shape)} must have the operand's rank (${fmtShape(x!.shape)}).`);
    checkStarts("dynamicUpdateSlice", x!, starts, u!.shape);
    return [{ shape: x!.shape, dtype: x!.dtype }];
  },
  impl: ([x, u, ...starts]) => {
    const out = emptyTensor(x!.shape, x!.dtype);
    out._data.set(x!._data.subarray(0, x!.size));
    const os = stridesOf(x!.shape);
    const off = clampedStarts(x!, starts, u!.shape).reduce((o, s, i) => o + s * os[i]!, 0);
    if (u!.size > 0) backend().copyStrided(u!._data, 0, stridesOf(u!.shape), u!.shape, out._data, off, os);
    return [out];
  },
  linearity: "linear",
  jvp: ([x, u, ...starts], [dx, du], params, self) => {
    const out = bind1(self, [x!, u!, ...starts], params);
    if (!dx && !du) return [[out], [null]];
    return [[out], [bind1(self, [dx ?? zerosLike(x!), du ?? zerosLike(u!), ...starts], params)]];
  },
  transpose: ([ct], [x, u, ...starts]) => {
    const s = starts as Tensor[];
    const uA = u instanceof UndefPrimal ? u.aval : { shape: (u as Tensor).shape, dtype: (u as Tensor).dtype };
    const cx: Tan = x instanceof UndefPrimal ? bind1(dynamicUpdateSliceP, [ct, full(uA.shape, 0, ct.dtype), ...s], {}) : null;
    const cu: Tan = u instanceof UndefPrimal ? bind1(dynamicSliceP, [ct, ...s], { sizes: [...uA.shape] }) : null;
    return [cx, cu, ...s.map(() => null)];
  },
  batch: ([x, u, ...starts], [dx, du, ...ds], params, B, self) => {
    const xb = batchToFront(x!, dx!, B);
    const ub = batchToFront(u!, du!, B);
    if (ds.every((d) => d === null)) return [[bind1(self, [xb, ub, full([], 0, "int32"), ...starts], params)], [0]];
    const pos = windowPositions(xb.shape.slice(1), ub.shape.slice(1), batchStarts(starts, ds, B));
    const out = scatter(reshape(xb, [xb.size]), reshape(pos, [pos.size]), reshape(ub, [ub.size]), 0, "set");
    return [[reshape(out, xb.shape)], [0]];
  },
});
