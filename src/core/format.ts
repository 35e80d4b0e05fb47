// numpy/JAX-like printing of tensors, following numpy's array2string rules (precision 8,
// 'maxprec' float mode, threshold 1000 with 3 edge items, line width 75):
//   Array([[1. , 2.5],
//          [3. , 4. ]], dtype=float32)
import type { Tensor } from "./tensor.js";
import { isTracer } from "./trace.js";
import { fmtShape } from "./shape.js";

/** numpy's print options that tapir uses (np.get_printoptions() defaults). */
export const PRINT_OPTIONS = { precision: 8, threshold: 1000, edgeitems: 3, linewidth: 75 } as const;

/** Shortest decimal digits that read back as `v` in its dtype, as d.ddd and a power of ten. */
function shortest(v: number, dtype: string): { neg: boolean; digits: string; exp: number } {
  const a = Math.abs(v);
  let s = a.toExponential(); // shortest round-trip for float64
  if (dtype === "float32") {
    for (let p = 0; p < 9; p++) {
      const t = a.toExponential(p);
      if (Math.fround(Number(t)) === a) {
        s = t;
        break;
      }
    }
  }
  const [m, e] = s.split("e") as [string, string];
  return { neg: v < 0 || Object.is(v, -0), digits: m.replace(".", ""), exp: Number(e) };
}

/** Positional text of a finite value with at most `precision` fraction digits, trailing zeros trimmed. */
function positional(v: number, dtype: string, precision: number): [string, string] {
  const { neg, digits, exp } = shortest(v, dtype);
  let int: string;
  let frac: string;
  if (digits.length - 1 - exp > precision) {
    // more digits than shown: round the exact value (toFixed is exact in JS)
    const s = Math.abs(v).toFixed(precision);
    [int, frac] = s.split(".") as [string, string];
    frac = frac.replace(/0+$/, "");
  } else if (exp >= 0) {
    const all = digits.padEnd(exp + 1, "0");
    int = all.slice(0, exp + 1);
    frac = all.slice(exp + 1);
  } else {
    int = "0";
    frac = "0".repeat(-exp - 1) + digits;
  }
  if (frac === "0" && digits === "0") frac = "";
  return [(neg ? "-" : "") + int, frac];
}

/** Scientific text d.ddd and the exponent of a finite value, at most `precision` mantissa digits after the point. */
function scientific(v: number, dtype: string, precision: number): [string, string, number] {
  let { neg, digits, exp } = shortest(v, dtype);
  if (digits.length - 1 > precision) {
    const [m, e] = Math.abs(v).toExponential(precision).split("e") as [string, string];
    digits = m.replace(".", "").replace(/0+$/, "") || "0";
    exp = Number(e);
  }
  if (/^0+$/.test(digits)) digits = "0";
  return [(neg ? "-" : "") + digits[0], digits.slice(1), exp];
}

type Fmt = (v: number) => string;

/** numpy's FloatingFormat: one layout (positional or scientific, paddings) for all shown values. */
function floatFormat(vals: number[], dtype: string): Fmt {
  const P = PRINT_OPTIONS.precision;
  const finite = vals.filter(Number.isFinite);
  const nz = finite.filter((x) => x !== 0).map(Math.abs);
  let expFormat = false;
  if (nz.length) {
    const max = Math.max(...nz);
    const min = Math.min(...nz);
    expFormat = max >= 1e8 || min < 1e-4 || max / min > 1000;
  }
  let padLeft = 0;
  let padRight = 0;
  let fmtFinite: Fmt;
  if (finite.length === 0) {
    fmtFinite = () => "";
  } else if (expFormat) {
    const parts = finite.map((x) => scientific(x, dtype, P));
    const prec = Math.max(...parts.map((p) => p[1].length));
    const expSize = Math.max(2, ...parts.map((p) => String(Math.abs(p[2])).length));
    padLeft = Math.max(...parts.map((p) => p[0].length));
    padRight = expSize + 2 + prec;
    fmtFinite = (x) => {
      let [i, f, e] = scientific(x, dtype, P);
      // numpy's min_digits: a shorter value shows more digits of its exact binary value, not zeros
      if (f.length < prec && x !== 0) {
        const [m, ex] = Math.abs(x).toExponential(prec).split("e") as [string, string];
        [i, f, e] = [(x < 0 ? "-" : "") + m[0], m.slice(2), Number(ex)];
      } else f = f.padEnd(prec, "0");
      return `${i.padStart(padLeft)}.${f}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(expSize, "0")}`;
    };
  } else {
    const parts = finite.map((x) => positional(x, dtype, P));
    padLeft = Math.max(...parts.map((p) => p[0].length));
    padRight = Math.max(...parts.map((p) => p[1].length));
    fmtFinite = (x) => {
      const [i, f] = positional(x, dtype, P);
      return `${i.padStart(padLeft)}.${f.padEnd(padRight)}`;
    };
  }
  if (finite.length !== vals.length) {
    const negInf = vals.some((x) => x === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + negInf - (padRight + 1));
  }
  const width = padLeft + padRight + 1;
  return (x) => {
    if (Number.isFinite(x)) return fmtFinite(x);
    const s = Number.isNaN(x) ? "nan" : x < 0 ? "-inf" : "inf";
    return s.padStart(width);
  };
}

