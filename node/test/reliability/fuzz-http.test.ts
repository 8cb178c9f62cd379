/**
 * Fuzzes the HTTP API of a live node (startNode on 127.0.0.1): the routes as an ApiRequest →
 * ApiAnswer function, and the HTTP/1.1 server over raw sockets (Content-Length and chunked bodies, mutated
 * requests, header floods). Every answer is the documented status with a PROTOCOL.md error body,
 * never a 500 or a stack trace; nothing is stored from invalid input; the node keeps serving.
 */
import { generateIdentity, open, seal, signRetrieve, utf8 } from "@wisp/lib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiHandler } from "../../src/api/context";
import type { ApiRequest } from "../../src/api/exchange";
import { createApi } from "../../src/api/routes";
import { systemClock } from "../../src/clock";
import { nodeCrypto } from "../../src/crypto/node-crypto";
import { type NodeHandle, startNode } from "../../src/index";
import { Metrics } from "../../src/metrics";
import { apiRequest, toResponse } from "../api/exchange";
import { mutate, mutation } from "./fuzz-bytes";
import { CaseCounter, cases, fuzzTimeout, params } from "./fuzz-config";
import { brokenRetrieve, brokenStore, CODE_OF, type HttpCase, sealedEnvelope } from "./fuzz-http-cases";
import { firstAnswer, rawExchange, rawRequest, statuses } from "./fuzz-http-raw";
import { anyRoute, notAnObject, wrongContentType } from "./fuzz-http-routes";

const counter = new CaseCounter("http api");
const RAW_MS = 15_000;
const HALF_CLOSE_AFTER_MS = 2_000;
const NO_LIMIT = { burst: 1e9, perSecond: 1e9, maxBuckets: 16 };

let node: NodeHandle;
let api: ApiHandler;
const failures: string[] = [];
let accepted = 0;

beforeAll(async () => {
  node = await startNode({
    port: 0,
    apiPort: 0,
    replicas: 1,
    api: { rateLimit: NO_LIMIT, mailboxRateLimit: NO_LIMIT },
    log: (event, fields) => {
      if (event === "error") failures.push(String(fields?.message).slice(0, 300));
    },
  });
  api = createApi(
    {
      ring: node.chord,
      mailboxes: node.mailboxes,
      clock: systemClock,
      metrics: new Metrics(),
      crypto: nodeCrypto,
      log: (message) => failures.push(message.slice(0, 300)),
    },
    { rateLimit: NO_LIMIT, mailboxRateLimit: NO_LIMIT },
  );
});

afterAll(async () => {
  counter.report();
  await node?.stop();
});

/** The request as the HTTP/1.1 server hands it to the routes: its path normalized as a URL's. */
function toRequest(c: HttpCase): ApiRequest {
  const headers: Record<string, string> = {};
  if (c.contentType !== null) headers["content-type"] = c.contentType;
  const body = c.method === "GET" || c.method === "HEAD" ? null : c.body;
  return apiRequest(c.method, new URL(`http://localhost${c.path}`).pathname, { headers, body });
}

/** The answer is the documented one, with the PROTOCOL.md error body for error statuses. */
async function expectDocumented(c: HttpCase, status: number, text: string): Promise<void> {
  expect(status, c.what).not.toBe(500);
  expect(text, c.what).not.toMatch(/\n\s+at /);
  if (c.status === 201) expect([200, 201], c.what).toContain(status);
  else if (c.status !== null) expect(status, `${c.what}: ${text.slice(0, 200)}`).toBe(c.status);
  if (status === 201) accepted++;
  if (status < 400 || status === 408 || status === 431) return;
  if (c.method === "HEAD" && text === "") return; // HTTP sends no body in answer to HEAD
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body.error.code, c.what).toBe(CODE_OF[status]);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
}

async function expectServing(): Promise<void> {
  const health = await fetch(`${node.apiUrl}/v1/health`);
  expect(health.status).toBe(200);
  await health.arrayBuffer();
}

const documentedCases = fc.oneof(brokenStore, brokenRetrieve, notAnObject, anyRoute, wrongContentType);

/** raw (fuzz-http-raw.ts) to this node's API port. */
function raw(
  bytes: Uint8Array | string,
  chunks = 1,
  halfCloseAfterMs = HALF_CLOSE_AFTER_MS,
): Promise<string> {
  return rawExchange(node.apiPort, bytes, { chunks, halfCloseAfterMs, timeoutMs: RAW_MS });
}

