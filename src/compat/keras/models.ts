// tf.keras.Model and tf.keras.Sequential: layers of layers, with Keras's training API
// (compile / fit / evaluate / predict / summary; the loop itself is in training.ts).
import { Tensor, ValueError, isTracer, numpy as np, type ArrayLike } from "../../index.js";
import { checkOptions, shapeText } from "../errors.js";
import { drop, madeSince, serialNow } from "../lifetime.js";
import { quiet } from "../runtime.js";
import { GradientTape } from "../tape.js";
import { Layer, type LayerOptions } from "./layers.js";
import type { Metric } from "./metrics.js";
import type { Optimizer } from "./optimizer.js";
import { summaryText } from "./summary.js";
import { KerasTensor, graphLayers, replay } from "./functional.js";
import { inputLayers } from "./input.js";
import {
  batchIndices, examples, finalLine, liveLine, positiveInt, progressLine, resolveCompile, rows,
  type Compiled, type CompileOptions, type EvaluateOptions, type FitOptions, type PredictOptions,
} from "./training.js";

/**
 * What `Model.fit` returns: the per-epoch logs. Mirrors Keras's History callback.
 * @example
 * ```ts
 * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "zeros" })]);
 * m.compile({ optimizer: "sgd", loss: "mse" });
 * const h = m.fit([[1], [2]], [[2], [4]], { epochs: 2, verbose: 0, shuffle: false });
 * h.epoch; // → [0, 1]
 * ```
 */
export class History {
  /**
   * Each logged quantity (loss, metrics, val_…) by epoch.
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "zeros" })]);
   * m.compile({ optimizer: "sgd", loss: "mse" });
   * Object.keys(m.fit([[1]], [[1]], { verbose: 0 }).history); // → ["loss"]
   * ```
   */
  readonly history: Record<string, number[]> = {};
  /**
   * The epoch numbers (from 0).
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1)]);
   * m.compile({ optimizer: "sgd", loss: "mse" });
   * m.fit([[1]], [[1]], { epochs: 3, verbose: 0 }).epoch; // → [0, 1, 2]
   * ```
   */
  readonly epoch: number[] = [];
  /**
   * The training loss of each epoch (`history.history.loss`).
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "zeros" })]);
   * m.compile({ optimizer: "sgd", loss: "mse" });
   * m.fit([[1]], [[3]], { verbose: 0 }).loss; // → [9]
   * ```
   */
  get loss(): number[] {
    return this.history.loss ?? [];
  }
}

/** What tf.keras.Model takes: Layer options, or a functional model's inputs and outputs. */
export interface ModelOptions extends LayerOptions {
  /** tf.keras.Input tensors (one, or an array). */
  inputs?: KerasTensor | readonly KerasTensor[];
  /** Symbolic outputs of layers applied to the inputs (one, or an array). */
  outputs?: KerasTensor | readonly KerasTensor[];
}

/**
 * A Layer meant to be subclassed as a whole network (fields holding layers are tracked), with
 * Keras's training API: compile, fit, evaluate, predict, summary. Mirrors tf.keras.Model.
 * @example
 * ```ts
 * class Net extends tf.keras.Model {
 *   d = new tf.keras.layers.Dense(1, { kernelInitializer: "ones" });
 *   call(x: tf.Tensor) { return this.d.apply(x); }
 * }
 * new Net().apply(tf.constant([[1, 2]])); // → [[3]]
 * ```
 */
export class Model extends Layer {
  #compiled: Compiled | null = null;
  #inputs: KerasTensor[] | null = null;
  #outputs: KerasTensor | KerasTensor[] | null = null;
  /**
   * The model's layers: a Sequential's in order, a functional model's in dependency order
   * (its InputLayers first); empty for a subclassed model (its layers are its fields).
   * @example
   * ```ts
   * const x = tf.keras.Input({ shape: [2] });
   * const m = new tf.keras.Model({ inputs: x, outputs: new tf.keras.layers.Dense(1).apply(x) });
   * m.layers.map((l) => l.constructor.name); // → ["InputLayer", "Dense"]
   * ```
   */
  readonly layers: Layer[] = [];

