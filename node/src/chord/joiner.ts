/**
 * A node's way into a ring (docs/chord.md, "Joining"): the bootstrap introduces itself,
 * a lookup from it names this node's successor, and that successor is asked to take this node as
 * its predecessor (chord.join). It first hands over the keys in (its old predecessor, this node],
 * then answers with that predecessor, its successor list and its fingers, which the node takes at
 * once (Zave 2017: a joiner copies a whole list). A node that joined in between is walked back to.
 */
import { between } from "@wisp/lib";
import type { Transport } from "../transport/transport";
import { findSuccessor, type LookupContext } from "./lookup";
import { decodeJoinAnswer, decodePong, encodeRequest, type JoinAnswer } from "./messages";
import type { PeerCalls } from "./peer-calls";
import type { RefVerifier } from "./refs";
import { type NodeRef, RingUnavailable } from "./ring";

/** The deadline of chord.join, in calls: the successor's hand-over happens inside it. */
const JOIN_DEADLINE_CALLS = 4;

export interface JoinerDeps {
  self: NodeRef;
  refs: RefVerifier;
  transport: Transport;
  calls: PeerCalls;
  lookupContext: LookupContext;
  options: {
    rpcTimeoutMs: number;
    maxLookupHops: number;
    joinAttempts: number;
    joinBackoffMs: number;
    joinBackoffMaxMs: number;
  };
  isStopped(): boolean;
  withDeadline<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  sleep(ms: number): Promise<void>;
  /** The successor being asked to take this node, while it is asked (its hand-over may arrive first). */
  setJoinTarget(node: NodeRef | null): void;
  /** Takes the accepting successor's answer into the routing state: from then on a member. */
  enter(successor: NodeRef, answer: JoinAnswer): void;
}

/** Joins the ring that bootstrapAddr belongs to, retrying with backoff while it is unreachable. */
export async function joinRing(deps: JoinerDeps, bootstrapAddr: string): Promise<void> {
  const { options } = deps;
  let pause = options.joinBackoffMs;
  let lastError = "";
  for (let attempt = 1; attempt <= options.joinAttempts; attempt++) {
    if (deps.isStopped()) throw new RingUnavailable("stopped while joining");
    try {
      await joinOnce(deps, await introduce(deps, bootstrapAddr));
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (attempt === options.joinAttempts) break;
    await deps.sleep(pause);
    pause = Math.min(pause * 2, options.joinBackoffMaxMs);
  }
  throw new RingUnavailable(
    `could not join through ${bootstrapAddr} after ${options.joinAttempts} attempts: ${lastError}`,
  );
}

/** The bootstrap's ref, from its own pong; every later request to it checks the key it names. */
async function introduce(deps: JoinerDeps, addr: string): Promise<NodeRef> {
  const pong = await deps.transport.request(addr, encodeRequest({ t: "chord.ping" }), {
    timeoutMs: deps.options.rpcTimeoutMs,
  });
  const ref = decodePong(pong, deps.refs);
  if (typeof ref === "string") throw new RingUnavailable(`${addr} did not introduce itself: ${ref}`);
  if (ref.addr !== addr) throw new RingUnavailable(`${addr} says it is ${ref.addr}`);
  return ref;
}

/** Only once a successor accepted is this node a member that owns keys; it tells its predecessor. */
async function joinOnce(deps: JoinerDeps, bootstrap: NodeRef): Promise<void> {
  let { node: candidate } = await deps.withDeadline((signal) =>
    findSuccessor(deps.lookupContext, { key: deps.self.id, signal, verify: true, start: [bootstrap] }),
  );
  for (let step = 0; step < deps.options.maxLookupHops; step++) {
    if (deps.isStopped()) throw new RingUnavailable("stopped while joining");
    const answer = await askToJoin(deps, candidate);
    if (answer.accepted) {
      deps.enter(candidate, answer);
      // chord.changed, not chord.notify: a predecessor without a predecessor of its own would
      // take a notifier as one, and own nearly the whole ring (the delivery property's full run).
      // A failure is not a death: the predecessor may be joining itself.
      if (answer.predecessor)
        await deps.calls
          .call(answer.predecessor, { t: "chord.changed", node: deps.self })
          .catch(() => undefined);
      return;
    }
    const closer = answer.predecessor;
    if (!closer || !between(deps.self.id, closer.id, candidate.id))
      throw new RingUnavailable(`${candidate.addr} cannot take this node as its predecessor yet`);
    candidate = closer;
  }
  throw new RingUnavailable(`no successor accepted this node within ${deps.options.maxLookupHops} steps`);
}

async function askToJoin(deps: JoinerDeps, successor: NodeRef): Promise<JoinAnswer> {
  // The successor hands its entries over before it answers: a few calls' deadline. A retry of a
  // hand-over that took longer sends only what the joiner still lacks (digest first).
  deps.setJoinTarget(successor);
  const raw = await deps.transport
    .request(successor.addr, encodeRequest({ t: "chord.join", node: deps.self }), {
      timeoutMs: JOIN_DEADLINE_CALLS * deps.options.rpcTimeoutMs,
      key: successor.key,
    })
    .finally(() => deps.setJoinTarget(null));
  const answer = decodeJoinAnswer(raw, deps.refs);
  if (typeof answer === "string") throw new RingUnavailable(`${successor.addr}: ${answer}`);
  return answer;
}
