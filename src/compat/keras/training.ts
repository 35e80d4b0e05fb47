// What Model.compile / fit / evaluate / predict run: resolving the compile arguments (strings to
// optimizers, losses and metrics, as Keras's compile does), batching, the epoch loop and its
// Keras-style progress line. The step itself (Model.trainStep) is the GradientTape code of a
// custom training loop; this module only feeds it batches and reports its logs.
import { Tensor, ValueError, numpy as np, type ArrayLike } from "../../index.js";
import { describe, shapeText } from "../errors.js";
import { quiet } from "../runtime.js";
import { uniform } from "../random.js";
import { Loss, MeanSquaredError, MeanAbsoluteError, CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy } from "./losses.js";
import * as metrics from "./metrics.js";
import { Optimizer } from "./optimizer.js";
import * as optimizers from "./optimizers.js";

/** A loss given as a function of (yTrue, yPred) returning the batch loss. */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** What `Model.compile` takes: an optimizer, a loss and metrics, each an object or Keras's string name. */
export interface CompileOptions {
  /** An optimizer, or its name: "sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "nadam". */
  optimizer: Optimizer | string;
  /** A Loss, a function (yTrue, yPred) → scalar, or a name: "mse", "mae", "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy". */
  loss: Loss | LossFn | string;
  /** Metrics, or names: "accuracy" (picked from the shapes, as Keras), "mse", "mae"… */
  metrics?: readonly (metrics.Metric | string)[];
}

