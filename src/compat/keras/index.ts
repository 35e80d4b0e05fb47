// tf.keras, the part custom training loops use: layers, models, optimizers, losses, initializers.
export * as layers from "./layers-all.js";
export * as optimizers from "./optimizers.js";
export * as losses from "./losses-all.js";
export * as initializers from "./initializers.js";
export * as metrics from "./metrics-all.js";
export { Model, Sequential } from "./models.js";
