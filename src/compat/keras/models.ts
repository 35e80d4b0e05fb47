// tf.keras.Model and tf.keras.Sequential: layers of layers.
import { Tensor, isTracer } from "../../index.js";
import { checkOptions } from "../errors.js";
import { drop, madeSince, serialNow } from "../lifetime.js";
import { Layer, type LayerOptions } from "./layers.js";

/** A Layer meant to be subclassed as a whole network (fields holding layers are tracked). */
export class Model extends Layer {}

/**
 * Applies its layers in order. The output of each layer but the last is Sequential's own (the
 * user is handed only the last): it is freed once the next layer and any recording tape are done
 * with it — if a layer keeps its output for later, return a copy (tf.identity) or call it yourself.
 */
export class Sequential extends Model {
  readonly layers: Layer[];
  constructor(layers: readonly Layer[] = [], opts: LayerOptions = {}) {
    super(opts);
    checkOptions("tf.keras.Sequential", opts, ["name", "trainable", "dtype"]);
    this.layers = [...layers];
  }
  add(layer: Layer): void {
    this.layers.push(layer);
  }
  override call(inputs: any, ...args: any[]): any {
    const since = serialNow();
    let x = inputs;
    for (const layer of this.layers) {
      const y = layer.apply(x, ...args);
      // only a tensor a compat op made during this call (never the input, never a tensor a layer holds)
      if (x !== inputs && x !== y && x instanceof Tensor && !isTracer(x) && madeSince(x, since)) drop(x);
      x = y;
    }
    return x;
  }
}
