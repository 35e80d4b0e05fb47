// tf.keras.layers.DepthwiseConv2D: each input channel convolved with its own depthMultiplier
// filters. One lax.convGeneralDilated with featureGroupCount = channels: the kernel
// [kh, kw, C, M] is read as HWIO [kh, kw, 1, C·M], so output channel c·M + m is channel c
// convolved with kernel[:, :, c, m] (TensorFlow's depthwise order), one recorded op on a tape.
import { ValueError, lax, numpy as np, type ArrayLike, type Tensor } from "../../index.js";
import { checkOptions, describe } from "../errors.js";
import { add } from "../ops.js";
import { run1 } from "../runtime.js";
import type { Variable } from "../variable.js";
import { Layer, getActivation, type ActivationLike, type LayerOptions } from "./layers.js";
import type { InitializerLike } from "./initializers.js";

/** Options of {@link DepthwiseConv2D} (Keras's defaults in brackets). */
export interface DepthwiseConv2DOptions extends LayerOptions {
  /** Window steps, one or [sh, sw] [1]. */
  strides?: number | [number, number];
  /** "valid" [default] or "same". */
  padding?: "valid" | "same";
  /** Output channels per input channel [1]. */
  depthMultiplier?: number;
  /** Holes between kernel taps, one or [dh, dw] [1] (not with strides > 1). */
  dilationRate?: number | [number, number];
  /** The activation applied last [none]. */
  activation?: ActivationLike;
  /** Whether to add a bias [true]. */
  useBias?: boolean;
  /** The depthwise kernel's initializer ["glorotUniform"]. */
  depthwiseInitializer?: InitializerLike;
  /** The bias's initializer ["zeros"]. */
  biasInitializer?: InitializerLike;
}
const KEYS = ["name", "trainable", "dtype", "strides", "padding", "depthMultiplier", "dilationRate", "activation", "useBias", "depthwiseInitializer", "biasInitializer"];
const API = "tf.keras.layers.DepthwiseConv2D";

function pair(what: string, v: unknown): [number, number] {
  const p = typeof v === "number" ? [v, v] : Array.isArray(v) ? [...v] : [];
  if (p.length !== 2 || p.some((d) => !Number.isInteger(d) || d < 1)) throw new ValueError({ message: `${API}: ${what} must be a positive integer or a pair of them, got ${describe(v)}.` });
  return p as [number, number];
}

/**
 * Depthwise 2-D convolution over NHWC: every input channel is convolved with its own
 * `depthMultiplier` filters (no mixing across channels), output channels C·depthMultiplier,
 * then bias and activation. Kernel [kh, kw, C, depthMultiplier]. Mirrors
 * tf.keras.layers.DepthwiseConv2D.
 * @example
 * ```ts
 * const d = new tf.keras.layers.DepthwiseConv2D(3, { depthMultiplier: 2, padding: "same" });
 * d.apply(tf.zeros([1, 5, 5, 3])).shape; // → [1, 5, 5, 6]
 * ```
 */
