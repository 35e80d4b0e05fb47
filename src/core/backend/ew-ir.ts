// The expression IR shared by the elementwise compilers: a DAG of float64 operations on one
// element, built with hash-consing (a node computed twice is one node). Every value is a JS
// number (a float64), exactly as the scalar JS kernels compute it, so a program evaluated node by
// node in float64 — by the JS emitter below, or two lanes at a time by the Wasm compiler
// (ew-wasm.ts) — gives the same bits on both paths. `fround` nodes are where float32 statements
// round. Comparisons and connectives give booleans (masks), used only as conditions.

/** A value (float64) or a boolean condition. */
export type Node =
  | { readonly k: "c"; readonly v: number; readonly id: number }
  | { readonly k: "in"; readonly i: number; readonly id: number }
  | { readonly k: "bin"; readonly op: BinOp; readonly a: Node; readonly b: Node; readonly id: number }
  | { readonly k: "un"; readonly op: UnOp; readonly a: Node; readonly id: number }
  | { readonly k: "cmp"; readonly op: CmpOp; readonly a: Node; readonly b: Node; readonly id: number }
  | { readonly k: "logic"; readonly op: "and" | "or"; readonly a: Node; readonly b: Node; readonly id: number }
  | { readonly k: "not"; readonly a: Node; readonly id: number }
  | { readonly k: "sel"; readonly c: Node; readonly a: Node; readonly b: Node; readonly id: number }
  /** A vectorised math function of vecmath.ts (float32 accuracy), by name. */
  | { readonly k: "fn"; readonly name: string; readonly a: readonly Node[]; readonly id: number }
  /** `Math[name](…)` itself, one lane at a time (JS: the call; Wasm: an imported call). */
  | { readonly k: "ext"; readonly name: string; readonly a: readonly Node[]; readonly id: number }
  /** c ? a : b where c is rarely true: Wasm computes `a` only when some lane needs it. */
  | { readonly k: "rare"; readonly c: Node; readonly a: Node; readonly b: Node; readonly id: number }
  /**
   * Exact bit operations: exponent/mantissa of a positive normal float64, 2^k for an integer k
   * in [-1022, 1023] (pow2) or, as a float32, in [-126, 127] (pow2f); flush-to-zero (ew-flush.ts):
   * ftz32 is x rounded to float32 with a subnormal result made ±0, ftz64 a subnormal float64 made ±0.
   */
  | { readonly k: "bits"; readonly op: BitsOp; readonly a: Node; readonly id: number };

export type BitsOp = "exponent" | "mantissa" | "pow2" | "pow2f" | "ftz32" | "ftz64";

export type BinOp = "add" | "sub" | "mul" | "div" | "min" | "max";
export type UnOp = "neg" | "abs" | "sqrt" | "floor" | "ceil" | "trunc" | "fround";
export type CmpOp = "lt" | "le" | "gt" | "ge" | "eq" | "ne";

/** Whether a node is a condition (boolean) rather than a number. */
export const isBool = (n: Node): boolean => n.k === "cmp" || n.k === "logic" || n.k === "not";

/** A node builder with hash-consing; `nodes` lists every node in creation (topological) order. */
export class Builder {
  readonly nodes: Node[] = [];
  private readonly byKey = new Map<string, Node>();

  private make(key: string, mk: (id: number) => Node): Node {
    let n = this.byKey.get(key);
    if (n === undefined) {
      n = mk(this.nodes.length);
      this.nodes.push(n);
      this.byKey.set(key, n);
    }
    return n;
  }
  c(v: number): Node {
    return this.make(`c${Object.is(v, -0) ? "-0" : String(v)}`, (id) => ({ k: "c", v, id }));
  }
  input(i: number): Node {
    return this.make(`in${i}`, (id) => ({ k: "in", i, id }));
  }
  bin(op: BinOp, a: Node, b: Node): Node {
    return this.make(`${op}(${a.id},${b.id})`, (id) => ({ k: "bin", op, a, b, id }));
  }
  un(op: UnOp, a: Node): Node {
    return this.make(`${op}(${a.id})`, (id) => ({ k: "un", op, a, id }));
  }
  cmp(op: CmpOp, a: Node, b: Node): Node {
    return this.make(`${op}(${a.id},${b.id})`, (id) => ({ k: "cmp", op, a, b, id }));
  }
  logic(op: "and" | "or", a: Node, b: Node): Node {
    return this.make(`${op}(${a.id},${b.id})`, (id) => ({ k: "logic", op, a, b, id }));
  }
  not(a: Node): Node {
    return this.make(`not(${a.id})`, (id) => ({ k: "not", a, id }));
  }
  sel(c: Node, a: Node, b: Node): Node {
    return this.make(`sel(${c.id},${a.id},${b.id})`, (id) => ({ k: "sel", c, a, b, id }));
  }
  fn(name: string, a: Node[]): Node {
    return this.make(`fn.${name}(${a.map((x) => x.id).join(",")})`, (id) => ({ k: "fn", name, a, id }));
  }
  ext(name: string, a: Node[]): Node {
    return this.make(`ext.${name}(${a.map((x) => x.id).join(",")})`, (id) => ({ k: "ext", name, a, id }));
  }
  rare(c: Node, a: Node, b: Node): Node {
    return this.make(`rare(${c.id},${a.id},${b.id})`, (id) => ({ k: "rare", c, a, b, id }));
  }
  bits(op: BitsOp, a: Node): Node {
    return this.make(`${op}(${a.id})`, (id) => ({ k: "bits", op, a, id }));
  }

