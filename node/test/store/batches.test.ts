import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replicateBatches } from "../../src/store/batches";
import type { Tombstone } from "../../src/store/entry";
import { MAX_BATCH_ITEMS } from "../../src/store/wire";
import { freshId, mailboxOf, messageEntry, nackEntry } from "./fixtures";

const BATCH_BYTES = 1024 * 1024;
const MAILBOX = mailboxOf(1);

function tombstones(count: number): Tombstone[] {
  return Array.from({ length: count }, () => ({ mailbox: MAILBOX, id: freshId(), expiresAt: 1_000 }));
}

describe("replicateBatches", () => {
  it("keeps every entry and tombstone in order, and no batch over the item or byte limit", () => {
    const entry = fc.oneof(
      fc.integer({ min: 112, max: 48_000 }).map((ct) => messageEntry(MAILBOX, 0, 1_000, ct)),
      fc.constant(null).map(() => nackEntry(MAILBOX, 0)),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 120 }), fc.nat({ max: 4_500 }), (entries, tombstoneCount) => {
        const dead = tombstones(tombstoneCount);
        const batches = replicateBatches(entries, dead);
        expect(batches.flatMap((batch) => batch.entries)).toEqual(entries);
        expect(batches.flatMap((batch) => batch.tombstones)).toEqual(dead);
        for (const batch of batches) {
          const items = batch.entries.length + batch.tombstones.length;
          expect(items).toBeGreaterThan(0);
          expect(items).toBeLessThanOrEqual(MAX_BATCH_ITEMS);
          const bytes =
            JSON.stringify(batch.entries).length +
            batch.tombstones.reduce((sum, t) => sum + JSON.stringify(t).length, 0);
          expect(bytes).toBeLessThanOrEqual(BATCH_BYTES);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("sends nothing for nothing", () => {
    expect(replicateBatches([], [])).toEqual([]);
  });
});
