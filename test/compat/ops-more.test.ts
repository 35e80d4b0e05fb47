// tf.einsum, tf.pad, tf.gatherNd, tf.scatterNd, tf.tensorScatterUpdate, tf.math.topK, tf.sort,
// tf.argsort and tf.math.cumprod: values and tape gradients against TensorFlow 2.21's
// (test/fixtures/compat-ops-more.json, scripts/fixtures/tf_compat_ops_more.py), and bad input.
import { describe, expect, it } from "vitest";
import * as tf from "../../src/compat/index.js";
import { ValueError, jit, numpy as np, vmap } from "../../src/index.js";
import { checkCase, expectNear, fx } from "./fixture-case.js";
import { thrown } from "./util.js";

describe("tf.einsum", () => {
  it("matmul, batched trace, ellipsis and outer product, with gradients", () => {
    checkCase(fx.einsum_matmul, (a, b) => tf.einsum("ij,jk->ik", a!, b!));
    checkCase(fx.einsum_batch_trace, (a) => tf.einsum("bii->b", a!));
    checkCase(fx.einsum_ellipsis, (a, b) => tf.einsum("...ij,jk->...ik", a!, b!));
    checkCase(fx.einsum_outer, (a, b) => tf.einsum("i,j->ij", a!, b!));
    expect(tf.linalg.einsum).toBe(tf.einsum);
  });
  it("a bad equation names tf.einsum", () => {
    const e = thrown(() => tf.einsum("ij,jk->ik", tf.ones([2, 3]), tf.ones([2, 2])));
    expect(e.message).toMatch(/^tf\.einsum: /);
  });
});

describe("tf.pad", () => {
  it("CONSTANT, REFLECT and SYMMETRIC (2-D, asymmetric, 3-D), with gradients", () => {
    const p: [number, number][] = [[1, 1], [2, 2]];
    checkCase(fx.pad_CONSTANT, (x) => tf.pad(x!, p, "CONSTANT", 2.5));
    checkCase(fx.pad_REFLECT, (x) => tf.pad(x!, p, "REFLECT"));
    checkCase(fx.pad_SYMMETRIC, (x) => tf.pad(x!, p, "symmetric"));
    checkCase(fx.pad_asym_reflect, (x) => tf.pad(x!, [[0, 1], [2, 0]], "REFLECT"));
    checkCase(fx.pad_3d_symmetric, (x) => tf.pad(x!, [[1, 0], [0, 3], [2, 1]], "SYMMETRIC"));
  });
  it("paddings given as a tensor", () => {
    expectNear(tf.pad(tf.constant([1, 2]), tf.constant([[1, 0]], { dtype: "int32" })), [0, 1, 2], 0);
  });
  it("bad paddings and modes raise ValueError naming tf.pad", () => {
    const x = tf.constant([[1, 2], [3, 4]]);
    const e = thrown(() => tf.pad(x, [[2, 0], [0, 0]], "REFLECT"));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/^tf\.pad: paddings must be no greater than the dimension size minus 1/);
    expect(tf.pad(x, [[2, 0], [0, 0]], "SYMMETRIC").shape).toEqual([4, 2]);
    expect(thrown(() => tf.pad(x, [[3, 0], [0, 0]], "SYMMETRIC")).message).toMatch(/at most 2 per side/);
    expect(thrown(() => tf.pad(x, [[1, 1]])).message).toMatch(/^tf\.pad: paddings must be a \[2, 2\] array/);
    expect(thrown(() => tf.pad(x, [[1, -1], [0, 0]])).message).toMatch(/non-negative/);
    expect(thrown(() => tf.pad(x, [[1, 1], [0, 0]], "WRAP" as never))).toBeInstanceOf(ValueError);
  });
});

describe("tf.gatherNd", () => {
  it("elements, slices, rows and batchDims, with gradients (repeated indices add up)", () => {
    checkCase(fx.gather_nd_elements, (p, i) => tf.gatherNd(p!, i!), { ints: [1] });
    checkCase(fx.gather_nd_slices, (p, i) => tf.gatherNd(p!, i!), { ints: [1] });
    checkCase(fx.gather_nd_rows, (p, i) => tf.gatherNd(p!, i!), { ints: [1] });
    checkCase(fx.gather_nd_batch, (p, i) => tf.gatherNd(p!, i!, 1), { ints: [1] });
  });
  it("an index out of range, a long tuple or float indices raise ValueError naming tf.gatherNd", () => {
    const p = tf.constant([[1, 2], [3, 4]]);
    const e = thrown(() => tf.gatherNd(p, [[0, 1], [2, 0]]));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("tf.gatherNd: indices[1] = [2, 0] does not index into params (2, 2); each index j must lie in [0, dims[j]).");
    expect(thrown(() => tf.gatherNd(p, [[0, 1, 0]])).message).toMatch(/^tf\.gatherNd: index tuples of length 3/);
    expect(thrown(() => tf.gatherNd(p, tf.constant([[0.5]]))).message).toMatch(/^tf\.gatherNd: indices must be int32/);
    expect(thrown(() => tf.gatherNd(p, [[0], [1], [0]], 1)).message).toMatch(/^tf\.gatherNd: the first batchDims=1 axes/);
  });
});

