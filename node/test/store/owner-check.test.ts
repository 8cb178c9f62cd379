import { afterEach, describe, expect, it } from "vitest";
import type { FetchRequest, PutRequest } from "../../src/store/wire";
import { proofFor } from "../fixtures/retrieve-proofs";
import { until } from "../until";
import { Cluster } from "./cluster";
import { envelope, mailboxOf } from "./fixtures";

let cluster: Cluster;

afterEach(async () => {
  await cluster.stop();
});

const REQUEST = { timeoutMs: 500 };

describe("Mailboxes: puts and fetches routed by an unconfirmed lookup", () => {
  it("asks the owner for the key its lookup named, allowing the link the owner opened (anyLink)", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(305);
    const owner = cluster.ownerOf(bob);
    const entry = cluster.nodes.find((n) => n !== owner)!;
    const asked: unknown[] = [];
    const request = entry.transport.request.bind(entry.transport);
    entry.transport.request = (to, message, options) => {
      if (message.t === "store.put" || message.t === "store.fetch")
        asked.push({ to, t: message.t, ...options });
      return request(to, message, options);
    };
    await entry.mailboxes.store(envelope(bob));
    await entry.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 0 });
    const expected = { to: owner.addr, key: owner.ring.self.key, anyLink: true };
    expect(asked).toEqual([
      expect.objectContaining({ ...expected, t: "store.put" }),
      expect.objectContaining({ ...expected, t: "store.fetch" }),
    ]);
  });

  it("a node refuses a put or fetch for a mailbox it does not own, and stores nothing", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(300);
    const env = envelope(bob);
    const owner = cluster.ownerOf(bob);
    const stranger = cluster.stranger(bob);
    const from = cluster.nodes.find((n) => n !== owner && n !== stranger)!;
    const put: PutRequest = { t: "store.put", kind: "msg", envelope: env };
    const fetch: FetchRequest = {
      t: "store.fetch",
      mailbox: bob,
      proof: proofFor(bob, [], cluster.clock.now()),
      waitMs: 0,
    };
    expect(await from.transport.request(stranger.addr, put, REQUEST)).toEqual({ t: "store.not_owner" });
    expect(await from.transport.request(stranger.addr, fetch, REQUEST)).toEqual({ t: "store.not_owner" });
    expect(stranger.store.count()).toBe(0);
    expect(await from.transport.request(owner.addr, put, REQUEST)).toMatchObject({
      t: "store.put.ok",
      created: true,
    });
    expect(owner.store.get(bob, env.id)).toBeDefined();
  });

  it("stores on the owner when the unconfirmed lookup named a node that is not the owner", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(301);
    const env = envelope(bob);
    const owner = cluster.ownerOf(bob);
    const stranger = cluster.stranger(bob);
    const entry = cluster.nodes.find((n) => n !== owner && n !== stranger)!;
    entry.ring.staleOwner = stranger.ring.self;
    const outcome = await entry.mailboxes.store(env);
    expect(outcome.created).toBe(true);
    expect(entry.ring.lookups).toEqual([false, true]);
    expect(cluster.holders(bob, env.id)).toContain(owner.addr);
    expect(cluster.holders(bob, env.id)).not.toContain(stranger.addr);
    const answer = await entry.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 0 });
    expect(answer.messages.map((m) => m.id)).toEqual([env.id]);
  });

  it("a node whose unconfirmed lookup names itself, but which does not own the mailbox, stores on the confirmed owner", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(304);
    const env = envelope(bob);
    const owner = cluster.ownerOf(bob);
    const entry = cluster.stranger(bob);
    entry.ring.staleOwner = entry.ring.self;
    expect((await entry.mailboxes.store(env)).created).toBe(true);
    expect(entry.ring.lookups).toEqual([false, true]);
    expect(cluster.holders(bob, env.id)).toContain(owner.addr);
    expect(cluster.holders(bob, env.id)).not.toContain(entry.addr);
  });

  it("asks the named owner alone, with no confirming lookup, when it does own the mailbox", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(302);
    const owner = cluster.ownerOf(bob);
    const entry = cluster.nodes.find((n) => n !== owner)!;
    await entry.mailboxes.store(envelope(bob));
    const answer = await entry.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 0 });
    expect(answer.messages).toHaveLength(1);
    expect(entry.ring.lookups).toEqual([false, false]);
  });
});

describe("Mailboxes: a put that wakes a parked long-poll", () => {
  it("answers the woken retrieve and has copied the entry to both replicas when the store returns", async () => {
    cluster = await Cluster.start(5);
    const bob = mailboxOf(303);
    const env = envelope(bob);
    const owner = cluster.ownerOf(bob);
    const waiting = owner.mailboxes.retrieve(bob, proofFor(bob, [], cluster.clock.now()), { waitMs: 20_000 });
    await until(() => owner.mailboxes.parkedRetrieves === 1, "the long-poll to park");
    await cluster.nodes.find((n) => n !== owner)!.mailboxes.store(env);
    expect(cluster.holders(bob, env.id)).toHaveLength(3);
    expect((await waiting).messages.map((m) => m.id)).toEqual([env.id]);
    expect(owner.mailboxes.parkedRetrieves).toBe(0);
  });
});
