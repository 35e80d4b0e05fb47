// The recording machinery under GradientTape: which tapes are recording, how an op on watched
// values becomes a tape node (evaluated through the core's vjp, so the node holds the forward
// values as residuals and a closure for its backward step), and the op interceptor that records
// primitives applied outside the tf.* ops (numpy functions, Tensor methods, eager transforms).
import { Tensor, isTracer, numpy as np, setOpInterceptor, toTensorSymbol, vjp, type ArrayLike, type DType, type OpCall, type TensorConvertible } from "../index.js";
import { named } from "./errors.js";
import { tfPrint } from "./format.js";
import { noteMade, Pins } from "./lifetime.js";
import type { Variable } from "./variable.js";

export const isFloat = (d: DType) => d === "float32" || d === "float64";

/** What a tape differentiates with respect to: a tensor, or a variable (all its reads). */
export type Key = Tensor | Variable;

/** One recorded op. Nodes are shared by every tape that recorded them. */
export interface Node {
  /** The differentiated inputs (float inputs watched by some tape), as the op received them. */
  readonly inputs: readonly Tensor[];
  /** All outputs of the op (non-float ones get zero cotangents). */
  readonly outputs: readonly Tensor[];
  /** Which outputs are new float tensors (an output that is one of the inputs carries no node). */
  readonly fresh: readonly boolean[];
  /** Every tensor argument of the op (watched or not): its backward step may read any of them. */
  readonly held?: readonly Tensor[];
  /** Cotangents of `inputs` from cotangents of `outputs`, from the residuals kept at record time. */
  backward(cts: Tensor[]): Tensor[];
  /** The same, computed as ops that the recording tapes record (for higher-order gradients). */
  backwardRecorded(cts: Tensor[]): Tensor[];
}

/** A node as one tape sees it: the keys its inputs had on that tape when it was recorded. */
export interface Entry {
  readonly node: Node;
  readonly inKeys: readonly Key[];
}

/** What a tape holds between its recording and its gradient (TensorFlow's `_tape`). */
export class TapeState {
  /** Watched keys and the outputs of recorded ops. */
  readonly tracked = new Set<Key>();
  /** Tensors read from a watched variable stand for that variable. */
  readonly alias = new Map<Tensor, Variable>();
  readonly entries: Entry[] = [];
  readonly watchedVariables: Variable[] = [];
  /** The tensors the recorded nodes read (their backward passes need them until the gradient is taken). */
  readonly pins = new Pins();

  keyOf(t: Tensor): Key {
    return this.alias.get(t) ?? t;
  }
  tracks(t: Tensor): boolean {
    return this.tracked.has(this.alias.get(t) ?? t);
  }
  watchVariable(v: Variable, value: Tensor): void {
    if (!this.tracked.has(v)) {
      this.tracked.add(v);
      this.watchedVariables.push(v);
    }
    this.alias.set(value, v);
  }
}

/** A recording tape, as the runtime needs it (GradientTape is one). */
export interface Recorder {
  /** @internal what the tape recorded */
  readonly state: TapeState;
  readonly watchAccessedVariables: boolean;
}

const recorders: Recorder[] = [];
let suspended = 0;

function sync(): void {
  setOpInterceptor(recorders.length > 0 && suspended === 0 ? intercept : null);
}

/** The tapes recording now (none while recording is suspended). */
export function active(): readonly Recorder[] {
  return suspended === 0 ? recorders : [];
}
export function pushRecorder(r: Recorder): void {
  recorders.push(r);
  sync();
}
export function popRecorder(r: Recorder): void {
  const i = recorders.lastIndexOf(r);
  if (i >= 0) recorders.splice(i, 1);
  sync();
}

/** Runs fn with recording suspended on every tape (internal computations that must not be recorded). */
export function quiet<T>(fn: () => T): T {
  if (suspended++ === 0) sync();
  try {
    return fn();
  } finally {
    if (--suspended === 0) sync();
  }
}

