/**
 * What the newer body types do to the chat model (docs/protocol.md, "Wisp's own body types"):
 * read receipts, per-member ticks of group messages, reactions, delete for me / for everyone,
 * profiles, deleting a chat. Pure functions, like state.ts.
 */
import {
  type ChatState,
  type DeliveryStatus,
  findMessage,
  type MemberCopy,
  type Message,
  removeMessage,
  updateMessage,
} from "../state";

const RANK: Record<DeliveryStatus, number> = { failed: -1, sending: 0, stored: 1, delivered: 2, read: 3 };

/** A group message's ticks: the least advanced copy that did not fail; failed only when all did. */
export function overallStatus(copies: Record<string, MemberCopy>): DeliveryStatus {
  const alive = Object.values(copies).filter((c) => c.status !== "failed");
  if (alive.length === 0) return Object.keys(copies).length === 0 ? "delivered" : "failed";
  return alive.reduce((low, c) => (RANK[c.status] < RANK[low] ? c.status : low), "read" as DeliveryStatus);
}

/** Moves a member's copy forward (never back; a receipt wins over a NACK) and recomputes the ticks. */
export function advanceCopy(
  state: ChatState,
  envelopeId: string,
  from: string | null,
  status: DeliveryStatus,
  extra: Partial<MemberCopy> = {},
): ChatState {
  const ref = state.copyIndex[envelopeId];
  if (!ref || (from !== null && ref.member !== from)) return state;
  return updateMessage(state, ref.mid, (m) => {
    const copy = m.copies?.[ref.member];
    if (!copy || !m.copies) return m;
    const forward =
      status === "failed" ? RANK[copy.status] < RANK.delivered : RANK[status] > RANK[copy.status];
    if (!forward) return m;
    const updated: MemberCopy = { ...copy, ...extra, status, envelope: undefined };
    const copies = { ...m.copies, [ref.member]: updated };
    return { ...m, copies, status: overallStatus(copies) };
  });
}

/** Blue ticks: the recipient showed these envelope ids. Counts only for messages I sent to that very sender. */
export function applyReadReceipt(state: ChatState, from: string, ids: readonly string[]): ChatState {
  let next = state;
  for (const id of ids) {
    if (next.copyIndex[id]) {
      next = advanceCopy(next, id, from, "read");
      continue;
    }
    if (next.index[id] !== from) continue;
    next = updateMessage(next, id, (m) =>
      m.out && m.status !== "read" ? { ...m, status: "read", envelope: undefined, expiredAt: undefined } : m,
    );
  }
  return next;
}

/** May `from` touch message `m` of chat `chat`? In a chat of two, only in the chat with them; in a group, as a member. */
function inChat(state: ChatState, m: Message, from: string, chat: string | undefined): boolean {
  if (chat === undefined) return m.peer === from;
  return m.peer === chat && (state.groups[chat]?.members.includes(from) ?? false);
}

/** One reaction per person and message; the newest `sentAt` wins, "" removes it. */
export function applyReaction(
  state: ChatState,
  from: string,
  r: { id: string; emoji: string; sentAt: number; group?: string },
): ChatState {
  const m = findMessage(state, r.id);
  if (!m || m.deleted || !inChat(state, m, from, r.group)) return state;
  return setReaction(state, r.id, from, r.emoji, r.sentAt);
}

/** My own reaction: the same rule, without the membership check. */
export function setReaction(state: ChatState, id: string, who: string, emoji: string, at: number): ChatState {
  return updateMessage(state, id, (m) => {
    const before = m.reactions?.[who];
    if (before && before.at >= at) return m;
    const reactions = { ...m.reactions };
    if (emoji) reactions[who] = { emoji, at };
    else delete reactions[who];
    return { ...m, reactions };
  });
}

/** Delete for everyone, as a recipient: only messages whose author is the sender of the delete. */
export function applyDelete(
  state: ChatState,
  from: string,
  ids: readonly string[],
  group?: string,
): ChatState {
  let next = state;
  for (const id of ids) {
    const m = findMessage(next, id);
    if (!m || m.out || !inChat(next, m, from, group)) continue;
    if (group !== undefined && m.author !== from) continue;
    next = tombstone(next, id);
  }
  return next;
}

/** The bubble stays, saying the message was deleted; text, quote and reactions go. */
export function tombstone(state: ChatState, id: string): ChatState {
  return updateMessage(state, id, (m) =>
    m.deleted
      ? m
      : {
          ...m,
          deleted: true,
          text: "",
          reply: undefined,
          reactions: undefined,
          envelope: undefined,
          copies: stripCopies(m),
        },
  );
}

