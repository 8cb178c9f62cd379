/** Issue 4, expiry and NACK end to end: 4 processes with WISP_TTL_MS=2000. */
import { encodeBody, generateIdentity, type Identity, seal, signRetrieve } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildOnce,
  eventually,
  post,
  type RunningNode,
  ringIsConsistent,
  spawnNode,
  stopAll,
} from "./harness";

const TTL_MS = 2_000;
const nodes: RunningNode[] = [];

beforeAll(async () => {
  buildOnce();
  const env = { WISP_TTL_MS: String(TTL_MS) };
  nodes.push(await spawnNode(env));
  nodes.push(
    ...(await Promise.all([1, 2, 3].map(() => spawnNode({ ...env, WISP_BOOTSTRAP: nodes[0].addr })))),
  );
  await eventually(() => ringIsConsistent(nodes), "4 nodes to form one ring");
}, 120_000);

afterAll(() => stopAll(nodes));

type Answer = { messages: { id: string }[]; nacks: { id: string; to: string; expiredAt: number }[] };

async function retrieve(node: RunningNode, who: Identity, ack: string[] = []): Promise<Answer> {
  const answer = await post(node, "/v1/retrieve", signRetrieve(who, Date.now(), ack, 0));
  expect(answer.status).toBe(200);
  return answer.body as unknown as Answer;
}

describe("expiry with WISP_TTL_MS=2000", () => {
  it("an unread message becomes exactly one NACK for A; an acknowledged one none", async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const body = encodeBody({ type: "text", text: "are you there?", sentAt: Date.now() });
    const unread = seal(alice, bob.publicKey, body);
    const read = seal(alice, bob.publicKey, body);
    expect((await post(nodes[0], "/v1/store", unread)).status).toBe(201);
    expect((await post(nodes[1], "/v1/store", read)).status).toBe(201);
    const first = await retrieve(nodes[2], bob);
    expect(first.messages.map((m) => m.id).sort()).toEqual([unread.id, read.id].sort());
    await retrieve(nodes[2], bob, [read.id]);

    // Watch A's mailbox without acknowledging: the NACK must show up once, for the unread id only.
    const seen: Answer["nacks"][] = [];
    const nack = await eventually(
      async () => {
        const answer = await retrieve(nodes[3], alice);
        seen.push(answer.nacks);
        return answer.nacks.length > 0 ? answer.nacks : undefined;
      },
      "a NACK in A's mailbox",
      30_000,
    );
    expect(nack).toEqual([{ id: unread.id, to: unread.to, expiredAt: expect.any(Number) }]);
    for (let i = 0; i < 8; i++) {
      const answer = await retrieve(nodes[i % 4], alice);
      expect(answer.nacks.length).toBeLessThanOrEqual(1);
      expect(answer.nacks.every((n) => n.id === unread.id)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(seen.flat().every((n) => n.id === unread.id)).toBe(true);
    expect((await retrieve(nodes[1], bob)).messages).toEqual([]);
  });
});
