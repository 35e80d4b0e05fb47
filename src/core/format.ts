// numpy/JAX-like printing of tensors: Array([[1., 2.], [3., 4.]], dtype=float32).
import type { Tensor } from "./tensor.js";
import { isTracer } from "./trace.js";
import { fmtShape } from "./shape.js";

function fmtNumber(v: number, dtype: string): string {
  if (dtype === "bool") return v ? "True" : "False";
  if (dtype === "int32") return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const digits = dtype === "float32" ? 7 : 16;
  const s = Number(v.toPrecision(digits)).toString();
  return s;
}

/** Nested-list body of a concrete tensor, numbers right-aligned per tensor. */
export function formatBody(t: Tensor, fmt: (v: number) => string, indent: number, sep = ", "): string {
  const data = t.dataSync();
  const strs = Array.from(data, (v) => fmt(Number(v)));
  const w = Math.max(0, ...strs.map((s) => s.length));
  const pad = (s: string) => s.padStart(w);
  const rec = (dim: number, off: number): string => {
    if (dim === t.ndim) return pad(strs[off]!);
    const n = t.shape[dim]!;
    let step = 1;
    for (let i = dim + 1; i < t.ndim; i++) step *= t.shape[i]!;
    const items: string[] = [];
    const limit = n > 1000 ? 3 : n;
    for (let i = 0; i < limit; i++) items.push(rec(dim + 1, off + i * step));
    if (n > 1000) {
      items.push("...");
      for (let i = n - 3; i < n; i++) items.push(rec(dim + 1, off + i * step));
    }
    const joiner = dim === t.ndim - 1 ? sep : `${sep.trimEnd()}${"\n".repeat(t.ndim - dim - 1)}${" ".repeat(indent + dim + 1)}`;
    return `[${items.join(joiner)}]`;
  };
  return t.ndim === 0 ? strs[0]! : rec(0, 0);
}

/** Per-tensor printers: tapir/compat prints its tensors as TensorFlow does. */
const printers = new WeakMap<Tensor, (t: Tensor) => string>();

/** Makes `t.toString()` use `printer` (null: the default numpy-like print again); returns `t`. */
export function setTensorPrinter(t: Tensor, printer: ((t: Tensor) => string) | null): Tensor {
  if (printer) printers.set(t, printer);
  else printers.delete(t);
  return t;
}

export function formatTensor(t: Tensor): string {
  if (isTracer(t)) return `Traced<${t.dtype}${fmtShape(t.shape)}>`;
  if (t.isDisposed) return `Array(<disposed>, shape=${fmtShape(t.shape)}, dtype=${t.dtype})`;
  const printer = printers.get(t);
  if (printer) return printer(t);
  const body = formatBody(t, (v) => fmtNumber(v, t.dtype), 6);
  return `Array(${body}, dtype=${t.dtype})`;
}
