/** One opened body applied to the chat model: the dispatch of every body type the app knows. */
import type { Body, ReplyRef, VerifiedGroupState } from "@wisp/lib";
import { type ChatState, ensureContact, hasMessage, insertMessage, type Message, sortTime } from "../state";
import { advanceCopy, applyDelete, applyProfile, applyReaction, applyReadReceipt } from "./bodies";
import { addGroupStates, receiveGroupText } from "./groups";
import { applyReceipt } from "./outgoing";

export interface Arrival {
  /** The sender's address, from the envelope's signature. */
  from: string;
  envelopeId: string;
  receivedAt: number;
  openChat: string | null;
  me: string;
  /** The states of a `group` body whose signatures checked (arrivals.ts); the others are dropped. */
  groupStates?: readonly VerifiedGroupState[];
}

/**
 * The state after `body`, and whether it earns a delivery receipt (a text I now hold). Unknown
 * types change nothing.
 */
export function receiveBody(
  state: ChatState,
  body: Body,
  a: Arrival,
): { state: ChatState; receipt: boolean } {
  switch (body.type) {
    case "text": {
      if (body.group) {
        const r = receiveGroupText(state, a.from, body, a.envelopeId, a.receivedAt, a.openChat);
        return { state: r.state, receipt: true };
      }
      const incoming = {
        id: a.envelopeId,
        peer: a.from,
        text: body.text,
        sentAt: body.sentAt,
        receivedAt: a.receivedAt,
        ...(body.reply ? { reply: body.reply } : {}),
      };
      return { state: receiveText(state, incoming, a.openChat).state, receipt: true };
    }
    case "receipt": {
      let next = applyReceipt(state, a.from, body.ids);
      for (const id of body.ids) next = advanceCopy(next, id, a.from, "delivered");
      return { state: next, receipt: false };
    }
    case "read":
      return { state: applyReadReceipt(state, a.from, body.ids), receipt: false };
    case "profile":
      return { state: applyProfile(state, a.from, body, a.receivedAt), receipt: false };
    case "reaction":
      return { state: applyReaction(state, a.from, body), receipt: false };
    case "delete":
      return { state: applyDelete(state, a.from, body.ids, body.group), receipt: false };
    case "group":
      return {
        state: addGroupStates(state, body.gid, a.groupStates ?? [], a.me, a.receivedAt, a.openChat),
        receipt: false,
      };
    case "unknown":
      return { state, receipt: false };
  }
}

export interface Incoming {
  id: string;
  peer: string;
  text: string;
  sentAt: number;
  receivedAt: number;
  reply?: ReplyRef;
}

/**
 * A text message that arrived. A message seen twice (redelivered because our acknowledgement was
 * lost) changes nothing. A sender we do not know gets a chat labelled with its address.
 */
export function receiveText(
  state: ChatState,
  m: Incoming,
  openPeer: string | null,
): { state: ChatState; isNew: boolean } {
  if (hasMessage(state, m.id)) return { state, isNew: false };
  const message: Message = {
    id: m.id,
    peer: m.peer,
    out: false,
    text: m.text,
    sentAt: m.sentAt,
    at: sortTime(m.sentAt, m.receivedAt),
    ...(m.reply ? { reply: m.reply } : {}),
  };
  let next = insertMessage(ensureContact(state, m.peer, m.receivedAt), message);
  if (openPeer !== m.peer) {
    const contact = next.contacts[m.peer];
    next = { ...next, contacts: { ...next.contacts, [m.peer]: { ...contact, unread: contact.unread + 1 } } };
  }
  return { state: next, isNew: true };
}
