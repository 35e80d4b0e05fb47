// tf.function: a function compiled once per input signature with TensorFlow 2's retracing rules
// (tensors by shape and dtype, JS scalars and strings by value, other objects by identity), whose
// Variables are inputs of the compiled program (read by reference at each call, assignments
// written back), and which a GradientTape differentiates through as one recorded op.
import { Tensor, DTypeError, ShapeError, ValueError, ensureCompileTimeEval, stageCapturing, type CapturedProgram, type DType } from "../index.js";
import { checkOptions, describe } from "./errors.js";
import { tfPrint, tfShape } from "./format.js";
import { noteMade } from "./lifetime.js";
import { internalRead, quiet, withoutTapes } from "./runtime.js";
import { Variable, withVariableScope } from "./variable.js";
import { constant } from "./ops.js";

/**
 * The shape and dtype a tf.function argument must have; a `null` dimension (or a `null` shape)
 * accepts any size. Mirrors `tf.TensorSpec`.
 *
 * @example
 * ```ts
 * const spec = new tf.TensorSpec([null, 3], "float32");
 * spec.toString(); // → "TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)"
 * spec.isCompatibleWith(tf.zeros([5, 3])); // → true
 * ```
 */
export class TensorSpec {
  /**
   * The dimensions (null: any size), or null for any rank.
   *
   * @example
   * ```ts
   * new tf.TensorSpec([null]).shape; // → [null]
   * ```
   */
  readonly shape: readonly (number | null)[] | null;
  /**
   * The dtype (default float32).
   *
   * @example
   * ```ts
   * new tf.TensorSpec([2]).dtype; // → "float32"
   * ```
   */
  readonly dtype: DType;
  /**
   * An optional name (shown in errors).
   *
   * @example
   * ```ts
   * new tf.TensorSpec([2], "float32", "x").name; // → "x"
   * ```
   */
  readonly name: string | null;
  constructor(shape: readonly (number | null)[] | null, dtype: DType = "float32", name: string | null = null) {
    if (shape !== null && (!Array.isArray(shape) || shape.some((d) => d !== null && !(Number.isInteger(d) && d >= 0)))) {
      throw new ValueError({ message: `tf.TensorSpec: shape must be an array of non-negative integers or null (any size), or null (any rank); got ${describe(shape)}.` });
    }
    this.shape = shape === null ? null : [...shape];
    this.dtype = dtype;
    this.name = name;
  }
  /**
   * Whether a tensor of `t`'s shape and dtype matches the spec.
   *
   * @example
   * ```ts
   * new tf.TensorSpec([2]).isCompatibleWith(tf.zeros([3])); // → false
   * ```
   */
  isCompatibleWith(t: { shape: readonly number[]; dtype: DType }): boolean {
    if (t.dtype !== this.dtype) return false;
    if (this.shape === null) return true;
    return t.shape.length === this.shape.length && this.shape.every((d, i) => d === null || d === t.shape[i]);
  }
  /**
   * TensorFlow's repr.
   *
   * @example
   * ```ts
   * new tf.TensorSpec([2]).toString(); // → "TensorSpec(shape=(2,), dtype=tf.float32, name=None)"
   * ```
   */
  toString(): string {
    const shape = this.shape === null ? "<unknown>" : this.shape.length === 1 ? `(${this.shape[0] ?? "None"},)` : `(${this.shape.map((d) => d ?? "None").join(", ")})`;
    return `TensorSpec(shape=${shape}, dtype=tf.${this.dtype}, name=${this.name === null ? "None" : `'${this.name}'`})`;
  }
}

export interface FunctionOptions {
  /** One spec per positional argument: the function is traced for these and refuses others. */
  inputSignature?: readonly (TensorSpec | { shape: readonly (number | null)[] | null; dtype?: DType })[];
  /** Accepted for TensorFlow code; tapir traces concrete shapes, so a new shape still traces. */
  reduceRetracing?: boolean;
  /** Accepted for TensorFlow code; tapir always compiles the traced program. */
  jitCompile?: boolean;
}

/** A tf.function: call it like the function it wraps. */
export interface TfFunction<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** How many times the function has been traced (TF's `experimental_get_tracing_count`). */
  experimentalGetTracingCount(): number;
  /** The function it wraps (TF's `python_function`). */
  readonly pythonFunction: F;
  /** The specs given as `inputSignature`, or null. */
  readonly inputSignature: readonly TensorSpec[] | null;
}

/** Where a captured or assigned variable comes from at each call: an argument (by position) or the closure. */
type Source = { arg: number } | { variable: Variable };

interface Entry {
  program: CapturedProgram;
  captures: Source[];
  assigns: Source[];
  /** The output with tensor leaves replaced by their output index. */
  outTemplate: unknown;
  nOut: number;
}

/** Marker of a tensor output's position in the output template. */
class Slot {
  constructor(readonly index: number) {}
}

