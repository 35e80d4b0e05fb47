// Typed, exported errors: effect TaggedErrors that are ordinary Errors for plain users.
import { Data } from "effect";

type Msg = { readonly message: string };

/** Shapes that do not fit: broadcasting, matmul, reshape, indices, tree leaves. */
export class ShapeError extends Data.TaggedError("ShapeError")<Msg> {}
/** A dtype an op does not accept (int input to grad, unknown dtype name…). */
export class DTypeError extends Data.TaggedError("DTypeError")<Msg> {}
/** An axis argument outside the array's rank, or repeated. */
export class AxisError extends Data.TaggedError("AxisError")<Msg> {}
/** Concrete value needed of a traced value (inside jit / vmap). */
export class ConcretizationError extends Data.TaggedError("ConcretizationError")<Msg> {}
/** A tracer used after the transform that created it has finished. */
export class TracerLeakError extends Data.TaggedError("TracerLeakError")<Msg> {}
/** Pytree structures that do not match. */
export class TreeError extends Data.TaggedError("TreeError")<Msg> {}
/** Misuse of a GradientTape (tapir/compat). */
export class TapeError extends Data.TaggedError("TapeError")<Msg> {}
/** A primitive without the rule a transform needs. */
export class NoRuleError extends Data.TaggedError("NoRuleError")<Msg> {}
/** Bad argument values that are not shape, dtype or axis problems. */
export class ValueError extends Data.TaggedError("ValueError")<Msg> {}
/** A kernel that threw or a worker that died. */
export class WorkerError extends Data.TaggedError("WorkerError")<{ readonly message: string; readonly cause?: unknown }> {}

type ErrorClass = new (args: Msg) => Error;
/** `throw fail(ShapeError, "...")` keeps call sites one line. */
export function fail(cls: ErrorClass, message: string): Error {
  return new cls({ message });
}
