import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    typecheck: { enabled: false },
    // elementwise kernels reach Wasm on their first call (no tiering: elementwise.ts), so that every
    // test comparing the Wasm and JS paths compares them; test/backend/tiering.test.ts turns it on
    env: { TAPIR_TIER_CALLS: "0" },
  },
});
