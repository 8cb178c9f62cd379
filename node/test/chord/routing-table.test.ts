import { between, betweenRightIncl, RING_SIZE, type RingId } from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { NodeRef } from "../../src/chord/ring";
import { RoutingTable, splitAtKey } from "../../src/chord/routing-table";

const ref = (id: RingId, addr = `n${id}`): NodeRef => ({ id, addr, key: `k${addr}` });
const TOP = RING_SIZE - 1n;

describe("RoutingTable successor list", () => {
  it("keeps at most r entries, nearest first, without self or duplicates", () => {
    const table = new RoutingTable(ref(10n), 3);
    expect(table.setSuccessors([ref(20n), ref(20n), ref(30n), ref(40n), ref(50n)])).toBe(true);
    expect(table.successors().map((n) => n.id)).toEqual([20n, 30n, 40n]);
    expect(table.setSuccessors([ref(20n), ref(30n), ref(40n)])).toBe(false);
  });

  it("stops at self, so a ring of N <= r nodes yields N - 1 entries (Zave)", () => {
    const table = new RoutingTable(ref(10n), 8);
    table.adoptSuccessor(ref(20n), [ref(30n), ref(10n), ref(20n), ref(30n)]);
    expect(table.successors().map((n) => n.id)).toEqual([20n, 30n]);
  });

  it("cuts a copied list where it wraps past self: the joiner's successor did not know it yet", () => {
    const table = new RoutingTable(ref(25n), 8);
    table.adoptSuccessor(ref(30n), [ref(40n), ref(10n), ref(20n), ref(30n)]);
    expect(table.successors().map((n) => n.id)).toEqual([30n, 40n, 10n, 20n]);
    table.adoptSuccessor(ref(30n), [ref(40n), ref(10n), ref(27n), ref(20n)]);
    expect(table.successors().map((n) => n.id)).toEqual([30n, 40n, 10n]);
  });

  it("is alone with an empty list and then owns every key", () => {
    const table = new RoutingTable(ref(10n), 8);
    expect(table.isAlone()).toBe(true);
    expect(table.owns(5n)).toBe(true);
    expect(table.owns(TOP)).toBe(true);
  });

  it("owns (predecessor, self] across the wrap-around", () => {
    const table = new RoutingTable(ref(5n), 8);
    table.setSuccessors([ref(100n)]);
    expect(table.owns(7n)).toBe(false); // predecessor unknown yet
    table.setPredecessor(ref(TOP - 10n));
    expect(table.owns(TOP)).toBe(true);
    expect(table.owns(0n)).toBe(true);
    expect(table.owns(5n)).toBe(true);
    expect(table.owns(6n)).toBe(false);
    expect(table.owns(TOP - 10n)).toBe(false);
  });

  it("never takes itself as predecessor or finger", () => {
    const table = new RoutingTable(ref(10n), 8);
    expect(table.setPredecessor(ref(10n))).toBe(false);
    expect(table.predecessor()).toBeNull();
    table.setFinger(3, ref(10n));
    expect(table.finger(3)).toBeNull();
  });
});

describe("RoutingTable failure removal", () => {
  it("drops a failed peer from fingers, successors and predecessor at once", () => {
    const table = new RoutingTable(ref(10n), 4);
    table.setSuccessors([ref(20n), ref(30n), ref(40n)]);
    table.setPredecessor(ref(30n));
    table.setFinger(0, ref(20n));
    table.setFinger(5, ref(30n));
    table.setFinger(6, ref(30n));
    const removal = table.remove("n30");
    expect(removal).toEqual({ successorsChanged: true, predecessorChanged: true });
    expect(table.successors().map((n) => n.id)).toEqual([20n, 40n]);
    expect(table.predecessor()).toBeNull();
    expect(table.finger(5)).toBeNull();
    expect(table.finger(6)).toBeNull();
    expect(table.closestPreceding(35n, 8).map((n) => n.id)).toEqual([20n]);
  });

  it("reports no change for an unknown peer", () => {
    const table = new RoutingTable(ref(10n), 4);
    table.setSuccessors([ref(20n)]);
    expect(table.remove("nobody")).toEqual({ successorsChanged: false, predecessorChanged: false });
  });
});

