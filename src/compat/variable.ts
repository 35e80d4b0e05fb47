// tf.Variable: a named, mutable holder of a tensor. Assignments replace the held tensor (tensors
// handed out earlier never change); reads while a tape records let it watch the variable.
import { ConcretizationError, DTypeError, Tensor, ValueError, isTracer, keep, tidy, numpy as np, toTensorSymbol, type ArrayLike, type DType, type TensorConvertible } from "../index.js";
import { checkOptions, describe, named } from "./errors.js";
import { numpyRepr, tfPrint, tfShape } from "./format.js";
import { drop } from "./lifetime.js";
import { internalRead, noteRead, quiet } from "./runtime.js";

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
  // tidy frees the intermediate handles (each holds a share of the storage until disposed)
  return quiet(() => keep(tfPrint(tidy(() => np.squeeze(np.expandDims(np.asarray(x, dtype ? { dtype } : {}), 0), 0)))));
}

/** Variables made so far: each one's creation number orders watchedVariables(), as TensorFlow's ids do. */
let created = 0;
/** The creation number of a variable (TensorFlow orders watched variables by it). */
export const creationOrder = new WeakMap<Variable, number>();

export class Variable implements TensorConvertible {
  readonly trainable: boolean;
  /** TensorFlow's name, with the output index: "Variable:0", "dense/kernel:0". */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  #value: Tensor;
  /** Whether #value was handed to the user (then it is theirs: never freed by assign). */
  #exposed = false;

  constructor(initialValue: ArrayLike | (() => ArrayLike), opts: VariableOptions = {}) {
    checkOptions("tf.Variable", opts, ["trainable", "name", "dtype"]);
    const init = typeof initialValue === "function" ? initialValue() : initialValue;
    this.#value = named("tf.Variable", () => ownCopy(init, opts.dtype));
    this.dtype = this.#value.dtype;
    this.shape = this.#value.shape;
    this.trainable = opts.trainable ?? true;
    this.name = `${opts.name ?? "Variable"}:0`;
    creationOrder.set(this, ++created);
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The current value (a read: a recording tape watching this variable differentiates through it). */
  value(): Tensor {
    this.#exposed = true;
    noteRead(this, this.#value);
    return this.#value;
  }
  /** @internal a read by a compat op (the value goes to the op and the tapes, not to the user). */
  [internalRead](): Tensor {
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

  /**
   * Replaces the value: the same shape, and a tensor must have the variable's dtype (JS numbers
   * and arrays are converted to it), as TensorFlow. Not differentiable, as in TensorFlow. A value
   * traced inside jit/grad/vmap is refused (a Variable holds concrete values only).
   */
  assign(value: ArrayLike): this {
    this.#check("assign", value);
    return this.#set(value);
  }
  /** Adds `delta` to the value (assign(value + delta)). */
  assignAdd(delta: ArrayLike): this {
    this.#check("assignAdd", delta);
    this.#checkSameShape("assignAdd", delta);
    return this.#set(quiet(() => np.add(this.#value, np.asarray(delta, { dtype: this.dtype }))));
  }
  /** Subtracts `delta` from the value (assign(value − delta)). */
  assignSub(delta: ArrayLike): this {
    this.#check("assignSub", delta);
    this.#checkSameShape("assignSub", delta);
    return this.#set(quiet(() => np.subtract(this.#value, np.asarray(delta, { dtype: this.dtype }))));
  }

  /** The checks TensorFlow makes of an assigned value, in the words of the method called. */
  #check(api: string, value: unknown): void {
    const what = `Variable.${api} ('${this.name}', ${this.dtype} ${tfShape(this.shape)})`;
    const t = value instanceof Variable ? value.#value : value;
    if (isTracer(t)) {
      throw new ConcretizationError({
        message:
          `${what}: the value is traced (${describe(t)} inside jit, grad or vmap); a Variable holds concrete values only, ` +
          "and the assignment would leave it holding a tracer. Return the new value from the transformed function and assign it outside, or compute the update outside the transform.",
      });
    }
    if (t === undefined || t === null) throw new ValueError({ message: `${what}: got ${describe(t)}; give a tensor, a number or a nested array.` });
    if (t instanceof Tensor && t.dtype !== this.dtype) {
      throw new DTypeError({ message: `${what}: Tensor conversion requested dtype ${this.dtype} for Tensor with dtype ${t.dtype}. Cast it first: tf.cast(value, "${this.dtype}").` });
    }
  }
  /** assignAdd/assignSub take a delta of exactly the variable's shape (TF broadcasts none, not even a scalar). */
  #checkSameShape(api: string, delta: ArrayLike): void {
    const shape = delta instanceof Variable || delta instanceof Tensor ? delta.shape : quiet(() => np.asarray(delta)).shape;
    if (shape.length !== this.shape.length || shape.some((d, i) => d !== this.shape[i])) {
      throw new ValueError({
        message:
          `Variable.${api} ('${this.name}'): Cannot update variable with shape [${this.shape.join(",")}] using a Tensor with shape [${shape.join(",")}], shapes must be equal. ` +
          `Reshape or broadcast the delta first (tf.broadcastTo(delta, [${this.shape.join(", ")}])).`,
      });
    }
  }

  /** Holds a copy of `value`; the replaced value is freed unless the user was handed it. */
  #set(value: ArrayLike): this {
    const t = ownCopy(value, this.dtype);
    if (t.shape.length !== this.shape.length || t.shape.some((d, i) => d !== this.shape[i])) {
      t.dispose();
      throw new ValueError({
        message:
          `Cannot assign value to variable ' ${this.name}': Shape mismatch.The variable shape ${tfShape(this.shape)}, ` +
          `and the assigned value shape ${tfShape(t.shape)} are incompatible.`,
      });
    }
    const old = this.#value;
    this.#value = t;
    if (!this.#exposed) drop(old);
    this.#exposed = false;
    return this;
  }

  /**
   * Frees the value's storage now (tf.dispose); reading the variable afterwards throws.
   *
   * @example
   * ```ts
   * const v = new tf.Variable([1, 2]);
   * v.dispose();
   * v.value().isDisposed; // → true
   * ```
   */
  dispose(): void {
    this.#value.dispose();
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
