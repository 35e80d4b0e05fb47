// Traces and tracers: the current-trace stack, `bind`, and the eval trace at the bottom.
// A primitive applied to tracers is handed to the highest trace among its arguments (or the
// dynamic trace while staging); concrete arguments alone evaluate the kernel at once.
import type { DType } from "./dtype.js";
import { ConcretizationError, TracerLeakError, fail } from "./errors.js";
import { fmtShape } from "./shape.js";
import { Scope, Tensor, adopt, currentOwner, setOwner, withOwner } from "./tensor.js";
import type { Primitive } from "./primitive.js";

/** Abstract value: what a tracer knows about its array. */
export interface Aval {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** An aval as messages show it: `float32[2,3]`. */
export function fmtAval(a: Aval): string {
  return `${a.dtype}${fmtShape(a.shape)}`;
}

/** One active transformation: its level on the stack and its trace. */
export class MainTrace {
  active = true;
  readonly trace: Trace;
  /** Who owns what this trace's rules make: the owner of the code that started the transform. */
  readonly owner: Scope | null = currentOwner();
  constructor(
    readonly level: number,
    /** The transform's name for error messages ("grad", "vmap", "jit"…). */
    readonly name: string,
    makeTrace: (main: MainTrace) => Trace,
  ) {
    this.trace = makeTrace(this);
  }
}

export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Boxes a value from a lower level (or a concrete tensor) into this trace. */
  abstract pure(x: Tensor): Tracer;
  lift(x: Tensor): Tracer {
    return this.pure(x);
  }
  abstract processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Tensor[];
}

/**
 * The stand-in for a value inside a transform (grad, vmap, jit…): a Tensor with a shape and
 * dtype whose values may not be known. Reading its values (`item`, `dataSync`, `if (x > 0)`)
 * throws `ConcretizationError` when they are not; `isTracer` tells it from a concrete tensor.
 * Mirrors JAX's `Tracer`.
 *
 * @example
 * ```ts
 * let seen = "";
 * jit((x: Tensor) => { seen = isTracer(x) ? `traced ${x.dtype}[${x.shape}]` : "concrete"; return x; })(np.ones([2]));
 * seen; // → "traced float32[2]"
 * ```
 */
export abstract class Tracer extends Tensor {
  /** @internal the trace this tracer belongs to */
  abstract readonly _trace: Trace;
  constructor(shape: readonly number[], dtype: DType) {
    super(shape, dtype, null);
  }
  /** @internal the concrete value behind this tracer, if the transform has one (jvp, linearize); else throws */
  toConcrete(api: string): Tensor {
    throw fail(
      ConcretizationError,
      `${api}: a concrete value was needed of a traced ${this.dtype}${fmtShape(this.shape)} under ${this._trace.main.name}. ` +
        `JS control flow and reads (item, dataSync, toArray) need concrete values: use lax.cond / lax.whileLoop / np.where ` +
        `for value-dependent control flow, or pass the argument as static (jit's staticArgnums).`,
    );
  }
  /** @internal drops this tracer's box when it carries nothing for its trace (e.g. an unbatched value) */
  fullLower(): Tensor {
    return this;
  }
}

const stack: MainTrace[] = [];
/** Set while staging (jit / makeJaxpr): every bind goes at least to this trace. */
let dynamic: MainTrace | null = null;

/** Runs `body` with a new main trace pushed; the trace ends (its tracers go stale) after. */
export function withMain<T>(name: string, makeTrace: (main: MainTrace) => Trace, body: (main: MainTrace) => T): T {
  const main = new MainTrace(stack.length + 1, name, makeTrace);
  stack.push(main);
  try {
    return body(main);
  } finally {
    main.active = false;
    stack.pop();
  }
}

/** Like withMain, but every primitive bound inside is staged into this trace (omnistaging). */
export function withDynamicMain<T>(name: string, makeTrace: (main: MainTrace) => Trace, body: (main: MainTrace) => T): T {
  return withMain(name, makeTrace, (main) => {
    const prev = dynamic;
    dynamic = main;
    try {
      return body(main);
    } finally {
      dynamic = prev;
    }
  });
}

/** The dynamic (staging) main, if any, for ops that create values from nothing (zeros, iota). */
export function dynamicMain(): MainTrace | null {
  return dynamic;
}

export function currentLevel(): number {
  return stack.length;
}

// ------------------------------------------------------------------ scopes and the API name
// Memory ownership is entered here only: by the public transforms (transformScope), tidy, and
// staging or recording code whose tensors must outlive the call (unowned). Interpreters never
// mention it: a main trace remembers the owner of the code that started it, bind makes what a
// rule creates that owner's, and fullRaise hands a value a main captures from a more deeply
// nested scope to the main's owner (it must live as long as the main's values).

