// tf.keras.Model and tf.keras.Sequential: layers of layers.
import { Layer, type LayerOptions } from "./layers.js";

/** A Layer meant to be subclassed as a whole network (fields holding layers are tracked). */
export class Model extends Layer {}

/** Applies its layers in order. */
export class Sequential extends Model {
  readonly layers: Layer[];
  constructor(layers: readonly Layer[] = [], opts: LayerOptions = {}) {
    super(opts);
    this.layers = [...layers];
  }
  add(layer: Layer): void {
    this.layers.push(layer);
  }
  override call(inputs: any, ...args: any[]): any {
    return this.layers.reduce((x, l) => l.apply(x, ...args), inputs);
  }
}
