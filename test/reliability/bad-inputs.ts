// The table of bad inputs for the reliability suite: each row is what a user might pass by
// mistake to either API (functional `tapir`, tape-style `tapir/compat`), the error class it
// must raise and a pattern for the API name the message must carry. The fixtures are fresh
// per row, so a row can also prove its inputs come back unchanged.
import {
  AxisError,
  ConcretizationError,
  DTypeError,
  ShapeError,
  TapeError,
  Tensor,
  TreeError,
  ValueError,
  customJvp,
  grad,
  jacfwd,
  jacrev,
  jit,
  jvp,
  linearize,
  makeJaxpr,
  nn,
  numpy as np,
  random,
  tree,
  valueAndGrad,
  vjp,
  vmap,
} from "../../src/index.js";
import * as tf from "../../src/compat/index.js";

export type ErrorClass = new (...args: any[]) => Error;

/** Inputs a row may use; every tensor here is snapshotted before and compared after the row. */
export interface Fixtures {
  m: Tensor; // float32 [2, 3]
  v: Tensor; // float32 [3]
  s: Tensor; // float32 scalar
  i: Tensor; // int32 [3]
  d: Tensor; // float64 [3]
  k: Tensor; // a PRNG key
  e: Tensor; // float32 [0]
  w: tf.Variable; // compat Variable float32 [2]
}

export function fixtures(): Fixtures {
  return {
    m: np.array([[1, 2, 3], [4, 5, 6]]),
    v: np.array([1, 2, 3]),
    s: np.array(2),
    i: np.array([1, 2, 3], { dtype: "int32" }),
    d: np.array([1, 2, 3], { dtype: "float64" }),
    k: random.key(0),
    e: np.zeros([0]),
    w: new tf.Variable(np.array([1, 2])),
  };
}

export interface Row {
  name: string;
  api: "functional" | "compat";
  cls: ErrorClass;
  /** the API the user called, as the message must name it */
  names: RegExp;
  run: (f: Fixtures) => unknown;
}

const rows: Row[] = [];
const F = (name: string, cls: ErrorClass, names: RegExp, run: (f: Fixtures) => unknown) => rows.push({ name, api: "functional", cls, names, run });
const C = (name: string, cls: ErrorClass, names: RegExp, run: (f: Fixtures) => unknown) => rows.push({ name, api: "compat", cls, names, run });
const any = (x: unknown) => x as any;

