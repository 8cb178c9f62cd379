import {
  decodeBody,
  encodeBody,
  generateIdentity,
  type Identity,
  mailboxAddress,
  type Nack,
  type OpenResult,
  open,
  seal,
} from "@wisp/lib";
import { describe, expect, it } from "vitest";
import { applyBatch, type Opened } from "../src/inbox";
import { ReceiptQueue } from "../src/receipts";
import { RecipientCache } from "../src/recipients";
import { emptyState, upsertContact } from "../src/state";
import { addOutgoing } from "../src/state/outgoing";

const alice = generateIdentity();
const bob = generateIdentity();

function sealed(from: Identity, to: Identity, body: Parameters<typeof encodeBody>[0]): Opened {
  const opened: OpenResult = open(to, seal(from, to.publicKey, encodeBody(body)));
  return { opened, body: opened.ok ? decodeBody(opened.body) : null };
}

describe("applyBatch", () => {
  it("adds texts, owes a receipt and a write for each (a redelivered one too), and no unchanged contact", () => {
    const text = sealed(alice, bob, { type: "text", text: "hi", sentAt: 1_000 });
    const known = upsertContact(emptyState(), alice.address, "Alice", 0);
    const first = applyBatch(known, [text], [], alice.address, 2_000);
    const id = text.opened.ok ? text.opened.id : "";
    expect(first.state.messages[alice.address].map((m) => m.text)).toEqual(["hi"]);
    expect(first.messageIds).toEqual([id]);
    // The chat is open and the sender known: the contact record does not change.
    expect(first.contacts).toEqual([]);
    expect(first.receipts).toEqual([{ peer: alice.address, id, read: false }]);

    const again = applyBatch(first.state, [text], [], alice.address, 3_000);
    expect(again.state).toBe(first.state);
    // Written again: an earlier write may have failed, and the acknowledgement waits for one.
    expect(again.messageIds).toEqual([id]);
    expect(again.receipts).toEqual([{ peer: alice.address, id, read: false }]);

    const stranger = applyBatch(emptyState(), [text], [], null, 2_000);
    expect(stranger.contacts).toEqual([alice.address]);
  });

  it("owes a read receipt, not a delivery receipt, for what arrives in the chat being read, and marks it read", () => {
    const older = sealed(alice, bob, { type: "text", text: "earlier", sentAt: 500 });
    const unread = applyBatch(emptyState(), [older], [], null, 1_000);
    const text = sealed(alice, bob, { type: "text", text: "hi", sentAt: 1_000 });
    const id = text.opened.ok ? text.opened.id : "";
    const olderId = older.opened.ok ? older.opened.id : "";
    const read = applyBatch(unread.state, [text], [], alice.address, 2_000, bob.address, alice.address);
    // The text of this batch and the one still unread from before: both read now, each once.
    expect(read.receipts).toEqual([
      { peer: alice.address, id, read: true },
      { peer: alice.address, id: olderId, read: true },
    ]);
    expect(read.state.messages[alice.address].every((m) => m.readSent)).toBe(true);
    expect(new Set(read.messageIds)).toEqual(new Set([id, olderId]));
    // Redelivered while still read: the read receipt goes again (the last one may have been lost).
    const again = applyBatch(read.state, [text], [], alice.address, 3_000, bob.address, alice.address);
    expect(again.receipts).toEqual([{ peer: alice.address, id, read: true }]);

    // Open but not being read (page hidden, or read receipts off): a delivery receipt only.
    const hidden = applyBatch(unread.state, [text], [], alice.address, 2_000, bob.address, null);
    expect(hidden.receipts).toEqual([{ peer: alice.address, id, read: false }]);
    expect(hidden.state.messages[alice.address].some((m) => m.readSent)).toBe(false);
  });

  it("applies receipts only from the message's recipient, and NACKs only to my messages to the mailbox they name", () => {
    let mine = addOutgoing(emptyState(), {
      id: "AAAAAAAAAAAAAAAAAAAAAA",
      peer: bob.address,
      text: "x",
      sentAt: 1,
    });
    mine = addOutgoing(mine, { id: "BBBBBBBBBBBBBBBBBBBBBA", peer: bob.address, text: "y", sentAt: 2 });
    mine = addOutgoing(mine, { id: "DDDDDDDDDDDDDDDDDDDDDA", peer: bob.address, text: "z", sentAt: 3 });
    const bobsMailbox = mailboxAddress(bob.publicKey);
    const fromBob = sealed(bob, alice, { type: "receipt", ids: ["AAAAAAAAAAAAAAAAAAAAAA"] });
    const fromCarol = sealed(generateIdentity(), alice, { type: "receipt", ids: ["BBBBBBBBBBBBBBBBBBBBBA"] });
    const nacks: Nack[] = [
      { id: "BBBBBBBBBBBBBBBBBBBBBA", to: bobsMailbox, expiredAt: 5 },
      { id: "CCCCCCCCCCCCCCCCCCCCCA", to: bobsMailbox, expiredAt: 5 },
      { id: "DDDDDDDDDDDDDDDDDDDDDA", to: mailboxAddress(alice.publicKey), expiredAt: 5 },
    ];
    const unreadable: Opened = { opened: { ok: false, reason: "bad tag" }, body: null };
    const effect = applyBatch(mine, [fromBob, fromCarol, unreadable], nacks, null, 10);
    const statuses = effect.state.messages[bob.address].map((m) => m.status);
    expect(statuses).toEqual(["delivered", "failed", "sending"]);
    expect(effect.messageIds).toEqual(["AAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBA"]);
    expect(effect.receipts).toEqual([]);
  });
});

describe("ReceiptQueue", () => {
  it("sends one receipt per sender of at most 256 ids, and keeps what no node took", async () => {
    const sent: { peer: string; ids: string[] }[] = [];
    let nodeTakes = false;
    const queue = new ReceiptQueue(async (peer, ids) => {
      sent.push({ peer, ids });
      return nodeTakes;
    });
    for (let i = 0; i < 300; i++) queue.add("alice", `id${i}`);
    queue.add("carol", "c1");
    await queue.flush();
    expect(sent.map((s) => [s.peer, s.ids.length])).toEqual([
      ["alice", 256],
      ["carol", 1],
    ]);
    nodeTakes = true;
    sent.length = 0;
    await queue.flush();
    const alicesIds = sent.filter((s) => s.peer === "alice").flatMap((s) => s.ids);
    expect(new Set(alicesIds).size).toBe(256);
    await queue.flush();
    expect(sent.filter((s) => s.peer === "alice").flatMap((s) => s.ids)).toHaveLength(300);
    sent.length = 0;
    await queue.flush();
    expect(sent).toEqual([]);
  });
});

describe("RecipientCache", () => {
  it("derives a peer's keys once and answers null for an address nothing can be sealed to", () => {
    const cache = new RecipientCache();
    const keys = cache.get(bob.address);
    expect(keys?.publicKey).toEqual(bob.publicKey);
    expect(cache.get(bob.address)).toBe(keys);
    expect(cache.get("not an address")).toBeNull();
    expect(cache.get("A".repeat(43))).toBeNull();
  });
});
