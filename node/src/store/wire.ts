/**
 * The store's node-to-node messages (docs/node-protocol.md, "Store messages") and their parsers.
 * Everything here reads hostile input: a parser returns the value or a string saying what is
 * wrong, never throws.
 */
import {
  b64uByteLength,
  type Envelope,
  MAX_ACKS,
  MAX_RETRIEVE_ENTRIES,
  MAX_WAIT_MS,
  type Nack,
  type StoredMessage,
  sealedFields,
  validateEnvelope,
} from "@wisp/lib";
import type { Entry, Tombstone } from "./entry";

export const PUT = "store.put";
export const REPLICATE = "store.replicate";
export const FETCH = "store.fetch";
export const DIGEST = "store.digest";
/** The answer of a node that got a put or fetch marked `owner: true` for a key it does not own. */
export const NOT_OWNER = "store.not_owner";

/** Items in one store.replicate; senders batch below it and below the frame limit. */
export const MAX_BATCH_ITEMS = 2_000;
export const BATCH_BYTES = 1024 * 1024;

/**
 * `owner: true` on a put or fetch: the sender's lookup named this node without confirming it
 * (`Ring.lookup` with `verify: false`), so the receiver serves it only if the mailbox's key is in
 * (its predecessor, itself] and otherwise answers {@link NotOwnerAnswer}; the sender then routes
 * with a confirmed lookup. The confirmation costs a round trip on every store; this check none.
 */
export interface OwnerCheck {
  owner?: true;
}
export type PutRequest = OwnerCheck &
  (
    | { t: typeof PUT; kind: "msg"; envelope: Envelope }
    | { t: typeof PUT; kind: "nack"; mailbox: string; nack: Nack }
  );
export interface NotOwnerAnswer {
  t: typeof NOT_OWNER;
}
export type PutAnswer =
  | { t: "store.put.ok"; created: boolean; expiresAt: number }
  | { t: "store.refused"; code: "mailbox_full"; message: string };

export interface ReplicateRequest {
  t: typeof REPLICATE;
  entries: Entry[];
  tombstones: Tombstone[];
}
/** `replicas`: the addresses the receiver would copy its own keys to (its first replicas−1 successors). */
export interface ReplicateAnswer {
  t: "store.replicate.ok";
  created: number;
  replicas: string[];
}

/** The repair round's first step: which of these does the receiver lack? Tombstones are applied. */
export interface DigestRequest {
  t: typeof DIGEST;
  entries: [mailbox: string, id: string][];
  tombstones: Tombstone[];
}
/** `missing`: indexes into `entries` of ids the receiver does not hold. */
export interface DigestAnswer {
  t: "store.digest.ok";
  missing: number[];
  replicas: string[];
}

export interface FetchRequest extends OwnerCheck {
  t: typeof FETCH;
  mailbox: string;
  ack: string[];
  waitMs: number;
}
export interface FetchAnswer {
  t: "store.fetch.ok";
  messages: StoredMessage[];
  nacks: Nack[];
  more: boolean;
}

type Parsed<T> = T | string;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkB64u(value: unknown, name: string, length?: number): string | null {
  if (typeof value !== "string") return `"${name}" expected a base64url string, got ${typeof value}`;
  const decoded = b64uByteLength(value);
  if (decoded < 0) return `"${name}" is not valid base64url`;
  if (length !== undefined && decoded !== length) return `"${name}" expected ${length} bytes, got ${decoded}`;
  return null;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The HTTP API's rules (lib's validateEnvelope): an envelope from a peer is trusted no more. */
export function parseEnvelope(value: unknown): Parsed<Envelope> {
  const result = validateEnvelope(sealedFields(value));
  return result.ok ? result.value : result.message;
}

export function parseNack(value: unknown): Parsed<Nack> {
  if (!isRecord(value)) return "nack must be an object";
  const problem = checkB64u(value.id, "id", 16) ?? checkB64u(value.to, "to", 32);
  if (problem) return problem;
  if (!isTime(value.expiredAt)) return `"expiredAt" expected a time in ms`;
  return { id: value.id as string, to: value.to as string, expiredAt: value.expiredAt };
}

export function parseTombstone(value: unknown): Parsed<Tombstone> {
  if (!isRecord(value)) return "tombstone must be an object";
  const problem = checkB64u(value.mailbox, "mailbox", 32) ?? checkB64u(value.id, "id", 16);
  if (problem) return problem;
  if (!isTime(value.expiresAt)) return `"expiresAt" expected a time in ms`;
  return { mailbox: value.mailbox as string, id: value.id as string, expiresAt: value.expiresAt };
}

