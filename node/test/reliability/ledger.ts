/**
 * The soak's books: every message a node accepted (201, or 200 for a retry of an id whose 201 was
 * lost), every delivery to its recipient and every NACK to its sender, counted by id. Retrieve
 * hands an entry out again until it is acknowledged (PROTOCOL.md), so a second sight of an id
 * before its acknowledgement was answered is a redelivery by contract; a sight after it is a
 * duplicate, and a failure. Delivered XOR NACKed: no node NACKs a message before `ackGraceMs` past
 * its expiresAt, so one acknowledged by then and NACKed is a failure, however late the
 * acknowledgement came within that; only one acknowledged later still (its reader could reach no
 * node for the whole grace) may rightly end both ways, and is counted apart.
 */

export interface Accepted {
  id: string;
  /** A recipient that never polls: its messages must all come back as NACKs. */
  silent: boolean;
  expiresAt: number;
  status: 200 | 201;
  /** For the report of a failure: when, through which node, to which mailbox. */
  acceptedAt: number;
  via: string;
  to: string;
  nackTo: string;
}

export interface Counts {
  sent: number;
  /** Accepted with 200: a retry of the same id after the first answer was lost. */
  sentByRetry: number;
  delivered: number;
  nacked: number;
  /** Delivered, acknowledged only after the grace (or never), and NACKed: the contract's limit. */
  ackedAfterGraceAndNacked: number;
  /** Shown again before its acknowledgement was answered (the contract's at-least-once). */
  redelivered: number;
  /** Failures: */
  lost: number;
  deliveredAndNacked: number;
  duplicates: number;
  duplicateNacks: number;
  silentDelivered: number;
  /** A message in another mailbox than its `to`, or a NACK not in `nackTo` or not naming `to` and `expiresAt`. */
  misdirected: number;
  /** NACKs of ids never accepted (a store whose answer the client never saw): information only. */
  unknownNacks: number;
}

class Sightings {
  private seen = new Map<string, number>();
  private ackedAt = new Map<string, number>();
  private after = new Map<string, number>();

  saw(id: string): void {
    this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
    if (this.ackedAt.has(id)) this.after.set(id, (this.after.get(id) ?? 0) + 1);
  }

  acknowledged(ids: readonly string[], at: number): void {
    for (const id of ids) if (!this.ackedAt.has(id)) this.ackedAt.set(id, at);
  }

  times(id: string): number {
    return this.seen.get(id) ?? 0;
  }

  ackedAtOf(id: string): number | undefined {
    return this.ackedAt.get(id);
  }

  afterAck(id: string): number {
    return this.after.get(id) ?? 0;
  }

  ids(): IterableIterator<string> {
    return this.seen.keys();
  }
}

export class Ledger {
  readonly accepted = new Map<string, Accepted>();
  readonly deliveries = new Sightings();
  readonly nacks = new Sightings();
  private misdirectedIds = new Set<string>();

  /** `ackGraceMs`: the nodes' acknowledgement grace past expiresAt before any NACK. */
  constructor(private ackGraceMs: number) {}

  accept(entry: Accepted): void {
    if (!this.accepted.has(entry.id)) this.accepted.set(entry.id, entry);
  }

  /** A message the reader of `mailbox` was handed. */
  sawMessage(mailbox: string, message: { id: string; to: string }): void {
    this.deliveries.saw(message.id);
    const entry = this.accepted.get(message.id);
    if (message.to !== mailbox || (entry && entry.to !== mailbox)) this.misdirectedIds.add(message.id);
  }

  /** A NACK the reader of `mailbox` was handed. */
  sawNack(mailbox: string, nack: { id: string; to: string; expiredAt: number }): void {
    this.nacks.saw(nack.id);
    const entry = this.accepted.get(nack.id);
    if (entry && (entry.nackTo !== mailbox || entry.to !== nack.to || entry.expiresAt !== nack.expiredAt))
      this.misdirectedIds.add(nack.id);
  }

  /** True once every accepted message reached one of its ends. */
  settled(): boolean {
    for (const entry of this.accepted.values())
      if (this.deliveries.times(entry.id) === 0 && this.nacks.times(entry.id) === 0) return false;
    return true;
  }

  counts(): Counts {
    const counts: Counts = {
      sent: this.accepted.size,
      sentByRetry: 0,
      delivered: 0,
      nacked: 0,
      ackedAfterGraceAndNacked: 0,
      redelivered: 0,
      lost: 0,
      deliveredAndNacked: 0,
      duplicates: 0,
      duplicateNacks: 0,
      silentDelivered: 0,
      misdirected: this.misdirectedIds.size,
      unknownNacks: 0,
    };
    for (const entry of this.accepted.values()) this.judge(entry, counts);
    for (const id of this.nacks.ids()) if (!this.accepted.has(id)) counts.unknownNacks++;
    return counts;
  }

  /** What is known of an accepted id, for the report of a failing run. */
  describe(id: string): Record<string, unknown> {
    return {
      ...this.accepted.get(id),
      deliveries: this.deliveries.times(id),
      ackedAt: this.deliveries.ackedAtOf(id),
      nacks: this.nacks.times(id),
    };
  }

  /** The ids of a failure kind, for the report of a failing run. */
  failures(): Record<string, string[]> {
    const out: Record<string, string[]> = {
      lost: [],
      deliveredAndNacked: [],
      duplicates: [],
      duplicateNacks: [],
    };
    for (const entry of this.accepted.values()) {
      const verdict = this.verdict(entry);
      if (verdict in out) out[verdict].push(entry.id);
      if (this.deliveries.afterAck(entry.id) > 0) out.duplicates.push(entry.id);
      if (this.nacks.afterAck(entry.id) > 0) out.duplicateNacks.push(entry.id);
    }
    return out;
  }

  private judge(entry: Accepted, counts: Counts): void {
    if (entry.status === 200) counts.sentByRetry++;
    if (this.deliveries.times(entry.id) > 1) counts.redelivered++;
    if (this.deliveries.afterAck(entry.id) > 0) counts.duplicates++;
    if (this.nacks.afterAck(entry.id) > 0) counts.duplicateNacks++;
    if (entry.silent && this.deliveries.times(entry.id) > 0) counts.silentDelivered++;
    const verdict = this.verdict(entry);
    counts[verdict]++;
  }

  private verdict(
    entry: Accepted,
  ): "delivered" | "nacked" | "ackedAfterGraceAndNacked" | "deliveredAndNacked" | "lost" {
    const delivered = this.deliveries.times(entry.id) > 0;
    const nacked = this.nacks.times(entry.id) > 0;
    if (delivered && !nacked) return "delivered";
    if (nacked && !delivered) return "nacked";
    if (!delivered) return "lost";
    const ackedAt = this.deliveries.ackedAtOf(entry.id);
    return ackedAt !== undefined && ackedAt < entry.expiresAt + this.ackGraceMs
      ? "deliveredAndNacked"
      : "ackedAfterGraceAndNacked";
  }
}
