/**
 * The messaging layer behind POST /v1/store and /v1/retrieve (docs/store.md). Any node takes a
 * client's request and routes it to the owner of the mailbox; the owner stores with its replicas,
 * answers retrieves and parks long-polls. Background: expiry → NACK, and the repair round.
 */
import {
  checkedEnvelopeSize,
  type Envelope,
  MAX_RETRIEVE_ENTRIES,
  MAX_WAIT_MS,
  type Nack,
  type RetrieveResponse,
  type StoredMessage,
} from "@wisp/lib";
import { RpcReject } from "../rpc/router";
import type { WireMessage } from "../transport/transport";
import { type Entry, entrySize, type ListResult, mailboxKey } from "./entry";
import { Expiry } from "./expiry";
import { Intake } from "./intake";
import { type MailboxService, type RetrieveOptions, ServiceError, type StoreOutcome } from "./mailboxes";
import { type MailboxDeps, type MailboxOptions, withDefaults } from "./options";
import { Peers } from "./peers";
import { Repair } from "./repair";
import { StoreMetrics } from "./store-metrics";
import { Waiters } from "./waiters";
import {
  DIGEST,
  type DigestAnswer,
  type DigestRequest,
  FETCH,
  type FetchAnswer,
  type FetchRequest,
  NOT_OWNER,
  type NotOwnerAnswer,
  PUT,
  type PutAnswer,
  type PutRequest,
  parseDigest,
  parseFetch,
  parseFetchAnswer,
  parsePut,
  parsePutAnswer,
  parseReplicate,
  REPLICATE,
  type ReplicateAnswer,
  type ReplicateRequest,
} from "./wire";

