/**
 * What the owner of a mailbox does with the requests routed to it: stores a put within the
 * mailbox's limits and copies it to the replicas before answering; answers a fetch after deleting
 * its acknowledged ids everywhere, or parks it as a long-poll until something arrives. Also what
 * a replica does with its owner's pushes (store.replicate, store.digest).
 */
import { setImmediate } from "node:timers/promises";
import { MAX_RETRIEVE_ENTRIES, type Nack, type StoredMessage } from "@wisp/lib";
import { RpcReject } from "../rpc/router";
import { type Entry, entrySize, type ListResult, mailboxKey } from "./entry";
import { type CopySource, Intake } from "./intake";
import type { MailboxDeps, MailboxOptions } from "./options";
import type { Peers } from "./peers";
import type { ProofChecker } from "./proof";
import { type Share, SourceLedger, shareOf } from "./quota";
import { Waiters } from "./waiters";
import type {
  DigestAnswer,
  DigestRequest,
  FetchAnswer,
  FetchRequest,
  PutAnswer,
  PutRequest,
  ReplicateAnswer,
  ReplicateRequest,
} from "./wire";

export class MailboxOwner {
  private waiters: Waiters;
  private intake: Intake;
  /** What each source stored in each mailbox, for its share (quota.ts); copies of replicas too. */
  readonly ledger: SourceLedger;
  private share: Share;
  private stopped = false;

  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
    private peers: Peers,
    private proofs: ProofChecker,
  ) {
    this.waiters = new Waiters(deps.clock, options.maxWaiters);
    this.ledger = new SourceLedger((mailbox, id) => deps.store.get(mailbox, id) !== undefined);
    const limits = { entries: options.maxMailboxEntries, bytes: options.maxMailboxBytes };
    this.share = shareOf(limits, options.sourceShare);
    this.intake = new Intake(deps, options, proofs, this.ledger);
  }

  /** Copies of every entry: the owner and its replicas − 1 successors. */
  get replicas(): number {
    return this.options.replicas;
  }

  /** Long-poll fetches parked now. */
  get parked(): number {
    return this.waiters.size;
  }

  /** Releases every parked long-poll; later fetches answer at once. */
  stop(): void {
    this.stopped = true;
    this.waiters.wakeAll();
  }

  /**
   * Stores a put within the mailbox's limits and its source's share of them. `source` is the node
   * that sent it, or the client of this node's own API; null (a loopback client) has no share.
   */
  async acceptPut(request: PutRequest, source: string | null): Promise<PutAnswer> {
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
    const size = entrySize(entry);
    const full =
      this.fullness(entry, size) ??
      (source === null ? null : this.ledger.refusal(entry.mailbox, source, size, this.share));
    if (full) {
      if (source !== null) this.deps.refuse?.("share", source, full);
      return { t: "store.refused", code: "mailbox_full", message: full };
    }
    const result = store.put(entry);
    if (!result.created) return { t: "store.put.ok", created: false, expiresAt: result.expiresAt };
    if (source !== null) this.ledger.record(entry.mailbox, source, entry.id, size);
    // The long-polls woken answer first (their answers are written in this turn's microtasks); the
    // copies leave right after, and the put is still answered only once the replicas have it.
    if (this.waiters.wake(entry.mailbox) > 0) await setImmediate();
    // Half a deadline: the owner answers before the node that routed the put gives up on it.
    await this.peers.pushToReplicas([entry], [], this.options.rpcTimeoutMs / 2);
    return { t: "store.put.ok", created: true, expiresAt: result.expiresAt };
  }

  /** Copies from `source`, the node that pushed them, within its share (Intake.entries). */
  async acceptReplicate(request: ReplicateRequest, source: CopySource): Promise<ReplicateAnswer> {
    await this.intake.tombstones(request.tombstones, source.who);
    const created = this.intake.entries(request.entries, source, (entry) => this.waiters.wake(entry.mailbox));
    return { t: "store.replicate.ok", created, replicas: this.peers.replicaAddrs() };
  }

  /** Applies the tombstones `source` (the node that sent them) offers; answers which entries are missing. */
  async answerDigest(request: DigestRequest, source: string): Promise<DigestAnswer> {
    await this.intake.tombstones(request.tombstones, source);
    const missing = this.intake.missing(request.entries);
    return { t: "store.digest.ok", missing, replicas: this.peers.replicaAddrs() };
  }

  /**
   * Deletes the acknowledged ids on every replica first; then the page, or a long-poll's wait for
   * one. Only on the owner's signed retrieve: `verified` when this node's own API checked it.
   */
  async answerFetch(request: FetchRequest, signal?: AbortSignal, verified = false): Promise<FetchAnswer> {
    const { store, clock } = this.deps;
    if (!verified && !(await this.proofs.valid(request.proof, request.mailbox, clock.now())))
      throw new RpcReject(
        "store.fetch needs the mailbox owner's signed retrieve, and this one does not verify",
      );
    const ack = request.proof.ack;
    if (ack.length > 0) {
      // The tombstones outlive the non-owners' grace for expired copies: a stale copy handed back
      // to the owner after expiresAt is refused, not NACKed (delivered XOR NACKed).
      const keepMs = this.options.ackGraceMs + 2 * this.options.expiryGraceMs;
      const tombstones = store.remove(request.mailbox, ack, clock.now() + this.options.ttlMs, {
        proof: request.proof,
        keepMs,
      });
      await this.peers.pushTombstones(mailboxKey(request.mailbox), tombstones, this.options.rpcTimeoutMs / 2);
    }
    const page = this.page(request.mailbox);
    if (page.entries.length > 0 || request.waitMs <= 0 || this.stopped) return fetchAnswer(page);
    await this.waiters.wait(request.mailbox, request.waitMs, signal);
    return fetchAnswer(this.page(request.mailbox));
  }

  /** The mailbox's page now: its unexpired entries. */
  private page(mailbox: string): ListResult {
    return this.deps.store.list(mailbox, { limit: MAX_RETRIEVE_ENTRIES, now: this.deps.clock.now() });
  }

  /** Why entry does not fit its mailbox, or null when it does. */
  private fullness(entry: Entry, size: number): string | null {
    const { store } = this.deps;
    const { maxMailboxEntries, maxMailboxBytes } = this.options;
    if (store.count(entry.mailbox) >= maxMailboxEntries)
      return `the mailbox holds its limit of ${maxMailboxEntries} entries`;
    if (store.bytes(entry.mailbox) + size > maxMailboxBytes)
      return `the mailbox would exceed its limit of ${maxMailboxBytes} bytes`;
    return null;
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
