/**
 * Node memory: RSS of an idle bin/wisp-node process, and of the bench node before and after
 * 100,000 stored 1 KiB entries (read after a full GC) → bytes per stored entry.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchBuild } from "../lib/build";
import { type BenchConfig, pick } from "../lib/config";
import { identities, sealPool } from "../lib/envelopes";
import { type NodeProcess, rssOf, runLoadgen, spawnBenchNode, spawnWispNode } from "../lib/processes";
import type { Row } from "../lib/row";
import { count, median, sleep } from "../lib/stats";
import type { LoadJob, LoadResult } from "../procs/loadgen";

const MIB = 1024 * 1024;
const IDLE_TARGET = 50 * MIB;
const PER_ENTRY_TARGET = 1_800;

export async function nodeMemory(config: BenchConfig): Promise<Row> {
  const idle = await idleRss(config);
  const keyed = await idleRssWithKeyFile(config);
  const perEntry = await bytesPerEntry(config);
  const met = idle <= IDLE_TARGET && perEntry.bytesPerEntry <= PER_ENTRY_TARGET;
  return {
    row: "node memory",
    figure: `idle ${(idle / MIB).toFixed(1)} MiB (the larger of 1 s and 5 s after joining; a start with its key file: ${(keyed / MIB).toFixed(1)} MiB); ${count(perEntry.bytesPerEntry)} B per stored entry (+${count(perEntry.entries)} entries: ${(perEntry.before / MIB).toFixed(1)} → ${(perEntry.after / MIB).toFixed(1)} MiB; counted from idle, warm-up included: ${count(perEntry.values.fromIdleBytesPerEntry)} B)`,
    target: "idle ≤ 50 MiB; ≤ 1.8 KB per stored entry",
    met,
    command: "npm run bench (bench/rows/memory.ts: /proc/PID/status VmRSS)",
    values: { idleRss: idle, idleRssWithKeyFile: keyed, ...perEntry.values },
    note: perEntry.note,
  };
}

/**
 * RSS of bin/wisp-node after it joined its own one-node ring: the larger of its samples 1 s and 5 s
 * after (a timer or a late compile may add pages after the first second); median of 3 starts.
 */
async function idleRss(config: BenchConfig, env: Record<string, string> = {}): Promise<number> {
  const sampleAtMs = pick(config, [1_000, 5_000], [1_000]);
  const samples: number[] = [];
  for (let i = 0; i < pick(config, 3, 1); i++) {
    const node = await spawnWispNode(env);
    try {
      let largest = 0;
      let waited = 0;
      for (const at of sampleAtMs) {
        await sleep(at - waited);
        waited = at;
        largest = Math.max(largest, rssOf(node.pid));
      }
      samples.push(largest);
    } finally {
      await node.stop();
    }
  }
  return median(samples);
}

/**
 * The same for a node started again with the key file its first start wrote: it grinds no key, as
 * every start after the first does (the row is still judged on the fresh key above).
 */
async function idleRssWithKeyFile(config: BenchConfig): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "wisp-bench-key-"));
  const env = { WISP_KEY_FILE: join(dir, "node.key") };
  try {
    await (await spawnWispNode(env)).stop();
    return await idleRss(config, env);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The slope: RSS at rest after a warm-up of 10,000 stores, then after 100,000 more, over 100,000.
 * The warm-up keeps what a process pays once (compiled code, socket buffers) out of the per-entry figure.
 */
async function bytesPerEntry(config: BenchConfig) {
  const build = await benchBuild();
  const warmUp = pick(config, 10_000, 500);
  const entries = pick(config, 100_000, 2_000);
  const pool = sealPool(identities(pick(config, 1_000, 20)), pick(config, 1_000, 20));
  const bodies = pool.map((envelope) => JSON.stringify(envelope));
  const node = await spawnBenchNode(build.benchNode);
  try {
    await sleep(500);
    const idle = await measured(node);
    await storeMany(config, node, bodies, warmUp);
    const base = await settled(node);
    await storeMany(config, node, bodies, entries);
    const after = await settled(node);
    if (after.entries !== warmUp + entries)
      throw new Error(`node holds ${after.entries} entries, expected ${warmUp + entries}`);
    config.log(
      `memory: rss ${idle.rss} → ${base.rss} (warm-up) → ${after.rss}; heap ${base.heapUsed} → ${after.heapUsed}`,
    );
    const values = {
      entries,
      warmUp,
      idle: idle.rss,
      before: base.rss,
      after: after.rss,
      bytesPerEntry: (after.rss - base.rss) / entries,
      heapBytesPerEntry: (after.heapUsed - base.heapUsed) / entries,
      fromIdleBytesPerEntry: (after.rss - idle.rss) / (warmUp + entries),
    };
    return {
      ...values,
      values,
      note: `RSS at rest (after a full GC, once it moves less than 1 MiB a second) after ${warmUp.toLocaleString("en-US")} warm-up stores and after ${entries.toLocaleString("en-US")} more, 1,024-byte envelope JSON over ${pool.length} mailboxes, 64 connections; heap ${Math.round(values.heapBytesPerEntry)} B per entry`,
    };
  } finally {
    await node.stop();
  }
}

async function storeMany(config: BenchConfig, node: NodeProcess, bodies: string[], total: number) {
  const build = await benchBuild();
  const url = new URL(node.apiUrl);
  const file = join(config.tmp, `memory-${total}.json`);
  const job: LoadJob = {
    host: url.hostname,
    port: Number(url.port),
    path: "/v1/store",
    connections: 64,
    durationMs: 120_000,
    total,
    bodies,
    mode: "store",
  };
  writeFileSync(file, JSON.stringify(job));
  const load = await runLoadgen<LoadResult>(build.loadgen, file, 150_000);
  if ((load.statuses["201"] ?? 0) !== total)
    throw new Error(`expected ${total} stores answered 201, got ${JSON.stringify(load.statuses)}`);
}

/** Memory at rest: measured (after a full GC) each second until RSS moves less than 1 MiB, at most 10 s. */
async function settled(node: NodeProcess) {
  let last = await measured(node);
  for (let i = 0; i < 10; i++) {
    await sleep(1_000);
    const now = await measured(node);
    const moved = Math.abs(now.rss - last.rss);
    last = now;
    if (moved < MIB) break;
  }
  return last;
}

async function measured(node: NodeProcess) {
  const reply = node.next("memory");
  node.proc.kill("SIGUSR2");
  const fields = await reply;
  return { rss: Number(fields.rss), heapUsed: Number(fields.heapUsed), entries: Number(fields.entries) };
}
