/**
 * Whatever a node cannot verify or will not hold is refused, counted in /metrics by cause and
 * logged once per cause and peer — not a line per frame — and the node keeps serving (issue 12):
 * failed handshakes, bad frames, malformed requests, copies it may not take, tombstones without a
 * valid proof, connections over a cap, clients over their rate limit.
 */
import net from "node:net";
import { signRetrieve } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metrics, Refusals } from "../../src/metrics";
import { TcpTransport } from "../../src/transport/tcp";
import type { TestRing } from "./harness";
import * as harness from "./harness";

const { generateIdentity, letter, mailboxAddress, outsider, post, retrieve, startRing, until } = harness;

describe("Refusals", () => {
  it("counts every refusal and logs each cause and peer once a window, then says how many went unlogged", () => {
    const metrics = new Metrics();
    const lines: Record<string, unknown>[] = [];
    let now = 0;
    const refusals = new Refusals(
      metrics,
      (_event, fields) => lines.push(fields),
      () => now,
      {
        logEveryMs: 1_000,
        remembered: 3,
      },
    );
    for (let i = 0; i < 100; i++) refusals.refuse("bad_frame", "10.0.0.1:7400", "not a frame");
    refusals.refuse("bad_frame", "10.0.0.2:7400");
    refusals.refuse("handshake", "10.0.0.1:7400");
    expect(metrics.get("wisp_refused_total", { cause: "bad_frame" })).toBe(101);
    expect(metrics.get("wisp_refused_total", { cause: "handshake" })).toBe(1);
    expect(lines).toHaveLength(3);
    now = 1_000;
    refusals.refuse("bad_frame", "10.0.0.1:7400");
    expect(lines.at(-1)).toEqual({ cause: "bad_frame", peer: "10.0.0.1:7400", unlogged: 99 });
    // Only the three most recent pairs are remembered: a fourth forgets the oldest, logged anew.
    refusals.refuse("proof", "10.0.0.3:7400");
    refusals.refuse("bad_frame", "10.0.0.2:7400");
    expect(lines.at(-1)).toEqual({ cause: "bad_frame", peer: "10.0.0.2:7400" });
    expect(lines).toHaveLength(6);
  });
});

describe("a node refusing what it cannot verify", () => {
  let ring: TestRing;
  const logged: Record<string, unknown>[] = [];
  const bob = generateIdentity();
  const alice = generateIdentity();

  beforeAll(async () => {
    ring = await startRing(2, {
      api: { trustedProxies: ["127.0.0.1"], rateLimit: { burst: 2, perSecond: 0.01, maxBuckets: 100 } },
      log: (event, fields) => {
        if (event === "refused") logged.push(fields ?? {});
      },
    });
  });
  afterAll(async () => ring?.stop());

  const refusedOf = (cause: string) => ring.nodes[0].metrics.get("wisp_refused_total", { cause });
  const linesOf = (cause: string) => logged.filter((line) => line.cause === cause);

  it("counts failed handshakes, logs them once for the source, and serves on", async () => {
    const node = ring.nodes[0];
    const port = Number(node.addr.slice(node.addr.lastIndexOf(":") + 1));
    for (let i = 0; i < 10; i++) {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.on("error", () => {});
      socket.write(Buffer.from([0xff, 0xff, ...Array(64).fill(7)]));
      await new Promise((resolve) => socket.once("close", resolve));
    }
    await until(() => refusedOf("handshake") >= 10, "ten handshake refusals counted");
    expect(linesOf("handshake").filter((line) => line.peer === "127.0.0.1")).toHaveLength(1);
    const envelope = letter(alice, bob, "still served");
    expect((await post(node, "/v1/store", envelope)).status).toBe(201);
  });

  it("counts bad frames, malformed requests, copies it may not take and tombstones without a valid proof", async () => {
    const node = ring.nodes[0];
    const liar = await outsider(node);
    for (let i = 0; i < 30; i++) await liar.ask({ t: "store.fetch", mailbox: "nope" });
    await liar.ask({
      t: "store.replicate",
      entries: [
        {
          kind: "msg",
          storedAt: Date.now(),
          expiresAt: Date.now() + 60_000,
          envelope: letter(alice, bob, "junk"),
        },
      ],
      tombstones: [],
      proofs: [],
    });
    const proof = { ...signRetrieve(alice, Date.now(), ["A".repeat(22)], 0) };
    await liar.ask({
      t: "store.digest",
      entries: [],
      tombstones: [
        {
          mailbox: mailboxAddress(bob.publicKey),
          id: "A".repeat(22),
          expiresAt: Date.now() + 60_000,
          proof: 0,
        },
      ],
      proofs: [proof],
    });
    expect(refusedOf("request")).toBeGreaterThanOrEqual(30);
    // The outsider listens nowhere: it is named by the key its handshake proved, once.
    expect(linesOf("request").filter((line) => String(line.peer).startsWith("key "))).toHaveLength(1);
    expect(refusedOf("copies")).toBeGreaterThanOrEqual(1);
    expect(refusedOf("proof")).toBeGreaterThanOrEqual(1);
    liar.link.sendFrame(Buffer.from("not a JSON frame"));
    await liar.link.closed;
    await until(() => refusedOf("bad_frame") >= 1, "a bad frame counted");
    const metrics = await (await fetch(`${node.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/wisp_refused_total\{cause="request"\} \d+/);
    expect((await retrieve(node, bob)).messages.length).toBeGreaterThanOrEqual(1);
  });

  it("counts clients over their rate limit, behind the trusted proxy, logged once per client", async () => {
    const node = ring.nodes[1];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await post(node, "/v1/store", letter(alice, bob, `burst ${i}`), "203.0.113.5")).status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(4);
    expect(ring.nodes[1].metrics.get("wisp_refused_total", { cause: "rate_limited" })).toBe(4);
    expect(linesOf("rate_limited").filter((line) => line.peer === "client 203.0.113.5")).toHaveLength(1);
    expect((await post(node, "/v1/store", letter(alice, bob, "another client"), "203.0.113.6")).status).toBe(
      201,
    );
  });
});

describe("a node's connection cap", () => {
  it("refuses connections over it, counts them and keeps the ones it holds", async () => {
    const refused: string[] = [];
    const transport = new TcpTransport({
      host: "127.0.0.1",
      port: 0,
      puzzleBits: 0,
      maxInbound: 1,
      onRefusal: (cause, peer) => refused.push(`${cause} ${peer}`),
    });
    const addr = await transport.listen(async () => ({ t: "ok" }));
    const port = Number(addr.slice(addr.lastIndexOf(":") + 1));
    const sockets = Array.from({ length: 3 }, () => {
      const socket = net.connect({ host: "127.0.0.1", port });
      socket.on("error", () => {});
      return socket;
    });
    try {
      await until(() => refused.length >= 2, "two connections over the cap refused");
      expect(refused).toEqual(["connection_cap 127.0.0.1", "connection_cap 127.0.0.1"]);
      expect(transport.connectionCounts().inbound).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await transport.close();
    }
  });
});
