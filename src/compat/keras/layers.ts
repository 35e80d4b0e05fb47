// tf.keras.layers: Layer (build on first apply, addWeight, tracked fields), Dense.
import { Tensor, ValueError, isTracer, numpy as np, type ArrayLike, type DType } from "../../index.js";
import { checkOptions, named, shapeText } from "../errors.js";
import { drop } from "../lifetime.js";
import * as nn from "../nn.js";
import { add, divide, exp, multiply, sigmoid, tanh, matmul } from "../ops.js";
import { Variable } from "../variable.js";
import { get as getInitializer, type InitializerLike } from "./initializers.js";
import { applySymbolic, isSymbolic } from "./functional.js";

const nameCounts = new Map<string, number>();
/** Keras's default layer names: dense, dense_1, … (snake_case of the class name). */
function uniqueName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}
const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

function shapeOf(x: unknown): any {
  if (x instanceof Tensor || x instanceof Variable) return [...x.shape];
  if (Array.isArray(x) && x.some((e) => e instanceof Tensor || e instanceof Variable)) return x.map(shapeOf);
  return [...np.asarray(x as ArrayLike).shape];
}

export interface LayerOptions {
  name?: string;
  trainable?: boolean;
  dtype?: DType;
}
export interface AddWeightOptions {
  initializer?: InitializerLike;
  trainable?: boolean;
  dtype?: DType;
}

/**
 * The base of Keras layers. Subclass it: create weights in build(inputShape) with addWeight,
 * compute in call(inputs). Variables and layers assigned to fields (also inside arrays and plain
 * objects) are tracked. Mirrors tf.keras.layers.Layer.
 * @example
 * ```ts
 * class Scale extends tf.keras.layers.Layer {
 *   w!: tf.Variable;
 *   build(shape: number[]) { this.w = this.addWeight("w", [shape[1]!], { initializer: "ones" }); }
 *   call(x: tf.Tensor) { return tf.multiply(x, this.w); }
 * }
 * new Scale().apply(tf.constant([[1, 2]])); // → [[1, 2]]
 * ```
 */
export class Layer {
  /**
   * The layer's name (snake_case of the class name, numbered when repeated, unless given).
   * @example
   * ```ts
   * new tf.keras.layers.Dense(2, { name: "head" }).name; // → "head"
   * ```
   */
  name: string;
  /**
   * Whether the layer's weights are trainable (false moves them to nonTrainableVariables).
   * @example
   * ```ts
   * new tf.keras.layers.Dense(2, { trainable: false }).trainable; // → false
   * ```
   */
  trainable: boolean;
  /**
   * Whether build has run (on the first apply).
   * @example
   * ```ts
   * const d = new tf.keras.layers.Dense(2);
   * d.built; // → false
   * d.apply(tf.ones([1, 3]));
   * d.built; // → true
   * ```
   */
  built = false;
  /**
   * The dtype of the weights the layer creates (float32 by default).
   * @example
   * ```ts
   * new tf.keras.layers.Dense(2, { dtype: "float64" }).dtype; // → "float64"
   * ```
   */
  readonly dtype: DType;
  readonly #own: Variable[] = [];

  constructor(opts: LayerOptions = {}) {
    // a user subclass may take options of its own; Layer itself takes only these
    if (new.target === Layer) checkOptions("tf.keras.layers.Layer", opts, ["name", "trainable", "dtype"]);
    this.name = opts.name ?? uniqueName(snake(new.target.name || "layer"));
    this.trainable = opts.trainable ?? true;
    this.dtype = opts.dtype ?? "float32";
  }

  /**
   * Creates the weights, once, from the shape of the first input (override it).
   * @example
   * ```ts
   * const d = new tf.keras.layers.Dense(4);
   * d.build([1, 3]);
   * d.kernel.shape; // → [3, 4]
   * ```
   */
  build(_inputShape: any): void {}

  /**
   * The layer's computation (override it; the identity by default). `apply` builds, then calls it.
   * @example
   * ```ts
   * new tf.keras.layers.Layer().call(tf.constant([1, 2])); // → [1, 2]
   * ```
   */
  call(inputs: any, ..._args: any[]): any {
    return inputs;
  }

  /**
   * Builds on first use, then calls `call` with the input and any options such as `{ training }` (TensorFlow's `layer(x, training=...)`).
   * @example
   * ```ts
   * new tf.keras.layers.Dropout(0.5).apply(tf.ones([2]), { training: false }); // → [1, 1]
   * ```
   */
  apply(inputs: any, ...args: any[]): any {
    // functional API: on tf.keras.Input tensors, record a node and return symbolic outputs
    if (isSymbolic(inputs)) return applySymbolic(this, inputs, args);
    if (!this.built) {
      this.build(shapeOf(inputs));
      this.built = true;
    }
    return this.call(inputs, ...args);
  }

