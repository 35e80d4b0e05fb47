// tf.keras.layers for images (NHWC, Keras's channels_last): Conv2D on lax.convGeneralDilated,
// MaxPooling2D / AveragePooling2D on nn.maxPool / nn.avgPool, and the global poolings. Each
// computation is one recorded op (run1), so tapes differentiate it through the core's rules.
import { ValueError, nn as tnn, numpy as np, type ArrayLike, type Tensor } from "../../index.js";
import { conv2d } from "../conv.js";
import { checkOptions, describe } from "../errors.js";
import { add } from "../ops.js";
import { run1 } from "../runtime.js";
import type { Variable } from "../variable.js";
import { Layer, getActivation, type ActivationLike, type LayerOptions } from "./layers.js";
import type { InitializerLike } from "./initializers.js";

const BASE = ["name", "trainable", "dtype"];
type Pad = "valid" | "same";

function pair(api: string, what: string, v: number | readonly number[] | undefined, fallback: number): [number, number] {
  const p = v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : [...v];
  if (p.length !== 2 || p.some((d) => !Number.isInteger(d) || d < 1)) throw new ValueError({ message: `${api}: ${what} must be a positive integer or a pair of them, got ${describe(v)}.` });
  return p as [number, number];
}
function padOf(api: string, p: unknown): "VALID" | "SAME" {
  if (p === undefined || p === "valid") return "VALID";
  if (p === "same") return "SAME";
  throw new ValueError({ message: `${api}: padding must be "valid" or "same", got ${describe(p)}.` });
}

/**
 * 2-D convolution over NHWC inputs: y = activation(conv(x, kernel) + bias), kernel
 * [kh, kw, in, filters]. Mirrors tf.keras.layers.Conv2D (strides 1, padding "valid").
 * @example
 * ```ts
 * const c = new tf.keras.layers.Conv2D(4, 3, { padding: "same" });
 * c.apply(tf.zeros([2, 5, 5, 3])).shape; // → [2, 5, 5, 4]
 * ```
 */
