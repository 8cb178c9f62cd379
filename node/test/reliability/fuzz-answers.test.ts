/**
 * A malicious node also answers: fuzzes the parsers that read other nodes' answers (Chord's step
 * and state, the store's put, fetch, digest and replicate answers) with valid answers that have
 * one field broken and with random JSON. They never throw, and refuse (null or a reason) every
 * broken answer.
 */
import { MAX_RETRIEVE_ENTRIES } from "@wisp/lib";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { decodeStateAnswer, decodeStepAnswer } from "../../src/chord/messages";
import {
  decodeDigestAnswer,
  decodeFetchAnswer,
  decodePutAnswer,
  decodeReplicateAnswer,
} from "../../src/store/wire";
import type { WireMessage } from "../../src/transport/transport";
import { TEST_REFS } from "../fixtures/node-refs";
import { CaseCounter, cases, fuzzTimeout, params } from "./fuzz-config";
import {
  b64,
  ENVELOPE,
  envelope,
  NACK,
  REF,
  randomMessage,
  ref,
  type Spec,
  TIME,
  type Valid,
} from "./fuzz-messages";
import { hostileMessage } from "./fuzz-wire";

const counter = new CaseCounter("answer parsers");
afterAll(() => counter.report());

const SENT = 3;
const ADDRS: Spec = { type: "array", item: { type: "shortString" }, max: 64 };
const STORED: Spec = {
  type: "object",
  fields: { ...(ENVELOPE as { fields: Record<string, Spec> }).fields, expiresAt: TIME },
};

function validAnswers(now: number): Valid[] {
  return [
    {
      message: { t: "chord.step.ok", done: true, successors: [ref("10.1.1.1:1")] },
      spec: { done: { type: "const", value: true }, successors: { type: "array", item: REF, max: 64 } },
    },
    {
      message: { t: "chord.step.ok", done: false, next: [ref("10.1.1.2:2")] },
      spec: { done: { type: "const", value: false }, next: { type: "array", item: REF, max: 64 } },
    },
    {
      message: { t: "chord.state.ok", predecessor: ref("10.1.1.3:3"), successors: [ref("10.1.1.4:4")] },
      spec: {
        predecessor: { type: "nullable", inner: REF },
        successors: { type: "array", item: REF, max: 64 },
      },
    },
    {
      message: { t: "store.put.ok", created: true, expiresAt: now },
      spec: { created: { type: "bool" }, expiresAt: TIME },
    },
    {
      message: {
        t: "store.fetch.ok",
        messages: [{ ...envelope(), expiresAt: now }],
        nacks: [{ id: b64(16), to: b64(32), expiredAt: now }],
        more: false,
      },
      spec: {
        messages: { type: "array", item: STORED, max: MAX_RETRIEVE_ENTRIES },
        nacks: { type: "array", item: NACK, max: MAX_RETRIEVE_ENTRIES },
        more: { type: "bool" },
      },
    },
    {
      message: { t: "store.digest.ok", missing: [0, SENT - 1], replicas: ["10.1.1.5:5"] },
      spec: { missing: { type: "array", item: { type: "index", below: SENT }, max: 0 }, replicas: ADDRS },
    },
    {
      message: { t: "store.replicate.ok", created: 1, replicas: ["10.1.1.6:6"] },
      spec: { created: TIME, replicas: ADDRS },
    },
  ];
}

/** Every answer parser, by the tag of the answer it expects; each returns null or a reason when it refuses. */
const PARSERS: Record<string, (answer: WireMessage) => unknown> = {
  "chord.step.ok": (answer) => decodeStepAnswer(answer, TEST_REFS),
  "chord.state.ok": (answer) => decodeStateAnswer(answer, TEST_REFS),
  "store.put.ok": decodePutAnswer,
  "store.fetch.ok": decodeFetchAnswer,
  "store.digest.ok": (answer) => decodeDigestAnswer(answer, SENT),
  "store.replicate.ok": decodeReplicateAnswer,
};

function refused(result: unknown): boolean {
  return result === null || typeof result === "string";
}

describe("fuzz: parsers of other nodes' answers", () => {
  const valid = validAnswers(1_000_000);

  it("accept every valid answer (the base of the mutations)", () => {
    for (const { message } of valid) expect(refused(PARSERS[message.t](message)), message.t).toBe(false);
  });

  it(
    "refuse valid answers with one field broken, handed to the parser that expects them",
    () => {
      const byTag = Object.keys(PARSERS).map((tag) => ({
        tag,
        arb: hostileMessage(valid.filter((v) => v.message.t === tag)),
      }));
      const broken = fc.oneof(...byTag.map(({ tag, arb }) => arb.map((answer) => ({ tag, answer }))));
      fc.assert(
        fc.property(broken, ({ tag, answer }) => {
          counter.add("one field broken");
          const result = PARSERS[tag](answer);
          if (!refused(result)) throw new Error(`accepted: ${JSON.stringify(result).slice(0, 300)}`);
        }),
        params(cases(1_500, 30_000)),
      );
    },
    fuzzTimeout(),
  );

  it(
    "never throw on random JSON objects, whatever parser reads them",
    () => {
      fc.assert(
        fc.property(randomMessage, fc.constantFrom(...Object.keys(PARSERS)), (answer, tag) => {
          counter.add("random objects");
          PARSERS[tag](answer);
        }),
        params(cases(500, 10_000)),
      );
    },
    fuzzTimeout(),
  );
});
