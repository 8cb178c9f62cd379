/**
 * What one node keeps: mailbox entries (messages and NACKs) with their expiry, and tombstones of
 * acknowledged entries. `EntryStore` is the local, synchronous storage of one node; replication,
 * routing and expiry policy live in the mailbox service above it. Implementations: MemoryEntryStore
 * (memory-store.ts); a durable log implements the same interface and runs the same test suite.
 */
import { b64uByteLength, type Envelope, type Nack, type RingId } from "@wisp/lib";
import { LruMap } from "../lru";
import { envelopeJsonSize } from "./checked-envelope";
import type { AckProof } from "./proof";

interface EntryBase {
  /** b64u of the 32-byte mailbox: `envelope.to` for a message, the envelope's `nackTo` for a NACK. */
  mailbox: string;
  /** b64u of the 16-byte id; a NACK carries the id of the message it reports. */
  id: string;
  storedAt: number;
  expiresAt: number;
}

export type Entry =
  | (EntryBase & { kind: "msg"; envelope: Envelope })
  | (EntryBase & { kind: "nack"; nack: Nack });

/**
 * An acknowledged entry: kept until `expiresAt` so no replica or repair can bring it back. `proof`
 * is the owner's signed retrieve that acknowledged it; another node applies a tombstone only with
 * a proof that verifies, and one without (an expiry's own, local) never leaves this node.
 */
export interface Tombstone {
  mailbox: string;
  id: string;
  expiresAt: number;
  proof?: AckProof;
}

export interface PutResult {
  /** False when the id (or its tombstone) was already there: nothing changed. */
  created: boolean;
  /** The expiry of the entry (or tombstone) that holds the id now. */
  expiresAt: number;
}

export interface ListResult {
  entries: Entry[];
  more: boolean;
}

export interface RangeContents {
  entries: Entry[];
  tombstones: Tombstone[];
}

export interface EntryStore {
  /** Stores entry unless its id — or a tombstone of it — is in the mailbox already. */
  put(entry: Entry): PutResult;
  get(mailbox: string, id: string): Entry | undefined;
  /** Entries of mailbox not yet expired at `now`, oldest first (storedAt, then id), at most `limit`. */
  list(mailbox: string, options: { limit: number; now: number }): ListResult;
  /**
   * Deletes ids from mailbox and leaves a tombstone for each, until the entry's expiresAt, or
   * `fallbackExpiresAt` for an id this store does not hold, plus `keepMs`. Returns the tombstones written.
   */
  remove(
    mailbox: string,
    ids: readonly string[],
    fallbackExpiresAt: number,
    options?: { proof?: AckProof; keepMs?: number },
  ): Tombstone[];
  /** Applies a tombstone from another node: deletes the entry and remembers the deletion. */
  putTombstone(tombstone: Tombstone): void;
  /** Forgets ids entirely, leaving no tombstone (expiry, or entries handed to their owner). */
  drop(mailbox: string, ids: readonly string[]): void;
  /** Entries held in mailbox, or in total when mailbox is omitted. */
  count(mailbox?: string): number;
  /** Bytes (entrySize) held in mailbox, or in total when mailbox is omitted. */
  bytes(mailbox?: string): number;
  /** Entries and tombstones whose mailbox key lies in (from, to]; the whole circle when from == to. */
  inRange(from: RingId, to: RingId): RangeContents;
  /** Entries with expiresAt ≤ now, oldest expiry first, at most limit. Nothing is removed. */
  expired(now: number, limit: number): Entry[];
  /** Forgets tombstones with expiresAt ≤ now; returns how many. */
  sweepTombstones(now: number): number;
}

/** The size an entry is charged for against a mailbox's byte limit: its JSON on the wire. */
export function entrySize(entry: Entry): number {
  return entry.kind === "msg" ? envelopeJsonSize(entry.envelope) : JSON.stringify(entry.nack).length;
}

/**
 * Keys of recent mailboxes. A put asks for its mailbox's key at the entry node, the owner and each
 * replica, several times at each; the answer depends on the mailbox alone, so nodes of one process
 * may share it.
 */
const recentKeys = new LruMap<string, RingId>(1_024);

/** The ring key of a b64u mailbox: its 32 bytes read as a ring id. Throws on a malformed mailbox. */
export function mailboxKey(mailbox: string): RingId {
  const known = recentKeys.get(mailbox);
  if (known !== undefined) return known;
  if (b64uByteLength(mailbox) !== 32)
    throw new TypeError(`mailbox expected 32 bytes of base64url, got "${mailbox.slice(0, 60)}"`);
  // idFromBytes(fromB64u(mailbox)), decoded by Buffer.
  const key = BigInt(`0x${Buffer.from(mailbox, "base64url").toString("hex")}`);
  recentKeys.set(mailbox, key);
  return key;
}

/** Retrieve's order: oldest first, ties broken by id so every replica answers alike. */
export function compareEntries(a: Entry, b: Entry): number {
  if (a.storedAt !== b.storedAt) return a.storedAt - b.storedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
