// The user-facing n-d array. Concrete tensors own (a share of) a typed array; tracers are
// Tensor subclasses that transforms use to carry extra information through the same methods.
import { arrayCtor, type DType, type TypedArray } from "./dtype.js";
import { ShapeError, ValueError, fail } from "./errors.js";
import { backend } from "./backend/index.js";
import { fmtShape, sizeOf, type Shape } from "./shape.js";
import type * as Numpy from "./numpy/index.js";
import type { Axis, KeepDims } from "./numpy/convert.js";

/** A typed array shared by tensors that view the same data (reshape shares, it does not copy). */
export class Storage {
  refs = 1;
  constructor(readonly data: TypedArray) {}
}

/** Anything a tensor argument accepts. */
export type ArrayLike = Tensor | number | boolean | TypedArray | NestedArray | TensorConvertible;

/**
 * Key of the conversion method of objects that stand for a tensor wherever one is taken (as
 * TensorFlow's `__tf_tensor__`): tapir/compat's Variable converts to its current value this way.
 */
export const toTensorSymbol: unique symbol = Symbol.for("tapir.toTensor");
export interface TensorConvertible {
  [toTensorSymbol](): Tensor;
}
export function isTensorConvertible(x: unknown): x is TensorConvertible {
  return typeof x === "object" && x !== null && typeof (x as Partial<TensorConvertible>)[toTensorSymbol] === "function";
}
export interface NestedArray extends ReadonlyArray<number | boolean | NestedArray> {}

export type IndexSpec = number | null | "..." | readonly [number | null, (number | null)?, (number | null)?];

/**
 * What Tensor's methods delegate to, installed by core/numpy/methods.ts when the numpy layer
 * loads (that layer imports Tensor, so Tensor reaches it through this table, with its types
 * from a type-only import, rather than through an import cycle).
 */
export interface TensorOps {
  toConcrete(t: Tensor, api: string): Tensor;
  format(t: Tensor): string;
  /** the numpy namespace the chaining methods (x.add(y).sum()) call */
  np: typeof Numpy;
}
let ops: TensorOps | undefined;
let np: typeof Numpy;
export function installTensorOps(o: TensorOps): void {
  ops = o;
  np = o.np;
}

/**
 * A scope owns concrete tensors and, when it closes, disposes those that are not part of its
 * result: that is how tidy() and the public transforms (grad, vjp, vmap…, which open one per
 * call) give intermediates back to the arena at once, without user-side disposal. What the
 * user's own function makes inside a transform belongs to whoever owned the caller's code (an
 * enclosing tidy, or nobody), as it would in eager code: a value it caches for later calls
 * survives. A non-owning scope (staging a program whose constants live as long as it does)
 * makes its tensors nobody's. trace.ts opens scopes and routes tensors to them; nothing else should.
 */
export class Scope {
  /** what this scope owns (null: a non-owning scope) */
  readonly tensors: Tensor[] | null;
  constructor(
    /** how many scopes enclose it (an open scope deeper than another closes first) */
    readonly depth: number,
    owning: boolean,
    /** who owns what this scope returns when it closes: the owner of the caller's code */
    readonly heir: Scope | null,
    /** who owns what user code makes inside (a transform's: its heir; tidy's: itself) */
    readonly userOwner: Scope | null | "self",
  ) {
    this.tensors = owning ? [] : null;
  }
  /** The owner of what user code run in this scope makes. */
  get userCodeOwner(): Scope | null {
    return this.userOwner === "self" ? this : this.userOwner;
  }
  /** Disposes what this scope owns except the tensors reachable from `keep` (which it keeps). */
  sweep(keep: unknown): void {
    const ts = this.tensors;
    if (ts === null || ts.length === 0) return;
    const kept: Tensor[] = [];
    collectTensors(keep, kept);
    // results are few: a linear search beats building a Set (this runs twice per grad call)
    const set = kept.length > 16 ? new Set(kept) : null;
    let n = 0;
    for (const t of ts) {
      if (t._owner !== this) continue;
      if (set !== null ? set.has(t) : kept.includes(t)) ts[n++] = t;
      else t.dispose();
    }
    ts.length = n;
  }
  /** Ends the scope: what `keep` reaches passes to the heir, the rest is disposed. */
  close(keep: unknown): void {
    this.sweep(keep);
    for (const t of this.tensors ?? []) adopt(t, this.heir);
  }
}

