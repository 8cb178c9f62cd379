import { afterEach, describe, expect, it } from "vitest";
import { ServiceError } from "../../src/store/mailboxes";
import { TransportError } from "../../src/transport/transport";
import { proofFor } from "../fixtures/retrieve-proofs";
import { until } from "../until";
import { Cluster } from "./cluster";
import { envelope, freshId, mailboxOf, messageEntry } from "./fixtures";

let cluster: Cluster;

afterEach(async () => {
  await cluster.stop();
});

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${error}`);
  return error;
}

describe("Mailboxes: store and retrieve", () => {
  it("stores through any node on the owner and its two successors, and reads through any other", async () => {
    cluster = await Cluster.start(6);
    const bob = mailboxOf(100);
    const env = envelope(bob);
    const entry = cluster.stranger(bob);
    const outcome = await entry.mailboxes.store(env);
    expect(outcome).toEqual({ created: true, expiresAt: cluster.clock.now() + 86_400_000 });
    const owner = cluster.ownerOf(bob);
    const replicas = cluster.members
      .after(owner.addr)
      .slice(0, 2)
      .map((n) => n.addr);
    expect(cluster.holders(bob, env.id).sort()).toEqual([owner.addr, ...replicas].sort());
    for (const node of cluster.nodes) {
      const answer = await node.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
        waitMs: 0,
      });
      expect(answer).toEqual({
        messages: [{ ...env, expiresAt: outcome.expiresAt }],
        nacks: [],
        more: false,
      });
    }
    expect(entry.metrics.get("wisp_store_stores_total", { result: "created" })).toBe(1);
    expect(owner.mailboxes.entryCount()).toBe(1);
  });

  it("storing the same id again answers the first expiry and changes nothing", async () => {
    cluster = await Cluster.start(4);
    const bob = mailboxOf(101);
    const env = envelope(bob);
    const first = await cluster.nodes[0].mailboxes.store(env);
    cluster.clock.advance(5_000);
    const again = await cluster.nodes[1].mailboxes.store({ ...envelope(bob, mailboxOf(1), 120), id: env.id });
    expect(again).toEqual({ created: false, expiresAt: first.expiresAt });
    const answer = await cluster.nodes[2].mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 0,
    });
    expect(answer.messages).toEqual([{ ...env, expiresAt: first.expiresAt }]);
    expect(cluster.nodes[1].metrics.get("wisp_store_stores_total", { result: "duplicate" })).toBe(1);
  });

  it("an ack deletes the entry on every replica, and repair does not bring it back", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(102);
    const kept = envelope(bob);
    const acked = envelope(bob);
    await cluster.nodes[0].mailboxes.store(acked);
    cluster.clock.advance(1);
    await cluster.nodes[0].mailboxes.store(kept);
    expect(cluster.holders(bob, acked.id)).toHaveLength(3);
    const answer = await cluster.nodes[3].mailboxes.retrieve(
      bob,
      proofFor(bob, [acked.id], cluster.clock.now()),
      { waitMs: 0 },
    );
    expect(answer.messages.map((m) => m.id)).toEqual([kept.id]);
    expect(cluster.holders(bob, acked.id)).toEqual([]);
    expect(cluster.holders(bob, kept.id)).toHaveLength(3);
    await cluster.repairAll();
    expect(cluster.holders(bob, acked.id)).toEqual([]);
    expect((await cluster.nodes[1].mailboxes.store(acked)).created).toBe(false);
  });

  it("answers oldest first, at most 256 entries, with more", async () => {
    cluster = await Cluster.start(3);
    const bob = mailboxOf(103);
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) {
      const env = envelope(bob);
      ids.push(env.id);
      await cluster.nodes[i % 3].mailboxes.store(env);
      cluster.clock.advance(1);
    }
    const first = await cluster.nodes[0].mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 0,
    });
    expect(first.messages.map((m) => m.id)).toEqual(ids.slice(0, 256));
    expect(first.more).toBe(true);
    const second = await cluster.nodes[1].mailboxes.retrieve(
      bob,
      proofFor(bob, ids.slice(0, 256), cluster.clock.now()),
      { waitMs: 0 },
    );
    expect(second.messages.map((m) => m.id)).toEqual(ids.slice(256));
    expect(second.more).toBe(false);
  });

  it("refuses with mailbox_full past the entry limit, and past the byte limit", async () => {
    cluster = await Cluster.start(3, { maxMailboxEntries: 3, maxMailboxBytes: 2_000 });
    const bob = mailboxOf(104);
    for (let i = 0; i < 3; i++) await cluster.nodes[0].mailboxes.store(envelope(bob));
    const error = await rejection(cluster.nodes[1].mailboxes.store(envelope(bob)));
    expect(error.code).toBe("mailbox_full");
    expect(error.message).toMatch(/3 entries/);
    const carol = mailboxOf(105);
    await cluster.nodes[0].mailboxes.store(envelope(carol, mailboxOf(1), 1_000));
    const big = await rejection(cluster.nodes[0].mailboxes.store(envelope(carol, mailboxOf(1), 1_000)));
    expect(big.code).toBe("mailbox_full");
    expect(big.message).toMatch(/2000 bytes/);
    expect(cluster.nodes[1].metrics.get("wisp_store_errors_total", { code: "mailbox_full" })).toBe(1);
    const stored = envelope(bob);
    const drained = await cluster.nodes[0].mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 0,
    });
    await cluster.nodes[0].mailboxes.retrieve(
      bob,
      proofFor(bob, [drained.messages[0].id], cluster.clock.now()),
      { waitMs: 0 },
    );
    expect((await cluster.nodes[0].mailboxes.store(stored)).created).toBe(true);
  });

  it("answers unavailable, never a false success, when the owner cannot be reached or there is no ring", async () => {
    cluster = await Cluster.start(4);
    const bob = mailboxOf(106);
    const owner = cluster.ownerOf(bob);
    const entry = cluster.nodes.find((n) => n !== owner)!;
    cluster.network.crash(owner.addr);
    const stored = await rejection(entry.mailboxes.store(envelope(bob)));
    expect(stored.code).toBe("unavailable");
    expect(stored.message).toContain(owner.addr);
    expect(entry.ring.failures).toContain(owner.addr);
    expect(
      (await rejection(entry.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 0 })))
        .code,
    ).toBe("unavailable");
    entry.ring.joined = false;
    const alone = await rejection(entry.mailboxes.store(envelope(mailboxOf(107))));
    expect(alone.code).toBe("unavailable");
  });
  it("a replica that hangs delays the answer but does not fail the store", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(108);
    const owner = cluster.ownerOf(bob);
    const hanging = cluster.members.after(owner.addr)[0].addr;
    cluster.network.crash(hanging);
    cluster.network.bind(hanging, () => new Promise(() => {}), "a key no one expects");
    const entry = cluster.nodes.find((n) => n !== owner && n.addr !== hanging)!;
    const env = envelope(bob);
    expect((await entry.mailboxes.store(env)).created).toBe(true);
    expect(entry.ring.failures).not.toContain(owner.addr);
    expect(owner.ring.failures).toContain(hanging);
  });
});

/** Waits until a long-poll of mailbox is parked at its owner. */
function untilParked(mailbox: string): Promise<void> {
  return until(
    () => cluster.ownerOf(mailbox).mailboxes.parkedRetrieves > 0,
    "the long-poll to park at the owner",
  );
}

describe("Mailboxes: long-poll", () => {
  it("wakes a waiting retrieve as soon as a message is stored through another node", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(110);
    const env = envelope(bob);
    const waiting = cluster.nodes[0].mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 20_000,
    });
    await untilParked(bob);
    await cluster.nodes[4].mailboxes.store(env);
    const answer = await waiting;
    expect(answer.messages.map((m) => m.id)).toEqual([env.id]);
  });

  it("answers the woken long-poll before it sends the copies to the replicas", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(113);
    const env = envelope(bob);
    const owner = cluster.ownerOf(bob);
    const replicas = cluster.members
      .after(owner.addr)
      .slice(0, 2)
      .map((m) => cluster.node(m.addr));
    const copiesWhenAnswered: number[] = [];
    const waiting = owner.mailboxes
      .retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 20_000 })
      .then((answer) => {
        copiesWhenAnswered.push(...replicas.map((r) => (r.store.get(bob, env.id) ? 1 : 0)));
        return answer;
      });
    await untilParked(bob);
    const stored = owner.mailboxes.store(env);
    expect((await waiting).messages.map((m) => m.id)).toEqual([env.id]);
    expect(copiesWhenAnswered).toEqual([0, 0]);
    expect((await stored).created).toBe(true);
    expect(replicas.map((r) => r.store.get(bob, env.id)?.id)).toEqual([env.id, env.id]);
  });

  it("answers empty when the wait runs out", async () => {
    cluster = await Cluster.start(3);
    const bob = mailboxOf(111);
    const waiting = cluster.nodes[1].mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 3_000,
    });
    await untilParked(bob);
    cluster.clock.advance(3_000);
    expect(await waiting).toEqual({ messages: [], nacks: [], more: false });
  });

  it("gives up when the client goes away, and bounds the parked requests", async () => {
    cluster = await Cluster.start(3, { maxWaiters: 1 });
    const bob = mailboxOf(112);
    const owner = cluster.ownerOf(bob);
    const controller = new AbortController();
    const waiting = owner.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 20_000,
      signal: controller.signal,
    });
    await untilParked(bob);
    const second = await owner.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 20_000,
    });
    expect(second.messages).toEqual([]);
    controller.abort();
    expect((await waiting).messages).toEqual([]);
    const remote = cluster.nodes.find((n) => n !== owner)!;
    const remoteController = new AbortController();
    const remoteWait = remote.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), {
      waitMs: 20_000,
      signal: remoteController.signal,
    });
    remoteController.abort();
    expect((await rejection(remoteWait)).code).toBe("unavailable");
  });
});

describe("Mailboxes: hostile node-to-node messages", () => {
  const bad: Record<string, unknown>[] = [
    { t: "store.put" },
    { t: "store.put", kind: "msg", envelope: null },
    { t: "store.put", kind: "msg", envelope: { v: 2 } },
    { t: "store.put", kind: "msg", envelope: { ...envelope(mailboxOf(1)), id: "AAAA" } },
    { t: "store.put", kind: "msg", envelope: { ...envelope(mailboxOf(1)), to: "!!" } },
    { t: "store.put", kind: "msg", envelope: { ...envelope(mailboxOf(1)), ct: "A".repeat(70_000) } },
    { t: "store.put", kind: "nack", mailbox: mailboxOf(1), nack: { id: freshId(), to: mailboxOf(2) } },
    { t: "store.put", kind: "other" },
    { t: "store.replicate", entries: "x", tombstones: [] },
    { t: "store.replicate", entries: [{ kind: "msg", storedAt: 5, expiresAt: 1 }], tombstones: [] },
    {
      t: "store.replicate",
      entries: [],
      tombstones: [{ mailbox: mailboxOf(1), id: freshId(), expiresAt: -1 }],
    },
    { t: "store.replicate", entries: new Array(2_001).fill(null), tombstones: [] },
    { t: "store.digest", entries: [[mailboxOf(1)]], tombstones: [] },
    { t: "store.digest", entries: [[mailboxOf(1), "!"]], tombstones: [] },
    { t: "store.digest", entries: [], tombstones: null },
    { t: "store.fetch", mailbox: mailboxOf(1), ack: [], waitMs: 1e9 },
    { t: "store.fetch", mailbox: mailboxOf(1), ack: new Array(257).fill(freshId()), waitMs: 0 },
    { t: "store.fetch", mailbox: "short", ack: [], waitMs: 0 },
    { t: "store.fetch", mailbox: mailboxOf(1), ack: [42], waitMs: 0 },
  ];

  it("rejects every malformed message with a reason, stores nothing and keeps serving", async () => {
    cluster = await Cluster.start(2);
    const [target, sender] = cluster.nodes;
    for (const message of bad) {
      const error = await sender.transport
        .request(target.addr, message as { t: string }, { timeoutMs: 500 })
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
      const label = JSON.stringify(message).slice(0, 80);
      expect(error, label).toBeInstanceOf(TransportError);
      expect((error as TransportError).code, label).toBe("remote");
      expect(error?.message.length, label).toBeGreaterThan(10);
    }
    expect(target.store.count()).toBe(0);
    const env = envelope(mailboxOf(120));
    expect((await sender.mailboxes.store(env)).created).toBe(true);
  });

  it("accepts no entry from a peer that never expires, has expired, or overfills a replica", async () => {
    cluster = await Cluster.start(2, { maxMailboxEntries: 3 });
    const [target, sender] = cluster.nodes;
    const now = cluster.clock.now();
    const bob = mailboxOf(121);
    const forever = { ...messageEntry(bob, now), expiresAt: now + 10 * 365 * 86_400_000 };
    const expired = messageEntry(bob, now - 60_000, 1_000);
    const flood = Array.from({ length: 10 }, () => messageEntry(bob, now, 60_000));
    const answer = await sender.transport.request(
      target.addr,
      { t: "store.replicate", entries: [forever, expired, ...flood], tombstones: [], proofs: [] },
      { timeoutMs: 500 },
    );
    // A replica holds twice a mailbox's limits (a pushing node on loopback has no share of them).
    expect(answer).toMatchObject({ t: "store.replicate.ok", created: 6 });
    expect(target.store.count(bob)).toBe(6);
    expect(target.store.get(bob, forever.id)).toBeUndefined();
    expect(target.store.get(bob, expired.id)).toBeUndefined();
  });
});
