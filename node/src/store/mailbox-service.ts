/**
 * The store of one node (docs/store.md), behind POST /v1/store and /v1/retrieve: takes a client's
 * request and routes it to the owner of the mailbox (OwnerRouting), answers other nodes' store.*
 * requests (rpc.ts → MailboxOwner), and runs the background work: expiry → NACK, and the repair round.
 */
import { type Envelope, MAX_WAIT_MS, type RetrieveResponse, RING_SIZE } from "@wisp/lib";
import { LruMap } from "../lru";
import { envelopeJsonSize } from "./checked-envelope";
import { mailboxKey } from "./entry";
import { Expiry } from "./expiry";
import { handOverRange } from "./hand-over";
import { type Mailboxes, type RetrieveOptions, ServiceError, type StoreOutcome } from "./mailboxes";
import { type MailboxDeps, type MailboxOptions, withDefaults } from "./options";
import { MailboxOwner } from "./owner";
import { Peers } from "./peers";
import { type AckProof, ProofChecker } from "./proof";
import { ClientWindows, type Share, shareOf } from "./quota";
import { Repair } from "./repair";
import { OwnerRouting } from "./routing";
import { registerStoreHandlers } from "./rpc";
import { StoreMetrics } from "./store-metrics";
import { Takeover } from "./takeover";
import { decodeFetchAnswer, decodePutAnswer, type PutAnswer, type PutRequest } from "./wire";

/** (mailbox, client) pairs whose recent sends an API remembers; the least recently seen is forgotten. */
const CLIENT_WINDOWS = 65_536;

export class MailboxService implements Mailboxes {
  readonly options: MailboxOptions;
  readonly repair: Repair;
  readonly expiry: Expiry;
  private peers: Peers;
  private owner: MailboxOwner;
  readonly proofs: ProofChecker;
  private routing: OwnerRouting;
  private takeover: Takeover;
  private metrics: StoreMetrics;
  /** What each client of this node's API sent each mailbox lately (quota.ts). */
  readonly clientWindows: ClientWindows;
  private clientShare: Share;
  private timers = new Set<() => void>();
  private unsubscribe: () => void;
  private repairSoon = false;
  private stopped = false;

  /** Registers the store.* handlers on deps.router and starts the expiry and repair timers. */
  constructor(
    private deps: MailboxDeps,
    options: Partial<MailboxOptions> = {},
  ) {
    this.options = withDefaults(options);
    this.peers = new Peers(deps, this.options);
    this.proofs = new ProofChecker(this.options.ttlMs);
    this.owner = new MailboxOwner(deps, this.options, this.peers, this.proofs);
    this.clientWindows = new ClientWindows(new LruMap(CLIENT_WINDOWS), this.options.ttlMs);
    const limits = { entries: this.options.maxMailboxEntries, bytes: this.options.maxMailboxBytes };
    this.clientShare = shareOf(limits, this.options.clientShare);
    this.metrics = new StoreMetrics(deps.metrics, deps.store, () => this.owner.parked);
    this.routing = new OwnerRouting(deps);
    this.repair = new Repair(deps, this.options, this.peers, this.metrics);
    this.expiry = new Expiry(
      deps,
      this.options,
      {
        put: (request) => this.put(request),
        handToOwners: (entries) => this.repair.handOver(entries),
      },
      this.metrics,
    );
    this.takeover = new Takeover(deps, this.options, this.peers);
    registerStoreHandlers(
      deps.router,
      deps.ring,
      this.owner,
      {
        ready: (key) => this.takeover.ready(key),
        answer: (request, peer) => this.takeover.answer(request, peer),
      },
      deps.refuse,
    );
    this.every(this.options.expiryMs, () => this.expiry.tick());
    this.every(this.options.repairMs, () => this.repair.round());
    const offChange = deps.ring.onChange(() => {
      this.takeover.changed();
      this.soon(() => this.repair.round());
    });
    const offJoining = deps.ring.onJoining((joiner, from) =>
      handOverRange(deps, this.peers, joiner.addr, from, joiner.id),
    );
    this.unsubscribe = () => {
      offChange();
      offJoining();
    };
  }

