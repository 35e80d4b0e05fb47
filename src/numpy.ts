// The public numpy namespace (users write `import { numpy as np } from "tapir"`).
export {
  array, asarray, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye,
  add, subtract, multiply, divide, negative, power, square, sqrt, exp, log, log1p, expm1,
  sin, cos, tan, tanh, arcsin, arccos, arctan, arctan2, sinh, cosh, abs, sign, maximum, minimum, clip, where,
  reciprocal, floor, ceil, round, equal, notEqual, less, lessEqual, greater, greaterEqual,
  logicalAnd, logicalOr, logicalNot,
  sum, mean, prod, max, min, argmax, argmin, var, std, logsumexp, cumsum,
  matmul, dot, vdot, outer, einsum, transpose, reshape, expandDims, squeeze, broadcastTo, moveaxis,
  concatenate, stack, split, flip, take, tril, triu, diag, trace, pad, index,
  allclose, isnan, isfinite, astype,
  at, IndexUpdateRef,
  sort, argsort, searchsorted, unique, nonzero, argwhere, flatnonzero, takeAlongAxis, putAlongAxis, cumprod,
} from "./core/numpy/index.js";
// numpy, more (issue 11): elementwise, closeness
export {
  log2, log10, exp2, cbrt, hypot, logaddexp, logaddexp2, remainder, mod, fmod, floorDivide, trueDivide,
  isinf, isposinf, isneginf, signbit, copysign, nextafter, fmax, fmin, heaviside, nanToNum,
  deg2rad, rad2deg, sinc, arcsinh, arccosh, arctanh, positive, conjugate, conj, real, imag, rint, trunc, fix,
  bitwiseAnd, bitwiseOr, bitwiseXor, invert, leftShift, rightShift, isclose, arrayEqual,
} from "./core/numpy/index.js";
// numpy, more: reductions, shape
export {
  all, any, countNonzero, nansum, nanmean, nanmax, nanmin, ptp, average,
  repeat, tile, roll, swapaxes, rot90, atleast1d, atleast2d, atleast3d, hstack, vstack, dstack, columnStack,
  arraySplit, hsplit, vsplit, append, insert, delete, meshgrid, tensordot, kron, diagonal, diagflat,
  trilIndices, triuIndices, ravel, ix_, indices,
} from "./core/numpy/index.js";
// numpy, more: statistics and sets, creation, constants
export {
  cov, corrcoef, diff, ediff1d, cross, histogram, bincount, isin, select, piecewise, interp,
  logspace, geomspace, identity, tri, emptyLike, fromfunction, pi, e, inf, nan, newaxis,
  median, quantile, percentile,
} from "./core/numpy/index.js";
// 1-D convolution and correlation
export { convolve, correlate } from "./core/conv.js";
export * as linalg from "./linalg/numpy.js";
