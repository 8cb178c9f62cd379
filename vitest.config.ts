import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{lib,node,webclient}/test/**/*.test.ts", "bench/test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./scripts/summary-reporter.ts"],
  },
});
