/**
 * The routing state of one Chord node, without any I/O: fingers, the successor list and the
 * predecessor (Stoica et al. 2001, §4; successor lists as corrected by Zave 2017). Successors and
 * fingers hold at most `maxPerIp` nodes of one IP group (per-ip.ts); loopback has no group.
 */
import { betweenRightIncl, distance, fingerStart, ID_BITS, RING_SIZE, type RingId } from "@wisp/lib";
import { AddrGroups, GroupCounts, MAX_NODES_PER_IP } from "./per-ip";
import type { NodeRef } from "./ring";

export interface RemovalResult {
  successorsChanged: boolean;
  predecessorChanged: boolean;
}

export class RoutingTable {
  private fingers: (NodeRef | null)[] = new Array(ID_BITS).fill(null);
  private succ: NodeRef[] = [];
  private pred: NodeRef | null = null;
  /** Successors dropped as failed, nearest first, with the reconnect attempts each has missed. */
  private lost: { node: NodeRef; misses: number }[] = [];
  /** Distinct known nodes (fingers ∪ successors) sorted by clockwise distance from self; null when stale. */
  private known: { node: NodeRef; dist: RingId }[] | null = null;
  private groups = new AddrGroups();

  constructor(
    readonly self: NodeRef,
    readonly maxSuccessors: number,
    readonly maxPerIp: number = MAX_NODES_PER_IP,
  ) {
    if (!Number.isInteger(maxSuccessors) || maxSuccessors < 1)
      throw new RangeError(`successor list size must be a positive integer, got ${maxSuccessors}`);
  }

  successors(): readonly NodeRef[] {
    return this.succ;
  }

  successor(): NodeRef | null {
    return this.succ[0] ?? null;
  }

  predecessor(): NodeRef | null {
    return this.pred;
  }

  finger(i: number): NodeRef | null {
    return this.fingers[i];
  }

  /** Alone on the ring: no successor other than self. */
  isAlone(): boolean {
    return this.succ.length === 0;
  }

  /**
   * Replaces the successor list with `list`, nearest first. Zave's rule: the list stops before
   * self (a ring of N ≤ r nodes yields N − 1 entries), holds no duplicates, and at most r entries;
   * it also stops where it would wrap past self. Nodes of an IP group past `maxPerIp` are left
   * out: the nearest of each group are kept, the first successor always.
   */
  setSuccessors(list: readonly NodeRef[]): boolean {
    const next: NodeRef[] = [];
    const groups = new GroupCounts(this.maxPerIp, this.groups);
    let last = 0n;
    for (const node of list) {
      if (node.addr === this.self.addr || next.length >= this.maxSuccessors) break;
      // A list goes round the circle from self once: an entry that does not lie beyond the last
      // one wrapped past self (a copied list that has not heard of self yet), or repeats one.
      const dist = distance(this.self.id, node.id);
      if (dist === last) continue;
      if (dist < last) break;
      if (!groups.take(node)) continue;
      last = dist;
      next.push(node);
    }
    if (sameRefs(next, this.succ)) return false;
    this.succ = next;
    this.capFingers();
    this.lost = this.lost.filter((l) => !next.some((node) => node.addr === l.node.addr));
    this.known = null;
    return true;
  }

  /** Stabilize's update: my list is my successor followed by its list (Zave 2017, §4). */
  adoptSuccessor(successor: NodeRef, itsSuccessors: readonly NodeRef[]): boolean {
    return this.setSuccessors([successor, ...itsSuccessors]);
  }

  setPredecessor(node: NodeRef | null): boolean {
    const next = node && node.addr === this.self.addr ? null : node;
    if (next?.addr === this.pred?.addr) return false;
    this.pred = next;
    return true;
  }

  /** Sets finger i; a node whose IP group holds `maxPerIp` other known nodes already leaves it empty. */
  setFinger(i: number, node: NodeRef | null): void {
    const next = node && (node.addr === this.self.addr || !this.fingerAdmits(i, node)) ? null : node;
    if (this.fingers[i]?.addr === next?.addr) return;
    this.fingers[i] = next;
    this.known = null;
  }

  /** Empties the fingers whose IP group the new successors and the nearer fingers fill already. */
  private capFingers(): void {
    const groups = new GroupCounts(this.maxPerIp, this.groups);
    for (const successor of this.succ) groups.add(successor);
    this.fingers.forEach((finger, i) => {
      if (finger && !groups.take(finger)) this.fingers[i] = null;
    });
  }

  private fingerAdmits(i: number, node: NodeRef): boolean {
    if (this.fingers[i]?.addr === node.addr || this.groups.of(node.addr) === null) return true;
    const groups = new GroupCounts(this.maxPerIp, this.groups);
    for (const successor of this.succ) groups.add(successor);
    this.fingers.forEach((finger, j) => {
      if (finger && j !== i) groups.add(finger);
    });
    return groups.admits(node);
  }

  /** The distinct nodes among the fingers, nearest first. */
  distinctFingers(): NodeRef[] {
    const seen = new Set<string>();
    const out: NodeRef[] = [];
    for (const node of this.fingers) {
      if (!node || seen.has(node.addr)) continue;
      seen.add(node.addr);
      out.push(node);
    }
    return out;
  }

