// Traces and tracers: the current-trace stack, `bind`, and the eval trace at the bottom.
// A primitive applied to tracers is handed to the highest trace among its arguments (or the
// dynamic trace while staging); concrete arguments alone evaluate the kernel at once.
import type { DType } from "./dtype.js";
import { ConcretizationError, TracerLeakError, fail } from "./errors.js";
import { fmtShape } from "./shape.js";
import { Owner, Tensor, adopt, popFrame, pushFrame } from "./tensor.js";
import type { Primitive } from "./primitive.js";

/** Abstract value: what a tracer knows about its array. */
export interface Aval {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One active transformation: its level on the stack and its trace. */
export class MainTrace {
  active = true;
  readonly trace: Trace;
  /** Who owns the concrete tensors this trace's rules create (null: nobody frees them early). */
  owner: Owner | null = null;
  constructor(
    readonly level: number,
    /** The transform's name for error messages ("grad", "vmap", "jit"…). */
    readonly name: string,
    makeTrace: (main: MainTrace) => Trace,
  ) {
    this.trace = makeTrace(this);
  }
}

/**
 * How a main's tensors are owned: "auto" frees what its rules made when the body returns
 * (except what the body returns); an Owner is managed by the caller; null frees nothing early.
 */
export type Ownership = "auto" | Owner | null;

export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Called by pure(): a value this trace captures must outlive inner transforms' cleanup. */
  protected capture(x: Tensor): void {
    if (x._owner !== null) adopt(x, this.main.level, this.main.owner);
  }
  /** Boxes a value from a lower level (or a concrete tensor) into this trace. */
  abstract pure(x: Tensor): Tracer;
  lift(x: Tensor): Tracer {
    return this.pure(x);
  }
  abstract processPrimitive(prim: Primitive, tracers: Tracer[], params: any): Tensor[];
}

export abstract class Tracer extends Tensor {
  abstract readonly _trace: Trace;
  constructor(shape: readonly number[], dtype: DType) {
    super(shape, dtype, null);
  }
  /** The concrete value behind this tracer, if the transform has one (jvp, linearize); else throws. */
  toConcrete(api: string): Tensor {
    throw fail(
      ConcretizationError,
      `${api}: a concrete value was needed of a traced ${this.dtype}${fmtShape(this.shape)} under ${this._trace.main.name}. ` +
        `JS control flow and reads (item, dataSync, toArray) need concrete values: use lax.cond / lax.whileLoop / np.where ` +
        `for value-dependent control flow, or pass the argument as static (jit's staticArgnums).`,
    );
  }
  /** Drops this tracer's box when it carries nothing for its trace (e.g. an unbatched value). */
  fullLower(): Tensor {
    return this;
  }
}

const stack: MainTrace[] = [];
/** Set while staging (jit / makeJaxpr): every bind goes at least to this trace. */
let dynamic: MainTrace | null = null;

/** Runs `body` with a new main trace pushed; the trace ends (its tracers go stale) after. */
export function withMain<T>(name: string, makeTrace: (main: MainTrace) => Trace, body: (main: MainTrace) => T, ownership: Ownership = null): T {
  const main = new MainTrace(stack.length + 1, name, makeTrace);
  if (ownership === "auto") main.owner = new Owner(main.level);
  else if (ownership !== null) main.owner = ownership;
  stack.push(main);
  // the transform's own body (user code) creates unowned tensors; only rules create owned ones
  pushFrame(null);
  let result: T | undefined;
  try {
    result = body(main);
    return result;
  } finally {
    popFrame();
    main.active = false;
    stack.pop();
    if (ownership === "auto") main.owner!.release(result);
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

/** Applies a primitive under the current traces; returns its outputs. */
export function bind(prim: Primitive, args: readonly Tensor[], params: any): Tensor[] {
  if (interceptor !== null) return intercepted(interceptor, prim, args, params);
  return dispatch(prim, args, params);
}

/**
 * An intercepted application runs in an unowned frame: what the interceptor keeps (a tape's
 * recorded values) must outlive the transform invocation running now, so eager results made
 * here are left to the GC rather than freed when that invocation returns.
 */
function intercepted(f: OpInterceptor, prim: Primitive, args: readonly Tensor[], params: any): Tensor[] {
  pushFrame(null);
  try {
    return f({ name: prim.name, inputs: args, apply: (xs) => dispatch(prim, xs, params) });
  } finally {
    popFrame();
  }
}

function dispatch(prim: Primitive, args: readonly Tensor[], params: any): Tensor[] {
  const top = findTopMain(args);
  if (top === null) return prim.impl(args as Tensor[], params);
  const trace = top.trace;
  const tracers = new Array<Tracer>(args.length);
  for (let i = 0; i < args.length; i++) tracers[i] = fullRaise(trace, args[i]!);
  pushFrame(top.owner);
  let outs: Tensor[];
  try {
    outs = trace.processPrimitive(prim, tracers, params);
  } finally {
    popFrame();
  }
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
