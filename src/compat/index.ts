// tapir/compat: TensorFlow 2's GradientTape, Variable and ops, rebuilt on tapir's functional
// transforms (import * as tf from "tapir/compat").
export { Tensor, TapeError, ValueError, ShapeError, DTypeError } from "../index.js";
export type { DType } from "../index.js";
export { GradientTape, UnconnectedGradients } from "./tape.js";
export type { GradientTapeOptions, GradientOptions, JacobianOptions } from "./tape.js";
export { Variable } from "./variable.js";
export type { VariableOptions } from "./variable.js";
