import net from "node:net";
import { encodeFrame, utf8 } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import { TcpTransport, type TcpTransportOptions } from "../../src/transport/tcp";
import { linkServer, openLink, settingsFor } from "./link-client";
import { expectCode, transportSuite } from "./transport.suite";

const HOST = "127.0.0.1";
const LONG = 20_000;

function portOf(addr: string): number {
  return Number(addr.slice(addr.lastIndexOf(":") + 1));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

transportSuite("tcp", () => ({
  create: (addr) => new TcpTransport({ host: HOST, port: addr ? portOf(addr) : 0 }),
  deadAddress: async () => `${HOST}:${await freePort()}`,
}));

/** Resolves when `event` happens, or fails after `ms` so that no test waits forever. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error(`${what} did not happen within 10 s`);
}

describe("TcpTransport against hostile and idle peers", () => {
  const transports: TcpTransport[] = [];
  const sockets: net.Socket[] = [];
  const servers: net.Server[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const transport = (options: Partial<TcpTransportOptions> = {}) => {
    const t = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0, ...options });
    transports.push(t);
    return t;
  };

  /** A node serving "ping" and a well-behaved client of it. */
  const servingNode = async (options: Partial<TcpTransportOptions> = {}) => {
    const node = transport(options);
    const addr = await node.listen(async (request) => ({ t: "pong", n: request.n }));
    // Peers share their idle timeout, as deployed nodes do: the client closes first (at half).
    const client = transport({ idleTimeoutMs: options.idleTimeoutMs });
    const ping = (n: number) => client.request(addr, { t: "ping", n }, { timeoutMs: LONG });
    return { node, addr, client, ping };
  };

  const rawConnection = async (addr: string) => {
    const socket = net.connect({ host: HOST, port: portOf(addr) });
    sockets.push(socket);
    socket.on("error", () => {});
    await within(new Promise((resolve) => socket.once("connect", resolve)), 5000, "connect");
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    return { socket, closed };
  };

  /** A link the node has served one request over, so what follows is judged after the handshake. */
  const servedLink = async (addr: string) => {
    const raw = await openLink(addr);
    raw.sendFrame(utf8('{"i":1,"q":{"t":"ping","n":0}}'));
    await until(() => raw.received.length > 0, "an answer over the raw link");
    return raw;
  };

  const hostileInputs: Array<[string, Uint8Array]> = [
    ["random bytes", Uint8Array.from({ length: 256 }, (_, i) => (i * 151 + 7) & 0xff)],
    ["an oversized frame length", new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3])],
    ["a frame that is not JSON", encodeFrame(utf8("{not json"), 100)],
    ["a JSON frame without a request id", encodeFrame(utf8('{"q":{"t":"ping"}}'), 100)],
    ["a JSON frame with a non-object request", encodeFrame(utf8('{"i":1,"q":[1,2]}'), 100)],
    ["a JSON array", encodeFrame(utf8("[1,2,3]"), 100)],
  ];
  for (const [what, bytes] of hostileInputs) {
    it(`disconnects a peer that sends ${what} instead of a handshake and keeps serving everyone else`, async () => {
      const { node, addr, ping } = await servingNode();
      expect(await ping(1)).toEqual({ t: "pong", n: 1 });
      const hostile = await rawConnection(addr);
      hostile.socket.write(bytes);
      await within(hostile.closed, 5000, "disconnecting the hostile peer");
      expect(await ping(2)).toEqual({ t: "pong", n: 2 });
      expect(node.connectionCounts().inbound).toBe(1);
    });
    it(`disconnects an authenticated peer that sends ${what}, sealed or not`, async () => {
      const { node, addr, ping } = await servingNode();
      expect(await ping(1)).toEqual({ t: "pong", n: 1 });
      const sealed = await servedLink(addr);
      sealed.sendFrame(bytes.subarray(4));
      const unsealed = await servedLink(addr);
      unsealed.socket.write(bytes);
      await within(Promise.all([sealed.closed, unsealed.closed]), 5000, "disconnecting the hostile peers");
      expect(await ping(2)).toEqual({ t: "pong", n: 2 });
      expect(node.connectionCounts().inbound).toBe(1);
    });
  }

  it("disconnects a peer whose frame exceeds a configured limit", async () => {
    const { addr, ping } = await servingNode({ maxFrameBytes: 1000 });
    const hostile = await servedLink(addr);
    hostile.sendFrame(new Uint8Array(1001));
    await within(hostile.closed, 5000, "disconnecting the peer");
    expect(await ping(1)).toEqual({ t: "pong", n: 1 });
  });

  it("closes a half-open connection after the idle timeout while serving others", async () => {
    const { node, addr, ping } = await servingNode({ idleTimeoutMs: 150, handshakeTimeoutMs: 150 });
    const silent = await rawConnection(addr);
    const halfFrame = await servedLink(addr);
    halfFrame.socket.write(new Uint8Array([0, 0, 0, 50, 1, 2]));
    expect(await ping(1)).toEqual({ t: "pong", n: 1 });
    await within(Promise.all([silent.closed, halfFrame.closed]), 5000, "closing the half-open connections");
    expect(await ping(2)).toEqual({ t: "pong", n: 2 });
    expect(node.connectionCounts().inbound).toBeLessThanOrEqual(1);
  });

  it("closes a connection that trickles one frame slower than the idle timeout allows", async () => {
    const { addr, ping } = await servingNode({ idleTimeoutMs: 150 });
    const trickle = await servedLink(addr);
    let open = true;
    void trickle.closed.then(() => (open = false));
    trickle.socket.write(new Uint8Array([0, 0, 3, 232]));
    for (let i = 0; i < 100 && open; i++) {
      trickle.socket.write(new Uint8Array([32]));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(open).toBe(false);
    expect(await ping(1)).toEqual({ t: "pong", n: 1 });
  });

  it("keeps a busy connection whose chunks always end inside a frame", async () => {
    const IDLE_MS = 200;
    const node = transport({ idleTimeoutMs: IDLE_MS });
    const addr = await node.listen(async (request) => ({ t: "pong", n: request.n }));
    const busy = await servedLink(addr);
    // Sealed in order, once each: the nonce counts frames.
    const sealed: Buffer[] = [];
    const frame = (n: number) => {
      while (sealed.length <= n)
        sealed.push(busy.link.send.seal(utf8(`{"i":${sealed.length},"q":{"t":"p","n":${sealed.length}}}`)));
      return sealed[n];
    };
    const answered = (n: number) =>
      until(() => Buffer.concat(busy.received).toString().includes(`"n":${n}}`), `the answer to frame ${n}`);
    // Each write completes frame n and starts frame n + 1, so a frame is always partly buffered;
    // the next write waits for frame n's answer, and the writes go on for longer than the idle timeout.
    const start = Date.now();
    busy.socket.write(frame(0).subarray(0, 5));
    let n = 0;
    for (; n < 10_000 && Date.now() - start < 1.5 * IDLE_MS; n++) {
      busy.socket.write(Buffer.concat([frame(n).subarray(5), frame(n + 1).subarray(0, 5)]));
      await answered(n);
    }
    expect(Date.now() - start).toBeGreaterThanOrEqual(1.5 * IDLE_MS);
    expect(busy.socket.destroyed).toBe(false);
    busy.socket.write(frame(n).subarray(5));
    await answered(n);
  });

  it("closes idle connections, and the next request reconnects", async () => {
    const { node, client, ping } = await servingNode({ idleTimeoutMs: 100 });
    expect(await ping(1)).toEqual({ t: "pong", n: 1 });
    expect(node.connectionCounts().inbound).toBe(1);
    await until(() => node.connectionCounts().inbound === 0, "closing the idle connection");
    await until(() => client.connectionCounts().outbound === 0, "dropping the cached connection");
    expect(await ping(2)).toEqual({ t: "pong", n: 2 });
  });

  it("does not close a connection while its request is being handled", async () => {
    const node = transport({ idleTimeoutMs: 50 });
    const addr = await node.listen(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { t: "slow-pong" };
    });
    const client = transport();
    expect(await client.request(addr, { t: "ping" }, { timeoutMs: LONG })).toEqual({ t: "slow-pong" });
  });

  it("disconnects a peer that sends requests but never reads the answers", async () => {
    const node = transport();
    const answer = "a".repeat(3_000_000);
    const addr = await node.listen(async () => ({ t: "big", answer }));
    const greedy = await servedLink(addr);
    greedy.socket.pause();
    for (let i = 1; i <= 20; i++) greedy.sendFrame(utf8(`{"i":${i},"q":{"t":"get"}}`));
    await until(() => node.connectionCounts().inbound === 0, "disconnecting the greedy peer");
    const client = transport();
    expect(await client.request(addr, { t: "get" }, { timeoutMs: LONG })).toEqual({ t: "big", answer });
  });

  it("shares one connection among concurrent requests to one peer", async () => {
    const { node, client, ping } = await servingNode();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => ping(n)));
    expect(answers.map((a) => a.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(node.connectionCounts().inbound).toBe(1);
    expect(client.connectionCounts().outbound).toBe(1);
  });

  it("fails pending requests with unreachable when the peer answers garbage, then reconnects", async () => {
    let connections = 0;
    const key = settingsFor().key;
    const { server, addr } = await linkServer(
      (port) => settingsFor(key, `${HOST}:${port}`),
      (raw) => {
        connections++;
        if (connections === 1) raw.socket.write(new Uint8Array([0, 0, 0, 3, 1, 2, 3]));
        else raw.sendFrame(utf8('{"i":2,"r":{"t":"ok"}}'));
      },
    );
    servers.push(server);
    const client = transport({ puzzleBits: 0 });
    const error = await expectCode(client.request(addr, { t: "one" }, { timeoutMs: LONG }), "unreachable");
    expect(error.message).toBe(`${addr} sent a malformed frame`);
    expect(await client.request(addr, { t: "two" }, { timeoutMs: LONG })).toEqual({ t: "ok" });
  });

  it("refuses a request over a configured frame limit without connecting", async () => {
    const { addr } = await servingNode();
    const client = transport({ maxFrameBytes: 64 });
    const error = await expectCode(
      client.request(addr, { t: "x".repeat(64) }, { timeoutMs: LONG }),
      "too_large",
    );
    expect(error.message).toMatch(/^message of \d+ bytes exceeds the 64-byte frame limit$/);
    expect(client.connectionCounts().outbound).toBe(0);
  });

  it("fails with unreachable on an address it cannot parse", async () => {
    const client = transport();
    for (const bad of ["nohost", ":80", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:8x"]) {
      await expectCode(client.request(bad, { t: "ping" }, { timeoutMs: LONG }), "unreachable");
    }
  });

  it("listen fails with closed when the transport closes before the port is bound", async () => {
    const node = transport();
    const listening = node.listen(async () => ({ t: "x" }));
    await node.close();
    await expectCode(listening, "closed");
  });

  it("listen answers the port actually bound, and rejects a port in use", async () => {
    const { node, addr } = await servingNode();
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(addr)).toBeGreaterThan(0);
    await expect(node.listen(async () => ({ t: "x" }))).rejects.toThrow("already listening");
    const other = transport({ port: portOf(addr) });
    await expect(other.listen(async () => ({ t: "x" }))).rejects.toThrow(/EADDRINUSE/);
    await node.close();
    expect(await other.listen(async () => ({ t: "x" }))).toBe(addr);
  });
});
