// examples/mnist.ts's model code trains on a handful of real digits: a few steps on one batch of
// 8 digits lower the batch loss, for the tf.keras + GradientTape step and for the functional
// jit(valueAndGrad) + optim.adam step. No accuracy threshold here (the example itself reports it).
import { describe, expect, it } from "vitest";
import * as M from "../../examples/mnist-model.js";

const { train } = M.loadDigits(8, 0);
const b = M.batchOf(train, Array.from({ length: 8 }, (_, i) => i));

describe("examples/mnist model", () => {
  it("loads a balanced batch of real digits: grey levels in [0, 1], labels 0…9 in turn", () => {
    expect(Array.from(b.y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Math.min(...b.x)).toBe(0);
    expect(Math.max(...b.x)).toBeLessThanOrEqual(1);
    // a real digit has ink: between 5% and 60% of its pixels are non-zero
    for (let i = 0; i < 8; i++) {
      const ink = b.x.subarray(i * 784, (i + 1) * 784).filter((v) => v > 0).length / 784;
      expect(ink).toBeGreaterThan(0.05);
      expect(ink).toBeLessThan(0.6);
    }
  });
  it.each([
    ["tf.keras + GradientTape + Adam", () => M.kerasTrainer(M.kerasModel(), { peak: 3e-3 })],
    ["functional: optim.adam + jit(valueAndGrad)", () => M.functionalTrainer(M.initParams(0), { peak: 3e-3 })],
  ])("%s: the loss on one batch falls over 5 steps", (_, make) => {
    const step = make();
    const losses = Array.from({ length: 5 }, () => step(b.x, b.y));
    // initial loss ≈ log 10 (small random logits); Adam at 3e-3 on one batch lowers it
    expect(losses[0]!).toBeGreaterThan(1.8);
    expect(losses[0]!).toBeLessThan(2.8);
    expect(losses[4]!).toBeLessThan(losses[0]! - 0.2);
  });
});
