/**
 * One Chord node (Stoica et al. 2001, §4) with the corrections of Zave ("Reasoning about identifier
 * spaces: how to make Chord correct", 2017): joins copy the successor's list, stabilize asks the
 * successor for its predecessor and list in one round trip, and a ring may start from one node.
 */
import type { RingId } from "@wisp/lib";
import { repeatOn, sleepOn, withDeadline } from "../clock";
import { DEFAULT_PUZZLE_BITS } from "../identity/node-id";
import { refreshFingers } from "./fingers";
import { type ChordHandlerHost, registerChordHandlers } from "./handlers";
import { Admissions } from "./join";
import { joinRing } from "./joiner";
import { answerLocally, findSuccessor, type LookupContext } from "./lookup";
import type { JoinAnswer, StateAnswer, StepAnswer } from "./messages";
import { type ChordComponents, type ChordOptions, registerChordMetrics, withDefaults } from "./options";
import { PeerCalls } from "./peer-calls";
import { PeerNews } from "./peer-news";
import { stateAnswer, stepAnswer } from "./peer-updates";
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
  private readonly calls: PeerCalls;
  readonly news: PeerNews;
  private joinTarget: NodeRef | null = null;

  constructor(
    private readonly components: ChordComponents,
    options: ChordOptions,
  ) {
    this.options = withDefaults(options);
    this.refs = new RefVerifier(options.puzzleBits ?? DEFAULT_PUZZLE_BITS);
    const self = this.refs.refOf(options.key, options.addr);
    if (!self)
      throw new Error(
        `"${options.addr}" is not a canonical node address, or the key is not b64u of 32 bytes`,
      );
    this.self = self;
    this.table = new RoutingTable(this.self, this.options.successorListSize);
    this.admissions = new Admissions(this.table, () => this.emitChange());
    this.calls = new PeerCalls({
      transport: components.transport,
      refs: this.refs,
      self,
      rpcTimeoutMs: this.options.rpcTimeoutMs,
      reportFailure: (addr) => this.reportFailure(addr),
    });
    this.stabilizer = new Stabilizer({
      table: this.table,
      clock: components.clock,
      options: this.options,
      isActive: () => this.joined && !this.stopped,
      refs: this.refs,
      call: (to, request) => this.calls.call(to, request),
      queryState: (node) => this.calls.queryState(node),
      notify: (node) => this.calls.notify(node),
      changed: () => this.emitChange(),
    });
    this.news = new PeerNews({
      self,
      table: this.table,
      calls: this.calls,
      admissions: this.admissions,
      stabilizeSoon: () => this.stabilizer.soon(),
      changed: () => this.emitChange(),
    });
    this.lookupContext = {
      table: this.table,
      refs: this.refs,
      request: (to, request, signal) => this.calls.call(to, request, signal),
      reportFailure: (addr) => this.reportFailure(addr),
      maxHops: this.options.maxLookupHops,
    };
    registerChordHandlers(components.router, this);
    registerChordMetrics(components.metrics, this.table);
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

  /** Joins the ring that bootstrapAddr belongs to (joiner.ts), retrying while it is unreachable. */
  async join(bootstrapAddr: string): Promise<void> {
    if (this.stopped) throw new Error("ChordNode is stopped");
    if (this.joined) throw new Error("already a ring member");
    if (bootstrapAddr === this.self.addr) throw new Error("a node cannot join through itself");
    await joinRing(
      {
        self: this.self,
        refs: this.refs,
        transport: this.components.transport,
        calls: this.calls,
        lookupContext: this.lookupContext,
        options: this.options,
        isStopped: () => this.stopped,
        withDeadline: (fn) => this.withDeadline(undefined, fn),
        sleep: (ms) => sleepOn(this.components.clock, ms),
        setJoinTarget: (node) => {
          this.joinTarget = node;
        },
        enter: (successor, answer) => this.enter(successor, answer),
      },
      bootstrapAddr,
    );
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
    // Most lookups of a small ring end in the local table; they need no deadline.
    const local = answerLocally(this.table, key, verify);
    if (local) return Promise.resolve(local);
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
  fixFingers(): Promise<void> {
    return refreshFingers(this.table, {
      isActive: () => this.joined && !this.stopped,
      find: (key) => this.find(key, false),
      greet: async (node) => {
        if (!(await this.calls.ping(node))) this.reportFailure(node.addr);
      },
    });
  }

  async checkPredecessor(): Promise<void> {
    if (!this.joined || this.stopped) return;
    const predecessor = this.table.predecessor();
    if (!predecessor || this.admissions.isAdmitting(predecessor.addr)) return;
    if (await this.calls.ping(predecessor)) return;
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
    const predecessor = this.table.predecessor();
    const successors = [...this.table.successors()];
    this.stop();
    await this.calls.tellLeaving(predecessor, successors);
  }

  answerStep(key: RingId): StepAnswer {
    return stepAnswer(this.table, key);
  }

  answerState(): StateAnswer {
    return stateAnswer(this.table);
  }

  /** Runs fn under lookupTimeoutMs measured on the injected clock, and under the caller's signal. */
  private withDeadline<T>(
    outer: AbortSignal | undefined,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return withDeadline(this.components.clock, this.options.lookupTimeoutMs, outer, fn);
  }

  private every(ms: number, task: () => Promise<void>): void {
    this.timers.push(repeatOn(this.components.clock, ms, task));
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
