// tf.gatherNd, tf.scatterNd and tf.tensorScatterUpdate: N-d index tuples over the leading axes of
// a tensor. Each index tuple (the last axis of `indices`, length D) is turned into one flat
// position over the first D axes, pos = Σⱼ idx[j]·strideⱼ (row-major strides of those axes), so
// every op is one take / scatter along axis 0 of the tensor reshaped to [Π dims[:D], ...rest]:
// the core's rules differentiate them (the gradient of a gather is a scatter-add and back).
import { Tensor, ValueError, isTracer, numpy as np, type ArrayLike } from "../index.js";
import { describe, shapeText } from "./errors.js";
import { run1 } from "./runtime.js";
import type { TensorLike } from "./ops.js";

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** `indices` as an int32 tensor (JS arrays convert), a ValueError naming `api` for other dtypes. */
function intIndices(api: string, i: unknown): Tensor {
  const t = i instanceof Tensor ? i : np.asarray(i as ArrayLike, { dtype: "int32" });
  if (t.dtype !== "int32") throw new ValueError({ message: `${api}: indices must be int32, got ${describe(t)}. Cast them with tf.cast(indices, "int32").` });
  if (t.ndim < 1) throw new ValueError({ message: `${api}: indices must have rank ≥ 1 (the last axis holds each index tuple), got a scalar. Wrap it: [[i]].` });
  return t;
}

/**
 * The flat positions (int32, indices' shape without its last axis) of the index tuples in `idx`
 * over the axes `dims` (D = dims.length = idx's last axis). Concrete indices are range-checked
 * as TensorFlow's CPU kernels check them (TF raises; a gather would otherwise clamp).
 */
function flatPositions(api: string, idx: Tensor, dims: readonly number[], what: string): Tensor {
  const d = dims.length;
  if (!isTracer(idx)) {
    const data = idx.dataSync();
    for (let k = 0; k < data.length; k += d) {
      for (let j = 0; j < d; j++) {
        const v = data[k + j]!;
        if (!(v >= 0 && v < dims[j]!)) {
          const tuple = Array.from(data.subarray(k, k + d));
          throw new ValueError({ message: `${api}: indices[${k / d}] = [${tuple.join(", ")}] does not index into ${what} ${shapeText(dims)}; each index j must lie in [0, dims[j]).` });
        }
      }
    }
  }
  const strides = dims.map((_, j) => prod(dims.slice(j + 1)));
  return np.sum(np.multiply(idx, np.array(Int32Array.from(strides))), -1);
}

/**
 * Gathers slices of `params` at N-d index tuples: `indices` has shape [...batch, ...N, D] and
 * each of its last-axis tuples picks params[...batch, i₀, …, i_{D−1}] (an element when D equals
 * params' rank after the batch axes, else a slice). The result has shape
 * [...batch, ...N, ...params.shape[batchDims + D:]]. `batchDims` leading axes are shared by
 * params and indices (gathered per batch entry). An index out of range raises a ValueError, as
 * TensorFlow's CPU kernel does. Differentiable in params (a scatter-add of the cotangent).
 * Mirrors `tf.gather_nd`.
 *
 * @example
 * ```ts
 * const p = tf.constant([[1, 2], [3, 4]]);
 * tf.gatherNd(p, [[1, 0], [0, 1]]); // → [3, 2]
 * tf.gatherNd(p, [[1]]); // → [[3, 4]]
 * tf.gatherNd(p, [[1], [0]], 1); // → [2, 3]
 * ```
 */
export function gatherNd(params: TensorLike, indices: TensorLike | readonly unknown[], batchDims = 0): Tensor {
  const api = "tf.gatherNd";
  return run1(([pp, ii]) => {
    const p = np.asarray(pp);
    const idx = intIndices(api, ii);
    if (!(Number.isInteger(batchDims) && batchDims >= 0 && batchDims < idx.ndim && batchDims <= p.ndim)) {
      throw new ValueError({ message: `${api}: batchDims=${batchDims} must be an integer in [0, ${Math.min(idx.ndim - 1, p.ndim)}] for params ${shapeText(p.shape)} and indices ${shapeText(idx.shape)}.` });
    }
    const batch = p.shape.slice(0, batchDims);
    if (idx.shape.slice(0, batchDims).some((n, k) => n !== batch[k])) {
      throw new ValueError({ message: `${api}: the first batchDims=${batchDims} axes of params ${shapeText(p.shape)} and indices ${shapeText(idx.shape)} must match.` });
    }
    const d = idx.shape[idx.ndim - 1]!;
    if (d > p.ndim - batchDims) {
      throw new ValueError({ message: `${api}: index tuples of length ${d} (indices ${shapeText(idx.shape)}) are longer than params ${shapeText(p.shape)} has axes after the ${batchDims} batch axes; use tuples of length ≤ ${p.ndim - batchDims}.` });
    }
    const dims = p.shape.slice(batchDims, batchDims + d);
    const rest = p.shape.slice(batchDims + d);
    const nShape = idx.shape.slice(batchDims, idx.ndim - 1);
    const [nb, nn, np_] = [prod(batch), prod(nShape), prod(dims)];
    // positions within each batch entry, then offset by the entry: b·Π dims + pos
    let pos = np.reshape(flatPositions(api, np.reshape(idx, [nb, nn, d]), dims, "params"), [nb, nn]);
    if (batchDims > 0) pos = np.add(pos, np.reshape(np.arange(0, nb * np_, Math.max(np_, 1), { dtype: "int32" }), [nb, 1]));
    const taken = np.take(np.reshape(p, [nb * np_, ...rest]), np.reshape(pos, [nb * nn]), 0);
    return np.reshape(taken, [...batch, ...nShape, ...rest]);
  }, [params, indices], api);
}

