// Convolutions for users: lax.convGeneralDilated (JAX's argument conventions: padding strings or
// pairs, layout strings as dimension numbers, groups), lax.conv, lax.convTranspose, and
// numpy.convolve / numpy.correlate, all over the one conv_general_dilated primitive. Arguments are
// checked here, with the name of the function the user called, before the primitive sees them.
import { ShapeError, ValueError, fail } from "./errors.js";
import { describeValue, fmtShape } from "./shape.js";
import type { ArrayLike, Tensor } from "./tensor.js";
import * as lax from "./lax.js";
import { coerce } from "./numpy/convert.js";
import { checkOptions } from "./numpy/options.js";

/** The extent of `n` elements with `d − 1` holes between neighbours. */
export const dilateDim = (n: number, d: number) => (n === 0 ? 0 : 1 + d * (n - 1));

/** Padding: "SAME" (output = ⌈input / stride⌉, extra padding at the end), "SAME_LOWER" (extra at the start), "VALID" (none), or one [lo, hi] pair per spatial axis (negative crops). */
export type Padding = "SAME" | "SAME_LOWER" | "VALID" | readonly (readonly [number, number])[];

/** Options of {@link convGeneralDilated}. */
export interface ConvGeneralDilatedOptions {
  /** Holes between input elements, per spatial axis (a transposed convolution's stride); default 1. */
  lhsDilation?: readonly number[];
  /** Holes between kernel elements, per spatial axis (atrous convolution); default 1. */
  rhsDilation?: readonly number[];
  /** Layouts as JAX's strings, e.g. ["NHWC", "HWIO", "NHWC"]; default ["NCH…", "OIH…", "NCH…"] (NCHW, OIHW). */
  dimensionNumbers?: readonly [string, string, string] | null;
  /** Input channels split into this many groups, each with its own kernels (= channels: depthwise); default 1. */
  featureGroupCount?: number;
  /** Batch split into this many groups, each with its own output features; default 1. */
  batchGroupCount?: number;
}
const CONV_OPTS = ["lhsDilation", "rhsDilation", "dimensionNumbers", "featureGroupCount", "batchGroupCount"] as const;

// ------------------------------------------------------------------ argument checks

/** `n` integers ≥ `min` (default `fill` when absent). */
export function intList(api: string, what: string, v: unknown, n: number, min: number, fill?: number): number[] {
  if (v === undefined || v === null) {
    if (fill !== undefined) return new Array<number>(n).fill(fill);
  } else if (Array.isArray(v) && v.length === n && v.every((x) => Number.isInteger(x) && x >= min)) return [...(v as number[])];
  throw fail(ValueError, `${api}: ${what} must be ${n} integer${n === 1 ? "" : "s"} ≥ ${min} (one per spatial axis), got ${describeValue(v)}.`);
}

/** A positive integer option (default 1). */
function count(api: string, what: string, v: unknown): number {
  if (v === undefined) return 1;
  if (Number.isInteger(v) && (v as number) >= 1) return v as number;
  throw fail(ValueError, `${api}: ${what} must be a positive integer, got ${describeValue(v)}.`);
}

/** Padding pairs from a padding argument, for inputs `inSp` and (dilated) windows `winSp`. */
export function padPairs(api: string, padding: unknown, inSp: number[], winSp: number[], strides: number[]): [number, number][] {
  const n = inSp.length;
  if (padding === "VALID") return inSp.map(() => [0, 0]);
  if (padding === "SAME" || padding === "SAME_LOWER") {
    return inSp.map((s, i) => {
      const out = Math.ceil(s / strides[i]!);
      const total = Math.max(0, (out - 1) * strides[i]! + winSp[i]! - s);
      const small = Math.floor(total / 2);
      return padding === "SAME" ? [small, total - small] : [total - small, small];
    });
  }
  if (Array.isArray(padding) && padding.length === n && padding.every((p) => Array.isArray(p) && p.length === 2 && Number.isInteger(p[0]) && Number.isInteger(p[1]))) {
    return padding.map((p) => [p[0], p[1]] as [number, number]);
  }
  throw fail(ValueError, `${api}: padding must be "SAME", "SAME_LOWER", "VALID" or ${n} [lo, hi] integer pair${n === 1 ? "" : "s"} (one per spatial axis), got ${describeValue(padding)}.`);
}