describe("tf.scatterNd and tf.tensorScatterUpdate", () => {
  it("scatterNd sums updates at repeated indices; gradients gather the cotangent", () => {
    checkCase(fx.scatter_nd_dups, (i, u) => tf.scatterNd(i!, u!, [4, 2]), { ints: [0] });
    checkCase(fx.scatter_nd_elements, (i, u) => tf.scatterNd(i!, u!, [2, 3]), { ints: [0] });
  });
  it("tensorScatterUpdate replaces slices and elements; the tensor's gradient is zero there", () => {
    checkCase(fx.tensor_scatter_update, (x, i, u) => tf.tensorScatterUpdate(x!, i!, u!), { ints: [1] });
    checkCase(fx.tensor_scatter_update_elements, (x, i, u) => tf.tensorScatterUpdate(x!, i!, u!), { ints: [1] });
  });
  it("bad shapes and indices raise ValueError naming the API", () => {
    const e = thrown(() => tf.scatterNd([[0], [5]], tf.constant([1, 2]), [4]));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/^tf\.scatterNd: indices\[1\] = \[5\] does not index into shape \(4,\)/);
    expect(thrown(() => tf.scatterNd([[0], [1]], tf.constant([1, 2, 3]), [4])).message).toMatch(/^tf\.scatterNd: updates must have shape .* = \(2,\), got \(3,\)/);
    expect(thrown(() => tf.scatterNd([[0]], tf.constant([1]), [-1])).message).toMatch(/^tf\.scatterNd: shape must be/);
    const u = thrown(() => tf.tensorScatterUpdate(tf.zeros([2, 2]), [[0, 0, 0]], tf.constant([1])));
    expect(u.message).toMatch(/^tf\.tensorScatterUpdate: index tuples of length 3/);
  });
});

describe("tf.math.topK, tf.sort, tf.argsort", () => {
  it("topK returns {values, indices} (ties: lower index first) and differentiates the values", () => {
    checkCase(fx.top_k, (x) => {
      const { values, indices } = tf.math.topK(x!, 3);
      expect(indices.dtype).toBe("int32");
      return [values, indices];
    });
    expect(tf.topK).toBe(tf.math.topK);
    expect(tf.topK(tf.constant([1, 3, 2])).values.dataSync()[0]).toBe(3);
  });
  it("sort ascending and descending; at ties the gradient reaches TensorFlow's element", () => {
    checkCase(fx.sort_asc, (x) => tf.sort(x!));
    checkCase(fx.sort_desc_axis0, (x) => tf.sort(x!, 0, "DESCENDING"));
    checkCase(fx.sort_desc_axis0, (x) => tf.sort(x!, { axis: 0, direction: "DESCENDING" }));
  });
  it("argsort is stable in both directions", () => {
    expectNear(tf.argsort(tf.constant(fx.argsort_asc.x)), fx.argsort_asc.out, 0);
    expectNear(tf.argsort(tf.constant(fx.argsort_desc.x), -1, "DESCENDING", true), fx.argsort_desc.out, 0);
    expectNear(tf.argsort(tf.constant(fx.argsort_axis0.x), { axis: 0, stable: true }), fx.argsort_axis0.out, 0);
  });
  it("argsort output is not connected on a tape (null, as TF's None)", () => {
    const x = tf.constant([3, 1, 2]);
    const tape = new tf.GradientTape();
    const y = tape.record(() => {
      tape.watch(x);
      return tf.cast(tf.argsort(x), "float32");
    });
    expect(tape.gradient(y, x)).toBeNull();
  });
  it("bad k, axis and direction raise ValueError naming the API", () => {
    const e = thrown(() => tf.math.topK(tf.constant([1, 2, 3, 4]), 5));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toMatch(/^tf\.math\.topK: input must have at least k columns\. Had 4, needed 5/);
    expect(thrown(() => tf.sort(tf.constant([1, 2]), 1)).message).toMatch(/^tf\.sort: axis 1 is out of range/);
    expect(thrown(() => tf.argsort(tf.constant([1, 2]), -1, "UP" as never)).message).toMatch(/^tf\.argsort: direction must be/);
    expect(thrown(() => tf.sort(tf.constant(1))).message).toMatch(/^tf\.sort: input must have rank ≥ 1/);
    expect(thrown(() => tf.sort(tf.constant([1]), { axis: 0, dir: 1 } as never)).message).toMatch(/^tf\.sort: unknown option 'dir'/);
  });
});

