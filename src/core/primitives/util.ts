// Shared pieces of primitive definitions: elementwise impl and shape rules.
import type { DType } from "../dtype.js";
import { DTypeError, fail } from "../errors.js";
import { backend, broadcastStrides } from "../backend/index.js";
import { elementwiseFlat } from "../backend/elementwise.js";
import { broadcastShapes, fmtShape } from "../shape.js";
import { emptyTensor, type Tensor } from "../tensor.js";
import type { Aval } from "../trace.js";

/** Scalar expression per input dtype; `float` serves float32 and float64, unless `float32` gives float32 its own. */
export interface ExprTable {
  float?: string;
  /** a float32-only expression (one the Wasm compiler vectorises where `float`'s cannot be) */
  float32?: string;
  int32?: string;
  bool?: string;
}

export function exprFor(name: string, table: ExprTable, dtype: DType): string {
  const e = dtype === "float32" ? (table.float32 ?? table.float) : dtype === "float64" ? table.float : table[dtype];
  if (e === undefined) throw notDefinedFor(name, table, dtype);
  return e;
}

/** The error for a dtype outside an op's table, naming the dtypes it takes and the conversion. */
function notDefinedFor(name: string, table: ExprTable, dtype: DType): Error {
  const takes: DType[] = [...(table.float !== undefined ? (["float32", "float64"] as const) : []), ...(table.int32 !== undefined ? (["int32"] as const) : []), ...(table.bool !== undefined ? (["bool"] as const) : [])];
  const to = dtype === "bool" && table.int32 !== undefined ? "int32" : takes[0]!;
  const list = takes.length > 1 ? `${takes.slice(0, -1).join(", ")} or ${takes[takes.length - 1]}` : takes[0];
  return fail(DTypeError, `${name}: not defined for ${dtype} inputs; it takes ${list}. Convert the operand first, e.g. x.astype("${to}").`);
}

/** Below this many elements an op always runs inline (far under any parallel threshold). */
export const SMALL = 1024;

/** Runs an elementwise kernel over broadcast operands into a new tensor of `outDtype`; `api` names the op in errors. */
export function mapKernel(expr: string, args: Tensor[], outDtype: DType, api = "elementwise", outShape?: readonly number[]): Tensor {
  const shape = outShape ?? (args.length === 1 ? args[0]!.shape : broadcastShapes(api, ...args.map((a) => a.shape)));
  const out = emptyTensor(shape, outDtype);
  const n = out.size;
  if (n <= SMALL) {
    // fast path: every operand is the whole output or one element
    let pattern = "";
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a.size === 1) pattern += "s";
      else if (a.size === n && a.ndim === shape.length) pattern += "v";
      else break;
    }
    if (pattern.length === args.length) {
      elementwiseFlat(expr, pattern, args.map((a) => a._data), out._data);
      return out;
    }
  }
  backend().elementwise(
    expr,
    args.map((a) => ({ data: a._data, strides: broadcastStrides(a.shape, shape) })),
    shape,
    out._data,
  );
  return out;
}

/** Shape rule of an n-ary elementwise primitive: operands share a dtype and broadcast. */
export function naryShape(name: string, outDtype?: DType) {
  return (avals: Aval[]): Aval[] => {
    const d = avals[0]!.dtype;
    for (const a of avals) {
      if (a.dtype !== d) {
        throw fail(DTypeError, `${name}: operands must share a dtype, got ${avals.map((x) => `${x.dtype}${fmtShape(x.shape)}`).join(" and ")}. Use astype to convert one.`);
      }
    }
    return [{ shape: broadcastShapes(name, ...avals.map((a) => a.shape)), dtype: outDtype ?? d }];
  };
}
