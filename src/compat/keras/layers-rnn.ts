// tf.keras.layers' recurrent layers (Keras 3's definitions): SimpleRNN, LSTM and GRU over
// [batch, time, features] inputs. The input projection x·W (+ b) of every step is one matmul
// before the loop; the time loop itself is one lax.scan over the time-major projections, so the
// whole layer is a single recorded op (run) that tapes differentiate through scan's rules and
// that jit stages as one loop, whatever the sequence length.
import { ValueError, lax, numpy as np, type ArrayLike, type Tensor } from "../../index.js";
import { checkOptions, describe } from "../errors.js";
import { run } from "../runtime.js";
import type { Variable } from "../variable.js";
import { Layer, getActivation, type ActivationLike, type LayerOptions } from "./layers.js";
import { get as getInitializer, type InitializerLike } from "./initializers.js";

const KEYS = ["name", "trainable", "dtype", "activation", "recurrentActivation", "useBias", "returnSequences", "returnState", "goBackwards", "kernelInitializer", "recurrentInitializer", "biasInitializer"];

/** The options of SimpleRNN, LSTM and GRU (Keras's defaults in brackets). */
export interface RNNOptions extends LayerOptions {
  /** The candidate / output activation ["tanh"]. */
  activation?: ActivationLike;
  /** The gates' activation (LSTM, GRU) ["sigmoid"]. */
  recurrentActivation?: ActivationLike;
  /** Whether to add biases [true]. */
  useBias?: boolean;
  /** Return the whole sequence [b, T, units] instead of the last output [b, units] [false]. */
  returnSequences?: boolean;
  /** Also return the final states: [output, h] (SimpleRNN, GRU) or [output, h, c] (LSTM) [false]. */
  returnState?: boolean;
  /** Process the sequence from the last step to the first (the returned sequence is in processing order) [false]. */
  goBackwards?: boolean;
  /** The input kernel's initializer ["glorotUniform"]. */
  kernelInitializer?: InitializerLike;
  /** The recurrent kernel's initializer ["orthogonal"]. */
  recurrentInitializer?: InitializerLike;
  /** The bias initializer ["zeros"; LSTM adds ones to the forget gate's slice, Keras's unitForgetBias]. */
  biasInitializer?: InitializerLike;
}

/** The options of `call`: the initial states (zeros by default), one [b, units] tensor per state. */
export interface RNNCallOptions {
  /** [h] (SimpleRNN, GRU) or [h, c] (LSTM), each [batch, units]. */
  initialState?: ArrayLike[];
  /** Accepted for symmetry with other layers; recurrent layers without dropout ignore it. */
  training?: boolean;
}


/** The shared machinery: weights, options, the scan over time. */
abstract class RNNBase extends Layer {
  /**
   * The dimension of the output and of each state.
   * @example
   * ```ts
   * new tf.keras.layers.LSTM(5).units; // → 5
   * ```
   */
  readonly units: number;
  /**
   * Whether the whole sequence is returned.
   * @example
   * ```ts
   * new tf.keras.layers.GRU(2, { returnSequences: true }).returnSequences; // → true
   * ```
   */
  readonly returnSequences: boolean;
  /**
   * Whether the final states are returned after the output.
   * @example
   * ```ts
   * new tf.keras.layers.SimpleRNN(2).returnState; // → false
   * ```
   */
  readonly returnState: boolean;
  /**
   * Whether the sequence is processed from its end.
   * @example
   * ```ts
   * new tf.keras.layers.SimpleRNN(2, { goBackwards: true }).goBackwards; // → true
   * ```
   */
  readonly goBackwards: boolean;
  /**
   * The input kernel [features, gates·units] (after build).
   * @example
   * ```ts
   * const l = new tf.keras.layers.LSTM(3);
   * l.apply(tf.zeros([1, 2, 4]));
   * l.kernel.shape; // → [4, 12]
   * ```
   */
  kernel!: Variable;
  /**
   * The recurrent kernel [units, gates·units] (after build).
   * @example
   * ```ts
   * const l = new tf.keras.layers.GRU(3);
   * l.apply(tf.zeros([1, 2, 4]));
   * l.recurrentKernel.shape; // → [3, 9]
   * ```
   */
  recurrentKernel!: Variable;
  /**
   * The bias (null with useBias: false): [gates·units], or [2, 3·units] for GRU with resetAfter.
   * @example
   * ```ts
   * const l = new tf.keras.layers.SimpleRNN(2);
   * l.apply(tf.zeros([1, 2, 4]));
   * l.bias!.value(); // → [0, 0]
   * ```
   */
  bias: Variable | null = null;
  protected readonly activation: (x: Tensor) => Tensor;
  protected readonly recurrentActivation: (x: Tensor) => Tensor;
  readonly #useBias: boolean;
  readonly #inits: [InitializerLike, InitializerLike, InitializerLike];
  readonly #api: string;

