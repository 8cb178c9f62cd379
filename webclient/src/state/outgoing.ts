/**
 * My own messages, from the clock to the ticks: the sealed envelope kept for retries, the node's
 * answer, the recipient's receipt, a NACK or a refusal. A status never moves backwards.
 */
import { type Envelope, fromB64uExact, mailboxAddress, type ReplyRef } from "@wisp/lib";
import {
  type ChatState,
  ensureContact,
  hasMessage,
  insertMessage,
  type MemberCopy,
  type Message,
  updateMessage,
} from "../state";

/** A message I am sending: shown at once with the clock, before it is sealed (see attachEnvelope). */
export function addOutgoing(
  state: ChatState,
  m: {
    id: string;
    peer: string;
    text: string;
    sentAt: number;
    envelope?: Envelope;
    reply?: ReplyRef;
    copies?: Record<string, MemberCopy>;
  },
): ChatState {
  if (hasMessage(state, m.id)) return state;
  const message: Message = { ...m, out: true, at: m.sentAt, status: "sending" };
  if (!m.reply) delete message.reply;
  if (!m.copies) return insertMessage(ensureContact(state, m.peer, m.sentAt), message);
  const copyIndex = { ...state.copyIndex };
  for (const [member, copy] of Object.entries(m.copies)) copyIndex[copy.env] = { mid: m.id, member };
  return insertMessage({ ...state, copyIndex }, message);
}

/** The sealed envelope of a message still on the clock, kept for the store request and its retries. */
export function attachEnvelope(state: ChatState, id: string, envelope: Envelope): ChatState {
  return updateOutgoing(state, id, (m) => (m.status === "sending" ? { ...m, envelope } : m));
}

/** A node answered 201 (or 200 for a repeat): one tick. Never moves a message backwards. */
export function markStored(state: ChatState, id: string, expiresAt?: number): ChatState {
  return updateOutgoing(state, id, (m) =>
    m.status === "sending" ? { ...m, status: "stored", envelope: undefined, expiresAt } : m,
  );
}

/**
 * The recipient's app says it stored these ids: two ticks. Only ids of messages I sent to that
 * very sender count, so nobody can mark someone else's messages as delivered. A receipt wins over
 * a NACK: the message did arrive, only the acknowledgement was late.
 */
export function applyReceipt(state: ChatState, from: string, ids: readonly string[]): ChatState {
  let next = state;
  for (const id of ids) {
    if (next.index[id] !== from) continue;
    next = updateOutgoing(next, id, (m) =>
      m.status === "delivered" || m.status === "read"
        ? m
        : { ...m, status: "delivered", envelope: undefined, expiredAt: undefined },
    );
  }
  return next;
}

/**
 * The envelope expired unread: red mark and Resend; a delivered message stays delivered. A NACK
 * turns my message red only when it names the mailbox of the person I sent it to
 * (PROTOCOL.md): one for another mailbox, from a node that lies, changes nothing.
 */
export function applyNack(state: ChatState, id: string, to: string, expiredAt: number): ChatState {
  const peer = state.index[id];
  if (peer === undefined || mailboxOfPeer(peer) !== to) return state;
  return updateOutgoing(state, id, (m) =>
    m.status === "delivered" || m.status === "read"
      ? m
      : { ...m, status: "failed", expiredAt, envelope: undefined },
  );
}

/** The node refused the envelope for good (not a passing outage): failed, with the node's reason. */
export function markRejected(state: ChatState, id: string, reason: string): ChatState {
  return updateOutgoing(state, id, (m) =>
    m.status === "sending" ? { ...m, status: "failed", error: reason, envelope: undefined } : m,
  );
}

/** Outgoing messages still waiting for a node's confirmation, oldest first. */
export function pendingSends(state: ChatState): Message[] {
  const out: Message[] = [];
  for (const list of Object.values(state.messages))
    for (const m of list) if (m.out && m.status === "sending" && m.envelope) out.push(m);
  return out.sort((a, b) => a.at - b.at);
}

function mailboxOfPeer(peer: string): string | null {
  const publicKey = fromB64uExact(peer, 32);
  return publicKey ? mailboxAddress(publicKey) : null;
}

function updateOutgoing(state: ChatState, id: string, change: (m: Message) => Message): ChatState {
  return updateMessage(state, id, (m) => (m.out ? change(m) : m));
}
