// numpy.einsum in full: parses the subscripts (letters, "...", or numpy's sublist form) into
// integer labels, takes diagonals of repeated labels, drops broadcast size-1 axes, sums labels no
// one else needs, then contracts operands pairwise in a greedy order, one dot_general per pair.
import { ShapeError, ValueError, fail } from "../errors.js";
import { describeValue, fmtShape } from "../shape.js";
import type { ArrayLike, Tensor } from "../tensor.js";
import * as lax from "../lax.js";
import { coerce, tensor } from "./convert.js";

/** One operand's subscripts in numpy's sublist form: label ints in [0, 52), and "..." for an ellipsis. */
export type EinsumSublist = readonly (number | "...")[];

const API = "numpy.einsum";
/** The ellipsis inside a parsed term; real labels are letter char codes (≥ 65), ellipsis axes ≥ 1000. */
const ELL = -1;
const ELL_BASE = 1000;

/** A tensor with one label per axis. */
interface Op {
  t: Tensor;
  labels: number[];
}

/**
 * Einstein summation in numpy's full form: sums the product of the operands over every label
 * missing from the output. Supports the string form (`"ij,jk->ik"`), implicit output (no "->":
 * the ellipsis axes, then the labels that appear exactly once, in ASCII order), "..." for
 * broadcast leading/trailing axes, repeated labels within one operand (`"ii->i"` the diagonal,
 * `"ii"` the trace, `"iij->ij"`), size-1 axes broadcast against the label's size elsewhere, and
 * the sublist form `einsum(a, [0, 1], b, [1, 2], [0, 2])` (ints 0–25 are "A"–"Z", 26–51
 * "a"–"z", "..." an ellipsis). Three or more operands are contracted pairwise in a greedy order
 * (smallest intermediate first), each pair one dot_general. Differentiable, batchable, jittable.
 * Ints stay int32 (exact, wrapping), bools give "any" (a bool result).
 * Mirrors numpy.einsum / jax.numpy.einsum (an ellipsis left out of an explicit output is summed,
 * as JAX does; numpy raises); no `optimize` / `out` / `dtype` arguments.
 * @param spec - the subscripts: letters per axis, operands separated by ",", optional "->" output.
 * @param operands - one array per operand term.
 * @returns a tensor with one axis per output label, in the operands' promoted dtype.
 * @throws ValueError for a bad subscript, an operand count that differs from the terms, a label
 *   repeated in the output or missing from the inputs; ShapeError when a term's rank does not
 *   match its operand, a label's sizes disagree (other than 1), or a repeated label's sizes
 *   differ within one operand.
 * @example
 * ```ts
 * np.einsum("ij,jk->ik", [[1, 2]], [[3], [4]]); // → [[11]]
 * np.einsum("ii", [[1, 2], [3, 4]]); // → 5
 * np.einsum("ii->i", [[1, 2], [3, 4]]); // → [1, 4]
 * np.einsum("...ij->...ji", np.ones([5, 2, 3])).shape; // → [5, 3, 2]
 * np.einsum(np.ones([2, 3]), [0, 1], np.ones([3, 4]), [1, 2], [0, 2]).shape; // → [2, 4]
 * ```
 */
