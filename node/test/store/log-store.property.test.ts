import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Entry } from "../../src/store/entry";
import type { LogEntryStore } from "../../src/store/log-store";
import { MemoryEntryStore } from "../../src/store/memory-store";
import { mailboxOf, messageEntry } from "./fixtures";
import { closeAll, freshDir, open, reopen, stateOf } from "./log-store-fixtures";

afterEach(closeAll);

const BOXES = [0, 1, 2].map((i) => mailboxOf(900 + i));
const idOf = (n: number) => `id-${n}`;

function entryWith(box: number, n: number, storedAt: number, ttl: number): Entry {
  const entry = messageEntry(BOXES[box], storedAt, ttl);
  if (entry.kind !== "msg") throw new Error("messageEntry made a NACK");
  return { ...entry, id: idOf(n), envelope: { ...entry.envelope, id: idOf(n) } };
}

const box = fc.integer({ min: 0, max: 2 });
const n = fc.integer({ min: 0, max: 7 });
const time = fc.integer({ min: 0, max: 300 });
const ids = fc.uniqueArray(n, { maxLength: 3 }).map((ns) => ns.map(idOf));
const operation = fc.oneof(
  fc.record({
    op: fc.constant("put" as const),
    box,
    n,
    storedAt: time,
    ttl: fc.integer({ min: 1, max: 200 }),
  }),
  fc.record({ op: fc.constant("remove" as const), box, ids, fallback: time }),
  fc.record({ op: fc.constant("tomb" as const), box, n, expiresAt: time }),
  fc.record({ op: fc.constant("drop" as const), box, ids }),
  fc.record({ op: fc.constant("sweep" as const), now: time }),
  fc.constant({ op: "reopen" as const }),
  fc.constant({ op: "compact" as const }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function run(model: MemoryEntryStore, store: LogEntryStore, o: Operation): LogEntryStore {
  switch (o.op) {
    case "put": {
      const entry = entryWith(o.box, o.n, o.storedAt, o.ttl);
      expect(store.put(entry)).toEqual(model.put(entry));
      return store;
    }
    case "remove":
      expect(store.remove(BOXES[o.box], o.ids, o.fallback)).toEqual(
        model.remove(BOXES[o.box], o.ids, o.fallback),
      );
      return store;
    case "tomb": {
      const tombstone = { mailbox: BOXES[o.box], id: idOf(o.n), expiresAt: o.expiresAt };
      model.putTombstone(tombstone);
      store.putTombstone(tombstone);
      return store;
    }
    case "drop":
      model.drop(BOXES[o.box], o.ids);
      store.drop(BOXES[o.box], o.ids);
      return store;
    case "sweep":
      expect(store.sweepTombstones(o.now)).toBe(model.sweepTombstones(o.now));
      return store;
    case "reopen":
      return reopen(store, { minCompactBytes: 2_000 });
    case "compact":
      store.compact();
      return store;
  }
}

describe("LogEntryStore against the memory store, property-based", () => {
  it("any sequence of mutations, restarts and compactions leaves the state the memory store has", () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 40 }), (operations) => {
        const model = new MemoryEntryStore();
        let store = open(freshDir(), { minCompactBytes: 2_000 });
        for (const o of operations) store = run(model, store, o);
        store = reopen(store);
        expect(stateOf(store)).toEqual(stateOf(model));
        for (const mailbox of BOXES) {
          expect(store.list(mailbox, { limit: 4, now: 100 })).toEqual(
            model.list(mailbox, { limit: 4, now: 100 }),
          );
        }
        expect(store.expired(150, 100)).toEqual(model.expired(150, 100));
        store.close();
      }),
      { numRuns: 60 },
    );
  });
});
