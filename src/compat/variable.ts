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

/**
 * What reads and assignments of variables mean while a tf.function traces (or tf.recomputeGrad
 * recomputes): the innermost scope answers every read and takes every assignment, so a traced
 * program sees the variable as an input (captured by reference) and returns what it assigns.
 */
export interface VariableScope {
  /** The value a read gives, or undefined to leave the read to the enclosing scope (or the variable). */
  read(v: Variable): Tensor | undefined;
  /** Computes a new variable's initial value outside the trace (TensorFlow's init_scope). */
  init<T>(fn: () => T): T;
  /** `value` has the variable's dtype and shape (checked). */
  assign(v: Variable, value: Tensor): void;
}
const scopes: VariableScope[] = [];
/** Runs fn with `scope` answering variable reads and assignments. */
export function withVariableScope<T>(scope: VariableScope, fn: () => T): T {
  scopes.push(scope);
  try {
    return fn();
  } finally {
    scopes.splice(scopes.lastIndexOf(scope), 1);
  }
}
const innerScope = (): VariableScope | undefined => scopes[scopes.length - 1];
/** The innermost scope's answer to a read of v, or undefined when every scope leaves it to the variable. */
function scopedValue(v: Variable): Tensor | undefined {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const t = scopes[i]!.read(v);
    if (t !== undefined) return t;
  }
  return undefined;
}
/** Whether a tf.function is tracing (variable reads and assignments are staged). */
export const inVariableScope = (): boolean => scopes.length > 0;

/** Variables made so far: each one's creation number orders watchedVariables(), as TensorFlow's ids do. */
let created = 0;
/** The creation number of a variable (TensorFlow orders watched variables by it). */
export const creationOrder = new WeakMap<Variable, number>();

/**
 * A named, mutable holder of a tensor: the state of a model. Assignments replace the held tensor
 * (tensors handed out earlier never change); a read while a `GradientTape` records lets the tape
 * differentiate with respect to the variable (trainable ones are watched automatically). Every
 * compat op and tapir function accepts a Variable where it takes a tensor. Mirrors `tf.Variable`.
 *
 * @param initialValue - a tensor, number, nested array, or a function returning one.
 * @param opts.trainable - watched automatically by tapes and listed by layers (default true).
 * @param opts.name - TensorFlow's name, shown with ":0" (default "Variable").
 * @param opts.dtype - convert the initial value to this dtype.
 * @throws DTypeError for a value that is not numeric (strings are not supported).
 * @example
 * ```ts
 * const v = new tf.Variable([1, 2], { name: "w" });
 * v.name; // → "w:0"
 * v.assignAdd([10, 10]);
 * v.value(); // → [11, 12]
 * const tape = new tf.GradientTape();
 * const y = tape.record(() => tf.reduceSum(tf.square(v)));
 * tape.gradient(y, v); // → [22, 24]
 * ```
 */
export class Variable implements TensorConvertible {
  /**
   * Whether tapes watch the variable automatically when it is read (and layers list it among
   * their trainable weights).
   *
   * @example
   * ```ts
   * new tf.Variable(1, { trainable: false }).trainable; // → false
   * ```
   */
  readonly trainable: boolean;
  /**
   * TensorFlow's name, with the output index: "Variable:0", "dense/kernel:0".
   *
   * @example
   * ```ts
   * new tf.Variable(1).name; // → "Variable:0"
   * ```
   */
  readonly name: string;
  /**
   * The dtype, fixed at creation (assignments must keep it).
   *
   * @example
   * ```ts
   * new tf.Variable([1, 2], { dtype: "float64" }).dtype; // → "float64"
   * ```
   */
  readonly dtype: DType;
  /**
   * The shape, fixed at creation (assignments must keep it).
   *
   * @example
   * ```ts
   * new tf.Variable([[1, 2, 3]]).shape; // → [1, 3]
   * ```
   */
  readonly shape: readonly number[];
  #value: Tensor;
  /** Whether #value was handed to the user (then it is theirs: never freed by assign). */
  #exposed = false;

