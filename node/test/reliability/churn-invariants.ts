/**
 * Zave's invariants of a Chord ring ("Reasoning about identifier spaces: how to make Chord
 * correct", IEEE TSE 2017, §3), over a snapshot of the live members' successor lists.
 *
 * A member's best successor is the first live node of its successor list (itself when the list is
 * empty: a ring of one). Following best successors from every member is a functional graph; its
 * cycles are rings, and every member off a cycle is an appendage.
 * - AtLeastOneRing: some cycle exists.
 * - AtMostOneRing: there is no second cycle (from any ring member every other one is reachable).
 * - OrderedRing: no ring member lies strictly between a ring member and its best successor, so the
 *   ring visits its members in identifier order, going round the circle once.
 * - ConnectedAppendages: every appendage reaches the ring by following best successors.
 * A ring is whole when, besides, it contains every live member.
 */
import { between, type RingId } from "@wisp/lib";
import type { NodeRef } from "../../src/chord/ring";

export interface MemberView {
  addr: string;
  id: RingId;
  successors: readonly NodeRef[];
}

export interface RingReport {
  /** Names of the violated invariants, each with a short reason. */
  violations: string[];
  ringSize: number;
  appendages: number;
}

export function checkZave(members: readonly MemberView[]): RingReport {
  const byAddr = new Map(members.map((m) => [m.addr, m]));
  const best = new Map<string, string | null>();
  for (const member of members) best.set(member.addr, bestSuccessor(member, byAddr));
  const violations: string[] = [];
  for (const [addr, next] of best)
    if (next === null) violations.push(`ConnectedAppendages: ${addr} has no live successor`);

  const cycles = findCycles(members, best);
  if (members.length > 0 && cycles.length === 0)
    violations.push("AtLeastOneRing: no cycle of best successors");
  if (cycles.length > 1)
    violations.push(
      `AtMostOneRing: ${cycles.length} cycles, of sizes ${cycles.map((c) => c.length).join(", ")}`,
    );
  const ring = cycles[0] ?? [];
  const onRing = new Set(ring);
  violations.push(...orderViolations(ring, byAddr));

  for (const member of members) {
    if (onRing.has(member.addr)) continue;
    if (!reachesRing(member.addr, best, onRing, members.length))
      violations.push(`ConnectedAppendages: appendage ${member.addr} does not reach the ring`);
  }
  return { violations: dedupe(violations), ringSize: ring.length, appendages: members.length - ring.length };
}

/** The invariants, and every live member on the ring. */
export function checkWhole(members: readonly MemberView[]): string[] {
  const report = checkZave(members);
  if (report.violations.length > 0) return report.violations;
  if (report.appendages > 0) return [`whole ring: ${report.appendages} live member(s) are appendages`];
  return [];
}

function bestSuccessor(member: MemberView, live: ReadonlyMap<string, MemberView>): string | null {
  if (member.successors.length === 0) return member.addr;
  return member.successors.find((s) => live.has(s.addr))?.addr ?? null;
}

/** The cycles of the best-successor graph, each as its members in successor order. */
function findCycles(members: readonly MemberView[], best: ReadonlyMap<string, string | null>): string[][] {
  const done = new Set<string>();
  const cycles: string[][] = [];
  for (const start of members) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let at: string | null = start.addr;
    while (at !== null && !done.has(at) && !onPath.has(at)) {
      onPath.set(at, path.length);
      path.push(at);
      at = best.get(at) ?? null;
    }
    if (at !== null && onPath.has(at)) cycles.push(path.slice(onPath.get(at)));
    for (const addr of path) done.add(addr);
  }
  return cycles;
}

function orderViolations(ring: readonly string[], byAddr: ReadonlyMap<string, MemberView>): string[] {
  if (ring.length < 2) return [];
  const ids = ring.map((addr) => byAddr.get(addr)!.id);
  const found: string[] = [];
  for (let i = 0; i < ring.length; i++) {
    const from = ids[i];
    const to = ids[(i + 1) % ring.length];
    const skipped = ring.find((_, j) => between(from, ids[j], to));
    if (skipped)
      found.push(
        `OrderedRing: ${skipped} lies between ${ring[i]} and its best successor ${ring[(i + 1) % ring.length]}`,
      );
  }
  return found;
}

function reachesRing(
  start: string,
  best: ReadonlyMap<string, string | null>,
  onRing: ReadonlySet<string>,
  bound: number,
): boolean {
  let at: string | null = start;
  for (let steps = 0; at !== null && steps <= bound; steps++) {
    if (onRing.has(at)) return true;
    at = best.get(at) ?? null;
  }
  return false;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
