// One test per bad input: the exported error class, and a message that names the API and
// shows the offending shapes/dtypes/values. Also: no op mutates its inputs.
import { describe, expect, it } from "vitest";
import {
  AxisError,
  DTypeError,
  NoRuleError,
  ShapeError,
  Tensor,
  TracerLeakError,
  TreeError,
  ValueError,
  customJvp,
  customVjp,
  grad,
  jacrev,
  jvp,
  linearTranspose,
  linearize,
  nn,
  numpy as np,
  random,
  vjp,
  vmap,
} from "../src/index.js";

/** Runs fn, asserts it throws `cls`, and that the message matches every pattern. */
function expectError(fn: () => unknown, cls: new (...a: any[]) => Error, ...patterns: (string | RegExp)[]): Error {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, "expected an error").toBeInstanceOf(cls);
  expect(err).toBeInstanceOf(Error);
  const msg = (err as Error).message;
  for (const p of patterns) {
    if (typeof p === "string") expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
  return err as Error;
}

const x23 = np.ones([2, 3]);

describe("shape errors", () => {
  it("binary op with shapes that do not broadcast", () => {
    expectError(() => np.add(x23, np.ones([4])), ShapeError, "add", "[2,3]", "[4]");
    expectError(() => x23.mul(np.ones([2])), ShapeError, "mul", "[2,3]", "[2]");
    expectError(() => np.where(np.ones([2], { dtype: "bool" }), np.ones([3]), 0), ShapeError, "where", "[2]", "[3]");
  });
  it("matmul / dot / einsum with inner dimensions that disagree", () => {
    expectError(() => np.matmul(x23, np.ones([4, 2])), ShapeError, "matmul", "[2,3]", "[4,2]");
    expectError(() => x23.matmul(np.ones([2, 2, 5])), ShapeError, "matmul", "[2,3]", "[2,2,5]");
    expectError(() => np.matmul(np.ones([]), x23), ShapeError, "matmul");
    expectError(() => np.dot(x23, np.ones([4])), ShapeError, "dot", "[2,3]", "[4]");
    expectError(() => np.einsum("ij,jk->ik", x23, np.ones([4, 2])), ShapeError, "einsum", '"j"', "[2,3]", "[4,2]");
  });
  it("reshape / broadcastTo / squeeze / split / concatenate / stack / pad", () => {
    expectError(() => x23.reshape([4, 2]), ShapeError, "reshape", "[2,3]", "[4,2]");
    expectError(() => np.broadcastTo(x23, [3, 3]), ShapeError, "broadcastTo", "[2,3]", "[3,3]");
    expectError(() => np.squeeze(x23, 0), ShapeError, "squeeze", "[2,3]");
    expectError(() => np.split(x23, 2, 1), ShapeError, "split", "size 3");
    expectError(() => np.concatenate([x23, np.ones([2, 4])]), ShapeError, "concatenate", "[2,3]", "[2,4]");
    expectError(() => np.stack([x23, np.ones([2, 4])]), ShapeError, "stack", "[2,3]", "[2,4]");
    expectError(() => np.pad(x23, [[1, 1], [1, 1], [1, 1]]), ShapeError, "pad", "[2,3]");
    expectError(() => np.array([[1, 2], [3]]), ShapeError, "array", "ragged");
  });
  it("item() on a tensor with more than one element", () => {
    expectError(() => x23.item(), ShapeError, "item", "float32[2,3]", "6 elements");
  });
  it("basic indexing out of range names the index and the axis size", () => {
    expectError(() => x23.index(2), ShapeError, "index", "index 2", "axis 0", "size 2");
    expectError(() => x23.index(0, -4), ShapeError, "index -4", "axis 1", "size 3");
    expectError(() => x23.index(0, 0, 0), ShapeError, "index", "too many indices");
  });
});