function collectTensors(x: unknown, out: Tensor[]): void {
  if (x instanceof Tensor) out.push(x);
  else if (Array.isArray(x)) for (const y of x) collectTensors(y, out);
  else if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) for (const y of Object.values(x)) collectTensors(y, out);
}

/** Who owns the tensors made now (null: nobody; they are left to the GC). */
let current: Scope | null = null;

export function currentOwner(): Scope | null {
  return current;
}

/** Makes `owner` own the tensors made from now on (bind's hot path; restore the previous one after). */
export function setOwner(owner: Scope | null): void {
  current = owner;
}

/** Runs `fn` with `owner` owning the tensors made inside. */
export function withOwner<T>(owner: Scope | null, fn: () => T): T {
  const prev = current;
  current = owner;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** Moves `t` to scope `to` (to nobody if `to` is null or does not own). */
export function adopt(t: Tensor, to: Scope | null): void {
  const heir = to !== null && to.tensors !== null ? to : null;
  t._owner = heir;
  heir?.tensors!.push(t);
}

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal null for tracers */
  _storage: Storage | null;
  /** @internal the scope that frees this tensor when it closes (null: left to the GC) */
  _owner: Scope | null = null;
  /** @internal registered with the finalizer that recycles unreachable large storage */
  _finalized = false;
  /**
   * @internal a JS number passed to jit, traced as a float64 scalar that takes its partner's
   * dtype the way the number would (JAX's weak typing): 1 = an integer value, 2 = fractional.
   */
  _weak: 0 | 1 | 2 = 0;
  /** @internal this handle has given back its share of the storage (dispose is idempotent) */
  _released = false;

  constructor(shape: Shape, dtype: DType, storage: Storage | null) {
    this.shape = shape;
    this.dtype = dtype;
    this._storage = storage;
    if (storage !== null) {
      if (storage.data.byteLength > FINALIZE_MIN_BYTES && pendingBytes < FINALIZE_MAX_PENDING) {
        finalizer.register(this, storage, this);
        this._finalized = true;
        pendingBytes += storage.data.byteLength;
      }
      const s = current;
      if (s !== null && s.tensors !== null) {
        this._owner = s;
        s.tensors.push(this);
      }
    }
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }

  /** @internal the raw data of a concrete tensor (never handed to users). */
  get _data(): TypedArray {
    const s = this._storage;
    if (!s) return ops!.toConcrete(this, "data")._data;
    if (this._released || s.refs <= 0) {
      throw fail(ValueError, `Tensor(${this.dtype}${fmtShape(this.shape)}) was disposed; it can no longer be read. Keep it alive (do not dispose it, or return it from tidy).`);
    }
    return s.data;
  }

  /** A copy of the data as a flat typed array of the tensor's dtype. */
  dataSync(): TypedArray {
    const d = ops!.toConcrete(this, "dataSync")._data;
    return d.slice() as TypedArray;
  }

  /** Nested JS arrays (numbers; booleans for bool tensors). */
  toArray(): any {
    const d = ops!.toConcrete(this, "toArray")._data;
    const isBool = this.dtype === "bool";
    const build = (dim: number, off: number): any => {
      if (dim === this.shape.length) return isBool ? d[off] !== 0 : d[off];
      const n = this.shape[dim]!;
      let step = 1;
      for (let i = dim + 1; i < this.shape.length; i++) step *= this.shape[i]!;
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, off + i * step);
      return out;
    };
    return build(0, 0);
  }

  /** The single element as a JS number (booleans as 0/1). */
  item(): number {
    if (this.size !== 1) {
      throw fail(ShapeError, `item: only size-1 tensors convert to a number, but this is ${this.dtype}${fmtShape(this.shape)} (${this.size} elements). Index or reduce it first.`);
    }
    return ops!.toConcrete(this, "item")._data[0]!;
  }

  /**
   * The tensor as numpy/JAX print it: `Array([1., 2.], dtype=float32)` (numpy's array2string rules).
   *
   * @example
   * ```ts
   * np.array([[1, 2.5], [3, 4]]).toString(); // → Array([[1. , 2.5], [3. , 4. ]], dtype=float32)
   * ```
   */
  toString(): string {
    return ops!.format(this);
  }

  /**
   * JS conversion of a tensor: `if (x > 0)`, `+x`, `Math.max(x, 1)` read the number of a concrete
   * size-1 tensor (as `bool(x)` / `float(x)` do in JAX); a string context (`${x}`) gives `toString()`.
   * Throws `ConcretizationError` on a traced value (use `lax.cond` or `np.where`) and
   * `ShapeError` for a tensor of more than one element.
   *
   * @example
   * ```ts
   * const x = np.array(3);
   * x > 2; // → true
   * +x + 1; // → 4
   * `${np.array([1, 2])}`; // → "Array([1., 2.], dtype=float32)"
   * ```
   */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === "string") return this.toString();
    if (this.size !== 1) {
      throw fail(
        ShapeError,
        `a tensor used as a JS number (x > 0, +x, x + 1) must have one element, but this is ${this.dtype}${fmtShape(this.shape)} (${this.size} elements). Reduce it (x.sum(), x.max()), compare elementwise (x.greater(0)), or index one element.`,
      );
    }
    return ops!.toConcrete(this, "a JS comparison or arithmetic on a tensor (x > 0, +x)")._data[0]!;
  }

  /**
   * Iterates over axis 0, as numpy does: `for (const row of x)`, `const [k1, k2] = random.split(k)`.
   * Throws `ShapeError` on a 0-d tensor, as JAX does. (Deep-equality helpers such as vitest's
   * `toEqual` iterate what they compare: compare `t.toArray()`, or identity with `===`.)
   *
   * @example
   * ```ts
   * const [a, b] = np.array([[1, 2], [3, 4]]);
   * b.toArray(); // → [3, 4]
   * [...np.arange(3)].map((t) => t.item()); // → [0, 1, 2]
   * ```
   */
  *[Symbol.iterator](): IterableIterator<Tensor> {
    if (this.ndim === 0) throw fail(ShapeError, `iteration over a 0-d tensor (${this.dtype}[]): only tensors with at least one axis iterate (over axis 0). Use x.item() for its number.`);
    const n = this.shape[0]!;
    for (let i = 0; i < n; i++) yield np.index(this, i);
  }

  /** Node's `console.log(t)` and `util.inspect(t)` print the values, as `toString()` does. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Frees the storage now (optional: unreachable tensors are reclaimed by the GC). */
  dispose(): void {
    const s = this._storage;
    // one share per handle: disposing a reshape view twice must not free the tensor it views
    if (s === null || this._released) return;
    this._released = true;
    if (this._finalized) {
      finalizer.unregister(this);
      this._finalized = false;
      pendingBytes -= s!.data.byteLength;
    }
    if (s && s.refs > 0) {
      s.refs--;
      if (s.refs === 0) backend().release(s.data);
    }
  }

  get isDisposed(): boolean {
    return this._storage !== null && (this._released || this._storage.refs <= 0);
  }

  // ---------------------------------------------------------------- numpy methods
  // x.f(...args) is numpy.f(x, ...args): see the numpy namespace for shapes, dtypes and errors.

  /** x + y, broadcast (numpy.add). */
  add(y: ArrayLike): Tensor {
    return np.add(this, y);
  }
  /** x - y, broadcast (numpy.subtract). */
  sub(y: ArrayLike): Tensor {
    return np.subtract(this, y);
  }
  /** x * y, broadcast (numpy.multiply). */
  mul(y: ArrayLike): Tensor {
    return np.multiply(this, y);
  }
  /** x / y, broadcast; integers divide as float32 (numpy.divide). */
  div(y: ArrayLike): Tensor {
    return np.divide(this, y);
  }
  /** xʸ, broadcast (numpy.power). */
  pow(y: ArrayLike): Tensor {
    return np.power(this, y);
  }
  /** -x (numpy.negative). */
  neg(): Tensor {
    return np.negative(this);
  }
  /** Matrix product (numpy.matmul). */
  matmul(y: ArrayLike): Tensor {
    return np.matmul(this, y);
  }
  /** numpy.dot. */
  dot(y: ArrayLike): Tensor {
    return np.dot(this, y);
  }
  /** Elementwise max (numpy.maximum). */
  maximum(y: ArrayLike): Tensor {
    return np.maximum(this, y);
  }
  /** Elementwise min (numpy.minimum). */
  minimum(y: ArrayLike): Tensor {
    return np.minimum(this, y);
  }
  /** x == y, bool (numpy.equal). */
  equal(y: ArrayLike): Tensor {
    return np.equal(this, y);
  }
  /** x != y, bool (numpy.notEqual). */
  notEqual(y: ArrayLike): Tensor {
    return np.notEqual(this, y);
  }
  /** x < y, bool (numpy.less). */
  less(y: ArrayLike): Tensor {
    return np.less(this, y);
  }
  /** x <= y, bool (numpy.lessEqual). */
  lessEqual(y: ArrayLike): Tensor {
    return np.lessEqual(this, y);
  }
  /** x > y, bool (numpy.greater). */
  greater(y: ArrayLike): Tensor {
    return np.greater(this, y);
  }
  /** x >= y, bool (numpy.greaterEqual). */
  greaterEqual(y: ArrayLike): Tensor {
    return np.greaterEqual(this, y);
  }
  /** eˣ (numpy.exp). */
  exp(): Tensor {
    return np.exp(this);
  }
  /** ln x (numpy.log). */
  log(): Tensor {
    return np.log(this);
  }
  /** numpy.sin. */
  sin(): Tensor {
    return np.sin(this);
  }
  /** numpy.cos. */
  cos(): Tensor {
    return np.cos(this);
  }
  /** numpy.tanh. */
  tanh(): Tensor {
    return np.tanh(this);
  }
  /** √x (numpy.sqrt). */
  sqrt(): Tensor {
    return np.sqrt(this);
  }
  /** x² (numpy.square). */
  square(): Tensor {
    return np.square(this);
  }
  /** |x| (numpy.abs). */
  abs(): Tensor {
    return np.abs(this);
  }
  /** Sum over `axis` (all axes by default) (numpy.sum). */
  sum(axis?: Axis, opts?: KeepDims): Tensor {
    return np.sum(this, axis, opts);
  }
  /** numpy.mean. */
  mean(axis?: Axis, opts?: KeepDims): Tensor {
    return np.mean(this, axis, opts);
  }
  /** numpy.prod. */
  prod(axis?: Axis, opts?: KeepDims): Tensor {
    return np.prod(this, axis, opts);
  }
  /** numpy.max. */
  max(axis?: Axis, opts?: KeepDims): Tensor {
    return np.max(this, axis, opts);
  }
  /** numpy.min. */
  min(axis?: Axis, opts?: KeepDims): Tensor {
    return np.min(this, axis, opts);
  }
  /** int32 index of the max along `axis` (flattened by default) (numpy.argmax). */
  argmax(axis?: number): Tensor {
    return np.argmax(this, axis);
  }
  /** int32 index of the min (numpy.argmin). */
  argmin(axis?: number): Tensor {
    return np.argmin(this, axis);
  }
  /** Variance (numpy.var). */
  var(axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor {
    return np.var(this, axis, opts);
  }
  /** Standard deviation (numpy.std). */
  std(axis?: Axis, opts?: KeepDims & { ddof?: number }): Tensor {
    return np.std(this, axis, opts);
  }
  /** Cumulative sum along `axis` (flattened by default) (numpy.cumsum). */
  cumsum(axis?: number): Tensor {
    return np.cumsum(this, axis);
  }
  /** Same data in a new shape; one -1 is inferred (numpy.reshape). */
  reshape(shape: readonly number[] | number): Tensor {
    return np.reshape(this, shape);
  }
  /** Axes permuted (reversed by default) (numpy.transpose). */
  transpose(axes?: readonly number[]): Tensor {
    return np.transpose(this, axes);
  }
  /** The axes reversed (x.transpose()). */
  get T(): Tensor {
    return np.transpose(this);
  }
  /** This tensor in `dtype` (numpy.astype). */
  astype(dtype: DType): Tensor {
    return np.astype(this, dtype);
  }
  /** Basic indexing: numbers, null (new axis), "..." and [start, stop, step] ranges. */
  index(...specs: IndexSpec[]): Tensor {
    return np.index(this, ...specs);
  }
  /** Unit axes inserted at `axis` (numpy.expandDims). */
  expandDims(axis: number | readonly number[]): Tensor {
    return np.expandDims(this, axis);
  }
  /** Unit axes removed (all by default) (numpy.squeeze). */
  squeeze(axis?: number | readonly number[]): Tensor {
    return np.squeeze(this, axis);
  }
  /** The elements as a 1-D tensor. */
  flatten(): Tensor {
    return np.reshape(this, [-1]);
  }
  /** numpy.broadcastTo. */
  broadcastTo(shape: readonly number[]): Tensor {
    return np.broadcastTo(this, shape);
  }
  /** Values clipped to [lo, hi] (either may be omitted) (numpy.clip). */
  clip(lo?: ArrayLike | null, hi?: ArrayLike | null): Tensor {
    return np.clip(this, lo, hi);
  }
  /** Elements gathered at `indices` along `axis` (numpy.take). */
  take(indices: ArrayLike, axis?: number): Tensor {
    return np.take(this, indices, axis);
  }
}

