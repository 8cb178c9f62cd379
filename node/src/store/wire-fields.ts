/**
 * Decoders of the values the store's messages carry (envelopes, NACKs, entries, tombstones). They
 * read hostile input: each returns the value or a string saying what is wrong, never throws.
 */
import {
  b64uByteLength,
  type CheckedEnvelope,
  type Envelope,
  type Nack,
  sealedFields,
  validateEnvelope,
} from "@wisp/lib";
import { checkedEnvelope } from "./checked-envelope";
import type { Entry, Tombstone } from "./entry";

export type Decoded<T> = T | string;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function checkB64u(value: unknown, name: string, length?: number): string | null {
  if (typeof value !== "string") return `"${name}" expected a base64url string, got ${typeof value}`;
  const decoded = b64uByteLength(value);
  if (decoded < 0) return `"${name}" is not valid base64url`;
  if (length !== undefined && decoded !== length) return `"${name}" expected ${length} bytes, got ${decoded}`;
  return null;
}

export function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The HTTP API's rules (lib's validateEnvelope): an envelope from a peer is trusted no more. */
function checkedFields(value: unknown): Decoded<CheckedEnvelope> {
  const result = validateEnvelope(sealedFields(value));
  return result.ok ? result.value : result.message;
}

/** An envelope this node will keep: frozen, its size remembered (checked-envelope.ts). */
export function decodeEnvelope(value: unknown): Decoded<Envelope> {
  const checked = checkedFields(value);
  return typeof checked === "string" ? checked : checkedEnvelope(checked);
}

/** An envelope that only passes through this node (a fetch answer's, to its client): nothing remembered. */
export function decodeRelayedEnvelope(value: unknown): Decoded<Envelope> {
  const checked = checkedFields(value);
  return typeof checked === "string" ? checked : checked.envelope;
}

export function decodeNack(value: unknown): Decoded<Nack> {
  if (!isRecord(value)) return "nack must be an object";
  const { id, to, expiredAt } = value;
  const problem = checkB64u(id, "id", 16) ?? checkB64u(to, "to", 32);
  if (problem) return problem;
  if (!isTime(expiredAt)) return `"expiredAt" expected a time in ms`;
  return { id: id as string, to: to as string, expiredAt };
}

export function decodeTombstone(value: unknown): Decoded<Tombstone> {
  if (!isRecord(value)) return "tombstone must be an object";
  const { mailbox, id, expiresAt } = value;
  const problem = checkB64u(mailbox, "mailbox", 32) ?? checkB64u(id, "id", 16);
  if (problem) return problem;
  if (!isTime(expiresAt)) return `"expiresAt" expected a time in ms`;
  return { mailbox: mailbox as string, id: id as string, expiresAt };
}

export function decodeEntry(value: unknown): Decoded<Entry> {
  if (!isRecord(value)) return "entry must be an object";
  const { storedAt, expiresAt } = value;
  if (!isTime(storedAt) || !isTime(expiresAt) || expiresAt < storedAt)
    return `entry needs times with storedAt ≤ expiresAt`;
  if (value.kind === "msg") {
    const envelope = decodeEnvelope(value.envelope);
    if (typeof envelope === "string") return envelope;
    return { kind: "msg", mailbox: envelope.to, id: envelope.id, storedAt, expiresAt, envelope };
  }
  if (value.kind === "nack") {
    const problem = checkB64u(value.mailbox, "mailbox", 32);
    if (problem) return problem;
    const nack = decodeNack(value.nack);
    if (typeof nack === "string") return nack;
    return { kind: "nack", mailbox: value.mailbox as string, id: nack.id, storedAt, expiresAt, nack };
  }
  return `entry "kind" expected "msg" or "nack"`;
}

/** Decodes every item of a list; the first item that fails fails the list. */
export function decodeAll<T>(
  values: readonly unknown[],
  decode: (value: unknown) => Decoded<T>,
): Decoded<T[]> {
  const out: T[] = [];
  for (const value of values) {
    const decoded = decode(value);
    if (typeof decoded === "string") return decoded;
    out.push(decoded);
  }
  return out;
}
