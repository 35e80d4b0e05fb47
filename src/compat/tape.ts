// tf.GradientTape: records the ops run on watched values (each one a node holding its core vjp)
// and answers gradient by walking the nodes backwards over the recorded forward values, jacobian
// and batchJacobian by vmap over that walk with basis cotangents. When another tape is recording
// (or this persistent one), the walk is itself computed as recorded ops: higher-order gradients.
import { Tensor, TapeError, ValueError, isTracer, numpy as np, tidy, tree, vmap } from "../index.js";
import { checkOptions, describe, shapeText } from "./errors.js";
import { tfPrint, tfShape } from "./format.js";
import { backwardIsRecorded, internalRead, isFloat, popRecorder, pushRecorder, quiet, TapeState, zerosOf, type Key, type Recorder } from "./runtime.js";
import { Variable, creationOrder } from "./variable.js";

/**
 * What `gradient`/`jacobian` give a source the target does not depend on: `NONE` ("none",
 * null — the default) or `ZERO` ("zero", zeros of the source's shape). Mirrors
 * `tf.UnconnectedGradients`.
 *
 * @example
 * ```ts
 * const x = tf.constant(1);
 * const u = tf.constant([1, 2]);
 * const tape = new tf.GradientTape({ persistent: true });
 * tape.watch([x, u]);
 * const y = tape.record(() => tf.square(x));
 * tape.gradient(y, u); // → null
 * tape.gradient(y, u, { unconnectedGradients: tf.UnconnectedGradients.ZERO }); // → [0, 0]
 * ```
 */
export const UnconnectedGradients = { NONE: "none", ZERO: "zero" } as const;
export type UnconnectedGradients = (typeof UnconnectedGradients)[keyof typeof UnconnectedGradients];

/**
 * What gradient and jacobian return for `sources`: the same pytree with a tensor per tensor or
 * variable. (An unconnected source gives null at run time unless unconnectedGradients is
 * "zero"; the type says Tensor so that TensorFlow code ports as written.)
 */
export type Gradients<S> = S extends Tensor | Variable
  ? Tensor
  : S extends readonly unknown[]
    ? { -readonly [K in keyof S]: Gradients<S[K]> }
    : S extends object
      ? { -readonly [K in keyof S]: Gradients<S[K]> }
      : S;

export interface GradientTapeOptions {
  persistent?: boolean;
  watchAccessedVariables?: boolean;
}
export interface GradientOptions {
  /** Cotangents of the targets (a pytree like `target`; null leaves mean ones). */
  outputGradients?: unknown;
  unconnectedGradients?: UnconnectedGradients;
}
export interface JacobianOptions {
  unconnectedGradients?: UnconnectedGradients;
  /** Rows computed per vectorised chunk (all at once when absent). */
  parallelIterations?: number;
  /** true (default): vmap over the backward pass; false: one backward pass per row (persistent tapes only). */
  experimentalUsePfor?: boolean;
}

const zerosShaped = (shape: number[], like: Tensor) => quiet(() => tfPrint(np.zeros(shape, { dtype: like.dtype })));

const NON_PERSISTENT = "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)";

function checkUnconnected(u: unknown): UnconnectedGradients {
  if (u === undefined) return "none";
  if (u === "none" || u === "zero") return u;
  throw new ValueError({ message: `Unknown value for unconnected_gradients: ${typeof u === "string" ? `'${u}'` : String(u)}. Use tf.UnconnectedGradients.NONE ("none") or ZERO ("zero").` });
}

/**
 * The leaves of outputGradients in tree.flatten's order, but with null/undefined kept as leaves:
 * a null there stands for one target's ones (TensorFlow's None), it is not an empty subtree.
 */
function seedLeaves(x: unknown): unknown[] {
  if (x === null || x === undefined) return [null];
  if (Array.isArray(x)) return x.flatMap(seedLeaves);
  if (typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    const o = x as Record<string, unknown>;
    return Object.keys(o).sort().flatMap((k) => seedLeaves(o[k]));
  }
  return [x];
}

