/**
 * A durable EntryStore (docs/storage.md): a MemoryEntryStore answers every read, and every mutation
 * is appended as one line to `<dir>/entries.log` before the call returns. Opening replays the log;
 * compaction rewrites it as a snapshot of the live state (temp file, fsync, atomic rename).
 */
import { closeSync, fsyncSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { RingId } from "@wisp/lib";
import type { Entry, EntryStore, ListResult, PutResult, RangeContents, Tombstone } from "./entry";
import { appendText, PRIVATE_DIR, PRIVATE_FILE, removeSnapshotTemp, writeSnapshot } from "./log-file";
import { encodeRecord, type LogRecord } from "./log-record";
import { replayLog } from "./log-replay";
import { MemoryEntryStore } from "./memory-store";
import type { AckProof } from "./proof";

export const LOG_FILE = "entries.log";
/** Bytes of a put line beyond its envelope, and of a tombstone line: close enough to size the log. */
const PUT_LINE_OVERHEAD = 200;
const TOMB_LINE_ESTIMATE = 150;

export interface LogStoreOptions {
  /** The log is fsynced this often when it has new lines; 0 fsyncs after every append. */
  fsyncIntervalMs: number;
  /** Compaction never runs on a log smaller than this. */
  minCompactBytes: number;
  /** Compaction runs once the garbage in the log exceeds this many times the live state. */
  garbageRatio: number;
}

const DEFAULT_LOG_STORE_OPTIONS: LogStoreOptions = {
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
  private closed = false;
  private nextCheckAt = 0;
  /** Bytes of the log that a compaction would drop: counted as mutations free them, re-measured now and then. */
  private garbage = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private counters: LogStoreStats;

  static open(dir: string, options: Partial<LogStoreOptions> = {}): LogEntryStore {
    const path = resolve(dir, LOG_FILE);
    if (openPaths.has(path)) throw new Error(`${path} is already open in this process`);
    mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR });
    removeSnapshotTemp(path);
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
    if (clean) this.fd = openSync(path, "a", PRIVATE_FILE);
    if (clean) this.remeasure();
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

  remove(
    mailbox: string,
    ids: readonly string[],
    fallbackExpiresAt: number,
    options: { proof?: AckProof; keepMs?: number } = {},
  ): Tombstone[] {
    this.assertOpen();
    let written: Tombstone[] = [];
    const freed = this.freedBy(mailbox, () => {
      written = this.memory.remove(mailbox, ids, fallbackExpiresAt, options);
    });
    if (written.length > 0)
      this.append(
        written.map((tombstone) => ({ op: "tomb", tombstone })),
        freed,
      );
    return written;
  }

  putTombstone(tombstone: Tombstone): void {
    this.assertOpen();
    const { mailbox, id, expiresAt, proof } = tombstone;
    const freed = this.freedBy(mailbox, () => this.memory.putTombstone(tombstone));
    this.append(
      [{ op: "tomb", tombstone: proof ? { mailbox, id, expiresAt, proof } : { mailbox, id, expiresAt } }],
      freed,
    );
  }

  drop(mailbox: string, ids: readonly string[]): void {
    this.assertOpen();
    if (ids.length === 0) return;
    const freed = this.freedBy(mailbox, () => this.memory.drop(mailbox, ids));
    this.append([{ op: "drop", mailbox, ids: [...ids] }], freed, true);
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
    if (swept > 0) this.append([{ op: "sweep", now }], swept * TOMB_LINE_ESTIMATE, true);
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
    if (this.closed) return;
    this.closed = true;
    openPaths.delete(this.path);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const fd = this.fd;
    this.fd = null;
    if (fd === null) return;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Rewrites the log as the live state: a temp file, fsynced, renamed over the log. */
  compact(): void {
    if (this.closed) throw new Error(`the entry log ${this.path} is closed`);
    const { entries, tombstones } = this.memory.inRange(0n, 0n);
    const written = writeSnapshot(this.path, [
      ...entries.map((entry): LogRecord => ({ op: "put", entry })),
      ...tombstones.map((tombstone): LogRecord => ({ op: "tomb", tombstone })),
    ]);
    const replaced = this.fd;
    this.fd = null;
    if (replaced !== null) closeSync(replaced);
    this.fd = openSync(this.path, "a", PRIVATE_FILE);
    this.dirty = false;
    this.counters.logBytes = written;
    this.counters.compactions++;
    this.garbage = 0;
    this.nextCheckAt = written + Math.max(this.options.minCompactBytes, written);
  }

  private assertOpen(): void {
    if (this.fd === null) throw new Error(`the entry log ${this.path} is closed`);
  }

  /**
   * freed: bytes of earlier lines this mutation made garbage; selfGarbage: the appended lines
   * themselves (drop, sweep) are gone after the next compaction.
   */
  private append(records: LogRecord[], freed = 0, selfGarbage = false): void {
    const fd = this.fd;
    if (fd === null) throw new Error(`the entry log ${this.path} is closed`);
    const written = appendText(fd, records.map(encodeRecord).join(""), this.counters.logBytes);
    this.counters.logBytes += written;
    this.garbage += freed + (selfGarbage ? written : 0);
    if (this.options.fsyncIntervalMs === 0) fsyncSync(fd);
    else this.dirty = true;
    if (this.counters.logBytes >= this.nextCheckAt) this.remeasure();
    else this.compactIfWasteful();
  }

  /**
   * The running count misses tombstones that replace tombstones; walking every entry corrects it,
   * done only each time the log has grown by the size of the live state again.
   */
  private remeasure(): void {
    const live = this.liveBytesEstimate();
    const { logBytes } = this.counters;
    this.garbage = Math.max(0, logBytes - live);
    this.nextCheckAt = logBytes + Math.max(this.options.minCompactBytes, live);
    this.compactIfWasteful();
  }

  private compactIfWasteful(): void {
    const { logBytes } = this.counters;
    if (logBytes < this.options.minCompactBytes) return;
    if (this.garbage <= this.options.garbageRatio * (logBytes - this.garbage)) return;
    try {
      this.compact();
    } catch {
      this.counters.compactionFailures++;
      removeSnapshotTemp(this.path);
      this.garbage = 0; // no retry on every append; the next remeasure finds the garbage again
    }
  }

  /** The log bytes of the entries that mutate deletes from mailbox, from the store's own counts. */
  private freedBy(mailbox: string, mutate: () => void): number {
    const count = this.memory.count(mailbox);
    const bytes = this.memory.bytes(mailbox);
    mutate();
    const lines = count - this.memory.count(mailbox);
    return bytes - this.memory.bytes(mailbox) + lines * PUT_LINE_OVERHEAD;
  }

  private liveBytesEstimate(): number {
    const { tombstones } = this.memory.inRange(0n, 0n);
    const puts = this.memory.bytes() + this.memory.count() * PUT_LINE_OVERHEAD;
    return puts + tombstones.length * TOMB_LINE_ESTIMATE;
  }

  private flushQuietly(): void {
    try {
      this.flush();
    } catch {
      this.counters.fsyncFailures++;
    }
  }
}
