// Small elementwise equations of compiled programs (jit's step list, loop bodies) with their
// kernel resolved once. Eager code reaches a small elementwise kernel through the primitive's
// impl: mapKernel works out the output shape and the operands' layout pattern, then
// elementwiseFlat looks up the expression's JS loop or Wasm kernel, on every call. In a compiled
// program all of that is fixed by the avals, so it is done when the program is built and a step
// makes its output and calls the resolved kernel. Same route, same kernel: the same bits.
import type { Eqn } from "../core/ir.js";
import { elementwiseMode, flatRunner, type ElementwiseMode, type FlatRun } from "../core/backend/elementwise.js";
import { gemmFlush } from "../core/backend/gemm.js";
import type { DType, TypedArray } from "../core/dtype.js";
import { sizeOf } from "../core/shape.js";
import { emptyTensor, type Tensor } from "../core/tensor.js";
import { SMALL } from "../core/primitives/util.js";

/**
 * Primitives whose impl is exactly `mapKernel(expr, args, out dtype)` with `expr` their fusion
 * expression (binary.ts `binary`, elementwise.ts `unary`, passes.ts `fused`): only these may
 * skip their impl.
 */
const MAPPED = new Set(["fused", "add", "sub", "mul", "tanh", "exp"]);

/** One resolved equation (mutable: the kernel is resolved again if the mode or flushing changed). */
export interface FlatOp {
  readonly expr: string;
  readonly pattern: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** the operands' data, refilled per call */
  readonly data: TypedArray[];
  run: FlatRun | null;
  mode: ElementwiseMode;
  flush: boolean;
}

/**
 * The resolved form of an equation that mapKernel would run on its small-array path (a float
 * output of at most 1024 elements whose operands are each the output's shape or one element),
 * or null for any other equation.
 */
export function flatOpOf(e: Eqn): FlatOp | null {
  if (!MAPPED.has(e.prim.name) || e.outs.length !== 1) return null;
  const o = e.outs[0]!.aval;
  if (o.dtype !== "float32" && o.dtype !== "float64") return null;
  const n = sizeOf(o.shape);
  if (n === 0 || n > SMALL) return null;
  let pattern = "";
  for (const a of e.inputs) {
    const av = a.aval;
    const sz = sizeOf(av.shape);
    if (sz === 1) pattern += "s";
    else if (sz === n && av.shape.length === o.shape.length) pattern += "v";
    else return null;
  }
  const expr = e.prim.name === "fused" ? (e.params as { expr: string }).expr : e.prim.expr?.(e.inputs.map((a) => a.aval.dtype) as never, e.params as never, e.inputs.map((a) => a.aval.shape));
  if (typeof expr !== "string") return null;
  return { expr, pattern, shape: o.shape, dtype: o.dtype, data: new Array<TypedArray>(e.inputs.length), run: null, mode: elementwiseMode(), flush: gemmFlush() };
}

/** Runs a resolved equation on its operands: a new output tensor. */
export function runFlatOp(op: FlatOp, args: readonly Tensor[]): Tensor {
  const out = emptyTensor(op.shape, op.dtype);
  const data = op.data;
  for (let i = 0; i < args.length; i++) data[i] = args[i]!._data;
  const mode = elementwiseMode(), flush = gemmFlush();
  if (op.run === null || op.mode !== mode || op.flush !== flush) {
    op.run = flatRunner(op.expr, op.pattern, data, out._data);
    op.mode = mode;
    op.flush = flush;
  }
  op.run(data, out._data);
  return out;
}
