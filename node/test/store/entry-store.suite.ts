/** The EntryStore contract, run over every implementation (STYLE habit 3). */
import { fromB64u, idFromBytes, RING_SIZE } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import { type EntryStore, entrySize, mailboxKey } from "../../src/store/entry";
import { mailboxOf, messageEntry, nackEntry } from "./fixtures";

export function entryStoreSuite(name: string, create: () => EntryStore): void {
  describe(`EntryStore contract: ${name}`, () => {
    const box = mailboxOf(1);
    const other = mailboxOf(2);

    it("stores an entry once; the same id again changes nothing and answers the first expiry", () => {
      const store = create();
      const first = messageEntry(box, 100, 1_000);
      expect(store.put(first)).toEqual({ created: true, expiresAt: 1_100 });
      const again = { ...first, storedAt: 500, expiresAt: 1_500 };
      expect(store.put(again)).toEqual({ created: false, expiresAt: 1_100 });
      expect(store.get(box, first.id)).toEqual(first);
      expect(store.count(box)).toBe(1);
      expect(store.count()).toBe(1);
    });

    it("lists oldest first with a limit, skipping expired entries", () => {
      const store = create();
      const entries = [
        messageEntry(box, 30),
        nackEntry(box, 10),
        messageEntry(box, 20),
        messageEntry(box, 1, 5),
      ];
      for (const entry of entries) store.put(entry);
      store.put(messageEntry(other, 5));
      const page = store.list(box, { limit: 2, now: 50 });
      expect(page.entries.map((e) => e.storedAt)).toEqual([10, 20]);
      expect(page.more).toBe(true);
      const all = store.list(box, { limit: 10, now: 50 });
      expect(all.entries.map((e) => e.storedAt)).toEqual([10, 20, 30]);
      expect(all.more).toBe(false);
      expect(store.list(mailboxOf(3), { limit: 10, now: 0 })).toEqual({ entries: [], more: false });
    });

    it("a removed id leaves a tombstone that refuses the same id until it expires", () => {
      const store = create();
      const entry = messageEntry(box, 100, 1_000);
      store.put(entry);
      expect(store.remove(box, [entry.id], 9_999)).toEqual([
        { mailbox: box, id: entry.id, expiresAt: 1_100 },
      ]);
      expect(store.get(box, entry.id)).toBeUndefined();
      expect(store.count(box)).toBe(0);
      expect(store.put(entry)).toEqual({ created: false, expiresAt: 1_100 });
      expect(store.count()).toBe(0);
      expect(store.sweepTombstones(1_099)).toBe(0);
      expect(store.sweepTombstones(1_100)).toBe(1);
      expect(store.put(entry).created).toBe(true);
    });

    it("removing an unknown id tombstones it until the fallback expiry", () => {
      const store = create();
      const entry = messageEntry(box, 100);
      expect(store.remove(box, [entry.id], 5_000)).toEqual([
        { mailbox: box, id: entry.id, expiresAt: 5_000 },
      ]);
      expect(store.put(entry)).toEqual({ created: false, expiresAt: 5_000 });
    });

    it("a tombstone from another node deletes the entry and keeps the later expiry", () => {
      const store = create();
      const entry = messageEntry(box, 100, 1_000);
      store.put(entry);
      store.putTombstone({ mailbox: box, id: entry.id, expiresAt: 2_000 });
      store.putTombstone({ mailbox: box, id: entry.id, expiresAt: 1_500 });
      expect(store.count()).toBe(0);
      expect(store.bytes()).toBe(0);
      expect(store.sweepTombstones(1_999)).toBe(0);
      expect(store.sweepTombstones(2_000)).toBe(1);
    });

    it("drop forgets entries and tombstones without a trace", () => {
      const store = create();
      const kept = messageEntry(box, 1);
      const dropped = messageEntry(box, 2);
      const acked = messageEntry(box, 3);
      for (const entry of [kept, dropped, acked]) store.put(entry);
      store.remove(box, [acked.id], 0);
      store.drop(box, [dropped.id, acked.id]);
      expect(store.count(box)).toBe(1);
      expect(store.put(dropped).created).toBe(true);
      expect(store.put(acked).created).toBe(true);
      store.drop(mailboxOf(77), ["nothing"]);
    });

    it("counts entries and bytes per mailbox and in total", () => {
      const store = create();
      const a = messageEntry(box, 1, 1_000, 100);
      const b = nackEntry(box, 2);
      const c = messageEntry(other, 3, 1_000, 1_000);
      for (const entry of [a, b, c]) store.put(entry);
      expect(store.count(box)).toBe(2);
      expect(store.count(other)).toBe(1);
      expect(store.count()).toBe(3);
      expect(store.bytes(box)).toBe(entrySize(a) + entrySize(b));
      expect(store.bytes()).toBe(entrySize(a) + entrySize(b) + entrySize(c));
      store.remove(box, [a.id], 0);
      expect(store.bytes(box)).toBe(entrySize(b));
      expect(store.bytes()).toBe(entrySize(b) + entrySize(c));
      expect(store.count(mailboxOf(50))).toBe(0);
      expect(store.bytes(mailboxOf(50))).toBe(0);
    });

    it("finds entries and tombstones by ring interval (from, to], wrapping around", () => {
      const store = create();
      const mailboxes = [10, 20, 30, 40].map(mailboxOf);
      const keys = mailboxes.map(mailboxKey);
      const entries = mailboxes.map((m, i) => messageEntry(m, i));
      for (const entry of entries) store.put(entry);
      store.remove(mailboxes[3], [entries[3].id], 0);
      const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const inside = store.inRange(sorted[0], sorted[2]);
      expect(inside.entries.length + inside.tombstones.length).toBe(2);
      const wrapped = store.inRange(sorted[2], sorted[0]);
      expect(wrapped.entries.length + wrapped.tombstones.length).toBe(2);
      const whole = store.inRange(sorted[1], sorted[1]);
      expect(whole.entries).toHaveLength(3);
      expect(whole.tombstones).toEqual([{ mailbox: mailboxes[3], id: entries[3].id, expiresAt: 1_003 }]);
      const bytes = fromB64u(mailboxes[0])!;
      expect(mailboxKey(mailboxes[0])).toBe(idFromBytes(bytes));
      expect(keys.every((k) => k < RING_SIZE)).toBe(true);
    });

    it("lists expired entries, earliest expiry first, without removing them", () => {
      const store = create();
      const late = messageEntry(box, 0, 300);
      const early = nackEntry(other, 0, 100);
      const alive = messageEntry(box, 0, 1_000);
      for (const entry of [late, early, alive]) store.put(entry);
      expect(store.expired(99, 10)).toEqual([]);
      expect(store.expired(300, 10)).toEqual([early, late]);
      expect(store.expired(300, 1)).toEqual([early]);
      expect(store.count()).toBe(3);
    });

    it("rejects a malformed mailbox loudly (our own code's misuse)", () => {
      const store = create();
      const entry = messageEntry(box, 0);
      expect(() => store.put({ ...entry, mailbox: "short" })).toThrow(/mailbox expected 32 bytes/);
    });
  });
}
