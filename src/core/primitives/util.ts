// Shared pieces of primitive definitions: elementwise impl and shape rules.
import type { DType } from "../dtype.js";
import { DTypeError, fail } from "../errors.js";
import { backend, broadcastStrides } from "../backend/index.js";
import { elementwiseFlat } from "../backend/elementwise.js";
import { parseExpr, Unsupported } from "../backend/ew-parse.js";
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

const parsedCache = new Map<string, boolean>();
/** Whether the kernel compiler reads `expr` (ew-parse.ts); one it refuses (integer ops: `|0`, `>>>`, Math.imul) runs as its JS text. */
function compilable(expr: string): boolean {
  let ok = parsedCache.get(expr);
  if (ok === undefined) {
    try {
      parseExpr(expr, false);
      ok = true;
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      ok = false;
    }
    parsedCache.set(expr, ok);
  }
  return ok;
}

/**
 * Which fused loops an elementwise op may be part of (jit's fusion, lazy eager), from its
 * output and operand dtypes and its expression:
 *  - "float32" / "float64": the one float dtype among them. A fused loop flushes subnormals
 *    (config.flushSubnormals) as a kernel of its root's type, so only ops of that type join it,
 *    and ops of no float type (null: bool logic, int32 ops the compiler reads) join any loop;
 *  - "mixed": a conversion between float32 and float64, or a float op the kernel compiler refuses
 *    (it would run its whole loop as written, without the other members' flushes): it runs alone;
 *  - "int": an int32 op the compiler refuses: it joins loops without floats only (null or "int"
 *    roots), which no flush concerns.
 */
export type FusionClass = "float32" | "float64" | "mixed" | "int" | null;
export function fusionClass(out: DType, ins: readonly DType[], expr: string): FusionClass {
  let t: FusionClass = out === "float32" || out === "float64" ? out : null;
  for (const d of ins) {
    if (d !== "float32" && d !== "float64") continue;
    if (t === null) t = d;
    else if (t !== d) return "mixed";
  }
  if (compilable(expr)) return t;
  return t === null ? "int" : "mixed";
}
/** Whether an op of class `member` may join a fused loop whose root (its last op) is of class `root`. */
export const joinsFusion = (member: FusionClass, root: FusionClass): boolean =>
  member !== "mixed" && root !== "mixed" && (member === root || member === null || (member === "int" && root === null));

/** `expr` with its operands a0, a1, … replaced by `codes` (each parenthesised): one member of a fused loop. */
export function substituteOperands(expr: string, codes: readonly string[]): string {
  return expr.replace(/\ba(\d+)\b/g, (_, d: string) => `(${codes[Number(d)]})`);
}

/** A fused loop's temporary: float32 ones round after every step, as the op-by-op kernels do when they store. */
export function roundTemp(code: string, dtype: DType): string {
  return dtype === "float32" ? `Math.fround(${code})` : code;
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