// ------------------------------------------------------------------ shapes (the one validator)
const badShapes: [string, unknown][] = [
  ["[2.5]", [2.5]],
  ["[-1]", [-1]],
  ["[NaN]", [NaN]],
  ["[Infinity]", [Infinity]],
  ["[1e6, 1e6] (1e12 elements)", [1e6, 1e6]],
  ['["3"]', ["3"]],
];
for (const [label, shape] of badShapes) {
  F(`np.zeros(${label})`, ShapeError, /zeros/, () => np.zeros(any(shape)));
  F(`np.ones(${label})`, ShapeError, /ones/, () => np.ones(any(shape)));
  F(`np.full(${label}, 1)`, ShapeError, /full/, () => np.full(any(shape), 1));
  F(`random.uniform(k, ${label})`, ShapeError, /random\.uniform/, (f) => random.uniform(f.k, any(shape)));
  F(`random.normal(k, ${label})`, ShapeError, /random\.normal/, (f) => random.normal(f.k, any(shape)));
  F(`np.broadcastTo(v, ${label})`, ShapeError, /broadcastTo/, (f) => np.broadcastTo(f.v, any(shape)));
  C(`tf.zeros(${label})`, ShapeError, /zeros/, () => tf.zeros(any(shape)));
  C(`tf.ones(${label})`, ShapeError, /ones/, () => tf.ones(any(shape)));
  C(`tf.random.normal(${label})`, ShapeError, /normal/, () => tf.random.normal(any(shape)));
  C(`tf.random.uniform(${label})`, ShapeError, /uniform/, () => tf.random.uniform(any(shape)));
}
F("np.zeros(undefined)", ShapeError, /zeros/, () => np.zeros(any(undefined)));
F("np.zeros('3')", ShapeError, /zeros/, () => np.zeros(any("3")));
F("np.arange(0, NaN)", ValueError, /arange/, () => np.arange(0, NaN));
F("np.arange(Infinity)", ValueError, /arange/, () => np.arange(Infinity));
F("np.arange(0, 1e12)", ShapeError, /arange/, () => np.arange(0, 1e12));
F("np.arange(0, 5, 0)", ValueError, /arange/, () => np.arange(0, 5, 0));
F("np.eye(-2)", ShapeError, /eye/, () => np.eye(-2));
F("np.eye(2.5)", ShapeError, /eye/, () => np.eye(2.5));
F("np.eye(NaN)", ShapeError, /eye/, () => np.eye(NaN));
F("np.eye(1e6)", ShapeError, /eye/, () => np.eye(1e6));
F("np.eye(2, 3, {k: 0.5})", ValueError, /eye/, () => np.eye(2, 3, { k: 0.5 }));
F("np.linspace(0, 1, -5)", ShapeError, /linspace/, () => np.linspace(0, 1, -5));
F("np.linspace(0, 1, 2.5)", ShapeError, /linspace/, () => np.linspace(0, 1, 2.5));
F("np.linspace(0, 1, 1e12)", ShapeError, /linspace/, () => np.linspace(0, 1, 1e12));
F("random.split(k, 2.5)", ShapeError, /random\.split/, (f) => random.split(f.k, 2.5));
F("random.split(k, -1)", ShapeError, /random\.split/, (f) => random.split(f.k, -1));
F("random.split(k, NaN)", ShapeError, /random\.split/, (f) => random.split(f.k, NaN));
F("random.permutation(k, -3)", ShapeError, /random\.permutation/, (f) => random.permutation(f.k, -3));
F("random.bernoulli(k, 0.5, [2.5])", ShapeError, /random\.bernoulli/, (f) => random.bernoulli(f.k, 0.5, [2.5]));
F("random.key(1.5)", ValueError, /random\.key/, () => random.key(1.5));
F("random.uniform(float key)", DTypeError, /random/, (f) => random.uniform(f.v, [2]));
F("random.uniform(k, [2], int32)", DTypeError, /random\.uniform/, (f) => random.uniform(f.k, [2], { dtype: "int32" }));
F("nn.oneHot(l, -1)", ShapeError, /oneHot/, (f) => nn.oneHot(f.i, -1));
F("nn.oneHot(l, 2.5)", ShapeError, /oneHot/, (f) => nn.oneHot(f.i, 2.5));
F("nn.oneHot(l, 1e12)", ShapeError, /oneHot/, (f) => nn.oneHot(f.i, 1e12));
F("np.reshape(m, [2.5, 2])", ShapeError, /reshape/, (f) => np.reshape(f.m, [2.5, 2]));
F("np.reshape(m, [NaN])", ShapeError, /reshape/, (f) => np.reshape(f.m, [NaN]));
F("np.reshape(m, [-1, -1])", ShapeError, /reshape/, (f) => np.reshape(f.m, [-1, -1]));
F("np.reshape(m, [4])", ShapeError, /reshape/, (f) => np.reshape(f.m, [4]));
F("np.reshape(m, [-1, 4])", ShapeError, /reshape/, (f) => np.reshape(f.m, [-1, 4]));
F("m.reshape([5])", ShapeError, /reshape/, (f) => f.m.reshape([5]));
F("np.broadcastTo(m, [3, 3])", ShapeError, /broadcastTo/, (f) => np.broadcastTo(f.m, [3, 3]));
F("np.array(ragged)", ShapeError, /array/, () => np.array([[1, 2], [3]]));
F("np.array([[1], 2])", ShapeError, /array/, () => np.array(any([[1], 2])));
F("np.array(['a'])", DTypeError, /array/, () => np.array(any(["a"])));
F("np.array(null)", DTypeError, /array/, () => np.array(any(null)));
F("np.array(v, {dtype: 'float16'})", DTypeError, /array/, (f) => np.array(f.v, { dtype: any("float16") }));
F("np.zeros([2], {dtype: 'int64'})", DTypeError, /zeros/, () => np.zeros([2], { dtype: any("int64") }));
C("tf.fill([2.5], 1)", ShapeError, /fill|full/, () => tf.fill([2.5], 1));
C("tf.eye(-2)", ShapeError, /eye/, () => tf.eye(-2));
C("tf.eye(2.5)", ShapeError, /eye/, () => tf.eye(2.5));
C("tf.range(0, NaN)", ValueError, /range|arange/, () => tf.range(0, NaN));
C("tf.linspace(0, 1, -5)", ShapeError, /linspace/, () => tf.linspace(0, 1, -5));
C("tf.reshape(m, [2.5])", ShapeError, /reshape/, (f) => tf.reshape(f.m, [2.5]));
C("tf.reshape(m, [4])", ShapeError, /reshape/, (f) => tf.reshape(f.m, [4]));
C("tf.broadcastTo(m, [1e6, 1e6])", ShapeError, /broadcastTo/, (f) => tf.broadcastTo(f.m, [1e6, 1e6]));
C("tf.broadcastTo(m, [3, 3])", ShapeError, /broadcastTo/, (f) => tf.broadcastTo(f.m, [3, 3]));

