import { describe, expect, it } from "vitest";
import { type ChatState, emptyState, upsertContact } from "../src/state";
import { addOutgoing, markStored } from "../src/state/outgoing";
import { memoryStorage, type Storage } from "../src/storage";
import { WriteBatch } from "../src/write-batch";

const PEER = "A".repeat(43);

function counting(): Storage & { calls: { messages: string[]; contacts: string[] }[]; fail: boolean } {
  const inner = memoryStorage();
  const storage = {
    ...inner,
    calls: [] as { messages: string[]; contacts: string[] }[],
    fail: false,
    async putMany(...args: Parameters<Storage["putMany"]>) {
      storage.calls.push({ messages: args[0].map((m) => m.id), contacts: args[1].map((c) => c.address) });
      if (storage.fail) throw new Error("disk full");
      return inner.putMany(...args);
    },
  };
  return storage;
}

describe("WriteBatch", () => {
  it("writes what one turn asked for in one transaction, each record as the state holds it then", async () => {
    let state: ChatState = upsertContact(emptyState(), PEER, "Bob", 1);
    state = addOutgoing(state, { id: "m1", peer: PEER, text: "one", sentAt: 1 });
    state = addOutgoing(state, { id: "m2", peer: PEER, text: "two", sentAt: 2 });
    const storage = counting();
    const batch = new WriteBatch(storage, () => state);
    const first = batch.write(["m1"], [PEER]);
    const second = batch.write(["m2", "m1"], []);
    state = markStored(state, "m1");
    await Promise.all([first, second]);
    expect(storage.calls).toEqual([{ messages: ["m1", "m2"], contacts: [PEER] }]);
    const { messages } = await storage.loadAll();
    expect(messages.find((m) => m.id === "m1")?.status).toBe("stored");

    await batch.write(["m2"], []);
    expect(storage.calls).toHaveLength(2);
    expect(await batch.write([], [])).toBeUndefined();
    expect(storage.calls).toHaveLength(2);
  });

  it("tells every caller of a batch that failed, so nothing of it is acknowledged", async () => {
    const state = addOutgoing(emptyState(), { id: "m1", peer: PEER, text: "one", sentAt: 1 });
    const storage = counting();
    storage.fail = true;
    const batch = new WriteBatch(storage, () => state);
    const results = await Promise.allSettled([batch.write(["m1"], []), batch.write([], [PEER])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    storage.fail = false;
    await batch.write(["m1"], []);
    expect((await storage.loadAll()).messages.map((m) => m.id)).toEqual(["m1"]);
  });
});
