/**
 * Dispatches node-to-node requests by their tag `t` to the handler a module registered. Each
 * handler validates its own message (input from the network is hostile) and throws RpcReject
 * with a short reason when it is malformed; the transport sends that reason back as an error.
 */
import type { RequestHandler, WireMessage } from "../transport/transport";

export type RpcHandlerFn = (message: WireMessage) => Promise<WireMessage> | WireMessage;

export class RpcReject extends Error {
  override name = "RpcReject";
}

export class RpcRouter {
  private handlers = new Map<string, RpcHandlerFn>();

  on(type: string, handler: RpcHandlerFn): void {
    if (this.handlers.has(type)) throw new Error(`a handler for "${type}" is already registered`);
    this.handlers.set(type, handler);
  }

  readonly handle: RequestHandler = async (message) => {
    if (typeof message !== "object" || message === null || typeof message.t !== "string") {
      throw new RpcReject("message must be an object with a string tag t");
    }
    const handler = this.handlers.get(message.t);
    if (!handler) throw new RpcReject(`unknown message type "${message.t.slice(0, 40)}"`);
    return handler(message);
  };
}
