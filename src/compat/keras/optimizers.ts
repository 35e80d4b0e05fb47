// tf.keras.optimizers: SGD (with momentum / Nesterov) and Adam (with AMSGrad), updating
// Variables in place from [gradient, variable] pairs, as Keras 3's apply_gradients, with its
// gradient clipping (one of clipnorm, clipvalue, globalClipnorm). Each step frees what it made
// and dropped (its temporaries, the replaced slots) at once: a synchronous loop stays flat.
import { Tensor, ValueError, keep, numpy as np, tidy, type ArrayLike } from "../../index.js";
import { checkOptions, describe, shapeText } from "../errors.js";
import { drop } from "../lifetime.js";
import { isFloat, quiet } from "../runtime.js";
import { Variable } from "../variable.js";
import { GradientTape } from "../tape.js";

export interface OptimizerOptions {
  learningRate?: number;
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

export abstract class Optimizer {
  learningRate: number;
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
  /** Steps applied so far (Keras's optimizer.iterations). */
  iterations = 0;
  protected readonly slots = new Map<Variable, Tensor[]>();
  readonly #api: string;

  constructor(opts: OptimizerOptions & Record<string, unknown>, known: readonly string[], defaultLr: number) {
    this.#api = `tf.keras.optimizers.${new.target.name}`;
    checkOptions(this.#api, opts, [...BASE_OPTIONS, ...known]);
    this.learningRate = opts.learningRate ?? defaultLr;
    if (typeof this.learningRate !== "number" || !Number.isFinite(this.learningRate)) {
      throw new ValueError({ message: `${this.#api}: learningRate must be a finite number, got ${describe(this.learningRate)}.` });
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
   * One update step from [gradient, variable] pairs; pairs with a null gradient are skipped. Each
   * gradient must have its variable's shape (no broadcasting: a scalar for a [2] variable raises).
   */
  applyGradients(gradsAndVars: Iterable<readonly [Tensor | null | undefined, Variable]>): number {
    const api = `${this.#api}.applyGradients`;
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
        clipped.forEach((g, i) => this.update(g, live[i]![1]));
      }),
    );
    return this.iterations;
  }

  /** Keras 3's _clip_gradients: clipnorm per gradient, else the global norm, else clipvalue. */
  #clip(gs: Tensor[]): Tensor[] {
    if (this.clipnorm !== undefined) {
      const c = this.clipnorm;
      // ‖g‖ is 0 for a zero gradient (kept as is: g·c / max(0, c) = g)
      return gs.map((g) => np.divide(np.multiply(g, c), np.maximum(np.sqrt(np.sum(np.square(g))), c)));
    }
    if (this.globalClipnorm !== undefined) {
      const c = this.globalClipnorm;
      const norm = np.sqrt(gs.map((g) => np.sum(np.square(g))).reduce((a, b) => np.add(a, b)));
      // c·min(1/norm, 1/c), NaN for a non-finite norm (norm − norm), as Keras
      const scale = np.add(np.multiply(np.minimum(np.reciprocal(norm), 1 / c), c), np.subtract(norm, norm));
      return gs.map((g) => np.multiply(g, np.astype(scale, g.dtype)));
    }
    if (this.clipvalue !== undefined) return gs.map((g) => np.clip(g, -this.clipvalue!, this.clipvalue!));
    return gs;
  }

  /** Computes the gradient of loss() for varList on a tape and applies it. */
  minimize(loss: () => Tensor, varList: readonly Variable[]): number {
    const tape = new GradientTape();
    const l = tape.record(loss);
    const grads = tape.gradient(l, [...varList]) as (Tensor | null)[];
    return this.applyGradients(varList.map((v, i) => [grads[i], v] as const));
  }

  /** The optimizer's state tensors for `v` (n of them, zeros at first). */
  protected slot(v: Variable, n: number): Tensor[] {
    let s = this.slots.get(v);
    if (!s) {
      s = Array.from({ length: n }, () => keep(np.zeros(v.shape, { dtype: v.dtype })));
      this.slots.set(v, s);
    }
    return s;
  }
  /** Replaces slot i of `s` (the new value outlives the step's tidy; the old one is freed). */
  protected setSlot(s: Tensor[], i: number, t: Tensor): void {
    const old = s[i];
    s[i] = keep(t);
    drop(old);
  }

  protected abstract update(g: Tensor, v: Variable): void;
}

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
  nesterov?: boolean;
}

/** v ← v − lr·g; with momentum m ← μm − lr·g, v ← v + m (Nesterov: v ← v + μm − lr·g). */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(opts: SGDOptions = {}) {
    super(opts as SGDOptions & Record<string, unknown>, ["momentum", "nesterov"], 0.01);
    this.momentum = opts.momentum ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ValueError({ message: `tf.keras.optimizers.SGD: momentum must be in [0, 1], got ${describe(opts.momentum)}.` });
  }
  protected update(g: Tensor, v: Variable): void {
    const step = np.multiply(g, this.learningRate);
    if (this.momentum === 0) {
      v.assignSub(step);
      return;
    }
    const s = this.slot(v, 1);
    const m = np.subtract(np.multiply(s[0]!, this.momentum), step);
    this.setSlot(s, 0, m);
    v.assignAdd(this.nesterov ? np.subtract(np.multiply(m, this.momentum), step) : m);
  }
}

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** AMSGrad: divide by the running maximum of the second moment v̂ ← max(v̂, v). */
  amsgrad?: boolean;
}

/** Adam (Kingma & Ba) in Keras's form: v ← v − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√s + ε); AMSGrad uses max(ŝ, s) for s. */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /**
   * Whether the step divides by the running maximum of the second moment (AMSGrad).
   *
   * @example
   * ```ts
   * new tf.keras.optimizers.Adam({ amsgrad: true }).amsgrad; // → true
   * ```
   */
  readonly amsgrad: boolean;
  constructor(opts: AdamOptions = {}) {
    super(opts as AdamOptions & Record<string, unknown>, ["beta1", "beta2", "epsilon", "amsgrad"], 0.001);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-7;
    this.amsgrad = opts.amsgrad ?? false;
  }
  protected update(g: Tensor, v: Variable): void {
    const s = this.slot(v, this.amsgrad ? 3 : 2);
    const t = this.iterations;
    this.setSlot(s, 0, np.add(s[0]!, np.multiply(np.subtract(g, s[0]!), 1 - this.beta1)));
    this.setSlot(s, 1, np.add(s[1]!, np.multiply(np.subtract(np.square(g), s[1]!), 1 - this.beta2)));
    if (this.amsgrad) this.setSlot(s, 2, np.maximum(s[2]!, s[1]!));
    const second = this.amsgrad ? s[2]! : s[1]!;
    const alpha = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    v.assignSub(np.divide(np.multiply(s[0]!, alpha), np.add(np.sqrt(second), this.epsilon)));
  }
}
