/**
 * A source's share of a mailbox (issue 12 item 6; store/quota.ts): one client cannot fill a
 * victim's mailbox through any node, one forwarding node holds at most its share at the owner,
 * and one pushing member at most its share of copies — while honest senders are still served.
 * The ring is on loopback, so the clients stand behind a trusted loopback proxy and say who they
 * are in X-Forwarded-For, as a reverse proxy would.
 */
import { signRetrieve } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeHandle } from "../../src/index";
import { mailboxKey } from "../../src/store/entry";
import { Cluster } from "../store/cluster";
import {
  generateIdentity,
  letter,
  mailboxAddress,
  post,
  retrieve,
  startRing,
  type TestRing,
} from "./harness";

/** A mailbox of 40 entries: a client may send it 5 a TTL through one node, a node hold 10 of it. */
const LIMITS = { maxMailboxEntries: 40 };
const CLIENT_SHARE = 5;
const SOURCE_SHARE = 10;

let ring: TestRing;
const alice = generateIdentity();

beforeAll(async () => {
  ring = await startRing(3, { mailbox: LIMITS, api: { trustedProxies: ["127.0.0.1"] } });
});
afterAll(async () => ring?.stop());

function roles(mailbox: string): { owner: NodeHandle; others: NodeHandle[] } {
  const key = mailboxKey(mailbox);
  const owner = ring.nodes.find((node) => node.chord.owns(key));
  if (!owner) throw new Error("no node owns the mailbox");
  return { owner, others: ring.nodes.filter((node) => node !== owner) };
}

async function flood(node: NodeHandle, to: ReturnType<typeof generateIdentity>, ip: string, tries: number) {
  const statuses: number[] = [];
  for (let i = 0; i < tries; i++)
    statuses.push((await post(node, "/v1/store", letter(alice, to, `junk ${i}`), ip)).status);
  return statuses;
}

describe("a client's share", () => {
  it("one address fills no mailbox through the owner; others still reach it", async () => {
    const bob = generateIdentity();
    const { owner } = roles(mailboxAddress(bob.publicKey));
    const statuses = await flood(owner, bob, "203.0.113.7", CLIENT_SHARE + 3);
    expect(statuses.slice(0, CLIENT_SHARE)).toEqual(Array(CLIENT_SHARE).fill(201));
    expect(statuses.slice(CLIENT_SHARE)).toEqual([507, 507, 507]);
    const refused = await post(owner, "/v1/store", letter(alice, bob, "more"), "203.0.113.7");
    expect(refused.body.error?.code).toBe("mailbox_full");
    expect(refused.body.error?.message).toMatch(/share/);
    expect(owner.metrics.get("wisp_refused_total", { cause: "share" })).toBe(4);
    const real = letter(alice, bob, "a real one");
    expect((await post(owner, "/v1/store", real, "198.51.100.1")).status).toBe(201);
    expect((await retrieve(owner, bob)).messages.map((m) => m.id)).toContain(real.id);
  });
});

describe("loopback", () => {
  it("has no shares: clients and nodes on 127.0.0.1 fill a mailbox only to its limits", async () => {
    const bob = generateIdentity();
    const { others } = roles(mailboxAddress(bob.publicKey));
    const statuses: number[] = [];
    for (let i = 0; i <= LIMITS.maxMailboxEntries; i++)
      statuses.push((await post(others[0], "/v1/store", letter(alice, bob, `local ${i}`))).status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(LIMITS.maxMailboxEntries);
    expect(statuses.at(-1)).toBe(507);
  });
});

describe("a forwarding node's share at the owner", () => {
  it("many addresses through one node fill that node's share, not the mailbox", async () => {
    // Nodes off loopback, on the memory transport, where a node's puts count under its key.
    const cluster = await Cluster.start(4, LIMITS, "10.1.0.1");
    try {
      const bob = generateIdentity();
      const bobMailbox = mailboxAddress(bob.publicKey);
      const owner = cluster.ownerOf(bobMailbox);
      const [entry, other] = cluster.nodes.filter((node) => node !== owner);
      const store = (node: typeof owner, client: string, text: string) =>
        node.mailboxes.store(letter(alice, bob, text), client).then(
          () => 201,
          (error: { code?: string }) => (error.code === "mailbox_full" ? 507 : 500),
        );
      let created = 0;
      for (let ip = 1; ip <= 4; ip++)
        for (let i = 0; i < CLIENT_SHARE; i++)
          if ((await store(entry, `203.0.113.${ip}`, `junk ${ip} ${i}`)) === 201) created++;
      expect(created).toBe(SOURCE_SHARE);
      expect(await store(entry, "198.51.100.2", "via the flooded node")).toBe(507);
      // The mailbox itself has room: Alice through another node, or the owner, is served.
      expect(await store(other, "198.51.100.2", "via another node")).toBe(201);
      expect(await store(owner, "198.51.100.2", "via the owner")).toBe(201);
      expect(owner.store.count(bobMailbox)).toBe(SOURCE_SHARE + 2);
      // Once Bob acknowledges what he read, the node's share is free again.
      const proof = (ack: string[]) => signRetrieve(bob, cluster.clock.now(), ack, 0);
      const read = await owner.mailboxes.retrieve(bobMailbox, proof([]), { waitMs: 0 });
      await owner.mailboxes.retrieve(bobMailbox, proof(read.messages.map((m) => m.id)), { waitMs: 0 });
      expect(await store(entry, "198.51.100.3", "later")).toBe(201);
    } finally {
      await cluster.stop();
    }
  });
});

describe("a pushing member's share of copies", () => {
  it("junk copies to the owner from a node that hands it nothing fill its share, not the mailbox", async () => {
    const cluster = await Cluster.start(6, { ...LIMITS, replicas: 3 });
    try {
      const carol = generateIdentity();
      const carolMailbox = mailboxAddress(carol.publicKey);
      const owner = cluster.ownerOf(carolMailbox);
      // Mallory listens (so her copies are looked at) but is no neighbour of the owner.
      const mallory = cluster.network.transport("10.66.0.1:7400");
      await mallory.listen(async () => ({ t: "none" }));
      const now = cluster.clock.now();
      const junk = Array.from({ length: 40 }, (_, i) => {
        const envelope = letter(alice, carol, `junk ${i}`);
        const times = { storedAt: now, expiresAt: now + 60_000 };
        return { kind: "msg", mailbox: carolMailbox, id: envelope.id, ...times, envelope };
      });
      const answer = (await mallory.request(
        owner.addr,
        {
          t: "store.replicate",
          entries: junk,
          tombstones: [],
          proofs: [],
        },
        { timeoutMs: 2_000 },
      )) as unknown as { created: number };
      expect(answer.created).toBe(SOURCE_SHARE);
      expect(owner.store.count(carolMailbox)).toBe(SOURCE_SHARE);
      const real = letter(alice, carol, "real");
      await expect(cluster.stranger(carolMailbox).mailboxes.store(real)).resolves.toMatchObject({
        created: true,
      });
      // The owner's own replicas still copy a whole mailbox to it after a failure (repair).
      await cluster.repairAll();
      expect(cluster.holders(carolMailbox, real.id)).toHaveLength(3);
      await mallory.close();
    } finally {
      await cluster.stop();
    }
  });
});