  /**
   * A new Variable named `<layer>/<name>`, tracked by this layer.
   * @example
   * ```ts
   * const l = new tf.keras.layers.Layer({ name: "l" });
   * l.addWeight("w", [2], { initializer: "ones" }).name; // → "l/w:0"
   * ```
   */
  addWeight(name: string, shape: readonly number[], opts: AddWeightOptions = {}): Variable {
    checkOptions(`Layer.addWeight ('${this.name}/${name}')`, opts, ["initializer", "trainable", "dtype"]);
    const dtype = opts.dtype ?? this.dtype;
    const init = getInitializer(opts.initializer ?? "glorotUniform");
    const v = new Variable(() => init(shape, dtype), { name: `${this.name}/${name}`, trainable: opts.trainable ?? true, dtype });
    this.#own.push(v);
    return v;
  }

  /**
   * Every variable of this layer and the layers it tracks, each once.
   * @example
   * ```ts
   * const d = new tf.keras.layers.Dense(2);
   * d.apply(tf.ones([1, 3]));
   * d.variables.length; // → 2
   * ```
   */
  get variables(): Variable[] {
    return this.#collect(() => true);
  }
  /**
   * The same as variables (Keras's weights).
   * @example
   * ```ts
   * new tf.keras.layers.Dense(2).weights.length; // → 0
   * ```
   */
  get weights(): Variable[] {
    return this.variables;
  }
  /**
   * The trainable variables (of trainable layers), in tracking order.
   * @example
   * ```ts
   * const d = new tf.keras.layers.BatchNormalization();
   * d.apply(tf.ones([1, 3]));
   * d.trainableVariables.length; // → 2
   * ```
   */
  get trainableVariables(): Variable[] {
    return this.#collect((t, v) => t && v.trainable);
  }
  /**
   * The same as trainableVariables.
   * @example
   * ```ts
   * new tf.keras.layers.Dense(2).trainableWeights.length; // → 0
   * ```
   */
  get trainableWeights(): Variable[] {
    return this.trainableVariables;
  }
  /**
   * The variables that are not trained (non-trainable variables, or all of a frozen layer).
   * @example
   * ```ts
   * const d = new tf.keras.layers.BatchNormalization();
   * d.apply(tf.ones([1, 3]));
   * d.nonTrainableVariables.length; // → 2
   * ```
   */
  get nonTrainableVariables(): Variable[] {
    return this.#collect((t, v) => !(t && v.trainable));
  }
  /**
   * The same as nonTrainableVariables.
   * @example
   * ```ts
   * new tf.keras.layers.Dense(2).nonTrainableWeights.length; // → 0
   * ```
   */
  get nonTrainableWeights(): Variable[] {
    return this.nonTrainableVariables;
  }

  /** Variables in tracking order (own weights, then fields), `keep(layer trainable, v)` deciding. */
  #collect(keep: (layerTrainable: boolean, v: Variable) => boolean): Variable[] {
    const out = new Set<Variable>();
    const seen = new Set<unknown>();
    const visit = (x: unknown, trainable: boolean): void => {
      if (x === null || typeof x !== "object" || seen.has(x)) return;
      seen.add(x);
      if (x instanceof Variable) {
        if (keep(trainable, x)) out.add(x);
      } else if (x instanceof Layer) {
        const t = trainable && x.trainable;
        for (const v of x.#own) visit(v, t);
        for (const f of Object.values(x)) visit(f, t);
      } else if (Array.isArray(x) || Object.getPrototypeOf(x) === Object.prototype) {
        for (const f of Object.values(x)) visit(f, trainable);
      }
    };
    visit(this, true);
    return [...out];
  }
}

/** A string name, a function, or null/"linear" for none. */
export type ActivationLike = string | ((x: Tensor) => Tensor) | null;

/** Keras 3's hard_sigmoid: relu6(x + 3) / 6. */
const hardSigmoid = (x: Tensor) => divide(nn.relu6(add(x, 3)), 6);
/** Keras's activation strings (tf.keras.activations.get), with Keras 3's definitions and defaults. */
const activations: Record<string, (x: Tensor) => Tensor> = {
  relu: nn.relu,
  relu6: nn.relu6,
  sigmoid,
  tanh,
  softmax: (x) => nn.softmax(x),
  log_softmax: (x) => nn.logSoftmax(x),
  softplus: nn.softplus,
  softsign: nn.softsign,
  gelu: (x) => nn.gelu(x), // exact (erf), as keras.activations.gelu
  elu: nn.elu,
  selu: nn.selu,
  swish: nn.silu,
  silu: nn.silu,
  hard_sigmoid: hardSigmoid,
  hard_silu: (x) => multiply(x, hardSigmoid(x)),
  hard_swish: (x) => multiply(x, hardSigmoid(x)),
  exponential: exp,
  leaky_relu: (x) => nn.leakyRelu(x, 0.2),
  mish: (x) => multiply(x, tanh(nn.softplus(x))),
  linear: (x) => x,
};
/**
 * An activation function from a Keras name ("relu", "gelu", "leaky_relu" or camelCase), a function
 * (returned as is), or null/undefined (the identity). An unknown name is a ValueError. Mirrors
 * `tf.keras.activations.get`.
 *
 * @example
 * ```ts
 * tf.keras.layers.getActivation("relu")(tf.constant([-1, 2])); // → [0, 2]
 * tf.keras.layers.getActivation(undefined)(tf.constant([-1])); // → [-1]
 * ```
 */