/** Collectors of the variables read while they are open (customGradient's VariableWatcher). */
const readWatchers: Variable[][] = [];
/** Runs fn and returns the variables it read (each once, in order). */
export function watchReads<T>(fn: () => T): [T, Variable[]] {
  const seen: Variable[] = [];
  readWatchers.push(seen);
  try {
    return [fn(), [...new Set(seen)]];
  } finally {
    readWatchers.splice(readWatchers.lastIndexOf(seen), 1);
  }
}

/** Tells the recording tapes that `v` was read as `value`: auto-watch and alias. */
export function noteRead(v: Variable, value: Tensor): void {
  for (const w of readWatchers) w.push(v);
  const rs = active();
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    if (r.watchAccessedVariables && v.trainable && isFloat(v.dtype)) r.state.watchVariable(v, value);
    else if (r.state.tracked.has(v)) r.state.alias.set(value, v);
  }
}

/**
 * Positions of `xs` that some recording tape differentiates (float tensors it tracks), or null.
 * An op mixing a watched concrete tensor with tracers belongs to a transform running inside the
 * recording: it is not a node (the transform's eager computations are recorded as they run).
 */
function watchedPositions(xs: readonly unknown[], rs: readonly Recorder[]): number[] | null {
  let pos: number[] | null = null;
  let traced = false;
  let concreteWatched = false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!(x instanceof Tensor)) continue;
    const tracer = isTracer(x);
    traced ||= tracer;
    if (!isFloat(x.dtype)) continue;
    for (let k = 0; k < rs.length; k++) {
      if (rs[k]!.state.tracks(x)) {
        (pos ??= []).push(i);
        concreteWatched ||= !tracer;
        break;
      }
    }
  }
  return traced && concreteWatched ? null : pos;
}

/**
 * Whether a backward pass over `state` must be computed as recorded ops: some recording tape
 * tracks an input of one of its nodes, or one of the starting cotangents.
 */
export function backwardIsRecorded(state: TapeState, seeds: Iterable<Tensor>): boolean {
  const rs = active();
  if (rs.length === 0) return false;
  const tracked = (x: Tensor) => rs.some((r) => r.state.tracks(x));
  for (const t of seeds) if (tracked(t)) return true;
  return state.entries.some((e) => e.node.inputs.some(tracked));
}

/** Zeros shaped like `t` (a missing cotangent), not recorded. */
export const zerosOf = (t: Tensor): Tensor => quiet(() => tfPrint(np.zeros(t.shape, { dtype: t.dtype })));

/**
 * Evaluates `fn(xs)` through the core's vjp in the positions `pos` and records the node on
 * every recording tape that tracks one of those inputs. Returns fn's outputs.
 */
function recordNode(fn: (xs: unknown[]) => Tensor[], xs: unknown[], pos: number[], rs: readonly Recorder[]): Tensor[] {
  const inputs = pos.map((p) => xs[p] as Tensor);
  const f = (...ds: Tensor[]): Tensor[] => {
    const full = xs.slice();
    for (let k = 0; k < pos.length; k++) full[pos[k]!] = ds[k];
    return fn(full);
  };
  const [outs, vjpFn] = quiet(() => vjp(f, inputs)) as [Tensor[], (ct: unknown) => Tensor[]];
  const node: Node = {
    inputs,
    held: tensorsOf(xs),
    outputs: outs,
    fresh: freshOutputs(inputs, outs),
    backward: (cts) => quiet(() => vjpFn(cts)),
    backwardRecorded: (cts) => {
      const args = [...inputs, ...cts];
      const rs2 = active();
      if (rs2.length === 0 || watchedPositions(args, rs2) === null) return node.backward(cts);
      return run((a) => vjp(f, a.slice(0, inputs.length) as Tensor[])[1](a.slice(inputs.length)) as Tensor[], args) as Tensor[];
    },
  };
  attach(node, rs);
  return outs;
}

/** The tensors among an op's arguments. */
export const tensorsOf = (xs: readonly unknown[]): Tensor[] => xs.filter((x): x is Tensor => x instanceof Tensor);

