// The IR ("jaxpr"): typed variables, equations, outputs; evaluation, type checking, printing.
//
// Printed grammar (JAX-like):
//   jaxpr    ::= "{ lambda " [constvars " ; "] invars " . let" NL eqn* "  in (" atoms ") }"
//   binder   ::= name ":" type          type ::= ("f32"|"f64"|"i32"|"bool") "[" dims "]"
//   eqn      ::= "    " binders " = " prim ["[" param (" " param)* "]"] atoms NL
//   atom     ::= name | literal         literal ::= number ":" type  (scalars only)
//   param    ::= key "=" value ; a param holding a jaxpr prints it on the following lines,
//                indented two more spaces (control flow and call primitives).
// A string param spanning lines (a fused kernel's statements) prints on one line, the lines
// joined by spaces. Variables are named a, b, …, z, ba, bb, … in order of first appearance.
import { SHORT, type DType } from "./dtype.js";
import { ShapeError, fail } from "./errors.js";
import { shapeEq } from "./shape.js";
import { Tensor, scalarTensor } from "./tensor.js";
import { bind, unowned, type Aval } from "./trace.js";
import type { Primitive } from "./primitive.js";

export class Var {
  constructor(readonly aval: Aval) {}
}

/** A scalar constant written inline. */
export class Lit {
  readonly aval: Aval;
  private cached: Tensor | null = null;
  constructor(
    readonly value: number,
    dtype: DType,
    /** the scalar tensor the literal was read from, handed back while it lives (a tape may watch it) */
    private readonly source: Tensor | null = null,
  ) {
    this.aval = { shape: [], dtype };
  }
  /** The tensor the literal was read from, if any (a scope freeing intermediates must keep it). */
  get sourceTensor(): Tensor | null {
    return this.source;
  }
  tensor(): Tensor {
    if (this.source !== null && !this.source.isDisposed) return this.source;
    // cached for the program's lifetime: never owned by a transform that might free it
    return (this.cached ??= unowned(() => scalarTensor(this.value, this.aval.dtype)));
  }
}

export type Atom = Var | Lit;

export interface Eqn {
  readonly prim: Primitive;
  readonly inputs: Atom[];
  readonly params: any;
  readonly outs: Var[];
}

export class Jaxpr {
  constructor(
    readonly constvars: Var[],
    readonly invars: Var[],
    readonly eqns: Eqn[],
    readonly outs: Atom[],
  ) {}
  toString(): string {
    return printJaxpr(this, new Namer(), 0);
  }
  get inAvals(): Aval[] {
    return this.invars.map((v) => v.aval);
  }
  get outAvals(): Aval[] {
    return this.outs.map((v) => v.aval);
  }
}

/** The tensors a jaxpr's literals were read from (what evaluating it reads besides its constants). */
export function literalSources(j: Jaxpr): Tensor[] {
  const out: Tensor[] = [];
  for (const e of j.eqns) for (const a of e.inputs) if (a instanceof Lit && a.sourceTensor !== null) out.push(a.sourceTensor);
  for (const a of j.outs) if (a instanceof Lit && a.sourceTensor !== null) out.push(a.sourceTensor);
  return out;
}

/**
 * A jaxpr with values for its constvars: what `makeJaxpr` returns. Print it (`toString()`) to
 * read the program; its IR fields are internal and may change between versions.
 *
 * @example
 * ```ts
 * const j = makeJaxpr((x: Tensor) => np.sin(x))(np.array(1));
 * String(j).includes("sin"); // → true
 * ```
 */
export class ClosedJaxpr {
  /** @hidden */
  constructor(
    /** @internal the program */
    readonly jaxpr: Jaxpr,
    /** @internal the values of its constvars */
    readonly consts: Tensor[],
  ) {}
  /**
   * The program in JAX's jaxpr notation.
   *
   * @example
   * ```ts
   * makeJaxpr((x: Tensor) => np.sin(x))(np.array(1)).toString().startsWith("{ lambda"); // → true
   * ```
   */
  toString(): string {
    return this.jaxpr.toString();
  }
}

const typeStr = (a: Aval) => `${SHORT[a.dtype]}[${a.shape.join(",")}]`;

class Namer {
  private names = new Map<Var, string>();
  name(v: Var): string {
    let n = this.names.get(v);
    if (!n) {
      let i = this.names.size;
      n = "";
      do {
        n = String.fromCharCode(97 + (i % 26)) + n;
        i = Math.floor(i / 26) - 1;
      } while (i >= 0);
      this.names.set(v, n);
    }
    return n;
  }
  atom(a: Atom): string {
    return a instanceof Lit ? `${fmtNum(a.value, a.aval.dtype)}:${typeStr(a.aval)}` : this.name(a);
  }
  binder(v: Var): string {
    return `${this.name(v)}:${typeStr(v.aval)}`;
  }
}

