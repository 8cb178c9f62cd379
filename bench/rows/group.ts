/**
 * A group of 32: one member sends a group text (docs/protocol.md, "Groups"), sealed on noble as
 * the web app does, one envelope per other member, stored six at a time through one node;
 * the figure is the time from the first seal to the moment all 31 others have opened their copy.
 * 4 nodes started in this process (startNode); the 31 receivers long-poll spread over them, each
 * on its own keep-alive connection, and open on node:crypto as the CLI does. All 32 members share
 * 127.0.0.1 here, where real ones each have their own address: the nodes' per-address rate limit
 * (20/s, burst 60) is raised so that it does not measure itself.
 */
import { randomBytes } from "node:crypto";
import { decodeBody, encodeBody, type Identity, open, seal, toB64u } from "@wisp/lib";
import { nodeCrypto } from "../../node/src/crypto/node-crypto";
import { type NodeHandle, startNode } from "../../node/src/index";
import { type BenchConfig, pick } from "../lib/config";
import { identities } from "../lib/envelopes";
import { type JsonClient, jsonClient } from "../lib/http-post";
import { longPoll } from "../lib/long-poll";
import type { Row } from "../lib/row";
import { latencyOf, median, ms, nowMs, sleep } from "../lib/stats";
import { ringConsistent } from "./e2e";

/** Default limits: the clients are on loopback, which has no per-IP rate limit (PROTOCOL.md). */
const OPTIONS = { host: "127.0.0.1", port: 0, apiPort: 0 };

const NODES = 4;
const MEMBERS = 32;
const GAP_MS = 200;
/** The web app's conversations.ts stores this many copies at once. */
const STORES_AT_ONCE = 6;

export async function groupOf32(config: BenchConfig): Promise<Row> {
  const rounds = pick(config, 20, 2);
  const nodes: NodeHandle[] = [];
  const stop = new AbortController();
  const sender = jsonClient();
  const clients: JsonClient[] = [];
  try {
    nodes.push(await startNode(OPTIONS));
    for (let i = 1; i < NODES; i++) nodes.push(await startNode({ ...OPTIONS, bootstrap: nodes[0].addr }));
    await ringConsistent(nodes, 60_000);
    const [me, ...others] = identities(MEMBERS);
    const gid = toB64u(randomBytes(16));
    const arrivals = new Map<string, { left: number; done: (at: number) => void }>();
    const pollers = others.map((member, i) => {
      const client = jsonClient();
      clients.push(client);
      // Stopping aborts every long-poll; a poller's own failure shows as a round that times out.
      return receive(client, nodes[i % NODES].apiUrl, member, arrivals, stop.signal).catch((error: Error) => {
        if (!stop.signal.aborted) config.log(`group: member ${i} stopped polling: ${error.message}`);
      });
    });
    const allHave: number[] = [];
    const sealAndStore: number[] = [];
    for (let round = 0; round < rounds + 1; round++) {
      await sleep(GAP_MS);
      const mid = toB64u(randomBytes(16));
      const arrived = new Promise<number>((resolve) =>
        arrivals.set(mid, { left: others.length, done: resolve }),
      );
      const started = nowMs();
      const body = encodeBody({ type: "text", text: `round ${round}`, sentAt: Date.now(), group: gid, mid });
      // As the web app: every copy sealed first, then stored STORES_AT_ONCE at a time.
      const envelopes = others.map((member) => JSON.stringify(seal(me, member.publicKey, body)));
      const storeNext = async () => {
        for (let e = envelopes.shift(); e !== undefined; e = envelopes.shift()) {
          const answer = await sender.post(`${nodes[0].apiUrl}/v1/store`, e, AbortSignal.timeout(10_000));
          if (answer.status !== 201) throw new Error(`store answered ${answer.status}: ${answer.text}`);
        }
      };
      await Promise.all(Array.from({ length: STORES_AT_ONCE }, storeNext));
      const stored = nowMs();
      const at = await Promise.race([arrived, sleep(20_000).then(() => Number.NaN)]);
      if (Number.isNaN(at)) throw new Error(`round ${round}: not every member had the message after 20 s`);
      // The first round warms connections and the nodes' caches.
      if (round === 0) continue;
      sealAndStore.push(stored - started);
      allHave.push(at - started);
    }
    stop.abort();
    await Promise.all(pollers);
    const total = latencyOf(allHave);
    return {
      row: "group of 32",
      figure: `${ms(total.p50)} until all 31 have it (p99 ${ms(total.p99)}); sealing and storing 31 copies ${ms(median(sealAndStore))}`,
      target: "printed",
      met: null,
      command: "npm run bench -- group (bench/rows/group.ts: 4 in-process nodes, 31 long-polling members)",
      values: { p50Ms: total.p50, p99Ms: total.p99, sealAndStoreMs: median(sealAndStore), rounds },
      note: `${rounds} messages after one warm-up; one sender storing ${STORES_AT_ONCE} at a time through one node, as the web app does`,
    };
  } finally {
    stop.abort();
    sender.close();
    for (const c of clients) c.close();
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

/** One member: long-poll, open, count the group message's arrival. */
function receive(
  client: JsonClient,
  apiUrl: string,
  member: Identity,
  arrivals: Map<string, { left: number; done: (at: number) => void }>,
  signal: AbortSignal,
): Promise<void> {
  return longPoll(client, apiUrl, member, signal, (message) => {
    const opened = open(member, message, nodeCrypto);
    const body = opened.ok ? decodeBody(opened.body) : null;
    if (body?.type !== "text" || !body.mid) return;
    const waiting = arrivals.get(body.mid);
    if (!waiting) return;
    waiting.left--;
    if (waiting.left > 0) return;
    arrivals.delete(body.mid);
    waiting.done(nowMs());
  });
}
