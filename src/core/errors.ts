// Typed, exported errors: effect TaggedErrors that are ordinary Errors for plain users.
import { Data } from "effect";

type Msg = { readonly message: string };

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
export class ShapeError extends tagged("ShapeError")<Msg> {}
/** A dtype an op does not accept (int input to grad, unknown dtype name…). */
export class DTypeError extends tagged("DTypeError")<Msg> {}
/** An axis argument outside the array's rank, or repeated. */
export class AxisError extends tagged("AxisError")<Msg> {}
/** Concrete value needed of a traced value (inside jit / vmap). */
export class ConcretizationError extends tagged("ConcretizationError")<Msg> {}
/** A tracer used after the transform that created it has finished. */
export class TracerLeakError extends tagged("TracerLeakError")<Msg> {}
/** Pytree structures that do not match. */
export class TreeError extends tagged("TreeError")<Msg> {}
/** Misuse of a GradientTape (tapir/compat). */
export class TapeError extends tagged("TapeError")<Msg> {}
/** A primitive without the rule a transform needs. */
export class NoRuleError extends tagged("NoRuleError")<Msg> {}
/** Bad argument values that are not shape, dtype or axis problems. */
export class ValueError extends tagged("ValueError")<Msg> {}
/** A kernel that threw or a worker that died. */
export class WorkerError extends tagged("WorkerError")<{ readonly message: string; readonly cause?: unknown }> {}

type ErrorClass = new (args: Msg) => Error;
/** `throw fail(ShapeError, "...")` keeps call sites one line. */
export function fail(cls: ErrorClass, message: string): Error {
  return new cls({ message });
}
