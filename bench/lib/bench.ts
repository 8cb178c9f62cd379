/** Runs every row in turn; a row that throws stays in the table with its error as the figure. */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { browserRows } from "../rows/browser";
import { libCrypto } from "../rows/crypto";
import { dhtRows } from "../rows/dht";
import { endToEnd } from "../rows/e2e";
import { ringFormation } from "../rows/formation";
import { groupOf32 } from "../rows/group";
import { lookupHops } from "../rows/hops";
import { nodeMemory } from "../rows/memory";
import { startUp } from "../rows/startup";
import { retrieveThroughput, storeThroughput } from "../rows/throughput";
import { webApp } from "../rows/webapp";
import { benchBuild } from "./build";
import type { BenchConfig } from "./config";
import { buildNodeDist } from "./processes";
import { type BenchReport, failedRow, type Row } from "./row";

interface RowSpec {
  name: string;
  target: string;
  run: (config: BenchConfig) => Promise<Row | Row[]>;
}

const ROWS: RowSpec[] = [
  { name: "DHT get and store", target: "p50 ≤ 0.5 ms, p99 ≤ 4 ms, 100 % found", run: dhtRows },
  { name: "lookup hops", target: "mean ≤ ½·log₂N + 0.5", run: lookupHops },
  { name: "end-to-end delivery", target: "p50 ≤ 3 ms, p99 ≤ 15 ms", run: endToEnd },
  { name: "group of 32", target: "printed", run: groupOf32 },
  { name: "store throughput", target: "≥ 15,000 envelopes/s", run: storeThroughput },
  { name: "retrieve throughput", target: "≥ 8,000/s", run: retrieveThroughput },
  { name: "node memory", target: "idle ≤ 50 MiB; ≤ 1.8 KB per stored entry", run: nodeMemory },
  { name: "start-up", target: "≤ 300 ms", run: startUp },
  {
    name: "ring formation",
    target: "64 in one process ≤ 2 s; 32 processes at once ≤ 5 s; 0 read-after-store misses",
    run: ringFormation,
  },
  { name: "web app", target: "≤ 60 KB", run: webApp },
  { name: "lib crypto", target: "printed", run: libCrypto },
  { name: "browser", target: "own bubble ≤ 16 ms, peer screen ≤ 25 ms, ✓✓ ≤ 50 ms (p50)", run: browserRows },
];

export interface BenchOptions {
  quick: boolean;
  log?: (line: string) => void;
  /** Runs only the rows whose name contains one of these (all when empty). */
  only?: string[];
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const started = Date.now();
  const loadavgAtStart = loadavg();
  const tmp = mkdtempSync(join(tmpdir(), "wisp-bench-jobs-"));
  const config: BenchConfig = { quick: options.quick, log: options.log ?? (() => {}), tmp };
  const rows: Row[] = [];
  buildNodeDist();
  const build = await benchBuild();
  try {
    for (const spec of ROWS) {
      if (options.only?.length && !options.only.some((name) => spec.name.includes(name))) continue;
      config.log(`— ${spec.name}`);
      try {
        const result = await spec.run(config);
        rows.push(...(Array.isArray(result) ? result : [result]));
      } catch (error) {
        rows.push(failedRow(spec.name, spec.target, "npm run bench", error));
      }
    }
  } finally {
    build.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
  return {
    startedAt: new Date(started).toISOString(),
    quick: options.quick,
    durationS: (Date.now() - started) / 1000,
    machine: { cpus: cpus().length, loadavgAtStart, loadavgAtEnd: loadavg(), node: process.version },
    rows,
  };
}
