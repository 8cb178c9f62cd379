import { appendFileSync, copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RingId } from "@wisp/lib";
import { afterEach, describe, expect, it } from "vitest";
import type { Entry, EntryStore, Tombstone } from "../../src/store/entry";
import { encodeRecord } from "../../src/store/log-record";
import { replayLog } from "../../src/store/log-replay";
import { LOG_FILE, LogEntryStore } from "../../src/store/log-store";
import { MemoryEntryStore } from "../../src/store/memory-store";
import { entryStoreSuite } from "./entry-store.suite";
import { mailboxOf, messageEntry } from "./fixtures";
import { closeAll, fill, freshDir, logSize, open, reopen, stateOf } from "./log-store-fixtures";

afterEach(closeAll);

/** Closes and replays the log before every read, so the whole contract also checks the replay. */
class ReopeningStore implements EntryStore {
  constructor(private store: LogEntryStore) {}
  private fresh(): LogEntryStore {
    this.store = reopen(this.store);
    return this.store;
  }
  put = (entry: Entry) => this.store.put(entry);
  remove = (mailbox: string, ids: readonly string[], fallback: number) =>
    this.store.remove(mailbox, ids, fallback);
  putTombstone = (tombstone: Tombstone) => this.store.putTombstone(tombstone);
  drop = (mailbox: string, ids: readonly string[]) => this.store.drop(mailbox, ids);
  sweepTombstones = (now: number) => this.store.sweepTombstones(now);
  get = (mailbox: string, id: string) => this.fresh().get(mailbox, id);
  list = (mailbox: string, options: { limit: number; now: number }) => this.fresh().list(mailbox, options);
  count = (mailbox?: string) => this.fresh().count(mailbox);
  bytes = (mailbox?: string) => this.fresh().bytes(mailbox);
  inRange = (from: RingId, to: RingId) => this.fresh().inRange(from, to);
  expired = (now: number, limit: number) => this.fresh().expired(now, limit);
}

entryStoreSuite("LogEntryStore", () => open(freshDir()));
entryStoreSuite("LogEntryStore, replayed before every read", () => new ReopeningStore(open(freshDir())));

