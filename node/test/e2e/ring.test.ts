/** Issue 3 and 4, end to end: 8 processes started through bin/wisp-node on 127.0.0.1. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeBody, generateIdentity, type Identity, seal, signRetrieve } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildOnce,
  eventually,
  nodeInfo,
  post,
  type RunningNode,
  ringIsConsistent,
  spawnNode,
  stopAll,
  wisp,
} from "./harness";

const nodes: RunningNode[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wisp-e2e-"));
  buildOnce();
  // Clients that stand behind a proxy on loopback say who they are in X-Forwarded-For.
  const proxy = { WISP_TRUSTED_PROXY: "127.0.0.1" };
  nodes.push(await spawnNode(proxy));
  const rest = await Promise.all(
    Array.from({ length: 7 }, () => spawnNode({ ...proxy, WISP_BOOTSTRAP: nodes[0].addr })),
  );
  nodes.push(...rest);
  await eventually(() => ringIsConsistent(nodes), "8 nodes to form one ring");
}, 120_000);

afterAll(async () => {
  await stopAll(nodes);
  rmSync(dir, { recursive: true, force: true });
});

const text = (t: string) => encodeBody({ type: "text", text: t, sentAt: Date.now() });

/** Long-polls parked across the ring (each owner's wisp_store_long_polls gauge). */
async function parkedLongPolls(): Promise<number> {
  const counts = await Promise.all(
    nodes.map(async (node) => {
      const text = await (await fetch(`${node.apiUrl}/metrics`)).text();
      return Number(/^wisp_store_long_polls (\d+)$/m.exec(text)?.[1] ?? 0);
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

async function retrieveAll(node: RunningNode, who: Identity, ack: string[] = [], wait = 0) {
  const answer = await post(node, "/v1/retrieve", signRetrieve(who, Date.now(), ack, wait));
  expect(answer.status).toBe(200);
  return answer.body as { messages: { id: string }[]; nacks: { id: string }[]; more: boolean };
}

const totalEntries = async (alive: RunningNode[]) =>
  (await Promise.all(alive.map(nodeInfo))).reduce((sum, info) => sum + info.entries, 0);

describe("a ring of 8 nodes over TCP", () => {
  it("forms one ring: /v1/node successors and predecessor agree, health is 200 everywhere", async () => {
    expect(await ringIsConsistent(nodes)).toBe(true);
    for (const node of nodes) {
      const info = await nodeInfo(node);
      expect(info.id).toBe(node.id);
      expect(info.successors.length).toBeGreaterThanOrEqual(3);
      expect((await fetch(`${node.apiUrl}/v1/health`)).status).toBe(200);
    }
  });

  it("reads through one node what was stored through another, replicated on 3 nodes", async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const before = await totalEntries(nodes);
    const envelope = seal(alice, bob.publicKey, text("across the ring"));
    const stored = await post(nodes[5], "/v1/store", envelope);
    expect(stored.status).toBe(201);
    expect((await post(nodes[6], "/v1/store", envelope)).status).toBe(200);
    await eventually(
      async () => ((await totalEntries(nodes)) === before + 3 ? true : undefined),
      "3 replicas",
    );
    const read = await retrieveAll(nodes[2], bob);
    expect(read.messages.map((m) => m.id)).toEqual([envelope.id]);
    await retrieveAll(nodes[7], bob, [envelope.id]);
    await eventually(
      async () => ((await totalEntries(nodes)) === before ? true : undefined),
      "entries to drop",
    );
  });

  it("CLI: A sends to B through node 1, B polls through node 3, sees A's address; acknowledged → gone everywhere", async () => {
    const a = ["--identity", join(dir, "a.json")];
    const b = ["--identity", join(dir, "b.json")];
    expect((await wisp(["keygen", ...a])).code).toBe(0);
    expect((await wisp(["keygen", ...b])).code).toBe(0);
    const addressA = (await wisp(["whoami", ...a])).out.trim();
    const addressB = (await wisp(["whoami", ...b])).out.trim();
    const baseline = await Promise.all(nodes.map(async (n) => (await nodeInfo(n)).entries));

    const sent = await wisp(["send", addressB, "hello B, from A", "--node", nodes[0].apiUrl, ...a]);
    expect(sent.code, sent.err).toBe(0);
    const id = sent.out.trim();
    const sum = (values: number[]) => values.reduce((x, y) => x + y, 0);
    await eventually(
      async () => ((await totalEntries(nodes)) === sum(baseline) + 3 ? true : undefined),
      "3 copies",
    );

    const polled = await wisp(["poll", "--json", "--node", nodes[2].apiUrl, ...b]);
    expect(polled.code, polled.err).toBe(0);
    const lines = polled.out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ kind: "message", id, from: addressA, text: "hello B, from A" }),
    ]);

    // B's receipt went to A's mailbox; A reads and acknowledges it, so every node is back to its baseline.
    const receipt = await wisp(["poll", "--json", "--node", nodes[4].apiUrl, ...a]);
    expect(receipt.out).toContain(`"ids":["${id}"]`);
    await eventually(
      async () => {
        const now = await Promise.all(nodes.map(async (n) => (await nodeInfo(n)).entries));
        return now.every((entries, i) => entries === baseline[i]) ? true : undefined;
      },
      "every replica to drop the acknowledged entries",
      20_000,
    );
  });

  it("long-poll: B waits 20 s on node 2, A stores through node 4, B's answer comes well before the wait ends", async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const started = Date.now();
    const waiting = retrieveAll(nodes[1], bob, [], 20_000);
    await eventually(
      async () => (await parkedLongPolls()) === 1 || undefined,
      "the long-poll to park at its owner",
    );
    const envelope = seal(alice, bob.publicKey, text("wake up"));
    expect((await post(nodes[3], "/v1/store", envelope)).status).toBe(201);
    const answer = await waiting;
    expect(answer.messages.map((m) => m.id)).toEqual([envelope.id]);
    expect(Date.now() - started).toBeLessThan(10_000);
    await retrieveAll(nodes[1], bob, [envelope.id]);
  });

  it("hostile requests get their documented errors and the node keeps serving", async () => {
    const node = nodes[7];
    const alice = generateIdentity();
    const bob = generateIdentity();
    // One client behind the loopback proxy: loopback itself has no per-IP limit (PROTOCOL.md).
    const raw = (body: string) =>
      fetch(`${node.apiUrl}/v1/store`, {
        method: "POST",
        body,
        headers: { "x-forwarded-for": "203.0.113.9" },
        signal: AbortSignal.timeout(10_000),
      });
    const codeOf = async (response: Response) =>
      ((await response.json()) as { error: { code: string } }).error.code;
    const malformed = await raw("{not json");
    expect([malformed.status, await codeOf(malformed)]).toEqual([400, "bad_request"]);
    const envelope = seal(alice, bob.publicKey, text("fine"));
    const badLength = await post(node, "/v1/store", { ...envelope, eph: envelope.eph.slice(0, 40) });
    expect(badLength.status).toBe(400);
    const oversized = await raw(JSON.stringify({ ...envelope, ct: "A".repeat(70_000) }));
    expect([oversized.status, await codeOf(oversized)]).toEqual([413, "too_large"]);
    const stale = await post(node, "/v1/retrieve", signRetrieve(bob, Date.now() - 400_000, [], 0));
    expect(stale.status).toBe(401);
    const forged = await post(node, "/v1/retrieve", {
      ...signRetrieve(alice, Date.now(), [], 0),
      pk: bob.address,
    });
    expect(forged.status).toBe(401);

    const flood = await Promise.all(Array.from({ length: 90 }, () => raw("{}")));
    const limited = flood.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const retryAfter = Number(limited[0].headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    await Promise.all(flood.map((response) => response.body?.cancel()));
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    expect((await post(node, "/v1/store", envelope)).status).toBe(201);
    expect((await fetch(`${node.apiUrl}/v1/health`)).status).toBe(200);
    await retrieveAll(node, bob, [envelope.id]);
  });

  it("two nodes killed with SIGKILL: every message is still readable and the ring heals", async () => {
    const sender = generateIdentity();
    const recipients = Array.from({ length: 12 }, () => generateIdentity());
    const sent = new Map<Identity, string>();
    for (const recipient of recipients) {
      const envelope = seal(sender, recipient.publicKey, text("survive"));
      expect((await post(nodes[0], "/v1/store", envelope)).status).toBe(201);
      sent.set(recipient, envelope.id);
    }
    const victims = [nodes[3], nodes[6]];
    for (const victim of victims) victim.proc.kill("SIGKILL");
    await Promise.all(victims.map((v) => v.exited));
    const survivors = nodes.filter((n) => !victims.includes(n));

    await eventually(() => ringIsConsistent(survivors), "the 6 survivors to heal into one ring");
    for (const [recipient, id] of sent) {
      const reader = survivors[recipients.indexOf(recipient) % survivors.length];
      await eventually(
        async () =>
          (await retrieveAll(reader, recipient)).messages.some((m) => m.id === id) ? true : undefined,
        `message ${id} to be readable through ${reader.addr}`,
        30_000,
      );
    }
  });
});
