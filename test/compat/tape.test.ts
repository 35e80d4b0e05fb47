// GradientTape's documented TensorFlow 2 behaviours, one test per rule, with hand-derived values.
import { afterEach, describe, expect, it, vi } from "vitest";
import { numpy as np, customVjp, TapeError, ValueError } from "../../src/index.js";
import * as tf from "../../src/compat/index.js";
import { expectClose, thrown } from "./util.js";

afterEach(() => vi.restoreAllMocks());

describe("GradientTape: options and recording", () => {
  it("defaults to persistent=false, watchAccessedVariables=true", () => {
    const t = new tf.GradientTape();
    expect(t.persistent).toBe(false);
    expect(t.watchAccessedVariables).toBe(true);
    const p = new tf.GradientTape({ persistent: true, watchAccessedVariables: false });
    expect([p.persistent, p.watchAccessedVariables]).toEqual([true, false]);
  });

  it("record(fn) runs fn with the tape recording and returns its result", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      return tf.multiply(x, x);
    });
    expectClose(y, 9);
    expectClose(t.gradient(y, x), 6); // d(x²)/dx = 2x
  });

  it("recording() is a Disposable scope (using)", () => {
    const x = tf.constant(2);
    const t = new tf.GradientTape();
    let y!: tf.Tensor;
    {
      using _scope = t.recording();
      t.watch(x);
      y = tf.exp(x);
    }
    const z = tf.exp(y); // after the scope: not recorded
    expectClose(t.gradient(y, x), Math.exp(2));
    expect(() => t.gradient(z, x)).toThrow(TapeError); // a non-persistent tape answers once (z itself: tape-semantics.test.ts)
    const t2 = new tf.GradientTape();
    const d = t2.recording();
    t2.watch(x);
    const w = tf.square(x);
    d[Symbol.dispose]();
    expect(() => t2.stopRecording(() => 0)).toThrow(TapeError); // no longer recording
    expectClose(t2.gradient(w, x), 4);
    expect(z).toBeInstanceOf(tf.Tensor);
  });

  it("a persistent tape may record again, adding to what it holds", () => {
    const x = tf.constant(1.5);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => {
      t.watch(x);
      return tf.square(x);
    });
    const z = t.record(() => tf.multiply(y, x)); // z = x³
    expectClose(t.gradient(z, x), 3 * 1.5 ** 2);
    expectClose(t.gradient(y, x), 3);
  });

  it("ops run after recording ends are not recorded", () => {
    const x = tf.constant(2);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => {
      t.watch(x);
      return tf.square(x);
    });
    const z = tf.multiply(y, 10);
    expect(t.gradient(z, x)).toBeNull();
    expectClose(t.gradient(y, x), 4);
  });

  it("re-entering an active tape throws ValueError with TF's message", () => {
    const t = new tf.GradientTape();
    const e = thrown(() => t.record(() => t.record(() => 0)));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("Tape is still recording, This can happen if you try to re-enter an already-active tape.");
  });
});

