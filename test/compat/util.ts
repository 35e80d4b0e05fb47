// Helpers for the tapir/compat tests: closeness against hand-derived or float64 values.
import { expect } from "vitest";
import { Tensor } from "../../src/index.js";

/** Flat JS numbers of a tensor (or a nested array of numbers). */
export function flat(x: Tensor | number | readonly unknown[]): number[] {
  if (x instanceof Tensor) return Array.from(x.dataSync(), Number);
  if (typeof x === "number") return [x];
  return (x as unknown[]).flat(Infinity as 1) as number[];
}

/** `actual` has `shape` (when given) and equals `expected` elementwise within rtol/atol. */
export function expectClose(actual: unknown, expected: Tensor | number | readonly unknown[], opts: { rtol?: number; atol?: number; shape?: readonly number[] } = {}): void {
  expect(actual, "expected a tensor").toBeInstanceOf(Tensor);
  const a = actual as Tensor;
  if (opts.shape) expect([...a.shape]).toEqual([...opts.shape]);
  const got = flat(a);
  const want = flat(expected);
  expect(got.length, "element count").toBe(want.length);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-6;
  got.forEach((g, i) => {
    if (!(Math.abs(g - want[i]!) <= atol + rtol * Math.abs(want[i]!))) expect.fail(`element ${i}: got ${g}, expected ${want[i]} (all: ${got.join(", ")})`);
  });
}

/** Runs fn and returns the error it throws (failing when it does not). */
export function thrown(fn: () => unknown): Error & { _tag?: string } {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail("expected an error") as never;
}