export function einsum(spec: string, ...operands: ArrayLike[]): Tensor;
export function einsum(...args: (ArrayLike | EinsumSublist)[]): Tensor;
export function einsum(...args: unknown[]): Tensor {
  const [terms, out, arrays, shown] = typeof args[0] === "string" ? parseString(args[0], args.slice(1)) : parseSublists(args);
  if (arrays.length === 0) throw fail(ValueError, `${API}: no operands; pass at least one array after the subscripts.`);
  if (terms.length !== arrays.length) throw fail(ValueError, `${API}: "${shown}" names ${terms.length} operand${terms.length === 1 ? "" : "s"} but ${arrays.length} ${arrays.length === 1 ? "was" : "were"} given.`);
  const ts0 = arrays.map((x) => tensor(x as ArrayLike, "einsum"));
  let ts = coerce(ts0, "einsum");
  const isBool = ts[0]!.dtype === "bool";
  // bools contract as int32 counts of a∧b, "any" being count ≠ 0
  if (isBool) ts = ts.map((t) => lax.convert(t, "int32"));
  const ops = expandEllipses(terms, ts, shown);
  const nEll = Math.max(0, ...ops.map((o) => o.labels.filter((l) => l >= ELL_BASE).length));
  const outLabels = outputLabels(out, ops, nEll, shown);
  ops.forEach((o) => checkRepeats(o, shown));
  const sizes = labelSizes(ops, shown);
  let cur = ops.map((o) => broadcastSizeOne(diagonals(o), sizes));
  cur = cur.map((o, i) => sumUnneeded(o, needed(outLabels, cur, [i])));
  while (cur.length > 1) {
    const [i, j] = greedyPair(cur, outLabels, sizes);
    const rest = cur.filter((_, k) => k !== i && k !== j);
    const keep = new Set([...outLabels, ...rest.flatMap((o) => o.labels)]);
    const a = sumUnneeded(cur[i]!, new Set([...keep, ...cur[j]!.labels]));
    const b = sumUnneeded(cur[j]!, new Set([...keep, ...a.labels]));
    cur = [...rest, contract(a, b, keep)];
  }
  const last = sumUnneeded(cur[0]!, new Set(outLabels));
  const r = lax.transpose(last.t, outLabels.map((l) => last.labels.indexOf(l)));
  return isBool ? lax.ne(r, lax.scalarLike(r, 0)) : r;
}

// ------------------------------------------------------------------ parsing

type Parsed = [terms: number[][], out: number[] | null, arrays: unknown[], shown: string];

const letterCode = (c: string): number | null => (/^[A-Za-z]$/.test(c) ? c.charCodeAt(0) : null);
const labelName = (l: number): string => (l >= ELL_BASE ? "..." : String.fromCharCode(l));

/** "ij,jk->ik" into label lists; whitespace is ignored. */
function parseString(spec: string, arrays: unknown[]): Parsed {
  const s = spec.replace(/\s+/g, "");
  const parts = s.split("->");
  if (parts.length > 2) throw fail(ValueError, `${API}: "${spec}" has more than one "->"; write "inputs->output".`);
  const term = (t: string): number[] => {
    const labels: number[] = [];
    for (let i = 0; i < t.length; i++) {
      if (t.startsWith("...", i)) {
        if (labels.includes(ELL)) throw fail(ValueError, `${API}: "${spec}" has more than one "..." in the term "${t}"; an operand has at most one ellipsis.`);
        labels.push(ELL);
        i += 2;
        continue;
      }
      const c = letterCode(t[i]!);
      if (c === null) throw fail(ValueError, `${API}: "${spec}" contains ${JSON.stringify(t[i])}; subscripts are letters a-z, A-Z, "...", "," and "->".`);
      labels.push(c);
    }
    return labels;
  };
  return [parts[0]!.split(",").map(term), parts.length === 2 ? term(parts[1]!) : null, arrays, spec];
}

/** numpy's sublist form (op0, sub0, op1, sub1, …, [out]): label ints 0–25 are "A"–"Z", 26–51 "a"–"z". */
function parseSublists(args: unknown[]): Parsed {
  const arrays: unknown[] = [];
  const terms: number[][] = [];
  const sub = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v)) throw fail(ValueError, `${API}: in the sublist form ${what} must be an array of label ints in [0, 52) or "...", got ${describeValue(v)}. Call einsum(a, [0, 1], b, [1, 2], [0, 2]) or einsum("ij,jk->ik", a, b).`);
    let ell = false;
    return v.map((l) => {
      if (l === "...") {
        if (ell) throw fail(ValueError, `${API}: ${what} has more than one "..."; an operand has at most one ellipsis.`);
        ell = true;
        return ELL;
      }
      if (typeof l !== "number" || !Number.isInteger(l) || l < 0 || l >= 52) throw fail(ValueError, `${API}: ${what} holds ${describeValue(l)}; sublist labels are ints in [0, 52) or "...".`);
      return l < 26 ? 65 + l : 97 + l - 26;
    });
  };
  let i = 0;
  for (; i + 1 < args.length; i += 2) {
    arrays.push(args[i]);
    terms.push(sub(args[i + 1], `the sublist of operand ${i / 2}`));
  }
  const out = i < args.length ? sub(args[i], "the output sublist") : null;
  const show = (t: number[]) => t.map((l) => (l === ELL ? "..." : String.fromCharCode(l))).join("");
  return [terms, out, arrays, `${terms.map(show).join(",")}${out ? `->${show(out)}` : ""}`];
}

