/**
 * Ring invariants under random churn (issue 7, item 2; docs/reliability.md): random schedules of
 * joins, leaves, crashes, stores, message loss and delay over the memory testnet; Zave's invariants
 * after every stabilization round, every accepted entry back on its replicas at every settle. A
 * failure prints fast-check's seed and the shrunk schedule; replay with WISP_FUZZ_SEED=<seed>.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChurnRun, type ChurnStats, emptyStats } from "./churn-runner";
import { churnCase } from "./churn-schedule";
import { cases, FULL, FUZZ_SEED, fuzzTimeout } from "./fuzz-config";

const limits = FULL ? { minSize: 8, maxSize: 24, maxOps: 60 } : { minSize: 8, maxSize: 16, maxOps: 30 };
const RUNS = cases(30, 100);

describe("Chord ring invariants under churn", () => {
  it(
    `hold after every stabilization round, and every entry gets its replicas back (${RUNS} schedules)`,
    async () => {
      const total = emptyStats();
      await fc.assert(
        fc.asyncProperty(churnCase(limits), async (c) => {
          const run = await ChurnRun.start(c);
          try {
            await run.run(c.ops);
          } finally {
            await run.close();
          }
          for (const key of Object.keys(total) as (keyof ChurnStats)[]) total[key] += run.stats[key];
        }),
        { numRuns: RUNS, seed: FUZZ_SEED },
      );
      console.log(`churn: ${RUNS} schedules, seed ${FUZZ_SEED}: ${JSON.stringify(total)}`);
      expect(total.checks).toBeGreaterThan(RUNS);
      expect(total.crashes + total.leaves).toBeGreaterThan(0);
      expect(total.stores).toBeGreaterThan(0);
    },
    fuzzTimeout(120_000, 1_200_000),
  );
});
