// numpy, more (issue 11, part A): one row per function against a plain-JS float64 reference of
// numpy's documented behaviour, in float32 and float64; checkGrads / checkVmap / checkJit on the
// differentiable ones; typed errors naming the function for bad arguments.
import { describe, expect, it } from "vitest";
import { Tensor, jit, numpy as np } from "../../src/index.js";
import type { DType } from "../../src/index.js";
import { checkGrads, checkVmap, expectClose, toF64Array } from "../util/oracles.js";
import { checkJit } from "../util/jit-oracles.js";
import { fromFn, nd, roundHalfEven, type Nd } from "../util/ref.js";
import { rng } from "../util/rng.js";

const r = rng(11);
const X = r.uniforms(6, -2, 2);
const Y = r.uniforms(6, -2, 2);
const P = r.uniforms(6, 0.2, 3); // positive
const D = X.map((v) => (Math.abs(v) < 0.5 ? v + Math.sign(v || 1) : v)); // divisors away from 0
const M = r.uniforms(12, -2, 2); // [3, 4]
const SPECIAL = [1, Infinity, -Infinity, NaN, 0, -0];
const map1 = (xs: number[], f: (v: number) => number) => xs.map(f);
const map2 = (xs: number[], ys: number[], f: (a: number, b: number) => number) => xs.map((a, i) => f(a, ys[i]!));
const M2 = nd([3, 4], M);
const m = (i: number, j: number) => M[i * 4 + j]!;
const F32MAX = 3.4028234663852886e38;

/** numpy's float spacing step toward y, by the bit pattern. */
function nextRef(x: number, y: number, d: DType): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return y;
  const f = d === "float32" ? new Float32Array(1) : new Float64Array(1);
  if (x === 0) return (y > 0 ? 1 : -1) * (d === "float32" ? 2 ** -149 : 2 ** -1074);
  f[0] = x;
  const up = y > x === x > 0;
  if (d === "float32") new Int32Array(f.buffer)[0]! += up ? 1 : -1;
  else new BigInt64Array(f.buffer)[0]! += up ? 1n : -1n;
  return f[0]!;
}

type Want = Nd | number | number[];
interface Case {
  name: string;
  run: (t: (data: number[], shape?: number[]) => Tensor) => Tensor;
  want: (d: DType) => Want;
  tol32?: number;
}
const pymod = (a: number, b: number) => a - Math.floor(a / b) * b;
const sincRef = (v: number) => (v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v));
const closeRef = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b) : a === b);

