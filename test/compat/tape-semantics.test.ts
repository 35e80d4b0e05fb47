// GradientTape's documented TensorFlow 2 semantics at the places a tape implementation tends to
// cut corners: repeated targets, reset forgetting what was watched, identity-like ops, targets
// the tape never saw, and null versus zeros. Values are hand-derived closed forms.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as tf from "../../src/compat/index.js";
import { TapeError, ValueError } from "../../src/index.js";
import { expectClose } from "./util.js";

afterEach(() => vi.restoreAllMocks());

/** A tape that watched `x` and recorded `body(x)`. */
function taped<R>(x: tf.Tensor, body: (x: tf.Tensor) => R, persistent = true): [tf.GradientTape, R] {
  const t = new tf.GradientTape({ persistent });
  const r = t.record(() => {
    t.watch(x);
    return body(x);
  });
  return [t, r];
}

describe("repeated and combined targets", () => {
  it("gradient([y, y], x) is the sum of both: 2·dy/dx", () => {
    const x = tf.constant([1, -2]);
    const [t, y] = taped(x, (x) => tf.multiply(x, x)); // dy/dx = 2x
    expectClose(t.gradient([y, y], x), [4, -8]);
    expectClose(t.gradient({ a: y, b: [y, y] }, x), [6, -12]);
    expectClose(t.gradient(y, x), [2, -4]); // the repeated calls did not change the recording
  });
  it("repeated targets with outputGradients weight each occurrence", () => {
    const x = tf.constant(3);
    const [t, y] = taped(x, (x) => tf.square(x)); // dy/dx = 6
    expectClose(t.gradient([y, y], x, { outputGradients: [tf.constant(2), tf.constant(-0.5)] }), 6 * 1.5);
    expectClose(t.gradient([y, y], x, { outputGradients: [null, tf.constant(3)] }), 6 * 4); // null means ones
  });
  it("two different targets sharing a path add up: d(y + z)/dx", () => {
    const x = tf.constant(0.5);
    const [t, [y, z]] = taped(x, (x) => {
      const y = tf.exp(x);
      return [y, tf.multiply(y, x)]; // z = x eˣ
    });
    expectClose(t.gradient([y, z], x), Math.exp(0.5) + (1 + 0.5) * Math.exp(0.5));
  });
  it("a target that is a source: d x/dx = ones, alone or next to others", () => {
    const x = tf.constant([[1, 2, 3]]);
    const [t, y] = taped(x, (x) => tf.multiply(x, 5));
    expectClose(t.gradient(x, x), [[1, 1, 1]], { shape: [1, 3] });
    expectClose(t.gradient([x, y], x), [[6, 6, 6]]);
  });
});

describe("reset()", () => {
  it("forgets the watched tensors: a later op on x is not recorded", () => {
    const x = tf.constant(2);
    const t = new tf.GradientTape({ persistent: true });
    const [before, after] = t.record(() => {
      t.watch(x);
      const before = tf.square(x);
      t.reset();
      return [before, tf.pow(x, 3)]; // x is no longer watched
    });
    expect(t.gradient(after, x)).toBeNull();
    expect(t.gradient(before, x)).toBeNull(); // recorded before the reset: forgotten too
    expectClose(t.gradient(after, x, { unconnectedGradients: "zero" }), 0);
  });
  it("watching again after reset records from there on, and only from there", () => {
    const x = tf.constant(2);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      const a = tf.multiply(x, 7);
      t.reset();
      t.watch(x);
      return tf.add(a, tf.square(x)); // a is a constant now: d/dx = 2x
    });
    expectClose(t.gradient(y, x), 4);
  });
  it("forgets accessed variables too; reading them again re-watches them", () => {
    const v = new tf.Variable(3);
    const w = new tf.Variable(4);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => {
      tf.multiply(v, v);
      t.reset();
      expect(t.watchedVariables()).toEqual([]);
      return tf.multiply(w, 2);
    });
    expect(t.watchedVariables()).toEqual([w]);
    const [gv, gw] = t.gradient(y, [v, w]);
    expect(gv).toBeNull();
    expectClose(gw, 2);
  });
  it("outside a recording reset throws TapeError", () => {
    expect(() => new tf.GradientTape().reset()).toThrow(TapeError);
  });
});

