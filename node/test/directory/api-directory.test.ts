import { describe, expect, it } from "vitest";
import type { NodeRef, Ring } from "../../src/chord/ring";
import { ManualClock } from "../../src/clock";
import { ApiDirectory } from "../../src/directory/api-directory";
import { RpcRouter } from "../../src/rpc/router";
import { MemoryNetwork } from "../../src/transport/memory";
import type { WireMessage } from "../../src/transport/transport";
import { testRef } from "../fixtures/node-refs";

const ref = (addr: string): NodeRef => testRef(addr);

function ringOf(self: string, neighbours: () => string[]): Ring {
  return {
    self: ref(self),
    isJoined: () => true,
    lookup: async () => ({ node: ref(self), hops: 0 }),
    successors: () => neighbours().map(ref),
    predecessor: () => null,
    owns: () => true,
    reportFailure: () => {},
    onChange: () => () => {},
    onJoining: () => () => {},
    joiningVia: () => null,
  };
}

/** A node of the memory network that answers `node.api` with whatever `answer` gives. */
async function peer(network: MemoryNetwork, addr: string, answer: () => WireMessage) {
  let asked = 0;
  await network.transport(addr).listen(async () => {
    asked++;
    return answer();
  });
  return { asked: () => asked };
}

describe("ApiDirectory", () => {
  it("answers node.api with its own URL and lists its neighbours' URLs, asking each once a while", async () => {
    const network = new MemoryNetwork();
    const clock = new ManualClock(1_000);
    const b = await peer(network, "10.0.0.2:1", () => ({ t: "node.api.ok", api: "https://b.example/" }));
    await peer(network, "10.0.0.3:1", () => ({ t: "node.api.ok", api: "http://10.0.0.3:7401" }));
    const transport = network.transport("10.0.0.1:1");
    const router = new RpcRouter();
    await transport.listen(router.handle);
    const ring = ringOf("10.0.0.1:1", () => ["10.0.0.2:1", "10.0.0.3:1", "10.0.0.1:1"]);
    const directory = new ApiDirectory(
      { ring, transport, router, clock },
      { selfApi: "http://10.0.0.1:7401", cacheMs: 60_000 },
    );

    const asker = network.transport("10.0.0.9:1");
    expect(await asker.request("10.0.0.1:1", { t: "node.api" }, { timeoutMs: 500 })).toEqual({
      t: "node.api.ok",
      api: "http://10.0.0.1:7401",
    });
    await expect(asker.request("10.0.0.1:1", { t: "node.api", x: 1 }, { timeoutMs: 500 })).rejects.toThrow(
      /takes no fields/,
    );

    const expected = [
      { id: expect.stringMatching(/^[0-9a-f]{64}$/), api: "https://b.example" },
      { id: expect.stringMatching(/^[0-9a-f]{64}$/), api: "http://10.0.0.3:7401" },
    ];
    expect(await directory.peers()).toEqual(expected);
    expect(await directory.peers()).toEqual(expected);
    expect(b.asked()).toBe(1);
    clock.advance(60_001);
    await directory.peers();
    expect(b.asked()).toBe(2);
  });

  it("leaves out nodes that do not answer or advertise something that is not an http(s) URL", async () => {
    const network = new MemoryNetwork();
    await peer(network, "10.0.0.2:1", () => ({ t: "node.api.ok", api: "javascript:alert(1)" }));
    await peer(network, "10.0.0.3:1", () => ({ t: "node.api.ok", api: `http://x/${"a".repeat(3_000)}` }));
    await peer(network, "10.0.0.4:1", () => ({ t: "chord.pong" }));
    await peer(network, "10.0.0.5:1", () => ({ t: "node.api.ok", api: "http://10.0.0.5:7401" }));
    const transport = network.transport("10.0.0.1:1");
    const router = new RpcRouter();
    const addrs = ["10.0.0.2:1", "10.0.0.3:1", "10.0.0.4:1", "10.0.0.5:1", "10.0.0.6:1"];
    const ring = ringOf("10.0.0.1:1", () => addrs);
    const directory = new ApiDirectory(
      { ring, transport, router, clock: new ManualClock(0) },
      { selfApi: "http://10.0.0.1:7401", timeoutMs: 200 },
    );
    expect((await directory.peers()).map((p) => p.api)).toEqual(["http://10.0.0.5:7401"]);
  });

  it("asks a node that did not answer again only after a few seconds, however often it is called", async () => {
    const network = new MemoryNetwork();
    const clock = new ManualClock(0);
    let up = false;
    const b = await peer(network, "10.0.0.2:1", () => {
      if (!up) throw new Error("not yet");
      return { t: "node.api.ok", api: "http://10.0.0.2:7401" };
    });
    const directory = new ApiDirectory(
      {
        ring: ringOf("10.0.0.1:1", () => ["10.0.0.2:1"]),
        transport: network.transport("10.0.0.1:1"),
        router: new RpcRouter(),
        clock,
      },
      { selfApi: "http://10.0.0.1:7401" },
    );
    for (let i = 0; i < 5; i++) expect(await directory.peers()).toEqual([]);
    expect(b.asked()).toBe(1);
    up = true;
    clock.advance(5_001);
    expect((await directory.peers()).map((p) => p.api)).toEqual(["http://10.0.0.2:7401"]);
    expect(b.asked()).toBe(2);
  });

  it("lists at most 16 nodes however long the ring's lists are", async () => {
    const network = new MemoryNetwork();
    const addrs = Array.from({ length: 20 }, (_, i) => `10.0.1.${i}:1`);
    for (const addr of addrs) await peer(network, addr, () => ({ t: "node.api.ok", api: `http://${addr}` }));
    const transport = network.transport("10.0.0.1:1");
    const directory = new ApiDirectory(
      {
        ring: ringOf("10.0.0.1:1", () => addrs),
        transport,
        router: new RpcRouter(),
        clock: new ManualClock(0),
      },
      { selfApi: "http://10.0.0.1:7401" },
    );
    expect((await directory.peers()).length).toBe(16);
  });
});
