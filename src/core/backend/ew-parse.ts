// Reads the scalar expressions of elementwise kernels (the JS subset the primitive tables and
// the fusion pass write: numbers, a0…, t0…, + - * / % (by 1), comparisons, && || !, ?:,
// Math.<fn>, Number.isFinite, `const tN = …;` statements) into the expression IR (ew-ir.ts).
// Anything else (integer ops: | >>> Math.imul, arrow functions) is refused with Unsupported,
// and the kernel keeps the scalar JS source as written.
//
// `Math.<fn>` of a function with a vectorised version becomes a `fn` node when it sits in a
// float32 statement (inside Math.fround, or at the top of a kernel whose output is float32),
// an `ext` node (Math itself) otherwise: float64 results keep Math.* exactly.
import { Builder, isBool, type Node } from "./ew-ir.js";
import { hasRecipe } from "./vecmath.js";

/** The expression uses something the IR does not model. */
export class Unsupported extends Error {}

type Tok = { t: "num"; v: number } | { t: "id"; v: string } | { t: "op"; v: string };

const OPS = ["===", "!==", ">>>", "<=", ">=", "&&", "||", "=>", "<<", ">>", "<", ">", "+", "-", "*", "/", "%", "?", ":", "(", ")", ",", ";", "=", "!", "|", "&", ".", "{", "}"];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)/i.exec(src.slice(i, i + 40));
    if (num) {
      out.push({ t: "num", v: Number(num[1]) });
      i += num[1]!.length;
      continue;
    }
    const id = /^[A-Za-z_$][\w$]*/.exec(src.slice(i, i + 64));
    if (id) {
      out.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new Unsupported(`character ${ch}`);
    out.push({ t: "op", v: op });
    i += op.length;
  }
  return out;
}

const UNARY_MATH: Record<string, "sqrt" | "abs" | "floor" | "ceil" | "trunc"> = { sqrt: "sqrt", abs: "abs", floor: "floor", ceil: "ceil", trunc: "trunc" };

/** A parsed kernel: the DAG root (a number) and its builder. */
export interface Parsed {
  readonly b: Builder;
  readonly root: Node;
  readonly nIn: number;
}

/**
 * Parses a ScalarExpr (statements then result). `f32Top`: the result is stored to float32, so
 * the top-level expression is a float32 statement.
 */
