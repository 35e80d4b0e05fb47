// tf.linalg: matrix ops.
export { matmul, tensordot, eye, transpose as matrixTranspose } from "./ops.js";
