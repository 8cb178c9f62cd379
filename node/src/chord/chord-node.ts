/**
 * One Chord node (Stoica et al. 2001, §4) with the corrections of Zave ("Reasoning about identifier
 * spaces: how to make Chord correct", 2017): joins copy the successor's list, stabilize asks the
 * successor for its predecessor and list in one round trip, and a ring may start from one node.
 */
import { between, fingerStart, ID_BITS, type RingId } from "@wisp/lib";
import { DEFAULT_PUZZLE_BITS } from "../identity/node-id";
import { RpcReject } from "../rpc/router";
import type { PeerIdentity, WireMessage } from "../transport/transport";
import { type ChordHandlerHost, registerChordHandlers } from "./handlers";
import { findSuccessor, type LookupContext } from "./lookup";
import {
  type ChordRequest,
  decodePong,
  decodeStateAnswer,
  encodeRequest,
  type StateAnswer,
  type StepAnswer,
} from "./messages";
import { CHORD_DEFAULTS, type ChordComponents, type ChordOptions } from "./options";
import { applyLeave, applyNotify, stateAnswer, stepAnswer } from "./peer-updates";
import { RefVerifier } from "./refs";
import { type LookupOptions, type LookupResult, type NodeRef, type Ring, RingUnavailable } from "./ring";
import { RoutingTable } from "./routing-table";

/** Stabilize rounds in which a dropped successor is asked again before it is forgotten. */
const RECONNECT_MISSES = 8;

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

  owns(key: RingId): boolean {
    return this.table.owns(key);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  reportFailure(addr: string): void {
    if (addr === this.self.addr) return;
    const removal = this.table.remove(addr);
    if (!removal.successorsChanged && !removal.predecessorChanged) return;
    this.components.metrics?.inc("wisp_chord_peer_failures_total");
    this.emitChange();
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

  /** Zave 2017: a joining node takes its successor's list as its own; it has no predecessor yet. */
  private async joinOnce(bootstrap: NodeRef): Promise<void> {
    const { node: successor } = await this.withDeadline(undefined, (signal) =>
      findSuccessor(this.lookupContext, { key: this.self.id, signal, verify: false, start: [bootstrap] }),
    );
    const state = await this.queryState(successor);
    if (!state) throw new RingUnavailable(`successor ${successor.addr} did not answer chord.state`);
    this.table.setPredecessor(null);
    this.table.adoptSuccessor(successor, state.successors);
    this.table.setFinger(0, successor);
    this.joined = true;
    this.emitChange();
    await this.notify(successor);
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
  }

  /**
   * Zave's stabilize: ask the first live successor for its predecessor and list in one round trip;
   * adopt its predecessor as the new successor only if that node answers too; then notify.
   */
  async stabilize(): Promise<void> {
    if (!this.joined || this.stopped) return;
    await this.recheckLost();
    for (let tries = 0; tries <= this.options.successorListSize + 1; tries++) {
      if (this.table.isAlone()) this.adoptPredecessorAsSuccessor();
      const successor = this.table.successor();
      if (!successor) return;
      const state = await this.queryState(successor);
      if (!state) continue; // queryState dropped it; try the next one in the list
      const candidate = state.predecessor;
      if (
        candidate &&
        candidate.addr !== this.self.addr &&
        between(this.self.id, candidate.id, successor.id)
      ) {
        const candidateState = await this.queryState(candidate);
        if (candidateState) {
          this.changeSuccessors(candidate, candidateState.successors);
          await this.notify(candidate);
          return;
        }
      }
      this.changeSuccessors(successor, state.successors);
      await this.notify(successor);
      return;
    }
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
    if (!predecessor) return;
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
   * once a connection to the address it names proves its key there (S/Kademlia's rule).
   */
  async acceptNotify(node: NodeRef, peer: PeerIdentity): Promise<void> {
    if (!isSender(node, peer)) throw new RpcReject("chord.notify names another node than its sender");
    if (!this.wouldTakeAsPredecessor(node)) return;
    if (!(await this.ping(node))) return;
    if (applyNotify(this.table, node)) this.emitChange();
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
    if (applyLeave(this.table, leaving, heir, live)) this.emitChange();
  }

  private wouldTakeAsPredecessor(node: NodeRef): boolean {
    if (node.addr === this.self.addr) return false;
    const predecessor = this.table.predecessor();
    if (predecessor?.addr === node.addr) return predecessor.key !== node.key;
    return !predecessor || between(predecessor.id, node.id, this.self.id) || this.table.isAlone();
  }

  /**
   * A lost answer looks like a death: a live successor dropped that way would stay out of this
   * node's view for ever, and a ring can split into rings that never merge again, or into a ring
   * of one that owns every key (found by the churn property test, docs/reliability.md). So each
   * round the nearest dropped successor that would come before the current one is asked again;
   * if it answers, it is taken back, as stabilize takes a successor's predecessor.
   */
  private async recheckLost(): Promise<void> {
    const successor = this.table.successor();
    const candidate = this.table
      .lostSuccessors()
      .find((node) => !successor || between(this.self.id, node.id, successor.id));
    if (!candidate) return;
    let state: StateAnswer | string;
    try {
      state = decodeStateAnswer(await this.call(candidate, { t: "chord.state" }), this.refs);
    } catch {
      state = "no answer";
    }
    if (this.stopped) return;
    if (typeof state === "string") {
      this.table.missedLost(candidate.addr, RECONNECT_MISSES);
      return;
    }
    this.changeSuccessors(candidate, state.successors);
    await this.notify(candidate);
  }

  private adoptPredecessorAsSuccessor(): void {
    const predecessor = this.table.predecessor();
    if (predecessor && this.table.setSuccessors([predecessor])) this.emitChange();
  }

  private changeSuccessors(successor: NodeRef, itsList: readonly NodeRef[]): void {
    const changed = this.table.adoptSuccessor(successor, itsList);
    this.table.setFinger(0, this.table.successor());
    if (changed) this.emitChange();
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
