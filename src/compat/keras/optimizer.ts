// The base of tf.keras.optimizers: updates Variables in place from [gradient, variable] pairs,
// as Keras 3's apply_gradients, with its gradient clipping (one of clipnorm, clipvalue,
// globalClipnorm) and learning rate (a number or a schedule). The update rule itself is an optim
// gradient transformation (the same code as the functional optimizers), with one state per
// variable. Each step frees what it made and dropped (its temporaries, the replaced states) at
// once: a synchronous loop stays flat.
import { Tensor, ValueError, keep, numpy as np, optim, tidy, tree, type ArrayLike } from "../../index.js";
import type { GradientTransformation, Schedule } from "../../index.js";
import { checkOptions, describe, shapeText } from "../errors.js";
import { drop } from "../lifetime.js";
import { isFloat, quiet } from "../runtime.js";
import { Variable, inVariableScope } from "../variable.js";
import { GradientTape } from "../tape.js";
import { LearningRateSchedule } from "./schedules.js";

export interface OptimizerOptions {
  /** A number, or a schedule evaluated at `iterations` each step (tf.keras.optimizers.schedules.*). */
  learningRate?: number | LearningRateSchedule;
  /** Each gradient g becomes g·clipnorm / max(‖g‖₂, clipnorm). */
  clipnorm?: number;
  /** Each gradient is clipped elementwise to [−clipvalue, clipvalue]. */
  clipvalue?: number;
  /** All gradients are scaled by clip / max(global norm, clip), the global norm being √Σ‖g‖₂². */
  globalClipnorm?: number;
  name?: string;
}
const BASE_OPTIONS = ["learningRate", "clipnorm", "clipvalue", "globalClipnorm", "name"] as const;

function positive(api: string, name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) throw new ValueError({ message: `${api}: ${name} must be a positive finite number, got ${describe(v)}.` });
  return v;
}

/**
 * The base of the Keras optimizers: `applyGradients(pairs)` clips the gradients, then runs the
 * optimizer's update rule (an optim gradient transformation) on each variable and adds the result
 * to it. Mirrors tf.keras.optimizers.Optimizer (Keras 3).
 * @example
 * ```ts
 * const v = new tf.Variable([1, 2]);
 * const opt: tf.keras.optimizers.Optimizer = new tf.keras.optimizers.SGD({ learningRate: 0.5 });
 * opt.applyGradients([[tf.constant([2, 2]), v]]);
 * v.value(); // → [0, 1]
 * ```
 */
export abstract class Optimizer {
  /**
   * The learning rate: a number (which may be reassigned between steps) or a schedule, which
   * is evaluated at the step count.
   * @example
   * ```ts
   * const v = new tf.Variable(1);
   * const opt = new tf.keras.optimizers.SGD({ learningRate: 0.5 });
   * opt.learningRate = 0.25;
   * opt.applyGradients([[tf.constant(2), v]]);
   * v.value().item(); // → 0.5
   * ```
   */
  learningRate: number | LearningRateSchedule;
  /**
   * Per-gradient norm clipping (Keras's clipnorm): g becomes g·c / max(‖g‖₂, c).
   *
   * @example
   * ```ts
   * const v = new tf.Variable([1, 1]);
   * new tf.keras.optimizers.SGD({ learningRate: 0.1, clipnorm: 1 }).applyGradients([[tf.constant([3, 4]), v]]);
   * v.value(); // → [0.94, 0.92]
   * ```
   */
  readonly clipnorm: number | undefined;
  /**
   * Elementwise gradient clipping to [−c, c] (Keras's clipvalue).
   *
   * @example
   * ```ts
   * const v = new tf.Variable(1);
   * new tf.keras.optimizers.SGD({ learningRate: 0.1, clipvalue: 0.3 }).applyGradients([[tf.constant(2), v]]);
   * v.value().item(); // → 0.97
   * ```
   */
  readonly clipvalue: number | undefined;
  /**
   * Clipping by the global norm of all gradients of a step (Keras's global_clipnorm): each g
   * becomes g·c / max(√Σ‖g‖₂², c).
   *
   * @example
   * ```ts
   * const a = new tf.Variable([1, 1]);
   * const b = new tf.Variable([2]);
   * new tf.keras.optimizers.SGD({ learningRate: 0.1, globalClipnorm: 1 }).applyGradients([[tf.constant([3, 0]), a], [tf.constant([4]), b]]);
   * b.value(); // → [1.92]
   * ```
   */
  readonly globalClipnorm: number | undefined;
  /**
   * The optimizer's name (the class name unless given).
   *
   * @example
   * ```ts
   * new tf.keras.optimizers.Adam().name; // → "Adam"
   * ```
   */
  readonly name: string;
  /**
   * Steps applied so far (Keras's optimizer.iterations).
   * @example
   * ```ts
   * const v = new tf.Variable(1);
   * const opt = new tf.keras.optimizers.Adam();
   * opt.applyGradients([[tf.constant(1), v]]);
   * opt.iterations; // → 1
   * ```
   */
  iterations = 0;
  /** Each variable's state of the update rule (built on its first step, as Keras's build). */
  readonly #states = new Map<Variable, unknown>();
  #rule: GradientTransformation<any> | undefined;
  readonly #api: string;

