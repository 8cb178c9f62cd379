/** Lookup path lengths from the simulator (node/src/sim): the node's Chord code on the memory transport. */
import { measureHops } from "../../node/src/sim/experiments";
import { type BenchConfig, pick } from "../lib/config";
import type { Row } from "../lib/row";

export async function lookupHops(config: BenchConfig): Promise<Row> {
  const runs = pick(
    config,
    [
      { nodes: 100, lookups: 2_000 },
      { nodes: 1_000, lookups: 2_000 },
      { nodes: 10_000, lookups: 1_000 },
    ],
    [{ nodes: 100, lookups: 200 }],
  );
  const results = [];
  for (const run of runs) {
    const stats = await measureHops(run.nodes, run.lookups, run.nodes);
    const bound = 0.5 * Math.log2(run.nodes) + 0.5;
    config.log(`hops N = ${run.nodes}: ${JSON.stringify(stats)}`);
    results.push({ ...stats, bound });
  }
  return {
    row: "lookup hops",
    figure: results
      .map(
        (r) =>
          `N = ${r.nodes.toLocaleString("en-US")}: mean ${r.meanHops.toFixed(2)} (bound ${r.bound.toFixed(2)}), p99 ${r.p99Hops}, wrong ${r.wrong}`,
      )
      .join("; "),
    target: "mean ≤ ½·log₂N + 0.5",
    met: results.every((r) => r.meanHops <= r.bound && r.wrong === 0),
    command: "npm run bench (bench/rows/hops.ts: node/src/sim measureHops)",
    values: Object.fromEntries(
      results.flatMap((r) => [
        [`meanHops_N${r.nodes}`, r.meanHops],
        [`p99Hops_N${r.nodes}`, r.p99Hops],
        [`wrong_N${r.nodes}`, r.wrong],
      ]),
    ),
    note: results
      .map(
        (r) =>
          `N = ${r.nodes}: ${r.lookups} lookups from random nodes to random keys, ring built in ${(r.buildMs / 1000).toFixed(1)} s`,
      )
      .join("; "),
  };
}
