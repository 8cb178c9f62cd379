/**
 * The repair round. The owner of each key pushes its entries and tombstones to its replicas, so
 * survivors of a crash restore the replica count; a node holding entries of keys it does not own
 * pushes them to their owner (this is how a joining node receives its keys), and drops them once
 * the owner has not counted it among the replicas for strayGraceMs.
 */
import { betweenRightIncl, distance, type RingId } from "@wisp/lib";
import type { Entry, Tombstone } from "./entry";
import { mailboxKey } from "./entry";
import type { MailboxDeps, MailboxOptions } from "./options";
import type { Peers } from "./peers";
import type { StoreMetrics } from "./store-metrics";

interface Held {
  entries: Entry[];
  tombstones: Tombstone[];
  mailboxes: Set<string>;
}

function emptyHeld(): Held {
  return { entries: [], tombstones: [], mailboxes: new Set() };
}

export class Repair {
  private straySince = new Map<string, number>();
  private running: Promise<void> | null = null;

  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
    private peers: Peers,
    private metrics: StoreMetrics,
  ) {}

  /** One round; a call while a round runs joins that round. */
  round(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const { ring, store } = this.deps;
    if (!ring.isJoined()) return;
    const all = store.inRange(ring.self.id, ring.self.id);
    const owned = emptyHeld();
    const foreign = new Map<string, Held>();
    const place = (mailbox: string): Held => {
      if (ring.owns(mailboxKey(mailbox))) return owned;
      const held = foreign.get(mailbox) ?? emptyHeld();
      foreign.set(mailbox, held);
      return held;
    };
    for (const entry of all.entries) place(entry.mailbox).entries.push(entry);
    for (const tombstone of all.tombstones) place(tombstone.mailbox).tombstones.push(tombstone);
    for (const mailbox of this.straySince.keys()) if (!foreign.has(mailbox)) this.straySince.delete(mailbox);

    if (owned.entries.length + owned.tombstones.length > 0) await this.syncReplicas(owned);
    await this.handToOwners(foreign);
  }

  private async syncReplicas(owned: Held): Promise<void> {
    const results = await Promise.all(
      this.peers.replicaAddrs().map((addr) => this.peers.sync(addr, owned.entries, owned.tombstones)),
    );
    for (const result of results) this.metrics.repaired(result?.created ?? 0);
  }

  /**
   * Hands entries this node does not own to their owners now, outside a round: the expiry's
   * expired copies, which the owner NACKs if it lacks them (issue 16: no silent expiry).
   */
  async handOver(entries: readonly Entry[]): Promise<void> {
    const foreign = new Map<string, Held>();
    for (const entry of entries) {
      const held = foreign.get(entry.mailbox) ?? emptyHeld();
      foreign.set(entry.mailbox, held);
      held.entries.push(entry);
      held.mailboxes.add(entry.mailbox);
    }
    await this.handToOwners(foreign, { judge: false });
  }

  private async handToOwners(foreign: Map<string, Held>, options = { judge: true }): Promise<void> {
    const byOwner = new Map<string, Held>();
    for (const [mailbox, owner] of await this.owners([...foreign.keys()])) {
      if (owner === this.peers.selfAddr) continue;
      const held = foreign.get(mailbox)!;
      const group = byOwner.get(owner) ?? emptyHeld();
      byOwner.set(owner, group);
      group.entries.push(...held.entries);
      group.tombstones.push(...held.tombstones);
      group.mailboxes.add(mailbox);
    }
    await Promise.all(
      [...byOwner].map(async ([owner, group]) => {
        const result = await this.peers.sync(owner, group.entries, group.tombstones);
        if (!result) return;
        this.metrics.repaired(result.created);
        const isReplica = result.replicas.includes(this.peers.selfAddr);
        if (!options.judge) return;
        for (const mailbox of group.mailboxes) this.judgeStray(mailbox, isReplica, foreign.get(mailbox)!);
      }),
    );
  }

  /**
   * The owner of each mailbox, with few lookups: keys are taken in ring order from this node, and
   * a lookup of k answering node n settles every key in [k, n] too, since no node lies in (k, n).
   */
  private async owners(mailboxes: string[]): Promise<Map<string, string>> {
    const self = this.deps.ring.self.id;
    const keyed = mailboxes.map((mailbox) => ({ mailbox, key: mailboxKey(mailbox) }));
    keyed.sort((a, b) => compareBig(distance(self, a.key), distance(self, b.key)));
    const owners = new Map<string, string>();
    let arc: { from: RingId; to: RingId; addr: string } | null = null;
    for (const { mailbox, key } of keyed) {
      if (arc && (key === arc.from || (arc.from !== arc.to && betweenRightIncl(arc.from, key, arc.to)))) {
        owners.set(mailbox, arc.addr);
        continue;
      }
      try {
        const { node } = await this.deps.ring.lookup(key);
        arc = { from: key, to: node.id, addr: node.addr };
        owners.set(mailbox, node.addr);
      } catch {
        arc = null;
      }
    }
    return owners;
  }

  private judgeStray(mailbox: string, isReplica: boolean, held: Held): void {
    if (isReplica) {
      this.straySince.delete(mailbox);
      return;
    }
    const now = this.deps.clock.now();
    const since = this.straySince.get(mailbox) ?? now;
    this.straySince.set(mailbox, since);
    if (now - since < this.options.strayGraceMs) return;
    const ids = [...held.entries.map((e) => e.id), ...held.tombstones.map((t) => t.id)];
    this.deps.store.drop(mailbox, ids);
    this.straySince.delete(mailbox);
  }
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
