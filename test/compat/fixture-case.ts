// Runs one case of test/fixtures/compat-ops-more.json (scripts/fixtures/tf_compat_ops_more.py):
// the op on TensorFlow's inputs under a GradientTape, its outputs and the gradients of
// Σₖ sum(wₖ · outₖ) compared with TensorFlow's.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import * as tf from "../../src/compat/index.js";
import type { DType } from "../../src/index.js";

export const fx = JSON.parse(readFileSync(new URL("../fixtures/compat-ops-more.json", import.meta.url), "utf8"));

/** A fixture case: inputs, TensorFlow's outputs, the loss weights and TensorFlow's gradients (null: None). */
export interface Case {
  x: unknown[];
  out: unknown[];
  w: unknown[];
  grads: (unknown[] | null)[];
}

/** `actual` equals `want` (a tensor or nested JS numbers) elementwise within atol + rtol·|want|, and has its size. */
export function expectNear(actual: tf.Tensor | null, want: unknown, rtol: number, what = ""): void {
  expect(actual, `${what}: expected a tensor`).not.toBeNull();
  const got = Array.from(actual!.dataSync(), Number);
  const exp = want instanceof tf.Tensor ? Array.from(want.dataSync(), Number) : ([want].flat(Infinity) as number[]);
  expect(got.length, `${what}: element count`).toBe(exp.length);
  got.forEach((g, i) => {
    if (!(Math.abs(g - exp[i]!) <= rtol + rtol * Math.abs(exp[i]!))) expect.fail(`${what} element ${i}: got ${g}, TensorFlow ${exp[i]} (all: ${got.join(", ")})`);
  });
}

/**
 * Runs `f` on the case's inputs (float `dtype`; positions in `ints` int32) on a tape and checks
 * its outputs and gradients against TensorFlow's. `skipGrad` lists input positions whose gradient
 * is checked elsewhere (a null gradient in the case is not checked); the gradients returned are the tape's.
 */
export function checkCase(c: Case, f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[], opts: { dtype?: DType; ints?: number[]; rtol?: number } = {}): (tf.Tensor | null)[] {
  const dtype = opts.dtype ?? "float32";
  const ints = opts.ints ?? [];
  const rtol = opts.rtol ?? (dtype === "float64" ? 1e-9 : 2e-5);
  const xs = c.x.map((v, i) => tf.constant(v as number[], { dtype: ints.includes(i) ? "int32" : dtype }));
  const tape = new tf.GradientTape();
  const loss = tape.record(() => {
    tape.watch(xs.filter((_, i) => !ints.includes(i)));
    const r = f(...xs);
    const outs = Array.isArray(r) ? r : [r];
    outs.forEach((o, k) => expectNear(o, c.out[k], rtol, `output ${k}`));
    const terms = outs.flatMap((o, k) => (o.dtype === dtype ? [tf.reduceSum(tf.multiply(tf.constant(c.w[k] as number[], { dtype }), o))] : []));
    return tf.addN(terms);
  });
  const floats = xs.filter((_, i) => !ints.includes(i));
  const fg = tape.gradient(loss, floats);
  const gs = xs.map((x) => (ints.includes(xs.indexOf(x)) ? null : fg[floats.indexOf(x)]!));
  gs.forEach((g, i) => {
    if (!ints.includes(i) && c.grads[i] !== null) expectNear(g, c.grads[i], rtol * 10, `gradient ${i}`);
  });
  return gs;
}
