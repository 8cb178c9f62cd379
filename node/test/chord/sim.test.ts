import { describe, expect, it } from "vitest";
import { measureFailures, measureHops } from "../../src/sim/experiments";

describe("simulator experiments", () => {
  it("measures hops on a ring with every answer right", async () => {
    const stats = await measureHops(64, 200, 1);
    expect(stats.wrong).toBe(0);
    expect(stats.meanHops).toBeGreaterThan(0);
    expect(stats.meanHops).toBeLessThanOrEqual(0.5 * Math.log2(64));
    expect(stats.p99Hops).toBeGreaterThanOrEqual(Math.floor(stats.meanHops));
  });

  it("loses no lookup after stabilization when 30% of nodes fail at once (r = 2·log₂N)", async () => {
    const stats = await measureFailures(100, 0.3, 200, 2);
    expect(stats.successorListSize).toBe(14);
    expect(stats.failedAfterStabilization).toBe(0);
    expect(stats.failedRightAfter).toBeLessThan(0.3);
  });
});
