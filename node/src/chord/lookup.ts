/**
 * Iterative find_successor (Stoica et al. 2001, §4.3, Fig. 5, made iterative): the looking-up
 * node asks ever closer predecessors of the key for their next step. A peer that does not answer
 * is reported failed at once and the lookup goes on through the next-best candidate.
 */
import { between, betweenRightIncl, type RingId } from "@wisp/lib";
import { TransportError, type WireMessage } from "../transport/transport";
import { type ChordRequest, decodeStateAnswer, decodeStepAnswer, type StateAnswer } from "./messages";
import { type LookupResult, type NodeRef, RingUnavailable } from "./ring";
import { type RoutingTable, splitAtKey } from "./routing-table";

export interface LookupContext {
  table: RoutingTable;
  request(to: string, request: ChordRequest, signal: AbortSignal): Promise<WireMessage>;
  reportFailure(addr: string): void;
  maxHops: number;
}

export interface LookupPlan {
  key: RingId;
  signal: AbortSignal;
  /** Confirm that the answer is alive with a ping before returning it (not counted as a hop). */
  verify: boolean;
  /** Where to start instead of the local table (a joining node starts at its bootstrap). */
  start?: NodeRef[];
}

export async function findSuccessor(ctx: LookupContext, plan: LookupPlan): Promise<LookupResult> {
  const { table } = ctx;
  const self = table.self;
  const failed = new Set<string>();
  const queried = new Set<string>([self.addr]);
  let hops = 0;
  let candidates: NodeRef[] = [];
  let final: { before: NodeRef[]; from: NodeRef[] } = { before: [], from: [] };
  // The answering node closest to the key, and the nodes whose successor lists were consulted:
  // when every candidate has failed, the lookup walks on along that node's successor list.
  let closest: NodeRef | null = null;
  const walked = new Set<string>([self.addr]);

  if (plan.start) {
    candidates = [...plan.start];
  } else {
    // key ∈ (predecessor, self]: this node is the successor of the key, by its own predecessor.
    if (table.isAlone() || plan.key === self.id || table.owns(plan.key)) return { node: self, hops: 0 };
    final = splitAtKey(self, table.successors(), plan.key);
    // Locally every known node is a candidate: trying them costs nothing until one is asked.
    if (final.from.length === 0) candidates = table.closestPreceding(plan.key, Number.POSITIVE_INFINITY);
  }

  for (;;) {
    for (const node of final.from) {
      if (node.addr === self.addr && plan.start) continue; // a stale entry from an earlier life of this address
      if (failed.has(node.addr)) continue;
      if (!plan.verify) return { node, hops };
      const confirmed = await confirmOwner(ctx, plan, node, failed);
      if (!confirmed) continue;
      return { node: confirmed.node, hops: hops + confirmed.steps };
    }
    // Every listed successor of the key failed: route on through the nodes just before them,
    // whose own lists reach further.
    if (final.from.length > 0) candidates = [...final.before.reverse(), ...candidates];
    final = { before: [], from: [] };

    while (final.from.length === 0) {
      const next = candidates.shift();
      if (!next) {
        if (!closest || walked.has(closest.addr)) throw new RingUnavailable("no live route towards the key");
        if (hops >= ctx.maxHops) throw new RingUnavailable(`lookup exceeded ${ctx.maxHops} hops`);
        hops++;
        walked.add(closest.addr);
        const list = await successorsOf(ctx, plan.signal, closest, failed);
        if (!list) continue;
        final = splitAtKey(closest, list, plan.key);
        candidates = final.before.reverse();
        continue;
      }
      if (queried.has(next.addr) || failed.has(next.addr)) continue;
      if (hops >= ctx.maxHops) throw new RingUnavailable(`lookup exceeded ${ctx.maxHops} hops`);
      hops++;
      queried.add(next.addr);
      const answer = await ask(ctx, plan.signal, next.addr, { t: "chord.step", key: plan.key }, failed);
      if (!answer) continue;
      const step = decodeStepAnswer(answer);
      if (typeof step === "string") {
        markFailed(ctx, failed, next.addr);
        continue;
      }
      if (step.done) {
        final = splitAtKey(next, step.successors, plan.key);
        if (final.from.length === 0) markFailed(ctx, failed, next.addr); // claimed done, but is not
        continue;
      }
      if (!closest || between(closest.id, next.id, plan.key)) closest = next;
      const closer = step.next.filter(
        (node) => between(next.id, node.id, plan.key) && !queried.has(node.addr) && !failed.has(node.addr),
      );
      candidates = [...closer, ...candidates];
    }
  }
}

