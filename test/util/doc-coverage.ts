// Which public names are documented: every export of "tapir" and "tapir/compat" (namespaces and
// class members included) must carry a TSDoc summary and an @example (docs/ARCHITECTURE.md).
import { join } from "node:path";
import ts from "typescript";

export interface NameDoc {
  name: string;
  summary: boolean;
  example: boolean;
}

const ROOT = join(import.meta.dirname, "..", "..");
export const ENTRIES = { tapir: join(ROOT, "src", "index.ts"), "tapir/compat": join(ROOT, "src", "compat", "index.ts") };

/** Every public name of both entry points with whether it has a summary and an example. */
export function publicNames(): NameDoc[] {
  const program = ts.createProgram(Object.values(ENTRIES), { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: ["node"] });
  const checker = program.getTypeChecker();
  const out: NameDoc[] = [];
  const seen = new Set<ts.Symbol>();
  const resolve = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const isValue = (e: ts.Symbol) => (resolve(e).flags & (ts.SymbolFlags.Value | ts.SymbolFlags.Class)) !== 0;
  const docOf = (s: ts.Symbol): Omit<NameDoc, "name"> => ({
    summary: ts.displayPartsToString(s.getDocumentationComment(checker)).trim().length > 0,
    example: s.getJsDocTags(checker).some((t) => t.name === "example"),
  });
  const visit = (prefix: string, sym: ts.Symbol): void => {
    const s = resolve(sym);
    const name = prefix + sym.getName();
    const isNamespace = (s.flags & ts.SymbolFlags.ValueModule) !== 0 || (s.flags & ts.SymbolFlags.NamespaceModule) !== 0;
    if (isNamespace) {
      for (const e of checker.getExportsOfModule(s)) if (isValue(e)) visit(`${name}.`, e);
      return;
    }
    if (seen.has(s)) return; // a re-export (tapir/compat's Tensor) is documented once
    seen.add(s);
    out.push({ name, ...docOf(s) });
    if (s.flags & ts.SymbolFlags.Class) {
      const type = checker.getDeclaredTypeOfSymbol(s);
      for (const m of checker.getPropertiesOfType(type)) {
        const mn = m.getName();
        if (mn.startsWith("_") || mn.startsWith("#") || mn.startsWith("__@") || mn.startsWith("~") || seen.has(m)) continue;
        const decl = m.declarations?.[0];
        // members of Error and other library bases are documented by their library
        if (!decl || /node_modules|[\\/]lib\.[^\\/]*\.d\.ts$/.test(decl.getSourceFile().fileName)) continue;
        if (ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
        // internal members are left out of the reference too (typedoc.json: excludeInternal)
        if (m.getJsDocTags(checker).some((t) => t.name === "internal" || t.name === "hidden")) continue;
        seen.add(m);
        out.push({ name: `${name}#${mn}`, ...docOf(m) });
      }
    }
  };
  for (const [mod, file] of Object.entries(ENTRIES)) {
    const src = program.getSourceFile(file);
    const msym = src && checker.getSymbolAtLocation(src);
    if (!msym) throw new Error(`doc coverage: cannot read the exports of ${file}`);
    for (const e of checker.getExportsOfModule(msym)) {
      // type-only exports (interfaces, aliases) are documented where they matter; values are the API
      if (!isValue(e)) continue;
      visit(`${mod}:`, e);
    }
  }
  return out;
}

export const ALLOWLIST = join(ROOT, "docs", "undocumented.txt");

/** The names still missing a summary or an example, one a line (what docs/undocumented.txt holds). */
export function undocumented(names: NameDoc[]): string[] {
  return names.filter((n) => !n.summary || !n.example).map((n) => n.name).sort();
}
