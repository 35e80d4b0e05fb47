// Type tests for tapir/compat's public signatures (checked by `tsc --noEmit`).
import { describe, expectTypeOf, it } from "vitest";
import { Tensor as CoreTensor } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

describe("tapir/compat types", () => {
  it("tf.Tensor is tapir's Tensor; gradients mirror the sources", () => {
    expectTypeOf<tf.Tensor>().toEqualTypeOf<CoreTensor>();
    const t = new tf.GradientTape({ persistent: true });
    const x = tf.constant(1);
    const v = new tf.Variable(2);
    t.record(() => t.watch([x, v]));
    expectTypeOf(t.gradient(x, x)).toEqualTypeOf<tf.Tensor>();
    expectTypeOf(t.gradient(x, v)).toEqualTypeOf<tf.Tensor>();
    expectTypeOf(t.gradient(x, [x, v] as const)).toEqualTypeOf<[tf.Tensor, tf.Tensor]>();
    expectTypeOf(t.gradient(x, [v])).toEqualTypeOf<tf.Tensor[]>();
    expectTypeOf(t.gradient(x, { a: x, b: [v] })).toEqualTypeOf<{ a: tf.Tensor; b: tf.Tensor[] }>();
    expectTypeOf(t.jacobian(x, { w: v })).toEqualTypeOf<{ w: tf.Tensor }>();
    expectTypeOf(t.batchJacobian).returns.toEqualTypeOf<tf.Tensor>();
    expectTypeOf(t.record(() => 3)).toEqualTypeOf<number>();
    expectTypeOf(t.recording()).toEqualTypeOf<Disposable>();
  });

  it("ops take tensors, variables and JS values; layers expose Variables", () => {
    const v = new tf.Variable([1, 2]);
    expectTypeOf(tf.add(v, 1)).toEqualTypeOf<tf.Tensor>();
    expectTypeOf(tf.matmul([[1]], [[2]], { transposeB: true })).toEqualTypeOf<tf.Tensor>();
    expectTypeOf(tf.split(v, 2)).toEqualTypeOf<tf.Tensor[]>();
    const d = new tf.keras.layers.Dense(2);
    expectTypeOf(d.trainableVariables).toEqualTypeOf<tf.Variable[]>();
    expectTypeOf(d.kernel).toEqualTypeOf<tf.Variable>();
    const opt = new tf.keras.optimizers.Adam();
    expectTypeOf(opt.applyGradients).parameter(0).toMatchTypeOf<Iterable<readonly [tf.Tensor | null | undefined, tf.Variable]>>();
    expectTypeOf(tf.UnconnectedGradients.ZERO).toEqualTypeOf<"zero">();
  });
});