/**
 * Unreachable tensors give their (large) storage back to the arena when the GC finalizes them.
 * Finalizers run between tasks, never inside a synchronous loop, and the registry keeps the
 * storage alive until then; so registration stops while FINALIZE_MAX_PENDING bytes are
 * registered and not yet finalized or disposed (past that, storage is left to the plain GC).
 * Small tensors (slab memory) are cheap to make and are not registered.
 */
const FINALIZE_MIN_BYTES = 2048;
const FINALIZE_MAX_PENDING = 256 * 1024 * 1024;
let pendingBytes = 0;
const finalizer = new FinalizationRegistry<Storage>((s) => {
  pendingBytes -= s.data.byteLength;
  if (s.refs > 0) {
    s.refs--;
    if (s.refs === 0) backend().release(s.data);
  }
});

/**
 * Exempts `t` from disposal by enclosing tidy() calls and by the transforms' early freeing of
 * intermediates (as tf.keep): it lives until unreachable or disposed. tapir/compat's Variable
 * keeps its value this way, so assigning inside tidy() does not free it. Returns `t`.
 */
export function keep<T extends Tensor>(t: T): T {
  t._owner = null;
  return t;
}

/** A concrete tensor over fresh storage holding `data` (not copied). */
export function fromData(data: TypedArray, shape: Shape, dtype: DType): Tensor {
  return new Tensor(shape, dtype, new Storage(data));
}

