/**
 * Iterative find_successor (Stoica et al. 2001, §4.3, Fig. 5, made iterative): the looking-up
 * node asks ever closer predecessors of the key for their next step. A peer that does not answer
 * is reported failed at once and the lookup goes on through the next-best candidate.
 */
import { between, betweenRightIncl, type RingId } from "@wisp/lib";
import { TransportError, type WireMessage } from "../transport/transport";
import { type ChordRequest, decodeStateAnswer, decodeStepAnswer, type StateAnswer } from "./messages";
import type { RefVerifier } from "./refs";
import { type LookupResult, type NodeRef, RingUnavailable } from "./ring";
import { type RoutingTable, splitAtKey } from "./routing-table";

export interface LookupContext {
  table: RoutingTable;
  refs: RefVerifier;
  /** A request to `to`, which must prove the key its ref names. */
  request(to: NodeRef, request: ChordRequest, signal: AbortSignal): Promise<WireMessage>;
  reportFailure(addr: string): void;
  maxHops: number;
}

export interface LookupPlan {
  key: RingId;
  signal: AbortSignal;
  /** Confirm the named owner with chord.state (key ∈ (its predecessor, it]) before returning it. */
  verify: boolean;
  /** Where to start instead of the local table (a joining node starts at its bootstrap). */
  start?: NodeRef[];
}

/** A successor list split at the key (splitAtKey): `from` answers the lookup, `before` precedes the key. */
type Owners = { before: NodeRef[]; from: NodeRef[] };

/** What one lookup has learned so far. */
interface Search {
  plan: LookupPlan;
  hops: number;
  /** Nodes to ask chord.step, best first. */
  candidates: NodeRef[];
  failed: Set<string>;
  queried: Set<string>;
  /** The answering node closest to the key: when every candidate failed, the walk goes on along its successor list. */
  closest: NodeRef | null;
  /** Nodes whose successor lists the walk has consulted. */
  walked: Set<string>;
}

const NO_OWNERS: Owners = { before: [], from: [] };

/**
 * The answer the local table gives without asking anyone, or null: this node owns the key, or
 * (unconfirmed) the key is in the range of its successor list.
 */
export function answerLocally(table: RoutingTable, key: RingId, verify: boolean): LookupResult | null {
  if (ownedHere(table, key)) return { node: table.self, hops: 0 };
  if (verify) return null;
  const first = splitAtKey(table.self, table.successors(), key).from[0];
  return first ? { node: first, hops: 0 } : null;
}

/** key ∈ (predecessor, self]: this node is the successor of the key, by its own predecessor. */
function ownedHere(table: RoutingTable, key: RingId): boolean {
  return table.isAlone() || key === table.self.id || table.owns(key);
}

export async function findSuccessor(ctx: LookupContext, plan: LookupPlan): Promise<LookupResult> {
  const start = planLookup(ctx.table, plan);
  if ("answer" in start) return start.answer;
  const self = ctx.table.self.addr;
  const search: Search = {
    plan,
    hops: 0,
    candidates: start.candidates,
    failed: new Set(),
    queried: new Set([self]),
    closest: null,
    walked: new Set([self]),
  };
  let owners = start.owners;
  for (;;) {
    const found = await tryOwners(ctx, search, owners.from);
    if (found) return found;
    // Every listed successor of the key failed: route on through the nodes just before them,
    // whose own lists reach further.
    if (owners.from.length > 0) search.candidates = [...[...owners.before].reverse(), ...search.candidates];
    owners = await nextOwners(ctx, search);
  }
}

/** Planning: the answer from the local table alone, or where the search starts. */
function planLookup(
  table: RoutingTable,
  plan: LookupPlan,
): { answer: LookupResult } | { owners: Owners; candidates: NodeRef[] } {
  if (plan.start) return { owners: NO_OWNERS, candidates: [...plan.start] };
  const self = table.self;
  if (ownedHere(table, plan.key)) return { answer: { node: self, hops: 0 } };
  const owners = splitAtKey(self, table.successors(), plan.key);
  // Locally every known node is a candidate: trying them costs nothing until one is asked.
  const candidates =
    owners.from.length === 0 ? table.closestPreceding(plan.key, Number.POSITIVE_INFINITY) : [];
  return { owners, candidates };
}

