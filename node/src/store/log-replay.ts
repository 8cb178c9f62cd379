/** Reads entries.log back into a store on open: torn tails and corrupt lines are counted, not fatal. */
import { closeSync, openSync, readSync } from "node:fs";
import type { EntryStore } from "./entry";
import { decodeRecord, LOG_VERSION, type LogRecord } from "./log-record";

export interface ReplayResult {
  bytes: number;
  replayed: number;
  skipped: number;
  tornTail: boolean;
  /** The log began with a header of our version (false for a missing or empty log). */
  header: boolean;
}

const NEWLINE = 0x0a;

export interface ReplayLimits {
  chunkBytes: number;
  /** A longer line is garbage: no record comes near it (a frame is at most 4 MiB). */
  maxLineBytes: number;
}

const LIMITS: ReplayLimits = { chunkBytes: 4 << 20, maxLineBytes: 16 << 20 };

export function replayLog(path: string, store: EntryStore, limits: ReplayLimits = LIMITS): ReplayResult {
  const result: ReplayResult = { bytes: 0, replayed: 0, skipped: 0, tornTail: false, header: false };
  let rest: Buffer = Buffer.alloc(0);
  let discarding = false;
  for (const chunk of chunksOf(path, limits.chunkBytes)) {
    result.bytes += chunk.length;
    const data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    if (discarding) {
      const end = data.indexOf(NEWLINE);
      if (end === -1) continue;
      start = end + 1;
      discarding = false;
    }
    for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
      applyLine(data.subarray(start, end), store, path, result);
      start = end + 1;
    }
    rest = Buffer.from(data.subarray(start));
    // The bytes up to the next newline are dropped as they come, not carried and rescanned per chunk.
    if (rest.length > limits.maxLineBytes) {
      result.skipped++;
      rest = Buffer.alloc(0);
      discarding = true;
    }
  }
  result.tornTail = rest.length > 0 || discarding;
  return result;
}

function applyLine(line: Uint8Array, store: EntryStore, path: string, result: ReplayResult): void {
  const decoded = decodeRecord(line);
  if (!decoded.ok || !apply(store, decoded.record, path)) {
    result.skipped++;
    return;
  }
  if (decoded.record.op === "header") result.header = true;
  else result.replayed++;
}

/** False when the store refused the record; a log of another version is a configuration error. */
function apply(store: EntryStore, record: LogRecord, path: string): boolean {
  if (record.op === "header" && record.v !== LOG_VERSION)
    throw new Error(`${path} is entry log version ${record.v}; this node reads version ${LOG_VERSION}`);
  try {
    switch (record.op) {
      case "header":
        return true;
      case "put":
        store.put(record.entry);
        return true;
      case "tomb":
        store.putTombstone(record.tombstone);
        return true;
      case "drop":
        store.drop(record.mailbox, record.ids);
        return true;
      case "sweep":
        store.sweepTombstones(record.now);
        return true;
    }
  } catch {
    return false;
  }
}

/** The log in chunks, so a log larger than one Buffer can hold is still read; none if it is missing. */
function* chunksOf(path: string, chunkBytes: number): Generator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) return;
      yield chunk.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