describe("axis errors", () => {
  it("reduction axes out of range or repeated", () => {
    expectError(() => np.sum(x23, 2), AxisError, "sum", "axis 2", "rank 2");
    expectError(() => np.mean(x23, -3), AxisError, "mean", "axis -3");
    expectError(() => np.sum(x23, [1, -1]), AxisError, "sum", "repeated");
    expectError(() => np.argmax(x23, 5), AxisError, "argmax", "axis 5");
    expectError(() => np.cumsum(x23, 2), AxisError, "cumsum", "axis 2");
  });
  it("transpose with a non-permutation, and other axis arguments", () => {
    expectError(() => np.transpose(x23, [0, 0]), AxisError, "transpose", "[0,0]");
    expectError(() => np.expandDims(x23, 4), AxisError, "expandDims");
    expectError(() => np.concatenate([x23, x23], 2), AxisError, "concatenate", "axis 2");
    expectError(() => np.flip(x23, 3), AxisError, "flip");
    expectError(() => nn.softmax(x23, 2), AxisError, "axis 2");
  });
});

describe("dtype errors", () => {
  it("unknown dtype names", () => {
    expectError(() => np.zeros([2], { dtype: "float16" as never }), DTypeError, '"float16"', "float32");
    expectError(() => x23.astype("int64" as never), DTypeError, "astype", '"int64"');
    expectError(() => np.array([1], { dtype: "complex64" as never }), DTypeError, "array", '"complex64"');
    expectError(() => random.normal(random.key(0), [2], { dtype: "bfloat16" as never }), DTypeError, "random", '"bfloat16"');
    expectError(() => random.uniform(random.key(0), [2], { dtype: "int32" }), DTypeError, "random", '"int32"');
  });
  it("ops not defined for a dtype", () => {
    expectError(() => np.subtract(np.array([true]), np.array([false])), DTypeError, "sub", "bool");
  });
  it("a random key that is not int32[2]", () => {
    expectError(() => random.normal(np.ones([2]), [3]), DTypeError, "random", "int32[2]", "float32[2]");
    expectError(() => random.uniform(np.array(Int32Array.of(1, 2, 3)), [3]), ShapeError, "random", "int32[3]");
  });
});

