/** EntryStore in memory: one small record per mailbox, kept in insertion order. */
import { betweenRightIncl, type RingId } from "@wisp/lib";
import {
  compareEntries,
  type Entry,
  type EntryStore,
  entrySize,
  type ListResult,
  mailboxKey,
  type PutResult,
  type RangeContents,
  type Tombstone,
} from "./entry";

interface Box {
  key: RingId;
  entries: Map<string, Entry>;
  tombstones: Map<string, number>;
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

  put(entry: Entry): PutResult {
    const box = this.box(entry.mailbox, true)!;
    const existing = box.entries.get(entry.id);
    if (existing) return { created: false, expiresAt: existing.expiresAt };
    const tombstone = box.tombstones.get(entry.id);
    if (tombstone !== undefined) return { created: false, expiresAt: tombstone };
    const size = entrySize(entry);
    box.entries.set(entry.id, entry);
    box.bytes += size;
    box.sorted = false;
    this.nextExpiry = Math.min(this.nextExpiry, entry.expiresAt);
    this.totalCount++;
    this.totalBytes += size;
    return { created: true, expiresAt: entry.expiresAt };
  }

  get(mailbox: string, id: string): Entry | undefined {
    return this.boxes.get(mailbox)?.entries.get(id);
  }

  list(mailbox: string, options: { limit: number; now: number }): ListResult {
    const box = this.boxes.get(mailbox);
    if (!box) return { entries: [], more: false };
    this.sort(box);
    const entries: Entry[] = [];
    for (const entry of box.entries.values()) {
      if (entry.expiresAt <= options.now) continue;
      if (entries.length === options.limit) return { entries, more: true };
      entries.push(entry);
    }
    return { entries, more: false };
  }

  remove(mailbox: string, ids: readonly string[], fallbackExpiresAt: number): Tombstone[] {
    const written: Tombstone[] = [];
    for (const id of ids) {
      const expiresAt = this.get(mailbox, id)?.expiresAt ?? fallbackExpiresAt;
      const tombstone = { mailbox, id, expiresAt };
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
  }

  drop(mailbox: string, ids: readonly string[]): void {
    const box = this.boxes.get(mailbox);
    if (!box) return;
    for (const id of ids) {
      this.deleteEntry(box, id);
      box.tombstones.delete(id);
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
      contents.entries.push(...box.entries.values());
      for (const [id, expiresAt] of box.tombstones) contents.tombstones.push({ mailbox, id, expiresAt });
    }
    return contents;
  }

  expired(now: number, limit: number): Entry[] {
    if (now < this.nextExpiry) return [];
    const found: Entry[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const box of this.boxes.values()) {
      for (const entry of box.entries.values()) {
        next = Math.min(next, entry.expiresAt);
        if (entry.expiresAt <= now) found.push(entry);
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
        swept++;
      }
      this.forgetIfEmpty(mailbox, box);
    }
    return swept;
  }

  private box(mailbox: string, create: boolean): Box | undefined {
    const found = this.boxes.get(mailbox);
    if (found || !create) return found;
    const box: Box = {
      key: mailboxKey(mailbox),
      entries: new Map(),
      tombstones: new Map(),
      bytes: 0,
      sorted: true,
    };
    this.boxes.set(mailbox, box);
    return box;
  }

  private deleteEntry(box: Box, id: string): void {
    const entry = box.entries.get(id);
    if (!entry) return;
    const size = entrySize(entry);
    box.entries.delete(id);
    box.bytes -= size;
    this.totalCount--;
    this.totalBytes -= size;
  }

  private sort(box: Box): void {
    if (box.sorted) return;
    const ordered = [...box.entries.values()].sort(compareEntries);
    box.entries = new Map(ordered.map((entry) => [entry.id, entry]));
    box.sorted = true;
  }

  private forgetIfEmpty(mailbox: string, box: Box): void {
    if (box.entries.size === 0 && box.tombstones.size === 0) this.boxes.delete(mailbox);
  }
}