/** The first of a list's successors of the key that is alive (and, with verify, confirmed). */
async function tryOwners(ctx: LookupContext, search: Search, from: NodeRef[]): Promise<LookupResult | null> {
  const { plan } = search;
  for (const node of from) {
    if (node.addr === ctx.table.self.addr && plan.start) continue; // a stale entry from an earlier life of this address
    if (search.failed.has(node.addr)) continue;
    if (!plan.verify) return { node, hops: search.hops };
    const confirmed = await confirmOwner(ctx, plan, node, search.failed);
    if (confirmed) return { node: confirmed.node, hops: search.hops + confirmed.steps };
  }
  return null;
}

/** Steps towards the key until some node's successor list holds it; throws when no route is left. */
async function nextOwners(ctx: LookupContext, search: Search): Promise<Owners> {
  for (;;) {
    const next = search.candidates.shift();
    const owners = next ? await step(ctx, search, next) : await walk(ctx, search);
    if (owners && owners.from.length > 0) return owners;
  }
}

/** Stepping: one chord.step to next; its successor list when done, else its closer nodes become candidates. */
async function step(ctx: LookupContext, search: Search, next: NodeRef): Promise<Owners | null> {
  const { plan, failed, queried } = search;
  if (queried.has(next.addr) || failed.has(next.addr)) return null;
  spendHop(ctx, search);
  queried.add(next.addr);
  const answer = await ask(ctx, plan.signal, next, { t: "chord.step", key: plan.key }, failed);
  if (!answer) return null;
  const stepped = decodeStepAnswer(answer, ctx.refs);
  if (typeof stepped === "string") {
    markFailed(ctx, failed, next.addr);
    return null;
  }
  if (stepped.done) {
    const owners = splitAtKey(next, stepped.successors, plan.key);
    if (owners.from.length === 0) markFailed(ctx, failed, next.addr); // claimed done, but is not
    return owners;
  }
  if (!search.closest || between(search.closest.id, next.id, plan.key)) search.closest = next;
  const closer = stepped.next.filter(
    (node) => between(next.id, node.id, plan.key) && !queried.has(node.addr) && !failed.has(node.addr),
  );
  search.candidates = [...closer, ...search.candidates];
  return null;
}

/**
 * The successor-list walk, when every candidate has failed: the answering node closest to the key
 * is asked for its successor list, and the nodes on it become the candidates.
 */
async function walk(ctx: LookupContext, search: Search): Promise<Owners | null> {
  const { closest } = search;
  if (!closest || search.walked.has(closest.addr)) throw new RingUnavailable("no live route towards the key");
  spendHop(ctx, search);
  search.walked.add(closest.addr);
  const list = await successorsOf(ctx, search.plan.signal, closest, search.failed);
  if (!list) return null;
  const owners = splitAtKey(closest, list, search.plan.key);
  search.candidates = [...owners.before].reverse();
  return owners;
}

function spendHop(ctx: LookupContext, search: Search): void {
  if (search.hops >= ctx.maxHops) throw new RingUnavailable(`lookup exceeded ${ctx.maxHops} hops`);
  search.hops++;
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
    if (steps >= ctx.maxHops) return { node, steps };
    if (predecessor.addr === self.addr && (plan.start || ctx.table.owns(plan.key)))
      return { node: plan.start ? node : self, steps };
    // Back at this node without owning key: the owner lies further back, along our own predecessor
    // (a stale successor list named a node after us; found by the read-after-store bench row).
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
  const answer = await ask(ctx, plan.signal, node, { t: "chord.state" }, failed);
  return answer ? decodeStateAnswer(answer, ctx.refs) : null;
}

async function successorsOf(
  ctx: LookupContext,
  signal: AbortSignal,
  node: NodeRef,
  failed: Set<string>,
): Promise<NodeRef[] | null> {
  const answer = await ask(ctx, signal, node, { t: "chord.state" }, failed);
  if (!answer) return null;
  const state = decodeStateAnswer(answer, ctx.refs);
  if (typeof state !== "string") return state.successors;
  markFailed(ctx, failed, node.addr);
  return null;
}

/** One request; a failed peer is reported and yields null, while our own abort or close ends the lookup. */
async function ask(
  ctx: LookupContext,
  signal: AbortSignal,
  to: NodeRef,
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
    markFailed(ctx, failed, to.addr);
    return null;
  }
}

function markFailed(ctx: LookupContext, failed: Set<string>, addr: string): void {
  failed.add(addr);
  ctx.reportFailure(addr);
}