  constructor(initialValue: ArrayLike | (() => ArrayLike), opts: VariableOptions = {}) {
    checkOptions("tf.Variable", opts, ["trainable", "name", "dtype"]);
    const make = () => named("tf.Variable", () => ownCopy(typeof initialValue === "function" ? initialValue() : initialValue, opts.dtype));
    const scope = innerScope();
    this.#value = scope ? scope.init(make) : make();
    if (isTracer(this.#value)) {
      throw new ValueError({
        message: `tf.Variable: the initial value is traced (${describe(this.#value)}) inside tf.function; TensorFlow lifts a variable's initializer out of the function: pass a function computing it (new tf.Variable(() => init)) or create the variable outside.`,
      });
    }
    this.dtype = this.#value.dtype;
    this.shape = this.#value.shape;
    this.trainable = opts.trainable ?? true;
    this.name = `${opts.name ?? "Variable"}:0`;
    creationOrder.set(this, ++created);
  }

  /**
   * The number of axes.
   *
   * @example
   * ```ts
   * new tf.Variable([[1, 2, 3]]).ndim; // → 2
   * ```
   */
  get ndim(): number {
    return this.shape.length;
  }
  /**
   * The number of elements.
   *
   * @example
   * ```ts
   * new tf.Variable([[1, 2, 3]]).size; // → 3
   * ```
   */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /**
   * The current value as a tensor (a read: a recording tape watching this variable differentiates
   * through it). Later assignments do not change the tensor returned.
   *
   * @example
   * ```ts
   * const v = new tf.Variable([1, 2]);
   * const before = v.value();
   * v.assign([3, 4]);
   * before; // → [1, 2]
   * v.value(); // → [3, 4]
   * ```
   */
  value(): Tensor {
    const t = scopes.length > 0 ? scopedValue(this) : undefined;
    if (t !== undefined) return noteRead(this, t), t;
    this.#exposed = true;
    noteRead(this, this.#value);
    return this.#value;
  }
  /** @internal a read by a compat op (the value goes to the op and the tapes, not to the user). */
  [internalRead](): Tensor {
    const t = scopes.length > 0 ? scopedValue(this) : undefined;
    if (t !== undefined) return noteRead(this, t), t;
    noteRead(this, this.#value);
    return this.#value;
  }
  /**
   * The current value, as `value()`. Mirrors `tf.Variable.read_value`.
   *
   * @example
   * ```ts
   * new tf.Variable([5]).readValue(); // → [5]
   * ```
   */
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
   *
   * @returns the variable.
   * @throws ValueError for another shape; DTypeError for a tensor of another dtype;
   *   ConcretizationError for a traced value.
   * @example
   * ```ts
   * const v = new tf.Variable([1, 2]);
   * v.assign([5, 6]).value(); // → [5, 6]
   * ```
   */
  assign(value: ArrayLike): this {
    if (innerScope()) return this.#scoped("assign", value);
    this.#check("assign", value);
    return this.#set(value);
  }
  /**
   * Adds `delta` to the value (assign(value + delta)); the delta must have exactly the variable's
   * shape (TensorFlow broadcasts none, not even a scalar). Mirrors `tf.Variable.assign_add`.
   *
   * @returns the variable.
   * @throws ValueError for another shape; DTypeError for a tensor of another dtype.
   * @example
   * ```ts
   * new tf.Variable([1, 2]).assignAdd([10, 20]).value(); // → [11, 22]
   * ```
   */
  assignAdd(delta: ArrayLike): this {
    if (innerScope()) return this.#checkSameShape("assignAdd", delta), this.#scoped("assignAdd", np.add(this.value(), np.asarray(delta instanceof Variable ? delta.value() : delta, { dtype: this.dtype })));
    this.#check("assignAdd", delta);
    this.#checkSameShape("assignAdd", delta);
    return this.#set(quiet(() => np.add(this.#value, np.asarray(delta, { dtype: this.dtype }))));
  }
  /**
   * Subtracts `delta` from the value (assign(value − delta)); the delta must have exactly the
   * variable's shape. Mirrors `tf.Variable.assign_sub`.
   *
   * @returns the variable.
   * @throws ValueError for another shape; DTypeError for a tensor of another dtype.
   * @example
   * ```ts
   * new tf.Variable([1, 2]).assignSub([1, 1]).value(); // → [0, 1]
   * ```
   */
  assignSub(delta: ArrayLike): this {
    if (innerScope()) return this.#checkSameShape("assignSub", delta), this.#scoped("assignSub", np.subtract(this.value(), np.asarray(delta instanceof Variable ? delta.value() : delta, { dtype: this.dtype })));
    this.#check("assignSub", delta);
    this.#checkSameShape("assignSub", delta);
    return this.#set(quiet(() => np.subtract(this.#value, np.asarray(delta, { dtype: this.dtype }))));
  }

  /** An assignment inside a tf.function trace: the scope takes the (possibly traced) value. */
  #scoped(api: string, value: ArrayLike): this {
    const t = value instanceof Variable ? value.value() : value instanceof Tensor ? value : np.asarray(value, { dtype: this.dtype });
    if (t.dtype !== this.dtype) {
      throw new DTypeError({ message: `Variable.${api} ('${this.name}'): Tensor conversion requested dtype ${this.dtype} for Tensor with dtype ${t.dtype}. Cast it first: tf.cast(value, "${this.dtype}").` });
    }
    if (t.ndim !== this.ndim || t.shape.some((d, i) => d !== this.shape[i])) {
      throw new ValueError({
        message: `Cannot assign value to variable ' ${this.name}': Shape mismatch.The variable shape ${tfShape(this.shape)}, and the assigned value shape ${tfShape(t.shape)} are incompatible.`,
      });
    }
    innerScope()!.assign(this, t);
    return this;
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

  /**
   * The value as nested JS arrays (a number for a scalar). Mirrors `tf.Variable.numpy`.
   *
   * @example
   * ```ts
   * new tf.Variable([[1, 2]]).numpy(); // → [[1, 2]]
   * ```
   */
  numpy(): any {
    return this.#value.toArray();
  }
  /**
   * The value's elements as a flat typed array (row-major), as `Tensor.dataSync`.
   *
   * @example
   * ```ts
   * Array.from(new tf.Variable([[1, 2], [3, 4]]).dataSync()); // → [1, 2, 3, 4]
   * ```
   */
  dataSync() {
    return this.#value.dataSync();
  }
  /**
   * The value as nested JS arrays, as `Tensor.toArray`.
   *
   * @example
   * ```ts
   * new tf.Variable([1, 2]).toArray(); // → [1, 2]
   * ```
   */
  toArray(): any {
    return this.#value.toArray();
  }
  /**
   * TensorFlow's repr: name, shape, dtype and values.
   *
   * @example
   * ```ts
   * new tf.Variable([1, 2]).toString(); // → "<tf.Variable 'Variable:0' shape=(2,) dtype=float32, numpy=array([1., 2.], dtype=float32)>"
   * ```
   */
  toString(): string {
    return `<tf.Variable '${this.name}' shape=${tfShape(this.shape)} dtype=${this.dtype}, numpy=${numpyRepr(this.#value)}>`;
  }
}

export function isVariable(x: unknown): x is Variable {
  return x instanceof Variable;
}
