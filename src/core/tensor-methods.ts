// The chaining methods of Tensor (`x.add(y).mul(2).sum()`): `x.f(...args)` is `numpy.f(x, ...args)`.
// Declared here with their docs and merged into Tensor's type (tensor.ts: `interface Tensor extends
// TensorMethods`), so the published .d.ts has them; implemented by `installTensorMethods`, which the
// numpy layer calls when it loads (numpy/methods.ts), so tensor.ts needs no runtime import of numpy.
import type { DType } from "./dtype.js";
import type { ArrayLike, IndexSpec, Tensor } from "./tensor.js";
import type { Axis, KeepDims } from "./numpy/convert.js";
import type * as Numpy from "./numpy/index.js";

/** The numpy-style methods every Tensor has; see the numpy namespace for shapes, dtypes and errors. */
export interface TensorMethods {
  /**
   * x + y with broadcasting: `x.add(y)` is {@link numpy.add}(x, y).
   * @example
   * ```ts
   * np.array([1, 2]).add(10); // → [11, 12]
   * ```
   */
  add(y: ArrayLike): Tensor;
  /**
   * x - y with broadcasting: `x.sub(y)` is {@link numpy.subtract}(x, y).
   * @example
   * ```ts
   * np.array([5, 7]).sub([1, 2]); // → [4, 5]
   * ```
   */
  sub(y: ArrayLike): Tensor;
  /**
   * x * y with broadcasting: `x.mul(y)` is {@link numpy.multiply}(x, y).
   * @example
   * ```ts
   * np.array([1, 2]).mul(3); // → [3, 6]
   * ```
   */
  mul(y: ArrayLike): Tensor;
  /**
   * x / y with broadcasting, integers as float32: `x.div(y)` is {@link numpy.divide}(x, y).
   * @example
   * ```ts
   * np.array([1, 2]).div(4); // → [0.25, 0.5]
   * ```
   */
  div(y: ArrayLike): Tensor;
  /**
   * x raised to y with broadcasting: `x.pow(y)` is {@link numpy.power}(x, y).
   * @example
   * ```ts
   * np.array([2, 3]).pow(2); // → [4, 9]
   * ```
   */
  pow(y: ArrayLike): Tensor;
  /**
   * -x: `x.neg()` is {@link numpy.negative}(x).
   * @example
   * ```ts
   * np.array([1, -2]).neg(); // → [-1, 2]
   * ```
   */
  neg(): Tensor;
  /**
   * The matrix product: `x.matmul(y)` is {@link numpy.matmul}(x, y) (numpy's `x @ y`).
   * @example
   * ```ts
   * np.array([[1, 2], [3, 4]]).matmul([[1], [1]]); // → [[3], [7]]
   * ```
   */
  matmul(y: ArrayLike): Tensor;
  /**
   * numpy's dot product: `x.dot(y)` is {@link numpy.dot}(x, y).
   * @example
   * ```ts
   * np.array([1, 2, 3]).dot([4, 5, 6]); // → 32
   * ```
   */
  dot(y: ArrayLike): Tensor;
  /**
   * The elementwise larger of x and y: `x.maximum(y)` is {@link numpy.maximum}(x, y).
   * @example
   * ```ts
   * np.array([-1, 2]).maximum(0); // → [0, 2]
   * ```
   */
  maximum(y: ArrayLike): Tensor;
  /**
   * The elementwise smaller of x and y: `x.minimum(y)` is {@link numpy.minimum}(x, y).
   * @example
   * ```ts
   * np.array([-1, 2]).minimum(0); // → [-1, 0]
   * ```
   */
  minimum(y: ArrayLike): Tensor;
  /**
   * x == y elementwise, bool: `x.equal(y)` is {@link numpy.equal}(x, y).
   * @example
   * ```ts
   * np.array([1, 2]).equal(2); // → [false, true]
   * ```
   */
  equal(y: ArrayLike): Tensor;
  /**
   * x != y elementwise, bool: `x.notEqual(y)` is {@link numpy.notEqual}(x, y).
   * @example
   * ```ts
   * np.array([1, 2]).notEqual(2); // → [true, false]
   * ```
   */
  notEqual(y: ArrayLike): Tensor;
  /**
   * x < y elementwise, bool: `x.less(y)` is {@link numpy.less}(x, y).
   * @example
   * ```ts
   * np.array([1, 2]).less(2); // → [true, false]
   * ```
   */
  less(y: ArrayLike): Tensor;
  /**
   * x ≤ y elementwise, bool: `x.lessEqual(y)` is {@link numpy.lessEqual}(x, y).
   * @example
   * ```ts
   * np.array([1, 3]).lessEqual(2); // → [true, false]
   * ```
   */
  lessEqual(y: ArrayLike): Tensor;
  /**
   * x > y elementwise, bool: `x.greater(y)` is {@link numpy.greater}(x, y).
   * @example
   * ```ts
   * np.array([1, 3]).greater(2); // → [false, true]
   * ```
   */
  greater(y: ArrayLike): Tensor;
  /**
   * x ≥ y elementwise, bool: `x.greaterEqual(y)` is {@link numpy.greaterEqual}(x, y).
   * @example
   * ```ts
   * np.array([1, 2]).greaterEqual(2); // → [false, true]
   * ```
   */
  greaterEqual(y: ArrayLike): Tensor;
  /**
   * eˣ elementwise: `x.exp()` is {@link numpy.exp}(x).
   * @example
   * ```ts
   * np.array([0, 1]).exp(); // → [1, 2.718282]
   * ```
   */
  exp(): Tensor;
  /**
   * The natural logarithm elementwise: `x.log()` is {@link numpy.log}(x).
   * @example
   * ```ts
   * np.array([1, Math.E]).log(); // → [0, 1]
   * ```
   */
  log(): Tensor;
  /**
   * Sine elementwise: `x.sin()` is {@link numpy.sin}(x).
   * @example
   * ```ts
   * np.array([0, Math.PI / 2]).sin(); // → [0, 1]
   * ```
   */
  sin(): Tensor;
  /**
   * Cosine elementwise: `x.cos()` is {@link numpy.cos}(x).
   * @example
   * ```ts
   * np.array([0, Math.PI]).cos(); // → [1, -1]
   * ```
   */
  cos(): Tensor;
  /**
   * Hyperbolic tangent elementwise: `x.tanh()` is {@link numpy.tanh}(x).
   * @example
   * ```ts
   * np.array([0, 1]).tanh(); // → [0, 0.761594]
   * ```
   */
  tanh(): Tensor;
  /**
   * The square root elementwise: `x.sqrt()` is {@link numpy.sqrt}(x).
   * @example
   * ```ts
   * np.array([4, 9]).sqrt(); // → [2, 3]
   * ```
   */
  sqrt(): Tensor;
  /**
   * x² elementwise: `x.square()` is {@link numpy.square}(x).
   * @example
   * ```ts
   * np.array([1, -3]).square(); // → [1, 9]
   * ```
   */
  square(): Tensor;
  /**
   * |x| elementwise: `x.abs()` is {@link numpy.abs}(x).
   * @example
   * ```ts
   * np.array([-1.5, 2]).abs(); // → [1.5, 2]
   * ```
   */
  abs(): Tensor;
  /**
   * The sum over axes (all by default): `x.sum(axis?, {keepdims?})` is {@link numpy.sum}(x, axis, opts).
   * @example
   * ```ts
   * const x = np.array([[1, 2], [3, 4]]);
   * x.sum(); // → 10
   * x.sum(1); // → [3, 7]
   * ```
   */
  sum(axis?: Axis, opts?: KeepDims): Tensor;
  /**
   * The mean over axes (all by default): `x.mean(axis?, {keepdims?})` is {@link numpy.mean}(x, axis, opts).
   * @example
   * ```ts
   * np.array([[1, 2], [3, 4]]).mean(0); // → [2, 3]
   * ```
   */
  mean(axis?: Axis, opts?: KeepDims): Tensor;
  /**
   * The product over axes (all by default): `x.prod(axis?, {keepdims?})` is {@link numpy.prod}(x, axis, opts).
   * @example
   * ```ts
   * np.array([1, 2, 3, 4]).prod(); // → 24
   * ```
   */
  prod(axis?: Axis, opts?: KeepDims): Tensor;
  /**
   * The largest element over axes (all by default): `x.max(axis?, {keepdims?})` is {@link numpy.max}(x, axis, opts).
   * @example
   * ```ts
   * np.array([[1, 5], [3, 2]]).max(1); // → [5, 3]
   * ```
   */
  max(axis?: Axis, opts?: KeepDims): Tensor;
  /**
   * The smallest element over axes (all by default): `x.min(axis?, {keepdims?})` is {@link numpy.min}(x, axis, opts).
   * @example
   * ```ts
   * np.array([[1, 5], [3, 2]]).min(); // → 1
   * ```
   */
  min(axis?: Axis, opts?: KeepDims): Tensor;
  /**
   * The int32 index of the largest element along an axis (of the flattened x by default):
   * `x.argmax(axis?)` is {@link numpy.argmax}(x, axis).
   * @example
   * ```ts
   * np.array([1, 5, 3]).argmax(); // → 1
   * ```
   */
  argmax(axis?: number): Tensor;
  /**
   * The int32 index of the smallest element along an axis (of the flattened x by default):
   * `x.argmin(axis?)` is {@link numpy.argmin}(x, axis).
   * @example
   * ```ts
   * np.array([[1, 5], [7, 2]]).argmin(1); // → [0, 1]
   * ```
   */
  argmin(axis?: number): Tensor;
  /**
   * The variance over axes (all by default): `x.var(axis?, {keepdims?, ddof?})` is {@link numpy.var}(x, axis, opts).
   * @example
   * ```ts
   * np.array([1, 2, 3, 4]).var(); // → 1.25
   * ```
   */
  var(axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor;
  /**
   * The standard deviation over axes (all by default): `x.std(axis?, {keepdims?, ddof?})` is {@link numpy.std}(x, axis, opts).
   * @example
   * ```ts
   * np.array([1, 2, 3, 4]).std(); // → 1.118034
   * ```
   */
  std(axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor;
  /**
   * The running sum along an axis (of the flattened x by default): `x.cumsum(axis?)` is {@link numpy.cumsum}(x, axis).
   * @example
   * ```ts
   * np.array([1, 2, 3]).cumsum(); // → [1, 3, 6]
   * ```
   */
  cumsum(axis?: number): Tensor;
  /**
   * The same elements in a new shape (one -1 is inferred): `x.reshape(shape)` is {@link numpy.reshape}(x, shape).
   * @example
   * ```ts
   * np.arange(6).reshape([2, -1]); // → [[0, 1, 2], [3, 4, 5]]
   * ```
   */
  reshape(shape: readonly number[] | number): Tensor;
  /**
   * The axes permuted (reversed by default): `x.transpose(axes?)` is {@link numpy.transpose}(x, axes).
   * @example
   * ```ts
   * np.zeros([1, 2, 3]).transpose().shape; // → [3, 2, 1]
   * ```
   */
  transpose(axes?: readonly number[]): Tensor;
  /**
   * The axes reversed, the matrix transpose for 2-D: `x.T` is {@link numpy.transpose}(x) (numpy's / JAX's `x.T`).
   * @example
   * ```ts
   * np.array([[1, 2], [3, 4]]).T; // → [[1, 3], [2, 4]]
   * ```
   */
  readonly T: Tensor;
  /**
   * This tensor converted to another dtype: `x.astype(dtype)` is {@link numpy.astype}(x, dtype).
   * @example
   * ```ts
   * np.array([1.7, -1.7]).astype("int32"); // → Array([ 1, -1], dtype=int32)
   * ```
   */
  astype(dtype: DType): Tensor;
  /**
   * numpy indexing, `x[...]`: integers, ranges `[start, stop?, step?]`, `null` (new axis), `"..."`,
   * integer arrays (Tensor, `Int32Array`, nested lists) and boolean masks: `x.index(...specs)` is
   * {@link numpy.index}(x, ...specs). Throws ShapeError for an out-of-bounds integer (numpy's
   * behaviour; JAX clamps), ConcretizationError for a boolean mask under jit.
   * @example
   * ```ts
   * const x = np.array([[1, 2, 3], [4, 5, 6]]);
   * x.index(1); // → [4, 5, 6]
   * x.index("...", [0, 2]); // → [[1, 2], [4, 5]]
   * x.index(-1, -1); // → 6
   * x.index(Int32Array.of(1, 0), Int32Array.of(2, 2)); // → [6, 3]
   * ```
   */
  index(...specs: (IndexSpec | Numpy.AdvancedIndex)[]): Tensor;
  /**
   * JAX's `x.at[...]`: `x.at(...specs).set(v)` / `.add(v)` / `.multiply(v)` / `.min(v)` / `.max(v)` /
   * `.get()` — functional, differentiable updates of the indexed elements ({@link numpy.IndexUpdateRef}).
   * @example
   * ```ts
   * np.zeros([3]).at(1).set(7); // → [0, 7, 0]
   * np.zeros([3]).at(Int32Array.of(0, 0, 2)).add(1); // → [2, 0, 1]
   * ```
   */
  at(...specs: (IndexSpec | Numpy.AdvancedIndex)[]): Numpy.IndexUpdateRef;
  /**
   * Size-1 axes inserted at `axis`: `x.expandDims(axis)` is {@link numpy.expandDims}(x, axis).
   * @example
   * ```ts
   * np.array([1, 2]).expandDims(0).shape; // → [1, 2]
   * ```
   */
  expandDims(axis: number | readonly number[]): Tensor;
  /**
   * Size-1 axes removed (all of them by default): `x.squeeze(axis?)` is {@link numpy.squeeze}(x, axis).
   * @example
   * ```ts
   * np.zeros([1, 3, 1]).squeeze().shape; // → [3]
   * ```
   */
  squeeze(axis?: number | readonly number[]): Tensor;
  /**
   * The elements as a 1-D tensor in row-major order, `x.reshape([-1])` (numpy's `x.flatten()`, which copies;
   * tapir's tensors are immutable, so sharing is safe).
   * @example
   * ```ts
   * np.array([[1, 2], [3, 4]]).flatten(); // → [1, 2, 3, 4]
   * ```
   */
  flatten(): Tensor;
  /**
   * This tensor broadcast to `shape`: `x.broadcastTo(shape)` is {@link numpy.broadcastTo}(x, shape).
   * @example
   * ```ts
   * np.array([1, 2]).broadcastTo([2, 2]); // → [[1, 2], [1, 2]]
   * ```
   */
  broadcastTo(shape: readonly number[]): Tensor;
  /**
   * Values limited to [lo, hi] (either may be null or omitted): `x.clip(lo, hi)` is {@link numpy.clip}(x, lo, hi).
   * @example
   * ```ts
   * np.array([-2, 0.5, 3]).clip(0, 1); // → [0, 0.5, 1]
   * ```
   */
  clip(lo?: ArrayLike | null, hi?: ArrayLike | null): Tensor;
  /**
   * Elements gathered at integer indices along an axis (flattened by default): `x.take(indices, axis?)` is
   * {@link numpy.take}(x, indices, axis).
   * @example
   * ```ts
   * np.array([10, 20, 30]).take([2, 0]); // → [30, 10]
   * ```
   */
  take(indices: ArrayLike, axis?: number): Tensor;
  /**
   * Each element repeated along an axis: `x.repeat(repeats, axis?)` is {@link numpy.repeat}(x, repeats, axis).
   * @example
   * ```ts
   * np.array([1, 2]).repeat(2); // → [1, 1, 2, 2]
   * ```
   */
  repeat(repeats: number | readonly number[], axis?: number): Tensor;
  /**
   * Two axes exchanged: `x.swapaxes(a1, a2)` is {@link numpy.swapaxes}(x, a1, a2).
   * @example
   * ```ts
   * np.zeros([2, 3]).swapaxes(0, 1).shape; // → [3, 2]
   * ```
   */
  swapaxes(axis1: number, axis2: number): Tensor;
  /**
   * The elements as a 1-D tensor: `x.ravel()` is {@link numpy.ravel}(x).
   * @example
   * ```ts
   * np.array([[1, 2], [3, 4]]).ravel(); // → [1, 2, 3, 4]
   * ```
   */
  ravel(): Tensor;
  /**
   * Whether all elements are nonzero along axes: `x.all(axis?, opts?)` is {@link numpy.all}(x, axis, opts).
   * @example
   * ```ts
   * np.array([1, 0]).all(); // → false
   * ```
   */
  all(axis?: Axis, opts?: KeepDims): Tensor;
  /**
   * Whether some element is nonzero along axes: `x.any(axis?, opts?)` is {@link numpy.any}(x, axis, opts).
   * @example
   * ```ts
   * np.array([1, 0]).any(); // → true
   * ```
   */
  any(axis?: Axis, opts?: KeepDims): Tensor;
  /**
   * A diagonal of the 2-D slices: `x.diagonal(offset?, a1?, a2?)` is {@link numpy.diagonal}(x, offset, a1, a2).
   * @example
   * ```ts
   * np.array([[1, 2], [3, 4]]).diagonal(); // → [1, 4]
   * ```
   */
  diagonal(offset?: number, axis1?: number, axis2?: number): Tensor;
  /**
   * Rounded halves-to-even to `decimals` places: `x.round(decimals?)` is {@link numpy.round}(x, decimals).
   * @example
   * ```ts
   * np.array([1.26, 2.5]).round(1); // → [1.3, 2.5]
   * ```
   */
  round(decimals?: number): Tensor;
}

/** Puts the methods on Tensor's prototype (non-enumerable, as class methods are), calling `np`. */
export function installTensorMethods(proto: object, np: typeof Numpy): void {
  const methods: ThisType<Tensor> & Record<string, (this: Tensor, ...a: never[]) => Tensor | Numpy.IndexUpdateRef> = {
    add(this: Tensor, y: ArrayLike): Tensor {
      return np.add(this, y);
    },
    sub(this: Tensor, y: ArrayLike): Tensor {
      return np.subtract(this, y);
    },
    mul(this: Tensor, y: ArrayLike): Tensor {
      return np.multiply(this, y);
    },
    div(this: Tensor, y: ArrayLike): Tensor {
      return np.divide(this, y);
    },
    pow(this: Tensor, y: ArrayLike): Tensor {
      return np.power(this, y);
    },
    neg(this: Tensor): Tensor {
      return np.negative(this);
    },
    matmul(this: Tensor, y: ArrayLike): Tensor {
      return np.matmul(this, y);
    },
    dot(this: Tensor, y: ArrayLike): Tensor {
      return np.dot(this, y);
    },
    maximum(this: Tensor, y: ArrayLike): Tensor {
      return np.maximum(this, y);
    },
    minimum(this: Tensor, y: ArrayLike): Tensor {
      return np.minimum(this, y);
    },
    equal(this: Tensor, y: ArrayLike): Tensor {
      return np.equal(this, y);
    },
    notEqual(this: Tensor, y: ArrayLike): Tensor {
      return np.notEqual(this, y);
    },
    less(this: Tensor, y: ArrayLike): Tensor {
      return np.less(this, y);
    },
    lessEqual(this: Tensor, y: ArrayLike): Tensor {
      return np.lessEqual(this, y);
    },
    greater(this: Tensor, y: ArrayLike): Tensor {
      return np.greater(this, y);
    },
    greaterEqual(this: Tensor, y: ArrayLike): Tensor {
      return np.greaterEqual(this, y);
    },
    exp(this: Tensor): Tensor {
      return np.exp(this);
    },
    log(this: Tensor): Tensor {
      return np.log(this);
    },
    sin(this: Tensor): Tensor {
      return np.sin(this);
    },
    cos(this: Tensor): Tensor {
      return np.cos(this);
    },
    tanh(this: Tensor): Tensor {
      return np.tanh(this);
    },
    sqrt(this: Tensor): Tensor {
      return np.sqrt(this);
    },
    square(this: Tensor): Tensor {
      return np.square(this);
    },
    abs(this: Tensor): Tensor {
      return np.abs(this);
    },
    sum(this: Tensor, axis?: Axis, opts?: KeepDims): Tensor {
      return np.sum(this, axis, opts);
    },
    mean(this: Tensor, axis?: Axis, opts?: KeepDims): Tensor {
      return np.mean(this, axis, opts);
    },
    prod(this: Tensor, axis?: Axis, opts?: KeepDims): Tensor {
      return np.prod(this, axis, opts);
    },
    max(this: Tensor, axis?: Axis, opts?: KeepDims): Tensor {
      return np.max(this, axis, opts);
    },
    min(this: Tensor, axis?: Axis, opts?: KeepDims): Tensor {
      return np.min(this, axis, opts);
    },
    argmax(this: Tensor, axis?: number): Tensor {
      return np.argmax(this, axis);
    },
    argmin(this: Tensor, axis?: number): Tensor {
      return np.argmin(this, axis);
    },
    var(this: Tensor, axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor {
      return np.var(this, axis, opts);
    },
    std(this: Tensor, axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor {
      return np.std(this, axis, opts);
    },
    cumsum(this: Tensor, axis?: number): Tensor {
      return np.cumsum(this, axis);
    },
    reshape(this: Tensor, shape: readonly number[] | number): Tensor {
      return np.reshape(this, shape);
    },
    transpose(this: Tensor, axes?: readonly number[]): Tensor {
      return np.transpose(this, axes);
    },
    astype(this: Tensor, dtype: DType): Tensor {
      return np.astype(this, dtype);
    },
    index(this: Tensor, ...specs: (IndexSpec | Numpy.AdvancedIndex)[]): Tensor {
      return np.index(this, ...specs);
    },
    at(this: Tensor, ...specs: (IndexSpec | Numpy.AdvancedIndex)[]): Numpy.IndexUpdateRef {
      return np.at(this, ...specs);
    },
    expandDims(this: Tensor, axis: number | readonly number[]): Tensor {
      return np.expandDims(this, axis);
    },
    squeeze(this: Tensor, axis?: number | readonly number[]): Tensor {
      return np.squeeze(this, axis);
    },
    flatten(this: Tensor): Tensor {
      return np.reshape(this, [-1]);
    },
    broadcastTo(this: Tensor, shape: readonly number[]): Tensor {
      return np.broadcastTo(this, shape);
    },
    clip(this: Tensor, lo?: ArrayLike | null, hi?: ArrayLike | null): Tensor {
      return np.clip(this, lo, hi);
    },
    take(this: Tensor, indices: ArrayLike, axis?: number): Tensor {
      return np.take(this, indices, axis);
    },
    repeat(this: Tensor, repeats: number | readonly number[], axis?: number): Tensor { return np.repeat(this, repeats, axis); },
    swapaxes(this: Tensor, axis1: number, axis2: number): Tensor { return np.swapaxes(this, axis1, axis2); },
    ravel(this: Tensor): Tensor { return np.ravel(this); },
    all(this: Tensor, axis?: Axis, opts?: KeepDims): Tensor { return np.all(this, axis, opts); },
    any(this: Tensor, axis?: Axis, opts?: KeepDims): Tensor { return np.any(this, axis, opts); },
    diagonal(this: Tensor, offset?: number, axis1?: number, axis2?: number): Tensor { return np.diagonal(this, offset, axis1, axis2); },
    round(this: Tensor, decimals?: number): Tensor { return np.round(this, decimals); },
  };
  for (const [name, fn] of Object.entries(methods)) Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
  Object.defineProperty(proto, "T", {
    get(this: Tensor): Tensor {
      return np.transpose(this);
    },
    configurable: true,
  });
}
