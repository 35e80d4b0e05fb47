// Pytrees: nestings of JS arrays, plain objects and null with tensors (or numbers) as leaves.
import { TreeError, fail } from "./errors.js";
import { Tensor } from "./tensor.js";

export type PyTree = unknown;

export type TreeDef =
  | { readonly kind: "leaf" }
  | { readonly kind: "none" }
  | { readonly kind: "array"; readonly children: readonly TreeDef[] }
  | { readonly kind: "object"; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

const LEAF: TreeDef = { kind: "leaf" };
const NONE: TreeDef = { kind: "none" };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object" || x instanceof Tensor || ArrayBuffer.isView(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * Flattens a pytree into its leaves and its structure. A pytree is any nesting of JS arrays, plain
 * objects and null / undefined (an empty node); everything else (tensors, numbers, strings…) is a
 * leaf. Object keys are visited in sorted order, as JAX sorts dict keys.
 * Mirrors jax.tree.flatten (jax.tree_util.tree_flatten).
 * @param tree - any value.
 * @returns `[leaves, treedef]`: the leaves in order, and a plain-object TreeDef for {@link unflatten}.
 * @example
 * ```ts
 * const [ls, def] = tree.flatten({ b: [1, 2], a: 3, c: null });
 * ls; // → [3, 1, 2]
 * tree.unflatten(def, [30, 10, 20]); // → {"a":30,"b":[10,20],"c":null}
 * ```
 */
export function flatten(tree: PyTree): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const rec = (t: unknown): TreeDef => {
    if (t === null || t === undefined) return NONE;
    if (Array.isArray(t)) return { kind: "array", children: t.map(rec) };
    if (isPlainObject(t)) {
      const keys = Object.keys(t).sort();
      return { kind: "object", keys, children: keys.map((k) => rec(t[k])) };
    }
    leaves.push(t);
    return LEAF;
  };
  const def = rec(tree);
  return [leaves, def];
}

/**
 * The leaves of a pytree in order (object keys sorted; null and undefined hold no leaf).
 * Mirrors jax.tree.leaves (jax.tree_util.tree_leaves).
 * @param tree - any value.
 * @returns a JS array of the leaves.
 * @example
 * ```ts
 * tree.leaves([1, { y: 3, x: 2 }, null]); // → [1, 2, 3]
 * ```
 */
export function leaves(tree: PyTree): unknown[] {
  return flatten(tree)[0];
}

export function numLeaves(def: TreeDef): number {
  switch (def.kind) {
    case "leaf":
      return 1;
    case "none":
      return 0;
    default:
      return def.children.reduce((n, c) => n + numLeaves(c), 0);
  }
}

/**
 * Rebuilds a pytree of a given structure from leaves in order, the inverse of {@link flatten}
 * (null nodes come back as null).
 * Mirrors jax.tree.unflatten (jax.tree_util.tree_unflatten; the treedef comes first, as there).
 * @param def - a TreeDef from flatten.
 * @param leafValues - one value per leaf of def.
 * @returns a pytree of def's structure with these leaves.
 * @throws TreeError when the number of values differs from def's leaf count.
 * @example
 * ```ts
 * const [, def] = tree.flatten([np.zeros([2]), { w: 1 }]);
 * tree.unflatten(def, [5, 6]); // → [5,{"w":6}]
 * ```
 */
export function unflatten(def: TreeDef, leafValues: readonly unknown[]): any {
  if (numLeaves(def) !== leafValues.length) {
    throw fail(TreeError, `tree.unflatten: the structure ${treeDefString(def)} has ${numLeaves(def)} leaves but ${leafValues.length} values were given.`);
  }
  let i = 0;
  const rec = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        return leafValues[i++];
      case "none":
        return null;
      case "array":
        return d.children.map(rec);
      case "object": {
        const o: Record<string, unknown> = {};
        d.keys.forEach((k, j) => (o[k] = rec(d.children[j]!)));
        return o;
      }
      default:
        return d satisfies never;
    }
  };
  return rec(def);
}

