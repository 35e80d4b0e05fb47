// The user-facing n-d array. Concrete tensors own (a share of) a typed array; tracers are
// Tensor subclasses that transforms use to carry extra information through the same methods.
import { arrayCtor, type DType, type TypedArray } from "./dtype.js";
import { ShapeError, ValueError, fail } from "./errors.js";
import { backend } from "./backend/index.js";
import { fmtShape, sizeOf, type Shape } from "./shape.js";
import type * as Numpy from "./numpy/index.js";
import { installTensorMethods, type TensorMethods } from "./tensor-methods.js";

/** A typed array shared by tensors that view the same data (reshape shares, it does not copy). */
export class Storage {
  refs = 1;
  /** The values; null while a pending computation stands in for them. */
  private _d: TypedArray | null;
  /** What computes the values on their first read (lazy eager: lazy.ts); null once they exist. */
  pending: Pending | null = null;
  private _bytes: number;
  constructor(data: TypedArray) {
    this._d = data;
    this._bytes = data.byteLength;
  }
  /** Storage of `bytes` bytes whose values `p` computes when they are first read. */
  static deferred(bytes: number, p: Pending): Storage {
    const s = new Storage(EMPTY);
    s._d = null;
    s._bytes = bytes;
    s.pending = p;
    return s;
  }
  /** The values, computed now if they were pending. */
  get data(): TypedArray {
    const d = this._d;
    return d !== null ? d : this.materialize();
  }
  get byteLength(): number {
    return this._bytes;
  }
  private materialize(): TypedArray {
    const p = this.pending!;
    const d = p.run(); // a throw leaves the storage pending: the next read tries again
    this._d = d;
    this.pending = null;
    p.drop();
    return d;
  }
  /** Gives the storage back once no handle holds it: its buffer to the arena, or its pending computation's inputs. */
  free(): void {
    const d = this._d;
    if (d !== null) return backend().release(d);
    const p = this.pending;
    this.pending = null;
    p?.drop();
  }
}
const EMPTY = new Float32Array(0);

/** A computation standing in for a storage's values until they are read (lazy.ts). */
export interface Pending {
  /** Computes the values into a fresh buffer. */
  run(): TypedArray;
  /** Lets go of the inputs (after run, or when nobody will read the values). */
  drop(): void;
}

/** Anything a tensor argument accepts. */
export type ArrayLike = Tensor | number | boolean | TypedArray | NestedArray | TensorConvertible;

/**
 * The key of the conversion method that lets an object stand for a tensor wherever one is taken
 * (every op, `np.array`, the transforms' arguments): an object with a `[toTensorSymbol]()` method
 * returning a Tensor converts through it. tapir/compat's Variable converts to its current value
 * this way. Mirrors TensorFlow's `__tf_tensor__` protocol (numpy's `__array__`).
 * @example
 * ```ts
 * const celsius = { deg: 20, [toTensorSymbol]() { return np.array(this.deg); } };
 * np.add(celsius, 1); // → 21
 * ```
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
  installTensorMethods(Tensor.prototype, o.np);
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

/**
 * An immutable n-d array of one dtype ("float32", "float64", "int32" or "bool"), made by the numpy
 * functions (`np.array`, `np.zeros`, …) and returned by every op. Methods mirror the numpy
 * namespace for chaining (`x.add(y).mul(2).sum()`; JS has no operator overloading, so `x + y` is
 * `x.add(y)`); read values back with `toArray()`, `item()`, `dataSync()` or `toString()`. Inside
 * grad, vmap, jit and the other transforms a tracer (a subclass) stands in for a tensor with the
 * same methods, but its values cannot be read (ConcretizationError). Memory is reclaimed by the
 * GC; `dispose()` and `tidy()` free it sooner. Tensors also iterate over axis 0 and convert to a
 * JS number when they have one element (`x > 0`, `+x`).
 * Mirrors jax.Array (numpy.ndarray, tf.Tensor).
 * @example
 * ```ts
 * const x = np.array([[1, 2], [3, 4]]);
 * x.shape; // → [2, 2]
 * x.add(1).mul(2).sum().item(); // → 28
 * x.T.toString(); // → Array([[1., 3.], [2., 4.]], dtype=float32)
 * ```
 */