  // sugar for the math recipes
  add = (a: Node, b: Node): Node => this.bin("add", a, b);
  sub = (a: Node, b: Node): Node => this.bin("sub", a, b);
  mul = (a: Node, b: Node): Node => this.bin("mul", a, b);
  div = (a: Node, b: Node): Node => this.bin("div", a, b);
  // float32 arithmetic: the float64 operation rounded once to float32 (what f32x4 computes)
  add32 = (a: Node, b: Node): Node => this.un("fround", this.bin("add", a, b));
  sub32 = (a: Node, b: Node): Node => this.un("fround", this.bin("sub", a, b));
  mul32 = (a: Node, b: Node): Node => this.un("fround", this.bin("mul", a, b));
  div32 = (a: Node, b: Node): Node => this.un("fround", this.bin("div", a, b));
  /** A float32 constant. */
  c32 = (v: number): Node => this.c(Math.fround(v));
  /** Horner in float32: c[0] + x·(c[1] + x·(… c[n-1])), every step rounded. */
  poly32(x: Node, c: readonly number[]): Node {
    let p = this.c32(c[c.length - 1]!);
    for (let i = c.length - 2; i >= 0; i--) p = this.add32(this.c32(c[i]!), this.mul32(x, p));
    return p;
  }
  /** Horner: c[0] + x·(c[1] + x·(… c[n-1])). */
  poly(x: Node, c: readonly number[]): Node {
    let p = this.c(c[c.length - 1]!);
    for (let i = c.length - 2; i >= 0; i--) p = this.add(this.c(c[i]!), this.mul(x, p));
    return p;
  }
  /** x where x is ±0 (keeps the sign of zero of odd functions), else y. */
  keepZero(x: Node, y: Node): Node {
    return this.sel(this.cmp("eq", x, this.c(0)), x, y);
  }
  /** JS truthiness of a number: neither ±0 nor NaN. */
  truthy(a: Node): Node {
    return isBool(a) ? a : this.logic("and", this.cmp("ne", a, this.c(0)), this.cmp("eq", a, a));
  }
}

const lit = (v: number): string => (Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : Object.is(v, -0) ? "-0" : String(v));
const JS_BIN: Record<BinOp, string> = { add: "+", sub: "-", mul: "*", div: "/", min: "", max: "" };
const JS_CMP: Record<CmpOp, string> = { lt: "<", le: "<=", gt: ">", ge: ">=", eq: "===", ne: "!==" };

/**
 * JS statements computing `root` in float64, the result expression last (the ScalarExpr shape:
 * statements, a newline, the result). Nodes read twice become `const _nK`; the rest are inlined,
 * so the branches of a condition are evaluated only where taken (same values: nothing has side
 * effects). `fn` nodes call `V.<name>` (vecmath's JS functions), `bits` nodes `V.<op>`.
 */