export function treeDefEqual(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "leaf" || a.kind === "none") return true;
  const bc = (b as typeof a).children;
  if (a.children.length !== bc.length) return false;
  if (a.kind === "object" && (b as typeof a).keys.join("\u0000") !== a.keys.join("\u0000")) return false;
  return a.children.every((c, i) => treeDefEqual(c, bc[i]!));
}

export function treeDefString(d: TreeDef): string {
  switch (d.kind) {
    case "leaf":
      return "*";
    case "none":
      return "null";
    case "array":
      return `[${d.children.map(treeDefString).join(", ")}]`;
    case "object":
      return `{${d.keys.map((k, i) => `${k}: ${treeDefString(d.children[i]!)}`).join(", ")}}`;
    default:
      return d satisfies never;
  }
}

/**
 * Applies fn to corresponding leaves of one or more pytrees of the same structure, and returns a
 * tree of that structure holding the results.
 * Mirrors jax.tree.map (jax.tree_util.tree_map).
 * @param fn - called as fn(leaf, ...leavesOfRest) for each leaf.
 * @param tree - the first tree, which sets the structure.
 * @param rest - further trees of exactly the same structure.
 * @returns a new pytree of tree's structure.
 * @throws TreeError when a tree in rest has another structure (unlike JAX, which accepts trees that
 *   merely have the first as a prefix).
 * @example
 * ```ts
 * tree.map((a, b) => a + b, { x: 1, y: [2] }, { x: 10, y: [20] }); // → {"x":11,"y":[22]}
 * tree.map((t) => t.mul(2), { w: np.ones([2]) }).w; // → [2, 2]
 * ```
 */
export function map(fn: (...xs: any[]) => unknown, tree: PyTree, ...rest: PyTree[]): any {
  const [ls, def] = flatten(tree);
  const others = rest.map((r, k) => {
    const [l2, d2] = flatten(r);
    if (!treeDefEqual(def, d2)) {
      throw fail(TreeError, `tree.map: tree ${k + 1} has structure ${treeDefString(d2)} but the first has ${treeDefString(def)}; pass trees of the same structure.`);
    }
    return l2;
  });
  return unflatten(def, ls.map((l, i) => fn(l, ...others.map((o) => o[i]))));
}

/**
 * Broadcasts a prefix tree (e.g. vmap's inAxes) to the leaves of `full`: returns one value
 * per leaf of `full`. A leaf of the prefix (or null) covers the whole subtree under it.
 */
export function broadcastPrefix(api: string, prefix: PyTree, full: PyTree, what: string): unknown[] {
  const out: unknown[] = [];
  const rec = (p: unknown, f: unknown, path: string): void => {
    const [fl] = flatten(f);
    const isNode = Array.isArray(p) || isPlainObject(p);
    if (!isNode) {
      for (let i = 0; i < fl.length; i++) out.push(p);
      return;
    }
    if (Array.isArray(p)) {
      if (!Array.isArray(f) || f.length !== p.length) {
        throw fail(TreeError, `${api}: ${what} ${path || "(root)"} is a list of ${p.length} but the value there is ${describe(f)}; make ${what} a prefix of the arguments' structure.`);
      }
      p.forEach((pc, i) => rec(pc, f[i], `${path}[${i}]`));
      return;
    }
    const po = p as Record<string, unknown>;
    if (!isPlainObject(f)) throw fail(TreeError, `${api}: ${what} ${path || "(root)"} is an object but the value there is ${describe(f)}.`);
    const keys = Object.keys(f).sort();
    const pk = Object.keys(po).sort();
    if (keys.join(",") !== pk.join(",")) throw fail(TreeError, `${api}: ${what} ${path || "(root)"} has keys {${pk.join(", ")}} but the value has {${keys.join(", ")}}.`);
    keys.forEach((k) => rec(po[k], f[k], `${path}.${k}`));
  };
  rec(prefix, full, "");
  return out;
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return `a list of ${x.length}`;
  if (x instanceof Tensor) return `a tensor ${x.dtype}[${x.shape.join(",")}]`;
  if (isPlainObject(x)) return `an object {${Object.keys(x).join(", ")}}`;
  return String(x);
}
