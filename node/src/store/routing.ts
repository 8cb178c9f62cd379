/**
 * The store's one answer to "where is this mailbox served?" (docs/store.md, "Routing"). A node
 * serves a put or fetch itself only while the mailbox's key is in (predecessor, self]. Otherwise it
 * asks the node that Chord's table names, unconfirmed; that node checks the same rule and answers
 * store.not_owner when it fails, and then the request follows confirmed lookups. A lookup that names
 * this node is believed only if the rule holds here at that moment.
 */
import type { RingId } from "@wisp/lib";
import { type NodeRef, RingUnavailable } from "../chord/ring";
import { TransportError, type WireMessage } from "../transport/transport";
import { ServiceError } from "./mailboxes";
import type { MailboxDeps } from "./options";
import { isNotOwner, type OwnerRequest } from "./wire";

interface RouteOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Confirmed lookups after the unconfirmed first try. */
const CONFIRMED_ATTEMPTS = 2;

type Attempt<A> = { answer: A } | { problem: string };

export class OwnerRouting {
  constructor(private deps: Pick<MailboxDeps, "ring" | "transport">) {}

  /**
   * Serves request here (serveHere) or at the owner of key, whose answer decode checks (null:
   * malformed). Throws ServiceError("unavailable") when no owner can be found or answers; a peer
   * that fails is reported to Chord.
   */
  async route<A>(
    key: RingId,
    request: OwnerRequest,
    options: RouteOptions,
    serveHere: () => Promise<A>,
    decode: (raw: WireMessage) => A | null,
  ): Promise<A> {
    const { ring } = this.deps;
    if (!ring.isJoined()) throw new ServiceError("unavailable", "this node has not joined a ring yet");
    if (options.signal?.aborted) throw new ServiceError("unavailable", "the request was aborted");
    if (ring.owns(key)) return serveHere();
    const attempt = (owner: NodeRef): Promise<Attempt<A>> =>
      owner.addr === ring.self.addr ? this.here(key, serveHere) : this.ask(owner, request, options, decode);
    let outcome = await attempt(await this.lookup(key, options.signal, false));
    for (let i = 0; i < CONFIRMED_ATTEMPTS && !("answer" in outcome); i++)
      outcome = await attempt(await this.lookup(key, options.signal, true));
    if ("answer" in outcome) return outcome.answer;
    throw new ServiceError("unavailable", outcome.problem);
  }

  /** A lookup named this node: it serves only what it owns now. */
  private async here<A>(key: RingId, serveHere: () => Promise<A>): Promise<Attempt<A>> {
    if (this.deps.ring.owns(key)) return { answer: await serveHere() };
    return { problem: "the lookup named this node, but the key is not in (predecessor, self] here" };
  }

  /**
   * The owner may answer over a link it opened to us (anyLink): that link proved the key the
   * lookup named, and what it answers is checked the same either way.
   */
  private async ask<A>(
    owner: NodeRef,
    request: OwnerRequest,
    options: RouteOptions,
    decode: (raw: WireMessage) => A | null,
  ): Promise<Attempt<A>> {
    const { addr } = owner;
    let raw: WireMessage;
    try {
      raw = await this.deps.transport.request(addr, request, { ...options, key: owner.key, anyLink: true });
    } catch (error) {
      return { problem: this.failed(error, addr) };
    }
    if (isNotOwner(raw)) return { problem: `${addr} does not own the key` };
    const answer = decode(raw);
    if (answer === null) throw new ServiceError("unavailable", "the mailbox's node gave a malformed answer");
    return { answer };
  }

  /** Throws for an abort and for the owner's refusal; reports any other failure and answers why. */
  private failed(error: unknown, owner: string): string {
    if (error instanceof TransportError && error.code === "aborted")
      throw new ServiceError("unavailable", "the request was aborted");
    if (error instanceof TransportError && error.code === "remote")
      throw new ServiceError("internal", `the owner ${owner} refused: ${error.message}`);
    this.deps.ring.reportFailure(owner);
    return `the owner ${owner} did not answer: ${error instanceof Error ? error.message : error}`;
  }

  private async lookup(key: RingId, signal: AbortSignal | undefined, verify: boolean): Promise<NodeRef> {
    try {
      return (await this.deps.ring.lookup(key, { signal, verify })).node;
    } catch (error) {
      const reason = error instanceof RingUnavailable ? error.message : String(error);
      throw new ServiceError("unavailable", `no route to the mailbox's node: ${reason}`);
    }
  }
}
