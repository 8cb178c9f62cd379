/**
 * A node whose key range grew takes over the entries of the new part before it answers for it
 * (issue 16). Its predecessor crashed or left, and a node before it became its predecessor: the
 * keys in (new predecessor, old predecessor] are its own now. Their copies are on the old owner's
 * replicas, which are this node and its successors; but a replica set that was stale (the old
 * owner had not yet copied its entries to nodes that joined just after it) leaves this node
 * without them, and no holder pushes them before its next repair round. So the node asks its
 * first `replicas` successors for their copies of that range (store.takeover), and puts and
 * fetches of those keys wait until the answers are in (found by the delivery property: a
 * retrieve answered empty by the new owner while two former replicas held the messages).
 */
import { between, betweenRightIncl, idToHex, type RingId } from "@wisp/lib";
import type { NodeRef } from "../chord/ring";
import { RpcReject } from "../rpc/router";
import type { PeerIdentity } from "../transport/transport";
import { mailboxKey } from "./entry";
import type { MailboxDeps, MailboxOptions } from "./options";
import type { Peers } from "./peers";
import type { TakeoverAnswer, TakeoverRequest } from "./wire";

/** How many node-to-node calls a takeover answer takes at most: a digest and a replicate. */
const ANSWER_CALLS = 3;
/** Takeovers come one per change of predecessor: a few at once from one node, not more. */
const MAX_ANSWERS_PER_ASKER = 4;

interface Pull {
  from: RingId;
  to: RingId;
  done: Promise<void>;
}

export class Takeover {
  /** The last predecessor this node knew; a failed one is cleared from the table, not from here. */
  private last: NodeRef | null;
  private pulls = new Set<Pull>();
  /** The store.takeover answers under way, by the asker's key. */
  private answering = new Map<string, number>();

  constructor(
    private deps: MailboxDeps,
    private options: MailboxOptions,
    private peers: Peers,
  ) {
    this.last = deps.ring.predecessor();
  }

  /** The ring changed: when the range grew, pull the new part. Synchronous, so no request comes first. */
  changed(): void {
    const { ring } = this.deps;
    const predecessor = ring.predecessor();
    if (!predecessor) return;
    const before = this.last;
    this.last = predecessor;
    if (!before || before.addr === predecessor.addr || !ring.isJoined()) return;
    if (!between(predecessor.id, before.id, ring.self.id)) return;
    this.pull(predecessor.id, before.id);
  }

  /**
   * Resolves once no pull of a range holding key is under way, or after half a call's deadline
   * (inside a client's request the owner must answer before the entry node gives up on it).
   */
  async ready(key: RingId): Promise<void> {
    if (this.pulls.size === 0) return;
    const waiting = [...this.pulls].filter((pull) => betweenRightIncl(pull.from, key, pull.to));
    if (waiting.length === 0) return;
    let cancel = () => {};
    const patience = new Promise<void>((resolve) => {
      cancel = this.deps.clock.setTimeout(resolve, this.options.rpcTimeoutMs / 2);
    });
    await Promise.race([Promise.all(waiting.map((pull) => pull.done)), patience]);
    cancel();
  }

  /**
   * The successor's side: its copies of the range, pushed to the asker (store.digest, then
   * store.replicate of what it lacks) before the answer. Only of keys the asker lies at or after
   * on the way to this node, the rule store.replicate applies the other way: a node there is the
   * key's owner or one of its replicas whenever this node holds the key as a replica, so it learns
   * nothing it could not hold anyway. Few answers per asker at a time: each scans the store.
   */
  async answer(request: TakeoverRequest, peer: PeerIdentity): Promise<TakeoverAnswer> {
    const asker = peer.addr;
    if (asker === null) throw new RpcReject("store.takeover is answered only to a node that listens");
    const inFlight = this.answering.get(peer.key) ?? 0;
    if (inFlight >= MAX_ANSWERS_PER_ASKER)
      throw new RpcReject(`at most ${MAX_ANSWERS_PER_ASKER} store.takeover at a time`);
    this.answering.set(peer.key, inFlight + 1);
    try {
      const self = this.deps.ring.self.id;
      const mayHold = (key: RingId) => peer.id === key || between(key, peer.id, self);
      const held = this.deps.store.inRange(request.from, request.to);
      const entries = held.entries.filter((entry) => mayHold(mailboxKey(entry.mailbox)));
      const tombstones = held.tombstones.filter((tombstone) => mayHold(mailboxKey(tombstone.mailbox)));
      if (entries.length + tombstones.length > 0) await this.peers.sync(asker, entries, tombstones);
      return { t: "store.takeover.ok", offered: entries.length };
    } finally {
      const left = (this.answering.get(peer.key) ?? 1) - 1;
      if (left > 0) this.answering.set(peer.key, left);
      else this.answering.delete(peer.key);
    }
  }

  private pull(from: RingId, to: RingId): void {
    const request = { t: "store.takeover", from: idToHex(from), to: idToHex(to) };
    const timeoutMs = ANSWER_CALLS * this.options.rpcTimeoutMs;
    const targets = this.deps.ring
      .successors()
      .slice(0, this.options.replicas)
      .filter((node) => node.addr !== this.peers.selfAddr);
    const asked = targets.map((node) =>
      this.deps.transport.request(node.addr, request, { timeoutMs }).catch(() => undefined),
    );
    const pull: Pull = { from, to, done: Promise.resolve() };
    pull.done = Promise.all(asked).then(() => {
      this.pulls.delete(pull);
    });
    this.pulls.add(pull);
  }
}
