import { describe, expect, it } from "vitest";
import { runBench } from "../lib/bench";
import { markdownTable } from "../lib/row";

describe("npm run bench, quick mode", () => {
  it("gives every row of the issue's table a figure, a target and a command", async () => {
    const report = await runBench({ quick: true });
    const names = report.rows.map((row) => row.row);
    expect(names).toEqual([
      "DHT get, N = 8",
      "DHT store (owner + replicas)",
      "lookup hops",
      "end-to-end delivery",
      "group of 32",
      "store throughput",
      "retrieve throughput",
      "node memory",
      "start-up",
      "ring formation",
      "read-after-store misses",
      "web app",
      "lib crypto",
      "browser: own bubble",
      "browser: peer screen",
      "browser: ✓✓",
      "browser: long chat, arriving message",
      "browser: lib crypto in the page",
    ]);
    for (const row of report.rows) {
      expect(row.figure, row.row).not.toMatch(/^failed/);
      expect(row.target, row.row).not.toBe("");
      expect(row.command, row.row).toContain("npm run bench");
      expect(Object.keys(row.values).length, row.row).toBeGreaterThan(0);
    }
    expect(markdownTable(report.rows).split("\n")).toHaveLength(report.rows.length + 2);
  }, 180_000);
});
