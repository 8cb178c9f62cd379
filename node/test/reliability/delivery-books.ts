/**
 * The delivery property's books (delivery-runner.ts): the messages accepted, what the recipients
 * were handed and acknowledged, the NACKs the senders read, and the verdicts drawn from them.
 *
 * The recipient model: a retrieve acknowledges what the previous retrieves of that mailbox handed
 * out within ACK_WINDOW_MS (a client acknowledges what it opened, in its next request). A retrieve
 * whose answer was lost may have applied its acknowledgements: those messages are owed neither
 * retrievability nor a particular end (the full run's first failure, seed 868953875, was this).
 */
import type { SimNodeContext } from "../../src/sim";
import { proofFor } from "../fixtures/retrieve-proofs";
import { mailboxOf } from "../store/fixtures";
import type { SimMailboxes } from "../store/sim-mailboxes";
import { SENDERS } from "./delivery-schedule";

export const ACK_WINDOW_MS = 5_000;

export interface Accepted {
  mailbox: string;
  nackTo: string;
  id: string;
  expiresAt: number;
  acked: boolean;
  /** An acknowledgement of it was sent but its answer lost: the owner may or may not have applied it. */
  maybeAcked: boolean;
}

export interface DeliveryStats {
  stores: number;
  acked: number;
  nacked: number;
  checks: number;
  unavailable: number;
  skippedChecks: number;
  joins: number;
  departures: number;
  refusedDepartures: number;
}

export function emptyDeliveryStats(): DeliveryStats {
  return {
    stores: 0,
    acked: 0,
    nacked: 0,
    checks: 0,
    unavailable: 0,
    skippedChecks: 0,
    joins: 0,
    departures: 0,
    refusedDepartures: 0,
  };
}

export class DeliveryBooks {
  readonly accepted = new Map<string, Accepted>();
  /** Per mailbox: ids handed out to the recipient and when, not yet acknowledged. */
  private handedOut = new Map<string, Map<string, number>>();
  /** Ids of the NACKs the senders have read. */
  private nacked = new Set<string>();

  constructor(private stats: DeliveryStats) {}

  accept(message: Omit<Accepted, "acked" | "maybeAcked">): void {
    this.accepted.set(message.id, { ...message, acked: false, maybeAcked: false });
    this.stats.stores++;
  }

  /** What the recipient's next retrieve of mailbox acknowledges: what it was handed in the window. */
  acksFor(mailbox: string, now: number): string[] {
    const pending = this.pending(mailbox);
    for (const [id, at] of pending) if (now - at > ACK_WINDOW_MS) pending.delete(id);
    return [...pending.keys()];
  }

  /** The retrieve failed: its acknowledgements may or may not have been applied. */
  lost(acks: readonly string[]): void {
    for (const id of acks) {
      const m = this.accepted.get(id);
      if (m) m.maybeAcked = true;
    }
  }

  /** The retrieve was answered: its acknowledgements are applied, and it handed out `ids`. */
  answered(mailbox: string, acks: readonly string[], ids: readonly string[], now: number): void {
    const pending = this.pending(mailbox);
    for (const id of acks) {
      const m = this.accepted.get(id);
      if (m && !m.acked) {
        m.acked = true;
        this.stats.acked++;
      }
      pending.delete(id);
    }
    for (const id of ids) if (!this.accepted.get(id)?.acked) pending.set(id, now);
  }

  sawNacks(ids: readonly string[]): void {
    for (const id of ids) this.nacked.add(id);
  }

  /** Messages that must be retrievable now: accepted, not acknowledged, not expired. */
  live(now: number, mailbox?: string): Accepted[] {
    return [...this.accepted.values()].filter(
      (m) =>
        !m.acked && !m.maybeAcked && m.expiresAt > now && (mailbox === undefined || m.mailbox === mailbox),
    );
  }

  /** Past every TTL and grace: each accepted message delivered XOR NACKed. `where` names its copies. */
  verdicts(where: (m: Accepted) => string): string[] {
    const problems: string[] = [];
    for (const m of this.accepted.values()) {
      if (m.acked && this.nacked.has(m.id)) problems.push(`${m.id}: delivered and NACKed`);
      // Either end is right for an acknowledgement whose answer was lost; both cannot be told apart.
      if (!m.acked && !m.maybeAcked && !this.nacked.has(m.id))
        problems.push(`${m.id}: neither delivered nor NACKed (expired ${m.expiresAt}; ${where(m)})`);
      if (!m.acked && this.nacked.has(m.id)) this.stats.nacked++;
    }
    return problems;
  }

  private pending(mailbox: string): Map<string, number> {
    const pending = this.handedOut.get(mailbox) ?? new Map<string, number>();
    this.handedOut.set(mailbox, pending);
    return pending;
  }
}

/** The ids of the NACKs in every sender's mailbox, read through the first member that answers. */
export async function senderNacks(
  sim: SimMailboxes,
  members: readonly SimNodeContext[],
  now: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let sender = 0; sender < SENDERS; sender++) {
    const nackTo = mailboxOf(1_000 + sender);
    for (const node of members) {
      try {
        const answer = await sim.service(node).retrieve(nackTo, proofFor(nackTo, [], now), { waitMs: 0 });
        ids.push(...answer.nacks.map((nack) => nack.id));
        break;
      } catch {
        // the next member
      }
    }
  }
  return ids;
}