/**
 * A successor list may lag behind joins, so the owner named by one is asked for its predecessor:
 * it owns key if key ∈ (predecessor, node]; otherwise a node that joined in between does, and
 * the lookup steps back along predecessors (each step a hop) until the interval holds. Null when
 * the named node itself is dead.
 */
async function confirmOwner(
  ctx: LookupContext,
  plan: LookupPlan,
  named: NodeRef,
  failed: Set<string>,
): Promise<{ node: NodeRef; steps: number } | null> {
  const self = ctx.table.self;
  let node = named;
  let previous: NodeRef | null = null;
  for (let steps = 0; ; steps++) {
    const state = await stateOf(ctx, plan, node, failed);
    if (typeof state === "string") markFailed(ctx, failed, node.addr);
    // A dead node on the way back: the last live one is the best answer there is for now.
    if (!state || typeof state === "string") return previous ? { node: previous, steps } : null;
    const predecessor = state.predecessor;
    if (!predecessor || failed.has(predecessor.addr) || betweenRightIncl(predecessor.id, plan.key, node.id))
      return { node, steps };
    if (predecessor.addr === self.addr)
      return { node: !plan.start && ctx.table.owns(plan.key) ? self : node, steps };
    if (steps >= ctx.maxHops) return { node, steps };
    previous = node;
    node = predecessor;
  }
}

/** chord.state of node; this node's own from its table, without a request. */
async function stateOf(
  ctx: LookupContext,
  plan: LookupPlan,
  node: NodeRef,
  failed: Set<string>,
): Promise<StateAnswer | string | null> {
  if (node.addr === ctx.table.self.addr)
    return { predecessor: ctx.table.predecessor(), successors: [...ctx.table.successors()] };
  const answer = await ask(ctx, plan.signal, node.addr, { t: "chord.state" }, failed);
  return answer ? decodeStateAnswer(answer) : null;
}

async function successorsOf(
  ctx: LookupContext,
  signal: AbortSignal,
  node: NodeRef,
  failed: Set<string>,
): Promise<NodeRef[] | null> {
  const answer = await ask(ctx, signal, node.addr, { t: "chord.state" }, failed);
  if (!answer) return null;
  const state = decodeStateAnswer(answer);
  if (typeof state !== "string") return state.successors;
  markFailed(ctx, failed, node.addr);
  return null;
}

/** One request; a failed peer is reported and yields null, while our own abort or close ends the lookup. */
async function ask(
  ctx: LookupContext,
  signal: AbortSignal,
  to: string,
  request: ChordRequest,
  failed: Set<string>,
): Promise<WireMessage | null> {
  if (signal.aborted) throw new RingUnavailable("lookup timed out or was aborted");
  try {
    return await ctx.request(to, request, signal);
  } catch (error) {
    if (signal.aborted) throw new RingUnavailable("lookup timed out or was aborted");
    if (error instanceof TransportError && error.code === "closed")
      throw new RingUnavailable("this node's transport is closed");
    markFailed(ctx, failed, to);
    return null;
  }
}

function markFailed(ctx: LookupContext, failed: Set<string>, addr: string): void {
  failed.add(addr);
  ctx.reportFailure(addr);
}
