/** Splits what one node sends another (store.replicate, store.digest) below the item and byte limits. */
import { type Entry, entrySize, type Tombstone } from "./entry";
import { MAX_BATCH_ITEMS, type ReplicateRequest } from "./wire";

/** Bytes of entries in one store.replicate: well below the frame limit, so one batch never fails for its size. */
const BATCH_BYTES = 1024 * 1024;
/** A tombstone's JSON is at most this long (two b64u ids and a time). */
const TOMBSTONE_BYTES = 120;
/** An entry's JSON beyond its envelope or NACK: at most this (its kind, mailbox, id and times). */
const ENTRY_FIELD_BYTES = 256;

export function replicateBatches(
  entries: readonly Entry[],
  tombstones: readonly Tombstone[],
): ReplicateRequest[] {
  const out: ReplicateRequest[] = [];
  let current: ReplicateRequest = { t: "store.replicate", entries: [], tombstones: [] };
  let bytes = 0;
  const flushIfFull = (size: number) => {
    const items = current.entries.length + current.tombstones.length;
    if (items === 0 || (items < MAX_BATCH_ITEMS && bytes + size <= BATCH_BYTES)) return;
    out.push(current);
    current = { t: "store.replicate", entries: [], tombstones: [] };
    bytes = 0;
  };
  for (const entry of entries) {
    const size = entrySize(entry) + ENTRY_FIELD_BYTES;
    flushIfFull(size);
    current.entries.push(entry);
    bytes += size;
  }
  for (const tombstone of tombstones) {
    flushIfFull(TOMBSTONE_BYTES);
    current.tombstones.push(tombstone);
    bytes += TOMBSTONE_BYTES;
  }
  if (current.entries.length + current.tombstones.length > 0) out.push(current);
  return out;
}

/** A repair's contents as store.digest batches of at most MAX_BATCH_ITEMS items. */
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