describe("GradientTape: watching", () => {
  it("watch takes tensors, Variables and pytrees of them", () => {
    const a = tf.constant(1);
    const b = tf.constant([1, 2]);
    const v = new tf.Variable(3, { trainable: false });
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch({ a, rest: [b, v] });
      return tf.add(tf.add(tf.multiply(a, 2), tf.reduceSum(tf.square(b))), tf.multiply(v, 5));
    });
    const g = t.gradient(y, { a, rest: [b, v] });
    expectClose(g.a, 2);
    expectClose(g.rest[0], [2, 4]);
    expectClose(g.rest[1], 5);
  });

  it("a non-float watched tensor warns once and its gradient is null", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const i = tf.constant([1, 2], { dtype: "int32" });
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(i);
      t.watch(i);
      return tf.multiply(tf.cast(i, "float32"), 2);
    });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain("The dtype of the watched tensor must be floating (e.g. tf.float32), got int32");
    expect(t.gradient(y, i)).toBeNull();
  });

  it("watching something that is not a tensor or variable throws", () => {
    const t = new tf.GradientTape();
    expect(() => t.record(() => t.watch(3 as unknown as tf.Tensor))).toThrow(ValueError);
  });

  it("trainable Variables read while recording are watched automatically", () => {
    const v = new tf.Variable(2);
    const frozen = new tf.Variable(3, { trainable: false });
    const t = new tf.GradientTape();
    const y = t.record(() => tf.multiply(tf.square(v), frozen)); // 3 v²
    const [gv, gf] = t.gradient(y, [v, frozen]);
    expectClose(gv, 12);
    expect(gf).toBeNull();
  });

  it("watchAccessedVariables=false watches only what watch() is given", () => {
    const v = new tf.Variable(2);
    const w = new tf.Variable(5);
    const t = new tf.GradientTape({ watchAccessedVariables: false });
    const y = t.record(() => {
      t.watch(w);
      return tf.multiply(v, w);
    });
    const [gv, gw] = t.gradient(y, [v, w]);
    expect(gv).toBeNull();
    expectClose(gw, 2);
  });

  it("watchedVariables() lists the variables watched, in creation order (as TF), also after the one gradient call", () => {
    const a = new tf.Variable(1, { name: "a" });
    const b = new tf.Variable(2, { name: "b" });
    const c = new tf.Variable(3, { name: "c", trainable: false });
    const t = new tf.GradientTape();
    const y = t.record(() => tf.addN([b, a, c, b]));
    expect(t.watchedVariables().map((v) => v.name)).toEqual(["a:0", "b:0"]);
    t.gradient(y, [a]);
    expect(t.watchedVariables()).toEqual([a, b]);
  });

  it("nested tapes each keep their own watch set", () => {
    const x = tf.constant(2);
    const z = tf.constant(3);
    const outer = new tf.GradientTape({ persistent: true });
    const inner = new tf.GradientTape({ persistent: true });
    let onlyX!: tf.Tensor, onlyZ!: tf.Tensor, both!: tf.Tensor;
    outer.record(() => {
      outer.watch(z);
      inner.record(() => {
        inner.watch(x);
        onlyX = tf.multiply(x, 5);
        onlyZ = tf.multiply(z, 7);
        both = tf.multiply(x, z);
      });
    });
    expectClose(inner.gradient(onlyX, x), 5);
    expect(inner.gradient(onlyZ, z)).toBeNull(); // z·7 was not recorded on the inner tape
    expectClose(outer.gradient(onlyZ, z), 7);
    expect(outer.gradient(onlyX, x)).toBeNull();
    expectClose(inner.gradient(both, x), 3);
    // as in TensorFlow, a source that is a direct input of a recorded op gets its gradient
    expectClose(inner.gradient(both, z), 2);
  });

  it("stopRecording(fn) pauses the tape; it throws when the tape is not recording", () => {
    const x = tf.constant(4);
    const t = new tf.GradientTape({ persistent: true });
    let paused!: tf.Tensor;
    const y = t.record(() => {
      t.watch(x);
      paused = t.stopRecording(() => tf.square(x));
      return tf.add(tf.square(x), paused);
    });
    expect(t.gradient(paused, x)).toBeNull();
    expectClose(t.gradient(y, x), 8); // only the recorded x² counts
    const e = thrown(() => t.stopRecording(() => 0));
    expect(e).toBeInstanceOf(TapeError);
    expect(e.message).toBe("Trying to stop recording a tape which is not recording.");
  });

  it("reset() clears the recording and keeps recording; outside recording it throws", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      const before = tf.square(x);
      t.reset();
      t.watch(x);
      return tf.add(before, tf.multiply(x, 10));
    });
    expectClose(t.gradient(y, x), 10); // x² was recorded before the reset: forgotten
    const e = thrown(() => new tf.GradientTape().reset());
    expect(e).toBeInstanceOf(TapeError);
    expect(e.message).toBe("Tape is not recording.");
  });
});

