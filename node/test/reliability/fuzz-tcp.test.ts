/**
 * Raw bytes against a listening node over a real TcpTransport on 127.0.0.1: random bytes, mutated
 * valid frames, and well-framed requests carrying hostile messages, each in random chunks. The
 * node answers hostile requests with error frames, drops peers that break the framing, keeps its
 * entries unchanged, and keeps serving a well-behaved peer after every case.
 */
import net from "node:net";
import { concatBytes, encodeFrame, FrameDecoder, utf8 } from "@wisp/lib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChordNode } from "../../src/chord/chord-node";
import { ManualClock } from "../../src/clock";
import { RpcRouter } from "../../src/rpc/router";
import { MailboxService } from "../../src/store/mailbox-service";
import { MemoryEntryStore } from "../../src/store/memory-store";
import { TcpTransport } from "../../src/transport/tcp";
import { MAX_FRAME_BYTES, type WireMessage } from "../../src/transport/transport";
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
let port: number;

beforeAll(async () => {
  const router = new RpcRouter();
  node = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0 });
  addr = await node.listen(router.handle);
  port = Number(addr.slice(addr.lastIndexOf(":") + 1));
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
 * Writes chunks on a fresh connection, then waits until `expected` answers arrived or the node
 * closed the connection (or, expecting none, until a well-behaved peer got its ping answered).
 */
function sendRaw(chunks: Uint8Array[], expected: number): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    const decoder = new FrameDecoder(MAX_FRAME_BYTES);
    const result: RawResult = { answers: [], closedByNode: false };
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(result);
    };
    const timer = setTimeout(
      () => finish(new Error(`got ${result.answers.length} of ${expected} answers within ${ANSWER_MS} ms`)),
      ANSWER_MS,
    );
    socket.on("error", () => {});
    socket.on("close", () => {
      result.closedByNode = true;
      finish();
    });
    socket.on("data", (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (!frames.ok) return finish(new Error(`the node sent a bad frame: ${frames.error}`));
      for (const frame of frames.frames) result.answers.push(JSON.parse(new TextDecoder().decode(frame)));
      if (expected > 0 && result.answers.length >= expected) finish();
    });
    socket.once("connect", async () => {
      for (const chunk of chunks) if (chunk.length > 0) socket.write(chunk);
      if (expected > 0) return;
      await expectServing();
      finish();
    });
  });
}

async function expectServing(): Promise<void> {
  const answer = await peer.request(addr, { t: "chord.ping" }, { timeoutMs: ANSWER_MS });
  expect(answer.t).toBe("chord.pong");
}

function requestFrame(id: number, message: unknown): Uint8Array {
  return encodeFrame(utf8(`{"i":${id},"q":${JSON.stringify(message)}}`), MAX_FRAME_BYTES);
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
      const stream = fc.oneof(
        fc.uint8Array({ maxLength: 3_000 }),
        fc
          .tuple(
            fc.array(fc.constantFrom(...valid), { minLength: 1, maxLength: 4 }),
            fc.array(mutation, { minLength: 1, maxLength: 3 }),
          )
          .map(([messages, mutations]) => {
            let bytes: Uint8Array = concatBytes(
              ...messages.map((m, i) => requestFrame(i, { ...m.message, t: "chord.ping" })),
            );
            for (const m of mutations) bytes = mutate(bytes, m);
            return bytes;
          }),
      );
      await fc.assert(
        fc.asyncProperty(stream, cuts, async (bytes, cutList) => {
          counter.add("random or mutated bytes");
          const result = await sendRaw(chunked(bytes, cutList), 0);
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
          const bytes = concatBytes(...messages.map((m, i) => requestFrame(i + 1, m)));
          const result = await sendRaw(chunked(bytes, cutList), messages.length);
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
          const bytes = encodeFrame(utf8(payload), MAX_FRAME_BYTES);
          const result = await sendRaw([bytes], answered ? 1 : 0);
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
    const stored = await peer.request(addr, put.message, { timeoutMs: ANSWER_MS });
    expect(stored).toMatchObject({ t: "store.put.ok", created: true });
    const envelope = put.message.envelope as { to: string; id: string };
    const fetch: WireMessage = { t: "store.fetch", mailbox: envelope.to, ack: [], waitMs: 0 };
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
