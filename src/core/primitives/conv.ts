// conv_general_dilated: XLA's convolution (strides, padding pairs, lhs/rhs dilation, dimension
// numbers, feature and batch groups), bilinear in (lhs, rhs). Its transposes are convolutions
// again (JAX's _conv_general_dilated_transpose_lhs/_rhs): the input cotangent is the cotangent
// convolved with the spatially flipped kernel, strides and lhs dilation swapped; the kernel
// cotangent is the input convolved with the cotangent, strides and rhs dilation swapped. The
// batch rule folds the vmapped axis into the batch or the feature(-group) dimension.
import { defBilinear, type Prim, type Primitive } from "../primitive.js";
import { DTypeError, ShapeError, ValueError, fail } from "../errors.js";
import { backend, type FloatArray } from "../backend/index.js";
import { fmtShape } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import { bind1, type Aval } from "../trace.js";
import { full, reshape, rev, transpose } from "../lax.js";
import type { ConvGeometry } from "../backend/kernels/conv.js";

/**
 * Dimension numbers as axis indices: lhs [batch, feature, spatial…], rhs [out feature, in
 * feature, spatial…], out [batch, feature, spatial…] (JAX's ConvDimensionNumbers).
 */
export type ConvDims = { lhs: number[]; rhs: number[]; out: number[] };

export type ConvParams = {
  strides: number[];
  padding: [number, number][];
  lhsDilation: number[];
  rhsDilation: number[];
  dims: ConvDims;
  featureGroupCount: number;
  batchGroupCount: number;
};

const NAME = "conv_general_dilated";
/** The extent of `n` elements with `d − 1` holes between neighbours (0 stays 0). */
export const dilateDim = (n: number, d: number) => (n === 0 ? 0 : 1 + d * (n - 1));
const take = (shape: readonly number[], axes: number[]) => axes.map((a) => shape[a]!);

/** transpose, or a reshape (no copy) when the permutation moves only unit axes. */
function permute(x: Tensor, perm: number[]): Tensor {
  const moved = perm.filter((a) => x.shape[a] !== 1);
  if (moved.every((a, i) => i === 0 || a > moved[i - 1]!)) return reshape(x, perm.map((a) => x.shape[a]!));
  return transpose(x, perm);
}

/** Output shape, with the checks XLA makes (named after the primitive; the lax wrapper checks first with its own name). */
export function convShape(l: Aval, r: Aval, p: ConvParams): number[] {
  const { dims, featureGroupCount: G, batchGroupCount: B } = p;
  const shapes = `lhs ${fmtShape(l.shape)}, rhs ${fmtShape(r.shape)}`;
  if (l.dtype !== r.dtype) throw fail(DTypeError, `${NAME}: operand dtypes differ (${l.dtype} and ${r.dtype}); convert one with astype.`);
  if (l.dtype !== "float32" && l.dtype !== "float64") throw fail(DTypeError, `${NAME}: takes float32 or float64 operands, got ${l.dtype}; convert with astype("float32").`);
  if (l.shape.length !== r.shape.length) throw fail(ShapeError, `${NAME}: lhs and rhs must have the same rank, got ${shapes}.`);
  const [N, C] = [l.shape[dims.lhs[0]!]!, l.shape[dims.lhs[1]!]!];
  const [O, I] = [r.shape[dims.rhs[0]!]!, r.shape[dims.rhs[1]!]!];
  if (G > 1 && B > 1) throw fail(ValueError, `${NAME}: at most one of featureGroupCount (${G}) and batchGroupCount (${B}) may exceed 1.`);
  if (C !== I * G) throw fail(ShapeError, `${NAME}: lhs feature dimension ${C} must equal rhs input feature dimension ${I} × featureGroupCount ${G} (${shapes}).`);
  if (O % G !== 0 || O % B !== 0) throw fail(ShapeError, `${NAME}: rhs output feature dimension ${O} must be a multiple of featureGroupCount ${G} and batchGroupCount ${B} (${shapes}).`);
  if (N % B !== 0) throw fail(ShapeError, `${NAME}: lhs batch dimension ${N} must be a multiple of batchGroupCount ${B} (${shapes}).`);
  const ls = take(l.shape, dims.lhs.slice(2));
  const ks = take(r.shape, dims.rhs.slice(2));
  const outSp = ls.map((s, i) => {
    const inD = dilateDim(s, p.lhsDilation[i]!) + p.padding[i]![0] + p.padding[i]![1];
    const kD = dilateDim(ks[i]!, p.rhsDilation[i]!);
    return inD < kD ? 0 : Math.floor((inD - kD) / p.strides[i]!) + 1;
  });
  const out = new Array<number>(l.shape.length);
  out[dims.out[0]!] = N / B;
  out[dims.out[1]!] = O;
  dims.out.slice(2).forEach((a, i) => (out[a] = outSp[i]!));
  return out;
}

