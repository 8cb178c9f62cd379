/**
 * What the crash soak found, each reproduced deterministically over the store's static test ring
 * (ManualClock, memory transport), so the fix stays covered without running processes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { proofFor } from "../fixtures/retrieve-proofs";
import { Cluster } from "../store/cluster";
import { envelope, mailboxOf } from "../store/fixtures";

let cluster: Cluster;

afterEach(async () => {
  await cluster.stop();
});

const TTL = 10_000;
const GRACE = 5_000;
// NACKs at expiresAt: the acknowledgement's grace before a NACK is delivered-xor-nacked.test.ts's subject.
const options = { ttlMs: TTL, expiryMs: 1_000_000, repairMs: 1_000_000, expiryGraceMs: GRACE, ackGraceMs: 0 };

/** Runs the repair rounds that the cluster's joins scheduled, so none fires inside a test's steps. */
async function settle(): Promise<void> {
  cluster.clock.advance(1_000);
  await cluster.repairAll();
}

async function nacksOf(mailbox: string) {
  return (
    await cluster.nodes[0].mailboxes.retrieve(mailbox, proofFor(mailbox, [], cluster.clock.now()), {
      waitMs: 0,
    })
  ).nacks;
}

describe("crash soak findings", () => {
  it("an owner restarted empty at its address is handed an expired message by a replica, and NACKs it once", async () => {
    cluster = await Cluster.start(6, options);
    await settle();
    const bob = mailboxOf(300);
    const alice = mailboxOf(301);
    const env = envelope(bob, alice);
    const { expiresAt } = await cluster.nodes[1].mailboxes.store(env);
    const owner = cluster.ownerOf(bob);
    expect(cluster.holders(bob, env.id)).toHaveLength(3);

    // SIGKILL and a restart at the same address: the same ring id, an empty store. Its replicas'
    // copies expire before a repair round hands them over, and replicas never NACK; but each hands
    // its expired copy to the owner at the tick that finds it expired (issue 16: no silent expiry).
    owner.store.drop(bob, [env.id]);
    cluster.clock.advance(TTL);
    await cluster.expireAll();
    await cluster.expireAll();
    expect(await nacksOf(alice)).toEqual([{ id: env.id, to: bob, expiredAt: expiresAt }]);

    // Every later round (the replicas still hold copies) is a no-op at the NACK mailbox.
    for (let round = 0; round < 3; round++) {
      await cluster.repairAll();
      await cluster.expireAll();
    }
    expect(await nacksOf(alice)).toHaveLength(1);
    cluster.clock.advance(GRACE);
    await cluster.expireAll();
    expect(cluster.holders(bob, env.id)).toEqual([]);
  });

  it("a replica still refuses an expired message of a mailbox it does not own", async () => {
    cluster = await Cluster.start(6, options);
    await settle();
    const bob = mailboxOf(310);
    const env = envelope(bob, mailboxOf(311));
    await cluster.nodes[1].mailboxes.store(env);
    const [, replica] = cluster.holders(bob, env.id).filter((addr) => addr !== cluster.ownerOf(bob).addr);
    cluster.node(replica).store.drop(bob, [env.id]);
    cluster.clock.advance(TTL);
    await cluster.repairAll();
    expect(cluster.node(replica).store.get(bob, env.id)).toBeUndefined();
  });

  it("an acknowledgement routed to the owner's successor (a route from before a join) is refused there and deletes the owner's copy", async () => {
    cluster = await Cluster.start(6, options);
    await settle();
    const bob = mailboxOf(320);
    const env = envelope(bob, mailboxOf(321));
    await cluster.nodes[1].mailboxes.store(env);
    const owner = cluster.ownerOf(bob);
    const successor = cluster.members.after(owner.addr)[0];
    const stranger = cluster.nodes.find((n) => n !== owner && n.addr !== successor.addr)!;

    const answer = await stranger.transport.request(
      successor.addr,
      { t: "store.fetch", mailbox: bob, proof: proofFor(bob, [env.id], cluster.clock.now()), waitMs: 0 },
      { timeoutMs: 1_000 },
    );
    expect(answer.t).toBe("store.not_owner");
    expect(owner.store.get(bob, env.id)).toBeDefined();
    stranger.ring.staleOwner = successor;
    expect(
      (await stranger.mailboxes.retrieve(bob, proofFor(bob, [env.id], cluster.clock.now()), { waitMs: 0 }))
        .messages,
    ).toEqual([]);
    expect(owner.store.get(bob, env.id)).toBeUndefined();
    expect(cluster.holders(bob, env.id)).toEqual([]);
  });

  it("an owner NACKs an expired message once: the copies its replicas hand back later are refused", async () => {
    cluster = await Cluster.start(6, options);
    await settle();
    const bob = mailboxOf(330);
    const alice = mailboxOf(331);
    const env = envelope(bob, alice);
    await cluster.nodes[1].mailboxes.store(env);
    const bobOwner = cluster.ownerOf(bob);
    const bobReplicas = cluster.holders(bob, env.id).filter((addr) => addr !== bobOwner.addr);
    bobOwner.store.drop(bob, [env.id]); // restarted empty
    cluster.clock.advance(TTL);
    await cluster.repairAll();
    await cluster.expireAll();
    expect((await nacksOf(alice)).map((n) => n.id)).toEqual([env.id]);
    await cluster.nodes[0].mailboxes.retrieve(alice, proofFor(alice, [env.id], cluster.clock.now()), {
      waitMs: 0,
    }); // A acknowledges the NACK

    // The owner of A's mailbox restarts empty (its tombstone of the NACK gone) before its replicas
    // hand the tombstone back; meanwhile a replica of B's mailbox hands its expired copy over again.
    const aliceOwner = cluster.ownerOf(alice);
    aliceOwner.store.drop(alice, [env.id]);
    for (const addr of bobReplicas) await cluster.node(addr).mailboxes.repair.round();
    await bobOwner.mailboxes.expiry.tick();
    expect(await nacksOf(alice)).toEqual([]);
  });

  it("an acknowledgement at a node that no longer owns the mailbox, whose unconfirmed lookup still names itself, reaches its predecessor, the owner", async () => {
    cluster = await Cluster.start(6, options);
    await settle();
    const bob = mailboxOf(340);
    const env = envelope(bob, mailboxOf(341));
    await cluster.nodes[1].mailboxes.store(env);
    const owner = cluster.ownerOf(bob);
    const successor = cluster.node(cluster.members.after(owner.addr)[0].addr);
    // The owner came back at its address faster than its successor's predecessor check: the
    // successor knows it is not the owner, but the routes it learned meanwhile still end at itself.
    successor.ring.staleOwner = successor.ring.self;
    successor.ring.lookups.length = 0;

    await successor.mailboxes.retrieve(bob, proofFor(bob, [env.id], cluster.clock.now()), { waitMs: 0 });
    expect(owner.store.get(bob, env.id)).toBeUndefined();
    expect(successor.ring.lookups).toEqual([false, true]);
  });
});
