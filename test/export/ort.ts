// Running an exported model on onnxruntime-node (CPU) with tapir tensors as inputs.
import * as ort from "onnxruntime-node";
import { expect } from "vitest";
import { Tensor, tree } from "../../src/index.js";

/** Runs `bytes` with the flat leaves of `args` as the graph inputs (in order); flat outputs. */
export async function runOnnx(bytes: Uint8Array, args: readonly unknown[]): Promise<{ names: readonly string[]; outs: ort.Tensor[]; inputNames: readonly string[] }> {
  // logSeverityLevel 3: errors only (its graph optimizer warns about every folded-away constant)
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const leaves = tree.leaves(args as unknown[]) as Tensor[];
  expect(session.inputNames.length).toBe(leaves.length);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((n, i) => {
    const t = leaves[i]!;
    feeds[n] = new ort.Tensor(t.dtype, t.dataSync() as Float32Array, t.shape);
  });
  const res = await session.run(feeds);
  const out = { names: session.outputNames, outs: session.outputNames.map((n) => res[n]!), inputNames: session.inputNames };
  await session.release();
  return out;
}

/**
 * ORT's outputs against tapir's (flat leaves of `expected`): shapes and dtypes equal, values
 * within rtol·(|e|+1)… scaled by the largest |e| of the output (float32 1e-5, float64 1e-12);
 * ints and bools exactly.
 */
export function expectMatches(outs: readonly ort.Tensor[], expected: unknown, tol?: number): void {
  const want = tree.leaves(expected) as Tensor[];
  expect(outs.length).toBe(want.length);
  want.forEach((w, i) => {
    const o = outs[i]!;
    expect(o.dims, `output ${i} shape`).toEqual(w.shape);
    expect(o.type, `output ${i} dtype`).toBe(w.dtype);
    const a = Array.from(o.data as ArrayLike<number>, Number);
    const b = Array.from(w.dataSync() as ArrayLike<number>, Number);
    if (w.dtype === "int32" || w.dtype === "bool") {
      expect(a, `output ${i}`).toEqual(b);
      return;
    }
    const rtol = tol ?? (w.dtype === "float32" ? 1e-5 : 1e-12);
    const scale = b.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 1);
    a.forEach((v, k) => {
      const e = b[k]!;
      if (Number.isNaN(e) || !Number.isFinite(e)) expect(v, `output ${i}[${k}]`).toBe(e);
      else if (Math.abs(v - e) > rtol * scale) expect.fail(`output ${i}[${k}]: onnxruntime ${v}, tapir ${e} (|Δ| ${Math.abs(v - e)} > ${rtol * scale})`);
    });
  });
}