  constructor(units: number, opts: RNNOptions, api: string, extra: string[] = []) {
    super(opts);
    checkOptions(api, opts, [...KEYS, ...extra]);
    if (!Number.isInteger(units) || units < 1) throw new ValueError({ message: `${api}: units must be a positive integer, got ${describe(units)}.` });
    this.#api = api;
    this.units = units;
    this.activation = getActivation(opts.activation === undefined ? "tanh" : opts.activation);
    this.recurrentActivation = getActivation(opts.recurrentActivation === undefined ? "sigmoid" : opts.recurrentActivation);
    this.#useBias = opts.useBias ?? true;
    this.returnSequences = opts.returnSequences ?? false;
    this.returnState = opts.returnState ?? false;
    this.goBackwards = opts.goBackwards ?? false;
    this.#inits = [opts.kernelInitializer ?? "glorotUniform", opts.recurrentInitializer ?? "orthogonal", opts.biasInitializer ?? "zeros"];
  }
  /** Gates per step: 1 (SimpleRNN), 4 (LSTM), 3 (GRU). */
  protected abstract gates(): number;
  /** States carried: 1 (h) or 2 (h, c). */
  protected abstract states(): number;
  /** The bias's shape and initializer (LSTM and GRU override). */
  protected biasSpec(init: InitializerLike): [number[], InitializerLike] {
    return [[this.gates() * this.units], init];
  }
  /** Splits the bias into the part added to x·W (before the loop) and the recurrent part. */
  protected splitBias(b: Tensor | null): [Tensor | null, Tensor | null] {
    return [b, null];
  }
  /** One recurrent step: from the step's input projection z [b, gates·units] and the states, the new states (h first). */
  protected abstract step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null) => Tensor[];

  /**
   * Creates the kernels (and bias) from the input's feature count.
   * @example
   * ```ts
   * const l = new tf.keras.layers.SimpleRNN(4);
   * l.build([2, 7, 3]);
   * l.recurrentKernel.shape; // → [4, 4]
   * ```
   */
  override build(shape: number[]): void {
    if (!Array.isArray(shape) || shape.length !== 3) throw new ValueError({ message: `Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=3 ([batch, time, features]), found ndim=${Array.isArray(shape) ? shape.length : "?"}. Full shape received: (${Array.isArray(shape) ? shape.join(", ") : describe(shape)})` });
    const g = this.gates() * this.units;
    this.kernel = this.addWeight("kernel", [shape[2]!, g], { initializer: this.#inits[0] });
    this.recurrentKernel = this.addWeight("recurrent_kernel", [this.units, g], { initializer: this.#inits[1] });
    if (this.#useBias) {
      const [bs, bi] = this.biasSpec(this.#inits[2]);
      this.bias = this.addWeight("bias", bs, { initializer: bi });
    }
  }

  /**
   * Runs the layer over x [batch, time, features]: the last output [b, units] (or the sequence
   * [b, time, units]), followed by the final states when returnState.
   * @example
   * ```ts
   * const l = new tf.keras.layers.SimpleRNN(2, { kernelInitializer: "zeros", recurrentInitializer: "zeros", biasInitializer: "ones" });
   * l.apply(tf.ones([1, 3, 2])); // → [[0.7615942, 0.7615942]]
   * ```
   */
  override call(x: ArrayLike, opts: RNNCallOptions = {}): Tensor | Tensor[] {
    const api = `${this.#api} '${this.name}'`;
    checkOptions(api, opts, ["initialState", "training"]);
    const init = opts.initialState ?? [];
    if (!Array.isArray(init) || (init.length !== 0 && init.length !== this.states())) throw new ValueError({ message: `${api}: initialState must be a list of ${this.states()} tensor(s) of shape [batch, ${this.units}], got ${describe(init)}.` });
    const step = this.step();
    const nb = this.bias ? 1 : 0;
    const args: unknown[] = [x, this.kernel, this.recurrentKernel, ...(this.bias ? [this.bias] : []), ...init];
    const outs = run((xs: Tensor[]) => {
      const [xi, k, u] = xs as [Tensor, Tensor, Tensor];
      if (xi.ndim !== 3 || xi.shape[2] !== k.shape[0] || xi.shape[1]! < 1) throw new ValueError({ message: `${api}: expected input of shape [batch, time ≥ 1, ${k.shape[0]}], got [${xi.shape.join(", ")}].` });
      const [bIn, bRec] = this.splitBias(nb ? xs[3]! : null);
      const b = xi.shape[0]!;
      let xt = np.transpose(xi, [1, 0, 2]); // time-major [T, b, f]
      if (this.goBackwards) xt = np.flip(xt, 0);
      let z = np.matmul(xt, k);
      if (bIn) z = np.add(z, bIn);
      const s0 = xs.slice(3 + nb).map((s, i) => {
        if (s.ndim !== 2 || s.shape[0] !== b || s.shape[1] !== this.units) throw new ValueError({ message: `${api}: initialState[${i}] must have shape [${b}, ${this.units}], got [${s.shape.join(", ")}].` });
        return np.astype(s, xi.dtype);
      });
      const states = s0.length ? s0 : Array.from({ length: this.states() }, () => np.zeros([b, this.units], { dtype: xi.dtype }));
      const [last, ys] = lax.scan((s: Tensor[], zt: Tensor) => {
        const ns = step(zt, s, u, bRec);
        return [ns, ns[0]!];
      }, states, z) as [Tensor[], Tensor];
      // the output is a tensor of its own (not the final h), so a tape tracks both when returnState
      const out = this.returnSequences ? np.transpose(ys, [1, 0, 2]) : np.take(ys, ys.shape[0]! - 1, 0);
      return this.returnState ? [out, ...last] : [out];
    }, args, api) as Tensor[];
    return this.returnState ? outs : outs[0]!;
  }
}

/**
 * A fully-connected recurrent layer: hₜ = activation(xₜ·W + hₜ₋₁·U + b), the loop a lax.scan.
 * Mirrors tf.keras.layers.SimpleRNN (tanh, recurrent kernel orthogonal).
 * @example
 * ```ts
 * const rnn = new tf.keras.layers.SimpleRNN(4, { returnSequences: true });
 * rnn.apply(tf.zeros([2, 5, 3])).shape; // → [2, 5, 4]
 * ```
 */
export class SimpleRNN extends RNNBase {
  constructor(units: number, opts: RNNOptions = {}) {
    super(units, opts, "tf.keras.layers.SimpleRNN");
  }
  protected gates(): number {
    return 1;
  }
  protected states(): number {
    return 1;
  }
  protected step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null) => Tensor[] {
    return (z, [h], u) => [this.activation(np.add(z, np.matmul(h!, u)))];
  }
}

/**
 * Long short-term memory: with [i, f, g, o] = xₜ·W + hₜ₋₁·U + b (Keras's gate order),
 * cₜ = σ(f)·cₜ₋₁ + σ(i)·tanh(g) and hₜ = σ(o)·tanh(cₜ); the loop a lax.scan. The forget gate's
 * bias starts at 1 (Keras's unitForgetBias). Mirrors tf.keras.layers.LSTM.
 * @example
 * ```ts
 * const lstm = new tf.keras.layers.LSTM(3, { returnState: true });
 * const [out, h, c] = lstm.apply(tf.ones([2, 4, 5]));
 * [out.shape, h.shape, c.shape]; // → [[2, 3], [2, 3], [2, 3]]
 * ```
 */
export class LSTM extends RNNBase {
  readonly #unitForgetBias: boolean;
  constructor(units: number, opts: RNNOptions & { unitForgetBias?: boolean } = {}) {
    super(units, opts, "tf.keras.layers.LSTM", ["unitForgetBias"]);
    this.#unitForgetBias = opts.unitForgetBias ?? true;
  }
  protected gates(): number {
    return 4;
  }
  protected states(): number {
    return 2;
  }
  protected override biasSpec(init: InitializerLike): [number[], InitializerLike] {
    const n = this.units;
    if (!this.#unitForgetBias) return [[4 * n], init];
    // the given initializer on [i, g, o] (2n + n + n), ones on the forget gate's slice
    return [[4 * n], (_s, dtype) => {
      return np.add(getInitializer(init)([4 * n], dtype), np.concatenate([np.zeros([n], { dtype }), np.ones([n], { dtype }), np.zeros([2 * n], { dtype })]));
    }];
  }
  protected step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null) => Tensor[] {
    const act = this.activation;
    const rec = this.recurrentActivation;
    return (z, [h, c], u) => {
      const [i, f, g, o] = np.split(np.add(z, np.matmul(h!, u)), 4, -1) as [Tensor, Tensor, Tensor, Tensor];
      const c2 = np.add(np.multiply(rec(f), c!), np.multiply(rec(i), act(g)));
      return [np.multiply(rec(o), act(c2)), c2];
    };
  }
}

/**
 * Gated recurrent unit with gates [z, r, h̃] (Keras's order). With resetAfter (the default, the
 * cuDNN form) and bias [2, 3·units] = [input bias, recurrent bias]: z = σ(x_z + r_z),
 * r = σ(x_r + r_r), h̃ = tanh(x_h + r·r_h) where x_• = xₜ·W_• + b_in and r_• = hₜ₋₁·U_• + b_rec;
 * hₜ = z·hₜ₋₁ + (1 − z)·h̃. With resetAfter false, h̃ = tanh(x_h + (r·hₜ₋₁)·U_h). The loop is a
 * lax.scan. Mirrors tf.keras.layers.GRU.
 * @example
 * ```ts
 * const gru = new tf.keras.layers.GRU(3);
 * gru.apply(tf.ones([2, 4, 5])).shape; // → [2, 3]
 * gru.bias!.shape; // → [2, 9]
 * ```
 */
export class GRU extends RNNBase {
  /**
   * Whether the reset gate applies after the recurrent matmul (Keras 2/3's default, true).
   * @example
   * ```ts
   * new tf.keras.layers.GRU(2, { resetAfter: false }).resetAfter; // → false
   * ```
   */
  readonly resetAfter: boolean;
  constructor(units: number, opts: RNNOptions & { resetAfter?: boolean } = {}) {
    super(units, opts, "tf.keras.layers.GRU", ["resetAfter"]);
    this.resetAfter = opts.resetAfter ?? true;
  }
  protected gates(): number {
    return 3;
  }
  protected states(): number {
    return 1;
  }
  protected override biasSpec(init: InitializerLike): [number[], InitializerLike] {
    return [this.resetAfter ? [2, 3 * this.units] : [3 * this.units], init];
  }
  protected override splitBias(b: Tensor | null): [Tensor | null, Tensor | null] {
    if (!b || !this.resetAfter) return [b, null];
    return [np.take(b, 0, 0), np.take(b, 1, 0)];
  }
  protected step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null) => Tensor[] {
    const act = this.activation;
    const rec = this.recurrentActivation;
    const n = this.units;
    return (zx, [h], u, bRec) => {
      const [xz, xr, xh] = np.split(zx, 3, -1) as [Tensor, Tensor, Tensor];
      if (this.resetAfter) {
        let hu = np.matmul(h!, u);
        if (bRec) hu = np.add(hu, bRec);
        const [rz, rr, rh] = np.split(hu, 3, -1) as [Tensor, Tensor, Tensor];
        const zg = rec(np.add(xz, rz));
        const r = rec(np.add(xr, rr));
        const hh = act(np.add(xh, np.multiply(r, rh)));
        return [np.add(np.multiply(zg, h!), np.multiply(np.subtract(1, zg), hh))];
      }
      const [uzr, uh] = np.split(u, [2 * n], -1) as [Tensor, Tensor];
      const [rz, rr] = np.split(np.matmul(h!, uzr), 2, -1) as [Tensor, Tensor];
      const zg = rec(np.add(xz, rz));
      const r = rec(np.add(xr, rr));
      const hh = act(np.add(xh, np.matmul(np.multiply(r, h!), uh)));
      return [np.add(np.multiply(zg, h!), np.multiply(np.subtract(1, zg), hh))];
    };
  }
}