// ------------------------------------------------------------------ operands that are not arrays
const notArrays: [string, unknown][] = [
  ["null", null],
  ["undefined", undefined],
  ['"a"', "a"],
  ["{}", {}],
];
const binaries: [string, (a: any, b: any) => unknown][] = [
  ["add", np.add],
  ["subtract", np.subtract],
  ["multiply", np.multiply],
  ["divide", np.divide],
  ["maximum", np.maximum],
  ["power", np.power],
  ["less", np.less],
];
for (const [label, bad] of notArrays) {
  for (const [name, op] of binaries) F(`np.${name}(v, ${label})`, DTypeError, new RegExp(name), (f) => op(f.v, bad));
  F(`np.sin(${label})`, DTypeError, /sin/, () => np.sin(any(bad)));
  F(`np.sum(${label})`, DTypeError, /sum/, () => np.sum(any(bad)));
  F(`v.mul(${label})`, DTypeError, /mul/, (f) => f.v.mul(any(bad)));
  C(`tf.add(v, ${label})`, DTypeError, /add/, (f) => tf.add(f.v, any(bad)));
}
F("np.exp('x')", DTypeError, /exp/, () => np.exp(any("x")));
F("np.reshape(null, [1])", DTypeError, /reshape/, () => np.reshape(any(null), [1]));
F("np.matmul(m, null)", DTypeError, /matmul|array/, (f) => np.matmul(f.m, any(null)));

// ------------------------------------------------------------------ shapes that do not fit
F("np.add([2,3] + [2])", ShapeError, /add/, (f) => np.add(f.m, np.ones([2])));
F("np.multiply([3] * [4])", ShapeError, /mul/, (f) => np.multiply(f.v, np.ones([4])));
F("np.where cond mismatch", ShapeError, /select|where/, (f) => np.where(np.ones([4], { dtype: "bool" }), f.v, f.v));
F("np.matmul [2,3] @ [2,3]", ShapeError, /matmul/, (f) => np.matmul(f.m, f.m));
F("np.dot [3] . [2]", ShapeError, /dot/, (f) => np.dot(f.v, np.ones([2])));
F("np.concatenate rank mismatch", ShapeError, /concatenate/, (f) => np.concatenate([f.m, f.v]));
F("np.concatenate []", ValueError, /concatenate/, () => np.concatenate([]));
F("np.stack shape mismatch", ShapeError, /stack/, (f) => np.stack([f.m, f.v]));
F("np.split indivisible", ShapeError, /split/, (f) => np.split(f.v, 2));
F("np.squeeze non-1 axis", ShapeError, /squeeze/, (f) => np.squeeze(f.m, 0));
F("np.transpose bad perm", AxisError, /transpose/, (f) => np.transpose(f.m, [0, 0]));
F("np.pad negative", ShapeError, /pad/, (f) => np.pad(f.v, -1));
F("m.item()", ShapeError, /item/, (f) => f.m.item());
F("v.index(5)", ShapeError, /index/, (f) => f.v.index(5));
F("np.einsum wrong operand count", ValueError, /einsum/, (f) => np.einsum("ij,jk->ik", f.m));
C("tf.add [2,3] + [2]", ShapeError, /add/, (f) => tf.add(f.m, tf.ones([2])));
C("tf.matmul [2,3] @ [2,3]", ShapeError, /matmul/, (f) => tf.matmul(f.m, f.m));
C("tf.concat mismatch", ShapeError, /concat/, (f) => tf.concat([f.m, f.v], 0));
C("tf.stack mismatch", ShapeError, /stack/, (f) => tf.stack([f.m, f.v]));
C("tf.squeeze non-1 axis", ShapeError, /squeeze/, (f) => tf.squeeze(f.m, 0));

