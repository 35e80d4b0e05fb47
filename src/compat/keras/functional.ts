// Keras's functional API: tf.keras.Input makes a symbolic tensor (KerasTensor); a layer applied
// to symbolic tensors records a node (the layer, its symbolic inputs, its call options) and
// returns a symbolic output whose shape comes from running the layer once on a batch of one
// zeros (which also builds it); Model({inputs, outputs}) replays the recorded graph on real
// tensors, each node once, in dependency order.
import { Tensor, ValueError, numpy as np, type DType } from "../../index.js";
import { checkOptions, describe } from "../errors.js";
import { quiet } from "../runtime.js";

/** What a node calls: structurally a Layer (kept structural so layers.ts can import this file). */
export interface Applicable {
  apply(inputs: any, ...args: any[]): any;
  readonly name: string;
}
/** A recorded layer call of the functional API: the layer, its symbolic inputs, its call options (null layer: an Input). */
export interface KerasNode {
  layer: Applicable | null;
  inputs: unknown;
  args: unknown[];
}

/**
 * A symbolic tensor of the functional API: a shape whose batch axis is unknown (null), a dtype,
 * and the layer call that produces it. Made by tf.keras.Input and by layers applied to one.
 * @example
 * ```ts
 * const x = tf.keras.Input({ shape: [3] });
 * new tf.keras.layers.Dense(2).apply(x).shape; // → [null, 2]
 * ```
 */
export class KerasTensor {
  /** @internal */
  readonly node: KerasNode;
  constructor(
    /**
     * The shape, the batch axis null.
     * @example
     * ```ts
     * tf.keras.Input({ shape: [4, 2] }).shape; // → [null, 4, 2]
     * ```
     */
    readonly shape: readonly (number | null)[],
    /**
     * The dtype.
     * @example
     * ```ts
     * tf.keras.Input({ shape: [1], dtype: "int32" }).dtype; // → "int32"
     * ```
     */
    readonly dtype: DType,
    node: KerasNode,
  ) {
    this.node = node;
  }
}

/** Whether x is (or holds, in an array) a symbolic tensor. */
export function isSymbolic(x: unknown): boolean {
  return x instanceof KerasTensor || (Array.isArray(x) && x.some(isSymbolic));
}

/** Maps the KerasTensors of a structure (a KerasTensor or nested arrays of them). */
export function mapSymbolic(x: unknown, f: (k: KerasTensor) => unknown): any {
  if (x instanceof KerasTensor) return f(x);
  if (Array.isArray(x)) return x.map((e) => mapSymbolic(e, f));
  return x;
}

/** A layer applied to symbolic inputs: run once on zeros of batch 1 for the output's shape and dtype (and the build). */
export function applySymbolic(layer: Applicable, inputs: unknown, args: unknown[]): any {
  const probe = mapSymbolic(inputs, (k) => quiet(() => np.zeros([1, ...k.shape.slice(1).map((d) => d ?? 1)], { dtype: k.dtype })));
  const out = quiet(() => layer.apply(probe, ...args));
  const node: KerasNode = { layer, inputs, args };
  const wrap = (t: unknown): unknown => {
    if (t instanceof Tensor) return new KerasTensor([null, ...t.shape.slice(1)], t.dtype, node);
    if (Array.isArray(t)) return t.map(wrap);
    throw new ValueError({ message: `${layer.name}: a layer called on tf.keras.Input tensors must return tensors, got ${describe(t)}.` });
  };
  const sym = wrap(out);
  // each output remembers which element of the layer's result it is
  if (Array.isArray(sym)) sym.forEach((s, i) => ((s as KerasTensor & { index?: number }).index = i));
  return sym;
}

/** The value of `k` given the values of the model's inputs: each node computed once (memo). */
export function replay(k: KerasTensor, memo: Map<KerasTensor | KerasNode, unknown>, opts: Record<string, unknown> | undefined): unknown {
  if (memo.has(k)) return memo.get(k);
  const node = k.node;
  if (node.layer === null) throw new ValueError({ message: `tf.keras.Model: an output depends on a tf.keras.Input that is not among the model's inputs; pass every Input the outputs use in inputs.` });
  let out = memo.get(node);
  if (out === undefined) {
    const ins = mapSymbolic(node.inputs, (p) => replay(p, memo, opts));
    const args = opts === undefined ? node.args : node.args.length === 0 ? [opts] : [{ ...(node.args[0] as object), ...opts }, ...node.args.slice(1)];
    out = node.layer.apply(ins, ...args);
    memo.set(node, out);
  }
  const index = (k as KerasTensor & { index?: number }).index;
  const v = index === undefined ? out : (out as unknown[])[index];
  memo.set(k, v);
  return v;
}

/** The layers of the graph from `inputs` to `outputs`, in dependency order, each once. */
export function graphLayers(outputs: readonly KerasTensor[]): { layer: Applicable; out: KerasTensor }[] {
  const seen = new Set<KerasNode>();
  const order: { layer: Applicable; out: KerasTensor }[] = [];
  const visit = (k: KerasTensor): void => {
    if (seen.has(k.node)) return;
    seen.add(k.node);
    mapSymbolic(k.node.inputs, visit);
    if (k.node.layer) order.push({ layer: k.node.layer, out: k });
  };
  outputs.forEach(visit);
  return order;
}

/** What tf.keras.Input takes. */
export interface InputOptions {
  /** The shape of one example (without the batch axis). */
  shape: readonly number[];
  /** The dtype (float32 by default). */
  dtype?: DType;
  /** The input's name. */
  name?: string;
}

/** Makes an Input's KerasTensor; `source` is its InputLayer (null node layer: fed by the model's inputs). */
export function makeInput(api: string, opts: InputOptions): KerasTensor {
  if (opts === null || typeof opts !== "object") throw new ValueError({ message: `${api}: expected { shape, dtype?, name? }, got ${describe(opts)}.` });
  checkOptions(api, opts, ["shape", "dtype", "name"]);
  if (!Array.isArray(opts.shape) || opts.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ValueError({ message: `${api}: shape must be an array of non-negative integers (one example's shape, no batch axis), got ${describe(opts.shape)}.` });
  }
  return new KerasTensor([null, ...opts.shape], opts.dtype ?? "float32", { layer: null, inputs: null, args: [] });
}