/** A concrete tensor with uninitialised storage from the arena. */
export function emptyTensor(shape: Shape, dtype: DType, zero = false): Tensor {
  return new Tensor(shape, dtype, new Storage(backend().alloc(dtype, sizeOf(shape), zero)));
}

/** A concrete tensor viewing another's storage with a new shape of the same size. */
export function shareStorage(t: Tensor, shape: Shape): Tensor {
  const s = t._storage!;
  s.refs++;
  return new Tensor(shape, t.dtype, s);
}

/**
 * Outputs as fresh tensor objects: any output that is one of `ins` (or repeats an earlier
 * output) becomes a new handle on the same storage. Interpreters free intermediates by
 * object, so a primitive's impl must never hand back an input object as an output.
 */
export function freshOutputs(outs: Tensor[], ins: readonly Tensor[]): Tensor[] {
  const seen = new Set<Tensor>(ins);
  return outs.map((o) => {
    if (o._storage === null) return o;
    if (seen.has(o)) return shareStorage(o, o.shape);
    seen.add(o);
    return o;
  });
}

/** Scalar tensor of a JS number. */
export function scalarTensor(x: number, dtype: DType): Tensor {
  const data = backend().alloc(dtype, 1);
  data[0] = x;
  return fromData(data, [], dtype);
}

export function copyOfArray(a: { readonly length: number; readonly [i: number]: number }, dtype: DType): TypedArray {
  const data = backend().alloc(dtype, a.length);
  if (arrayCtor(dtype) === (a as object).constructor) data.set(a as unknown as TypedArray);
  else for (let i = 0; i < a.length; i++) data[i] = Number(a[i]);
  return data;
}