describe("LogEntryStore on disk", () => {
  it("keeps entries and tombstones across a restart and forgets dropped and swept ones", () => {
    let store = open(freshDir(), { fsyncIntervalMs: 0 });
    const [kept, acked, dropped, fromPeer, swept] = fill(store, 5);
    store.remove(acked.mailbox, [acked.id], 0);
    store.drop(dropped.mailbox, [dropped.id]);
    store.putTombstone({ mailbox: fromPeer.mailbox, id: fromPeer.id, expiresAt: 50_000 });
    store.putTombstone({ mailbox: swept.mailbox, id: swept.id, expiresAt: 5 });
    expect(store.sweepTombstones(5)).toBe(1);
    const before = stateOf(store);

    store = reopen(store);
    expect(stateOf(store)).toEqual(before);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(store.get(kept.mailbox, kept.id)).toEqual(kept);
    expect(store.put(acked)).toEqual({ created: false, expiresAt: acked.expiresAt });
    expect(store.put(fromPeer)).toEqual({ created: false, expiresAt: 50_000 });
    expect(store.put(dropped).created).toBe(true);
    expect(store.put(swept).created).toBe(true);
    expect(store.stats).toMatchObject({ skipped: 0, tornTail: false });
  });

  it("still returns expired entries from expired() after a restart", () => {
    let store = open(freshDir());
    const expiring = messageEntry(mailboxOf(1), 0, 100);
    const alive = messageEntry(mailboxOf(1), 0, 10_000);
    store.put(expiring);
    store.put(alive);
    store = reopen(store);
    expect(store.expired(5_000, 10)).toEqual([expiring]);
    expect(store.list(mailboxOf(1), { limit: 10, now: 5_000 }).entries).toEqual([alive]);
  });

  it("survives a torn last line, and the next append after it is read back", () => {
    let store = open(freshDir());
    const entries = fill(store, 4);
    const before = stateOf(store);
    store.close();
    const torn = encodeRecord({ op: "put", entry: messageEntry(mailboxOf(3), 9) });
    appendFileSync(store.path, torn.slice(0, torn.length / 2));

    store = open(join(store.path, ".."));
    expect(store.stats).toMatchObject({ tornTail: true, skipped: 0, replayed: 4 });
    expect(stateOf(store)).toEqual(before);
    const after = messageEntry(mailboxOf(4), 10);
    store.put(after);
    store = reopen(store);
    expect(store.stats).toMatchObject({ tornTail: false, skipped: 0, replayed: entries.length + 1 });
    expect(store.get(after.mailbox, after.id)).toEqual(after);
  });

  it("skips a corrupt line in the middle and keeps every other record", () => {
    let store = open(freshDir());
    const entries = fill(store, 5);
    store.close();
    const lines = readFileSync(store.path, "utf8").split("\n");
    lines[3] = lines[3].replace('"storedAt":2', '"storedAt":7');
    lines.splice(4, 0, "not a record", "", "\u0000\u0000\u0000");
    writeFileSync(store.path, lines.join("\n"));

    store = open(join(store.path, ".."));
    expect(store.stats).toMatchObject({ skipped: 4, tornTail: false, replayed: 4 });
    const damaged = entries[2];
    expect(store.get(damaged.mailbox, damaged.id)).toBeUndefined();
    for (const entry of entries.filter((e) => e !== damaged))
      expect(store.get(entry.mailbox, entry.id)).toEqual(entry);
    store = reopen(store);
    expect(store.stats).toMatchObject({ skipped: 0, replayed: 4 });
  });

  it("opens a log cut at any byte without throwing, holding a prefix of the entries", () => {
    const store = open(freshDir());
    const entries = fill(store, 6);
    const data = readFileSync(store.path);
    for (let cut = 0; cut <= data.length; cut += Math.max(1, Math.floor(data.length / 60))) {
      const dir = freshDir();
      writeFileSync(join(dir, LOG_FILE), data.subarray(0, cut));
      const copy = open(dir);
      const held = entries.filter((e) => copy.get(e.mailbox, e.id));
      expect(held).toEqual(entries.slice(0, held.length));
      copy.close();
    }
  });

  it("replays alike in chunks of any size, and drops an overlong line without rescanning it", () => {
    const store = open(freshDir());
    fill(store, 8);
    store.remove(mailboxOf(2), [store.inRange(0n, 0n).entries[0].id], 0);
    const whole = new MemoryEntryStore();
    replayLog(store.path, whole);
    for (const chunkBytes of [1, 7, 100, 4_096]) {
      const chunked = new MemoryEntryStore();
      const result = replayLog(store.path, chunked, { chunkBytes, maxLineBytes: 1 << 20 });
      expect(result).toMatchObject({ skipped: 0, tornTail: false, header: true, replayed: 9 });
      expect(stateOf(chunked)).toEqual(stateOf(whole));
    }
    const lines = readFileSync(store.path, "utf8").split("\n");
    lines.splice(2, 0, "x".repeat(5_000));
    writeFileSync(store.path, lines.join("\n"));
    const result = replayLog(store.path, new MemoryEntryStore(), { chunkBytes: 64, maxLineBytes: 1_000 });
    expect(result).toMatchObject({ skipped: 1, tornTail: false, replayed: 9 });
    appendFileSync(store.path, "y".repeat(5_000));
    const torn = replayLog(store.path, new MemoryEntryStore(), { chunkBytes: 64, maxLineBytes: 1_000 });
    expect(torn).toMatchObject({ skipped: 2, tornTail: true, replayed: 9 });
  });

  it("a copy of the log taken while the store is open (as a crash leaves it) holds every write", () => {
    const store = open(freshDir(), { fsyncIntervalMs: 60_000 });
    fill(store, 10);
    store.remove(mailboxOf(1), [store.inRange(0n, 0n).entries[0].id], 0);
    const dir = freshDir();
    copyFileSync(store.path, join(dir, LOG_FILE));
    expect(stateOf(open(dir))).toEqual(stateOf(store));
  });

  it("compaction keeps the same state and shrinks the file", () => {
    let store = open(freshDir());
    const entries = fill(store, 60);
    const gone = entries.slice(0, 50);
    store.remove(mailboxOf(0), gone.map((e) => e.id).slice(0, 5), 0);
    for (const entry of gone) store.drop(entry.mailbox, [entry.id]);
    const before = stateOf(store);
    const grown = logSize(store);
    store.compact();
    expect(logSize(store)).toBeLessThan(grown / 3);
    expect(store.stats.logBytes).toBe(logSize(store));
    expect(stateOf(store)).toEqual(before);
    store = reopen(store);
    expect(stateOf(store)).toEqual(before);
  });

  it("compacts by itself while running, so churn keeps the log bounded", () => {
    const store = open(freshDir(), { minCompactBytes: 4_096 });
    const steady = fill(store, 5);
    for (let i = 0; i < 500; i++) {
      const entry = messageEntry(mailboxOf(i % 5), i);
      store.put(entry);
      store.drop(entry.mailbox, [entry.id]);
    }
    expect(store.stats.compactions).toBeGreaterThan(3);
    expect(logSize(store)).toBeLessThan(20_000);
    for (const entry of steady) expect(store.get(entry.mailbox, entry.id)).toEqual(entry);
    expect(stateOf(reopen(store, { minCompactBytes: 4_096 })).entries).toHaveLength(5);
  });

  it("compacts by itself when expiry drops most entries, with no new writes", () => {
    const store = open(freshDir(), { minCompactBytes: 4_096 });
    const entries = fill(store, 100);
    const before = store.stats.compactions;
    for (const entry of entries.slice(0, 80)) store.drop(entry.mailbox, [entry.id]);
    expect(store.stats.compactions).toBe(before + 1);
    expect(stateOf(reopen(store)).entries).toEqual(stateOf(store).entries);
  });

  it("compacts on open when the log is mostly garbage", () => {
    let store = open(freshDir(), { minCompactBytes: 1 << 30 });
    for (const entry of fill(store, 40)) store.drop(entry.mailbox, [entry.id]);
    const kept = fill(store, 1)[0];
    const grown = logSize(store);
    store = reopen(store, { minCompactBytes: 0 });
    expect(store.stats.compactions).toBe(1);
    expect(logSize(store)).toBeLessThan(grown / 10);
    expect(store.get(kept.mailbox, kept.id)).toEqual(kept);
  });

  it("refuses a second open of the same directory, writes after close, and a log of another version", () => {
    const dir = freshDir();
    const store = open(dir);
    expect(() => LogEntryStore.open(dir)).toThrow(/already open in this process/);
    store.close();
    store.close();
    expect(() => store.put(messageEntry(mailboxOf(1), 0))).toThrow(/is closed/);
    expect(() => store.compact()).toThrow(/is closed/);
    expect(store.count()).toBe(0);
    writeFileSync(join(dir, LOG_FILE), encodeRecord({ op: "header", v: 2 }));
    expect(() => LogEntryStore.open(dir)).toThrow(/entry log version 2; this node reads version 1/);
  });
});