// ---------------------------------------------------------------- impl

/**
 * Lays the operands out as the kernel wants (x [N, S…, C]; w [g, K…, I, Og]), runs it into
 * [g, N', O…, Og] and permutes that to the output's dimension numbers (one copy each way at
 * most; none for NHWC/HWIO/NHWC without groups).
 */
function convImpl([l, r]: [Tensor, Tensor], p: ConvParams): Tensor[] {
  const { dims } = p;
  const shape = convShape(l, r, p);
  const d = dims.lhs.length - 2;
  const groups = p.featureGroupCount * p.batchGroupCount;
  const O = r.shape[dims.rhs[0]!]!;
  const Og = O / groups;
  const x = permute(l, [dims.lhs[0]!, ...dims.lhs.slice(2), dims.lhs[1]!]);
  let w: Tensor;
  if (groups === 1) w = permute(r, [...dims.rhs.slice(2), dims.rhs[1]!, dims.rhs[0]!]);
  else {
    const w0 = permute(r, [dims.rhs[0]!, ...dims.rhs.slice(2), dims.rhs[1]!]);
    const w1 = reshape(w0, [groups, Og, ...w0.shape.slice(1)]);
    w = permute(w1, [0, ...Array.from({ length: d + 1 }, (_, i) => i + 2), 1]);
    if (w0 !== r) w0.dispose();
  }
  const outSp = take(shape, dims.out.slice(2));
  const nOut = shape[dims.out[0]!]!;
  const geo: ConvGeometry = {
    groups, featureGroups: p.batchGroupCount === 1, nOut, inSp: take(l.shape, dims.lhs.slice(2)), C: l.shape[dims.lhs[1]!]!,
    kSp: take(r.shape, dims.rhs.slice(2)), I: r.shape[dims.rhs[1]!]!, Og, outSp,
    strides: p.strides, padLo: p.padding.map(([lo]) => lo), lhsDil: p.lhsDilation, rhsDil: p.rhsDilation,
  };
  const canon = emptyTensor([groups, nOut, ...outSp, Og], l.dtype);
  backend().conv(l.dtype as "float32" | "float64", geo, x._data as FloatArray, w._data as FloatArray, canon._data as FloatArray);
  if (x !== l) x.dispose();
  if (w !== r) w.dispose();
  // canonical axes: 0 group, 1 batch, 2…d+1 spatial, d+2 feature-in-group; the output's feature
  // axis is (group, feature-in-group)
  const perm: number[] = [];
  for (let a = 0; a < shape.length; a++) {
    if (a === dims.out[0]) perm.push(1);
    else if (a === dims.out[1]) perm.push(0, d + 2);
    else perm.push(2 + dims.out.slice(2).indexOf(a));
  }
  const moved = permute(canon, perm);
  const res = reshape(moved, shape);
  if (moved !== canon) canon.dispose();
  if (res !== moved) moved.dispose();
  return [res];
}

// ---------------------------------------------------------------- transposes

