import type { RingId } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import { applyLeave, applyNotify, stepAnswer } from "../../src/chord/peer-updates";
import type { NodeRef } from "../../src/chord/ring";
import { RoutingTable } from "../../src/chord/routing-table";

const ref = (id: RingId): NodeRef => ({ id, addr: `n${id}`, key: `k${id}` });
const ids = (nodes: readonly NodeRef[]) => nodes.map((n) => n.id);

describe("notify", () => {
  it("takes the notifier as predecessor when there is none or it is closer", () => {
    const table = new RoutingTable(ref(100n), 4);
    table.setSuccessors([ref(200n)]);
    expect(applyNotify(table, ref(50n))).toBe(true);
    expect(applyNotify(table, ref(20n))).toBe(false);
    expect(table.predecessor()?.id).toBe(50n);
    expect(applyNotify(table, ref(70n))).toBe(true);
    expect(table.predecessor()?.id).toBe(70n);
  });

  it("makes a ring of one a ring of two (Zave)", () => {
    const table = new RoutingTable(ref(100n), 4);
    expect(applyNotify(table, ref(300n))).toBe(true);
    expect(ids(table.successors())).toEqual([300n]);
    expect(table.predecessor()?.id).toBe(300n);
  });

  it("ignores a notify from itself", () => {
    const table = new RoutingTable(ref(100n), 4);
    expect(applyNotify(table, ref(100n))).toBe(false);
    expect(table.isAlone()).toBe(true);
  });
});

describe("leave", () => {
  it("splices the leaver's successors in its place", () => {
    const table = new RoutingTable(ref(100n), 4);
    table.setSuccessors([ref(200n), ref(300n), ref(400n)]);
    expect(applyLeave(table, ref(200n), ref(100n), [ref(300n), ref(400n), ref(500n), ref(600n)])).toBe(true);
    expect(ids(table.successors())).toEqual([300n, 400n, 500n, 600n]);
  });

  it("takes the leaver's predecessor when the leaver was ours", () => {
    const table = new RoutingTable(ref(100n), 4);
    table.setSuccessors([ref(200n)]);
    table.setPredecessor(ref(50n));
    expect(applyLeave(table, ref(50n), ref(10n), [ref(100n), ref(200n)])).toBe(true);
    expect(table.predecessor()?.id).toBe(10n);
    expect(ids(table.successors())).toEqual([200n]);
  });

  it("leaves a ring of one when the other of two leaves", () => {
    const table = new RoutingTable(ref(100n), 4);
    table.setSuccessors([ref(200n)]);
    table.setPredecessor(ref(200n));
    expect(applyLeave(table, ref(200n), ref(100n), [ref(100n)])).toBe(true);
    expect(table.isAlone()).toBe(true);
    expect(table.predecessor()).toBeNull();
  });

  it("changes nothing for a stranger's leave", () => {
    const table = new RoutingTable(ref(100n), 4);
    table.setSuccessors([ref(200n)]);
    table.setPredecessor(ref(50n));
    expect(applyLeave(table, ref(999n), null, [])).toBe(false);
  });
});

describe("step answers", () => {
  it("answer done with the whole list when the key lies within it, else the closest preceding nodes", () => {
    const table = new RoutingTable(ref(100n), 3);
    table.setSuccessors([ref(200n), ref(300n)]);
    table.setFinger(20, ref(5000n));
    expect(stepAnswer(table, 250n)).toEqual({ done: true, successors: [ref(200n), ref(300n)] });
    expect(stepAnswer(table, 6000n)).toEqual({ done: false, next: [ref(5000n), ref(300n), ref(200n)] });
    expect(stepAnswer(new RoutingTable(ref(1n), 3), 6000n)).toEqual({ done: true, successors: [ref(1n)] });
  });
});
