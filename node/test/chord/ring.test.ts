import { afterEach, describe, expect, it } from "vitest";
import { RingUnavailable } from "../../src/chord/ring";
import { nodeIdOf } from "../../src/identity/node-id";
import { randomKey, sample } from "../../src/sim/random";
import { createRing, type SimRing } from "../../src/sim/ring";

let ring: SimRing | null = null;
afterEach(async () => {
  await ring?.close();
  ring = null;
});

async function expectEveryLookupRight(current: SimRing, keysPerNode: number): Promise<void> {
  for (const node of current.nodes()) {
    for (let i = 0; i < keysPerNode; i++) {
      const key = randomKey(current.random);
      const result = await node.chord.lookup(key);
      expect(result.node.addr).toBe(current.ownerOf(key).addr);
    }
    // Keys equal to node ids are the edge of each interval.
    const other = current.nodes()[Math.floor(current.random() * current.nodes().length)];
    expect((await node.chord.lookup(other.chord.self.id)).node.addr).toBe(other.addr);
  }
}

describe("a ring built by joins one by one", () => {
  it("has right successors and predecessors and finds every key from every node (50 nodes)", async () => {
    ring = await createRing(50, { seed: 3 });
    expect(ring.problems()).toEqual([]);
    const sorted = ring.nodes().map((n) => n.chord.self.id);
    expect([...sorted].sort((a, b) => (a < b ? -1 : 1))).toEqual(sorted);
    ring.nodes().forEach((node, i) => {
      const next = ring!.nodes()[(i + 1) % 50];
      const previous = ring!.nodes()[(i + 49) % 50];
      expect(node.chord.successors()[0].addr).toBe(next.addr);
      expect(node.chord.predecessor()?.addr).toBe(previous.addr);
      expect(node.chord.successors()).toHaveLength(8);
      expect(node.chord.self.id).toBe(
        nodeIdOf(node.transport.key.publicKey, Uint8Array.from([127, 0, 0, 1])),
      );
    });
    await expectEveryLookupRight(ring, 10);
  });

  it("routes in about ½·log₂N hops", async () => {
    ring = await createRing(200, { seed: 15 });
    let hops = 0;
    const lookups = 300;
    for (let i = 0; i < lookups; i++) {
      const nodes = ring.nodes();
      const from = nodes[Math.floor(ring.random() * nodes.length)];
      hops += (await from.chord.lookup(randomKey(ring.random))).hops;
    }
    expect(hops / lookups).toBeLessThanOrEqual(0.5 * Math.log2(200));
  });

  it("answers a lookup of a key it owns itself, with no hop", async () => {
    ring = await createRing(20, { seed: 5 });
    for (const node of ring.nodes()) {
      const predecessor = node.chord.predecessor()!;
      for (const key of [node.chord.self.id, predecessor.id + 1n]) {
        expect(await node.chord.lookup(key)).toEqual({ node: node.chord.self, hops: 0 });
        expect(ring.ownerOf(key).addr).toBe(node.addr);
      }
      expect((await node.chord.lookup(predecessor.id)).node.addr).toBe(predecessor.addr);
    }
  });

  it("names the same owner without the confirming request (verify: false) in a stable ring", async () => {
    ring = await createRing(20, { seed: 6 });
    for (const node of ring.nodes()) {
      for (let i = 0; i < 5; i++) {
        const key = randomKey(ring.random);
        const named = await node.chord.lookup(key, { verify: false });
        expect(named.node.addr).toBe(ring.ownerOf(key).addr);
      }
    }
  });

  it("assigns each key to exactly one owner", async () => {
    ring = await createRing(20, { seed: 4 });
    for (let i = 0; i < 200; i++) {
      const key = randomKey(ring.random);
      const owners = ring.nodes().filter((node) => node.chord.owns(key));
      expect(owners.map((n) => n.addr)).toEqual([ring.ownerOf(key).addr]);
    }
  });
});

describe("small rings (Zave)", () => {
  it("a ring of one owns every key and answers lookups itself", async () => {
    ring = await createRing(1);
    const [only] = ring.nodes();
    expect(only.chord.isJoined()).toBe(true);
    expect(only.chord.successors()).toEqual([]);
    expect(only.chord.predecessor()).toBeNull();
    const key = randomKey(ring.random);
    expect(only.chord.owns(key)).toBe(true);
    expect(await only.chord.lookup(key)).toEqual({ node: only.chord.self, hops: 0 });
  });

  it("a ring of two links both ways", async () => {
    ring = await createRing(2);
    const [a, b] = ring.nodes();
    expect(a.chord.successors().map((n) => n.addr)).toEqual([b.addr]);
    expect(b.chord.successors().map((n) => n.addr)).toEqual([a.addr]);
    expect(a.chord.predecessor()?.addr).toBe(b.addr);
    expect(b.chord.predecessor()?.addr).toBe(a.addr);
    await expectEveryLookupRight(ring, 20);
  });

  it("a ring of two shrinks back to one when a node crashes", async () => {
    ring = await createRing(2);
    const [a, b] = ring.nodes();
    ring.crash(b.addr);
    await ring.heal();
    expect(a.chord.successors()).toEqual([]);
    expect(a.chord.predecessor()).toBeNull();
    expect(a.chord.owns(randomKey(ring.random))).toBe(true);
  });

  it("a ring of three keeps successor lists of two", async () => {
    ring = await createRing(3);
    for (const node of ring.nodes()) expect(node.chord.successors()).toHaveLength(2);
    await expectEveryLookupRight(ring, 10);
  });
});

