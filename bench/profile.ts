/**
 * `npx tsx bench/profile.ts store|retrieve [seconds]`: runs the bench node under --cpu-prof, drives
 * it with the load generator (64 connections), and prints the functions with the most self time.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signRetrieve } from "@wisp/lib";
import { benchBuild } from "./lib/build";
import { identities, sealPool } from "./lib/envelopes";
import { runLoadgen } from "./lib/processes";
import type { LoadJob, LoadResult } from "./procs/loadgen";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const mode = (process.argv[2] ?? "store") as LoadJob["mode"];
const seconds = Number(process.argv[3] ?? 5);
const build = await benchBuild();
const folder = mkdtempSync(join(tmpdir(), "wisp-profile-"));
try {
  const people = identities(256);
  const bodies =
    mode === "store"
      ? sealPool(people, 256).map((envelope) => JSON.stringify(envelope))
      : people.map((identity) => JSON.stringify(signRetrieve(identity, Date.now(), [], 0)));
  const node = spawn("node", ["--cpu-prof", "--cpu-prof-dir", folder, build.benchNode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => node.once("exit", () => resolve()));
  const apiUrl = await new Promise<URL>((resolve) => {
    let buffered = "";
    node.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /"apiUrl":"([^"]+)"/.exec(buffered);
      if (match) resolve(new URL(match[1]));
    });
  });
  const job: LoadJob = {
    host: apiUrl.hostname,
    port: Number(apiUrl.port),
    path: `/v1/${mode}`,
    connections: 64,
    durationMs: seconds * 1000,
    bodies,
    mode,
  };
  const jobFile = join(folder, "job.json");
  writeFileSync(jobFile, JSON.stringify(job));
  const result = await runLoadgen<LoadResult>(build.loadgen, jobFile, seconds * 1000 + 30_000);
  console.log(`${mode}: ${Math.round(result.perSecond)}/s ${JSON.stringify(result.statuses)}`);
  node.kill("SIGTERM");
  await exited;
  const file = readdirSync(folder).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error("no .cpuprofile was written");
  const profile = JSON.parse(readFileSync(join(folder, file), "utf8")) as { nodes: ProfileNode[] };
  const { self, inclusive, total } = summarize(profile.nodes);
  const top = (table: Map<string, number>, n: number) => {
    for (const [key, hits] of [...table].sort((a, b) => b[1] - a[1]).slice(0, n))
      console.log(`${((hits * 100) / total).toFixed(1).padStart(5)}%  ${key}`);
  };
  console.log("— self time");
  top(self, 30);
  console.log("— total time (self + callees)");
  top(inclusive, 40);
} finally {
  build.dispose();
  rmSync(folder, { recursive: true, force: true });
}

function summarize(nodes: ProfileNode[]) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const childIds = new Set(nodes.flatMap((node) => node.children ?? []));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const keyOf = (node: ProfileNode) => {
    const frame = node.callFrame;
    const where = frame.url ? frame.url.replace(/^.*\//, "") : "";
    return `${frame.functionName || "(anonymous)"} ${where}:${frame.lineNumber}`;
  };
  // Depth-first with the keys on the current stack, so recursion is counted once per sample.
  const visit = (node: ProfileNode, onStack: Set<string>): void => {
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + node.hitCount);
    total += node.hitCount;
    const added = !onStack.has(key);
    if (added) onStack.add(key);
    for (const stackKey of onStack) inclusive.set(stackKey, (inclusive.get(stackKey) ?? 0) + node.hitCount);
    for (const child of node.children ?? []) {
      const next = byId.get(child);
      if (next) visit(next, onStack);
    }
    if (added) onStack.delete(key);
  };
  for (const node of nodes) if (!childIds.has(node.id)) visit(node, new Set());
  return { self, inclusive, total };
}
