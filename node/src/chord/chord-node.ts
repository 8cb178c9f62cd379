/**
 * One Chord node (Stoica et al. 2001, §4) with the corrections of Zave ("Reasoning about identifier
 * spaces: how to make Chord correct", 2017): joins copy the successor's list, stabilize asks the
 * successor for its predecessor and list in one round trip, and a ring may start from one node.
 */
import { between, fingerStart, ID_BITS, type RingId } from "@wisp/lib";
import { DEFAULT_PUZZLE_BITS } from "../identity/node-id";
import { RpcReject } from "../rpc/router";
import { type PeerIdentity, TransportError, type WireMessage } from "../transport/transport";
import { type ChordHandlerHost, registerChordHandlers } from "./handlers";
import { Admissions } from "./join";
import { findSuccessor, type LookupContext } from "./lookup";
import {
  type ChordRequest,
  decodeJoinAnswer,
  decodePong,
  decodeStateAnswer,
  encodeRequest,
  type JoinAnswer,
  type StateAnswer,
  type StepAnswer,
} from "./messages";
import { CHORD_DEFAULTS, type ChordComponents, type ChordOptions } from "./options";
import { applyLeave, applyNotify, stateAnswer, stepAnswer } from "./peer-updates";
import { RefVerifier } from "./refs";
import {
  type JoinHandler,
  type LookupOptions,
  type LookupResult,
  type NodeRef,
  type Ring,
  RingUnavailable,
} from "./ring";
import { RoutingTable } from "./routing-table";
import { Stabilizer } from "./stabilizer";

/** The deadline of chord.join, in calls: the successor's hand-over happens inside it. */
const JOIN_DEADLINE_CALLS = 4;

export { CHORD_DEFAULTS, type ChordComponents, type ChordOptions } from "./options";

export class ChordNode implements Ring, ChordHandlerHost {
  readonly self: NodeRef;
  readonly table: RoutingTable;
  readonly refs: RefVerifier;
  private readonly options: Required<Omit<ChordOptions, "puzzleBits">>;
  private joined = false;
  private stopped = false;
  private timers: (() => void)[] = [];
  private listeners = new Set<() => void>();
  private readonly lookupContext: LookupContext;
  private readonly admissions: Admissions;
  private readonly stabilizer: Stabilizer;
  private joinTarget: NodeRef | null = null;

  constructor(
    private readonly components: ChordComponents,
    options: ChordOptions,
  ) {
    this.options = { ...CHORD_DEFAULTS, ...dropUndefined(options), addr: options.addr, key: options.key };
    this.refs = new RefVerifier(options.puzzleBits ?? DEFAULT_PUZZLE_BITS);
    const self = this.refs.refOf(options.key, options.addr);
    if (!self)
      throw new Error(
        `"${options.addr}" is not a canonical node address, or the key is not b64u of 32 bytes`,
      );
    this.self = self;
    this.table = new RoutingTable(this.self, this.options.successorListSize);
    this.admissions = new Admissions(this.table, () => this.emitChange());
    this.stabilizer = new Stabilizer({
      table: this.table,
      clock: components.clock,
      options: this.options,
      isActive: () => this.joined && !this.stopped,
      refs: this.refs,
      call: (to, request) => this.call(to, request),
      queryState: (node) => this.queryState(node),
      notify: (node) => this.notify(node),
      changed: () => this.emitChange(),
    });
    this.lookupContext = {
      table: this.table,
      refs: this.refs,
      request: (to, request, signal) => this.call(to, request, signal),
      reportFailure: (addr) => this.reportFailure(addr),
      maxHops: this.options.maxLookupHops,
    };
    registerChordHandlers(components.router, this);
    const metrics = components.metrics;
    metrics?.counter("wisp_chord_lookups_total", "Lookups asked of Chord on this node (not fix_fingers')");
    metrics?.counter("wisp_chord_lookup_hops_total", "Sum of the hops of successful lookups");
    metrics?.counter("wisp_chord_lookup_failures_total", "Lookups that ended in RingUnavailable");
    metrics?.counter("wisp_chord_peer_failures_total", "Peers dropped from the routing state as failed");
    metrics?.gauge(
      "wisp_chord_successors",
      "Length of the successor list",
      () => this.table.successors().length,
    );
  }

