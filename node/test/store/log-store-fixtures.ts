/** Log stores opened in fresh directories for the log store's tests, and what they hold; closeAll cleans up. */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Entry, EntryStore } from "../../src/store/entry";
import { LogEntryStore, type LogStoreOptions } from "../../src/store/log-store";
import { mailboxOf, messageEntry, nackEntry } from "./fixtures";

const opened: LogEntryStore[] = [];
const dirs: string[] = [];

export function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "wisp-log-store-"));
  dirs.push(dir);
  return dir;
}

export function open(dir: string, options: Partial<LogStoreOptions> = {}): LogEntryStore {
  const store = LogEntryStore.open(dir, options);
  opened.push(store);
  return store;
}

export function reopen(store: LogEntryStore, options: Partial<LogStoreOptions> = {}): LogEntryStore {
  store.close();
  return open(join(store.path, ".."), options);
}

/** Closes every store opened here and removes their directories: each test file's afterEach. */
export function closeAll(): void {
  for (const store of opened.splice(0)) store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function stateOf(store: EntryStore) {
  const { entries, tombstones } = store.inRange(0n, 0n);
  const key = (item: { mailbox: string; id: string }) => `${item.mailbox}/${item.id}`;
  const byKey = (a: { mailbox: string; id: string }, b: { mailbox: string; id: string }) =>
    key(a) < key(b) ? -1 : 1;
  return { entries: [...entries].sort(byKey), tombstones: [...tombstones].sort(byKey), bytes: store.bytes() };
}

export function fill(store: EntryStore, n: number): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const entry = i % 3 === 0 ? nackEntry(mailboxOf(i % 7), i) : messageEntry(mailboxOf(i % 7), i, 10_000);
    store.put(entry);
    entries.push(entry);
  }
  return entries;
}

export function logSize(store: LogEntryStore): number {
  return statSync(store.path).size;
}
