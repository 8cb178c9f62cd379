import { afterEach, describe, expect, it } from "vitest";
import { ChordNode, type ChordOptions } from "../../src/chord/chord-node";
import { RingUnavailable } from "../../src/chord/ring";
import { ManualClock, systemClock } from "../../src/clock";
import { Metrics } from "../../src/metrics";
import { RpcRouter } from "../../src/rpc/router";
import { createRing } from "../../src/sim/ring";
import { MemoryNetwork, type MemoryTransport } from "../../src/transport/memory";

const FAST: Omit<ChordOptions, "addr" | "key"> = {
  puzzleBits: 0,
  stabilizeMs: 10,
  fixFingersMs: 20,
  checkPredecessorMs: 20,
  rpcTimeoutMs: 200,
  lookupTimeoutMs: 1_000,
  joinBackoffMs: 5,
  joinBackoffMaxMs: 20,
};

let started: { chord: ChordNode; transport: MemoryTransport }[] = [];
afterEach(async () => {
  for (const node of started) {
    node.chord.stop();
    await node.transport.close();
  }
  started = [];
});

async function spawn(network: MemoryNetwork, addr?: string, options: Partial<ChordOptions> = {}) {
  const transport = network.transport(addr);
  const router = new RpcRouter();
  const metrics = new Metrics();
  const listened = await transport.listen(router.handle);
  const chord = new ChordNode(
    { transport, clock: systemClock, router, metrics },
    { ...FAST, ...options, addr: listened, key: transport.key.key },
  );
  started.push({ chord, transport });
  return { chord, transport, metrics };
}

async function until(condition: () => boolean, attempts = 1_500): Promise<boolean> {
  for (let i = 0; i < attempts && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

function ringIsWhole(nodes: ChordNode[]): boolean {
  const sorted = [...nodes].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  return sorted.every((node, i) => {
    const next = sorted[(i + 1) % sorted.length];
    const previous = sorted[(i - 1 + sorted.length) % sorted.length];
    return node.successors()[0]?.addr === next.self.addr && node.predecessor()?.addr === previous.self.addr;
  });
}

describe("ChordNode on its own timers", () => {
  it("forms a ring from concurrent joins with start() alone", async () => {
    const network = new MemoryNetwork();
    const first = await spawn(network);
    first.chord.create();
    first.chord.start();
    const others = await Promise.all(Array.from({ length: 7 }, () => spawn(network)));
    await Promise.all(others.map((node) => node.chord.join(first.chord.self.addr)));
    for (const node of others) node.chord.start();
    const all = [first, ...others].map((node) => node.chord);
    expect(await until(() => ringIsWhole(all))).toBe(true);
    const result = await others[3].chord.lookup(first.chord.self.id);
    expect(result.node.addr).toBe(first.chord.self.addr);
    expect(others[3].metrics.get("wisp_chord_lookups_total")).toBeGreaterThan(0);
    expect(others[3].metrics.render()).toContain("wisp_chord_successors");
  });

  it("repairs joins that overlap: two newcomers through a ring of one, before anyone stabilized", async () => {
    const network = new MemoryNetwork();
    const a = await spawn(network);
    a.chord.create();
    const [b, c] = [await spawn(network), await spawn(network)];
    await Promise.all([b.chord.join(a.chord.self.addr), c.chord.join(a.chord.self.addr)]);
    // Each took a, or the other newcomer when that one had joined between it and a already.
    expect([a, c].map((n) => n.chord.self.addr)).toContain(b.chord.successors()[0].addr);
    expect([a, b].map((n) => n.chord.self.addr)).toContain(c.chord.successors()[0].addr);
    const all = [a, b, c].map((node) => node.chord);
    const settled = () => ringIsWhole(all) && all.every((chord) => chord.successors().length === 2);
    for (let round = 0; round < 8 && !settled(); round++) for (const chord of all) await chord.stabilize();
    expect(ringIsWhole(all)).toBe(true);
    for (const chord of all) expect(chord.successors()).toHaveLength(2);
  });

  it("retries the bootstrap with backoff until it appears", async () => {
    const network = new MemoryNetwork();
    const joiner = await spawn(network, undefined, { joinAttempts: 50 });
    const joining = joiner.chord.join("10.0.0.9:1");
    await new Promise((resolve) => setTimeout(resolve, 30));
    const late = await spawn(network, "10.0.0.9:1");
    late.chord.create();
    await joining;
    expect(joiner.chord.isJoined()).toBe(true);
    expect(joiner.chord.successors()[0].addr).toBe("10.0.0.9:1");
  });

  it("gives up with RingUnavailable after the configured attempts", async () => {
    const network = new MemoryNetwork();
    const joiner = await spawn(network, undefined, { joinAttempts: 3 });
    await expect(joiner.chord.join("10.0.0.9:2")).rejects.toBeInstanceOf(RingUnavailable);
    expect(joiner.chord.isJoined()).toBe(false);
  });

  it("ends a lookup at lookupTimeoutMs on an unanswering network", async () => {
    const network = new MemoryNetwork();
    const a = await spawn(network);
    const b = await spawn(network, undefined, { rpcTimeoutMs: 60_000, lookupTimeoutMs: 50 });
    a.chord.create();
    await b.chord.join(a.chord.self.addr);
    await b.chord.stabilize();
    await a.chord.stabilize();
    network.loss = 0.999999;
    const key = a.chord.self.id; // owned by a: b must ask or ping a
    await expect(b.chord.lookup(key)).rejects.toBeInstanceOf(RingUnavailable);
    expect(b.metrics.get("wisp_chord_lookups_total")).toBe(1);
    expect(b.metrics.get("wisp_chord_lookup_failures_total")).toBe(1);
  });

  it("heals a crash on the injected clock's timers, with the default timings", async () => {
    const clock = new ManualClock();
    const ring = await createRing(6, { clock, seed: 21 });
    try {
      for (const node of ring.nodes()) node.chord.start();
      ring.crash(ring.nodes()[2].addr);
      let whole = false;
      for (let second = 0; second < 30 && !whole; second++) {
        clock.advance(1_000);
        for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
        whole = ring.problems().length === 0;
      }
      expect(whole).toBe(true);
    } finally {
      await ring.close();
    }
  });

  it("stop() is idempotent and cancels the timers", async () => {
    const network = new MemoryNetwork();
    const a = await spawn(network);
    a.chord.create();
    a.chord.start();
    a.chord.stop();
    a.chord.stop();
    expect(a.chord.isJoined()).toBe(false);
  });
});
