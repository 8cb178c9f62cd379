/**
 * The texts this CLI sent, by envelope id, kept in its state file (cli-state.ts). A NACK is shown
 * only for one of them whose recipient's mailbox is the NACK's `to` (docs/protocol.md, "Expiry and
 * NACK"), and a receipt for a group text names the id `send` printed (the group's `mid`), not the
 * member's copy.
 */
import { fromB64uExact, mailboxAddress, type Nack } from "@wisp/lib";
import { type CliState, mergeProfileSentAt, updateCliState } from "./cli-state";
import type { SentEnvelope } from "./send";

/** An envelope of a text I sent, with the `mid` of a group text. */
export type SentTextEnvelope = SentEnvelope & { mid?: string };

export interface SentText {
  /** The recipient's address (b64u of its public key). */
  to: string;
  /** The group message id of a group text, which `send` printed instead of the envelope id. */
  mid?: string;
  at: number;
}

/** ~100 bytes each in the state file, which every send writes again. */
export const MAX_SENT_TEXTS = 1024;
/** A NACK comes at most 24 h after its message was stored, and is kept 24 h itself. */
export const SENT_TEXT_KEPT_MS = 48 * 60 * 60 * 1000;

/**
 * Writes what a send changed into the state file as it is now: the texts sent, and whom my profile
 * reached (`loaded` is the state the send read, and sendProfileDue marked).
 */
export async function saveSend(
  path: string,
  loaded: CliState,
  sent: readonly SentTextEnvelope[],
  now: number,
): Promise<void> {
  await updateCliState(path, (fresh) => {
    rememberSent(fresh, sent, now);
    mergeProfileSentAt(fresh, loaded);
  });
}

export function rememberSent(state: CliState, sent: readonly SentTextEnvelope[], now: number): void {
  const records = { ...state.sent };
  for (const { id, to, mid } of sent) records[id] = mid ? { to, mid, at: now } : { to, at: now };
  const kept = Object.entries(records)
    .filter(([, record]) => now - record.at <= SENT_TEXT_KEPT_MS)
    .sort(([, a], [, b]) => b.at - a.at)
    .slice(0, MAX_SENT_TEXTS);
  state.sent = Object.fromEntries(kept);
}

/** The text a NACK is about, or null when this CLI sent no such text to the NACK's mailbox. */
export function sentTextOf(state: CliState, nack: Nack): SentText | null {
  const record = recordOf(state, nack.id);
  if (!record) return null;
  const publicKey = fromB64uExact(record.to, 32);
  return publicKey && mailboxAddress(publicKey) === nack.to ? record : null;
}

export function forgetSent(state: CliState, id: string): void {
  if (state.sent) delete state.sent[id];
}

/** The id `send` printed for the text in envelope `id`: its `mid` in a group, else the envelope id. */
export function shownIdOf(state: CliState, id: string): string {
  return recordOf(state, id)?.mid ?? id;
}

/** Own keys only: an id is text from the network, and "__proto__" must not find anything. */
function recordOf(state: CliState, id: string): SentText | undefined {
  return state.sent && Object.hasOwn(state.sent, id) ? state.sent[id] : undefined;
}