  constructor(opts: ModelOptions = {}) {
    const { inputs, outputs, ...rest } = opts;
    super(rest);
    checkOptions("tf.keras.Model", opts, ["name", "trainable", "dtype", "inputs", "outputs"]);
    if (inputs === undefined && outputs === undefined) return;
    const ins = Array.isArray(inputs) ? inputs : [inputs];
    const outs = Array.isArray(outputs) ? outputs : [outputs];
    if (!ins.every((k) => k instanceof KerasTensor) || !outs.every((k) => k instanceof KerasTensor)) {
      throw new ValueError({ message: `tf.keras.Model: inputs and outputs must be tf.keras.Input tensors and the outputs of layers applied to them (KerasTensors), got inputs ${typeof inputs}, outputs ${typeof outputs}.` });
    }
    this.#inputs = ins as KerasTensor[];
    this.#outputs = outputs as KerasTensor | KerasTensor[];
    for (const k of this.#inputs) {
      const il = inputLayers.get(k);
      if (il) {
        this.layers.push(il);
        this.outputShapes.set(il, k.shape.map((d) => d ?? -1));
      }
    }
    for (const { layer, out } of graphLayers(outs as KerasTensor[])) {
      this.layers.push(layer as Layer);
      this.outputShapes.set(layer as Layer, out.shape.map((d) => d ?? -1));
    }
    this.built = true;
  }