/** Axis indices of JAX-style layout strings (spatial axes in the kernel string's order), checked as JAX does. */
function parseDims(api: string, specs: unknown, ndim: number): lax.ConvParams["dims"] {
  if (specs === undefined || specs === null) {
    const id = Array.from({ length: ndim }, (_, i) => i);
    return { lhs: id, rhs: id, out: id };
  }
  const bad = (why: string) => fail(ValueError, `${api}: dimensionNumbers ${describeValue(specs)} ${why}. Give three layout strings of ${ndim} letters, e.g. ["NCHW", "OIHW", "NCHW"] or ["NHWC", "HWIO", "NHWC"].`);
  if (!Array.isArray(specs) || specs.length !== 3 || !specs.every((s) => typeof s === "string")) throw bad("are not three strings");
  const [l, r, o] = specs as [string, string, string];
  const pairs: [string, string, string][] = [[l, "N", "C"], [r, "O", "I"], [o, "N", "C"]];
  for (const [s, a, b] of pairs) {
    if (s.length !== ndim) throw bad(`have a string of length ${s.length} for operands of rank ${ndim}`);
    if (new Set(s).size !== s.length) throw bad(`repeat a letter in "${s}"`);
    if (!s.includes(a) || !s.includes(b)) throw bad(`lack "${a}" or "${b}" in "${s}"`);
  }
  const sp = [...r].filter((c) => c !== "O" && c !== "I");
  const spatial = (s: string, a: string, b: string) => [...s].filter((c) => c !== a && c !== b).sort().join("");
  if (spatial(l, "N", "C") !== spatial(r, "O", "I") || spatial(o, "N", "C") !== spatial(r, "O", "I")) throw bad("do not share the same spatial letters");
  return {
    lhs: [l.indexOf("N"), l.indexOf("C"), ...sp.map((c) => l.indexOf(c))],
    rhs: [r.indexOf("O"), r.indexOf("I"), ...sp.map((c) => r.indexOf(c))],
    out: [o.indexOf("N"), o.indexOf("C"), ...sp.map((c) => o.indexOf(c))],
  };
}

/** Two float operands of equal rank ≥ 2 (ints and bools become float32, as jnp's convolutions promote). */
function operands(api: string, lhs: ArrayLike, rhs: ArrayLike): [Tensor, Tensor] {
  let [l, r] = coerce([lhs, rhs], api) as [Tensor, Tensor];
  if (l.dtype === "int32" || l.dtype === "bool") [l, r] = [lax.convert(l, "float32"), lax.convert(r, "float32")];
  if (l.ndim !== r.ndim || l.ndim < 2) {
    throw fail(ShapeError, `${api}: lhs ${fmtShape(l.shape)} and rhs ${fmtShape(r.shape)} must have the same rank, at least 2 (batch, feature, then one axis per spatial dimension).`);
  }
  return [l, r];
}

// ------------------------------------------------------------------ convGeneralDilated

/** Checked params of a convolution (the public functions' common core). */
function convParams(api: string, l: Tensor, r: Tensor, windowStrides: unknown, padding: unknown, opts: ConvGeneralDilatedOptions): lax.ConvParams {
  checkOptions(api, opts, CONV_OPTS);
  const nd = l.ndim - 2;
  const dims = parseDims(api, opts.dimensionNumbers, l.ndim);
  const strides = intList(api, "windowStrides", windowStrides, nd, 1);
  const lhsDilation = intList(api, "lhsDilation", opts.lhsDilation, nd, 1, 1);
  const rhsDilation = intList(api, "rhsDilation", opts.rhsDilation, nd, 1, 1);
  const G = count(api, "featureGroupCount", opts.featureGroupCount);
  const B = count(api, "batchGroupCount", opts.batchGroupCount);
  const [N, C] = [l.shape[dims.lhs[0]!]!, l.shape[dims.lhs[1]!]!];
  const [O, I] = [r.shape[dims.rhs[0]!]!, r.shape[dims.rhs[1]!]!];
  const shapes = `lhs ${fmtShape(l.shape)}, rhs ${fmtShape(r.shape)}`;
  if (G > 1 && B > 1) throw fail(ValueError, `${api}: featureGroupCount (${G}) and batchGroupCount (${B}) cannot both exceed 1.`);
  if (C !== I * G) {
    throw fail(ShapeError, `${api}: the input has ${C} channels but the kernel takes ${I} per group × featureGroupCount ${G} = ${I * G} (${shapes}). Check dimensionNumbers, or set featureGroupCount to channels / kernel input features.`);
  }
  if (O % G !== 0 || O % B !== 0) throw fail(ShapeError, `${api}: the kernel's ${O} output features must be a multiple of featureGroupCount ${G} and batchGroupCount ${B} (${shapes}).`);
  if (N % B !== 0) throw fail(ShapeError, `${api}: the batch of ${N} must be a multiple of batchGroupCount ${B} (${shapes}).`);
  if (typeof padding === "string" && lhsDilation.some((d) => d > 1)) {
    throw fail(ValueError, `${api}: string padding ("${padding}") is not defined with lhsDilation ${fmtShape(lhsDilation)} (a transposed convolution); give explicit [lo, hi] pairs, or use lax.convTranspose.`);
  }
  const inSp = dims.lhs.slice(2).map((a) => l.shape[a]!);
  const winSp = dims.rhs.slice(2).map((a, i) => dilateDim(r.shape[a]!, rhsDilation[i]!));
  return { strides, padding: padPairs(api, padding, inSp, winSp, strides), lhsDilation, rhsDilation, dims, featureGroupCount: G, batchGroupCount: B };
}

