/**
 * Node-to-node messages for the fuzzers: a valid message of every tag with a spec of each field
 * (what fuzz-wire.ts breaks), and random JSON objects shaped like messages.
 */
import { toB64u } from "@wisp/lib";
import fc from "fast-check";
import { CHORD_TAGS } from "../../src/chord/messages";
import { DIRECTORY_TAGS } from "../../src/directory/api-directory";
import { STORE_TAGS } from "../../src/store/wire";
import type { WireMessage } from "../../src/transport/transport";
import { testWireRef } from "../fixtures/node-refs";

export type Spec =
  | { type: "tag" | "hex64" | "time" | "wait" | "addr" | "ct" | "bool" | "shortString" }
  | { type: "index"; below: number }
  | { type: "pair"; items: [Spec, Spec] }
  | { type: "b64u"; bytes: number }
  | { type: "const"; value: unknown }
  | { type: "object"; fields: Record<string, Spec> }
  | { type: "nullable"; inner: Spec }
  | { type: "array"; item: Spec; max: number };

let counter = 0;
export function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 131 + i * 17) & 0xff;
  return out;
}
export const b64 = (length: number) => toB64u(bytes(length, ++counter));
export const ref = (addr: string) => testWireRef(addr);

export const B16: Spec = { type: "b64u", bytes: 16 };
export const B32: Spec = { type: "b64u", bytes: 32 };
export const TIME: Spec = { type: "time" };
export const REF: Spec = {
  type: "object",
  fields: { id: { type: "hex64" }, addr: { type: "addr" }, key: { type: "b64u", bytes: 32 } },
};
export const ENVELOPE: Spec = {
  type: "object",
  fields: { v: { type: "const", value: 1 }, id: B16, to: B32, nackTo: B32, eph: B32, ct: { type: "ct" } },
};
export const NACK: Spec = { type: "object", fields: { id: B16, to: B32, expiredAt: TIME } };
const MSG_ENTRY: Spec = {
  type: "object",
  fields: { kind: { type: "const", value: "msg" }, storedAt: TIME, expiresAt: TIME, envelope: ENVELOPE },
};
const NACK_ENTRY: Spec = {
  type: "object",
  fields: {
    kind: { type: "const", value: "nack" },
    storedAt: TIME,
    expiresAt: TIME,
    mailbox: B32,
    nack: NACK,
  },
};
const TOMBSTONE: Spec = {
  type: "object",
  fields: { mailbox: B32, id: B16, expiresAt: TIME, proof: { type: "index", below: 1 } },
};
const PROOF: Spec = {
  type: "object",
  fields: {
    pk: B32,
    ts: TIME,
    ack: { type: "array", item: B16, max: 256 },
    sig: { type: "b64u", bytes: 64 },
  },
};
/** Shape-valid, but no owner signed it: a node decodes it and then refuses to act on it. */
const proof = (now: number) => ({ pk: b64(32), ts: now, ack: [b64(16)], sig: b64(64) });

export function envelope() {
  return { v: 1, id: b64(16), to: b64(32), nackTo: b64(32), eph: b64(32), ct: b64(140) };
}

/** Valid messages of every tag (none of them sent as is: a valid leave or notify changes the ring). */
export interface Valid {
  message: WireMessage;
  spec: Record<string, Spec>;
}

export function validMessages(now: number): Valid[] {
  const later = now + 60_000;
  const nack = { id: b64(16), to: b64(32), expiredAt: now };
  return [
    { message: { t: "chord.step", key: "ab".repeat(32) }, spec: { key: { type: "hex64" } } },
    { message: { t: "chord.notify", node: ref("10.9.9.9:9") }, spec: { node: REF } },
    { message: { t: "chord.join", node: ref("10.9.9.5:5") }, spec: { node: REF } },
    { message: { t: "chord.changed", node: ref("10.9.9.4:4") }, spec: { node: REF } },
    {
      message: {
        t: "chord.leave",
        node: ref("10.9.9.8:8"),
        predecessor: ref("10.9.9.7:7"),
        successors: [ref("10.9.9.6:6")],
      },
      spec: {
        node: REF,
        predecessor: { type: "nullable", inner: REF },
        successors: { type: "array", item: REF, max: 64 },
      },
    },
    {
      message: { t: "store.put", kind: "msg", envelope: envelope() },
      spec: { kind: { type: "const", value: "msg" }, envelope: ENVELOPE },
    },
    {
      message: { t: "store.put", kind: "nack", mailbox: b64(32), nack },
      spec: { kind: { type: "const", value: "nack" }, mailbox: B32, nack: NACK },
    },
    {
      message: {
        t: "store.replicate",
        entries: [
          { kind: "msg", storedAt: now, expiresAt: later, envelope: envelope() },
          { kind: "nack", storedAt: now, expiresAt: later, mailbox: b64(32), nack: { ...nack, id: b64(16) } },
        ],
        tombstones: [{ mailbox: b64(32), id: b64(16), expiresAt: later, proof: 0 }],
        proofs: [proof(now)],
      },
      spec: {
        entries: { type: "array", item: MSG_ENTRY, max: 2_000 },
        "entries.1": NACK_ENTRY,
        tombstones: { type: "array", item: TOMBSTONE, max: 2_000 },
        proofs: { type: "array", item: PROOF, max: 2_000 },
      },
    },
    {
      message: {
        t: "store.digest",
        entries: [[b64(32), b64(16)]],
        tombstones: [{ mailbox: b64(32), id: b64(16), expiresAt: later, proof: 0 }],
        proofs: [proof(now)],
      },
      spec: {
        entries: { type: "array", item: { type: "pair", items: [B32, B16] }, max: 2_000 },
        tombstones: { type: "array", item: TOMBSTONE, max: 2_000 },
        proofs: { type: "array", item: PROOF, max: 2_000 },
      },
    },
    {
      message: { t: "store.fetch", mailbox: b64(32), proof: proof(now), waitMs: 0 },
      spec: { mailbox: B32, proof: PROOF, waitMs: { type: "wait" } },
    },
    {
      message: { t: "store.takeover", from: "ab".repeat(32), to: "cd".repeat(32) },
      spec: { from: { type: "hex64" }, to: { type: "hex64" } },
    },
  ];
}

const FIELD_NAMES = [
  "t",
  "key",
  "node",
  "predecessor",
  "successors",
  "kind",
  "envelope",
  "mailbox",
  "nack",
  "entries",
  "tombstones",
  "ack",
  "proof",
  "proofs",
  "waitMs",
  "from",
  "to",
  "id",
  "addr",
  "v",
  "__proto__",
  "constructor",
];
/** Every tag a node answers, from the protocols' own lists, so a new message is fuzzed too. */
export const TAGS: readonly string[] = [...CHORD_TAGS, ...STORE_TAGS, ...DIRECTORY_TAGS];

/** Random JSON objects, often with a known tag and known field names, as JSON.parse would deliver them. */
export const randomMessage: fc.Arbitrary<WireMessage> = fc
  .tuple(
    fc.oneof(fc.constantFrom(...TAGS), fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 })),
    fc.dictionary(
      fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 })),
      fc.jsonValue({ maxDepth: 4 }),
      {
        maxKeys: 6,
      },
    ),
  )
  .map(([t, fields]) => JSON.parse(JSON.stringify({ ...fields, t })) as WireMessage);

/** Any JSON value at all in the request slot, objects or not. */
export const randomValue: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 5 });

/** Values JSON cannot carry (a BigInt, a cycle) cannot reach a node either. */
export function serializable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
