// Errors in the words of the API the user called: a core error escaping a compat call names the
// core op it came from (`sub:`, `matmul:`, `broadcastTo:`); `named` rewrites that prefix to the
// compat API (`tf.keras.losses.MeanSquaredError.apply:`), keeping the error's class and the rest
// of its message (shapes, dtypes, the fix). Nested calls rewrite again, so the outermost API wins.
import { AxisError, ConcretizationError, DTypeError, ShapeError, TapeError, TracerLeakError, TreeError, ValueError, Tensor, isTracer } from "../index.js";

type Tagged = new (a: { message: string }) => Error;
const CLASSES: readonly Tagged[] = [ShapeError, DTypeError, AxisError, ValueError, ConcretizationError, TracerLeakError, TreeError, TapeError];

/** `api: message` with any leading `name:` (an op or API name) of the message replaced by `api`. */
function retitle(api: string, message: string): string {
  const m = /^([A-Za-z_][\w.]*(?:\([^)]*\))?): /.exec(message);
  return `${api}: ${m ? message.slice(m[0].length) : message}`;
}

/** The error `e` with its message naming `api` (same class), or `e` itself when it is not one of tapir's. */
export function renamed(api: string, e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const cls = CLASSES.find((c) => e instanceof c);
  if (!cls) return e;
  const msg = retitle(api, e.message);
  return msg === e.message ? e : new cls({ message: msg });
}

/** Runs fn; a tapir error escaping it names `api`. */
export function named<R>(api: string, fn: () => R): R {
  try {
    return fn();
  } catch (e) {
    throw renamed(api, e);
  }
}

/** How a JS value reads in a message: `undefined`, `number (5)`, `Tensor float32 (2,)`. */
export function describe(x: unknown): string {
  if (x === undefined || x === null) return String(x);
  if (x instanceof Tensor) return `a ${x.dtype} Tensor of shape (${x.shape.join(", ")}${x.ndim === 1 ? "," : ""})`;
  if (typeof x === "function") return "a function";
  if (typeof x === "object") return `an object (${(x as object).constructor?.name ?? "Object"})`;
  return `${typeof x} (${String(x)})`;
}

/** TensorFlow's shape text: (), (3,), (2, 3). */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Throws ValueError naming `api` and every key of `opts` outside `known` (no option is accepted and ignored). */
export function checkOptions(api: string, opts: object | undefined, known: readonly string[]): void {
  if (opts === undefined || opts === null) return;
  if (typeof opts !== "object") throw new ValueError({ message: `${api}: options must be an object, got ${describe(opts)}.` });
  const bad = Object.keys(opts).filter((k) => !known.includes(k) && (opts as Record<string, unknown>)[k] !== undefined);
  if (bad.length) {
    throw new ValueError({ message: `${api}: unknown option${bad.length > 1 ? "s" : ""} ${bad.map((b) => `'${b}'`).join(", ")}. Supported: ${known.join(", ")}.` });
  }
}

/**
 * Integer class labels checked as TensorFlow's CPU kernel checks them: each an integer in
 * [0, classes) (a float label must hold an integer value; NaN, 1.5, −1 and `classes` raise).
 * Traced labels (inside jit/vmap) cannot be read and are not checked.
 */
export function checkLabels(api: string, labels: Tensor, classes: number): void {
  if (isTracer(labels)) return;
  const d = labels.dataSync();
  for (let k = 0; k < d.length; k++) {
    const v = Number(d[k]);
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
      throw new ValueError({
        message: `${api}: received a label value of ${v} at index ${k} which is outside the valid range of [0, ${classes}) (labels must be integer class indices; logits have ${classes} classes).`,
      });
    }
  }
}
