/**
 * The store attached to the Chord testnet (node/src/sim): one Mailboxes and one memory store per
 * node, timers parked on the ring's ManualClock so repair and expiry run only when a test drives
 * them. Shared by the store's ring tests and the churn property test.
 */
import type { SimNodeContext, SimRing } from "../../src/sim";
import { MailboxService } from "../../src/store/mailbox-service";
import { MemoryEntryStore } from "../../src/store/memory-store";
import type { MailboxOptions } from "../../src/store/options";

export interface Holder {
  mailboxes: MailboxService;
  store: MemoryEntryStore;
}

export class SimMailboxes {
  readonly holders = new Map<string, Holder>();

  constructor(private options: Partial<MailboxOptions> = {}) {}

  /** createRing's onNode hook: gives the node a store and a mailbox service. */
  attach = (node: SimNodeContext): void => {
    const store = new MemoryEntryStore();
    const mailboxes = new MailboxService(
      { ring: node.chord, transport: node.transport, router: node.router, clock: node.clock, store },
      { rpcTimeoutMs: 2_000, repairMs: 1e9, expiryMs: 1e9, ...this.options },
    );
    this.holders.set(node.addr, { mailboxes, store });
  };

  service(node: SimNodeContext | string): MailboxService {
    return this.holder(node).mailboxes;
  }

  store(node: SimNodeContext | string): MemoryEntryStore {
    return this.holder(node).store;
  }

  /** One repair round on every live node, in ring order. */
  async repairAll(ring: SimRing): Promise<void> {
    for (const node of ring.nodes()) await this.service(node).repair.round();
  }

  /** Addresses of the live nodes that hold the entry. */
  holdersOf(ring: SimRing, mailbox: string, id: string): string[] {
    return ring
      .nodes()
      .filter((node) => this.store(node).get(mailbox, id))
      .map((node) => node.addr);
  }

  copies(ring: SimRing, mailbox: string, id: string): number {
    return this.holdersOf(ring, mailbox, id).length;
  }

  /** SIGKILL: the service stops with the node, its entries are gone from the ring. */
  crash(ring: SimRing, addr: string): void {
    this.service(addr).stop();
    ring.crash(addr);
  }

  /** Graceful leave: hand-off to the successor first, then Chord's leave. */
  async leave(ring: SimRing, addr: string): Promise<void> {
    await this.service(addr).handOff();
    await ring.leave(addr);
  }

  stop(): void {
    for (const holder of this.holders.values()) holder.mailboxes.stop();
    this.holders.clear();
  }

  private holder(node: SimNodeContext | string): Holder {
    const addr = typeof node === "string" ? node : node.addr;
    const holder = this.holders.get(addr);
    if (!holder) throw new Error(`no store attached to ${addr}`);
    return holder;
  }
}
