// exportOnnx: a traced tapir program as an ONNX ModelProto.
import { ValueError, fail } from "../../core/errors.js";
import { ClosedJaxpr } from "../../core/ir.js";
import type { TreeDef } from "../../core/tree.js";
import { checkFunction, flattenToTensors } from "../../transforms/args.js";
import { stageFlat } from "../../transforms/partial-eval.js";
import { FlatFn } from "../../transforms/vjp.js";
import { checkOptions } from "../../core/numpy/options.js";
import { Graph, Model, elemOf } from "./graph.js";
import { Unsupported, lowerJaxpr, tensorConst, unsupportedError } from "./lower.js";
import { findSite } from "./site.js";
import { encodeModel } from "./proto.js";
import { inlineClosed } from "./trace.js";
import "./rules-elementwise.js";
import "./rules-structural.js";
import "./rules-control.js";
import "./rules-random.js";
import "./rules-conv.js";
import "./rules-index.js";
import "./rules-cumulative.js";
import "./rules-bitwise.js";

export { defineOnnx, hasOnnxRule, unsupportedOnnx, type OnnxRule } from "./lower.js";

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** ONNX opset version of the default domain, 18 to 21 (default 18). */
  opset?: number;
  /**
   * Graph input/output names. `inputs[i]` names argument i (its pytree leaves become
   * `inputs[i].path.to.leaf`); by default `arg0`, `arg1`… (not the parameter names of `fn`:
   * bundlers and minifiers rename those). `outputs[i]` names element i of an array result (or the whole result
   * when it is not an array); by default `output0`, `output1`… (`output` for a single tensor),
   * and an object result names its leaves by their keys. An output named like an input gets
   * `_out` appended (a training step's new `params.W1` is `params.W1_out`).
   */
  names?: { inputs?: readonly string[]; outputs?: readonly string[] };
}

/** Leaf names of a pytree: path segments joined by "." under `prefix`. */
function leafNames(def: TreeDef, prefix: string, out: string[]): void {
  const join = (k: string) => (prefix === "" ? k : `${prefix}.${k}`);
  switch (def.kind) {
    case "leaf":
      out.push(prefix === "" ? "value" : prefix);
      return;
    case "none":
      return;
    case "array":
      def.children.forEach((c, i) => leafNames(c, join(String(i)), out));
      return;
    case "object":
      def.children.forEach((c, i) => leafNames(c, join(def.keys[i]!), out));
      return;
    default:
      return def satisfies never;
  }
}

/** Names for the flat leaves of a top-level tree whose elements get `tops` names. */
function namesFor(def: TreeDef, tops: (i: number) => string, single: string): string[] {
  const out: string[] = [];
  if (def.kind === "array") def.children.forEach((c, i) => leafNames(c, tops(i), out));
  else if (def.kind === "leaf") out.push(single);
  else leafNames(def, "", out);
  // repeated names (a user name equal to a path) get a suffix: ONNX names must be unique
  const seen = new Map<string, number>();
  return out.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k === 0 ? n : `${n}_${k}`;
  });
}

