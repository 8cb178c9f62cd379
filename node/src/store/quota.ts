/**
 * Each source's share of a mailbox's quota (docs/security.md, "Shares of a mailbox"), so that no
 * one source can fill a victim's mailbox. Two ledgers:
 *
 * - `SourceLedger`, where entries are stored (the owner, and replicas for their copies): what each
 *   source has stored in each mailbox and is still held. A source is the authenticated node that
 *   sent the put or the copy, or, for the owner's own API, the client's IP group. Entries leave
 *   the store by acknowledgement, expiry, repair and hand-off; the ledger does not follow each of
 *   those paths but asks the store, when a source reaches its share, which of its ids are still
 *   there — and sweeps all of itself when it has grown to twice what it held after the last sweep.
 * - `ClientWindows`, where a client's put enters the ring (every API): what each client sent to
 *   each mailbox in the last TTL, in four time slots, for puts the node forwards to an owner that
 *   counts them all under this node's name.
 */
import type { LruMap } from "../lru";

export interface Share {
  entries: number;
  bytes: number;
}

/** The share of limits a fraction gives, at least one entry and one envelope's worth of bytes. */
export function shareOf(limits: Share, fraction: number): Share {
  return {
    entries: Math.max(1, Math.floor(limits.entries * fraction)),
    bytes: Math.max(65_536, Math.floor(limits.bytes * fraction)),
  };
}

interface Holding {
  /** Size of each id held, as charged against the mailbox's byte limit. */
  sizes: Map<string, number>;
  bytes: number;
}

/** Records left after a sweep below which no sweep runs. */
const SWEEP_FLOOR = 4_096;

export class SourceLedger {
  /** mailbox → source → what it stored there. */
  private byMailbox = new Map<string, Map<string, Holding>>();
  private records = 0;
  private sweepAt = SWEEP_FLOOR;
  refused = 0;

  /** held(mailbox, id): the store still holds this entry. */
  constructor(private readonly held: (mailbox: string, id: string) => boolean) {}

  /** Why source may not add an entry of size bytes to mailbox within share, or null when it may. */
  refusal(mailbox: string, source: string, size: number, share: Share): string | null {
    const holding = this.byMailbox.get(mailbox)?.get(source);
    if (!holding || fits(holding, size, share)) return null;
    this.reconcile(mailbox, holding);
    if (fits(holding, size, share)) return null;
    this.refused++;
    return `this source holds its share of the mailbox (${share.entries} entries or ${share.bytes} bytes); others' messages are still taken`;
  }

  record(mailbox: string, source: string, id: string, size: number): void {
    let sources = this.byMailbox.get(mailbox);
    if (!sources) {
      sources = new Map();
      this.byMailbox.set(mailbox, sources);
    }
    let holding = sources.get(source);
    if (!holding) {
      holding = { sizes: new Map(), bytes: 0 };
      sources.set(source, holding);
    }
    if (holding.sizes.has(id)) return;
    holding.sizes.set(id, size);
    holding.bytes += size;
    this.records++;
    if (this.records >= this.sweepAt) this.sweep();
  }

  /** Ids recorded and not yet found gone: at most twice the store's entries, plus a floor. */
  get size(): number {
    return this.records;
  }

  private reconcile(mailbox: string, holding: Holding): void {
    for (const [id, size] of holding.sizes) {
      if (this.held(mailbox, id)) continue;
      holding.sizes.delete(id);
      holding.bytes -= size;
      this.records--;
    }
  }

  private sweep(): void {
    for (const [mailbox, sources] of this.byMailbox) {
      for (const [source, holding] of sources) {
        this.reconcile(mailbox, holding);
        if (holding.sizes.size === 0) sources.delete(source);
      }
      if (sources.size === 0) this.byMailbox.delete(mailbox);
    }
    this.sweepAt = Math.max(SWEEP_FLOOR, 2 * this.records);
  }
}

function fits(holding: Holding, size: number, share: Share): boolean {
  return holding.sizes.size < share.entries && holding.bytes + size <= share.bytes;
}

/** Slots of a client's window: what it sent in each quarter of the last TTL. */
const SLOTS = 4;

interface Window {
  /** Start of slot 0's period, in slot units (time / slotMs). */
  first: number;
  entries: number[];
  bytes: number[];
}

export class ClientWindows {
  private readonly slotMs: number;
  refused = 0;

  constructor(
    private readonly windows: LruMap<string, Window>,
    ttlMs: number,
  ) {
    this.slotMs = Math.max(1, Math.ceil(ttlMs / SLOTS));
  }

  /** Why client may not send one more entry of size bytes to mailbox within share, or null. */
  refusal(mailbox: string, client: string, size: number, share: Share, now: number): string | null {
    const window = this.windows.get(`${mailbox} ${client}`);
    if (!window) return null;
    this.advance(window, now);
    const entries = sum(window.entries);
    if (entries < share.entries && sum(window.bytes) + size <= share.bytes) return null;
    this.refused++;
    return `you sent this mailbox its share from one address (${share.entries} entries or ${share.bytes} bytes a TTL); others' messages are still taken`;
  }

  record(mailbox: string, client: string, size: number, now: number): void {
    const key = `${mailbox} ${client}`;
    let window = this.windows.get(key);
    if (!window) {
      window = { first: Math.floor(now / this.slotMs), entries: [0], bytes: [0] };
      this.windows.set(key, window);
    }
    this.advance(window, now);
    window.entries[window.entries.length - 1]++;
    window.bytes[window.bytes.length - 1] += size;
  }

  /** Opens the slot of now, and forgets the slots older than the window. */
  private advance(window: Window, now: number): void {
    const slot = Math.floor(now / this.slotMs);
    if (slot - (window.first + window.entries.length - 1) >= SLOTS) {
      window.first = slot;
      window.entries = [0];
      window.bytes = [0];
      return;
    }
    while (window.first + window.entries.length - 1 < slot) {
      window.entries.push(0);
      window.bytes.push(0);
    }
    const drop = window.entries.length - SLOTS;
    if (drop <= 0) return;
    window.entries.splice(0, drop);
    window.bytes.splice(0, drop);
    window.first += drop;
  }
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
