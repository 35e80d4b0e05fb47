// tf.linalg: matrix ops.
export { matmul, tensordot, eye, transpose as matrixTranspose } from "./ops.js";
export { inv, solve, det, cholesky, qr, svd, eigh, norm, bandPart, triangularSolve } from "./linalg-ops.js";
export { einsum } from "./ops-array.js";