describe("transform argument errors", () => {
  it("non-float inputs to grad (and jacrev)", () => {
    expectError(() => grad((v: Tensor) => v.sum())(np.array([1, 2], { dtype: "int32" })), DTypeError, "grad", "int32[2]", "astype");
    expectError(() => jacrev((v: Tensor) => v)(np.array([true])), DTypeError, "jacrev", "bool[1]");
  });
  it("grad of a non-scalar output", () => {
    expectError(() => grad((v: Tensor) => v.mul(2))(np.ones([3])), ShapeError, "grad", "scalar", "float32[3]", "jacrev");
    expectError(() => grad((v: Tensor) => [v.sum()])(np.ones([3])), ShapeError, "grad", "pytree");
  });
  it("grad of an integer scalar output", () => {
    expectError(() => grad((v: Tensor) => v.sum().astype("int32"))(np.ones([3])), DTypeError, "grad", "int32[]");
  });
  it("argnums out of range; hasAux without a pair", () => {
    expectError(() => grad((v: Tensor) => v.sum(), { argnums: 2 })(np.ones([2])), ValueError, "grad", "argnums 2", "1 positional");
    expectError(() => grad((v: Tensor) => v.sum(), { hasAux: true })(np.ones([2])), TreeError, "grad", "hasAux", "pair");
  });
  it("cotangent tree or shape that does not match the output", () => {
    const [, back] = vjp((v: Tensor) => ({ a: v.mul(2) }), [np.ones([3])]) as [unknown, (ct: unknown) => Tensor[]];
    expectError(() => back(np.ones([3])), TreeError, "vjp", "cotangent", "{a: *}");
    expectError(() => back({ a: np.ones([4]) }), ShapeError, "vjp", "cotangent", "[4]", "[3]");
  });
  it("tangent tree, shape or dtype that does not match the primals", () => {
    const f = (a: Tensor, b: Tensor) => a.mul(b);
    expectError(() => jvp(f, [np.ones([2]), np.ones([2])], [np.ones([2])]), TreeError, "jvp", "tangents", "[*, *]");
    expectError(() => jvp((a: Tensor) => a, [np.ones([2])], [np.ones([3])]), ShapeError, "jvp", "[3]", "[2]");
    expectError(() => jvp((a: Tensor) => a, [np.ones([2])], [np.ones([2], { dtype: "float64" })]), DTypeError, "jvp", "float64", "float32");
    const [, lin] = linearize((a: Tensor) => a.mul(2), [np.ones([2])]);
    expectError(() => lin(np.ones([3])), ShapeError, "linearize", "[3]", "[2]");
  });
  it("vmap with mapped axes of different sizes", () => {
    expectError(() => vmap((a: Tensor, b: Tensor) => a.add(b))(np.ones([2, 3]), np.ones([4, 3])), ValueError, "vmap", "size 2", "size 4", "float32[2,3]", "float32[4,3]");
    expectError(() => vmap((a: Tensor) => a, { inAxes: 0, axisSize: 5 })(np.ones([2])), ValueError, "vmap", "axisSize 5", "2");
  });
  it("vmap inAxes that do not fit the arguments", () => {
    const f2 = (a: Tensor, b: Tensor) => a.add(b);
    expectError(() => vmap(f2, [0])(x23, x23), TreeError, "vmap", "inAxes has 1", "2 argument");
    expectError(() => vmap((a: Tensor) => a.sum(), 2)(x23), AxisError, "vmap", "axis 2", "rank 2");
    expectError(() => vmap((a: { x: Tensor }) => a.x, [{ y: 0 }])({ x: x23 }), TreeError, "vmap", "{y}", "{x}");
    expectError(() => vmap((a: Tensor) => a, [[0, 0]])(np.ones([2])), TreeError, "vmap", "list of 2", "float32[2]");
    expectError(() => vmap((a: Tensor) => a)(np.array(1)), ValueError, "vmap", "scalar");
    expectError(() => vmap((a: Tensor) => a, null)(np.ones([2])), ValueError, "vmap", "axisSize");
    expectError(() => vmap((a: Tensor) => a, ["x" as never])(np.ones([2])), TreeError, "vmap", '"x"');
  });
  it("custom rules that return tangents / cotangents of the wrong shape or structure", () => {
    const x = np.array([1, 2], { dtype: "float64" });
    const badJvp = customJvp(
      (q: Tensor) => q.mul(2),
      ([q], _t) => [q.mul(2), np.ones([3], { dtype: "float64" })],
    );
    expectError(() => jvp(badJvp, [x], [x]), ShapeError, "customJvp", "[3]", "[2]");
    const badVjp = customVjp(
      (q: Tensor) => q.sum(),
      (q: Tensor) => [q.sum(), null],
      () => [np.ones([3], { dtype: "float64" })],
    );
    expectError(() => grad(badVjp)(x), ShapeError, "customVjp", "[3]", "[2]");
    const badTree = customVjp(
      (p: { a: Tensor }) => p.a.sum(),
      (p: { a: Tensor }) => [p.a.sum(), null],
      (_r: null, g: Tensor) => [g],
    );
    expectError(() => grad(badTree)({ a: x }), TreeError, "customVjp", "{a: *}");
  });
  it("linearTranspose of a function that is not linear", () => {
    const x = np.array([1, 2], { dtype: "float64" });
    expectError(() => linearTranspose((a: Tensor) => a.mul(a), x)(x), ValueError, "linearTranspose", "not linear", "mul");
    expectError(() => linearTranspose((a: Tensor) => np.divide(1, a), x)(x), ValueError, "linearTranspose", "division");
    expectError(() => linearTranspose((a: Tensor) => np.dot(a, a), x)(np.array(1, { dtype: "float64" })), ValueError, "linearTranspose", "not linear");
    expectError(() => linearTranspose((a: Tensor) => np.sin(a), x)(x), NoRuleError, "sin", "not linear");
  });
  it("vmap outAxes null for a batched output", () => {
    expectError(() => vmap((a: Tensor) => a.mul(2), { outAxes: null })(np.ones([2])), ValueError, "vmap", "null");
  });
});

