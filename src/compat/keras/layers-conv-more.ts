// tf.keras.layers Conv1D (NWC, with Keras's "causal" padding) and Conv2DTranspose (NHWC) on
// lax.convGeneralDilated / tf.nn.conv2dTranspose: each convolution one recorded op on a tape.
import { ValueError, lax, type ArrayLike, type Tensor } from "../../index.js";
import { checkOptions, describe } from "../errors.js";
import { conv2dTranspose } from "../nn-more.js";
import { add, convertToTensor } from "../ops.js";
import { run1 } from "../runtime.js";
import type { Variable } from "../variable.js";
import { Layer, getActivation, type ActivationLike, type LayerOptions } from "./layers.js";
import type { InitializerLike } from "./initializers.js";

const KEYS = ["name", "trainable", "dtype", "strides", "padding", "activation", "useBias", "kernelInitializer", "biasInitializer"];

/** The options shared by Conv1D and Conv2DTranspose (Keras's defaults in brackets). */
export interface ConvLayerOptions extends LayerOptions {
  /** ["valid"]; Conv1D also takes "causal" (left padding only, so step t sees steps ≤ t). */
  padding?: "valid" | "same" | "causal";
  /** The activation applied last [none]. */
  activation?: ActivationLike;
  /** Whether to add a bias [true]. */
  useBias?: boolean;
  /** The kernel's initializer ["glorotUniform"]. */
  kernelInitializer?: InitializerLike;
  /** The bias's initializer ["zeros"]. */
  biasInitializer?: InitializerLike;
}

function positive(api: string, what: string, v: unknown, n: number): number[] {
  const l = typeof v === "number" ? Array(n).fill(v) : Array.isArray(v) ? [...v] : [];
  if (l.length !== n || l.some((d) => !Number.isInteger(d) || d < 1)) throw new ValueError({ message: `${api}: ${what} must be a positive integer${n > 1 ? ` or ${n} of them` : ""}, got ${describe(v)}.` });
  return l;
}

/**
 * 1-D convolution over [batch, steps, channels]: y = activation(conv(x, kernel) + bias), kernel
 * [k, in, filters]. "causal" pads (k − 1)·dilation steps on the left. Mirrors
 * tf.keras.layers.Conv1D (strides 1, padding "valid").
 * @example
 * ```ts
 * const c = new tf.keras.layers.Conv1D(4, 3, { padding: "causal" });
 * c.apply(tf.zeros([2, 10, 3])).shape; // → [2, 10, 4]
 * ```
 */
