/** Reads entries.log back into a store on open: torn tails and corrupt lines are counted, not fatal. */
import { readFileSync } from "node:fs";
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

export function replayLog(path: string, store: EntryStore): ReplayResult {
  const data = readIfExists(path);
  const result: ReplayResult = {
    bytes: data.length,
    replayed: 0,
    skipped: 0,
    tornTail: false,
    header: false,
  };
  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(NEWLINE, start);
    if (end === -1) {
      result.tornTail = true;
      break;
    }
    const decoded = decodeRecord(data.subarray(start, end));
    start = end + 1;
    if (!decoded.ok || !apply(store, decoded.record, path)) {
      result.skipped++;
      continue;
    }
    if (decoded.record.op === "header") result.header = true;
    else result.replayed++;
  }
  return result;
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

function readIfExists(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return Buffer.alloc(0);
    throw error;
  }
}
