// tapir/compat: TensorFlow 2's GradientTape, Variable, ops and a Keras subset for custom training
// loops, rebuilt on tapir's functional transforms (`import * as tf from "tapir/compat"`). Tensors
// are tapir's Tensor class, so they flow both ways; those made here print like TensorFlow's.
export { Tensor, TapeError, ValueError, ShapeError, DTypeError } from "../index.js";
export type { DType, ArrayLike } from "../index.js";
export { GradientTape, UnconnectedGradients } from "./tape.js";
export type { GradientTapeOptions, GradientOptions, JacobianOptions, Gradients } from "./tape.js";
export type { Recorder } from "./runtime.js";
export type { TensorLike, ReduceAxis } from "./ops.js";
export { Variable } from "./variable.js";
export type { VariableOptions } from "./variable.js";
export { customGradient } from "./custom.js";
export { tidy, keep, dispose, memory } from "./memory.js";
export type { MemoryInfo } from "./memory.js";
export type { GradFn } from "./custom.js";
export * from "./ops.js";
export * as nn from "./nn.js";
export * as math from "./math.js";
export * as linalg from "./linalg.js";
export * as random from "./random.js";
export * as keras from "./keras/index.js";
export { norm, clipByNorm, clipByGlobalNorm } from "./clip.js";
// einsum, pad, gatherNd/scatterNd, sort/argsort/topK, cumprod (API.md §7)
export { einsum, pad, cumprod } from "./ops-array.js";
export type { PadMode } from "./ops-array.js";
export { gatherNd, scatterNd, tensorScatterUpdate } from "./ops-indexing.js";
export { sort, argsort, topK } from "./ops-sorting.js";
export type { SortDirection, SortOptions, TopKResult } from "./ops-sorting.js";
export type { LinalgNormOrd, LinalgNormOptions } from "./linalg-ops.js";
export { function_ as function, TensorSpec } from "./function.js";
export type { FunctionOptions, TfFunction } from "./function.js";
export { Module } from "./module.js";
export { recomputeGrad, gradPassThrough } from "./recompute.js";
