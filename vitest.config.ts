import { defineConfig } from "vitest/config";

const browserTests = "webclient/test/e2e/**/*.test.ts";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./scripts/summary-reporter.ts"],
    // The browser test runs after everything else, alone: its UI deadlines should not compete for
    // the two cores with the crash soak's and the flood's node processes.
    projects: [
      {
        extends: true,
        test: {
          name: "wisp",
          include: ["{lib,node,webclient}/test/**/*.test.ts", "bench/test/**/*.test.ts"],
          exclude: [browserTests],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        // One browser test file at a time: each starts its own nodes and Chromium, and the failover
        // deadlines (issue 13) are about the app, not about sharing two cores with another browser.
        test: {
          name: "browser",
          include: [browserTests],
          sequence: { groupOrder: 1 },
          fileParallelism: false,
        },
      },
    ],
  },
});
