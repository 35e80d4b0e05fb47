// tf.Variable: a named, mutable holder of a tensor. Assignments replace the held tensor (tensors
// handed out earlier never change); reads while a tape records let it watch the variable.
import { Tensor, ValueError, keep, numpy as np, toTensorSymbol, type ArrayLike, type DType, type TensorConvertible } from "../index.js";
import { numpyRepr, tfPrint, tfShape } from "./format.js";
import { noteRead, quiet } from "./runtime.js";

export interface VariableOptions {
  trainable?: boolean;
  name?: string;
  dtype?: DType;
}

/**
 * A fresh tensor object holding `x`'s values as `dtype` (never `x` itself: a variable's tensors
 * are its own), kept alive past any enclosing tidy() (a variable outlives the step that assigns it).
 */
function ownCopy(x: ArrayLike, dtype?: DType): Tensor {
  return quiet(() => {
    const t = np.asarray(x, dtype ? { dtype } : {});
    return keep(tfPrint(np.squeeze(np.expandDims(t, 0), 0)));
  });
}

export class Variable implements TensorConvertible {
  readonly trainable: boolean;
  /** TensorFlow's name, with the output index: "Variable:0", "dense/kernel:0". */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  #value: Tensor;

  constructor(initialValue: ArrayLike | (() => ArrayLike), opts: VariableOptions = {}) {
    const init = typeof initialValue === "function" ? initialValue() : initialValue;
    this.#value = ownCopy(init, opts.dtype);
    this.dtype = this.#value.dtype;
    this.shape = this.#value.shape;
    this.trainable = opts.trainable ?? true;
    this.name = `${opts.name ?? "Variable"}:0`;
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The current value (a read: a recording tape watching this variable differentiates through it). */
  value(): Tensor {
    noteRead(this, this.#value);
    return this.#value;
  }
  /** TensorFlow's read_value(). */
  readValue(): Tensor {
    return this.value();
  }
  [toTensorSymbol](): Tensor {
    return this.value();
  }

  /** Replaces the value (same shape; cast to the variable's dtype). Not differentiable, as in TensorFlow. */
  assign(value: ArrayLike): this {
    const t = ownCopy(value, this.dtype);
    if (t.shape.length !== this.shape.length || t.shape.some((d, i) => d !== this.shape[i])) {
      throw new ValueError({
        message:
          `Cannot assign value to variable ' ${this.name}': Shape mismatch.The variable shape ${tfShape(this.shape)}, ` +
          `and the assigned value shape ${tfShape(t.shape)} are incompatible.`,
      });
    }
    this.#value = t;
    return this;
  }
  assignAdd(delta: ArrayLike): this {
    return this.assign(quiet(() => np.add(this.#value, np.asarray(delta))));
  }
  assignSub(delta: ArrayLike): this {
    return this.assign(quiet(() => np.subtract(this.#value, np.asarray(delta))));
  }

  /** The value as nested JS arrays (TensorFlow's .numpy()). */
  numpy(): any {
    return this.#value.toArray();
  }
  dataSync() {
    return this.#value.dataSync();
  }
  toArray(): any {
    return this.#value.toArray();
  }
  toString(): string {
    return `<tf.Variable '${this.name}' shape=${tfShape(this.shape)} dtype=${this.dtype}, numpy=${numpyRepr(this.#value)}>`;
  }
}

export function isVariable(x: unknown): x is Variable {
  return x instanceof Variable;
}
