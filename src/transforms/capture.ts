// Staging with captures: a function staged like jit, but whose body may add inputs to the
// program while it is traced (tapir/compat's tf.function turns the Variables it reads into
// inputs this way, so each call passes their current values instead of values baked in at trace
// time), and ensureCompileTimeEval for values that must be computed now, not staged.
import type { ClosedJaxpr } from "../core/ir.js";
import type { DType } from "../core/dtype.js";
import type { Tensor } from "../core/tensor.js";
import { Tracer, bind, unowned, withDynamicMain, withoutStaging } from "../core/trace.js";
import { PETrace, tracersToJaxpr, type PETracer } from "./partial-eval.js";
import { hoistTracerConsts } from "./jaxpr-transforms.js";
import { jitCallP } from "./jit.js";

/** The shape and dtype of a program input. */
export interface InputAval {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A program staged by `stageCapturing`: call it with the arguments and the values of its
 * captured inputs; it runs compiled (as jit does) and is differentiable, batchable and stageable.
 *
 * @example
 * ```ts
 * const p = stageCapturing((xs) => [np.sin(xs[0]!)], [{ shape: [], dtype: "float32" }]);
 * p instanceof CapturedProgram; // → true
 * ```
 */
export class CapturedProgram {
  /**
   * The staged program; its inputs are the arguments, then the captured inputs.
   *
   * @example
   * ```ts
   * stageCapturing((xs) => [np.sin(xs[0]!)], [{ shape: [], dtype: "float32" }]).jaxpr.jaxpr.eqns.length; // → 1
   * ```
   */
  readonly jaxpr: ClosedJaxpr;
  /**
   * How many inputs the body added with `capture`.
   *
   * @example
   * ```ts
   * stageCapturing((xs) => [np.sin(xs[0]!)], [{ shape: [], dtype: "float32" }]).nCaptured; // → 0
   * ```
   */
  readonly nCaptured: number;
  /**
   * The name given to `stageCapturing`.
   *
   * @example
   * ```ts
   * stageCapturing((xs) => xs, [{ shape: [], dtype: "float32" }], "identity").name; // → "identity"
   * ```
   */
  readonly name: string;
  /** @internal tracers of enclosing transforms the body closed over (passed first at each call) */
  readonly hoisted: Tensor[];
  /** @hidden */
  constructor(jaxpr: ClosedJaxpr, hoisted: Tensor[], nCaptured: number, name: string) {
    this.jaxpr = jaxpr;
    this.hoisted = hoisted;
    this.nCaptured = nCaptured;
    this.name = name;
  }
  /**
   * Runs the program on `args` (the staged avals) and `captures` (one per `capture` call, in order).
   *
   * @example
   * ```ts
   * const p = stageCapturing((xs, capture) => [np.add(xs[0]!, capture({ shape: [], dtype: "float32" }))], [{ shape: [], dtype: "float32" }]);
   * p.call([np.array(1)], [np.array(41)])[0]!.item(); // → 42
   * ```
   */
  call(args: readonly Tensor[], captures: readonly Tensor[]): Tensor[] {
    return bind(jitCallP, [...this.hoisted, ...args, ...captures], { jaxpr: this.jaxpr, name: this.name });
  }
  /**
   * Whether the program closed over values of a transform (grad, vmap, jit) that runs no more:
   * it must be staged again.
   *
   * @example
   * ```ts
   * stageCapturing((xs) => [np.sin(xs[0]!)], [{ shape: [2], dtype: "float32" }]).stale; // → false
   * ```
   */
  get stale(): boolean {
    return this.hoisted.some((t) => t instanceof Tracer && !t._trace.main.active);
  }
  /**
   * Whether the program closed over values of an enclosing transform (it is valid only while that runs).
   *
   * @example
   * ```ts
   * stageCapturing((xs) => [np.sin(xs[0]!)], [{ shape: [2], dtype: "float32" }]).closesOverTracers; // → false
   * ```
   */
  get closesOverTracers(): boolean {
    return this.hoisted.length > 0;
  }
}

/**
 * Stages `body` over fresh inputs of `avals` into a compiled program, every op staged (as jit
 * does); `capture(aval)` adds an input to the program while it is traced and returns it, at any
 * depth (inside a `lax.scan` body too: the loop closes over it like any outer value). The program
 * takes the captured inputs' values at each call: what tapir/compat's `tf.function` does for the
 * Variables a function reads. A low-level building block; most code wants `jit`.
 *
 * @param body - `(inputs, capture) => outputs`, all tensors.
 * @param avals - the inputs' shapes and dtypes.
 * @param name - the program's name in printed IR and errors (default "staged").
 * @returns the program (`call(args, captures)`).
 * @example
 * ```ts
 * // a weight that is an input of the program, not a constant baked into it
 * const p = stageCapturing((xs, capture) => [np.multiply(xs[0]!, capture({ shape: [], dtype: "float32" }))], [{ shape: [2], dtype: "float32" }], "scale");
 * p.nCaptured; // → 1
 * p.call([np.array([1, 2])], [np.array(3)])[0]; // → [3, 6]
 * p.call([np.array([1, 2])], [np.array(10)])[0]; // → [10, 20]
 * ```
 */
export function stageCapturing(body: (inputs: Tensor[], capture: (aval: InputAval) => Tensor) => Tensor[], avals: readonly InputAval[], name = "staged"): CapturedProgram {
  return unowned(() =>
    withDynamicMain(
      name,
      (m) => new PETrace(m, true),
      (main) => {
        const trace = main.trace as PETrace;
        const ins = avals.map((a) => trace.newArg({ shape: [...a.shape], dtype: a.dtype }));
        const caps: PETracer[] = [];
        const outs = body(ins, (a) => {
          const t = trace.newArg({ shape: [...a.shape], dtype: a.dtype });
          caps.push(t);
          return t;
        });
        const [j, consts] = tracersToJaxpr(main, [...ins, ...caps], outs);
        // tracers of enclosing transforms become leading inputs (as jit's closeOver does)
        const [cj, hoistedVals] = hoistTracerConsts(j, consts);
        return new CapturedProgram(cj, hoistedVals, caps.length, name);
      },
    ),
  );
}

/**
 * Runs `fn` with its ops on concrete values computed now, even while `jit` (or `tf.function`)
 * stages the code around it: for values that must exist before the program runs, such as a
 * variable's initial value. Mirrors `jax.ensure_compile_time_eval`.
 *
 * @param fn - the computation.
 * @returns fn's result (concrete where its inputs are).
 * @example
 * ```ts
 * const f = jit((x: Tensor) => {
 *   const c = ensureCompileTimeEval(() => np.sum(np.arange(4)));
 *   isTracer(c); // false: computed while tracing
 *   return np.add(x, c);
 * });
 * f(np.array(1)).item(); // → 7
 * ```
 */
export function ensureCompileTimeEval<T>(fn: () => T): T {
  return withoutStaging(fn);
}
