/** fix_fingers (Stoica et al. 2001, Fig. 6), one pass over the whole table. */
import { fingerStart, ID_BITS, type RingId } from "@wisp/lib";
import type { LookupResult } from "./ring";
import type { RoutingTable } from "./routing-table";

export interface FingerRefresh {
  isActive(): boolean;
  /** An unconfirmed lookup: a finger only routes, it does not decide ownership. */
  find(key: RingId): Promise<LookupResult>;
}

/** Looks up only the fingers whose start passed finger i−1's node; the others copy finger i−1. */
export async function refreshFingers(table: RoutingTable, refresh: FingerRefresh): Promise<void> {
  if (!refresh.isActive()) return;
  table.setFinger(0, table.successor());
  for (let i = 1; i < ID_BITS; i++) {
    if (!refresh.isActive()) return;
    if (!table.fingerNeedsLookup(i)) {
      table.setFinger(i, table.finger(i - 1));
      continue;
    }
    try {
      const { node } = await refresh.find(fingerStart(table.self.id, i));
      table.setFinger(i, node);
    } catch {
      // Leave the old finger; the next round retries. A failed peer was already dropped.
    }
  }
}
