/**
 * Expiry → NACK. Every holder prunes expired entries; only the owner of a message's mailbox turns
 * it into a NACK, whose id is the message id, so that every attempt — a retry, a second owner near
 * expiry — lands on the same (nackTo, id) and the NACK mailbox's store (entry or tombstone) keeps
 * just one. No message is NACKed before ackGraceMs past its expiresAt: one handed out just before
 * may be acknowledged until then (PROTOCOL.md), and at whichever node owns it by then, which need
 * not be the one that handed it out. A non-owner keeps an expired message for expiryGraceMs past
 * that, in case it becomes the owner. NACKs that cannot be stored now wait in `pending` and are
 * retried every tick.
 */
import type { Nack } from "@wisp/lib";
import { type Entry, mailboxKey } from "./entry";
import { ServiceError } from "./mailboxes";
import type { MailboxDeps, MailboxOptions } from "./options";
import type { StoreMetrics } from "./store-metrics";
import type { PutAnswer, PutRequest } from "./wire";

const EXPIRED_PER_TICK = 10_000;

/** What the expiry asks of the rest of the store. */
export interface ExpiryHooks {
  put: (request: PutRequest) => Promise<PutAnswer>;
  /** Hands expired copies of mailboxes this node does not own to their owners. */
  handToOwners: (entries: Entry[]) => Promise<void>;
}

interface PendingNack {
  mailbox: string;
  nack: Nack;
  giveUpAt: number;
}

export class Expiry {
  private pending = new Map<string, PendingNack>();
  /** Expired copies of others' mailboxes already handed to their owner, as mailbox/id. */
  private handed = new Set<string>();
  private running: Promise<void> | null = null;
  private kept = 0;

  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
    private hooks: ExpiryHooks,
    private metrics: StoreMetrics,
  ) {}

  get pendingNacks(): number {
    return this.pending.size;
  }

  /** Expired messages a non-owner still holds for expiryGraceMs, as of the last tick. */
  get lingering(): number {
    return this.kept;
  }

  tick(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const { store, ring, clock } = this.deps;
    const now = clock.now();
    store.sweepTombstones(now);
    let kept = 0;
    const handed = new Set<string>();
    const toOwners: Entry[] = [];
    for (const entry of store.expired(now, EXPIRED_PER_TICK)) {
      if (entry.kind === "nack") {
        store.drop(entry.mailbox, [entry.id]);
        continue;
      }
      const nackableAt = entry.expiresAt + this.options.ackGraceMs;
      if (ring.isJoined() && ring.owns(mailboxKey(entry.mailbox))) {
        // Its acknowledgement may still be on its way (delivered XOR NACKed).
        if (now < nackableAt) {
          kept++;
          continue;
        }
        this.queueNack(entry, now);
        continue;
      }
      if (now >= nackableAt + this.options.expiryGraceMs) {
        store.drop(entry.mailbox, [entry.id]);
        continue;
      }
      kept++;
      // Once, to the owner: if it lacks the message (a misroute, a restart), it NACKs it now;
      // if it acknowledged or NACKed it, its tombstone refuses the copy.
      const key = `${entry.mailbox}/${entry.id}`;
      handed.add(key);
      if (!this.handed.has(key)) toOwners.push(entry);
    }
    this.kept = kept;
    this.handed = handed;
    if (toOwners.length > 0) await this.hooks.handToOwners(toOwners).catch(() => {});
    await this.flush();
  }

  private queueNack(entry: Entry & { kind: "msg" }, now: number): void {
    const nack: Nack = { id: entry.id, to: entry.envelope.to, expiredAt: entry.expiresAt };
    this.pending.set(`${entry.envelope.nackTo}/${entry.id}`, {
      mailbox: entry.envelope.nackTo,
      nack,
      giveUpAt: Math.max(now, entry.expiresAt) + this.options.ttlMs,
    });
    // Deleted under a tombstone that outlives the replicas' grace: the copies they hand back are
    // refused, so the NACK is attempted once, not once per repair round (each a chance of a second
    // NACK should the NACK mailbox's owner restart meanwhile), and the repair round clears them.
    this.deps.store.putTombstone({
      mailbox: entry.mailbox,
      id: entry.id,
      expiresAt: Math.max(now, entry.expiresAt) + this.options.expiryGraceMs,
    });
  }

  /** Tries every queued NACK once; those that still cannot be stored stay queued. */
  async flush(): Promise<void> {
    for (const [key, item] of [...this.pending]) {
      if (this.deps.clock.now() >= item.giveUpAt) {
        this.pending.delete(key);
        continue;
      }
      const sent = await this.send(item);
      if (sent) this.pending.delete(key);
    }
  }

  private async send(item: PendingNack): Promise<boolean> {
    try {
      const answer = await this.hooks.put({
        t: "store.put",
        kind: "nack",
        mailbox: item.mailbox,
        nack: item.nack,
      });
      if (answer.t !== "store.put.ok") return false;
      if (answer.created) this.metrics.nackSent();
      return true;
    } catch (error) {
      if (error instanceof ServiceError) return false;
      throw error;
    }
  }
}
