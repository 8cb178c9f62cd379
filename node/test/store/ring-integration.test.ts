/** The store over real ChordNodes on the memory testnet: routing, churn, hand-over on join. */
import { afterEach, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/clock";
import { createRing, type SimNodeContext, type SimRing } from "../../src/sim";
import { mailboxKey } from "../../src/store/entry";
import type { MailboxService } from "../../src/store/mailbox-service";
import { proofFor } from "../fixtures/retrieve-proofs";
import { until } from "../until";
import { envelope, mailboxOf } from "./fixtures";
import { SimMailboxes } from "./sim-mailboxes";

const STRAY_GRACE_MS = 10_000;
const TTL_MS = 600_000;
let ring: SimRing | null = null;
const sim = new SimMailboxes({ strayGraceMs: STRAY_GRACE_MS, ttlMs: TTL_MS });
const attach = (node: SimNodeContext) => sim.attach(node);

afterEach(async () => {
  sim.stop();
  await ring?.close();
  ring = null;
});

function live(): SimNodeContext[] {
  return ring!.nodes();
}

function service(node: SimNodeContext): MailboxService {
  return sim.service(node);
}

function pick(random: () => number): SimNodeContext {
  const nodes = live();
  return nodes[Math.floor(random() * nodes.length)];
}

async function repairAll(): Promise<void> {
  await sim.repairAll(ring!);
}

async function storeFromRandomNodes(count: number, seed: number): Promise<{ mailbox: string; id: string }[]> {
  const stored: { mailbox: string; id: string }[] = [];
  for (let i = 0; i < count; i++) {
    const mailbox = mailboxOf(seed + i);
    const env = envelope(mailbox);
    expect((await service(pick(ring!.random)).store(env)).created).toBe(true);
    stored.push({ mailbox, id: env.id });
  }
  return stored;
}

function copies(mailbox: string, id: string): number {
  return sim.copies(ring!, mailbox, id);
}

describe("Mailboxes over a Chord ring", () => {
  it("50 nodes: entries stored from random nodes are found from every node, on three holders", async () => {
    ring = await createRing(50, { onNode: attach, seed: 7 });
    const stored = await storeFromRandomNodes(30, 1_000);
    for (const { mailbox, id } of stored) {
      expect(copies(mailbox, id)).toBe(3);
      const owner = ring.ownerOf(mailboxKey(mailbox));
      expect(sim.store(owner.addr).get(mailbox, id)).toBeDefined();
    }
    for (const node of live()) {
      for (const { mailbox, id } of stored) {
        const answer = await service(node).retrieve(mailbox, proofFor(mailbox, [], ring.clock.now()), {
          waitMs: 0,
        });
        expect(answer.messages.map((m) => m.id)).toEqual([id]);
      }
    }
  });

  it("20 joins, graceful leaves and crashes interleaved with repair rounds lose no entry", async () => {
    ring = await createRing(20, { onNode: attach, seed: 11 });
    const stored = await storeFromRandomNodes(60, 2_000);
    const random = ring.random;
    const log: string[] = [];
    for (let step = 0; step < 20; step++) {
      const roll = random();
      if (roll < 0.4 || live().length < 8) {
        const node = await ring.add();
        log.push(`join ${node.addr}`);
      } else if (roll < 0.7) {
        const node = pick(random);
        await service(node).handOff();
        await ring.leave(node.addr);
        log.push(`leave ${node.addr}`);
      } else {
        const node = pick(random);
        service(node).stop();
        ring.crash(node.addr);
        log.push(`crash ${node.addr}`);
      }
      await ring.heal();
      await repairAll();
      for (const { mailbox, id } of stored)
        expect(copies(mailbox, id), `after ${log.join(", ")}`).toBeGreaterThanOrEqual(1);
    }
    for (const kind of ["join", "leave", "crash"])
      expect(
        log.some((l) => l.startsWith(kind)),
        log.join(),
      ).toBe(true);
    await ring.stabilize(2);
    await repairAll();
    for (const { mailbox, id } of stored) {
      expect(copies(mailbox, id), log.join(", ")).toBeGreaterThanOrEqual(3);
      const answer = await service(pick(random)).retrieve(mailbox, proofFor(mailbox, [], ring.clock.now()), {
        waitMs: 0,
      });
      expect(
        answer.messages.map((m) => m.id),
        log.join(", "),
      ).toEqual([id]);
    }
  });

  it("no entry is lost when replicas − 1 of its holders crash at once", async () => {
    ring = await createRing(16, { onNode: attach, seed: 5 });
    const stored = await storeFromRandomNodes(20, 3_000);
    for (const { mailbox, id } of stored.slice(0, 5)) {
      const victims = live()
        .filter((node) => sim.store(node.addr).get(mailbox, id))
        .slice(0, 2);
      for (const node of victims) {
        service(node).stop();
        ring.crash(node.addr);
      }
      await ring.heal();
      await repairAll();
      for (const entry of stored) expect(copies(entry.mailbox, entry.id)).toBeGreaterThanOrEqual(3);
    }
    for (const { mailbox, id } of stored) {
      const answer = await service(pick(ring.random)).retrieve(
        mailbox,
        proofFor(mailbox, [], ring.clock.now()),
        { waitMs: 0 },
      );
      expect(answer.messages.map((m) => m.id)).toEqual([id]);
    }
  });

  it("a joining node is handed the entries it now owns", async () => {
    ring = await createRing(6, { onNode: attach, seed: 3 });
    const stored = await storeFromRandomNodes(40, 4_000);
    const newcomer = await ring.add();
    await ring.heal();
    await repairAll();
    const mine = stored.filter(({ mailbox }) => ring!.ownerOf(mailboxKey(mailbox)).addr === newcomer.addr);
    expect(mine.length).toBeGreaterThan(0);
    for (const { mailbox, id } of mine) {
      expect(sim.store(newcomer.addr).get(mailbox, id)).toBeDefined();
      const answer = await service(newcomer).retrieve(mailbox, proofFor(mailbox, [id], ring.clock.now()), {
        waitMs: 0,
      });
      expect(answer.messages).toEqual([]);
    }
    // The third holder of before the join is no longer a replica: it drops its copy after the grace.
    (ring.clock as ManualClock).advance(STRAY_GRACE_MS);
    await repairAll();
    for (const { mailbox, id } of mine) expect(copies(mailbox, id)).toBe(0);
  });

  it("a long-poll through one node returns as soon as a message is stored through another", async () => {
    ring = await createRing(20, { onNode: attach, seed: 13 });
    const bob = mailboxOf(5_000);
    const env = envelope(bob);
    const [reader, writer] = [live()[3], live()[15]];
    const waiting = service(reader).retrieve(bob, proofFor(bob, [], ring.clock.now()), { waitMs: 20_000 });
    const owner = ring.node(ring.ownerOf(mailboxKey(bob)).addr)!;
    await until(() => service(owner).parkedRetrieves === 1, "the long-poll to park at the owner");
    await service(writer).store(env);
    expect((await waiting).messages.map((m) => m.id)).toEqual([env.id]);
  });

  for (const when of ["before", "after"] as const) {
    it(`one NACK when the owner crashes ${when} it sends the NACK, at expiry`, async () => {
      ring = await createRing(10, { onNode: attach, seed: 17 });
      const bob = mailboxOf(6_000);
      const alice = mailboxOf(6_001);
      const env = envelope(bob, alice);
      const { expiresAt } = await service(live()[0]).store(env);
      // To the moment the owner may NACK: past expiresAt and the acknowledgement's grace.
      (ring.clock as ManualClock).advance(TTL_MS + service(live()[0]).options.ackGraceMs);
      const owner = ring.node(ring.ownerOf(mailboxKey(bob)).addr)!;
      if (when === "after") await service(owner).expiry.tick();
      service(owner).stop();
      ring.crash(owner.addr);
      await ring.heal();
      await repairAll();
      for (let round = 0; round < 2; round++) for (const node of live()) await service(node).expiry.tick();
      await repairAll();
      const answer = await service(live()[1]).retrieve(alice, proofFor(alice, [], ring.clock.now()), {
        waitMs: 0,
      });
      expect(answer.nacks).toEqual([{ id: env.id, to: bob, expiredAt: expiresAt }]);
      expect(
        (await service(live()[2]).retrieve(bob, proofFor(bob, [], ring.clock.now()), { waitMs: 0 })).messages,
      ).toEqual([]);
    });
  }
});