  async store(envelope: Envelope, client: string | null = null): Promise<StoreOutcome> {
    try {
      const size = envelopeJsonSize(envelope);
      const now = this.deps.clock.now();
      const refusal =
        client === null ? null : this.clientWindows.refusal(envelope.to, client, size, this.clientShare, now);
      if (refusal) {
        this.deps.refuse?.("share", `client ${client}`, refusal);
        throw new ServiceError("mailbox_full", refusal);
      }
      const request = { t: "store.put", kind: "msg", envelope } as const;
      const answer = await this.put(request, client === null ? null : `client:${client}`);
      if (answer.t === "store.refused") throw new ServiceError("mailbox_full", answer.message);
      if (answer.created && client !== null) this.clientWindows.record(envelope.to, client, size, now);
      this.metrics.stored(answer.created);
      return { created: answer.created, expiresAt: answer.expiresAt };
    } catch (error) {
      throw this.failed(error);
    }
  }

  async retrieve(mailbox: string, proof: AckProof, options: RetrieveOptions): Promise<RetrieveResponse> {
    const waitMs = Math.max(0, Math.min(options.waitMs, MAX_WAIT_MS));
    const request = { t: "store.fetch" as const, mailbox, proof, waitMs };
    const key = mailboxKey(mailbox);
    try {
      const answer = await this.routing.route(
        key,
        request,
        { timeoutMs: waitMs + this.options.rpcTimeoutMs, signal: options.signal },
        async () => {
          await this.takeover.ready(key);
          return this.owner.answerFetch(request, options.signal, true);
        },
        decodeFetchAnswer,
      );
      this.metrics.retrieved();
      return { messages: answer.messages, nacks: answer.nacks, more: answer.more };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw this.failed(error);
    }
  }

  /** Entries held, replicas included, less the expired ones kept only in case this node must NACK. */
  entryCount(): number {
    return Math.max(0, this.deps.store.count() - this.expiry.lingering);
  }

  /** Long-poll retrieves parked at this node, as the owner of their mailboxes. */
  get parkedRetrieves(): number {
    return this.owner.parked;
  }

  /**
   * Graceful leave: sends the NACKs still queued, then syncs every entry and tombstone to the
   * successor. Call before chord's leave.
   */
  async handOff(): Promise<void> {
    this.stop();
    await this.expiry.flush();
    const successor = await this.trueSuccessor();
    if (!successor || successor === this.peers.selfAddr) return;
    const self = this.deps.ring.self.id;
    const all = this.deps.store.inRange(self, self);
    await this.peers.sync(successor, all.entries, all.tombstones);
  }

  /**
   * The node that owns this node's keys once it left: the owner of self + 1, confirmed, since a
   * node that joined just after this one may not be in its successor list yet (the property test
   * found entries handed to the node after it, where no retrieve looks).
   */
  private async trueSuccessor(): Promise<string | undefined> {
    const { ring } = this.deps;
    const next = (ring.self.id + 1n) % RING_SIZE;
    try {
      const { node } = await ring.lookup(next, { signal: AbortSignal.timeout(this.options.rpcTimeoutMs) });
      if (node.addr !== ring.self.addr) return node.addr;
    } catch {
      // the successor list's first, below
    }
    return ring.successors()[0]?.addr;
  }

  /** Stops the timers and releases every parked long-poll. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.owner.stop();
  }

  /**
   * A put (a client's message, or a NACK of the expiry) stored at the mailbox's owner. When that is
   * this node, `source` is the client's; an owner elsewhere counts it under this node's key.
   */
  private put(request: PutRequest, source: string | null = null): Promise<PutAnswer> {
    const key = mailboxKey(request.kind === "msg" ? request.envelope.to : request.mailbox);
    return this.routing.route(
      key,
      request,
      { timeoutMs: this.options.rpcTimeoutMs },
      async () => {
        await this.takeover.ready(key);
        return this.owner.acceptPut(request, source);
      },
      decodePutAnswer,
    );
  }

  private failed(error: unknown): unknown {
    if (error instanceof ServiceError) this.metrics.error(error.code);
    else this.metrics.error("internal");
    return error;
  }

  /** Runs task every ms, the next run counted from the end of the last one. */
  private every(ms: number, task: () => Promise<void>): void {
    const next = () => this.every(ms, task);
    this.after(ms, () => void task().then(next, next));
  }

  /** One extra repair round shortly after the ring changed; changes in a burst share it. */
  private soon(task: () => Promise<void>): void {
    if (this.repairSoon) return;
    this.repairSoon = true;
    this.after(this.options.changeRepairMs, () => {
      this.repairSoon = false;
      task().catch(() => {});
    });
  }

  private after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const cancel = this.deps.clock.setTimeout(() => {
      this.timers.delete(cancel);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(cancel);
  }
}
