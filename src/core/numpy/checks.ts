// Checks that read concrete values: allclose.
import { broadcastShapes } from "../shape.js";
import type { ArrayLike } from "../tensor.js";
import { toConcrete } from "../trace.js";
import { astype, tensor } from "./convert.js";
import { broadcastTo } from "./shape.js";
import { checkOptions } from "./options.js";

// ------------------------------------------------------------------ checks

export function allclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number } = {}): boolean {
  checkOptions("allclose", opts, ["rtol", "atol"]);
  const x = toConcrete(tensor(a), "allclose");
  const y = toConcrete(tensor(b), "allclose");
  const shape = broadcastShapes("allclose", x.shape, y.shape);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-8;
  const xs = broadcastTo(astype(x, "float64"), shape).dataSync();
  const ys = broadcastTo(astype(y, "float64"), shape).dataSync();
  for (let i = 0; i < xs.length; i++) {
    const u = xs[i]!;
    const v = ys[i]!;
    if (u === v) continue;
    if (!(Math.abs(u - v) <= atol + rtol * Math.abs(v))) return false;
  }
  return true;
}

