/**
 * Receipts the app owes: message ids queued per sender, sent as one sealed
 * {"type":"receipt","ids":[…]} per sender (at most MAX_ACKS ids each), and queued again when no
 * node took one. A flush takes the queue at once, so two flushes never send an id twice.
 */
import { MAX_ACKS } from "@wisp/lib";

/**
 * Seals one receipt and asks a node to store it: resolves once the request is on its way, with
 * `taken`, which says when the node answered whether it took it.
 */
export type SendReceipt = (peer: string, ids: string[]) => Promise<{ taken: Promise<boolean> }>;

/** What a flush started: `answered` settles once every node answered and what none took is queued again. */
export interface Flushed {
  answered: Promise<void>;
}

export class ReceiptQueue {
  private readonly pending = new Map<string, Set<string>>();

  constructor(private readonly send: SendReceipt) {}

  add(peer: string, id: string): void {
    const ids = this.pending.get(peer) ?? new Set<string>();
    ids.add(id);
    this.pending.set(peer, ids);
  }

  /** Resolves once every queued receipt is sealed and on its way (what the sender waits on). */
  async flush(): Promise<Flushed> {
    const queued = [...this.pending];
    this.pending.clear();
    const sent = await Promise.all(queued.map(([peer, ids]) => this.sendSome(peer, [...ids])));
    return { answered: Promise.all(sent.map((s) => s.answered)).then(() => {}) };
  }

  private async sendSome(peer: string, all: string[]): Promise<Flushed> {
    const list = all.slice(0, MAX_ACKS);
    // The rest waits for the next flush rather than being dropped.
    for (const id of all.slice(MAX_ACKS)) this.add(peer, id);
    const requeue = (taken: boolean) => {
      if (!taken) for (const id of list) this.add(peer, id);
    };
    try {
      const { taken } = await this.send(peer, list);
      return { answered: taken.catch(() => false).then(requeue) };
    } catch {
      requeue(false);
      return { answered: Promise.resolve() };
    }
  }
}
