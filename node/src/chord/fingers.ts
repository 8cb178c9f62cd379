/** fix_fingers (Stoica et al. 2001, Fig. 6), one pass over the whole table. */
import { betweenRightIncl, fingerStart, ID_BITS, type RingId } from "@wisp/lib";
import type { LookupResult, NodeRef } from "./ring";
import type { RoutingTable } from "./routing-table";

export interface FingerRefresh {
  isActive(): boolean;
  /** An unconfirmed lookup: a finger only routes, it does not decide ownership. */
  find(key: RingId): Promise<LookupResult>;
  /** Connects to a node that just became a finger (a ping over its own link); one that fails is dropped. */
  greet(node: NodeRef): Promise<void>;
}

/**
 * Looks up only the fingers whose start passed the node found for finger i−1; the others have
 * that node too. "Found", not "stored": the table keeps no finger that is this node itself or that
 * its per-IP cap refuses, and judging by the stored finger looked up every finger after such a
 * gap again, 255 lookups a second on a node that is alone.
 */
export async function refreshFingers(table: RoutingTable, refresh: FingerRefresh): Promise<void> {
  if (!refresh.isActive()) return;
  const self = table.self;
  // Alone, every key's successor is this node, which the table keeps as no finger at all.
  if (table.isAlone()) {
    for (let i = 0; i < ID_BITS; i++) table.setFinger(i, null);
    return;
  }
  const known = new Set(table.distinctFingers().map((node) => node.addr));
  let found: NodeRef = table.successor() ?? self;
  table.setFinger(0, found);
  for (let i = 1; i < ID_BITS; i++) {
    if (!refresh.isActive()) return;
    const start = fingerStart(self.id, i);
    if (betweenRightIncl(self.id, start, found.id)) {
      table.setFinger(i, found);
      continue;
    }
    try {
      found = (await refresh.find(start)).node;
      table.setFinger(i, found);
    } catch {
      // Leave the old finger; the next round retries. A failed peer was already dropped.
    }
  }
  // A finger is learned from someone's answer: connecting to it checks that it is there with its
  // key, and leaves a link open for the lookups that will step through it.
  const fresh = table.distinctFingers().filter((node) => !known.has(node.addr));
  await Promise.all(fresh.map((node) => refresh.greet(node)));
}
