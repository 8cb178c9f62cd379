/**
 * Issue 16, first finding, end to end: 16 bin/wisp-node processes (default timers) join one at a
 * time through the first, each waiting for the last to answer /v1/health 200. As soon as the last
 * one is healthy, 300 messages are stored through random nodes, and each recipient retrieves
 * through another random node: none may be missing.
 */
import { encodeBody, generateIdentity, type Identity, seal, signRetrieve } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/sim";
import { buildOnce, eventually, post, type RunningNode, spawnNode, stopAll } from "./harness";

const NODES = 16;
const MESSAGES = 300;
const CONCURRENCY = 12;

const nodes: RunningNode[] = [];
/** Problems of the store and retrieve made through each node the moment its health said 200. */
const atHealthy: string[] = [];
const random = seededRandom(16);
const pick = () => nodes[Math.floor(random() * nodes.length)];

async function healthy(node: RunningNode): Promise<true | undefined> {
  const response = await fetch(`${node.apiUrl}/v1/health`, { signal: AbortSignal.timeout(5_000) });
  await response.body?.cancel();
  return response.status === 200 ? true : undefined;
}

beforeAll(async () => {
  buildOnce();
  for (let i = 0; i < NODES; i++) {
    const node = await spawnNode(i === 0 ? {} : { WISP_BOOTSTRAP: nodes[0].addr });
    nodes.push(node);
    await eventually(() => healthy(node), `node ${i} to be healthy`, 20_000);
    await storeAndReadThrough(node);
  }
}, 120_000);

afterAll(async () => {
  await stopAll(nodes);
});

/** A message stored through node at once, read through it and through the first node. */
async function storeAndReadThrough(node: RunningNode): Promise<void> {
  const sender = generateIdentity();
  const recipient = generateIdentity();
  const envelope = seal(sender, recipient.publicKey, encodeBody({ type: "text", text: "new", sentAt: 0 }));
  const stored = await post(node, "/v1/store", envelope);
  if (stored.status !== 201) atHealthy.push(`${node.addr}: store answered ${stored.status}`);
  for (const reader of [node, nodes[0]]) {
    const answer = await post(reader, "/v1/retrieve", signRetrieve(recipient, Date.now(), [], 0));
    const ids = ((answer.body.messages ?? []) as { id: string }[]).map((m) => m.id);
    if (!ids.includes(envelope.id)) atHealthy.push(`${node.addr}: not read through ${reader.addr}`);
  }
}

/** Runs tasks with at most `limit` at once. */
async function pooled<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describe(`${NODES} processes joining one at a time`, () => {
  it("each node stores and retrieves correctly from the moment its /v1/health says 200", () => {
    expect(atHealthy).toEqual([]);
  });

  it(`store ${MESSAGES} messages right after the last is healthy; every one is read through another node`, async () => {
    const sender = generateIdentity();
    const recipients: Identity[] = Array.from({ length: MESSAGES }, () => generateIdentity());
    const sent = new Map<Identity, { id: string; via: RunningNode }>();
    await pooled(recipients, CONCURRENCY, async (recipient) => {
      const envelope = seal(sender, recipient.publicKey, encodeBody({ type: "text", text: "hi", sentAt: 0 }));
      const via = pick();
      const stored = await post(via, "/v1/store", envelope);
      expect(stored.status, JSON.stringify(stored.body)).toBe(201);
      sent.set(recipient, { id: envelope.id, via });
    });
    const missing: string[] = [];
    await pooled(recipients, CONCURRENCY, async (recipient) => {
      const { id, via } = sent.get(recipient)!;
      let reader = pick();
      while (reader === via) reader = pick();
      const answer = await post(reader, "/v1/retrieve", signRetrieve(recipient, Date.now(), [], 0));
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const ids = (answer.body.messages as { id: string }[]).map((m) => m.id);
      if (!ids.includes(id)) missing.push(`${id} (stored via ${via.addr}, read via ${reader.addr})`);
    });
    expect(missing).toEqual([]);
  });
});
