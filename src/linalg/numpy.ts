// The numpy.linalg namespace (published as `numpy.linalg` by src/numpy.ts): decompositions,
// solvers and determinants, norms and products. lax.linalg (src/lax.ts) has the primitives.
export { cholesky, qr, eigh, eigvalsh, svd } from "./decompositions.js";
export type { QrMode, SvdOptions } from "./decompositions.js";
export { solve, inv, det, slogdet, pinv, lstsq, matrixRank, matrixPower } from "./solve.js";
export { norm, cond, multiDot, trace } from "./norm.js";
export type { NormOrd, NormOptions } from "./norm.js";
