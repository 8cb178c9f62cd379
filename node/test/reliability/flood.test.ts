/**
 * Issue 7 item 6, floods: one bin/wisp-node process; a flooder (127.0.0.1, a worker thread) sends
 * stores and retrieves as fast as the node answers, and 1,000 slow connections (idle,
 * headers trickled, bodies never finished) are held open. Meanwhile a well-behaved sender
 * (127.0.0.2) and reader (127.0.0.3, long-polling) still exchange every message, with a
 * store→receive p99 under 50 ms, and the node's resident memory stays bounded.
 * Short form in `npm test`; WISP_FULL=1 floods for a minute.
 */
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { encodeBody, generateIdentity, seal, signRetrieve } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, type RunningNode, spawnNode, stopAll } from "../e2e/harness";
import { SlowConnections, startFlooder } from "./flood-load";
import { sleep } from "./node-slots";

const FULL = process.env.WISP_FULL === "1";
const FLOOD_MS = FULL ? 60_000 : 14_000;
const SLOW_CONNECTIONS = 1_000;
const SEND_EVERY_MS = 50;
const P99_LIMIT_MS = 50;
/**
 * V8 collects lazily: under a full flood the RSS climbs to 200–320 MiB and falls back to about
 * 110 MiB once the flood stops (the 5 s series in the output), so the bound leaves that headroom.
 */
const RSS_LIMIT_BYTES = 400 * 1024 * 1024;
/**
 * On a machine whose CPUs are already oversubscribed by other work (load average above the CPU
 * count when the test starts), latency measures the machine, not the node: the 50 ms bound is then
 * printed but not asserted, and only a bound that shows the client was never starved (1 s) is.
 */
const STARVED_P99_LIMIT_MS = 1_000;

let node: RunningNode;
let slow: SlowConnections | null = null;
const agents: Agent[] = [];

beforeAll(async () => {
  buildOnce();
  // The flooder stands behind a trusted proxy on 127.0.0.1 (loopback itself has no per-IP limit).
  node = await spawnNode({ WISP_TTL_MS: "60000", WISP_TRUSTED_PROXY: "127.0.0.1" });
}, 120_000);

afterAll(async () => {
  slow?.stop();
  for (const agent of agents) agent.destroy();
  await stopAll([node]);
});

function client(localAddress: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 2, localAddress });
  agents.push(agent);
  return (path: string, body: unknown, timeoutMs = 30_000) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = request(
        `${node.apiUrl}${path}`,
        {
          method: "POST",
          agent,
          timeout: timeoutMs,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString() || "{}"),
            }),
          );
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${path} took over ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(data);
    });
}

