// numpy's one-argument where: the indices of the true elements, read concretely (the result's
// length depends on the values, so a trace cannot produce it).
import type { ArrayLike, Tensor } from "../tensor.js";
import { toConcrete } from "../trace.js";
import * as lax from "../lax.js";
import { array, tensor } from "./convert.js";

/** The multi-indices of cond's nonzero elements, row-major, one int32 array per axis (read concretely). */
export function trueIndices(cond: ArrayLike): Tensor[] {
  let c = tensor(cond, "where");
  if (c.ndim === 0) c = lax.reshape(c, [1]);
  const d = toConcrete(c, "where (one argument: the result's length depends on the values; under jit use np.nonzero with { size })").dataSync();
  const hits: number[] = [];
  for (let i = 0; i < d.length; i++) if (d[i]) hits.push(i);
  let stride = c.size;
  return c.shape.map((n) => {
    stride /= n;
    const k = stride;
    return array(Int32Array.from(hits, (i) => Math.floor(i / k) % n), { dtype: "int32" });
  });
}
