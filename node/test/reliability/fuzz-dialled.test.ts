/**
 * A malicious node on a link we dialled: since links carry requests both ways, the peer we asked
 * may answer with anything, send requests of its own, or both, with any ids. Whatever it sends,
 * our request settles (an answer object or a TransportError), its requests get well-formed
 * answers or the link ends, and the node keeps serving everyone else.
 */
import { utf8 } from "@wisp/lib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpTransport } from "../../src/transport/tcp";
import { TransportError } from "../../src/transport/transport";
import { linkServer, type RawLink, settingsFor } from "../transport/link-client";
import { CaseCounter, cases, fuzzTimeout, params } from "./fuzz-config";
import { randomValue } from "./fuzz-messages";

const HOST = "127.0.0.1";
const REQUEST_MS = 400;
const counter = new CaseCounter("frames on a dialled link");

let node: TcpTransport;
let nodeAddr: string;
let honest: TcpTransport;
let hostile: { close(): void; addr: string };
/** What the hostile peer does with the next link: set by each case. */
let onLink: (raw: RawLink) => void = () => {};

beforeAll(async () => {
  node = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0 });
  nodeAddr = await node.listen(async (request) => ({ t: "pong", got: request.t }));
  honest = new TcpTransport({ host: HOST, port: 0, puzzleBits: 0 });
  const key = settingsFor().key;
  const { server, addr } = await linkServer(
    (port) => settingsFor(key, `${HOST}:${port}`),
    (raw) => onLink(raw),
  );
  hostile = { close: () => server.close(), addr };
});

afterAll(async () => {
  counter.report();
  hostile?.close();
  await honest?.close();
  await node?.close();
});

/** One frame the hostile peer sends: `id` null stands for the id of our request. */
type Frame = { slot: "q" | "r" | "e" | "raw"; id: number | null; value: unknown };

const frame: fc.Arbitrary<Frame> = fc.record({
  slot: fc.constantFrom("q", "r", "e", "raw"),
  id: fc.oneof(fc.constant(null), fc.nat(2 ** 40), fc.constantFrom(0, -1, 1.5)),
  value: fc.oneof(randomValue, fc.constant({ t: "chord.ping" }), fc.constant("a reason")),
});

function payload(f: Frame, ours: number): Uint8Array {
  const id = f.id ?? ours;
  if (f.slot === "raw") return utf8(JSON.stringify(f.value) ?? "null");
  return utf8(`{"i":${id},"${f.slot}":${JSON.stringify(f.value) ?? "null"}}`);
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  for (let waited = 0; waited < ms && !condition(); waited += 5)
    await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("fuzz: a hostile peer on a link the node dialled", () => {
  it(
    "settles the node's request, answers the peer's requests well-formed or drops it, serves others",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (frames) => {
          counter.add("cases");
          let link: RawLink | null = null;
          onLink = (raw) => {
            link = raw;
            void (async () => {
              await until(() => raw.received.length > 0, REQUEST_MS);
              const first = raw.received[0];
              const ours = first ? (JSON.parse(new TextDecoder().decode(first)) as { i: number }).i : 0;
              for (const f of frames) if (!raw.socket.destroyed) raw.sendFrame(payload(f, ours));
            })();
          };
          const outcome = await node.request(hostile.addr, { t: "ask" }, { timeoutMs: REQUEST_MS }).then(
            (answer) => ({ answer }),
            (error: unknown) => ({ error }),
          );
          if ("answer" in outcome) expect(typeof outcome.answer).toBe("object");
          else expect(outcome.error).toBeInstanceOf(TransportError);
          counter.add("answer" in outcome ? "our request answered" : "our request failed");
          const raw = link as RawLink | null;
          if (raw) {
            await new Promise((resolve) => setTimeout(resolve, 10));
            counter.add("answers to the peer's requests", raw.received.length - 1);
            for (const received of raw.received.slice(1)) {
              const answer = JSON.parse(new TextDecoder().decode(received)) as Record<string, unknown>;
              expect(Number.isSafeInteger(answer.i)).toBe(true);
              expect(
                typeof answer.e === "string" || (typeof answer.r === "object" && answer.r !== null),
              ).toBe(true);
            }
            raw.socket.destroy();
          }
          expect(await honest.request(nodeAddr, { t: "ping" }, { timeoutMs: 5_000 })).toEqual({
            t: "pong",
            got: "ping",
          });
        }),
        params(cases(60, 1_000)),
      );
    },
    fuzzTimeout(),
  );
});