/** Replaces each term's "..." by the labels of its axes, right-aligned across operands (numpy broadcasting). */
function expandEllipses(terms: number[][], ts: Tensor[], shown: string): Op[] {
  return terms.map((term, i) => {
    const t = ts[i]!;
    const named = term.filter((l) => l !== ELL).length;
    const hasEll = term.includes(ELL);
    if (hasEll ? t.ndim < named : t.ndim !== named) {
      throw fail(ShapeError, `${API}: operand ${i} has shape ${fmtShape(t.shape)} (rank ${t.ndim}) but its subscripts in "${shown}" name ${named} ax${named === 1 ? "is" : "es"}${hasEll ? " plus an ellipsis" : ""}. ${hasEll ? "Give the operand at least that many axes." : 'Write one label per axis, or "..." for the extra axes.'}`);
    }
    const e = t.ndim - named;
    return { t, labels: term.flatMap((l) => (l === ELL ? Array.from({ length: e }, (_, k) => ELL_BASE + e - 1 - k) : [l])) };
  });
}

/**
 * The output labels: explicit ones (its "..." are all ellipsis axes), or numpy's implicit output:
 * the ellipsis axes, then the labels appearing exactly once in ASCII order.
 */
function outputLabels(out: number[] | null, ops: Op[], nEll: number, shown: string): number[] {
  // an ellipsis axis is labelled by its distance from the ellipsis' right end (right-aligned)
  const ell = Array.from({ length: nEll }, (_, k) => ELL_BASE + nEll - 1 - k);
  const all = ops.flatMap((o) => o.labels);
  if (out === null) {
    const count = new Map<number, number>();
    for (const l of all) count.set(l, (count.get(l) ?? 0) + 1);
    return [...ell, ...[...count.keys()].filter((l) => l < ELL_BASE && count.get(l) === 1).sort((a, b) => a - b)];
  }
  const labels = out.flatMap((l) => (l === ELL ? ell : [l]));
  labels.forEach((l, k) => {
    if (labels.indexOf(l) !== k) throw fail(ValueError, `${API}: the output of "${shown}" names "${labelName(l)}" more than once; each output label appears once (use "ii->i" for a diagonal).`);
    if (l < ELL_BASE && !all.includes(l)) throw fail(ValueError, `${API}: the output label "${labelName(l)}" of "${shown}" is in no input term; every output label must label some input axis.`);
  });
  return labels;
}

// ------------------------------------------------------------------ per-operand steps

/** Each label's size across operands: sizes other than 1 must agree (1 broadcasts). */
function labelSizes(ops: Op[], shown: string): Map<number, number> {
  const sizes = new Map<number, number>();
  ops.forEach((o, i) =>
    o.labels.forEach((l, ax) => {
      const n = o.t.shape[ax]!;
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, n);
      else if (n !== 1 && n !== prev) {
        throw fail(ShapeError, `${API}: label "${labelName(l)}" of "${shown}" has size ${prev} in one place and ${n} in operand ${i} (shapes ${ops.map((p) => fmtShape(p.t.shape)).join(", ")}). A label's sizes must be equal, or 1 to broadcast.`);
      }
    }),
  );
  return sizes;
}

/** A label repeated within one operand takes a diagonal: its axes must have one size (no broadcasting). */
function checkRepeats(o: Op, shown: string): void {
  o.labels.forEach((l, i) => {
    const j = o.labels.indexOf(l);
    if (j !== i && o.t.shape[i] !== o.t.shape[j]) {
      throw fail(ShapeError, `${API}: label "${labelName(l)}" repeats in an operand of shape ${fmtShape(o.t.shape)} for "${shown}" with sizes ${o.t.shape[j]} and ${o.t.shape[i]}; a repeated label takes a diagonal, so its axes must have equal sizes.`);
    }
  });
}

/**
 * Takes the diagonal of every label repeated within the operand: its k axes (size n) moved last
 * and flattened to n^k, where the diagonal is the strided slice 0, s, 2s, … with s = Σ_{m<k} n^m.
 */
