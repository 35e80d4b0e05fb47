// Flush-to-zero for elementwise kernels (config.flushSubnormals, on by default), the way XLA and
// TensorFlow run on CPU (FTZ + DAZ): an arithmetic operation reads a subnormal operand as zero and
// gives zero for a subnormal result. Wasm and JS cannot set the FPU's mode bits, so the kernel's
// expression DAG (ew-ir.ts) gets explicit flush nodes before it is compiled (Wasm: an integer
// test of the exponent bits and a bitselect, ~3 SIMD ops; JS: V.ftz32 / V.ftz64):
//  - DAZ: an input read by an arithmetic node (+ − × ÷, min/max, comparisons, √, rounding,
//    exp/sin/… and Math.*) is flushed first;
//  - FTZ: every float32 statement (a Math.fround node: where op-by-op kernels store a float32)
//    is flushed, and in float64 kernels every arithmetic node; the result too, unless it is an
//    input, a constant, or a bit operation of them (neg, abs, select), which XLA passes as is.
// A flush that could change nothing is left out (float32 kernels): after a function whose
// result is never subnormal for a flushed argument (NO_UNDERFLOW32), after e^y of a y in [-1, 1]
// (sin, cos, tanh: e^y is then in [0.36, 2.72]), and on a statement that only
// restates a flushed float32 (x·1, x/1, −x: a gradient's seed of ones multiplies in this way).
// Pure bit operations keep subnormals, as on XLA (-x of a subnormal x is subnormal). A fused
// kernel flushes each statement exactly where the op-by-op kernels flush their outputs, so jit
// and eager give the same bits. Thresholds: 2^-126 in float32 kernels, 2^-1022 in float64 ones.
import { Builder, children, type Node } from "./ew-ir.js";
import type { ElemType } from "./ew-wasm.js";

/** Nodes that are bit operations (no rounding: XLA keeps subnormals through them). */
const passes = (n: Node): boolean => n.k === "c" || n.k === "in" || (n.k === "un" && (n.op === "neg" || n.op === "abs")) || n.k === "sel" || n.k === "rare" || n.k === "not" || n.k === "logic";

/**
 * Functions whose float32 result is never subnormal for an argument that is not (sin x, tanh x,
 * atan x, log1p x, expm1 x ≈ x near 0, log x and cos x far from 0): flushing
 * their result would change nothing (test/backend/ew-flush.test.ts walks the float32 recipes).
 */
export const NO_UNDERFLOW32: ReadonlySet<string> = new Set(["sin", "cos", "tan", "tanh", "atan", "log", "log1p", "expm1"]);

/** Functions whose float32 result lies in [-1, 1] (or is NaN) for every argument (vecmath marks their recipes' results so). */
export const UNIT_RANGE32: ReadonlySet<string> = new Set(["sin", "cos", "tanh"]);

const MIN_NORMAL32 = 2 ** -126;

/**
 * How a kernel reads each operand (withFlush's per-input `daz32`): "f" flushed below 2^-126
 * (float32 or bool data, when the kernel is a float32 one: its output is float32, or for a bool
 * or int32 output some operand is), "d" below 2^-1022 (the rest: float64 data, or int32, which
 * no flush changes). The JS loops and the Wasm kernels both read their operands this way.
 */
export function flushKinds(out: ElemType, ins: readonly ElemType[]): string {
  const f32 = out === "f32" || (out !== "f64" && ins.includes("f32"));
  let s = "";
  for (const t of ins) s += f32 && (t === "f32" || t === "u8") ? "f" : "d";
  return s;
}

/** Whether a node rounds (its result can be a new subnormal). */
const arithmetic = (n: Node): boolean => n.k === "bin" || n.k === "fn" || n.k === "ext" || (n.k === "un" && n.op === "sqrt");

/**
 * `root` rebuilt in `b` with flush nodes (see the header): `f32` for a float32 kernel output
 * (statements round to float32), false for float64 (and integer/bool outputs, where the
 * float64 threshold never touches an integer). `daz32`: inputs are float32 (a comparison of
 * float32 operands has a bool output), so they are flushed below 2^-126. `flushed[i]`: input i
 * holds an already flushed value (a fused statement's temporary: ew-staged.ts), read as it is.
 * `daz32` is per input where it is a string (flushKinds): a float64 or int32 operand of a float32
 * kernel (a fused conversion to float32) is read with the float64 flush, as the op-by-op kernel
 * that reads it does, and its rounding to float32 stays.
 */
