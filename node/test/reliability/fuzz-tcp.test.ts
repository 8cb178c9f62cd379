import { concatBytes, utf8 } from "@wisp/lib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChordNode } from "../../src/chord/chord-node";
import { ManualClock } from "../../src/clock";
import { RpcRouter } from "../../src/rpc/router";
import { MailboxService } from "../../src/store/mailbox-service";
import { MemoryEntryStore } from "../../src/store/memory-store";
import type { Link } from "../../src/transport/handshake";
import { TcpTransport } from "../../src/transport/tcp";
import type { WireMessage } from "../../src/transport/transport";
import { ownedMailbox, proofFor } from "../fixtures/retrieve-proofs";
import { openLink } from "../transport/link-client";
import { chunked, mutate, mutation } from "./fuzz-bytes";
import { CaseCounter, cases, fuzzTimeout, params } from "./fuzz-config";
import { randomValue, serializable, validMessages } from "./fuzz-messages";
import { hostileMessage } from "./fuzz-wire";

const HOST = "127.0.0.1";
const ANSWER_MS = 5_000;
const counter = new CaseCounter("tcp raw bytes");

const clock = new ManualClock(1_000_000);
const store = new MemoryEntryStore();
let node: TcpTransport;
let chord: ChordNode;
let mailboxes: MailboxService;
let peer: TcpTransport;
let addr: string;
let _port: number;

beforeAll(async () => {
  const router = new RpcRouter();
  node = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0 });
  addr = await node.listen(router.handle);
  _port = Number(addr.slice(addr.lastIndexOf(":") + 1));
  chord = new ChordNode({ transport: node, clock, router }, { addr, key: node.key.key, puzzleBits: 0 });
  mailboxes = new MailboxService({ ring: chord, transport: node, router, clock, store }, { replicas: 1 });
  chord.create();
  peer = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0 });
});

afterAll(async () => {
  counter.report();
  mailboxes?.stop();
  chord?.stop();
  await peer?.close();
  await node?.close();
});

interface RawResult {
  answers: Record<string, unknown>[];
  closedByNode: boolean;
}

/**
 * Completes a handshake on a fresh connection, writes the chunks `build` makes for that link
 * (sealed frames, or raw bytes where a sealed frame belongs), then waits until `expected` answers
 * arrived or the node closed the connection (or, expecting none, until a well-behaved peer got
 * its ping answered).
 */
