/**
 * What the envelopes of one retrieve answer change, as a pure function: the chat state, the
 * records to write and the receipts owed. arrivals.ts opens them (asynchronous crypto), applies
 * them here, shows the result in one render, and writes it in one transaction. Every body type
 * goes through state/receive.ts.
 */
import type { Body, Nack, OpenResult, VerifiedGroupState } from "@wisp/lib";
import { mailboxAddress, parseAddress, toB64u } from "@wisp/lib";
import { type ChatState, findMessage } from "./state";
import { advanceCopy, takeReadReceipts } from "./state/bodies";
import { applyNack } from "./state/outgoing";
import { receiveBody } from "./state/receive";

export interface Opened {
  opened: OpenResult;
  body: Body | null;
  /** A `group` body's states whose signatures checked. */
  groupStates?: readonly VerifiedGroupState[];
}

export interface BatchEffect {
  state: ChatState;
  /** Messages to write: every text (new or redelivered), and every message a body changed. */
  messageIds: string[];
  /** Contacts whose record changed (a new sender, an unread count, a profile). */
  contacts: string[];
  /**
   * A receipt owed for every text, redelivered ones too (the last receipt may have been lost):
   * `read` for those in the chat being read: a read receipt, which says delivered too.
   */
  receipts: { peer: string; id: string; read: boolean }[];
}

export function applyBatch(
  state: ChatState,
  envelopes: readonly Opened[],
  nacks: readonly Nack[],
  openPeer: string | null,
  receivedAt: number,
  me = "",
  /** The chat the user is reading now, read receipts on (else null): its unread texts are read. */
  reading: string | null = null,
): BatchEffect {
  const effect: BatchEffect = { state, messageIds: [], contacts: [], receipts: [] };
  for (const { opened, body, groupStates } of envelopes) {
    if (!opened.ok || !body) continue;
    const from = toB64u(opened.senderPublicKey);
    const arrival = { from, envelopeId: opened.id, receivedAt, openChat: openPeer, me, groupStates };
    const r = receiveBody(effect.state, body, arrival);
    effect.state = r.state;
    if (!r.receipt) continue;
    // Written again when redelivered too: a write that failed left it in the state only, and
    // its acknowledgement must wait for a write that succeeded.
    effect.messageIds.push(body.type === "text" && body.mid ? body.mid : opened.id);
    const chat = body.type === "text" && body.group ? body.group : from;
    effect.receipts.push({ peer: from, id: opened.id, read: chat === reading });
  }
  if (reading) readAll(effect, reading);
  for (const nack of nacks) {
    if (findMessage(effect.state, nack.id)?.out)
      effect.state = applyNack(effect.state, nack.id, nack.to, nack.expiredAt);
    const copy = effect.state.copyIndex[nack.id];
    // A NACK counts only for a copy sealed to the mailbox it names (PROTOCOL.md, Expiry and NACK).
    if (copy && mailboxOf(copy.member) === nack.to)
      effect.state = advanceCopy(effect.state, nack.id, null, "failed", { expiredAt: nack.expiredAt });
  }
  const changed = changedRecords(state, effect.state);
  effect.messageIds = [...new Set([...effect.messageIds, ...changed.messageIds])];
  effect.contacts = changed.contacts;
  return effect;
}

/** The unread texts of the chat being read, read now: one "read" each, and none sent later. */
function readAll(effect: BatchEffect, chat: string): void {
  const taken = takeReadReceipts(effect.state, chat);
  effect.state = taken.state;
  const owed = new Set(effect.receipts.map((r) => r.id));
  for (const [peer, ids] of taken.receipts)
    for (const id of ids) if (!owed.has(id)) effect.receipts.push({ peer, id, read: true });
}

/** The messages and contacts that are new objects in `next` (the state functions copy what they change). */
function changedRecords(prev: ChatState, next: ChatState): { messageIds: string[]; contacts: string[] } {
  const messageIds: string[] = [];
  const contacts: string[] = [];
  for (const [chat, list] of Object.entries(next.messages)) {
    const before = prev.messages[chat];
    if (before === list) continue;
    const old = new Set(before ?? []);
    for (const m of list) if (!old.has(m)) messageIds.push(m.id);
  }
  for (const [address, c] of Object.entries(next.contacts))
    if (prev.contacts[address] !== c) contacts.push(address);
  return { messageIds, contacts };
}

function mailboxOf(address: string): string | null {
  const parsed = parseAddress(address);
  return parsed.ok ? mailboxAddress(parsed.publicKey) : null;
}
