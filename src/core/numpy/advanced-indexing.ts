// numpy indexing in full: `index` (basic and advanced: integer arrays, boolean masks, mixed with
// ranges, with numpy's rule for where the advanced axes go) and `x.at(...)` (JAX's functional
// `x.at[...]` updates). Advanced indices lower to one gather of the advanced axes flattened
// together (its gradient is a scatter-add); `at(...).set/add/...` scatter into the flat array at
// the flat positions the same index selects from an iota.
import { ConcretizationError, DTypeError, ShapeError, ValueError, fail } from "../errors.js";
import { broadcastShapes, fmtShape } from "../shape.js";
import { Tensor, type ArrayLike, type IndexSpec } from "../tensor.js";
import { isTracer } from "../trace.js";
import * as lax from "../lax.js";
import { array, astype, tensor } from "./convert.js";
import { basicIndex } from "./indexing.js";
import { broadcastTo, reshape } from "./shape.js";

/** An index that is an array: an integer/bool Tensor, a typed array, a boolean list or a nested list. */
export type AdvancedIndex = Tensor | Int32Array | Uint8Array | readonly boolean[] | readonly (readonly (number | boolean)[])[];

/** Whether a spec is an advanced (array) index rather than a basic one. */
export function isAdvanced(s: unknown): boolean {
  if (s instanceof Tensor || ArrayBuffer.isView(s)) return true;
  return Array.isArray(s) && s.length > 0 && (typeof s[0] === "boolean" || Array.isArray(s[0]));
}

type Entry = { kind: "basic"; spec: IndexSpec } | { kind: "adv"; t: Tensor } | { kind: "new" };

/** The int32 index arrays of a boolean mask (concrete only: its count sets the shape). */
function maskIndices(api: string, m: Tensor): Tensor[] {
  if (isTracer(m)) {
    throw fail(ConcretizationError, `${api}: a boolean mask index needs concrete values (the number of true entries sets the result's shape), but it is traced here (under jit/vmap/grad of a traced mask). Use numpy.where(mask, x, fill) to keep the shape, or numpy.nonzero(mask, { size }) for a fixed number of indices.`);
  }
  const d = m.dataSync() as globalThis.ArrayLike<number>;
  const strides: number[] = [];
  let s = 1;
  for (let i = m.ndim - 1; i >= 0; i--) (strides[i] = s), (s *= m.shape[i]!);
  const cols: number[][] = m.shape.map(() => []);
  for (let p = 0; p < d.length; p++) if (d[p]) m.shape.forEach((_, i) => cols[i]!.push(Math.floor(p / strides[i]!) % m.shape[i]!));
  return cols.map((c) => tensor(Int32Array.from(c)));
}

/** The spec list with masks expanded, ints as 0-d arrays (numpy: with any array index, ints are advanced), "..." expanded. */
function entries(api: string, x: Tensor, specs: readonly unknown[]): Entry[] {
  const out: Entry[] = [];
  let ellipsisAt = -1;
  for (const [k, s] of specs.entries()) {
    if (s === "...") {
      if (ellipsisAt >= 0) throw fail(ShapeError, `${api}: at most one "..." is allowed.`);
      ellipsisAt = out.length;
    } else if (s === null) out.push({ kind: "new" });
    else if (typeof s === "number") {
      if (!Number.isInteger(s)) throw fail(ValueError, `${api}: the index at position ${k} is ${s}, which is not an integer.`);
      out.push({ kind: "adv", t: tensor(Int32Array.of(s)).reshape([]) });
    }
    else if (isAdvanced(s)) {
      const t = s instanceof Tensor || ArrayBuffer.isView(s) ? tensor(s as ArrayLike) : listIndex(api, s as unknown[], k);
      if (t.dtype === "bool") for (const c of maskIndices(api, t)) out.push({ kind: "adv", t: c });
      else if (t.dtype === "int32") out.push({ kind: "adv", t });
      else throw fail(DTypeError, `${api}: index arrays must be integers or booleans, got ${t.dtype} at position ${k}; convert with astype("int32").`);
    } else out.push({ kind: "basic", spec: s as IndexSpec });
  }
  const consumed = out.filter((e) => e.kind !== "new").length;
  if (consumed > x.ndim) throw fail(ShapeError, `${api}: too many indices (${consumed}) for an array of shape ${fmtShape(x.shape)}.`);
  const fill: Entry[] = Array.from({ length: x.ndim - consumed }, () => ({ kind: "basic", spec: [null, null, null] as IndexSpec }));
  if (ellipsisAt >= 0) out.splice(ellipsisAt, 0, ...fill);
  else out.push(...fill);
  return out;
}

