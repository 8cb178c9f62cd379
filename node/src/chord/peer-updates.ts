/**
 * What a node does with the requests of its peers, as pure functions of its routing table: each
 * returns whether the predecessor or the successor list changed, so the caller can tell onChange.
 */
import { between, type RingId } from "@wisp/lib";
import type { StateAnswer, StepAnswer } from "./messages";
import type { NodeRef } from "./ring";
import type { RoutingTable } from "./routing-table";

/** How many next-hop candidates a step answer carries. */
const STEP_CANDIDATES = 8;

export function stepAnswer(table: RoutingTable, key: RingId): StepAnswer {
  if (table.isAlone()) return { done: true, successors: [table.self] };
  if (table.successorsFor(key).length > 0) return { done: true, successors: [...table.successors()] };
  return { done: false, next: table.closestPreceding(key, STEP_CANDIDATES) };
}

export function stateAnswer(table: RoutingTable): StateAnswer {
  return { predecessor: table.predecessor(), successors: [...table.successors()] };
}

/** notify(n'): n' thinks it might be our predecessor (Stoica et al. 2001, Fig. 7). */
export function applyNotify(table: RoutingTable, node: NodeRef): boolean {
  if (node.addr === table.self.addr) return false;
  let changed = false;
  const predecessor = table.predecessor();
  if (!predecessor || between(predecessor.id, node.id, table.self.id)) changed = table.setPredecessor(node);
  // A ring of one learns of the second node here (Zave 2017: the small-ring case).
  if (table.isAlone()) changed = table.setSuccessors([node]) || changed;
  return changed;
}

/** A neighbour leaves: splice its list in its place, and take its predecessor if it was ours. */
export function applyLeave(
  table: RoutingTable,
  leaving: NodeRef,
  predecessor: NodeRef | null,
  successors: readonly NodeRef[],
): boolean {
  if (leaving.addr === table.self.addr) return false;
  let changed = false;
  if (table.predecessor()?.addr === leaving.addr) {
    table.setPredecessor(predecessor && predecessor.addr !== leaving.addr ? predecessor : null);
    changed = true;
  }
  const mine = table.successors();
  const at = mine.findIndex((node) => node.addr === leaving.addr);
  if (at >= 0) {
    const spliced = [...mine.slice(0, at), ...successors, ...mine.slice(at + 1)];
    changed = table.setSuccessors(spliced.filter((node) => node.addr !== leaving.addr)) || changed;
  }
  return table.remove(leaving.addr).successorsChanged || changed;
}