export class Conv1D extends Layer {
  /**
   * The number of output channels.
   * @example
   * ```ts
   * new tf.keras.layers.Conv1D(6, 2).filters; // → 6
   * ```
   */
  readonly filters: number;
  /**
   * The window length.
   * @example
   * ```ts
   * new tf.keras.layers.Conv1D(6, 5).kernelSize; // → 5
   * ```
   */
  readonly kernelSize: number;
  /**
   * The kernel [kernelSize, in, filters] (after build).
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv1D(2, 3);
   * c.apply(tf.zeros([1, 5, 4]));
   * c.kernel.shape; // → [3, 4, 2]
   * ```
   */
  kernel!: Variable;
  /**
   * The bias [filters] (null with useBias: false).
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv1D(2, 3);
   * c.apply(tf.zeros([1, 5, 4]));
   * c.bias!.value(); // → [0, 0]
   * ```
   */
  bias: Variable | null = null;
  readonly #stride: number;
  readonly #dilation: number;
  readonly #padding: "valid" | "same" | "causal";
  readonly #activation: (x: Tensor) => Tensor;
  readonly #useBias: boolean;
  readonly #inits: [InitializerLike, InitializerLike];
  constructor(filters: number, kernelSize: number, opts: ConvLayerOptions & { strides?: number; dilationRate?: number } = {}) {
    super(opts);
    const api = "tf.keras.layers.Conv1D";
    checkOptions(api, opts, [...KEYS, "dilationRate"]);
    this.filters = positive(api, "filters", filters, 1)[0]!;
    this.kernelSize = positive(api, "kernelSize", kernelSize, 1)[0]!;
    this.#stride = positive(api, "strides", opts.strides ?? 1, 1)[0]!;
    this.#dilation = positive(api, "dilationRate", opts.dilationRate ?? 1, 1)[0]!;
    const p = opts.padding ?? "valid";
    if (p !== "valid" && p !== "same" && p !== "causal") throw new ValueError({ message: `${api}: padding must be "valid", "same" or "causal", got ${describe(p)}.` });
    if (this.#stride > 1 && this.#dilation > 1) throw new ValueError({ message: `${api}: strides > 1 is not compatible with dilationRate > 1 (got strides ${this.#stride}, dilationRate ${this.#dilation}).` });
    this.#padding = p;
    this.#activation = getActivation(opts.activation);
    this.#useBias = opts.useBias ?? true;
    this.#inits = [opts.kernelInitializer ?? "glorotUniform", opts.biasInitializer ?? "zeros"];
  }
  /**
   * Creates the kernel (and bias) from the input's channels.
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv1D(3, 2);
   * c.build([1, 8, 5]);
   * c.kernel.shape; // → [2, 5, 3]
   * ```
   */
  override build(shape: number[]): void {
    if (shape.length !== 3) throw new ValueError({ message: `Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=3 ([batch, steps, channels]), found ndim=${shape.length}. Full shape received: (${shape.join(", ")})` });
    this.kernel = this.addWeight("kernel", [this.kernelSize, shape[2]!, this.filters], { initializer: this.#inits[0] });
    if (this.#useBias) this.bias = this.addWeight("bias", [this.filters], { initializer: this.#inits[1] });
  }
  /**
   * The convolution, bias and activation.
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv1D(1, 2, { kernelInitializer: "ones", padding: "causal" });
   * c.apply(tf.constant([[[1], [2], [3]]])).reshape([3]); // → [1, 3, 5]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const d = this.#dilation;
    // causal: (k − 1)·dilation zeros before the first step, none after
    const p = this.#padding === "causal" ? [[(this.kernelSize - 1) * d, 0] as const] : this.#padding === "same" ? "SAME" : "VALID";
    const y = run1(([a, k]) => lax.convGeneralDilated(a, k, [this.#stride], p, { rhsDilation: [d], dimensionNumbers: ["NHC", "HIO", "NHC"] }), [x, this.kernel], "tf.keras.layers.Conv1D");
    return this.#activation(this.bias ? add(y, this.bias) : y);
  }
}

/**
 * The transposed 2-D convolution (upsampling by strides) over NHWC: kernel [kh, kw, filters,
 * in]; output size input·stride ("same") or input·stride + max(k − stride, 0) ("valid"), as
 * Keras's deconvOutputLength. Mirrors tf.keras.layers.Conv2DTranspose.
 * @example
 * ```ts
 * const c = new tf.keras.layers.Conv2DTranspose(4, 3, { strides: 2, padding: "same" });
 * c.apply(tf.zeros([1, 5, 5, 2])).shape; // → [1, 10, 10, 4]
 * ```
 */
export class Conv2DTranspose extends Layer {
  /**
   * The number of output channels.
   * @example
   * ```ts
   * new tf.keras.layers.Conv2DTranspose(6, 2).filters; // → 6
   * ```
   */
  readonly filters: number;
  /**
   * The window [kh, kw].
   * @example
   * ```ts
   * new tf.keras.layers.Conv2DTranspose(6, [2, 3]).kernelSize; // → [2, 3]
   * ```
   */
  readonly kernelSize: [number, number];
  /**
   * The kernel [kh, kw, filters, in] (after build).
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2DTranspose(2, 3);
   * c.apply(tf.zeros([1, 4, 4, 5]));
   * c.kernel.shape; // → [3, 3, 2, 5]
   * ```
   */
  kernel!: Variable;
  /**
   * The bias [filters] (null with useBias: false).
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2DTranspose(2, 3, { useBias: false });
   * c.apply(tf.zeros([1, 4, 4, 5]));
   * c.bias; // → null
   * ```
   */
  bias: Variable | null = null;
  readonly #strides: [number, number];
  readonly #padding: "valid" | "same";
  readonly #activation: (x: Tensor) => Tensor;
  readonly #useBias: boolean;
  readonly #inits: [InitializerLike, InitializerLike];
  constructor(filters: number, kernelSize: number | [number, number], opts: Omit<ConvLayerOptions, "padding"> & { strides?: number | [number, number]; padding?: "valid" | "same" } = {}) {
    super(opts);
    const api = "tf.keras.layers.Conv2DTranspose";
    checkOptions(api, opts, KEYS);
    this.filters = positive(api, "filters", filters, 1)[0]!;
    this.kernelSize = positive(api, "kernelSize", kernelSize, 2) as [number, number];
    this.#strides = positive(api, "strides", opts.strides ?? 1, 2) as [number, number];
    const p = opts.padding ?? "valid";
    if (p !== "valid" && p !== "same") throw new ValueError({ message: `${api}: padding must be "valid" or "same", got ${describe(p)}.` });
    this.#padding = p;
    this.#activation = getActivation(opts.activation);
    this.#useBias = opts.useBias ?? true;
    this.#inits = [opts.kernelInitializer ?? "glorotUniform", opts.biasInitializer ?? "zeros"];
  }
  /**
   * Creates the kernel (and bias) from the input's channels.
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2DTranspose(3, 2);
   * c.build([1, 4, 4, 7]);
   * c.kernel.shape; // → [2, 2, 3, 7]
   * ```
   */
  override build(shape: number[]): void {
    if (shape.length !== 4) throw new ValueError({ message: `Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=4 (NHWC), found ndim=${shape.length}. Full shape received: (${shape.join(", ")})` });
    this.kernel = this.addWeight("kernel", [...this.kernelSize, this.filters, shape[3]!], { initializer: this.#inits[0] });
    if (this.#useBias) this.bias = this.addWeight("bias", [this.filters], { initializer: this.#inits[1] });
  }
  /**
   * The transposed convolution, bias and activation.
   * @example
   * ```ts
   * const c = new tf.keras.layers.Conv2DTranspose(1, 2, { strides: 2, kernelInitializer: "ones" });
   * c.apply(tf.ones([1, 1, 1, 1])).reshape([4]); // → [1, 1, 1, 1]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const t = convertToTensor(x);
    const out = [0, 1].map((a) => {
      const len = t.shape[a + 1]! * this.#strides[a]!;
      return this.#padding === "valid" ? len + Math.max(this.kernelSize[a]! - this.#strides[a]!, 0) : len;
    });
    const y = conv2dTranspose(t, this.kernel, [t.shape[0]!, out[0]!, out[1]!, this.filters], this.#strides, this.#padding === "same" ? "SAME" : "VALID");
    return this.#activation(this.bias ? add(y, this.bias) : y);
  }
}
