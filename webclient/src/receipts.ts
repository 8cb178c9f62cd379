/**
 * Receipts the app owes: message ids queued per sender, sent as one sealed
 * {"type":"receipt","ids":[…]} per sender (at most MAX_ACKS ids each), or as one
 * {"type":"read","ids":[…]} for the ids read as they arrived (a read receipt also says
 * delivered, so those need no second envelope), and queued again when no node took one. A flush
 * takes the queue at once, so two flushes never send an id twice.
 */
import { MAX_ACKS } from "@wisp/lib";

export type ReceiptKind = "receipt" | "read";

/** Seals and stores one receipt; true when a node took it. */
export type SendReceipt = (peer: string, ids: string[], kind: ReceiptKind) => Promise<boolean>;

export class ReceiptQueue {
  /** Per sender, each id with the receipt it is owed ("read" wins over "receipt"). */
  private readonly pending = new Map<string, Map<string, ReceiptKind>>();

  constructor(private readonly send: SendReceipt) {}

  add(peer: string, id: string, kind: ReceiptKind = "receipt"): void {
    const ids = this.pending.get(peer) ?? new Map<string, ReceiptKind>();
    if (ids.get(id) !== "read") ids.set(id, kind);
    this.pending.set(peer, ids);
  }

  async flush(): Promise<void> {
    const queued = [...this.pending];
    this.pending.clear();
    const sends = queued.flatMap(([peer, ids]) =>
      (["read", "receipt"] as const).map((kind) => ({
        peer,
        kind,
        ids: [...ids].filter(([, k]) => k === kind).map(([id]) => id),
      })),
    );
    await Promise.all(sends.filter((s) => s.ids.length > 0).map((s) => this.sendSome(s.peer, s.ids, s.kind)));
  }

  private async sendSome(peer: string, all: string[], kind: ReceiptKind): Promise<void> {
    const list = all.slice(0, MAX_ACKS);
    // The rest waits for the next flush rather than being dropped.
    for (const id of all.slice(MAX_ACKS)) this.add(peer, id, kind);
    const taken = await this.send(peer, list, kind).catch(() => false);
    if (!taken) for (const id of list) this.add(peer, id, kind);
  }
}
