// TensorFlow's printing: str(tensor) is `tf.Tensor(<numpy str>, shape=(…), dtype=…)`, with
// numpy's array formatting (unique shortest digits, aligned columns, 75-column wrapping, "..."
// summaries above 1000 elements) rebuilt from the public read-back API.
import { setTensorPrinter, type DType, type Tensor } from "../index.js";

/** TensorFlow's shape text: (), (3,), (2, 3). */
export function tfShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** Shortest decimal digits that read back as `v` in its dtype: [sign, digits, exponent of digits[0]]. */
function shortest(v: number, dtype: DType): [string, string, number] {
  const a = Math.abs(v);
  let s = a.toExponential();
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
  return [v < 0 || Object.is(v, -0) ? "-" : "", m.replace(".", ""), Number(e)];
}

/** numpy prints array elements with at most 8 fraction digits (precision=8, floatmode="maxprec"). */
const PRECISION = 8;

/** [integer part, fraction digits] of a finite float, positional (fraction capped at `cap` digits). */
function positional(v: number, dtype: DType, cap = Infinity): [string, string] {
  const [sign, d, e] = shortest(v, dtype);
  let int: string;
  let frac: string;
  if (e >= 0) {
    int = d.length > e + 1 ? d.slice(0, e + 1) : d + "0".repeat(e + 1 - d.length);
    frac = d.slice(e + 1);
  } else {
    int = "0";
    frac = "0".repeat(-e - 1) + d;
  }
  if (frac.length > cap) [int, frac] = Math.abs(v).toFixed(cap).replace(/0+$/, "").split(".") as [string, string];
  return [sign + int, frac];
}

/** [mantissa integer, mantissa fraction, exponent] of a finite float, scientific. */
function scientific(v: number, dtype: DType, cap = Infinity): [string, string, number] {
  if (v === 0) return [Object.is(v, -0) ? "-0" : "0", "", 0];
  const [sign, d, e] = shortest(v, dtype);
  let frac = d.slice(1).replace(/0+$/, "");
  let lead = d[0]!;
  let exp = e;
  if (frac.length > cap) {
    const [m, x] = Math.abs(v).toExponential(cap).split("e") as [string, string];
    [lead, frac = ""] = m.replace(/0+$/, "").split(".") as [string, string?];
    exp = Number(x);
  }
  return [sign + lead, frac, exp];
}

const expText = (e: number, digits: number) => (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(digits, "0");

function nonFinite(v: number): string | null {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return null;
}

/** numpy's str of a 0-d value: 75.0, 0.1, 1e-05, 3, True. */
export function scalarText(v: number, dtype: DType): string {
  if (dtype === "bool") return v ? "True" : "False";
  if (dtype === "int32") return String(v);
  const nf = nonFinite(v);
  if (nf) return nf;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [i, f, e] = scientific(v, dtype);
    return `${i}${f ? "." + f : ""}e${expText(e, 2)}`;
  }
  const [i, f] = positional(v, dtype);
  return `${i}.${f || "0"}`;
}

/** A formatter for every element of an array, padded to one width (numpy's FloatingFormat). */
function elementFormatter(values: readonly number[], dtype: DType): (v: number) => string {
  if (dtype === "bool") {
    const w = values.some((v) => !v) ? 5 : 4;
    return (v) => (v ? "True" : "False").padStart(w);
  }
  if (dtype === "int32") {
    const w = Math.max(1, ...values.map((v) => String(v).length));
    return (v) => String(v).padStart(w);
  }
  const finite = values.filter((v) => Number.isFinite(v));
  const abs = finite.map(Math.abs).filter((a) => a !== 0);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const sci = abs.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
  const nonFiniteWidth = values.some((v) => v === -Infinity) ? 4 : 3;
  if (sci) {
    const parts = finite.map((v) => scientific(v, dtype, PRECISION));
    const wi = Math.max(0, ...parts.map((p) => p[0].length));
    const wf = Math.max(0, ...parts.map((p) => p[1].length));
    const we = Math.max(2, ...parts.map((p) => String(Math.abs(p[2])).length));
    const width = wi + 1 + wf + 2 + we;
    return (v) => {
      const nf = nonFinite(v);
      if (nf) return nf.padStart(width);
      const [i, f, e] = scientific(v, dtype, PRECISION);
      return `${i.padStart(wi)}.${f.padEnd(wf)}e${expText(e, we)}`;
    };
  }
  const parts = finite.map((v) => positional(v, dtype, PRECISION));
  const wf = Math.max(0, ...parts.map((p) => p[1].length));
  let wi = Math.max(0, ...parts.map((p) => p[0].length));
  if (finite.length < values.length) wi = Math.max(wi, nonFiniteWidth - wf - 1);
  return (v) => {
    const nf = nonFinite(v);
    if (nf) return nf.padStart(wi + 1 + wf);
    const [i, f] = positional(v, dtype, PRECISION);
    return `${i.padStart(wi)}.${f.padEnd(wf)}`;
  };
}

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE = 3;

