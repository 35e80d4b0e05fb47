// Typed, exported errors: effect TaggedErrors that are ordinary Errors for plain users.
import { Data } from "effect";

/** What every tapir error class is constructed with: its message. */
export type ErrorMessage = { readonly message: string };

/**
 * The public type of a tapir error class: an ordinary `Error` with a `_tag`. At run time it is
 * effect's `Data.TaggedError` (so Effect code can `yield*` it), but the published declarations
 * do not mention effect, so a user's compile never depends on effect's ambient (DOM) types.
 */
type TaggedErrorClass<Tag extends string> = new <A extends Record<string, unknown> = {}>(args: A) => Error & { readonly _tag: Tag } & Readonly<A>;
const tagged = <Tag extends string>(tag: Tag): TaggedErrorClass<Tag> => Data.TaggedError(tag) as unknown as TaggedErrorClass<Tag>;

/**
 * Shapes that do not fit: broadcasting, matmul, reshape, indices, tree leaves. Like every tapir
 * error it is an ordinary `Error` whose message names the API you called, shows the shapes and
 * says the fix; `_tag` tells the classes apart without `instanceof`.
 *
 * @example
 * ```ts
 * let caught: any;
 * try { np.add(np.ones([2]), np.ones([3])); } catch (e) { caught = e; }
 * caught instanceof ShapeError; // → true
 * caught._tag; // → "ShapeError"
 * ```
 */
export class ShapeError extends tagged("ShapeError")<ErrorMessage> {}
/**
 * A dtype an op does not accept: an unknown dtype name, an integer input to grad, a non-float
 * dtype for random.normal… An ordinary `Error` with `_tag: "DTypeError"`; the message names the API
 * and the accepted dtypes. Mirrors the TypeError JAX raises for bad dtypes.
 * @example
 * ```ts
 * let caught: any;
 * try { np.array([1], { dtype: "float16" as any }); } catch (e) { caught = e; }
 * caught instanceof DTypeError; // → true
 * caught.message; // → array: unknown dtype "float16"; use "float32", "float64", "int32" or "bool".
 * ```
 */
export class DTypeError extends tagged("DTypeError")<ErrorMessage> {}
/**
 * An axis argument outside the array's rank, or repeated. An ordinary `Error` with
 * `_tag: "AxisError"`. Mirrors numpy.exceptions.AxisError.
 * @example
 * ```ts
 * let caught: any;
 * try { np.sum([1, 2], 1); } catch (e) { caught = e; }
 * caught instanceof AxisError; // → true
 * caught._tag; // → "AxisError"
 * ```
 */
export class AxisError extends tagged("AxisError")<ErrorMessage> {}
/**
 * A concrete value was needed of a traced one: `item()`, `dataSync()`, `toArray()` or JS control
 * flow (`if (x > 0)`) on a tensor inside jit (or another tracing transform). The fix: lax.cond /
 * np.where for value-dependent choices, or jit's staticArgnums. An ordinary `Error` with
 * `_tag: "ConcretizationError"`. Mirrors jax.errors.ConcretizationTypeError.
 * @example
 * ```ts
 * const f = jit((x: Tensor) => (x.item() > 0 ? x : x.neg()));
 * let caught: any;
 * try { f(np.array(1)); } catch (e) { caught = e; }
 * caught instanceof ConcretizationError; // → true
 * jit((x: Tensor) => np.where(x.greater(0), x, x.neg()))(np.array(-2)); // → 2
 * ```
 */
export class ConcretizationError extends tagged("ConcretizationError")<ErrorMessage> {}
/**
 * A tracer (the stand-in a transform passes to your function) used after that transform returned,
 * typically because the function stored it in an outer variable. Return values instead. An
 * ordinary `Error` with `_tag: "TracerLeakError"`. Mirrors jax.errors.UnexpectedTracerError.
 * @example
 * ```ts
 * let leaked: any;
 * grad((x: Tensor) => { leaked = x; return x.mul(2); })(np.array(1));
 * let caught: any;
 * try { leaked.add(1); } catch (e) { caught = e; }
 * caught instanceof TracerLeakError; // → true
 * ```
 */
export class TracerLeakError extends tagged("TracerLeakError")<ErrorMessage> {}
/**
 * Pytree structures that do not match where they must (tree.map's trees, unflatten's leaf count,
 * vmap's inAxes, a transform's outputs). An ordinary `Error` with `_tag: "TreeError"`; the message
 * prints both structures. Mirrors the ValueError JAX raises for mismatched pytrees.
 * @example
 * ```ts
 * let caught: any;
 * try { tree.map((a: number) => a, [1, 2], [1]); } catch (e) { caught = e; }
 * caught instanceof TreeError; // → true
 * caught.message; // → tree.map: tree 1 has structure [*] but the first has [*, *]; pass trees of the same structure.
 * ```
 */
export class TreeError extends tagged("TreeError")<ErrorMessage> {}
/**
 * Misuse of a tapir/compat GradientTape, e.g. asking a non-persistent tape for gradients twice. An
 * ordinary `Error` with `_tag: "TapeError"`. Mirrors the RuntimeError TensorFlow raises there.
 * @example
 * ```ts
 * const x = tf.constant(3);
 * const tape = new tf.GradientTape();
 * const y = tape.record(() => { tape.watch(x); return x.mul(x); });
 * tape.gradient(y, x); // → 6
 * let caught: any;
 * try { tape.gradient(y, x); } catch (e) { caught = e; }
 * caught instanceof TapeError; // → true
 * ```
 */
export class TapeError extends tagged("TapeError")<ErrorMessage> {}
/**
 * A primitive lacks the rule a transform needs: a jvp, transpose or batching rule, e.g. a
 * non-linear op inside a function given to linearTranspose. An ordinary `Error` with
 * `_tag: "NoRuleError"`. Mirrors the NotImplementedError JAX raises for a missing rule.
 * @example
 * ```ts
 * let caught: any;
 * try { linearTranspose((x: Tensor) => np.sin(x), np.array(1))(np.array(1)); } catch (e) { caught = e; }
 * caught instanceof NoRuleError; // → true
 * ```
 */
export class NoRuleError extends tagged("NoRuleError")<ErrorMessage> {}
/**
 * A bad argument value that is not a shape, dtype or axis problem: a zero step, an empty list to
 * concatenate, a non-integer seed… An ordinary `Error` with `_tag: "ValueError"`. Mirrors
 * Python's ValueError as numpy and JAX raise it.
 * @example
 * ```ts
 * let caught: any;
 * try { np.arange(0, 5, 0); } catch (e) { caught = e; }
 * caught instanceof ValueError; // → true
 * caught.message; // → arange: step must not be zero (got start 0, stop 5, step 0); use a positive or negative step.
 * ```
 */
export class ValueError extends tagged("ValueError")<ErrorMessage> {}
/**
 * A kernel that threw or a worker thread that died in the CPU backend; `cause` holds the original
 * error when there is one. An ordinary `Error` with `_tag: "WorkerError"`. tapir-specific (no
 * JAX counterpart); it signals a bug or a crashed thread, not bad input.
 * @example
 * ```ts
 * const e = new WorkerError({ message: "kernel add failed", cause: new RangeError("x") });
 * e instanceof Error; // → true
 * e._tag; // → "WorkerError"
 * ```
 */
export class WorkerError extends tagged("WorkerError")<{ readonly message: string; readonly cause?: unknown }> {}

type ErrorClass = new (args: ErrorMessage) => Error;
/** `throw fail(ShapeError, "...")` keeps call sites one line. */
export function fail(cls: ErrorClass, message: string): Error {
  return new cls({ message });
}