describe("fuzz: HTTP API of a live node", () => {
  it(
    "routes as functions: one field broken, not an object, any method and path, wrong content types",
    async () => {
      const before = node.mailboxes.entryCount();
      await fc.assert(
        fc.asyncProperty(documentedCases, async (c) => {
          counter.add("route function");
          const response = toResponse(await api(toRequest(c), { clientAddr: "127.0.0.1" }));
          await expectDocumented(c, response.status, await response.text());
        }),
        params(cases(1_000, 10_000)),
      );
      expect(node.mailboxes.entryCount()).toBe(before + accepted);
      expect(failures).toEqual([]);
    },
    fuzzTimeout(),
  );

  it(
    "over raw HTTP/1.1 with Content-Length or chunked bodies in random pieces",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          documentedCases,
          fc.boolean(),
          fc.integer({ min: 1, max: 5 }),
          async (c, chunked, pieces) => {
            counter.add("http adapter");
            const reply = await raw(rawRequest(c, chunked), pieces);
            const answer = firstAnswer(reply);
            expect(answer, `${c.what}: no answer`).not.toBeNull();
            await expectDocumented(c, answer!.status, answer!.body);
          },
        ),
        params(cases(150, 1_500)),
      );
      await expectServing();
      expect(failures).toEqual([]);
    },
    fuzzTimeout(),
  );

  it(
    "mutated raw requests: never a 500 or a stack trace, and the node keeps serving",
    async () => {
      const envelope = JSON.stringify(sealedEnvelope());
      const retrieve = JSON.stringify(signRetrieve(generateIdentity(), Date.now(), [], 0));
      const valid = fc.constantFrom(
        rawRequest(
          {
            what: "",
            method: "POST",
            path: "/v1/store",
            contentType: "application/json",
            body: envelope,
            status: null,
          },
          false,
        ),
        rawRequest(
          {
            what: "",
            method: "POST",
            path: "/v1/retrieve",
            contentType: "application/json",
            body: retrieve,
            status: null,
          },
          true,
        ),
        utf8("GET /v1/node HTTP/1.1\r\nHost: node\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: node\r\n\r\n"),
      );
      await fc.assert(
        fc.asyncProperty(
          valid,
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1, max: 4 }),
          async (request, mutations, pieces) => {
            counter.add("mutated raw request");
            let bytes: Uint8Array = request;
            for (const m of mutations) bytes = mutate(bytes, m);
            const reply = await raw(bytes, pieces, 0);
            for (const status of statuses(reply)) expect(status).not.toBe(500);
            expect(reply).not.toMatch(/\n\s+at /);
            accepted += statuses(reply).filter((s) => s === 201).length;
          },
        ),
        params(cases(150, 1_500)),
      );
      await expectServing();
    },
    fuzzTimeout(),
  );

  it("header floods, forged lengths and framing conflicts: 4xx or a closed connection, then service as usual", async () => {
    const head = "GET /v1/health HTTP/1.1\r\nHost: node\r\nConnection: close\r\n";
    const post = "POST /v1/store HTTP/1.1\r\nHost: node\r\nConnection: close\r\n";
    const floods: [string, string, number[]][] = [
      ["20,000 headers", `${head}${"X-Flood: 1\r\n".repeat(20_000)}\r\n`, [400, 431]],
      ["one 100 KB header", `${head}X-Big: ${"a".repeat(100_000)}\r\n\r\n`, [400, 431]],
      ["500 small headers", `${head}${"X-Small: 1\r\n".repeat(500)}\r\n`, [200]],
      ["Content-Length of 10^12", `${post}Content-Length: 1000000000000\r\n\r\n{`, [413]],
      ["Content-Length -1", `${post}Content-Length: -1\r\n\r\n{}`, [400]],
      ["Content-Length abc", `${post}Content-Length: abc\r\n\r\n{}`, [400]],
      ["two Content-Lengths", `${post}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, [400]],
      [
        "Content-Length with chunked",
        `${post}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
        [400],
      ],
      ["a bad chunk size", `${post}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`, [400]],
      [
        "100 KB in chunks",
        `${post}Transfer-Encoding: chunked\r\n\r\n${"1000\r\n".concat(" ".repeat(4_096), "\r\n").repeat(25)}0\r\n\r\n`,
        [413],
      ],
      [
        "a request line of 100 KB",
        `GET /${"a".repeat(100_000)} HTTP/1.1\r\nHost: node\r\n\r\n`,
        [400, 414, 431],
      ],
      ["not HTTP at all", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003", [400]],
    ];
    for (const [what, request, expected] of floods) {
      counter.add("flood");
      const reply = await raw(request);
      const answer = firstAnswer(reply);
      expect(answer, `${what}: no answer`).not.toBeNull();
      expect(expected, `${what}: ${reply.slice(0, 120)}`).toContain(answer!.status);
      const code = CODE_OF[answer!.status];
      if (code) expect(JSON.parse(answer!.body).error.code, what).toBe(code);
      await expectServing();
    }
    expect(failures).toEqual([]);
  });

  it("after the fuzzing the node stores and delivers a real message, and holds nothing else", async () => {
    const alice = generateIdentity();
    const bob = generateIdentity();
    const envelope = seal(alice, bob.publicKey, utf8('{"type":"text","text":"still here","sentAt":1}'));
    const stored = await fetch(`${node.apiUrl}/v1/store`, { method: "POST", body: JSON.stringify(envelope) });
    expect(stored.status).toBe(201);
    const request = signRetrieve(bob, Date.now(), [], 0);
    const answer = await fetch(`${node.apiUrl}/v1/retrieve`, {
      method: "POST",
      body: JSON.stringify(request),
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
    const { messages } = (await answer.json()) as { messages: unknown[] };
    expect(messages).toHaveLength(1);
    const { expiresAt, ...sealed } = messages[0] as { expiresAt: number };
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(open(bob, sealed).ok).toBe(true);
    expect(node.mailboxes.entryCount()).toBe(accepted + 1);
    expect(failures).toEqual([]);
  });
});
