/** Store and retrieve throughput of one node process: 64 keep-alive connections, a separate load-generator process. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { signRetrieve } from "@wisp/lib";
import { benchBuild } from "../lib/build";
import { type BenchConfig, pick } from "../lib/config";
import { identities, sealPool } from "../lib/envelopes";
import { runLoadgen, spawnBenchNode } from "../lib/processes";
import type { Row } from "../lib/row";
import { count, median, ms } from "../lib/stats";
import type { LoadJob, LoadResult } from "../procs/loadgen";

const CONNECTIONS = 64;

export async function storeThroughput(config: BenchConfig): Promise<Row> {
  const pool = sealPool(identities(pick(config, 256, 16)), pick(config, 256, 16));
  const bodies = pool.map((envelope) => JSON.stringify(envelope));
  const result = await throughput(config, "store", "/v1/store", bodies);
  const target = 15_000;
  return {
    row: "store throughput",
    figure: `${count(result.perSecond)} envelopes/s (p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)})`,
    target: `≥ ${count(target)} envelopes/s`,
    met: result.perSecond >= target,
    command: "npm run bench (bench/rows/throughput.ts: bench/procs/loadgen.ts → POST /v1/store)",
    values: { perSecond: result.perSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms, runs: result.runs },
    note: result.note,
  };
}

export async function retrieveThroughput(config: BenchConfig): Promise<Row> {
  const people = identities(pick(config, 256, 16));
  // Signed now: the node accepts a ts within ±5 min, and a run lasts well under that.
  const bodies = people.map((identity) => JSON.stringify(signRetrieve(identity, Date.now(), [], 0)));
  const result = await throughput(config, "retrieve", "/v1/retrieve", bodies);
  const target = 8_000;
  return {
    row: "retrieve throughput",
    figure: `${count(result.perSecond)} retrieves/s (p50 ${ms(result.p50Ms)}, p99 ${ms(result.p99Ms)})`,
    target: `≥ ${count(target)}/s`,
    met: result.perSecond >= target,
    command: "npm run bench (bench/rows/throughput.ts: bench/procs/loadgen.ts → POST /v1/retrieve)",
    values: { perSecond: result.perSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms, runs: result.runs },
    note: result.note,
  };
}

interface Throughput {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  runs: number;
  errors: number;
  note: string;
}

async function throughput(
  config: BenchConfig,
  mode: LoadJob["mode"],
  path: string,
  bodies: string[],
): Promise<Throughput> {
  const build = await benchBuild();
  const runs = pick(config, 3, 1);
  const warmMs = pick(config, 2_000, 300);
  const measureMs = pick(config, 10_000, 700);
  const results: LoadResult[] = [];
  for (let run = 0; run < runs; run++) {
    const node = await spawnBenchNode(build.benchNode);
    try {
      const url = new URL(node.apiUrl);
      const job = (durationMs: number): string => {
        const file = join(config.tmp, `${mode}-${run}-${durationMs}.json`);
        const spec: LoadJob = {
          host: url.hostname,
          port: Number(url.port),
          path,
          connections: CONNECTIONS,
          durationMs,
          bodies,
          mode,
        };
        writeFileSync(file, JSON.stringify(spec));
        return file;
      };
      await runLoadgen<LoadResult>(build.loadgen, job(warmMs), warmMs + 30_000);
      const result = await runLoadgen<LoadResult>(build.loadgen, job(measureMs), measureMs + 30_000);
      config.log(
        `${mode} run ${run + 1}/${runs}: ${count(result.perSecond)}/s, statuses ${JSON.stringify(result.statuses)}`,
      );
      results.push(result);
    } finally {
      await node.stop();
    }
  }
  const good = mode === "store" ? "201" : "200";
  const errors = results.reduce((sum, r) => sum + r.completed - (r.statuses[good] ?? 0), 0);
  if (errors > 0)
    throw new Error(`${errors} answers were not ${good}: ${JSON.stringify(results.map((r) => r.statuses))}`);
  return {
    perSecond: median(results.map((r) => (r.perSecond * (r.statuses[good] ?? 0)) / Math.max(1, r.completed))),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    runs,
    errors,
    note: `median of ${runs} runs of ${measureMs / 1000} s after a ${warmMs / 1000} s warm-up, ${CONNECTIONS} connections, a fresh node per run`,
  };
}