// The chaining methods (x.add(y).sum()) are declared with their docs in tensor-methods.ts and
// merged into Tensor's type here; the numpy layer installs them on the prototype when it loads.
export interface Tensor extends TensorMethods {}
export class Tensor {
  /**
   * The size of each axis, outermost first (`[]` for a 0-d tensor); read-only.
   * Mirrors numpy's / JAX's `x.shape` (a JS array rather than a tuple).
   * @example
   * ```ts
   * np.zeros([2, 3]).shape; // → [2, 3]
   * np.array(5).shape; // → []
   * ```
   */
  readonly shape: readonly number[];
  /**
   * The element type: "float32", "float64", "int32" or "bool".
   * Mirrors numpy's / JAX's `x.dtype` (a string rather than a dtype object).
   * @example
   * ```ts
   * np.array([1, 2]).dtype; // → "float32"
   * np.arange(3).dtype; // → "int32"
   * ```
   */
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

  /** @hidden made by tapir's functions (np.array, np.zeros and the rest), not by users */
  constructor(shape: Shape, dtype: DType, storage: Storage | null, register = true) {
    this.shape = shape;
    this.dtype = dtype;
    this._storage = storage;
    if (storage !== null) {
      if (register && storage.byteLength > FINALIZE_MIN_BYTES && pendingBytes < FINALIZE_MAX_PENDING) {
        finalizer.register(this, storage, this);
        this._finalized = true;
        pendingBytes += storage.byteLength;
      }
      const s = current;
      if (s !== null && s.tensors !== null) {
        this._owner = s;
        s.tensors.push(this);
      }
    }
  }

  /**
   * The number of axes, `shape.length` (numpy's `x.ndim`).
   * @example
   * ```ts
   * np.zeros([2, 3]).ndim; // → 2
   * ```
   */
  get ndim(): number {
    return this.shape.length;
  }
  /**
   * The number of elements, the product of `shape` (1 for a 0-d tensor; numpy's `x.size`).
   * @example
   * ```ts
   * np.zeros([2, 3]).size; // → 6
   * ```
   */
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

  /**
   * A copy of the elements as a flat typed array in row-major order: Float32Array for float32,
   * Float64Array for float64, Int32Array for int32 and Uint8Array (0 / 1) for bool. Writing to it
   * does not change the tensor. Throws ConcretizationError on a traced value (inside jit, grad, vmap…)
   * and ShapeError on a disposed tensor. Mirrors TensorFlow.js's `dataSync()` (numpy: `np.asarray(x).ravel()`).
   *
   * `{ copy: false }` returns the tensor's own storage instead of a copy, as `np.asarray` does for
   * a JAX CPU array: no allocation and no copying, for code that reads a large result once (a
   * training loop's loss, a benchmark). The caller promises not to write to it and not to keep it
   * past the tensor's life: it stays valid while the tensor is alive, and once the tensor is
   * disposed (`dispose`, the end of `tidy`) its memory goes to later tensors.
   * @example
   * ```ts
   * Array.from(np.array([[1, 2], [3, 4]]).dataSync()); // → [1, 2, 3, 4]
   * np.array([[1, 2], [3, 4]]).dataSync() instanceof Float32Array; // → true
   * const t = np.arange(4);
   * const view = t.dataSync({ copy: false }); // no copy: read it before t is disposed
   * Array.from(view); // → [0, 1, 2, 3]
   * ```
   */
  dataSync(opts?: { copy?: boolean }): TypedArray {
    if (opts !== undefined && (opts === null || typeof opts !== "object" || Object.keys(opts).some((k) => k !== "copy") || (opts.copy !== undefined && typeof opts.copy !== "boolean"))) {
      throw fail(ValueError, `Tensor.dataSync: options must be { copy?: boolean }, got ${optionsText(opts)}. Pass { copy: false } for a view of the tensor's storage, or nothing for a copy.`);
    }
    const d = ops!.toConcrete(this, "dataSync")._data;
    return opts?.copy === false ? d : (d.slice() as TypedArray);
  }

  /**
   * The elements as nested JS arrays of the tensor's shape (numbers; booleans for bool tensors; a
   * plain number for a 0-d tensor). Throws ConcretizationError on a traced value and ShapeError on a
   * disposed tensor. Mirrors numpy's `x.tolist()`.
   * @example
   * ```ts
   * np.array([[1, 2], [3, 4]]).toArray(); // → [[1, 2], [3, 4]]
   * np.greater([1, 3], 2).toArray(); // → [false, true]
   * ```
   */
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

  /**
   * The single element of a size-1 tensor (any shape) as a JS number; bools give 0 / 1.
   * Throws ShapeError when the tensor has more than one element, ConcretizationError on a traced value.
   * Mirrors numpy's / JAX's `x.item()`.
   * @example
   * ```ts
   * np.array([[2.5]]).item(); // → 2.5
   * np.sum([1, 2, 3]).item(); // → 6
   * ```
   */
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

