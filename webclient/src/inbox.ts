/**
 * What the envelopes of one retrieve answer change, as a pure function: the chat state, the
 * records to write and the receipts owed. client.ts opens them (asynchronous crypto), applies
 * them here, shows the result in one render, and writes it in one transaction.
 */
import type { Body, Nack, OpenResult } from "@wisp/lib";
import { toB64u } from "@wisp/lib";
import { applyNack, applyReceipt, type ChatState, findMessage, receiveText } from "./state";

export interface Opened {
  opened: OpenResult;
  body: Body | null;
}

export interface BatchEffect {
  state: ChatState;
  /** Messages to write: every text (new or redelivered), and mine whose status a receipt or NACK moved. */
  messageIds: string[];
  /** Contacts whose record changed (a new sender, an unread count). */
  contacts: string[];
  /** A receipt owed for every text, redelivered ones too (the last receipt may have been lost). */
  receipts: { peer: string; id: string }[];
}

export function applyBatch(
  state: ChatState,
  envelopes: readonly Opened[],
  nacks: readonly Nack[],
  openPeer: string | null,
  receivedAt: number,
): BatchEffect {
  const effect: BatchEffect = { state, messageIds: [], contacts: [], receipts: [] };
  for (const { opened, body } of envelopes) {
    if (!opened.ok || !body) continue;
    const from = toB64u(opened.senderPublicKey);
    if (body.type === "text") {
      const before = effect.state;
      const incoming = { id: opened.id, peer: from, text: body.text, sentAt: body.sentAt, receivedAt };
      const { state: next } = receiveText(before, incoming, openPeer);
      effect.state = next;
      // Written again when redelivered too: a write that failed left it in the state only, and
      // its acknowledgement must wait for a write that succeeded.
      effect.messageIds.push(opened.id);
      // An open chat's contact does not change (no unread count): nothing to write for it.
      if (next.contacts[from] !== before.contacts[from]) effect.contacts.push(from);
      effect.receipts.push({ peer: from, id: opened.id });
    }
    if (body.type === "receipt") {
      const ids = body.ids.filter((id) => effect.state.index[id] === from);
      effect.state = applyReceipt(effect.state, from, ids);
      effect.messageIds.push(...ids);
    }
  }
  for (const nack of nacks) {
    if (!findMessage(effect.state, nack.id)?.out) continue;
    effect.state = applyNack(effect.state, nack.id, nack.expiredAt);
    effect.messageIds.push(nack.id);
  }
  return effect;
}
