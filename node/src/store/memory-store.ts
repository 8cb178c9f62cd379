/**
 * EntryStore in memory: one small record per mailbox, kept in insertion order. An entry is kept as
 * its times plus the envelope (or NACK) as JSON bytes in large append-only slabs outside the V8
 * heap, not as objects and strings: per stored entry that costs about its JSON length in RSS
 * (docs/performance.md). A slab is freed when no live entry points into it; as every entry expires
 * within the TTL, so does every slab. Entries handed out parse their payload on first access.
 */
import { betweenRightIncl, type Envelope, type Nack, type RingId } from "@wisp/lib";
import { needsNoEscapes } from "./checked-envelope";
import {
  compareEntries,
  type Entry,
  type EntryStore,
  type ListResult,
  mailboxKey,
  type PutResult,
  type RangeContents,
  type Tombstone,
} from "./entry";
import type { AckProof } from "./proof";

/** One stored entry; its id is the key it is filed under, its mailbox that of its Box. */
interface Slot {
  storedAt: number;
  expiresAt: number;
  nack: boolean;
  /** The JSON of the envelope or NACK is slab[start, start + size); size is the entry's entrySize. */
  slab: Buffer;
  start: number;
  size: number;
}

const SLAB_BYTES = 1024 * 1024;

/**
 * The envelope's JSON, keys in PROTOCOL.md's order. Every stored envelope passed validation, so its
 * fields are base64url and need no escapes: then the JSON is put together from them, which costs a
 * fraction of serializing (docs/performance.md); anything else is serialized.
 */
function envelopeJson(envelope: Envelope): string {
  if (!needsNoEscapes(envelope)) return JSON.stringify(envelope);
  const { id, to, nackTo, eph, ct } = envelope;
  return `{"v":1,"id":"${id}","to":"${to}","nackTo":"${nackTo}","eph":"${eph}","ct":"${ct}"}`;
}

interface Box {
  key: RingId;
  entries: Map<string, Slot>;
  tombstones: Map<string, number>;
  /** The signed retrieve behind each tombstone that has one (entry.ts, Tombstone). */
  proofs: Map<string, AckProof>;
  bytes: number;
  /** Entries arrive out of storedAt order through repair; sorted lazily on list. */
  sorted: boolean;
}

export class MemoryEntryStore implements EntryStore {
  private boxes = new Map<string, Box>();
  private totalCount = 0;
  private totalBytes = 0;
  /** No entry expires before this: a lower bound that spares the expiry task a full scan. */
  private nextExpiry = Number.POSITIVE_INFINITY;
  private slab = Buffer.allocUnsafeSlow(0);
  private slabUsed = 0;

  put(entry: Entry): PutResult {
    const box = this.box(entry.mailbox, true)!;
    const existing = box.entries.get(entry.id);
    if (existing) return { created: false, expiresAt: existing.expiresAt };
    const tombstone = box.tombstones.get(entry.id);
    if (tombstone !== undefined) return { created: false, expiresAt: tombstone };
    const json = entry.kind === "msg" ? envelopeJson(entry.envelope) : JSON.stringify(entry.nack);
    const size = json.length;
    const start = this.reserve(size);
    // Every field was checked to be base64url or a number: the JSON is ASCII, one byte per character.
    this.slab.write(json, start, size, "latin1");
    const nack = entry.kind === "nack";
    box.entries.set(entry.id, {
      storedAt: entry.storedAt,
      expiresAt: entry.expiresAt,
      nack,
      slab: this.slab,
      start,
      size,
    });
    box.bytes += size;
    box.sorted = false;
    this.nextExpiry = Math.min(this.nextExpiry, entry.expiresAt);
    this.totalCount++;
    this.totalBytes += size;
    return { created: true, expiresAt: entry.expiresAt };
  }

  get(mailbox: string, id: string): Entry | undefined {
    const slot = this.boxes.get(mailbox)?.entries.get(id);
    return slot && entryOf(mailbox, id, slot);
  }

  list(mailbox: string, options: { limit: number; now: number }): ListResult {
    const box = this.boxes.get(mailbox);
    if (!box) return { entries: [], more: false };
    this.sort(box);
    const entries: Entry[] = [];
    for (const [id, slot] of box.entries) {
      if (slot.expiresAt <= options.now) continue;
      if (entries.length === options.limit) return { entries, more: true };
      entries.push(entryOf(mailbox, id, slot));
    }
    return { entries, more: false };
  }

  remove(
    mailbox: string,
    ids: readonly string[],
    fallbackExpiresAt: number,
    { proof, keepMs = 0 }: { proof?: AckProof; keepMs?: number } = {},
  ): Tombstone[] {
    const written: Tombstone[] = [];
    for (const id of ids) {
      const expiresAt = (this.boxes.get(mailbox)?.entries.get(id)?.expiresAt ?? fallbackExpiresAt) + keepMs;
      const tombstone: Tombstone = proof ? { mailbox, id, expiresAt, proof } : { mailbox, id, expiresAt };
      this.putTombstone(tombstone);
      written.push(tombstone);
    }
    return written;
  }