describe("closest preceding node", () => {
  it("uses fingers and successors together, closest to the key first", () => {
    const table = new RoutingTable(ref(100n), 3);
    table.setSuccessors([ref(110n), ref(120n)]);
    table.setFinger(10, ref(500n));
    table.setFinger(11, ref(2000n));
    expect(table.closestPreceding(1000n, 8).map((n) => n.id)).toEqual([500n, 120n, 110n]);
    expect(table.closestPreceding(1000n, 1).map((n) => n.id)).toEqual([500n]);
    expect(table.closestPreceding(115n, 8).map((n) => n.id)).toEqual([110n]);
    expect(table.closestPreceding(2000n, 8).map((n) => n.id)).toEqual([500n, 120n, 110n]);
    expect(table.closestPreceding(101n, 8)).toEqual([]);
    expect(table.closestPreceding(100n, 8).map((n) => n.id)).toEqual([2000n, 500n, 120n, 110n]);
  });

  it("works across the wrap-around", () => {
    const table = new RoutingTable(ref(TOP - 5n), 3);
    table.setSuccessors([ref(TOP - 1n), ref(3n)]);
    table.setFinger(20, ref(50n));
    expect(table.closestPreceding(40n, 8).map((n) => n.id)).toEqual([3n, TOP - 1n]);
    expect(table.closestPreceding(60n, 8).map((n) => n.id)).toEqual([50n, 3n, TOP - 1n]);
    expect(table.closestPreceding(TOP - 6n, 8).map((n) => n.id)).toEqual([50n, 3n, TOP - 1n]);
  });

  it("returns only nodes in (self, key), sorted by closeness to key (property)", () => {
    const id = fc.bigInt({ min: 0n, max: TOP });
    fc.assert(
      fc.property(
        id,
        fc.array(id, { maxLength: 20 }),
        fc.array(id, { maxLength: 8 }),
        id,
        (self, f, s, key) => {
          const table = new RoutingTable(ref(self), 8);
          table.setSuccessors(s.map((x) => ref(x)));
          for (const [i, x] of f.entries()) table.setFinger(i * 12, ref(x));
          const result = table.closestPreceding(key, 100);
          for (const node of result) expect(between(self, node.id, key)).toBe(true);
          for (let i = 1; i < result.length; i++)
            expect(between(result[i].id, result[i - 1].id, key)).toBe(true);
          const kept = table.successors().map((n) => n.id); // the list stops at self
          const all = new Set([...f, ...kept].filter((x) => x !== self && between(self, x, key)));
          expect(new Set(result.map((n) => n.id))).toEqual(all);
        },
      ),
    );
  });
});

describe("splitAtKey and the successors that answer a key", () => {
  const origin = ref(100n);
  const list = [ref(200n), ref(300n), ref(400n)];

  it("starts at the successor of the key", () => {
    expect(splitAtKey(origin, list, 150n).from.map((n) => n.id)).toEqual([200n, 300n, 400n]);
    expect(splitAtKey(origin, list, 300n).from.map((n) => n.id)).toEqual([300n, 400n]);
    expect(splitAtKey(origin, list, 301n)).toEqual({ before: [list[0], list[1]], from: [list[2]] });
    expect(splitAtKey(origin, list, 401n)).toEqual({ before: list, from: [] });
    expect(splitAtKey(origin, list, 100n).from).toEqual([]);
  });

  it("handles a list that wraps past zero", () => {
    const wrapped = [ref(TOP), ref(5n)];
    expect(splitAtKey(ref(TOP - 3n), wrapped, 0n).from.map((n) => n.id)).toEqual([5n]);
    expect(splitAtKey(ref(TOP - 3n), wrapped, TOP).from.map((n) => n.id)).toEqual([TOP, 5n]);
  });

  it("agrees with betweenRightIncl for every key (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: TOP }), (key) => {
        const from = splitAtKey(origin, list, key).from;
        if (from.length === 0) {
          expect(betweenRightIncl(100n, key, 400n)).toBe(false);
          return;
        }
        const previous = from.length === list.length ? origin : list[list.length - from.length - 1];
        expect(betweenRightIncl(previous.id, key, from[0].id)).toBe(true);
      }),
    );
  });
});
