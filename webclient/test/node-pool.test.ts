import { generateIdentity, seal, signRetrieve, utf8 } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import { initialNodes, proposedNode } from "../src/config";
import { addNode, parseStoredNodes, reachableFrom } from "../src/node-list";
import { NodePool } from "../src/node-pool";
import { until } from "./fake-node";

/** Nodes behind a fake fetch: each URL answers /v1/node, /v1/peers, store and retrieve unless it is down. */
class FakeWeb {
  readonly down = new Set<string>();
  readonly calls: string[] = [];
  readonly peers = new Map<string, { id: string; api: string }[]>();
  readonly ids = new Map<string, string>();
  /** A retrieve parks here until the node goes down or the caller aborts, like a long-poll. */
  parkRetrieves = false;
  /** Stores that fail as on a connection the network change broke, while the node itself answers. */
  brokenStores = 0;

  fetch = (async (input: string, init?: RequestInit) => {
    const url = new URL(input);
    const base = url.origin;
    this.calls.push(`${base}${url.pathname}`);
    if (this.down.has(base)) throw new TypeError("fetch failed");
    const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status });
    switch (url.pathname) {
      case "/v1/node":
        return json({ id: this.ids.get(base) ?? `id-${base}`, api: base });
      case "/v1/peers":
        return json({ nodes: this.peers.get(base) ?? [] });
      case "/v1/store":
        if (this.brokenStores > 0 && this.brokenStores--) throw new TypeError("network error");
        return json({ id: "x", expiresAt: 1 }, 201);
      case "/v1/retrieve":
        if (this.parkRetrieves) await this.park(base, init?.signal ?? undefined);
        if (this.down.has(base)) throw new TypeError("fetch failed");
        return json({ messages: [], nacks: [], more: false });
      default:
        return new Response("not found", { status: 404 });
    }
  }) as unknown as typeof fetch;

  private park(base: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setInterval(() => {
        if (this.down.has(base)) finish();
      }, 5);
      const finish = () => {
        clearInterval(timer);
        resolve();
      };
      signal?.addEventListener("abort", () => {
        clearInterval(timer);
        reject(new DOMException("aborted", "AbortError"));
      });
    });
  }
}

const A = "http://127.0.0.1:1001";
const B = "http://127.0.0.1:1002";
const C = "http://127.0.0.1:1003";
const me = generateIdentity();
const envelope = () => seal(me, generateIdentity().publicKey, utf8('{"type":"text","text":"hi","sentAt":1}'));

function pool(web: FakeWeb, urls: string[], tickMs = 20) {
  const nodes = urls.map((url, i) => ({ url, source: i === 0 ? ("chosen" as const) : ("learned" as const) }));
  const p = new NodePool(nodes, { fetch: web.fetch, tickMs, probeTimeoutMs: 200 });
  return p;
}

