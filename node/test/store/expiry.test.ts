import { afterEach, describe, expect, it } from "vitest";
import { mailboxKey } from "../../src/store/entry";
import { proofFor } from "../fixtures/retrieve-proofs";
import { Cluster } from "./cluster";
import { envelope, mailboxOf } from "./fixtures";

let cluster: Cluster;

afterEach(async () => {
  await cluster.stop();
});

const TTL = 10_000;
// NACKs at expiresAt: the acknowledgement's grace before a NACK is delivered-xor-nacked.test.ts's subject.
const options = { ttlMs: TTL, expiryMs: 1_000_000, repairMs: 1_000_000, expiryGraceMs: 5_000, ackGraceMs: 0 };

async function nacksOf(mailbox: string, reader = cluster.nodes[0]) {
  return (await reader.mailboxes.retrieve(mailbox, proofFor(mailbox, [], cluster.clock.now()), { waitMs: 0 }))
    .nacks;
}

describe("Mailboxes: expiry and NACK", () => {
  it("turns an unread message into exactly one NACK in the sender's mailbox and deletes it everywhere", async () => {
    cluster = await Cluster.start(6, options);
    const bob = mailboxOf(200);
    const alice = mailboxOf(201);
    const env = envelope(bob, alice);
    const { expiresAt } = await cluster.nodes[2].mailboxes.store(env);
    cluster.clock.advance(TTL);
    await cluster.expireAll();
    await cluster.expireAll();
    expect(await nacksOf(alice)).toEqual([{ id: env.id, to: bob, expiredAt: expiresAt }]);
    expect(
      (await cluster.nodes[1].mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 0 }))
        .messages,
    ).toEqual([]);
    const nackOwner = cluster.ownerOf(alice);
    expect(nackOwner.store.get(alice, env.id)?.expiresAt).toBe(cluster.clock.now() + TTL);
    const sent = cluster.nodes.reduce((sum, n) => sum + n.metrics.get("wisp_store_nacks_sent_total"), 0);
    expect(sent).toBe(1);
    cluster.clock.advance(options.expiryGraceMs);
    await cluster.expireAll();
    expect(cluster.holders(bob, env.id)).toEqual([]);
  });

  it("an acknowledged message produces no NACK", async () => {
    cluster = await Cluster.start(4, options);
    const bob = mailboxOf(202);
    const alice = mailboxOf(203);
    const env = envelope(bob, alice);
    await cluster.nodes[0].mailboxes.store(env);
    await cluster.nodes[1].mailboxes.retrieve(bob, proofFor(bob, [env.id], cluster.clock.now()), {
      waitMs: 0,
    });
    cluster.clock.advance(TTL + options.expiryGraceMs);
    await cluster.expireAll();
    expect(await nacksOf(alice)).toEqual([]);
  });

  it("a NACK never causes a NACK", async () => {
    cluster = await Cluster.start(4, options);
    const bob = mailboxOf(204);
    const alice = mailboxOf(205);
    await cluster.nodes[0].mailboxes.store(envelope(bob, alice));
    cluster.clock.advance(TTL);
    await cluster.expireAll();
    expect(await nacksOf(alice)).toHaveLength(1);
    cluster.clock.advance(TTL + options.expiryGraceMs);
    await cluster.expireAll();
    for (const node of cluster.nodes) expect(node.store.count()).toBe(0);
  });

  it("two nodes that both believe they own the mailbox still leave one NACK, even after it was read", async () => {
    cluster = await Cluster.start(5, options);
    const bob = mailboxOf(206);
    const alice = mailboxOf(207);
    const env = envelope(bob, alice);
    await cluster.nodes[0].mailboxes.store(env);
    const owner = cluster.ownerOf(bob);
    const replica = cluster.node(cluster.members.after(owner.addr)[0].addr);
    const key = mailboxKey(bob);
    // The replica believes it owns bob's mailbox too, besides its own range.
    replica.ring.ownsOverride = (k) => k === key || cluster.members.ownerOf(k)?.addr === replica.addr;
    cluster.clock.advance(TTL);
    await owner.mailboxes.expiry.tick();
    const nacks = await nacksOf(alice);
    expect(nacks).toHaveLength(1);
    await cluster.nodes[0].mailboxes.retrieve(alice, proofFor(alice, [nacks[0].id], cluster.clock.now()), {
      waitMs: 0,
    });
    await replica.mailboxes.expiry.tick();
    expect(await nacksOf(alice)).toEqual([]);
    const sent = cluster.nodes.reduce((sum, n) => sum + n.metrics.get("wisp_store_nacks_sent_total"), 0);
    expect(sent).toBe(1);
  });

  it("a non-owner replica never NACKs", async () => {
    cluster = await Cluster.start(5, options);
    const bob = mailboxOf(208);
    const alice = mailboxOf(209);
    const env = envelope(bob, alice);
    await cluster.nodes[0].mailboxes.store(env);
    const owner = cluster.ownerOf(bob);
    const replica = cluster.node(cluster.holders(bob, env.id).find((a) => a !== owner.addr)!);
    cluster.clock.advance(TTL);
    await replica.mailboxes.expiry.tick();
    expect(replica.store.count()).toBe(1);
    expect(replica.mailboxes.entryCount()).toBe(0);
    cluster.clock.advance(options.expiryGraceMs);
    for (const node of cluster.nodes) if (node !== owner) await node.mailboxes.expiry.tick();
    expect(await nacksOf(alice)).toEqual([]);
    expect(cluster.holders(bob, env.id)).toEqual([owner.addr]);
  });

  it("keeps a NACK it cannot store yet and retries it", async () => {
    cluster = await Cluster.start(5, options);
    const bob = mailboxOf(210);
    const owner = cluster.ownerOf(bob);
    // A mailbox of another node: a key the owner holds itself is stored without a lookup.
    const alice = [211, 212, 213, 216, 217].map(mailboxOf).find((m) => cluster.ownerOf(m) !== owner)!;
    const env = envelope(bob, alice);
    await cluster.nodes[0].mailboxes.store(env);
    const reader = cluster.nodes.find((n) => n !== owner)!;
    cluster.clock.advance(TTL);
    owner.ring.noRoute = true;
    await owner.mailboxes.expiry.tick();
    expect(owner.mailboxes.expiry.pendingNacks).toBe(1);
    expect(await nacksOf(alice, reader)).toEqual([]);
    owner.ring.noRoute = false;
    await owner.mailboxes.expiry.tick();
    expect(owner.mailboxes.expiry.pendingNacks).toBe(0);
    expect((await nacksOf(alice, reader)).map((n) => n.id)).toEqual([env.id]);
  });

  it("a graceful hand-off sends the NACKs still queued", async () => {
    cluster = await Cluster.start(4, options);
    const bob = mailboxOf(214);
    const alice = mailboxOf(215);
    const env = envelope(bob, alice);
    await cluster.nodes[0].mailboxes.store(env);
    const owner = cluster.ownerOf(bob);
    const reader = cluster.nodes.find((n) => n !== owner)!;
    cluster.clock.advance(TTL);
    owner.ring.noRoute = true;
    await owner.mailboxes.expiry.tick();
    owner.ring.noRoute = false;
    await owner.mailboxes.handOff();
    expect(owner.mailboxes.expiry.pendingNacks).toBe(0);
    expect((await nacksOf(alice, reader)).map((n) => n.id)).toEqual([env.id]);
  });

  it("the background task runs on its own timer", async () => {
    cluster = await Cluster.start(3, { ...options, expiryMs: 1_000 });
    const bob = mailboxOf(212);
    const alice = mailboxOf(213);
    await cluster.nodes[0].mailboxes.store(envelope(bob, alice));
    cluster.clock.advance(TTL + 1_000);
    for (let i = 0; i < 20 && (await nacksOf(alice)).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      cluster.clock.advance(1_000);
    }
    expect(await nacksOf(alice)).toHaveLength(1);
  });
});
