// tf.keras.optimizers: SGD (with momentum / Nesterov) and Adam, updating Variables in place
// from [gradient, variable] pairs, as Keras's apply_gradients.
import { Tensor, ValueError, keep, numpy as np } from "../../index.js";
import { quiet } from "../runtime.js";
import type { Variable } from "../variable.js";
import { GradientTape } from "../tape.js";

export abstract class Optimizer {
  learningRate: number;
  /** Steps applied so far (Keras's optimizer.iterations). */
  iterations = 0;
  protected readonly slots = new Map<Variable, Tensor[]>();

  constructor(learningRate: number) {
    this.learningRate = learningRate;
  }

  /** One update step from [gradient, variable] pairs; pairs with a null gradient are skipped. */
  applyGradients(gradsAndVars: Iterable<readonly [Tensor | null | undefined, Variable]>): number {
    const pairs = [...gradsAndVars];
    const live = pairs.filter(([g]) => g !== null && g !== undefined) as [Tensor, Variable][];
    if (pairs.length > 0 && live.length === 0) {
      throw new ValueError({ message: `No gradients provided for any variable: (${pairs.map(([, v]) => `'${v.name}'`).join(", ")}). Check that the loss depends on them (tape.gradient returned null).` });
    }
    const skipped = pairs.filter(([g]) => g === null || g === undefined);
    if (skipped.length) console.warn(`WARNING: Gradients do not exist for variables ${skipped.map(([, v]) => v.name).join(", ")} when minimizing the loss.`);
    this.iterations++;
    quiet(() => {
      for (const [g, v] of live) this.update(np.astype(g, v.dtype), v);
    });
    return this.iterations;
  }

  /** Computes the gradient of loss() for varList on a tape and applies it. */
  minimize(loss: () => Tensor, varList: readonly Variable[]): number {
    const tape = new GradientTape();
    const l = tape.record(loss);
    const grads = tape.gradient(l, [...varList]) as (Tensor | null)[];
    return this.applyGradients(varList.map((v, i) => [grads[i], v] as const));
  }

  protected slot(v: Variable, n: number): Tensor[] {
    let s = this.slots.get(v);
    if (!s) {
      s = Array.from({ length: n }, () => keep(np.zeros(v.shape, { dtype: v.dtype })));
      this.slots.set(v, s);
    }
    return s;
  }

  protected abstract update(g: Tensor, v: Variable): void;
}

export interface SGDOptions {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

/** v ← v − lr·g; with momentum m ← μm − lr·g, v ← v + m (Nesterov: v ← v + μm − lr·g). */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(opts: SGDOptions = {}) {
    super(opts.learningRate ?? 0.01);
    this.momentum = opts.momentum ?? 0;
    this.nesterov = opts.nesterov ?? false;
  }
  protected update(g: Tensor, v: Variable): void {
    const step = np.multiply(g, this.learningRate);
    if (this.momentum === 0) {
      v.assignSub(step);
      return;
    }
    const s = this.slot(v, 1);
    const m = np.subtract(np.multiply(s[0]!, this.momentum), step);
    s[0] = keep(m);
    v.assignAdd(this.nesterov ? np.subtract(np.multiply(m, this.momentum), step) : m);
  }
}

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/** Adam (Kingma & Ba) in Keras's form: v ← v − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√s + ε). */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(opts: AdamOptions = {}) {
    super(opts.learningRate ?? 0.001);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-7;
  }
  protected update(g: Tensor, v: Variable): void {
    const s = this.slot(v, 2);
    const t = this.iterations;
    const m = np.add(s[0]!, np.multiply(np.subtract(g, s[0]!), 1 - this.beta1));
    const u = np.add(s[1]!, np.multiply(np.subtract(np.square(g), s[1]!), 1 - this.beta2));
    // slots outlive the step (which may run inside tidy)
    s[0] = keep(m);
    s[1] = keep(u);
    const alpha = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    v.assignSub(np.divide(np.multiply(m, alpha), np.add(np.sqrt(u), this.epsilon)));
  }
}