/** Merges axis `src` into axis `dst` (numbered after src's removal) as its major part (JAX's _reshape_axis_into). */
export function reshapeAxisInto(src: number, dst: number, x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  const shape = x.shape.filter((_, i) => i !== src);
  shape[dst] = shape[dst]! * x.shape[src]!;
  return reshape(transpose(x, perm), shape);
}
/** Splits axis `src` into [size1, rest] (JAX's _reshape_axis_out_of). */
export function reshapeAxisOutOf(src: number, size1: number, x: Tensor): Tensor {
  const shape = [...x.shape];
  shape.splice(src, 1, size1, shape[src]! / size1);
  return reshape(x, shape);
}

const dilated = (s: number[], d: number[]) => s.map((v, i) => dilateDim(v, d[i]!));
const swap01 = (spec: number[]) => [spec[1]!, spec[0]!, ...spec.slice(2)];

/** Padding of the input-gradient convolution (JAX's _conv_general_vjp_lhs_padding). */
export function vjpLhsPadding(inSp: number[], kSp: number[], strides: number[], outSp: number[], padding: [number, number][], lhsDil: number[], rhsDil: number[]): [number, number][] {
  const ld = dilated(inSp, lhsDil), rd = dilated(kSp, rhsDil), od = dilated(outSp, strides);
  return ld.map((l, i) => {
    const before = rd[i]! - padding[i]![0] - 1;
    return [before, l + rd[i]! - 1 - od[i]! - before];
  });
}
/** Padding of the kernel-gradient convolution (JAX's _conv_general_vjp_rhs_padding). */
function vjpRhsPadding(inSp: number[], kSp: number[], strides: number[], outSp: number[], padding: [number, number][], lhsDil: number[], rhsDil: number[]): [number, number][] {
  const ld = dilated(inSp, lhsDil), rd = dilated(kSp, rhsDil), od = dilated(outSp, strides);
  return padding.map(([lo], i) => [lo, od[i]! - ld[i]! + rd[i]! - lo - 1]);
}

/** Cotangent of the input: ct convolved with the flipped kernel, strides ↔ lhs dilation. */
function transposeLhs(ct: Tensor, rhs: Tensor, lhs: Aval, p: ConvParams): Tensor {
  const { lhs: ls, rhs: rs, out: os } = p.dims;
  let G = p.featureGroupCount;
  const B = p.batchGroupCount;
  let w = rhs;
  if (G > 1 || B > 1) {
    // the group axis moves from the kernel's output features into its input features
    w = reshapeAxisInto(rs[0]!, rs[1]!, reshapeAxisOutOf(rs[0]!, Math.max(G, B), w));
    G = Math.max(G, B);
  }
  const sd = ls.slice(2);
  const padding = vjpLhsPadding(take(lhs.shape, sd), take(rhs.shape, rs.slice(2)), p.strides, take(ct.shape, os.slice(2)), p.padding, p.lhsDilation, p.rhsDilation);
  const params: ConvParams = {
    strides: p.lhsDilation, padding, lhsDilation: p.strides, rhsDilation: p.rhsDilation,
    dims: { lhs: os, rhs: swap01(rs), out: ls }, featureGroupCount: G, batchGroupCount: 1,
  };
  let out = bind1(convGeneralDilatedP, [ct, rev(w, rs.slice(2))], params);
  if (B > 1) out = reshapeAxisInto(ls[1]!, ls[0]!, reshapeAxisOutOf(ls[1]!, B, out));
  return out;
}

/** Cotangent of the kernel: the input convolved with ct, strides ↔ rhs dilation, groups ↔ batch groups. */
function transposeRhs(ct: Tensor, lhs: Tensor, rhs: Aval, p: ConvParams): Tensor {
  if (ct.size === 0) return full(rhs.shape, 0, rhs.dtype);
  const { lhs: ls, rhs: rs, out: os } = p.dims;
  const G = p.batchGroupCount > 1 ? p.batchGroupCount : 1;
  const B = p.featureGroupCount > 1 ? p.featureGroupCount : 1;
  const padding = vjpRhsPadding(take(lhs.shape, ls.slice(2)), take(rhs.shape, rs.slice(2)), p.strides, take(ct.shape, os.slice(2)), p.padding, p.lhsDilation, p.rhsDilation);
  const params: ConvParams = {
    strides: p.rhsDilation, padding, lhsDilation: p.lhsDilation, rhsDilation: p.strides,
    dims: { lhs: swap01(ls), rhs: swap01(os), out: swap01(rs) }, featureGroupCount: G, batchGroupCount: B,
  };
  return bind1(convGeneralDilatedP, [lhs, ct], params);
}