describe("tracer leaks", () => {
  it("a tracer stored inside grad and used after grad returned", () => {
    let leaked: Tensor | undefined;
    grad((v: Tensor) => {
      leaked = v.mul(2);
      return v.sum();
    })(np.ones([3]));
    expectError(() => leaked!.add(1), TracerLeakError, "grad", "float32[3]", "outer variable");
    expectError(() => leaked!.dataSync(), TracerLeakError, "grad");
    expectError(() => np.sum(leaked!), TracerLeakError, "grad");
  });
  it("a tracer leaked out of vmap, jvp and an inner transform of a nest", () => {
    let fromVmap: Tensor | undefined;
    vmap((v: Tensor) => (fromVmap = v.mul(1)))(np.ones([3, 2]));
    expectError(() => np.sin(fromVmap!), TracerLeakError, "vmap", "float32[2]");
    let fromJvp: Tensor | undefined;
    jvp((v: Tensor) => (fromJvp = np.exp(v)), [np.ones([2])], [np.ones([2])]);
    expectError(() => fromJvp!.dataSync(), TracerLeakError, "jvp");
    // leaked from an inner grad, used inside the still-running outer grad
    let inner: Tensor | undefined;
    expectError(
      () =>
        grad((w: Tensor) => {
          grad((v: Tensor) => {
            inner = v.mul(w);
            return inner.sum();
          })(np.ones([2]));
          return inner!.sum().mul(w);
        })(np.array(1)),
      TracerLeakError,
    );
  });
});

describe("no op mutates its inputs", () => {
  it("a typed array passed in is copied", () => {
    const data = Float32Array.of(1, 2, 3);
    const t = np.array(data);
    data[0] = 100;
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3]);
    const i = Int32Array.of(4, 5);
    const ti = np.asarray(i);
    i[1] = 0;
    expect(Array.from(ti.dataSync())).toEqual([4, 5]);
  });
  it("input tensors are unchanged after ops, views and transforms", () => {
    const a = np.array([[3, -1, 2], [0.5, 4, -2]], { dtype: "float64" });
    const b = np.array([1, 2, 3], { dtype: "float64" });
    const before = [Array.from(a.dataSync()), Array.from(b.dataSync())];
    const view = a.reshape([3, 2]);
    const results = [
      a.add(b), a.mul(b), np.sum(a, 0), np.cumsum(a, 1), a.T, np.flip(a), np.clip(a, 0, 1),
      np.maximum(a, 0), a.index(0, [null, null, -1]), np.concatenate([a, a]), np.where(np.greater(a, 0), a, b),
      np.take(b, np.array(Int32Array.of(2, 0))), np.pad(b, 1), nn.softmax(a), np.matmul(a, b), np.einsum("ij,j->i", a, b),
      view.mul(2), a.astype("float32"), np.expandDims(a, 0), np.logsumexp(a, 1), np.var(a, 0), np.argmax(a, 1),
    ];
    grad((u: Tensor) => u.mul(b).sum())(a);
    vmap((u: Tensor, w: Tensor) => u.mul(w))(a, np.ones([2, 3], { dtype: "float64" }));
    jacrev((u: Tensor) => np.sin(u))(b);
    expect(results.length).toBeGreaterThan(10);
    expect(Array.from(a.dataSync())).toEqual(before[0]);
    expect(Array.from(b.dataSync())).toEqual(before[1]);
    expect(Array.from(view.dataSync())).toEqual(before[0]);
  });
  it("the caller's pytree arguments are not mutated by transforms", () => {
    const params = { w: np.ones([2]), extra: [np.zeros([1])] };
    const keys = Object.keys(params);
    grad((p: typeof params) => p.w.sum())(params);
    vmap((p: typeof params) => p.w, [{ w: 0, extra: null }])(params);
    expect(Object.keys(params)).toEqual(keys);
    expect(params.extra.length).toBe(1);
  });
});

describe("error classes", () => {
  it("are ordinary Errors with a _tag and a name", () => {
    const e = expectError(() => x23.item(), ShapeError);
    expect((e as unknown as { _tag: string })._tag).toBe("ShapeError");
    expect(e.stack).toBeTruthy();
  });
});