/** A nested JS list as an index array: all booleans (a mask) or all integers (int32). */
function listIndex(api: string, s: unknown[], k: number): Tensor {
  const flat = (s as unknown[]).flat(Infinity as 1);
  if (flat.every((v) => typeof v === "boolean")) return array(s as ArrayLike, { dtype: "bool" });
  if (flat.every((v) => typeof v === "number" && Number.isInteger(v))) return array(s as ArrayLike, { dtype: "int32" });
  throw fail(ValueError, `${api}: the index list at position ${k} mixes or holds non-integers; an index list holds integers or booleans only.`);
}

/** Scalar integers' bounds (numpy raises for them; arrays follow JAX: clamp on get, drop on set). */
function checkScalars(api: string, x: Tensor, es: Entry[]): void {
  let ax = 0;
  for (const e of es) {
    if (e.kind === "new") continue;
    if (e.kind === "adv" && e.t.ndim === 0 && !isTracer(e.t)) {
      const v = (e.t.dataSync() as globalThis.ArrayLike<number>)[0]!;
      const n = x.shape[ax]!;
      if (v < -n || v >= n) throw fail(ShapeError, `${api}: index ${v} is out of bounds for axis ${ax} with size ${n}.`);
    }
    ax++;
  }
}

/**
 * x indexed by the entries. `drop`: an out-of-range array index gives `sentinel` instead of a
 * clamped element (for positions that a scatter must skip).
 */
function gatherEntries(api: string, x: Tensor, es: Entry[], sentinel?: number): Tensor {
  const basic = es.map((e) => (e.kind === "new" ? null : e.kind === "basic" ? e.spec : ([null, null, null] as IndexSpec)));
  const y = basicIndex(x, ...basic);
  // axes of y carrying an advanced index: one output axis per entry (no basic int left)
  const advAxes: number[] = [];
  const arrays: Tensor[] = [];
  es.forEach((e, i) => {
    if (e.kind === "adv") advAxes.push(i), arrays.push(e.t);
  });
  if (advAxes.length === 0) return y;
  const B = broadcastShapes(api, ...arrays.map((a) => a.shape));
  const rest = y.shape.map((_, i) => i).filter((i) => !advAxes.includes(i));
  const sizes = advAxes.map((a) => y.shape[a]!);
  const N = sizes.reduce((p, q) => p * q, 1);
  const yT = reshape(lax.transpose(y, [...advAxes, ...rest]), [N, ...rest.map((i) => y.shape[i]!)]);
  let flat: Tensor | null = null;
  let valid: Tensor | null = null;
  let stride = 1;
  for (let k = advAxes.length - 1; k >= 0; k--) {
    const n = sizes[k]!;
    const a = broadcastTo(arrays[k]!, B);
    const w = lax.select(lax.lt(a, lax.scalarLike(a, 0)), lax.add(a, lax.scalarLike(a, n)), a);
    const c = lax.min(lax.max(w, lax.scalarLike(w, 0)), lax.scalarLike(w, Math.max(0, n - 1)));
    const ok = lax.and(lax.ge(w, lax.scalarLike(w, 0)), lax.lt(w, lax.scalarLike(w, n)));
    valid = valid ? lax.and(valid, ok) : ok;
    const term = stride === 1 ? c : lax.mul(c, lax.scalarLike(c, stride));
    flat = flat ? lax.add(flat, term) : term;
    stride *= n;
  }
  let g = lax.gather(yT, flat!, 0); // [...B, ...rest]
  if (sentinel !== undefined) g = lax.select(lax.reshape(valid!, [...B, ...rest.map(() => 1)]), g, lax.scalarLike(g, sentinel));
  // numpy: adjacent advanced indices put their axes where they stand, others in front
  const adjacent = advAxes.every((a, i) => i === 0 || a === advAxes[i - 1]! + 1);
  const p = advAxes[0]!;
  if (!adjacent || p === 0) return g;
  const nb = B.length;
  const perm = [...rest.slice(0, p).map((_, i) => nb + i), ...B.map((_, i) => i), ...rest.slice(p).map((_, i) => nb + p + i)];
  return lax.transpose(g, perm);
}