/** Float literals always show a point (2.0, -0.0); int and bool literals print as integers. */
function fmtNum(x: number, dtype: DType): string {
  if (dtype === "int32" || dtype === "bool") return String(x);
  if (Object.is(x, -0)) return "-0.0";
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.0` : String(x);
}

function fmtParam(v: unknown): string {
  if (Array.isArray(v)) return `(${v.map(fmtParam).join(",")}${v.length === 1 ? "," : ""})`;
  if (typeof v === "function") return v.name || "fn";
  if (v !== null && typeof v === "object") return "{…}";
  return typeof v === "string" ? v.replace(/\s*\n\s*/g, " ") : String(v);
}

function printJaxpr(j: Jaxpr, namer: Namer, indent: number): string {
  const pad = " ".repeat(indent);
  const consts = j.constvars.map((v) => namer.binder(v)).join(" ");
  const ins = j.invars.map((v) => namer.binder(v)).join(" ");
  const lines = [`${pad}{ lambda ${consts ? consts + " ; " : ""}${ins} . let`];
  for (const e of j.eqns) {
    // the binders are named before any sub-jaxpr, so names follow the printed order
    const lhs = e.outs.map((v) => namer.binder(v)).join(" ");
    const sub: string[] = [];
    const ps: string[] = [];
    for (const [k, v] of Object.entries(e.params ?? {})) {
      if (v instanceof Jaxpr || v instanceof ClosedJaxpr) {
        ps.push(`${k}=`);
        sub.push(`${pad}      ${k}=\n` + printJaxpr(v instanceof ClosedJaxpr ? v.jaxpr : v, namer, indent + 8));
      } else if (Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof ClosedJaxpr || x instanceof Jaxpr)) {
        v.forEach((x, i) => sub.push(`${pad}      ${k}[${i}]=\n` + printJaxpr(x instanceof ClosedJaxpr ? x.jaxpr : x, namer, indent + 8)));
      } else if (typeof v !== "function" && v !== undefined) ps.push(`${k}=${fmtParam(v)}`);
    }
    const rhs = `${e.prim.name}${ps.filter((p) => !p.endsWith("=")).length ? `[${ps.filter((p) => !p.endsWith("=")).join(" ")}]` : ""} ${e.inputs.map((a) => namer.atom(a)).join(" ")}`;
    lines.push(`${pad}    ${lhs} = ${rhs.trimEnd()}`);
    lines.push(...sub);
  }
  lines.push(`${pad}  in (${j.outs.map((a) => namer.atom(a)).join(", ")}) }`);
  return lines.join("\n");
}

/**
 * Evaluates a jaxpr by binding each equation under the current traces (so it runs eagerly,
 * or is re-traced by any transform). Intermediates are freed by the scope it runs in.
 */
export function evalJaxpr(j: Jaxpr, consts: readonly Tensor[], args: readonly Tensor[]): Tensor[] {
  const env = new Map<Var, Tensor>();
  j.constvars.forEach((v, i) => env.set(v, consts[i]!));
  j.invars.forEach((v, i) => env.set(v, args[i]!));
  const read = (a: Atom): Tensor => (a instanceof Lit ? a.tensor() : env.get(a)!);
  for (const e of j.eqns) {
    const outs = bind(e.prim, e.inputs.map(read), e.params);
    e.outs.forEach((v, k) => env.set(v, outs[k]!));
  }
  return j.outs.map(read);
}

/** Checks every equation's output types against its primitive's shape rule. */
export function typecheckJaxpr(j: Jaxpr): void {
  const env = new Set<Var>([...j.constvars, ...j.invars]);
  for (const e of j.eqns) {
    for (const a of e.inputs) if (a instanceof Var && !env.has(a)) throw fail(ShapeError, `typecheck: ${e.prim.name} reads an unbound variable`);
    const avals = e.prim.abstractEval(e.inputs.map((a) => a.aval), e.params);
    avals.forEach((a, i) => {
      const v = e.outs[i]!;
      if (a.dtype !== v.aval.dtype || !shapeEq(a.shape, v.aval.shape)) {
        throw fail(ShapeError, `typecheck: ${e.prim.name} produces ${typeStr(a)} but its binder says ${typeStr(v.aval)}`);
      }
      env.add(v);
    });
  }
  for (const a of j.outs) if (a instanceof Var && !env.has(a)) throw fail(ShapeError, `typecheck: output reads an unbound variable`);
}
