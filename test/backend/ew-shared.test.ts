// Shared loops (ew-shared.ts): the small-array path runs the simplest expressions through a few
// loops shared by every expression, chosen by matching the translated JS text. They must give the
// bits of the expression's own generated loop for every dtype, flush setting and operand
// pattern, on the values where float semantics differ (±0, ±Inf, NaN, subnormals, the smallest
// normals), and they must actually be taken for the expressions the ops emit.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { elementwiseFlat, tiering } from "../../src/core/backend/elementwise.js";
import { runShared, sharedLoops, sharedOf, sharedStats } from "../../src/core/backend/ew-shared.js";
import { config } from "../../src/index.js";
import { V } from "../../src/core/backend/vecmath.js";

// pairs near the smallest normals whose difference is subnormal, and exp arguments with subnormal results
const SPECIAL = [0, -0, 1, -1, 3.5, -2.25, Infinity, -Infinity, NaN, 1e-40, -1e-40, 2 ** -149, 2 ** -126, -(2 ** -126), 1.5 * 2 ** -126, 1e30, -1e-30, 2 ** -1074, 2 ** -1022, 1.5 * 2 ** -1022, 1e300, 0.1, -100, -720];

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Uint8ArrayConstructor | Int32ArrayConstructor;
const bits = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

/** out of `outCtor` from operands of `inCtors` in `pattern`, by the shared loop and by the expression's own loop. */
function both(expr: string, pattern: string, inCtors: Ctor[], outCtor: Ctor) {
  const n = pattern.includes("v") ? SPECIAL.length * SPECIAL.length : 1;
  const ins = inCtors.map((C, j) => {
    // size-1 operands: 0 for operand 0 (a false select condition), then -∞ and a small normal
    if (pattern[j] === "s") return new C([SPECIAL[(j * 7) % SPECIAL.length]!]);
    // operand 0 walks the values slowly, operand 1 fast, operand 2 offset: every pair meets
    const a = new C(n);
    for (let i = 0; i < n; i++) a[i] = SPECIAL[j === 0 ? Math.floor(i / SPECIAL.length) % SPECIAL.length : j === 1 ? i % SPECIAL.length : (i * 3 + 1) % SPECIAL.length]!;
    return a;
  });
  const run = (shared: boolean) => {
    sharedLoops.on = shared;
    const out = new outCtor(n);
    const before = sharedStats.runs;
    elementwiseFlat(expr, pattern, ins, out);
    return { out, ran: sharedStats.runs - before };
  };
  const own = run(false);
  const shared = run(true);
  return { own, shared };
}

// the small-array path's JS loops, not its Wasm kernels: costly float32 calls (exp, tanh, …)
// take their JS loop until their JS work is due to compile (the suite runs with tiering off)
const savedTiering = tiering.calls;
beforeAll(() => void (tiering.calls = 1));
afterAll(() => void (tiering.calls = savedTiering));

afterEach(() => {
  sharedLoops.on = true;
  config.flushSubnormals(true);
});

const F32 = Float32Array, F64 = Float64Array, U8 = Uint8Array;
// [expression as the ops emit it, operand types, output type]
const CASES: [string, Ctor[], Ctor][] = [
  ...["a0 + a1", "a0 - a1", "a0 * a1", "a0 / a1"].flatMap((e): [string, Ctor[], Ctor][] => [
    [e, [F32, F32], F32],
    [e, [F64, F64], F64],
  ]),
  ...[">=", ">", "<=", "<", "===", "!=="].flatMap((op): [string, Ctor[], Ctor][] => [
    [`(a0 ${op} a1 ? 1 : 0)`, [F32, F32], U8],
    [`(a0 ${op} a1 ? 1 : 0)`, [F64, F64], U8],
  ]),
  ["(a0 ? a1 : a2)", [U8, F32, F32], F32],
  ["(a0 ? a1 : a2)", [F32, F32, F32], F32],
  ["(a0 ? a1 : a2)", [U8, F64, F64], F64],
  ["-a0", [F32], F32],
  ["-a0", [F64], F64],
  ...["Math.exp(a0)", "Math.log1p(a0)", "Math.tanh(a0)", "Math.sqrt(a0)", "Math.abs(a0)"].flatMap((e): [string, Ctor[], Ctor][] => [
    [e, [F32], F32],
    [e, [F64], F64],
  ]),
];
const patterns = (k: number): string[] => (k === 1 ? ["v", "s"] : k === 2 ? ["vv", "vs", "sv", "ss"] : ["vvv", "vsv", "vvs", "svs", "vss"]);