  /**
   * A joiner's first fingers, from the nodes its successor knows: finger i becomes the first of
   * them at or after self + 2^i. Any live node is a safe finger (lookups confirm their answer);
   * these are close to right because the successor's fingers point just past ours.
   */
  seedFingers(nodes: readonly NodeRef[]): void {
    const sorted = [
      ...new Map(nodes.filter((n) => n.addr !== this.self.addr).map((n) => [n.addr, n])).values(),
    ]
      .map((node) => ({ node, dist: distance(this.self.id, node.id) }))
      .sort((a, b) => compareIds(a.dist, b.dist));
    if (sorted.length === 0) return;
    let at = 0;
    for (let i = 0; i < ID_BITS; i++) {
      const start = distance(this.self.id, fingerStart(this.self.id, i));
      while (at < sorted.length && sorted[at].dist < start) at++;
      // Past the last known node, the start's successor is this node itself: no finger.
      this.setFinger(i, at < sorted.length ? sorted[at].node : null);
    }
  }

  /** Drops a failed peer from fingers, successors and predecessor at once. */
  remove(addr: string): RemovalResult {
    let fingersChanged = false;
    for (let i = 0; i < ID_BITS; i++) {
      if (this.fingers[i]?.addr !== addr) continue;
      this.fingers[i] = null;
      fingersChanged = true;
    }
    const dropped = this.succ.find((node) => node.addr === addr);
    this.succ = this.succ.filter((node) => node.addr !== addr);
    const successorsChanged = dropped !== undefined;
    if (dropped) this.rememberLost(dropped);
    const predecessorChanged = this.pred?.addr === addr;
    if (predecessorChanged) this.pred = null;
    if (fingersChanged || successorsChanged) this.known = null;
    return { successorsChanged, predecessorChanged };
  }

  /** Successors reported failed and not seen since, nearest first: a lost answer looks like a death. */
  lostSuccessors(): NodeRef[] {
    return this.lost.map((l) => l.node);
  }

  /** A lost successor failed to answer again; after maxMisses such rounds it is forgotten. */
  missedLost(addr: string, maxMisses: number): void {
    const entry = this.lost.find((l) => l.node.addr === addr);
    if (entry && ++entry.misses >= maxMisses) this.lost = this.lost.filter((l) => l !== entry);
  }

  private rememberLost(node: NodeRef): void {
    const others = this.lost.filter((l) => l.node.addr !== node.addr);
    others.push({ node, misses: 0 });
    others.sort((a, b) => compareIds(distance(this.self.id, a.node.id), distance(this.self.id, b.node.id)));
    this.lost = others.slice(0, this.maxSuccessors);
  }

  /** Is key ∈ (predecessor, self]? True when alone; false while the predecessor is unknown. */
  owns(key: RingId): boolean {
    if (this.isAlone()) return true;
    if (!this.pred) return false;
    return betweenRightIncl(this.pred.id, key, this.self.id);
  }

  /** The part of the successor list from key's successor on (see splitAtKey); empty when key lies beyond it. */
  successorsFor(key: RingId): NodeRef[] {
    return splitAtKey(this.self, this.succ, key).from;
  }

  /**
   * closest_preceding_node over fingers and successors together: up to `limit` distinct nodes in
   * (self, key), closest to key first, so that a caller can fall back to the next when one fails.
   */
  closestPreceding(key: RingId, limit: number): NodeRef[] {
    const known = this.knownNodes();
    // For key = self the interval (self, key) is the whole circle but self, as in between().
    const target = key === this.self.id ? RING_SIZE : distance(this.self.id, key);
    let lo = 0;
    let hi = known.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (known[mid].dist < target) lo = mid + 1;
      else hi = mid;
    }
    const result: NodeRef[] = [];
    for (let i = lo - 1; i >= 0 && result.length < limit; i--) result.push(known[i].node);
    return result;
  }

  private knownNodes(): { node: NodeRef; dist: RingId }[] {
    if (this.known) return this.known;
    const byAddr = new Map<string, NodeRef>();
    for (const node of this.fingers) if (node) byAddr.set(node.addr, node);
    for (const node of this.succ) byAddr.set(node.addr, node);
    byAddr.delete(this.self.addr);
    this.known = [...byAddr.values()]
      .map((node) => ({ node, dist: distance(this.self.id, node.id) }))
      .sort((a, b) => (a.dist < b.dist ? -1 : a.dist > b.dist ? 1 : 0));
    return this.known;
  }
}

/**
 * Splits origin's successor list at key: `from` starts at the first s_j with key ∈ (s_{j−1}, s_j]
 * (s_{−1} = origin), so s_j answers find_successor(key) and the later entries are its fallbacks;
 * `before` holds the entries that precede key, nearest to key last. `from` is empty when key lies
 * beyond the list.
 */
export function splitAtKey(
  origin: NodeRef,
  list: readonly NodeRef[],
  key: RingId,
): { before: NodeRef[]; from: NodeRef[] } {
  let previous = origin.id;
  for (let j = 0; j < list.length; j++) {
    if (betweenRightIncl(previous, key, list[j].id)) return { before: list.slice(0, j), from: list.slice(j) };
    previous = list[j].id;
  }
  return { before: [...list], from: [] };
}

function sameRefs(a: readonly NodeRef[], b: readonly NodeRef[]): boolean {
  return a.length === b.length && a.every((node, i) => node.addr === b[i].addr);
}

function compareIds(a: RingId, b: RingId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