function stripCopies(m: Message): Record<string, MemberCopy> | undefined {
  if (!m.copies) return undefined;
  const out: Record<string, MemberCopy> = {};
  for (const [member, copy] of Object.entries(m.copies)) out[member] = { ...copy, envelope: undefined };
  return out;
}

/** Delete for me: gone from this device only. */
export function deleteForMe(state: ChatState, id: string): ChatState {
  const m = findMessage(state, id);
  if (!m) return state;
  let next = removeMessage(state, id);
  if (m.copies) {
    const copyIndex = { ...next.copyIndex };
    for (const copy of Object.values(m.copies)) delete copyIndex[copy.env];
    next = { ...next, copyIndex };
  }
  return next;
}

/** Removes a chat with its messages (a contact, or a group I keep no more). */
export function deleteChat(state: ChatState, chat: string): ChatState {
  let next = state;
  for (const m of state.messages[chat] ?? []) next = deleteForMe(next, m.id);
  const { [chat]: _messages, ...messages } = next.messages;
  const { [chat]: _contact, ...contacts } = next.contacts;
  const { [chat]: _group, ...groups } = next.groups;
  return { ...next, messages, contacts, groups };
}

/**
 * Someone's own name and picture; an older profile than the one known changes nothing. Only from
 * someone I have a chat with or share a group with: a stranger cannot add entries by sending names.
 */
export function applyProfile(
  state: ChatState,
  from: string,
  p: { name: string; avatar?: string; updatedAt: number },
  now: number,
): ChatState {
  const existing = state.contacts[from];
  const inGroup = Object.values(state.groups).some((g) => g.joined && g.members.includes(from));
  if (!existing && !inGroup) return state;
  if (existing?.profileAt !== undefined && existing.profileAt >= p.updatedAt) return state;
  const base = existing ?? { address: from, name: "", createdAt: now, unread: 0 };
  const contact = { ...base, profileName: p.name.trim(), avatar: p.avatar, profileAt: p.updatedAt };
  return { ...state, contacts: { ...state.contacts, [from]: contact } };
}

/** Notes that they have my profile of `updatedAt`. */
export function markProfileSent(state: ChatState, address: string, updatedAt: number): ChatState {
  const c = state.contacts[address];
  if (!c || (c.profileSentAt ?? -1) >= updatedAt) return state;
  return { ...state, contacts: { ...state.contacts, [address]: { ...c, profileSentAt: updatedAt } } };
}

/**
 * The messages of an open chat whose read receipt has not gone out, grouped by whom to tell
 * (their author) and which envelope id to name; marks them sent.
 */
export function takeReadReceipts(
  state: ChatState,
  chat: string,
): { state: ChatState; receipts: Map<string, string[]> } {
  const receipts = new Map<string, string[]>();
  let next = state;
  for (const m of state.messages[chat] ?? []) {
    if (m.out || m.readSent || m.deleted) continue;
    const to = m.author ?? m.peer;
    const id = m.envelopeId ?? m.id;
    receipts.set(to, [...(receipts.get(to) ?? []), id]);
    next = updateMessage(next, m.id, (x) => ({ ...x, readSent: true }));
  }
  return { state: next, receipts };
}

/** A member's failed copy replaced by a fresh envelope (the same `mid`, so they still see it once). */
export function replaceCopy(state: ChatState, mid: string, member: string, copy: MemberCopy): ChatState {
  const m = findMessage(state, mid);
  const before = m?.copies?.[member];
  if (!m?.copies || !before || before.status !== "failed") return state;
  const { [before.env]: _, ...copyIndex } = state.copyIndex;
  copyIndex[copy.env] = { mid, member };
  const next = updateMessage({ ...state, copyIndex }, mid, (x) => {
    const copies = { ...x.copies, [member]: copy };
    return { ...x, copies, status: overallStatus(copies) };
  });
  return next;
}

/** Every copy of my group messages still waiting for a node, oldest message first. */
export function pendingCopies(state: ChatState): { mid: string; member: string; copy: MemberCopy }[] {
  const out: { mid: string; member: string; copy: MemberCopy; at: number }[] = [];
  for (const list of Object.values(state.messages))
    for (const m of list)
      for (const [member, copy] of Object.entries(m.copies ?? {}))
        if (copy.status === "sending" && copy.envelope) out.push({ mid: m.id, member, copy, at: m.at });
  return out.sort((a, b) => a.at - b.at);
}