export function parseEntry(value: unknown): Parsed<Entry> {
  if (!isRecord(value)) return "entry must be an object";
  const { storedAt, expiresAt } = value;
  if (!isTime(storedAt) || !isTime(expiresAt) || expiresAt < storedAt)
    return `entry needs times with storedAt ≤ expiresAt`;
  if (value.kind === "msg") {
    const envelope = parseEnvelope(value.envelope);
    if (typeof envelope === "string") return envelope;
    return { kind: "msg", mailbox: envelope.to, id: envelope.id, storedAt, expiresAt, envelope };
  }
  if (value.kind === "nack") {
    const mailboxProblem = checkB64u(value.mailbox, "mailbox", 32);
    if (mailboxProblem) return mailboxProblem;
    const nack = parseNack(value.nack);
    if (typeof nack === "string") return nack;
    return { kind: "nack", mailbox: value.mailbox as string, id: nack.id, storedAt, expiresAt, nack };
  }
  return `entry "kind" expected "msg" or "nack"`;
}

export function parsePut(message: Record<string, unknown>): Parsed<PutRequest> {
  if (message.kind === "msg") {
    const envelope = parseEnvelope(message.envelope);
    if (typeof envelope === "string") return envelope;
    return { t: PUT, kind: "msg", envelope, ...ownerCheck(message) };
  }
  if (message.kind === "nack") {
    const mailboxProblem = checkB64u(message.mailbox, "mailbox", 32);
    if (mailboxProblem) return mailboxProblem;
    const nack = parseNack(message.nack);
    if (typeof nack === "string") return nack;
    return { t: PUT, kind: "nack", mailbox: message.mailbox as string, nack, ...ownerCheck(message) };
  }
  return `store.put "kind" expected "msg" or "nack"`;
}

export function parseReplicate(message: Record<string, unknown>): Parsed<ReplicateRequest> {
  const { entries, tombstones } = message;
  if (!Array.isArray(entries) || !Array.isArray(tombstones))
    return "store.replicate expects arrays entries and tombstones";
  if (entries.length + tombstones.length > MAX_BATCH_ITEMS)
    return `store.replicate carries at most ${MAX_BATCH_ITEMS} items, got ${entries.length + tombstones.length}`;
  const request: ReplicateRequest = { t: REPLICATE, entries: [], tombstones: [] };
  for (const raw of entries) {
    const entry = parseEntry(raw);
    if (typeof entry === "string") return entry;
    request.entries.push(entry);
  }
  for (const raw of tombstones) {
    const tombstone = parseTombstone(raw);
    if (typeof tombstone === "string") return tombstone;
    request.tombstones.push(tombstone);
  }
  return request;
}

export function parseDigest(message: Record<string, unknown>): Parsed<DigestRequest> {
  const { entries, tombstones } = message;
  if (!Array.isArray(entries) || !Array.isArray(tombstones))
    return "store.digest expects arrays entries and tombstones";
  if (entries.length + tombstones.length > MAX_BATCH_ITEMS)
    return `store.digest carries at most ${MAX_BATCH_ITEMS} items, got ${entries.length + tombstones.length}`;
  const request: DigestRequest = { t: DIGEST, entries: [], tombstones: [] };
  for (const item of entries) {
    if (!Array.isArray(item) || item.length !== 2) return "store.digest entries are [mailbox, id] pairs";
    const problem = checkB64u(item[0], "mailbox", 32) ?? checkB64u(item[1], "id", 16);
    if (problem) return problem;
    request.entries.push([item[0], item[1]]);
  }
  for (const raw of tombstones) {
    const tombstone = parseTombstone(raw);
    if (typeof tombstone === "string") return tombstone;
    request.tombstones.push(tombstone);
  }
  return request;
}

export function parseFetch(message: Record<string, unknown>): Parsed<FetchRequest> {
  const mailboxProblem = checkB64u(message.mailbox, "mailbox", 32);
  if (mailboxProblem) return mailboxProblem;
  const { ack, waitMs } = message;
  if (!Array.isArray(ack) || ack.length > MAX_ACKS)
    return `"ack" expected an array of at most ${MAX_ACKS} ids`;
  for (const id of ack) {
    const problem = checkB64u(id, "ack id", 16);
    if (problem) return problem;
  }
  if (!isTime(waitMs) || waitMs > MAX_WAIT_MS) return `"waitMs" expected 0..${MAX_WAIT_MS}`;
  return {
    t: FETCH,
    mailbox: message.mailbox as string,
    ack: ack as string[],
    waitMs,
    ...ownerCheck(message),
  };
}