describe("shared loops of simple elementwise expressions", () => {
  for (const flush of [true, false]) {
    for (const [expr, inCtors, outCtor] of CASES) {
      it(`${expr} ${inCtors.map((c) => c.name.replace("Array", "")).join(",")} → ${outCtor.name.replace("Array", "")}, flush ${flush}: the expression's own loop's bits, every pattern`, () => {
        config.flushSubnormals(flush);
        for (const p of patterns(inCtors.length)) {
          const { own, shared } = both(expr, p, inCtors, outCtor);
          expect(own.ran, "the reference ran its own loop").toBe(0);
          expect(shared.ran, `${expr} ${p}: the shared loop was taken`).toBe(1);
          expect(bits(shared.out), `${expr} ${p}`).toEqual(bits(own.out));
        }
      });
    }
  }

  it("a range of elements is that range of the whole", () => {
    const s = sharedOf("V.ftz32((V.ftz32(a0) - V.ftz32(a1)))", "vv")!;
    const x = new Float32Array(SPECIAL), y = new Float32Array(SPECIAL.map((v, i) => SPECIAL[(i * 7 + 1) % SPECIAL.length]! + v));
    const whole = new Float32Array(x.length), part = new Float32Array(x.length);
    runShared(s, whole, [x, y], [1, 1], 0, x.length);
    runShared(s, part, [x, y], [1, 1], 5, 17);
    expect(bits(part.subarray(5, 17))).toEqual(bits(whole.subarray(5, 17)));
    expect([part[4], part[17]]).toEqual([0, 0]);
    // and nothing past the range for every kind of loop
    const kinds: [string, string][] = [["((V.ftz32(a0) < V.ftz32(a1)) ? (1) : (0))", "vv"], ["(-a0)", "v"], ["V.ftz32(Math.sqrt(V.ftz32(a0)))", "v"], ["(((a0 !== (0)) && (a0 === a0)) ? a1 : a2)", "vvv"]];
    for (const [js, p] of kinds) {
      const k = sharedOf(js, p)!;
      const o = new Float32Array(x.length);
      runShared(k, o, [x, y, x], [1, 1, 1], 5, 17);
      expect([o[4], o[17]], js).toEqual([0, 0]);
    }
  });

  it("only the exact templates match: other texts keep their own loops", () => {
    // two operations, a repeated operand, different flushes of the two operands, an unknown
    // function, a function of two arguments, a strided pattern
    for (const [js, p] of [
      ["((a0 + a1) * a1)", "vv"],
      ["V.ftz32((V.ftz32(a0) + V.ftz64(a1)))", "vv"],
      ["(a0 * a0)", "v"],
      ["V.nope(a0)", "v"],
      ["Math.max(a0)", "v"],
      ["Math.pow(a0)", "v"],
      ["(a0 + a1)", "vr"],
      ["(-a0)", "vv"],
      ["((V.ftz32(a0) >= V.ftz64(a1)) ? (1) : (0))", "vv"],
      ["((a0 + a1) * a2)", "vvv"],
      ["(a0 + a1)", "rv"],
    ] as const) {
      expect(sharedOf(js, p), js).toBeNull();
    }
    expect(sharedOf("(a0 + a1)", "vs")).not.toBeNull();
  });
});