  constructor(opts: OptimizerOptions & Record<string, unknown>, known: readonly string[], defaultLr: number) {
    this.#api = `tf.keras.optimizers.${new.target.name}`;
    checkOptions(this.#api, opts, [...BASE_OPTIONS, ...known]);
    this.learningRate = opts.learningRate ?? defaultLr;
    if (!(this.learningRate instanceof LearningRateSchedule) && (typeof this.learningRate !== "number" || !Number.isFinite(this.learningRate))) {
      throw new ValueError({ message: `${this.#api}: learningRate must be a finite number or a tf.keras.optimizers.schedules.LearningRateSchedule, got ${describe(this.learningRate)}.` });
    }
    this.clipnorm = positive(this.#api, "clipnorm", opts.clipnorm);
    this.clipvalue = positive(this.#api, "clipvalue", opts.clipvalue);
    this.globalClipnorm = positive(this.#api, "globalClipnorm", opts.globalClipnorm);
    const set = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((c) => c !== undefined).length;
    if (set > 1) {
      throw new ValueError({
        message: `${this.#api}: only one of clipnorm, clipvalue and globalClipnorm can be set. Received: clipnorm=${this.clipnorm}, clipvalue=${this.clipvalue}, globalClipnorm=${this.globalClipnorm}.`,
      });
    }
    this.name = opts.name ?? new.target.name;
  }

  /**
   * One update step from [gradient, variable] pairs; pairs with a null gradient are skipped (with
   * Keras's warning). Each gradient must have its variable's shape (no broadcasting: a scalar for a
   * [2] variable raises ValueError). Returns the new `iterations`.
   * @example
   * ```ts
   * const v = new tf.Variable([1, 1]);
   * new tf.keras.optimizers.SGD({ learningRate: 0.1 }).applyGradients([[tf.constant([1, -1]), v]]);
   * v.value(); // → [0.9, 1.1]
   * ```
   */
  applyGradients(gradsAndVars: Iterable<readonly [Tensor | null | undefined, Variable]>): number {
    const api = `${this.#api}.applyGradients`;
    if (inVariableScope()) {
      throw new ValueError({
        message: `${api} inside tf.function is not supported: the optimizer's state (moments, step count) is held in JS, not in Variables the compiled function could update. Return the gradients from the tf.function and apply them outside it.`,
      });
    }
    const pairs = [...gradsAndVars];
    pairs.forEach((p, i) => {
      if (!Array.isArray(p) || p.length !== 2 || !(p[1] instanceof Variable)) {
        throw new ValueError({ message: `${api}: pair ${i} must be [gradient, variable] with a tf.Variable second, got ${describe(Array.isArray(p) ? p[1] : p)}.` });
      }
    });
    const live = pairs.filter(([g]) => g !== null && g !== undefined) as [Tensor | ArrayLike, Variable][];
    if (pairs.length > 0 && live.length === 0) {
      throw new ValueError({ message: `No gradients provided for any variable: (${pairs.map(([, v]) => `'${v.name}'`).join(", ")}). (${api}) Check that the loss depends on them (tape.gradient returned null).` });
    }
    const skipped = pairs.filter(([g]) => g === null || g === undefined);
    if (skipped.length) console.warn(`WARNING: Gradients do not exist for variables ${skipped.map(([, v]) => v.name).join(", ")} when minimizing the loss.`);
    const grads = live.map(([g, v]) => {
      const t = quiet(() => (g instanceof Tensor ? g : np.asarray(g as ArrayLike, { dtype: v.dtype })));
      if (!isFloat(t.dtype)) throw new ValueError({ message: `${api}: the gradient for '${v.name}' is ${describe(t)}; gradients must be floating point.` });
      if (t.ndim !== v.ndim || t.shape.some((d, k) => d !== v.shape[k])) {
        throw new ValueError({
          message: `${api}: the gradient for '${v.name}' has shape ${shapeText(t.shape)} but the variable has shape ${shapeText(v.shape)}; a gradient must have its variable's shape (it is not broadcast).`,
        });
      }
      return t;
    });
    this.iterations++;
    quiet(() =>
      tidy(() => {
        const clipped = this.#clip(grads.map((g, i) => (g.dtype === live[i]![1].dtype ? g : np.astype(g, live[i]![1].dtype))));
        clipped.forEach((g, i) => this.#step(g, live[i]![1]));
      }),
    );
    return this.iterations;
  }

  /** Keras 3's _clip_gradients, with optim's clipping transformations: clipnorm per gradient, else the global norm, else clipvalue. */
  #clip(gs: Tensor[]): Tensor[] {
    const stateless = (t: GradientTransformation<any>, u: Tensor[]) => t.update(u, {})[0];
    if (this.clipnorm !== undefined) {
      const c = optim.clipByGlobalNorm(this.clipnorm);
      return gs.map((g) => stateless(c, [g])[0]!);
    }
    if (this.globalClipnorm !== undefined) return stateless(optim.clipByGlobalNorm(this.globalClipnorm), gs);
    if (this.clipvalue !== undefined) return stateless(optim.clip(this.clipvalue), gs);
    return gs;
  }

  /**
   * Computes the gradient of `loss()` for varList on a tape and applies it (Keras's minimize).
   * @example
   * ```ts
   * const v = new tf.Variable(3);
   * new tf.keras.optimizers.SGD({ learningRate: 0.25 }).minimize(() => tf.square(v), [v]);
   * v.value().item(); // → 1.5
   * ```
   */
  minimize(loss: () => Tensor, varList: readonly Variable[]): number {
    const tape = new GradientTape();
    const l = tape.record(loss);
    const grads = tape.gradient(l, [...varList]) as (Tensor | null)[];
    return this.applyGradients(varList.map((v, i) => [grads[i], v] as const));
  }

  /** The learning rate at a step count, for the rule's scaleByLearningRate (read each step, so reassigning it works). */
  protected readonly lrSchedule: Schedule = (count) => {
    const lr = this.learningRate;
    return lr instanceof LearningRateSchedule ? lr.apply(count) : np.array(lr, { dtype: "float64" });
  };

  /** Runs the update rule on one variable: v ← v + update, the state replaced (the old one freed). */
  #step(g: Tensor, v: Variable): void {
    this.#rule ??= this.rule();
    const value = v.value();
    let state = this.#states.get(v);
    if (state === undefined) {
      state = this.#rule.init(value);
      for (const t of tree.leaves(state)) keep(t as Tensor);
    }
    const [u, next] = this.#rule.update(g, state, value);
    v.assignAdd(np.astype(u as Tensor, v.dtype));
    const fresh = new Set(tree.leaves(next));
    for (const t of fresh) keep(t as Tensor);
    for (const t of tree.leaves(state)) if (!fresh.has(t)) drop(t as Tensor);
    this.#states.set(v, next);
  }

  /**
   * The optimizer's update rule as an optim gradient transformation over one variable, ending in
   * the (negated) learning rate `this.lrSchedule`: what `update(g, state, v)` returns is added to v.
   */
  protected abstract rule(): GradientTransformation<any>;
}