describe("identity-like ops pass the cotangent through unchanged", () => {
  const ops: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ["identity", (x) => tf.identity(x)],
    ["identity ∘ identity", (x) => tf.identity(tf.identity(x))],
    ["reshape there and back", (x) => tf.reshape(tf.reshape(x, [6]), [2, 3])],
    ["transpose twice", (x) => tf.transpose(tf.transpose(x))],
    ["add 0", (x) => tf.add(x, 0)],
    ["multiply by 1", (x) => tf.multiply(x, 1)],
  ];
  it.each(ops)("%s: the gradient is the outputGradient itself, in the source's dtype", (_n, op) => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = tf.constant([[1, 2, 3], [4, 5, 6]], { dtype });
      const [t, y] = taped(x, op);
      const w = tf.constant([[1, -2, 3], [0.5, 0, -1]], { dtype });
      const g = t.gradient(y, x, { outputGradients: w });
      expect(g.dtype).toBe(dtype);
      expectClose(g, [[1, -2, 3], [0.5, 0, -1]], { shape: [2, 3], rtol: 0, atol: 0 });
    }
  });
});

describe("targets and sources the tape did not see", () => {
  it("a target computed from unwatched tensors gives null (zeros on request)", () => {
    const x = tf.constant([1, 2]);
    const u = tf.constant([3, 4]);
    const [t] = taped(x, () => undefined);
    const z = t.record(() => tf.square(u)); // u is not watched
    expect(t.gradient(z, x)).toBeNull();
    expect(t.gradient(z, u)).toBeNull();
    expectClose(t.gradient(z, u, { unconnectedGradients: "zero" }), [0, 0], { shape: [2] });
  });
  it("a target made before recording or outside it gives null", () => {
    const x = tf.constant(2);
    const early = tf.square(x);
    const [t] = taped(x, () => undefined);
    const late = tf.square(x); // after the record block
    expect(t.gradient(early, x)).toBeNull();
    expect(t.gradient(late, x)).toBeNull();
    expect(t.gradient(tf.constant(5), x)).toBeNull();
  });
  it("an integer path is not differentiable: a cast to int32 disconnects", () => {
    const x = tf.constant([1.5, 2.5]);
    const [t, y] = taped(x, (x) => tf.cast(tf.cast(x, "int32"), "float32"));
    expect(t.gradient(y, x)).toBeNull();
  });
  it("a tensor the tape watched mid-way only carries what came after the watch", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape({ persistent: true });
    const [y, h] = t.record(() => {
      const h = tf.square(x); // computed from an unwatched x
      t.watch(h);
      return [tf.multiply(h, x), h]; // y = h·x with x not watched
    });
    expectClose(t.gradient(y, h), 3); // ∂y/∂h = x
    expect(t.gradient(y, x)).toBeNull();
  });
});

describe("null versus zeros", () => {
  it("a connected source whose gradient is 0 gets zeros, never null", () => {
    const x = tf.constant([1, 2, 3]);
    const [t, y] = taped(x, (x) => tf.multiply(x, 0));
    const g = t.gradient(y, x);
    expect(g).not.toBeNull();
    expectClose(g, [0, 0, 0], { shape: [3], rtol: 0, atol: 0 });
  });
  it("stopGradient disconnects: null by default", () => {
    const x = tf.constant(2);
    const [t, y] = taped(x, (x) => tf.stopGradient(tf.square(x)));
    expect(t.gradient(y, x)).toBeNull();
  });
  it("UnconnectedGradients.ZERO gives zeros with the source's shape and dtype, per source", () => {
    const x = tf.constant([1, 2]);
    const u = tf.constant([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    const [t, y] = taped(x, (x) => tf.reduceSum(tf.square(x)));
    t.watch(u);
    const [gx, gu] = t.gradient(y, [x, u], { unconnectedGradients: tf.UnconnectedGradients.ZERO });
    expectClose(gx, [2, 4]);
    expect(gu.dtype).toBe("float64");
    expectClose(gu, [[0, 0, 0], [0, 0, 0]], { shape: [2, 3], rtol: 0, atol: 0 });
    const none = t.gradient(y, [x, u], { unconnectedGradients: tf.UnconnectedGradients.NONE });
    expect(none[1]).toBeNull();
  });
  it("jacobian: null when unconnected, zeros of target.shape ++ source.shape with ZERO", () => {
    const x = tf.constant([1, 2]);
    const u = tf.constant([1, 2, 3]);
    const [t, y] = taped(x, (x) => tf.multiply(x, 3));
    t.watch(u);
    expect(t.jacobian(y, u)).toBeNull();
    expectClose(t.jacobian(y, u, { unconnectedGradients: "zero" }), [0, 0, 0, 0, 0, 0], { shape: [2, 3] });
    expectClose(t.jacobian(y, x), [[3, 0], [0, 3]], { shape: [2, 2] });
  });
});

describe("recording scopes", () => {
  it("ops after a recording() scope is disposed are not recorded", () => {
    const x = tf.constant(2);
    const t = new tf.GradientTape({ persistent: true });
    let y!: tf.Tensor;
    {
      using _scope = t.recording();
      t.watch(x);
      y = tf.exp(x);
    }
    const z = tf.exp(y); // not recorded
    expectClose(t.gradient(y, x), Math.exp(2));
    expect(t.gradient(z, x)).toBeNull();
    expect(t.gradient(z, y)).toBeNull();
  });
  it("stopRecording hides its ops: their results are constants to the tape", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      const c = t.stopRecording(() => tf.square(x)); // 9, but a constant
      return tf.multiply(c, x);
    });
    expectClose(t.gradient(y, x), 9);
  });
});

