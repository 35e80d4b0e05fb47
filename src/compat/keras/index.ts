// tf.keras, the part custom training loops use: layers, models, optimizers, losses, initializers.
export * as layers from "./layers.js";
export * as optimizers from "./optimizers.js";
export * as losses from "./losses.js";
export * as initializers from "./initializers.js";
export { Model, Sequential } from "./models.js";