// ------------------------------------------------------------------ axes
const reductions: [string, (x: any, axis: any) => unknown][] = [
  ["sum", np.sum],
  ["mean", np.mean],
  ["prod", np.prod],
  ["max", np.max],
  ["min", np.min],
  ["var", np.var],
  ["std", np.std],
  ["logsumexp", np.logsumexp],
  ["argmax", np.argmax],
  ["cumsum", np.cumsum],
];
for (const [name, op] of reductions) {
  F(`np.${name}(m, 5)`, AxisError, new RegExp(name), (f) => op(f.m, 5));
  F(`np.${name}(m, 1.5)`, AxisError, new RegExp(name), (f) => op(f.m, 1.5));
}
F("np.sum(m, [0, 0])", AxisError, /sum/, (f) => np.sum(f.m, [0, 0]));
F("np.expandDims(v, 3)", AxisError, /expandDims/, (f) => np.expandDims(f.v, 3));
F("np.flip(v, 1)", AxisError, /flip/, (f) => np.flip(f.v, 1));
F("np.max(empty)", ValueError, /max.*no identity/, (f) => np.max(f.e));
F("np.min(empty)", ValueError, /min.*no identity/, (f) => np.min(f.e));
F("np.argmax(empty)", ValueError, /argmax/, (f) => np.argmax(f.e));
F("nn.softmax(m, 3)", AxisError, /max|softmax/, (f) => nn.softmax(f.m, 3));
C("tf.reduceSum(m, 5)", AxisError, /reduceSum|sum/, (f) => tf.reduceSum(f.m, 5));
C("tf.reduceMax(m, 5)", AxisError, /reduceMax|max/, (f) => tf.reduceMax(f.m, 5));
C("tf.reduceMean(m, 5)", AxisError, /reduceMean|mean/, (f) => tf.reduceMean(f.m, 5));
C("tf.argmax(m, 5)", AxisError, /argmax/, (f) => tf.argmax(f.m, 5));
C("tf.expandDims(v, 4)", AxisError, /expandDims/, (f) => tf.expandDims(f.v, 4));
C("tf.nn.softmax(m, 3)", AxisError, /softmax|max/, (f) => tf.nn.softmax(f.m, 3));

// ------------------------------------------------------------------ dtypes
F("np.astype(v, 'float16')", DTypeError, /astype/, (f) => np.astype(f.v, any("float16")));
F("grad of int input", DTypeError, /grad/, (f) => grad((x: Tensor) => x.sum())(f.i));
F("jacrev of int input", DTypeError, /jacrev/, (f) => jacrev((x: Tensor) => x)(f.i));
C("tf.cast(v, 'float16')", DTypeError, /astype|cast/, (f) => tf.cast(f.v, any("float16")));