/**
 * numpy indexing, `x[...]`: one spec per axis — an integer (selects and drops the axis; negative
 * counts from the end), a range `[start, stop?, step?]` (numpy's `start:stop:step`, null for a
 * default, negative step reverses), `null` (a new axis, numpy's `None`), `"..."` (all remaining
 * axes), or an array index: an integer Tensor, an `Int32Array`, a nested list such as
 * `[[0, 2]]`, or a boolean mask (a bool Tensor or a list of booleans) selecting where true.
 * Array indices broadcast together; their axes replace the indexed ones where those are adjacent
 * and go first otherwise (numpy's rule; an integer next to an array counts as one).
 * Mirrors numpy / jax.numpy indexing; out-of-range array indices clamp (JAX; numpy raises),
 * out-of-range integers raise (numpy). A flat list `[a, b]` is a range — write a list of
 * indices as `Int32Array.of(a, b)` or `np.array([a, b])`. Also `x.index(...)`.
 * @param x - any shape and dtype.
 * @param specs - the indices, as above.
 * @returns x's dtype; the shape numpy gives.
 * @throws ShapeError for an integer out of bounds, too many indices or two "...";
 *   ConcretizationError for a boolean mask under jit; DTypeError for a float index array.
 * @example
 * ```ts
 * const x = np.reshape(np.arange(12), [3, 4]);
 * np.index(x, 1); // → [4, 5, 6, 7]
 * np.index(x, "...", 0); // → [0, 4, 8]
 * np.index(x, 0, [null, null, -1]); // → [3, 2, 1, 0]
 * np.index(x, Int32Array.of(2, 0), [1, 3]); // → [[9, 10], [1, 2]]
 * np.index(x, np.array([0, 2], { dtype: "int32" }), [[3, 1]]); // → [[3, 9]]
 * np.index(x, [true, false, true]).shape; // → [2, 4]
 * np.index(x, np.greater(x, 9)); // → [10, 11]
 * ```
 */
export function index(x: ArrayLike, ...specs: (IndexSpec | AdvancedIndex)[]): Tensor {
  if (!specs.some(isAdvanced)) return basicIndex(x, ...(specs as IndexSpec[]));
  const t = tensor(x);
  const es = entries("index", t, specs);
  checkScalars("index", t, es);
  return gatherEntries("index", t, es);
}

type Mode = "set" | "add" | "mul" | "min" | "max";

/**
 * JAX's `x.at[...]`: functional updates of the elements an index selects (`x.at(...specs)`, the
 * specs of {@link index}). Every method returns a new array of x's shape and dtype; the value
 * broadcasts to the indexed shape and converts to x's dtype. Repeated indices: `add`/`multiply`/
 * `min`/`max` combine all updates, `set` keeps the last. Out-of-range array indices drop their
 * update (JAX's default); `get` clamps them. Differentiable: the gradient of `get` is a
 * scatter-add; of `set`, the old values' cotangent is masked where written.
 * @example
 * ```ts
 * const x = np.zeros([4]);
 * x.at(Int32Array.of(1, 3)).set(5); // → [0, 5, 0, 5]
 * x.at(Int32Array.of(1, 1, 2)).add(1); // → [0, 2, 1, 0]
 * np.ones([2, 3]).at(0, [1, 3]).multiply(3); // → [[1, 3, 3], [1, 1, 1]]
 * np.array([1, 5]).at(Int32Array.of(0, 1)).max(3); // → [3, 5]
 * np.array([1, 5]).at(1).min(2); // → [1, 2]
 * np.array([1, 5, 9]).at(Int32Array.of(2, 0)).get(); // → [9, 1]
 * ```
 */
