/**
 * Zave's stabilize for one node (docs/chord.md, "Stabilization"): rounds on the node's timer and,
 * `reactMs` after a change, rounds that a change triggers; rounds never overlap. Also the recheck
 * of successors dropped as failed, and the news of a changed list sent back to the predecessor.
 */
import { between } from "@wisp/lib";
import type { Clock } from "../clock";
import type { WireMessage } from "../transport/transport";
import { type ChordRequest, decodeStateAnswer, type StateAnswer } from "./messages";
import type { RefVerifier } from "./refs";
import type { NodeRef } from "./ring";
import type { RoutingTable } from "./routing-table";

/** Stabilize rounds in which a dropped successor is asked again before it is forgotten. */
const RECONNECT_MISSES = 8;

export interface StabilizerHost {
  readonly table: RoutingTable;
  readonly clock: Clock;
  readonly options: { reactMs: number; successorListSize: number; maxLookupHops: number };
  /** A member, not stopped. */
  isActive(): boolean;
  readonly refs: RefVerifier;
  /** A request to node, which must prove the key its ref names. */
  call(to: NodeRef, request: ChordRequest): Promise<WireMessage>;
  /** chord.state of node; null (and the node dropped) when it fails. */
  queryState(node: NodeRef): Promise<StateAnswer | null>;
  notify(node: NodeRef): Promise<void>;
  /** The predecessor or the successor list changed. */
  changed(): void;
}

export class Stabilizer {
  private running: Promise<void> | null = null;
  private again = false;
  private cancelSoon: (() => void) | null = null;

  constructor(private host: StabilizerHost) {}

  private get table(): RoutingTable {
    return this.host.table;
  }

  /** Cancels a triggered round not yet started. */
  stop(): void {
    this.cancelSoon?.();
    this.cancelSoon = null;
  }

  /**
   * One stabilize round; a call while a round runs shares it and asks for one more round after it,
   * since the change that caused the call may have come too late for the running one.
   */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.round().finally(() => {
      this.running = null;
      if (!this.again) return;
      this.again = false;
      this.soon();
    });
    return this.running;
  }

  /** A stabilize round reactMs from now, for a change that should not wait for the timer. */
  soon(): void {
    if (!this.host.isActive() || this.cancelSoon) return;
    this.cancelSoon = this.host.clock.setTimeout(() => {
      this.cancelSoon = null;
      this.run().catch(() => {});
    }, this.host.options.reactMs);
  }

  /**
   * Zave's stabilize: ask the first live successor for its predecessor and list in one round trip;
   * adopt its predecessor as the new successor only if that node answers too; then notify.
   */
  private async round(): Promise<void> {
    if (!this.host.isActive()) return;
    await this.recheckLost();
    for (let tries = 0; tries <= this.host.options.successorListSize + 1; tries++) {
      if (this.table.isAlone()) this.adoptPredecessorAsSuccessor();
      const successor = this.table.successor();
      if (!successor) return;
      const state = await this.host.queryState(successor);
      if (!state) continue; // queryState dropped it; try the next one in the list
      const closest = await this.closestLiveSuccessor(successor, state);
      const changed = this.changeSuccessors(closest.node, closest.state.successors);
      await this.host.notify(closest.node);
      if (changed) await this.tellPredecessor();
      return;
    }
  }

  /**
   * While the successor's predecessor lies between us and it, and answers, it is the better
   * successor (Zave: adopt only a node that answers). Several nodes that joined between us and our
   * successor since the last round are walked through in one round, not one per round.
   */
  private async closestLiveSuccessor(
    successor: NodeRef,
    state: StateAnswer,
  ): Promise<{ node: NodeRef; state: StateAnswer }> {
    let best = { node: successor, state };
    for (let step = 0; step < this.host.options.maxLookupHops; step++) {
      const candidate = best.state.predecessor;
      if (!candidate || candidate.addr === this.table.self.addr) break;
      if (!between(this.table.self.id, candidate.id, best.node.id)) break;
      const candidateState = await this.host.queryState(candidate);
      if (!candidateState) break;
      best = { node: candidate, state: candidateState };
    }
    return best;
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
      .find((node) => !successor || between(this.table.self.id, node.id, successor.id));
    if (!candidate) return;
    let state: StateAnswer | string;
    try {
      state = decodeStateAnswer(await this.host.call(candidate, { t: "chord.state" }), this.host.refs);
    } catch {
      state = "no answer";
    }
    if (!this.host.isActive()) return;
    if (typeof state === "string") {
      this.table.missedLost(candidate.addr, RECONNECT_MISSES);
      return;
    }
    this.changeSuccessors(candidate, state.successors);
    await this.host.notify(candidate);
  }

  private adoptPredecessorAsSuccessor(): void {
    const predecessor = this.table.predecessor();
    if (predecessor && this.table.setSuccessors([predecessor])) this.host.changed();
  }

  private changeSuccessors(successor: NodeRef, itsList: readonly NodeRef[]): boolean {
    const changed = this.table.adoptSuccessor(successor, itsList);
    this.table.setFinger(0, this.table.successor());
    if (changed) this.host.changed();
    return changed;
  }

  /**
   * Our list changed: the predecessor's list is ours shifted by one, so it copies ours soon
   * instead of on its next timer. The news travels back at most r nodes: beyond, lists no longer
   * change. A lost message only costs the wait for the timer.
   */
  private async tellPredecessor(): Promise<void> {
    const predecessor = this.table.predecessor();
    if (!predecessor) return;
    await this.host.call(predecessor, { t: "chord.changed", node: this.table.self }).catch(() => undefined);
  }
}
