import { type Envelope, fromB64u, mailboxAddress } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import {
  type ChatState,
  emptyState,
  findMessage,
  hydrate,
  MAX_AGE_MS,
  markRead,
  removeMessage,
  sortTime,
  upsertContact,
} from "../src/state";
import { chatList } from "../src/state/list";
import {
  addOutgoing,
  applyNack,
  applyReceipt,
  markRejected,
  markStored,
  pendingSends,
} from "../src/state/outgoing";
import { receiveText } from "../src/state/receive";

const ALICE = "A".repeat(43);
const BOB = `${"B".repeat(42)}A`;
const BOB_MAILBOX = mailboxAddress(fromB64u(BOB) as Uint8Array);
const CAROL = `${"C".repeat(42)}A`;
const T0 = 1_700_000_000_000;
const envelope = (id: string): Envelope => ({ v: 1, id, to: "t", nackTo: "n", eph: "e", ct: "c" });

function sent(state: ChatState, id: string, peer: string, at: number, text = `msg ${id}`): ChatState {
  return addOutgoing(state, { id, peer, text, sentAt: at, envelope: envelope(id) });
}

function got(state: ChatState, id: string, peer: string, at: number, open: string | null = null): ChatState {
  return receiveText(state, { id, peer, text: `msg ${id}`, sentAt: at, receivedAt: at }, open).state;
}

describe("delivery states", () => {
  it("goes from clock to one tick to two ticks", () => {
    let s = sent(emptyState(), "m1", BOB, T0);
    expect(findMessage(s, "m1")?.status).toBe("sending");
    expect(findMessage(s, "m1")?.envelope?.id).toBe("m1");
    s = markStored(s, "m1");
    expect(findMessage(s, "m1")?.status).toBe("stored");
    expect(findMessage(s, "m1")?.envelope).toBeUndefined();
    s = applyReceipt(s, BOB, ["m1"]);
    expect(findMessage(s, "m1")?.status).toBe("delivered");
  });

  it("never moves backwards: a late 201 after the receipt keeps two ticks", () => {
    let s = sent(emptyState(), "m1", BOB, T0);
    s = applyReceipt(s, BOB, ["m1"]);
    s = markStored(s, "m1");
    expect(findMessage(s, "m1")?.status).toBe("delivered");
  });

  it("ignores a receipt from someone other than the recipient", () => {
    let s = markStored(sent(emptyState(), "m1", BOB, T0), "m1");
    s = applyReceipt(s, CAROL, ["m1"]);
    expect(findMessage(s, "m1")?.status).toBe("stored");
  });

  it("ignores receipts for messages I received rather than sent, and unknown ids", () => {
    let s = got(emptyState(), "in1", BOB, T0);
    const before = s;
    s = applyReceipt(s, BOB, ["in1", "nope"]);
    expect(s).toBe(before);
    expect(findMessage(s, "in1")?.status).toBeUndefined();
  });

  it("turns red on a NACK and keeps the expiry time", () => {
    let s = markStored(sent(emptyState(), "m1", BOB, T0), "m1");
    s = applyNack(s, "m1", BOB_MAILBOX, T0 + MAX_AGE_MS);
    const m = findMessage(s, "m1");
    expect(m?.status).toBe("failed");
    expect(m?.expiredAt).toBe(T0 + MAX_AGE_MS);
  });

  it("keeps two ticks when a NACK comes after the receipt, and a receipt after a NACK wins", () => {
    let s = markStored(sent(emptyState(), "m1", BOB, T0), "m1");
    s = applyNack(applyReceipt(s, BOB, ["m1"]), "m1", BOB_MAILBOX, T0 + 1);
    expect(findMessage(s, "m1")?.status).toBe("delivered");
    let t = markStored(sent(emptyState(), "m2", BOB, T0), "m2");
    t = applyReceipt(applyNack(t, "m2", BOB_MAILBOX, T0 + 1), BOB, ["m2"]);
    expect(findMessage(t, "m2")?.status).toBe("delivered");
    expect(findMessage(t, "m2")?.expiredAt).toBeUndefined();
  });

  it("ignores a NACK that names another mailbox than the message's recipient", () => {
    const s = markStored(sent(emptyState(), "m1", BOB, T0), "m1");
    expect(applyNack(s, "m1", mailboxAddress(fromB64u(CAROL) as Uint8Array), T0)).toBe(s);
    expect(findMessage(applyNack(s, "m1", BOB_MAILBOX, T0), "m1")?.status).toBe("failed");
  });

  it("ignores a NACK for an id it never sent", () => {
    const s = got(emptyState(), "in1", BOB, T0);
    expect(applyNack(s, "in1", BOB_MAILBOX, T0)).toBe(s);
    expect(applyNack(s, "zzz", BOB_MAILBOX, T0)).toBe(s);
  });

  it("marks a message the node refused for good as failed with the reason", () => {
    const s = markRejected(sent(emptyState(), "m1", BOB, T0), "m1", "envelope is 70000 bytes, limit 65536");
    expect(findMessage(s, "m1")).toMatchObject({
      status: "failed",
      error: "envelope is 70000 bytes, limit 65536",
    });
  });

  it("lists only unconfirmed messages with their envelope as pending, oldest first", () => {
    let s = sent(emptyState(), "m2", BOB, T0 + 2);
    s = sent(s, "m1", CAROL, T0 + 1);
    s = sent(s, "m3", BOB, T0 + 3);
    s = markStored(s, "m3");
    expect(pendingSends(s).map((m) => m.id)).toEqual(["m1", "m2"]);
  });

  it("removes a message for resend", () => {
    let s = applyNack(sent(emptyState(), "m1", BOB, T0), "m1", BOB_MAILBOX, T0);
    s = removeMessage(s, "m1");
    expect(findMessage(s, "m1")).toBeUndefined();
    expect(s.messages[BOB]).toEqual([]);
  });
});