export function getActivation(a: ActivationLike | undefined): (x: Tensor) => Tensor {
  if (a === null || a === undefined) return (x) => x;
  if (typeof a === "function") return a;
  const f = activations[a.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()];
  if (!f) throw new ValueError({ message: `Unknown activation function: '${a}'. Use one of ${Object.keys(activations).join(", ")}, or a function.` });
  return f;
}

export interface DenseOptions extends LayerOptions {
  activation?: ActivationLike;
  useBias?: boolean;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
}

/**
 * A fully connected layer: y = activation(x · kernel + bias), kernel [in, units], bias [units]; the
 * weights are made on the first call, from the input's last axis (kernel Glorot uniform, bias
 * zeros by default). Mirrors `tf.keras.layers.Dense`.
 *
 * @example
 * ```ts
 * const layer = new tf.keras.layers.Dense(2, { kernelInitializer: "ones", activation: "relu" });
 * layer.apply(tf.constant([[1, -3]])); // → [[0, 0]]
 * layer.apply(tf.constant([[1, 2]])); // → [[3, 3]]
 * layer.kernel.shape; // → [2, 2]
 * ```
 */
export class Dense extends Layer {
  /**
   * The number of outputs.
   *
   * @example
   * ```ts
   * new tf.keras.layers.Dense(3).units; // → 3
   * ```
   */
  readonly units: number;
  /**
   * The activation applied after the affine map (identity by default).
   *
   * @example
   * ```ts
   * new tf.keras.layers.Dense(1, { activation: "relu" }).activation(tf.constant([-1, 2])); // → [0, 2]
   * ```
   */
  readonly activation: (x: Tensor) => Tensor;
  /**
   * Whether the layer adds a bias (default true).
   *
   * @example
   * ```ts
   * new tf.keras.layers.Dense(1, { useBias: false }).useBias; // → false
   * ```
   */
  readonly useBias: boolean;
  /**
   * The kernel Variable [in, units], made on the first call.
   *
   * @example
   * ```ts
   * const d = new tf.keras.layers.Dense(4);
   * d.apply(tf.ones([1, 3]));
   * d.kernel.shape; // → [3, 4]
   * ```
   */
  kernel!: Variable;
  /**
   * The bias Variable [units] (null without a bias or before the first call).
   *
   * @example
   * ```ts
   * const d = new tf.keras.layers.Dense(4);
   * d.apply(tf.ones([1, 3]));
   * d.bias!.value(); // → [0, 0, 0, 0]
   * ```
   */
  bias: Variable | null = null;
  readonly #kernelInit: InitializerLike;
  readonly #biasInit: InitializerLike;

  constructor(units: number, opts: DenseOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.Dense", opts, ["name", "trainable", "dtype", "activation", "useBias", "kernelInitializer", "biasInitializer"]);
    if (!Number.isInteger(units) || units <= 0) throw new ValueError({ message: `Received an invalid value for \`units\`, expected a positive integer. Received: units=${units}` });
    this.units = units;
    this.activation = getActivation(opts.activation);
    this.useBias = opts.useBias ?? true;
    this.#kernelInit = opts.kernelInitializer ?? "glorotUniform";
    this.#biasInit = opts.biasInitializer ?? "zeros";
  }

  override build(inputShape: number[]): void {
    const inDim = inputShape[inputShape.length - 1];
    if (inDim === undefined) throw new ValueError({ message: `Dense: the input must have at least one dimension, got shape (${inputShape.join(", ")}).` });
    this.kernel = this.addWeight("kernel", [inDim, this.units], { initializer: this.#kernelInit });
    if (this.useBias) this.bias = this.addWeight("bias", [this.units], { initializer: this.#biasInit });
  }

  override call(inputs: ArrayLike): Tensor {
    const api = `tf.keras.layers.Dense '${this.name}'`;
    const shape = inputs instanceof Tensor ? inputs.shape : np.asarray(inputs).shape;
    const inDim = this.kernel.shape[0]!;
    if (shape.length < 1 || shape[shape.length - 1] !== inDim) {
      throw new ValueError({
        message: `${api}: input of shape ${shapeText(shape)} is incompatible with the layer: expected axis -1 of the input to have value ${inDim} (the layer was built for inputs of shape (…, ${inDim})).`,
      });
    }
    return named(api, () => {
      const z = matmul(inputs, this.kernel);
      const b = this.bias ? add(z, this.bias) : z;
      const y = this.activation(b);
      // the intermediates are the layer's own: freed once no tape needs them (lifetime.ts)
      if (!isTracer(inputs)) {
        if (b !== z && b !== y) drop(b);
        if (z !== y) drop(z);
      }
      return y;
    });
  }
}
