import { afterEach, describe, expect, it } from "vitest";
import { MemoryNetwork, type MemoryTransport } from "../../src/transport/memory";
import { expectCode, holdingHandler, transportSuite } from "./transport.suite";

transportSuite("memory", () => {
  const network = new MemoryNetwork();
  return {
    create: (addr) => network.transport(addr),
    deadAddress: async () => "10.9.9.9:9",
  };
});

describe("MemoryNetwork", () => {
  const opened: MemoryTransport[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()));
  });
  const open = (network: MemoryNetwork) => {
    const transport = network.transport();
    opened.push(transport);
    return transport;
  };

  it("fails requests waiting at a crashed node at once with unreachable", async () => {
    const network = new MemoryNetwork();
    const server = open(network);
    const held = holdingHandler();
    const addr = await server.listen(held.handler);
    const pending = open(network).request(addr, { t: "wait" }, { timeoutMs: 20_000 });
    await held.arrived;
    network.crash(addr);
    const error = await expectCode(pending, "unreachable");
    expect(error.message).toBe(`${addr} went away before answering`);
    expect(network.isListening(addr)).toBe(false);
  });

  it("loses every message when loss is certain, so callers time out", async () => {
    const network = new MemoryNetwork({ loss: 0.999, random: () => 0 });
    const addr = await open(network).listen(async () => ({ t: "pong" }));
    await expectCode(open(network).request(addr, { t: "ping" }, { timeoutMs: 20 }), "timeout");
  });

  it("delays delivery by the configured latency and still answers", async () => {
    const network = new MemoryNetwork({ latencyMs: 5 });
    const addr = await open(network).listen(async (request) => ({ t: "pong", n: request.n }));
    expect(await open(network).request(addr, { t: "ping", n: 3 }, { timeoutMs: 20_000 })).toEqual({
      t: "pong",
      n: 3,
    });
    expect(network.delivered).toBe(1);
  });
});