describe("the backward walk", () => {
  it("a multi-output op: only the used pieces of split/unstack get a cotangent, the rest zeros", () => {
    const x = tf.constant([1, 2, 3, 4, 5, 6]);
    const [t, parts] = taped(x, (x) => tf.split(x, 3));
    expect(t.gradient(tf.multiply(parts[1]!, 2), x)).toBeNull(); // the multiply ran after the record block
    const [t2, y] = taped(x, (x) => {
      const [a, , c] = tf.split(x, 3);
      return tf.add(tf.multiply(a!, 2), tf.square(c!)); // [2·x0 + x4², 2·x1 + x5²]
    });
    expectClose(t2.gradient(y, x), [2, 2, 0, 0, 10, 12]);
    const m = tf.constant([[1, 2], [3, 4]]);
    const [t3, z] = taped(m, (m) => tf.multiply(tf.unstack(m, 1)[1]!, tf.constant([5, 7])));
    expectClose(t3.gradient(z, m), [[0, 5], [0, 7]]);
  });
  it("ops on other watched tensors do not leak into a source's gradient", () => {
    const x = tf.constant([1, 2]);
    const u = tf.constant([3, 4]);
    const t = new tf.GradientTape({ persistent: true });
    const [y, a] = t.record(() => {
      t.watch([x, u]);
      const a = tf.multiply(u, 3);
      const y = tf.multiply(x, 2);
      return [y, tf.add(a, tf.multiply(y, 0.5))]; // a' = 3u + x
    });
    expectClose(t.gradient(y, x), [2, 2]);
    expect(t.gradient(y, u)).toBeNull();
    const [gx, gu] = t.gradient(a, [x, u]);
    expectClose(gx, [1, 1]);
    expectClose(gu, [3, 3]);
  });
  it("paths that split and join add up: z = x² + x³ gives 2x + 3x²", () => {
    const x = tf.constant([0.5, -2]);
    const [t, z] = taped(x, (x) => {
      const y = tf.square(x);
      return tf.add(y, tf.multiply(y, x));
    });
    expectClose(t.gradient(z, x), [1 + 0.75, -4 + 12]);
  });
  it("a float64 source accumulates in float64 across paths", () => {
    const x = tf.constant([1 / 3, 0.1], { dtype: "float64" });
    const [t, z] = taped(x, (x) => tf.add(tf.multiply(x, x), tf.multiply(x, 1e-9)));
    const g = t.gradient(z, x);
    expect(g.dtype).toBe("float64");
    expectClose(g, [2 / 3 + 1e-9, 0.2 + 1e-9], { rtol: 1e-15, atol: 0 });
  });
});

describe("bad arguments get TensorFlow's error, naming the call and the value", () => {
  const x = tf.constant([1, 2]);
  const fresh = () => taped(x, (x) => tf.square(x));
  it("a source or target that is not a tensor or variable", () => {
    const [t, y] = fresh();
    const e1 = (() => { try { t.gradient(y, [x, 3]); } catch (e) { return e as Error; } })()!;
    expect(e1).toBeInstanceOf(TapeError);
    expect(e1.message).toBe("GradientTape.gradient: every source must be a Tensor or a Variable, got number (3).");
    const [t2, y2] = fresh();
    expect(() => t2.gradient([y2, 3], x)).toThrow("GradientTape.gradient: every target must be a Tensor or a Variable, got number (3).");
    const [t3] = fresh();
    expect(() => t3.gradient(new Map(), x)).toThrow("GradientTape.gradient: every target must be a Tensor or a Variable, got Map ([object Map]).");
    const [t4, y4] = fresh();
    expect(() => t4.jacobian(y4, "x" as unknown as tf.Tensor)).toThrow("GradientTape.jacobian: every source must be a Tensor or a Variable, got string (x).");
  });
  it("an unconnectedGradients value that is not 'none' or 'zero', string or not", () => {
    const [t, y] = fresh();
    expect(() => t.gradient(y, x, { unconnectedGradients: 0 as unknown as "zero" })).toThrow(ValueError);
    const [t2, y2] = fresh();
    expect(() => t2.gradient(y2, x, { unconnectedGradients: 0 as unknown as "zero" })).toThrow('Unknown value for unconnected_gradients: 0. Use tf.UnconnectedGradients.NONE ("none") or ZERO ("zero").');
    const [t3, y3] = fresh();
    expect(() => t3.gradient(y3, x, { unconnectedGradients: "None" as "none" })).toThrow("Unknown value for unconnected_gradients: 'None'.");
  });
  it("outputGradients with a count that differs from the targets", () => {
    const [t, y] = fresh();
    expect(() => t.gradient([y, y], x, { outputGradients: [tf.constant(1)] })).toThrow(
      "GradientTape.gradient: outputGradients has 1 tensors but target has 2; give one per target tensor (null for ones).",
    );
  });
  it("watch of something that is not a tensor", () => {
    const t = new tf.GradientTape();
    t.record(() => {
      expect(() => t.watch([x, 5])).toThrow("Passed in object of type number, not tf.Tensor or tf.Variable. Convert it with tf.constant first.");
      expect(() => t.watch({ a: new Date(0) })).toThrow("Passed in object of type Date, not tf.Tensor");
    });
  });
});

