/**
 * `npm run sim`: lookup path lengths and lookup failures after mass failures, over the same Chord
 * code the node runs, on the memory transport. Prints a Markdown table (see docs/simulation.md).
 */
import { measureFailures, measureHops } from "./experiments";

const HOP_RUNS = [
  { nodes: 100, lookups: 2_000 },
  { nodes: 1_000, lookups: 2_000 },
  { nodes: 10_000, lookups: 1_000 },
];
const FAILURE_NODES = 1_000;
const FAILURE_LOOKUPS = 1_000;
const FAILED_FRACTIONS = [0.1, 0.3, 0.5];

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const hopRuns = sizes.length > 0 ? HOP_RUNS.filter((run) => sizes.includes(run.nodes)) : HOP_RUNS;
  const started = Date.now();

  console.log("| N | lookups | mean hops | ½·log₂N | p99 hops | wrong answers | build time |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const run of hopRuns) {
    const stats = await measureHops(run.nodes, run.lookups, run.nodes);
    const half = 0.5 * Math.log2(run.nodes);
    console.log(
      `| ${run.nodes} | ${stats.lookups} | ${stats.meanHops.toFixed(2)} | ${half.toFixed(2)} | ${stats.p99Hops} | ${stats.wrong} | ${(stats.buildMs / 1000).toFixed(1)} s |`,
    );
  }

  console.log("");
  console.log(
    "| failed nodes | N | r | lookups | failed lookups right after | mean hops right after | failed after stabilization | rounds to heal |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const fraction of FAILED_FRACTIONS) {
    const stats = await measureFailures(FAILURE_NODES, fraction, FAILURE_LOOKUPS, 7);
    console.log(
      `| ${fraction * 100}% | ${stats.nodes} | ${stats.successorListSize} | ${stats.lookups} | ${percent(stats.failedRightAfter)} | ${stats.hopsRightAfter.toFixed(2)} | ${percent(stats.failedAfterStabilization)} | ${stats.roundsToHeal} |`,
    );
  }
  console.log("");
  console.log(`total time ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