describe("departures", () => {
  it("graceful leave relinks predecessor and successor at once", async () => {
    ring = await createRing(12, { seed: 5 });
    const nodes = ring.nodes();
    const [previous, leaving, next] = [nodes[3], nodes[4], nodes[5]];
    await ring.leave(leaving.addr);
    expect(previous.chord.successors()[0].addr).toBe(next.addr);
    expect(previous.chord.successors().some((n) => n.addr === leaving.addr)).toBe(false);
    expect(next.chord.predecessor()?.addr).toBe(previous.addr);
    await expectEveryLookupRight(ring, 5);
  });

  it("a leave in a ring of two leaves a ring of one", async () => {
    ring = await createRing(2);
    const [a, b] = ring.nodes();
    await ring.leave(b.addr);
    expect(a.chord.successors()).toEqual([]);
    expect(a.chord.predecessor()).toBeNull();
  });

  it("heals after several crashes and then answers every lookup right", async () => {
    ring = await createRing(40, { seed: 6 });
    const nodes = ring.nodes();
    // Three neighbours in a row plus two more: successor lists must bridge the gap.
    for (const node of [nodes[10], nodes[11], nodes[12], nodes[25], nodes[33]]) ring.crash(node.addr);
    const rounds = await ring.heal();
    expect(rounds).toBeLessThanOrEqual(10);
    expect(ring.problems()).toEqual([]);
    await expectEveryLookupRight(ring, 5);
  });

  it("answers lookups right even before stabilization when successors died", async () => {
    ring = await createRing(40, { seed: 8 });
    for (const node of sample(ring.nodes(), 8, ring.random)) ring.crash(node.addr);
    for (const node of ring.nodes()) {
      const key = randomKey(ring.random);
      expect((await node.chord.lookup(key)).node.addr).toBe(ring.ownerOf(key).addr);
    }
  });

  it("keeps whole through interleaved joins, leaves and crashes", async () => {
    ring = await createRing(16, { seed: 9 });
    for (let step = 0; step < 12; step++) {
      const nodes = ring.nodes();
      const pick = nodes[Math.floor(ring.random() * nodes.length)];
      if (step % 3 === 0) await ring.add();
      else if (step % 3 === 1) await ring.leave(pick.addr);
      else ring.crash(pick.addr);
      await ring.heal();
    }
    expect(ring.problems()).toEqual([]);
    await expectEveryLookupRight(ring, 3);
  });
});

describe("change notifications and failures", () => {
  it("fires onChange when the predecessor or successor list changes", async () => {
    ring = await createRing(6, { seed: 10 });
    const nodes = ring.nodes();
    let changes = 0;
    const unsubscribe = nodes[1].chord.onChange(() => changes++);
    ring.crash(nodes[0].addr);
    await ring.heal();
    expect(changes).toBeGreaterThan(0);
    unsubscribe();
    const before = changes;
    ring.crash(nodes[2].addr);
    await ring.heal();
    expect(changes).toBe(before);
  });

  it("reportFailure drops a peer at once", async () => {
    ring = await createRing(6, { seed: 11 });
    const [a] = ring.nodes();
    const successor = a.chord.successors()[0];
    a.chord.reportFailure(successor.addr);
    expect(a.chord.successors().some((n) => n.addr === successor.addr)).toBe(false);
  });

  it("a join through a crashed node rejects and leaves the ring as it was", async () => {
    ring = await createRing(3, { seed: 16 });
    const dead = ring.nodes()[0];
    ring.crash(dead.addr);
    await expect(ring.add(dead.addr)).rejects.toBeInstanceOf(RingUnavailable);
    expect(ring.nodes()).toHaveLength(2);
    await ring.heal();
    expect(ring.problems()).toEqual([]);
  });

  it("rejects lookups with RingUnavailable when the node is not a member", async () => {
    ring = await createRing(3);
    const [a] = ring.nodes();
    a.chord.stop();
    a.chord.stop();
    await expect(a.chord.lookup(1n)).rejects.toBeInstanceOf(RingUnavailable);
  });
});
