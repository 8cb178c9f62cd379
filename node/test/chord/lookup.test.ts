import { describe, expect, it } from "vitest";
import { answerLocally, findSuccessor, type LookupContext } from "../../src/chord/lookup";
import { encodeRef, encodeRefs } from "../../src/chord/messages";
import { type NodeRef, RingUnavailable } from "../../src/chord/ring";
import { RoutingTable } from "../../src/chord/routing-table";
import { TransportError, type WireMessage } from "../../src/transport/transport";
import { TEST_REFS, testRef } from "../fixtures/node-refs";

const node = (addr: string): NodeRef => testRef(addr);
// Real ids, sorted around the ring so the scenario below reads in ring order.
const ring = Array.from({ length: 40 }, (_, i) => node(`127.0.0.1:${i + 1}`)).sort((a, b) =>
  a.id < b.id ? -1 : 1,
);
const at = (i: number) => ring[((i % ring.length) + ring.length) % ring.length];

type Peer = (message: WireMessage) => WireMessage;

function context(self: NodeRef, peers: Map<string, Peer>, reported: string[]): LookupContext {
  return {
    table: new RoutingTable(self, 4),
    refs: TEST_REFS,
    maxHops: 16,
    reportFailure: (addr) => reported.push(addr),
    async request(to, message) {
      const peer = peers.get(to.addr);
      if (!peer) throw new TransportError("unreachable", `nobody listens at ${to.addr}`);
      return peer(message);
    },
  };
}

const signal = new AbortController().signal;
/** A live node whose predecessor is `predecessor`. */
const withPredecessor =
  (predecessor: NodeRef): Peer =>
  () => ({ t: "chord.state.ok", predecessor: encodeRef(predecessor), successors: [] });