/** String(x), or Object.prototype.toString for an object String cannot convert (no toString in its chain). */
function show(x: unknown): string {
  try {
    return String(x);
  } catch {
    return Object.prototype.toString.call(x);
  }
}

/** A source or target leaf: its key on the tape and its current value (reading it records nothing). */
function leafOf(api: string, what: string, s: TapeState, x: unknown): [Key, Tensor] {
  if (x instanceof Variable) return [x, quiet(() => x[internalRead]())];
  if (x instanceof Tensor) return [s.keyOf(x), x];
  throw new TapeError({
    message: `GradientTape.${api}: every ${what} must be a Tensor or a Variable, got ${x === undefined ? "undefined" : x !== null && typeof x === "object" ? x.constructor?.name ?? "an object" : typeof x} (${show(x)}).`,
  });
}

/**
 * Cotangents of every key on the tape reachable from `sources`, given the `seeds` (cotangents of
 * the targets): the recorded nodes in reverse, each node's backward step from its residuals.
 * `recorded` computes each step as ops the recording tapes record (higher-order gradients).
 */
function backprop(state: TapeState, seeds: Map<Key, Tensor>, sources: ReadonlySet<Key>, recorded: boolean): Map<Key, Tensor> {
  const entries = state.entries;
  const n = entries.length; // a persistent tape recording its own gradient appends while we walk
  const reach = new Set<Key>(sources);
  const use = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    if (!e.inKeys.some((k) => reach.has(k))) continue;
    use[i] = 1;
    e.node.outputs.forEach((o, j) => e.node.fresh[j] && reach.add(o));
  }
  const ct = new Map(seeds);
  const add = (a: Tensor, b: Tensor) => (recorded ? np.add(a, b) : quiet(() => np.add(a, b)));
  for (let i = n - 1; i >= 0; i--) {
    if (!use[i]) continue;
    const { node, inKeys } = entries[i]!;
    let any = false;
    const cts = node.outputs.map((o, j) => {
      const c = node.fresh[j] ? ct.get(o) : undefined;
      if (c) any = true;
      return c;
    });
    if (!any) continue;
    const full = cts.map((c, j) => c ?? zerosOf(node.outputs[j]!));
    const ins = recorded ? node.backwardRecorded(full) : node.backward(full);
    for (let j = 0; j < inKeys.length; j++) {
      const k = inKeys[j]!;
      if (!reach.has(k)) continue;
      const prev = ct.get(k);
      ct.set(k, prev ? add(prev, ins[j]!) : ins[j]!);
    }
  }
  return ct;
}

/**
 * Records the operations run while it records, to differentiate them afterwards: TensorFlow 2's
 * reverse-mode tape, built on tapir's transforms. Record with `tape.record(() => …)` (the body of
 * `with tf.GradientTape() as tape:`) or `using _ = tape.recording()`; then `gradient`, `jacobian`
 * or `batchJacobian`. Trainable Variables read while recording are watched automatically;
 * tensors are watched with `watch`. A tape that is not `persistent` allows one gradient call.
 * Mirrors `tf.GradientTape`.
 *
 * @param opts.persistent - allow several gradient/jacobian calls (default false).
 * @param opts.watchAccessedVariables - watch trainable variables when they are read (default true).
 * @example
 * ```ts
 * const w = new tf.Variable([1, 2]);
 * const x = tf.constant([3, 4]);
 * const tape = new tf.GradientTape();
 * const loss = tape.record(() => tf.reduceSum(tf.multiply(w, x)));
 * tape.gradient(loss, w); // → [3, 4]
 * ```
 */
export class GradientTape implements Recorder {
  /**
   * Whether more than one gradient/jacobian call is allowed (a non-persistent tape releases what
   * it recorded after its first call).
   *
   * @example
   * ```ts
   * new tf.GradientTape({ persistent: true }).persistent; // → true
   * ```
   */
  readonly persistent: boolean;
  /**
   * Whether trainable variables read while recording are watched without `watch` (default true).
   *
   * @example
   * ```ts
   * new tf.GradientTape().watchAccessedVariables; // → true
   * ```
   */
  readonly watchAccessedVariables: boolean;
  #state: TapeState | null = null;
  #recording = false;
  #released: readonly Variable[] = [];
  #warned = false;

