// The tf.keras.layers namespace: Layer and Dense (layers.ts), and the core layers (layers-core.ts).
export { Layer, Dense, getActivation } from "./layers.js";
export type { LayerOptions, AddWeightOptions, ActivationLike, DenseOptions } from "./layers.js";
export * from "./layers-core.js";
export * from "./layers-conv.js";
export { InputLayer } from "./input.js";
export * from "./layers-rnn.js";
export * from "./layers-conv-more.js";
export * from "./layers-depthwise.js";