/**
 * XLA's general convolution: strides, padding, input (lhs) and kernel (rhs) dilation, any layout
 * and feature or batch groups; differentiable in both operands, batched by vmap without a loop.
 * With the default layout the input is [N, C, spatial…] and the kernel [O, I, window…]; the
 * output is [N / batchGroupCount, O, out…] with out = ⌊(dilated input + padding − dilated
 * window) / stride⌋ + 1. It is a cross-correlation (the kernel is not flipped), as in JAX.
 * Mirrors jax.lax.conv_general_dilated (no precision / preferred_element_type).
 * @param lhs - the input, rank n + 2 (1-D, 2-D and 3-D convolutions: n = 1, 2, 3); ints and bools become float32.
 * @param rhs - the kernel, same rank and dtype.
 * @param windowStrides - n positive integers.
 * @param padding - "SAME", "SAME_LOWER", "VALID", or n [lo, hi] pairs.
 * @param opts - lhsDilation, rhsDilation, dimensionNumbers (layout strings), featureGroupCount, batchGroupCount.
 * @returns the output in the layout of dimensionNumbers[2], in the operands' dtype.
 * @throws ShapeError when channels, groups or ranks do not fit; ValueError for malformed strides, padding, dilations or layouts.
 * @example
 * ```ts
 * const x = np.arange(5).reshape([1, 1, 5]); // N, C, W
 * const k = np.array([[[1, 0, -1]]]); // O, I, W
 * lax.convGeneralDilated(x, k, [1], "VALID"); // → [[[-2, -2, -2]]]
 * lax.convGeneralDilated(x, k, [2], [[1, 1]]).shape; // → [1, 1, 3]
 * const img = np.ones([2, 5, 5, 3]); // NHWC
 * const dw = np.ones([3, 3, 1, 3]); // HWIO, depthwise: one input channel per group
 * lax.convGeneralDilated(img, dw, [1, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"], featureGroupCount: 3 }).shape; // → [2, 5, 5, 3]
 * ```
 */
export function convGeneralDilated(lhs: ArrayLike, rhs: ArrayLike, windowStrides: readonly number[], padding: Padding, opts: ConvGeneralDilatedOptions = {}): Tensor {
  const api = "lax.convGeneralDilated";
  const [l, r] = operands(api, lhs, rhs);
  return lax.convGeneralDilated(l, r, convParams(api, l, r, windowStrides, padding, opts ?? {}));
}

/**
 * A convolution in the default layout (input [N, C, spatial…], kernel [O, I, window…]) with
 * strides and padding only: `convGeneralDilated(lhs, rhs, windowStrides, padding)`.
 * Mirrors jax.lax.conv (no precision).
 * @param lhs - [N, C, spatial…].
 * @param rhs - [O, C, window…].
 * @param windowStrides - one positive integer per spatial axis.
 * @param padding - "SAME", "SAME_LOWER", "VALID", or [lo, hi] pairs.
 * @returns [N, O, out…].
 * @throws as convGeneralDilated, naming lax.conv.
 * @example
 * ```ts
 * const x = np.ones([1, 1, 4, 4]);
 * lax.conv(x, np.ones([1, 1, 2, 2]), [2, 2], "VALID"); // → [[[[4, 4], [4, 4]]]]
 * ```
 */
export function conv(lhs: ArrayLike, rhs: ArrayLike, windowStrides: readonly number[], padding: Padding): Tensor {
  const [l, r] = operands("lax.conv", lhs, rhs);
  return lax.convGeneralDilated(l, r, convParams("lax.conv", l, r, windowStrides, padding, {}));
}