const ids = new WeakMap<object, number>();
let nextId = 0;
const idOf = (o: object) => {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
};

/** An argument list flattened: its cache key, its tensors and variables, and how to rebuild it. */
interface Flat {
  key: string;
  tensors: Tensor[];
  variables: Variable[];
  rebuild(tensors: readonly Tensor[], variables: readonly Variable[]): unknown[];
}

/**
 * TensorFlow's tracing types: tensors by dtype and shape, variables by dtype and shape (another
 * variable of the same shape reuses the trace), arrays and plain objects by structure, JS
 * scalars, strings, null and undefined by value, anything else (functions, class instances) by
 * identity.
 */
function flattenArgs(args: readonly unknown[]): Flat {
  const tensors: Tensor[] = [];
  const variables: Variable[] = [];
  const walk = (x: unknown): [string, (t: readonly Tensor[], v: readonly Variable[]) => unknown] => {
    if (x instanceof Tensor) {
      const k = tensors.push(x) - 1;
      return [`T${x.dtype}[${x.shape.join(",")}]`, (t) => t[k]];
    }
    if (x instanceof Variable) {
      const k = variables.push(x) - 1;
      return [`V${x.dtype}[${x.shape.join(",")}]`, (_t, v) => v[k]];
    }
    if (Array.isArray(x)) {
      const parts = x.map(walk);
      return [`[${parts.map((p) => p[0]).join(",")}]`, (t, v) => parts.map((p) => p[1](t, v))];
    }
    if (typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
      const keys = Object.keys(x);
      const parts = keys.map((k) => walk((x as Record<string, unknown>)[k]));
      return [`{${keys.map((k, i) => `${JSON.stringify(k)}:${parts[i]![0]}`).join(",")}}`, (t, v) => Object.fromEntries(keys.map((k, i) => [k, parts[i]![1](t, v)]))];
    }
    const key = typeof x === "object" || typeof x === "function" ? (x === null ? "null" : `#${idOf(x)}`) : typeof x === "string" ? JSON.stringify(x) : `${typeof x}:${String(x)}`;
    return [key, () => x];
  };
  const parts = args.map(walk);
  return { key: parts.map((p) => p[0]).join(";"), tensors, variables, rebuild: (t, v) => parts.map((p) => p[1](t, v)) };
}

const specOf = (s: unknown, i: number): TensorSpec => {
  if (s instanceof TensorSpec) return s;
  if (typeof s === "object" && s !== null && "shape" in s) {
    const o = s as { shape: (number | null)[] | null; dtype?: DType; name?: string };
    return new TensorSpec(o.shape, o.dtype ?? "float32", o.name ?? null);
  }
  throw new ValueError({ message: `tf.function: inputSignature[${i}] must be a tf.TensorSpec or {shape, dtype}, got ${describe(s)}. Nested signatures are not supported; give one spec per positional argument.` });
};

/** Arguments bound to the signature as TensorFlow does: converted to tensors of the spec's dtype, checked. */
function bindSignature(specs: readonly TensorSpec[], args: readonly unknown[]): Tensor[] {
  const sig = `(${specs.map((s, i) => `${s.name ?? `arg${i}`}: ${s}`).join(", ")})`;
  const bad = (why: string, cls: typeof ValueError | typeof ShapeError | typeof DTypeError = ValueError) =>
    new cls({ message: `tf.function: Binding inputs to tf.function failed due to \`${why}\`. Received args: (${args.map(describe).join(", ")}) for signature: ${sig}. Pass arguments matching the inputSignature, or drop inputSignature to trace one program per shape.` });
  if (args.length > specs.length) throw bad("too many positional arguments");
  if (args.length < specs.length) throw bad(`missing a required argument: '${specs[args.length]!.name ?? `arg${args.length}`}'`);
  return specs.map((s, i) => {
    const a = args[i];
    const t = a instanceof Variable ? a[internalRead]() : a instanceof Tensor ? a : quiet(() => constant(a as number, { dtype: s.dtype }));
    if (!s.isCompatibleWith(t)) {
      const cls = t.dtype !== s.dtype ? DTypeError : ShapeError;
      throw bad(`Can not cast TensorSpec(shape=${tfShape(t.shape)}, dtype=tf.${t.dtype}, name=None) to ${s}`, cls);
    }
    return t;
  });
}

/** Reads the variable a source names at this call (through an enclosing trace's scope, for a tape's alias). */
const sourceVar = (s: Source, vars: readonly Variable[]): Variable => ("arg" in s ? vars[s.arg]! : s.variable);

