/**
 * What a node accepts from its peers' pushes (store.replicate, store.digest). Peers are not
 * trusted more than clients: an entry must be unexpired, must not claim to live longer than a TTL
 * from now (plus clock skew between nodes), and a replica holds at most twice the owner's mailbox
 * limits, so no peer can fill a node's memory or plant an entry that never expires — and one pushing
 * node at most the owner's own limits of that, so it cannot fill a copy of a mailbox alone.
 */
import { type Entry, entrySize, mailboxKey, type Tombstone } from "./entry";
import type { MailboxDeps, MailboxOptions } from "./options";
import type { ProofChecker } from "./proof";
import { type SourceLedger, shareOf } from "./quota";

/** The node that pushed copies: by key (`who`), whether its copies count against a share, whether it hands keys over. */
export interface CopySource {
  who: string;
  hasShare: boolean;
  neighbour: boolean;
}

const MAX_CLOCK_SKEW_MS = 300_000;
const REPLICA_LIMIT_FACTOR = 2;

export class Intake {
  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
    private proofs: ProofChecker,
    private ledger: SourceLedger,
  ) {}

  /** Applies the tombstones whose owner-signed proof verifies for their mailbox and id; ignores the rest. */
  async tombstones(tombstones: readonly Tombstone[], source: string): Promise<void> {
    const now = this.deps.clock.now();
    let ignored = 0;
    for (const tombstone of tombstones) {
      if (!this.plausible(tombstone.expiresAt, now)) continue;
      const valid =
        tombstone.proof !== undefined &&
        (await this.proofs.valid(tombstone.proof, tombstone.mailbox, now, tombstone.id));
      if (valid) this.deps.store.putTombstone(tombstone);
      else ignored++;
    }
    if (ignored > 0)
      this.deps.refuse?.("proof", source, `${ignored} tombstones without a proof that verifies`);
  }

  /**
   * Puts the entries this node lacks; calls created for each new one and answers their count.
   * `source` (the pushing node) holds at most a mailbox's limits of each copy — or, for a mailbox
   * this node owns, a source's share, unless it is a neighbour that hands keys over (`neighbour`).
   * A source without a share (a node on loopback) costs no ledger records.
   */
  entries(entries: readonly Entry[], source: CopySource, created: (entry: Entry) => void): number {
    const now = this.deps.clock.now();
    const limits = { entries: this.options.maxMailboxEntries, bytes: this.options.maxMailboxBytes };
    const ownerShare = shareOf(limits, this.options.sourceShare);
    let count = 0;
    let overShare = 0;
    for (const entry of entries) {
      if (!(this.plausible(entry.expiresAt, now) || this.owedNack(entry, now)) || this.full(entry.mailbox))
        continue;
      if (this.deps.store.get(entry.mailbox, entry.id)) continue;
      const size = entrySize(entry);
      const owned = !source.neighbour && this.deps.ring.owns(mailboxKey(entry.mailbox));
      const share = owned ? ownerShare : limits;
      if (source.hasShare && this.ledger.refusal(entry.mailbox, source.who, size, share) !== null) {
        overShare++;
        continue;
      }
      if (!this.deps.store.put(entry).created) continue;
      if (source.hasShare) this.ledger.record(entry.mailbox, source.who, entry.id, size);
      count++;
      created(entry);
    }
    if (overShare > 0) this.deps.refuse?.("share", source.who, `${overShare} copies over its share`);
    return count;
  }

  /** Indexes of the offered [mailbox, id] pairs this node does not hold. */
  missing(pairs: readonly [string, string][]): number[] {
    const out: number[] = [];
    pairs.forEach(([mailbox, id], i) => {
      if (!this.deps.store.get(mailbox, id)) out.push(i);
    });
    return out;
  }

  /**
   * An expired message handed to its owner: the owner restarted (or joined) after the holders'
   * copies expired, and they keep them only for expiryGraceMs as non-owners. Refused, no node would
   * ever NACK it; taken, this node's next expiry tick does (and drops it).
   */
  private owedNack(entry: Entry, now: number): boolean {
    if (entry.kind !== "msg" || entry.expiresAt > now) return false;
    if (entry.expiresAt + this.options.ackGraceMs + this.options.expiryGraceMs <= now) return false;
    const { ring } = this.deps;
    return ring.isJoined() && ring.owns(mailboxKey(entry.mailbox));
  }

  private plausible(expiresAt: number, now: number): boolean {
    return expiresAt > now && expiresAt <= now + this.options.ttlMs + MAX_CLOCK_SKEW_MS;
  }

  private full(mailbox: string): boolean {
    const { store } = this.deps;
    const { maxMailboxEntries, maxMailboxBytes } = this.options;
    return (
      store.count(mailbox) >= REPLICA_LIMIT_FACTOR * maxMailboxEntries ||
      store.bytes(mailbox) >= REPLICA_LIMIT_FACTOR * maxMailboxBytes
    );
  }
}
