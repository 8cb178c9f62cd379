/**
 * The contract every Transport meets, run over each implementation (STYLE habit 3): the same
 * requests, failures and deadlines must look alike over TCP and in memory.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  MAX_FRAME_BYTES,
  type RequestHandler,
  type Transport,
  TransportError,
  type TransportErrorCode,
  type WireMessage,
} from "../../src/transport/transport";

export interface TransportHarness {
  /** A transport that will listen at `addr` when given (a restart at the same address), else anywhere. */
  create(addr?: string): Transport;
  /** An address nobody listens at. */
  deadAddress(): Promise<string>;
}

const LONG = 20_000;

export async function failure(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TransportError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

export async function expectCode(
  promise: Promise<unknown>,
  code: TransportErrorCode,
): Promise<TransportError> {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  return error;
}

const never = (): Promise<WireMessage> => new Promise(() => {});
const echo: RequestHandler = async (request) => ({ t: "echo", got: request });

/** A handler that never answers; `arrived` resolves once a request reached it. */
export function holdingHandler(): { handler: RequestHandler; arrived: Promise<void> } {
  let arrive = () => {};
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  return {
    arrived,
    handler: () => {
      arrive();
      return never();
    },
  };
}

export function transportSuite(name: string, makeHarness: () => TransportHarness): void {
  describe(`Transport contract: ${name}`, () => {
    let harness: TransportHarness;
    const opened: Transport[] = [];
    const create = (addr?: string) => {
      const transport = harness.create(addr);
      opened.push(transport);
      return transport;
    };
    const server = async (handler: RequestHandler) => {
      const transport = create();
      return { transport, addr: await transport.listen(handler) };
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((t) => t.close()));
    });

    it("answers a request, copying both messages through JSON", async () => {
      harness = makeHarness();
      const { addr } = await server(echo);
      const client = create();
      const answer = await client.request(addr, { t: "ping", n: 1, dropped: undefined }, { timeoutMs: LONG });
      expect(answer).toEqual({ t: "echo", got: { t: "ping", n: 1 } });
      expect(Object.keys(answer.got as object)).toEqual(["t", "n"]);
    });

    it("carries traffic both ways between two listening nodes", async () => {
      harness = makeHarness();
      const a = await server(async () => ({ t: "from-a" }));
      const b = await server(async () => ({ t: "from-b" }));
      expect(await a.transport.request(b.addr, { t: "hi" }, { timeoutMs: LONG })).toEqual({ t: "from-b" });
      expect(await b.transport.request(a.addr, { t: "hi" }, { timeoutMs: LONG })).toEqual({ t: "from-a" });
    });

    it("matches many concurrent requests to answers given in reverse order", async () => {
      harness = makeHarness();
      const count = 64;
      const waiting: Array<() => void> = [];
      const { addr } = await server(async (request) => {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === count) for (const release of [...waiting].reverse()) release();
        });
        return { t: "done", n: request.n };
      });
      const client = create();
      const answers = await Promise.all(
        Array.from({ length: count }, (_, n) => client.request(addr, { t: "job", n }, { timeoutMs: LONG })),
      );
      expect(answers.map((a) => a.n)).toEqual(Array.from({ length: count }, (_, n) => n));
    });

    it("fails a request with no answer before its deadline with timeout, and keeps working", async () => {
      harness = makeHarness();
      const { addr } = await server(async (request) => (request.t === "slow" ? never() : { t: "fast" }));
      const client = create();
      const error = await expectCode(client.request(addr, { t: "slow" }, { timeoutMs: 30 }), "timeout");
      expect(error.message).toBe(`no answer from ${addr} within 30 ms`);
      expect(await client.request(addr, { t: "quick" }, { timeoutMs: LONG })).toEqual({ t: "fast" });
    });

    it("ignores an answer that arrives after the deadline", async () => {
      harness = makeHarness();
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const { addr } = await server(async (request) => {
        if (request.t === "late") await released;
        return { t: `answer-to-${request.t}` };
      });
      const client = create();
      await expectCode(client.request(addr, { t: "late" }, { timeoutMs: 10 }), "timeout");
      release(); // the late answer is on its way before the next request
      expect(await client.request(addr, { t: "next" }, { timeoutMs: LONG })).toEqual({ t: "answer-to-next" });
    });

    it("fails with unreachable when nobody listens at the address", async () => {
      harness = makeHarness();
      const client = create();
      await expectCode(
        client.request(await harness.deadAddress(), { t: "ping" }, { timeoutMs: LONG }),
        "unreachable",
      );
    });

    it("fails with remote and the reason when the handler throws", async () => {
      harness = makeHarness();
      const { addr } = await server(async () => {
        throw new Error('"key" expected 64 hex characters, got 3');
      });
      const client = create();
      const error = await expectCode(client.request(addr, { t: "get" }, { timeoutMs: LONG }), "remote");
      expect(error.message).toBe('"key" expected 64 hex characters, got 3');
    });

    it("fails with remote when the handler answers with no message", async () => {
      harness = makeHarness();
      const { addr } = await server(async () => undefined as unknown as WireMessage);
      const client = create();
      const error = await expectCode(client.request(addr, { t: "get" }, { timeoutMs: LONG }), "remote");
      expect(error.message).toBe("handler answered with no message");
    });

    it("refuses a message over the frame limit with too_large, and an answer over it with remote", async () => {
      harness = makeHarness();
      const big = "x".repeat(MAX_FRAME_BYTES);
      let seen = 0;
      const { addr } = await server(async (request) => {
        seen++;
        return request.t === "big-answer" ? { t: "big", big } : { t: "small" };
      });
      const client = create();
      const refused = await expectCode(
        client.request(addr, { t: "big", big }, { timeoutMs: LONG }),
        "too_large",
      );
      expect(refused.message).toMatch(/^message of \d+ bytes exceeds the 4194304-byte frame limit$/);
      // Multi-byte characters count as the bytes they take, not as UTF-16 units.
      const wide = "é".repeat(MAX_FRAME_BYTES / 2 + 10);
      await expectCode(client.request(addr, { t: "wide", wide }, { timeoutMs: LONG }), "too_large");
      expect(seen).toBe(0);
      const error = await expectCode(
        client.request(addr, { t: "big-answer" }, { timeoutMs: LONG }),
        "remote",
      );
      expect(error.message).toMatch(/^answer of \d+ bytes exceeds the 4194304-byte frame limit$/);
      expect(await client.request(addr, { t: "after" }, { timeoutMs: LONG })).toEqual({ t: "small" });
    });

    it("fails with aborted when the caller's signal fires, before or during the request", async () => {
      harness = makeHarness();
      const { addr } = await server(never);
      const client = create();
      await expectCode(
        client.request(addr, { t: "x" }, { timeoutMs: LONG, signal: AbortSignal.abort() }),
        "aborted",
      );
      const controller = new AbortController();
      const pending = client.request(addr, { t: "x" }, { timeoutMs: LONG, signal: controller.signal });
      setTimeout(() => controller.abort(), 10);
      await expectCode(pending, "aborted");
    });

    it("close fails pending requests with closed, and later ones too", async () => {
      harness = makeHarness();
      const held = holdingHandler();
      const { addr } = await server(held.handler);
      const client = create();
      const pending = client.request(addr, { t: "wait" }, { timeoutMs: LONG });
      await held.arrived;
      await client.close();
      await expectCode(pending, "closed");
      await expectCode(client.request(addr, { t: "again" }, { timeoutMs: LONG }), "closed");
      await expectCode(client.listen(echo), "closed");
    });

    it("close is safe twice, listening or not", async () => {
      harness = makeHarness();
      const { transport } = await server(echo);
      await transport.close();
      await transport.close();
      const idle = create();
      await Promise.all([idle.close(), idle.close()]);
    });

    it("fails requests held by a peer that goes away at once with unreachable", async () => {
      harness = makeHarness();
      const held = holdingHandler();
      const { transport, addr } = await server(held.handler);
      const client = create();
      const pending = client.request(addr, { t: "wait" }, { timeoutMs: LONG });
      await held.arrived;
      await transport.close();
      await expectCode(pending, "unreachable");
    });

    it("reaches a peer again after it restarts at the same address", async () => {
      harness = makeHarness();
      const first = await server(async () => ({ t: "first" }));
      const client = create();
      expect(await client.request(first.addr, { t: "ping" }, { timeoutMs: LONG })).toEqual({ t: "first" });
      await first.transport.close();
      await expectCode(client.request(first.addr, { t: "ping" }, { timeoutMs: LONG }), "unreachable");
      const second = create(first.addr);
      expect(await second.listen(async () => ({ t: "second" }))).toBe(first.addr);
      expect(await client.request(first.addr, { t: "ping" }, { timeoutMs: LONG })).toEqual({ t: "second" });
    });
  });
}
