// Model.summary(): Keras 3's table — one row per layer with its name (type), output shape (the
// batch axis as None; "?" before the layer has run) and parameter count, then the totals with
// their size in bytes (Keras's readable_memory_size: 1024-based, two decimals).
import type { Variable } from "../variable.js";
import type { Layer } from "./layers.js";

const itemBytes = (v: Variable): number => ({ float64: 8, int64: 8, uint64: 8, float16: 2, bfloat16: 2, int16: 2, uint16: 2, int8: 1, uint8: 1, bool: 1 })[v.dtype as string] ?? 4;
const count = (vs: readonly Variable[]): number => vs.reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
const bytes = (vs: readonly Variable[]): number => vs.reduce((s, v) => s + itemBytes(v) * v.shape.reduce((a, b) => a * b, 1), 0);

/** Keras's readable_memory_size. */
export function memorySize(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(2)} ${units[i]}`;
}

/** "(None, 4)" from a recorded output shape (its batch axis shown as None). */
export function shapeCell(shape: readonly number[] | undefined): string {
  if (shape === undefined) return "?";
  const dims = shape.map((d, i) => (i === 0 ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

/** The summary text of `model` whose rows are `layers`, each with its recorded output shape. */
export function summaryText(name: string, layers: readonly Layer[], shapes: ReadonlyMap<Layer, readonly number[]>, model: Layer): string {
  const widths = [33, 24, 15];
  const row = (cells: string[], l: string, m: string, r: string): string =>
    l + cells.map((c, i) => ` ${i === 2 ? c.padStart(widths[i]! - 2) : c.padEnd(widths[i]! - 2)} `).join(m) + r;
  const rule = (l: string, c: string, m: string, r: string): string => l + widths.map((w) => c.repeat(w)).join(m) + r;
  const lines = [`Model: "${name}"`, rule("┏", "━", "┳", "┓"), row(["Layer (type)", "Output Shape", "Param #"], "┃", "┃", "┃"), rule("┡", "━", "╇", "┩")];
  layers.forEach((layer, i) => {
    lines.push(row([`${layer.name} (${layer.constructor.name})`, shapeCell(shapes.get(layer)), String(count(layer.variables))], "│", "│", "│"));
    if (i < layers.length - 1) lines.push(rule("├", "─", "┼", "┤"));
  });
  lines.push(rule("└", "─", "┴", "┘"));
  const all = model.variables;
  const trainable = model.trainableVariables;
  const frozen = model.nonTrainableVariables;
  lines.push(` Total params: ${count(all)} (${memorySize(bytes(all))})`);
  lines.push(` Trainable params: ${count(trainable)} (${memorySize(bytes(trainable))})`);
  lines.push(` Non-trainable params: ${count(frozen)} (${memorySize(bytes(frozen))})`);
  return lines.join("\n");
}