/**
 * numpy's array2string (its _formatArray, ported): nested brackets, `sep` between elements,
 * lines wrapped at 75 columns less `suffix`, "..." past 1000 elements; `prefix` is the text
 * before the array on its first line (continuation lines align under it).
 */
export function arrayText(data: ArrayLike<number>, shape: readonly number[], dtype: DType, sep = " ", prefix = "", suffix = ""): string {
  if (shape.length === 0) return scalarText(Number(data[0]), dtype);
  const summarize = data.length > THRESHOLD;
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  /** Indices shown along an axis of length n; -1 stands for "...". */
  const shown = (n: number): number[] =>
    summarize && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, k) => n - EDGE + k)] : [...Array(n).keys()];
  const displayed: number[] = [];
  const collect = (dim: number, off: number): void => {
    if (dim === shape.length) displayed.push(Number(data[off]));
    else for (const i of shown(shape[dim]!)) if (i >= 0) collect(dim + 1, off + i * strides[dim]!);
  };
  collect(0, 0);
  const fmt = elementFormatter(displayed, dtype);
  const sepEnd = sep.trimEnd();
  const extend = (acc: { s: string; line: string }, word: string, width: number, hang: string): void => {
    if (acc.line.length + word.length > width && acc.line.length > hang.length) {
      acc.s += acc.line.trimEnd() + "\n";
      acc.line = hang;
    }
    acc.line += word;
  };
  const rec = (dim: number, off: number, hang: string, width: number): string => {
    if (dim === shape.length) return fmt(Number(data[off]));
    const idx = shown(shape[dim]!);
    const nextHang = hang + " ";
    const nextWidth = width - 1;
    const item = (i: number) => (i < 0 ? "..." : rec(dim + 1, off + i * strides[dim]!, nextHang, nextWidth));
    let s = "";
    if (dim === shape.length - 1) {
      const acc = { s: "", line: hang };
      const elemWidth = width - Math.max(sepEnd.length, 1);
      idx.forEach((i, k) => {
        extend(acc, item(i), elemWidth, hang);
        if (k < idx.length - 1) acc.line += sep;
      });
      s = acc.s + acc.line;
    } else {
      const lineSep = sepEnd + "\n".repeat(shape.length - dim - 1);
      s = idx.map((i) => hang + item(i)).join(lineSep);
    }
    return "[" + s.slice(hang.length) + "]";
  };
  if (data.length === 0) return "[]";
  return rec(0, 0, " ".repeat(prefix.length + 1), LINE_WIDTH - suffix.length);
}

/** str() of a TensorFlow eager tensor. */
export function tfTensorText(t: Tensor): string {
  const data = t.dataSync();
  let body = t.ndim === 0 ? scalarText(Number(data[0]), t.dtype) : arrayText(data, t.shape, t.dtype);
  if (body.includes("\n")) body = "\n" + body;
  return `tf.Tensor(${body}, shape=${tfShape(t.shape)}, dtype=${t.dtype})`;
}

/** numpy's repr of the value, as in a tf.Variable's repr: array([1., 2.], dtype=float32). */
export function numpyRepr(t: Tensor): string {
  const data = t.dataSync();
  if (t.ndim === 0) return scalarText(Number(data[0]), t.dtype);
  const suffix = t.dtype === "float32" || t.dtype === "int32" ? `, dtype=${t.dtype})` : ")";
  return `array(${arrayText(data, t.shape, t.dtype, ", ", "array(", suffix)}${suffix}`;
}

/** Marks a tensor to print like TensorFlow's; returns it. */
export function tfPrint<T extends Tensor>(t: T): T {
  setTensorPrinter(t, tfTensorText);
  return t;
}
