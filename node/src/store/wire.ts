/**
 * The store's node-to-node messages (docs/node-protocol.md, "Store messages"): one union of
 * requests and one of answers, with their decoders. Decoding is validation: a decoder reads
 * hostile input and returns the typed value or a string (requests) or null (answers) saying it is
 * malformed, never throws. The typed values are plain JSON, so they are sent as they are.
 */
import {
  type Envelope,
  idFromHex,
  MAX_RETRIEVE_ENTRIES,
  MAX_WAIT_MS,
  type Nack,
  type RingId,
  type StoredMessage,
} from "@wisp/lib";
import type { WireMessage } from "../transport/transport";
import type { Entry, Tombstone } from "./entry";
import { type AckProof, decodeProof } from "./proof";
import {
  checkB64u,
  type Decoded,
  decodeAll,
  decodeEntry,
  decodeEnvelope,
  decodeNack,
  decodeRelayedEnvelope,
  decodeTombstone,
  isRecord,
  isTime,
} from "./wire-fields";

/** Items in one store.replicate or store.digest; senders batch below it and below the frame limit. */
export const MAX_BATCH_ITEMS = 2_000;

export type PutRequest =
  | { t: "store.put"; kind: "msg"; envelope: Envelope }
  | { t: "store.put"; kind: "nack"; mailbox: string; nack: Nack };
export type ReplicateRequest = { t: "store.replicate"; entries: Entry[]; tombstones: Tombstone[] };
/** The repair round's first step: which of these does the receiver lack? Tombstones are applied. */
export type DigestRequest = {
  t: "store.digest";
  entries: [mailbox: string, id: string][];
  tombstones: Tombstone[];
};
/** `proof`: the owner's signed retrieve; its `ack` ids are deleted first (proof.ts). */
export type FetchRequest = { t: "store.fetch"; mailbox: string; proof: AckProof; waitMs: number };
/** A node whose range grew asks a successor for its copies of the keys in (from, to] (takeover.ts). */
export type TakeoverRequest = { t: "store.takeover"; from: RingId; to: RingId };
export type StoreRequest = PutRequest | ReplicateRequest | DigestRequest | FetchRequest | TakeoverRequest;
/** The requests only the owner of their mailbox serves. */
export type OwnerRequest = PutRequest | FetchRequest;

export const STORE_TAGS: readonly StoreRequest["t"][] = [
  "store.put",
  "store.replicate",
  "store.digest",
  "store.fetch",
  "store.takeover",
];

export type PutAnswer =
  | { t: "store.put.ok"; created: boolean; expiresAt: number }
  | { t: "store.refused"; code: "mailbox_full"; message: string };
/** `replicas`: the addresses the receiver would copy its own keys to (its first replicas−1 successors). */
export type ReplicateAnswer = { t: "store.replicate.ok"; created: number; replicas: string[] };
/** `missing`: indexes into `entries` of ids the receiver does not hold. */
export type DigestAnswer = { t: "store.digest.ok"; missing: number[]; replicas: string[] };
export type FetchAnswer = { t: "store.fetch.ok"; messages: StoredMessage[]; nacks: Nack[]; more: boolean };
/** `offered`: the entries the receiver pushed to the asker (store.digest/store.replicate) before answering. */
export type TakeoverAnswer = { t: "store.takeover.ok"; offered: number };
/** A put or fetch reached a node whose key range, (predecessor, self], does not hold the mailbox. */
export type NotOwnerAnswer = { t: "store.not_owner" };
export type StoreAnswer =
  | PutAnswer
  | ReplicateAnswer
  | DigestAnswer
  | FetchAnswer
  | TakeoverAnswer
  | NotOwnerAnswer;

export const NOT_OWNER: NotOwnerAnswer = { t: "store.not_owner" };

export function decodeStoreRequest(message: WireMessage): Decoded<StoreRequest> {
  switch (message.t) {
    case "store.put":
      return decodePut(message);
    case "store.replicate":
      return decodeReplicate(message);
    case "store.digest":
      return decodeDigest(message);
    case "store.fetch":
      return decodeFetch(message);
    case "store.takeover":
      return decodeTakeover(message);
    default:
      return `the store does not handle "${String(message.t).slice(0, 40)}"`;
  }
}

export function decodePut(message: Record<string, unknown>): Decoded<PutRequest> {
  if (message.kind === "msg") {
    const envelope = decodeEnvelope(message.envelope);
    if (typeof envelope === "string") return envelope;
    return { t: "store.put", kind: "msg", envelope };
  }
  if (message.kind === "nack") {
    const problem = checkB64u(message.mailbox, "mailbox", 32);
    if (problem) return problem;
    const nack = decodeNack(message.nack);
    if (typeof nack === "string") return nack;
    return { t: "store.put", kind: "nack", mailbox: message.mailbox as string, nack };
  }
  return `store.put "kind" expected "msg" or "nack"`;
}

function decodeBatch(
  message: Record<string, unknown>,
  tag: string,
): Decoded<{ entries: unknown[]; tombstones: Tombstone[] }> {
  const { entries, tombstones, proofs } = message;
  if (!Array.isArray(entries) || !Array.isArray(tombstones) || !Array.isArray(proofs))
    return `${tag} expects arrays entries, tombstones and proofs`;
  if (entries.length + tombstones.length + proofs.length > MAX_BATCH_ITEMS)
    return `${tag} carries at most ${MAX_BATCH_ITEMS} items, got ${entries.length + tombstones.length + proofs.length}`;
  const decodedProofs = decodeAll(proofs, decodeProof);
  if (typeof decodedProofs === "string") return decodedProofs;
  const decoded: Tombstone[] = [];
  for (const raw of tombstones) {
    const tombstone = decodeTombstone(raw);
    if (typeof tombstone === "string") return tombstone;
    const index = isRecord(raw) ? raw.proof : undefined;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= decodedProofs.length)
      return `a tombstone's "proof" expected an index into "proofs"`;
    decoded.push({ ...tombstone, proof: decodedProofs[index as number] });
  }
  return { entries, tombstones: decoded };
}