describe("NodePool", () => {
  it("repeats a call on the next node that answers when its node is down, and says which is in use", async () => {
    const web = new FakeWeb();
    const p = pool(web, [A, B, C]);
    expect(p.inUse()).toBe(A);
    web.down.add(A);
    const stored = await p.store(envelope());
    expect(stored.ok).toBe(true);
    expect(p.inUse()).toBe(B);
    expect(p.nodes().map((n) => [n.url, n.health, n.inUse])).toEqual([
      [A, "down", false],
      [B, "up", true],
      [C, "up", false],
    ]);
  });

  it("repeats a call on its own node when the call failed but the node answers the probe after it", async () => {
    const web = new FakeWeb();
    const p = pool(web, [A]);
    web.brokenStores = 1;
    const stored = await p.store(envelope());
    expect(stored.ok).toBe(true);
    expect(web.calls.filter((call) => call.endsWith("/v1/store"))).toEqual([
      `${A}/v1/store`,
      `${A}/v1/store`,
    ]);
    expect(p.nodes().map((n) => [n.url, n.health])).toEqual([[A, "up"]]);
  });

  it("moves a parked long-poll to another node when its node goes away, without the caller seeing a failure", async () => {
    const web = new FakeWeb();
    web.parkRetrieves = true;
    const p = pool(web, [A, B]);
    const polling = p.retrieve(signRetrieve(me, Date.now(), [], 25_000));
    await until(() => web.calls.includes(`${A}/v1/retrieve`));
    web.parkRetrieves = false;
    web.down.add(A);
    expect((await polling).ok).toBe(true);
    expect(p.inUse()).toBe(B);
  });

  it("Reconnect now repeats a parked long-poll on a fresh request", async () => {
    const web = new FakeWeb();
    web.parkRetrieves = true;
    const p = pool(web, [A, B]);
    const polling = p.retrieve(signRetrieve(me, Date.now(), [], 25_000));
    await until(() => web.calls.filter((c) => c === `${A}/v1/retrieve`).length === 1);
    const reconnecting = p.reconnect();
    await until(() => web.calls.filter((c) => c === `${A}/v1/retrieve`).length === 2);
    web.parkRetrieves = false;
    await reconnecting;
    web.down.add(A);
    expect((await polling).ok).toBe(true);
  });

  it("goes back to the preferred node once it answers again, and recovers when no node answered", async () => {
    const web = new FakeWeb();
    const p = pool(web, [A, B]);
    let changes = 0;
    p.subscribe(() => changes++);
    p.start();
    try {
      expect((await p.store(envelope())).ok).toBe(true);
      web.down.add(A);
      expect((await p.store(envelope())).ok).toBe(true);
      expect(p.inUse()).toBe(B);
      web.down.delete(A);
      await until(() => p.inUse() === A, 2_000);

      web.down.add(A);
      web.down.add(B);
      const failed = await p.store(envelope());
      expect(failed).toMatchObject({ ok: false, error: { code: "network" } });
      const before = changes;
      web.down.delete(B);
      await until(() => p.nodes().find((n) => n.url === B)?.health === "up" && p.inUse() === B, 2_000);
      expect(changes).toBeGreaterThan(before);
    } finally {
      p.stop();
    }
  });

  it("leaves a node that hangs without closing, moving the parked long-poll to the next", async () => {
    const web = new FakeWeb();
    const hung = new Set<string>();
    const fetchOrHang = (async (input: string, init?: RequestInit) => {
      if (!hung.has(new URL(input).origin)) return web.fetch(input, init);
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    }) as unknown as typeof fetch;
    const p = new NodePool(
      [
        { url: A, source: "chosen" },
        { url: B, source: "learned" },
      ],
      { fetch: fetchOrHang, tickMs: 20, probeTimeoutMs: 100 },
    );
    p.start();
    try {
      hung.add(A);
      const polling = p.retrieve(signRetrieve(me, Date.now(), [], 25_000));
      expect((await polling).ok).toBe(true);
      expect(p.inUse()).toBe(B);
    } finally {
      p.stop();
    }
  });

  it("moves on from a site that is not a node (a static server's 404 page)", async () => {
    const web = new FakeWeb();
    const staticSite = "http://127.0.0.1:1009";
    const fetchOrPage = (async (input: string, init?: RequestInit) =>
      input.startsWith(staticSite)
        ? new Response("<html>not found</html>", { status: 404 })
        : web.fetch(input, init)) as unknown as typeof fetch;
    const p = new NodePool(
      [
        { url: staticSite, source: "site" },
        { url: B, source: "bootstrap" },
      ],
      { fetch: fetchOrPage },
    );
    expect((await p.retrieve(signRetrieve(me, Date.now(), [], 0))).ok).toBe(true);
    expect(p.inUse()).toBe(B);
  });

  it("does not fail over on a refusal another node would repeat (bad request, too large)", async () => {
    const web = new FakeWeb();
    const refusing = (async () =>
      new Response('{"error":{"code":"too_large","message":"big"}}', {
        status: 413,
      })) as unknown as typeof fetch;
    const p = new NodePool(
      [
        { url: A, source: "chosen" },
        { url: B, source: "learned" },
      ],
      { fetch: refusing },
    );
    expect(await p.store(envelope())).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect(p.inUse()).toBe(A);
    expect(web.calls).toEqual([]);
  });

  it("learns the ring's other nodes, keeping only those whose URL answers with the id the peer list named", async () => {
    const web = new FakeWeb();
    web.peers.set(A, [
      { id: `id-${B}`, api: B },
      { id: "someone-else", api: C },
    ]);
    const p = pool(web, [A]);
    expect((await p.store(envelope())).ok).toBe(true);
    await until(() => p.nodes().length === 2);
    await until(() => web.calls.includes(`${C}/v1/node`));
    expect(p.known()).toEqual([
      { url: A, source: "chosen" },
      { url: B, source: "learned", id: `id-${B}` },
    ]);
  });

  it("gives up a learned node that does not answer when the ring names a new one and the list is full", async () => {
    const web = new FakeWeb();
    const learned = Array.from({ length: 16 }, (_, i) => `http://127.0.0.1:${2000 + i}`);
    const fresh = "http://127.0.0.1:3000";
    web.peers.set(A, [{ id: `id-${fresh}`, api: fresh }]);
    for (const url of learned) web.down.add(url);
    const p = new NodePool(
      [{ url: A, source: "chosen" }, ...learned.map((url) => ({ url, source: "learned" as const }))],
      { fetch: web.fetch, probeTimeoutMs: 200 },
    );
    await p.reconnect();
    await until(() => p.nodes().some((n) => n.url === fresh));
    expect(p.nodes().filter((n) => n.source === "learned").length).toBe(16);
  });

  it("a chosen node is used at once and preferred", async () => {
    const web = new FakeWeb();
    const p = pool(web, [A, B]);
    p.choose(C);
    expect(p.inUse()).toBe(C);
    expect(p.nodes()[0]).toMatchObject({ url: C, source: "chosen" });
    expect(p.nodes().filter((n) => n.source === "chosen").length).toBe(1);
  });
});

