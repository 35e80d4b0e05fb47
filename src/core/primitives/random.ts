// Counter-based random bits (Threefry-2x32): word i of a draw depends only on (key, i).
import { definePrimitive, zeroJvp } from "../primitive.js";
import { DTypeError, ShapeError, fail } from "../errors.js";
import { backend } from "../backend/index.js";
import { fmtShape } from "../shape.js";
import { emptyTensor } from "../tensor.js";
import { bind1 } from "../trace.js";
import { concatenate, expandDims, moveaxis, reshape, slice } from "../lax.js";

type BitsParams = { shape: number[] };
// bits(key, shape): int32 words; no derivative; a batch of keys draws one block per key
export const randomBitsP = definePrimitive<"random_bits", BitsParams, 1>({
  name: "random_bits",
  abstractEval: ([k], { shape }) => {
    if (k.dtype !== "int32" || k.shape.length !== 1 || k.shape[0] !== 2) {
      throw fail(k.dtype !== "int32" ? DTypeError : ShapeError, `random: a key is an int32[2] tensor from random.key(seed), got ${k.dtype}${fmtShape(k.shape)}.`);
    }
    return [{ shape, dtype: "int32" }];
  },
  impl: ([k], { shape }) => {
    const out = emptyTensor(shape, "int32");
    const kd = k._data;
    backend().randomBits(kd[0]!, kd[1]!, out._data);
    return [out];
  },
  jvp: zeroJvp(),
  batch: ([k], [d], params, n, self) => {
    const keys = moveaxis(k, d!, 0);
    // one draw per key (row i of keys: an int32[2] key)
    const draws = Array.from({ length: n }, (_, i) => bind1(self, [reshape(slice(keys, [i, 0], [i + 1, 2], [1, 1]), [2])], params));
    return [[concatenate(draws.map((x) => expandDims(x, 0)), 0)], [0]];
  },
});
