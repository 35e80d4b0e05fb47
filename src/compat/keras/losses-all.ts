// The tf.keras.losses namespace: the crossentropies and regressions (losses.ts), and more (losses-more.ts).
export { Loss, MeanSquaredError, MeanAbsoluteError, CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy } from "./losses.js";
export type { CrossentropyOptions } from "./losses.js";
export * from "./losses-more.js";