/**
 * Compiles `fn` with TensorFlow 2's tracing rules: one trace (a compiled program) per input
 * signature — tensors by shape and dtype, JS numbers, strings and booleans by value (a new number
 * traces again, as a new Python scalar does), other objects by identity. Variables read inside
 * are captured by reference (a later `assign` is seen without tracing again) and assignments
 * inside update them; a `GradientTape` differentiates through it. With `inputSignature` it traces
 * for those specs and refuses other inputs. `experimentalGetTracingCount()` counts the traces.
 * tapir traces concrete shapes: a `null` dimension accepts any size but each new size traces
 * (TensorFlow traces once). Mirrors `tf.function`.
 *
 * @param fn - the function (tensors, variables, pytrees of them and JS values in; tensors out).
 * @param opts.inputSignature - one `tf.TensorSpec` per positional argument.
 * @throws ValueError/ShapeError/DTypeError when arguments do not match `inputSignature`.
 * @example
 * ```ts
 * const v = new tf.Variable(2);
 * const f = tf.function((x: Tensor) => tf.multiply(x, v));
 * f(tf.constant(3)); // → 6
 * v.assign(10);
 * f(tf.constant(4)); // → 40
 * f(tf.constant([1, 2])); // → [10, 20]
 * f.experimentalGetTracingCount(); // → 2
 * ```
 */
export function function_<F extends (...args: any[]) => any>(fn: F, opts: FunctionOptions = {}): TfFunction<F> {
  if (typeof fn !== "function") throw new ValueError({ message: `tf.function: expected a function to compile, got ${describe(fn)}.` });
  checkOptions("tf.function", opts, ["inputSignature", "reduceRetracing", "jitCompile"]);
  if (opts.inputSignature !== undefined && !Array.isArray(opts.inputSignature)) {
    throw new ValueError({ message: `tf.function: inputSignature must be an array of tf.TensorSpec (one per positional argument), got ${describe(opts.inputSignature)}.` });
  }
  const specs = opts.inputSignature ? opts.inputSignature.map(specOf) : null;
  const cache = new Map<string, Entry>();
  let traces = 0;
  const name = `tf.function(${fn.name || "fn"})`;

  const trace = (flat: Flat): Entry => {
    traces++;
    const captured = new Map<Variable, Tensor>();
    const captures: Source[] = [];
    const assigned = new Map<Variable, Tensor>();
    const sourceOf = (v: Variable): Source => {
      const k = flat.variables.indexOf(v);
      return k >= 0 ? { arg: k } : { variable: v };
    };
    let outTemplate: unknown;
    let nOut = 0;
    const program = stageCapturing(
      (ins, capture) =>
      // an enclosing tape records the compiled call, not the ops inside (tapes made inside record)
      withoutTapes(() =>
        withVariableScope(
          {
            read: (v) => {
              const a = assigned.get(v) ?? captured.get(v);
              if (a) return a;
              const t = capture({ shape: v.shape, dtype: v.dtype });
              captured.set(v, t);
              captures.push(sourceOf(v));
              return t;
            },
            assign: (v, value) => void assigned.set(v, value),
            init: ensureCompileTimeEval,
          },
          () => {
            const out = fn(...flat.rebuild(ins, flat.variables));
            const tensors: Tensor[] = [];
            const template = (x: unknown): unknown => {
              if (x instanceof Variable) x = x.value();
              if (x instanceof Tensor) return new Slot(tensors.push(x) - 1);
              if (Array.isArray(x)) return x.map(template);
              if (typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, template(y)]));
              return x;
            };
            outTemplate = template(out);
            nOut = tensors.length;
            return [...tensors, ...assigned.values()];
          },
        ),
      ),
      flat.tensors.map((t) => ({ shape: t.shape, dtype: t.dtype })),
      name,
    );
    return { program, captures, assigns: [...assigned.keys()].map(sourceOf), outTemplate, nOut };
  };

  const call = (...args: unknown[]): unknown => {
    const flat = specs ? flattenArgs(bindSignature(specs, args)) : flattenArgs(args);
    let entry = cache.get(flat.key);
    if (entry && entry.program.stale) entry = undefined;
    if (!entry) {
      entry = trace(flat);
      // a program that closed over an enclosing transform's tracers lives only as long as it
      if (!entry.program.closesOverTracers) cache.set(flat.key, entry);
    }
    const captures = entry.captures.map((s) => sourceVar(s, flat.variables)[internalRead]());
    const outs = entry.program.call(flat.tensors, captures);
    entry.assigns.forEach((s, k) => sourceVar(s, flat.variables).assign(outs[entry.nOut + k]!));
    const results = outs.slice(0, entry.nOut);
    for (const t of results) if (!flat.tensors.includes(t)) noteMade(tfPrint(t));
    const fill = (x: unknown): unknown => {
      if (x instanceof Slot) return results[x.index];
      if (Array.isArray(x)) return x.map(fill);
      if (typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype) return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, fill(y)]));
      return x;
    };
    return fill(entry.outTemplate);
  };
  return Object.assign(call, {
    experimentalGetTracingCount: () => traces,
    pythonFunction: fn,
    inputSignature: specs,
  }) as unknown as TfFunction<F>;
}