  /** A functional model replays its graph on the inputs (one tensor per tf.keras.Input, in order); otherwise the identity. */
  override call(inputs: any, ...args: any[]): any {
    if (this.#inputs === null) return super.call(inputs, ...args);
    const given = this.#inputs.length === 1 && !Array.isArray(inputs) ? [inputs] : inputs;
    if (!Array.isArray(given) || given.length !== this.#inputs.length) {
      throw new ValueError({ message: `Model '${this.name}': the model has ${this.#inputs.length} inputs; call it with an array of ${this.#inputs.length} tensors.` });
    }
    const memo = new Map<any, unknown>();
    this.#inputs.forEach((k, i) => memo.set(k, given[i]));
    const opts = args[0] !== null && typeof args[0] === "object" ? (args[0] as Record<string, unknown>) : undefined;
    const outs = this.#outputs!;
    return Array.isArray(outs) ? outs.map((k) => replay(k, memo, opts)) : replay(outs, memo, opts);
  }

  #needCompiled(api: string): Compiled {
    if (this.#compiled === null) throw new ValueError({ message: `${api}: the model has not been compiled; call model.compile({ optimizer, loss, metrics? }) first.` });
    return this.#compiled;
  }

  /**
   * Sets the optimizer, loss and metrics that fit, evaluate and trainStep use (objects or
   * Keras's string names; "accuracy" is picked from the label and prediction shapes).
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(2)]);
   * m.compile({ optimizer: new tf.keras.optimizers.Adam({ learningRate: 0.01 }), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
   * m.optimizer instanceof tf.keras.optimizers.Adam; // → true
   * ```
   */
  compile(opts: CompileOptions): void {
    this.#compiled = resolveCompile(opts);
  }

  /**
   * The compiled optimizer (null before compile).
   * @example
   * ```ts
   * new tf.keras.Sequential().optimizer; // → null
   * ```
   */
  get optimizer(): Optimizer | null {
    return this.#compiled?.optimizer ?? null;
  }

  /**
   * The metrics fit reports: the loss tracker (a Mean named "loss") then the compiled metrics
   * (resolved on the first batch). A custom trainStep updates them and returns their results.
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1)]);
   * m.compile({ optimizer: "sgd", loss: "mse", metrics: [new tf.keras.metrics.MeanSquaredError()] });
   * m.metrics.map((x) => x.name); // → ["loss", "mean_squared_error"]
   * ```
   */
  get metrics(): Metric[] {
    const c = this.#compiled;
    if (c === null) return [];
    return [c.lossTracker, ...c.metrics.flatMap((m) => (m.metric ? [m.metric] : []))];
  }

  /** The logs: the loss tracker's and each compiled metric's result. */
  #logs(c: Compiled): Record<string, number> {
    const logs: Record<string, number> = { loss: c.lossTracker.result().item() };
    for (const m of c.metrics) logs[m.name] = m.result();
    return logs;
  }
  #reset(c: Compiled): void {
    c.lossTracker.resetState();
    for (const m of c.metrics) m.reset();
  }
  /** Updates the loss tracker (weighted by the batch size, as Keras 3) and the metrics. */
  #track(c: Compiled, x: Tensor, y: Tensor, yPred: Tensor, loss: Tensor): void {
    quiet(() => {
      c.lossTracker.updateState(loss, x.shape[0] ?? 1);
      for (const m of c.metrics) m.update(y, yPred);
    });
  }

  /**
   * One training step on a batch, the GradientTape code of a custom loop: the forward pass with
   * `training: true` and the loss under a tape, the gradients of the trainable variables,
   * `optimizer.applyGradients`; then the metrics are updated and their results returned (fit
   * logs them). Override it to customise training.
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "zeros", useBias: false })]);
   * m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.5 }), loss: "mse" });
   * m.trainStep(tf.constant([[1]]), tf.constant([[2]])).loss; // → 4
   * m.getWeights()[0]; // → [[2]]
   * ```
   */
  trainStep(x: Tensor, y: Tensor): Record<string, number> {
    const c = this.#needCompiled("Model.trainStep");
    const tape = new GradientTape();
    let yPred!: Tensor;
    const loss = tape.record(() => {
      yPred = this.apply(x, { training: true });
      return c.loss(y, yPred);
    });
    const vars = this.trainableVariables;
    const grads = tape.gradient(loss, vars) as (Tensor | null)[];
    c.optimizer.applyGradients(grads.map((g, i) => [g, vars[i]!] as const));
    this.#track(c, x, y, yPred, loss);
    this.#free(x, y, yPred, loss);
    return this.#logs(c);
  }

  /**
   * One evaluation step on a batch: the forward pass with `training: false`, the loss, the
   * metrics updated; returns their results.
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "ones", useBias: false })]);
   * m.compile({ optimizer: "sgd", loss: "mae" });
   * m.testStep(tf.constant([[1]]), tf.constant([[4]])).loss; // → 3
   * ```
   */
  testStep(x: Tensor, y: Tensor): Record<string, number> {
    const c = this.#needCompiled("Model.testStep");
    const yPred = this.apply(x, { training: false });
    const loss = c.loss(y, yPred);
    this.#track(c, x, y, yPred, loss);
    this.#free(x, y, yPred, loss);
    return this.#logs(c);
  }

  /** Frees the step's prediction and loss (never an input the model handed back unchanged). */
  #free(x: Tensor, y: Tensor, ...ts: Tensor[]): void {
    for (const t of ts) if (t instanceof Tensor && t !== x && t !== y && !isTracer(t) && !this.variables.some((v) => v.value() === t)) t.dispose();
  }

  /**
   * Trains for `epochs` passes over (x, y) in batches of `batchSize` (shuffled each epoch unless
   * `shuffle: false`), calling trainStep on each batch and printing Keras's progress line per
   * epoch (`Epoch 1/3`, `4/4 ━━━━ 0s 2ms/step - loss: 0.1234`); `validationData` is evaluated
   * after each epoch. Returns the History of the per-epoch logs.
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "zeros" })]);
   * m.compile({ optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.1 }), loss: "mse" });
   * const h = m.fit([[0], [1], [2], [3]], [[1], [3], [5], [7]], { epochs: 100, batchSize: 2, verbose: 0 });
   * h.loss[99]! < 0.01; // → true
   * ```
   */
  fit(x: ArrayLike, y: ArrayLike, opts: FitOptions = {}): History {
    const api = "Model.fit";
    checkOptions(api, opts, ["epochs", "batchSize", "validationData", "shuffle", "verbose"]);
    const c = this.#needCompiled(api);
    const [X, Y, n] = examples(api, x, y);
    const epochs = positiveInt(api, "epochs", opts.epochs, 1);
    const batchSize = positiveInt(api, "batchSize", opts.batchSize, 32);
    const verbose = opts.verbose ?? 1;
    if (opts.validationData !== undefined && (!Array.isArray(opts.validationData) || opts.validationData.length !== 2)) {
      throw new ValueError({ message: `${api}: validationData must be [x, y], got ${typeof opts.validationData}.` });
    }
    const history = new History();
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (verbose) console.log(`Epoch ${epoch + 1}/${epochs}`);
      this.#reset(c);
      const batches = batchIndices(n, batchSize, opts.shuffle ?? true);
      const t0 = performance.now();
      let logs: Record<string, number> = {};
      batches.forEach((idx, step) => {
        const xb = rows(X!, idx);
        const yb = rows(Y!, idx);
        logs = this.trainStep(xb, yb);
        xb.dispose();
        yb.dispose();
        idx.dispose();
        if (verbose === 1 && step < batches.length - 1) liveLine(progressLine(step + 1, batches.length, performance.now() - t0, logs, 1));
      });
      logs = { ...logs };
      if (opts.validationData) {
        const val = this.#evaluateLogs(opts.validationData[0], opts.validationData[1], batchSize, 0);
        for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
      }
      if (verbose) finalLine(progressLine(batches.length, batches.length, performance.now() - t0, logs, verbose));
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    }
    return history;
  }

  #evaluateLogs(x: ArrayLike, y: ArrayLike, batchSize: number, verbose: 0 | 1): Record<string, number> {
    const api = "Model.evaluate";
    const c = this.#needCompiled(api);
    const [X, Y, n] = examples(api, x, y);
    this.#reset(c);
    const batches = batchIndices(n, batchSize, false);
    const t0 = performance.now();
    let logs: Record<string, number> = {};
    for (const idx of batches) {
      const xb = rows(X, idx);
      const yb = rows(Y!, idx);
      logs = this.testStep(xb, yb);
      xb.dispose();
      yb.dispose();
      idx.dispose();
    }
    if (verbose) finalLine(progressLine(batches.length, batches.length, performance.now() - t0, logs, 1));
    return logs;
  }

  /**
   * The loss (and metrics) on (x, y), in batches with `training: false`: the loss alone when no
   * metrics were compiled, else [loss, ...metrics] in compile order. The loss is the mean of
   * the batch losses weighted by batch size (Keras 3).
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "ones", useBias: false })]);
   * m.compile({ optimizer: "sgd", loss: "mse", metrics: ["mse"] });
   * m.evaluate([[1], [2]], [[2], [2]], { verbose: 0 }); // → [0.5, 0.5]
   * ```
   */
  evaluate(x: ArrayLike, y: ArrayLike, opts: EvaluateOptions = {}): number | number[] {
    checkOptions("Model.evaluate", opts, ["batchSize", "verbose"]);
    const c = this.#needCompiled("Model.evaluate");
    const logs = this.#evaluateLogs(x, y, positiveInt("Model.evaluate", "batchSize", opts.batchSize, 32), opts.verbose ?? 1);
    return c.metrics.length === 0 ? logs.loss! : [logs.loss!, ...c.metrics.map((m) => logs[m.name]!)];
  }

  /**
   * The model's outputs on x, computed in batches with `training: false` and concatenated.
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "ones", biasInitializer: "ones" })]);
   * m.predict([[1, 2], [3, 4], [5, 6]], { batchSize: 2 }); // → [[4], [8], [12]]
   * ```
   */
  predict(x: ArrayLike, opts: PredictOptions = {}): Tensor {
    const api = "Model.predict";
    checkOptions(api, opts, ["batchSize"]);
    const [X, , n] = examples(api, x);
    const batches = batchIndices(n, positiveInt(api, "batchSize", opts.batchSize, 32), false);
    const outs = batches.map((idx) => {
      const xb = rows(X, idx);
      const out = quiet(() => this.apply(xb, { training: false }) as Tensor);
      idx.dispose();
      return out;
    });
    const result = quiet(() => np.concatenate(outs, 0));
    for (const o of outs) o.dispose();
    return result;
  }

  /**
   * Copies of every weight's value, in `weights` order (Keras's get_weights).
   * @example
   * ```ts
   * const d = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { kernelInitializer: "ones" })]);
   * d.apply(tf.ones([1, 2]));
   * d.getWeights().map((w) => w.toArray()); // → [[[1], [1]], [0]]
   * ```
   */
  getWeights(): Tensor[] {
    return quiet(() => this.weights.map((v) => np.array(v.value())));
  }

  /**
   * Assigns every weight from a list in `weights` order, shapes matching (Keras's set_weights).
   * @example
   * ```ts
   * const d = new tf.keras.Sequential([new tf.keras.layers.Dense(1)]);
   * d.apply(tf.ones([1, 2]));
   * d.setWeights([[[2], [3]], [1]]);
   * d.apply(tf.constant([[1, 1]])); // → [[6]]
   * ```
   */
  setWeights(weights: readonly ArrayLike[]): void {
    const vars = this.weights;
    if (!Array.isArray(weights) || weights.length !== vars.length) {
      throw new ValueError({ message: `Model.setWeights: the model has ${vars.length} weights but ${Array.isArray(weights) ? weights.length : "no list"} were given; pass one array per weight, in model.weights order.` });
    }
    const values = quiet(() => weights.map((w) => np.asarray(w)));
    values.forEach((w, i) => {
      const v = vars[i]!;
      if (w.ndim !== v.shape.length || w.shape.some((d, j) => d !== v.shape[j])) {
        throw new ValueError({ message: `Model.setWeights: weight ${i} ('${v.name}') has shape ${shapeText(v.shape)} but the value given has shape ${shapeText(w.shape)}.` });
      }
    });
    values.forEach((w, i) => vars[i]!.assign(w));
  }

  /** The rows of summary(): the tracked sublayers (fields), in order. */
  protected summaryLayers(): Layer[] {
    if (this.layers.length > 0 || this.#inputs !== null) return this.layers;
    return Object.values(this).filter((f): f is Layer => f instanceof Layer);
  }
  /** Output shapes recorded per layer (Sequential records them; others show "?"). */
  protected readonly outputShapes = new Map<Layer, readonly number[]>();

  /**
   * Keras's summary table: each layer's name (type), output shape and parameter count, then the
   * total, trainable and non-trainable parameter counts with their size. Printed with
   * console.log (or handed to `printFn`) and returned.
   * @example
   * ```ts
   * const m = new tf.keras.Sequential([new tf.keras.layers.Dense(4, { name: "hidden" }), new tf.keras.layers.Dense(1, { name: "out" })], { name: "mlp" });
   * m.apply(tf.ones([1, 2]));
   * m.summary(() => {}).split("\n").slice(-3)[0]; // → " Total params: 17 (68.00 B)"
   * ```
   */
  summary(printFn: (line: string) => void = console.log): string {
    const text = summaryText(this.name, this.summaryLayers(), this.outputShapes, this);
    printFn(text);
    return text;
  }
}

