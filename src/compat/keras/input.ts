// tf.keras.Input and tf.keras.layers.InputLayer: the entry points of a functional model.
import type { DType } from "../../index.js";
import { checkOptions } from "../errors.js";
import { KerasTensor, makeInput, type InputOptions } from "./functional.js";
import { Layer } from "./layers.js";

/**
 * The layer an Input stands for: the identity, holding the input's shape (its row in summary()).
 * Mirrors tf.keras.layers.InputLayer.
 * @example
 * ```ts
 * const l = new tf.keras.layers.InputLayer({ shape: [3] });
 * l.output.shape; // → [null, 3]
 * ```
 */
export class InputLayer extends Layer {
  /**
   * The symbolic tensor this layer feeds (pass it to layers to build a functional model).
   * @example
   * ```ts
   * new tf.keras.layers.InputLayer({ shape: [2] }).output instanceof tf.keras.KerasTensor; // → true
   * ```
   */
  readonly output: KerasTensor;
  constructor(opts: InputOptions) {
    super({ name: opts?.name, dtype: opts?.dtype as DType | undefined });
    checkOptions("tf.keras.layers.InputLayer", opts ?? {}, ["shape", "dtype", "name"]);
    this.output = makeInput("tf.keras.layers.InputLayer", opts);
    inputLayers.set(this.output, this);
    this.built = true;
  }
}

/** The InputLayer of each Input tensor (summary rows). */
export const inputLayers = new WeakMap<KerasTensor, InputLayer>();

/**
 * A symbolic input of the given per-example shape (the batch axis is left open): apply layers
 * to it, then make a model with `new tf.keras.Model({ inputs, outputs })`. Mirrors tf.keras.Input.
 * @example
 * ```ts
 * const x = tf.keras.Input({ shape: [2] });
 * const y = new tf.keras.layers.Dense(1, { kernelInitializer: "ones" }).apply(x);
 * const model = new tf.keras.Model({ inputs: x, outputs: y });
 * model.apply(tf.constant([[1, 2]])); // → [[3]]
 * ```
 */
export function Input(opts: InputOptions): KerasTensor {
  makeInput("tf.keras.Input", opts); // validates, naming this API
  return new InputLayer(opts).output;
}
