// Prints how many public names are documented; `--update` rewrites docs/undocumented.txt, the list
// of names still without a TSDoc summary and @example (the test lets it shrink, never grow).
import { writeFileSync } from "node:fs";
import { ALLOWLIST, publicNames, undocumented } from "../test/util/doc-coverage.js";

const names = publicNames();
const missing = undocumented(names);
const done = names.length - missing.length;
console.log(`${done} of ${names.length} public names have a summary and an example (${((100 * done) / names.length).toFixed(1)}%)`);
console.log(`${names.filter((n) => n.summary).length} have a summary, ${names.filter((n) => n.example).length} an example`);
if (process.argv.includes("--update")) {
  writeFileSync(ALLOWLIST, `# Public names still without a TSDoc summary and an @example.\n# The docs test fails when a name is missing here but undocumented (document it), or listed\n# here but documented (delete the line). Regenerate: npx tsx scripts/doc-coverage.ts --update\n${missing.join("\n")}\n`);
  console.log(`wrote ${missing.length} names to ${ALLOWLIST}`);
}