/** The formatter numpy would choose for these shown values of a tensor of `dtype`. */
function formatterFor(vals: number[], dtype: string, scalar: boolean): Fmt {
  if (dtype === "bool") return (v) => (v ? (scalar ? "True" : " True") : "False");
  if (dtype === "int32") {
    const w = Math.max(...vals.map((v) => String(v).length));
    return (v) => String(v).padStart(w);
  }
  return floatFormat(vals, dtype);
}

/** Flat indices of the elements numpy shows (all, or edge items of each axis when summarising). */
function shownIndices(shape: readonly number[], summarise: boolean): number[] {
  const E = PRINT_OPTIONS.edgeitems;
  const out: number[] = [];
  const rec = (dim: number, off: number, stride: number[]): void => {
    if (dim === shape.length) return void out.push(off);
    const n = shape[dim]!;
    const idx = summarise && n > 2 * E ? [...range(0, E), ...range(n - E, n)] : range(0, n);
    for (const i of idx) rec(dim + 1, off + i * stride[dim]!, stride);
  };
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  rec(0, 0, strides);
  return out;
}
const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

/** numpy's _extendLine: wrap before `word` when the line would pass `width` (unless that cannot help). */
function extendLine(acc: { s: string; line: string }, word: string, width: number, prefix: string): void {
  if (acc.line.length + word.length > width && acc.line.length > prefix.length) {
    acc.s += acc.line.trimEnd() + "\n";
    acc.line = prefix;
  }
  acc.line += word;
}

/**
 * The bracketed body of a concrete tensor as numpy's array2string prints it inside a repr whose
 * first line starts with `prefix` (e.g. "Array("): aligned columns, wrapped lines, `...` summaries.
 */
export function formatBody(t: Tensor, prefix: string, fmt?: Fmt): string {
  const data = t.dataSync();
  const shape = t.shape;
  const summarise = t.size > PRINT_OPTIONS.threshold;
  const shown = shownIndices(shape, summarise).map((i) => Number(data[i]));
  const f = fmt ?? formatterFor(shown, t.dtype, t.ndim === 0);
  if (t.ndim === 0) return f(Number(data[0]));
  const E = PRINT_OPTIONS.edgeitems;
  const sep = ", ";
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const rec = (dim: number, off: number, hang: string, width: number): string => {
    const n = shape[dim]!;
    const summary = summarise && n > 2 * E;
    const lead = summary ? E : 0;
    const trail = summary ? E : n;
    const items: number[] = [...range(0, lead), ...range(n - trail, n)];
    const child = (i: number) => (dim + 1 === shape.length ? f(Number(data[off + i * strides[dim]!])) : rec(dim + 1, off + i * strides[dim]!, hang + " ", width - 1));
    let s = "";
    if (dim === shape.length - 1) {
      const elemWidth = width - 1;
      const acc = { s: "", line: hang };
      items.forEach((i, k) => {
        if (summary && k === lead) {
          extendLine(acc, "...", elemWidth, hang);
          acc.line += sep;
        }
        extendLine(acc, child(i), elemWidth, hang);
        if (k < items.length - 1) acc.line += sep;
      });
      s = acc.s + acc.line;
    } else {
      const lineSep = sep.trimEnd() + "\n".repeat(shape.length - dim - 1);
      items.forEach((i, k) => {
        if (summary && k === lead) s += hang + "..." + lineSep;
        s += hang + child(i) + (k < items.length - 1 ? lineSep : "");
      });
    }
    return "[" + s.slice(hang.length) + "]";
  };
  return rec(0, 0, " ".repeat(prefix.length + 1), PRINT_OPTIONS.linewidth - 1);
}

/** Per-tensor printers: tapir/compat prints its tensors as TensorFlow does. */
const printers = new WeakMap<Tensor, (t: Tensor) => string>();

/**
 * Makes `t.toString()` use `printer` (null: the default numpy-like print again); returns `t`.
 * tapir/compat uses it to print its tensors as TensorFlow does.
 *
 * @example
 * ```ts
 * const t = np.array([1, 2]);
 * t.toString(); // → Array([1., 2.], dtype=float32)
 * setTensorPrinter(t, (x) => `<${x.shape.join("x")} tensor>`).toString(); // → "<2 tensor>"
 * ```
 */
export function setTensorPrinter(t: Tensor, printer: ((t: Tensor) => string) | null): Tensor {
  if (printer) printers.set(t, printer);
  else printers.delete(t);
  return t;
}

/** `Array([...], dtype=float32)` as JAX prints it (numpy's array repr with the class name Array). */
export function formatTensor(t: Tensor): string {
  if (isTracer(t)) return `Traced<${t.dtype}${fmtShape(t.shape)}>`;
  if (t.isDisposed) return `Array(<disposed>, shape=${fmtShape(t.shape)}, dtype=${t.dtype})`;
  const printer = printers.get(t);
  if (printer) return printer(t);
  const prefix = "Array(";
  const body = formatBody(t, prefix);
  let tail = "";
  if (t.size > PRINT_OPTIONS.threshold || (t.size === 0 && t.ndim !== 1)) tail += `shape=(${t.shape.join(", ")}${t.ndim === 1 ? "," : ""}), `;
  tail += `dtype=${t.dtype}`;
  const lastLine = (prefix + body).split("\n").pop()!;
  const spacer = lastLine.length + 1 + tail.length + 2 > PRINT_OPTIONS.linewidth ? "\n" + " ".repeat(prefix.length) : " ";
  return `${prefix}${body},${spacer}${tail})`;
}
