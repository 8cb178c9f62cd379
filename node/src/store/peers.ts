/**
 * The store's copies to other nodes: store.replicate pushes to the replicas, the repair round's
 * store.digest offers, and an acknowledgement's tombstones. Answers are checked like any hostile input.
 */
import type { RingId } from "@wisp/lib";
import { TransportError, type WireMessage } from "../transport/transport";
import { digestBatches, replicateBatches } from "./batches";
import type { Entry, Tombstone } from "./entry";
import type { MailboxDeps, MailboxOptions } from "./options";
import { type DigestRequest, decodeDigestAnswer, decodeReplicateAnswer, encodeStoreRequest } from "./wire";

export class Peers {
  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
  ) {}

  get selfAddr(): string {
    return this.deps.ring.self.addr;
  }

  /** The addresses this node copies its own keys to: its first replicas − 1 successors. */
  replicaAddrs(): string[] {
    const out: string[] = [];
    for (const node of this.deps.ring.successors()) {
      if (out.length >= this.options.replicas - 1) break;
      if (node.addr !== this.selfAddr && !out.includes(node.addr)) out.push(node.addr);
    }
    return out;
  }

  /**
   * Pushes entries and tombstones to addr in batches. Resolves to the number of entries the
   * receiver did not have and the receiver's replica set, or null when addr failed.
   */
  push(
    addr: string,
    entries: readonly Entry[],
    tombstones: readonly Tombstone[],
    timeoutMs = this.options.rpcTimeoutMs,
  ): Promise<{ created: number; replicas: string[] } | null> {
    return this.pushBatches(addr, replicateRequests(entries, tombstones), timeoutMs);
  }

  private async pushBatches(
    addr: string,
    requests: readonly WireMessage[],
    timeoutMs: number,
  ): Promise<{ created: number; replicas: string[] } | null> {
    let created = 0;
    let replicas: string[] = [];
    for (const request of requests) {
      let answer: WireMessage;
      try {
        answer = await this.deps.transport.request(addr, request, { timeoutMs });
      } catch (error) {
        if (!(error instanceof TransportError) || error.code !== "remote") this.deps.ring.reportFailure(addr);
        return null;
      }
      const checked = decodeReplicateAnswer(answer);
      if (!checked) return null;
      created += checked.created;
      replicas = checked.replicas;
    }
    return { created, replicas };
  }

  /**
   * The repair round's transfer: offers ids first (store.digest) and pushes only the entries addr
   * lacks, so a round over replicas that are already in step costs ids, not envelopes.
   */
  async sync(
    addr: string,
    entries: readonly Entry[],
    tombstones: readonly Tombstone[],
  ): Promise<{ created: number; replicas: string[] } | null> {
    let created = 0;
    let replicas: string[] = [];
    for (const batch of digestBatches(entries, tombstones)) {
      const message: DigestRequest = {
        t: "store.digest",
        entries: batch.entries.map((e) => [e.mailbox, e.id]),
        tombstones: batch.tombstones,
      };
      let raw: WireMessage;
      try {
        raw = await this.deps.transport.request(addr, encodeStoreRequest(message), {
          timeoutMs: this.options.rpcTimeoutMs,
        });
      } catch (error) {
        if (!(error instanceof TransportError) || error.code !== "remote") this.deps.ring.reportFailure(addr);
        return null;
      }
      const answer = decodeDigestAnswer(raw, batch.entries.length);
      if (!answer) return null;
      replicas = answer.replicas;
      if (answer.missing.length === 0) continue;
      const pushed = await this.push(
        addr,
        answer.missing.map((i) => batch.entries[i]),
        [],
      );
      if (!pushed) return null;
      created += pushed.created;
    }
    return { created, replicas };
  }

  /**
   * Pushes an acknowledgement's tombstones to the replicas and, when this node does not own key, to
   * the owner a lookup names and to the predecessor: a retrieve routed before a join (or a restart
   * at the same address) completed reaches the owner's successor, whose own routes may still end at
   * itself; the owner's copy must go before the client's answer, not a repair round later.
   */
  async pushTombstones(key: RingId, tombstones: readonly Tombstone[], timeoutMs: number): Promise<void> {
    const toOwner = async () => {
      const { ring } = this.deps;
      if (ring.owns(key)) return;
      const targets = new Set<string>();
      const predecessor = ring.predecessor();
      if (predecessor) targets.add(predecessor.addr);
      try {
        targets.add((await ring.lookup(key, { signal: AbortSignal.timeout(timeoutMs / 2) })).node.addr);
      } catch {
        // the predecessor, and the repair round, remain
      }
      targets.delete(this.selfAddr);
      for (const addr of this.replicaAddrs()) targets.delete(addr);
      await Promise.all([...targets].map((addr) => this.push(addr, [], tombstones, timeoutMs)));
    };
    await Promise.all([this.pushToReplicas([], tombstones, timeoutMs), toOwner()]);
  }

  /**
   * Pushes to every replica at once; failures are reported and left to the repair round. Inside a
   * client's request the owner waits half a deadline, so it answers before the entry node gives up.
   */
  async pushToReplicas(
    entries: readonly Entry[],
    tombstones: readonly Tombstone[],
    timeoutMs = this.options.rpcTimeoutMs,
  ): Promise<number> {
    const replicas = this.replicaAddrs();
    // Every replica gets the same batches: they are put together once.
    const requests = replicas.length > 0 ? replicateRequests(entries, tombstones) : [];
    const results = await Promise.all(replicas.map((addr) => this.pushBatches(addr, requests, timeoutMs)));
    return results.reduce((sum, result) => sum + (result?.created ?? 0), 0);
  }
}

function replicateRequests(entries: readonly Entry[], tombstones: readonly Tombstone[]): WireMessage[] {
  return replicateBatches(entries, tombstones).map(encodeStoreRequest);
}
