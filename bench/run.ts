/**
 * `npm run bench`: every row of issue 6 against the real code; prints one Markdown table and
 * writes it as JSON to bench/results/latest.json (a quick run, BENCH_QUICK=1, or a partial one only prints).
 * `npm run bench -- memory e2e` runs only the rows whose names contain those words.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBench } from "./lib/bench";
import { ROOT } from "./lib/build";
import { markdownTable } from "./lib/row";

const quick = process.env.BENCH_QUICK === "1";
const only = process.argv.slice(2);
const report = await runBench({ quick, only, log: (line) => process.stderr.write(`[bench] ${line}\n`) });
const table = markdownTable(report.rows);
process.stdout.write(
  `${table}\n\n${report.rows.length} rows in ${report.durationS.toFixed(0)} s; load average ${report.machine.loadavgAtStart.map((l) => l.toFixed(2)).join(" ")} at start, ${report.machine.loadavgAtEnd.map((l) => l.toFixed(2)).join(" ")} at end (${report.machine.cpus} CPUs)\n`,
);
if (!quick && only.length === 0) {
  const folder = join(ROOT, "bench/results");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "latest.json"), `${JSON.stringify({ ...report, table }, null, 2)}\n`);
}
