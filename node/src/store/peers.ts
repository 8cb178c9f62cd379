/**
 * The store's calls to other nodes: routed requests to the owner of a key (or to this node itself,
 * without the transport), and store.replicate pushes. Answers are checked like any hostile input.
 */
import type { RingId } from "@wisp/lib";
import { RingUnavailable } from "../chord/ring";
import { TransportError, type WireMessage } from "../transport/transport";
import type { Entry, Tombstone } from "./entry";
import { ServiceError } from "./mailboxes";
import type { MailboxDeps, MailboxOptions } from "./options";
import { batches, DIGEST, digestBatches, isNotOwner, parseDigestAnswer, parseReplicateAnswer } from "./wire";

export type LocalHandler = (message: WireMessage, signal?: AbortSignal) => WireMessage | Promise<WireMessage>;

export interface RouteOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

const ROUTE_ATTEMPTS = 2;

export class Peers {
  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
    private local: LocalHandler,
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
   * Sends message to the owner of key and checks a remote owner's answer with parseAnswer (null:
   * malformed). When this node owns key, the local handler answers without a lookup or the
   * transport, and its answer is trusted as it is (and may come back without a promise). Throws
   * ServiceError("unavailable") when no owner answers; a peer that fails is reported to Chord and
   * the lookup is tried once more.
   */
  routed<T>(
    key: RingId,
    message: WireMessage,
    options: RouteOptions,
    parseAnswer: (raw: WireMessage) => T | null,
  ): T | null | Promise<T | null> {
    const { ring } = this.deps;
    if (!ring.isJoined()) throw new ServiceError("unavailable", "this node has not joined a ring yet");
    // key ∈ (predecessor, self]: what Chord's lookup answers at once for an owned key, without its
    // promise and result object.
    if (!options.signal?.aborted && ring.owns(key))
      return this.local(message, options.signal) as unknown as T | Promise<T>;
    return this.routedByLookup(key, message, options, parseAnswer);
  }

  private async routedByLookup<T>(
    key: RingId,
    message: WireMessage,
    options: RouteOptions,
    parseAnswer: (raw: WireMessage) => T | null,
  ): Promise<T | null> {
    const { ring, transport } = this.deps;
    // First the owner this node's table names, unconfirmed: it checks that it owns key itself
    // (`owner: true`), which saves the confirming round trip of a verified lookup.
    const named = await this.lookup(key, options.signal, false);
    if (named === ring.self.addr) return (await this.local(message, options.signal)) as unknown as T;
    let lastProblem = "no owner answered";
    try {
      const answer = await transport.request(named, { ...message, owner: true }, options);
      if (!isNotOwner(answer)) return parseAnswer(answer);
    } catch (error) {
      lastProblem = this.failed(error, named);
    }
    for (let attempt = 0; attempt < ROUTE_ATTEMPTS; attempt++) {
      const owner = await this.lookup(key, options.signal, true);
      if (owner === ring.self.addr) return (await this.local(message, options.signal)) as unknown as T;
      try {
        return parseAnswer(await transport.request(owner, message, options));
      } catch (error) {
        lastProblem = this.failed(error, owner);
      }
    }
    throw new ServiceError("unavailable", lastProblem);
  }

  /** Throws for an abort and for the owner's refusal; reports any other failure and answers why. */
  private failed(error: unknown, owner: string): string {
    if (error instanceof TransportError && error.code === "aborted")
      throw new ServiceError("unavailable", "the request was aborted");
    if (error instanceof TransportError && error.code === "remote")
      throw new ServiceError("internal", `the owner ${owner} refused: ${error.message}`);
    this.deps.ring.reportFailure(owner);
    return `the owner ${owner} did not answer: ${error instanceof Error ? error.message : error}`;
  }

  /**
   * Pushes entries and tombstones to addr in batches. Resolves to the number of entries the
   * receiver did not have and the receiver's replica set, or null when addr failed.
   */
  async push(
    addr: string,
    entries: readonly Entry[],
    tombstones: readonly Tombstone[],
    timeoutMs = this.options.rpcTimeoutMs,
  ): Promise<{ created: number; replicas: string[] } | null> {
    let created = 0;
    let replicas: string[] = [];
    for (const batch of batches(entries, tombstones)) {
      let answer: WireMessage;
      try {
        answer = await this.deps.transport.request(addr, batch as unknown as WireMessage, { timeoutMs });
      } catch (error) {
        if (!(error instanceof TransportError) || error.code !== "remote") this.deps.ring.reportFailure(addr);
        return null;
      }
      const checked = parseReplicateAnswer(answer);
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
      const message = {
        t: DIGEST,
        entries: batch.entries.map((e) => [e.mailbox, e.id]),
        tombstones: batch.tombstones,
      };
      let raw: WireMessage;
      try {
        raw = await this.deps.transport.request(addr, message, { timeoutMs: this.options.rpcTimeoutMs });
      } catch (error) {
        if (!(error instanceof TransportError) || error.code !== "remote") this.deps.ring.reportFailure(addr);
        return null;
      }
      const answer = parseDigestAnswer(raw, batch.entries.length);
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
    const results = await Promise.all(
      replicas.map((addr) => this.push(addr, entries, tombstones, timeoutMs)),
    );
    return results.reduce((sum, result) => sum + (result?.created ?? 0), 0);
  }

  private async lookup(key: RingId, signal: AbortSignal | undefined, verify: boolean): Promise<string> {
    try {
      return (await this.deps.ring.lookup(key, { signal, verify })).node.addr;
    } catch (error) {
      const reason = error instanceof RingUnavailable ? error.message : String(error);
      throw new ServiceError("unavailable", `no route to the mailbox's node: ${reason}`);
    }
  }
}
