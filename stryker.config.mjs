// Mutation testing (Stryker): small realistic bugs are put into src/core, src/transforms and
// src/compat one at a time; a mutant the suite lets through ("survived") is a missing test
// or an equivalent mutant. Run with `npm run test:mutation` (all files, incremental) or
// `npm run test:mutation -- --mutate src/compat/tape.ts` (one file). Scores and the triage
// of every survivor live in docs/mutation.md.
import os from "node:os";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts", related: false },
  // Each test records which mutants it executes, so a mutant runs only the tests that reach it.
  coverageAnalysis: "perTest",
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.stryker.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    "src/core/**/*.ts",
    "src/transforms/**/*.ts",
    "src/compat/**/*.ts",
    // The backend's kernels run in worker threads, which never see Stryker's active-mutant
    // switch (it is a global of the calling thread): its mutants would survive falsely.
    // Kernels are checked against float64 references in test/backend instead.
    "!src/core/backend/**",
  ],
  // Incremental: results of unchanged mutants/tests are reused from the file below. It is
  // machine state (it churns with every edit of src/ or test/), so it is not committed.
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  // Module-level ("static") mutants would rerun the whole suite each; skip them. Their code
  // runs at import time, so a broken one fails every test that imports the module anyway.
  ignoreStatic: true,
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? Math.max(1, os.availableParallelism() - 1)),
  // The first (coverage) run is the whole suite; on a loaded 2-core machine it can take 5+ minutes.
  dryRunTimeoutMinutes: 30,
  timeoutMS: 30_000,
  timeoutFactor: 2.5,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 90, low: 85, break: null },
  // docs/ stays: tests run the code blocks of docs/*.md and check docs/undocumented.txt.
  ignorePatterns: ["bench/**", "dist/**", "docs/api/**", "reports/**", "*.log"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