export class Conv2D extends Layer {
  /**
   * The number of output channels.
   * @example
   * ```ts
   * new tf.keras.layers.Conv2D(8, 3).filters; // → 8
   * ```
   */
  readonly filters: number;
  /**
   * The window [kh, kw].
   * @example
   * ```ts
   * new tf.keras.layers.Conv2D(8, [3, 5]).kernelSize; // → [3, 5]
   * ```
   */
  readonly kernelSize: [number, number];
  /**
   * The kernel [kh, kw, in, filters] (after build).
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2D(2, 3);
   * c.apply(tf.zeros([1, 4, 4, 1]));
   * c.kernel.shape; // → [3, 3, 1, 2]
   * ```
   */
  kernel!: Variable;
  /**
   * The bias [filters] (null with useBias: false).
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2D(2, 3);
   * c.apply(tf.zeros([1, 4, 4, 1]));
   * c.bias!.value(); // → [0, 0]
   * ```
   */
  bias: Variable | null = null;
  readonly #strides: [number, number];
  readonly #padding: "VALID" | "SAME";
  readonly #activation: (x: Tensor) => Tensor;
  readonly #useBias: boolean;
  readonly #kernelInit: InitializerLike;
  readonly #biasInit: InitializerLike;
  constructor(filters: number, kernelSize: number | [number, number], opts: LayerOptions & { strides?: number | [number, number]; padding?: Pad; activation?: ActivationLike; useBias?: boolean; kernelInitializer?: InitializerLike; biasInitializer?: InitializerLike } = {}) {
    super(opts);
    const api = "tf.keras.layers.Conv2D";
    checkOptions(api, opts, [...BASE, "strides", "padding", "activation", "useBias", "kernelInitializer", "biasInitializer"]);
    if (!Number.isInteger(filters) || filters < 1) throw new ValueError({ message: `${api}: filters must be a positive integer, got ${describe(filters)}.` });
    this.filters = filters;
    this.kernelSize = pair(api, "kernelSize", kernelSize, 1);
    this.#strides = pair(api, "strides", opts.strides, 1);
    this.#padding = padOf(api, opts.padding);
    this.#activation = getActivation(opts.activation);
    this.#useBias = opts.useBias ?? true;
    this.#kernelInit = opts.kernelInitializer ?? "glorotUniform";
    this.#biasInit = opts.biasInitializer ?? "zeros";
  }
  /**
   * Creates the kernel (and bias) from the input's channels.
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2D(3, 1);
   * c.build([1, 2, 2, 5]);
   * c.kernel.shape; // → [1, 1, 5, 3]
   * ```
   */
  override build(shape: number[]): void {
    if (shape.length !== 4) throw new ValueError({ message: `Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=4 (NHWC), found ndim=${shape.length}. Full shape received: (${shape.join(", ")})` });
    this.kernel = this.addWeight("kernel", [...this.kernelSize, shape[3]!, this.filters], { initializer: this.#kernelInit });
    if (this.#useBias) this.bias = this.addWeight("bias", [this.filters], { initializer: this.#biasInit });
  }
  /**
   * The convolution, bias and activation.
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2D(1, 2, { kernelInitializer: "ones" });
   * c.apply(tf.ones([1, 2, 2, 1])).reshape([1]); // → [4]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const y = conv2d(x, this.kernel, this.#strides, this.#padding);
    return this.#activation(this.bias ? add(y, this.bias) : y);
  }
}

/** Max or average 2-D pooling over NHWC (average excludes the padding, as TensorFlow's SAME). */
abstract class Pooling2D extends Layer {
  readonly #pool: [number, number];
  readonly #strides: [number, number];
  readonly #padding: "VALID" | "SAME";
  constructor(opts: LayerOptions & { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: Pad }, api: string) {
    super(opts);
    checkOptions(api, opts, [...BASE, "poolSize", "strides", "padding"]);
    this.#pool = pair(api, "poolSize", opts.poolSize, 2);
    this.#strides = opts.strides === undefined ? this.#pool : pair(api, "strides", opts.strides, 1);
    this.#padding = padOf(api, opts.padding);
  }
  protected abstract kind(): "max" | "avg";
  /**
   * Pools each window of each channel.
   * @example
   * ```ts
   * new tf.keras.layers.MaxPooling2D().apply(tf.reshape(tf.range(0, 16, 1, "float32"), [1, 4, 4, 1])).reshape([4]); // → [5, 7, 13, 15]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const max = this.kind() === "max";
    return run1(([a]) => (max ? tnn.maxPool(a, this.#pool, this.#strides, this.#padding) : tnn.avgPool(a, this.#pool, this.#strides, this.#padding, false)), [x], `tf.keras.layers.${this.constructor.name}`);
  }
}

/**
 * The maximum of each poolSize window (poolSize 2, strides = poolSize). Mirrors
 * tf.keras.layers.MaxPooling2D.
 * @example
 * ```ts
 * new tf.keras.layers.MaxPooling2D({ poolSize: 2 }).apply(tf.zeros([1, 6, 6, 3])).shape; // → [1, 3, 3, 3]
 * ```
 */
export class MaxPooling2D extends Pooling2D {
  constructor(opts: LayerOptions & { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: Pad } = {}) {
    super(opts, "tf.keras.layers.MaxPooling2D");
  }
  protected kind(): "max" {
    return "max";
  }
}

/**
 * The mean of each poolSize window (padding excluded from the count). Mirrors
 * tf.keras.layers.AveragePooling2D.
 * @example
 * ```ts
 * new tf.keras.layers.AveragePooling2D().apply(tf.ones([1, 4, 4, 1])).reshape([4]); // → [1, 1, 1, 1]
 * ```
 */
export class AveragePooling2D extends Pooling2D {
  constructor(opts: LayerOptions & { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: Pad } = {}) {
    super(opts, "tf.keras.layers.AveragePooling2D");
  }
  protected kind(): "avg" {
    return "avg";
  }
}

/**
 * The mean over the spatial axes: [b, h, w, c] → [b, c]. Mirrors
 * tf.keras.layers.GlobalAveragePooling2D.
 * @example
 * ```ts
 * new tf.keras.layers.GlobalAveragePooling2D().apply(tf.ones([2, 3, 3, 4])).shape; // → [2, 4]
 * ```
 */
export class GlobalAveragePooling2D extends Layer {
  constructor(opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.GlobalAveragePooling2D", opts, BASE);
  }
  /**
   * Averages over height and width.
   * @example
   * ```ts
   * new tf.keras.layers.GlobalAveragePooling2D().call(tf.reshape(tf.constant([1, 2, 3, 6]), [1, 2, 2, 1])); // → [[3]]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    return run1(([a]) => np.mean(a, [1, 2]), [x], "tf.keras.layers.GlobalAveragePooling2D");
  }
}

/**
 * The maximum over the spatial axes: [b, h, w, c] → [b, c]. Mirrors
 * tf.keras.layers.GlobalMaxPooling2D.
 * @example
 * ```ts
 * new tf.keras.layers.GlobalMaxPooling2D().apply(tf.reshape(tf.constant([1, 7, 3, 6]), [1, 2, 2, 1])); // → [[7]]
 * ```
 */
export class GlobalMaxPooling2D extends Layer {
  constructor(opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.layers.GlobalMaxPooling2D", opts, BASE);
  }
  /**
   * Takes the maximum over height and width.
   * @example
   * ```ts
   * new tf.keras.layers.GlobalMaxPooling2D().call(tf.ones([1, 2, 2, 3])).shape; // → [1, 3]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    return run1(([a]) => np.max(a, [1, 2]), [x], "tf.keras.layers.GlobalMaxPooling2D");
  }
}
