// Type tests for the public signatures (checked by `tsc --noEmit`, which includes test/).
import { describe, expectTypeOf, it } from "vitest";
import {
  ShapeError,
  Tensor,
  TracerLeakError,
  checkpoint,
  customJvp,
  customVjp,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jvp,
  linearTranspose,
  linearize,
  nn,
  numpy as np,
  random,
  stopGradient,
  tidy,
  tree,
  valueAndGrad,
  vjp,
  vmap,
} from "../src/index.js";
import type { ArrayLike, DType, IndexSpec, TreeDef } from "../src/index.js";



const x = np.array([1, 2, 3]);

describe("Tensor", () => {
  it("properties have exact types", () => {
    expectTypeOf(x.shape).toEqualTypeOf<readonly number[]>();
    expectTypeOf(x.dtype).toEqualTypeOf<DType>();
    expectTypeOf(x.ndim).toBeNumber();
    expectTypeOf(x.size).toBeNumber();
    expectTypeOf(np.array([5]).item()).toBeNumber();
    expectTypeOf(x.toString()).toBeString();
    expectTypeOf(x.dataSync()).toMatchTypeOf<ArrayLike>();
    expectTypeOf<DType>().toEqualTypeOf<"float32" | "float64" | "int32" | "bool">();
  });
  it("methods chain and return Tensor", () => {
    expectTypeOf(x.add(1).mul(2).sum()).toEqualTypeOf<Tensor>();
    expectTypeOf(x.reshape([3, 1]).T).toEqualTypeOf<Tensor>();
    expectTypeOf(x.astype("float64")).toEqualTypeOf<Tensor>();
    expectTypeOf(x.matmul(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(np.zeros([2, 3]).index(0, null, "...", [0, 2, 1])).toEqualTypeOf<Tensor>();
    expectTypeOf(x.sum(0, { keepdims: true })).toEqualTypeOf<Tensor>();
    expectTypeOf(x.mean([0])).toEqualTypeOf<Tensor>();
    expectTypeOf<Tensor["sub"]>().returns.toEqualTypeOf<Tensor>();
    expectTypeOf<Tensor["exp"]>().returns.toEqualTypeOf<Tensor>();
    expectTypeOf<Tensor["dispose"]>().returns.toBeVoid();
    expectTypeOf<IndexSpec>().toMatchTypeOf<number | null | "..." | readonly unknown[]>();
  });
  it("rejects bad arguments at compile time", () => {
    // @ts-expect-error unknown dtype name
    void (() => x.astype("float16"));
    // @ts-expect-error a string is not a shape
    void (() => x.reshape("3"));
    // @ts-expect-error an index spec is not an object
    void (() => x.index({ start: 0 }));
  });
});

describe("numpy namespace", () => {
  it("functions take ArrayLike and return Tensor", () => {
    expectTypeOf(np.add).parameters.toEqualTypeOf<[ArrayLike, ArrayLike]>();
    expectTypeOf(np.add(1, [1, 2])).toEqualTypeOf<Tensor>();
    expectTypeOf(np.sin(Float64Array.of(1))).toEqualTypeOf<Tensor>();
    expectTypeOf(np.zeros([2, 3], { dtype: "float64" })).toEqualTypeOf<Tensor>();
    expectTypeOf(np.sum(x, [0], { keepdims: true })).toEqualTypeOf<Tensor>();
    expectTypeOf(np.einsum("i,i->", x, x)).toEqualTypeOf<Tensor>();
    expectTypeOf(np.where(np.greater(x, 1), x, 0)).toEqualTypeOf<Tensor>();
  });
  it("split returns an array, allclose a boolean", () => {
    expectTypeOf(np.split(x, 3)).toEqualTypeOf<Tensor[]>();
    expectTypeOf(np.allclose(x, x)).toBeBoolean();
  });
  it("dtype options are checked", () => {
    // @ts-expect-error unknown dtype name
    void (() => np.zeros([2], { dtype: "float16" }));
    // @ts-expect-error an axis is a number or list of numbers
    void (() => np.sum(x, "0"));
  });
  it("nn and random return tensors", () => {
    expectTypeOf(nn.softmax(x)).toEqualTypeOf<Tensor>();
    expectTypeOf(nn.relu).returns.toEqualTypeOf<Tensor>();
    expectTypeOf(random.key(0)).toEqualTypeOf<Tensor>();
    expectTypeOf(random.normal(random.key(0), [2], { dtype: "float64" })).toEqualTypeOf<Tensor>();
    expectTypeOf(random.split(random.key(0), 3)).toEqualTypeOf<Tensor>();
  });
});

describe("transforms", () => {
  const f = (a: Tensor) => a.sum();
  it("grad, valueAndGrad, jacobians and vmap return functions", () => {
    expectTypeOf(grad(f)).toBeFunction();
    expectTypeOf(valueAndGrad(f, { argnums: [0], hasAux: false })).toBeFunction();
    expectTypeOf(jacfwd(f)).toBeFunction();
    expectTypeOf(jacrev(f, { argnums: 0 })).toBeFunction();
    expectTypeOf(hessian(f)).toBeFunction();
    expectTypeOf(vmap(f, 0)).toBeFunction();
    expectTypeOf(vmap(f, { inAxes: [0], outAxes: 0, axisSize: 3 })).toBeFunction();
    expectTypeOf(grad).parameter(1).toMatchTypeOf<{ argnums?: number | readonly number[]; hasAux?: boolean } | undefined>();
  });
  it("vjp / jvp / linearize / linearTranspose return arrays and functions", () => {
    expectTypeOf(vjp(f, [x])).toBeArray();
    expectTypeOf(jvp(f, [x], [x])).toBeArray();
    expectTypeOf(linearize(f, [x])[1]).toBeFunction();
    expectTypeOf(linearTranspose(f, x)).toBeFunction();
    expectTypeOf(linearTranspose(f, x)).returns.toEqualTypeOf<unknown[]>();
  });
  it("customJvp, customVjp and checkpoint keep the function's type; stopGradient the tree's", () => {
    expectTypeOf(customJvp(f, (p, t) => [p, t])).toEqualTypeOf<typeof f>();
    expectTypeOf(customVjp(f, (a: Tensor) => [a, null], () => [null])).toEqualTypeOf<typeof f>();
    expectTypeOf(checkpoint(f)).toEqualTypeOf<typeof f>();
    expectTypeOf(stopGradient({ a: x, b: [x] })).toEqualTypeOf<{ a: Tensor; b: Tensor[] }>();
  });
});

describe("tidy, tree and errors", () => {
  it("tidy returns the callback's type", () => {
    expectTypeOf(tidy(() => x)).toEqualTypeOf<Tensor>();
    expectTypeOf(tidy(() => ({ a: x, n: 1 }))).toEqualTypeOf<{ a: Tensor; n: number }>();
  });
  it("tree functions", () => {
    expectTypeOf(tree.flatten({ a: x })).toEqualTypeOf<[unknown[], TreeDef]>();
    expectTypeOf(tree.leaves([x])).toEqualTypeOf<unknown[]>();
  });
  it("error classes are Errors", () => {
    expectTypeOf(new ShapeError({ message: "m" })).toMatchTypeOf<Error>();
    expectTypeOf(new TracerLeakError({ message: "m" })._tag).toEqualTypeOf<"TracerLeakError">();
  });
});

describe("exact gradient types", () => {
  type P = { w: Tensor; b: Tensor };
  const f = (p: P, x: Tensor) => p.w.mul(x).add(p.b).sum();
  it("grad mirrors the differentiated argument's pytree", () => {
    expectTypeOf(grad(f)).returns.toEqualTypeOf<{ w: Tensor; b: Tensor }>();
    expectTypeOf(grad(f, { argnums: 1 })).returns.toEqualTypeOf<Tensor>();
    expectTypeOf(grad(f, { argnums: [0, 1] })).returns.toEqualTypeOf<[{ w: Tensor; b: Tensor }, Tensor]>();
    expectTypeOf(valueAndGrad(f)).returns.toEqualTypeOf<[Tensor, { w: Tensor; b: Tensor }]>();
  });
  it("hasAux returns the aux's type", () => {
    const g = (x: Tensor) => [x.sum(), { n: 1 }] as const;
    expectTypeOf(grad(g, { hasAux: true })).returns.toEqualTypeOf<[Tensor, { readonly n: 1 }]>();
    expectTypeOf(valueAndGrad(g, { hasAux: true })).returns.toEqualTypeOf<[[Tensor, { readonly n: 1 }], Tensor]>();
  });
  it("transformed functions take numbers where f takes a Tensor", () => {
    const cube = (x: Tensor) => x.mul(x).mul(x);
    expectTypeOf(grad(grad(cube))(5)).toEqualTypeOf<Tensor>();
    expectTypeOf(vmap(cube)).parameter(0).toEqualTypeOf<ArrayLike>();
    expectTypeOf(vmap(cube)).returns.toEqualTypeOf<Tensor>();
  });
});
