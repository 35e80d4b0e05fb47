// tf.Module: a named container whose variables and submodules are found by walking its own
// properties, as TensorFlow's _flatten_module does: attribute names sorted, arrays in order and
// plain objects by sorted key, each value listed once, a module's own leaves before those of its
// submodules (each submodule walked in the order it was found).
import { ValueError } from "../index.js";
import { describe } from "./errors.js";
import { Variable } from "./variable.js";

/** TensorFlow's camel_to_snake: "MyModel" → "my_model", "HTTPServer" → "http_server". */
const snake = (s: string) => s.replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, "_$1").toLowerCase();
const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype;

/** The leaves of a property value: arrays in order, plain objects by sorted key (tf.nest.flatten). */
function leaves(x: unknown, out: unknown[]): void {
  if (Array.isArray(x)) for (const y of x) leaves(y, out);
  else if (isPlain(x)) for (const k of Object.keys(x).sort()) leaves(x[k], out);
  else out.push(x);
}

/** Every value `keep` selects under `root`, deduplicated, in TensorFlow's order. */
function walk(root: Module, keep: (x: unknown) => boolean): unknown[] {
  const found: unknown[] = [];
  const seen = new Set<unknown>([root]);
  const visit = (m: Module, stack: Module[]) => {
    const subs: Module[] = [];
    const recurse = !stack.includes(m);
    const own = m as unknown as Record<string, unknown>;
    for (const key of Object.keys(own).sort()) {
      const ls: unknown[] = [];
      leaves(own[key], ls);
      for (const l of ls) {
        if (seen.has(l)) continue;
        seen.add(l);
        if (keep(l)) found.push(l);
        if (recurse && l instanceof Module) subs.push(l);
      }
    }
    for (const s of subs) visit(s, [...stack, m]);
  };
  visit(root, []);
  return found;
}

/**
 * A named container of Variables and other Modules: subclass it and assign them to properties
 * (directly, or inside arrays and plain objects); `variables`, `trainableVariables` and
 * `submodules` find them by walking the properties recursively (sorted by property name, each
 * listed once, a module's own before its submodules'). Keras layers are not Modules in
 * TensorFlow 2.21 (Keras 3), so a layer held by a Module is not walked (use its own
 * `trainableVariables`). Mirrors `tf.Module`.
 *
 * @param name - the module's name (a valid identifier); default: the class name in snake_case.
 * @throws ValueError for a name that is not a valid identifier.
 * @example
 * ```ts
 * class Linear extends tf.Module {
 *   w = new tf.Variable([[1], [2]], { name: "w" });
 *   b = new tf.Variable([0], { name: "b" });
 *   apply(x: Tensor) { return tf.add(tf.matmul(x, this.w), this.b); }
 * }
 * const m = new Linear();
 * m.name; // → "linear"
 * m.trainableVariables.map((v) => v.name); // → ["b:0", "w:0"]
 * m.apply(tf.constant([[1, 1]])); // → [[3]]
 * ```
 */
export class Module {
  /**
   * The name given, or the class name in snake_case.
   *
   * @example
   * ```ts
   * new tf.Module({ name: "encoder" }).name; // → "encoder"
   * ```
   */
  readonly name: string;
  constructor(opts: { name?: string } = {}) {
    const name = opts.name ?? snake(new.target.name);
    if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ValueError({ message: `tf.Module: ${describe(name)} is not a valid module name. Module names must be valid identifiers (letters, digits and _, not starting with a digit).` });
    }
    this.name = name;
  }
  /**
   * Every Variable held by this module and its submodules, each once.
   *
   * @example
   * ```ts
   * class M extends tf.Module { v = [new tf.Variable(1, { trainable: false })]; }
   * new M().variables.length; // → 1
   * ```
   */
  get variables(): Variable[] {
    return walk(this, (x) => x instanceof Variable) as Variable[];
  }
  /**
   * The trainable ones among `variables`.
   *
   * @example
   * ```ts
   * class M extends tf.Module { v = [new tf.Variable(1, { trainable: false })]; }
   * new M().trainableVariables.length; // → 0
   * ```
   */
  get trainableVariables(): Variable[] {
    return walk(this, (x) => x instanceof Variable && x.trainable) as Variable[];
  }
  /**
   * The non-trainable ones among `variables`.
   *
   * @example
   * ```ts
   * class M extends tf.Module { v = [new tf.Variable(1, { trainable: false })]; }
   * new M().nonTrainableVariables.length; // → 1
   * ```
   */
  get nonTrainableVariables(): Variable[] {
    return walk(this, (x) => x instanceof Variable && !x.trainable) as Variable[];
  }
  /**
   * Every Module held by this module, recursively, each once (not the module itself).
   *
   * @example
   * ```ts
   * class Outer extends tf.Module { parts = { enc: new tf.Module({ name: "enc" }) }; }
   * new Outer().submodules.map((m) => m.name); // → ["enc"]
   * ```
   */
  get submodules(): Module[] {
    return walk(this, (x) => x instanceof Module) as Module[];
  }
}