export class Mailboxes implements MailboxService {
  readonly options: MailboxOptions;
  readonly repair: Repair;
  readonly expiry: Expiry;
  private peers: Peers;
  private waiters: Waiters;
  private intake: Intake;
  private metrics: StoreMetrics;
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
    this.metrics = new StoreMetrics(deps.metrics, deps.store);
    this.peers = new Peers(deps, this.options, (message, signal) => this.dispatchOwn(message, signal));
    this.waiters = new Waiters(deps.clock, this.options.maxWaiters);
    this.intake = new Intake(deps, this.options);
    this.repair = new Repair(deps, this.options, this.peers, this.metrics);
    this.expiry = new Expiry(deps, this.options, this.peers, this.metrics);
    for (const tag of [PUT, REPLICATE, DIGEST, FETCH])
      deps.router.on(tag, (message) => this.dispatch(message));
    this.every(this.options.expiryMs, () => this.expiry.tick());
    this.every(this.options.repairMs, () => this.repair.round());
    this.unsubscribe = deps.ring.onChange(() => this.soon(() => this.repair.round()));
  }

  async store(envelope: Envelope): Promise<StoreOutcome> {
    try {
      // Only the six sealed fields travel; a checked envelope has exactly those.
      const own: Envelope =
        checkedEnvelopeSize(envelope) >= 0
          ? envelope
          : {
              v: 1,
              id: envelope.id,
              to: envelope.to,
              nackTo: envelope.nackTo,
              eph: envelope.eph,
              ct: envelope.ct,
            };
      const answer = await this.peers.routed(
        mailboxKey(envelope.to),
        { t: PUT, kind: "msg", envelope: own },
        { timeoutMs: this.options.rpcTimeoutMs },
        parsePutAnswer,
      );
      if (!answer) throw new ServiceError("unavailable", "the mailbox's node gave a malformed answer");
      if (answer.t === "store.refused") throw new ServiceError("mailbox_full", answer.message);
      this.metrics.stored(answer.created);
      return { created: answer.created, expiresAt: answer.expiresAt };
    } catch (error) {
      throw this.failed(error);
    }
  }

  async retrieve(mailbox: string, ack: string[], options: RetrieveOptions): Promise<RetrieveResponse> {
    const waitMs = Math.max(0, Math.min(options.waitMs, MAX_WAIT_MS));
    try {
      const answer = await this.peers.routed(
        mailboxKey(mailbox),
        { t: FETCH, mailbox, ack, waitMs },
        { timeoutMs: waitMs + this.options.rpcTimeoutMs, signal: options.signal },
        parseFetchAnswer,
      );
      if (!answer) throw new ServiceError("unavailable", "the mailbox's node gave a malformed answer");
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

  /**
   * Graceful leave: sends the NACKs still queued, then syncs every entry and tombstone to the
   * successor. Call before chord's leave.
   */
  async handOff(): Promise<void> {
    this.stop();
    await this.expiry.flush();
    const successor = this.peers.replicaAddrs()[0] ?? this.deps.ring.successors()[0]?.addr;
    if (!successor || successor === this.peers.selfAddr) return;
    const self = this.deps.ring.self.id;
    const all = this.deps.store.inRange(self, self);
    await this.peers.sync(successor, all.entries, all.tombstones);
  }

  /** Stops the timers and releases every parked long-poll. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe();
    for (const cancel of this.timers) cancel();
    this.timers.clear();
    this.waiters.wakeAll();
  }

  /** Entry point of the store.* requests, from the network or from this node itself. */
  private async dispatch(message: WireMessage, signal?: AbortSignal): Promise<WireMessage> {
    switch (message.t) {
      case PUT: {
        const request = valid(parsePut(message));
        const mailbox = request.kind === "msg" ? request.envelope.to : request.mailbox;
        if (request.owner && !this.owns(mailbox)) return NOT_OWNER_ANSWER as unknown as WireMessage;
        return this.acceptPut(request) as unknown as WireMessage;
      }
      case REPLICATE:
        return this.acceptReplicate(valid(parseReplicate(message))) as unknown as WireMessage;
      case DIGEST:
        return this.answerDigest(valid(parseDigest(message))) as unknown as WireMessage;
      case FETCH: {
        const request = valid(parseFetch(message));
        if (request.owner && !this.owns(request.mailbox)) return NOT_OWNER_ANSWER as unknown as WireMessage;
        return (await this.answerFetch(request, signal)) as unknown as WireMessage;
      }
      default:
        throw new RpcReject(`the store does not handle "${String(message.t).slice(0, 40)}"`);
    }
  }

  /**
   * This node's own routed requests, when it owns the key: built from input that the API (or the
   * expiry) already checked, so they skip the parsers that requests from the network go through.
   * Answers without a promise when nothing is waited for (no replicas to push to, no long-poll).
   */
  private dispatchOwn(message: WireMessage, signal?: AbortSignal): WireMessage | Promise<WireMessage> {
    if (message.t === PUT) return this.acceptPut(message as unknown as PutRequest) as unknown as WireMessage;
    if (message.t === FETCH)
      return this.answerFetch(message as unknown as FetchRequest, signal) as unknown as WireMessage;
    return this.dispatch(message, signal);
  }

  private acceptPut(request: PutRequest): PutAnswer | Promise<PutAnswer> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const expiresAt = now + this.options.ttlMs;
    const entry: Entry =
      request.kind === "msg"
        ? {
            kind: "msg",
            mailbox: request.envelope.to,
            id: request.envelope.id,
            envelope: request.envelope,
            storedAt: now,
            expiresAt,
          }
        : {
            kind: "nack",
            mailbox: request.mailbox,
            id: request.nack.id,
            nack: request.nack,
            storedAt: now,
            expiresAt,
          };
    const existing = store.get(entry.mailbox, entry.id);
    if (existing) return { t: "store.put.ok", created: false, expiresAt: existing.expiresAt };
    const full = this.fullness(entry);
    if (full) return { t: "store.refused", code: "mailbox_full", message: full };
    const result = store.put(entry);
    if (!result.created) return { t: "store.put.ok", created: false, expiresAt: result.expiresAt };
    const woken = this.waiters.wake(entry.mailbox);
    const answer: PutAnswer = { t: "store.put.ok", created: true, expiresAt: result.expiresAt };
    if (this.peers.replicaAddrs().length === 0) return answer;
    const push = () =>
      this.peers.pushToReplicas([entry], [], this.options.rpcTimeoutMs / 2).then(() => answer);
    // A woken long-poll answers in this turn's microtasks, but frames written now would leave first
    // (the transport flushes in process.nextTick) and wake the replicas' processes to compete for
    // the CPU with the node relaying the recipient's answer. So the copies go one turn later.
    return woken > 0 ? nextTurn().then(push) : push();
  }

  private acceptReplicate(request: ReplicateRequest): ReplicateAnswer {
    this.intake.tombstones(request.tombstones);
    const created = this.intake.entries(request.entries, (entry) => this.waiters.wake(entry.mailbox));
    return { t: "store.replicate.ok", created, replicas: this.peers.replicaAddrs() };
  }

  private answerDigest(request: DigestRequest): DigestAnswer {
    this.intake.tombstones(request.tombstones);
    const missing = this.intake.missing(request.entries);
    return { t: "store.digest.ok", missing, replicas: this.peers.replicaAddrs() };
  }

  private answerFetch(request: FetchRequest, signal?: AbortSignal): FetchAnswer | Promise<FetchAnswer> {
    if (request.ack.length > 0) return this.acknowledgeThenFetch(request, signal);
    return this.fetchPage(request, signal);
  }

  private async acknowledgeThenFetch(request: FetchRequest, signal?: AbortSignal): Promise<FetchAnswer> {
    const { store, clock } = this.deps;
    const tombstones = store.remove(request.mailbox, request.ack, clock.now() + this.options.ttlMs);
    await this.peers.pushTombstones(mailboxKey(request.mailbox), tombstones, this.options.rpcTimeoutMs / 2);
    return this.fetchPage(request, signal);
  }

  /** The mailbox's page now, or — for a long-poll of an empty mailbox — once it has one or the wait ends. */
  private fetchPage(request: FetchRequest, signal?: AbortSignal): FetchAnswer | Promise<FetchAnswer> {
    const { store, clock } = this.deps;
    const page = store.list(request.mailbox, { limit: MAX_RETRIEVE_ENTRIES, now: clock.now() });
    if (page.entries.length > 0 || request.waitMs <= 0 || this.stopped) return fetchAnswer(page);
    return this.waiters
      .wait(request.mailbox, request.waitMs, signal)
      .then(() =>
        fetchAnswer(store.list(request.mailbox, { limit: MAX_RETRIEVE_ENTRIES, now: clock.now() })),
      );
  }

  /** Is the mailbox's key in (predecessor, self]? What a confirmed lookup would have asked of this node. */
  private owns(mailbox: string): boolean {
    return this.deps.ring.owns(mailboxKey(mailbox));
  }

  /** Why entry does not fit its mailbox, or null when it does. */
  private fullness(entry: Entry): string | null {
    const { store } = this.deps;
    const { maxMailboxEntries, maxMailboxBytes } = this.options;
    if (store.count(entry.mailbox) >= maxMailboxEntries)
      return `the mailbox holds its limit of ${maxMailboxEntries} entries`;
    if (store.bytes(entry.mailbox) + entrySize(entry) > maxMailboxBytes)
      return `the mailbox would exceed its limit of ${maxMailboxBytes} bytes`;
    return null;
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

function fetchAnswer(page: ListResult): FetchAnswer {
  const messages: StoredMessage[] = [];
  const nacks: Nack[] = [];
  for (const entry of page.entries) {
    if (entry.kind === "msg") messages.push({ ...entry.envelope, expiresAt: entry.expiresAt });
    else nacks.push(entry.nack);
  }
  return { t: "store.fetch.ok", messages, nacks, more: page.more };
}

const NOT_OWNER_ANSWER: NotOwnerAnswer = { t: NOT_OWNER };

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function valid<T>(parsed: T | string): T {
  if (typeof parsed === "string") throw new RpcReject(parsed);
  return parsed;
}