/** Float outputs that are new tensors (not one of the inputs, not repeated). */
export function freshOutputs(inputs: readonly Tensor[], outs: readonly Tensor[]): boolean[] {
  return outs.map((o, i) => isFloat(o.dtype) && !inputs.includes(o) && outs.indexOf(o) === i);
}

/** Adds `node` to every recording tape that tracks one of its inputs; its fresh outputs become tracked. */
export function attach(node: Node, rs: readonly Recorder[] = active()): void {
  if (!node.fresh.includes(true)) return;
  for (const r of rs) {
    const s = r.state;
    if (!node.inputs.some((x) => s.tracks(x))) continue;
    s.entries.push({ node, inKeys: node.inputs.map((x) => s.keyOf(x)) });
    for (const x of node.held ?? node.inputs) s.pins.pin(x);
    for (const o of node.outputs) s.pins.pin(o);
    node.outputs.forEach((o, i) => node.fresh[i] && s.tracked.add(o));
  }
}

/**
 * Applies an op: `fn` gets `args` with variables read (their current values); tensors among
 * them that a recording tape watches make the call a recorded node. Outputs print as TensorFlow's.
 * Errors name `api` (the compat op the user called), not the core op that raised them.
 */
export function run(fn: (xs: any[]) => Tensor | Tensor[], args: readonly unknown[], api?: string, rule?: Rule): Tensor | Tensor[] {
  return api === undefined ? runOp(fn, args, rule) : named(api, () => runOp(fn, args, rule));
}

function runOp(fn: (xs: any[]) => Tensor | Tensor[], args: readonly unknown[], rule?: Rule): Tensor | Tensor[] {
  const rs = active();
  // a variable read next to a tracer is captured by the trace (a jit constant): the user's from then on
  const traced = args.some(isTracer);
  const xs = args.map((x) => readIfVariable(x, traced));
  if (rs.length === 0) return made(printTF(fn(xs)), xs);
  const pos = watchedPositions(xs, rs);
  if (pos === null) {
    // nothing watched among concrete inputs: run it unrecorded; tracers (a transform running
    // inside the recording) may wrap watched values, so their eager parts still reach the tapes
    return made(printTF(xs.some(isTracer) ? fn(xs) : quiet(() => fn(xs))), xs);
  }
  if (rule) return made(printTF(recordRuled(fn as (xs: unknown[]) => Tensor, rule, xs, pos, rs)), xs);
  let single = false;
  const outs = recordNode(
    (ys) => {
      const o = fn(ys);
      single = o instanceof Tensor;
      return o instanceof Tensor ? [o] : o;
    },
    xs,
    pos,
    rs,
  );
  // a new array: the user may reorder or pop it (unstack, split) without touching the node
  return made(printTF(single ? outs[0]! : outs.slice()), xs);
}

/** `run` for ops with one output (on a tape, differentiated by `rule` when given). */
export const run1 = (fn: (xs: any[]) => Tensor, args: readonly unknown[], api?: string, rule?: Rule): Tensor => run(fn, args, api, rule) as Tensor;

/**
 * TensorFlow's registered gradient of a one-output op: the cotangent of each argument (by
 * position; null or undefined: none) from the arguments `xs`, the output `y` and its cotangent.
 * Computed with tapir ops, so a recording tape records it (higher-order gradients).
 */
export type Rule = (xs: any[], y: Tensor, ct: Tensor) => (Tensor | null | undefined)[];

/** g summed over the axes broadcasting added to `x`'s shape, in x's dtype (the cotangent of a broadcast argument). */
export function sumToShape(g: Tensor, x: Tensor): Tensor {
  let r = g;
  const lead = r.ndim - x.ndim;
  if (lead > 0) r = np.sum(r, Array.from({ length: lead }, (_, i) => i));
  const ones = x.shape.flatMap((d, i) => (d === 1 && r.shape[i] !== 1 ? [i] : []));
  if (ones.length) r = np.sum(r, ones, { keepdims: true });
  return r.dtype === x.dtype ? r : np.astype(r, x.dtype);
}

/**
 * A node whose backward step is `rule` (not the core's vjp): the forward runs plainly, so the
 * node keeps only its arguments and output — no residuals — and TensorFlow's conventions at
 * ties and kinks hold on the tape.
 */
