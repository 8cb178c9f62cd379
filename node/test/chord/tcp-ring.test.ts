import { afterEach, describe, expect, it } from "vitest";
import { ChordNode } from "../../src/chord/chord-node";
import { systemClock } from "../../src/clock";
import { RpcRouter } from "../../src/rpc/router";
import { randomKey, seededRandom } from "../../src/sim/random";
import { TcpTransport } from "../../src/transport/tcp";

const TIMINGS = { stabilizeMs: 20, fixFingersMs: 40, checkPredecessorMs: 40, rpcTimeoutMs: 500 };

let nodes: { chord: ChordNode; transport: TcpTransport }[] = [];
afterEach(async () => {
  for (const node of nodes) {
    node.chord.stop();
    await node.transport.close();
  }
  nodes = [];
});

async function spawn(): Promise<{ chord: ChordNode; transport: TcpTransport }> {
  const transport = new TcpTransport({ host: "127.0.0.1", port: 0, puzzleBits: 0 });
  const router = new RpcRouter();
  const addr = await transport.listen(router.handle);
  const chord = new ChordNode(
    { transport, clock: systemClock, router },
    { ...TIMINGS, addr, key: transport.key.key, puzzleBits: 0 },
  );
  const node = { chord, transport };
  nodes.push(node);
  return node;
}

function whole(members: ChordNode[]): boolean {
  const sorted = [...members].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  return sorted.every(
    (node, i) =>
      node.successors()[0]?.addr === sorted[(i + 1) % sorted.length].self.addr &&
      node.predecessor()?.addr === sorted[(i + sorted.length - 1) % sorted.length].self.addr,
  );
}

async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

function owner(members: ChordNode[], key: bigint): string {
  const sorted = [...members].sort((a, b) => (a.self.id < b.self.id ? -1 : 1));
  return (sorted.find((node) => node.self.id >= key) ?? sorted[0]).self.addr;
}

describe("Chord over TCP on 127.0.0.1", () => {
  it("forms a ring, finds every key, and heals after a node is killed", async () => {
    const first = await spawn();
    first.chord.create();
    first.chord.start();
    for (let i = 0; i < 5; i++) {
      const node = await spawn();
      await node.chord.join(first.chord.self.addr);
      node.chord.start();
    }
    let members = nodes.map((node) => node.chord);
    expect(await until(() => whole(members))).toBe(true);

    const random = seededRandom(5);
    for (const node of members) {
      const key = randomKey(random);
      expect((await node.lookup(key)).node.addr).toBe(owner(members, key));
    }

    const victim = nodes[3];
    victim.chord.stop();
    await victim.transport.close();
    members = members.filter((chord) => chord !== victim.chord);
    expect(await until(() => whole(members))).toBe(true);
    for (const node of members) {
      const key = randomKey(random);
      expect((await node.lookup(key)).node.addr).toBe(owner(members, key));
    }
  });
});
