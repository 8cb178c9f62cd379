/**
 * A durable EntryStore (docs/storage.md): a MemoryEntryStore answers every read, and every mutation
 * is appended as one line to `<dir>/entries.log` before the call returns. Opening replays the log;
 * compaction rewrites it as a snapshot of the live state (temp file, fsync, atomic rename).
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import type { RingId } from "@wisp/lib";
import {
  type Entry,
  type EntryStore,
  entrySize,
  type ListResult,
  type PutResult,
  type RangeContents,
  type Tombstone,
} from "./entry";
import { encodeRecord, LOG_VERSION, type LogRecord } from "./log-record";
import { replayLog } from "./log-replay";
import { MemoryEntryStore } from "./memory-store";

export const LOG_FILE = "entries.log";
const TEMP_SUFFIX = ".compacting";
const WRITE_CHUNK_CHARS = 1 << 20;
/** Bytes of a put (tombstone) line beyond its envelope (mailbox and id): close enough to size the log. */
const PUT_LINE_OVERHEAD = 130;
const TOMB_LINE_OVERHEAD = 85;

export interface LogStoreOptions {
  /** The log is fsynced this often when it has new lines; 0 fsyncs after every append. */
  fsyncIntervalMs: number;
  /** Compaction never runs on a log smaller than this. */
  minCompactBytes: number;
  /** Compaction runs once the garbage in the log exceeds this many times the live state. */
  garbageRatio: number;
}

export const DEFAULT_LOG_STORE_OPTIONS: LogStoreOptions = {
  fsyncIntervalMs: 1_000,
  minCompactBytes: 1 << 20,
  garbageRatio: 2,
};

export interface LogStoreStats {
  logBytes: number;
  /** Lines applied on open. */
  replayed: number;
  /** Corrupt lines skipped on open (bad checksum, bad JSON, bad shape). */
  skipped: number;
  /** The log ended in a partial line on open, as a crash mid-append leaves it. */
  tornTail: boolean;
  compactions: number;
  compactionFailures: number;
  fsyncFailures: number;
}

/** Two stores appending to one file would interleave their lines; refuse it within one process. */
const openPaths = new Set<string>();

export class LogEntryStore implements EntryStore {
  private fd: number | null = null;
  private dirty = false;
  private nextCheckAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private counters: LogStoreStats;

