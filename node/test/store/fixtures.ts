/** Envelopes, NACKs and entries for the store tests. Ids are counters, not random, so failures replay. */
import { type Envelope, type Nack, toB64u } from "@wisp/lib";
import type { Entry } from "../../src/store/entry";
import { ownedMailbox } from "../fixtures/retrieve-proofs";

let counter = 0;

export function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7 + (seed >> 8)) & 0xff;
  return out;
}

/** A mailbox spread over the whole ring, as SHA-256 outputs are, with an owner who can sign for it. */
export function mailboxOf(seed: number): string {
  return ownedMailbox(`mailbox ${seed}`);
}

export function freshId(): string {
  counter++;
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, counter);
  bytes[0] = 0x5a;
  return toB64u(bytes);
}

export function envelope(to: string, nackTo = mailboxOf(9_999), ctBytes = 112): Envelope {
  return { v: 1, id: freshId(), to, nackTo, eph: toB64u(bytesOf(32, 3)), ct: toB64u(bytesOf(ctBytes, 5)) };
}

export function messageEntry(mailbox: string, storedAt: number, ttl = 1_000, ctBytes = 112): Entry {
  const env = envelope(mailbox, mailboxOf(9_999), ctBytes);
  return { kind: "msg", mailbox, id: env.id, storedAt, expiresAt: storedAt + ttl, envelope: env };
}

export function nackEntry(mailbox: string, storedAt: number, ttl = 1_000): Entry {
  const nack: Nack = { id: freshId(), to: mailboxOf(1), expiredAt: storedAt };
  return { kind: "nack", mailbox, id: nack.id, storedAt, expiresAt: storedAt + ttl, nack };
}
