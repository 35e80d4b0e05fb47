// The public optim namespace: optax's gradient transformations, optimizers and schedules.
export { applyUpdates, chain, identity } from "./base.js";
export {
  scale, scaleBySchedule, scaleByLearningRate, trace, scaleByAdam, scaleByRms, scaleByStddev, scaleByRss, scaleByLion,
  scaleByAdadelta, addDecayedWeights, clip, clipByGlobalNorm, globalNorm,
} from "./transforms.js";
export { scaleByNadam } from "./nadam.js";
export { sgd, adam, adamw, rmsprop, adagrad, lion, adadelta } from "./aliases.js";
export { constantSchedule, linearSchedule, exponentialDecay, cosineDecaySchedule, warmupCosineDecaySchedule } from "./schedules.js";
