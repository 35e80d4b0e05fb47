// A minimal protobuf writer for the subset of onnx.proto that the exporter emits (ModelProto,
// GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto/TypeProto). Hand-written
// rather than protobufjs + the ONNX schema: we only ever *write*, six message types, three wire
// types (varint, 32-bit, length-delimited), so ~150 lines replace a runtime dependency and a
// schema file to keep in sync. Field numbers are those of onnx/onnx.proto (IR version 8).

/** ONNX TensorProto.DataType codes of the dtypes tapir has (and the int64/uint32 helpers). */
export const ONNX_DTYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float64: 11, uint32: 12 } as const;
export type OnnxElem = keyof typeof ONNX_DTYPE;

/** Growable byte buffer with the three wire encodings we need. */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  /** Base-128 varint; negative numbers as 64-bit two's complement (10 bytes), as int64 requires. */
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    if (x < 0x80n) {
      this.buf[this.len++] = Number(x);
      return;
    }
    while (x >= 0x80n) {
      this.buf[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.len++] = Number(x);
  }
  tag(field: number, wire: 0 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  float32(x: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, x, true);
    this.len += 4;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const utf8 = new TextEncoder();

/** A message as a list of writes (field, value); nested messages are encoded first. */
type Emit = (w: Writer) => void;
const msg = (emit: Emit): Uint8Array => {
  const w = new Writer();
  emit(w);
  return w.finish();
};
const str = (w: Writer, field: number, s: string) => (w.tag(field, 2), w.bytes(utf8.encode(s)));
const sub = (w: Writer, field: number, m: Uint8Array) => (w.tag(field, 2), w.bytes(m));
const int = (w: Writer, field: number, v: number | bigint) => (w.tag(field, 0), w.varint(v));

// ------------------------------------------------------------------ the message types

export interface TensorProto {
  name: string;
  dims: readonly number[];
  dtype: OnnxElem;
  /** little-endian element bytes (bool: one byte each) */
  raw: Uint8Array;
}
export interface ValueInfo {
  name: string;
  dtype: OnnxElem;
  /** null: shape left unspecified (subgraph values whose shape we do not state) */
  shape: readonly number[] | null;
}
export type Attr =
  | { kind: "int"; v: number | bigint }
  | { kind: "float"; v: number }
  | { kind: "string"; v: string }
  | { kind: "ints"; v: readonly (number | bigint)[] }
  | { kind: "tensor"; v: TensorProto }
  | { kind: "graph"; v: GraphProto };
export interface NodeProto {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attrs: Record<string, Attr>;
}
export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}
export interface ModelProto {
  irVersion: number;
  opset: number;
  producer: string;
  producerVersion: string;
  graph: GraphProto;
}

function tensor(t: TensorProto): Uint8Array {
  return msg((w) => {
    for (const d of t.dims) int(w, 1, d); // dims: repeated int64 (unpacked is valid proto2/3 wire)
    int(w, 2, ONNX_DTYPE[t.dtype]);
    str(w, 8, t.name);
    sub(w, 9, t.raw); // raw_data
  });
}

function valueInfo(v: ValueInfo): Uint8Array {
  const shape = v.shape;
  const tensorType = msg((w) => {
    int(w, 1, ONNX_DTYPE[v.dtype]); // elem_type
    if (shape !== null) sub(w, 2, msg((s) => shape.forEach((d) => sub(s, 1, msg((dim) => int(dim, 1, d)))))); // shape.dim.dim_value
  });
  return msg((w) => {
    str(w, 1, v.name);
    sub(w, 2, msg((t) => sub(t, 1, tensorType))); // type.tensor_type
  });
}

// AttributeProto.AttributeType codes
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, ints: 7 } as const;

function attribute(name: string, a: Attr): Uint8Array {
  return msg((w) => {
    str(w, 1, name);
    switch (a.kind) {
      case "float":
        w.tag(2, 5), w.float32(a.v);
        break;
      case "int":
        int(w, 3, a.v);
        break;
      case "string":
        str(w, 4, a.v);
        break;
      case "tensor":
        sub(w, 5, tensor(a.v));
        break;
      case "graph":
        sub(w, 6, graph(a.v));
        break;
      case "ints":
        for (const x of a.v) int(w, 8, x);
        break;
      default:
        return a satisfies never;
    }
    int(w, 20, ATTR_TYPE[a.kind]);
  });
}

function node(n: NodeProto): Uint8Array {
  return msg((w) => {
    for (const i of n.inputs) str(w, 1, i);
    for (const o of n.outputs) str(w, 2, o);
    str(w, 3, n.name);
    str(w, 4, n.opType);
    for (const [k, a] of Object.entries(n.attrs)) sub(w, 5, attribute(k, a));
  });
}

function graph(g: GraphProto): Uint8Array {
  return msg((w) => {
    for (const n of g.nodes) sub(w, 1, node(n));
    str(w, 2, g.name);
    for (const t of g.initializers) sub(w, 5, tensor(t));
    for (const v of g.inputs) sub(w, 11, valueInfo(v));
    for (const v of g.outputs) sub(w, 12, valueInfo(v));
  });
}

/** The serialized ModelProto. */
export function encodeModel(m: ModelProto): Uint8Array {
  return msg((w) => {
    int(w, 1, m.irVersion);
    str(w, 2, m.producer);
    str(w, 3, m.producerVersion);
    sub(w, 7, graph(m.graph));
    sub(w, 8, msg((o) => (str(o, 1, ""), int(o, 2, m.opset)))); // opset_import: default domain
  });
}