/** The public API the user called (grad, vjp, jacrev…), for error messages; null outside one. */
let api: string | null = null;
/** The innermost open scope. */
let innermost: Scope | null = null;
const depthOf = (s: Scope | null): number => (s === null ? 0 : s.depth);

/** The public API being run (read when an error message is built), or `fallback` outside one. */
export function currentApi(fallback: string): string {
  return api ?? fallback;
}

function enter<T>(scope: Scope, body: () => T, keep: (result: T) => unknown): T {
  const prev = innermost;
  innermost = scope;
  let result: T;
  try {
    result = withOwner(scope, body);
  } catch (e) {
    scope.close(null);
    throw e;
  } finally {
    innermost = prev;
  }
  scope.close(keep(result));
  return result;
}

/**
 * Runs the public transform `name`: errors raised inside by interpreters shared between APIs
 * (the transpose pass under grad, vjp and jacrev) name it, and the concrete tensors its rules
 * and its own code make are freed when it returns, except those reachable from `keep(result)`
 * (arrays and plain objects are searched), which pass to the caller's owner. The user's
 * function runs through `userCode`. `body` may sweep its scope early.
 */
export function transformScope<T>(name: string, body: (scope: Scope) => T, keep: (result: T) => unknown = (r) => r): T {
  const heir = currentOwner();
  const scope = new Scope(depthOf(innermost) + 1, true, heir, heir);
  const prevApi = api;
  api = name;
  try {
    return enter(scope, () => body(scope), keep);
  } finally {
    api = prevApi;
  }
}

/** Runs the user's function inside a transform: what it makes is owned as in the caller's code. */
export function userCode<T>(fn: () => T): T {
  return innermost === null ? fn() : withOwner(innermost.userCodeOwner, fn);
}

/**
 * Runs `fn` and then disposes every tensor created during it that is not reachable from its result
 * (searched through arrays and plain objects) and not passed to `keep()`; the result's tensors
 * pass to an enclosing `tidy`, if any. Optional: unreachable tensors are reclaimed by the GC
 * anyway, tidy frees them at once. `fn` must be synchronous (tensors made after it returns are
 * not tracked).
 * Mirrors TensorFlow.js's `tf.tidy` (JAX has no equivalent).
 * @param fn - a function making tensors; its result may be any value or pytree.
 * @returns what `fn` returns. An error thrown by `fn` propagates, after the tensors it made are disposed.
 * @example
 * ```ts
 * let tmp!: Tensor;
 * const y = tidy(() => { tmp = np.ones([2]).mul(3); return tmp.sum(); });
 * y.item(); // → 6
 * tmp.isDisposed; // → true
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const heir = currentOwner();
  return enter(new Scope(depthOf(innermost) + 1, true, heir, "self"), fn, (r) => r);
}

/** Runs `fn` so that the tensors it makes belong to nobody (constants of a staged program, a tape's records). */
export function unowned<T>(fn: () => T): T {
  return enter(new Scope(depthOf(innermost) + 1, false, null, null), fn, () => null);
}

function leak(t: Tracer): Error {
  return fail(
    TracerLeakError,
    `A tracer ${t.dtype}${fmtShape(t.shape)} created inside ${t._trace.main.name} was used after ${t._trace.main.name} returned. ` +
      `Return values out of the transformed function instead of storing them in outer variables (or tree.map(stopGradient) them).`,
  );
}

function findTopMain(args: readonly Tensor[]): MainTrace | null {
  let top = dynamic;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a instanceof Tracer) {
      const m = a._trace.main;
      if (!m.active) throw leak(a);
      if (top === null || m.level > top.level) top = m;
    }
  }
  return top;
}

/** Raises a value into `trace` (from a lower level or concrete). */
export function fullRaise(trace: Trace, x: Tensor): Tracer {
  if (x instanceof Tracer) {
    const m = x._trace.main;
    if (m === trace.main) return x;
    if (!m.active) throw leak(x);
    if (m.level < trace.main.level) return trace.lift(x);
    throw fail(TracerLeakError, `internal: tracer from level ${m.level} (${m.name}) reached a lower trace ${trace.main.name}.`);
  }
  // a value a more deeply nested scope made, captured by this trace, lives as long as its values
  const o = x._owner;
  if (o !== null && o.depth > depthOf(trace.main.owner)) adopt(x, trace.main.owner);
  return trace.pure(x);
}

/** One primitive application as an op interceptor sees it. */
export interface OpCall {
  /** The primitive's name ("mul", "dot_general", …). */
  readonly name: string;
  readonly inputs: readonly Tensor[];
  /** Applies the primitive (same params) to `inputs` or to others of the same shapes and dtypes,
   *  skipping the interceptor for this one application (nested applications still reach it). */
  apply(inputs: readonly Tensor[]): Tensor[];
}
/** Sees every primitive application before it runs and returns its outputs (usually op.apply(op.inputs)). */
export type OpInterceptor = (op: OpCall) => Tensor[];
let interceptor: OpInterceptor | null = null;

