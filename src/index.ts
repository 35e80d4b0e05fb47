// tapir: JAX-style automatic differentiation for TypeScript. The functional entry point.
import "./core/numpy/index.js";
export { Tensor, keep } from "./core/tensor.js";
export { tidy } from "./core/trace.js";
export { toTensorSymbol } from "./core/tensor.js";
export { setTensorPrinter } from "./core/format.js";
export type { ArrayLike, IndexSpec, NestedArray, TensorConvertible } from "./core/tensor.js";
export type { DType, TypedArray } from "./core/dtype.js";
// types the public signatures refer to (so the declarations and the reference site resolve them)
export type { ErrorMessage } from "./core/errors.js";
export type { Tracer } from "./core/trace.js";
export type { ClosedJaxpr } from "./core/ir.js";
export type { CumsumOpts } from "./core/numpy/reductions.js";
export type { ConvolveMode } from "./core/conv.js";
export type { EinsumSublist } from "./core/numpy/einsum.js";
export type { CumulativeOptions } from "./core/lax-api.js";
// types of the numpy, tree and optim namespaces, exported here: the declaration bundler turns a
// type re-exported inside an `export * as ns` module into a broken value declaration
export type { AdvancedIndex, SortOpts, SizeOpts } from "./core/numpy/index.js";
export type { TreeDef, PyTree } from "./core/tree.js";
export type { GradientTransformation, OptState, Schedule, ScalarOrSchedule, CountState } from "./optim/base.js";
export type { AdamState, ScaleByAdamOptions, TraceState, RmsState, RssState, EmptyState } from "./optim/transforms.js";
export type { NadamState } from "./optim/nadam.js";
export type { AdamOptions, ChainedTransformation } from "./optim/aliases.js";
export type { LinearScheduleOptions, ExponentialDecayOptions, CosineDecayOptions, WarmupCosineDecayOptions } from "./optim/schedules.js";
export type { GradsOf, GradTree, AuxOf, LooseArgs } from "./transforms/vjp.js";
// option bags of the numpy namespace (top level: tsup cannot bundle type exports of `export * as numpy`)
export type { Axis, DTypeOpt, KeepDims } from "./core/numpy/convert.js";
export type { NanToNumOpts, CloseOpts, AverageOpts, MeshgridOpts, CovOpts, DiffOpts, HistogramOpts, QuantileOpts } from "./core/numpy/index.js";
export {
  ShapeError,
  DTypeError,
  AxisError,
  ConcretizationError,
  TracerLeakError,
  TreeError,
  TapeError,
  NoRuleError,
  ValueError,
  WorkerError,
} from "./core/errors.js";
export * as numpy from "./numpy.js";
export * as nn from "./nn.js";
export * as random from "./random.js";
export * as scipy from "./scipy.js";
export * as tree from "./tree-api.js";
export * as config from "./config-api.js";
export { grad, valueAndGrad, vjp, jvp, linearize, linearTranspose } from "./transforms/vjp.js";
export { vmap } from "./transforms/vmap.js";
export type { VmapOptions, InAxes } from "./transforms/vmap.js";
export { jacfwd, jacrev, hessian } from "./transforms/jacobian.js";
export { customJvp, customVjp, checkpoint, stopGradient } from "./transforms/custom.js";
export type { GradOptions } from "./transforms/vjp.js";
export { setOpInterceptor, isTracer } from "./core/trace.js";
export type { OpCall, OpInterceptor } from "./core/trace.js";
export { jit, makeJaxpr } from "./transforms/jit.js";
export type { JitOptions } from "./transforms/jit.js";
export * as lax from "./lax.js";
export { exportOnnx } from "./export/onnx/index.js";
export type { ExportOnnxOptions } from "./export/onnx/index.js";
export * as optim from "./optim/index.js";
export { stageCapturing, ensureCompileTimeEval, CapturedProgram } from "./transforms/capture.js";
export type { InputAval } from "./transforms/capture.js";