/**
 * Exports the program of `fn` at the shapes and dtypes of `exampleArgs` as an ONNX model (the
 * serialized `ModelProto` bytes), for onnxruntime or any ONNX runtime: CPU, CUDA, WebGPU in a
 * browser. `fn` is traced as {@link jit} traces it, so transformed functions export whole —
 * `grad(loss)`, `vmap(jacrev(f))`, a training step returning new parameters — and `lax.cond`,
 * `lax.scan` and `lax.whileLoop` become ONNX `If` and `Loop`. The graph inputs are the pytree
 * leaves of the arguments and the outputs those of the result, named by their paths
 * (`params.W1`); float64 is ONNX DOUBLE, int32 INT32, bool BOOL. The values of `exampleArgs`
 * are not stored, only their shapes and dtypes; values `fn` closes over become initializers.
 *
 * @param fn - a function of tensors (pytrees of them), as `jit` takes.
 * @param exampleArgs - the arguments (an array, one entry per parameter of `fn`).
 * @param opts.opset - the ONNX opset (18 to 21, default 18).
 * @param opts.names - graph input names per argument, output names per result element.
 * @returns the ONNX model bytes (write them to a `.onnx` file, or pass them to
 *   `InferenceSession.create`).
 * @throws NoRuleError naming the primitive (and the op that produced it) when part of the
 *   program has no ONNX counterpart; ValueError for a bad opset or option.
 * Mirrors `jax2onnx`-style exporters and `torch.onnx.export`.
 * @example
 * ```ts
 * const loss = (w: Tensor, x: Tensor) => np.sum(np.tanh(np.matmul(x, w)));
 * const bytes = exportOnnx(grad(loss), [np.ones([3, 2]), np.ones([4, 3])], { names: { inputs: ["w", "x"] } });
 * bytes instanceof Uint8Array && bytes.length > 100; // → true
 * ```
 */
export function exportOnnx(fn: (...args: any[]) => unknown, exampleArgs: readonly unknown[], opts: ExportOnnxOptions = {}): Uint8Array {
  checkFunction("exportOnnx", fn), checkOptions("exportOnnx", opts, ["opset", "names"]);
  if (!Array.isArray(exampleArgs)) throw fail(ValueError, `exportOnnx: exampleArgs must be an array with one entry per argument of fn, got ${typeof exampleArgs}. Wrap a single argument: exportOnnx(f, [x]).`);
  const opset = opts.opset ?? 18;
  if (!Number.isInteger(opset) || opset < 18 || opset > 21) throw fail(ValueError, `exportOnnx: opset must be an integer from 18 to 21, got ${opset}.`);
  if (opts.names !== undefined) checkOptions("exportOnnx: names", opts.names, ["inputs", "outputs"]);
  const [leaves, inTree] = flattenToTensors("exportOnnx", exampleArgs, "argument");
  const ff = new FlatFn("exportOnnx", fn, inTree, false);
  const [j, consts] = stageFlat(ff.call, leaves.map((l) => ({ shape: l.shape, dtype: l.dtype })), "exportOnnx", true);
  const cj = inlineClosed(new ClosedJaxpr(j, consts));

  const inNames = namesFor(inTree, (i) => opts.names?.inputs?.[i] ?? `arg${i}`, "arg0");
  // an output named like an input (a training step's `params.W1`) gets "_out": names are unique
  const outNames = namesFor(ff.outTree!, (i) => opts.names?.outputs?.[i] ?? `output${i}`, opts.names?.outputs?.[0] ?? "output").map((n) => (inNames.includes(n) ? `${n}_out` : n));

  const model = new Model();
  const g = new Graph(model, "tapir");
  cj.jaxpr.invars.forEach((v, i) => g.inputs.push({ name: inNames[i]!, dtype: elemOf(v.aval.dtype), shape: v.aval.shape }));
  let outs: string[];
  try {
    outs = lowerJaxpr(g, cj.jaxpr, cj.consts.map((t) => tensorConst(model, t)), inNames);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    // trace again, noting the call that applies the primitive, for the message
    const site = findSite(e.primitive, () => stageFlat(new FlatFn("exportOnnx", fn, inTree, false).call, leaves.map((l) => ({ shape: l.shape, dtype: l.dtype })), "exportOnnx", true));
    throw unsupportedError(e.primitive, site, e.reason);
  }
  outs.forEach((o, i) => {
    const a = cj.jaxpr.outs[i]!.aval;
    g.opTo("Identity", [o], outNames[i]!);
    g.outputs.push({ name: outNames[i]!, dtype: elemOf(a.dtype), shape: a.shape });
  });
  const proto = g.proto();
  proto.initializers = model.initializers;
  return encodeModel({ irVersion: 8, opset, producer: "tapir", producerVersion: "0.1.0", graph: proto });
}