// Found by mutation testing src/compat/tape.ts (docs/mutation.md): behaviours no test pinned.
describe("seeds, sources and warnings at their edges", () => {
  it("outputGradients as a dict mirror a dict target by key (sorted as tree.flatten sorts), null for ones", () => {
    const x = tf.constant(2);
    const [t, out] = taped(x, (x) => ({ b: tf.square(x), a: tf.multiply(x, 3) })); // db = 2x = 4, da = 3
    expectClose(t.gradient(out, x, { outputGradients: { b: tf.constant(10), a: tf.constant(100) } }), 4 * 10 + 3 * 100);
    expectClose(t.gradient(out, x, { outputGradients: { b: null, a: tf.constant(2) } }), 4 + 6);
  });
  it("outputGradients: null means ones for every target", () => {
    const x = tf.constant(2);
    const [t, y] = taped(x, (x) => tf.square(x));
    expectClose(t.gradient([y, y], x, { outputGradients: null }), 8);
  });
  it("a JS-number outputGradient takes the target's dtype (a float64 target keeps float64)", () => {
    const x = tf.constant(1 / 3, { dtype: "float64" });
    const [t, y] = taped(x, (x) => tf.multiply(x, x));
    const g = t.gradient(y, x, { outputGradients: [0.1] }); // a JS number for the scalar target
    expect(g.dtype).toBe("float64");
    expectClose(g, 0.2 / 3, { rtol: 1e-15, atol: 0 });
  });
  it("an undefined target throws like a null one", () => {
    const x = tf.constant(2);
    const [t] = taped(x, (x) => tf.square(x));
    expect(() => t.gradient(undefined, x)).toThrow(TapeError);
  });
  it("an unwatched tensor is its own gradient, as in TensorFlow 2.21: gradient(u, u) is 1", () => {
    // x, u = tf.constant(2.), tf.constant(5.); with tape: t.watch(x); x*x → t.gradient(u, u) = 1., t.gradient([u, u], [u, x]) = [2., None]
    const x = tf.constant(2);
    const u = tf.constant(5);
    const [t] = taped(x, (x) => tf.square(x));
    expectClose(t.gradient(u, u), 1);
    const [gu, gx] = t.gradient([u, u], [u, x]);
    expectClose(gu, 2);
    expect(gx).toBeNull();
  });
  it("an integer source gets null even with UnconnectedGradients.ZERO", () => {
    const x = tf.constant(2);
    const i = tf.constant([1, 2], { dtype: "int32" });
    const [t, y] = taped(x, (x) => tf.square(x));
    const [gx, gi] = t.gradient(y, [x, i], { unconnectedGradients: "zero" });
    expectClose(gx, 4);
    expect(gi).toBeNull();
  });
  it("watching one non-float tensor once warns once", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const t = new tf.GradientTape();
    t.record(() => t.watch(tf.constant([1], { dtype: "int32" })));
    expect(warn).toHaveBeenCalledTimes(1);
  });
  it("watch of an object without a constructor still throws ValueError", () => {
    const t = new tf.GradientTape();
    const odd = Object.create(Object.create(null)) as object;
    t.record(() => expect(() => t.watch(odd)).toThrow("Passed in object of type undefined, not tf.Tensor"));
    const x = tf.constant(1);
    const [t2, y] = taped(x, (x) => tf.square(x));
    expect(() => t2.gradient(y, odd)).toThrow("GradientTape.gradient: every source must be a Tensor or a Variable, got an object ([object Object]).");
  });
});
