/**
 * What the full-size delivery property found (seed 868953875, docs/reliability.md), as small
 * deterministic schedules over the memory transport. Each failed before its fix.
 */
import { idToHex } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock";
import { createRing, type SimNodeContext, type SimRing } from "../../src/sim";
import { mailboxKey } from "../../src/store/entry";
import { MemoryNetwork } from "../../src/transport/memory";
import { proofFor } from "../fixtures/retrieve-proofs";
import { envelope, mailboxOf } from "../store/fixtures";
import { SimMailboxes } from "../store/sim-mailboxes";
import { DeliveryRun, TTL_MS } from "./delivery-runner";

const MAILBOXES = 24;

let ring: SimRing | null = null;
let sim: SimMailboxes | null = null;
let run: DeliveryRun | null = null;

afterEach(async () => {
  sim?.stop();
  sim = null;
  await ring?.close();
  ring = null;
  await run?.close();
  run = null;
});

async function ids(node: SimNodeContext, mailbox: string, clock: ManualClock): Promise<string[]> {
  const answer = await sim!
    .service(node)
    .retrieve(mailbox, proofFor(mailbox, [], clock.now()), { waitMs: 0 });
  return answer.messages.map((m) => m.id).sort();
}

describe("delivery findings", () => {
  it("the successor of a crashed node that had not yet copied its entries to a joiner takes them from the old replicas", async () => {
    const clock = new ManualClock(1_000_000);
    sim = new SimMailboxes({ replicas: 3, rpcTimeoutMs: 2_000 });
    ring = await createRing(8, { network: new MemoryNetwork(), clock, seed: 3, onNode: sim.attach });
    const stored = new Map<string, string>();
    for (let i = 0; i < MAILBOXES; i++) {
      const env = envelope(mailboxOf(i), mailboxOf(1_000));
      expect((await sim.service(ring.nodes()[i % 8]).store(env)).created).toBe(true);
      stored.set(mailboxOf(i), env.id);
    }
    // A node joins and its neighbours take it in at once; the repair round that would copy its
    // predecessor's entries to it (its new first replica) has not run when the predecessor crashes.
    const joiner = await ring.add(ring.nodes()[0].addr, { settle: true });
    const predecessor = joiner.chord.predecessor()!;
    const orphaned = [...stored].filter(
      ([mailbox]) => ring!.ownerOf(mailboxKey(mailbox)).addr === predecessor.addr,
    );
    expect(orphaned.length).toBeGreaterThan(0);
    for (const [mailbox, id] of orphaned) expect(sim.store(joiner).get(mailbox, id)).toBeUndefined();
    sim.crash(ring, predecessor.addr);
    await ring.stabilize(2, { fingers: false });
    expect(joiner.chord.predecessor()?.addr).not.toBe(predecessor.addr);
    for (const [mailbox, id] of orphaned) {
      expect(ring.ownerOf(mailboxKey(mailbox)).addr).toBe(joiner.addr);
      for (const node of ring.nodes()) expect(await ids(node, mailbox, clock)).toContain(id);
    }
  });

  it("store.takeover hands a node only the copies of keys it lies at or after on the way to the receiver", async () => {
    const clock = new ManualClock(1_000_000);
    sim = new SimMailboxes({ replicas: 3, rpcTimeoutMs: 2_000 });
    ring = await createRing(8, { network: new MemoryNetwork(), clock, seed: 3, onNode: sim.attach });
    for (let i = 0; i < MAILBOXES; i++) await sim.service(ring.nodes()[0]).store(envelope(mailboxOf(i)));
    const nodes = ring.nodes();
    const receiver = nodes[4];
    const near = nodes[3];
    const far = nodes[7];
    const whole = {
      t: "store.takeover",
      from: idToHex(receiver.chord.self.id),
      to: idToHex(receiver.chord.self.id),
    };
    const count = (node: SimNodeContext) => sim!.store(node).count();
    const farBefore = count(far);
    const answer = await far.transport.request(receiver.addr, whole, { timeoutMs: 2_000 });
    expect(answer).toEqual({ t: "store.takeover.ok", offered: 0 });
    expect(count(far)).toBe(farBefore);
    // The node just before the receiver may hold every key the receiver holds but its own.
    const offered = await near.transport.request(receiver.addr, whole, { timeoutMs: 2_000 });
    const own = sim.store(receiver).inRange(near.chord.self.id, receiver.chord.self.id).entries.length;
    expect(count(receiver) - own).toBeGreaterThan(0);
    expect(offered).toEqual({ t: "store.takeover.ok", offered: count(receiver) - own });
    // Each answer scans the store: a few at once per asker, the rest refused.
    const burst = await Promise.allSettled(
      Array.from({ length: 6 }, () => near.transport.request(receiver.addr, whole, { timeoutMs: 2_000 })),
    );
    expect(burst.filter((r) => r.status === "fulfilled")).toHaveLength(4);
  });

  it("a NACK stored long before the end is read by its sender within its TTL", async () => {
    // The message expires after a TTL and is NACKed within the acknowledgement grace (the runner's
    // own retrieves hand it out); its NACK expires a TTL later, before the end phase begins.
    const wait = { op: "time" as const, ms: 6_000 };
    const c = { size: 5, seed: 11, ops: [{ op: "store" as const, via: 0, mailbox: 0, sender: 0 }] };
    const ops = [...c.ops, ...Array.from({ length: Math.ceil((4 * TTL_MS) / wait.ms) }, () => wait)];
    run = await DeliveryRun.start(c);
    await run.run(ops);
    expect(run.stats).toMatchObject({ stores: 1, nacked: 1, acked: 0 });
  });
});
