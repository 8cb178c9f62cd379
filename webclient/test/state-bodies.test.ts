import { type Body, type Envelope, generateIdentity } from "@wisp/lib";
import { describe, expect, it } from "vitest";
import { type ChatState, emptyState, findMessage, hydrate, upsertContact } from "../src/state";
import { deleteChat, deleteForMe, takeReadReceipts } from "../src/state/bodies";
import { chatList } from "../src/state/list";
import { addOutgoing, markStored } from "../src/state/outgoing";
import { type Arrival, receiveBody } from "../src/state/receive";

const ME = generateIdentity().address;
const BOB = generateIdentity().address;
const EVE = generateIdentity().address;
const T0 = 1_700_000_000_000;
const ID1 = "AAECAwQFBgcICQoLDA0ODw";
const ID2 = "EBESExQVFhcYGRobHB0eHw";
const ID3 = "ICEiIyQlJicoKSorLC0uLw";
const envelope = (id: string): Envelope => ({ v: 1, id, to: "t", nackTo: "n", eph: "e", ct: "c" });

function from(who: string, envelopeId: string, at = T0): Arrival {
  return { from: who, envelopeId, receivedAt: at, openChat: null, me: ME };
}

function apply(state: ChatState, body: Body, a: Arrival): ChatState {
  return receiveBody(state, body, a).state;
}

/** Bob wrote ID1 to me, I wrote ID2 to Bob. */
function chat(): ChatState {
  let s = upsertContact(emptyState(), BOB, "Bob", T0);
  s = apply(s, { type: "text", text: "hi", sentAt: T0 }, from(BOB, ID1));
  s = addOutgoing(s, { id: ID2, peer: BOB, text: "hello", sentAt: T0 + 1, envelope: envelope(ID2) });
  return markStored(s, ID2, T0 + 86_400_000);
}