  static open(dir: string, options: Partial<LogStoreOptions> = {}): LogEntryStore {
    const path = resolve(dir, LOG_FILE);
    if (openPaths.has(path)) throw new Error(`${path} is already open in this process`);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path + TEMP_SUFFIX, { force: true });
    const memory = new MemoryEntryStore();
    const replay = replayLog(path, memory);
    const store = new LogEntryStore(path, memory, { ...DEFAULT_LOG_STORE_OPTIONS, ...options }, replay);
    openPaths.add(path);
    return store;
  }

  private constructor(
    readonly path: string,
    private memory: MemoryEntryStore,
    private options: LogStoreOptions,
    replay: { bytes: number; replayed: number; skipped: number; tornTail: boolean; header: boolean },
  ) {
    this.counters = {
      logBytes: replay.bytes,
      replayed: replay.replayed,
      skipped: replay.skipped,
      tornTail: replay.tornTail,
      compactions: 0,
      compactionFailures: 0,
      fsyncFailures: 0,
    };
    // A torn tail must go before the next append lands behind it; a rewrite also drops the garbage.
    const clean = replay.header && replay.skipped === 0 && !replay.tornTail;
    if (clean) this.fd = openSync(path, "a");
    if (clean) this.maybeCompact();
    else this.compact();
    if (options.fsyncIntervalMs > 0) {
      this.timer = setInterval(() => this.flushQuietly(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  get stats(): LogStoreStats {
    return { ...this.counters };
  }

  put(entry: Entry): PutResult {
    this.assertOpen();
    const result = this.memory.put(entry);
    if (!result.created) return result;
    try {
      this.append([{ op: "put", entry }]);
    } catch (error) {
      this.memory.drop(entry.mailbox, [entry.id]);
      throw error;
    }
    return result;
  }

  get(mailbox: string, id: string): Entry | undefined {
    return this.memory.get(mailbox, id);
  }

  list(mailbox: string, options: { limit: number; now: number }): ListResult {
    return this.memory.list(mailbox, options);
  }

  remove(mailbox: string, ids: readonly string[], fallbackExpiresAt: number): Tombstone[] {
    this.assertOpen();
    const written = this.memory.remove(mailbox, ids, fallbackExpiresAt);
    if (written.length > 0) this.append(written.map((tombstone) => ({ op: "tomb", tombstone })));
    return written;
  }

  putTombstone(tombstone: Tombstone): void {
    this.assertOpen();
    this.memory.putTombstone(tombstone);
    const { mailbox, id, expiresAt } = tombstone;
    this.append([{ op: "tomb", tombstone: { mailbox, id, expiresAt } }]);
  }

  drop(mailbox: string, ids: readonly string[]): void {
    this.assertOpen();
    if (ids.length === 0) return;
    this.memory.drop(mailbox, ids);
    this.append([{ op: "drop", mailbox, ids: [...ids] }]);
  }

  count(mailbox?: string): number {
    return this.memory.count(mailbox);
  }

  bytes(mailbox?: string): number {
    return this.memory.bytes(mailbox);
  }

  inRange(from: RingId, to: RingId): RangeContents {
    return this.memory.inRange(from, to);
  }

  expired(now: number, limit: number): Entry[] {
    return this.memory.expired(now, limit);
  }

  sweepTombstones(now: number): number {
    this.assertOpen();
    const swept = this.memory.sweepTombstones(now);
    if (swept > 0) this.append([{ op: "sweep", now }]);
    return swept;
  }

  /** fsyncs what was appended since the last fsync. */
  flush(): void {
    if (this.fd === null || !this.dirty) return;
    fsyncSync(this.fd);
    this.dirty = false;
  }

  /** fsyncs and closes the log; reads still answer from memory, writes throw. Safe to call twice. */
  close(): void {
    if (this.fd === null) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
      this.fd = null;
      openPaths.delete(this.path);
    }
  }

  /** Rewrites the log as the live state: a temp file, fsynced, renamed over the log. */
  compact(): void {
    const temp = this.path + TEMP_SUFFIX;
    const fd = openSync(temp, "w");
    let written = 0;
    try {
      let chunk = encodeRecord({ op: "header", v: LOG_VERSION });
      const { entries, tombstones } = this.memory.inRange(0n, 0n);
      const records: Iterable<LogRecord> = [
        ...entries.map((entry): LogRecord => ({ op: "put", entry })),
        ...tombstones.map((tombstone): LogRecord => ({ op: "tomb", tombstone })),
      ];
      for (const record of records) {
        chunk += encodeRecord(record);
        if (chunk.length < WRITE_CHUNK_CHARS) continue;
        written += writeAll(fd, chunk);
        chunk = "";
      }
      written += writeAll(fd, chunk);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    fsyncDirectory(dirname(this.path));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = openSync(this.path, "a");
    this.dirty = false;
    this.counters.logBytes = written;
    this.counters.compactions++;
    this.nextCheckAt = written + Math.max(this.options.minCompactBytes, written);
  }

  private assertOpen(): void {
    if (this.fd === null) throw new Error(`the entry log ${this.path} is closed`);
  }

  private append(records: LogRecord[]): void {
    const fd = this.fd;
    if (fd === null) throw new Error(`the entry log ${this.path} is closed`);
    const before = this.counters.logBytes;
    try {
      this.counters.logBytes += writeAll(fd, records.map(encodeRecord).join(""));
    } catch (error) {
      cutBack(fd, before);
      throw error;
    }
    if (this.options.fsyncIntervalMs === 0) fsyncSync(fd);
    else this.dirty = true;
    if (this.counters.logBytes >= this.nextCheckAt) this.maybeCompact();
  }

  /** Sizing the live state walks every entry: done only each time the log grew by that size again. */
  private maybeCompact(): void {
    const live = this.liveBytesEstimate();
    const { logBytes } = this.counters;
    if (logBytes >= this.options.minCompactBytes && logBytes - live > this.options.garbageRatio * live) {
      try {
        this.compact();
        return;
      } catch {
        this.counters.compactionFailures++;
        rmSync(this.path + TEMP_SUFFIX, { force: true });
      }
    }
    this.nextCheckAt = logBytes + Math.max(this.options.minCompactBytes, live);
  }

  private liveBytesEstimate(): number {
    const { entries, tombstones } = this.memory.inRange(0n, 0n);
    let bytes = 0;
    for (const e of entries) bytes += PUT_LINE_OVERHEAD + e.mailbox.length + e.id.length + entrySize(e);
    for (const t of tombstones) bytes += TOMB_LINE_OVERHEAD + t.mailbox.length + t.id.length;
    return bytes;
  }

  private flushQuietly(): void {
    try {
      this.flush();
    } catch {
      this.counters.fsyncFailures++;
    }
  }
}

function writeAll(fd: number, text: string): number {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    const n = writeSync(fd, bytes, offset);
    if (n <= 0)
      throw new Error(`write to the entry log made no progress at byte ${offset} of ${bytes.length}`);
    offset += n;
  }
  return bytes.length;
}

/** A partial line would swallow the next one on replay: cut it off again if the disk lets us. */
function cutBack(fd: number, length: number): void {
  try {
    ftruncateSync(fd, length);
  } catch {
    // the torn line is skipped on replay; the line after it may be lost with it
  }
}

/** Makes the rename itself durable (POSIX); not every platform can open a directory. */
function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // best effort: Windows cannot fsync a directory
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