  /**
   * Frees the tensor's storage now, instead of when the GC finds it unreachable (optional: tapir
   * reclaims memory by itself). Idempotent; reading a disposed tensor throws ShapeError. Views made
   * by reshape share storage by reference count, so disposing one does not free the others.
   * Mirrors TensorFlow.js's `dispose()`; JAX has `x.delete()`.
   * @example
   * ```ts
   * const x = np.ones([1000]);
   * x.sum().item(); // → 1000
   * x.dispose();
   * x.isDisposed; // → true
   * ```
   */
  dispose(): void {
    const s = this._storage;
    // one share per handle: disposing a reshape view twice must not free the tensor it views
    if (s === null || this._released) return;
    this._released = true;
    if (this._finalized) {
      finalizer.unregister(this);
      this._finalized = false;
      pendingBytes -= s!.byteLength;
    }
    if (s && s.refs > 0) {
      s.refs--;
      if (s.refs === 0) s.free();
    }
  }

  /**
   * Whether `dispose()` (or an enclosing `tidy`) has freed this tensor's storage; always false for
   * a tracer. Mirrors TensorFlow.js's `isDisposed` (JAX: `x.is_deleted()`).
   * @example
   * ```ts
   * const x = np.ones([3]);
   * x.isDisposed; // → false
   * x.dispose();
   * x.isDisposed; // → true
   * ```
   */
  get isDisposed(): boolean {
    return this._storage !== null && (this._released || this._storage.refs <= 0);
  }
}

/**
 * Unreachable tensors give their (large) storage back to the arena when the GC finalizes them.
 * Finalizers run between tasks, never inside a synchronous loop, and the registry keeps the
 * storage alive until then; so registration stops while FINALIZE_MAX_PENDING bytes are
 * registered and not yet finalized or disposed (past that, storage is left to the plain GC,
 * which frees it inside the loop). The cap is small: at 256 MiB a synchronous training loop
 * without tidy held ~340 MiB of buffers (RSS ×4.4 from step 1k to 100k); at 16 MiB its RSS
 * stays within ~20% (scripts/soak-rss.mjs). Loops that await between steps are unaffected:
 * their finalizers run every turn and keep the pending bytes far below the cap.
 * Small tensors (slab memory) are cheap to make and are not registered.
 */
const FINALIZE_MIN_BYTES = 2048;
const FINALIZE_MAX_PENDING = 16 * 1024 * 1024;
let pendingBytes = 0;
const finalizer = new FinalizationRegistry<Storage>((s) => {
  pendingBytes -= s.byteLength;
  if (s.refs > 0) {
    s.refs--;
    if (s.refs === 0) s.free();
  }
});

/**
 * Exempts `t` from disposal by enclosing `tidy()` calls and by the transforms' early freeing of
 * intermediates: it lives until unreachable or disposed. tapir/compat's Variable keeps its value
 * this way, so assigning inside `tidy()` does not free it.
 * Mirrors TensorFlow.js's `tf.keep` (JAX, which relies on the GC, has no equivalent).
 * @param t - a concrete tensor.
 * @returns `t` itself.
 * @example
 * ```ts
 * let kept!: Tensor;
 * tidy(() => { kept = keep(np.ones([2])); return null; });
 * kept.isDisposed; // → false
 * kept.toArray(); // → [1, 1]
 * ```
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

/** An options argument as an error message shows it. */
function optionsText(o: unknown): string {
  try {
    return typeof o === "object" && o !== null ? JSON.stringify(o) : String(o);
  } catch {
    return String(o);
  }
}

/**
 * A second handle on `t`'s storage for tapir's own use (lazy.ts keeps the inputs of a pending
 * computation this way): no scope owns it and the finalizer does not watch it, so it holds the
 * storage until it is disposed, whatever happens to the user's handles.
 */
export function innerHandle(t: Tensor): Tensor {
  const s = t._storage!;
  s.refs++;
  const prev = current;
  current = null;
  try {
    return new Tensor(t.shape, t.dtype, s, false);
  } finally {
    current = prev;
  }
}

/**
 * The values of `t`, a fresh result nobody else holds, taken out of it: `t` is left disposed and
 * the buffer belongs to the caller (a storage that others share is copied instead).
 */
export function takeData(t: Tensor): TypedArray {
  const s = t._storage!;
  if (t._finalized) {
    finalizer.unregister(t);
    t._finalized = false;
    pendingBytes -= s.byteLength;
  }
  if (s.refs === 1 && !t._released) {
    const d = s.data;
    t._released = true;
    s.refs = 0;
    return d;
  }
  const copy = s.data.slice() as TypedArray;
  t.dispose();
  return copy;
}
