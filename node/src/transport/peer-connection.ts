/**
 * A connection we open to one peer (tcp.ts): TCP connect, the Noise handshake as initiator, then a
 * LinkChannel — our requests to that peer, pipelined, and the peer's requests to us. Requests made
 * before the handshake completes wait for it, each with the key it expects there.
 */
import net from "node:net";
import type { RefusalCause } from "../metrics";
import { type ChannelHooks, type ChannelLimits, LinkChannel } from "./channel";
import { type HandshakeSettings, initiate, type Link } from "./handshake";
import { PendingRequests } from "./pending";
import { type RequestOptions, TransportError, type WireMessage } from "./transport";

export interface Limits extends ChannelLimits {
  connectTimeoutMs: number;
}

/** A request frame, before it is sealed; it waits here for its connection's handshake. */
export interface OutgoingRequest {
  id: number;
  payload: Buffer;
  key: string | undefined;
}

export interface ConnectionHooks extends Omit<ChannelHooks, "violated" | "refused"> {
  handshake: () => HandshakeSettings;
  onGone: (connection: PeerConnection) => void;
  onHandshakeFailure: () => void;
  refused: (cause: RefusalCause, peer: string) => void;
}

export class PeerConnection {
  gone = false;
  private readonly pending: PendingRequests;
  private readonly socket: net.Socket;
  private connectTimer: ReturnType<typeof setTimeout> | null;
  private reason: string;
  private channel: LinkChannel | null = null;
  private queued: OutgoingRequest[] = [];

  constructor(
    private readonly addr: string,
    host: string,
    port: number,
    private readonly limits: Limits,
    private readonly hooks: ConnectionHooks,
    expectedKey?: string,
  ) {
    this.reason = `connection to ${addr} closed`;
    this.pending = new PendingRequests(addr);
    this.socket = net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.connectTimer = setTimeout(() => {
      this.reason = `could not connect to ${addr} within ${limits.connectTimeoutMs} ms`;
      this.socket.destroy();
    }, limits.connectTimeoutMs);
    this.socket.once("connect", () => {
      this.clearConnectTimer();
      // Half the peer's idle timeout, so that we close first rather than lose a request to its close.
      this.socket.setTimeout(Math.max(1, Math.floor(limits.idleTimeoutMs / 2)));
      initiate(this.socket, addr, expectedKey, hooks.handshake(), (result) => {
        if (!result.ok) {
          hooks.onHandshakeFailure();
          this.shutdown(new TransportError("unreachable", `handshake with ${addr} failed: ${result.reason}`));
          return;
        }
        this.ready(result.link);
      });
    });
    this.socket.on("timeout", () => {
      if (this.channel ? this.channel.idle : this.pending.size === 0)
        this.shutdown(new TransportError("unreachable", `${addr} idle`));
    });
    this.socket.on("error", (error: NodeJS.ErrnoException) => {
      this.reason = `cannot reach ${addr} (${error.code ?? error.message})`;
    });
    this.socket.on("close", () => this.shutdown(new TransportError("unreachable", this.reason)));
  }

  /** The key the node at this address proved, once the handshake completed. */
  get peerKey(): string | null {
    return this.channel?.peer.key ?? null;
  }

  request(request: OutgoingRequest, options: RequestOptions): Promise<WireMessage> {
    const answer = this.pending.wait(request.id, options);
    if (this.channel) this.send(this.channel, request);
    else this.queued.push(request);
    return answer;
  }

  /** Fails every pending request with `error` and drops the connection. Safe to call twice. */
  shutdown(error: TransportError): void {
    if (this.gone) return;
    this.gone = true;
    this.clearConnectTimer();
    this.hooks.onGone(this);
    this.socket.destroy();
    this.queued = [];
    this.pending.failAll(error);
  }

  private ready(link: Link): void {
    const queued = this.queued;
    this.queued = [];
    this.channel = new LinkChannel(this.socket, link, this.pending, this.limits, {
      handler: this.hooks.handler,
      budget: this.hooks.budget,
      refused: (cause) => this.hooks.refused(cause, this.addr),
      violated: (cause, reason) => {
        this.hooks.refused(cause, this.addr);
        this.shutdown(new TransportError("unreachable", `${this.addr} ${reason}`));
      },
    });
    for (const request of queued) this.send(this.channel, request);
  }

  private send(channel: LinkChannel, request: OutgoingRequest): void {
    if (request.key && request.key !== channel.peer.key) {
      this.pending.settle(
        request.id,
        new TransportError("wrong_key", `${this.addr} holds another key than expected`),
      );
      return;
    }
    channel.send(request.id, request.payload);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }
}
