import { generateIdentity, mailboxAddress, nobleCrypto, seal, signRetrieve, toB64u, utf8 } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import type { ApiOptions } from "../../src/api/options";
import { createApi } from "../../src/api/routes";
import { RingUnavailable } from "../../src/chord/ring";
import { ManualClock } from "../../src/clock";
import { Metrics } from "../../src/metrics";
import { ServiceError } from "../../src/store/mailboxes";
import { apiRequest, toResponse } from "./exchange";
import { FakeMailboxes, fakeRing } from "./fakes";

const NOW = 1_700_000_000_000;

function setup(options: Partial<ApiOptions> = {}, joined = true) {
  const clock = new ManualClock(NOW);
  const mailboxes = new FakeMailboxes();
  const metrics = new Metrics();
  const directory = {
    selfApi: "https://self.example",
    peers: async () => [{ id: "b".repeat(64), api: "https://b.example" }],
  };
  const api = createApi(
    { ring: fakeRing(joined), mailboxes, clock, metrics, crypto: nobleCrypto, directory },
    options,
  );
  const call = async (
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers: Record<string, string> = {},
  ) => toResponse(await api(apiRequest(method, path, { body, headers }), { clientAddr: "127.0.0.1" }));
  const post = (path: string, value: unknown) => call("POST", path, JSON.stringify(value));
  return { api, clock, mailboxes, metrics, call, post };
}

const alice = generateIdentity();
const bob = generateIdentity();
const envelope = () =>
  seal(alice, bob.publicKey, utf8(JSON.stringify({ type: "text", text: "hi", sentAt: NOW })));

async function expectError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get("access-control-allow-origin")).toBe("*");
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message).not.toMatch(/\n\s+at /);
  return body.error.message;
}

describe("POST /v1/store", () => {
  it("answers 201 with id and expiresAt, then 200 with the first expiresAt for the same id", async () => {
    const { post, mailboxes } = setup();
    const env = envelope();
    const first = await post("/v1/store", env);
    expect(first.status).toBe(201);
    expect(first.headers.get("content-type")).toBe("application/json");
    const created = await first.json();
    expect(created).toEqual({ id: env.id, expiresAt: 1_001_000 });
    const again = await post("/v1/store", env);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(created);
    expect(mailboxes.stored.size).toBe(1);
  });

  it("refuses a wrong field length with a sentence naming the field", async () => {
    const { post } = setup();
    const message = await expectError(
      await post("/v1/store", { ...envelope(), eph: toB64u(new Uint8Array(31)) }),
      400,
      "bad_request",
    );
    expect(message).toContain("eph");
  });

  it("refuses malformed JSON, an empty body, an array, bad base64url and a wrong v", async () => {
    const { call, post } = setup();
    await expectError(await call("POST", "/v1/store", '{"v":1,'), 400, "bad_request");
    await expectError(await call("POST", "/v1/store", ""), 400, "bad_request");
    await expectError(await post("/v1/store", [envelope()]), 400, "bad_request");
    expect(
      await expectError(await post("/v1/store", { ...envelope(), id: "!!!!" }), 400, "bad_request"),
    ).toContain("id");
    expect(await expectError(await post("/v1/store", { ...envelope(), v: 2 }), 400, "bad_request")).toContain(
      "v",
    );
  });

  it("refuses deeply nested JSON without parsing it", async () => {
    const { call } = setup();
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    expect(await expectError(await call("POST", "/v1/store", deep), 400, "bad_request")).toMatch(/nested/);
  });

  it("answers 413 for a declared oversized body", async () => {
    const { call } = setup();
    const big = "x".repeat(65_537);
    await expectError(await call("POST", "/v1/store", big), 413, "too_large");
  });

  it("answers 413 to a body longer than the server buffers, from the part it has", async () => {
    const { api } = setup();
    const start = new Uint8Array(20 * 8192).fill(0x20);
    const request = apiRequest("POST", "/v1/store", { body: start, bodyComplete: false });
    await expectError(toResponse(await api(request, { clientAddr: "127.0.0.1" })), 413, "too_large");
  });

  it("maps service failures to their codes: mailbox_full, unavailable, internal", async () => {
    const { post, mailboxes } = setup();
    mailboxes.failWith = new ServiceError("mailbox_full", "mailbox holds 10000 entries");
    await expectError(await post("/v1/store", envelope()), 507, "mailbox_full");
    mailboxes.failWith = new RingUnavailable("no successor answered");
    await expectError(await post("/v1/store", envelope()), 503, "unavailable");
    mailboxes.failWith = new Error("secret internals at line 42");
    const message = await expectError(await post("/v1/store", envelope()), 500, "internal");
    expect(message).not.toContain("secret");
  });
});

