/**
 * Receipts the app owes: message ids queued per sender, sent as one sealed
 * {"type":"receipt","ids":[…]} per sender (at most MAX_ACKS ids each; outbound.ts keeps a second
 * queue for "read"), and queued again when no node took one. A flush takes the queue at once, so
 * two flushes never send an id twice.
 */
import { MAX_ACKS } from "@wisp/lib";

/** Seals and stores one receipt; true when a node took it. */
export type SendReceipt = (peer: string, ids: string[]) => Promise<boolean>;

export class ReceiptQueue {
  private readonly pending = new Map<string, Set<string>>();

  constructor(private readonly send: SendReceipt) {}

  add(peer: string, id: string): void {
    const ids = this.pending.get(peer) ?? new Set<string>();
    ids.add(id);
    this.pending.set(peer, ids);
  }

  async flush(): Promise<void> {
    const queued = [...this.pending];
    this.pending.clear();
    await Promise.all(
      queued.map(async ([peer, ids]) => {
        const all = [...ids];
        const list = all.slice(0, MAX_ACKS);
        // The rest waits for the next flush rather than being dropped.
        for (const id of all.slice(MAX_ACKS)) this.add(peer, id);
        const taken = await this.send(peer, list).catch(() => false);
        if (!taken) for (const id of list) this.add(peer, id);
      }),
    );
  }
}