describe("iterative findSuccessor", () => {
  it("walks on along the closest node's successor list when every suggested hop is dead", async () => {
    const self = at(0);
    const reported: string[] = [];
    const peers = new Map<string, Peer>();
    const key = at(20).id;
    // at(10) answers but suggests only dead nodes (at(15), at(16)); its successor list reaches
    // past the dead ones to at(17) … at(22).
    peers.set(at(10).addr, (m) =>
      m.t === "chord.step"
        ? { t: "chord.step.ok", done: false, next: encodeRefs([at(16), at(15)]) }
        : {
            t: "chord.state.ok",
            predecessor: null,
            successors: encodeRefs([at(15), at(16), at(17), at(18)]),
          },
    );
    peers.set(at(18).addr, () => ({
      t: "chord.step.ok",
      done: true,
      successors: encodeRefs([at(19), at(20), at(21)]),
    }));
    peers.set(at(20).addr, withPredecessor(at(19)));
    const ctx = context(self, peers, reported);
    ctx.table.setSuccessors([at(1), at(2)]);
    ctx.table.setFinger(100, at(10));
    const result = await findSuccessor(ctx, { key, signal, verify: true });
    expect(result.node.addr).toBe(at(20).addr);
    expect(reported).toEqual(expect.arrayContaining([at(15).addr, at(16).addr]));
  });

  it("skips a peer that answers garbage and reports it", async () => {
    const self = at(0);
    const reported: string[] = [];
    const peers = new Map<string, Peer>();
    peers.set(at(10).addr, () => ({ t: "chord.step.ok", done: true, successors: "all of them" }));
    peers.set(at(5).addr, () => ({
      t: "chord.step.ok",
      done: true,
      successors: encodeRefs([at(11), at(12)]),
    }));
    peers.set(at(11).addr, withPredecessor(at(5)));
    const ctx = context(self, peers, reported);
    ctx.table.setSuccessors([at(1), at(2)]);
    ctx.table.setFinger(50, at(5));
    ctx.table.setFinger(100, at(10));
    const result = await findSuccessor(ctx, { key: at(11).id, signal, verify: true });
    expect(result).toEqual({ node: at(11), hops: 2 });
    expect(reported).toContain(at(10).addr);
  });

  it("falls back to the next successor when the named owner does not answer", async () => {
    const self = at(0);
    const reported: string[] = [];
    const peers = new Map<string, Peer>([[at(3).addr, withPredecessor(at(1))]]);
    const ctx = context(self, peers, reported);
    ctx.table.setSuccessors([at(1), at(2), at(3)]);
    const result = await findSuccessor(ctx, { key: at(2).id, signal, verify: true });
    expect(result).toEqual({ node: at(3), hops: 0 });
    expect(reported).toEqual([at(2).addr]);
  });

  it("steps back along predecessors when a stale successor list names a later node", async () => {
    const self = at(0);
    const peers = new Map<string, Peer>([
      [at(5).addr, withPredecessor(at(4))],
      [at(4).addr, withPredecessor(at(3))],
      [at(3).addr, withPredecessor(at(2))],
    ]);
    const ctx = context(self, peers, []);
    ctx.table.setSuccessors([at(1), at(5)]); // at(2)…at(4) joined since the last stabilize
    const result = await findSuccessor(ctx, { key: at(3).id, signal, verify: true });
    expect(result).toEqual({ node: at(3), hops: 2 });
  });

  it("a confirmed lookup that another node's list ends at this node steps back from its own predecessor", async () => {
    // at(14)'s successor list still names this node, at(10), for keys up to it; at(5) has joined
    // since, and this node knows: it owns (at(5), at(10)] only.
    const self = at(10);
    const peers = new Map<string, Peer>([
      [at(14).addr, () => ({ t: "chord.step.ok", done: true, successors: encodeRefs([self]) })],
      [at(5).addr, withPredecessor(at(2))],
    ]);
    const ctx = context(self, peers, []);
    ctx.table.setSuccessors([at(11), at(12), at(13), at(14)]);
    ctx.table.setPredecessor(at(5));
    const confirmed = await findSuccessor(ctx, { key: at(3).id, signal, verify: true });
    expect(confirmed.node.addr).toBe(at(5).addr);
    const unconfirmed = await findSuccessor(ctx, { key: at(3).id, signal, verify: false });
    expect(unconfirmed.node.addr).toBe(self.addr);
  });

  it("answers a key in (predecessor, self] itself, without a request", async () => {
    const self = at(10);
    const ctx = context(self, new Map(), []);
    ctx.table.setSuccessors([at(11)]);
    ctx.table.setPredecessor(at(5));
    expect(await findSuccessor(ctx, { key: at(7).id, signal, verify: true })).toEqual({
      node: self,
      hops: 0,
    });
  });

  it("with verify: false names the successor list's node without asking it, stale or not", async () => {
    const self = at(0);
    const ctx = context(self, new Map(), []);
    ctx.table.setSuccessors([at(1), at(5)]); // at(2)…at(4) joined since the last stabilize
    const result = await findSuccessor(ctx, { key: at(3).id, signal, verify: false });
    expect(result).toEqual({ node: at(5), hops: 0 });
  });

  it("rejects with RingUnavailable when nothing answers, and when the hop budget is spent", async () => {
    const self = at(0);
    const ctx = context(self, new Map(), []);
    ctx.table.setSuccessors([at(1)]);
    ctx.table.setFinger(100, at(10));
    await expect(findSuccessor(ctx, { key: at(20).id, signal, verify: true })).rejects.toBeInstanceOf(
      RingUnavailable,
    );

    // Every peer points one node further: a route longer than maxHops.
    const peers = new Map<string, Peer>();
    for (let i = 1; i < 39; i++)
      peers.set(at(i).addr, () => ({ t: "chord.step.ok", done: false, next: encodeRefs([at(i + 1)]) }));
    const long = context(self, peers, []);
    long.table.setSuccessors([at(1)]);
    await expect(findSuccessor(long, { key: at(39).id, signal, verify: false })).rejects.toThrow(/16 hops/);
  });

  it("stops at once when aborted", async () => {
    const self = at(0);
    const ctx = context(self, new Map(), []);
    ctx.table.setSuccessors([at(1)]);
    const aborted = AbortSignal.abort();
    await expect(
      findSuccessor(ctx, { key: at(20).id, signal: aborted, verify: true }),
    ).rejects.toBeInstanceOf(RingUnavailable);
  });
});

describe("answerLocally", () => {
  it("answers exactly where findSuccessor needs no request, and nothing elsewhere", async () => {
    const self = at(10);
    const table = new RoutingTable(self, 4);
    table.setSuccessors([at(11), at(12), at(13)]);
    table.setPredecessor(at(5));
    const asked: string[] = [];
    const ctx: LookupContext = {
      ...context(self, new Map(), []),
      table,
      async request(to) {
        asked.push(to.addr);
        throw new TransportError("unreachable", "no peer in this test");
      },
    };
    for (let i = 0; i < ring.length; i++) {
      for (const verify of [true, false]) {
        const local = answerLocally(table, at(i).id, verify);
        if (!local) continue;
        expect(await findSuccessor(ctx, { key: at(i).id, signal, verify })).toEqual(local);
      }
    }
    expect(asked).toEqual([]);
    expect(answerLocally(table, at(7).id, true)).toEqual({ node: self, hops: 0 });
    expect(answerLocally(table, at(12).id, false)).toEqual({ node: at(12), hops: 0 });
    expect(answerLocally(table, at(12).id, true)).toBeNull();
    expect(answerLocally(table, at(20).id, false)).toBeNull();
  });
});