// ---------------------------------------------------------------- batching

/**
 * vmap (JAX's _conv_general_dilated_batch_rule): a batched lhs folds its vmapped axis into its
 * batch dimension; a batched rhs into its output features; both batched becomes feature groups
 * (or batch groups) with one group per example. Groups stay outermost where they exist.
 */
function convBatch([l, r]: [Tensor, Tensor], [dl, dr]: [number | null, number | null], p: ConvParams, _n: number, self: Primitive<ConvParams>): [Tensor[], (number | null)[]] {
  const { lhs: ls, rhs: rs, out: os } = p.dims;
  const conv = (a: Tensor, b: Tensor, q: Partial<ConvParams> = {}) => bind1(self, [a, b], { ...p, ...q });
  if (dl !== null && dr !== null) {
    const size = l.shape[dl]!;
    const grouped = p.batchGroupCount > 1;
    const nl = reshapeAxisInto(dl, grouped ? ls[0]! : ls[1]!, l);
    const nr = reshapeAxisInto(dr, rs[0]!, r);
    const q = grouped ? { batchGroupCount: p.batchGroupCount * size } : { featureGroupCount: p.featureGroupCount * size };
    return [[reshapeAxisOutOf(os[1]!, size, conv(nl, nr, q))], [os[1]!]];
  }
  if (dl !== null) {
    const size = l.shape[dl]!;
    let nl: Tensor;
    if (p.batchGroupCount === 1) nl = reshapeAxisInto(dl, ls[0]!, l);
    else {
      const B = p.batchGroupCount;
      nl = reshapeAxisOutOf(ls[0]! + (dl <= ls[0]! ? 1 : 0), B, l);
      nl = reshapeAxisInto(dl + (ls[0]! < dl ? 1 : 0), ls[0]! + 1, nl);
      nl = reshapeAxisInto(ls[0]!, ls[0]!, nl);
    }
    return [[reshapeAxisOutOf(os[0]!, size, conv(nl, r))], [os[0]!]];
  }
  const size = r.shape[dr!]!;
  if (p.featureGroupCount === 1 && p.batchGroupCount === 1) {
    return [[reshapeAxisOutOf(os[1]!, size, conv(l, reshapeAxisInto(dr!, rs[0]!, r)))], [os[1]!]];
  }
  const g = Math.max(p.featureGroupCount, p.batchGroupCount);
  let nr = reshapeAxisOutOf(rs[0]! + (dr! <= rs[0]! ? 1 : 0), g, r);
  nr = reshapeAxisInto(dr! + (rs[0]! < dr! ? 1 : 0), rs[0]! + 1, nr);
  nr = reshapeAxisInto(rs[0]!, rs[0]!, nr);
  let out = reshapeAxisOutOf(os[1]!, g, conv(l, nr));
  out = reshapeAxisOutOf(os[1]! + 1, size, out);
  return [[reshapeAxisInto(os[1]!, os[1]! + 1, out)], [os[1]!]];
}

// conv(lhs, rhs): d conv = conv(d lhs, rhs) + conv(lhs, d rhs) (bilinear)
export const convGeneralDilatedP: Prim<"conv_general_dilated", ConvParams> = defBilinear<"conv_general_dilated", ConvParams>(
  {
    name: NAME,
    abstractEval: ([l, r], p) => [{ shape: convShape(l, r, p), dtype: l.dtype }],
    impl: convImpl,
    batch: convBatch,
  },
  (ct, r, l, p) => transposeLhs(ct, r, l, p),
  (ct, l, r, p) => transposeRhs(ct, l, r, p),
);