const NO_OWNER_CHECK: OwnerCheck = {};

function ownerCheck(message: Record<string, unknown>): OwnerCheck {
  return message.owner === true ? { owner: true } : NO_OWNER_CHECK;
}

export function isNotOwner(answer: Record<string, unknown>): boolean {
  return answer.t === NOT_OWNER;
}

/** Splits entries and tombstones into store.replicate messages below the item and byte limits. */
export function batches(entries: readonly Entry[], tombstones: readonly Tombstone[]): ReplicateRequest[] {
  const out: ReplicateRequest[] = [];
  let current: ReplicateRequest = { t: REPLICATE, entries: [], tombstones: [] };
  let bytes = 0;
  const flushIfFull = (size: number) => {
    const items = current.entries.length + current.tombstones.length;
    if (items === 0 || (items < MAX_BATCH_ITEMS && bytes + size <= BATCH_BYTES)) return;
    out.push(current);
    current = { t: REPLICATE, entries: [], tombstones: [] };
    bytes = 0;
  };
  for (const entry of entries) {
    const size = JSON.stringify(entry).length;
    flushIfFull(size);
    current.entries.push(entry);
    bytes += size;
  }
  for (const tombstone of tombstones) {
    flushIfFull(120);
    current.tombstones.push(tombstone);
    bytes += 120;
  }
  if (current.entries.length + current.tombstones.length > 0) out.push(current);
  return out;
}

export function parseDigestAnswer(answer: Record<string, unknown>, sent: number): DigestAnswer | null {
  const { missing, replicas } = answer;
  if (answer.t !== "store.digest.ok" || !Array.isArray(missing) || !isAddrList(replicas)) return null;
  if (!missing.every((i) => Number.isInteger(i) && i >= 0 && i < sent)) return null;
  return { t: "store.digest.ok", missing, replicas };
}

export function parseReplicateAnswer(answer: Record<string, unknown>): ReplicateAnswer | null {
  const { created, replicas } = answer;
  if (answer.t !== "store.replicate.ok" || !isTime(created) || !isAddrList(replicas)) return null;
  return { t: "store.replicate.ok", created, replicas };
}

function isAddrList(value: unknown): value is string[] {
  return (
    Array.isArray(value) && value.length <= 64 && value.every((a) => typeof a === "string" && a.length < 300)
  );
}

/** Splits a repair's contents into store.digest messages of at most MAX_BATCH_ITEMS items. */
export function digestBatches(
  entries: readonly Entry[],
  tombstones: readonly Tombstone[],
): { entries: Entry[]; tombstones: Tombstone[] }[] {
  const out: { entries: Entry[]; tombstones: Tombstone[] }[] = [];
  for (let i = 0; i < entries.length; i += MAX_BATCH_ITEMS)
    out.push({ entries: entries.slice(i, i + MAX_BATCH_ITEMS), tombstones: [] });
  for (let i = 0; i < tombstones.length; i += MAX_BATCH_ITEMS)
    out.push({ entries: [], tombstones: tombstones.slice(i, i + MAX_BATCH_ITEMS) });
  return out;
}

export function parsePutAnswer(answer: Record<string, unknown>): PutAnswer | null {
  if (answer.t === "store.refused" && answer.code === "mailbox_full")
    return { t: "store.refused", code: "mailbox_full", message: String(answer.message).slice(0, 200) };
  if (answer.t !== "store.put.ok" || typeof answer.created !== "boolean" || !isTime(answer.expiresAt))
    return null;
  return { t: "store.put.ok", created: answer.created, expiresAt: answer.expiresAt };
}

export function parseFetchAnswer(answer: Record<string, unknown>): FetchAnswer | null {
  const { messages, nacks, more } = answer;
  if (answer.t !== "store.fetch.ok" || !Array.isArray(messages) || !Array.isArray(nacks)) return null;
  if (typeof more !== "boolean") return null;
  // PROTOCOL.md: at most 256 entries in all; a malicious owner must not make us relay more.
  if (messages.length + nacks.length > MAX_RETRIEVE_ENTRIES) return null;
  const out: FetchAnswer = { t: "store.fetch.ok", messages: [], nacks: [], more };
  for (const raw of messages) {
    const envelope = parseEnvelope(raw);
    const expiresAt = isRecord(raw) ? raw.expiresAt : undefined;
    if (typeof envelope === "string" || !isTime(expiresAt)) return null;
    out.messages.push({ ...envelope, expiresAt });
  }
  for (const raw of nacks) {
    const nack = parseNack(raw);
    if (typeof nack === "string") return null;
    out.nacks.push(nack);
  }
  return out;
}
