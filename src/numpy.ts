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
} from "./core/numpy/index.js";
// 1-D convolution and correlation
export { convolve, correlate } from "./core/conv.js";