// ------------------------------------------------------------------ convTranspose

/** Options of {@link convTranspose}. */
export interface ConvTransposeOptions {
  /** Kernel dilation per spatial axis; default 1. */
  rhsDilation?: readonly number[];
  /** Layouts; default by rank: ["NHC","HIO","NHC"], ["NHWC","HWIO","NHWC"], ["NHWDC","HWDIO","NHWDC"]. */
  dimensionNumbers?: readonly [string, string, string] | null;
  /** Flip the kernel's window and swap its I/O axes (TensorFlow's / Keras's Conv2DTranspose convention); default false. */
  transposeKernel?: boolean;
}

/** Padding of a transposed convolution per axis (JAX's _conv_transpose_padding). */
function transposePadding(k: number, s: number, padding: "SAME" | "VALID"): [number, number] {
  const len = padding === "SAME" ? k + s - 2 : k + s - 2 + Math.max(k - s, 0);
  const a = padding === "SAME" && s <= k - 1 ? Math.ceil(len / 2) : k - 1;
  return [a, len - a];
}

/**
 * The transposed ("fractionally strided", "deconvolution") convolution: the input dilated by
 * `strides` and convolved with the kernel, so a stride-s layer upsamples by s. With "SAME" the
 * output is input × stride, with "VALID" input × stride + max(window − stride, 0). As in JAX the
 * kernel is used as given (set transposeKernel to match TensorFlow's Conv2DTranspose); explicit
 * [lo, hi] pairs pad the dilated input directly.
 * Mirrors jax.lax.conv_transpose (use_consistent_padding = false; no precision).
 * @param lhs - the input, e.g. [N, H, W, C] for the default 2-D layout.
 * @param rhs - the kernel, e.g. [H, W, I, O].
 * @param strides - the upsampling factor per spatial axis.
 * @param padding - "SAME", "VALID", or [lo, hi] pairs.
 * @param opts - rhsDilation, dimensionNumbers, transposeKernel.
 * @returns the output in the layout of dimensionNumbers[2].
 * @throws ShapeError / ValueError as convGeneralDilated, naming lax.convTranspose.
 * @example
 * ```ts
 * const x = np.ones([1, 2, 2, 1]); // NHWC
 * const k = np.ones([2, 2, 1, 1]); // HWIO
 * lax.convTranspose(x, k, [2, 2], "SAME").shape; // → [1, 4, 4, 1]
 * lax.convTranspose(np.array([[[1], [2]]]), np.array([[[1]], [[10]]]), [2], "VALID"); // → [[[10], [1], [20], [2]]]
 * ```
 */
export function convTranspose(lhs: ArrayLike, rhs: ArrayLike, strides: readonly number[], padding: "SAME" | "VALID" | readonly (readonly [number, number])[], opts: ConvTransposeOptions = {}): Tensor {
  const api = "lax.convTranspose";
  checkOptions(api, opts, ["rhsDilation", "dimensionNumbers", "transposeKernel"]);
  let [l, r] = operands(api, lhs, rhs);
  const nd = l.ndim - 2;
  const defaults: Record<number, [string, string, string]> = { 2: ["NC", "IO", "NC"], 3: ["NHC", "HIO", "NHC"], 4: ["NHWC", "HWIO", "NHWC"], 5: ["NHWDC", "HWDIO", "NHWDC"] };
  const specs = opts.dimensionNumbers ?? defaults[l.ndim];
  if (specs === undefined) throw fail(ValueError, `${api}: no default dimensionNumbers for rank ${l.ndim} operands; pass dimensionNumbers.`);
  const dims = parseDims(api, specs, l.ndim);
  const s = intList(api, "strides", strides, nd, 1);
  const rhsDilation = intList(api, "rhsDilation", opts.rhsDilation, nd, 1, 1);
  const kSp = dims.rhs.slice(2).map((a, i) => dilateDim(r.shape[a]!, rhsDilation[i]!));
  let pads: [number, number][];
  if (padding === "SAME" || padding === "VALID") pads = kSp.map((k, i) => transposePadding(k, s[i]!, padding));
  else pads = padPairs(api, padding, kSp, kSp, s);
  if (opts.transposeKernel) {
    r = lax.rev(r, dims.rhs.slice(2));
    const perm = r.shape.map((_, i) => (i === dims.rhs[0] ? dims.rhs[1]! : i === dims.rhs[1] ? dims.rhs[0]! : i));
    r = lax.transpose(r, perm);
  }
  const params = convParams(api, l, r, s.map(() => 1), pads, { lhsDilation: s, rhsDilation, dimensionNumbers: specs as [string, string, string] });
  return lax.convGeneralDilated(l, r, params);
}

