/**
 * Issue 16, items 1 and 2 at the store: no message expires silently at a node that is not its
 * owner, a message handed out close to expiry is not NACKed before its acknowledgement can
 * arrive (whichever node owns it by then), and a message acknowledged is never NACKed, even when a stale copy comes back.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Entry } from "../../src/store/entry";
import { proofFor } from "../fixtures/retrieve-proofs";
import { Cluster } from "./cluster";
import { envelope, mailboxOf } from "./fixtures";

let cluster: Cluster;

afterEach(async () => {
  await cluster.stop();
});

const TTL = 10_000;
const ACK_GRACE = 4_000;
const options = {
  ttlMs: TTL,
  expiryMs: 1_000_000,
  repairMs: 1_000_000,
  expiryGraceMs: 5_000,
  ackGraceMs: ACK_GRACE,
};

async function nacksOf(mailbox: string) {
  return (
    await cluster.nodes[0].mailboxes.retrieve(mailbox, proofFor(mailbox, [], cluster.clock.now()), {
      waitMs: 0,
    })
  ).nacks;
}

describe("delivered XOR NACKed", () => {
  for (const crash of [false, true]) {
    it(`a message handed out just before expiry and acknowledged after expiresAt is not NACKed${crash ? ", though its owner crashed in between" : ""}`, async () => {
      cluster = await Cluster.start(5, options);
      const bob = mailboxOf(crash ? 308 : 300);
      const alice = mailboxOf(crash ? 309 : 301);
      const env = envelope(bob, alice);
      await cluster.nodes[1].mailboxes.store(env);
      cluster.clock.advance(TTL - 100);
      const owner = cluster.ownerOf(bob);
      const reader = cluster.live().find((n) => n !== owner)!;
      const got = await reader.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 0 });
      expect(got.messages.map((m) => m.id)).toEqual([env.id]);
      if (crash) {
        // The first replica, which owns the mailbox now, did not see the message handed out.
        cluster.crash(owner.addr);
        expect(cluster.ownerOf(bob).store.get(bob, env.id)).toBeDefined();
      }
      cluster.clock.advance(1_000); // past expiresAt, within the acknowledgement's grace
      await cluster.expireAll();
      expect(await nacksOf(alice)).toEqual([]);
      await reader.mailboxes.retrieve(bob, proofFor(bob, [env.id], cluster.clock.now()), { waitMs: 0 });
      cluster.clock.advance(ACK_GRACE + options.expiryGraceMs + TTL);
      await cluster.expireAll();
      await cluster.repairAll();
      await cluster.expireAll();
      expect(await nacksOf(alice)).toEqual([]);
    });
  }

  it("a message handed out but never acknowledged is NACKed once the grace has passed", async () => {
    cluster = await Cluster.start(5, options);
    const bob = mailboxOf(302);
    const alice = mailboxOf(303);
    const env = envelope(bob, alice);
    await cluster.nodes[1].mailboxes.store(env);
    cluster.clock.advance(TTL - 100);
    await cluster.nodes[2].mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 0 });
    cluster.clock.advance(1_000);
    await cluster.expireAll();
    expect(await nacksOf(alice)).toEqual([]);
    cluster.clock.advance(ACK_GRACE);
    await cluster.expireAll();
    expect((await nacksOf(alice)).map((n) => n.id)).toEqual([env.id]);
  });

  it("a stale copy of an acknowledged message handed back to the owner after expiry is refused, not NACKed", async () => {
    cluster = await Cluster.start(6, options);
    const bob = mailboxOf(304);
    const alice = mailboxOf(305);
    const env = envelope(bob, alice);
    const { expiresAt } = await cluster.nodes[0].mailboxes.store(env);
    const stale: Entry = {
      kind: "msg",
      mailbox: bob,
      id: env.id,
      envelope: env,
      storedAt: expiresAt - TTL,
      expiresAt,
    };
    // A node that missed the acknowledgement's tombstone (it was a replica before a join).
    const stranger = cluster.stranger(bob);
    await cluster.nodes[0].mailboxes.retrieve(bob, proofFor(bob, [env.id], cluster.clock.now()), {
      waitMs: 0,
    });
    stranger.store.put(stale);
    cluster.clock.advance(TTL + 1_000);
    await cluster.expireAll();
    await cluster.repairAll();
    await cluster.expireAll();
    expect(await nacksOf(alice)).toEqual([]);
  });

  it("a message held only by a node that is not its owner is handed to the owner at expiry and NACKed", async () => {
    cluster = await Cluster.start(6, options);
    const bob = mailboxOf(306);
    const alice = mailboxOf(307);
    const env = envelope(bob, alice);
    const now = cluster.clock.now();
    const stranger = cluster.stranger(bob);
    stranger.store.put({
      kind: "msg",
      mailbox: bob,
      id: env.id,
      envelope: env,
      storedAt: now,
      expiresAt: now + TTL,
    });
    cluster.clock.advance(TTL + 1);
    await stranger.mailboxes.expiry.tick();
    cluster.clock.advance(ACK_GRACE);
    expect(cluster.ownerOf(bob).store.get(bob, env.id)).toBeDefined();
    await cluster.expireAll();
    expect((await nacksOf(alice)).map((n) => n.id)).toEqual([env.id]);
  });
});
