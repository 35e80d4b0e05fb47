// The suite as Stryker runs it against each mutant: everything except the backend tests, whose
// subject (src/core/backend) is not mutated and whose thread/memory checks only add time.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

export default mergeConfig(
  base,
  defineConfig({ test: { exclude: ["test/backend/**", "node_modules/**"] } }),
);