// The matcher compares texts with the exact forms emitJs writes (no regular expressions: their
// first use cost a process's first ops 0.1-0.3 ms each). The regular expressions it replaced are
// the specification: it must choose the same loop for every text they matched, and no loop for
// any they did not, over the forms, every flush combination, every Math/V function, near misses.
describe("matcher agrees with the template expressions", () => {
  const F = "(V\\.ftz32|V\\.ftz64)";
  const spec = {
    binFlush: new RegExp(`^${F}\\(\\(${F}\\(a0\\) ([-+*/]) ${F}\\(a1\\)\\)\\)$`),
    bin: /^\(a0 ([-+*/]) a1\)$/,
    cmpFlush: new RegExp(`^\\(\\(${F}\\(a0\\) (>=|>|<=|<|===|!==) ${F}\\(a1\\)\\) \\? \\(1\\) : \\(0\\)\\)$`),
    cmp: /^\(\(a0 (>=|>|<=|<|===|!==) a1\) \? \(1\) : \(0\)\)$/,
    selectFlush: new RegExp(`^const (\\w+) = ${F}\\(a0\\);\\n\\(\\(\\(\\1 !== \\(0\\)\\) && \\(\\1 === \\1\\)\\) \\? a1 : a2\\)$`),
    select: /^\(\(\(a0 !== \(0\)\) && \(a0 === a0\)\) \? a1 : a2\)$/,
    callFlush: new RegExp(`^${F}\\((V|Math)\\.(\\w+)\\(${F}\\(a0\\)\\)\\)$`),
    call: /^(V|Math)\.(\w+)\(a0\)$/,
  };
  const fn1 = (ns: string, name: string) => {
    const o = (ns === "V" ? V : Math) as unknown as Record<string, unknown>;
    const f = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
    return typeof f === "function" && f.length === 1 ? f : null;
  };
  const fl = (n: string) => (n === "V.ftz32" ? V.ftz32 : V.ftz64);
  /** [kind name, op, fo, fi, fn] the regular expressions give, or null. */
  function reference(js: string, nIn: number): unknown[] | null {
    let m: RegExpExecArray | null;
    if (nIn === 2) {
      if ((m = spec.binFlush.exec(js)) && m[2] === m[4]) return ["bin", m[3], fl(m[1]!), fl(m[2]!), null];
      if ((m = spec.bin.exec(js))) return ["bin", m[1], null, null, null];
      if ((m = spec.cmpFlush.exec(js)) && m[1] === m[3]) return ["cmp", m[2], null, fl(m[1]!), null];
      if ((m = spec.cmp.exec(js))) return ["cmp", m[1], null, null, null];
    } else if (nIn === 3) {
      if ((m = spec.selectFlush.exec(js))) return ["select", null, null, fl(m[2]!), null];
      if (spec.select.test(js)) return ["select", null, null, null, null];
    } else if (nIn === 1) {
      if (js === "(-a0)") return ["neg", null, null, null, null];
      if ((m = spec.callFlush.exec(js))) {
        const f = fn1(m[2]!, m[3]!);
        return f ? ["call", null, fl(m[1]!), fl(m[4]!), f] : null;
      }
      if ((m = spec.call.exec(js))) {
        const f = fn1(m[1]!, m[2]!);
        return f ? ["call", null, null, null, f] : null;
      }
    }
    return null;
  }
  const KIND = ["bin", "cmp", "neg", "select", "call"];
  const OPSYM = ["+", "-", "*", "/", ">=", ">", "<=", "<", "===", "!=="];
  // an operand or result map is a flush or the identity (null here)
  const ident = (f: unknown) => (f === V.ftz32 || f === V.ftz64 ? f : null);
  function actual(js: string, nIn: number): unknown[] | null {
    const s = sharedOf(js, "v".repeat(nIn));
    if (s === null) return null;
    const k = KIND[s.kind]!;
    const op = k === "bin" || k === "cmp" ? OPSYM[s.op] : null;
    return [k, op, k === "cmp" || k === "select" || k === "neg" ? null : ident(s.fo), k === "neg" ? null : ident(s.fi), k === "call" ? s.fn : null];
  }

  const flushes = ["V.ftz32", "V.ftz64", "Math.fround", ""];
  const wrap = (f: string, x: string) => (f === "" ? x : `${f}(${x})`);
  const texts: [string, number][] = [];
  for (const G of flushes) for (const A of flushes) for (const B of flushes) for (const o of OPSYM) {
    texts.push([wrap(G, `(${wrap(A, "a0")} ${o} ${wrap(B, "a1")})`), 2]);
    texts.push([`((${wrap(A, "a0")} ${o} ${wrap(B, "a1")}) ? (1) : (0))`, 2]);
  }
  const names = [...Object.getOwnPropertyNames(Math), ...Object.keys(V), "nope", "", "sin cos", "a.b"];
  for (const G of flushes) for (const A of flushes) for (const ns of ["V", "Math", "X"]) for (const name of names) texts.push([wrap(G, `${ns}.${name}(${wrap(A, "a0")})`), 1]);
  for (const A of flushes) for (const n of ["_n8", "x", "a b", "_n8 ", "1"]) {
    texts.push([`const ${n} = ${wrap(A, "a0")};\n(((${n} !== (0)) && (${n} === ${n})) ? a1 : a2)`, 3]);
    texts.push([`const ${n} = ${wrap(A, "a0")};\n(((${n} !== (0)) && (${n} === _n9)) ? a1 : a2)`, 3]);
  }
  texts.push(["(((a0 !== (0)) && (a0 === a0)) ? a1 : a2)", 3], ["(((a0 !== (0)) && (a0 === a0)) ? a2 : a1)", 3], ["(-a0)", 1], ["(-a1)", 1], ["(a0 + a1)", 3], ["Math.sin(a0)", 2]);
  texts.push(["V.ftz32(Math.sin(a1)(V.ftz32(a0)))", 1], ["V.ftz32(Math.sin((V.ftz32(a0))))", 1], ["V.ftz32(Math.sin(V.ftz32(a0)) + V.ftz32(a0)))", 1], ["Math.sin(a0)(a0)", 1]);
  // and every text with its last and first character dropped
  for (const [t, n] of [...texts]) texts.push([t.slice(0, -1), n], [t.slice(1), n]);

  it("the same loop for every text, and none where they matched none", () => {
    const expected = texts.map(([t, n]) => reference(t, n));
    expect(expected.filter((x) => x !== null).length).toBeGreaterThan(100);
    texts.forEach(([t, n], i) => expect(actual(t, n), t).toEqual(expected[i]));
  });
});