/**
 * Applies its layers in order. The output of each layer but the last is Sequential's own (the
 * user is handed only the last): it is freed once the next layer and any recording tape are done
 * with it — if a layer keeps its output for later, return a copy (tf.identity) or call it yourself.
 * Mirrors `tf.keras.Sequential`.
 *
 * @example
 * ```ts
 * const model = new tf.keras.Sequential([new tf.keras.layers.Dense(2, { kernelInitializer: "ones" })]);
 * model.add(new tf.keras.layers.Dense(1, { kernelInitializer: "ones" }));
 * model.apply(tf.constant([[1, 2]])); // → [[6]]
 * model.layers.length; // → 2
 * ```
 */
export class Sequential extends Model {
  constructor(layers: readonly Layer[] = [], opts: LayerOptions = {}) {
    checkOptions("tf.keras.Sequential", opts, ["name", "trainable", "dtype"]);
    super(opts);
    this.layers.push(...layers);
  }
  /**
   * Appends a layer (applied after the others).
   *
   * @example
   * ```ts
   * const model = new tf.keras.Sequential();
   * model.add(new tf.keras.layers.Dense(3));
   * model.apply(tf.ones([2, 4])).shape; // → [2, 3]
   * ```
   */
  add(layer: Layer): void {
    this.layers.push(layer);
  }
  override call(inputs: any, ...args: any[]): any {
    const since = serialNow();
    let x = inputs;
    // Keras's mask propagation: a mask-aware layer (computeMask) gets the mask as an option and
    // gives the next one; other layers pass it on unchanged
    let mask: unknown = null;
    for (const layer of this.layers) {
      const aware = typeof (layer as { computeMask?: unknown }).computeMask === "function";
      const y = aware && mask !== null ? layer.apply(x, { ...(args[0] ?? {}), mask }, ...args.slice(1)) : layer.apply(x, ...args);
      if (aware) mask = (layer as unknown as { computeMask(x: unknown, m: unknown): unknown }).computeMask(x, mask);
      if (y instanceof Tensor) this.outputShapes.set(layer, y.shape);
      // only a tensor a compat op made during this call (never the input, never a tensor a layer holds)
      if (x !== inputs && x !== y && x instanceof Tensor && !isTracer(x) && madeSince(x, since)) drop(x);
      x = y;
    }
    return x;
  }
}
