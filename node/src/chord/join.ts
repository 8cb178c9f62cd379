/**
 * The successor's side of a join, as a pure function of its routing table (issue 16): it takes
 * the joiner as predecessor only when the joiner lies in (predecessor, self), and hands it the keys
 * in (previous predecessor, joiner] before answering, so the joiner owns its range with its entries
 * from its first moment, and no key has two nodes that believe they own it.
 */
import { between } from "@wisp/lib";
import { type JoinAnswer, MAX_LIST_LENGTH } from "./messages";
import type { JoinHandler, NodeRef } from "./ring";
import type { RoutingTable } from "./routing-table";

export type JoinDecision =
  /** Take joiner as predecessor; the joiner's predecessor, where its key range (from, joiner] starts, is `from`. */
  | { accept: true; from: NodeRef }
  /** Not ours: `predecessor` lies between the joiner and us (or we have none yet: try again later). */
  | { accept: false; predecessor: NodeRef | null };

/** The join this node accepted last, so that the joiner's retry gets the same answer. */
export interface AcceptedJoin {
  node: NodeRef;
  from: NodeRef;
}

export function decideJoin(table: RoutingTable, joiner: NodeRef, last: AcceptedJoin | null): JoinDecision {
  const self = table.self;
  if (joiner.addr === self.addr) return { accept: false, predecessor: table.predecessor() };
  if (table.isAlone()) return { accept: true, from: self };
  const predecessor = table.predecessor();
  // No predecessor (it just failed): the node before us will notify us within a stabilize round.
  if (!predecessor) return { accept: false, predecessor: null };
  if (predecessor.addr === joiner.addr) {
    // A retry of the join accepted last, or a node restarted at its address before we noticed.
    if (last?.node.addr === joiner.addr) return { accept: true, from: last.from };
    const guess = table.closestPreceding(joiner.id, 1)[0];
    return guess ? { accept: true, from: guess } : { accept: false, predecessor: null };
  }
  if (between(predecessor.id, joiner.id, self.id)) return { accept: true, from: predecessor };
  return { accept: false, predecessor };
}

/** The successor's side of chord.join: the decision, the hand-over through the handlers, the answer. */
export class Admissions {
  private last: AcceptedJoin | null = null;
  /** Joiners being handed their keys: not yet answering, not to be dropped as failed meanwhile. */
  private admitting = new Set<string>();
  private handlers = new Set<JoinHandler>();

  constructor(
    private table: RoutingTable,
    private changed: () => void,
  ) {}

  onJoining(handler: JoinHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  isAdmitting(addr: string): boolean {
    return this.admitting.has(addr);
  }

  async accept(node: NodeRef): Promise<JoinAnswer> {
    const table = this.table;
    const decision = decideJoin(table, node, this.last);
    if (!decision.accept) return { accepted: false, predecessor: decision.predecessor, ...this.view() };
    const before = table.predecessor();
    const wasAlone = table.isAlone();
    this.last = { node, from: decision.from };
    this.admitting.add(node.addr);
    // From here on this node refuses, as owner, the keys in (from, joiner] that it hands over now.
    table.setPredecessor(node);
    if (wasAlone) table.setSuccessors([node]);
    try {
      for (const handler of [...this.handlers]) await handler(node, decision.from.id);
    } catch (error) {
      if (table.predecessor()?.addr === node.addr && before?.addr !== node.addr) {
        table.setPredecessor(before);
        if (wasAlone) table.setSuccessors([]);
      }
      throw error;
    } finally {
      this.admitting.delete(node.addr);
    }
    this.changed();
    return { accepted: true, predecessor: decision.from, ...this.view() };
  }

  private view(): { successors: NodeRef[]; fingers: NodeRef[] } {
    return {
      successors: [...this.table.successors()],
      fingers: this.table.distinctFingers().slice(0, MAX_LIST_LENGTH),
    };
  }
}