export function emitJs(root: Node, prefix = "_n"): string {
  const uses = new Map<number, number>();
  const count = (n: Node): void => {
    const u = (uses.get(n.id) ?? 0) + 1;
    uses.set(n.id, u);
    if (u > 1) return;
    for (const ch of children(n)) count(ch);
  };
  count(root);
  const stmts: string[] = [];
  const named = new Map<number, string>();
  const expr = (n: Node): string => {
    const nm = named.get(n.id);
    if (nm !== undefined) return nm;
    const s = code(n);
    if ((uses.get(n.id) ?? 0) > 1 && n.k !== "c" && n.k !== "in") {
      const name = `${prefix}${n.id}`;
      stmts.push(`const ${name} = ${s};`);
      named.set(n.id, name);
      return name;
    }
    return s;
  };
  const code = (n: Node): string => {
    switch (n.k) {
      case "c":
        return `(${lit(n.v)})`;
      case "in":
        return `a${n.i}`;
      case "bin":
        return n.op === "min" || n.op === "max" ? `Math.${n.op}(${expr(n.a)}, ${expr(n.b)})` : `(${expr(n.a)} ${JS_BIN[n.op]} ${expr(n.b)})`;
      case "un":
        return n.op === "neg" ? `(-${expr(n.a)})` : `Math.${n.op}(${expr(n.a)})`;
      case "cmp":
        return `(${expr(n.a)} ${JS_CMP[n.op]} ${expr(n.b)})`;
      case "logic":
        return `(${expr(n.a)} ${n.op === "and" ? "&&" : "||"} ${expr(n.b)})`;
      case "not":
        return `(!${expr(n.a)})`;
      case "sel":
      case "rare": {
        // evaluate the condition (and shared values) first, then only the branch taken
        const c = expr(n.c);
        return `(${c} ? ${expr(n.a)} : ${expr(n.b)})`;
      }
      case "fn":
        return `V.${n.name}(${n.a.map(expr).join(", ")})`;
      case "ext":
        return `Math.${n.name}(${n.a.map(expr).join(", ")})`;
      case "bits":
        return `V.${n.op}(${expr(n.a)})`;
    }
  };
  const result = expr(root);
  return stmts.length ? `${stmts.join("\n")}\n${result}` : result;
}

/** The operands of a node. */
export function children(n: Node): readonly Node[] {
  switch (n.k) {
    case "c":
    case "in":
      return [];
    case "bin":
    case "cmp":
    case "logic":
      return [n.a, n.b];
    case "un":
    case "not":
    case "bits":
      return [n.a];
    case "sel":
    case "rare":
      return [n.c, n.a, n.b];
    case "fn":
    case "ext":
      return n.a;
  }
}

/**
 * Every node reachable from `roots` through `edges` (default: the operands), in creation order,
 * which is topological (a node is made after its operands). Iterative: the DAGs of long fused
 * programs are thousands of nodes deep, past what a recursive walk's stack takes.
 */
export function reachable(roots: readonly Node[], edges: (n: Node) => readonly Node[] = children): Node[] {
  const seen = new Set<number>();
  const out: Node[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n.id)) continue;
    seen.add(n.id);
    out.push(n);
    for (const c of edges(n)) if (!seen.has(c.id)) stack.push(c);
  }
  return out.sort((x, y) => x.id - y.id);
}

/** A node like `n` built in `b` over the operands `ks` (in `children` order). */
export function remake(b: Builder, n: Node, ks: readonly Node[]): Node {
  switch (n.k) {
    case "c":
      return b.c(n.v);
    case "in":
      return b.input(n.i);
    case "bin":
      return b.bin(n.op, ks[0]!, ks[1]!);
    case "un":
      return b.un(n.op, ks[0]!);
    case "cmp":
      return b.cmp(n.op, ks[0]!, ks[1]!);
    case "logic":
      return b.logic(n.op, ks[0]!, ks[1]!);
    case "not":
      return b.not(ks[0]!);
    case "sel":
      return b.sel(ks[0]!, ks[1]!, ks[2]!);
    case "rare":
      return b.rare(ks[0]!, ks[1]!, ks[2]!);
    case "fn":
      return b.fn(n.name, [...ks]);
    case "ext":
      return b.ext(n.name, [...ks]);
    case "bits":
      return b.bits(n.op, ks[0]!);
  }
}

/**
 * `root` (a DAG of any builder) rebuilt in `b` with input i replaced by `inputs[i]`: how the
 * staged Wasm kernels (ew-stages.ts) join a stage's statements, each parsed on its own, into one
 * DAG. Iterative, in creation order.
 */
export function graft(b: Builder, root: Node, inputs: readonly Node[]): Node {
  const m = new Map<number, Node>();
  for (const n of reachable([root])) {
    let r: Node;
    if (n.k === "in") {
      const x = inputs[n.i];
      if (x === undefined) throw new RangeError(`graft: no node for input a${n.i}`);
      r = x;
    } else r = remake(b, n, children(n).map((c) => m.get(c.id)!));
    m.set(n.id, r);
  }
  return m.get(root.id)!;
}
