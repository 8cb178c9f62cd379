import { distance, fingerStart, ID_BITS, RING_SIZE, type RingId } from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { refreshFingers } from "../../src/chord/fingers";
import type { NodeRef } from "../../src/chord/ring";
import { RoutingTable } from "../../src/chord/routing-table";

const ref = (id: RingId, addr = `n${id}`): NodeRef => ({ id, addr, key: `k${addr}` });

/** The ring's true successor of `key` among `nodes` (self included). */
function successorOf(nodes: NodeRef[], key: RingId): NodeRef {
  const sorted = [...nodes].sort((a, b) => (a.id < b.id ? -1 : 1));
  return sorted.find((node) => node.id >= key) ?? sorted[0];
}

/**
 * A refresh whose lookups answer from the whole ring, recording which node each one found and
 * which it greeted; a node in `dead` fails its greeting and is dropped from `table`, as Chord does.
 */
function fakeRing(nodes: NodeRef[], table?: RoutingTable, dead: ReadonlySet<string> = new Set()) {
  const found: NodeRef[] = [];
  const greeted: string[] = [];
  return {
    found,
    greeted,
    refresh: {
      isActive: () => true,
      find: async (key: RingId) => {
        const node = successorOf(nodes, key);
        found.push(node);
        return { node, hops: 0 };
      },
      greet: async (node: NodeRef) => {
        greeted.push(node.addr);
        if (dead.has(node.addr)) table?.remove(node.addr);
      },
    },
  };
}

describe("refreshFingers", () => {
  it("looks nothing up on a node that is alone", async () => {
    const table = new RoutingTable(ref(10n), 4);
    const { found, refresh } = fakeRing([table.self]);
    await refreshFingers(table, refresh);
    expect(found).toEqual([]);
    expect(table.distinctFingers()).toEqual([]);
  });

  it("sets every finger to its start's successor, with one lookup per node it finds", async () => {
    const id = fc.bigInt({ min: 0n, max: RING_SIZE - 1n });
    await fc.assert(
      fc.asyncProperty(id, fc.uniqueArray(id, { minLength: 1, maxLength: 40 }), async (selfId, others) => {
        const self = ref(selfId);
        const nodes = [self, ...others.filter((other) => other !== selfId).map((other) => ref(other))];
        const table = new RoutingTable(self, 4);
        const sortedFromSelf = nodes
          .filter((node) => node !== self)
          .sort((a, b) => (distance(self.id, a.id) < distance(self.id, b.id) ? -1 : 1));
        table.setSuccessors(sortedFromSelf);
        const { found, refresh } = fakeRing(nodes);
        await refreshFingers(table, refresh);
        for (let i = 0; i < ID_BITS; i++) {
          const expected = successorOf(nodes, fingerStart(self.id, i));
          expect(table.finger(i)?.addr ?? null).toBe(expected === self ? null : expected.addr);
        }
        expect(new Set(found.map((node) => node.addr)).size).toBe(found.length);
      }),
      { numRuns: 200 },
    );
  });

  it("does not look up again after a node the per-IP cap keeps out of the table", async () => {
    const self = ref(0n, "10.0.0.1:1");
    const sameIp = [1n, 2n, 3n].map((n) => ref(n << 200n, `10.0.0.2:${n}`));
    const table = new RoutingTable(self, 1, 1);
    table.setSuccessors([sameIp[0]]);
    const { found, refresh } = fakeRing([self, ...sameIp]);
    await refreshFingers(table, refresh);
    expect(table.distinctFingers().map((node) => node.addr)).toEqual([sameIp[0].addr]);
    // Finger 201's start is sameIp[1]'s id; from finger 202 on, every start's successor is self.
    expect(found.map((node) => node.addr)).toEqual([sameIp[1].addr, self.addr]);
  });

  it("greets each node that became a finger once, and keeps none that fails its greeting", async () => {
    const self = ref(0n);
    // Each is the successor of a finger start: 2^250, 2^251, 2^252.
    const others = [1n, 2n, 4n].map((n) => ref(n << 250n));
    const table = new RoutingTable(self, 1);
    table.setSuccessors([others[0]]);
    const first = fakeRing([self, ...others], table, new Set([others[1].addr]));
    await refreshFingers(table, first.refresh);
    expect([...first.greeted].sort()).toEqual(others.map((node) => node.addr).sort());
    expect(table.distinctFingers().map((node) => node.addr)).not.toContain(others[1].addr);
    const again = fakeRing([self, ...others], table);
    await refreshFingers(table, again.refresh);
    expect(again.greeted).toEqual([others[1].addr]);
  });
});