/** VmRSS and VmHWM (the kernel's high-water mark) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

describe(`flood (${FULL ? "full" : "short"}: ${FLOOD_MS / 1000} s)`, () => {
  it(
    "a well-behaved client gets every message (p99 under 50 ms unless the CPUs are oversubscribed) and the node's memory stays bounded",
    async () => {
      const pid = node.proc.pid!;
      const loadAtStart = loadavg()[0];
      const oversubscribed = loadAtStart > availableParallelism();
      const idleRss = memoryOf(pid).rss;
      const port = Number(new URL(node.apiUrl).port);
      // Unfinished bodies come from 8 addresses (a small botnet), the rest from one; all loopback,
      // which has no per-IP limit, so none of them is refused before it stalls.
      slow = new SlowConnections("127.0.0.1", port, (kind, i) =>
        kind === "body" ? `127.0.1.${1 + (i % 8)}` : "127.0.0.4",
      );
      await slow.start(SLOW_CONNECTIONS, 2_000);
      expect(slow.open).toBe(SLOW_CONNECTIONS);

      // Sealed ahead, so the client's own crypto does not compete with the node for the CPU.
      const alice = generateIdentity();
      const bob = generateIdentity();
      const text = encodeBody({ type: "text", text: "hi", sentAt: Date.now() });
      const envelopes = Array.from({ length: Math.ceil(FLOOD_MS / SEND_EVERY_MS) }, () =>
        seal(alice, bob.publicKey, text),
      );

      const mallory = generateIdentity();
      const flooder = startFlooder({
        url: node.apiUrl,
        localAddress: "127.0.0.1",
        forwardedFor: "203.0.113.66",
        envelope: seal(
          mallory,
          generateIdentity().publicKey,
          encodeBody({ type: "text", text: "x", sentAt: 0 }),
        ),
        retrieve: signRetrieve(mallory, Date.now(), [], 0),
        concurrency: 32,
      });

      let peakRss = 0;
      let minOpenSlow = slow.open;
      const rssSeriesMiB: number[] = [];
      let samples = 0;
      const sampler = setInterval(() => {
        const { rss } = memoryOf(pid);
        peakRss = Math.max(peakRss, rss);
        if (samples++ % 25 === 0) rssSeriesMiB.push(Math.round(rss / 2 ** 20));
        minOpenSlow = Math.min(minOpenSlow, slow?.open ?? 0);
      }, 200);

      const send = client("127.0.0.2");
      const read = client("127.0.0.3");
      const sentAt = new Map<string, number>();
      const latencies: number[] = [];
      let reading = true;
      const reader = (async () => {
        let ack: string[] = [];
        while (reading || sentAt.size > latencies.length) {
          const answer = await read(
            "/v1/retrieve",
            signRetrieve(bob, Date.now(), ack, reading ? 5_000 : 500),
          );
          const now = performance.now();
          if (answer.status !== 200)
            throw new Error(`the reader got ${answer.status}: ${JSON.stringify(answer.body)}`);
          const messages = answer.body.messages as { id: string }[];
          for (const { id } of messages) {
            const started = sentAt.get(id);
            if (started !== undefined) latencies.push(now - started);
          }
          ack = messages.map((m) => m.id);
          if (!reading && messages.length === 0) break;
        }
      })();

      const floodUntil = Date.now() + FLOOD_MS;
      let refused = 0;
      for (const envelope of envelopes) {
        if (Date.now() >= floodUntil) break;
        sentAt.set(envelope.id, performance.now());
        const stored = await send("/v1/store", envelope);
        if (stored.status !== 201) refused++;
        await sleep(SEND_EVERY_MS);
      }
      const flood = await flooder.stop();
      reading = false;
      await reader;
      clearInterval(sampler);
      const memory = memoryOf(pid);
      const sorted = [...latencies].sort((a, b) => a - b);
      const report = {
        sent: sentAt.size,
        received: latencies.length,
        refused,
        p50Ms: Number(percentile(sorted, 50).toFixed(1)),
        p95Ms: Number(percentile(sorted, 95).toFixed(1)),
        p99Ms: Number(percentile(sorted, 99).toFixed(1)),
        maxMs: Number(sorted.at(-1)!.toFixed(1)),
        idleRssMiB: Number((idleRss / 2 ** 20).toFixed(1)),
        peakRssMiB: Number((Math.max(peakRss, memory.hwm) / 2 ** 20).toFixed(1)),
        rssEvery5sMiB: rssSeriesMiB,
        flood,
        slow: { ...slow.stats, heldAtLeast: minOpenSlow },
        loadAtStart: Number(loadAtStart.toFixed(1)),
        cpus: availableParallelism(),
        p99Asserted: oversubscribed ? STARVED_P99_LIMIT_MS : P99_LIMIT_MS,
      };
      console.log(`flood (${FULL ? "full" : "short"}): ${JSON.stringify(report)}`);

      expect(refused).toBe(0);
      expect(latencies.length).toBe(sentAt.size);
      expect(sentAt.size).toBeGreaterThanOrEqual(50);
      expect(flood.byStatus["429"] ?? 0).toBeGreaterThan(0);
      expect(report.p99Ms).toBeLessThan(report.p99Asserted);
      expect(Math.max(peakRss, memory.hwm)).toBeLessThan(RSS_LIMIT_BYTES);
      // The node's header timeout (10 s) closed the connections that never finished their headers.
      expect(slow.stats.closedByNode.idle + slow.stats.closedByNode.headers).toBeGreaterThan(0);
      // And its request timeout (30 s) the bodies that never finished, when the flood lasts that long.
      if (FLOOD_MS > 35_000) expect(slow.stats.closedByNode.body).toBeGreaterThan(0);
      const health = await fetch(`${node.apiUrl}/v1/health`, { signal: AbortSignal.timeout(10_000) });
      expect(health.status).toBe(200);
    },
    FLOOD_MS + 120_000,
  );
});
