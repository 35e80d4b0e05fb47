// Argument handling shared by the transforms: pytree flattening to tensors, argnums, checks.
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, TreeError, ValueError, fail } from "../core/errors.js";
import { describeValue, fmtShape, shapeEq } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { flatten, treeDefEqual, treeDefString, type TreeDef } from "../core/tree.js";
import * as ops from "../core/numpy/index.js";

/** Tensors flattenToTensors made from JS values (numbers, nested arrays): these may take a partner's dtype. */
const fromJs = new WeakSet<Tensor>();

/**
 * Leaves of `tree` as tensors (JS numbers → float32, nested arrays → tensors); structure kept.
 * A weak scalar (a JS number jit traced) becomes float32 too, as the number would in eager
 * code: a transform that boxes it in its own tracer would otherwise lose the weak mark and let
 * its float64 stand-in dtype reach the outputs (jit must equal eager, dtype included).
 */
export function flattenToTensors(api: string, tree: unknown, what: string): [Tensor[], TreeDef] {
  const [leaves, def] = flatten(tree, ARG_KINDS.has(what) && Array.isArray(tree) ? (x) => x !== tree && isArrayLikeList(x) : undefined);
  const ts = leaves.map((l, i) => {
    if (l instanceof Tensor) return l._weak === 0 ? l : ops.astype(l, "float32");
    if (typeof l === "number" || typeof l === "boolean" || ArrayBuffer.isView(l) || Array.isArray(l)) {
      const t = ops.arrayAs(api, l as number);
      fromJs.add(t);
      return t;
    }
    throw fail(TreeError, `${api}: ${what} leaf ${i} is ${describeValue(l)}, not a tensor, number or array of numbers.`);
  });
  return [ts, def];
}

/** The `what`s of flattenToTensors that are argument lists (their array-like items become one tensor each). */
const ARG_KINDS = new Set(["primal", "argument", "tangent", "operand"]);

/**
 * A JS array whose leaves are all numbers or booleans (nested to any depth, not empty) is one
 * array-like argument, as `np.array` reads it: a transform converts it to ONE tensor before
 * calling f, so `grad(x => x.mul(x).sum())([1, 2, 3])` works as it does for a number. An array
 * holding a tensor (or an object, or null) stays a pytree list, as in JAX.
 */
export function isArrayLikeList(x: unknown): boolean {
  if (!Array.isArray(x) || x.length === 0) return false;
  return x.every((v) => typeof v === "number" || typeof v === "boolean" || isArrayLikeList(v));
}

/**
 * The arguments of a transformed function flattened to leaves, an array-like item (see
 * {@link isArrayLikeList}) kept whole as one leaf; the argument list itself is the root.
 */
export function flattenArgs(api: string, args: readonly unknown[]): [unknown[], TreeDef] {
  const [leaves, def] = flatten(args, (x) => x !== args && isArrayLikeList(x));
  return [leaves.map((l) => (Array.isArray(l) || ArrayBuffer.isView(l) ? ops.arrayAs(api, l as number[]) : l)), def];
}

/** One argument (not a list of them) flattened to tensors, an array-like argument kept as one leaf. */
export function flattenOneArg(api: string, x: unknown, what: string): [Tensor[], TreeDef] {
  const [ts, def] = flattenToTensors(api, [x], what);
  return [ts, (def as { children: readonly TreeDef[] }).children[0]!];
}

/** A transform's function argument must be callable: say so at the transform, not as `f is not a function` later. */
export function checkFunction(api: string, f: unknown, what = "f"): void {
  if (typeof f !== "function") {
    throw fail(ValueError, `${api}: ${what} must be a function, got ${describeValue(f)}; pass the function to transform, e.g. ${api}((x) => x.mul(x).sum()).`);
  }
}

/** A list of arguments (vjp's primals, jvp's tangents): an array, one item per parameter of f. */
export function checkArgList(api: string, xs: unknown, what: string): asserts xs is readonly unknown[] {
  if (!Array.isArray(xs)) {
    throw fail(ValueError, `${api}: ${what} must be an array with one entry per argument of f, got ${describeValue(xs)}; wrap a single argument: ${api}(f, [x]${api === "jvp" ? ", [t]" : ""}).`);
  }
}