function diagonals(o: Op): Op {
  let { t, labels } = o;
  for (;;) {
    const l = labels.find((x, i) => labels.indexOf(x) !== i);
    if (l === undefined) return { t, labels };
    const axes = labels.flatMap((x, i) => (x === l ? [i] : []));
    const n = t.shape[axes[0]!]!;
    const others = labels.flatMap((x, i) => (x === l ? [] : [i]));
    const k = axes.length;
    const moved = lax.transpose(t, [...others, ...axes]);
    const lead = others.map((a) => t.shape[a]!);
    const flat = lax.reshape(moved, [...lead, n ** k]);
    let stride = 0;
    for (let m = 0; m < k; m++) stride += n ** m;
    t = lax.slice(flat, [...lead.map(() => 0), 0], [...lead, n ** k], [...lead.map(() => 1), stride]);
    labels = [...others.map((a) => labels[a]!), l];
  }
}

/** Drops a size-1 axis whose label is larger elsewhere: the operand is constant along it (broadcast). */
function broadcastSizeOne(o: Op, sizes: Map<number, number>): Op {
  const drop = o.labels.map((l, i) => o.t.shape[i] === 1 && sizes.get(l) !== 1);
  if (!drop.includes(true)) return o;
  return { t: lax.reshape(o.t, o.t.shape.filter((_, i) => !drop[i])), labels: o.labels.filter((_, i) => !drop[i]) };
}

/** The labels some operand other than those at `skip` has, plus the output's. */
const needed = (outLabels: number[], ops: Op[], skip: number[]): Set<number> => new Set([...outLabels, ...ops.filter((_, i) => !skip.includes(i)).flatMap((o) => o.labels)]);

/** Sums the axes whose labels are not in `keep`. */
function sumUnneeded(o: Op, keep: Set<number>): Op {
  const axes = o.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (axes.length === 0) return o;
  return { t: lax.sum(o.t, axes), labels: o.labels.filter((l) => keep.has(l)) };
}

// ------------------------------------------------------------------ contraction

/** Labels of the product of a and b: shared labels still needed (batch), then a's, then b's own. */
function pairLabels(a: number[], b: number[], keep: Set<number>): [batch: number[], contracted: number[], result: number[]] {
  const shared = a.filter((l) => b.includes(l));
  const batch = shared.filter((l) => keep.has(l));
  const contracted = shared.filter((l) => !keep.has(l));
  return [batch, contracted, [...batch, ...a.filter((l) => !shared.includes(l)), ...b.filter((l) => !shared.includes(l))]];
}

/**
 * The pair to contract next, as opt_einsum's greedy path: the one whose result is smallest
 * relative to its inputs (size(result) − size(a) − size(b)), the first such pair on ties.
 */
function greedyPair(ops: Op[], outLabels: number[], sizes: Map<number, number>): [number, number] {
  const size = (ls: number[]) => ls.reduce((p, l) => p * sizes.get(l)!, 1);
  let best: [number, number] = [0, 1];
  let bestCost = Infinity;
  for (let i = 0; i < ops.length; i++) {
    for (let j = i + 1; j < ops.length; j++) {
      const keep = needed(outLabels, ops, [i, j]);
      const a = ops[i]!.labels.filter((l) => keep.has(l) || ops[j]!.labels.includes(l));
      const b = ops[j]!.labels.filter((l) => keep.has(l) || a.includes(l));
      const cost = size(pairLabels(a, b, keep)[2]) - size(ops[i]!.labels) - size(ops[j]!.labels);
      if (cost < bestCost) [best, bestCost] = [[i, j], cost];
    }
  }
  return best;
}

/** One dot_general: shared labels in `keep` are batch axes, the other shared ones are summed. */
function contract(a: Op, b: Op, keep: Set<number>): Op {
  const [batch, contracted, labels] = pairLabels(a.labels, b.labels, keep);
  const ax = (o: Op, ls: number[]) => ls.map((l) => o.labels.indexOf(l));
  const t = lax.dotGeneral(a.t, b.t, { contract: [ax(a, contracted), ax(b, contracted)], batch: [ax(a, batch), ax(b, batch)] });
  return { t, labels };
}
