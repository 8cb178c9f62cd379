import { generateIdentity, type StoredMessage } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import { createNodeApi, parseRetrieveResponse } from "../src/api";
import { FALLBACK_NODE_URL, normalizeNodeUrl, resolveNodeUrl } from "../src/config";
import { BACKOFF_MAX_MS, backoffMs, connectionState } from "../src/connection";
import { identityFileText, parseIdentityFile } from "../src/identity-file";

describe("connection state and backoff", () => {
  it("names the state from failures in a row and the browser's online flag", () => {
    expect(connectionState(0, false, true)).toBe("connecting");
    expect(connectionState(0, true, true)).toBe("connected");
    expect(connectionState(1, true, true)).toBe("reconnecting");
    expect(connectionState(3, true, true)).toBe("offline");
    expect(connectionState(0, true, false)).toBe("offline");
  });

  it("backs off exponentially with jitter, capped", () => {
    expect(backoffMs(0)).toBe(0);
    expect(backoffMs(1, () => 0)).toBe(500);
    expect(backoffMs(1, () => 1)).toBe(1_000);
    expect(backoffMs(4, () => 1)).toBe(8_000);
    expect(backoffMs(50, () => 1)).toBe(BACKOFF_MAX_MS);
    for (let n = 1; n < 40; n++) expect(backoffMs(n)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
  });
});

describe("node URL", () => {
  const buildDefault = FALLBACK_NODE_URL;
  it("takes ?node= first, then the stored setting, then the build default", () => {
    expect(
      resolveNodeUrl({ search: "?node=http://10.0.0.5:9000/", stored: "http://x:1", buildDefault }),
    ).toEqual({
      url: "http://10.0.0.5:9000",
      fromQuery: true,
    });
    expect(resolveNodeUrl({ search: "", stored: "https://node.example/", buildDefault })).toEqual({
      url: "https://node.example",
      fromQuery: false,
    });
    expect(resolveNodeUrl({ search: "?node=ftp://nope", stored: null, buildDefault }).url).toBe(buildDefault);
  });

  it("accepts only http and https URLs", () => {
    expect(normalizeNodeUrl(" http://127.0.0.1:7401/ ")).toBe("http://127.0.0.1:7401");
    expect(normalizeNodeUrl("javascript:alert(1)")).toBeNull();
    expect(normalizeNodeUrl("not a url")).toBeNull();
    expect(normalizeNodeUrl("")).toBeNull();
  });
});

describe("identity file", () => {
  it("round-trips the identity and named contacts", () => {
    const me = generateIdentity();
    const friend = generateIdentity().address;
    const text = identityFileText(me, [
      { address: friend, name: "Friend", createdAt: 1, unread: 0 },
      { address: generateIdentity().address, name: "", createdAt: 1, unread: 3 },
    ]);
    const parsed = parseIdentityFile(text);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.file.identity.address).toBe(me.address);
    expect(parsed.file.identity.seed).toEqual(me.seed);
    expect(parsed.file.contacts).toEqual([{ address: friend, name: "Friend" }]);
  });

  it("explains what is wrong with a bad file", () => {
    expect(parseIdentityFile("{")).toMatchObject({ ok: false, error: expect.stringContaining("not JSON") });
    expect(parseIdentityFile('{"kind":"other"}')).toEqual({
      ok: false,
      error: "the file is not a Wisp identity",
    });
    expect(parseIdentityFile('{"kind":"wisp-identity","v":1,"seed":"abc"}')).toEqual({
      ok: false,
      error: '"seed" expected 32 bytes of base64url',
    });
    const text = identityFileText(generateIdentity(), []).replace(
      /"address": "[^"]+"/,
      `"address": "${"A".repeat(43)}"`,
    );
    expect(parseIdentityFile(text)).toMatchObject({
      ok: false,
      error: expect.stringContaining("does not match"),
    });
  });
});

describe("node API client", () => {
  const message: StoredMessage = { v: 1, id: "i", to: "t", nackTo: "n", eph: "e", ct: "c", expiresAt: 5 };

  it("keeps only well-formed entries of a retrieve answer", () => {
    expect(parseRetrieveResponse(null)).toBeNull();
    expect(parseRetrieveResponse({ messages: {}, nacks: [] })).toBeNull();
    expect(
      parseRetrieveResponse({
        messages: [message, { v: 2 }, "x"],
        nacks: [{ id: "n1", to: "t", expiredAt: 9 }, { id: 3 }],
        more: "yes",
      }),
    ).toEqual({ messages: [message], nacks: [{ id: "n1", to: "t", expiredAt: 9 }], more: false });
  });

  it("turns the node's error body into code and message, and a refused connection into network", async () => {
    const answer = (status: number, body: string) => async () => new Response(body, { status });
    const refused = async () => {
      throw new TypeError("fetch failed");
    };
    const env = { v: 1 as const, id: "i", to: "t", nackTo: "n", eph: "e", ct: "c" };
    const tooLarge = createNodeApi(
      "http://n",
      answer(413, '{"error":{"code":"too_large","message":"too big"}}'),
    );
    expect(await tooLarge.store(env)).toEqual({
      ok: false,
      error: { code: "too_large", status: 413, message: "too big" },
    });
    const html = createNodeApi("http://n", answer(502, "<html>"));
    expect(await html.store(env)).toMatchObject({ ok: false, error: { code: "http", status: 502 } });
    const down = createNodeApi("http://n", refused);
    expect(await down.store(env)).toMatchObject({ ok: false, error: { code: "network", status: 0 } });
    const ok = createNodeApi("http://n", answer(201, '{"id":"i","expiresAt":7}'));
    expect(await ok.store(env)).toEqual({ ok: true, value: { id: "i", expiresAt: 7 } });
  });
});