/** What `Model.fit` takes after x and y. */
export interface FitOptions {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per step (default 32; the last batch may be smaller). */
  batchSize?: number;
  /** [x, y] evaluated after each epoch; its results are logged as val_<name>. */
  validationData?: readonly [ArrayLike, ArrayLike];
  /** Whether to shuffle the examples before each epoch (default true; draws from tf.random's global seed). */
  shuffle?: boolean;
  /** 0 silent, 1 a progress bar (default), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
}

/** What `Model.evaluate` takes after x and y. */
export interface EvaluateOptions {
  /** Examples per batch (default 32). */
  batchSize?: number;
  /** 0 silent, 1 a progress line (default). */
  verbose?: 0 | 1;
}

/** What `Model.predict` takes after x. */
export interface PredictOptions {
  /** Examples per batch (default 32). */
  batchSize?: number;
}

/** A compiled model's optimizer, loss and metrics (the loss tracker first). */
export interface Compiled {
  optimizer: Optimizer;
  loss: LossFn;
  lossTracker: metrics.Mean;
  metrics: CompiledMetric[];
}

const OPTIMIZERS: Record<string, () => Optimizer> = {
  sgd: () => new optimizers.SGD(),
  adam: () => new optimizers.Adam(),
  adamw: () => new optimizers.AdamW(),
  rmsprop: () => new optimizers.RMSprop(),
  adagrad: () => new optimizers.Adagrad(),
  adadelta: () => new optimizers.Adadelta(),
  nadam: () => new optimizers.Nadam(),
};
const LOSSES: Record<string, () => Loss> = {
  mse: () => new MeanSquaredError(),
  mean_squared_error: () => new MeanSquaredError(),
  mae: () => new MeanAbsoluteError(),
  mean_absolute_error: () => new MeanAbsoluteError(),
  categorical_crossentropy: () => new CategoricalCrossentropy(),
  sparse_categorical_crossentropy: () => new SparseCategoricalCrossentropy(),
  binary_crossentropy: () => new BinaryCrossentropy(),
};
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

/**
 * A compiled metric: a Metric instance, or "accuracy" resolved on the first batch from the
 * shapes as Keras 3's get_metric does (yPred's last axis 1: binary; labels of lower rank or a
 * last axis of 1 against several classes: sparse categorical; else categorical).
 */
export class CompiledMetric {
  #metric: metrics.Metric | null;
  constructor(
    readonly spec: metrics.Metric | string,
    readonly name: string,
  ) {
    this.#metric = typeof spec === "string" ? null : spec;
  }
  get metric(): metrics.Metric | null {
    return this.#metric;
  }
  update(yTrue: Tensor, yPred: Tensor): void {
    if (this.#metric === null) this.#metric = resolveMetric(this.spec as string, yTrue, yPred);
    (this.#metric as unknown as { updateState(a: Tensor, b: Tensor): void }).updateState(yTrue, yPred);
  }
  result(): number {
    return this.#metric === null ? 0 : this.#metric.result().item();
  }
  reset(): void {
    this.#metric?.resetState();
  }
}

const METRICS: Record<string, (name: string) => metrics.Metric> = {
  mse: (name) => new metrics.MeanSquaredError({ name }),
  mean_squared_error: (name) => new metrics.MeanSquaredError({ name }),
  binary_accuracy: (name) => new metrics.BinaryAccuracy({ name }),
  categorical_accuracy: (name) => new metrics.CategoricalAccuracy({ name }),
  sparse_categorical_accuracy: (name) => new metrics.SparseCategoricalAccuracy({ name }),
};
function checkMetricName(name: string): void {
  const key = snake(name);
  if (key !== "accuracy" && key !== "acc" && !METRICS[key]) {
    throw new ValueError({ message: `Model.compile: unknown metric '${name}'. Use one of accuracy, ${Object.keys(METRICS).join(", ")}, or a tf.keras.metrics.Metric.` });
  }
}

function resolveMetric(name: string, yTrue: Tensor, yPred: Tensor): metrics.Metric {
  const key = snake(name);
  if (key === "accuracy" || key === "acc") {
    const pLast = yPred.shape[yPred.ndim - 1];
    const tLast = yTrue.shape[yTrue.ndim - 1];
    if (pLast === 1) return new metrics.BinaryAccuracy({ name });
    if (yTrue.ndim < yPred.ndim || (tLast === 1 && (pLast ?? 0) > 1)) return new metrics.SparseCategoricalAccuracy({ name });
    return new metrics.CategoricalAccuracy({ name });
  }
  return METRICS[key]!(name);
}

/** Resolves compile's arguments, with errors naming Model.compile. */
export function resolveCompile(opts: CompileOptions): Compiled {
  if (opts === null || typeof opts !== "object") throw new ValueError({ message: `Model.compile: expected an options object { optimizer, loss, metrics? }, got ${describe(opts)}.` });
  for (const k of Object.keys(opts)) {
    if (!["optimizer", "loss", "metrics"].includes(k)) throw new ValueError({ message: `Model.compile: unknown option '${k}'. The options are optimizer, loss, metrics.` });
  }
  let optimizer: Optimizer;
  if (opts.optimizer instanceof Optimizer) optimizer = opts.optimizer;
  else if (typeof opts.optimizer === "string" && OPTIMIZERS[opts.optimizer.toLowerCase()]) optimizer = OPTIMIZERS[opts.optimizer.toLowerCase()]!();
  else throw new ValueError({ message: `Model.compile: optimizer must be a tf.keras.optimizers.Optimizer or one of ${Object.keys(OPTIMIZERS).join(", ")}, got ${describe(opts.optimizer)}.` });
  let loss: LossFn;
  const l = opts.loss;
  if (l instanceof Loss) loss = (y, p) => l.apply(y, p);
  else if (typeof l === "function") loss = l;
  else if (typeof l === "string" && LOSSES[snake(l)]) {
    const obj = LOSSES[snake(l)]!();
    loss = (y, p) => obj.apply(y, p);
  } else throw new ValueError({ message: `Model.compile: loss must be a tf.keras.losses.Loss, a function (yTrue, yPred), or one of ${Object.keys(LOSSES).join(", ")}, got ${describe(l)}.` });
  const ms = (opts.metrics ?? []).map((m) => {
    if (typeof m === "string") {
      checkMetricName(m);
      return new CompiledMetric(m, m);
    }
    if (m instanceof metrics.Metric) return new CompiledMetric(m, m.name);
    throw new ValueError({ message: `Model.compile: each metric must be a tf.keras.metrics.Metric or a name such as "accuracy", got ${describe(m)}.` });
  });
  return { optimizer, loss, lossTracker: new metrics.Mean({ name: "loss" }), metrics: ms };
}

/** x and y as tensors with the same number of examples (axis 0). */
export function examples(api: string, x: ArrayLike, y?: ArrayLike): [Tensor, Tensor | undefined, number] {
  const X = x instanceof Tensor ? x : quiet(() => np.asarray(x));
  const Y = y === undefined ? undefined : y instanceof Tensor ? y : quiet(() => np.asarray(y));
  if (X.ndim === 0) throw new ValueError({ message: `${api}: x must have a batch axis, got a scalar; give x of shape (examples, …).` });
  const n = X.shape[0]!;
  if (Y !== undefined && (Y.ndim === 0 || Y.shape[0] !== n)) {
    throw new ValueError({ message: `${api}: x of shape ${shapeText(X.shape)} and y of shape ${shapeText(Y.shape)} have different numbers of examples (axis 0); give one label per example.` });
  }
  return [X, Y, n];
}

export function positiveInt(api: string, name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v <= 0) throw new ValueError({ message: `${api}: ${name} must be a positive integer, got ${describe(v)}.` });
  return v;
}

/** The batches of an epoch: index tensors over [0, n), shuffled when asked. */
export function batchIndices(n: number, batchSize: number, shuffle: boolean): Tensor[] {
  return quiet(() => {
    const order = Array.from({ length: n }, (_, i) => i);
    if (shuffle) {
      // a uniform key per example, sorted: a permutation drawn from tf.random's global seed
      const keys = uniform([n]).toArray() as number[];
      order.sort((a, b) => keys[a]! - keys[b]! || a - b);
    }
    const out: Tensor[] = [];
    for (let s = 0; s < n; s += batchSize) out.push(np.array(order.slice(s, s + batchSize), { dtype: "int32" }));
    return out;
  });
}

/** Rows `idx` of x (a fresh tensor). */
export const rows = (x: Tensor, idx: Tensor): Tensor => quiet(() => np.take(x, idx, 0));

/** Keras's number format in logs: 4 decimals, or scientific below 1e-3. */
export function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

/** The part of the progress line after the step counter: time, time per step, sorted logs. */
function tail(logs: Record<string, number>): string {
  return Object.keys(logs)
    .sort()
    .map((k) => ` - ${k}: ${fmt(logs[k]!)}`)
    .join("");
}

/** Keras's progress line: `4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.1234` (verbose 1) or the bar-less form (verbose 2). */
export function progressLine(step: number, steps: number, ms: number, logs: Record<string, number>, verbose: 1 | 2): string {
  const time = `${Math.round(ms / 1000)}s`;
  const per = `${Math.round(ms / Math.max(step, 1))}ms/step`;
  if (verbose === 2) return `${step}/${steps} - ${time} - ${per}${tail(logs)}`;
  const width = 20;
  const done = Math.floor((width * step) / steps);
  const bar = "━".repeat(done) + (done < width ? " ".repeat(width - done) : "");
  return `${step}/${steps} ${bar} ${time} ${per}${tail(logs)}`;
}

/** Writes a live (overwritten) progress line when stdout is a terminal; the final line always goes to console.log. */
export function liveLine(line: string): void {
  const out = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): void } } }).process?.stdout;
  if (out?.isTTY) out.write(`\r${line}`);
}
export function finalLine(line: string): void {
  const out = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): void } } }).process?.stdout;
  if (out?.isTTY) out.write("\r\x1b[K");
  console.log(line);
}
