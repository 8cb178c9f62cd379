/**
 * End-to-end delivery over 8 bin/wisp-node processes: B long-polls node 2, A stores through node 7;
 * the time from A's POST /v1/store to B holding the opened (decrypted, signature-checked) message.
 * B is a Node.js client like the CLI (node/src/cli/poll.ts): it opens with lib's `open` on the
 * node:crypto backend; the web app opens with noble (~3 ms more per message, bench/rows/crypto.ts).
 * A and B each talk HTTP/1.1 over their own keep-alive node:http Agent (bench/lib/http-post.ts),
 * as a Node.js client would; B still parses the JSON answer, opens and acknowledges every message.
 * A sends the next message 50 ms after B got the last one, so B's long-poll is parked again and
 * neither client exceeds the node's per-client rate limit (20/s).
 */
import { type Envelope, type Identity, open } from "@wisp/lib";
import { nodeCrypto } from "../../node/src/crypto/node-crypto";
import { type BenchConfig, pick } from "../lib/config";
import { identities, sealPool } from "../lib/envelopes";
import { type JsonClient, jsonClient } from "../lib/http-post";
import { longPoll } from "../lib/long-poll";
import { type NodeProcess, spawnWispNode } from "../lib/processes";
import type { Row } from "../lib/row";
import { latencyOf, medianOfRuns, ms, nowMs, sleep } from "../lib/stats";

const NODES = 8;
const GAP_MS = 50;
const WARM_UP = 20;

export async function endToEnd(config: BenchConfig): Promise<Row> {
  const messages = pick(config, 500, 20);
  const runs = pick(config, 5, 1);
  const nodes: NodeProcess[] = [];
  const stopPolling = new AbortController();
  const [clientA, clientB] = [jsonClient(), jsonClient()];
  try {
    nodes.push(await spawnWispNode());
    for (let i = 1; i < NODES; i++) nodes.push(await spawnWispNode({ WISP_BOOTSTRAP: nodes[0].addr }));
    await ringConsistent(nodes, 60_000);
    const [b] = identities(1);
    const pool = sealPool([b], WARM_UP + messages);
    const received = new Map<string, Waiter>();
    const poller = poll(clientB, nodes[1].apiUrl, b, received, stopPolling.signal).catch((error: Error) => {
      for (const waiter of received.values()) waiter.reject(error);
      received.clear();
    });
    const latencies: number[] = [];
    for (const [i, envelope] of pool.entries()) {
      await sleep(GAP_MS);
      const latency = await deliver(clientA, nodes[6].apiUrl, envelope, received);
      if (i >= WARM_UP) latencies.push(latency);
    }
    stopPolling.abort();
    await poller;
    const chunk = Math.ceil(latencies.length / runs);
    const perRun = Array.from({ length: runs }, (_, r) =>
      latencyOf(latencies.slice(r * chunk, (r + 1) * chunk)),
    );
    const figure = medianOfRuns(perRun);
    const pooled = latencyOf(latencies);
    config.log(`e2e: ${JSON.stringify(figure)}; pooled ${JSON.stringify(pooled)}`);
    return {
      row: "end-to-end delivery",
      figure: `p50 ${ms(figure.p50)}, p99 ${ms(figure.p99)} (${latencies.length} messages)`,
      target: "p50 ≤ 3 ms, p99 ≤ 15 ms",
      met: figure.p50 <= 3 && figure.p99 <= 15,
      command:
        "npm run bench (bench/rows/e2e.ts: 8 × bin/wisp-node, node:http keep-alive clients, lib open on node:crypto as the CLI)",
      values: {
        p50Ms: figure.p50,
        p99Ms: figure.p99,
        pooledP50Ms: pooled.p50,
        pooledP99Ms: pooled.p99,
        messages: latencies.length,
      },
      note: `median of ${runs} runs of ${chunk} messages after ${WARM_UP} warm-up messages; pooled p50 ${ms(pooled.p50)}, p99 ${ms(pooled.p99)}`,
    };
  } finally {
    stopPolling.abort();
    clientA.close();
    clientB.close();
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

interface Waiter {
  resolve: (at: number) => void;
  reject: (error: Error) => void;
}

async function deliver(
  client: JsonClient,
  apiUrl: string,
  envelope: Envelope,
  received: Map<string, Waiter>,
): Promise<number> {
  const arrived = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`message ${envelope.id} not delivered in 10 s`)), 10_000);
    received.set(envelope.id, {
      resolve: (at) => {
        clearTimeout(timer);
        resolve(at);
      },
      reject,
    });
  });
  const started = nowMs();
  const answer = await client.post(
    `${apiUrl}/v1/store`,
    JSON.stringify(envelope),
    AbortSignal.timeout(10_000),
  );
  if (answer.status !== 201) throw new Error(`store answered ${answer.status}: ${answer.text}`);
  return (await arrived) - started;
}

/** B's client loop: long-poll, open every message, acknowledge it in the next poll. */
function poll(
  client: JsonClient,
  apiUrl: string,
  b: Identity,
  received: Map<string, Waiter>,
  signal: AbortSignal,
) {
  return longPoll(client, apiUrl, b, signal, (message) => {
    const opened = open(b, message, nodeCrypto);
    if (!opened.ok) throw new Error(`B could not open ${message.id}: ${opened.reason}`);
    received.get(message.id)?.resolve(nowMs());
    received.delete(message.id);
  });
}

export async function ringConsistent(nodes: readonly { apiUrl: string }[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const infos = await Promise.all(
      nodes.map(async (node) => {
        const response = await fetch(`${node.apiUrl}/v1/node`, { signal: AbortSignal.timeout(5_000) });
        return (await response.json()) as {
          id: string;
          addr: string;
          predecessor: { addr: string } | null;
          successors: { addr: string }[];
        };
      }),
    );
    const sorted = [...infos].sort((x, y) => (x.id < y.id ? -1 : 1));
    const whole = sorted.every(
      (info, i) =>
        info.successors[0]?.addr === sorted[(i + 1) % sorted.length].addr &&
        info.predecessor?.addr === sorted[(i - 1 + sorted.length) % sorted.length].addr,
    );
    if (whole) return;
    await sleep(200);
  }
  throw new Error(`the ${nodes.length} node processes did not form a consistent ring in ${timeoutMs} ms`);
}