function recordRuled(fn: (xs: unknown[]) => Tensor, rule: Rule, xs: unknown[], pos: number[], rs: readonly Recorder[]): Tensor {
  const y = quiet(() => fn(xs));
  const inputs = pos.map((p) => xs[p] as Tensor);
  const grads = (cts: Tensor[]): Tensor[] => {
    const g = rule(xs, y, cts[0]!);
    return pos.map((p) => {
      const gi = g[p];
      const x = xs[p] as Tensor;
      return gi === null || gi === undefined ? np.zerosLike(x) : sumToShape(gi, x);
    });
  };
  const node: Node = {
    inputs,
    held: tensorsOf(xs),
    outputs: [y],
    fresh: freshOutputs(inputs, [y]),
    backward: (cts) => quiet(() => grads(cts)),
    backwardRecorded: grads,
  };
  attach(node, rs);
  return y;
}
/** A one-argument / two-argument op from a tapir function, named `api` in errors. */
export const unary = (api: string, f: (x: Tensor) => Tensor) => (x: ArrayLike): Tensor => run1(([a]) => f(a), [x], api);
export const binary = (api: string, f: (a: any, b: any) => Tensor) => (x: ArrayLike, y: ArrayLike): Tensor => run1(([a, b]) => f(a, b), [x, y], api);

function printTF<T extends Tensor | Tensor[]>(o: T): T {
  if (o instanceof Tensor) tfPrint(o);
  else for (const t of o as Tensor[]) tfPrint(t);
  return o;
}

/**
 * Key of a Variable's read by compat ops: the value goes to the op (and the tapes recording it),
 * not to the user, so the Variable may free it when it is replaced (lifetime.ts).
 */
export const internalRead: unique symbol = Symbol("tapir.compat.internalRead");
interface InternallyReadable {
  [internalRead](): Tensor;
}

/** Variables (anything convertible to a tensor) are read; the read tells the tapes. */
function readIfVariable(x: unknown, traced: boolean): unknown {
  if (typeof x !== "object" || x === null) return x;
  if (!traced && internalRead in x) return (x as InternallyReadable)[internalRead]();
  return toTensorSymbol in x ? (x as TensorConvertible)[toTensorSymbol]() : x;
}

/** Records the op's new outputs (not one of its inputs) as made by compat (lifetime.ts). */
function made<T extends Tensor | Tensor[]>(o: T, xs: readonly unknown[]): T {
  if (o instanceof Tensor) {
    if (!xs.includes(o)) noteMade(o);
  } else for (const t of o as Tensor[]) if (!xs.includes(t)) noteMade(t);
  return o;
}

/**
 * Primitives TensorFlow registers as not differentiable (ops.NotDifferentiable): on a tape their
 * outputs are not connected to their inputs (tape.gradient gives null, TF's None), where the
 * core's rules give zeros. (sign keeps its recorded zero gradient: TensorFlow registers one.)
 */
const NOT_DIFFERENTIABLE = new Set(["floor", "ceil", "round", "stop_gradient"]);

/** The interceptor: a primitive applied to a watched tensor becomes a node, anything else runs as is. */
function intercept(op: OpCall): Tensor[] {
  const rs = active();
  const pos = watchedPositions(op.inputs, rs);
  if (pos === null || NOT_DIFFERENTIABLE.has(op.name)) return op.apply(op.inputs);
  return recordNode((xs) => op.apply(xs as Tensor[]), op.inputs.slice(), pos, rs);
}

/**
 * Runs fn with no tape recording (not even suspended ones): tapes fn creates record as usual.
 * tf.function traces this way: an enclosing tape records the compiled call, not the ops inside.
 */
export function withoutTapes<T>(fn: () => T): T {
  const saved = recorders.splice(0);
  const savedSuspended = suspended;
  suspended = 0;
  sync();
  try {
    return fn();
  } finally {
    recorders.splice(0, recorders.length, ...saved);
    suspended = savedSuspended;
    sync();
  }
}