// ------------------------------------------------------------------ numpy.convolve / correlate

/** How much of the full 1-D convolution numpy.convolve / correlate return (numpy's `mode`). */
export type ConvolveMode = "full" | "same" | "valid";

/** 1-D convolution or correlation as jnp's _conv: the longer operand slides, "same" is centred. */
function conv1d(api: "convolve" | "correlate", a: ArrayLike, v: ArrayLike, mode: unknown): Tensor {
  let [x, y] = coerce([a, v], api) as [Tensor, Tensor];
  if (x.dtype === "int32" || x.dtype === "bool") [x, y] = [lax.convert(x, "float32"), lax.convert(y, "float32")];
  if (x.ndim !== 1 || y.ndim !== 1) throw fail(ShapeError, `${api}: takes 1-D arrays, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}. Flatten them, or use lax.convGeneralDilated for n-D.`);
  if (x.size === 0 || y.size === 0) throw fail(ValueError, `${api}: inputs cannot be empty, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}.`);
  if (mode !== "full" && mode !== "same" && mode !== "valid") throw fail(ValueError, `${api}: mode must be "full", "same" or "valid", got ${describeValue(mode)}.`);
  let reverse = false;
  if (x.size < y.size) {
    [x, y] = [y, x];
    reverse = api === "correlate";
  }
  if (api === "convolve") y = lax.rev(y, [0]);
  const m = y.size;
  const pad: [number, number] = mode === "valid" ? [0, 0] : mode === "same" ? [Math.floor(m / 2), m - Math.floor(m / 2) - 1] : [m - 1, m - 1];
  const dims = { lhs: [0, 1, 2], rhs: [0, 1, 2], out: [0, 1, 2] };
  const out = lax.convGeneralDilated(lax.reshape(x, [1, 1, x.size]), lax.reshape(y, [1, 1, m]), {
    strides: [1], padding: [pad], lhsDilation: [1], rhsDilation: [1], dims, featureGroupCount: 1, batchGroupCount: 1,
  });
  const flat = lax.reshape(out, [out.size]);
  return reverse ? lax.rev(flat, [0]) : flat;
}

/**
 * The discrete convolution of two 1-D arrays, Σₘ a[m]·v[n − m]: "full" (length |a| + |v| − 1,
 * the default), "same" (length max(|a|, |v|), centred) or "valid" (only full overlaps).
 * Mirrors numpy.convolve / jax.numpy.convolve.
 * @param a - 1-D; ints and bools become float32.
 * @param v - 1-D.
 * @param mode - "full" | "same" | "valid".
 * @returns a 1-D float tensor.
 * @throws ShapeError for operands that are not 1-D; ValueError for an empty operand or an unknown mode.
 * @example
 * ```ts
 * np.convolve([1, 2, 3], [0, 1, 0.5]); // → [0, 1, 2.5, 4, 1.5]
 * np.convolve([1, 2, 3], [0, 1, 0.5], "same"); // → [1, 2.5, 4]
 * np.convolve([1, 2, 3], [0, 1, 0.5], "valid"); // → [2.5]
 * ```
 */
export function convolve(a: ArrayLike, v: ArrayLike, mode: ConvolveMode = "full"): Tensor {
  return conv1d("convolve", a, v, mode);
}

/**
 * The cross-correlation of two 1-D arrays, c[k] = Σₙ a[n + k]·v[n]: "valid" (the default),
 * "same" or "full", as numpy.correlate (numpy's sliding order also when v is the longer one).
 * Mirrors numpy.correlate / jax.numpy.correlate.
 * @param a - 1-D; ints and bools become float32.
 * @param v - 1-D.
 * @param mode - "valid" | "same" | "full".
 * @returns a 1-D float tensor.
 * @throws ShapeError for operands that are not 1-D; ValueError for an empty operand or an unknown mode.
 * @example
 * ```ts
 * np.correlate([1, 2, 3], [0, 1, 0.5]); // → [3.5]
 * np.correlate([1, 2, 3], [0, 1, 0.5], "full"); // → [0.5, 2, 3.5, 3, 0]
 * ```
 */
export function correlate(a: ArrayLike, v: ArrayLike, mode: ConvolveMode = "valid"): Tensor {
  return conv1d("correlate", a, v, mode);
}