export class IndexUpdateRef {
  constructor(private readonly x: Tensor, private readonly specs: readonly (IndexSpec | AdvancedIndex)[]) {}
  /**
   * x indexed by the specs, as {@link index} (out-of-range array indices clamp).
   * @example
   * ```ts
   * np.array([1, 5, 9]).at(Int32Array.of(2, 5)).get(); // → [9, 9]
   * ```
   */
  get(): Tensor {
    return index(this.x, ...this.specs);
  }
  /**
   * x with the selected elements replaced by v (broadcast).
   * @example
   * ```ts
   * np.zeros([2, 2]).at(1).set([3, 4]); // → [[0, 0], [3, 4]]
   * ```
   */
  set(v: ArrayLike): Tensor {
    return this.apply("set", v);
  }
  /**
   * x with v added at the selected elements (repeated indices add up).
   * @example
   * ```ts
   * np.zeros([3]).at(Int32Array.of(0, 0)).add(2); // → [4, 0, 0]
   * ```
   */
  add(v: ArrayLike): Tensor {
    return this.apply("add", v);
  }
  /**
   * x with the selected elements multiplied by v. Its derivative with respect to v needs
   * `{ uniqueIndices: true }` (no index repeated), as in JAX.
   * @example
   * ```ts
   * np.array([1, 2, 3]).at(Int32Array.of(0, 2)).multiply(10); // → [10, 2, 30]
   * ```
   */
  multiply(v: ArrayLike, opts: { uniqueIndices?: boolean } = {}): Tensor {
    return this.apply("mul", v, opts.uniqueIndices ?? false);
  }
  /**
   * x with each selected element replaced by its minimum with v.
   * @example
   * ```ts
   * np.array([4, 4]).at(0).min(1); // → [1, 4]
   * ```
   */
  min(v: ArrayLike): Tensor {
    return this.apply("min", v);
  }
  /**
   * x with each selected element replaced by its maximum with v.
   * @example
   * ```ts
   * np.array([4, 4]).at(Int32Array.of(1)).max(9); // → [4, 9]
   * ```
   */
  max(v: ArrayLike): Tensor {
    return this.apply("max", v);
  }

  private apply(mode: Mode, v: ArrayLike, unique = false): Tensor {
    const x = this.x;
    const val = astype(tensor(v), x.dtype);
    const single = this.singleAxis();
    if (single) {
      const [axis, idx] = single;
      const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
      return lax.scatter(x, idx, broadcastTo(val, shape), axis, mode, unique);
    }
    // flat positions of the selected elements: the same index applied to an iota
    const pos = gatherEntries("at", lax.iota([x.size], 0, "int32").reshape(x.shape), this.entries(), x.size);
    const flat = lax.reshape(pos, [pos.size]);
    const upd = lax.reshape(broadcastTo(val, pos.shape), [pos.size]);
    return lax.reshape(lax.scatter(lax.reshape(x, [x.size]), flat, upd, 0, mode, unique), x.shape);
  }
  private entries(): Entry[] {
    const es = entries("at", this.x, this.specs);
    checkScalars("at", this.x, es);
    return es;
  }
  /** The common case x.at(i).op(v), x.at(":", …, i): one integer array on one axis, nothing else. */
  private singleAxis(): [number, Tensor] | null {
    const s = this.specs;
    const k = s.findIndex(isAdvanced);
    if (k < 0 || s.some((v, i) => i !== k && !(Array.isArray(v) && v.length === 1 && v[0] === null))) return null;
    const t = s[k] instanceof Tensor ? (s[k] as Tensor) : tensor(s[k] as ArrayLike);
    if (t.dtype !== "int32") return null;
    if (k >= this.x.ndim) throw fail(ShapeError, `at: too many indices (${s.length}) for an array of shape ${fmtShape(this.x.shape)}.`);
    return [k, t];
  }
}

/**
 * `x.at(...specs)`: the functional update reference of JAX's `x.at[...]` ({@link IndexUpdateRef}).
 * @example
 * ```ts
 * np.at(np.zeros([3]), 1).set(2); // → [0, 2, 0]
 * ```
 */
export function at(x: ArrayLike, ...specs: (IndexSpec | AdvancedIndex)[]): IndexUpdateRef {
  if (specs.length === 0) throw fail(ValueError, "at: give an index, e.g. x.at(0).set(v) or x.at(Int32Array.of(1, 2)).add(v).");
  return new IndexUpdateRef(tensor(x), specs);
}
