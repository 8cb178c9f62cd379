/**
 * Issue 16, item 4: random joins, leaves, crashes, stores, retrieves and acknowledgements over the
 * memory testnet, with loss and delay. After every step each accepted message is retrievable
 * through any node until acknowledged or expired; in the end each one is delivered XOR NACKed.
 * A failure prints fast-check's seed and the shrunk schedule; replay with WISP_FUZZ_SEED=<seed>.
 * WISP_DELIVERY_CASES=<i>,<j>-<k> runs only those schedules of the seed's sample, unshrunk, and
 * reports each one that fails: the fast way to replay one full-size schedule.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DeliveryStats, emptyDeliveryStats } from "./delivery-books";
import { DeliveryRun } from "./delivery-runner";
import { type DeliveryCase, deliveryCase } from "./delivery-schedule";
import { cases, FULL, FUZZ_SEED, fuzzTimeout } from "./fuzz-config";

const limits = FULL ? { minSize: 5, maxSize: 20, maxOps: 80 } : { minSize: 5, maxSize: 10, maxOps: 40 };
const RUNS = cases(30, 400);
const total = emptyDeliveryStats();

async function runCase(c: DeliveryCase): Promise<void> {
  const run = await DeliveryRun.start(c);
  try {
    await run.run(c.ops);
  } finally {
    await run.close();
  }
  for (const key of Object.keys(total) as (keyof DeliveryStats)[]) total[key] += run.stats[key];
}

/** "3,17-19" → [3, 17, 18, 19]; null when unset. */
function chosenCases(text: string | undefined): number[] | null {
  if (text === undefined || text === "") return null;
  const chosen: number[] = [];
  for (const part of text.split(",")) {
    const [from, to = from] = part.split("-").map(Number);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from)
      throw new Error(`WISP_DELIVERY_CASES: "${part}" is not an index or a range`);
    for (let i = from; i <= to; i++) chosen.push(i);
  }
  return chosen;
}

const CHOSEN = chosenCases(process.env.WISP_DELIVERY_CASES);

async function propertyRun(): Promise<void> {
  await fc.assert(fc.asyncProperty(deliveryCase(limits), runCase), { numRuns: RUNS, seed: FUZZ_SEED });
  console.log(`delivery: ${RUNS} schedules, seed ${FUZZ_SEED}: ${JSON.stringify(total)}`);
  expect(total.stores).toBeGreaterThan(RUNS);
  expect(total.acked).toBeGreaterThan(0);
  expect(total.nacked).toBeGreaterThan(0);
  expect(total.checks).toBeGreaterThan(RUNS);
  expect(total.joins + total.departures).toBeGreaterThan(0);
}

async function chosenRun(chosen: number[]): Promise<void> {
  const sample = fc.sample(deliveryCase(limits), { seed: FUZZ_SEED, numRuns: Math.max(...chosen) + 1 });
  const failed: string[] = [];
  const started = Date.now();
  for (const i of chosen) {
    try {
      await runCase(sample[i]);
    } catch (error) {
      failed.push(`schedule ${i}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const seconds = ((Date.now() - started) / 1_000).toFixed(1);
  console.log(
    `delivery: ${failed.length} of ${chosen.length} chosen schedules of seed ${FUZZ_SEED} failed in ${seconds} s: ${JSON.stringify(total)}`,
  );
  expect(failed, failed.join("\n\n")).toEqual([]);
}

describe("every accepted message ends delivered or NACKed, exactly once", () => {
  it(
    `and stays retrievable until then, under joins, departures, loss and expiry (${CHOSEN ? `schedules ${process.env.WISP_DELIVERY_CASES}` : RUNS} of seed ${FUZZ_SEED})`,
    () => (CHOSEN ? chosenRun(CHOSEN) : propertyRun()),
    fuzzTimeout(120_000, 3_600_000),
  );
});
