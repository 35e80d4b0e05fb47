// Building an ONNX graph: fresh value names, nodes, and constants. One Model holds the name
// counter and every initializer (subgraphs of If/Loop read constants from the outer scope, as
// ONNX allows), so names are unique across the whole model.
import type { DType } from "../../core/dtype.js";
import type { Attr, GraphProto, NodeProto, OnnxElem, TensorProto, ValueInfo } from "./proto.js";

export class Model {
  private n = 0;
  readonly initializers: TensorProto[] = [];
  private constCache = new Map<string, string>();
  fresh(hint: string): string {
    return `${hint}_${this.n++}`;
  }
  /** An initializer holding `data` (cached by content for small constants). */
  constant(data: ArrayBufferView, dims: readonly number[], dtype: OnnxElem, hint = "const"): string {
    const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    const key = raw.length <= 64 ? `${dtype}|${dims.join(",")}|${Array.from(raw).join(",")}` : null;
    const hit = key !== null ? this.constCache.get(key) : undefined;
    if (hit !== undefined) return hit;
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, dtype, raw });
    if (key !== null) this.constCache.set(key, name);
    return name;
  }
}

/** The element type ONNX stores a tapir dtype as. */
export const elemOf = (d: DType): OnnxElem => d;

/** Typed array of a tapir or helper element type, from JS numbers. */
export function typedOf(dtype: OnnxElem, values: readonly (number | bigint)[]): ArrayBufferView {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values as number[]);
    case "float64":
      return Float64Array.from(values as number[]);
    case "int32":
      return Int32Array.from(values as number[]);
    case "uint32":
      return Uint32Array.from(values as number[]);
    case "int64":
      return BigInt64Array.from(values.map((v) => BigInt(v)));
    case "bool":
    case "uint8":
      return Uint8Array.from(values as number[]);
    default:
      return dtype satisfies never;
  }
}

/** One graph (the main one or an If/Loop body) under construction. */
export class Graph {
  readonly nodes: NodeProto[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  constructor(
    readonly model: Model,
    readonly name: string,
  ) {}
  /** Appends a node; returns its `nOut` fresh output names. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, nOut = 1): string[] {
    const outputs = Array.from({ length: nOut }, () => this.model.fresh(opType.toLowerCase()));
    this.nodes.push({ opType, inputs, outputs, name: this.model.fresh(`n_${opType}`), attrs });
    return outputs;
  }
  /** A single-output node. */
  op1(opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}): string {
    return this.op(opType, inputs, attrs)[0]!;
  }
  /** A node writing a given output name (graph outputs). */
  opTo(opType: string, inputs: readonly string[], output: string, attrs: Record<string, Attr> = {}): void {
    this.nodes.push({ opType, inputs, outputs: [output], name: this.model.fresh(`n_${opType}`), attrs });
  }
  /** A scalar constant of an element type. */
  scalar(v: number | bigint, dtype: OnnxElem): string {
    return this.model.constant(typedOf(dtype, [v]), [], dtype, "c");
  }
  /** A 1-D int64 constant (shapes, axes, starts…). */
  i64(vs: readonly (number | bigint)[]): string {
    return this.model.constant(typedOf("int64", vs), [vs.length], "int64", "i64");
  }
  proto(): GraphProto {
    return { name: this.name, nodes: this.nodes, initializers: [], inputs: this.inputs, outputs: this.outputs };
  }
}

export const ints = (v: readonly (number | bigint)[]): Attr => ({ kind: "ints", v });
export const int = (v: number | bigint): Attr => ({ kind: "int", v });
export const str = (v: string): Attr => ({ kind: "string", v });
export const graphAttr = (g: Graph): Attr => ({ kind: "graph", v: g.proto() });
