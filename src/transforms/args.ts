// Argument handling shared by the transforms: pytree flattening to tensors, argnums, checks.
import { isFloat } from "../core/dtype.js";
import { DTypeError, ShapeError, TreeError, ValueError, fail } from "../core/errors.js";
import { fmtShape, shapeEq } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { flatten, treeDefEqual, treeDefString, type TreeDef } from "../core/tree.js";
import * as ops from "../core/numpy/index.js";

/**
 * Leaves of `tree` as tensors (JS numbers → float32, nested arrays → tensors); structure kept.
 * A weak scalar (a JS number jit traced) becomes float32 too, as the number would in eager
 * code: a transform that boxes it in its own tracer would otherwise lose the weak mark and let
 * its float64 stand-in dtype reach the outputs (jit must equal eager, dtype included).
 */
export function flattenToTensors(api: string, tree: unknown, what: string): [Tensor[], TreeDef] {
  const [leaves, def] = flatten(tree);
  const ts = leaves.map((l, i) => {
    if (l instanceof Tensor) return l._weak === 0 ? l : ops.astype(l, "float32");
    if (typeof l === "number" || typeof l === "boolean" || ArrayBuffer.isView(l)) return ops.array(l as number);
    throw fail(TreeError, `${api}: ${what} leaf ${i} is ${typeof l === "object" ? (l as object).constructor?.name ?? "an object" : typeof l}, not a tensor or number.`);
  });
  return [ts, def];
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

/** Checks a tangent/cotangent tree against the values it pairs with. */
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