  putTombstone(tombstone: Tombstone): void {
    const box = this.box(tombstone.mailbox, true)!;
    this.deleteEntry(box, tombstone.id);
    const known = box.tombstones.get(tombstone.id) ?? 0;
    box.tombstones.set(tombstone.id, Math.max(known, tombstone.expiresAt));
    if (tombstone.proof && !box.proofs.has(tombstone.id)) box.proofs.set(tombstone.id, tombstone.proof);
  }

  drop(mailbox: string, ids: readonly string[]): void {
    const box = this.boxes.get(mailbox);
    if (!box) return;
    for (const id of ids) {
      this.deleteEntry(box, id);
      box.tombstones.delete(id);
      box.proofs.delete(id);
    }
    this.forgetIfEmpty(mailbox, box);
  }

  count(mailbox?: string): number {
    if (mailbox === undefined) return this.totalCount;
    return this.boxes.get(mailbox)?.entries.size ?? 0;
  }

  bytes(mailbox?: string): number {
    if (mailbox === undefined) return this.totalBytes;
    return this.boxes.get(mailbox)?.bytes ?? 0;
  }

  inRange(from: RingId, to: RingId): RangeContents {
    const contents: RangeContents = { entries: [], tombstones: [] };
    for (const [mailbox, box] of this.boxes) {
      if (!betweenRightIncl(from, box.key, to)) continue;
      for (const [id, slot] of box.entries) contents.entries.push(entryOf(mailbox, id, slot));
      for (const [id, expiresAt] of box.tombstones) {
        const proof = box.proofs.get(id);
        contents.tombstones.push(proof ? { mailbox, id, expiresAt, proof } : { mailbox, id, expiresAt });
      }
    }
    return contents;
  }

  expired(now: number, limit: number): Entry[] {
    if (now < this.nextExpiry) return [];
    const found: Entry[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const [mailbox, box] of this.boxes) {
      for (const [id, slot] of box.entries) {
        next = Math.min(next, slot.expiresAt);
        if (slot.expiresAt <= now) found.push(entryOf(mailbox, id, slot));
      }
    }
    this.nextExpiry = next;
    found.sort((a, b) => a.expiresAt - b.expiresAt || compareEntries(a, b));
    return found.slice(0, limit);
  }

  sweepTombstones(now: number): number {
    let swept = 0;
    for (const [mailbox, box] of this.boxes) {
      for (const [id, expiresAt] of box.tombstones) {
        if (expiresAt > now) continue;
        box.tombstones.delete(id);
        box.proofs.delete(id);
        swept++;
      }
      this.forgetIfEmpty(mailbox, box);
    }
    return swept;
  }

  /** Room for size bytes in the current slab, starting a new one when it is full. */
  private reserve(size: number): number {
    if (this.slabUsed + size > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, size));
      this.slabUsed = 0;
    }
    this.slabUsed += size;
    return this.slabUsed - size;
  }

  private box(mailbox: string, create: boolean): Box | undefined {
    const found = this.boxes.get(mailbox);
    if (found || !create) return found;
    const box: Box = {
      key: mailboxKey(mailbox),
      entries: new Map(),
      tombstones: new Map(),
      proofs: new Map(),
      bytes: 0,
      sorted: true,
    };
    this.boxes.set(mailbox, box);
    return box;
  }

  private deleteEntry(box: Box, id: string): void {
    const slot = box.entries.get(id);
    if (!slot) return;
    const size = slot.size;
    box.entries.delete(id);
    box.bytes -= size;
    this.totalCount--;
    this.totalBytes -= size;
  }

  private sort(box: Box): void {
    if (box.sorted) return;
    const ordered = [...box.entries].sort(
      ([idA, a], [idB, b]) => a.storedAt - b.storedAt || (idA < idB ? -1 : idA > idB ? 1 : 0),
    );
    box.entries = new Map(ordered);
    box.sorted = true;
  }

  private forgetIfEmpty(mailbox: string, box: Box): void {
    if (box.entries.size === 0 && box.tombstones.size === 0) this.boxes.delete(mailbox);
  }
}

/** An Entry over a slot; the payload is parsed on first access and then kept on that object. */
function entryOf(mailbox: string, id: string, slot: Slot): Entry {
  const { storedAt, expiresAt, slab, start, size } = slot;
  let parsed: Envelope | Nack | undefined;
  const payload = () => {
    parsed ??= JSON.parse(slab.toString("latin1", start, start + size)) as Envelope | Nack;
    return parsed;
  };
  if (slot.nack)
    return {
      kind: "nack",
      mailbox,
      id,
      storedAt,
      expiresAt,
      get nack() {
        return payload() as Nack;
      },
    };
  return {
    kind: "msg",
    mailbox,
    id,
    storedAt,
    expiresAt,
    get envelope() {
      return payload() as Envelope;
    },
  };
}
