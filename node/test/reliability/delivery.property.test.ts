/**
 * Issue 16, item 4: random joins, leaves, crashes, stores, retrieves and acknowledgements over the
 * memory testnet, with loss and delay. After every step each accepted message is retrievable
 * through any node until acknowledged or expired; in the end each one is delivered XOR NACKed.
 * A failure prints fast-check's seed and the shrunk schedule; replay with WISP_FUZZ_SEED=<seed>.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DeliveryRun, type DeliveryStats, emptyDeliveryStats } from "./delivery-runner";
import { deliveryCase } from "./delivery-schedule";
import { cases, FULL, FUZZ_SEED, fuzzTimeout } from "./fuzz-config";

const limits = FULL ? { minSize: 5, maxSize: 20, maxOps: 80 } : { minSize: 5, maxSize: 10, maxOps: 40 };
const RUNS = cases(30, 400);

describe("every accepted message ends delivered or NACKed, exactly once", () => {
  it(
    `and stays retrievable until then, under joins, departures, loss and expiry (${RUNS} schedules)`,
    async () => {
      const total = emptyDeliveryStats();
      await fc.assert(
        fc.asyncProperty(deliveryCase(limits), async (c) => {
          const run = await DeliveryRun.start(c);
          try {
            await run.run(c.ops);
          } finally {
            await run.close();
          }
          for (const key of Object.keys(total) as (keyof DeliveryStats)[]) total[key] += run.stats[key];
        }),
        { numRuns: RUNS, seed: FUZZ_SEED },
      );
      console.log(`delivery: ${RUNS} schedules, seed ${FUZZ_SEED}: ${JSON.stringify(total)}`);
      expect(total.stores).toBeGreaterThan(RUNS);
      expect(total.acked).toBeGreaterThan(0);
      expect(total.nacked).toBeGreaterThan(0);
      expect(total.checks).toBeGreaterThan(RUNS);
      expect(total.joins + total.departures).toBeGreaterThan(0);
    },
    fuzzTimeout(120_000, 1_800_000),
  );
});
