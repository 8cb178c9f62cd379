/**
 * The Chord requests this node makes of one peer, each over a link that must prove the key the
 * peer's ref names. A peer that fails a query is reported, so the routing state drops it.
 */
import { type Transport, TransportError, type WireMessage } from "../transport/transport";
import { type ChordRequest, decodeStateAnswer, encodeRequest, type StateAnswer } from "./messages";
import type { RefVerifier } from "./refs";
import type { NodeRef } from "./ring";

export interface PeerCallsDeps {
  transport: Transport;
  refs: RefVerifier;
  self: NodeRef;
  rpcTimeoutMs: number;
  reportFailure(addr: string): void;
}

export class PeerCalls {
  constructor(private readonly deps: PeerCallsDeps) {}

  call(to: NodeRef, request: ChordRequest, signal?: AbortSignal): Promise<WireMessage> {
    return this.deps.transport.request(to.addr, encodeRequest(request), {
      timeoutMs: this.deps.rpcTimeoutMs,
      signal,
      key: to.key,
    });
  }

  /** Is node alive at its address, holding its key? */
  async ping(node: NodeRef): Promise<boolean> {
    try {
      return (await this.call(node, { t: "chord.ping" })).t === "chord.pong";
    } catch {
      return false;
    }
  }

  /** Any answer over a link to node's address, a refusal included, proves its key listens there. */
  async listensAt(node: NodeRef): Promise<boolean> {
    try {
      await this.call(node, { t: "chord.ping" });
      return true;
    } catch (error) {
      return error instanceof TransportError && error.code === "remote";
    }
  }

  /** chord.state of node; a peer that fails or answers garbage is dropped and null returned. */
  async queryState(node: NodeRef): Promise<StateAnswer | null> {
    try {
      const state = decodeStateAnswer(await this.call(node, { t: "chord.state" }), this.deps.refs);
      if (typeof state !== "string") return state;
    } catch {
      // handled below: the peer is treated as failed
    }
    this.deps.reportFailure(node.addr);
    return null;
  }

  async notify(node: NodeRef): Promise<void> {
    try {
      await this.call(node, { t: "chord.notify", node: this.deps.self });
    } catch {
      this.deps.reportFailure(node.addr);
    }
  }

  /** Graceful departure: the predecessor and the successor are told at once, whether or not they answer. */
  async tellLeaving(predecessor: NodeRef | null, successors: NodeRef[]): Promise<void> {
    const request: ChordRequest = { t: "chord.leave", node: this.deps.self, predecessor, successors };
    const targets = new Map<string, NodeRef>();
    if (predecessor) targets.set(predecessor.addr, predecessor);
    if (successors[0]) targets.set(successors[0].addr, successors[0]);
    await Promise.all([...targets.values()].map((to) => this.call(to, request).catch(() => undefined)));
  }
}