export class DepthwiseConv2D extends Layer {
  /**
   * The window [kh, kw].
   * @example
   * ```ts
   * new tf.keras.layers.DepthwiseConv2D([3, 5]).kernelSize; // → [3, 5]
   * ```
   */
  readonly kernelSize: [number, number];
  /**
   * Output channels per input channel.
   * @example
   * ```ts
   * new tf.keras.layers.DepthwiseConv2D(3, { depthMultiplier: 4 }).depthMultiplier; // → 4
   * ```
   */
  readonly depthMultiplier: number;
  /**
   * The kernel [kh, kw, channels, depthMultiplier] (after build).
   * @example
   * ```ts
   * const d = new tf.keras.layers.DepthwiseConv2D(3, { depthMultiplier: 2 });
   * d.apply(tf.zeros([1, 4, 4, 5]));
   * d.depthwiseKernel.shape; // → [3, 3, 5, 2]
   * ```
   */
  depthwiseKernel!: Variable;
  /**
   * The bias [channels · depthMultiplier] (null with useBias: false).
   * @example
   * ```ts
   * const d = new tf.keras.layers.DepthwiseConv2D(1);
   * d.apply(tf.zeros([1, 2, 2, 2]));
   * d.bias!.value(); // → [0, 0]
   * ```
   */
  bias: Variable | null = null;
  readonly #strides: [number, number];
  readonly #dilation: [number, number];
  readonly #padding: "VALID" | "SAME";
  readonly #activation: (x: Tensor) => Tensor;
  readonly #useBias: boolean;
  readonly #inits: [InitializerLike, InitializerLike];
  constructor(kernelSize: number | [number, number], opts: DepthwiseConv2DOptions = {}) {
    super(opts);
    checkOptions(API, opts, KEYS);
    this.kernelSize = pair("kernelSize", kernelSize);
    const m = opts.depthMultiplier ?? 1;
    if (!Number.isInteger(m) || m < 1) throw new ValueError({ message: `${API}: depthMultiplier must be a positive integer, got ${describe(m)}.` });
    this.depthMultiplier = m;
    this.#strides = pair("strides", opts.strides ?? 1);
    this.#dilation = pair("dilationRate", opts.dilationRate ?? 1);
    if (this.#strides.some((s) => s > 1) && this.#dilation.some((d) => d > 1)) {
      throw new ValueError({ message: `${API}: strides > 1 is not compatible with dilationRate > 1 (got strides [${this.#strides}], dilationRate [${this.#dilation}]).` });
    }
    const p = opts.padding ?? "valid";
    if (p !== "valid" && p !== "same") throw new ValueError({ message: `${API}: padding must be "valid" or "same", got ${describe(p)}.` });
    this.#padding = p === "same" ? "SAME" : "VALID";
    this.#activation = getActivation(opts.activation);
    this.#useBias = opts.useBias ?? true;
    this.#inits = [opts.depthwiseInitializer ?? "glorotUniform", opts.biasInitializer ?? "zeros"];
  }
  /**
   * Creates the depthwise kernel (and bias) from the input's channels.
   * @example
   * ```ts
   * const d = new tf.keras.layers.DepthwiseConv2D(2);
   * d.build([1, 4, 4, 3]);
   * d.depthwiseKernel.shape; // → [2, 2, 3, 1]
   * ```
   */
  override build(shape: number[]): void {
    if (shape.length !== 4) throw new ValueError({ message: `Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=4 (NHWC), found ndim=${shape.length}. Full shape received: (${shape.join(", ")})` });
    const c = shape[3]!;
    this.depthwiseKernel = this.addWeight("depthwise_kernel", [...this.kernelSize, c, this.depthMultiplier], { initializer: this.#inits[0] });
    if (this.#useBias) this.bias = this.addWeight("bias", [c * this.depthMultiplier], { initializer: this.#inits[1] });
  }
  /**
   * The depthwise convolution, bias and activation.
   * @example
   * ```ts
   * const d = new tf.keras.layers.DepthwiseConv2D(2, { depthwiseInitializer: "ones" });
   * d.apply(tf.reshape(tf.constant([1, 10, 2, 20, 3, 30, 4, 40]), [1, 2, 2, 2])).reshape([2]); // → [10, 100]
   * ```
   */
  override call(x: ArrayLike): Tensor {
    const y = run1(([aa, k]) => {
      const a = np.asarray(aa);
      const [kh, kw, c, m] = k.shape as number[];
      if (a.shape[3] !== c) throw new ValueError({ message: `${API}: the input has ${a.shape[3]} channels but the layer was built for ${c}.` });
      return lax.convGeneralDilated(a, k.reshape([kh!, kw!, 1, c! * m!]), this.#strides, this.#padding, {
        rhsDilation: this.#dilation,
        featureGroupCount: c!,
        dimensionNumbers: ["NHWC", "HWIO", "NHWC"],
      });
    }, [x, this.depthwiseKernel], API);
    return this.#activation(this.bias ? add(y, this.bias) : y);
  }
}