const cases: Case[] = [
  // elementwise
  { name: "log2", run: (t) => np.log2(t(P)), want: () => map1(P, Math.log2) },
  { name: "log10", run: (t) => np.log10(t(P)), want: () => map1(P, Math.log10) },
  { name: "exp2", run: (t) => np.exp2(t(X)), want: () => map1(X, (v) => 2 ** v) },
  { name: "cbrt", run: (t) => np.cbrt(t(X)), want: () => map1(X, Math.cbrt) },
  { name: "hypot (and overflow-free)", run: (t) => np.hypot(t([...X, 3e30]), t([...Y, 4e30])), want: () => [...map2(X, Y, Math.hypot), 5e30], tol32: 1e-6 },
  { name: "hypot with an infinity and NaN", run: (t) => np.hypot(t([Infinity, NaN, 0]), t([NaN, 1, 0])), want: () => [Infinity, NaN, 0] },
  { name: "remainder / mod (sign of the divisor)", run: (t) => np.stack([np.remainder(t(X), t(D)), np.mod(t(X), t(D))]), want: () => [...map2(X, D, pymod), ...map2(X, D, pymod)], tol32: 1e-5 },
  { name: "fmod (sign of the dividend)", run: (t) => np.fmod(t(X), t(D)), want: () => map2(X, D, (a, b) => a % b), tol32: 1e-5 },
  { name: "floorDivide", run: (t) => np.floorDivide(t([...X, 7, -7, 1, 0]), t([...D, 0.1, 2, 0, 0])), want: () => [...map2(X, D, (a, b) => Math.floor(a / b)), 69, -4, Infinity, NaN] },
  { name: "trueDivide", run: (t) => np.trueDivide(t(X), t(D)), want: () => map2(X, D, (a, b) => a / b) },
  { name: "logaddexp (stable, infinities)", run: (t) => np.logaddexp(t([...X, 800, -Infinity]), t([...Y, 800, -Infinity])), want: () => [...map2(X, Y, (a, b) => Math.log(Math.exp(a) + Math.exp(b))), 800 + Math.LN2, -Infinity] },
  { name: "logaddexp2", run: (t) => np.logaddexp2(t(X), t(Y)), want: () => map2(X, Y, (a, b) => Math.log2(2 ** a + 2 ** b)) },
  { name: "isinf / isposinf / isneginf", run: (t) => np.stack([np.isinf(t(SPECIAL)), np.isposinf(t(SPECIAL)), np.isneginf(t(SPECIAL))]), want: () => [0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0] },
  { name: "signbit (-0 counts)", run: (t) => np.signbit(t([-1, 0, -0, 2, -Infinity])), want: () => [1, 0, 1, 0, 1] },
  { name: "copysign", run: (t) => np.copysign(t(X), t([...Y.slice(0, 5), -0])), want: () => map2(X, [...Y.slice(0, 5), -0], (a, b) => (b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a))) },
  { name: "nextafter (normal, zero, subnormal, infinity, equal)", run: (t) => np.nextafter(t([1, 0, -1, 2, Infinity, 1, ...X]), t([2, -1, 0, 0, 0, 1, ...Y])), want: (d) => map2([1, 0, -1, 2, Infinity, 1, ...X].map((v) => (d === "float32" ? Math.fround(v) : v)), [2, -1, 0, 0, 0, 1, ...Y].map((v) => (d === "float32" ? Math.fround(v) : v)), (a, b) => nextRef(a, b, d)), tol32: 0 },
  { name: "fmax / fmin skip NaN", run: (t) => np.stack([np.fmax(t([1, NaN, NaN, ...X]), t([NaN, 2, NaN, ...Y])), np.fmin(t([1, NaN, NaN, ...X]), t([NaN, 2, NaN, ...Y]))]), want: () => [1, 2, NaN, ...map2(X, Y, Math.max), 1, 2, NaN, ...map2(X, Y, Math.min)] },
  { name: "heaviside", run: (t) => np.heaviside(t([-1, 0, 2, NaN]), 0.5), want: () => [0, 0.5, 1, NaN] },
  { name: "nanToNum (dtype's largest finite)", run: (t) => np.stack([np.nanToNum(t([NaN, Infinity, -Infinity, 1])), np.nanToNum(t([NaN, Infinity, -Infinity, 1]), { nan: 5, posinf: 6, neginf: 7 })]), want: (d) => { const b = d === "float32" ? F32MAX : Number.MAX_VALUE; return [0, b, -b, 1, 5, 6, 7, 1]; } },
  { name: "deg2rad / rad2deg", run: (t) => np.stack([np.deg2rad(t(X)), np.rad2deg(t(X))]), want: () => [...map1(X, (v) => (v * Math.PI) / 180), ...map1(X, (v) => (v * 180) / Math.PI)] },
  { name: "sinc (1 at 0, Taylor zone near 0)", run: (t) => np.sinc(t([...X, 0, 1e-4, -3e-4, 1])), want: () => map1([...X, 0, 1e-4, -3e-4, 1], sincRef), tol32: 1e-5 },
  { name: "arcsinh (small, negative, huge)", run: (t) => np.arcsinh(t([...X, 1e-9, -1e10, 1e30])), want: () => map1([...X, 1e-9, -1e10, 1e30], Math.asinh) },
  { name: "arccosh (1, near 1, huge, below 1)", run: (t) => np.arccosh(t([...P.map((v) => v + 1), 1, 1 + 1e-6, 1e30, 0.5])), want: () => map1([...P.map((v) => v + 1), 1, 1 + 1e-6, 1e30, 0.5], Math.acosh), tol32: 1e-4 },
  { name: "arctanh (±1 infinite, beyond NaN)", run: (t) => np.arctanh(t([...X.map((v) => v / 2.5), 1, -1, 1.5])), want: () => map1([...X.map((v) => v / 2.5), 1, -1, 1.5], Math.atanh) },
  { name: "positive / rint / trunc / fix", run: (t) => np.concatenate([np.positive(t(X)), np.rint(t([0.5, 1.5, -2.5, 2.6, ...X.slice(2)])), np.trunc(t(X)), np.fix(t(X))]), want: () => [...X, ...map1([0.5, 1.5, -2.5, 2.6, ...X.slice(2)], roundHalfEven), ...map1(X, Math.trunc), ...map1(X, Math.trunc)] },
  { name: "round(x, 2) and round(x, -1)", run: (t) => np.stack([np.round(t(X.map((v) => v * 10)), 2), np.round(t(X.map((v) => v * 100)), -1)]), want: () => [...map1(X, (v) => roundHalfEven(v * 1000) / 100), ...map1(X, (v) => roundHalfEven(v * 10) * 10)], tol32: 1e-6 },
  { name: "isclose (infinities, NaN, equalNan)", run: (t) => np.stack([np.isclose(t([1, 1, Infinity, NaN, 1e-9, Infinity]), t([1 + 1e-6, 1.1, Infinity, NaN, 0, 1])), np.isclose(t([1, 1, Infinity, NaN, 1e-9, Infinity]), t([1 + 1e-6, 1.1, Infinity, NaN, 0, 1]), { equalNan: true })]), want: () => [...map2([1, 1, Infinity, NaN, 1e-9, Infinity], [1 + 1e-6, 1.1, Infinity, NaN, 0, 1], (a, b) => (closeRef(a, b) ? 1 : 0)), 1, 0, 1, 1, 1, 0] },
  // reductions
  { name: "all / any along an axis and of empty", run: (t) => np.concatenate([np.all(t([1, 0, 2, 3], [2, 2]), 1), np.any(t([0, 0, 2, 0], [2, 2]), 1), np.all(t([], [0])).reshape([1]), np.any(t([], [0])).reshape([1])]), want: () => [0, 1, 0, 1, 1, 0] },
  { name: "countNonzero", run: (t) => np.countNonzero(t([0, 1, 2, 0, 0, 3], [2, 3]), 1), want: () => [2, 1] },
  { name: "nansum / nanmean / nanmax / nanmin", run: (t) => np.concatenate([np.nansum(t([1, NaN, 2, NaN], [2, 2]), 1), np.nanmean(t([1, NaN, NaN, NaN], [2, 2]), 1), np.nanmax(t([1, NaN, -3, 4], [2, 2]), 0), np.nanmin(t([NaN, NaN, -3, 4], [2, 2]), 1)]), want: () => [1, 2, 1, NaN, 1, 4, NaN, -3] },
  { name: "ptp", run: (t) => np.ptp(t(M, [3, 4]), 1), want: () => [0, 1, 2].map((i) => Math.max(...M.slice(i * 4, i * 4 + 4)) - Math.min(...M.slice(i * 4, i * 4 + 4))) },
  { name: "average with 1-D weights on an axis", run: (t) => np.average(t(M, [3, 4]), 1, { weights: t([1, 2, 3, 4]) }), want: () => [0, 1, 2].map((i) => (m(i, 0) + 2 * m(i, 1) + 3 * m(i, 2) + 4 * m(i, 3)) / 10), tol32: 1e-6 },
  { name: "quantile: five methods, q array, axis (numpy's values)", run: (t) => np.concatenate((["linear", "lower", "higher", "midpoint", "nearest"] as const).map((method) => np.quantile(t([3, 1, 4, 1, 5, 9, 2, 6]), [0, 0.1, 0.3, 0.5, 0.64, 1], null, { method }))), want: () => [1, 1, 2.1, 3.5, 4.48, 9, 1, 1, 2, 3, 4, 9, 1, 1, 3, 4, 5, 9, 1, 1, 2.5, 3.5, 4.5, 9, 1, 1, 2, 4, 4, 9], tol32: 1e-6 },
  { name: "quantile over an axis / median / percentile / NaN / keepdims", run: (t) => np.concatenate([np.quantile(t(M, [3, 4]), [0.25, 0.5], 1).reshape([-1]), np.median(t(M, [3, 4]), 0), np.percentile(t(X), 90).reshape([1]), np.median(t([1, NaN, 3])).reshape([1]), np.median(t(M, [3, 4]), [0, 1], { keepdims: true }).reshape([-1])]), want: () => [...[0.25, 0.5].flatMap((q) => [0, 1, 2].map((i) => quantileRef(M.slice(i * 4, i * 4 + 4), q))), ...[0, 1, 2, 3].map((j) => quantileRef([m(0, j), m(1, j), m(2, j)], 0.5)), quantileRef(X, 0.9), NaN, quantileRef(M, 0.5)], tol32: 1e-6 },
  // shape
  { name: "repeat (count, list, flattened)", run: (t) => np.concatenate([np.repeat(t([1, 2, 3, 4], [2, 2]), 2, 1).reshape([-1]), np.repeat(t([1, 2, 3, 4], [2, 2]), [0, 2], 0).reshape([-1]), np.repeat(t([1, 2, 3, 4], [2, 2]), 2)]), want: () => [1, 1, 2, 2, 3, 3, 4, 4, 3, 4, 3, 4, 1, 1, 2, 2, 3, 3, 4, 4] },
  { name: "tile", run: (t) => np.tile(t([1, 2, 3], [1, 3]), [2, 2]), want: () => fromFn([2, 6], ([, j]) => [1, 2, 3][j! % 3]!) },
  { name: "roll flattened and per axis", run: (t) => np.stack([np.roll(t(M, [3, 4]), 5), np.roll(t(M, [3, 4]), [-1, 6], [0, 1])]), want: () => [...M.map((_, k) => M[(k - 5 + 12) % 12]!), ...fromFn([3, 4], ([i, j]) => m((i! + 1) % 3, (j! + 2) % 4)).data] },
  { name: "rot90 k = 1, 2, 3", run: (t) => np.stack([np.rot90(t(M.slice(0, 9), [3, 3])), np.rot90(t(M.slice(0, 9), [3, 3]), 2), np.rot90(t(M.slice(0, 9), [3, 3]), -1)]), want: () => [...fromFn([3, 3], ([i, j]) => M[j! * 3 + 2 - i!]!).data, ...fromFn([3, 3], ([i, j]) => M[(2 - i!) * 3 + 2 - j!]!).data, ...fromFn([3, 3], ([i, j]) => M[(2 - j!) * 3 + i!]!).data] },
  { name: "moveaxis with lists (numpy's order)", run: (t) => np.moveaxis(t(M, [3, 4]).reshape([3, 2, 2]), [0, 1], [-1, 0]), want: () => fromFn([2, 2, 3], ([b, c, a]) => M[a! * 4 + b! * 2 + c!]!) },
  { name: "conjugate / conj / real / imag", run: (t) => np.concatenate([np.conjugate(t(X)), np.conj(t(X)), np.real(t(X)), np.imag(t(X))]), want: () => [...X, ...X, ...X, ...X.map(() => 0)] },
  { name: "swapaxes", run: (t) => np.swapaxes(t(M, [3, 4]), 0, -1), want: () => fromFn([4, 3], ([i, j]) => m(j!, i!)) },
  { name: "atleast1d/2d/3d shapes", run: (t) => np.array([np.atleast1d(t([5], [])).shape, np.atleast2d(t([1, 2])).shape, np.atleast3d(t([1, 2])).shape, np.atleast3d(t(M, [3, 4])).shape].flat()).astype(t([]).dtype), want: () => [1, 1, 2, 1, 2, 1, 3, 4, 1] },
  { name: "hstack / vstack / dstack / columnStack", run: (t) => np.concatenate([np.hstack([t([1, 2]), t([3])]), np.vstack([t([1, 2]), t([3, 4])]).reshape([-1]), np.dstack([t([1, 2]), t([3, 4])]).reshape([-1]), np.columnStack([t([1, 2]), t([3, 4])]).reshape([-1])]), want: () => [1, 2, 3, 1, 2, 3, 4, 1, 3, 2, 4, 1, 3, 2, 4] },
  { name: "arraySplit / hsplit / vsplit", run: (t) => np.array([...np.arraySplit(t([1, 2, 3, 4, 5, 6, 7]), 3).map((p) => p.shape[0]!), ...np.hsplit(t(M, [3, 4]), [1]).map((p) => p.shape[1]!), ...np.vsplit(t(M, [3, 4]), 3).map((p) => p.shape[0]!)]).astype(t([]).dtype), want: () => [3, 2, 2, 1, 3, 1, 1, 1] },
  { name: "append", run: (t) => np.concatenate([np.append(t([1, 2], [1, 2]), t([3])), np.append(t([1, 2], [1, 2]), t([3, 4], [1, 2]), 0).reshape([-1])]), want: () => [1, 2, 3, 1, 2, 3, 4] },
  { name: "insert (index, indices, axis)", run: (t) => np.concatenate([np.insert(t([1, 2, 3]), -1, 9), np.insert(t([1, 2, 3]), [2, 0, 2], t([7, 8, 9])), np.insert(t([1, 2, 3, 4], [2, 2]), 0, t([5, 6]), 1).reshape([-1])]), want: () => [1, 2, 9, 3, 8, 1, 2, 7, 9, 3, 5, 1, 2, 6, 3, 4] },
  { name: "delete", run: (t) => np.concatenate([np.delete(t([1, 2, 3, 4, 5]), [0, -1, 2]), np.delete(t(M, [3, 4]), 1, 0).reshape([-1])]), want: () => [2, 4, ...M.slice(0, 4), ...M.slice(8)] },
  { name: "meshgrid xy and ij", run: (t) => np.stack([...np.meshgrid(t([1, 2, 3]), t([4, 5])), ...np.meshgrid(t([1, 2]), t([4, 5, 6]), { indexing: "ij" }).map((g) => g.reshape([2, 3]))]), want: () => [1, 2, 3, 1, 2, 3, 4, 4, 4, 5, 5, 5, 1, 1, 1, 2, 2, 2, 4, 5, 6, 4, 5, 6] },
  { name: "tensordot over axis pairs", run: (t) => np.tensordot(t(M, [3, 4]), t(M, [3, 4]), [[0], [0]]), want: () => fromFn([4, 4], ([i, j]) => [0, 1, 2].reduce((s, k) => s + m(k, i!) * m(k, j!), 0)), tol32: 1e-5 },
  { name: "kron", run: (t) => np.kron(t([1, 2, 3, 4], [2, 2]), t([1, 10], [1, 2])), want: () => fromFn([2, 4], ([i, j]) => [1, 2, 3, 4][i! * 2 + (j! >> 1)]! * [1, 10][j! & 1]!) },
  { name: "diagonal offsets and axes", run: (t) => np.concatenate([np.diagonal(t(M, [3, 4]), 1), np.diagonal(t(M, [3, 4]), -1), np.diagonal(t(M, [3, 4]).reshape([3, 2, 2]), 0, 2, 0).reshape([-1])]), want: () => [m(0, 1), m(1, 2), m(2, 3), m(1, 0), m(2, 1), ...fromFn([2, 2], ([a, i]) => M[i! * 4 + a! * 2 + i!]!).data] },
  { name: "diagflat", run: (t) => np.diagflat(t([1, 2], [1, 2]), -1), want: () => fromFn([3, 3], ([i, j]) => (i === j! + 1 ? j! + 1 : 0)) },
  { name: "trilIndices / triuIndices", run: () => np.concatenate([...np.trilIndices(3, -1), ...np.triuIndices(2, 0, 3)]), want: () => [1, 2, 2, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 2, 1, 2] },
  { name: "ravel / ix_ / indices", run: (t) => np.concatenate([np.ravel(t(M, [3, 4])), np.add(...(np.ix_([0, 1], [0, 2, 3]) as [Tensor, Tensor])).reshape([-1]).astype(t([]).dtype), np.indices([2, 3]).reshape([-1]).astype(t([]).dtype)]), want: () => [...M, 0, 2, 3, 1, 3, 4, 0, 0, 0, 1, 1, 1, 0, 1, 2, 0, 1, 2] },
  // statistics and sets
  { name: "cov (rows, rowvar false, ddof)", run: (t) => np.concatenate([np.cov(t(M, [3, 4])).reshape([-1]), np.cov(t(M, [3, 4]), { rowvar: false, ddof: 0 }).reshape([-1])]), want: () => [...covRef(M2, 1).data, ...covRef(transposeRows(M2), 0).data], tol32: 1e-5 },
  { name: "corrcoef", run: (t) => np.corrcoef(t(M, [3, 4])), want: () => { const c = covRef(M2, 1); return fromFn([3, 3], ([i, j]) => c.data[i! * 3 + j!]! / Math.sqrt(c.data[i! * 4]! * c.data[j! * 4]!)); }, tol32: 1e-5 },
  { name: "diff (n = 2, axis 0, prepend / append)", run: (t) => np.concatenate([np.diff(t(M, [3, 4]), 2, 0).reshape([-1]), np.diff(t([1, 4, 9]), 1, -1, { prepend: 0, append: t([20]) })]), want: () => [...[0, 1, 2, 3].map((j) => m(2, j) - 2 * m(1, j) + m(0, j)), 1, 3, 5, 11], tol32: 1e-6 },
  { name: "ediff1d", run: (t) => np.ediff1d(t([1, 2, 4, 7], [2, 2]), { toBegin: t([-1, -2]), toEnd: 9 }), want: () => [-1, -2, 1, 2, 3, 9] },
  { name: "cross (3-vectors batched, 2-vectors, mixed)", run: (t) => np.concatenate([np.cross(t(M.slice(0, 6), [2, 3]), t(M.slice(6, 12), [2, 3])).reshape([-1]), np.cross(t([1, 2]), t([3, 4])).reshape([1]), np.cross(t([1, 2]), t([3, 4, 5]))]), want: () => [...crossRef(M.slice(0, 3), M.slice(6, 9)), ...crossRef(M.slice(3, 6), M.slice(9, 12)), -2, 10, -5, -2], tol32: 1e-6 },
  { name: "histogram: equal bins (data range), edges, weights, density", run: (t) => { const [h, e] = np.histogram(t(M), { bins: 4 }); const [hw] = np.histogram(t(M), { bins: t([-2, 0, 0.5, 2]), weights: t(P.concat(P)) }); const [hd] = np.histogram(t(M), { bins: 3, range: [-1, 1], density: true }); return np.concatenate([h.astype(e.dtype), e, hw, hd]); }, want: () => [...histRef(M, edgesOf(Math.min(...M), Math.max(...M), 4), null), ...edgesOf(Math.min(...M), Math.max(...M), 4), ...histRef(M, [-2, 0, 0.5, 2], P.concat(P)), ...densityRef(M, edgesOf(-1, 1, 3))], tol32: 1e-5 },
  { name: "bincount (weights, minlength, length drops)", run: (t) => np.concatenate([np.bincount(np.array([2, 0, 2, 5], { dtype: "int32" }), { minlength: 8 }).astype(t([]).dtype), np.bincount(np.array([1, 1, 3], { dtype: "int32" }), { weights: t([0.5, 2, 4]), length: 3 })]), want: () => [1, 0, 2, 0, 0, 1, 0, 0, 0, 2.5, 0] },
  { name: "isin (and invert)", run: (t) => np.concatenate([np.isin(t([1, 2, 3, 4], [2, 2]), t([4, 1, 7])).reshape([-1]), np.isin(t([1, 2]), t([2]), { invert: true })]), want: () => [1, 0, 0, 1, 1, 0] },
  { name: "select (first condition wins, default)", run: (t) => np.select([np.less(t(X), 0), np.less(t(X), 1)], [t(Y), np.multiply(t(X), 2)], -9), want: () => X.map((v, i) => (v < 0 ? Y[i]! : v < 1 ? 2 * v : -9)) },
  { name: "piecewise (last true wins, otherwise value)", run: (t) => np.piecewise(t(X), [np.less(t(X), 1), np.less(t(X), 0)], [(v) => np.multiply(v, 3), -1, 7]), want: () => X.map((v) => (v < 0 ? -1 : v < 1 ? 3 * v : 7)) },
  { name: "interp (ends, left/right, on knots)", run: (t) => np.concatenate([np.interp(t([...X, -1, 0, 1.5]), t([-1, 0, 0.5, 1.5]), t([2, -1, 3, 0])), np.interp(t([-5, 5]), t([0, 1]), t([1, 2]), { left: -7, right: 7 })]), want: () => [...interpRef([...X, -1, 0, 1.5], [-1, 0, 0.5, 1.5], [2, -1, 3, 0]), -7, 7], tol32: 1e-6 },
  // creation
  { name: "logspace / geomspace", run: (t) => np.concatenate([np.logspace(0, 2, 3, { dtype: t([]).dtype }), np.logspace(1, 3, 3, { base: 2, endpoint: false, dtype: t([]).dtype }), np.geomspace(2, 162, 5, { dtype: t([]).dtype })]), want: () => [1, 10, 100, 2, 2 ** (5 / 3), 2 ** (7 / 3), 2, 6, 18, 54, 162] },
  { name: "identity / tri / emptyLike / fromfunction", run: (t) => np.concatenate([np.identity(2, { dtype: t([]).dtype }).reshape([-1]), np.tri(2, 3, 1, { dtype: t([]).dtype }).reshape([-1]), np.emptyLike(t([1, 2])), np.fromfunction((i, j) => i.sub(j), [2, 2], { dtype: t([]).dtype }).reshape([-1])]), want: () => [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, -1, 1, 0] },
];