describe("GradientTape.gradient", () => {
  it("pytree targets give the gradient of the sum; the result mirrors the sources", () => {
    const x = tf.constant([1, 2]);
    const s = tf.constant(3);
    const t = new tf.GradientTape();
    const out = t.record(() => {
      t.watch([x, s]);
      return { sq: tf.square(x), lin: [tf.multiply(x, s)] };
    });
    const g = t.gradient(out, { dx: x, list: [s] });
    expect(Object.keys(g).sort()).toEqual(["dx", "list"]);
    expectClose(g.dx, [2 * 1 + 3, 2 * 2 + 3]); // Σ(x² + s x): 2x + s
    expectClose(g.list[0], 1 + 2); // Σ x
  });

  it("a non-scalar target gives the gradient of the sum of its elements", () => {
    const x = tf.constant([0.5, -1, 2]);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      return tf.multiply(x, x);
    });
    expectClose(t.gradient(y, x), [1, -2, 4]);
  });

  it("a source repeated in the sources gets the gradient in each place", () => {
    const x = tf.constant(2);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      return tf.pow(x, 3);
    });
    const [g1, g2] = t.gradient(y, [x, x]);
    expectClose(g1, 12);
    expectClose(g2, 12);
  });

  it("an unconnected source gets null, or zeros with UnconnectedGradients.ZERO", () => {
    const x = tf.constant([1, 2]);
    const u = tf.constant([[1, 2, 3]]);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => {
      t.watch([x, u]);
      return tf.reduceSum(x);
    });
    expect(t.gradient(y, [x, u])[1]).toBeNull();
    expect(tf.UnconnectedGradients).toEqual({ NONE: "none", ZERO: "zero" });
    const g = t.gradient(y, [x, u], { unconnectedGradients: tf.UnconnectedGradients.ZERO });
    expectClose(g[1], [[0, 0, 0]], { shape: [1, 3] });
    const never = tf.constant(1); // never watched
    expect(t.gradient(y, never)).toBeNull();
  });

  it("an unknown unconnectedGradients value throws ValueError", () => {
    const t = new tf.GradientTape();
    const x = tf.constant(1);
    const y = t.record(() => (t.watch(x), tf.square(x)));
    const e = thrown(() => t.gradient(y, x, { unconnectedGradients: "zeros" as tf.UnconnectedGradients }));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toContain("Unknown value for unconnected_gradients: 'zeros'");
  });

  it("a null target throws TapeError with TensorFlow's message", () => {
    const t = new tf.GradientTape();
    const x = tf.constant(1);
    t.record(() => t.watch(x));
    const e = thrown(() => t.gradient(null, x));
    expect(e).toBeInstanceOf(TapeError);
    expect(e.message).toContain("Argument `target` should be a list or nested structure of Tensors");
  });

  it("outputGradients weight the targets (the vector of a vector-Jacobian product)", () => {
    const x = tf.constant([1, 2, 3]);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      return tf.square(x);
    });
    expectClose(t.gradient(y, x, { outputGradients: tf.constant([1, 10, 100]) }), [2, 40, 600]);
  });

  it("outputGradients with the wrong number of tensors throws ValueError", () => {
    const x = tf.constant([1, 2]);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.square(x)));
    expect(() => t.gradient([y, y], x, { outputGradients: [tf.constant([1, 1])] })).toThrow(ValueError);
  });

  it("a non-persistent tape answers one gradient call, then throws TapeError", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.square(x)));
    expectClose(t.gradient(y, x), 6);
    const msg = "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)";
    for (const call of [() => t.gradient(y, x), () => t.jacobian(y, x), () => t.batchJacobian(y, x)]) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(TapeError);
      expect(e.message).toBe(msg);
    }
  });

  it("a jacobian or batchJacobian call also spends a non-persistent tape", () => {
    const x = tf.constant([[1, 2]]);
    const t1 = new tf.GradientTape();
    const y1 = t1.record(() => (t1.watch(x), tf.square(x)));
    t1.jacobian(y1, x);
    expect(() => t1.gradient(y1, x)).toThrow(TapeError);
    const t2 = new tf.GradientTape();
    const y2 = t2.record(() => (t2.watch(x), tf.square(x)));
    t2.batchJacobian(y2, x);
    expect(() => t2.gradient(y2, x)).toThrow(TapeError);
  });

  it("a persistent tape answers any number of calls", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => (t.watch(x), tf.square(x)));
    for (let i = 0; i < 3; i++) expectClose(t.gradient(y, x), 6);
    expectClose(t.jacobian(y, x), 6);
  });

  it("gradient inside the record of a non-persistent tape stops its recording", () => {
    const x = tf.constant(3);
    const t = new tf.GradientTape();
    t.record(() => {
      t.watch(x);
      const y = tf.square(x);
      expectClose(t.gradient(y, x), 6);
      expect(() => t.stopRecording(() => 0)).toThrow("Trying to stop recording a tape which is not recording.");
    });
  });

  it("gradient inside the record of a persistent tape is recorded: higher-order gradients", () => {
    const x = tf.constant(2);
    const t = new tf.GradientTape({ persistent: true });
    let d1!: tf.Tensor;
    t.record(() => {
      t.watch(x);
      const y = tf.pow(x, 4);
      d1 = t.gradient(y, x); // 4x³
    });
    expectClose(d1, 32);
    expectClose(t.gradient(d1, x), 48); // 12x²
  });

  it("nested tapes: x³ at 5 gives 75 and 30 (the seed article)", () => {
    const x = tf.constant(5.0);
    const outer = new tf.GradientTape();
    const inner = new tf.GradientTape();
    let dy_dx!: tf.Tensor;
    outer.record(() => {
      outer.watch(x);
      const y = inner.record(() => {
        inner.watch(x);
        return tf.pow(x, 3);
      });
      dy_dx = inner.gradient(y, x);
    });
    const d2y_dx2 = outer.gradient(dy_dx, x);
    expect(dy_dx.toString()).toBe("tf.Tensor(75.0, shape=(), dtype=float32)");
    expect(d2y_dx2.toString()).toBe("tf.Tensor(30.0, shape=(), dtype=float32)");
  });

  it("three nested tapes give the third derivative", () => {
    const x = tf.constant(0.3);
    const [t1, t2, t3] = [new tf.GradientTape(), new tf.GradientTape(), new tf.GradientTape()];
    let d1!: tf.Tensor, d2!: tf.Tensor;
    t1.record(() => {
      t1.watch(x);
      t2.record(() => {
        t2.watch(x);
        const y = t3.record(() => (t3.watch(x), tf.sin(x)));
        d1 = t3.gradient(y, x);
      });
      d2 = t2.gradient(d1, x);
    });
    expectClose(d1, Math.cos(0.3));
    expectClose(d2, -Math.sin(0.3));
    expectClose(t1.gradient(d2, x), -Math.cos(0.3));
  });
});