export function withFlush(b: Builder, root: Node, f32: boolean, daz32: boolean | string = f32, flushed: readonly boolean[] = []): Node {
  const ftz = f32 ? "ftz32" : "ftz64";
  // float32 kernels: nodes whose value is a float32 already flushed (a flush, a negation or
  // selection of such, a normal float32 constant, a NO_UNDERFLOW32 function of such rounded to
  // float32). A statement that is one of them (t = x·1, t = −u of a flushed u, t = sin u) needs
  // no flush, and no rounding either when its operand is one: the flush would give the same bits.
  const known = new Map<number, boolean>();
  const isF = (n: Node): boolean => {
    if (!f32) return false;
    let r = known.get(n.id);
    if (r !== undefined) return r;
    switch (n.k) {
      case "c":
        r = Number.isNaN(n.v) || (Math.fround(n.v) === n.v && !(n.v !== 0 && Math.abs(n.v) < MIN_NORMAL32));
        break;
      case "bits":
        r = n.op === "ftz32";
        break;
      case "un": {
        const a = n.a;
        if (n.op === "neg" || n.op === "abs") r = isF(a);
        else if (n.op !== "fround" || a.k !== "fn" || a.a.length !== 1) r = false;
        // e^y rounded, for y = sin, cos or tanh of something (|y| ≤ 1): in [0.36, 2.72], never subnormal
        else r = (NO_UNDERFLOW32.has(a.name) && isF(a.a[0]!)) || (a.name === "exp" && inUnit(a.a[0]!));
        break;
      }
      case "sel":
        r = isF(n.a) && isF(n.b);
        break;
      default:
        r = false;
    }
    known.set(n.id, r);
    return r;
  };
  /** A float32 known to lie in [-1, 1] (or be NaN): sin, cos or tanh rounded, or its negation or |·|. */
  const inUnit = (n: Node): boolean =>
    n.k === "un" && ((n.op === "fround" && n.a.k === "fn" && n.a.a.length === 1 && UNIT_RANGE32.has(n.a.name)) || ((n.op === "neg" || n.op === "abs") && inUnit(n.a)));
  const one = (n: Node): boolean => n.k === "c" && n.v === 1;
  const dazOp = (i: number) => ((typeof daz32 === "string" ? daz32[i] === "f" : daz32) ? "ftz32" : "ftz64");
  const memo = new Map<number, Node>();
  const daz = new Map<number, Node>();
  const operand = (x: Node): Node => {
    if (x.k !== "in" || flushed[x.i]) return go(x);
    let d = daz.get(x.id);
    if (d === undefined) daz.set(x.id, (d = b.bits(dazOp(x.i), x)));
    return d;
  };
  const go = (n: Node): Node => {
    let m = memo.get(n.id);
    if (m !== undefined) return m;
    const reads = !passes(n) && n.k !== "bits";
    const ks = children(n).map((x) => (reads ? operand(x) : go(x)));
    switch (n.k) {
      case "c":
      case "in":
        m = n;
        break;
      case "bin":
        // x·1, 1·x and x/1 of a flushed float32 x are x (every flushed read and rounding of it is x)
        if ((n.op === "mul" || n.op === "div") && one(ks[1]!) && isF(ks[0]!)) m = ks[0]!;
        else if (n.op === "mul" && one(ks[0]!) && isF(ks[1]!)) m = ks[1]!;
        else m = b.bin(n.op, ks[0]!, ks[1]!);
        break;
      case "un":
        if (n.op === "fround" && isF(ks[0]!)) m = ks[0]!;
        else {
          m = b.un(n.op, ks[0]!);
          if (n.op === "fround" && !isF(m)) m = b.bits("ftz32", m);
        }
        break;
      case "cmp":
        m = b.cmp(n.op, ks[0]!, ks[1]!);
        break;
      case "logic":
        m = b.logic(n.op, ks[0]!, ks[1]!);
        break;
      case "not":
        m = b.not(ks[0]!);
        break;
      case "sel":
        m = b.sel(ks[0]!, ks[1]!, ks[2]!);
        break;
      case "rare":
        m = b.rare(ks[0]!, ks[1]!, ks[2]!);
        break;
      case "fn":
        m = b.fn(n.name, ks);
        break;
      case "ext":
        m = b.ext(n.name, ks);
        break;
      case "bits":
        m = b.bits(n.op, ks[0]!);
        break;
    }
    if (!f32 && arithmetic(n)) m = b.bits("ftz64", m);
    memo.set(n.id, m);
    return m;
  };
  const r = go(root);
  // the stored result: flushed unless the expression only moves bits
  return passes(root) || (r.k === "bits" && (r.op === "ftz32" || r.op === ftz)) || isF(r) ? r : b.bits(ftz, r);
}
