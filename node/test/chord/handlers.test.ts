import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ChordNode } from "../../src/chord/chord-node";
import { ManualClock } from "../../src/clock";
import { RpcRouter } from "../../src/rpc/router";
import { createRing, type SimRing } from "../../src/sim/ring";
import { MemoryNetwork, type MemoryTransport } from "../../src/transport/memory";
import { TransportError, type WireMessage } from "../../src/transport/transport";
import { testWireRef } from "../fixtures/node-refs";

let ring: SimRing | null = null;
let extra: MemoryTransport[] = [];
afterEach(async () => {
  await ring?.close();
  ring = null;
  for (const transport of extra) await transport.close();
  extra = [];
});

const wireRef = testWireRef;

const HOSTILE: WireMessage[] = [
  { t: "chord.step" },
  { t: "chord.step", key: "zz" },
  { t: "chord.step", key: "A".repeat(64) },
  { t: "chord.step", key: 42 },
  { t: "chord.notify" },
  { t: "chord.notify", node: null },
  { t: "chord.notify", node: { id: "00".repeat(32), addr: "10.0.0.1:1" } },
  { t: "chord.notify", node: { ...testWireRef("10.0.0.9:3"), addr: 7 } },
  { t: "chord.notify", node: { ...testWireRef("10.0.0.9:3"), key: testWireRef("10.0.0.9:4").key } },
  { t: "chord.notify", node: { ...testWireRef("10.0.0.9:3"), addr: "10.0.0.9:4" } },
  { t: "chord.notify", node: { ...testWireRef("10.0.0.9:3"), addr: "10.0.0.09:3" } },
  { t: "chord.notify", node: { ...wireRef("10.0.0.9:1"), addr: "a".repeat(300) } },
  { t: "chord.leave", node: wireRef("10.0.0.9:1") },
  { t: "chord.leave", node: wireRef("10.0.0.9:1"), predecessor: "x", successors: [] },
  { t: "chord.leave", node: wireRef("10.0.0.9:1"), predecessor: null, successors: {} },
  { t: "chord.leave", node: wireRef("10.0.0.9:1"), predecessor: null, successors: [1, 2] },
  {
    t: "chord.leave",
    node: wireRef("10.0.0.9:1"),
    predecessor: null,
    successors: Array.from({ length: 100 }, () => wireRef("10.0.0.9:2")),
  },
];

async function send(from: MemoryTransport, to: string, message: WireMessage): Promise<unknown> {
  return from.request(to, message, { timeoutMs: 1_000 }).catch((error: unknown) => error);
}

describe("Chord handlers facing hostile input", () => {
  it("reject every malformed message without changing state or crashing", async () => {
    ring = await createRing(5, { seed: 12 });
    const probe = ring.network.transport();
    extra.push(probe);
    const target = ring.nodes()[2];
    const before = JSON.stringify(target.chord.answerState(), (_, v) => (typeof v === "bigint" ? `${v}` : v));
    for (const message of HOSTILE) {
      const answer = await send(probe, target.addr, message);
      expect(answer).toBeInstanceOf(TransportError);
      expect((answer as TransportError).code).toBe("remote");
    }
    const after = JSON.stringify(target.chord.answerState(), (_, v) => (typeof v === "bigint" ? `${v}` : v));
    expect(after).toBe(before);
    const pong = await send(probe, target.addr, { t: "chord.ping" });
    expect(pong).toMatchObject({ t: "chord.pong" });
  });

  it("survive random messages to every chord tag (property)", async () => {
    ring = await createRing(3, { seed: 13 });
    const probe = ring.network.transport();
    extra.push(probe);
    const target = ring.nodes()[0];
    const tags = ["chord.ping", "chord.state", "chord.step", "chord.notify", "chord.leave"];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...tags),
        fc.dictionary(fc.constantFrom("key", "node", "predecessor", "successors", "x"), fc.jsonValue()),
        async (t, fields) => {
          const answer = await send(probe, target.addr, { ...fields, t });
          expect(answer instanceof TransportError || typeof answer === "object").toBe(true);
        },
      ),
      { numRuns: 200 },
    );
    expect(await send(probe, target.addr, { t: "chord.ping" })).toMatchObject({ t: "chord.pong" });
    expect(ring.problems()).toEqual([]);
  });

  it("answer nothing but an error before the node has joined", async () => {
    const network = new MemoryNetwork();
    const transport = network.transport();
    const router = new RpcRouter();
    const addr = await transport.listen(router.handle);
    const chord = new ChordNode(
      { transport, clock: new ManualClock(), router },
      { addr, key: transport.key.key, puzzleBits: 0 },
    );
    const probe = network.transport();
    extra.push(transport, probe);
    for (const message of [{ t: "chord.ping" }, { t: "chord.state" }]) {
      const answer = await send(probe, addr, message);
      expect((answer as TransportError).message).toContain("not a ring member");
    }
    expect(chord.isJoined()).toBe(false);
  });

  it("a lookup survives a peer that answers garbage", async () => {
    ring = await createRing(10, { seed: 14 });
    const liar = ring.nodes()[4];
    // The liar keeps its place on the ring but answers every step with nonsense.
    await liar.transport.close();
    const fake = new RpcRouter();
    fake.on(["chord.step"], async () => ({ t: "chord.step.ok", done: "maybe" }));
    fake.on(["chord.ping"], async () => ({ t: "chord.pong", node: testWireRef(liar.addr) }));
    fake.on(["chord.state"], async () => ({ t: "chord.state.ok", predecessor: 5, successors: [] }));
    const impostor = ring.network.transport(liar.addr, liar.transport.key);
    extra.push(impostor);
    await impostor.listen(fake.handle);
    for (const node of ring.nodes()) {
      if (node === liar) continue;
      const key = liar.chord.self.id + 1n;
      const result = await node.chord.lookup(key);
      expect(result.node.addr).toBe(ring.ownerOf(key).addr);
    }
  });
});