  constructor(opts: GradientTapeOptions = {}) {
    checkOptions("tf.GradientTape", opts, ["persistent", "watchAccessedVariables"]);
    this.persistent = opts.persistent ?? false;
    this.watchAccessedVariables = opts.watchAccessedVariables ?? true;
  }

  /** @internal the recorded state (Recorder interface; always present while recording). */
  get state(): TapeState {
    return (this.#state ??= new TapeState());
  }

  /**
   * Runs fn with this tape recording (the body of `with tape:`) and returns its result. An async
   * fn is supported: the tape keeps recording until the promise it returns settles (across its
   * awaits), so `await tape.record(async () => …)` records the whole body. While it is pending,
   * ops that other code runs on watched tensors are recorded too, as with `tape.recording()`.
   *
   * @returns fn's result.
   * @throws TapeError when fn is not a function.
   * @example
   * ```ts
   * const x = tf.constant(3);
   * const tape = new tf.GradientTape();
   * tape.watch(x);
   * const y = tape.record(() => tf.multiply(x, x));
   * y.item(); // → 9
   * (tape.gradient(y, x) as Tensor).item(); // → 6
   * ```
   */
  record<R>(fn: () => R): R {
    if (typeof fn !== "function") {
      throw new TapeError({ message: `GradientTape.record: expected a function to run with the tape recording, got ${describe(fn)}. Write tape.record(() => …), or use \`using _ = tape.recording();\`.` });
    }
    this.#push();
    let async = false;
    try {
      const r = fn();
      if (r !== null && typeof r === "object" && typeof (r as { then?: unknown }).then === "function") {
        async = true;
        const stop = () => {
          if (this.#recording) this.#pop();
        };
        return (r as unknown as PromiseLike<unknown>).then(
          (v) => {
            stop();
            return v;
          },
          (e) => {
            stop();
            throw e;
          },
        ) as R;
      }
      return r;
    } finally {
      if (!async && this.#recording) this.#pop();
    }
  }

  /**
   * Starts recording until the returned Disposable is disposed: `using _ = tape.recording();`
   * records the rest of the block (the closest form to `with tape:`).
   *
   * @example
   * ```ts
   * const x = tf.constant(2);
   * const tape = new tf.GradientTape();
   * const rec = tape.recording();
   * tape.watch(x);
   * const y = tf.pow(x, 3);
   * rec[Symbol.dispose]();
   * (tape.gradient(y, x) as Tensor).item(); // → 12
   * ```
   */
  recording(): Disposable {
    this.#push();
    return {
      [Symbol.dispose]: () => {
        if (this.#recording) this.#pop();
      },
    };
  }

  /**
   * Runs fn with this tape paused: its ops are not recorded (TensorFlow's
   * `with tape.stop_recording():`).
   *
   * @throws TapeError when the tape is not recording.
   * @example
   * ```ts
   * const x = tf.constant(2);
   * const tape = new tf.GradientTape();
   * tape.watch(x);
   * const y = tape.record(() => tf.add(tf.multiply(x, x), tape.stopRecording(() => tf.multiply(x, 10))));
   * (tape.gradient(y, x) as Tensor).item(); // → 4
   * ```
   */
  stopRecording<R>(fn: () => R): R {
    if (!this.#recording) throw new TapeError({ message: "Trying to stop recording a tape which is not recording." });
    this.#pop();
    try {
      return fn();
    } finally {
      this.#push();
    }
  }

  /**
   * Clears what the tape recorded and the tensors it watched; it keeps recording (only valid
   * while recording, as in TensorFlow).
   *
   * @throws TapeError when the tape is not recording.
   * @example
   * ```ts
   * const x = tf.constant(2);
   * const tape = new tf.GradientTape();
   * const y = tape.record(() => {
   *   tape.watch(x);
   *   tf.multiply(x, 100); // forgotten by reset
   *   tape.reset();
   *   tape.watch(x);
   *   return tf.multiply(x, 3);
   * });
   * (tape.gradient(y, x) as Tensor).item(); // → 3
   * ```
   */
  reset(): void {
    if (!this.#recording) throw new TapeError({ message: "Tape is not recording." });
    this.#state?.pins.release();
    this.#state = new TapeState();
  }

  /**
   * Watches the tensors and variables of a pytree: gradients with respect to them can then be
   * taken. Non-float ones are skipped with a warning, as in TensorFlow.
   *
   * @throws ValueError for null/undefined or a leaf that is not a tensor or Variable.
   * @example
   * ```ts
   * const a = tf.constant(1);
   * const b = tf.constant(2);
   * const tape = new tf.GradientTape();
   * tape.watch({ a, b });
   * const y = tape.record(() => tf.multiply(a, b));
   * const g = tape.gradient(y, { a, b });
   * [g.a!.item(), g.b!.item()]; // → [2, 1]
   * ```
   */
  watch(x: unknown): void {
    if (x === undefined || x === null) {
      throw new ValueError({ message: `GradientTape.watch: passed in ${String(x)}, not a tf.Tensor or tf.Variable (or a pytree of them). Give the tensor to watch.` });
    }
    const s = this.state;
    for (const leaf of tree.leaves(x)) {
      if (!(leaf instanceof Tensor) && !(leaf instanceof Variable)) {
        throw new ValueError({ message: `Passed in object of type ${typeof leaf === "object" ? (leaf as object).constructor?.name : typeof leaf}, not tf.Tensor or tf.Variable. Convert it with tf.constant first.` });
      }
      if (!isFloat(leaf.dtype)) {
        if (!this.#warned) console.warn(`WARNING: The dtype of the watched tensor must be floating (e.g. tf.float32), got ${leaf.dtype}`);
        this.#warned = true;
        continue;
      }
      if (leaf instanceof Variable) s.watchVariable(leaf, quiet(() => leaf.value()));
      else s.tracked.add(s.keyOf(leaf));
    }
  }

  /**
   * The Variables this tape watched, in the order they were created (as TensorFlow sorts them
   * by id).
   *
   * @example
   * ```ts
   * const a = new tf.Variable(1, { name: "a" });
   * const b = new tf.Variable(2, { name: "b" });
   * const tape = new tf.GradientTape();
   * tape.record(() => tf.add(b, a));
   * tape.watchedVariables().map((v) => v.name); // → ["a:0", "b:0"]
   * ```
   */
  watchedVariables(): Variable[] {
    const vs = [...(this.#state?.watchedVariables ?? this.#released)];
    return vs.sort((a, b) => (creationOrder.get(a) ?? 0) - (creationOrder.get(b) ?? 0));
  }

  /**
   * Gradient of the sum of the targets' elements with respect to each source: the result
   * mirrors `sources`, null for an unconnected one unless unconnectedGradients is "zero".
   * `target` may be a pytree (a list of losses sums them); `outputGradients` weights the targets
   * (a pytree like target). Mirrors `tf.GradientTape.gradient`.
   *
   * @throws TapeError for a second call on a non-persistent tape or a null target.
   * @example
   * ```ts
   * const x = tf.constant([1, 2]);
   * const tape = new tf.GradientTape();
   * tape.watch(x);
   * const y = tape.record(() => tf.reduceSum(tf.square(x)));
   * tape.gradient(y, x); // → [2, 4]
   * ```
   */
  gradient<S>(target: unknown, sources: S, opts: GradientOptions = {}): Gradients<S> {
    checkOptions("GradientTape.gradient", opts, ["outputGradients", "unconnectedGradients"]);
    const s = this.#begin();
    if (target === null || target === undefined) {
      throw new TapeError({ message: "Argument `target` should be a list or nested structure of Tensors, Variables or CompositeTensors to be differentiated, but received None." });
    }
    const unconnected = checkUnconnected(opts.unconnectedGradients);
    const [tLeaves] = tree.flatten(target);
    const targets = tLeaves.map((t) => leafOf("gradient", "target", s, t));
    let seedsGiven: unknown[] | null = null;
    if (opts.outputGradients !== undefined && opts.outputGradients !== null) {
      seedsGiven = seedLeaves(opts.outputGradients);
      if (seedsGiven.length !== targets.length) {
        throw new ValueError({ message: `GradientTape.gradient: outputGradients has ${seedsGiven.length} tensors but target has ${targets.length}; give one per target tensor (null for ones).` });
      }
    }
    const [sLeaves, sDef] = tree.flatten(sources);
    const srcs = sLeaves.map((x) => leafOf("gradient", "source", s, x));
    const given = targets.map(([, v], i) => {
      const g = seedsGiven?.[i];
      if (g === null || g === undefined) return null;
      const t = quiet(() => (g instanceof Tensor ? g : np.asarray(g as Tensor, { dtype: v.dtype })));
      if (t.ndim !== v.ndim || t.shape.some((d, j) => d !== v.shape[j])) {
        throw new ValueError({ message: `GradientTape.gradient: outputGradients[${i}] has shape ${shapeText(t.shape)} but target ${i} has shape ${shapeText(v.shape)}; each output gradient must have its target's shape.` });
      }
      return t;
    });
    const sourceKeys = new Set(srcs.map(([k]) => k));
    const walk = (): (Tensor | null)[] => {
      const seeds = new Map<Key, Tensor>();
      targets.forEach(([k, v], i) => {
        // a target that is also a source is its own gradient (ones) even if the tape never
        // saw it: TensorFlow reads a Variable target under the tape (tape.gradient(v, v) is 1)
        if (!isFloat(v.dtype) || (!s.tracked.has(k) && !sourceKeys.has(k))) return;
        const g = given[i] ?? null;
        const seed = quiet(() => (g === null ? np.onesLike(v) : g.dtype === v.dtype ? g : np.astype(g, v.dtype)));
        const prev = seeds.get(k);
        seeds.set(k, prev ? np.add(prev, seed) : seed);
      });
      const ct = backprop(s, seeds, sourceKeys, backwardIsRecorded(s, seeds.values()));
      return srcs.map(([k, v]) => (isFloat(v.dtype) ? ct.get(k) ?? null : null));
    };
    // Unrecorded, every tensor the walk makes besides the gradients (seeds, intermediate
    // cotangents) is dead once it returns: tidy frees them now, not at the next GC. A recorded
    // walk's tensors are nodes of the recording tapes and stay.
    const traced = [...targets, ...srcs].some(([, v]) => isTracer(v)) || given.some((g) => g !== null && isTracer(g));
    const recorded = backwardIsRecorded(s, given.filter((g): g is Tensor => g !== null));
    const found = traced || recorded ? walk() : tidy(walk);
    const grads = srcs.map(([, v], i) => {
      const g = found[i];
      if (g) return tfPrint(g);
      return isFloat(v.dtype) && unconnected === "zero" ? zerosOf(v) : null;
    });
    this.#release();
    return tree.unflatten(sDef, grads);
  }

  /**
   * Jacobian of `target` with respect to each source, shape target.shape ++ source.shape:
   * vmap over the backward pass with the basis cotangents, or one pass per row when
   * experimentalUsePfor is false (persistent tapes only). Mirrors `tf.GradientTape.jacobian`.
   *
   * @throws TapeError when experimentalUsePfor is false on a non-persistent tape.
   * @example
   * ```ts
   * const x = tf.constant([1, 2]);
   * const tape = new tf.GradientTape();
   * tape.watch(x);
   * const y = tape.record(() => tf.multiply(x, x));
   * tape.jacobian(y, x); // → [[2, 0], [0, 4]]
   * ```
   */
  jacobian<S>(target: Tensor | Variable, sources: S, opts: JacobianOptions = {}): Gradients<S> {
    checkOptions("GradientTape.jacobian", opts, ["unconnectedGradients", "parallelIterations", "experimentalUsePfor"]);
    const s = this.#alive();
    const unconnected = checkUnconnected(opts.unconnectedGradients);
    const pfor = opts.experimentalUsePfor ?? true;
    if (!pfor && !this.persistent) {
      throw new TapeError({
        message: "GradientTape must be created with persistent=True to compute the jacobian with eager execution enabled and with  experimental_use_pfor set to False.",
      });
    }
    const [tKey, t] = leafOf("jacobian", "target", s, target);
    const [sLeaves, sDef] = tree.flatten(sources);
    const srcs = sLeaves.map((x) => leafOf("jacobian", "source", s, x));
    this.#begin();
    const connected = isFloat(t.dtype) && (s.tracked.has(tKey) || srcs.some(([k]) => k === tKey));
    const rows = connected ? this.#rows(s, tKey, t, [t.size], srcs, pfor, opts.parallelIterations) : srcs.map(() => null);
    const out = srcs.map(([, v], i) => {
      const r = rows[i];
      if (r) return tfPrint(np.reshape(r, [...t.shape, ...v.shape]));
      return unconnected === "zero" && isFloat(v.dtype) ? zerosShaped([...t.shape, ...v.shape], v) : null;
    });
    this.#release();
    return tree.unflatten(sDef, out);
  }

  /**
   * Per-example Jacobians: for target [b, …] and source [b, …] (example i of the target depending
   * only on example i of the source), shape [b] ++ target.shape[1:] ++ source.shape[1:]; zeros
   * when unconnected, as TensorFlow 2. Mirrors `tf.GradientTape.batch_jacobian`.
   *
   * @throws ValueError for a target or source of rank below 2, or different batch sizes.
   * @example
   * ```ts
   * const x = tf.constant([[1, 2], [3, 4]]);
   * const tape = new tf.GradientTape();
   * tape.watch(x);
   * const y = tape.record(() => tf.multiply(x, 2));
   * tape.batchJacobian(y, x); // → [[[2, 0], [0, 2]], [[2, 0], [0, 2]]]
   * ```
   */
  batchJacobian(target: Tensor | Variable, source: Tensor | Variable, opts: JacobianOptions = {}): Tensor {
    checkOptions("GradientTape.batchJacobian", opts, ["unconnectedGradients", "parallelIterations", "experimentalUsePfor"]);
    const s = this.#alive();
    checkUnconnected(opts.unconnectedGradients);
    const [tKey, t] = leafOf("batchJacobian", "target", s, target);
    const src = leafOf("batchJacobian", "source", s, source);
    const v = src[1];
    for (const x of [t, v]) if (x.ndim < 2) throw new ValueError({ message: `Shape ${tfShape(x.shape)} must have rank at least 2` });
    if (t.shape[0] !== v.shape[0]) {
      throw new ValueError({ message: `Need first dimension of target shape (${t.shape.join(", ")}) and source shape (${v.shape.join(", ")}) to match.` });
    }
    const pfor = opts.experimentalUsePfor ?? true;
    if (!pfor && !this.persistent) {
      throw new TapeError({
        message: "GradientTape must be created with persistent=True to compute the batch_jacobian with eager execution enabled and with experimental_use_pfor set to False.",
      });
    }
    this.#begin();
    const b = t.shape[0]!;
    const m = t.size / b;
    const outShape = [...t.shape, ...v.shape.slice(1)];
    let out: Tensor | null = null;
    if (isFloat(t.dtype) && (s.tracked.has(tKey) || src[0] === tKey)) {
      // row j of the per-example Jacobians: the gradient of Σ_b target[b, j] (cotangent e_j in every example)
      const rows = this.#rows(s, tKey, t, [b, m], [src], pfor, opts.parallelIterations)[0];
      if (rows) out = np.reshape(np.moveaxis(np.reshape(rows, [m, b, v.size / b]), 0, 1), outShape);
    }
    this.#release();
    return out ? tfPrint(out) : zerosShaped(outShape, v);
  }

  /**
   * The backward pass for each basis cotangent e_j (j < cols, reshaped to `tShape`; with
   * `[b, m]` the same e_j in every example): per source, the stacked results [cols, …source]
   * or null when unconnected.
   */
  #rows(s: TapeState, tKey: Key, t: Tensor, layout: number[], srcs: [Key, Tensor][], pfor: boolean, chunk?: number): (Tensor | null)[] {
    const cols = layout[layout.length - 1]!;
    const { dtype, shape: tShape } = t;
    const keys = new Set(srcs.map(([k]) => k));
    const recorded = backwardIsRecorded(s, []);
    const connected = srcs.map(() => false);
    // a zero-size target has no rows: the Jacobians are empty, of shape [0, …source]
    if (cols === 0) return srcs.map(([, v]) => quiet(() => np.zeros([0, ...v.shape], { dtype: v.dtype })));
    const pass = (c: Tensor): Tensor[] => {
      const ct = backprop(s, new Map([[tKey, c]]), keys, recorded);
      const res: Tensor[] = [];
      srcs.forEach(([k], i) => {
        const g = ct.get(k);
        connected[i] = g !== undefined;
        if (g) res.push(g);
      });
      return res;
    };
    /** Basis cotangents for rows [lo, hi): eye rows, repeated over the batch for [b, m]. */
    const basis = (lo: number, hi: number): Tensor => {
      const e = np.eye(hi - lo, cols, { k: lo, dtype });
      const full = layout.length === 2 ? np.broadcastTo(np.expandDims(e, 1), [hi - lo, layout[0]!, cols]) : e;
      return np.reshape(full, [hi - lo, ...tShape]);
    };
    let stacked: Tensor[];
    if (pfor && !recorded) {
      // vmap over the backward pass, in chunks of parallelIterations rows
      const step = chunk && chunk > 0 ? Math.min(chunk, cols) : cols;
      const parts: Tensor[][] = [];
      for (let lo = 0; lo < cols; lo += step) {
        const hi = Math.min(cols, lo + step);
        const cts = quiet(() => basis(lo, hi));
        parts.push(vmap((c: Tensor) => pass(c))(cts) as Tensor[]);
      }
      stacked = parts[0]!.map((_, i) => (parts.length === 1 ? parts[0]![i]! : np.concatenate(parts.map((p) => p[i]!), 0)));
    } else {
      // one backward pass per row (recorded by the recording tapes when there are any)
      const rows: Tensor[][] = [];
      for (let j = 0; j < cols; j++) {
        const c = quiet(() => np.reshape(np.index(basis(j, j + 1), 0), tShape));
        rows.push(pass(c));
      }
      stacked = (rows[0] ?? []).map((_, i) => np.stack(rows.map((r) => r[i]!), 0));
    }
    let k = 0;
    return srcs.map((_, i) => (connected[i] ? stacked[k++]! : null));
  }

  #push(): void {
    if (this.#recording) {
      throw new ValueError({ message: "Tape is still recording, This can happen if you try to re-enter an already-active tape." });
    }
    this.#state ??= new TapeState();
    this.#recording = true;
    pushRecorder(this);
  }
  #pop(): void {
    this.#recording = false;
    popRecorder(this);
  }
  /** The state, or TensorFlow's error for a spent non-persistent tape. */
  #alive(): TapeState {
    if (this.#state === null) throw new TapeError({ message: NON_PERSISTENT });
    return this.#state;
  }
  /** Starts a gradient computation: a non-persistent tape stops recording (its gradient is not recorded). */
  #begin(): TapeState {
    const s = this.#alive();
    if (this.#recording && !this.persistent) this.#pop();
    return s;
  }
  /** A non-persistent tape lets go of what it recorded after its one call. */
  #release(): void {
    if (this.persistent || this.#state === null) return;
    this.#released = this.#state.watchedVariables;
    this.#state.pins.release();
    this.#state = null;
  }
}