// ------------------------------------------------------------------ transforms
const notFunctions: [string, unknown][] = [
  ['"x"', "x"],
  ["5", 5],
  ["null", null],
];
for (const [label, bad] of notFunctions) {
  F(`grad(${label})`, ValueError, /grad/, () => grad(any(bad)));
  F(`valueAndGrad(${label})`, ValueError, /valueAndGrad/, () => valueAndGrad(any(bad)));
  F(`jit(${label})`, ValueError, /jit/, () => jit(any(bad)));
  F(`vmap(${label})`, ValueError, /vmap/, () => vmap(any(bad)));
  F(`jacfwd(${label})`, ValueError, /jacfwd/, () => jacfwd(any(bad)));
  F(`vjp(${label}, [v])`, ValueError, /vjp/, (f) => vjp(any(bad), [f.v]));
  F(`tree.map(${label}, [1])`, ValueError, /tree\.map/, () => tree.map(any(bad), [1]));
}
F("vjp(f, v) (not a list)", ValueError, /vjp/, (f) => vjp((x: Tensor) => x, any(f.v)));
F("vjp(f, 3) (not a list)", ValueError, /vjp/, () => vjp((x: Tensor) => x, any(3)));
F("jvp(f, v, v) (not lists)", ValueError, /jvp/, (f) => jvp((x: Tensor) => x, any(f.v), any(f.v)));
F("linearize(f, v)", ValueError, /linearize/, (f) => linearize((x: Tensor) => x, any(f.v)));
F("jvp tangent shape", ShapeError, /jvp/, (f) => jvp((x: Tensor) => x.mul(2), [f.v], [np.ones([2])]));
F("jvp tangent dtype", DTypeError, /jvp/, (f) => jvp((x: Tensor) => x.mul(2), [f.v], [f.d]));
F("jvp tangent structure", TreeError, /jvp/, (f) => jvp((x: Tensor) => x.mul(2), [f.v], [f.v, f.v]));
F("vjp cotangent float64 for float32", DTypeError, /vjp/, (f) => vjp((x: Tensor) => x.mul(2), [f.v])[1](f.d));
F("vjp cotangent shape", ShapeError, /vjp/, (f) => vjp((x: Tensor) => x.mul(2), [f.v])[1](np.ones([2])));
F("customJvp float64 tangent for float32", DTypeError, /customJvp/, (f) =>
  jvp(customJvp((x: Tensor) => x.mul(2), ([x]: Tensor[], [t]: Tensor[]) => [x!.mul(2), t!.astype("float64")]), [f.v], [f.v]),
);
F("customJvp tangent shape", ShapeError, /customJvp/, (f) =>
  jvp(customJvp((x: Tensor) => x.mul(2), ([x]: Tensor[]) => [x!.mul(2), np.ones([2])]), [f.v], [f.v]),
);
F("customJvp rule not a function", ValueError, /customJvp/, () => customJvp((x: Tensor) => x, any(3)));
F("grad of non-scalar output", ShapeError, /grad/, (f) => grad((x: Tensor) => x.mul(2))(f.v));
F("grad argnums out of range", ValueError, /grad/, (f) => grad((x: Tensor) => x.sum(), { argnums: 3 })(f.v));
F("grad hasAux without a pair", TreeError, /grad/, (f) => grad((x: Tensor) => x.sum(), { hasAux: true })(f.v));
F("grad of a string argument", TreeError, /grad/, () => grad((x: any) => x.sum())("x"));
F("vmap mismatched axis sizes", ValueError, /vmap/, (f) => vmap((a: Tensor, b: Tensor) => a.add(b))(f.v, np.ones([2])));
F("vmap inAxes too long", TreeError, /vmap/, (f) => vmap((a: Tensor) => a, [0, 0])(f.v));
F("vmap over a scalar", ValueError, /vmap/, (f) => vmap((a: Tensor) => a)(f.s));
F("vmap inAxes out of range", AxisError, /vmap/, (f) => vmap((a: Tensor) => a, 2)(f.v));
F("jit concretize a tracer", ConcretizationError, /item|jit|concret/i, (f) => jit((x: Tensor) => (x.sum().item() > 0 ? x : x.neg()))(f.v));
F("jit if on a tracer", ConcretizationError, /jit|concret|toPrimitive|number/i, (f) => jit((x: Tensor) => (+x.sum() > 0 ? x : x.neg()))(f.v));
F("makeJaxpr(5)", ValueError, /makeJaxpr/, () => makeJaxpr(any(5)));
F("tree.unflatten(bad def)", TreeError, /tree\.unflatten/, () => tree.unflatten(any({}), [1]));
F("tree.map structure mismatch", TreeError, /tree\.map/, () => tree.map((a: number, b: number) => a + b, [1, 2], [1]));

