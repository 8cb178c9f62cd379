/**
 * The API's rate limits (issue 12 item 6): per IPv4 address and IPv6 /64, none for loopback
 * (PROTOCOL.md), per mailbox for stores to it and for its owner's retrieves; behind a trusted
 * proxy every client has its own bucket. Attackers are limited, honest clients are served.
 */
import { generateIdentity, nobleCrypto, seal, signRetrieve, utf8 } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import type { ApiOptions } from "../../src/api/options";
import { createApi } from "../../src/api/routes";
import { ManualClock } from "../../src/clock";
import { Metrics } from "../../src/metrics";
import { apiRequest, toResponse } from "../api/exchange";
import { FakeMailboxes, fakeRing } from "../api/fakes";

const NOW = 1_700_000_000_000;
const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();
const TIGHT = { burst: 3, perSecond: 1, maxBuckets: 100 };
const LOOSE = { burst: 1_000, perSecond: 1_000, maxBuckets: 100 };

function setup(options: Partial<ApiOptions>) {
  const clock = new ManualClock(NOW);
  const api = createApi(
    { ring: fakeRing(), mailboxes: new FakeMailboxes(), clock, metrics: new Metrics(), crypto: nobleCrypto },
    options,
  );
  const send = async (path: string, body: unknown, from: string, forwardedFor?: string) => {
    const headers: Record<string, string> = forwardedFor ? { "x-forwarded-for": forwardedFor } : {};
    const request = apiRequest("POST", path, { body: JSON.stringify(body), headers });
    return toResponse(await api(request, { clientAddr: from }));
  };
  const store = (to: typeof bob, from: string, forwardedFor?: string) =>
    send("/v1/store", seal(alice, to.publicKey, utf8("hi")), from, forwardedFor).then((r) => r.status);
  return { clock, send, store };
}

describe("rate limits per client", () => {
  it("give loopback no per-IP limit, and every IPv4 address and IPv6 /64 its own", async () => {
    const { store } = setup({ rateLimit: TIGHT, mailboxRateLimit: LOOSE });
    for (let i = 0; i < 20; i++) expect(await store(bob, "127.0.0.1")).toBe(201);
    for (let i = 0; i < 3; i++) expect(await store(bob, "203.0.113.7")).toBe(201);
    expect(await store(bob, "203.0.113.7")).toBe(429);
    expect(await store(bob, "203.0.113.8")).toBe(201);
    // Forty addresses of one /64 are one client.
    const statuses = [];
    for (let i = 1; i <= 40; i++) statuses.push(await store(bob, `2001:db8:7:7::${i.toString(16)}`));
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(await store(bob, "2001:db8:7:8::1")).toBe(201);
  });

  it("behind a trusted loopback proxy, count the forwarded client; a forged header elsewhere counts nothing", async () => {
    const { store } = setup({ rateLimit: TIGHT, mailboxRateLimit: LOOSE, trustedProxies: ["127.0.0.1"] });
    for (let i = 0; i < 3; i++) expect(await store(bob, "127.0.0.1", "198.51.100.9")).toBe(201);
    expect(await store(bob, "127.0.0.1", "198.51.100.9")).toBe(429);
    // Another client behind the same proxy is served: the proxy does not share one bucket.
    expect(await store(bob, "127.0.0.1", "198.51.100.10")).toBe(201);
    // A direct client cannot escape its bucket by naming others in the header.
    for (let i = 0; i < 3; i++) expect(await store(bob, "203.0.113.50", `10.0.0.${i}`)).toBe(201);
    expect(await store(bob, "203.0.113.50", "10.0.0.99")).toBe(429);
  });
});

describe("rate limits per mailbox", () => {
  it("limit stores to one mailbox from many addresses, not stores to others", async () => {
    const { store, clock } = setup({
      rateLimit: LOOSE,
      mailboxRateLimit: TIGHT,
      trustedProxies: ["127.0.0.1"],
    });
    const statuses = [];
    for (let i = 1; i <= 10; i++) statuses.push(await store(bob, "127.0.0.1", `203.0.113.${i}`));
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(await store(carol, "127.0.0.1", "198.51.100.1")).toBe(201);
    clock.advance(1_000);
    expect(await store(bob, "127.0.0.1", "198.51.100.1")).toBe(201);
  });

  it("count a mailbox's retrieves only once their signature verifies, so forgeries cannot use them up", async () => {
    const { send } = setup({ rateLimit: LOOSE, mailboxRateLimit: TIGHT, trustedProxies: ["127.0.0.1"] });
    const forged = { ...signRetrieve(alice, NOW, [], 0), pk: signRetrieve(bob, NOW, [], 0).pk };
    for (let i = 1; i <= 10; i++) {
      const answer = await send("/v1/retrieve", forged, "127.0.0.1", `203.0.113.${i}`);
      expect(answer.status).toBe(401);
    }
    const real = () => send("/v1/retrieve", signRetrieve(bob, NOW, [], 0), "127.0.0.1", "198.51.100.1");
    for (let i = 0; i < 3; i++) expect((await real()).status).toBe(200);
    const limited = await real();
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(/this mailbox/);
  });
});
