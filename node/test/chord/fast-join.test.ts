/**
 * Issue 16, item 3: a joining node is useful at once. Its successor hands it its keys with their
 * entries before it answers as owner; it takes its successor's predecessor, list and fingers; and
 * its predecessor links to it in a round that the join triggers, not on the next timer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ChordNode } from "../../src/chord/chord-node";
import { systemClock } from "../../src/clock";
import { RpcRouter } from "../../src/rpc/router";
import { createRing, type SimRing } from "../../src/sim";
import { mailboxKey } from "../../src/store/entry";
import { MemoryNetwork } from "../../src/transport/memory";
import { proofFor } from "../fixtures/retrieve-proofs";
import { envelope, mailboxOf } from "../store/fixtures";
import { SimMailboxes } from "../store/sim-mailboxes";

const NEVER = 1e9;
let stops: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const stop of stops) await stop();
  stops = [];
});

function correct(nodes: readonly ChordNode[]): boolean {
  const sorted = [...nodes].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  return sorted.every(
    (node, i) =>
      node.successors()[0]?.addr === sorted[(i + 1) % sorted.length].self.addr &&
      node.predecessor()?.addr === sorted[(i - 1 + sorted.length) % sorted.length].self.addr,
  );
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("fast joins", () => {
  it("32 nodes joined back to back form a correct ring with no periodic round at all", async () => {
    const network = new MemoryNetwork();
    const nodes: ChordNode[] = [];
    stops.push(() => {
      for (const node of nodes) node.stop();
    });
    for (let i = 0; i < 32; i++) {
      const transport = network.transport();
      const router = new RpcRouter();
      const addr = await transport.listen(router.handle);
      const node = new ChordNode(
        { transport, clock: systemClock, router },
        {
          addr,
          key: transport.key.key,
          puzzleBits: 0,
          stabilizeMs: NEVER,
          fixFingersMs: NEVER,
          checkPredecessorMs: NEVER,
        },
      );
      if (i === 0) node.create();
      else await node.join(nodes[0].self.addr);
      node.start();
      nodes.push(node);
    }
    await until(() => correct(nodes), "a correct ring from triggered rounds only");
    expect(correct(nodes)).toBe(true);
  });

  it("a joiner holds the entries of its keys the moment its join returns, and serves them", async () => {
    const sim = new SimMailboxes({ replicas: 3 });
    let ring: SimRing | null = await createRing(8, { seed: 4, onNode: sim.attach });
    stops.push(async () => {
      sim.stop();
      await ring?.close();
      ring = null;
    });
    const stored = [];
    for (let i = 0; i < 60; i++) {
      const env = envelope(mailboxOf(500 + i));
      await sim.service(ring.nodes()[i % 8]).store(env);
      stored.push(env);
    }
    for (let j = 0; j < 4; j++) {
      const joiner = await ring.add(undefined, { settle: false });
      const predecessor = joiner.chord.predecessor();
      expect(predecessor).not.toBeNull();
      const owned = stored.filter((env) => ring!.ownerOf(mailboxKey(env.to)).addr === joiner.addr);
      for (const env of owned) expect(sim.store(joiner).get(env.to, env.id)?.id).toBe(env.id);
      for (const env of stored) {
        const reader = ring.nodes()[(j * 3) % ring.nodes().length];
        const answer = await sim
          .service(reader)
          .retrieve(env.to, proofFor(env.to, [], ring.clock.now()), { waitMs: 0 });
        expect(answer.messages.map((m) => m.id)).toContain(env.id);
      }
    }
  });
});
