// random_bits as ONNX integer ops: the same Threefry-2x32 (20 rounds) as the CPU kernel
// (src/core/backend/kernels/random.ts), over uint32 tensors (Add wraps modulo 2³², BitShift and
// BitwiseXor/Or are opset-18 ops on uint32). Counter q gives words 2q and 2q+1 of the draw, so
// the bits equal tapir's exactly.
import { Graph, int } from "./graph.js";
import { avalOut, defineOnnx } from "./lower.js";

const ROT = [13, 15, 26, 6, 17, 29, 16, 24];
const u32 = (g: Graph, x: string) => g.op1("Cast", [x], { to: int(12) });
const left = { kind: "string", v: "LEFT" } as const;
const right = { kind: "string", v: "RIGHT" } as const;

/** (x << r) | (x >>> (32 − r)) on uint32. */
function rotl(g: Graph, x: string, r: number): string {
  const hi = g.op1("BitShift", [x, g.scalar(r, "uint32")], { direction: left });
  const lo = g.op1("BitShift", [x, g.scalar(32 - r, "uint32")], { direction: right });
  return g.op1("BitwiseOr", [hi, lo]);
}

defineOnnx("random_bits", (g, [key], e) => {
  const shape = avalOut(e).shape;
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return [g.op1("Expand", [g.scalar(0, "int32"), g.i64(shape)])];
  const nq = Math.ceil(n / 2);
  const k = u32(g, key!);
  const pick = (i: number) => g.op1("Gather", [k, g.scalar(i, "int64")], { axis: int(0) });
  const ks = [pick(0), pick(1)];
  ks.push(g.op1("BitwiseXor", [g.op1("BitwiseXor", [g.scalar(0x1bd11bda, "uint32"), ks[0]!]), ks[1]!]));
  // counters 0..nq−1 as uint32
  const q = u32(g, g.op1("Range", [g.scalar(0, "int64"), g.scalar(nq, "int64"), g.scalar(1, "int64")]));
  let x0 = g.op1("Expand", [ks[0]!, g.i64([nq])]);
  let x1 = g.op1("Add", [q, ks[1]!]);
  for (let blk = 0; blk < 5; blk++) {
    for (let r = 0; r < 4; r++) {
      x0 = g.op1("Add", [x0, x1]);
      x1 = g.op1("BitwiseXor", [rotl(g, x1, ROT[(blk & 1) * 4 + r]!), x0]);
    }
    x0 = g.op1("Add", [x0, ks[(blk + 1) % 3]!]);
    x1 = g.op1("Add", [g.op1("Add", [x1, ks[(blk + 2) % 3]!]), g.scalar(blk + 1, "uint32")]);
  }
  // interleave: out[2q] = x0[q], out[2q+1] = x1[q]; cut to n words
  const pairs = g.op1("Concat", [g.op1("Unsqueeze", [x0, g.i64([1])]), g.op1("Unsqueeze", [x1, g.i64([1])])], { axis: int(1) });
  let flat = g.op1("Reshape", [pairs, g.i64([2 * nq])]);
  if (2 * nq !== n) flat = g.op1("Slice", [flat, g.i64([0]), g.i64([n]), g.i64([0])]);
  return [g.op1("Reshape", [g.op1("Cast", [flat], { to: int(6) }), g.i64(shape)])];
});