export function normArgnums(api: string, argnums: number | readonly number[] | undefined, nargs: number): number[] {
  const list = argnums === undefined ? [0] : typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of list) {
    if (!Number.isInteger(a) || a < -nargs || a >= nargs) {
      throw fail(ValueError, `${api}: argnums ${JSON.stringify(argnums)} out of range for a call with ${nargs} positional argument(s).`);
    }
  }
  const norm = list.map((a) => (a < 0 ? a + nargs : a));
  if (new Set(norm).size !== norm.length) throw fail(ValueError, `${api}: argnums ${JSON.stringify(argnums)} repeats an argument.`);
  return norm;
}

export function requireFloat(api: string, leaves: readonly Tensor[], what: string): void {
  leaves.forEach((t, i) => {
    if (!isFloat(t.dtype)) {
      throw fail(
        DTypeError,
        `${api}: differentiation needs float inputs, but ${what} leaf ${i} is ${t.dtype}${fmtShape(t.shape)}. Convert it with astype("float32"), or leave it out of argnums.`,
      );
    }
  });
}

/**
 * Checks a tangent/cotangent tree against the values it pairs with: structure, shapes, and for
 * float values the dtype (JAX rejects a float64 cotangent for a float32 output). A leaf made
 * from a JS number or array takes its partner's dtype instead, as the number would.
 */
export function checkLike(api: string, what: string, given: [Tensor[], TreeDef], expected: [readonly { shape: readonly number[]; dtype: string }[], TreeDef]): void {
  const [gl, gd] = given;
  const [el, ed] = expected;
  if (!treeDefEqual(gd, ed)) {
    throw fail(TreeError, `${api}: ${what} has structure ${treeDefString(gd)} but it must match ${treeDefString(ed)}.`);
  }
  gl.forEach((t, i) => {
    const e = el[i]!;
    if (!shapeEq(t.shape, e.shape)) {
      throw fail(ShapeError, `${api}: ${what} leaf ${i} has shape ${fmtShape(t.shape)} but must have shape ${fmtShape(e.shape)} (the shape of the value it pairs with).`);
    }
    if (t.dtype !== e.dtype && isFloat(e.dtype as Tensor["dtype"])) {
      if (fromJs.has(t)) gl[i] = ops.astype(t, e.dtype as Tensor["dtype"]);
      else {
        throw fail(
          DTypeError,
          `${api}: type of ${what} leaf ${i} (${t.dtype}${fmtShape(t.shape)}) is not the expected tangent type (${e.dtype}${fmtShape(e.shape)}) of the corresponding value with dtype ${e.dtype}; cast it with .astype("${e.dtype}").`,
        );
      }
    }
  });
}

/**
 * A custom rule's tangent outputs against its primal outputs (customJvp): the same shapes and
 * dtypes, worded as JAX words it ("Custom JVP rule must produce primal and tangent outputs
 * with corresponding shapes and dtypes").
 */
export function checkRuleTangents(api: string, tangents: readonly Tensor[], primals: readonly Tensor[]): void {
  tangents.forEach((t, i) => {
    const p = primals[i]!;
    if (!shapeEq(t.shape, p.shape) || (t.dtype !== p.dtype && isFloat(p.dtype))) {
      const cls = shapeEq(t.shape, p.shape) ? DTypeError : ShapeError;
      throw fail(
        cls,
        `${api}: the rule must produce primal and tangent outputs with corresponding shapes and dtypes. Tangent output leaf ${i}: expected ${p.dtype}${fmtShape(p.shape)} (the tangent type of ${p.dtype}${fmtShape(p.shape)}) but got ${t.dtype}${fmtShape(t.shape)}; cast or reshape the tangent to match its primal.`,
      );
    }
  });
}

/** Splits f's result into (output, aux) when hasAux is set, with a clear error otherwise. */
export function splitAux(api: string, result: unknown, hasAux: boolean | undefined): [unknown, unknown] {
  if (!hasAux) return [result, undefined];
  if (!Array.isArray(result) || result.length !== 2) {
    throw fail(TreeError, `${api}: with hasAux, f must return a pair [output, aux], but it returned ${Array.isArray(result) ? `a list of ${result.length}` : typeof result}.`);
  }
  return [result[0], result[1]];
}