describe("incoming messages", () => {
  it("opens a chat for an unknown sender, labelled by its address until named", () => {
    let s = got(emptyState(), "in1", CAROL, T0);
    expect(s.contacts[CAROL]).toMatchObject({ name: "", unread: 1 });
    expect(chatList(s)[0].title).toBe(CAROL);
    s = upsertContact(s, CAROL, "  Carol ", T0 + 5);
    expect(chatList(s)[0].title).toBe("Carol");
    expect(s.contacts[CAROL].unread).toBe(1);
  });

  it("deduplicates a message seen twice", () => {
    const first = receiveText(
      emptyState(),
      { id: "in1", peer: BOB, text: "hi", sentAt: T0, receivedAt: T0 },
      null,
    );
    expect(first.isNew).toBe(true);
    const again = receiveText(
      first.state,
      { id: "in1", peer: BOB, text: "hi", sentAt: T0, receivedAt: T0 + 9 },
      null,
    );
    expect(again.isNew).toBe(false);
    expect(again.state).toBe(first.state);
    expect(again.state.messages[BOB]).toHaveLength(1);
    expect(again.state.contacts[BOB].unread).toBe(1);
  });

  it("counts unread only for chats that are not open, and clears them when opened", () => {
    let s = got(emptyState(), "b1", BOB, T0);
    s = got(s, "b2", BOB, T0 + 1);
    s = got(s, "c1", CAROL, T0 + 2, CAROL);
    expect(s.contacts[BOB].unread).toBe(2);
    expect(s.contacts[CAROL].unread).toBe(0);
    s = markRead(s, BOB);
    expect(s.contacts[BOB].unread).toBe(0);
    expect(markRead(s, BOB)).toBe(s);
  });
});

describe("ordering", () => {
  it("sorts a conversation by time whatever the arrival order", () => {
    let s = got(emptyState(), "late", BOB, T0 + 300);
    s = sent(s, "mine", BOB, T0 + 200);
    s = receiveText(
      s,
      { id: "early", peer: BOB, text: "x", sentAt: T0 + 100, receivedAt: T0 + 400 },
      null,
    ).state;
    expect(s.messages[BOB].map((m) => m.id)).toEqual(["early", "mine", "late"]);
  });

  it("clamps a sender's clock to the possible window", () => {
    expect(sortTime(T0 + 60_000, T0)).toBe(T0);
    expect(sortTime(T0 - 10 * MAX_AGE_MS, T0)).toBe(T0 - MAX_AGE_MS);
    expect(sortTime(T0 - 5_000, T0)).toBe(T0 - 5_000);
    expect(sortTime(Number.NaN, T0)).toBe(T0);
  });

  it("lists chats newest first, contacts without messages by when they were added", () => {
    let s = upsertContact(emptyState(), ALICE, "Alice", T0 + 50);
    s = got(s, "b1", BOB, T0 + 10);
    s = sent(s, "c1", CAROL, T0 + 100);
    expect(chatList(s).map((c) => c.key)).toEqual([CAROL, ALICE, BOB]);
    s = got(s, "b2", BOB, T0 + 200);
    expect(chatList(s).map((c) => c.key)).toEqual([BOB, CAROL, ALICE]);
    expect(chatList(s)[0]).toMatchObject({ unread: 2, last: { id: "b2" } });
  });

  it("searches names, addresses and message text, case-insensitively", () => {
    let s = upsertContact(emptyState(), ALICE, "Alice", T0);
    s = upsertContact(s, BOB, "Bob", T0);
    s = receiveText(
      s,
      { id: "b1", peer: BOB, text: "Lunch tomorrow?", sentAt: T0, receivedAt: T0 },
      null,
    ).state;
    expect(chatList(s, "ALI").map((c) => c.title)).toEqual(["Alice"]);
    expect(chatList(s, "lunch").map((c) => c.title)).toEqual(["Bob"]);
    expect(chatList(s, "bbbb").map((c) => c.title)).toEqual(["Bob"]);
    expect(chatList(s, "zebra")).toEqual([]);
  });

  it("rebuilds the same state from storage in any order", () => {
    let s = upsertContact(emptyState(), BOB, "Bob", T0);
    s = got(s, "b1", BOB, T0 + 1);
    s = markStored(sent(s, "m1", BOB, T0 + 2), "m1");
    s = got(s, "c1", CAROL, T0 + 3);
    const messages = Object.values(s.messages).flat().reverse();
    const rebuilt = hydrate(Object.values(s.contacts), messages);
    expect(rebuilt.messages).toEqual(s.messages);
    expect(rebuilt.contacts).toEqual(s.contacts);
    expect(rebuilt.index).toEqual(s.index);
  });
});
