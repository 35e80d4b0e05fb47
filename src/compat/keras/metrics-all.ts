// The tf.keras.metrics namespace: the mean-based metrics (metrics.ts) and AUC (metrics-auc.ts).
export * from "./metrics.js";
export * from "./metrics-auc.js";
