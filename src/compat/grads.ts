// TensorFlow's registered gradients for the ops where TensorFlow and JAX differ at ties and
// kinks (tensorflow/python/ops/math_grad.py, nn_grad.py). The functional core follows JAX
// (ties split, kinks from the op an activation is built from); on a tape, compat follows TF:
//   maximum(x, y): x gets the cotangent where x ≥ y, y where x < y   (a tie goes to x)
//   minimum(x, y): x where x ≤ y, y where x > y
//   relu: where y > 0 (0 at 0); relu6: where 0 < x < 6 (0 at both kinks);
//   elu: where y > 0, else y + 1 (1 at 0); abs: sign(x) (0 at 0)
//   clip_by_value: x where lo ≤ x ≤ hi (1 at the bounds), lo where x < lo, hi where x > hi
//   sqrt, rsqrt, reciprocal: 0 where the cotangent is 0 (TF's *_grad kernels), so an
//     unselected branch of where contributes exact zeros even where its derivative is inf/NaN
//   pow(x, y): x: ct·y·x^(y−1) (NaN at x = y = 0); y: ct·x^y·log x where x > 0, else 0
import { numpy as np, type Tensor } from "../index.js";
import type { Rule } from "./runtime.js";

const sel = (c: Tensor, ct: Tensor) => np.where(c, ct, np.zerosLike(ct));
/** 0 where ct is 0, else ct·d (d may be inf or NaN there). */
const zeroSafe = (ct: Tensor, d: Tensor) => np.where(np.equal(ct, 0), np.zerosLike(ct), np.multiply(ct, d));

export const maximumGrad: Rule = ([x, y], _z, ct) => [sel(np.greaterEqual(x, y), ct), sel(np.less(x, y), ct)];
export const minimumGrad: Rule = ([x, y], _z, ct) => [sel(np.lessEqual(x, y), ct), sel(np.greater(x, y), ct)];
export const reluGrad: Rule = (_xs, y, ct) => [sel(np.greater(y, 0), ct)];
export const relu6Grad: Rule = ([x], _y, ct) => [sel(np.logicalAnd(np.greater(x, 0), np.less(x, 6)), ct)];
export const eluGrad: Rule = (_xs, y, ct) => [np.where(np.greater(y, 0), ct, np.multiply(ct, np.add(y, 1)))];
export const absGrad: Rule = ([x], _y, ct) => [np.multiply(ct, np.sign(x))];
export const clipGrad: Rule = ([x, lo, hi], _y, ct) => [
  sel(np.logicalAnd(np.greaterEqual(x, lo), np.lessEqual(x, hi)), ct),
  sel(np.less(x, lo), ct),
  sel(np.greater(x, hi), ct),
];
export const sqrtGrad: Rule = (_xs, y, ct) => [zeroSafe(ct, np.divide(0.5, y))];
/** d rsqrt = −y³/2 */
export const rsqrtGrad: Rule = (_xs, y, ct) => [zeroSafe(ct, np.multiply(np.power(y, 3), -0.5))];
/** d (1/x) = −y² */
export const reciprocalGrad: Rule = (_xs, y, ct) => [zeroSafe(ct, np.negative(np.square(y)))];
export const powGrad: Rule = ([x, y], z, ct) => {
  const dx = np.multiply(ct, np.multiply(y, np.power(x, np.subtract(y, 1))));
  const pos = np.greater(x, 0);
  const logx = np.where(pos, np.log(np.where(pos, x, np.onesLike(x))), np.zerosLike(x));
  return [dx, np.multiply(ct, np.multiply(z, logx))];
};
