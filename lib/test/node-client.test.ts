import { describe, expect, it } from "vitest";
import { NodeClient, parseApiUrl, parseRetrieveResponse, type StoredMessage } from "../src/index";

const answer = (status: number, body: string) => async () => new Response(body, { status });
const refused = async () => {
  throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
};
const envelope = { v: 1 as const, id: "i", to: "t", nackTo: "n", eph: "e", ct: "c" };

describe("NodeClient", () => {
  it("keeps only well-formed entries of a retrieve answer", () => {
    const message: StoredMessage = { ...envelope, expiresAt: 5 };
    expect(parseRetrieveResponse(null)).toBeNull();
    expect(parseRetrieveResponse({ messages: {}, nacks: [] })).toBeNull();
    expect(
      parseRetrieveResponse({
        messages: [message, { v: 2 }, "x", { ...envelope }],
        nacks: [{ id: "n1", to: "t", expiredAt: 9 }, { id: 3 }],
        more: "yes",
      }),
    ).toEqual({ messages: [message], nacks: [{ id: "n1", to: "t", expiredAt: 9 }], more: false });
  });

  it("turns the node's error body into code and message, and a refused connection into network", async () => {
    const tooLarge = new NodeClient("http://n", {
      fetch: answer(413, '{"error":{"code":"too_large","message":"too big"}}'),
    });
    expect(await tooLarge.store(envelope)).toEqual({
      ok: false,
      error: { code: "too_large", status: 413, message: "too big" },
    });
    const html = new NodeClient("http://n", { fetch: answer(502, "<html>") });
    expect(await html.store(envelope)).toMatchObject({ ok: false, error: { code: "http", status: 502 } });
    const down = new NodeClient("http://n/", { fetch: refused });
    expect(await down.store(envelope)).toEqual({
      ok: false,
      error: { code: "network", status: 0, message: "cannot reach http://n: ECONNREFUSED" },
    });
    const ok = new NodeClient("http://n", { fetch: answer(201, '{"id":"i","expiresAt":7}') });
    expect(await ok.store(envelope)).toEqual({ ok: true, value: { id: "i", expiresAt: 7 } });
  });

  it("gives up on a node that does not answer in time", async () => {
    const hanging = (_url: unknown, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    const slow = new NodeClient("http://n", { fetch: hanging as typeof fetch, probeTimeoutMs: 20 });
    expect(await slow.info()).toMatchObject({
      ok: false,
      error: { code: "network", message: "http://n did not answer within 20 ms" },
    });
  });

  it("reads a node's id and advertised API URL", async () => {
    const client = new NodeClient("http://n", {
      fetch: answer(200, JSON.stringify({ id: "ab", api: "https://a.example:7401/", addr: "x:1" })),
    });
    expect(await client.info()).toEqual({ ok: true, value: { id: "ab", api: "https://a.example:7401" } });
    const old = new NodeClient("http://n", { fetch: answer(200, '{"id":"ab","api":"ftp://x"}') });
    expect(await old.info()).toEqual({ ok: true, value: { id: "ab" } });
  });

  it("keeps at most 16 peers, each with an http(s) API URL", async () => {
    const nodes = [
      { id: "a", api: "http://127.0.0.1:1" },
      { id: "b", api: "javascript:alert(1)" },
      { id: "c" },
      ...Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, api: `https://n${i}.example` })),
    ];
    const client = new NodeClient("http://n", { fetch: answer(200, JSON.stringify({ nodes })) });
    const peers = await client.peers();
    if (!peers.ok) throw new Error(peers.error.message);
    expect(peers.value[0]).toEqual({ id: "a", api: "http://127.0.0.1:1" });
    expect(peers.value.length).toBe(14);
    expect(peers.value.every((p) => p.api.startsWith("http"))).toBe(true);
  });
});

describe("parseApiUrl", () => {
  it("accepts only http and https URLs, without credentials", () => {
    expect(parseApiUrl(" http://127.0.0.1:7401/ ")).toBe("http://127.0.0.1:7401");
    expect(parseApiUrl("https://node.example/wisp/")).toBe("https://node.example/wisp");
    expect(parseApiUrl("javascript:alert(1)")).toBeNull();
    expect(parseApiUrl("http://user:pw@x")).toBeNull();
    expect(parseApiUrl("not a url")).toBeNull();
    expect(parseApiUrl("")).toBeNull();
    expect(parseApiUrl(`http://x/${"a".repeat(3000)}`)).toBeNull();
  });
});