// ------------------------------------------------------------------ compat: tape, variables, keras
C("tape.gradient twice (not persistent)", TapeError, /gradient/, (f) => {
  const tape = new tf.GradientTape();
  const y = tape.record(() => tf.reduceSum(tf.multiply(f.w, f.w)));
  tape.gradient(y, f.w);
  return tape.gradient(y, f.w);
});
C("tape.gradient(null target)", TapeError, /target/, (f) => {
  const tape = new tf.GradientTape();
  tape.record(() => tf.reduceSum(tf.multiply(f.w, f.w)));
  return tape.gradient(any(null), f.w);
});
C("Variable(null)", DTypeError, /Variable|array/, () => new tf.Variable(any(null)));
C("Variable.assign wrong shape", ValueError, /assign/, (f) => f.w.assign(np.ones([3])));
C("Variable.assignAdd wrong shape", ValueError, /Variable\.assignAdd .*shape \[2\] using a Tensor with shape \[3\]/, (f) => f.w.assignAdd(np.ones([3])));
C("Variable.assignSub scalar delta (TF broadcasts none)", ValueError, /Variable\.assignSub .*shape \[\]/, (f) => f.w.assignSub(1));
C("Variable(string)", DTypeError, /^tf\.Variable: .*string/, () => new tf.Variable(any("x")));
C("tf.slice size past the end", ValueError, /tf\.slice: Expected size\[0\] in \[0, 1\], but got 5/, (f) => tf.slice(f.w, [1], [5]));
C("tf.slice begin past the end", ValueError, /tf\.slice: Expected begin\[0\] in \[0, 2\], but got 4/, (f) => tf.slice(f.w, [4], [1]));
C("tf.slice negative begin", ValueError, /tf\.slice: Expected begin\[0\]/, (f) => tf.slice(f.w, [-1], [1]));
C("tf.slice begin of the wrong length", ValueError, /tf\.slice: begin/, (f) => tf.slice(f.w, [0, 0], [1, 1]));
C("tf.constant ragged", ShapeError, /constant|array/, () => tf.constant([[1, 2], [3]]));
C("tf.constant bad dtype", DTypeError, /constant|array/, () => tf.constant([1], { dtype: any("float16") }));
C("keras Dense wrong input width", ValueError, /Dense/, (f) => {
  const layer = new tf.keras.layers.Dense(2);
  layer.apply(np.ones([1, 4]));
  return layer.apply(f.m);
});
C("MSE shape mismatch", ValueError, /yTrue of shape \(2, 3\) does not match yPred/, (f) => new tf.keras.losses.MeanSquaredError().call(f.m, np.ones([4])));

C("Variable.assign int32 to float32", DTypeError, /Variable\.assign/, (f) => f.w.assign(np.array([1, 2], { dtype: "int32" })));
C("applyGradients scalar gradient for a [2] variable", ValueError, /applyGradients/, (f) => new tf.keras.optimizers.SGD({ learningRate: 0.1 }).applyGradients([[np.array(1), f.w]]));
C("applyGradients [3] gradient for a [2] variable", ValueError, /applyGradients/, (f) => new tf.keras.optimizers.Adam().applyGradients([[np.ones([3]), f.w]]));
for (const label of [5, -1, 1.5, NaN]) {
  C(`SparseCategoricalCrossentropy label ${label} of 3 classes`, ValueError, /SparseCategoricalCrossentropy/, () =>
    new tf.keras.losses.SparseCategoricalCrossentropy().apply(np.array([label], { dtype: Number.isInteger(label) ? "int32" : "float32" }), np.ones([1, 3])),
  );
}
C("tf.gather index out of range", ValueError, /gather/, (f) => tf.gather(f.v, np.array([5], { dtype: "int32" })));
C("tape.watch(undefined)", ValueError, /watch/, () => new tf.GradientTape().watch(undefined));
C("tape.record(5)", TapeError, /record/, () => new tf.GradientTape().record(any(5)));
C("customGradient without a [y, gradFn] pair", ValueError, /customGradient/, (f) => tf.customGradient((x: Tensor) => any(x.mul(2)))(f.v));
C("customGradient gradient of the wrong shape", ValueError, /customGradient/, (f) => {
  const g = tf.customGradient((x: Tensor) => any([x.mul(2), () => np.ones([7])]));
  const tape = new tf.GradientTape();
  const y = tape.record(() => tf.reduceSum(g(any(f.w))));
  return tape.gradient(y, f.w);
});
C("tape.jacobian twice (not persistent)", TapeError, /GradientTape/, (f) => {
  const tape = new tf.GradientTape();
  const y = tape.record(() => tf.multiply(f.w, f.w));
  tape.jacobian(y, f.w);
  return tape.jacobian(y, f.w);
});
C("tf.cast(v, 'int8')", DTypeError, /cast/, (f) => tf.cast(f.v, any("int8")));
C("tf.transpose bad perm", AxisError, /transpose/, (f) => tf.transpose(f.m, [0, 0]));
C("tf.oneHot(l, -1)", ShapeError, /oneHot/, (f) => tf.oneHot(f.i, -1));
C("tf.tile(v, [2.5])", ShapeError, /tile/, (f) => tf.tile(f.v, [2.5]));

export const table: readonly Row[] = rows;
