/**
 * The app's chat model as pure functions: every change returns a new state and leaves the old one
 * untouched, so the rules (delivery states, receipts, NACKs, ordering, unread counts, dedup) are
 * testable without a browser. Here: the shapes, loading, contacts and the edits every rule uses;
 * my messages' ticks are in state/outgoing.ts, arrivals in state/receive.ts. Persistence lives
 * in chat-store.ts, networking in client.ts and its parts.
 */
import { DEFAULT_TTL_MS, type Envelope, type ReplyRef } from "@wisp/lib";
import type { Group } from "./state/groups";

export type DeliveryStatus = "sending" | "stored" | "delivered" | "read" | "failed";

/** One member's copy of a group message I sent: its own envelope and its own ticks. */
export interface MemberCopy {
  env: string;
  status: DeliveryStatus;
  envelope?: Envelope;
  expiresAt?: number;
  expiredAt?: number;
}

export interface Message {
  /** The envelope id in a chat of two; the group message's `mid` in a group. */
  id: string;
  /** The chat this message belongs to: the other person's address, or a group's id. */
  peer: string;
  out: boolean;
  text: string;
  /** When the sender says it wrote the message. */
  sentAt: number;
  /** Where it sorts: sentAt for ours; for theirs, sentAt clamped to what is possible (see sortTime). */
  at: number;
  status?: DeliveryStatus;
  expiredAt?: number;
  /** Why the node refused to store it (too large, malformed): failed without ever being stored. */
  error?: string;
  /** Kept while the node has not confirmed storing it, so a retry stores the very same envelope. */
  envelope?: Envelope;
  /** When the node will drop it unread: expiredAt − sentAt is the node's real TTL. */
  expiresAt?: number;
  reply?: ReplyRef;
  /** By reactor's address (mine included): the newest reaction of each. */
  reactions?: Record<string, { emoji: string; at: number }>;
  /** Deleted for everyone: the bubble says so and the text is gone. */
  deleted?: boolean;
  /** In a group: who wrote it (theirs); the envelope id it came in, which receipts name. */
  author?: string;
  envelopeId?: string;
  /** A group message I sent: one copy per member. */
  copies?: Record<string, MemberCopy>;
  /** A read receipt went out for it (theirs). */
  readSent?: boolean;
}

export interface Contact {
  address: string;
  /** Empty until the user names someone who wrote first: the chat is then labelled with the address. */
  name: string;
  createdAt: number;
  unread: number;
  /** The name and picture they gave themselves (a `profile` body), shown until I name them. */
  profileName?: string;
  avatar?: string;
  profileAt?: number;
  /** The `updatedAt` of my own profile they were last sent. */
  profileSentAt?: number;
}

export interface ChatState {
  contacts: Record<string, Contact>;
  /** Per chat (address or group id), oldest first. */
  messages: Record<string, Message[]>;
  /** Message id to chat, for receipts, NACKs and dedup. */
  index: Record<string, string>;
  groups: Record<string, Group>;
  /** Envelope id of a member's copy of my group message → the message's id and the member. */
  copyIndex: Record<string, { mid: string; member: string }>;
}

/** A stored envelope lives at most this long, so no honest message is older than this when it arrives. */
export const MAX_AGE_MS = DEFAULT_TTL_MS;

export function emptyState(): ChatState {
  return { contacts: {}, messages: {}, index: {}, groups: {}, copyIndex: {} };
}

/** Rebuilds the state from what storage holds (any order), in one pass rather than one copy per message. */
export function hydrate(contacts: Contact[], messages: Message[], groups: Group[] = []): ChatState {
  const state = emptyState();
  for (const c of contacts) state.contacts[c.address] = c;
  for (const g of groups) state.groups[g.gid] = g;
  for (const m of messages) {
    if (m.id in state.index) continue;
    if (!state.groups[m.peer])
      state.contacts[m.peer] ??= { address: m.peer, name: "", createdAt: m.at, unread: 0 };
    (state.messages[m.peer] ??= []).push(m);
    state.index[m.id] = m.peer;
    for (const [member, copy] of Object.entries(m.copies ?? {}))
      state.copyIndex[copy.env] = { mid: m.id, member };
  }
  for (const list of Object.values(state.messages)) list.sort((a, b) => a.at - b.at);
  return state;
}

/** My name for them, else "~ the name they chose" (as WhatsApp marks names nobody confirmed), else the address. */
export function contactTitle(contact: Contact): string {
  if (contact.name) return contact.name;
  return contact.profileName ? `~ ${contact.profileName}` : contact.address;
}

/** Adds a contact, or renames an existing one. */
export function upsertContact(state: ChatState, address: string, name: string, now: number): ChatState {
  const existing = state.contacts[address];
  const contact: Contact = existing
    ? { ...existing, name: name.trim() }
    : { address, name: name.trim(), createdAt: now, unread: 0 };
  return { ...state, contacts: { ...state.contacts, [address]: contact } };
}

export function hasMessage(state: ChatState, id: string): boolean {
  return id in state.index;
}

export function findMessage(state: ChatState, id: string): Message | undefined {
  const peer = state.index[id];
  if (peer === undefined) return undefined;
  return state.messages[peer]?.find((m) => m.id === id);
}

/**
 * The sender's clock decides the order, but it cannot be trusted: a message is never placed in the
 * future, nor earlier than the longest time a node keeps it.
 */
export function sortTime(sentAt: number, receivedAt: number): number {
  if (!Number.isFinite(sentAt)) return receivedAt;
  return Math.min(receivedAt, Math.max(receivedAt - MAX_AGE_MS, sentAt));
}

export function removeMessage(state: ChatState, id: string): ChatState {
  const peer = state.index[id];
  if (peer === undefined) return state;
  const { [id]: _, ...index } = state.index;
  const list = (state.messages[peer] ?? []).filter((m) => m.id !== id);
  return { ...state, index, messages: { ...state.messages, [peer]: list } };
}

export function markRead(state: ChatState, peer: string): ChatState {
  const group = state.groups[peer];
  if (group)
    return group.unread === 0
      ? state
      : { ...state, groups: { ...state.groups, [peer]: { ...group, unread: 0 } } };
  const contact = state.contacts[peer];
  if (!contact || contact.unread === 0) return state;
  return { ...state, contacts: { ...state.contacts, [peer]: { ...contact, unread: 0 } } };
}

export function ensureContact(state: ChatState, address: string, now: number): ChatState {
  if (state.contacts[address]) return state;
  const contact: Contact = { address, name: "", createdAt: now, unread: 0 };
  return { ...state, contacts: { ...state.contacts, [address]: contact } };
}

export function insertMessage(state: ChatState, message: Message): ChatState {
  if (hasMessage(state, message.id)) return state;
  const list = state.messages[message.peer] ?? [];
  let i = list.length;
  while (i > 0 && list[i - 1].at > message.at) i--;
  const next = [...list.slice(0, i), message, ...list.slice(i)];
  return {
    ...state,
    messages: { ...state.messages, [message.peer]: next },
    index: { ...state.index, [message.id]: message.peer },
  };
}

/** Replaces one message by `change(message)`; the same state when it changed nothing. */
export function updateMessage(state: ChatState, id: string, change: (m: Message) => Message): ChatState {
  const peer = state.index[id];
  if (peer === undefined) return state;
  const list = state.messages[peer] ?? [];
  const i = list.findIndex((m) => m.id === id);
  if (i < 0) return state;
  const updated = change(list[i]);
  if (updated === list[i]) return state;
  const next = [...list];
  next[i] = updated;
  return { ...state, messages: { ...state.messages, [peer]: next } };
}
