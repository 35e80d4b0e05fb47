// Elementwise kernels generated from scalar expressions: broadcasting through strides (0 on
// broadcast axes), adjacent axes coalesced, one compiled loop per (expression, layout) cached.
import type { TypedArray } from "../dtype.js";

/** One operand: its data (a view starting at element 0) and its strides against the output shape. */
export interface StridedInput {
  data: TypedArray;
  strides: readonly number[];
}

/**
 * An expression over inputs `a0, a1, …` (JS numbers) giving the output element. Fused kernels
 * put statements first, one per line (`const t0 = …;`), and the result expression last.
 */
export type ScalarExpr = string;

/** [statements, result expression] of a possibly multi-line scalar expression. */
function splitExpr(expr: ScalarExpr): [string, string] {
  const i = expr.lastIndexOf("\n");
  return i < 0 ? ["", expr] : [expr.slice(0, i), expr.slice(i + 1)];
}

type FlatKernel = (out: TypedArray, ins: TypedArray[], start: number, end: number) => void;
type StridedKernel = (
  out: TypedArray,
  ins: TypedArray[],
  strides: Int32Array,
  shape: Int32Array,
  rowStart: number,
  rowEnd: number,
) => void;

const flatCache = new Map<string, FlatKernel>();
const stridedCache = new Map<string, StridedKernel>();

/** Kernel for all-contiguous operands; `pattern[i]` is "v" (full) or "s" (size-1 operand). */
function flatKernel(expr: ScalarExpr, pattern: string): FlatKernel {
  const key = `${pattern}|${expr}`;
  let k = flatCache.get(key);
  if (!k) {
    const pre: string[] = [];
    const load: string[] = [];
    for (let i = 0; i < pattern.length; i++) {
      if (pattern[i] === "s") pre.push(`const a${i} = ins[${i}][0];`);
      else {
        pre.push(`const v${i} = ins[${i}];`);
        load.push(`const a${i} = v${i}[i];`);
      }
    }
    const [stmts, result] = splitExpr(expr);
    const src = `${pre.join("\n")}
for (let i = start; i < end; i++) { ${load.join(" ")} ${stmts} out[i] = ${result}; }`;
    k = new Function("out", "ins", "start", "end", src) as FlatKernel;
    flatCache.set(key, k);
  }
  return k;
}

/** Kernel over rows of the last (coalesced) axis; outer indices decoded per row. */
function stridedKernel(expr: ScalarExpr, nIn: number, nd: number): StridedKernel {
  const key = `${nIn}|${nd}|${expr}`;
  let k = stridedCache.get(key);
  if (!k) {
    const lines: string[] = [];
    for (let i = 0; i < nIn; i++) lines.push(`const v${i} = ins[${i}]; const s${i} = strides[${i * nd + nd - 1}];`);
    lines.push(`const inner = shape[${nd - 1}];`);
    lines.push(`for (let r = rowStart; r < rowEnd; r++) {`);
    lines.push(`  let rem = r; ${Array.from({ length: nIn }, (_, i) => `let o${i} = 0;`).join(" ")}`);
    for (let d = nd - 2; d >= 0; d--) {
      lines.push(`  { const c = rem % shape[${d}]; rem = (rem - c) / shape[${d}]; ${Array.from({ length: nIn }, (_, i) => `o${i} += c * strides[${i * nd + d}];`).join(" ")} }`);
    }
    lines.push(`  let p = r * inner;`);
    const [stmts, result] = splitExpr(expr);
    lines.push(`  for (let j = 0; j < inner; j++, p++) { ${Array.from({ length: nIn }, (_, i) => `const a${i} = v${i}[o${i} + j * s${i}];`).join(" ")} ${stmts} out[p] = ${result}; }`);
    lines.push(`}`);
    k = new Function("out", "ins", "strides", "shape", "rowStart", "rowEnd", lines.join("\n")) as StridedKernel;
    stridedCache.set(key, k);
  }
  return k;
}

/** Merges adjacent axes that every operand walks contiguously; drops size-1 axes. */
export function coalesce(shape: readonly number[], strides: (readonly number[])[]): [number[], number[][]] {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, i) => st[i]![last] === s[d]! * n)) {
      dims[last] = dims[last]! * n;
      strides.forEach((s, i) => (st[i]![last] = s[d]!));
    } else {
      dims.push(n);
      strides.forEach((s, i) => st[i]!.push(s[d]!));
    }
  }
  return [dims, st];
}

/** out[i] = expr(a0[i'], a1[i''], …) over `shape`, operands broadcast through their strides. */
export function elementwise(expr: ScalarExpr, ins: StridedInput[], shape: readonly number[], out: TypedArray): void {
  const size = out.length;
  if (size === 0) return;
  const [dims, st] = coalesce(
    shape,
    ins.map((x) => x.strides),
  );
  if (dims.length <= 1) {
    // every operand is contiguous over the whole output or constant
    let pattern = "";
    for (let i = 0; i < ins.length; i++) pattern += dims.length === 0 || st[i]![0] === 0 ? "s" : "v";
    if (dims.length === 1 && st.every((s) => s[0] === 0 || s[0] === 1)) {
      flatKernel(expr, pattern)(out, ins.map((x) => x.data), 0, size);
      return;
    }
    if (dims.length === 0) {
      flatKernel(expr, pattern)(out, ins.map((x) => x.data), 0, size);
      return;
    }
  }
  const nd = Math.max(1, dims.length);
  const shp = Int32Array.from(dims.length ? dims : [1]);
  const strides = new Int32Array(ins.length * nd);
  st.forEach((s, i) => s.forEach((v, d) => (strides[i * nd + d] = v)));
  const rows = size / shp[nd - 1]!;
  stridedKernel(expr, ins.length, nd)(out, ins.map((x) => x.data), strides, shp, 0, rows);
}

/** Strides of an operand of shape `inShape` broadcast to `outShape` (0 on broadcast axes). */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const st = new Array<number>(outShape.length).fill(0);
  let acc = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const j = outShape.length - inShape.length + i;
    st[j] = inShape[i] === 1 ? 0 : acc;
    acc *= inShape[i]!;
  }
  return st;
}
