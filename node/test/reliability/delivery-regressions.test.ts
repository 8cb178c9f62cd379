/**
 * What the full-size delivery property found (seed 868953875, docs/reliability.md), as small
 * deterministic schedules over the memory transport. Each failed before its fix.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryRun, TTL_MS } from "./delivery-runner";

let run: DeliveryRun | null = null;

afterEach(async () => {
  await run?.close();
  run = null;
});

describe("delivery findings", () => {
  it("a NACK stored long before the end is read by its sender within its TTL", async () => {
    // The message expires after a TTL and is NACKed within the acknowledgement grace (the runner's
    // own retrieves hand it out); its NACK expires a TTL later, before the end phase begins.
    const wait = { op: "time" as const, ms: 6_000 };
    const c = { size: 5, seed: 11, ops: [{ op: "store" as const, via: 0, mailbox: 0, sender: 0 }] };
    const ops = [...c.ops, ...Array.from({ length: Math.ceil((4 * TTL_MS) / wait.ms) }, () => wait)];
    run = await DeliveryRun.start(c);
    await run.run(ops);
    expect(run.stats).toMatchObject({ stores: 1, nacked: 1, acked: 0 });
  });
});
