// tf.math: the same ops under TensorFlow's math namespace.
export {
  add, subtract, multiply, divide, truediv, pow, maximum, minimum, squaredDifference, addN, negative, abs, sign,
  square, sqrt, rsqrt, reciprocal, exp, expm1, log, log1p, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh,
  sigmoid, floor, ceil, round, equal, notEqual, less, lessEqual, greater, greaterEqual, logicalAnd, logicalOr,
  logicalNot, reduceSum, reduceMean, reduceMax, reduceMin, reduceProd, reduceLogsumexp, reduceVariance, reduceStd,
  argmax, argmin, cumsum,
} from "./ops.js";
export { softplus } from "./nn.js";
export { topK } from "./ops-sorting.js";
export { cumprod } from "./ops-array.js";
