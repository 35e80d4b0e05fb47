// The options-bag check shared by the functional API: a key a function does not take is a
// ValueError naming the key and the function, never silently ignored (a misspelt `keepDims`
// or an option JAX has and tapir does not would otherwise give the default result).
import { ValueError, fail } from "../errors.js";

/**
 * Throws ValueError when `opts` holds a key outside `allowed`; `api` is the function the user
 * called. Keys whose value is `undefined` count as absent (spreading partial options is fine).
 */
export function checkOptions(api: string, opts: object | undefined | null, allowed: readonly string[]): void {
  if (opts === undefined || opts === null) return;
  if (typeof opts !== "object") throw fail(ValueError, `${api}: options must be an object, got ${typeof opts} (${String(opts)}).`);
  for (const k in opts) {
    if (!allowed.includes(k) && (opts as Record<string, unknown>)[k] !== undefined) {
      const takes = allowed.length ? `it takes ${allowed.map((a) => `"${a}"`).join(", ")}` : "it takes no options";
      throw fail(ValueError, `${api}: unknown option "${k}"; ${takes}. Remove it or check its spelling.`);
    }
  }
}
