// tf.nn.conv2d: NHWC / HWIO 2-D convolution on lax.convGeneralDilated, one recorded op on a tape.
import { lax, type ArrayLike, type Tensor } from "../index.js";
import { run1 } from "./runtime.js";
import type { Variable } from "./variable.js";

/**
 * 2-D convolution (NHWC input, HWIO filters), strides an integer, a pair or TF's [1, sh, sw, 1].
 * Mirrors tf.nn.conv2d.
 * @example
 * ```ts
 * tf.nn.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), 1, "VALID").reshape([4]); // → [4, 4, 4, 4]
 * ```
 */
export function conv2d(input: ArrayLike, filters: ArrayLike | Variable, strides: number | readonly number[], padding: "VALID" | "SAME"): Tensor {
  const s = typeof strides === "number" ? [strides, strides] : strides.length === 4 ? [strides[1]!, strides[2]!] : [...strides];
  return run1(([x, k]) => lax.convGeneralDilated(x, k, s, padding, { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] }), [input, filters], "tf.nn.conv2d");
}