  isJoined(): boolean {
    return this.joined;
  }

  successors(): readonly NodeRef[] {
    return this.table.successors();
  }

  predecessor(): NodeRef | null {
    return this.table.predecessor();
  }

  /** key ∈ (predecessor, self], and only once this node is a member: a joiner owns nothing yet. */
  owns(key: RingId): boolean {
    return this.joined && this.table.owns(key);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onJoining(handler: JoinHandler): () => void {
    return this.admissions.onJoining(handler);
  }

  joiningVia(): NodeRef | null {
    return this.joinTarget;
  }

  reportFailure(addr: string): void {
    if (addr === this.self.addr || this.admissions.isAdmitting(addr)) return;
    const removal = this.table.remove(addr);
    if (!removal.successorsChanged && !removal.predecessorChanged) return;
    this.components.metrics?.inc("wisp_chord_peer_failures_total");
    this.emitChange();
    if (removal.successorsChanged) this.stabilizer.soon();
  }

  /** Starts a new ring of one node. */
  create(): void {
    if (this.stopped) throw new Error("ChordNode is stopped");
    this.table.setSuccessors([]);
    this.table.setPredecessor(null);
    this.joined = true;
    this.emitChange();
  }

  /** Joins the ring that bootstrapAddr belongs to, retrying with backoff while it is unreachable. */
  async join(bootstrapAddr: string): Promise<void> {
    if (this.stopped) throw new Error("ChordNode is stopped");
    if (this.joined) throw new Error("already a ring member");
    if (bootstrapAddr === this.self.addr) throw new Error("a node cannot join through itself");
    let pause = this.options.joinBackoffMs;
    let lastError = "";
    for (let attempt = 1; attempt <= this.options.joinAttempts; attempt++) {
      if (this.stopped) throw new RingUnavailable("stopped while joining");
      try {
        await this.joinOnce(await this.introduce(bootstrapAddr));
        return;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt === this.options.joinAttempts) break;
      await this.sleep(pause);
      pause = Math.min(pause * 2, this.options.joinBackoffMaxMs);
    }
    throw new RingUnavailable(
      `could not join through ${bootstrapAddr} after ${this.options.joinAttempts} attempts: ${lastError}`,
    );
  }

  /** The bootstrap's ref, from its own pong; every later request to it checks the key it names. */
  private async introduce(addr: string): Promise<NodeRef> {
    const pong = await this.components.transport.request(addr, encodeRequest({ t: "chord.ping" }), {
      timeoutMs: this.options.rpcTimeoutMs,
    });
    const ref = decodePong(pong, this.refs);
    if (typeof ref === "string") throw new RingUnavailable(`${addr} did not introduce itself: ${ref}`);
    if (ref.addr !== addr) throw new RingUnavailable(`${addr} says it is ${ref.addr}`);
    return ref;
  }

  /**
   * Issue 16: the successor the lookup names is asked to take this node as its predecessor
   * (chord.join); it first hands over the keys in (its old predecessor, this node], then answers
   * with that predecessor, its successor list and its fingers, which this node takes at once
   * (Zave 2017: a joiner copies a whole list). A node that joined in between is walked back to.
   * Only then is this node a member that owns keys; it tells its predecessor, which links to it.
   */
  private async joinOnce(bootstrap: NodeRef): Promise<void> {
    let { node: candidate } = await this.withDeadline(undefined, (signal) =>
      findSuccessor(this.lookupContext, { key: this.self.id, signal, verify: true, start: [bootstrap] }),
    );
    for (let step = 0; step < this.options.maxLookupHops; step++) {
      if (this.stopped) throw new RingUnavailable("stopped while joining");
      const answer = await this.askToJoin(candidate);
      if (answer.accepted) {
        this.enter(candidate, answer);
        // chord.changed, not chord.notify: a predecessor without a predecessor of its own would
        // take a notifier as one, and own nearly the whole ring (the delivery property's full run).
        // A failure is not a death: the predecessor may be joining itself.
        if (answer.predecessor)
          await this.call(answer.predecessor, { t: "chord.changed", node: this.self }).catch(() => undefined);
        return;
      }
      const closer = answer.predecessor;
      if (!closer || !between(this.self.id, closer.id, candidate.id))
        throw new RingUnavailable(`${candidate.addr} cannot take this node as its predecessor yet`);
      candidate = closer;
    }
    throw new RingUnavailable(`no successor accepted this node within ${this.options.maxLookupHops} steps`);
  }

  private async askToJoin(successor: NodeRef): Promise<JoinAnswer> {
    // The successor hands its entries over before it answers: a few calls' deadline. A retry of a
    // hand-over that took longer sends only what the joiner still lacks (digest first).
    this.joinTarget = successor;
    const raw = await this.components.transport
      .request(successor.addr, encodeRequest({ t: "chord.join", node: this.self }), {
        timeoutMs: JOIN_DEADLINE_CALLS * this.options.rpcTimeoutMs,
        key: successor.key,
      })
      .finally(() => {
        this.joinTarget = null;
      });
    const answer = decodeJoinAnswer(raw, this.refs);
    if (typeof answer === "string") throw new RingUnavailable(`${successor.addr}: ${answer}`);
    return answer;
  }

  private enter(successor: NodeRef, answer: JoinAnswer): void {
    this.table.setPredecessor(answer.predecessor);
    this.table.adoptSuccessor(successor, answer.successors);
    const known = [successor, ...answer.successors, ...answer.fingers];
    this.table.seedFingers(answer.predecessor ? [...known, answer.predecessor] : known);
    this.table.setFinger(0, this.table.successor());
    this.joined = true;
    this.emitChange();
  }

  /** find_successor(key), counted in the metrics; fix_fingers' own lookups are not. */
  async lookup(key: RingId, options: LookupOptions = {}): Promise<LookupResult> {
    const metrics = this.components.metrics;
    metrics?.inc("wisp_chord_lookups_total");
    try {
      const result = await this.find(key, options.verify ?? true, options.signal);
      metrics?.inc("wisp_chord_lookup_hops_total", {}, result.hops);
      return result;
    } catch (error) {
      metrics?.inc("wisp_chord_lookup_failures_total");
      throw error;
    }
  }

  private find(key: RingId, verify: boolean, signal?: AbortSignal): Promise<LookupResult> {
    if (!this.joined) return Promise.reject(new RingUnavailable("this node is not a ring member"));
    return this.withDeadline(signal, (combined) =>
      findSuccessor(this.lookupContext, { key, signal: combined, verify }),
    );
  }

  /** Starts the periodic maintenance on the injected clock. */
  start(): void {
    if (this.stopped || this.timers.length > 0) return;
    this.every(this.options.stabilizeMs, () => this.stabilize());
    this.every(this.options.fixFingersMs, () => this.fixFingers());
    this.every(this.options.checkPredecessorMs, () => this.checkPredecessor());
  }

  /** Cancels the timers; the node stops answering Chord requests. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.joined = false;
    for (const cancel of this.timers) cancel();
    this.timers = [];
    this.stabilizer.stop();
  }

  /**
   * One stabilize round; a call while a round runs shares it and asks for one more round after it,
   * since the change that caused the call may have come too late for the running one.
   */
  stabilize(): Promise<void> {
    return this.stabilizer.run();
  }

  /** Refreshes the fingers, looking up only those whose start passed finger i−1's node. */
  async fixFingers(): Promise<void> {
    if (!this.joined || this.stopped) return;
    this.table.setFinger(0, this.table.successor());
    for (let i = 1; i < ID_BITS; i++) {
      if (!this.joined || this.stopped) return;
      if (!this.table.fingerNeedsLookup(i)) {
        this.table.setFinger(i, this.table.finger(i - 1));
        continue;
      }
      try {
        const { node } = await this.find(fingerStart(this.self.id, i), false);
        this.table.setFinger(i, node);
      } catch {
        // Leave the old finger; the next round retries. A failed peer was already dropped.
      }
    }
  }

  async checkPredecessor(): Promise<void> {
    if (!this.joined || this.stopped) return;
    const predecessor = this.table.predecessor();
    if (!predecessor || this.admissions.isAdmitting(predecessor.addr)) return;
    if (await this.ping(predecessor)) return;
    if (this.table.predecessor()?.addr !== predecessor.addr) return;
    this.reportFailure(predecessor.addr);
  }

  /** Graceful departure: predecessor and successor relink at once; then the node stops. */
  async leave(): Promise<void> {
    if (!this.joined || this.stopped) {
      this.stop();
      return;
    }
    // A node that joined just after this one may not be in the list yet: it must get the leave.
    await this.stabilize();
    const message = encodeRequest({
      t: "chord.leave",
      node: this.self,
      predecessor: this.table.predecessor(),
      successors: [...this.table.successors()],
    });
    const targets = new Map<string, NodeRef>();
    const predecessor = this.table.predecessor();
    const successor = this.table.successor();
    if (predecessor) targets.set(predecessor.addr, predecessor);
    if (successor) targets.set(successor.addr, successor);
    this.stop();
    await Promise.all(
      [...targets.values()].map((to) =>
        this.components.transport
          .request(to.addr, message, { timeoutMs: this.options.rpcTimeoutMs, key: to.key })
          .catch(() => undefined),
      ),
    );
  }

  answerStep(key: RingId): StepAnswer {
    return stepAnswer(this.table, key);
  }

  answerState(): StateAnswer {
    return stateAnswer(this.table);
  }

  /**
   * "I may be your predecessor", believed only from that node itself over its own link, and only
   * once a connection to the address it names proves its key there (S/Kademlia's rule). A new
   * predecessor, or a node that joined between us and our successor, triggers a stabilize round.
   */
  async acceptNotify(node: NodeRef, peer: PeerIdentity): Promise<void> {
    if (!isSender(node, peer)) throw new RpcReject("chord.notify names another node than its sender");
    const successor = this.table.successor();
    if (successor && between(this.self.id, node.id, successor.id)) this.stabilizer.soon();
    if (!this.wouldTakeAsPredecessor(node)) return;
    if (!(await this.ping(node))) return;
    if (!applyNotify(this.table, node)) return;
    this.emitChange();
    this.stabilizer.soon();
  }

  /** Only the sender's own news: a changed successor list of our successor is copied soon. */
  acceptChanged(node: NodeRef, peer: PeerIdentity): void {
    if (!isSender(node, peer)) throw new RpcReject("chord.changed names another node than its sender");
    const successor = this.table.successor();
    if (!successor) return;
    if (successor.addr === node.addr || between(this.self.id, node.id, successor.id)) this.stabilizer.soon();
  }

  /**
   * A leave is believed only from the leaving node itself; the neighbours it names in its place
   * are taken only once they answer at their address with their key.
   */
  async acceptLeave(
    leaving: NodeRef,
    predecessor: NodeRef | null,
    successors: NodeRef[],
    peer: PeerIdentity,
  ): Promise<void> {
    if (!isSender(leaving, peer)) throw new RpcReject("chord.leave names another node than its sender");
    const heir = predecessor && (await this.ping(predecessor)) ? predecessor : null;
    const live: NodeRef[] = [];
    for (const node of successors) {
      if (node.addr === this.self.addr) break;
      if (await this.ping(node)) {
        live.push(node);
        break; // the first live one suffices: stabilize fetches its list
      }
    }
    if (!applyLeave(this.table, leaving, heir, live)) return;
    this.emitChange();
    this.stabilizer.soon();
  }

  /** A joiner asks for itself only, and proves that it listens at the address it names first. */
  async acceptJoin(node: NodeRef, peer: PeerIdentity): Promise<JoinAnswer> {
    if (!isSender(node, peer)) throw new RpcReject("chord.join names another node than its sender");
    if (!(await this.listensAt(node)))
      throw new RpcReject("chord.join: the joiner does not answer at its address with its key");
    return this.admissions.accept(node);
  }

  /** Any answer over a link to node's address, a refusal included, proves its key listens there. */
  private async listensAt(node: NodeRef): Promise<boolean> {
    try {
      await this.call(node, { t: "chord.ping" });
      return true;
    } catch (error) {
      return error instanceof TransportError && error.code === "remote";
    }
  }

  private wouldTakeAsPredecessor(node: NodeRef): boolean {
    if (node.addr === this.self.addr) return false;
    const predecessor = this.table.predecessor();
    if (predecessor?.addr === node.addr) return predecessor.key !== node.key;
    return !predecessor || between(predecessor.id, node.id, this.self.id) || this.table.isAlone();
  }

  /** chord.state to node; a peer that fails or answers garbage is dropped and null returned. */
  private async queryState(node: NodeRef): Promise<StateAnswer | null> {
    try {
      const answer = await this.call(node, { t: "chord.state" });
      const state = decodeStateAnswer(answer, this.refs);
      if (typeof state !== "string") return state;
    } catch {
      // handled below: the peer is treated as failed
    }
    this.reportFailure(node.addr);
    return null;
  }

  private async notify(node: NodeRef): Promise<void> {
    try {
      await this.call(node, { t: "chord.notify", node: this.self });
    } catch {
      this.reportFailure(node.addr);
    }
  }

  /** Is node alive at its address, holding its key? */
  private async ping(node: NodeRef): Promise<boolean> {
    try {
      return (await this.call(node, { t: "chord.ping" })).t === "chord.pong";
    } catch {
      return false;
    }
  }

  /** A request to node, which must prove the key its ref names. */
  private call(to: NodeRef, request: ChordRequest, signal?: AbortSignal): Promise<WireMessage> {
    return this.components.transport.request(to.addr, encodeRequest(request), {
      timeoutMs: this.options.rpcTimeoutMs,
      signal,
      key: to.key,
    });
  }

  /** Runs fn under lookupTimeoutMs measured on the injected clock, and under the caller's signal. */
  private async withDeadline<T>(
    outer: AbortSignal | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const cancel = this.components.clock.setTimeout(() => controller.abort(), this.options.lookupTimeoutMs);
    const onOuterAbort = () => controller.abort();
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    if (outer?.aborted) controller.abort();
    try {
      return await fn(controller.signal);
    } finally {
      cancel();
      outer?.removeEventListener("abort", onOuterAbort);
    }
  }

  private every(ms: number, task: () => Promise<void>): void {
    const slot = this.timers.length;
    const schedule = () => {
      if (this.stopped) return;
      this.timers[slot] = this.components.clock.setTimeout(() => {
        task().then(schedule, schedule);
      }, ms);
    };
    schedule();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.components.clock.setTimeout(resolve, ms);
    });
  }

  private emitChange(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; routing goes on.
      }
    }
  }
}

/** Does the ref name the node at the other end of the link? Its id then follows: both bind key and IP. */
function isSender(node: NodeRef, peer: PeerIdentity): boolean {
  return node.key === peer.key && node.addr === peer.addr && node.id === peer.id;
}

function dropUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