describe("bodies applied to the chat model", () => {
  it("a text earns a delivery receipt, is stored once, and keeps its quote", () => {
    const s = chat();
    const reply = { id: ID2, snippet: "hello" };
    const r = receiveBody(s, { type: "text", text: "yes", sentAt: T0 + 2, reply }, from(BOB, ID3));
    expect(r.receipt).toBe(true);
    expect(findMessage(r.state, ID3)?.reply).toEqual(reply);
    const again = receiveBody(r.state, { type: "text", text: "yes", sentAt: T0 + 2, reply }, from(BOB, ID3));
    expect(again.state).toBe(r.state);
    expect(receiveBody(s, { type: "unknown", raw: { type: "x" } }, from(BOB, ID3))).toEqual({
      state: s,
      receipt: false,
    });
  });

  it("read receipts turn ticks blue, after or without the delivery receipt, only from the recipient", () => {
    const s = chat();
    expect(findMessage(apply(s, { type: "read", ids: [ID2] }, from(EVE, ID3)), ID2)?.status).toBe("stored");
    const read = apply(s, { type: "read", ids: [ID2] }, from(BOB, ID3));
    expect(findMessage(read, ID2)?.status).toBe("read");
    const late = apply(read, { type: "receipt", ids: [ID2] }, from(BOB, ID3));
    expect(findMessage(late, ID2)?.status).toBe("read");
    const both = apply(
      apply(s, { type: "receipt", ids: [ID2] }, from(BOB, ID3)),
      { type: "read", ids: [ID2] },
      from(BOB, ID3),
    );
    expect(findMessage(both, ID2)?.status).toBe("read");
  });

  it("takes the read receipts of an open chat once", () => {
    const { state, receipts } = takeReadReceipts(chat(), BOB);
    expect([...receipts]).toEqual([[BOB, [ID1]]]);
    expect(takeReadReceipts(state, BOB).receipts.size).toBe(0);
  });

  it("reactions: one per person, the newest wins whatever the order, empty removes; strangers are ignored", () => {
    const s = chat();
    const late = { type: "reaction" as const, id: ID2, emoji: "❤️", sentAt: T0 + 20 };
    const early = { type: "reaction" as const, id: ID2, emoji: "👍", sentAt: T0 + 10 };
    const inOrder = apply(apply(s, early, from(BOB, ID3)), late, from(BOB, ID3));
    const reversed = apply(apply(s, late, from(BOB, ID3)), early, from(BOB, ID3));
    expect(findMessage(inOrder, ID2)?.reactions).toEqual({ [BOB]: { emoji: "❤️", at: T0 + 20 } });
    expect(findMessage(reversed, ID2)?.reactions).toEqual(findMessage(inOrder, ID2)?.reactions);
    const removed = apply(inOrder, { type: "reaction", id: ID2, emoji: "", sentAt: T0 + 30 }, from(BOB, ID3));
    expect(findMessage(removed, ID2)?.reactions).toEqual({});
    expect(apply(s, early, from(EVE, ID3))).toBe(s);
  });

  it("delete for everyone removes only the sender's own messages, and twice is once", () => {
    const s = chat();
    const gone = apply(s, { type: "delete", ids: [ID1], sentAt: T0 + 5 }, from(BOB, ID3));
    expect(findMessage(gone, ID1)).toMatchObject({ deleted: true, text: "" });
    expect(apply(gone, { type: "delete", ids: [ID1], sentAt: T0 + 6 }, from(BOB, ID3))).toBe(gone);
    expect(apply(s, { type: "delete", ids: [ID2], sentAt: T0 + 5 }, from(BOB, ID3))).toBe(s);
    expect(apply(s, { type: "delete", ids: [ID1], sentAt: T0 + 5 }, from(EVE, ID3))).toBe(s);
    const reaction = apply(gone, { type: "reaction", id: ID1, emoji: "👍", sentAt: T0 + 9 }, from(BOB, ID3));
    expect(reaction).toBe(gone);
  });

  it("delete for me and deleting a chat", () => {
    const s = chat();
    expect(findMessage(deleteForMe(s, ID1), ID1)).toBeUndefined();
    const without = deleteChat(s, BOB);
    expect(without.contacts[BOB]).toBeUndefined();
    expect(without.messages[BOB]).toBeUndefined();
    expect(without.index[ID1]).toBeUndefined();
  });

  it("profiles name unknown senders with a ~, the newest wins, my own name for them comes first", () => {
    let s = apply(emptyState(), { type: "text", text: "hi", sentAt: T0 }, from(EVE, ID1));
    s = apply(s, { type: "profile", name: "Eve", updatedAt: T0 + 2 }, from(EVE, ID2));
    s = apply(s, { type: "profile", name: "Old Eve", updatedAt: T0 + 1 }, from(EVE, ID3));
    expect(chatList(s)[0].title).toBe("~ Eve");
    expect(chatList(s, "eve").length).toBe(1);
    s = upsertContact(s, EVE, "Evelyn", T0);
    expect(chatList(s)[0].title).toBe("Evelyn");
    const stranger = apply(emptyState(), { type: "profile", name: "Spam", updatedAt: T0 }, from(EVE, ID1));
    expect(stranger.contacts).toEqual({});
  });

  it("search shows the matching message, not the last one", () => {
    let s = chat();
    s = apply(s, { type: "text", text: "see you at the lake", sentAt: T0 + 3 }, from(BOB, ID3, T0 + 10));
    s = apply(s, { type: "text", text: "bye", sentAt: T0 + 4 }, from(BOB, "MDEyMzQ1Njc4OTo7PD0-Pw", T0 + 10));
    const [hit] = chatList(s, "LAKE");
    expect(hit.match?.text).toBe("see you at the lake");
    expect(hit.last?.text).toBe("bye");
  });

  it("survives storage: hydrate rebuilds reactions, deletes and profiles", () => {
    let s = chat();
    s = apply(s, { type: "reaction", id: ID2, emoji: "👍", sentAt: T0 + 10 }, from(BOB, ID3));
    s = apply(s, { type: "delete", ids: [ID1], sentAt: T0 + 5 }, from(BOB, ID3));
    const rebuilt = hydrate(Object.values(s.contacts), Object.values(s.messages).flat());
    expect(rebuilt.messages).toEqual(s.messages);
  });
});
