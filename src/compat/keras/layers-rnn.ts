// tf.keras.layers' recurrent layers (Keras 3's definitions): SimpleRNN, LSTM and GRU over
// [batch, time, features] inputs. The input projection x·W (+ b) of every step is one matmul
// before the loop; the time loop itself is one lax.scan over the time-major projections, so the
// whole layer is a single recorded op (run) that tapes differentiate through scan's rules and
// that jit stages as one loop, whatever the sequence length. Masking (a [batch, time] mask)
// carries the states through masked steps and repeats the previous output there, as Keras's
// backend rnn does; dropout and recurrentDropout draw one mask per sequence (Keras's
// DropoutRNNCell), reused at every step, per gate when recurrentDropout is set (Keras's
// implementation 1).
import { Tensor, ValueError, lax, numpy as np, type ArrayLike } from "../../index.js";
import { checkOptions, describe } from "../errors.js";
import { run } from "../runtime.js";
import * as random from "../random.js";
import type { Variable } from "../variable.js";
import { Layer, getActivation, type ActivationLike, type LayerOptions } from "./layers.js";
import { get as getInitializer, type InitializerLike } from "./initializers.js";

const KEYS = ["name", "trainable", "dtype", "activation", "recurrentActivation", "useBias", "returnSequences", "returnState", "goBackwards", "kernelInitializer", "recurrentInitializer", "biasInitializer", "dropout", "recurrentDropout", "seed"];

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
  /** Fraction of the inputs' features dropped in training, one mask per sequence [0]. */
  dropout?: number;
  /** Fraction of the recurrent state's units dropped in training, one mask per sequence [0]. */
  recurrentDropout?: number;
  /** Seed of the first call's dropout masks (later calls continue the stream) [none]. */
  seed?: number;
}

/** The options of `call`: the initial states (zeros by default), one [b, units] tensor per state. */
export interface RNNCallOptions {
  /** [h] (SimpleRNN, GRU) or [h, c] (LSTM), each [batch, units]. */
  initialState?: ArrayLike[];
  /** Whether dropout and recurrentDropout apply (default false). */
  training?: boolean;
  /** [batch, time], true (nonzero) where a step is real: masked steps keep the states and repeat the previous output. */
  mask?: ArrayLike | null;
}

/** A dropout mask: 0 with probability `rate`, else 1/(1 − rate) (Keras's backend.random.dropout of ones). */
function dropoutMask(shape: number[], rate: number, dtype: Tensor["dtype"], seed: number | undefined): Tensor {
  const keep = np.astype(np.greaterEqual(random.uniform(shape, { dtype, seed }), rate), dtype);
  return np.multiply(keep, 1 / (1 - rate));
}

