/**
 * Expiry → NACK. Every holder prunes expired entries; only the owner of a message's mailbox turns
 * it into a NACK, whose id is the message id, so that every attempt — a retry, a second owner near
 * expiry — lands on the same (nackTo, id) and the NACK mailbox's store (entry or tombstone) keeps
 * just one. A non-owner keeps an expired message for expiryGraceMs in case it becomes the owner.
 * NACKs that cannot be stored now wait in `pending` and are retried every tick.
 */
import type { Nack } from "@wisp/lib";
import { mailboxKey } from "./entry";
import { ServiceError } from "./mailboxes";
import type { MailboxDeps, MailboxOptions } from "./options";
import type { StoreMetrics } from "./store-metrics";
import type { PutAnswer, PutRequest } from "./wire";

const EXPIRED_PER_TICK = 10_000;

interface PendingNack {
  mailbox: string;
  nack: Nack;
  giveUpAt: number;
}

export class Expiry {
  private pending = new Map<string, PendingNack>();
  private running: Promise<void> | null = null;
  private kept = 0;

  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
    private put: (request: PutRequest) => Promise<PutAnswer>,
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
    for (const entry of store.expired(now, EXPIRED_PER_TICK)) {
      if (entry.kind === "nack") {
        store.drop(entry.mailbox, [entry.id]);
        continue;
      }
      if (ring.isJoined() && ring.owns(mailboxKey(entry.mailbox))) {
        const nack: Nack = { id: entry.id, to: entry.envelope.to, expiredAt: entry.expiresAt };
        this.pending.set(`${entry.envelope.nackTo}/${entry.id}`, {
          mailbox: entry.envelope.nackTo,
          nack,
          giveUpAt: entry.expiresAt + this.options.ttlMs,
        });
        // Deleted under a tombstone that outlives the replicas' grace: the copies they hand back are
        // refused, so the NACK is attempted once, not once per repair round (each a chance of a second
        // NACK should the NACK mailbox's owner restart meanwhile), and the repair round clears them.
        store.putTombstone({
          mailbox: entry.mailbox,
          id: entry.id,
          expiresAt: entry.expiresAt + this.options.expiryGraceMs,
        });
        continue;
      }
      if (now >= entry.expiresAt + this.options.expiryGraceMs) store.drop(entry.mailbox, [entry.id]);
      else kept++;
    }
    this.kept = kept;
    await this.flush();
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
      const answer = await this.put({ t: "store.put", kind: "nack", mailbox: item.mailbox, nack: item.nack });
      if (answer.t !== "store.put.ok") return false;
      if (answer.created) this.metrics.nackSent();
      return true;
    } catch (error) {
      if (error instanceof ServiceError) return false;
      throw error;
    }
  }
}