describe("POST /v1/retrieve", () => {
  it("verifies the signature and reads mailbox(pk), passing acks, wait and, for a long-poll, the signal", async () => {
    const { post, mailboxes } = setup();
    const env = envelope();
    await post("/v1/store", env);
    const response = await post("/v1/retrieve", signRetrieve(bob, NOW, [], 0));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { messages: { id: string }[]; nacks: unknown[]; more: boolean };
    expect(body.messages.map((m) => m.id)).toEqual([env.id]);
    expect(body.nacks).toEqual([]);
    expect(body.more).toBe(false);
    expect(mailboxes.retrieves[0].mailbox).toBe(mailboxAddress(bob.publicKey));
    expect(mailboxes.retrieves[0].options.signal).toBeUndefined();
    await post("/v1/retrieve", signRetrieve(bob, NOW, [env.id], 1_000));
    expect(mailboxes.retrieves[1].ack).toEqual([env.id]);
    expect(mailboxes.retrieves[1].options.waitMs).toBe(1_000);
    expect(mailboxes.retrieves[1].options.signal).toBeInstanceOf(AbortSignal);
  });

  it("answers 401 for another key's signature, a changed ack list and a stale or future ts; deletes nothing", async () => {
    const { post, mailboxes } = setup();
    const env = envelope();
    await post("/v1/store", env);
    const byAlice = signRetrieve(alice, NOW, [], 0);
    await expectError(await post("/v1/retrieve", { ...byAlice, pk: bob.address }), 401, "unauthorized");
    const signed = signRetrieve(bob, NOW, [], 0);
    await expectError(await post("/v1/retrieve", { ...signed, ack: [env.id] }), 401, "unauthorized");
    await expectError(
      await post("/v1/retrieve", signRetrieve(bob, NOW - 300_001, [env.id], 0)),
      401,
      "unauthorized",
    );
    await expectError(
      await post("/v1/retrieve", signRetrieve(bob, NOW + 300_001, [env.id], 0)),
      401,
      "unauthorized",
    );
    expect(mailboxes.retrieves).toEqual([]);
    expect(mailboxes.stored.size).toBe(1);
    const edge = await post("/v1/retrieve", signRetrieve(bob, NOW - 300_000, [], 0));
    expect(edge.status).toBe(200);
  });

  it("answers 400 for a malformed pk, a wait beyond 25 s and missing fields", async () => {
    const { post } = setup();
    const signed = signRetrieve(bob, NOW, [], 0);
    expect(
      await expectError(await post("/v1/retrieve", { ...signed, pk: "short" }), 400, "bad_request"),
    ).toContain("pk");
    await expectError(await post("/v1/retrieve", { ...signed, wait: 25_001 }), 400, "bad_request");
    await expectError(await post("/v1/retrieve", { pk: bob.address }), 400, "bad_request");
  });
});

describe("rate limiting", () => {
  it("answers 429 with Retry-After past the burst, per client address, and refills with time", async () => {
    const { api, clock } = setup({ rateLimit: { burst: 3, perSecond: 1, maxBuckets: 100 } });
    const storeFrom = (clientAddr: string) =>
      api(apiRequest("POST", "/v1/store", { body: JSON.stringify(envelope()) }), { clientAddr }).then(
        toResponse,
      );
    for (let i = 0; i < 3; i++) expect((await storeFrom("10.0.0.1")).status).toBe(201);
    const limited = await storeFrom("10.0.0.1");
    await expectError(limited, 429, "rate_limited");
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await storeFrom("10.0.0.2")).status).toBe(201);
    clock.advance(1000);
    expect((await storeFrom("10.0.0.1")).status).toBe(201);
  });
});

describe("other endpoints", () => {
  it("GET /v1/health is 200 once joined and 503 before", async () => {
    expect((await setup().call("GET", "/v1/health")).status).toBe(200);
    await expectError(await setup({}, false).call("GET", "/v1/health"), 503, "unavailable");
  });

  it("GET /v1/node has exactly the PROTOCOL.md shape", async () => {
    const { call, post } = setup();
    await post("/v1/store", envelope());
    const body = (await (await call("GET", "/v1/node")).json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([
      "addr",
      "api",
      "entries",
      "id",
      "key",
      "predecessor",
      "successors",
    ]);
    expect(body.api).toBe("https://self.example");
    expect(body.id).toMatch(/^[0-9a-f]{64}$/);
    expect(body.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.addr).toBe("127.0.0.1:7400");
    expect(body.predecessor).toEqual({ id: expect.stringMatching(/^[0-9a-f]{64}$/), addr: "127.0.0.1:7406" });
    expect((body.successors as { addr: string }[]).map((s) => s.addr)).toEqual([
      "127.0.0.1:7402",
      "127.0.0.1:7404",
    ]);
    expect(body.entries).toBe(1);
  });

  it("GET /v1/peers lists the other nodes' advertised API URLs, with CORS", async () => {
    const { call } = setup();
    const response = await call("GET", "/v1/peers");
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(await response.json()).toEqual({ nodes: [{ id: "b".repeat(64), api: "https://b.example" }] });
    await expectError(await call("POST", "/v1/peers", "{}"), 405, "bad_request");
  });

  it("GET /metrics serves Prometheus text with request counts and errors by code", async () => {
    const { call, post } = setup();
    await post("/v1/store", envelope());
    await call("POST", "/v1/store", "nope");
    const response = await call("GET", "/metrics");
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('wisp_http_requests_total{route="/v1/store",status="201"} 1');
    expect(text).toContain('wisp_http_errors_total{code="bad_request"} 1');
  });

  it("answers preflight with 204 and open CORS", async () => {
    const { call } = setup();
    const response = await call("OPTIONS", "/v1/store", undefined, {
      origin: "http://elsewhere.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
  });

  it("answers unknown paths with 404 and wrong methods with 405, both in the error shape", async () => {
    const { call } = setup();
    await expectError(await call("GET", "/nope"), 404, "bad_request");
    const wrong = await call("GET", "/v1/store");
    await expectError(wrong, 405, "bad_request");
    expect(wrong.headers.get("allow")).toContain("POST");
  });
});
