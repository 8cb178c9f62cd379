/**
 * The node port's own defences: the handshake fuzzed (garbage, truncation, every byte flipped,
 * a recorded handshake replayed, oversized and slow handshakes), the one budget for partial frames
 * (a peer announcing 4 MiB − 1 frames on many links), and the connection caps.
 */
import net from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionCaps } from "../../src/identity/connection-caps";
import { TcpTransport, type TcpTransportOptions } from "../../src/transport/tcp";
import { openLink } from "../transport/link-client";
import { until } from "./harness";

const transports: TcpTransport[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

async function node(options: Partial<TcpTransportOptions> = {}) {
  const transport = new TcpTransport({ host: "127.0.0.1", port: 0, puzzleBits: 0, ...options });
  transports.push(transport);
  const addr = await transport.listen(async (request) => ({ t: "pong", n: request.n }));
  const client = new TcpTransport({ host: "127.0.0.1", port: 0, puzzleBits: 0 });
  transports.push(client);
  const ping = () => client.request(addr, { t: "ping", n: 1 }, { timeoutMs: 5_000 });
  return { transport, addr, ping };
}

/** Writes bytes on a raw connection and resolves with what the node sent back before it closed. */
function rawExchange(
  addr: string,
  chunks: Uint8Array[],
  waitMs = 300,
): Promise<{ got: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(addr.split(":")[1]), "127.0.0.1");
    sockets.push(socket);
    let got = 0;
    let closed = false;
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => (got += chunk.length));
    socket.on("close", () => {
      closed = true;
    });
    socket.once("connect", () => {
      for (const chunk of chunks) socket.write(chunk);
      setTimeout(() => resolve({ got, closed }), waitMs);
    });
  });
}

describe("the handshake under hostile input", () => {
  it("answers only a handshake's second message to any first message, then nothing to garbage", async () => {
    const { addr, ping, transport } = await node({ handshakeTimeoutMs: 200 });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 600 }), async (bytes) => {
        const { got } = await rawExchange(addr, [bytes], 50);
        // A 32-byte first message (length prefix 0x0020) gets the responder's reply; nothing else does.
        if (!(bytes.length >= 34 && bytes[0] === 0 && bytes[1] === 32)) expect(got).toBe(0);
      }),
      { numRuns: 60 },
    );
    expect((await ping()).t).toBe("pong");
    await until(() => transport.connectionCounts().inbound <= 1, "the node to drop the garbage connections");
  });

  it("closes a handshake that stops halfway or runs past its deadline, and one that is too long", async () => {
    const { addr, ping, transport } = await node({ handshakeTimeoutMs: 200 });
    const truncated = await rawExchange(addr, [new Uint8Array([0, 32, 1, 2, 3])], 600);
    expect(truncated.closed).toBe(true);
    const long = await rawExchange(addr, [new Uint8Array([0xff, 0xff, ...new Array(100).fill(0)])], 300);
    expect(long.closed).toBe(true);
    expect(transport.limitCounts().handshakeFailures).toBeGreaterThanOrEqual(2);
    expect((await ping()).t).toBe("pong");
  });

  it("refuses a recorded handshake replayed, byte for byte, to the same node", async () => {
    const { addr, ping } = await node();
    const recorded: Buffer[] = [];
    const port = Number(addr.split(":")[1]);
    // Every byte an initiator writes to the node: its two handshake messages and a sealed frame.
    const write = net.Socket.prototype.write;
    net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
      if (this.remotePort === port && chunk instanceof Uint8Array) recorded.push(Buffer.from(chunk));
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof write;
    let link: Awaited<ReturnType<typeof openLink>>;
    try {
      link = await openLink(addr);
      link.sendFrame(Buffer.from('{"i":1,"q":{"t":"ping","n":1}}'));
      await until(() => link.received.length === 1, "the honest answer");
    } finally {
      net.Socket.prototype.write = write;
    }
    expect(recorded.length).toBeGreaterThanOrEqual(3);
    // The responder's fresh ephemeral key makes the recorded third message fail its tag: the
    // replayer gets no link, and its recorded request no answer.
    const replay = await rawExchange(addr, recorded, 400);
    expect(replay.closed).toBe(true);
    expect((await ping()).t).toBe("pong");
  });
});

describe("limits of the node port", () => {
  it("holds one budget of partial frames for all links: links announcing 4 MiB − 1 frames are dropped", async () => {
    const budget = 1024 * 1024;
    const { transport, ping } = await node({ partialFrameBudget: budget });
    const addr = (transport as unknown as { listenAddr: string }).listenAddr;
    const links = await Promise.all(Array.from({ length: 12 }, () => openLink(addr)));
    const announce = Buffer.from([0x00, 0x3f, 0xff, 0xff]);
    for (const link of links) link.socket.write(Buffer.concat([announce, Buffer.alloc(200_000, 1)]));
    await until(() => links.some((link) => link.socket.destroyed), "the node to drop a link over budget");
    expect(transport.limitCounts().partialBytes).toBeLessThanOrEqual(budget);
    expect((await ping()).t).toBe("pong");
  });

  it("caps connections per source IP (not for loopback) and in total", () => {
    const caps = new ConnectionCaps({ total: 5, perIp: 2 });
    expect(caps.admit("10.0.0.1")).not.toBeNull();
    const second = caps.admit("::ffff:10.0.0.1");
    expect(second).not.toBeNull();
    expect(caps.admit("10.0.0.1")).toBeNull();
    second?.();
    expect(caps.admit("10.0.0.1")).not.toBeNull();
    expect(caps.admit("2001:db8::1")).not.toBeNull();
    expect(caps.admit("2001:db8::2")).not.toBeNull();
    expect(caps.admit("2001:db8::3")).toBeNull(); // the same /64
    expect(caps.admit("127.0.0.1")).not.toBeNull(); // total 5 now
    expect(caps.admit("127.0.0.1")).toBeNull();
    expect(caps.refused).toBe(3);
  });

  it("lets 64 links from 127.0.0.1 in: loopback has no per-IP share", async () => {
    const { transport, addr } = await node({ maxInboundPerIp: 2 });
    const links = await Promise.all(Array.from({ length: 64 }, () => openLink(addr)));
    await until(() => transport.connectionCounts().inbound === 64, "64 inbound links");
    for (const link of links) link.socket.destroy();
  });
});
