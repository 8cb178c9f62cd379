/** Bugs the fuzzers found, pinned as plain tests. */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { json } from "../../src/api/respond";
import { type HttpServerHandle, startHttpServer } from "../../src/api/server";
import { decodeFetchAnswer, decodePut } from "../../src/store/wire";
import { decodeEnvelope } from "../../src/store/wire-fields";
import { b64, envelope } from "./fuzz-messages";
import { DEEP } from "./fuzz-wire";

let server: HttpServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe("found by fuzz-rpc", () => {
  it('store.put with "v" nested 100,000 levels deep is refused with a reason, not a stack overflow', () => {
    const envelope = { v: DEEP, id: "AAAAAAAAAAAAAAAAAAAAAA", to: "x", nackTo: "x", eph: "x", ct: "x" };
    expect(decodeEnvelope(envelope)).toBe('"v" expected 1, got an array');
    expect(decodePut({ t: "store.put", kind: "msg", envelope })).toBe('"v" expected 1, got an array');
    expect(decodeEnvelope({ ...envelope, v: "1" })).toBe('"v" expected 1, got "1"');
    expect(decodeEnvelope({ ...envelope, v: 2 })).toBe('"v" expected 1, got 2');
  });
});

describe("found by fuzz-answers", () => {
  it("a fetch answer with more than 256 entries is refused (PROTOCOL.md: at most 256 in all)", () => {
    const message = { ...envelope(), expiresAt: 1_000 };
    const nack = { id: b64(16), to: b64(32), expiredAt: 1_000 };
    const answer = (messages: number, nacks: number) => ({
      t: "store.fetch.ok",
      messages: Array(messages).fill(message),
      nacks: Array(nacks).fill(nack),
      more: true,
    });
    expect(decodeFetchAnswer(answer(200, 57))).toBeNull();
    expect(decodeFetchAnswer(answer(200, 56))?.messages).toHaveLength(200);
  });
});

describe("found by fuzz-http", () => {
  it("a request the HTTP server cannot parse is answered 400 with a PROTOCOL.md error body", async () => {
    server = await startHttpServer(async () => json({}, 200), { host: "127.0.0.1", port: 0 });
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(server!.port, "127.0.0.1");
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("error", () => {});
      socket.on("close", () => resolve(text));
      socket.end("GET /v1/health FTP/1.1\r\nHost: node\r\n\r\n");
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply.toLowerCase()).toContain("content-type: application/json");
    const body = JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4));
    expect(body).toEqual({ error: { code: "bad_request", message: "malformed HTTP request" } });
  });
});
