import { idToBytes, toB64u } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { proofFor } from "../fixtures/retrieve-proofs";
import { Cluster } from "./cluster";
import { envelope, mailboxOf, messageEntry } from "./fixtures";

let cluster: Cluster;

afterEach(async () => {
  await cluster.stop();
});

const options = { repairMs: 1_000_000, expiryMs: 1_000_000, strayGraceMs: 10_000 };

async function storeMany(count: number): Promise<{ mailbox: string; id: string }[]> {
  const stored: { mailbox: string; id: string }[] = [];
  for (let i = 0; i < count; i++) {
    const mailbox = mailboxOf(300 + i);
    const env = envelope(mailbox);
    await cluster.nodes[i % cluster.nodes.length].mailboxes.store(env);
    stored.push({ mailbox, id: env.id });
  }
  return stored;
}

describe("Mailboxes: replication and membership", () => {
  it("after a crash the survivors restore three copies by themselves", async () => {
    cluster = await Cluster.start(6, options);
    const stored = await storeMany(30);
    const victim = cluster.nodes[2];
    cluster.crash(victim.addr);
    await cluster.repairAll();
    for (const { mailbox, id } of stored) {
      const holders = cluster.holders(mailbox, id).filter((a) => a !== victim.addr);
      expect(holders.length).toBeGreaterThanOrEqual(3);
    }
    const repaired = cluster.nodes.reduce(
      (sum, n) => sum + n.metrics.get("wisp_store_replicas_repaired_total"),
      0,
    );
    expect(repaired).toBeGreaterThan(0);
  });

  it("a joining node receives the entries it now owns and serves them", async () => {
    cluster = await Cluster.start(4, options);
    const stored = await storeMany(40);
    const newcomer = await cluster.addNode();
    const mine = stored.filter(({ mailbox }) => cluster.ownerOf(mailbox) === newcomer);
    expect(mine.length).toBeGreaterThan(0);
    await cluster.repairAll();
    for (const { mailbox, id } of mine) {
      expect(newcomer.store.get(mailbox, id)).toBeDefined();
      const answer = await cluster.nodes[0].mailboxes.retrieve(
        mailbox,
        proofFor(mailbox, [], cluster.clock.now()),
        { waitMs: 0 },
      );
      expect(answer.messages.map((m) => m.id)).toEqual([id]);
    }
  });

  it("the repair round follows a ring change on its own", async () => {
    cluster = await Cluster.start(4, { ...options, changeRepairMs: 100 });
    const stored = await storeMany(20);
    const newcomer = await cluster.addNode();
    const mine = stored.filter(({ mailbox }) => cluster.ownerOf(mailbox) === newcomer);
    cluster.clock.advance(100);
    for (let i = 0; i < 50 && mine.some(({ mailbox, id }) => !newcomer.store.get(mailbox, id)); i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    for (const { mailbox, id } of mine) expect(newcomer.store.get(mailbox, id)).toBeDefined();
  });

  it("a node that is neither owner nor replica hands its entries over and drops them after the grace", async () => {
    cluster = await Cluster.start(3, options);
    const stored = await storeMany(20);
    for (let i = 0; i < 4; i++) await cluster.addNode();
    await cluster.repairAll();
    const strays = () =>
      stored.flatMap(({ mailbox, id }) => {
        const owner = cluster.ownerOf(mailbox);
        const replicas = [
          owner.addr,
          ...cluster.members
            .after(owner.addr)
            .slice(0, 2)
            .map((n) => n.addr),
        ];
        return cluster.holders(mailbox, id).filter((a) => !replicas.includes(a));
      });
    expect(strays().length).toBeGreaterThan(0);
    cluster.clock.advance(options.strayGraceMs);
    await cluster.repairAll();
    expect(strays()).toEqual([]);
    for (const { mailbox, id } of stored) expect(cluster.holders(mailbox, id)).toHaveLength(3);
  });

  it("hand-off on a graceful leave gives the successor every entry and tombstone", async () => {
    cluster = await Cluster.start(5, options);
    const stored = await storeMany(30);
    const acked = stored[0];
    const leaving = cluster.ownerOf(acked.mailbox);
    const ackedEntry = leaving.store.get(acked.mailbox, acked.id)!;
    await cluster.nodes[0].mailboxes.retrieve(
      acked.mailbox,
      proofFor(acked.mailbox, [acked.id], cluster.clock.now()),
      { waitMs: 0 },
    );
    const successor = cluster.node(cluster.members.after(leaving.addr)[0].addr);
    const held = stored.filter(({ mailbox, id }) => leaving.store.get(mailbox, id));
    await leaving.mailboxes.handOff();
    cluster.crash(leaving.addr);
    for (const { mailbox, id } of held) expect(successor.store.get(mailbox, id)).toBeDefined();
    expect(successor.store.put(ackedEntry).created).toBe(false);
    await cluster.repairAll();
    for (const { mailbox, id } of stored) {
      if (id === acked.id) continue;
      const answer = await cluster.nodes[0].mailboxes.retrieve(
        mailbox,
        proofFor(mailbox, [], cluster.clock.now()),
        { waitMs: 0 },
      );
      expect(answer.messages.map((m) => m.id)).toEqual([id]);
    }
    expect(cluster.holders(acked.mailbox, acked.id).filter((a) => a !== leaving.addr)).toEqual([]);
  });

  it("hands each stray entry to its own owner, also for a key equal to a node id", async () => {
    cluster = await Cluster.start(6, options);
    const ids = cluster.members.all();
    const onNodes = ids.map((node) => toB64u(idToBytes(node.id)));
    const spread = Array.from({ length: 30 }, (_, i) => mailboxOf(400 + i));
    const stray = cluster.nodes[0];
    const now = cluster.clock.now();
    const entries = [...onNodes, ...spread].map((mailbox) => messageEntry(mailbox, now, 60_000));
    for (const entry of entries) stray.store.put(entry);
    await stray.mailboxes.repair.round();
    for (const entry of entries) {
      const owner = cluster.ownerOf(entry.mailbox);
      expect(owner.store.get(entry.mailbox, entry.id), entry.mailbox).toBeDefined();
    }
  });
});
