/**
 * Dispatches node-to-node requests by their tag `t` to the protocol that registered it (chord.*,
 * store.*). Each protocol decodes its own messages (input from the network is hostile) and throws
 * RpcReject with a short reason when one is malformed; the transport sends that reason back.
 */
import type { PeerIdentity, RequestHandler, WireMessage } from "../transport/transport";

/** `peer`: who sent the message, as its link proved it; a handler acting on another node's behalf checks it. */
type RpcHandlerFn = (message: WireMessage, peer: PeerIdentity) => Promise<WireMessage>;

export class RpcReject extends Error {
  override name = "RpcReject";
}

export class RpcRouter {
  private handlers = new Map<string, RpcHandlerFn>();

  /** Registers handler for every tag of one protocol. */
  on(tags: readonly string[], handler: RpcHandlerFn): void {
    for (const tag of tags) {
      if (this.handlers.has(tag)) throw new Error(`a handler for "${tag}" is already registered`);
      this.handlers.set(tag, handler);
    }
  }

  readonly handle: RequestHandler = async (message, peer) => {
    if (typeof message !== "object" || message === null || typeof message.t !== "string") {
      throw new RpcReject("message must be an object with a string tag t");
    }
    const handler = this.handlers.get(message.t);
    if (!handler) throw new RpcReject(`unknown message type "${message.t.slice(0, 40)}"`);
    return handler(message, peer);
  };
}