/**
 * Installs `f` to see every primitive application (eager or traced) before it runs, or removes it
 * with null; returns the previous interceptor so callers can restore it. `f` receives the primitive's
 * name and inputs and must return the outputs, usually `op.apply(op.inputs)`. tapir/compat's
 * GradientTape records the ops it watches this way, and installs it only while a tape is
 * recording, so applying a primitive pays nothing otherwise.
 * tapir-specific (the hook TensorFlow's tape uses internally; JAX has no public equivalent).
 * @param f - the interceptor, or null to remove it.
 * @returns the interceptor that was installed before (or null).
 * @example
 * ```ts
 * const seen: string[] = [];
 * const prev = setOpInterceptor((op) => { seen.push(op.name); return op.apply(op.inputs); });
 * np.sin(np.array([1, 2])).neg();
 * setOpInterceptor(prev);
 * seen; // → ["sin", "neg"]
 * ```
 */
export function setOpInterceptor(f: OpInterceptor | null): OpInterceptor | null {
  const prev = interceptor;
  interceptor = f;
  return prev;
}

/** How a primitive runs on concrete operands (lazy.ts installs lazy eager). */
type ConcreteEval = (prim: Primitive, args: Tensor[], params: any) => Tensor[];
let concreteEval: ConcreteEval = (prim, args, params) => prim.impl(args, params);
/** @internal installs how primitives on concrete operands run (lazy.ts's evalConcrete) */
export function setConcreteEval(f: ConcreteEval): void {
  concreteEval = f;
}

/** Applies a primitive under the current traces; returns its outputs. */
export function bind(prim: Primitive, args: readonly Tensor[], params: any): Tensor[] {
  if (interceptor !== null) return intercepted(interceptor, prim, args, params);
  return dispatch(prim, args, params);
}

/**
 * An intercepted application makes unowned tensors: what the interceptor keeps (a tape's
 * recorded values) must outlive the transform invocation running now.
 */
function intercepted(f: OpInterceptor, prim: Primitive, args: readonly Tensor[], params: any): Tensor[] {
  return unowned(() => f({ name: prim.name, inputs: args, apply: (xs) => dispatch(prim, xs, params) }));
}

function dispatch(prim: Primitive, args: readonly Tensor[], params: any): Tensor[] {
  const top = findTopMain(args);
  if (top === null) return concreteEval(prim, args as Tensor[], params);
  // what the rule makes belongs to the owner of the code that started top's transform
  const owner = top.owner;
  const prev = currentOwner();
  if (owner === prev) return processPrimitive(top, prim, args, params);
  setOwner(owner);
  try {
    return processPrimitive(top, prim, args, params);
  } finally {
    setOwner(prev);
  }
}

function processPrimitive(top: MainTrace, prim: Primitive, args: readonly Tensor[], params: any): Tensor[] {
  const trace = top.trace;
  const tracers = new Array<Tracer>(args.length);
  for (let i = 0; i < args.length; i++) tracers[i] = fullRaise(trace, args[i]!);
  const outs = trace.processPrimitive(prim, tracers, params);
  for (let i = 0; i < outs.length; i++) {
    const o = outs[i]!;
    if (o instanceof Tracer) outs[i] = o.fullLower();
  }
  return outs;
}

export function bind1(prim: Primitive, args: readonly Tensor[], params: any): Tensor {
  return bind(prim, args, params)[0]!;
}

/** The concrete tensor behind `t`, or a ConcretizationError naming `api`. */
export function toConcrete(t: Tensor, api: string): Tensor {
  if (t instanceof Tracer) {
    if (!t._trace.main.active) throw leak(t);
    return t.toConcrete(api);
  }
  return t;
}

/**
 * Whether x is a tracer: the stand-in a transform (grad, vmap, jit, …) passes to your function in
 * place of a tensor. A tracer has a tensor's methods and shape, but its values cannot be read.
 * Mirrors isinstance(x, jax.core.Tracer).
 * @param x - any value.
 * @returns true for a tracer, false for a concrete tensor or any other value.
 * @example
 * ```ts
 * isTracer(np.ones([2])); // → false
 * let inside = false;
 * grad((x: Tensor) => { inside = isTracer(x); return x.sum(); })(np.ones([2]));
 * inside; // → true
 * ```
 */
export function isTracer(x: unknown): x is Tracer {
  return x instanceof Tracer;
}

/**
 * Runs fn with no staging trace: ops on concrete values run now even while jit or tf.function
 * stages (TensorFlow's init_scope, for a variable's initial value made inside a traced function).
 */
export function withoutStaging<T>(fn: () => T): T {
  const prev = dynamic;
  dynamic = null;
  try {
    return fn();
  } finally {
    dynamic = prev;
  }
}