/**
 * The wire form of replicate and digest: each proof once, in `proofs`, and each tombstone naming
 * its proof's index (one retrieve acknowledges up to 256 ids). A tombstone without a proof (an
 * expiry's) stays on this node.
 */
export function encodeStoreRequest(request: ReplicateRequest | DigestRequest): WireMessage {
  const proofs: AckProof[] = [];
  const index = new Map<AckProof, number>();
  const tombstones: { mailbox: string; id: string; expiresAt: number; proof: number }[] = [];
  for (const { mailbox, id, expiresAt, proof } of request.tombstones) {
    if (!proof) continue;
    let at = index.get(proof);
    if (at === undefined) {
      at = proofs.push(proof) - 1;
      index.set(proof, at);
    }
    tombstones.push({ mailbox, id, expiresAt, proof: at });
  }
  return { t: request.t, entries: request.entries, tombstones, proofs };
}

function decodeReplicate(message: Record<string, unknown>): Decoded<ReplicateRequest> {
  const batch = decodeBatch(message, "store.replicate");
  if (typeof batch === "string") return batch;
  const entries = decodeAll(batch.entries, decodeEntry);
  if (typeof entries === "string") return entries;
  return { t: "store.replicate", entries, tombstones: batch.tombstones };
}

function decodeDigest(message: Record<string, unknown>): Decoded<DigestRequest> {
  const batch = decodeBatch(message, "store.digest");
  if (typeof batch === "string") return batch;
  const entries: [string, string][] = [];
  for (const item of batch.entries) {
    if (!Array.isArray(item) || item.length !== 2) return "store.digest entries are [mailbox, id] pairs";
    const problem = checkB64u(item[0], "mailbox", 32) ?? checkB64u(item[1], "id", 16);
    if (problem) return problem;
    entries.push([item[0], item[1]]);
  }
  return { t: "store.digest", entries, tombstones: batch.tombstones };
}

function decodeFetch(message: Record<string, unknown>): Decoded<FetchRequest> {
  const mailboxProblem = checkB64u(message.mailbox, "mailbox", 32);
  if (mailboxProblem) return mailboxProblem;
  const { waitMs } = message;
  const proof = decodeProof(message.proof);
  if (typeof proof === "string") return proof;
  if (!isTime(waitMs) || waitMs > MAX_WAIT_MS) return `"waitMs" expected 0..${MAX_WAIT_MS}`;
  return { t: "store.fetch", mailbox: message.mailbox as string, proof, waitMs };
}

function decodeTakeover(message: Record<string, unknown>): Decoded<TakeoverRequest> {
  const from = idFromHex(message.from);
  const to = idFromHex(message.to);
  if (from === null || to === null)
    return `store.takeover "from" and "to" expected 64 lowercase hex characters`;
  return { t: "store.takeover", from, to };
}

export function isNotOwner(answer: WireMessage): boolean {
  return answer.t === NOT_OWNER.t;
}

export function decodePutAnswer(answer: WireMessage): PutAnswer | null {
  if (answer.t === "store.refused" && answer.code === "mailbox_full")
    return { t: "store.refused", code: "mailbox_full", message: String(answer.message).slice(0, 200) };
  if (answer.t !== "store.put.ok" || typeof answer.created !== "boolean" || !isTime(answer.expiresAt))
    return null;
  return { t: "store.put.ok", created: answer.created, expiresAt: answer.expiresAt };
}

export function decodeFetchAnswer(answer: WireMessage): FetchAnswer | null {
  const { messages, nacks, more } = answer;
  if (answer.t !== "store.fetch.ok" || !Array.isArray(messages) || !Array.isArray(nacks)) return null;
  if (typeof more !== "boolean") return null;
  // PROTOCOL.md: at most 256 entries in all; a malicious owner must not make us relay more.
  if (messages.length + nacks.length > MAX_RETRIEVE_ENTRIES) return null;
  const out: FetchAnswer = { t: "store.fetch.ok", messages: [], nacks: [], more };
  for (const raw of messages) {
    const envelope = decodeRelayedEnvelope(raw);
    const expiresAt = isRecord(raw) ? raw.expiresAt : undefined;
    if (typeof envelope === "string" || !isTime(expiresAt)) return null;
    out.messages.push({ ...envelope, expiresAt });
  }
  const decodedNacks = decodeAll(nacks, decodeNack);
  if (typeof decodedNacks === "string") return null;
  out.nacks = decodedNacks;
  return out;
}

export function decodeDigestAnswer(answer: WireMessage, sent: number): DigestAnswer | null {
  const { missing, replicas } = answer;
  if (answer.t !== "store.digest.ok" || !Array.isArray(missing) || !isAddrList(replicas)) return null;
  if (!missing.every((i) => Number.isInteger(i) && i >= 0 && i < sent)) return null;
  return { t: "store.digest.ok", missing, replicas };
}

export function decodeReplicateAnswer(answer: WireMessage): ReplicateAnswer | null {
  const { created, replicas } = answer;
  if (answer.t !== "store.replicate.ok" || !isTime(created) || !isAddrList(replicas)) return null;
  return { t: "store.replicate.ok", created, replicas };
}

function isAddrList(value: unknown): value is string[] {
  return (
    Array.isArray(value) && value.length <= 64 && value.every((a) => typeof a === "string" && a.length < 300)
  );
}
