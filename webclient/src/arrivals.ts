/**
 * What one retrieve answer does in the engine: open every envelope (asynchronous crypto), apply
 * them all (inbox.ts), start the receipts, show the result in one render, then write it all.
 * The poller acknowledges the ids only after this returns.
 */
import {
  decodeBody,
  openAsync,
  type RetrieveResponse,
  type SignedGroupState,
  toB64u,
  verifyGroupStateAsync,
} from "@wisp/lib";
import type { ChatStore } from "./chat-store";
import type { Conversations } from "./conversations";
import type { EngineParts } from "./engine-parts";
import { applyBatch, type Opened } from "./inbox";
import type { Outbound } from "./outbound";

export interface ArrivalDeps extends EngineParts {
  chat: ChatStore;
  out: Outbound;
  talk: Conversations;
  /** The chat on screen: what arrives there is not unread. */
  openPeer: () => string | null;
  /** The chat the user reads now with read receipts on, or null (arrivals.ts, applyBatch). */
  readingChat: () => string | null;
  /** Read receipts for the open chat, when a text arrived. */
  reportRead: () => void;
}

/**
 * Opens the whole answer, starts sealing the receipts, shows it all in one render while they seal
 * (each leaves the moment it is sealed), then writes everything in one transaction; only then
 * does the poller acknowledge the ids, so a crash before the write means the node delivers them
 * again (and dedup absorbs what did arrive).
 */
export async function takeBatch(d: ArrivalDeps, batch: RetrieveResponse): Promise<void> {
  const { chat, out } = d;
  const opened = await Promise.all(batch.messages.map((envelope) => openTimed(d, envelope)));
  const before = chat.state;
  const effect = applyBatch(
    chat.state,
    opened,
    batch.nacks,
    d.openPeer(),
    d.now(),
    d.identity.address,
    d.readingChat(),
  );
  const changed = effect.state !== chat.state;
  chat.state = effect.state;
  for (const { peer, id, read } of effect.receipts) (read ? out.reads : out.receipts).add(peer, id);
  // The receipts start sealing first (the asymmetric steps run off the main thread, beside the
  // render) and leave the moment they are sealed; the bubbles render meanwhile; then the write.
  void out.flushReceipts();
  if (changed) chat.emit();
  await chat.persist(effect.messageIds, effect.contacts);
  if (effect.state.groups !== before.groups) await chat.writeGroups();
  for (const { opened: o, body } of opened)
    if (o.ok && body) d.talk.answerStaleHead(toB64u(o.senderPublicKey), body);
  if (opened.some((o) => o.body?.type === "text")) d.reportRead();
}

async function openTimed(d: ArrivalDeps, stored: RetrieveResponse["messages"][number]): Promise<Opened> {
  const opening = d.timing.now();
  const opened = await openAsync(d.identity, stored, d.crypto);
  const body = opened.ok ? decodeBody(opened.body) : null;
  const groupStates = body?.type === "group" ? await verifiedStates(d, body.changes) : undefined;
  d.timing.span("wisp:open", opening, {
    id: stored.id,
    for: body?.type === "receipt" || body?.type === "read" ? body.ids : undefined,
  });
  return { opened, body, groupStates };
}

/** The states whose signatures check, on the backend (the app carries no other Ed25519). */
async function verifiedStates(d: ArrivalDeps, changes: readonly SignedGroupState[]) {
  const checked = await Promise.all(changes.map((s) => verifyGroupStateAsync(s, d.crypto)));
  return checked.filter((v) => v !== null);
}