describe("the node list", () => {
  it("orders chosen, site, bootstrap, learned, and merges one entry per URL", () => {
    let list = addNode([], { url: C, source: "learned", id: "c" });
    list = addNode(list, { url: B, source: "bootstrap" });
    list = addNode(list, { url: A, source: "site" });
    list = addNode(list, { url: C, source: "chosen" });
    expect(list).toEqual([
      { url: C, source: "chosen", id: "c" },
      { url: A, source: "site" },
      { url: B, source: "bootstrap" },
    ]);
  });

  it("leaves plain-http nodes out of an https page, except loopback", () => {
    expect(reachableFrom("https:", "http://node.example:7401")).toBe(false);
    expect(reachableFrom("https:", "https://node.example")).toBe(true);
    expect(reachableFrom("https:", "http://127.0.0.1:7401")).toBe(true);
    expect(reachableFrom("http:", "http://node.example:7401")).toBe(true);
  });

  it("reads back only well-formed stored entries, at most 16 learned", () => {
    const learned = Array.from({ length: 20 }, (_, i) => ({
      url: `http://10.0.0.${i}:7401`,
      source: "learned",
    }));
    const stored = [{ url: "javascript:x", source: "chosen" }, { url: A, source: "weird" }, 5, ...learned];
    expect(parseStoredNodes(stored).length).toBe(16);
    expect(parseStoredNodes("nope")).toEqual([]);
  });

  it("starts from the chosen node, the page's origin, then the bootstrap; a link only proposes", () => {
    const stored = [
      { url: B, source: "learned", id: "b" },
      { url: "http://old-site:1", source: "site", id: "s" },
      { url: "http://old-bootstrap:1", source: "bootstrap" },
    ];
    expect(initialNodes({ stored, legacyChosen: C, origin: A, buildDefault: "http://boot:7401" })).toEqual([
      { url: C, source: "chosen" },
      { url: A, source: "site" },
      { url: "http://boot:7401", source: "bootstrap" },
      { url: B, source: "learned", id: "b" },
    ]);
    expect(proposedNode("?node=http://10.0.0.5:9000/")).toBe("http://10.0.0.5:9000");
    expect(proposedNode("?node=ftp://nope")).toBeNull();
  });
});