/** numpy's linear quantile: the order statistics at floor and ceil of q·(n - 1), interpolated. */
function quantileRef(v: number[], q: number): number {
  const s = [...v].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (pos - lo) * (s[hi]! - s[lo]!);
}
function covRef(x: Nd, ddof: number): Nd {
  const [v, n] = x.shape as [number, number];
  const mu = Array.from({ length: v }, (_, i) => Array.from({ length: n }, (_, k) => x.data[i * n + k]!).reduce((a, b) => a + b) / n);
  return fromFn([v, v], ([i, j]) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += (x.data[i! * n + k]! - mu[i!]!) * (x.data[j! * n + k]! - mu[j!]!);
    return s / (n - ddof);
  });
}
const transposeRows = (x: Nd) => fromFn([x.shape[1]!, x.shape[0]!], ([i, j]) => x.data[j! * x.shape[1]! + i!]!);
const crossRef = (a: number[], b: number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
const edgesOf = (lo: number, hi: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (i === n ? hi : lo + (i * (hi - lo)) / n));
/** numpy's rule: bin i holds e[i] ≤ v < e[i+1], the last bin also v = e[n]; outside values are dropped. */
function histRef(v: number[], e: number[], w: number[] | null): number[] {
  const h = new Array<number>(e.length - 1).fill(0);
  v.forEach((x, k) => {
    for (let i = 0; i < h.length; i++) if (e[i]! <= x && (x < e[i + 1]! || (i === h.length - 1 && x === e[i + 1]!))) h[i] = h[i]! + (w ? w[k]! : 1);
  });
  return h;
}
function densityRef(v: number[], e: number[]): number[] {
  const h = histRef(v, e, null);
  const total = h.reduce((a, b) => a + b, 0);
  return h.map((c, i) => c / total / (e[i + 1]! - e[i]!));
}
function interpRef(xs: number[], xp: number[], fp: number[]): number[] {
  return xs.map((x) => {
    if (x <= xp[0]!) return x < xp[0]! ? fp[0]! : fp[0]!;
    if (x >= xp[xp.length - 1]!) return fp[fp.length - 1]!;
    let j = 0;
    while (xp[j + 1]! <= x) j++;
    return fp[j]! + ((x - xp[j]!) * (fp[j + 1]! - fp[j]!)) / (xp[j + 1]! - xp[j]!);
  });
}

describe.each(["float32", "float64"] as const)("numpy, more in %s", (dtype) => {
  const t = (data: number[], shape?: number[]) => np.array(dtype === "float32" ? Float32Array.from(data) : Float64Array.from(data)).reshape(shape ?? [data.length]);
  it.each(cases)("$name", (c) => {
    const out = c.run(t);
    const want = c.want(dtype);
    if (typeof want === "object" && !Array.isArray(want)) expect([...out.shape]).toEqual(want.shape);
    if (out.dtype !== "int32" && out.dtype !== "bool") expect(out.dtype).toBe(dtype);
    const tol = dtype === "float32" ? (c.tol32 ?? 2e-6) : 1e-12;
    const data = typeof want === "number" ? [want] : Array.isArray(want) ? want : Array.from(want.data);
    expectClose(toF64Array(out), data, { rtol: tol, atol: tol });
  });
});

describe("int32 and bool forms", () => {
  const i32 = (xs: number[]) => np.array(Int32Array.from(xs));
  const A = [-(2 ** 31), -7, -1, 0, 5, 12, 2 ** 31 - 1];
  const B = [3, -2, 7, -8, 6, 10, 0];
  const big = (f: (a: bigint, b: bigint) => bigint) => (a: number, b: number) => Number(BigInt.asIntN(32, f(BigInt(a), BigInt(b))));
  it.each([
    ["bitwiseAnd", () => np.bitwiseAnd(i32(A), i32(B)), map2(A, B, big((a, b) => a & b))],
    ["bitwiseOr", () => np.bitwiseOr(i32(A), i32(B)), map2(A, B, big((a, b) => a | b))],
    ["bitwiseXor", () => np.bitwiseXor(i32(A), i32(B)), map2(A, B, big((a, b) => a ^ b))],
    ["invert", () => np.invert(i32(A)), A.map((a) => -a - 1)],
    ["leftShift (counts ≥ 32 or < 0 give 0)", () => np.leftShift(i32([1, -3, 5, 1, 1]), i32([4, 2, 31, 32, -1])), [16, -12, Number(BigInt.asIntN(32, 5n << 31n)), 0, 0]],
    ["rightShift (sign fill)", () => np.rightShift(i32([256, -256, -1, -5, 7]), i32([4, 4, 3, 40, 40])), [16, -16, -1, -1, 0]],
    ["remainder / floorDivide / fmod on ints, by 0", () => np.concatenate([np.remainder(i32([7, -7, 7, 5]), i32([3, 3, -3, 0])), np.floorDivide(i32([7, -7, 7, 5]), i32([3, 3, -3, 0])), np.fmod(i32([7, -7, 7, 5]), i32([3, 3, -3, 0]))]), [1, 2, -2, 0, 2, -3, -3, 0, 1, -1, 1, 0]],
    ["round ints to tens (half to even)", () => np.round(i32([1250, 1350, -1251, 7]), -2), [1200, 1400, -1300, 0]],
    ["bools: and / or / xor / invert", () => np.stack([np.bitwiseAnd([true, true, false], [true, false, false]), np.bitwiseXor([true, true, false], [true, false, false]), np.invert([true, false, true])]), [1, 0, 0, 0, 1, 0, 0, 1, 0]],
    ["astype float → int32 saturates, NaN → 0", () => np.astype(np.array(Float64Array.of(1e10, -1e10, NaN, Infinity, -2.7)), "int32"), [2 ** 31 - 1, -(2 ** 31), 0, 2 ** 31 - 1, -2]],
  ] as [string, () => Tensor, number[]][])("%s", (_n, run, want) => {
    const out = run();
    expect(out.dtype === "int32" || out.dtype === "bool").toBe(true);
    expect(Array.from(toF64Array(out))).toEqual(want);
  });
  it("pad spreads one [before, after] pair over every axis; arrayEqual; constants", () => {
    expect(np.pad(np.ones([1, 2]), [[1, 0]]).toArray()).toEqual([[0, 0, 0], [0, 1, 1]]);
    expect(np.arrayEqual([1, 2], [1, 2])).toBe(true);
    expect(np.arrayEqual([1, NaN], [1, NaN])).toBe(false);
    expect(np.arrayEqual([1, NaN], [1, NaN], { equalNan: true })).toBe(true);
    expect(np.arrayEqual([1, 2], [[1, 2]])).toBe(false);
    expect([np.pi, np.e, np.inf, np.newaxis]).toEqual([Math.PI, Math.E, Infinity, null]);
    expect(Number.isNaN(np.nan)).toBe(true);
    expect(np.where([[0, 1], [2, 0]]).map((u) => u.toArray())).toEqual([[0, 1], [1, 0]]);
    expect(np.where(np.array(Float32Array.of(0, 3, 0, 4)))[0]!.toArray()).toEqual([1, 3]);
    expect(() => jit((u: Tensor) => np.where(u)[0]!)(np.array([1, 0]))).toThrow(/where \(one argument/);
    expect(() => np.where([true], [1] as never, undefined as never)).toThrow(/where: give both/);
    const [avg, sw] = np.average([1, 3], null, { weights: [1, 3], returned: true });
    expect([avg.item(), sw.item()]).toEqual([2.5, 4]);
  });
  it("Tensor methods: repeat, swapaxes, ravel, all, any, diagonal, round", () => {
    const x = np.array([[1.26, 0], [2.5, 3]]);
    expect(x.repeat(2, 0).shape).toEqual([4, 2]);
    expect(x.swapaxes(0, 1).toArray()).toEqual(np.transpose(x).toArray());
    expect(x.ravel().shape).toEqual([4]);
    expect([x.all().item(), x.any().item()]).toEqual([0, 1]);
    expect(x.diagonal().toArray()).toEqual([Math.fround(1.26), 3]);
    expect(toF64Array(x.round(1))).toEqual(Float64Array.from([1.3, 0, 2.5, 3].map(Math.fround)));
  });
});

// ------------------------------------------------------------------ derivatives, vmap, jit

/** Differentiable functions with float64 arguments (shapes fixed; vmap adds a leading batch of 2). */
const DIFF: [string, (...xs: Tensor[]) => Tensor, number[][], ((v: number) => number)?][] = [
  ["log2", (x) => np.log2(x), [[4]], (v) => Math.abs(v) + 0.5],
  ["log10", (x) => np.log10(x), [[4]], (v) => Math.abs(v) + 0.5],
  ["exp2", (x) => np.exp2(x), [[4]]],
  ["cbrt", (x) => np.cbrt(x), [[4]], (v) => (v < 0 ? v - 0.5 : v + 0.5)],
  ["hypot", (x, y) => np.hypot(x, y), [[4], [4]]],
  ["logaddexp", (x, y) => np.logaddexp(x, y), [[4], [4]]],
  ["logaddexp2", (x, y) => np.logaddexp2(x, y), [[4], [4]]],
  ["remainder", (x) => np.remainder(x, 0.7), [[4]]],
  ["fmod", (x, y) => np.fmod(x, y), [[4], [4]], (v) => (v < 0 ? v - 3 : v + 3)],
  ["copysign", (x) => np.copysign(x, [1, -1, -2, 3]), [[4]]],
  ["fmax / fmin", (x, y) => np.add(np.fmax(x, y), np.fmin(x, np.multiply(y, 2))), [[4], [4]]],
  ["deg2rad / rad2deg", (x) => np.add(np.deg2rad(x), np.rad2deg(x)), [[4]]],
  ["sinc (through 0)", (x) => np.sinc(np.multiply(x, [1, 0, 1, 1e-4])), [[4]]],
  ["arcsinh", (x) => np.arcsinh(x), [[4]]],
  ["arccosh", (x) => np.arccosh(x), [[4]], (v) => Math.abs(v) + 1.2],
  ["arctanh", (x) => np.arctanh(x), [[4]], (v) => v / 2.5],
  ["nanToNum", (x) => np.nanToNum(x), [[4]]],
  ["nansum / nanmean / nanmax / nanmin", (x) => np.stack([np.nansum(x, 1), np.nanmean(x, 1), np.nanmax(x, 1), np.nanmin(x, 1)]), [[2, 3]]],
  ["ptp / average", (x, w) => np.add(np.ptp(x, 0), np.average(x, 0, { weights: np.add(np.abs(w), 1) })), [[3, 2], [3, 2]]],
  ["repeat / tile / roll / rot90", (x) => np.concatenate([np.repeat(x, [2, 0], 0).reshape([-1]), np.tile(x, [1, 2]).reshape([-1]), np.roll(x, 1, 1).reshape([-1]), np.rot90(x).reshape([-1])]), [[2, 3]]],
  ["swapaxes / hstack / vstack / dstack / columnStack", (x, y) => np.concatenate([np.swapaxes(x, 0, 1).reshape([-1]), np.hstack([x, y]).reshape([-1]), np.vstack([x, y]).reshape([-1]), np.dstack([x, y]).reshape([-1]), np.columnStack([x, y]).reshape([-1])]), [[2, 2], [2, 2]]],
  ["insert / delete / append", (x, v) => np.concatenate([np.insert(x, [0, 2], v), np.delete(x, 1), np.append(x, v)]), [[3], [2]]],
  ["tensordot / kron", (x, y) => np.concatenate([np.tensordot(x, y, 1).reshape([-1]), np.kron(x, y).reshape([-1])]), [[2, 2], [2, 2]]],
  ["diagonal / diagflat", (x) => np.concatenate([np.diagonal(x, 1), np.diagflat(x).reshape([-1])]), [[2, 3]]],
  ["cov / corrcoef", (x) => np.concatenate([np.cov(x).reshape([-1]), np.corrcoef(x).reshape([-1])]), [[2, 4]]],
  ["diff / ediff1d / cross", (x, y) => np.concatenate([np.diff(x, 2), np.ediff1d(x), np.cross(x.index([0, 3]), y.index([0, 3]))]), [[4], [4]]],
  ["select / piecewise", (x, y) => np.add(np.select([np.less(x, 0)], [y], 1), np.piecewise(x, [np.less(x, 0)], [(v) => np.multiply(v, v), (v) => np.sin(v)])), [[4], [4]]],
  ["interp (in x and fp)", (x, fp) => np.interp(x, [-2, -0.5, 0.5, 2], fp), [[4], [4]]],
  ["median / quantile / percentile (through the sort)", (x) => np.concatenate([np.median(x, 1), np.quantile(x, [0.2, 0.9], 1).reshape([-1]), np.percentile(x, 35, 0)]), [[3, 5]]],
  ["histogram weights", (w) => np.histogram([0.1, 0.2, 0.7, 0.9], { bins: 2, range: [0, 1], weights: w })[0], [[4]]],
];

describe("derivatives (checkGrads), vmap and jit of the differentiable ones", () => {
  it.each(DIFF)("%s", (_name, f, shapes, domain) => {
    const g = rng(7);
    const arg = (shape: number[], lead: number[] = []) => {
      const n = [...lead, ...shape].reduce((a, b) => a * b, 1);
      return np.array(Float64Array.from({ length: n }, () => (domain ?? ((v: number) => v))(g.uniform(-1.5, 1.5)))).reshape([...lead, ...shape]);
    };
    const args = shapes.map((s) => arg(s));
    checkGrads(f, args, { dtype: "float64" });
    checkVmap(f, 0, shapes.map((s) => arg(s, [2])));
    checkJit(f, args);
  });
  it("piecewise-constant ones have zero derivative (floorDivide, trunc, round with decimals, heaviside in x)", () => {
    const x = np.array(Float64Array.of(-1.3, 0.4, 2.6));
    checkGrads((u) => np.add(np.add(np.floorDivide(u, 0.7), np.trunc(u)), np.add(np.round(u, 1), np.heaviside(u, 0.5))), [x], { dtype: "float64" });
  });
});

// ------------------------------------------------------------------ bad arguments

describe("bad arguments give typed errors naming the function", () => {
  const i32 = np.array(Int32Array.of(1, 2));
  it.each([
    ["bitwiseAnd", () => np.bitwiseAnd([1.5], [2]), "DTypeError"],
    ["invert", () => np.invert([1.5]), "DTypeError"],
    ["leftShift", () => np.leftShift([1.5], i32), "DTypeError"],
    ["round", () => np.round([1], 0.5), "ValueError"],
    ["repeat", () => np.repeat([1, 2], [1, 2, 3], 0), "ShapeError"],
    ["repeat", () => np.repeat([1, 2], -1), "ValueError"],
    ["tile", () => np.tile([1], [-1]), "ValueError"],
    ["roll", () => np.roll([[1]], [1, 2, 3], [0, 1]), "ShapeError"],
    ["rot90", () => np.rot90([[1]], 1, [0, 0]), "ValueError"],
    ["swapaxes", () => np.swapaxes([1], 0, 3), "AxisError"],
    ["arraySplit", () => np.arraySplit([1, 2], 0), "ValueError"],
    ["vsplit", () => np.vsplit([1, 2], 2), "ShapeError"],
    ["insert", () => np.insert([1, 2], 5, 0), "ValueError"],
    ["delete", () => np.delete([1, 2], 2), "ValueError"],
    ["meshgrid", () => np.meshgrid([1], { indexing: "yx" as "xy" }), "ValueError"],
    ["tensordot", () => np.tensordot(np.ones([2, 3]), np.ones([2, 3]), 1), "ShapeError"],
    ["diagonal", () => np.diagonal([1, 2]), "ShapeError"],
    ["cov", () => np.cov(np.ones([2, 2, 2])), "ShapeError"],
    ["diff", () => np.diff([1, 2], -1), "ValueError"],
    ["cross", () => np.cross([1, 2, 3, 4], [1, 2, 3, 4]), "ShapeError"],
    ["histogram", () => np.histogram([1, 2], { bins: 0 }), "ValueError"],
    ["bincount", () => np.bincount(np.array(Int32Array.of(1, -1))), "ValueError"],
    ["bincount", () => np.bincount([0.5, 1]), "ValueError"],
    ["select", () => np.select([[true]], [], 0), "ValueError"],
    ["piecewise", () => np.piecewise([1], [[true]], [1, 2, 3]), "ValueError"],
    ["interp", () => np.interp([1], [1, 2], [1]), "ShapeError"],
    ["geomspace", () => np.geomspace(0, 10, 3), "ValueError"],
    ["average", () => np.average([[1, 2]], 1, { weights: [1, 2, 3] }), "ShapeError"],
    ["nanToNum", () => np.nanToNum([1], { big: 1 } as never), "ValueError"],
    ["trilIndices", () => np.trilIndices(-1), "ValueError"],
    ["quantile", () => np.quantile([1, 2], 1.5), "ValueError"],
    ["percentile", () => np.percentile([1, 2], [50, -1]), "ValueError"],
    ["median", () => np.median([]), "ValueError"],
    ["quantile", () => np.quantile([1, 2], 0.5, null, { method: "cubic" as "linear" }), "ValueError"],
  ] as [string, () => unknown, string][])("%s → %s", (name, run, cls) => {
    let err: unknown;
    try {
      run();
    } catch (e) {
      err = e;
    }
    expect(err, `${name} should throw`).toBeInstanceOf(Error);
    expect((err as Error).name).toBe(cls);
    expect((err as Error).message).toContain(name);
  });
});
