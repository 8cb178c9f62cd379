import type { Envelope } from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Entry } from "../../src/store/entry";
import { MemoryEntryStore } from "../../src/store/memory-store";
import { entryStoreSuite } from "./entry-store.suite";
import { mailboxOf, messageEntry } from "./fixtures";

entryStoreSuite("MemoryEntryStore", () => new MemoryEntryStore());

describe("MemoryEntryStore's envelope JSON", () => {
  it("gives back every envelope as it was put, base64url fields or not", () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom("Ab_-9", 'q"\\\n', "é"), (text, odd) => {
        const store = new MemoryEntryStore();
        const plain = messageEntry(mailboxOf(1), 1_000);
        const envelope = { ...(plain as { envelope: Envelope }).envelope, ct: `${odd}${text}` };
        const entry = { ...plain, envelope } as Entry;
        store.put(entry);
        const stored = store.get(entry.mailbox, entry.id) as { envelope: Envelope };
        expect(stored.envelope).toEqual(envelope);
        expect(JSON.stringify(stored.envelope)).toBe(JSON.stringify(envelope));
      }),
      { numRuns: 200 },
    );
  });
});
