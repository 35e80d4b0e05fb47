// Where a primitive came from, for the unsupported-primitive error: the tapir function the
// user's code called (the outermost tapir frame) and the user's line that called it, read from a
// stack trace taken when the primitive is applied during a second trace (only on the error path).
import { setOpInterceptor } from "../../core/trace.js";

/** tapir's own code: this module's directory two levels up (src/) or the bundle's dist/. */
const here = import.meta.url.replace(/^file:\/\//, "");
const ROOT = /\/src\/export\/onnx\/[^/]+$/.test(here) ? here.replace(/export\/onnx\/[^/]+$/, "") : here.replace(/[^/]+$/, "");
const isOwn = (frame: string) => frame.replace(/file:\/\//, "").includes(ROOT);

/** "solve (called at /app/train.ts:12:5)" from a stack, or null when no user frame is found. */
export function siteOf(stack: string): string | null {
  const frames = stack.split("\n").slice(1).map((s) => s.trim()).filter((s) => s.startsWith("at "));
  const user = frames.findIndex((f) => !isOwn(f) && !f.includes("node:internal") && !f.includes("node_modules"));
  if (user <= 0) return null;
  const op = /^at (?:async )?(?:Object\.|Module\.|Function\.)?([\w$.]+) \(/.exec(frames[user - 1]!)?.[1];
  const where = /\(([^)]+)\)$/.exec(frames[user]!)?.[1] ?? frames[user]!.slice(3);
  return `${op ?? "a tapir op"} (called at ${where})`;
}

/** Runs `trace` with a hook noting where primitive `name` is first applied. */
export function findSite(name: string, trace: () => void): string | null {
  let site: string | null = null;
  const prev = setOpInterceptor((op) => {
    if (site === null && op.name === name) site = siteOf(new Error().stack ?? "");
    return op.apply(op.inputs);
  });
  try {
    trace();
  } catch {
    // the second trace is only for the message: its own failure changes nothing
  } finally {
    setOpInterceptor(prev);
  }
  return site;
}