export function parseExpr(src: string, f32Top: boolean): Parsed {
  const toks = tokenize(src);
  const b = new Builder();
  const vars = new Map<string, Node>();
  let p = 0;
  let nIn = 0;
  const peek = (): Tok | undefined => toks[p];
  const isOp = (v: string): boolean => {
    const t = toks[p];
    return t !== undefined && t.t === "op" && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Unsupported(`expected ${v}`);
    p++;
  };
  const num = (n: Node): Node => {
    if (isBool(n)) throw new Unsupported("a condition used as a number");
    return n;
  };

  function ternary(f32: boolean): Node {
    const c = orExpr(f32);
    if (!isOp("?")) return c;
    p++;
    const a = ternary(f32);
    expect(":");
    const e = ternary(f32);
    return b.sel(b.truthy(c), num(a), num(e));
  }
  function orExpr(f32: boolean): Node {
    let a = andExpr(f32);
    while (isOp("||")) {
      p++;
      const r = andExpr(f32);
      a = isBool(a) && isBool(r) ? b.logic("or", a, r) : b.sel(b.truthy(num(a)), a, num(r));
    }
    return a;
  }
  function andExpr(f32: boolean): Node {
    let a = eqExpr(f32);
    while (isOp("&&")) {
      p++;
      const r = eqExpr(f32);
      a = isBool(a) && isBool(r) ? b.logic("and", a, r) : b.sel(b.truthy(num(a)), num(r), a);
    }
    return a;
  }
  function eqExpr(f32: boolean): Node {
    let a = relExpr(f32);
    for (;;) {
      if (isOp("===")) (p++, (a = b.cmp("eq", num(a), num(relExpr(f32)))));
      else if (isOp("!==")) (p++, (a = b.cmp("ne", num(a), num(relExpr(f32)))));
      else return a;
    }
  }
  function relExpr(f32: boolean): Node {
    let a = addExpr(f32);
    for (;;) {
      const t = peek();
      if (t?.t !== "op" || !["<", "<=", ">", ">="].includes(t.v)) break;
      p++;
      const op = t.v === "<" ? "lt" : t.v === "<=" ? "le" : t.v === ">" ? "gt" : "ge";
      a = b.cmp(op, num(a), num(addExpr(f32)));
    }
    for (const bad of ["|", "&", ">>>", ">>", "<<"]) if (isOp(bad)) throw new Unsupported(`operator ${bad}`);
    return a;
  }
  function addExpr(f32: boolean): Node {
    let a = mulExpr(f32);
    for (;;) {
      if (isOp("+")) (p++, (a = fold(b.add(num(a), num(mulExpr(f32))))));
      else if (isOp("-")) (p++, (a = fold(b.sub(num(a), num(mulExpr(f32))))));
      else return a;
    }
  }
  function mulExpr(f32: boolean): Node {
    let a = unary(f32);
    for (;;) {
      if (isOp("*")) (p++, (a = fold(b.mul(num(a), num(unary(f32))))));
      else if (isOp("/")) (p++, (a = fold(b.div(num(a), num(unary(f32))))));
      else if (isOp("%")) {
        p++;
        const d = unary(f32);
        if (d.k !== "c" || d.v !== 1) throw new Unsupported("% by anything but 1");
        // x % 1 = x − trunc(x), a zero carrying x's sign
        const r = b.sub(num(a), b.un("trunc", a));
        a = b.sel(b.cmp("eq", r, b.c(0)), b.mul(a, b.c(0)), r);
      } else return a;
    }
  }
  function unary(f32: boolean): Node {
    if (isOp("-")) {
      p++;
      return fold(b.un("neg", num(unary(f32))));
    }
    if (isOp("+")) throw new Unsupported("unary +");
    if (isOp("!")) {
      p++;
      return b.not(b.truthy(unary(f32)));
    }
    return primary(f32);
  }
  function args(f32: boolean): Node[] {
    expect("(");
    const out: Node[] = [];
    if (!isOp(")")) {
      out.push(num(ternary(f32)));
      while (isOp(",")) (p++, out.push(num(ternary(f32))));
    }
    expect(")");
    return out;
  }
  function primary(f32: boolean): Node {
    const t = toks[p++];
    if (t === undefined) throw new Unsupported("unexpected end");
    if (t.t === "num") return b.c(t.v);
    if (t.t === "op") {
      if (t.v !== "(") throw new Unsupported(`token ${t.v}`);
      const e = ternary(f32);
      expect(")");
      if (isOp("=>") || isOp("(")) throw new Unsupported("function expression");
      return e;
    }
    const id = t.v;
    if (/^a\d+$/.test(id)) {
      const i = Number(id.slice(1));
      nIn = Math.max(nIn, i + 1);
      return b.input(i);
    }
    if (id === "NaN") return b.c(NaN);
    if (id === "Infinity") return b.c(Infinity);
    const v = vars.get(id);
    if (v !== undefined) return v;
    if (id === "Number" && isOp(".")) {
      p++;
      const f = toks[p++];
      if (f?.t !== "id" || f.v !== "isFinite") throw new Unsupported("Number member");
      const [x] = args(f32);
      if (x === undefined) throw new Unsupported("arity");
      return b.cmp("lt", b.un("abs", x), b.c(Infinity));
    }
    if (id !== "Math" || !isOp(".")) throw new Unsupported(`identifier ${id}`);
    p++;
    const f = toks[p++];
    if (f?.t !== "id") throw new Unsupported("Math member");
    const name = f.v;
    const a = args(f32 || name === "fround");
    const one = (): Node => {
      if (a.length !== 1) throw new Unsupported(`Math.${name} arity`);
      return a[0]!;
    };
    if (name === "fround") return b.un("fround", one());
    const u = UNARY_MATH[name];
    if (u !== undefined) return fold(b.un(u, one()));
    if (name === "min" || name === "max") {
      if (a.length !== 2) throw new Unsupported(`Math.${name} arity`);
      return b.bin(name, a[0]!, a[1]!);
    }
    if (name === "round") {
      // Math.round: ⌊x⌋ + 1 where x − ⌊x⌋ ≥ ½ (exact), a zero result taking x's sign
      const x = one();
      const fl = b.un("floor", x);
      const r = b.sel(b.cmp("ge", b.sub(x, fl), b.c(0.5)), b.add(fl, b.c(1)), fl);
      return b.sel(b.cmp("eq", r, b.c(0)), b.mul(x, b.c(0)), r);
    }
    if (name === "imul" || name === "clz32") throw new Unsupported(`Math.${name}`);
    if (typeof (Math as unknown as Record<string, unknown>)[name] !== "function") throw new Unsupported(`Math.${name}`);
    return f32 && hasRecipe(name, a.length) ? b.fn(name, a) : b.ext(name, a);
  }
  /** Constant folding of operations on literals (JS evaluates them the same way). */
  function fold(n: Node): Node {
    if (n.k === "un" && n.a.k === "c") {
      const x = n.a.v;
      const v = n.op === "neg" ? -x : n.op === "fround" ? Math.fround(x) : Math[n.op](x);
      return b.c(v);
    }
    if (n.k === "bin" && n.a.k === "c" && n.b.k === "c") {
      const x = n.a.v, y = n.b.v;
      return b.c(n.op === "add" ? x + y : n.op === "sub" ? x - y : n.op === "mul" ? x * y : n.op === "div" ? x / y : Math[n.op](x, y));
    }
    return n;
  }

  // statements: const tN = <expr>;  (split on the fusion pass's newlines)
  for (;;) {
    const t = peek();
    if (t?.t === "id" && t.v === "const") {
      p++;
      const name = toks[p++];
      if (name?.t !== "id") throw new Unsupported("statement");
      expect("=");
      const e = num(ternary(false));
      expect(";");
      vars.set(name.v, e);
    } else break;
  }
  const root = num(ternary(f32Top));
  if (p !== toks.length) throw new Unsupported("trailing tokens");
  return { b, root, nIn };
}