/** Checks updates' shape against indices [...N, D] and the target shape; returns [N, D]. */
function checkUpdates(api: string, idx: Tensor, upd: Tensor, shape: readonly number[], target: string): [number[], number] {
  const d = idx.shape[idx.ndim - 1]!;
  if (d > shape.length) throw new ValueError({ message: `${api}: index tuples of length ${d} (indices ${shapeText(idx.shape)}) are longer than the rank of ${target} ${shapeText(shape)}.` });
  const n = idx.shape.slice(0, idx.ndim - 1);
  const want = [...n, ...shape.slice(d)];
  if (upd.ndim !== want.length || upd.shape.some((s, k) => s !== want[k])) {
    throw new ValueError({ message: `${api}: updates must have shape indices.shape[:-1] + ${target}.shape[${d}:] = ${shapeText(want)}, got ${shapeText(upd.shape)} (indices ${shapeText(idx.shape)}, ${target} ${shapeText(shape)}).` });
  }
  return [n, d];
}

/** `base` (shape `shape`) with `upd` combined at the index tuples by `mode` (one scatter along axis 0 of the flattened leading axes). */
function scatterInto(api: string, base: Tensor, idx: Tensor, upd: Tensor, mode: "add" | "set", target: string): Tensor {
  const shape = base.shape;
  const [n, d] = checkUpdates(api, idx, upd, shape, target);
  const dims = shape.slice(0, d);
  const rest = shape.slice(d);
  const pos = np.reshape(flatPositions(api, np.reshape(idx, [prod(n), d]), dims, target), [prod(n)]);
  const ref = np.at(np.reshape(base, [prod(dims), ...rest]), pos);
  const vals = np.reshape(upd, [prod(n), ...rest]);
  return np.reshape(mode === "add" ? ref.add(vals) : ref.set(vals), shape);
}

/**
 * A new tensor of shape `shape`, zero except at the index tuples of `indices` ([...N, D]), where
 * the slices of `updates` ([...N, ...shape[D:]]) are placed; updates at a repeated index add up,
 * as in TensorFlow. Differentiable in updates (the cotangent gathered at the indices).
 * Mirrors `tf.scatter_nd`.
 *
 * @example
 * ```ts
 * tf.scatterNd([[1], [3], [1]], tf.constant([5, 6, 7]), [4]); // → [0, 12, 0, 6]
 * tf.scatterNd([[0, 1]], tf.constant([9]), [2, 2]); // → [[0, 9], [0, 0]]
 * ```
 */
export function scatterNd(indices: TensorLike | readonly unknown[], updates: TensorLike, shape: readonly number[]): Tensor {
  const api = "tf.scatterNd";
  if (!Array.isArray(shape) || shape.some((s) => !(Number.isInteger(s) && s >= 0))) {
    throw new ValueError({ message: `${api}: shape must be an array of non-negative integers, got ${describe(shape)}.` });
  }
  return run1(([ii, uu]) => {
    const upd = np.asarray(uu);
    return scatterInto(api, np.zeros(shape, { dtype: upd.dtype }), intIndices(api, ii), upd, "add", "shape");
  }, [indices, updates], api);
}

/**
 * `tensor` with the slices at the index tuples of `indices` ([...N, D]) replaced by `updates`
 * ([...N, ...tensor.shape[D:]], cast to tensor's dtype). Differentiable: the cotangent flows to
 * `tensor` except at the replaced slices, and to `updates` gathered at the indices (as
 * TensorFlow's gradient; with a repeated index, which update lands is unspecified there too).
 * Mirrors `tf.tensor_scatter_nd_update`.
 *
 * @example
 * ```ts
 * tf.tensorScatterUpdate(tf.constant([1, 2, 3]), [[0], [2]], tf.constant([10, 30])); // → [10, 2, 30]
 * ```
 */
export function tensorScatterUpdate(tensor: TensorLike, indices: TensorLike | readonly unknown[], updates: TensorLike): Tensor {
  const api = "tf.tensorScatterUpdate";
  return run1(([tt, ii, uu]) => {
    const t = np.asarray(tt);
    return scatterInto(api, t, intIndices(api, ii), np.astype(np.asarray(uu), t.dtype), "set", "tensor");
  }, [tensor, indices, updates], api);
}