async function sendRaw(build: (link: Link) => Uint8Array[], expected: number): Promise<RawResult> {
  const raw = await openLink(addr);
  const result: RawResult = { answers: [], closedByNode: false };
  void raw.closed.then(() => (result.closedByNode = true));
  try {
    for (const chunk of build(raw.link)) if (chunk.length > 0) raw.socket.write(chunk);
    if (expected === 0) {
      await expectServing();
    } else {
      for (let i = 0; i < ANSWER_MS / 10 && raw.received.length < expected && !result.closedByNode; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      if (raw.received.length < expected && !result.closedByNode)
        throw new Error(`got ${raw.received.length} of ${expected} answers within ${ANSWER_MS} ms`);
    }
    for (const frame of raw.received) result.answers.push(JSON.parse(new TextDecoder().decode(frame)));
    return result;
  } finally {
    raw.socket.destroy();
  }
}

/** The sealed frames of payloads on link, in one buffer. */
function sealed(link: Link, payloads: Uint8Array[]): Uint8Array {
  return concatBytes(...payloads.map((payload) => link.send.seal(payload)));
}

async function expectServing(): Promise<void> {
  const answer = await peer.request(addr, { t: "chord.ping" }, { timeoutMs: ANSWER_MS });
  expect(answer.t).toBe("chord.pong");
}

function requestPayload(id: number, message: unknown): Uint8Array {
  return utf8(`{"i":${id},"q":${JSON.stringify(message)}}`);
}

function expectWellFormedAnswer(answer: Record<string, unknown>): void {
  expect(Number.isSafeInteger(answer.i)).toBe(true);
  const ok = typeof answer.e === "string" || (typeof answer.r === "object" && answer.r !== null);
  expect(ok).toBe(true);
}

const cuts = fc.array(fc.nat(20_000), { maxLength: 8 });

describe("fuzz: raw bytes against a node's TcpTransport", () => {
  it(
    "random bytes and mutated valid frames: at most well-formed answers, and the node keeps serving",
    async () => {
      const valid = validMessages(clock.now());
      // Random bytes where sealed frames belong, or sealed frames mutated after sealing (a flipped,
      // dropped, repeated or moved byte): the tag or the framing fails, and the link is dropped.
      const stream = fc.oneof(
        fc.uint8Array({ maxLength: 3_000 }).map((bytes) => () => bytes),
        fc
          .tuple(
            fc.array(fc.constantFrom(...valid), { minLength: 1, maxLength: 4 }),
            fc.array(mutation, { minLength: 1, maxLength: 3 }),
          )
          .map(([messages, mutations]) => (link: Link) => {
            let bytes: Uint8Array = sealed(
              link,
              messages.map((m, i) => requestPayload(i, { ...m.message, t: "chord.ping" })),
            );
            for (const m of mutations) bytes = mutate(bytes, m);
            return bytes;
          }),
      );
      await fc.assert(
        fc.asyncProperty(stream, cuts, async (bytesFor, cutList) => {
          counter.add("random or mutated bytes");
          const result = await sendRaw((link) => chunked(bytesFor(link), cutList), 0);
          for (const answer of result.answers) expectWellFormedAnswer(answer);
        }),
        params(cases(250, 3_000)),
      );
      expect(store.count()).toBe(0);
    },
    fuzzTimeout(),
  );

  it(
    "well-framed requests carrying hostile messages are each answered with an error frame",
    async () => {
      const valid = validMessages(clock.now());
      const requests = fc.array(hostileMessage(valid).filter(serializable), { minLength: 1, maxLength: 5 });
      await fc.assert(
        fc.asyncProperty(requests, cuts, async (messages, cutList) => {
          counter.add("hostile requests", messages.length);
          const result = await sendRaw(
            (link) =>
              chunked(
                sealed(
                  link,
                  messages.map((m, i) => requestPayload(i + 1, m)),
                ),
                cutList,
              ),
            messages.length,
          );
          expect(result.answers.map((a) => a.i).sort()).toEqual(messages.map((_, i) => i + 1));
          for (const answer of result.answers) {
            expect(typeof answer.e).toBe("string");
            expect(answer.r).toBeUndefined();
          }
          await expectServing();
        }),
        params(cases(150, 2_000)),
      );
      expect(store.count()).toBe(0);
    },
    fuzzTimeout(),
  );

  it(
    "any JSON in the request slot or the envelope: an answer for objects, a dropped connection otherwise",
    async () => {
      const frames = fc.oneof(
        randomValue.map((q) => ({ payload: `{"i":1,"q":${JSON.stringify(q)}}`, answered: isObject(q) })),
        randomValue.map((v) => ({ payload: JSON.stringify(v), answered: false })),
        fc.constantFrom(
          { payload: '{"i":-1,"q":{"t":"chord.ping"}}', answered: false },
          { payload: '{"i":1.5,"q":{"t":"chord.ping"}}', answered: false },
          { payload: '{"i":"1","q":{"t":"chord.ping"}}', answered: false },
          { payload: '{"i":9007199254740993,"q":{"t":"chord.ping"}}', answered: false },
          { payload: `{"i":1,"q":${"[".repeat(100_000)}${"]".repeat(100_000)}}`, answered: false },
          { payload: '{"i":1,"q":{"t":"chord.ping"}', answered: false },
          { payload: "\uFEFF\u0000", answered: false },
        ),
      );
      await fc.assert(
        fc.asyncProperty(frames, async ({ payload, answered }) => {
          counter.add("json frames");
          const result = await sendRaw((link) => [sealed(link, [utf8(payload)])], answered ? 1 : 0);
          if (answered) {
            expect(result.answers).toHaveLength(1);
            expectWellFormedAnswer(result.answers[0]);
          } else {
            expect(result.answers).toEqual([]);
          }
        }),
        params(cases(200, 2_000)),
      );
    },
    fuzzTimeout(),
  );

  it("after the fuzzing: no entries, no leftover connections, and a peer still stores and fetches", async () => {
    for (let i = 0; i < 200 && node.connectionCounts().inbound > 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(node.connectionCounts().inbound).toBeLessThanOrEqual(1);
    const [put] = validMessages(clock.now()).filter((m) => m.message.t === "store.put");
    const bob = ownedMailbox("fuzz-tcp bob");
    const envelope = { ...(put.message.envelope as { to: string; id: string }), to: bob };
    const stored = await peer.request(addr, { ...put.message, envelope }, { timeoutMs: ANSWER_MS });
    expect(stored).toMatchObject({ t: "store.put.ok", created: true });
    const unsigned: WireMessage = { t: "store.fetch", mailbox: bob, ack: [], waitMs: 0 };
    // An outsider's fetch without the owner's signed retrieve gets nothing but a refusal.
    await expect(peer.request(addr, unsigned, { timeoutMs: ANSWER_MS })).rejects.toThrow(/proof/);
    const fetch: WireMessage = {
      t: "store.fetch",
      mailbox: bob,
      proof: proofFor(bob, [], clock.now()),
      waitMs: 0,
    };
    const fetched = (await peer.request(addr, fetch, { timeoutMs: ANSWER_MS })) as unknown as {
      messages: { id: string }[];
    };
    expect(fetched.messages.map((m) => m.id)).toEqual([envelope.id]);
    expect(store.count()).toBe(1);
  });
});

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