/** h·U, per gate with its own masked h when recurrent dropout masks are given (Keras's implementation 1). */
function recurrentProduct(h: Tensor, u: Tensor, masks: Tensor[] | null, gates: readonly number[]): Tensor {
  if (!masks) return np.matmul(h, u);
  const n = h.shape[1]!;
  return np.concatenate(gates.map((g, k) => np.matmul(np.multiply(h, masks[g]!), np.take(u, np.arange(k * n, (k + 1) * n), 1))), -1);
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
   * The fraction of input features dropped in training.
   * @example
   * ```ts
   * new tf.keras.layers.LSTM(2, { dropout: 0.25 }).dropout; // → 0.25
   * ```
   */
  readonly dropout: number;
  /**
   * The fraction of recurrent units dropped in training.
   * @example
   * ```ts
   * new tf.keras.layers.GRU(2, { recurrentDropout: 0.5 }).recurrentDropout; // → 0.5
   * ```
   */
  readonly recurrentDropout: number;
  /**
   * Mask-aware: the mask of the output, for the next layer (Keras's compute_mask): the input's
   * mask when the whole sequence is returned, else none.
   * @example
   * ```ts
   * new tf.keras.layers.SimpleRNN(2, { returnSequences: true }).computeMask(tf.zeros([1, 2, 3]), tf.constant([[true, false]])); // → [[true, false]]
   * ```
   */
  computeMask(_inputs: ArrayLike, mask?: ArrayLike | null): Tensor | null {
    return this.returnSequences && mask !== undefined && mask !== null ? np.asarray(mask) : null;
  }
  #seed: number | undefined;
  #calls = 0;
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
    const rate = (k: "dropout" | "recurrentDropout") => {
      const r = opts[k] ?? 0;
      if (typeof r !== "number" || !(r >= 0 && r <= 1)) throw new ValueError({ message: `${api}: ${k} must be a number in [0, 1], got ${describe(r)}.` });
      return r;
    };
    this.dropout = rate("dropout");
    this.recurrentDropout = rate("recurrentDropout");
    this.#seed = opts.seed;
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
  /**
   * One recurrent step: from the step's input projection z [b, gates·units] and the states, the
   * new states (h first); `rm` are the recurrent dropout masks (one per gate) or null.
   */
  protected abstract step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null, rm: Tensor[] | null) => Tensor[];
  /** Dropout masks per gate: one for every gate with recurrentDropout (Keras's implementation 1), else one input mask. */
  #dropoutMasks(x: Tensor, training: boolean): [Tensor[] | null, Tensor[] | null] {
    if (!training || (this.dropout === 0 && this.recurrentDropout === 0)) return [null, null];
    const b = x.shape[0]!, f = x.shape[2]!;
    const count = this.recurrentDropout > 0 ? this.gates() : 1;
    const seed = this.#calls++ === 0 ? this.#seed : undefined;
    let first = true;
    const draw = (shape: number[], rate: number) => Array.from({ length: count }, () => {
      const m = dropoutMask(shape, rate, x.dtype, first ? seed : undefined);
      first = false;
      return m;
    });
    return [this.dropout > 0 ? draw([b, f], this.dropout) : null, this.recurrentDropout > 0 ? draw([b, this.units], this.recurrentDropout) : null];
  }

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
    checkOptions(api, opts, ["initialState", "training", "mask"]);
    const init = opts.initialState ?? [];
    if (!Array.isArray(init) || (init.length !== 0 && init.length !== this.states())) throw new ValueError({ message: `${api}: initialState must be a list of ${this.states()} tensor(s) of shape [batch, ${this.units}], got ${describe(init)}.` });
    const step = this.step();
    const nb = this.bias ? 1 : 0;
    const xT = x instanceof Tensor ? x : np.asarray(x);
    if (xT.ndim !== 3) throw new ValueError({ message: `${api}: expected input of shape [batch, time ≥ 1, features], got [${xT.shape.join(", ")}].` });
    const mask = opts.mask === undefined || opts.mask === null ? null : np.asarray(opts.mask);
    if (mask && (mask.ndim !== 2 || mask.shape[0] !== xT.shape[0] || mask.shape[1] !== xT.shape[1])) {
      throw new ValueError({ message: `${api}: mask must have shape [batch, time] = [${xT.shape.slice(0, 2).join(", ")}], got [${mask.shape.join(", ")}].` });
    }
    // drawn outside the recorded op, so a tape's backward pass (and its replays) sees the same masks
    const [dm, rm] = this.#dropoutMasks(xT, opts.training === true);
    const nState = init.length;
    const args: unknown[] = [xT, this.kernel, this.recurrentKernel, ...(this.bias ? [this.bias] : []), ...init, ...(mask ? [mask] : []), ...(dm ?? []), ...(rm ?? [])];
    const outs = run((xs: Tensor[]) => {
      const [xi, k, u] = xs as [Tensor, Tensor, Tensor];
      if (xi.ndim !== 3 || xi.shape[2] !== k.shape[0] || xi.shape[1]! < 1) throw new ValueError({ message: `${api}: expected input of shape [batch, time ≥ 1, ${k.shape[0]}], got [${xi.shape.join(", ")}].` });
      const [bIn, bRec] = this.splitBias(nb ? xs[3]! : null);
      const b = xi.shape[0]!;
      let rest = xs.slice(3 + nb + nState);
      const m = mask ? rest[0]! : null;
      if (mask) rest = rest.slice(1);
      const dMasks = dm ? rest.slice(0, dm.length) : null;
      const rMasks = rm ? rest.slice(dm ? dm.length : 0) : null;
      let xt = np.transpose(xi, [1, 0, 2]); // time-major [T, b, f]
      if (this.goBackwards) xt = np.flip(xt, 0);
      // the input projection, each gate's slice from its own dropped-out inputs when there are per-gate masks
      let z: Tensor;
      if (!dMasks) z = np.matmul(xt, k);
      else if (dMasks.length === 1) z = np.matmul(np.multiply(xt, dMasks[0]!), k);
      else {
        const n = this.units;
        z = np.concatenate(dMasks.map((dmk, g) => np.matmul(np.multiply(xt, dmk), np.take(k, np.arange(g * n, (g + 1) * n), 1))), -1);
      }
      if (bIn) z = np.add(z, bIn);
      const s0 = xs.slice(3 + nb, 3 + nb + nState).map((s, i) => {
        if (s.ndim !== 2 || s.shape[0] !== b || s.shape[1] !== this.units) throw new ValueError({ message: `${api}: initialState[${i}] must have shape [${b}, ${this.units}], got [${s.shape.join(", ")}].` });
        return np.astype(s, xi.dtype);
      });
      const states = s0.length ? s0 : Array.from({ length: this.states() }, () => np.zeros([b, this.units], { dtype: xi.dtype }));
      let last: Tensor[], ys: Tensor;
      if (!m) {
        [last, ys] = lax.scan((s: Tensor[], zt: Tensor) => {
          const ns = step(zt, s, u, bRec, rMasks);
          return [ns, ns[0]!];
        }, states, z) as [Tensor[], Tensor];
      } else {
        // carry [states…, previous output]: a masked step keeps both (the output starts at zeros)
        let mt = np.expandDims(np.transpose(np.notEqual(m, 0), [1, 0]), -1); // [T, b, 1]
        if (this.goBackwards) mt = np.flip(mt, 0);
        const carry0 = [...states, np.zeros([b, this.units], { dtype: xi.dtype })];
        const [fin, seq] = lax.scan((cs: Tensor[], [zt, keep]: [Tensor, Tensor]) => {
          const s = cs.slice(0, -1);
          const ns = step(zt, s, u, bRec, rMasks).map((t, i) => np.where(keep, t, s[i]!));
          const out = np.where(keep, ns[0]!, cs[cs.length - 1]!);
          return [[...ns, out], out];
        }, carry0, [z, mt]) as [Tensor[], Tensor];
        [last, ys] = [fin.slice(0, -1), seq];
      }
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
  protected step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null, rm: Tensor[] | null) => Tensor[] {
    return (z, [h], u, _b, rm) => [this.activation(np.add(z, recurrentProduct(h!, u, rm, [0])))];
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
  protected step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null, rm: Tensor[] | null) => Tensor[] {
    const act = this.activation;
    const rec = this.recurrentActivation;
    return (z, [h, c], u, _b, rm) => {
      const [i, f, g, o] = np.split(np.add(z, recurrentProduct(h!, u, rm, [0, 1, 2, 3])), 4, -1) as [Tensor, Tensor, Tensor, Tensor];
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
  protected step(): (z: Tensor, states: Tensor[], u: Tensor, bRec: Tensor | null, rm: Tensor[] | null) => Tensor[] {
    const act = this.activation;
    const rec = this.recurrentActivation;
    const n = this.units;
    return (zx, [h], u, bRec, rm) => {
      const [xz, xr, xh] = np.split(zx, 3, -1) as [Tensor, Tensor, Tensor];
      // with recurrent dropout each gate reads its own masked h; the update mixes the unmasked h (Keras)
      if (this.resetAfter) {
        let hu = recurrentProduct(h!, u, rm, [0, 1, 2]);
        if (bRec) hu = np.add(hu, bRec);
        const [rz, rr, rh] = np.split(hu, 3, -1) as [Tensor, Tensor, Tensor];
        const zg = rec(np.add(xz, rz));
        const r = rec(np.add(xr, rr));
        const hh = act(np.add(xh, np.multiply(r, rh)));
        return [np.add(np.multiply(zg, h!), np.multiply(np.subtract(1, zg), hh))];
      }
      const [uzr, uh] = np.split(u, [2 * n], -1) as [Tensor, Tensor];
      const [rz, rr] = np.split(recurrentProduct(h!, uzr, rm, [0, 1]), 2, -1) as [Tensor, Tensor];
      const zg = rec(np.add(xz, rz));
      const r = rec(np.add(xr, rr));
      const hh = act(np.add(xh, np.matmul(np.multiply(r, rm ? np.multiply(h!, rm[2]!) : h!), uh)));
      return [np.add(np.multiply(zg, h!), np.multiply(np.subtract(1, zg), hh))];
    };
  }
}

/**
 * Marks the time steps whose features all equal `maskValue` as padding: the output is the input
 * with those steps zeroed, and `computeMask` gives the [batch, time] mask (true where a step has
 * some other value) that recurrent layers take as `mask` (a Sequential passes it on). Mirrors
 * tf.keras.layers.Masking.
 * @example
 * ```ts
 * const m = new tf.keras.layers.Masking({ maskValue: 0 });
 * const x = tf.constant([[[1, 2], [0, 0], [3, 0]]]);
 * m.computeMask(x); // → [[true, false, true]]
 * m.apply(x); // → [[[1, 2], [0, 0], [3, 0]]]
 * ```
 */
export class Masking extends Layer {
  /**
   * The padding value (default 0).
   * @example
   * ```ts
   * new tf.keras.layers.Masking({ maskValue: -1 }).maskValue; // → -1
   * ```
   */
  readonly maskValue: number;
  constructor(opts: LayerOptions & { maskValue?: number } = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Masking", opts, ["name", "trainable", "dtype", "maskValue"]);
    const v = opts.maskValue ?? 0;
    if (typeof v !== "number") throw new ValueError({ message: `tf.keras.layers.Masking: maskValue must be a number, got ${describe(v)}.` });
    this.maskValue = v;
  }
  /**
   * The [batch, time] mask: true where some feature differs from maskValue.
   * @example
   * ```ts
   * new tf.keras.layers.Masking().computeMask(tf.constant([[[0], [2]]])); // → [[false, true]]
   * ```
   */
  computeMask(inputs: ArrayLike): Tensor {
    return run(([x]: Tensor[]) => np.any(np.notEqual(x!, this.maskValue), -1), [inputs], "tf.keras.layers.Masking.computeMask") as Tensor;
  }
  /**
   * The input with its masked steps zeroed.
   * @example
   * ```ts
   * new tf.keras.layers.Masking().call(tf.constant([[[0], [2]]])); // → [[[0], [2]]]
   * ```
   */
  override call(inputs: ArrayLike): Tensor {
    return run(([x]: Tensor[]) => np.multiply(x!, np.astype(np.any(np.notEqual(x!, this.maskValue), -1, { keepdims: true }), x!.dtype)), [inputs], "tf.keras.layers.Masking") as Tensor;
  }
}
