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
// Pure bit operations keep subnormals, as on XLA (-x of a subnormal x is subnormal). A fused
// kernel flushes each statement exactly where the op-by-op kernels flush their outputs, so jit
// and eager give the same bits. Thresholds: 2^-126 in float32 kernels, 2^-1022 in float64 ones.
import { Builder, children, type Node } from "./ew-ir.js";

/** Nodes that are bit operations (no rounding: XLA keeps subnormals through them). */
const passes = (n: Node): boolean => n.k === "c" || n.k === "in" || (n.k === "un" && (n.op === "neg" || n.op === "abs")) || n.k === "sel" || n.k === "rare" || n.k === "not" || n.k === "logic";

/** Whether a node rounds (its result can be a new subnormal). */
const arithmetic = (n: Node): boolean => n.k === "bin" || n.k === "fn" || n.k === "ext" || (n.k === "un" && n.op === "sqrt");

/**
 * `root` rebuilt in `b` with flush nodes (see the header): `f32` for a float32 kernel output
 * (statements round to float32), false for float64 (and integer/bool outputs, where the
 * float64 threshold never touches an integer). `daz32`: inputs are float32 (a comparison of
 * float32 operands has a bool output), so they are flushed below 2^-126. `flushed[i]`: input i
 * holds an already flushed value (a fused statement's temporary: ew-staged.ts), read as it is.
 */
export function withFlush(b: Builder, root: Node, f32: boolean, daz32 = f32, flushed: readonly boolean[] = []): Node {
  const ftz = f32 ? "ftz32" : "ftz64";
  const dazOp = daz32 ? "ftz32" : "ftz64";
  const memo = new Map<number, Node>();
  const daz = new Map<number, Node>();
  const operand = (x: Node): Node => {
    if (x.k !== "in" || flushed[x.i]) return go(x);
    let d = daz.get(x.id);
    if (d === undefined) daz.set(x.id, (d = b.bits(dazOp, x)));
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
        m = b.bin(n.op, ks[0]!, ks[1]!);
        break;
      case "un":
        m = b.un(n.op, ks[0]!);
        if (n.op === "fround") m = b.bits("ftz32", m);
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
  return passes(root) || (r.k === "bits" && (r.op === "ftz32" || r.op === ftz)) ? r : b.bits(ftz, r);
}