describe("tf.math.cumprod", () => {
  // TensorFlow's gradient is 0 at an input that is zero (x[1][1]); tapir's is the exact one there
  const exactAtZero = (name: string, ex: boolean, rv: boolean, axis = 1) => {
    const c = fx[name];
    const gs = checkCase({ ...c, grads: [null] }, (x) => tf.math.cumprod(x!, axis, ex, rv));
    // TF's gradient everywhere but the zero entry (flat index 5)
    const got = Array.from(gs[0]!.dataSync(), Number);
    const want = (c.grads[0] as number[][]).flat();
    got.forEach((g, i) => i !== 5 && expect(Math.abs(g - want[i]!), `${name} gradient ${i}`).toBeLessThan(1e-5 + 1e-5 * Math.abs(want[i]!)));
    // the exact derivative there: central differences in float64 of Σ w·cumprod
    const x = (c.x[0] as number[][]).map((r) => r.slice());
    const loss = (v: number) => {
      x[1]![1] = v;
      const y = tf.math.cumprod(tf.constant(x, { dtype: "float64" }), axis, ex, rv);
      return tf.reduceSum(tf.multiply(tf.constant(c.w[0], { dtype: "float64" }), y)).item() as number;
    };
    const h = 1e-6;
    expect(got[5]).toBeCloseTo((loss(h) - loss(-h)) / (2 * h), 4);
  };
  it("exclusive / reverse along an axis and the default axis 0 match TensorFlow", () => {
    for (const ex of [false, true]) for (const rv of [false, true]) exactAtZero(`cumprod_${+ex}${+rv}`, ex, rv);
    exactAtZero("cumprod_axis0", false, false, 0);
    expect(tf.cumprod).toBe(tf.math.cumprod);
  });
  it("a bad axis names tf.math.cumprod", () => {
    expect(thrown(() => tf.cumprod(tf.constant([1, 2]), 2)).message).toMatch(/^tf\.math\.cumprod: axis 2 is out of range/);
  });
});

describe("under tapir's transforms", () => {
  it("jit and vmap trace through the new ops (traced indices are not range-checked)", () => {
    const x = np.array([[1, 2, 3], [4, 5, 6]]);
    expectNear(jit((p: tf.Tensor, i: tf.Tensor) => tf.gatherNd(p, i))(x, np.array([[1, 2], [0, 0]], { dtype: "int32" })), [6, 1], 0);
    expectNear(jit((p: tf.Tensor) => tf.scatterNd([[1], [1]], p, [3, 3]))(x), [0, 0, 0, 5, 7, 9, 0, 0, 0], 0);
    expectNear(jit((p: tf.Tensor) => tf.pad(p, [[0, 0], [2, 0]], "REFLECT"))(x), [3, 2, 1, 2, 3, 6, 5, 4, 5, 6], 0);
    expectNear(jit((p: tf.Tensor) => tf.sort(p, -1, "DESCENDING"))(x), [3, 2, 1, 6, 5, 4], 0);
    expectNear(jit((p: tf.Tensor) => tf.cumprod(p, 1, true))(x), [1, 1, 2, 1, 4, 20], 0);
    expectNear(vmap((p: tf.Tensor) => tf.math.topK(p, 1).values)(x), [3, 6], 0);
  });
  it("second-order gradients through a nested tape (einsum)", () => {
    const x = tf.constant([1, 2, 3]);
    const outer = new tf.GradientTape();
    const g = outer.record(() => {
      outer.watch(x);
      const inner = new tf.GradientTape();
      const y = inner.record(() => {
        inner.watch(x);
        return tf.einsum("i,i->", tf.multiply(x, x), x); // Σ x³
      });
      return tf.reduceSum(inner.gradient(y, x) as tf.Tensor); // Σ 3x²
    });
    expectNear(outer.gradient(g, x), [6, 12, 18], 1e-6); // 6x
  });
});
