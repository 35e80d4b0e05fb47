// tf.keras, the part custom training loops use: layers, models, optimizers, losses, initializers.
export * as layers from "./layers-all.js";
export { Input } from "./input.js";
export { KerasTensor } from "./functional.js";
export type { InputOptions, KerasNode, Applicable } from "./functional.js";
export * as optimizers from "./optimizers.js";
export * as losses from "./losses-all.js";
export * as initializers from "./initializers.js";
export * as metrics from "./metrics-all.js";
export { Model, Sequential, History } from "./models.js";
export type { ModelOptions } from "./models.js";
export type { CompileOptions, FitOptions, EvaluateOptions, PredictOptions, LossFn } from "./training.js";