describe("GradientTape: built on the core's vjp", () => {
  it("gradient reuses the recorded forward values (the forward pass is not run again)", () => {
    let forwards = 0;
    const f = customVjp(
      (x: tf.Tensor) => np.sin(x),
      (x: tf.Tensor) => {
        forwards++;
        return [np.sin(x), x];
      },
      (x: tf.Tensor, ct: tf.Tensor) => [np.multiply(ct, np.cos(x))],
    );
    const x = tf.constant([0.1, 0.2]);
    const t = new tf.GradientTape({ persistent: true });
    const y = t.record(() => (t.watch(x), tf.reduceSum(f(x))));
    expect(forwards).toBe(1);
    expectClose(t.gradient(y, x), [Math.cos(0.1), Math.cos(0.2)]);
    t.gradient(y, x);
    t.jacobian(y, x);
    expect(forwards).toBe(1);
  });

  it("numpy functions and Tensor methods on watched values are recorded too", () => {
    const x = tf.constant([1, 2]);
    const t = new tf.GradientTape();
    const y = t.record(() => {
      t.watch(x);
      return np.sum(x.mul(x).add(np.sin(x)));
    });
    expectClose(t.gradient(y, x), [2 + Math.cos(1), 4 + Math.cos(2)]);
  });

  it("a non-persistent tape lets go of its recording after its one call", () => {
    const x = tf.constant(1);
    const t = new tf.GradientTape();
    const y = t.record(() => (t.watch(x), tf.square(x)));
    t.gradient(y, x);
    // nothing is held: the state is gone, the watched-variable list survives
    expect(() => t.jacobian(y, x)).toThrow(TapeError);
    expect(t.watchedVariables()).toEqual([]);
  });
});
